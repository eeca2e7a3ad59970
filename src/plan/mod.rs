//! Layout: every sound of a script placed at a sample index, with the
//! timing contract kept to the sample and collisions resolved by priority.
//!
//! Announcements are spoken back to back before the timed part they lead
//! into; a period starts exactly where the sound before it ends and lasts
//! exactly its length; within a period, sounds are placed highest priority
//! first at their wanted offset, moved later within their window if that
//! collides, and dropped if no place in the window is free.

pub mod check;
pub mod sheet;

use std::collections::BTreeMap;

use crate::script::{ExerciseInfo, Fit, Period, Script, Step};
use crate::source::Span;
use crate::timeline::time::{RATE, to_secs_f64};
use crate::timeline::tone::TONE_GAP;
use crate::timeline::{PeriodKind, Place, Sound, ToneKind, ToneStyle};

/// Silence before the first sound (0.5 s).
pub const LEAD_IN: u64 = RATE / 2;
/// Silence after the last sound (1 s), so a device plays it out whole.
pub const TAIL: u64 = RATE;
/// Pause between two announcement lines (0.4 s).
pub const SPEECH_GAP: u64 = RATE * 2 / 5;
/// The least silence between two sounds in a timed period (0.1 s).
pub const MIN_GAP: u64 = RATE / 10;
pub use crate::timeline::tone::PAUSE;

/// What the layout is told about speech: how long each text takes, in
/// samples, and whether those lengths are estimates (a voice that gives no
/// audio ahead, such as the system voice). A voice's clips answer it; so
/// does any `Fn(&str) -> u64`, with exact lengths.
pub trait Speech {
    fn len_of(&self, text: &str) -> u64;

    fn estimated(&self) -> bool {
        false
    }
}

impl<F: Fn(&str) -> u64> Speech for F {
    fn len_of(&self, text: &str) -> u64 {
        self(text)
    }
}

/// One sound at its place in the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// First sample.
    pub start: u64,
    /// Length in samples.
    pub len: u64,
    pub sound: Sound,
    pub place: Place,
    /// The period it sounds in; `None` for announcements.
    pub period: Option<PeriodKind>,
}

impl Event {
    pub fn end(&self) -> u64 {
        self.start + self.len
    }
}

/// A timed period at its place in the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedPeriod {
    pub kind: PeriodKind,
    pub start: u64,
    pub len: u64,
    pub place: Place,
}

/// A sound that could not sound where the script wanted it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adjustment {
    pub sound: Sound,
    /// The wanted first sample.
    pub wanted: u64,
    /// How far into its period it was wanted: a cue's `at`.
    pub offset: u64,
    /// Where it went instead, or `None` when it was dropped.
    pub moved_to: Option<u64>,
    /// What was in the way.
    pub reason: String,
    pub place: Place,
    pub period: PeriodKind,
    /// Where the routine asked for the sound, if it did.
    pub span: Option<Span>,
}

/// A whole session, sample-exact.
#[derive(Clone, Debug)]
pub struct Plan {
    pub title: String,
    pub rounds: u32,
    /// How the tones sound: their frequencies in the cue sheet.
    pub tones: ToneStyle,
    /// Speech lengths are estimates (a voice that gives no audio ahead).
    pub speech_estimated: bool,
    pub exercises: Vec<ExerciseInfo>,
    /// Length of the session in samples, including the silent lead-in and tail.
    pub total_samples: u64,
    /// Every sound, sorted by start.
    pub events: Vec<Event>,
    pub periods: Vec<PlacedPeriod>,
    pub adjustments: Vec<Adjustment>,
}

/// What came just before the layout cursor.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    Nothing,
    Speech,
    Tone,
    Period,
}

