//! `coach check`: every error and warning of one or more routines.

use anyhow::Result;

use super::{Exit, Run, prepare_script, print};
use crate::cli::Check;
use crate::plan::clock;
use crate::routine::{Diagnostic, Report, find, load};
use crate::script;

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
        let routine = match load::parse(&source) {
            Ok(r) => r,
            Err(diagnostics) => {
                let report = Report {
                    source,
                    diagnostics,
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
        let script = match script::build(&routine) {
            Ok(script) => script,
            Err(d) => {
                let report = Report {
                    source,
                    diagnostics: vec![d],
                };
                print(&format!("{report}"))?;
                print(&format!("{}: 1 error\n", report.source.name))?;
                return Ok(true);
            }
        };
        let exercises = routine.exercises.len();
        let prepared = prepare_script(super::Loaded { found, routine }, &script, &self.voice)?;
        let plan = &prepared.plan;
        let warnings: Vec<Diagnostic> = plan
            .adjustments
            .iter()
            .map(|a| {
                let span = a.span.clone().unwrap_or_else(|| {
                    a.place
                        .exercise
                        .and_then(|i| plan.exercises.get(i))
                        .map_or(0..0, |e| e.span.clone())
                });
                Diagnostic::warning(span, plan.adjustment_message(a))
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

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
