//! One file per subcommand; the only place that wires loading, voices,
//! layout and output together.

mod check;
mod completions;
mod config;
mod ctl;
mod devices;
mod doctor;
mod history;
mod list;
mod new;
mod play;
mod render;
mod schedule;
mod schema;
mod serve;
mod show;
mod voices;

use anyhow::{Result, bail};

use crate::cli::{Command, VoiceArgs};
use crate::config::{Config, ConfigError};
use crate::pipeline::{self, Refused, Scripted};
use crate::plan::Plan;
use crate::routine::{Routine, find};
use crate::script::Script;
use crate::settings::{self, Settings};
use crate::source::Report;
use crate::voice::{Cache, Clips};

/// How a command ended, as the process exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0.
    Success,
    /// 1: something failed; its message has been printed.
    Failure,
    /// 2: the command line was wrong.
    Usage,
    /// 3: a session was stopped with `q` before its end.
    Stopped,
    /// 128 + the signal that stopped a session (130 for SIGINT, 143 for
    /// SIGTERM), as shells expect.
    Signal(i32),
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Stopped => 3,
            Exit::Signal(s) => (128 + s).clamp(0, 255) as u8,
        }
    }
}

/// A subcommand.
pub trait Run {
    fn run(&self) -> Result<Exit>;
}

pub fn run(command: &Command) -> Result<Exit> {
    match command {
        Command::Play(c) => c.run(),
        Command::Ctl(c) => c.run(),
        Command::Devices(c) => c.run(),
        Command::Voices(c) => c.run(),
        Command::Config(c) => c.run(),
        Command::Render(c) => c.run(),
        Command::Show(c) => c.run(),
        Command::Check(c) => c.run(),
        Command::List(c) => c.run(),
        Command::History(c) => c.run(),
        Command::New(c) => c.run(),
        Command::Schema(c) => c.run(),
        Command::Completions(c) => c.run(),
        Command::Man(c) => c.run(),
        Command::Doctor(c) => c.run(),
        Command::Schedule(c) => c.run(),
        Command::Serve(c) => c.run(),
    }
}

/// Writes to stdout. A reader that went away (`coach show x | head`) is
/// not an error: the command goes on, and ends with the status
/// [`crate::guard::out::gone`] gives.
pub fn print(text: &str) -> Result<()> {
    crate::guard::out::stdout(text);
    Ok(())
}

/// Writes data for a program (JSON, a schema) to stdout as it is, as
/// [`print`] does otherwise.
pub fn print_data(text: &str) -> Result<()> {
    crate::guard::out::stdout_raw(text);
    Ok(())
}

/// Prints `value` as pretty JSON with a final line end.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print_data(&text)
}

/// A routine found, checked and scripted.
pub struct Loaded {
    pub found: find::Found,
    pub routine: Routine,
    pub script: Script,
}

/// Finds and scripts a routine. Its errors are printed to stderr, with the
/// lines they are on.
pub fn load_routine(name: &str) -> Result<Loaded> {
    load_found(find::find(name)?)
}

impl Loaded {
    /// The routine gone through `rounds` times (`--rounds`), if given.
    pub fn with_rounds(mut self, rounds: Option<u32>) -> Result<Loaded> {
        let Some(rounds) = rounds.filter(|r| *r != self.routine.rounds) else {
            return Ok(self);
        };
        self.routine.rounds = rounds;
        self.script = match crate::script::build(&self.routine) {
            Ok(script) => script,
            Err(d) => bail!("--rounds {rounds}: {}", self.found.source.headline(&d)),
        };
        Ok(self)
    }
}

/// Scripts a routine found already. Its errors are printed as
/// [`load_routine`]'s are.
pub fn load_found(found: find::Found) -> Result<Loaded> {
    match pipeline::script(&found.source) {
        Ok(Scripted { routine, script }) => Ok(Loaded {
            found,
            routine,
            script,
        }),
        Err(Refused::Script(_, d)) => bail!("{}", found.source.headline(&d)),
        Err(Refused::Load(diagnostics)) => {
            let report = Report {
                source: found.source.clone(),
                diagnostics,
            };
            crate::guard::out::stderr(&report.to_string());
            let n = report.errors();
            bail!(
                "{} has {}; fix {} and try again (`coach check` lists {})",
                report.source.name,
                count(n, "error"),
                if n == 1 { "it" } else { "them" },
                if n == 1 { "it" } else { "them all" },
            )
        }
    }
}

