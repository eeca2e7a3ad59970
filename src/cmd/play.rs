//! `coach play`: a session on a sound device, with controls and progress.

use std::sync::{Arc, mpsc};

use anyhow::{Context, Result, bail};

use super::history::read_log;
use super::{Exit, Run, engine, laid_out, load_config, load_routine, mix};
use crate::SAMPLE_RATE;
use crate::audio::session::scaled;
use crate::audio::{Mix, Session, device};
use crate::cli::Play;
use crate::plan::{Plan, SPEECH_GAP, clock_seconds};
use crate::player::controls::{self, KeyMode};
use crate::player::display::Display;
use crate::player::live::{Handoff, LiveSource, Overlays, Shared};
use crate::player::speech::SpeechDriver;
use crate::player::{self, Ending};
use crate::routine::find::{self, Origin};
use crate::routine::{PhraseKey, Routine, Values};
use crate::script::{self, Script, Step};
use crate::sessions::calendar::local;
use crate::sessions::history::{self, Session as Logged};
use crate::sessions::journal::{self, Journal, Tracker};
use crate::sessions::{Reason, content_hash, log_path};
use crate::settings::{self, VoiceChoice};
use crate::voice::system::{SystemVoice, estimated_clips};
use crate::voice::{self, Cache, Clip, Clips};
use std::path::Path;

/// A session laid out and playing: its plan, the device and player, the
/// live source's shared state, and the sample it started at.
type Started = (Plan, device::Output, rodio::Player, Arc<Shared>, u64);

/// The count-in before a paused session continues.
const COUNT_IN: [&str; 3] = ["3", "2", "1"];

