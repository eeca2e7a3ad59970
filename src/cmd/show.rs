//! `coach show`: the cue sheet, as a table or JSON.

use std::io::IsTerminal as _;

use anyhow::Result;

use super::{Exit, Run, load_routine, prepare, print, print_data};
use crate::cli::Show;

impl Run for Show {
    fn run(&self) -> Result<Exit> {
        let prepared = prepare(
            load_routine(&self.routine)?.with_rounds(self.rounds)?,
            &self.voice,
        )?;
        let plan = &prepared.plan;
        if self.json {
            let mut text = serde_json::to_string_pretty(&plan.to_json())?;
            text.push('\n');
            print_data(&text)?;
        } else {
            // Whole texts when piped, with --wide, or on a terminal wide
            // enough; else cut to fit beside the other columns.
            let width = if self.wide || !std::io::stdout().is_terminal() {
                None
            } else {
                crate::guard::text::columns(libc::STDOUT_FILENO)
                    .map(|c| c.saturating_sub(OTHER_COLUMNS).max(42))
            };
            print(&plan.to_text(width))?;
        }
        Ok(Exit::Success)
    }
}

/// What the cue sheet's other columns take beside the text: time, period
/// and the place, as wide as they usually are.
const OTHER_COLUMNS: usize = 10 + 2 + 10 + 2 + 2 + 2 + 30;
