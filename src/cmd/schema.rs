//! `coach schema`: the JSON Schema of the routine format, for editors.

use anyhow::Result;

use super::{Exit, Run, print_data};
use crate::cli::Schema;

/// The schema as pretty JSON with a final line end.
pub fn text() -> Result<String> {
    let mut text = serde_json::to_string_pretty(&crate::routine::keys::schema())?;
    text.push('\n');
    Ok(text)
}

impl Run for Schema {
    fn run(&self) -> Result<Exit> {
        print_data(&text()?)?;
        Ok(Exit::Success)
    }
}