impl Run for Play {
    fn run(&self) -> Result<Exit> {
        let (loaded, resuming) = if self.resume {
            let (loaded, session) = self.resumed()?;
            (loaded, Some(session))
        } else {
            let name = self.routine.as_deref().unwrap_or_default();
            (load_routine(name)?, None)
        };
        let routine = &loaded.routine;
        let script = script::build(routine)
            .map_err(|d| anyhow::anyhow!("{}", loaded.found.source.headline(&d)))?;
        let from = match (&self.from, &resuming) {
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

        let config = load_config()?;
        let settings = settings::resolve(&self.voice, &config, &routine.language);
        let mix = mix(&settings);
        let device = self.device.clone().or(config.device.clone());
        let latency = self
            .latency
            .or(config.latency)
            .unwrap_or(device::DEFAULT_PERIOD_MS);
        let cache = Cache::new();
        let values = Values {
            title: &routine.title,
            ..Values::default()
        };
        let paused = routine.phrases.fill(PhraseKey::Paused, &values);
        let resumed = routine.phrases.fill(PhraseKey::Resumed, &values);
        let first = first_text(&script, from);
        // Everything the first seconds need: the first words and the pause
        // and resume overlays.
        let mut early: Vec<&str> = vec![first, &paused, &resumed];
        early.extend(COUNT_IN);
        let mut texts = script.texts();
        texts.extend(early.iter().copied());

        // Signals first, so a stop during start-up is clean too.
        let (tx, commands) = mpsc::channel();
        controls::watch_signals(tx.clone()).context("cannot watch for signals")?;
        let keys = if self.quiet { None } else { KeyMode::enter() };
        if keys.is_some() {
            controls::watch_keys(tx);
        }

        // The device is opened only when the first sound is ready, so that
        // nothing but that sound fills its buffer.
        let start_playing = |source: LiveSource| -> Result<(device::Output, rodio::Player)> {
            let output = device::open(device.as_deref(), latency)?;
            let player = rodio::Player::connect_new(output.sink.mixer());
            player.append(source);
            Ok((output, player))
        };
        // With every clip known: lay the session out and start it at the
        // first sound or the exercise asked for.
        let lay_out_and_play = |clips: &Clips| -> Result<Started> {
            let plan = laid_out(&script, clips, &settings);
            let start = start_sample(&plan, from);
            let session = Session::new(&plan, clips, &mix)?;
            let (source, shared) =
                LiveSource::new(session, start, overlays(clips, &paused, &resumed, &mix));
            let (output, player) = start_playing(source)?;
            Ok((plan, output, player, shared, start))
        };
        let (plan, output, player, shared, mut speech, start) =
            if settings.voice == VoiceChoice::System {
                // The system voice speaks for itself: check that it answers
                // before anything plays, then lay the session out with
                // estimated lengths and let the driver say each text.
                let voice = SystemVoice::start(
                    settings.speed,
                    settings.pitch,
                    settings.volume,
                    &routine.language,
                )?;
                let clips = estimated_clips(&texts, settings.speed);
                let (plan, output, player, shared, start) = lay_out_and_play(&clips)?;
                let ahead = 2 * latency as u64 * SAMPLE_RATE as u64 / 1000;
                let count_from = clips.len_of(&resumed) + SPEECH_GAP;
                let mut driver = SpeechDriver::new(
                    voice,
                    &plan,
                    settings.speed,
                    ahead,
                    paused.clone(),
                    resumed.clone(),
                    count_from,
                );
                driver.seek(&shared, start);
                (plan, output, player, shared, Some(driver), start)
            } else {
                let voice = engine(&settings)?;
                let warm = texts.iter().all(|t| cache.contains(&voice.id(), t));
                if warm {
                    let clips = voice::prepare(voice.as_ref(), &texts, &cache)?;
                    let (plan, output, player, shared, start) = lay_out_and_play(&clips)?;
                    (plan, output, player, shared, None, start)
                } else {
                    // Cold: speak the first words as soon as they exist, and lay
                    // out the rest while they are heard.
                    let first_clips = voice::prepare(voice.as_ref(), &early, &cache)?;
                    let first_clip = first_clips.get(first).cloned().expect("prepared");
                    let (source, shared) = LiveSource::prelude(
                        first_clip,
                        overlays(&first_clips, &paused, &resumed, &mix),
                    );
                    let (output, player) = start_playing(source)?;
                    let clips = voice::prepare(voice.as_ref(), &texts, &cache)?;
                    let plan = laid_out(&script, &clips, &settings);
                    let start = start_sample(&plan, from);
                    let next = plan
                        .events
                        .iter()
                        .find(|e| e.start > start)
                        .map_or(plan.total_samples, |e| e.start);
                    shared.hand_over(Handoff {
                        session: Session::new(&plan, &clips, &mix)?,
                        first: start,
                        next,
                    });
                    (plan, output, player, shared, None, start)
                }
            };

        let mut display = Display::new(self.quiet, plan.total_samples);
        display.say(&format!(
            "Playing \"{}\" ({}) on {}",
            plan.title,
            clock_seconds(plan.total_samples),
            output.name
        ));
        if keys.is_some() {
            display.say(controls::KEYS);
        }
        if let Some(session) = &resuming {
            display.say(&resume_words(session, routine, from));
        }
        let journal = self.journal();
        let identity = routine_identity(&loaded.found);
        let hash = content_hash(&loaded.found.source.text);
        let mut tracker = Tracker::new(
            journal,
            &plan,
            start,
            &journal::Start {
                title: &routine.title,
                routine: &identity.0,
                built_in: identity.1,
                hash: &hash,
                resumes: resuming.as_ref().map(|s| s.id.as_str()),
            },
        );
        let ending = player::run(
            &shared,
            &|| output.error(),
            &plan,
            &commands,
            &mut display,
            speech.as_mut(),
            &mut tracker,
        );
        display.finish();
        if ending != Ending::Finished
            && let Some(s) = &speech
        {
            s.stop();
        }
        let pos = shared.position();
        let logged = tracker.is_logging();
        tracker.end(
            match &ending {
                Ending::Finished => Reason::Finished,
                Ending::Quit => Reason::Quit,
                Ending::Signal(_) => Reason::Signal,
                Ending::DeviceLost(_) => Reason::DeviceLost,
            },
            pos,
        );
        match ending {
            Ending::Finished => {
                // The session ends with a second of silence, so the last
                // sound has been heard once the device holds only that.
                player.sleep_until_end();
                drop(keys);
                if !self.quiet {
                    eprintln!("Session complete.");
                }
                Ok(Exit::Success)
            }
            Ending::Quit => {
                player.stop();
                drop(keys);
                eprintln!("{}", self.stopped_at(&plan, routine, pos, logged));
                Ok(Exit::Stopped)
            }
            Ending::Signal(signal) => {
                player.stop();
                drop(keys);
                eprintln!("{}", self.stopped_at(&plan, routine, pos, logged));
                Ok(Exit::Signal(signal))
            }
            Ending::DeviceLost(reason) => {
                drop(keys);
                eprintln!("{}", self.stopped_at(&plan, routine, pos, logged));
                bail!(
                    "the sound device {} stopped working ({reason}). Was it unplugged or switched off? `coach devices` lists the devices there are and --device picks one; `coach render` writes the session to a file instead.",
                    output.name
                )
            }
        }
    }
}

impl Play {
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
                eprintln!(
                    "warning: cannot open the session log {}: {e}; this session goes unlogged",
                    path.display()
                );
                Journal::off()
            }
        }
    }

    /// The routine and session `--resume` continues.
    fn resumed(&self) -> Result<(super::Loaded, Logged)> {
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
        } else {
            find::read_file(Path::new(&session.routine), &session.routine).map_err(|e| {
                anyhow::anyhow!(
                    "cannot resume the session of {}: {e}",
                    local(session.started).short()
                )
            })?
        };
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
        Ok((super::load_found(found)?, session))
    }

    /// How far a session got, and the command that continues it.
    fn stopped_at(&self, plan: &Plan, routine: &Routine, pos: u64, logged: bool) -> String {
        let routine_arg = shell_quote(self.routine.as_deref().unwrap_or(&routine.title));
        let played = format!(
            "Stopped at {} of {}",
            clock_seconds(pos),
            clock_seconds(plan.total_samples)
        );
        let Some(at) = plan.exercise_at(pos) else {
            return format!("{played}. To start again: coach play {routine_arg}");
        };
        let name = &routine.exercises[at.exercise].name;
        let unique = routine.exercises.iter().filter(|e| &e.name == name).count() == 1;
        let from = if unique {
            shell_quote(name)
        } else {
            (at.exercise + 1).to_string()
        };
        let round = if routine.rounds > 1 {
            format!(" --round {}", at.round)
        } else {
            String::new()
        };
        let in_round = if routine.rounds > 1 {
            format!(" (round {} of {})", at.round, routine.rounds)
        } else {
            String::new()
        };
        if logged {
            format!(
                "{played}, in {name}{in_round}. To continue from there: coach play --resume (or coach play {routine_arg} --from {from}{round})"
            )
        } else {
            format!(
                "{played}, in {name}{in_round}. To continue from there: coach play {routine_arg} --from {from}{round}"
            )
        }
    }
}

