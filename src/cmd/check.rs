//! `coach check`: every error and warning of one or more routines.

use anyhow::Result;

use super::{Exit, Loaded, Run, count, prepare, print, print_data};
use crate::cli::Check;
use crate::pipeline::{self, Scripted};
use crate::plan::{Adjustment, Plan};
use crate::routine::find;
use crate::source::{Diagnostic, Report, Severity, SourceFile, Span};
use crate::timeline::Place;
use crate::timeline::time::clock;

impl Run for Check {
    fn run(&self) -> Result<Exit> {
        let mut failed = false;
        for name in &self.routines {
            // A folder: every routine in it.
            let path = std::path::Path::new(name);
            if path.is_dir() {
                let files = find::routine_files(path);
                if files.is_empty() {
                    anyhow::bail!("{name} is a folder with no .toml files in it");
                }
                for (_, file) in files {
                    failed |= self.check_one(&file.display().to_string())?;
                }
            } else {
                failed |= self.check_one(name)?;
            }
        }
        Ok(if failed { Exit::Failure } else { Exit::Success })
    }
}

/// One diagnostic as `check --json` prints it, a line each (as cargo's
/// `--message-format json` does).
fn json_line(source: &SourceFile, d: &Diagnostic) -> String {
    let (line, column) = source.line_col(d.span.start);
    let (end_line, end_column) = source.line_col(d.span.end.max(d.span.start));
    let hint = d
        .message
        .rfind(" (did you mean ")
        .map(|at| d.message[at + 2..].trim_end_matches(')').to_string());
    serde_json::json!({
        "reason": "diagnostic",
        "file": source.name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "severity": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": d.message,
        "hint": hint,
    })
    .to_string()
}

impl Check {
    /// Prints `diagnostics` of `source`: as text, or as JSON lines with
    /// a last line for the file (`reason` "checked") holding the counts
    /// and, for a file that plays, `summary`.
    fn report(
        &self,
        source: SourceFile,
        diagnostics: Vec<Diagnostic>,
        summary: Option<(usize, u64)>,
    ) -> Result<()> {
        if self.json {
            let mut out = String::new();
            for d in &diagnostics {
                out.push_str(&json_line(&source, d));
                out.push('\n');
            }
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let line = serde_json::json!({
                "reason": "checked",
                "file": source.name,
                "errors": errors,
                "warnings": diagnostics.len() - errors,
                "exercises": summary.map(|s| s.0),
                "seconds": summary.map(|s| s.1 as f64 / crate::SAMPLE_RATE as f64),
            });
            out.push_str(&line.to_string());
            out.push('\n');
            return print_data(&out);
        }
        let report = Report {
            source,
            diagnostics,
        };
        print(&format!("{report}"))?;
        let said = match summary {
            None => count(report.errors(), "error"),
            Some((exercises, samples)) => format!(
                "{} ({}, {} long)",
                if report.warnings() == 0 {
                    "ok".to_string()
                } else {
                    count(report.warnings(), "warning")
                },
                count(exercises, "exercise"),
                clock(samples)
            ),
        };
        print(&format!("{}: {said}\n", report.source.name))
    }
}

impl Check {
    /// Checks one routine and prints what it found; true if it fails.
    fn check_one(&self, name: &str) -> Result<bool> {
        let found = match find::find(name) {
            Ok(found) => found,
            Err(e) if self.json => {
                let (line, column) = e.at.unwrap_or((0, 0));
                let text = serde_json::json!({
                    "reason": "diagnostic",
                    "file": e.file.clone().unwrap_or_else(|| name.to_string()),
                    "line": line,
                    "column": column,
                    "end_line": line,
                    "end_column": column,
                    "severity": "error",
                    "message": e.message,
                    "hint": null,
                });
                print_data(&format!("{text}\n"))?;
                return Ok(true);
            }
            Err(e) => {
                print(&format!("{}\n", e.headline()))?;
                return Ok(true);
            }
        };
        let source = found.source.clone();
        let (routine, script) = match pipeline::script(&source) {
            Ok(Scripted { routine, script }) => (routine, script),
            Err(refused) => {
                self.report(source, refused.diagnostics().to_vec(), None)?;
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
        let warned = !warnings.is_empty();
        self.report(source, warnings, Some((exercises, plan.total_samples)))?;
        Ok(self.strict && warned)
    }
}

/// The plan's adjustments with those that repeat round after round (the
/// same sound, moved the same way for the same reason at the same place
/// of a later round) folded into the first: each with the later rounds.
pub(crate) fn grouped(plan: &Plan) -> Vec<(&Adjustment, Vec<u32>)> {
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
