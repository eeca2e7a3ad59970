//! A live session: started on an output, run under the controls until it
//! ends, and closed. Starting takes one of three ways:
//!
//! - **warm**: every clip is in the cache, so the session is laid out and
//!   starts at once;
//! - **cold**: the first words are synthesized and start playing as a
//!   prelude while the rest is synthesized and laid out, then the whole
//!   session is handed over at the same point;
//! - **system voice**: the voice is asked to answer first, the session is
//!   laid out with estimated lengths, and a driver has the voice say each
//!   text as its silent stand-in starts.
//!
//! The output is opened only when the first sound is ready, so nothing but
//! that sound fills its buffer.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::controls::Control;
use super::display::{self, Display};
use super::live::{Handoff, LiveSource, Overlays, Request, Shared};
use super::speech::{self, SpeechDriver};
use super::{COUNT_IN, Ending, free_moment, progress, target};
use crate::audio::renderer::scaled;
use crate::audio::{Mix, Output, Renderer};
use crate::pipeline;
use crate::plan::{Plan, SPEECH_GAP};
use crate::routine::{PhraseKey, Phrases, Routine, Values};
use crate::script::{Script, Step};
use crate::sessions::Tracker;
use crate::sessions::tracker::Tally;
use crate::settings::Settings;
use crate::timeline::time::{millis, secs, to_millis};
use crate::timeline::{Dur, PeriodKind};
use crate::voice::system::SystemVoice;
use crate::voice::{Cache, Clip, Clips, Speaker};

/// If the timeline does not move for this long while playing, the output
/// has stopped taking audio.
const STALL: Duration = Duration::from_secs(5);

/// A turn of the control loop this much longer than its tick means the
/// process was stopped; gaps in playback just after are not reported.
const STOPPED: Duration = Duration::from_secs(2);

/// A gap in playback shorter than this is not worth a warning: it would
/// read "stopped for 0.00 s", and nobody hears it.
const AUDIBLE_GAP: Duration = Duration::from_millis(5);

/// Opens the output, when the first sound is ready for it.
pub type Opener<'a> = dyn FnMut() -> Result<Box<dyn Output>> + 'a;

/// Everything a live session starts from.
pub struct Start<'a> {
    pub routine: &'a Routine,
    pub script: &'a Script,
    pub settings: &'a Settings,
    pub speaker: &'a Speaker,
    pub cache: &'a Cache,
    /// The round and exercise to start at; else the first sound.
    pub from: Option<(u32, usize)>,
}

/// A session that has started: its plan, and the session playing it.
pub struct Started {
    pub plan: Plan,
    pub live: Live,
}

/// A session playing on an output.
pub struct Live {
    shared: Arc<Shared>,
    output: Box<dyn Output>,
    /// Has a live-only voice say the texts.
    speech: Option<SpeechDriver>,
    /// The timeline sample it started at.
    start: u64,
    /// Paused by a Ctrl-Z, to resume on SIGCONT.
    suspended: bool,
    /// Gaps in playback until then follow a stop, not a busy machine.
    quiet_until: Option<Instant>,
    /// Where progress asked for is said: start and length, on the
    /// timeline, until a seek.
    said: Vec<(u64, u64)>,
    /// The summary has been given to the audio thread (until a seek).
    summed_up: bool,
}

/// How a session says where it is, on request (`s`), and what it did,
/// at its end.
pub struct Status<'a> {
    pub phrases: &'a Phrases,
    /// The clip of a text in the session's voice, at its volume; `None`
    /// if it cannot be had (the words are then only shown).
    pub speak: &'a dyn Fn(&str) -> Option<Clip>,
    /// The days in a row this session makes if it finishes, when the
    /// session log knows.
    pub streak: Option<u32>,
    /// Told where the session is whenever its exercise, period or state
    /// changes (the media player a desktop shows).
    pub follow: &'a dyn Fn(&super::Snapshot),
}

impl Status<'_> {
    /// A finished session's summary: "7 minutes 33 seconds played. 5
    /// exercises done. That is 4 days in a row."
    pub fn summary(&self, tally: &Tally) -> String {
        self.phrases.summary(
            Dur::from_millis(to_millis(tally.played)),
            tally.done,
            tally.skipped,
            // A session with no work played to its end makes no streak.
            self.streak.filter(|_| tally.worked),
        )
    }
}