/// Lays out `script`: `speech` gives the length in samples of each spoken
/// text (its clip's length), `tones` how the tones sound. Reached through
/// [`crate::pipeline`].
pub fn layout(script: &Script, speech: &dyn Speech, tones: ToneStyle) -> Plan {
    let mut events = Vec::new();
    let mut periods = Vec::new();
    let mut adjustments = Vec::new();
    let mut t = LEAD_IN;
    let mut before = Before::Nothing;
    // Where the last utterance ended: the next waits [`PAUSE`] after it.
    let mut spoken_until = 0;

    for step in &script.steps {
        match step {
            Step::Say { text, place } => {
                t += match before {
                    Before::Speech => SPEECH_GAP,
                    Before::Tone => TONE_GAP,
                    Before::Nothing | Before::Period => 0,
                };
                // After a period that ends in speech; an announcement is
                // not timed, so it waits.
                t = t.max(spoken_until + PAUSE);
                let len = speech.len_of(text);
                events.push(Event {
                    start: t,
                    len,
                    sound: Sound::Speech(text.clone()),
                    place: place.clone(),
                    period: None,
                });
                t += len;
                spoken_until = t;
                before = Before::Speech;
            }
            Step::Period(p) => {
                let first = events.len();
                let after_speech = before == Before::Speech;
                let spilled = place_period(
                    p,
                    t,
                    after_speech,
                    spoken_until,
                    speech,
                    &mut events,
                    &mut adjustments,
                );
                spoken_until = events[first..]
                    .iter()
                    .filter(|e| matches!(e.sound, Sound::Speech(_)))
                    .map(Event::end)
                    .fold(spoken_until, u64::max);
                periods.push(PlacedPeriod {
                    kind: p.kind,
                    start: t,
                    len: p.len,
                    place: p.place.clone(),
                });
                t += p.len;
                before = Before::Period;
                if p.end_tone {
                    t += ToneKind::End.samples();
                    before = Before::Tone;
                }
                // What did not fit in a rest is said after it.
                for (i, timed) in spilled {
                    let Sound::Speech(text) = &timed.sound else {
                        continue;
                    };
                    if before == Before::Speech {
                        t += SPEECH_GAP;
                    }
                    t = t.max(spoken_until + PAUSE);
                    let len = speech.len_of(text);
                    events.push(Event {
                        start: t,
                        len,
                        sound: timed.sound.clone(),
                        place: adjustments[i].place.clone(),
                        period: None,
                    });
                    adjustments[i].moved_to = Some(t);
                    t += len;
                    spoken_until = t;
                    before = Before::Speech;
                }
            }
        }
    }
    events.sort_by_key(|e| e.start);
    Plan {
        title: script.title.clone(),
        rounds: script.rounds,
        tones,
        speech_estimated: speech.estimated(),
        exercises: script.exercises.clone(),
        total_samples: t + TAIL,
        events,
        periods,
        adjustments,
    }
}

/// What a placed interval is, for the silence it needs around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Speech,
    Tone,
    /// The announcement just before the period, ending at its start.
    Announcement,
}

/// The silence needed between sounds of kinds `a` and `b`: [`PAUSE`]
/// between utterances, [`MIN_GAP`] between a tone and anything, none
/// between the announcement before a period and a tone.
fn gap(a: Kind, b: Kind) -> u64 {
    match (a, b) {
        (Kind::Tone, Kind::Tone) | (Kind::Speech, Kind::Tone) | (Kind::Tone, Kind::Speech) => {
            MIN_GAP
        }
        (Kind::Announcement, Kind::Tone) | (Kind::Tone, Kind::Announcement) => 0,
        _ => PAUSE,
    }
}

/// The sounds placed so far in one period, as non-overlapping intervals.
struct Occupied {
    /// start → (end, index into `labels`)
    spans: BTreeMap<u64, (u64, usize)>,
    labels: Vec<(String, Kind)>,
}

impl Occupied {
    fn insert(&mut self, start: u64, end: u64, label: String, kind: Kind) {
        self.labels.push((label, kind));
        self.spans.insert(start, (end, self.labels.len() - 1));
    }

