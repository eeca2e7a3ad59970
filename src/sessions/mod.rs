//! The session log: what `coach play` did, one JSON line per event, kept in
//! the platform data folder (e.g. `~/.local/share/coach/sessions.jsonl`).
//!
//! Every line is written and synced to disk when its event happens, so a
//! session killed at any moment loses at most the line being written.
//! `coach history` rebuilds sessions from the lines, and `play --resume`
//! continues the last unfinished one. README.md documents the format.

pub mod calendar;
pub mod history;
pub mod tracker;
pub mod writer;

pub use history::read_log;
pub use tracker::Tracker;
pub use writer::Journal;

use std::borrow::Cow;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The log file, unless `COACH_LOG` names another.
pub fn log_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("COACH_LOG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    crate::paths::data_dir().map(|d| d.join("sessions.jsonl"))
}

/// What a line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogEvent {
    /// A session began.
    Start,
    /// The listener entered an exercise (in a round).
    Exercise,
    /// A period ended: completed, skipped or cut short.
    Period,
    Pause,
    Resume,
    /// The session ended (played to the end, or stopped).
    End,
}

/// How a period ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Played to its end.
    Completed,
    /// Left before its end with a control (next, back, repeat).
    Skipped,
    /// The session stopped during it.
    CutShort,
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Finished,
    Quit,
    Signal,
    DeviceLost,
}

/// One line of the log. Fields a line's event has no use for are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Line<'a> {
    /// Milliseconds since the Unix epoch.
    pub t: i64,
    /// The session's id: its start time in ms and the process id.
    #[serde(borrow)]
    pub session: Cow<'a, str>,
    pub event: Option<LogEvent>,

    // start
    /// The local time, for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub at: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub title: Option<Cow<'a, str>>,
    /// The routine's file as an absolute path, or a built-in routine's name.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub routine: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub built_in: bool,
    /// `fnv1a64:` and 16 hex digits of the routine file's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub hash: Option<Cow<'a, str>>,
    /// Seconds the session is planned to take from where it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<f64>,
    /// The session this one resumes.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub resumes: Option<Cow<'a, str>>,

    // exercise, period, end
    /// Exercise index from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub name: Option<Cow<'a, str>>,
    /// Period kind, as `show --json` names it.
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Seconds of the period that played.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secs: Option<f64>,
    /// The period's length in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub len: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// `end`: the exercises (of every round) from where the session
    /// started, those whose work was all played, and those with work
    /// skipped or left early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercises: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<u32>,

    /// Every line but `start`: seconds of the session played so far,
    /// pauses not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub played: Option<f64>,
    /// Every line but `start`: the session time (seconds on the timeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<f64>,
}

/// A routine's content hash, as the log keeps it.
pub fn content_hash(text: &str) -> String {
    format!(
        "fnv1a64:{:016x}",
        crate::voice::cache::fnv1a(text.as_bytes())
    )
}
