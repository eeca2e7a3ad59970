//! `coach completions` and `coach man`: shell completions and manual
//! pages, made from the clap definition in `cli.rs`.

use anyhow::{Result, bail};
use clap::CommandFactory as _;

use super::{Exit, Run, print_data};
use crate::cli::{Cli, Completions, Man};

impl Run for Completions {
    fn run(&self) -> Result<Exit> {
        use clap_complete::Shell;
        let shell = match self.shell.as_str() {
            "bash" => Shell::Bash,
            "zsh" => Shell::Zsh,
            _ => Shell::Fish,
        };
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "coach", &mut out);
        print_data(&String::from_utf8_lossy(&out))?;
        Ok(Exit::Success)
    }
}

/// The names `coach man` takes: every command but itself.
pub fn man_pages() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect()
}

impl Run for Man {
    fn run(&self) -> Result<Exit> {
        if self.list {
            print_data(&(man_pages().join("\n") + "\n"))?;
            return Ok(Exit::Success);
        }
        let top = Cli::command();
        let page = match &self.command {
            None => top,
            Some(name) => {
                let Some(sub) = top.find_subcommand(name) else {
                    bail!(
                        "coach has no command \"{}\"; its pages are coach and {}",
                        crate::guard::text::shown(name),
                        man_pages().join(", ")
                    );
                };
                // Named as man names it: coach-play(1).
                let full = format!("coach-{name}");
                sub.clone().name(full).bin_name(format!("coach {name}"))
            }
        };
        let mut out = Vec::new();
        clap_mangen::Man::new(page).render(&mut out)?;
        print_data(&String::from_utf8_lossy(&out))?;
        Ok(Exit::Success)
    }
}
