//! Routines: the file model, its key table, loading and validation (with
//! the located diagnostics of `source`), the built-in phrases, and finding
//! routines by name.

pub mod find;
pub mod keys;
pub mod load;
pub mod phrases;

pub use phrases::{PhraseKey, Phrases, Progress, Values};

use crate::source::{Language, Span};
use crate::timeline::Dur;

/// A checked routine: every default resolved, every limit and kind rule
/// enforced. Built only by [`load::parse`].
#[derive(Clone, Debug)]
pub struct Routine {
    pub title: String,
    pub about: Option<String>,
    /// Spoken once after the overview, before the first exercise.
    pub intro: Option<String>,
    /// The BCP 47 tag the voice and phrases follow.
    pub language: Language,
    /// Where the file says its language, if it does.
    pub language_span: Option<Span>,
    pub rounds: u32,
    pub round_rest: Dur,
    pub phrases: Phrases,
    pub exercises: Vec<Exercise>,
}

/// One `[[exercise]]`, with inherited values filled in.
#[derive(Clone, Debug)]
pub struct Exercise {
    pub name: String,
    /// Where the exercise's name is written, for warnings about it.
    pub span: Span,
    /// Instructions spoken once after the name.
    pub say: Vec<String>,
    pub work: Work,
    pub count: Count,
    pub sets: u32,
    pub set_rest: Dur,
    /// Empty, or 2 to 4 side names.
    pub sides: Vec<String>,
    pub switch: Dur,
    pub get_ready: Dur,
    pub rest: Dur,
    pub countdown: u32,
    /// Announced during the rest before it (not the first exercise's).
    pub announce_in_rest: bool,
}

/// What the body does during the work period.
#[derive(Clone, Debug)]
pub enum Work {
    Hold(Hold),
    Reps(Reps),
}

#[derive(Clone, Debug)]
pub struct Hold {
    pub time: Dur,
    pub cues: Vec<Cue>,
    /// Speak the elapsed seconds at this interval.
    pub count_every: Option<Dur>,
    pub halfway: bool,
}

#[derive(Clone, Debug)]
pub struct Reps {
    pub reps: u32,
    /// The phases of one rep; a lone `rep_time` is one phase with nothing said.
    pub tempo: Vec<Phase>,
}

impl Reps {
    /// The length of one rep.
    pub fn rep_time(&self) -> Dur {
        Dur::from_micros(self.tempo.iter().map(|p| p.time.micros()).sum())
    }
}

#[derive(Clone, Debug)]
pub struct Phase {
    pub say: Option<String>,
    pub time: Dur,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Cue {
    pub when: CueTime,
    pub say: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CueTime {
    At(Dur),
    Every(Dur),
}

/// How counting is done: reps at their start, holds every `count_every`,
/// and countdowns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// Spoken numbers.
    Voice,
    /// Tick tones for reps and hold counts, pips for countdowns.
    Tone,
    /// No rep or hold counts; countdowns are still spoken.
    Off,
}

impl Count {
    /// Every way of counting, in the order `count`'s choices are listed.
    pub const ALL: [Count; 3] = [Count::Voice, Count::Tone, Count::Off];

    /// The name `count` takes.
    pub const fn name(self) -> &'static str {
        match self {
            Count::Voice => "voice",
            Count::Tone => "tone",
            Count::Off => "off",
        }
    }
}
