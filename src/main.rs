use std::process::ExitCode;

use clap::Parser;

use coach::cli::Cli;
use coach::cmd::{self, Exit};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Exit::Usage.code()
            } else {
                Exit::Success.code()
            });
        }
    };
    match cmd::run(&cli.command) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(Exit::Failure.code())
        }
    }
}