    /// The placed sound that `[start, end)`, of `kind`, would come within
    /// its gap of: its end and label.
    fn conflict(&self, start: u64, end: u64, kind: Kind) -> Option<(u64, &str)> {
        // Intervals never overlap and the widest gap is PAUSE: only those
        // starting before our end plus PAUSE can reach us, latest first.
        for (&their_start, &(their_end, label)) in self.spans.range(..end + PAUSE).rev() {
            let (name, theirs) = &self.labels[label];
            let gap = gap(*theirs, kind);
            if their_start < end + gap && their_end + gap > start {
                return Some((their_end + gap, name.as_str()));
            }
            if their_end + PAUSE <= start {
                break;
            }
        }
        None
    }
}

/// Places the sounds of `p`, starting at `start`. Returns the parts of an
/// announcement that did not fit in the rest ([`Fit::InRest`]), each with
/// the index of its adjustment, to be said after it. `spoken_until` is
/// where the last utterance before the period ended: speech in the period
/// waits [`PAUSE`] after it.
fn place_period<'p>(
    p: &'p Period,
    start: u64,
    after_speech: bool,
    spoken_until: u64,
    speech: &dyn Speech,
    events: &mut Vec<Event>,
    adjustments: &mut Vec<Adjustment>,
) -> Vec<(usize, &'p crate::script::Timed)> {
    let mut spilled = Vec::new();
    let mut occupied = Occupied {
        spans: BTreeMap::new(),
        labels: Vec::new(),
    };
    let tone_event = |kind: ToneKind, at: u64, place: &Place| Event {
        start: at,
        len: kind.samples(),
        sound: Sound::Tone(kind),
        place: place.clone(),
        period: Some(p.kind),
    };
    if p.start_tone {
        occupied.insert(
            0,
            ToneKind::Start.samples(),
            "the start tone".into(),
            Kind::Tone,
        );
        events.push(tone_event(ToneKind::Start, start, &p.place));
    } else if after_speech {
        occupied.insert(
            0,
            0,
            "the announcement before it".into(),
            Kind::Announcement,
        );
    }
    if p.end_tone {
        events.push(tone_event(ToneKind::End, start + p.len, &p.place));
    }

    let mut order: Vec<usize> = (0..p.sounds.len()).collect();
    order.sort_by_key(|&i| (p.sounds[i].priority, p.sounds[i].offset));
    let period_name = p.kind.the();

    for i in order {
        let timed = &p.sounds[i];
        let (len, kind) = match &timed.sound {
            Sound::Speech(text) => (speech.len_of(text), Kind::Speech),
            Sound::Tone(kind) => (kind.samples(), Kind::Tone),
        };
        let mut at = timed.offset;
        let mut blocker: Option<String> = None;
        let in_rest = matches!(timed.fit, Fit::InRest { .. });
        let placed = if in_rest && !spilled.is_empty() {
            None
        } else {
            loop {
                if at > timed.latest {
                    break None;
                }
                if let Some((free, label)) = occupied.conflict(at, at + len, kind) {
                    blocker = Some(label.to_string());
                    at = free;
                    continue;
                }
                if kind == Kind::Speech && start + at < spoken_until + PAUSE {
                    blocker = Some("the words before it".into());
                    at = spoken_until + PAUSE - start;
                    continue;
                }
                if at + len + MIN_GAP > p.len {
                    break None;
                }
                break Some(at);
            }
        };
        let place = match timed.fit {
            Fit::InRest { round, exercise } => Place {
                round,
                exercise: Some(exercise),
                ..Place::default()
            },
            _ => Place {
                rep: timed.rep,
                ..p.place.clone()
            },
        };
        let reason = || match &blocker {
            _ if in_rest => format!(
                "{period_name} is too short for the announcement of the exercise after it; this part is said after {period_name}"
            ),
            Some(label) => format!("it would overlap {label}"),
            None => format!("it would not end before {period_name} ends"),
        };
        match placed {
            Some(at) => {
                occupied.insert(at, at + len, timed.sound.describe(), kind);
                events.push(Event {
                    start: start + at,
                    len,
                    sound: timed.sound.clone(),
                    place: place.clone(),
                    period: Some(p.kind),
                });
                // An announcement in a rest is placed after the one before
                // it: not a move.
                if at != timed.offset && timed.fit == Fit::Alone {
                    adjustments.push(Adjustment {
                        sound: timed.sound.clone(),
                        wanted: start + timed.offset,
                        offset: timed.offset,
                        moved_to: Some(start + at),
                        reason: reason(),
                        place,
                        period: p.kind,
                        span: timed.span.clone(),
                    });
                }
            }
            None => {
                if in_rest {
                    spilled.push((adjustments.len(), timed));
                }
                adjustments.push(Adjustment {
                    sound: timed.sound.clone(),
                    wanted: start + timed.offset,
                    offset: timed.offset,
                    moved_to: None,
                    reason: reason(),
                    place,
                    period: p.kind,
                    span: timed.span.clone(),
                })
            }
        }
    }
    spilled
}

