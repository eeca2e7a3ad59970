//! `coach config path` and `coach config init`.

use anyhow::{Context, Result, bail};

use super::{Exit, Run, print};
use crate::cli::ConfigCommand;
use crate::config;

impl Run for ConfigCommand {
    fn run(&self) -> Result<Exit> {
        let path = config::path().context("this system has no config folder for coach")?;
        match self {
            ConfigCommand::Path => print(&format!("{}\n", path.display()))?,
            ConfigCommand::Init => {
                if path.exists() {
                    bail!(
                        "{} already exists; coach never overwrites it (edit it, or move it away and run this again)",
                        path.display()
                    );
                }
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                std::fs::write(&path, config::template())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                crate::guard::out::line(&format!(
                    "wrote {}: every setting is explained there",
                    path.display()
                ));
            }
        }
        Ok(Exit::Success)
    }
}
