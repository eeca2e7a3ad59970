//! `coach play`: a session on a sound device, with controls and progress.
//! Starting and running the session is the player's (`player::session`);
//! this is the command: which routine, where to start, `--resume`, the
//! session log and what is said on the terminal.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};

use super::{
    Exit, Loaded, Run, adjusted_line, load_config, load_found, load_routine, routine_identity,
    shell_quote,
};
use crate::audio::device;
use crate::cli::Play;
use crate::guard::exit::Watchdog;
use crate::plan::Plan;
use crate::player::controls::{self, KEYS};
use crate::player::display::Display;
use crate::player::{Ending, Start, Started, Status};
use crate::routine::Routine;
use crate::routine::find;
use crate::sessions::calendar::local;
use crate::sessions::history::{self, Session as Logged};
use crate::sessions::tracker;
use crate::sessions::{Journal, Tracker, content_hash, log_path, read_log};
use crate::settings::{self, Overrides};
use crate::timeline::time::clock_seconds;
use crate::voice::Cache;

impl Run for Play {
    fn run(&self) -> Result<Exit> {
        let (loaded, resuming) = self.routine_to_play()?;
        let routine = &loaded.routine;
        // How a hint names the routine: as given, else (resumed) as the
        // log does, its file's absolute path or a built-in name.
        let again = self
            .routine
            .clone()
            .unwrap_or_else(|| routine_identity(&loaded.found).0);
        let from = self.start_at(routine, resuming.as_ref())?;
        let config = load_config()?;
        let settings = settings::resolve(&self.overrides(), &config, &routine.language);
        let speaker = settings.speaker(&routine.language);
        // Signals first, so a stop during start-up is clean too.
        let controls::Listening {
            controls,
            sender,
            keys,
        } = controls::listen(!self.quiet)?;
        // The remotes: coach ctl's socket, media keys, input devices, GPIO.
        let remotes = crate::remote::start(
            &sender,
            &routine.title,
            &crate::remote::Options::chosen(self.input.as_deref(), self.gpio.as_deref(), &config),
        )?;
        drop(sender);
        let cache = Cache::new();
        let start = Start {
            routine,
            script: &loaded.script,
            settings: &settings,
            speaker: &speaker,
            cache: &cache,
            from,
        };
        let wanted = device::Wanted {
            choice: settings.output,
            device: settings.device.as_deref(),
            latency: settings.latency,
            deep: !speaker.live_only(),
            role: &settings.role,
            title: &routine.title,
        };
        // Until the session runs, a stop ends the process at once.
        controls::preparing(true, self.quiet);
        let started = start.play(&mut || Ok(device::open_output(&wanted)?));
        controls::preparing(false, self.quiet);
        let Started { plan, mut live } = started?;
        let mut display = Display::new(self.quiet, plan.total_samples);
        display.say(&format!(
            "Playing \"{}\" ({}) on {}",
            plan.title,
            clock_seconds(plan.total_samples),
            live.output_name()
        ));
        if keys.is_some() {
            display.say(KEYS);
        }
        for warning in &remotes.warnings {
            display.say(warning);
        }
        if let Some(line) = adjusted_line(&plan, &again) {
            display.warn(&line);
        }
        if let Some(session) = &resuming {
            display.say(&resume_words(session, routine, from));
        }
        let mut tracker = self.tracker(&loaded, &plan, live.start(), resuming.as_ref());
        // Where the session is, said on request in the session's voice.
        let speak = |text: &str| -> Option<crate::voice::Clip> {
            let clips = speaker.clips(&[text], &cache).ok()?;
            let clip = clips.get(text)?;
            Some(crate::audio::renderer::scaled(clip, settings.volume))
        };
        let status = Status {
            phrases: &routine.phrases,
            speak: &speak,
            streak: self.streak(tracker.is_logging()),
            follow: &|now| remotes.follow(now),
        };
        let ending = live.run(&plan, &controls, &mut display, &mut tracker, &status);
        display.finish();
        let pos = live.position();
        let logged = tracker.is_logging();
        let summary = status.summary(&tracker.tally(plan.total_samples));
        tracker.end(ending.reason(), pos);
        let device = live.output_name();
        // Stopping or closing an output can block inside its library (a
        // sound server without the device): the process ends on time anyway.
        if ending == Ending::Finished {
            // The last sound plays out, at most the output's queue.
            let quiet = self.quiet;
            let said = format!("Session complete. {summary}");
            let watchdog = Watchdog::arm(FINISH_DEADLINE, 0, move || {
                if !quiet {
                    crate::guard::out::line(&said);
                }
            });
            live.close(&ending);
            drop(keys);
            drop(remotes);
            drop(watchdog);
            if !self.quiet {
                crate::guard::out::line(&format!("Session complete. {summary}"));
            }
            return self.ended(ending, &plan, (routine, &again), pos, logged, &device);
        }
        // Said before the output is torn down, so it is said even if that
        // takes the watchdog to end.
        let result = self.ended(
            ending.clone(),
            &plan,
            (routine, &again),
            pos,
            logged,
            &device,
        );
        let (code, words) = match &result {
            Ok(exit) => (exit.code(), None),
            Err(e) => (Exit::Failure.code(), Some(format!("error: {e:#}"))),
        };
        let watchdog = Watchdog::arm(STOP_DEADLINE, code.into(), move || {
            if let Some(words) = words {
                crate::guard::out::line(&words);
            }
        });
        live.close(&ending);
        drop(keys);
        drop(remotes);
        drop(watchdog);
        result
    }
}