/// What a control did.
enum Applied {
    /// It ended the session.
    Ended(Ending),
    /// It moved the timeline to this sample.
    Moved(Control, u64),
    /// It did this (a pause, a resume).
    Did(String),
    /// It did nothing, for this reason.
    Ignored(String),
}

/// A remote's move is confirmed aloud unless words start this soon after
/// where it moved to (0.5 s).
const CONFIRM_WITHIN: u64 = crate::timeline::time::RATE / 2;

/// "1:05", a timeline sample as a clock time.
fn clock_at(sample: u64) -> String {
    crate::timeline::time::clock_seconds(sample)
}

/// The words said over a paused timeline, in the routine's phrases.
struct Overlaid {
    paused: String,
    resumed: String,
}

impl Start<'_> {
    /// Starts the session on the output `open` gives.
    pub fn play(&self, open: &mut Opener<'_>) -> Result<Started> {
        let values = Values {
            title: &self.routine.title,
            ..Values::default()
        };
        let words = Overlaid {
            paused: self.routine.phrases.fill(PhraseKey::Paused, &values),
            resumed: self.routine.phrases.fill(PhraseKey::Resumed, &values),
        };
        let first = first_text(self.script, self.from);
        // Everything the first seconds need: the first words and the pause
        // and resume overlays.
        let mut early: Vec<&str> = vec![first, &words.paused, &words.resumed];
        early.extend(COUNT_IN);
        let mut texts = self.script.texts();
        texts.extend(early.iter().copied());

        if let Some(voice) = self.speaker.start_live()? {
            return self.with_system_voice(voice, &texts, &words, open);
        }
        if self.speaker.is_warm(&texts, self.cache) {
            let clips = self.speaker.clips(&texts, self.cache)?;
            let (plan, live) = self.on_timeline(&clips, &words, open)?;
            return Ok(Started { plan, live });
        }
        self.cold(first, &early, &texts, &words, open)
    }

    /// The plan with these clips, and the sample the session starts at.
    fn lay_out(&self, clips: &Clips) -> (Plan, u64) {
        let plan = pipeline::lay_out(self.script, clips, self.settings.tones);
        let start = start_sample(&plan, self.from);
        (plan, start)
    }

    /// With every clip known: lays the session out and plays it from the
    /// first sound or the exercise asked for.
    fn on_timeline(
        &self,
        clips: &Clips,
        words: &Overlaid,
        open: &mut Opener<'_>,
    ) -> Result<(Plan, Live)> {
        let (plan, start) = self.lay_out(clips);
        let renderer = Renderer::new(&plan, clips, &self.settings.mix())?;
        let (source, shared) = LiveSource::new(
            renderer,
            start,
            overlays(clips, words, &self.settings.mix()),
        );
        // A voice that gives clips says the summary after the last sound.
        if !self.speaker.live_only() {
            shared.await_epilogue();
        }
        let mut output = open()?;
        output.play(Box::new(source))?;
        let live = Live {
            shared,
            output,
            speech: None,
            start,
            suspended: false,
            quiet_until: None,
            said: Vec::new(),
            summed_up: false,
        };
        Ok((plan, live))
    }

    /// The system voice speaks for itself: the session is laid out with
    /// estimated lengths and the driver says each text.
    fn with_system_voice(
        &self,
        voice: SystemVoice,
        texts: &[&str],
        words: &Overlaid,
        open: &mut Opener<'_>,
    ) -> Result<Started> {
        let clips = self.speaker.clips(texts, self.cache)?;
        let (plan, mut live) = self.on_timeline(&clips, words, open)?;
        let ahead = millis(2 * self.settings.latency as u64);
        let count_from = clips.len_of(&words.resumed) + SPEECH_GAP;
        let mut driver = SpeechDriver::new(
            voice,
            &plan,
            self.settings.speed,
            ahead,
            words.paused.clone(),
            words.resumed.clone(),
            count_from,
        );
        driver.seek(&live.shared, live.start);
        live.speech = Some(driver);
        Ok(Started { plan, live })
    }

    /// Cold: speaks the first words as soon as they exist, and lays out
    /// the rest while they are heard.
    fn cold(
        &self,
        first: &str,
        early: &[&str],
        texts: &[&str],
        words: &Overlaid,
        open: &mut Opener<'_>,
    ) -> Result<Started> {
        let mix = self.settings.mix();
        let first_clips = self.speaker.clips(early, self.cache)?;
        // At the level the session says it, so it goes on the same when
        // the session takes over in the middle of it.
        let first_clip = scaled(first_clips.get(first).expect("prepared"), mix.speech);
        let (source, shared) = LiveSource::prelude(first_clip, overlays(&first_clips, words, &mix));
        shared.await_epilogue();
        let mut output = open()?;
        output.play(Box::new(source))?;
        // The session in parts, each prepared while the one before plays.
        for cut in pipeline::parts(self.script, self.from) {
            let (part, end) = {
                let mut texts = self.script.texts_before(cut);
                texts.extend(early.iter().copied());
                let clips = self.speaker.clips(&texts, self.cache)?;
                let (plan, end) =
                    pipeline::lay_out_part(self.script, cut, &clips, self.settings.tones);
                ((Renderer::new(&plan, &clips, &mix)?, plan), end)
            };
            let (renderer, plan) = part;
            let start = start_sample(&plan, self.from);
            shared.hand_over(Handoff {
                renderer,
                first: start,
                next: next_after(&plan, start).min(end),
                until: Some(end),
            });
        }
        let clips = self.speaker.clips(texts, self.cache)?;
        let (plan, start) = self.lay_out(&clips);
        shared.hand_over(Handoff {
            renderer: Renderer::new(&plan, &clips, &mix)?,
            first: start,
            next: next_after(&plan, start),
            until: None,
        });
        let live = Live {
            shared,
            output,
            speech: None,
            start,
            suspended: false,
            quiet_until: None,
            said: Vec::new(),
            summed_up: false,
        };
        Ok(Started { plan, live })
    }
}

