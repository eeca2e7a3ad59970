//! Live playback: a session started on an output (`session`), the live
//! source the controls steer (`live`), the controls (`controls`), the
//! driver that has a live-only voice speak (`speech`) and the display that
//! follows it all (`display`). No sound is placed by a clock here: the
//! controls only move the timeline the audio thread renders.

pub mod controls;
pub mod display;
pub mod live;
pub mod session;
pub mod speech;

use crate::plan::{PAUSE, Plan, TAIL};
use crate::routine::{Phrases, Progress};
use crate::sessions::Reason;
use crate::timeline::time::{secs, to_millis};
use crate::timeline::{Dur, PeriodKind};
use controls::Control;

pub use session::{Live, Start, Started, Status};

/// The count-in before a paused session continues.
pub const COUNT_IN: [&str; 3] = ["3", "2", "1"];

/// How a session ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Played to the end.
    Finished,
    /// `q`.
    Quit,
    /// SIGINT, SIGTERM or SIGHUP.
    Signal(i32),
    /// The device failed or vanished; the text says how.
    DeviceLost(String),
}

impl Ending {
    /// Why the session ended, as the session log says it.
    pub fn reason(&self) -> Reason {
        match self {
            Ending::Finished => Reason::Finished,
            Ending::Quit => Reason::Quit,
            Ending::Signal(_) => Reason::Signal,
            Ending::DeviceLost(_) => Reason::DeviceLost,
        }
    }
}

/// Where the controls move the timeline, from timeline sample `pos`.
pub fn target(plan: &Plan, pos: u64, control: &Control) -> Option<u64> {
    let starts = plan.exercise_starts();
    match control {
        Control::Next => starts
            .iter()
            .find(|s| s.sample > pos)
            .map(|s| s.sample)
            // After the last exercise: its closing words.
            .or_else(|| plan.events.last().map(|e| e.start).filter(|s| *s > pos)),
        Control::Back => {
            let current = starts.iter().rposition(|s| s.sample <= pos);
            match current {
                None => plan.events.first().map(|e| e.start),
                // Just after an exercise's start, "back" means the one before.
                Some(i) if pos - starts[i].sample < secs(3) && i > 0 => Some(starts[i - 1].sample),
                Some(i) => Some(starts[i].sample),
            }
        }
        Control::Repeat => match plan.period_at(pos) {
            Some(i) => {
                let p = &plan.periods[i];
                // A hold is repeated with the count-in that led into it.
                let lead_in = i
                    .checked_sub(1)
                    .map(|j| &plan.periods[j])
                    .filter(|q| p.kind == PeriodKind::Work && q.start + q.len == p.start);
                Some(lead_in.map_or(p.start, |q| q.start))
            }
            None => plan
                .events
                .iter()
                .rev()
                .find(|e| e.start <= pos)
                .map(|e| e.start),
        },
        _ => None,
    }
}

/// Where the session is at timeline sample `pos`, in words: "Cat-cow,
/// rep 5 of 12. About 3 minutes left."
pub fn progress(plan: &Plan, phrases: &Phrases, pos: u64) -> String {
    let left = Dur::from_millis(to_millis(plan.total_samples.saturating_sub(pos + TAIL)));
    let period = plan.period_at(pos);
    let mut at = Progress {
        left,
        ..Progress::default()
    };
    if let Some(rest) = period
        .map(|i| &plan.periods[i])
        .filter(|p| p.kind == PeriodKind::Rest)
    {
        // The exercise that starts after the rest's own.
        let own = (rest.place.round, rest.place.exercise);
        let next = plan
            .exercise_starts()
            .into_iter()
            .find(|s| s.sample >= rest.start && (s.round, Some(s.exercise)) != own);
        at.resting_before = next
            .and_then(|s| plan.exercises.get(s.exercise))
            .map(|e| e.name.as_str());
        if at.resting_before.is_some() {
            return phrases.progress(&at);
        }
    }
    let place = match period {
        Some(i) => &plan.periods[i].place,
        None => match plan.events.iter().rev().find(|e| e.start <= pos) {
            Some(e) => &e.place,
            None => return phrases.progress(&at),
        },
    };
    if let Some(info) = place.exercise.and_then(|i| plan.exercises.get(i)) {
        at.name = Some(&info.name);
        at.side = place
            .side
            .and_then(|s| info.sides.get(s))
            .map(String::as_str);
        if info.sets > 1 {
            at.set = place.set.map(|n| (n, info.sets));
        }
    }
    if let Some(i) = period.filter(|i| plan.periods[*i].kind == PeriodKind::Work) {
        at.rep = plan.rep_at(i, pos);
    }
    phrases.progress(&at)
}