impl Plan {
    /// Seconds in the session.
    pub fn seconds(&self) -> f64 {
        to_secs_f64(self.total_samples)
    }

    /// The exercise, side, set and rep of a place, for people.
    pub fn describe_place(&self, place: &Place) -> String {
        let mut parts = Vec::new();
        if let Some(info) = place.exercise.and_then(|i| self.exercises.get(i)) {
            parts.push(info.name.clone());
            if let Some(side) = place.side.and_then(|s| info.sides.get(s)) {
                parts.push(side.clone());
            }
            if let Some(set) = place.set.filter(|_| info.sets > 1) {
                parts.push(format!("set {set}"));
            }
        }
        if let Some(rep) = place.rep {
            parts.push(format!("rep {rep}"));
        }
        if self.rounds > 1 && !parts.is_empty() {
            parts.push(format!("round {}", place.round));
        }
        parts.join(", ")
    }
}

/// Where one exercise of one round begins: its first announcement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExerciseStart {
    pub sample: u64,
    pub round: u32,
    pub exercise: usize,
}

impl Plan {
    /// The start of every exercise of every round, in order.
    pub fn exercise_starts(&self) -> Vec<ExerciseStart> {
        let mut out: Vec<ExerciseStart> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for e in &self.events {
            let Some(exercise) = e.place.exercise else {
                continue;
            };
            // Announcements, and an exercise's announcement in the rest
            // before it.
            if e.period.is_some_and(|k| k != PeriodKind::Rest) {
                continue;
            }
            if seen.insert((e.place.round, exercise)) {
                out.push(ExerciseStart {
                    sample: e.start,
                    round: e.place.round,
                    exercise,
                });
            }
        }
        out
    }

    /// The exercise being done at `pos`: the last one started by then.
    pub fn exercise_at(&self, pos: u64) -> Option<ExerciseStart> {
        self.exercise_starts()
            .into_iter()
            .take_while(|s| s.sample <= pos)
            .last()
    }

    /// In a reps period, the rep sounding at `pos` and the number of reps.
    pub fn rep_at(&self, period: usize, pos: u64) -> Option<(u32, u32)> {
        let p = self.periods.get(period)?;
        let reps = self
            .events
            .iter()
            .filter(|e| e.start >= p.start && e.start < p.start + p.len);
        let (mut now, mut total) = (None, 0);
        for e in reps {
            let Some(rep) = e.place.rep else { continue };
            total = total.max(rep);
            if e.start <= pos {
                now = Some(rep);
            }
        }
        // Rep 1 begins with the start tone, before its first sound.
        (total > 0).then(|| (now.unwrap_or(1), total))
    }

    /// The index of the timed period `pos` is in; a work period's end tone
    /// counts as part of it.
    pub fn period_at(&self, pos: u64) -> Option<usize> {
        self.periods.iter().position(|p| {
            let end = p.start
                + p.len
                + if p.kind == PeriodKind::Work {
                    ToneKind::End.samples()
                } else {
                    0
                };
            p.start <= pos && pos < end
        })
    }
}

#[cfg(test)]
mod tests;