/// How long a stopped session's output may take to close before the
/// process ends without it.
const STOP_DEADLINE: Duration = Duration::from_secs(2);
/// How long a finished session's output may take to play out its queue
/// and close.
const FINISH_DEADLINE: Duration = Duration::from_secs(6);

impl Play {
    /// The routine to play, and the logged session it resumes, if any.
    fn routine_to_play(&self) -> Result<(Loaded, Option<Logged>)> {
        if self.resume {
            let (loaded, session) = self.resumed()?;
            return Ok((loaded.with_rounds(self.rounds)?, Some(session)));
        }
        let name = self.routine.as_deref().unwrap_or_default();
        Ok((load_routine(name)?.with_rounds(self.rounds)?, None))
    }

    /// The round and exercise the session starts at: `--from` (and
    /// `--round`), else where a resumed session stopped, else the start.
    fn start_at(
        &self,
        routine: &Routine,
        resuming: Option<&Logged>,
    ) -> Result<Option<(u32, usize)>> {
        let from = match (&self.from, resuming) {
            (Some(name), _) => Some((self.round.unwrap_or(1), find_exercise(routine, name)?)),
            (None, Some(session)) => session
                .stopped_in
                .as_ref()
                .map(|at| (at.round, at.exercise))
                .filter(|(round, ex)| *round <= routine.rounds && *ex < routine.exercises.len()),
            (None, None) => None,
        };
        if let Some((round, _)) = from
            && !(1..=routine.rounds).contains(&round)
        {
            bail!(
                "--round {round}: \"{}\" has {} round{}",
                routine.title,
                routine.rounds,
                if routine.rounds == 1 { "" } else { "s" }
            );
        }
        Ok(from)
    }

    /// What the flags override.
    fn overrides(&self) -> Overrides {
        Overrides {
            output: self.output,
            device: self.device.clone(),
            latency: self.latency,
            role: self.role.clone(),
            ..self.voice.overrides()
        }
    }

