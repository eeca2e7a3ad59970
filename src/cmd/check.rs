//! `coach check`: every error and warning of one or more routines.

use anyhow::Result;

use super::{Exit, Loaded, Run, count, prepare, print};
use crate::cli::Check;
use crate::pipeline::{self, Scripted};
use crate::plan::{Adjustment, Plan};
use crate::routine::find;
use crate::source::{Diagnostic, Report, Span};
use crate::timeline::Place;
use crate::timeline::time::clock;

impl Run for Check {
    fn run(&self) -> Result<Exit> {
        let mut failed = false;
        for name in &self.routines {
            failed |= self.check_one(name)?;
        }
        Ok(if failed { Exit::Failure } else { Exit::Success })
    }
}

impl Check {
    /// Checks one routine and prints what it found; true if it fails.
    fn check_one(&self, name: &str) -> Result<bool> {
        let found = match find::find(name) {
            Ok(found) => found,
            Err(e) => {
                print(&format!("{}\n", e.headline()))?;
                return Ok(true);
            }
        };
        let source = found.source.clone();
        let (routine, script) = match pipeline::script(&source) {
            Ok(Scripted { routine, script }) => (routine, script),
            Err(refused) => {
                let report = Report {
                    source,
                    diagnostics: refused.diagnostics().to_vec(),
                };
                print(&format!("{report}"))?;
                print(&format!(
                    "{}: {}\n",
                    report.source.name,
                    count(report.errors(), "error")
                ))?;
                return Ok(true);
            }
        };
        let exercises = routine.exercises.len();
        let loaded = Loaded {
            found,
            routine,
            script,
        };
        let prepared = prepare(loaded, &self.voice)?;
        let plan = &prepared.plan;
        let warnings: Vec<Diagnostic> = grouped(plan)
            .into_iter()
            .map(|(a, rounds)| {
                let span = a.span.clone().unwrap_or_else(|| {
                    a.place
                        .exercise
                        .and_then(|i| plan.exercises.get(i))
                        .map_or(0..0, |e| e.span.clone())
                });
                let mut message = plan.adjustment_message(a);
                if let Some(more) = rounds_words(&rounds) {
                    message.push_str(&format!("; the same in {more}"));
                }
                Diagnostic::warning(span, message)
            })
            .collect();
        let report = Report {
            source,
            diagnostics: warnings,
        };
        print(&format!("{report}"))?;
        let summary = if report.warnings() == 0 {
            "ok".to_string()
        } else {
            count(report.warnings(), "warning")
        };
        print(&format!(
            "{}: {summary} ({}, {} long)\n",
            report.source.name,
            count(exercises, "exercise"),
            clock(plan.total_samples)
        ))?;
        Ok(self.strict && report.warnings() > 0)
    }
}

/// The plan's adjustments with those that repeat round after round (the
/// same sound, moved the same way for the same reason at the same place
/// of a later round) folded into the first: each with the later rounds.
fn grouped(plan: &Plan) -> Vec<(&Adjustment, Vec<u32>)> {
    type Key = (
        Option<Span>,
        String,
        String,
        Place,
        Option<u64>,
        Option<u64>,
    );
    let key = |a: &Adjustment| -> Key {
        let start = plan
            .periods
            .iter()
            .rev()
            .find(|p| p.start <= a.wanted)
            .map_or(0, |p| p.start);
        (
            a.span.clone(),
            a.sound.describe(),
            a.reason.clone(),
            Place {
                round: 0,
                ..a.place.clone()
            },
            a.moved_to.map(|m| m - a.wanted),
            Some(a.wanted - start),
        )
    };
    let mut groups: Vec<(&Adjustment, Vec<u32>)> = Vec::new();
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    for a in &plan.adjustments {
        match index.get(&key(a)) {
            Some(&i) if groups[i].0.place.round != a.place.round => groups[i].1.push(a.place.round),
            _ => {
                index.insert(key(a), groups.len());
                groups.push((a, Vec::new()));
            }
        }
    }
    groups
}

/// "round 3", "rounds 2 to 54", "rounds 2, 5 and 7".
fn rounds_words(rounds: &[u32]) -> Option<String> {
    match rounds {
        [] => None,
        [one] => Some(format!("round {one}")),
        [first, .., last] if rounds.windows(2).all(|w| w[1] == w[0] + 1) => {
            Some(format!("rounds {first} to {last}"))
        }
        [init @ .., last] => Some(format!(
            "rounds {} and {last}",
            init.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_rounds_are_said_once() {
        assert_eq!(rounds_words(&[]), None);
        assert_eq!(rounds_words(&[2]).as_deref(), Some("round 2"));
        assert_eq!(rounds_words(&[2, 3, 4]).as_deref(), Some("rounds 2 to 4"));
        assert_eq!(
            rounds_words(&[2, 5, 7]).as_deref(),
            Some("rounds 2, 5 and 7")
        );
    }
}
