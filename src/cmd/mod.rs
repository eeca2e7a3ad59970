//! One file per subcommand; the only place that wires loading, voices,
//! layout and output together.

mod check;
mod devices;
mod list;
mod play;
mod render;
mod show;

use std::io::Write as _;

use anyhow::{Result, bail};

use crate::cli::{Command, VoiceArgs};
use crate::plan::{self, Plan};
use crate::routine::{Report, Routine, find, load};
use crate::script::{self, Script};
use crate::voice::{self, Cache, Clips, Espeak, espeak};

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
        Command::Devices(c) => c.run(),
        Command::Render(c) => c.run(),
        Command::Show(c) => c.run(),
        Command::Check(c) => c.run(),
        Command::List(c) => c.run(),
    }
}

/// Writes to stdout. A closed pipe (`coach show x | head`) is not an error.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// A routine found and checked.
pub struct Loaded {
    pub found: find::Found,
    pub routine: Routine,
}

/// Finds and parses a routine. Its errors are printed to stderr, with the
/// lines they are on.
pub fn load_routine(name: &str) -> Result<Loaded> {
    let found = find::find(name)?;
    match load::parse(&found.source) {
        Ok(routine) => Ok(Loaded { found, routine }),
        Err(diagnostics) => {
            let report = Report {
                source: found.source.clone(),
                diagnostics,
            };
            eprint!("{report}");
            bail!(
                "{} has {} error{}; fix {} and try again (`coach check` lists {})",
                report.source.name,
                report.errors(),
                if report.errors() == 1 { "" } else { "s" },
                if report.errors() == 1 { "it" } else { "them" },
                if report.errors() == 1 {
                    "it"
                } else {
                    "them all"
                },
            )
        }
    }
}

/// The voice a routine is spoken in.
pub fn voice_for(routine: &Routine, args: &VoiceArgs) -> Espeak {
    let name = args
        .voice
        .clone()
        .unwrap_or_else(|| espeak::voice_for_language(&routine.language));
    Espeak::new(&name, args.speed.unwrap_or(espeak::DEFAULT_SPEED))
}

/// Everything needed to hear a routine: its script, its speech and its plan.
pub struct Prepared {
    pub loaded: Loaded,
    pub clips: Clips,
    pub plan: Plan,
}

/// Scripts a loaded routine, prepares its speech and lays it out.
pub fn prepare(loaded: Loaded, args: &VoiceArgs) -> Result<Prepared> {
    let script = script::build(&loaded.routine)
        .map_err(|d| anyhow::anyhow!("{}", loaded.found.source.headline(&d)))?;
    prepare_script(loaded, &script, args)
}

/// Prepares the speech of a script and lays it out.
pub fn prepare_script(loaded: Loaded, script: &Script, args: &VoiceArgs) -> Result<Prepared> {
    let voice = voice_for(&loaded.routine, args);
    let clips = voice::prepare(&voice, &script.texts(), &Cache::new())?;
    let plan = plan::layout(script, &|text| clips.len_of(text));
    Ok(Prepared {
        loaded,
        clips,
        plan,
    })
}