impl Live {
    /// The state the audio thread shares: the timeline's position, paused
    /// or not, finished or not.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The timeline sample the session started at.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Where the timeline is, as heard: behind what the output has
    /// taken by what it queues.
    pub fn position(&self) -> u64 {
        self.shared.heard_position(self.output.heard())
    }

    /// What the session plays on.
    pub fn output_name(&self) -> String {
        self.output.name()
    }

    /// Runs the session until it ends, applying `controls`, logging to
    /// `log` and showing it on `display`.
    pub fn run(
        &mut self,
        plan: &Plan,
        controls: &Receiver<Control>,
        display: &mut Display,
        log: &mut Tracker<'_>,
        status: &Status<'_>,
    ) -> Ending {
        let mut last_pulled = self.shared.pulled();
        let mut last_move = Instant::now();
        let mut last_turn = Instant::now();
        let mut named = None;
        let mut followed = None;
        let starts = plan.exercise_starts();
        // Once the last work is over (as rendered, seconds before it is
        // heard), the summary is known: it is said when the timeline ends.
        let last_work = plan
            .periods
            .iter()
            .rfind(|p| p.kind == PeriodKind::Work)
            .map_or(0, |p| p.start + p.len);
        loop {
            let tick = if self.speech.is_some() {
                speech::TICK
            } else {
                display::tick(display)
            };
            match controls.recv_timeout(tick) {
                Ok(Control::Status) => self.say_progress(plan, display, status),
                Ok(Control::Keys) => display.say(super::controls::KEYS),
                Ok(Control::Remote(control, reply)) => {
                    if let Some(ending) = self.remote(plan, *control, reply, display, log, status) {
                        return ending;
                    }
                }
                Ok(control) => {
                    if let Applied::Ended(ending) = self.apply(plan, control, log) {
                        return ending;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                // No controls at all (every sender gone): keep playing.
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(tick),
            }
            // A turn far longer than its tick: the process, or the whole
            // machine, was stopped. The output stood still with it; that
            // is no sign of a lost device, and the gap is no underrun.
            if last_turn.elapsed() > tick + STOPPED {
                last_move = Instant::now();
                self.quiet_until = Some(Instant::now() + STOPPED);
            }
            last_turn = Instant::now();
            // Whoever watched the session went away (a closed pipe, a
            // terminal gone, a full disk under stderr): stop as a signal
            // would, so the log gets its end.
            if crate::guard::out::gone().is_some() {
                return Ending::Signal(libc::SIGPIPE);
            }
            if let Some(ending) = self.follow(log) {
                return ending;
            }
            if !self.summed_up
                && self.speech.is_none()
                && !self.shared.waiting()
                && self.shared.position() >= last_work
            {
                self.summed_up = true;
                let text = status.summary(&log.tally(plan.total_samples));
                // Without its words, the session ends after its last sound.
                let clip = (status.speak)(&text).unwrap_or_else(|| Clip::from(vec![]));
                self.shared.request(Request::Epilogue(clip));
            }
            if let Some(gap) = self.output.gaps()
                && gap >= AUDIBLE_GAP
                && self.quiet_until.is_none_or(|t| Instant::now() > t)
            {
                display.warn(&format!(
                    "warning: the sound stopped for {:.2} s: the machine was too busy to keep it fed. Later sounds keep their places; the session ends that much later.",
                    gap.as_secs_f64()
                ));
            }
            let pulled = self.shared.pulled();
            if pulled != last_pulled {
                last_pulled = pulled;
                last_move = Instant::now();
            } else if last_move.elapsed() > STALL {
                return Ending::DeviceLost("the sound device stopped taking audio".into());
            }
            let pos = self.position();
            let exercise = starts
                .iter()
                .take_while(|s| s.sample <= pos)
                .last()
                .map(|at| at.exercise);
            if exercise != named {
                named = exercise;
                let what = match exercise.and_then(|i| plan.exercises.get(i)) {
                    Some(e) => format!("{} – {}", plan.title, e.name),
                    None => plan.title.clone(),
                };
                self.output.describe(&what);
            }
            let now = (exercise, plan.period_at(pos), self.state());
            if followed != Some(now) {
                followed = Some(now);
                (status.follow)(&super::snapshot(plan, pos, now.2));
            }
            display.update(plan, pos, self.shared.paused());
        }
    }

    /// Applies a remote's control as its key would be, confirms it aloud
    /// when it has no sound of its own, and answers the remote; the
    /// ending if it ends the session.
    fn remote(
        &mut self,
        plan: &Plan,
        control: Control,
        reply: Option<super::controls::Reply>,
        display: &Display,
        log: &mut Tracker<'_>,
        status: &Status<'_>,
    ) -> Option<Ending> {
        let applied = match control {
            Control::Status => {
                self.say_progress(plan, display, status);
                Applied::Did("said where the session is".into())
            }
            Control::Query => Applied::Did(String::new()),
            other => self.apply(plan, other, log),
        };
        let exercise_name = |to: u64| {
            plan.exercise_at(to)
                .and_then(|at| plan.exercises.get(at.exercise))
                .map_or(plan.title.as_str(), |e| e.name.as_str())
        };
        let (did, at, state) = match &applied {
            Applied::Ended(_) => ("stopped".to_string(), self.position(), "ended"),
            Applied::Moved(control, to) => {
                let name = exercise_name(*to);
                let (key, did) = match control {
                    Control::Next => (PhraseKey::Skipped, format!("skipped to {name}")),
                    Control::Back => (PhraseKey::Back, format!("back to {name}")),
                    _ => (
                        PhraseKey::Again,
                        format!("repeating from {}", clock_at(*to)),
                    ),
                };
                // Heard at once unless what it moved to starts silent.
                let speaks = plan.events.iter().any(|e| {
                    matches!(e.sound, crate::timeline::Sound::Speech(_))
                        && e.start >= *to
                        && e.start < *to + CONFIRM_WITHIN
                });
                if !speaks {
                    let values = Values {
                        title: &plan.title,
                        name,
                        ..Values::default()
                    };
                    let text = status.phrases.fill(key, &values);
                    self.say_at(plan, Some(*to), &text, status);
                }
                (did, *to, self.state())
            }
            Applied::Did(did) => (did.clone(), self.position(), self.state()),
            Applied::Ignored(why) => (why.clone(), self.position(), self.state()),
        };
        if let Some(super::controls::Reply(tx)) = reply {
            let answer = serde_json::json!({
                "ok": !matches!(applied, Applied::Ignored(_)),
                "did": did,
                "status": super::snapshot(plan, at, state),
            });
            let _ = tx.try_send(answer.to_string());
        }
        match applied {
            Applied::Ended(ending) => Some(ending),
            _ => None,
        }
    }

    /// `starting`, `paused` or `playing`, as [`super::Snapshot`] says it.
    fn state(&self) -> &'static str {
        if self.shared.waiting() {
            "starting"
        } else if self.shared.paused() {
            "paused"
        } else {
            "playing"
        }
    }

    /// Applies one control: what it did, the ending if it ends the session.
    fn apply(&mut self, plan: &Plan, control: Control, log: &mut Tracker<'_>) -> Applied {
        let pos = self.position();
        match control {
            Control::Quit => return Applied::Ended(Ending::Quit),
            Control::Signal(s) => return Applied::Ended(Ending::Signal(s)),
            Control::Suspend => {
                if !self.shared.waiting() && !self.shared.paused() {
                    self.toggle_pause(pos, log);
                    self.suspended = true;
                    // The output takes "Paused." before the process stops;
                    // the server plays it meanwhile.
                    let deadline = Instant::now() + Duration::from_secs(2);
                    while !self.shared.resting() && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    self.output.deliver();
                }
                super::controls::stop_process();
            }
            Control::Continue => {
                self.quiet_until = Some(Instant::now() + STOPPED);
                if std::mem::take(&mut self.suspended) {
                    if self.shared.paused() {
                        self.toggle_pause(pos, log);
                    }
                } else if !self.shared.waiting() && !self.shared.paused() {
                    // Stopped from outside (SIGSTOP, a machine asleep): the
                    // queue played out meanwhile. Go on from what was
                    // heard, after the resume count-in.
                    log.pause(pos);
                    log.resume(pos);
                    let shared = &self.shared;
                    self.output.redirect(&mut || {
                        shared.request(Request::Pause);
                        shared.request(Request::Resume);
                    });
                    if let Some(s) = self.speech.as_mut() {
                        s.pause(shared);
                        s.resume(shared);
                    }
                }
            }
            // Answered by the loop, not here.
            Control::Query | Control::Status | Control::Keys | Control::Remote(..) => {}
            // The prelude of a cold start cannot be paused or moved.
            _ if self.shared.waiting() => {
                return Applied::Ignored(
                    "the session is still being prepared: pause, skip and back work once it is ready (q stops it now)".into(),
                );
            }
            Control::TogglePause => {
                let resume = self.shared.paused();
                self.toggle_pause(pos, log);
                return Applied::Did(if resume { "resumed" } else { "paused" }.into());
            }
            Control::Pause if self.shared.paused() => {
                return Applied::Ignored("already paused".into());
            }
            Control::Resume if !self.shared.paused() => {
                return Applied::Ignored("not paused".into());
            }
            Control::Pause | Control::Resume => {
                let resume = self.shared.paused();
                self.toggle_pause(pos, log);
                return Applied::Did(if resume { "resumed" } else { "paused" }.into());
            }
            other => {
                let Some(to) = target(plan, pos, &other) else {
                    return Applied::Ignored(match other {
                        Control::Next => "nothing comes after this".into(),
                        _ => "nothing to go back to".into(),
                    });
                };
                log.seek(pos, to);
                self.said.clear();
                self.summed_up = false;
                let shared = &self.shared;
                self.output
                    .redirect(&mut || shared.request(Request::Seek(to)));
                if let Some(s) = self.speech.as_mut() {
                    s.seek(shared, to);
                }
                return Applied::Moved(other, to);
            }
        }
        Applied::Did(String::new())
    }

    /// Says where the session is, at the next moment nothing else
    /// sounds, without stopping the timeline; shows it too. The system
    /// voice speaks on its own clock, so with it the progress is only
    /// shown.
    fn say_progress(&mut self, plan: &Plan, display: &Display, status: &Status<'_>) {
        if self.shared.waiting() {
            return;
        }
        let text = progress(plan, status.phrases, self.position());
        display.say(&text);
        self.say_at(plan, None, &text, status);
    }

    /// Says `text` over the timeline at the first free moment from where
    /// it is heard (or from `from`, a place just moved to), placed like a
    /// cue: clear of every sound by the pause between utterances.
    fn say_at(&mut self, plan: &Plan, from: Option<u64>, text: &str, status: &Status<'_>) {
        if self.speech.is_some() || self.shared.waiting() {
            return;
        }
        let asked = Instant::now();
        let Some(clip) = (status.speak)(text) else {
            return;
        };
        // Where it is heard now, after the words were made: just after a
        // move the output's count still names the old place, so from the
        // place moved to, on by the time the words took and a margin.
        let from = match from {
            Some(to) => {
                let taken = asked.elapsed() + Duration::from_millis(50);
                to + millis(taken.as_millis() as u64)
            }
            None => self.position(),
        };
        let Some(at) = free_moment(plan, from, clip.len() as u64, &self.said) else {
            return;
        };
        self.said.push((at, clip.len() as u64));
        let shared = &self.shared;
        self.output
            .redirect(&mut || shared.request(Request::Say(at, clip.clone())));
    }

    /// Pauses a playing session where it is heard, or resumes a paused
    /// one.
    fn toggle_pause(&mut self, pos: u64, log: &mut Tracker<'_>) {
        let shared = &self.shared;
        let resume = shared.paused();
        let request = if resume {
            log.resume(pos);
            Request::Resume
        } else {
            log.pause(pos);
            Request::Pause
        };
        self.output
            .redirect(&mut || shared.request(request.clone()));
        if let Some(s) = self.speech.as_mut() {
            if resume {
                s.resume(shared);
            } else {
                s.pause(shared);
            }
        }
    }

    /// Has the voice say what is due, logs the timeline's progress, and
    /// says whether the session has ended.
    fn follow(&mut self, log: &mut Tracker<'_>) -> Option<Ending> {
        if let Some(s) = self.speech.as_mut() {
            s.poll(&self.shared);
        }
        if let Some(e) = self.output.error() {
            return Some(Ending::DeviceLost(e));
        }
        if self.shared.finished() {
            return Some(Ending::Finished);
        }
        if !self.shared.waiting() {
            let (pos, seeks) = self.shared.heard_place(self.output.heard());
            log.heard(pos, seeks);
        }
        None
    }

    /// Ends the session as `ending` says: a finished session is played out
    /// to its last sound; a stopped one is silenced at once.
    pub fn close(mut self, ending: &Ending) {
        match ending {
            Ending::Finished => {
                let _ = self.output.finish();
            }
            Ending::Quit | Ending::Signal(_) => {
                if let Some(s) = &self.speech {
                    s.stop();
                }
                self.output.stop();
            }
            Ending::DeviceLost(_) => {
                if let Some(s) = &self.speech {
                    s.stop();
                }
            }
        }
    }
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
/// silence on a device), or the exercise `from` names.
pub fn start_sample(plan: &Plan, from: Option<(u32, usize)>) -> u64 {
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

/// Where the first sound after `start` starts, or the plan's end.
fn next_after(plan: &Plan, start: u64) -> u64 {
    plan.events
        .iter()
        .find(|e| e.start > start)
        .map_or(plan.total_samples, |e| e.start)
}

/// The pause overlay, and the resume overlay: "Resuming." and a count-in
/// of whole seconds, ending one second after "1" like any countdown.
fn overlays(clips: &Clips, words: &Overlaid, mix: &Mix) -> Overlays {
    let get = |t: &str| {
        clips
            .get(t)
            .map_or_else(|| Clip::from(vec![]), |c| scaled(c, mix.speech))
    };
    let resuming = get(&words.resumed);
    let second = secs(1) as usize;
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
        paused: get(&words.paused),
        resume: resume.into(),
    }
}
