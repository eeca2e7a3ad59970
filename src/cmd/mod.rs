//! One file per subcommand; the only place that wires loading, voices,
//! layout and output together.

mod check;
mod config;
mod devices;
mod history;
mod list;
mod new;
mod play;
mod render;
mod schema;
mod show;
mod voices;

use std::io::Write as _;

use anyhow::{Result, bail};

use crate::audio::Mix;
use crate::cli::{Command, VoiceArgs};
use crate::config::{Config, ConfigError};
use crate::plan::{self, Plan};
use crate::routine::{Report, Routine, find, load};
use crate::script::{self, Script};
use crate::settings::{self, Settings, VoiceChoice};
use crate::voice::command::CommandEngine;
use crate::voice::{self, Cache, Clips, Espeak, Voice};

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
        Command::Voices(c) => c.run(),
        Command::Config(c) => c.run(),
        Command::Render(c) => c.run(),
        Command::Show(c) => c.run(),
        Command::Check(c) => c.run(),
        Command::List(c) => c.run(),
        Command::History(c) => c.run(),
        Command::New(c) => c.run(),
        Command::Schema(c) => c.run(),
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
    load_found(find::find(name)?)
}

/// Parses a routine found already. Its errors are printed as
/// [`load_routine`]'s are.
pub fn load_found(found: find::Found) -> Result<Loaded> {
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

/// The user's config file. Its errors are printed to stderr with the lines
/// they are on.
pub fn load_config() -> Result<Config> {
    match crate::config::load() {
        Ok(c) => Ok(c),
        Err(e) => {
            if let ConfigError::Invalid(report) = &e {
                eprint!("{report}");
            }
            bail!("{e}")
        }
    }
}

/// The engine that speaks clips for `settings`.
pub fn engine(settings: &Settings) -> Result<Box<dyn Voice>> {
    Ok(match &settings.voice {
        VoiceChoice::Espeak(name) => {
            let mut e = Espeak::new(name, settings.speed);
            e.pitch = settings.pitch;
            Box::new(e)
        }
        VoiceChoice::Command(voice) => Box::new(CommandEngine {
            voice: voice.clone(),
            speed: settings.speed,
            pitch: settings.pitch,
        }),
        VoiceChoice::System => bail!(
            "the system voice speaks live only and gives no audio to work with here; use it with `coach play`, or pick another voice with --voice (`coach voices` lists them)"
        ),
    })
}

/// Everything needed to hear a routine: its speech, its plan and how it is
/// mixed.
pub struct Prepared {
    pub loaded: Loaded,
    pub settings: Settings,
    pub clips: Clips,
    pub plan: Plan,
}

impl Prepared {
    pub fn mix(&self) -> Mix {
        mix(&self.settings)
    }
}

/// How `settings` mixes a session.
pub fn mix(settings: &Settings) -> Mix {
    Mix {
        speech: settings.volume,
        tones: settings.tone_volume,
        style: settings.tones,
    }
}

/// The plan of `script` with these clips and tones.
pub fn laid_out(script: &Script, clips: &Clips, settings: &Settings) -> Plan {
    let mut plan = plan::layout(script, &|t| clips.len_of(t));
    plan.tones = settings.tones;
    plan
}

/// Scripts a loaded routine, prepares its speech and lays it out.
pub fn prepare(loaded: Loaded, args: &VoiceArgs) -> Result<Prepared> {
    let script = script::build(&loaded.routine)
        .map_err(|d| anyhow::anyhow!("{}", loaded.found.source.headline(&d)))?;
    prepare_script(loaded, &script, args)
}

/// Prepares the speech of a script and lays it out.
pub fn prepare_script(loaded: Loaded, script: &Script, args: &VoiceArgs) -> Result<Prepared> {
    let config = load_config()?;
    let settings = settings::resolve(args, &config, &loaded.routine.language);
    let clips = match settings.voice {
        // Lengths the system voice will take are only estimates.
        VoiceChoice::System => voice::system::estimated_clips(&script.texts(), settings.speed),
        _ => voice::prepare(engine(&settings)?.as_ref(), &script.texts(), &Cache::new())?,
    };
    let mut plan = laid_out(script, &clips, &settings);
    plan.speech_estimated = settings.voice == VoiceChoice::System;
    Ok(Prepared {
        loaded,
        settings,
        clips,
        plan,
    })
}
