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
    let code = match cmd::run(&cli.command) {
        Ok(exit) => exit.code(),
        Err(e) => {
            coach::guard::out::line(&format!("error: {e:#}"));
            Exit::Failure.code()
        }
    };
    // A reader that went away ends the command as a closed pipe does (141)
    // or as a failure (1), never as a panic.
    ExitCode::from(coach::guard::out::gone().unwrap_or(code))
}