    /// The session log's tracker for this session.
    fn tracker<'p>(
        &self,
        loaded: &Loaded,
        plan: &'p Plan,
        start: u64,
        resuming: Option<&Logged>,
    ) -> Tracker<'p> {
        let identity = routine_identity(&loaded.found);
        let hash = content_hash(&loaded.found.source.text);
        Tracker::new(
            self.journal(),
            plan,
            start,
            &tracker::Start {
                title: &loaded.routine.title,
                routine: &identity.0,
                built_in: identity.1,
                hash: &hash,
                resumes: resuming.map(|s| s.id.as_str()),
            },
        )
    }

    /// What is said when the session has ended, and the exit status.
    fn ended(
        &self,
        ending: Ending,
        plan: &Plan,
        (routine, again): (&Routine, &str),
        pos: u64,
        logged: bool,
        device: &str,
    ) -> Result<Exit> {
        let stopped =
            || crate::guard::out::line(&self.stopped_at(plan, (routine, again), pos, logged));
        match ending {
            // Its summary was said as the output closed.
            Ending::Finished => Ok(Exit::Success),
            // Quiet: a stop the user asked for needs no words.
            Ending::Quit => {
                if !self.quiet {
                    stopped();
                }
                Ok(Exit::Stopped)
            }
            Ending::Signal(signal) => {
                if !self.quiet {
                    stopped();
                }
                Ok(Exit::Signal(signal))
            }
            Ending::DeviceLost(reason) => {
                stopped();
                bail!(
                    "the sound device {device} stopped working ({reason}). Was it unplugged or switched off? `coach devices` lists the devices there are and --device picks one; `coach render` writes the session to a file instead."
                )
            }
        }
    }

    /// The days in a row a finished session makes today, from the session
    /// log, when it is kept.
    fn streak(&self, logging: bool) -> Option<u32> {
        if !logging {
            return None;
        }
        let log = log_path()
            .and_then(|p| history::read(&p).ok())
            .unwrap_or_default();
        let today = crate::sessions::calendar::local(crate::sessions::calendar::now_ms()).date;
        Some(history::streak_with_today(&log, today))
    }

    /// The session log, unless --no-log; a log that cannot be opened is
    /// said once and the session plays without it.
    fn journal(&self) -> Journal {
        if self.no_log {
            return Journal::off();
        }
        let Some(path) = log_path() else {
            return Journal::off();
        };
        match Journal::open(&path) {
            Ok(j) => j,
            Err(e) => {
                crate::guard::out::line(&format!(
                    "warning: cannot open the session log {}: {e}; this session goes unlogged",
                    path.display()
                ));
                Journal::off()
            }
        }
    }

    /// The routine and session `--resume` continues.
    fn resumed(&self) -> Result<(Loaded, Logged)> {
        let wanted = match &self.routine {
            Some(name) => Some(routine_identity(&find::find(name)?).0),
            None => None,
        };
        let log = read_log()?;
        let Some(session) = history::resumable(&log, wanted.as_deref()).cloned() else {
            let of = self
                .routine
                .as_deref()
                .map(|r| format!(" of {r}"))
                .unwrap_or_default();
            let played = match &wanted {
                Some(w) => log.sessions.iter().any(|s| &s.routine == w),
                None => !log.sessions.is_empty(),
            };
            if !played {
                bail!(
                    "no session{of} is in the log yet, so there is nothing to resume: {}",
                    match self.routine.as_deref() {
                        Some(r) => format!("start one with `coach play {}`", shell_quote(r)),
                        None => "`coach list` shows the routines to play".into(),
                    }
                );
            }
            bail!(
                "no unfinished session{of} to resume: every session in the log finished or was resumed already (`coach history` lists them)"
            );
        };
        let found = if session.built_in {
            find::built_in(&session.routine).ok_or_else(|| {
                anyhow::anyhow!(
                    "the session of {} played the built-in routine \"{}\", which this version of coach does not have",
                    local(session.started).short(),
                    session.routine
                )
            })?
        } else if session.routine == find::STDIN {
            find::find(find::STDIN).map_err(|e| {
                anyhow::anyhow!(
                    "the session of {} read its routine from standard input; to resume it, pipe the same routine in again (cat routine.toml | coach play --resume): {e}",
                    local(session.started).short()
                )
            })?
        } else {
            find::read_file(Path::new(&session.routine), &session.routine).map_err(|e| {
                anyhow::anyhow!(
                    "cannot resume the session of {}: {e}",
                    local(session.started).short()
                )
            })?
        };
        if content_hash(&found.source.text) != session.hash && session.routine == find::STDIN {
            bail!(
                "the routine on standard input is not the one the session of {} played from it: to resume, pipe that routine in again (cat routine.toml | coach play --resume)",
                local(session.started).short()
            );
        }
        if content_hash(&found.source.text) != session.hash {
            bail!(
                "{} has changed since the session of {} stopped, so its place may not mean the same any more; play it from an exercise with --from{}",
                found.source.name,
                local(session.started).short(),
                session
                    .stopped_in
                    .as_ref()
                    .map(|at| format!(" (it stopped in \"{}\")", at.name))
                    .unwrap_or_default()
            );
        }
        Ok((load_found(found)?, session))
    }

    /// How far a session got, and the command that continues it: `again`
    /// names the routine as `coach play` finds it.
    fn stopped_at(
        &self,
        plan: &Plan,
        (routine, again): (&Routine, &str),
        pos: u64,
        logged: bool,
    ) -> String {
        let routine_arg = shell_quote(again);
        let played = format!(
            "Stopped at {} of {}",
            clock_seconds(pos),
            clock_seconds(plan.total_samples)
        );
        // Standard input is read again: the routine has to come again.
        let piped = if again == find::STDIN {
            ", with the routine piped in again"
        } else {
            ""
        };
        let Some(at) = plan.exercise_at(pos) else {
            return format!("{played}. To start again: coach play {routine_arg}{piped}");
        };
        let name = &routine.exercises[at.exercise].name;
        let unique = routine.exercises.iter().filter(|e| &e.name == name).count() == 1;
        let from = if unique {
            shell_quote(name)
        } else {
            (at.exercise + 1).to_string()
        };
        // As played: with the rounds it was given.
        let rounds = self
            .rounds
            .map(|r| format!(" --rounds {r}"))
            .unwrap_or_default();
        let round = if routine.rounds > 1 {
            format!("{rounds} --round {}", at.round)
        } else {
            rounds.clone()
        };
        let in_round = if routine.rounds > 1 {
            format!(" (round {} of {})", at.round, routine.rounds)
        } else {
            String::new()
        };
        if logged {
            format!(
                "{played}, in {name}{in_round}. To continue from there: coach play --resume{rounds} (or coach play {routine_arg} --from {from}{round}){piped}"
            )
        } else {
            format!(
                "{played}, in {name}{in_round}. To continue from there: coach play {routine_arg} --from {from}{round}{piped}"
            )
        }
    }
}

