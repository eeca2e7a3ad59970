use std::process::ExitCode;

use clap::Parser;

use coach::cli::Cli;
use coach::cmd::{self, Exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cmd::run(&cli.command) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(Exit::Failure as u8)
        }
    }
}
