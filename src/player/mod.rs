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

use crate::plan::Plan;
use crate::sessions::Reason;
use crate::timeline::PeriodKind;
use crate::timeline::time::secs;
use controls::Control;

pub use session::{Live, Start, Started};

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
pub fn target(plan: &Plan, pos: u64, control: Control) -> Option<u64> {
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
        assert_eq!(target(&p, in_a, Control::Next), Some(starts[1].sample));
        let in_c = work(&p, 3).start + SEC;
        let last = p.events.last().unwrap().start;
        assert_eq!(target(&p, in_c, Control::Next), Some(last));
        assert_eq!(target(&p, last + 1, Control::Next), None);
    }

    #[test]
    fn back_restarts_this_exercise_or_just_after_its_start_the_one_before() {
        let p = plan();
        let starts = p.exercise_starts();
        // In B's second side: back to B's announcement.
        let in_b = work(&p, 2).start + 2 * SEC;
        assert_eq!(target(&p, in_b, Control::Back), Some(starts[1].sample));
        // Just after B started: back to A.
        assert_eq!(
            target(&p, starts[1].sample + SEC, Control::Back),
            Some(starts[0].sample)
        );
        // During the title, back to the very start.
        assert_eq!(target(&p, 10, Control::Back), Some(p.events[0].start));
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
            target(&p, w.start + 12 * SEC, Control::Repeat),
            Some(get_ready.start)
        );
        // In a rest: the rest again.
        let rest = p
            .periods
            .iter()
            .find(|x| x.kind == PeriodKind::Rest)
            .unwrap();
        assert_eq!(
            target(&p, rest.start + SEC, Control::Repeat),
            Some(rest.start)
        );
        // During an announcement: that sentence again.
        let name = p.exercise_starts()[2].sample;
        assert_eq!(target(&p, name + 100, Control::Repeat), Some(name));
    }
}
