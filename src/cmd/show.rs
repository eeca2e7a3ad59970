//! `coach show`: the cue sheet, as a table or JSON.

use anyhow::Result;

use super::{Exit, Run, load_routine, prepare, print, print_data};
use crate::cli::Show;

impl Run for Show {
    fn run(&self) -> Result<Exit> {
        let prepared = prepare(load_routine(&self.routine)?, &self.voice)?;
        let plan = &prepared.plan;
        if self.json {
            let mut text = serde_json::to_string_pretty(&plan.to_json())?;
            text.push('\n');
            print_data(&text)?;
        } else {
            print(&plan.to_text())?;
        }
        Ok(Exit::Success)
    }
}
