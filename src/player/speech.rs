//! Speech for voices that give no audio (the system voice). The session's
//! timeline still carries the tones, sample-exact; speech events in it are
//! silent stand-ins of an estimated length. This driver follows the
//! timeline and has the voice say each text as its stand-in starts. An
//! announcement freezes the timeline at its stand-in's end until the voice
//! has finished it, so speech never runs into what follows; a cue inside a
//! timed period never freezes it, so holds and rests keep their length.

use std::time::Duration;

use super::COUNT_IN;
use super::live::{Request, Shared};
use crate::plan::Plan;
use crate::timeline::Sound;
use crate::timeline::time::RATE;
use crate::voice::system::{SystemVoice, Utterance, estimate};

/// A text and where its stand-in is.
struct Said {
    start: u64,
    end: u64,
    text: String,
    /// Untimed: the timeline waits for it.
    announcement: bool,
}

/// Says what the timeline reaches, and freezes it for announcements.
pub struct SpeechDriver {
    voice: SystemVoice,
    speed: u32,
    said: Vec<Said>,
    next: usize,
    /// The announcement the timeline is frozen for.
    waiting_for: Option<Utterance>,
    /// How far ahead of what is heard the timeline is handed out.
    ahead: u64,
    paused: String,
    resumed: String,
    /// After a resume: the device's pulled count then, and the count-in
    /// numbers still to say.
    count_in: Option<(u64, usize)>,
    /// Samples from the start of the resume overlay to its first number.
    count_from: u64,
}

impl SpeechDriver {
    /// A driver for `plan` speaking through `voice`. `ahead` is the
    /// device's latency in samples; `count_from` where the resume overlay's
    /// count-in starts.
    pub fn new(
        voice: SystemVoice,
        plan: &Plan,
        speed: u32,
        ahead: u64,
        paused: String,
        resumed: String,
        count_from: u64,
    ) -> SpeechDriver {
        let said = plan
            .events
            .iter()
            .filter_map(|e| match &e.sound {
                Sound::Speech(text) => Some(Said {
                    start: e.start,
                    end: e.end(),
                    text: text.clone(),
                    announcement: e.period.is_none(),
                }),
                Sound::Tone(_) => None,
            })
            .collect();
        SpeechDriver {
            voice,
            speed,
            said,
            next: 0,
            waiting_for: None,
            ahead,
            paused,
            resumed,
            count_in: None,
            count_from,
        }
    }

    fn say(&self, text: &str) -> Utterance {
        self.voice.speak(text, estimate(text, self.speed))
    }

    /// Stops the voice, as a session ends early.
    pub fn stop(&self) {
        self.voice.stop();
    }

    /// Starts at timeline sample `pos`: what begins before it is not said.
    pub fn seek(&mut self, shared: &Shared, pos: u64) {
        self.voice.stop();
        self.next = self.said.partition_point(|s| s.start < pos);
        if self.waiting_for.take().is_some() {
            shared.request(Request::Thaw);
        }
        self.count_in = None;
    }

    pub fn pause(&mut self, shared: &Shared) {
        self.voice.stop();
        if self.waiting_for.take().is_some() {
            shared.request(Request::Thaw);
        }
        // What was being said is said again after the pause.
        let pos = shared.position();
        self.next = self
            .said
            .iter()
            .position(|s| s.end > pos)
            .unwrap_or(self.said.len());
        self.count_in = None;
        let _ = self.say(&self.paused.clone());
    }

    pub fn resume(&mut self, shared: &Shared) {
        self.voice.stop();
        let _ = self.say(&self.resumed.clone());
        self.count_in = Some((shared.pulled(), 0));
    }

    /// Says what is due and thaws the timeline once an announcement is
    /// finished; call often.
    pub fn poll(&mut self, shared: &Shared) {
        if shared.paused() {
            return;
        }
        if let Some((from, said)) = self.count_in {
            let due = from + self.count_from + said as u64 * RATE;
            if said < COUNT_IN.len() && shared.pulled() >= due + self.ahead {
                let _ = self.say(COUNT_IN[said]);
                self.count_in = Some((from, said + 1));
            }
            if said < COUNT_IN.len() {
                return;
            }
            self.count_in = None;
        }
        let heard = shared.position().saturating_sub(self.ahead);
        while let Some(s) = self.said.get(self.next)
            && s.start <= heard
        {
            let u = self.say(&s.text);
            if s.announcement {
                shared.request(Request::Freeze(s.end));
                self.waiting_for = Some(u);
            }
            self.next += 1;
        }
        if self.waiting_for.as_ref().is_some_and(Utterance::finished) {
            self.waiting_for = None;
            shared.request(Request::Thaw);
        }
    }
}

/// How often the driver looks at the timeline.
pub const TICK: Duration = Duration::from_millis(10);