/// "1 error", "3 warnings".
pub fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The user's config file. Its errors are printed to stderr with the lines
/// they are on.
pub fn load_config() -> Result<Config> {
    match crate::config::load() {
        Ok(c) => Ok(c),
        Err(e) => {
            if let ConfigError::Invalid(report) = &e {
                crate::guard::out::stderr(&report.to_string());
            }
            bail!("{e}")
        }
    }
}

/// Everything needed to hear a routine: its speech and its plan.
pub struct Prepared {
    pub loaded: Loaded,
    pub settings: Settings,
    pub clips: Clips,
    pub plan: Plan,
}

/// Prepares the speech of a loaded routine with the voice the flags and
/// the config choose, and lays it out.
pub fn prepare(loaded: Loaded, args: &VoiceArgs) -> Result<Prepared> {
    let config = load_config()?;
    let language = &loaded.routine.language;
    let settings = settings::resolve(&args.overrides(), &config, language);
    let speaker = settings.speaker(language);
    let clips = match speaker.clips(&loaded.script.texts(), &Cache::new()) {
        Ok(clips) => clips,
        // The voice came from the routine's language: say where that is.
        Err(crate::voice::VoiceError::UnknownVoice(message))
            if args.speech.voice.is_none() && config.voice.is_none() =>
        {
            match &loaded.routine.language_span {
                Some(span) => {
                    let source = &loaded.found.source;
                    let at = crate::source::Diagnostic::error(span.clone(), message);
                    crate::guard::out::line(&source.render(&at));
                    bail!(
                        "{} cannot be spoken in its language; pick a voice with --voice (`coach voices` lists them)",
                        source.name
                    )
                }
                None => bail!("{message}"),
            }
        }
        Err(e) => return Err(e.into()),
    };
    let plan = pipeline::lay_out(&loaded.script, &clips, settings.tones);
    Ok(Prepared {
        loaded,
        settings,
        clips,
        plan,
    })
}

/// Rows as columns padded to their widest cell; the last column is not
/// padded. `right` lists the columns aligned to the right.
pub fn table(rows: &[Vec<String>], right: &[usize]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = widths[c].saturating_sub(cell.chars().count());
            if c + 1 == row.len() {
                line.push_str(cell);
            } else if right.contains(&c) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// How the log names a routine, and what a later `coach play` is given
/// for it (a schedule, `coach serve`): its file's absolute path, or a
/// built-in routine's name (and true); `-` for stdin.
pub fn routine_identity(found: &find::Found) -> (String, bool) {
    match &found.origin {
        find::Origin::BuiltIn => (found.name.clone(), true),
        // Read again from stdin to resume, and checked as a file is.
        find::Origin::Stdin => (find::STDIN.to_string(), false),
        find::Origin::File(path) => (
            std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            false,
        ),
    }
}

/// `text` as one shell word.
pub(crate) fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:+@%".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The line `play` and `render` give when sounds of the session had to be
/// moved or dropped to keep clear of others, counted as `check` lists
/// them (a collision repeated in every round once); `routine` names the
/// routine for the `coach check` that lists them.
pub fn adjusted_line(plan: &crate::plan::Plan, routine: &str) -> Option<String> {
    let groups = check::grouped(plan);
    if groups.is_empty() {
        return None;
    }
    let moved = groups.iter().filter(|(a, _)| a.moved_to.is_some()).count();
    let dropped = groups.len() - moved;
    let was = |n: usize| if n == 1 { "was" } else { "were" };
    let what = match (moved, dropped) {
        (m, 0) => format!("{} {} moved", count(m, "sound"), was(m)),
        (0, d) => format!("{} {} dropped", count(d, "sound"), was(d)),
        (m, d) => format!("{} {} moved and {d} dropped", count(m, "sound"), was(m)),
    };
    Some(format!(
        "warning: {what} to keep clear of other sounds; `coach check {}` lists them",
        crate::guard::shown(&shell_quote(routine))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("hamstring-lower-back"), "hamstring-lower-back");
        assert_eq!(shell_quote("Cat-cow"), "Cat-cow");
        assert_eq!(shell_quote("Child's pose"), "'Child'\\''s pose'");
        assert_eq!(shell_quote("my routine.toml"), "'my routine.toml'");
    }

    #[test]
    fn tables_pad_every_column_but_the_last() {
        let rows = vec![
            vec!["NAME".to_string(), "LENGTH".into(), "TITLE".into()],
            vec!["a".to_string(), "7:02".into(), "Stretch".into()],
            vec!["longer".to_string(), "10:00".into(), "x".into()],
        ];
        assert_eq!(
            table(&rows, &[1]),
            "NAME    LENGTH  TITLE\na         7:02  Stretch\nlonger   10:00  x\n"
        );
    }
}
