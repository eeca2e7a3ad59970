//! The cue sheet: a plan as a table for people (`coach show`) and as JSON
//! for scripts (`coach show --json`).

use std::fmt::Write as _;

use serde::Serialize;

use super::Plan;
use crate::timeline::time::{clock, length, to_secs_f64};
use crate::timeline::{PeriodKind, Place, SAMPLE_RATE, Sound, ToneStyle};

/// The JSON document `coach show --json` prints. README.md documents it.
#[derive(Serialize)]
pub struct JsonPlan<'a> {
    pub title: &'a str,
    /// `exact`, or `estimated` for a voice that speaks only live.
    pub speech_lengths: &'static str,
    pub sample_rate: u32,
    pub total_samples: u64,
    pub duration_seconds: f64,
    pub events: Vec<JsonEvent<'a>>,
    pub periods: Vec<JsonPeriod<'a>>,
    pub adjustments: Vec<JsonAdjustment<'a>>,
}

/// Where a sound or period belongs.
#[derive(Serialize)]
pub struct JsonPlace<'a> {
    pub round: u32,
    pub exercise: Option<&'a str>,
    pub exercise_index: Option<usize>,
    pub side: Option<&'a str>,
    pub set: Option<u32>,
    pub rep: Option<u32>,
}

#[derive(Serialize)]
pub struct JsonEvent<'a> {
    /// `speech` or `tone`.
    pub kind: &'static str,
    pub start_sample: u64,
    pub end_sample: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tone: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hz: Option<u32>,
    /// `announcement`, `get_ready`, `work`, `switch`, `set_rest` or `rest`.
    pub period: &'static str,
    #[serde(flatten)]
    pub place: JsonPlace<'a>,
}

#[derive(Serialize)]
pub struct JsonPeriod<'a> {
    pub period: &'static str,
    pub start_sample: u64,
    pub end_sample: u64,
    #[serde(flatten)]
    pub place: JsonPlace<'a>,
}

#[derive(Serialize)]
pub struct JsonAdjustment<'a> {
    /// `moved` or `dropped`.
    pub action: &'static str,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tone: Option<&'static str>,
    pub wanted_sample: u64,
    pub placed_sample: Option<u64>,
    pub reason: &'a str,
    pub period: &'static str,
    #[serde(flatten)]
    pub place: JsonPlace<'a>,
}

impl Plan {
    fn json_place(&self, place: &Place) -> JsonPlace<'_> {
        let info = place.exercise.and_then(|i| self.exercises.get(i));
        JsonPlace {
            round: place.round,
            exercise: info.map(|i| i.name.as_str()),
            exercise_index: place.exercise,
            side: info.and_then(|i| place.side.and_then(|s| i.sides.get(s)).map(String::as_str)),
            set: place.set,
            rep: place.rep,
        }
    }

    /// The plan as the JSON document of `show --json`.
    pub fn to_json(&self) -> JsonPlan<'_> {
        let events = self
            .events
            .iter()
            .map(|e| {
                let (kind, text, tone, hz) = sound_fields(&e.sound, self.tones);
                JsonEvent {
                    kind,
                    start_sample: e.start,
                    end_sample: e.end(),
                    text,
                    tone,
                    hz,
                    period: e.period.map_or("announcement", |p| p.name()),
                    place: self.json_place(&e.place),
                }
            })
            .collect();
        let periods = self
            .periods
            .iter()
            .map(|p| JsonPeriod {
                period: p.kind.name(),
                start_sample: p.start,
                end_sample: p.start + p.len,
                place: self.json_place(&p.place),
            })
            .collect();
        let adjustments = self
            .adjustments
            .iter()
            .map(|a| {
                let (kind, text, tone, _) = sound_fields(&a.sound, self.tones);
                JsonAdjustment {
                    action: if a.moved_to.is_some() {
                        "moved"
                    } else {
                        "dropped"
                    },
                    kind,
                    text,
                    tone,
                    wanted_sample: a.wanted,
                    placed_sample: a.moved_to,
                    reason: &a.reason,
                    period: a.period.name(),
                    place: self.json_place(&a.place),
                }
            })
            .collect();
        JsonPlan {
            title: &self.title,
            speech_lengths: if self.speech_estimated {
                "estimated"
            } else {
                "exact"
            },
            sample_rate: SAMPLE_RATE,
            total_samples: self.total_samples,
            duration_seconds: self.seconds(),
            events,
            periods,
            adjustments,
        }
    }

    /// The plan as a readable cue sheet: one line per sound, each spoken
    /// text cut to `text_width` characters if given, else whole.
    pub fn to_text(&self, text_width: Option<usize>) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:>10}  {:<10}  {:<44}  where",
            "time", "period", "sound"
        );
        for e in &self.events {
            let what = match &e.sound {
                Sound::Speech(t) => format!(
                    "\"{}\"",
                    shorten(t, text_width.unwrap_or(usize::MAX).max(12))
                ),
                Sound::Tone(k) => format!("[{} tone, {} Hz]", k.name(), k.hz_in(self.tones)),
            };
            let period = e.period.map_or("announce", |p| p.name());
            let _ = writeln!(
                out,
                "{:>10}  {:<10}  {:<44}  {}",
                clock(e.start),
                period,
                what,
                self.describe_place(&e.place)
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "total {} ({} samples at {} Hz), {} exercises, {} sounds",
            clock(self.total_samples),
            self.total_samples,
            SAMPLE_RATE,
            self.exercises.len(),
            self.events.len()
        );
        if self.speech_estimated {
            let _ = writeln!(
                out,
                "speech lengths are estimates: the system voice is heard only when played"
            );
        }
        if !self.adjustments.is_empty() {
            let _ = writeln!(
                out,
                "{} sounds were moved or dropped; `coach check` says which and why",
                self.adjustments.len()
            );
        }
        out
    }

    /// One sentence per adjustment, naming the exercise and the time.
    pub fn adjustment_message(&self, a: &super::Adjustment) -> String {
        let what = a.sound.describe();
        let place = self.describe_place(&a.place);
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(" in {place}")
        };
        // Where in its period, as a routine writes a cue's time ("at =
        // 15s" is 15 s into the hold).
        let period = match a.period {
            PeriodKind::Work => match self
                .period_at(a.wanted)
                .and_then(|i| self.rep_at(i, a.wanted))
            {
                Some(_) => "the reps",
                None => "the hold",
            },
            other => other.the(),
        };
        let into = format!("at {} into {period}", length(a.offset));
        match a.moved_to {
            Some(to) => format!(
                "{what}{place}, {into}, was moved {:.2} s later ({} to {} in the session): {}",
                to_secs_f64(to - a.wanted),
                clock(a.wanted),
                clock(to),
                a.reason
            ),
            None => format!(
                "{what}{place}, {into} ({} in the session), was dropped: {}",
                clock(a.wanted),
                a.reason
            ),
        }
    }
}

/// A sound's JSON fields: kind, text (speech), tone name and frequency.
fn sound_fields(
    s: &Sound,
    style: ToneStyle,
) -> (
    &'static str,
    Option<&str>,
    Option<&'static str>,
    Option<u32>,
) {
    match s {
        Sound::Speech(t) => ("speech", Some(t.as_str()), None, None),
        Sound::Tone(k) => ("tone", None, Some(k.name()), Some(k.hz_in(style))),
    }
}

fn shorten(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max - 1).collect();
    format!("{cut}…")
}
