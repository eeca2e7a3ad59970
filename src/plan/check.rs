//! The timing contract as checks on a finished plan, for the fuzzer and the
//! property tests: whatever the routine, a plan that passes these keeps the
//! promises ROUTINE-FORMAT.md makes.

use super::{LEAD_IN, PAUSE, Plan, TAIL};
use crate::timeline::time::RATE;
use crate::timeline::{PeriodKind, Sound, ToneKind};

/// Every promise that needs only the plan; the first broken one, described.
pub fn check(plan: &Plan) -> Result<(), String> {
    let events = &plan.events;
    // Sorted, and no sound overlaps another: speech never talks over
    // speech or a tone, and tones never run into each other.
    for pair in events.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.start < a.start {
            return Err(format!("events out of order: {a:?} before {b:?}"));
        }
        if a.end() > b.start {
            return Err(format!("{a:?} overlaps {b:?}"));
        }
    }
    // Utterances never run together: at least PAUSE between any two.
    let mut last_speech: Option<&super::Event> = None;
    for e in events
        .iter()
        .filter(|e| matches!(e.sound, Sound::Speech(_)))
    {
        if let Some(a) = last_speech
            && a.end() + PAUSE > e.start
        {
            return Err(format!(
                "{a:?} and {e:?} are closer than the pause between utterances"
            ));
        }
        last_speech = Some(e);
    }
    // Periods follow each other without overlapping, inside the session.
    let mut end = LEAD_IN;
    for p in &plan.periods {
        if p.start < end {
            return Err(format!("period {p:?} starts before {end}"));
        }
        end = p.start + p.len;
    }
    let last_sound = events.last().map_or(LEAD_IN, |e| e.end());
    let last_period = plan.periods.last().map_or(LEAD_IN, |p| p.start + p.len);
    // The session is its parts: lead-in, sounds and periods, and the tail.
    if plan.total_samples != last_sound.max(last_period) + TAIL {
        return Err(format!(
            "total {} is not the last sound ({last_sound}) or period ({last_period}) plus the tail",
            plan.total_samples
        ));
    }
    if events.first().is_some_and(|e| e.start < LEAD_IN) {
        return Err("a sound starts in the lead-in".into());
    }
    // Every sound of a period lies within it (its end tone right at its
    // end); announcements lie between periods.
    let mut i = 0;
    for e in events {
        while i < plan.periods.len() && plan.periods[i].start + plan.periods[i].len < e.start {
            i += 1;
        }
        // A sound at the boundary of two periods is the later one's start
        // tone or the earlier one's end tone.
        let inside = plan.periods[i.min(plan.periods.len())..]
            .iter()
            .take(2)
            .filter(|p| p.start <= e.start && e.start <= p.start + p.len)
            .find(|p| e.period.is_none_or(|k| k == p.kind))
            .or_else(|| {
                plan.periods
                    .get(i)
                    .filter(|p| p.start <= e.start && e.start <= p.start + p.len)
            });
        match (e.period, inside) {
            (Some(kind), Some(p)) => {
                let at_end = e.start == p.start + p.len;
                let end_tone = e.sound == Sound::Tone(ToneKind::End);
                if kind != p.kind || at_end != end_tone {
                    return Err(format!("{e:?} does not belong where it is, in {p:?}"));
                }
                if !end_tone && e.end() > p.start + p.len {
                    return Err(format!("{e:?} runs past the end of {p:?}"));
                }
            }
            (Some(_), None) => return Err(format!("{e:?} is outside every period")),
            (None, Some(p)) if e.start > p.start && e.start < p.start + p.len => {
                return Err(format!("announcement {e:?} inside {p:?}"));
            }
            (None, _) => {}
        }
    }
    // Countdowns: in a get-ready, switch or set rest, "N" (or a pip)
    // sounds exactly N seconds before the period ends, unless the plan
    // reports it moved or dropped.
    let sec = RATE;
    for e in events {
        let Some(kind) = e.period else { continue };
        if !matches!(
            kind,
            PeriodKind::GetReady | PeriodKind::Switch | PeriodKind::SetRest
        ) {
            continue;
        }
        let Some(p) = plan
            .periods
            .iter()
            .find(|p| p.start <= e.start && e.start < p.start + p.len)
        else {
            continue;
        };
        let p_end = p.start + p.len;
        let on_a_second = (p_end - e.start) % sec == 0;
        let reported = plan
            .adjustments
            .iter()
            .any(|a| a.moved_to == Some(e.start) && a.sound == e.sound);
        match &e.sound {
            Sound::Speech(text) => {
                if let Ok(n) = text.trim_end_matches('.').parse::<u64>()
                    && e.start + n * sec != p_end
                    && !reported
                {
                    return Err(format!(
                        "countdown {n} at {} is not {n} s before the end of {p:?}",
                        e.start
                    ));
                }
            }
            Sound::Tone(ToneKind::Countdown) if !on_a_second && !reported => {
                return Err(format!("a countdown pip at {} is off the second", e.start));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Checked, check_bytes};

    fn plan() -> Plan {
        let text = "title = \"T\"
[[exercise]]
name = \"A\"
hold = \"20s\"
sides = [\"L\", \"R\"]
cues = [{ every = \"4s\", say = \"Breathe.\" }]
[[exercise]]
name = \"B\"
reps = 3
count = \"tone\"
";
        match check_bytes(text.as_bytes()) {
            Checked::Planned(p) => p.1,
            _ => panic!("loads"),
        }
    }

    #[test]
    fn a_good_plan_passes_and_each_broken_promise_is_caught() {
        let good = plan();
        assert_eq!(check(&good), Ok(()));

        let countdown = good
            .events
            .iter()
            .position(|e| e.sound == Sound::Speech("3".into()) && e.period.is_some())
            .unwrap();
        let mut p = good.clone();
        p.events[countdown].start += 1;
        assert!(check(&p).unwrap_err().starts_with("countdown 3 at"));

        let mut p = good.clone();
        let speech = p
            .events
            .iter()
            .position(|e| e.sound == Sound::Speech("Breathe.".into()))
            .unwrap();
        p.events[speech].len = p.events[speech + 1].start - p.events[speech].start + 1;
        assert!(check(&p).unwrap_err().contains("overlaps"));

        let mut p = good.clone();
        p.total_samples += 1;
        assert!(check(&p).unwrap_err().starts_with("total"));

        let mut p = good.clone();
        p.periods[1].start -= 1;
        assert!(check(&p).is_err());

        let mut p = good.clone();
        let first_period = p.events.iter().position(|e| e.period.is_some()).unwrap();
        p.events[first_period].period = None;
        assert!(check(&p).unwrap_err().starts_with("announcement"));
    }
}