/// Where a live session is, as `coach ctl status --json` gives it.
/// README.md documents every field.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Snapshot {
    pub routine: String,
    /// `starting` (the first words of a cold start), `playing`,
    /// `paused` or `ended`.
    pub state: &'static str,
    pub paused: bool,
    pub pid: u32,
    /// The exercise (as `show --json` names it) and its index from 0.
    pub exercise: Option<String>,
    pub exercise_index: Option<usize>,
    pub round: Option<u32>,
    pub side: Option<String>,
    pub set: Option<u32>,
    pub sets: Option<u32>,
    pub rep: Option<u32>,
    pub reps: Option<u32>,
    /// As `show --json` names periods: `announcement` between them.
    pub period: &'static str,
    pub period_left_seconds: Option<f64>,
    pub position_seconds: f64,
    pub session_left_seconds: f64,
    pub duration_seconds: f64,
    /// The timeline sample heard, as `show --json` counts them.
    pub position_sample: u64,
}

/// Where the session is at timeline sample `pos`.
pub fn snapshot(plan: &Plan, pos: u64, state: &'static str) -> Snapshot {
    let period = plan.period_at(pos);
    let place = match period {
        Some(i) => Some(plan.periods[i].place.clone()),
        None => plan
            .events
            .iter()
            .rev()
            .find(|e| e.start <= pos)
            .map(|e| e.place.clone()),
    };
    let at = plan.exercise_at(pos);
    let info = at.as_ref().and_then(|a| plan.exercises.get(a.exercise));
    let same = |p: &crate::timeline::Place| {
        at.as_ref()
            .is_some_and(|a| p.exercise == Some(a.exercise) && p.round == a.round)
    };
    let place = place.filter(|p| same(p));
    let rep = period
        .filter(|i| plan.periods[*i].kind == PeriodKind::Work)
        .and_then(|i| plan.rep_at(i, pos));
    let secs_of = |n: u64| n as f64 / crate::timeline::SAMPLE_RATE as f64;
    Snapshot {
        routine: plan.title.clone(),
        state,
        paused: state == "paused",
        pid: std::process::id(),
        exercise: info.map(|i| i.name.clone()),
        exercise_index: at.as_ref().map(|a| a.exercise),
        round: at.as_ref().map(|a| a.round),
        side: place
            .as_ref()
            .and_then(|p| p.side)
            .and_then(|s| info.and_then(|i| i.sides.get(s)).cloned()),
        set: place.as_ref().and_then(|p| p.set),
        sets: info.map(|i| i.sets),
        rep: rep.map(|r| r.0),
        reps: rep.map(|r| r.1),
        period: period.map_or("announcement", |i| plan.periods[i].kind.name()),
        period_left_seconds: period.map(|i| {
            let p = &plan.periods[i];
            secs_of((p.start + p.len).saturating_sub(pos))
        }),
        position_seconds: secs_of(pos),
        session_left_seconds: secs_of(plan.total_samples.saturating_sub(pos + TAIL)),
        duration_seconds: plan.seconds(),
        position_sample: pos,
    }
}

