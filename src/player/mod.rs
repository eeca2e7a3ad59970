//! Live playback: the session source on a sound device, the controls that
//! steer it, and the display that follows it. No sound is placed by a clock
//! here: the controls only move the timeline the audio thread renders.

pub mod controls;
pub mod display;
pub mod live;
pub mod speech;

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::SAMPLE_RATE;
use crate::plan::Plan;
use controls::Command;
use display::Display;
use live::{Request, Shared};

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

/// If the timeline does not move for this long while playing, the device
/// has stopped taking audio.
const STALL: Duration = Duration::from_secs(5);

/// Where the controls move the timeline, from timeline sample `pos`.
pub fn target(plan: &Plan, pos: u64, command: Command) -> Option<u64> {
    let starts = plan.exercise_starts();
    match command {
        Command::Next => starts
            .iter()
            .find(|s| s.sample > pos)
            .map(|s| s.sample)
            // After the last exercise: its closing words.
            .or_else(|| plan.events.last().map(|e| e.start).filter(|s| *s > pos)),
        Command::Back => {
            let current = starts.iter().rposition(|s| s.sample <= pos);
            match current {
                None => plan.events.first().map(|e| e.start),
                // Just after an exercise's start, "back" means the one before.
                Some(i) if pos - starts[i].sample < 3 * SAMPLE_RATE as u64 && i > 0 => {
                    Some(starts[i - 1].sample)
                }
                Some(i) => Some(starts[i].sample),
            }
        }
        Command::Repeat => match plan.period_at(pos) {
            Some(i) => {
                let p = &plan.periods[i];
                // A hold is repeated with the count-in that led into it.
                let lead_in = i.checked_sub(1).map(|j| &plan.periods[j]).filter(|q| {
                    p.kind == crate::script::PeriodKind::Work && q.start + q.len == p.start
                });
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

/// Runs the session until it ends, applying commands from `commands` and
/// updating `display`; `speech` says the texts when the voice gives no
/// audio of its own.
pub fn run(
    shared: &Shared,
    device_error: &dyn Fn() -> Option<String>,
    plan: &Plan,
    commands: &Receiver<Command>,
    display: &mut Display,
    mut speech: Option<&mut speech::SpeechDriver>,
    log: &mut crate::sessions::journal::Tracker<'_>,
) -> Ending {
    let mut last_pulled = shared.pulled();
    let mut last_move = Instant::now();
    loop {
        let tick = if speech.is_some() {
            speech::TICK
        } else {
            display::tick(display)
        };
        match commands.recv_timeout(tick) {
            Ok(command) => {
                let pos = shared.position();
                match command {
                    Command::Quit => return Ending::Quit,
                    Command::Signal(s) => return Ending::Signal(s),
                    Command::TogglePause if shared.waiting() => {}
                    Command::TogglePause => {
                        let resume = shared.paused();
                        if resume {
                            log.resume(pos);
                        } else {
                            log.pause(pos);
                        }
                        shared.request(if resume {
                            Request::Resume
                        } else {
                            Request::Pause
                        });
                        if let Some(s) = speech.as_deref_mut() {
                            if resume {
                                s.resume(shared);
                            } else {
                                s.pause(shared);
                            }
                        }
                    }
                    other => {
                        if !shared.waiting()
                            && let Some(to) = target(plan, pos, other)
                        {
                            log.seek(pos, to);
                            shared.request(Request::Seek(to));
                            if let Some(s) = speech.as_deref_mut() {
                                s.seek(shared, to);
                            }
                        }
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // No controls at all (both watchers gone): keep playing.
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(tick),
        }
        if let Some(s) = speech.as_deref_mut() {
            s.poll(shared);
        }
        if let Some(e) = device_error() {
            return Ending::DeviceLost(e);
        }
        if shared.finished() {
            return Ending::Finished;
        }
        if !shared.waiting() {
            log.tick(shared.position());
        }
        let pulled = shared.pulled();
        if pulled != last_pulled {
            last_pulled = pulled;
            last_move = Instant::now();
        } else if last_move.elapsed() > STALL {
            return Ending::DeviceLost("the sound device stopped taking audio".into());
        }
        display.update(plan, shared.position(), shared.paused());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::PeriodKind;

    const SEC: u64 = SAMPLE_RATE as u64;

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
        crate::plan::of_text(text, &|t: &str| t.len() as u64 * 1000)
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
        assert_eq!(target(&p, in_a, Command::Next), Some(starts[1].sample));
        let in_c = work(&p, 3).start + SEC;
        let last = p.events.last().unwrap().start;
        assert_eq!(target(&p, in_c, Command::Next), Some(last));
        assert_eq!(target(&p, last + 1, Command::Next), None);
    }

    #[test]
    fn back_restarts_this_exercise_or_just_after_its_start_the_one_before() {
        let p = plan();
        let starts = p.exercise_starts();
        // In B's second side: back to B's announcement.
        let in_b = work(&p, 2).start + 2 * SEC;
        assert_eq!(target(&p, in_b, Command::Back), Some(starts[1].sample));
        // Just after B started: back to A.
        assert_eq!(
            target(&p, starts[1].sample + SEC, Command::Back),
            Some(starts[0].sample)
        );
        // During the title, back to the very start.
        assert_eq!(target(&p, 10, Command::Back), Some(p.events[0].start));
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
            target(&p, w.start + 12 * SEC, Command::Repeat),
            Some(get_ready.start)
        );
        // In a rest: the rest again.
        let rest = p
            .periods
            .iter()
            .find(|x| x.kind == PeriodKind::Rest)
            .unwrap();
        assert_eq!(
            target(&p, rest.start + SEC, Command::Repeat),
            Some(rest.start)
        );
        // During an announcement: that sentence again.
        let name = p.exercise_starts()[2].sample;
        assert_eq!(target(&p, name + 100, Command::Repeat), Some(name));
    }
}