/// How the log names a routine: its file's absolute path, or a built-in
/// routine's name (and true).
fn routine_identity(found: &find::Found) -> (String, bool) {
    match &found.origin {
        Origin::BuiltIn => (found.name.clone(), true),
        Origin::File(path) => (
            std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            false,
        ),
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
    let hint = crate::routine::diag::suggest(wanted, names.iter().copied())
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

/// The first words of the session: the title, or the announcement of the
/// exercise it starts at.
fn first_text(script: &Script, from: Option<(u32, usize)>) -> &str {
    script
        .steps
        .iter()
        .find_map(|step| match step {
            Step::Say { text, place }
                if from.is_none_or(|(round, ex)| {
                    place.round == round && place.exercise == Some(ex)
                }) =>
            {
                Some(text.as_str())
            }
            _ => None,
        })
        .unwrap_or(&script.title)
}

/// The timeline sample a session starts at: its first sound (no lead-in
/// silence on a device), or the exercise `--from` named.
fn start_sample(plan: &Plan, from: Option<(u32, usize)>) -> u64 {
    let first = plan.events.first().map_or(0, |e| e.start);
    match from {
        None => first,
        Some((round, exercise)) => plan
            .exercise_starts()
            .into_iter()
            .find(|s| s.round == round && s.exercise == exercise)
            .map_or(first, |s| s.sample),
    }
}

/// The pause overlay, and the resume overlay: "Resuming." and a count-in
/// of whole seconds, ending one second after "1" like any countdown.
fn overlays(clips: &Clips, paused: &str, resumed: &str, mix: &Mix) -> Overlays {
    let get = |t: &str| {
        clips
            .get(t)
            .map_or_else(|| Clip::from(vec![]), |c| scaled(c, mix.speech))
    };
    let resuming = get(resumed);
    let second = SAMPLE_RATE as usize;
    let count_from = resuming.len() + SPEECH_GAP as usize;
    let mut resume = vec![0i16; count_from + COUNT_IN.len() * second];
    resume[..resuming.len()].copy_from_slice(&resuming);
    for (k, number) in COUNT_IN.iter().enumerate() {
        let clip = get(number);
        let at = count_from + k * second;
        let end = (at + clip.len()).min(resume.len());
        for (out, s) in resume[at..end].iter_mut().zip(clip.iter()) {
            *out = out.saturating_add(*s);
        }
    }
    Overlays {
        paused: get(paused),
        resume: resume.into(),
    }
}

/// `text` as one shell word.
fn shell_quote(text: &str) -> String {
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
}
