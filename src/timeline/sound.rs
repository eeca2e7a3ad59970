//! What the timeline is made of: sounds, the kinds of timed period, and
//! the place in a routine that each belongs to.

use serde::Serialize;

use super::tone::ToneKind;

/// Where in the routine something belongs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Place {
    /// 1-based round.
    pub round: u32,
    /// Index into the routine's exercises.
    pub exercise: Option<usize>,
    /// 1-based set.
    pub set: Option<u32>,
    /// Index into the exercise's sides.
    pub side: Option<usize>,
    /// 1-based rep.
    pub rep: Option<u32>,
}

/// The kinds of timed period, as the cue sheet names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    GetReady,
    Work,
    Switch,
    SetRest,
    Rest,
}

impl PeriodKind {
    /// The name the cue sheet, `show --json` and the session log use.
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::GetReady => "get_ready",
            PeriodKind::Work => "work",
            PeriodKind::Switch => "switch",
            PeriodKind::SetRest => "set_rest",
            PeriodKind::Rest => "rest",
        }
    }

    /// The period in a listener's words: the display, the LRC file.
    pub fn words(self) -> &'static str {
        match self {
            PeriodKind::GetReady => "get ready",
            PeriodKind::Work => "work",
            PeriodKind::Switch => "switch sides",
            PeriodKind::SetRest => "rest between sets",
            PeriodKind::Rest => "rest",
        }
    }

    /// The period as a message names it: "the work period".
    pub fn the(self) -> &'static str {
        match self {
            PeriodKind::Work => "the work period",
            PeriodKind::GetReady => "the get-ready",
            PeriodKind::Switch => "the switch",
            PeriodKind::SetRest => "the set rest",
            PeriodKind::Rest => "the rest",
        }
    }
}

/// Something heard: a spoken text or a tone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sound {
    Speech(String),
    Tone(ToneKind),
}

impl Sound {
    /// A short description for messages: the quoted text or the tone's name.
    pub fn describe(&self) -> String {
        match self {
            Sound::Speech(t) => format!("\"{t}\""),
            Sound::Tone(k) => format!("the {} tone", k.name()),
        }
    }
}