/// The first moment from `from` at which `len` samples of speech can be
/// said without coming within [`PAUSE`] of any sound of the plan or of
/// `also` (start, length), and end before the session does.
pub fn free_moment(plan: &Plan, from: u64, len: u64, also: &[(u64, u64)]) -> Option<u64> {
    let mut sounds: Vec<(u64, u64)> = plan
        .events
        .iter()
        .map(|e| (e.start, e.end()))
        .chain(also.iter().map(|(s, l)| (*s, s + l)))
        .filter(|(_, end)| end + PAUSE > from)
        .collect();
    sounds.sort_unstable();
    let mut t = from;
    for (start, end) in sounds {
        if start >= t + len + PAUSE {
            break;
        }
        t = t.max(end + PAUSE);
    }
    (t + len + TAIL <= plan.total_samples).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::plan_of_text;

    const SEC: u64 = crate::timeline::time::RATE;

    fn plan() -> Plan {
        let text = "title = \"T\"
[[exercise]]
name = \"A\"
hold = \"20s\"
[[exercise]]
name = \"B\"
sides = [\"L\", \"R\"]
hold = \"10s\"
[[exercise]]
name = \"C\"
reps = 3
";
        plan_of_text(text, &|t: &str| t.len() as u64 * 1000)
    }

    fn work(p: &Plan, n: usize) -> &crate::plan::PlacedPeriod {
        p.periods
            .iter()
            .filter(|x| x.kind == PeriodKind::Work)
            .nth(n)
            .unwrap()
    }

    #[test]
    fn next_goes_to_the_next_exercise_then_the_closing_words() {
        let p = plan();
        let starts = p.exercise_starts();
        assert_eq!(starts.len(), 3);
        let in_a = work(&p, 0).start + 5 * SEC;
        assert_eq!(target(&p, in_a, &Control::Next), Some(starts[1].sample));
        let in_c = work(&p, 3).start + SEC;
        let last = p.events.last().unwrap().start;
        assert_eq!(target(&p, in_c, &Control::Next), Some(last));
        assert_eq!(target(&p, last + 1, &Control::Next), None);
    }

    #[test]
    fn back_restarts_this_exercise_or_just_after_its_start_the_one_before() {
        let p = plan();
        let starts = p.exercise_starts();
        // In B's second side: back to B's announcement.
        let in_b = work(&p, 2).start + 2 * SEC;
        assert_eq!(target(&p, in_b, &Control::Back), Some(starts[1].sample));
        // Just after B started: back to A.
        assert_eq!(
            target(&p, starts[1].sample + SEC, &Control::Back),
            Some(starts[0].sample)
        );
        // During the title, back to the very start.
        assert_eq!(target(&p, 10, &Control::Back), Some(p.events[0].start));
    }

    #[test]
    fn repeat_replays_a_hold_with_its_count_in() {
        let p = plan();
        let w = work(&p, 0);
        let get_ready = p
            .periods
            .iter()
            .find(|x| x.start + x.len == w.start)
            .unwrap();
        assert_eq!(get_ready.kind, PeriodKind::GetReady);
        assert_eq!(
            target(&p, w.start + 12 * SEC, &Control::Repeat),
            Some(get_ready.start)
        );
        // In a rest: the rest again.
        let rest = p
            .periods
            .iter()
            .find(|x| x.kind == PeriodKind::Rest)
            .unwrap();
        assert_eq!(
            target(&p, rest.start + SEC, &Control::Repeat),
            Some(rest.start)
        );
        // During an announcement: that sentence again.
        let name = p.exercise_starts()[2].sample;
        assert_eq!(target(&p, name + 100, &Control::Repeat), Some(name));
    }

    #[test]
    fn progress_says_the_exercise_the_rep_and_the_time_left() {
        let p = plan();
        let phrases = Phrases::default();
        let left = |pos: u64| (p.total_samples - TAIL - pos) / SEC;
        // In the second rep of C: its name and rep, and the time left.
        let c = work(&p, 3);
        let pos = c.start + 3 * SEC + SEC / 2;
        let minutes = (left(pos) + 30) / 60;
        let said = progress(&p, &phrases, pos);
        assert!(said.starts_with("C, rep 2 of 3. "), "{said}");
        assert!(
            said.ends_with(&match minutes {
                0 => "Less than a minute left.".to_string(),
                1 => "About 1 minute left.".to_string(),
                m => format!("About {m} minutes left."),
            }),
            "{said} at {} s left",
            left(pos)
        );
        // In B's second side: its name and side.
        let said = progress(&p, &phrases, work(&p, 2).start + SEC);
        assert!(said.starts_with("B, R. "), "{said}");
        // In the rest after A: what comes next.
        let rest = p
            .periods
            .iter()
            .find(|x| x.kind == PeriodKind::Rest)
            .unwrap();
        let said = progress(&p, &phrases, rest.start + SEC);
        assert!(said.starts_with("Resting, then B. "), "{said}");
        // In German.
        let de = Phrases::for_language("de");
        let said = progress(&p, &de, c.start + SEC);
        assert!(said.starts_with("C, Wiederholung 1 von 3. Noch "), "{said}");
        // Far from the end, the minutes.
        let long = plan_of_text(
            "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"10m\"\n",
            &|t: &str| t.len() as u64 * 1000,
        );
        let w = work(&long, 0);
        assert!(progress(&long, &phrases, w.start).ends_with("A. About 10 minutes left."));
    }

    #[test]
    fn a_free_moment_keeps_the_pause_from_every_sound() {
        let p = plan();
        let w = work(&p, 0);
        // During A's hold, from its start: the first gap after the start
        // tone and clear of "Halfway." and the countdown.
        let len = SEC;
        let at = free_moment(&p, w.start, len, &[]).unwrap();
        for e in &p.events {
            assert!(
                e.end() + PAUSE <= at || at + len + PAUSE <= e.start,
                "{e:?} too near {at}"
            );
        }
        let tone_end = w.start + crate::timeline::ToneKind::Start.samples();
        assert_eq!(at, tone_end + PAUSE);
        // A moment already taken is kept clear too.
        let next = free_moment(&p, w.start, len, &[(at, len)]).unwrap();
        assert!(next >= at + len + PAUSE);
        // Nothing fits after the session's end.
        assert_eq!(free_moment(&p, p.total_samples - 10, len, &[]), None);
    }
}