/// "Resuming ... where the session of ... stopped."
fn resume_words(session: &Logged, routine: &Routine, from: Option<(u32, usize)>) -> String {
    let when = local(session.started).short();
    match from {
        Some((round, ex)) => {
            let in_round = if routine.rounds > 1 {
                format!(" (round {round})")
            } else {
                String::new()
            };
            format!(
                "Resuming at {}{in_round}, where the session of {when} stopped.",
                routine.exercises[ex].name
            )
        }
        None => format!("Resuming: the session of {when} stopped before its first exercise."),
    }
}

/// The exercise `--from` names: by name (any case) or by number from 1.
fn find_exercise(routine: &Routine, wanted: &str) -> Result<usize> {
    if let Ok(n) = wanted.trim().parse::<usize>() {
        if (1..=routine.exercises.len()).contains(&n) {
            return Ok(n - 1);
        }
        bail!(
            "--from {n}: \"{}\" has exercises 1 to {}",
            routine.title,
            routine.exercises.len()
        );
    }
    if let Some(i) = routine
        .exercises
        .iter()
        .position(|e| e.name.eq_ignore_ascii_case(wanted.trim()))
    {
        return Ok(i);
    }
    let names: Vec<&str> = routine.exercises.iter().map(|e| e.name.as_str()).collect();
    let hint = crate::source::diag::suggest(wanted, names.iter().copied())
        .map(|s| format!(" (did you mean \"{s}\"?)"))
        .unwrap_or_default();
    bail!(
        "--from: \"{}\" has no exercise \"{wanted}\"{hint}; its exercises are {}",
        routine.title,
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
