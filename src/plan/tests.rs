//! The timing contract of ROUTINE-FORMAT.md, asserted on plan values.

use super::*;
use crate::pipeline::plan_of_text;
use crate::timeline::Dur;
use crate::timeline::time::clock;

const SEC: u64 = RATE;

/// Speech as long as its text: 1,000 samples (45 ms) a character.
fn speech_len(text: &str) -> u64 {
    text.chars().count() as u64 * 1000
}

fn plan_with(text: &str, len: &dyn Fn(&str) -> u64) -> Plan {
    plan_of_text(text, &len)
}

fn plan(text: &str) -> Plan {
    let p = plan_with(text, &speech_len);
    assert_invariants(&p);
    p
}

fn tones(p: &Plan, kind: ToneKind) -> Vec<u64> {
    p.events
        .iter()
        .filter(|e| e.sound == Sound::Tone(kind))
        .map(|e| e.start)
        .collect()
}

fn works(p: &Plan) -> Vec<&PlacedPeriod> {
    p.periods
        .iter()
        .filter(|x| x.kind == PeriodKind::Work)
        .collect()
}

/// What every plan must satisfy, whatever the routine.
fn assert_invariants(p: &Plan) {
    // Sorted, and no speech overlaps speech or a tone.
    for pair in p.events.windows(2) {
        assert!(pair[0].start <= pair[1].start, "events sorted");
    }
    let speech: Vec<&Event> = p
        .events
        .iter()
        .filter(|e| matches!(e.sound, Sound::Speech(_)))
        .collect();
    for s in &speech {
        for other in &p.events {
            if std::ptr::eq(*s, other) {
                continue;
            }
            let overlap = s.start < other.end() && other.start < s.end();
            assert!(!overlap, "{:?} overlaps {:?}", s, other);
        }
    }
    // Every work period opens with its start tone and closes with its end tone.
    let starts = tones(p, ToneKind::Start);
    let ends = tones(p, ToneKind::End);
    let work: Vec<&PlacedPeriod> = works(p);
    assert_eq!(starts.len(), work.len());
    assert_eq!(ends.len(), work.len());
    for (i, w) in work.iter().enumerate() {
        assert_eq!(starts[i], w.start);
        assert_eq!(ends[i], w.start + w.len);
    }
    // Periods follow one another, each from the end of what came before it.
    for pair in p.periods.windows(2) {
        assert!(pair[0].start + pair[0].len <= pair[1].start);
    }
    for (i, period) in p.periods.iter().enumerate() {
        // A get-ready right after a rest starts where the rest ends.
        let previous = i
            .checked_sub(1)
            .map(|j| &p.periods[j])
            .filter(|q| q.kind != PeriodKind::Work)
            .map_or(LEAD_IN, |q| q.start + q.len);
        let before = p
            .events
            .iter()
            .filter(|e| e.start < period.start)
            .map(|e| e.end())
            .max()
            .unwrap_or(LEAD_IN)
            .max(previous);
        if period.kind != PeriodKind::Work {
            assert_eq!(
                before, period.start,
                "{:?} starts where the sound before it ends",
                period
            );
        }
    }
    // The contract's own checks, the pause between utterances among them.
    assert_eq!(check::check(p), Ok(()));
    // Nothing sounds during the lead-in or the tail.
    assert_eq!(p.events.first().map(|e| e.start), Some(LEAD_IN));
    let last_end = p.events.iter().map(Event::end).max().unwrap();
    assert_eq!(p.total_samples, last_end + TAIL);
}

#[test]
fn hold_starts_and_ends_exactly() {
    let p = plan(
        r#"title = "T"
[[exercise]]
name = "Stretch"
hold = "30s"
get_ready = "5s"
rest = "10s"
[[exercise]]
name = "Other"
hold = "1.5s"
countdown = 0
"#,
    );
    let work = works(&p);
    assert_eq!(work[0].len, 30 * SEC);
    assert_eq!(work[1].len, 33_075, "1.5 s is 33,075 samples");
    let kinds: Vec<(PeriodKind, u64)> = p.periods.iter().map(|x| (x.kind, x.len)).collect();
    assert_eq!(
        kinds,
        [
            (PeriodKind::GetReady, 5 * SEC),
            (PeriodKind::Work, 30 * SEC),
            (PeriodKind::Rest, 10 * SEC),
            (PeriodKind::GetReady, 5 * SEC),
            (PeriodKind::Work, 33_075),
        ]
    );
    // The end is said after the end tone ("And relax."), and the rest
    // starts when that has been said.
    let relax = p
        .events
        .iter()
        .find(|e| e.sound == Sound::Speech("And relax.".into()))
        .unwrap();
    assert_eq!(
        relax.start,
        work[0].start + work[0].len + ToneKind::End.samples() + TONE_GAP
    );
    assert_eq!(p.periods[2].start, relax.end());
    // The get-ready starts as the last announcement ends.
    let announce = p
        .events
        .iter()
        .rfind(|e| e.period.is_none() && e.start < p.periods[0].start)
        .unwrap();
    assert_eq!(announce.end(), p.periods[0].start);
}

#[test]
fn reps_with_tempo_end_exactly_reps_times_tempo_later() {
    let p = plan(
        r#"title = "T"
[[exercise]]
name = "Cat-cow"
reps = 7
tempo = [{ say = "In.", time = "1.3s" }, { say = "Out.", time = "2.101s" }]
[[exercise]]
name = "Squat"
reps = 3
rep_time = "2.5s"
count = "tone"
"#,
    );
    let work = works(&p);
    // 7 × 3.401 s = 23.807 s = 524,944.35 samples: rounded once, not per rep.
    assert_eq!(work[0].len, Dur::from_micros(23_807_000).samples());
    assert_eq!(work[0].len, 524_944);
    assert_eq!(work[1].len, Dur::from_millis(7_500).samples());
    // Later reps start exactly at their offset.
    let rep5 = p
        .events
        .iter()
        .find(|e| e.sound == Sound::Speech("5. In.".into()))
        .unwrap();
    assert_eq!(
        rep5.start,
        work[0].start + Dur::from_micros(4 * 3_401_000).samples()
    );
    assert!(p.adjustments.is_empty(), "{:?}", p.adjustments);
    // The last rep is said as the last.
    let last = p
        .events
        .iter()
        .find(|e| {
            e.place.rep == Some(7)
                && e.start == work[0].start + Dur::from_micros(6 * 3_401_000).samples()
        })
        .unwrap();
    assert_eq!(last.sound, Sound::Speech("Last one. In.".into()));
    let out3 = p
        .events
        .iter()
        .filter(|e| e.sound == Sound::Speech("Out.".into()))
        .nth(2)
        .unwrap();
    assert_eq!(
        out3.start,
        work[0].start + Dur::from_micros(2 * 3_401_000 + 1_300_000).samples()
    );
    // Tone counting: a tick at each rep after the first.
    let ticks = tones(&p, ToneKind::Tick);
    assert_eq!(
        ticks,
        [
            work[1].start + Dur::from_millis(2500).samples(),
            work[1].start + 5 * SEC
        ]
    );
}

#[test]
fn sides_sets_and_rounds_have_exact_periods() {
    let p = plan(
        r#"title = "T"
rounds = 2
round_rest = "20s"
[[exercise]]
name = "Lunge"
sides = ["Left", "Right", "Centre"]
sets = 2
hold = "12s"
switch = "4s"
set_rest = "6.5s"
[[exercise]]
name = "Plank"
hold = "20s"
get_ready = 0
"#,
    );
    let kinds: Vec<(PeriodKind, u64)> = p.periods.iter().map(|x| (x.kind, x.len)).collect();
    let lunge = [
        (PeriodKind::GetReady, 5 * SEC),
        (PeriodKind::Work, 12 * SEC),
        (PeriodKind::Switch, 4 * SEC),
        (PeriodKind::Work, 12 * SEC),
        (PeriodKind::Switch, 4 * SEC),
        (PeriodKind::Work, 12 * SEC),
        (PeriodKind::SetRest, 143_325),
        (PeriodKind::Work, 12 * SEC),
        (PeriodKind::Switch, 4 * SEC),
        (PeriodKind::Work, 12 * SEC),
        (PeriodKind::Switch, 4 * SEC),
        (PeriodKind::Work, 12 * SEC),
        (PeriodKind::Rest, 10 * SEC),
    ];
    let mut want: Vec<(PeriodKind, u64)> = lunge.to_vec();
    // A get-ready of 0 is no period at all: the start tone follows the
    // announcement at once.
    want.push((PeriodKind::Work, 20 * SEC));
    want.push((PeriodKind::Rest, 20 * SEC));
    want.extend(lunge);
    want.push((PeriodKind::Work, 20 * SEC));
    assert_eq!(kinds, want);

    let says: Vec<&str> = p
        .events
        .iter()
        .filter_map(|e| match (&e.sound, e.period) {
            (Sound::Speech(t), None) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert!(says.starts_with(&[
        "T. 2 exercises, about 5 minutes.",
        "Round 1 of 2.",
        "Lunge. 2 sets of 12 seconds, each side.",
        "Set 1 of 2.",
        "Left."
    ]));
    // The rest between sets is said as a rest, with its length.
    assert!(says.contains(&"Rest, 6.5 seconds. Then set 2 of 2."));
    assert!(says.contains(&"Switch sides. Centre."));
    assert_eq!(says.last(), Some(&"Routine complete. Well done."));
    let plank_announce = p
        .events
        .iter()
        .find(|e| e.sound == Sound::Speech("Plank. 20 seconds.".into()))
        .unwrap();
    assert_eq!(works(&p)[6].start, plank_announce.end());
}

#[test]
fn countdown_numbers_lead_into_their_tone_by_whole_seconds() {
    let p = plan(
        r#"title = "T"
[defaults]
countdown = 5
[[exercise]]
name = "A"
hold = "20s"
get_ready = "3.5s"
[[exercise]]
name = "B"
hold = "4s"
count = "tone"
"#,
    );
    let starts = tones(&p, ToneKind::Start);
    let ends = tones(&p, ToneKind::End);
    let mut seen = 0;
    for e in &p.events {
        let n = match &e.sound {
            Sound::Speech(t) => match t.parse::<u64>() {
                Ok(n) => n,
                Err(_) => continue,
            },
            _ => continue,
        };
        let into = if e.period == Some(PeriodKind::Work) {
            ends.iter().find(|t| **t > e.start)
        } else {
            starts.iter().find(|t| **t > e.start)
        };
        assert_eq!(*into.unwrap() - e.start, n * SEC, "{e:?}");
        seen += 1;
    }
    // A: get-ready of 3.5 s counts from 3; the hold counts 5..1.
    // B: pips instead of numbers.
    assert_eq!(seen, 3 + 5);
    let pips = tones(&p, ToneKind::Countdown);
    assert_eq!(
        pips.len(),
        5 + 3,
        "B's get-ready from 5, its 4 s hold from 3"
    );
    assert_eq!(starts[1] - pips[0], 5 * SEC);
    assert_eq!(ends[1] - pips[7], SEC);
}

#[test]
fn a_cue_colliding_with_halfway_is_moved_after_it_and_reported() {
    let p = plan(
        r#"title = "T"
[[exercise]]
name = "A"
hold = "30s"
cues = [{ at = "15s", say = "Keep breathing." }]
"#,
    );
    let work = works(&p)[0];
    let halfway = p
        .events
        .iter()
        .find(|e| e.sound == Sound::Speech("Halfway.".into()))
        .unwrap();
    assert_eq!(
        halfway.start,
        work.start + 15 * SEC,
        "halfway outranks a cue"
    );
    let cue = p
        .events
        .iter()
        .find(|e| e.sound == Sound::Speech("Keep breathing.".into()))
        .unwrap();
    assert_eq!(cue.start, halfway.end() + PAUSE);
    assert_eq!(p.adjustments.len(), 1);
    let a = &p.adjustments[0];
    assert_eq!(a.wanted, work.start + 15 * SEC);
    assert_eq!(a.moved_to, Some(cue.start));
    assert_eq!(a.reason, "it would overlap \"Halfway.\"");
    assert!(a.span.is_some(), "points at the cue in the file");
    assert_eq!(
        p.adjustment_message(a),
        format!(
            "\"Keep breathing.\" in A, at 15s into the hold, was moved {:.2} s later ({} to {} in the session): it would overlap \"Halfway.\"",
            (8_000 + PAUSE) as f64 / SEC as f64,
            clock(work.start + 15 * SEC),
            clock(cue.start)
        )
    );
}

#[test]
fn priorities_decide_who_moves_and_what_is_dropped() {
    // Long speech: 5,000 samples (0.23 s) a character.
    let slow = |t: &str| t.chars().count() as u64 * 5000;
    let p = plan_with(
        r#"title = "T"
[[exercise]]
name = "A"
hold = "10s"
count_every = "2s"
cues = [{ at = "2s", say = "Relax shoulders." }, { at = "9s", say = "Late cue." }]
"#,
        &slow,
    );
    assert_invariants(&p);
    let work = works(&p)[0];
    // The cue outranks the seconds count at 2 s; the count moves or drops.
    let cue = p
        .events
        .iter()
        .find(|e| e.sound == Sound::Speech("Relax shoulders.".into()))
        .unwrap();
    assert_eq!(cue.start, work.start + 2 * SEC);
    let two = p
        .adjustments
        .iter()
        .find(|a| a.sound == Sound::Speech("2".into()))
        .unwrap();
    assert_eq!(two.moved_to, None, "no room before the next count");
    assert_eq!(two.reason, "it would overlap \"Relax shoulders.\"");
    // The late cue cannot end before the countdown and the end tone.
    let late = p
        .adjustments
        .iter()
        .find(|a| a.sound == Sound::Speech("Late cue.".into()))
        .unwrap();
    assert_eq!(late.moved_to, None);
    // Countdown numbers are never moved.
    for n in ["3", "2", "1"] {
        let e = p
            .events
            .iter()
            .find(|e| e.sound == Sound::Speech(n.into()) && e.period == Some(PeriodKind::Work));
        let e = e.unwrap_or_else(|| panic!("countdown {n} placed"));
        assert_eq!(
            work.start + work.len - e.start,
            n.parse::<u64>().unwrap() * SEC
        );
    }
}

#[test]
fn a_countdown_longer_than_a_second_drops_the_number_it_would_overlap() {
    let p = plan_with(
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"10s\"\n",
        &|t: &str| if t == "3" { SEC * 3 / 2 } else { speech_len(t) },
    );
    assert_invariants(&p);
    // Once in the get-ready, once in the hold.
    assert_eq!(p.adjustments.len(), 2);
    for a in &p.adjustments {
        assert_eq!(a.sound, Sound::Speech("2".into()));
        assert_eq!(a.moved_to, None);
        assert_eq!(a.reason, "it would overlap \"3\"");
    }
    assert!(
        p.events
            .iter()
            .any(|e| e.sound == Sound::Speech("1".into()))
    );
}

#[test]
fn a_rest_too_short_for_its_phrase_stays_exact_and_drops_the_phrase() {
    let p = plan(
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"5s\"\nrest = \"0.5s\"\n[[exercise]]\nname = \"B\"\nhold = \"5s\"\n",
    );
    let rest = p
        .periods
        .iter()
        .find(|x| x.kind == PeriodKind::Rest)
        .unwrap();
    assert_eq!(rest.len, SEC / 2);
    assert_eq!(p.adjustments.len(), 1);
    assert_eq!(
        p.adjustments[0].reason,
        "it would not end before the rest ends"
    );
}

#[test]
fn the_rep_sounding_at_a_time() {
    let p = plan("title = \"T\"\n[[exercise]]\nname = \"A\"\nreps = 4\nrep_time = \"2s\"\n");
    let i = p
        .periods
        .iter()
        .position(|x| x.kind == PeriodKind::Work)
        .unwrap();
    let w = &p.periods[i];
    assert_eq!(p.rep_at(i, w.start), Some((1, 4)));
    assert_eq!(p.rep_at(i, w.start + 2 * SEC), Some((2, 4)));
    assert_eq!(p.rep_at(i, w.start + 7 * SEC), Some((4, 4)));
    let get_ready = i - 1;
    assert_eq!(p.rep_at(get_ready, w.start - SEC), None);
}

/// A routine whose exercises after the first are announced in the rest
/// before them; `rest` is the rest's length.
fn in_rest(rest: &str) -> String {
    format!(
        r#"title = "T"
[defaults]
announce_in_rest = true
rest = "{rest}"
[[exercise]]
name = "A"
hold = "10s"
[[exercise]]
name = "B"
say = ["Lie on your back.", "Bend your knees."]
reps = 3
"#
    )
}

#[test]
fn an_exercise_announced_in_the_rest_keeps_every_length_exact() {
    let p = plan(&in_rest("20s"));
    let rest = p
        .periods
        .iter()
        .find(|x| x.kind == PeriodKind::Rest)
        .unwrap();
    assert_eq!(rest.len, 20 * SEC);
    let in_the_rest: Vec<&str> = p
        .events
        .iter()
        .filter(|e| e.period == Some(PeriodKind::Rest))
        .map(|e| match &e.sound {
            Sound::Speech(t) => t.as_str(),
            other => panic!("{other:?} in the rest"),
        })
        .collect();
    assert_eq!(
        in_the_rest,
        [
            "Rest, 20 seconds. Next: B.",
            "B. 3 reps.",
            "Lie on your back.",
            "Bend your knees."
        ]
    );
    // Each after the one before it, with the pause between utterances,
    // all before the rest ends; nothing said of B after the rest but its
    // countdown, and nothing reported.
    let said: Vec<&Event> = p
        .events
        .iter()
        .filter(|e| e.period == Some(PeriodKind::Rest))
        .collect();
    for pair in said.windows(2) {
        assert_eq!(pair[1].start, pair[0].end() + PAUSE);
    }
    assert!(said.last().unwrap().end() + MIN_GAP <= rest.start + rest.len);
    let get_ready = &p.periods[p.periods.iter().position(|x| x == rest).unwrap() + 1];
    assert_eq!(get_ready.kind, PeriodKind::GetReady);
    assert_eq!(
        get_ready.start,
        rest.start + rest.len,
        "no announcement between"
    );
    assert!(p.adjustments.is_empty(), "{:?}", p.adjustments);
}

#[test]
fn what_does_not_fit_in_the_rest_is_said_after_it_and_reported() {
    let p = plan(&in_rest("3s"));
    let rest = p
        .periods
        .iter()
        .find(|x| x.kind == PeriodKind::Rest)
        .unwrap();
    assert_eq!(rest.len, 3 * SEC, "the rest keeps its length");
    // "Rest, 3 seconds. Next: B." (25 characters) fills 1.1 s of it and
    // "B. 3 reps." fits after it; the instructions go after the rest.
    let after: Vec<&Event> = p
        .events
        .iter()
        .filter(|e| e.period.is_none() && e.start >= rest.start + rest.len)
        .take(2)
        .collect();
    assert_eq!(after[0].sound, Sound::Speech("Lie on your back.".into()));
    assert_eq!(after[0].start, rest.start + rest.len);
    assert_eq!(after[1].sound, Sound::Speech("Bend your knees.".into()));
    assert_eq!(after[1].start, after[0].end() + SPEECH_GAP);
    assert_eq!(p.adjustments.len(), 2);
    for (a, e) in p.adjustments.iter().zip(&after) {
        assert_eq!(a.moved_to, Some(e.start));
        assert_eq!(
            a.reason,
            "the rest is too short for the announcement of the exercise after it; this part is said after the rest"
        );
        // Located at the name of the exercise it announces.
        let at = a.span.clone().unwrap();
        assert_eq!(&in_rest("3s")[at], "\"B\"");
    }
    // With no room even for its name, the whole announcement follows the
    // rest, in order.
    let p = plan(&in_rest("0.5s"));
    let said: Vec<String> = p
        .events
        .iter()
        .filter(|e| e.period.is_none())
        .map(|e| e.sound.describe())
        .collect();
    let from = said.iter().position(|t| t == "\"B. 3 reps.\"").unwrap();
    assert_eq!(
        said[from..from + 3],
        [
            "\"B. 3 reps.\"",
            "\"Lie on your back.\"",
            "\"Bend your knees.\""
        ]
    );
}

#[test]
fn a_countdown_right_after_a_rest_waits_the_pause_after_what_the_rest_said() {
    // The next exercise's get-ready is its countdown: "1" is wanted the
    // moment the rest ends, whose announcement may end 0.1 s before that.
    let mut moved = 0;
    for tenths in 10..60 {
        let text = in_rest(&format!("{}.{}s", tenths / 10, tenths % 10))
            .replace("reps = 3", "reps = 3\nget_ready = \"1s\"\ncountdown = 1");
        let p = plan(&text);
        let rest_end = p
            .periods
            .iter()
            .find(|x| x.kind == PeriodKind::Rest)
            .map(|x| x.start + x.len)
            .unwrap();
        let said_before = p
            .events
            .iter()
            .filter(|e| matches!(e.sound, Sound::Speech(_)) && e.start < rest_end)
            .map(Event::end)
            .max()
            .unwrap();
        if let Some(one) = p.events.iter().find(|e| {
            e.period == Some(PeriodKind::GetReady)
                && e.place.exercise == Some(1)
                && e.sound == Sound::Speech("1".into())
        }) {
            assert!(said_before + PAUSE <= one.start, "{tenths}: {one:?}");
        }
        let get_ready = p
            .periods
            .iter()
            .find(|x| x.kind == PeriodKind::GetReady && x.place.exercise == Some(1))
            .unwrap();
        // With nothing said between the rest and the get-ready.
        if said_before + PAUSE > rest_end && get_ready.start == rest_end {
            moved += 1;
            assert!(
                p.adjustments
                    .iter()
                    .any(|a| a.sound == Sound::Speech("1".into())
                        && a.reason == "it would overlap the words before it"),
                "{tenths}: {:?}",
                p.adjustments
            );
        }
    }
    assert!(moved > 0, "some rest ends within the pause of its words");
}

#[test]
fn a_countdown_with_no_room_after_an_announcement_shrinks_and_is_reported() {
    // The get-ready is as long as the countdown: "3" would start the
    // moment the announcement ends.
    let p = plan(
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"10s\"\nget_ready = \"3s\"\ncountdown = 3\n",
    );
    let get_ready = &p.periods[0];
    let counts: Vec<&Event> = p
        .events
        .iter()
        .filter(|e| e.period == Some(PeriodKind::GetReady))
        .collect();
    assert_eq!(counts.len(), 2);
    assert_eq!(counts[0].sound, Sound::Speech("2".into()));
    assert_eq!(counts[0].start, get_ready.start + get_ready.len - 2 * SEC);
    let a = &p.adjustments[0];
    assert_eq!(a.sound, Sound::Speech("3".into()));
    assert_eq!(a.moved_to, None);
    assert_eq!(a.reason, "it would overlap the announcement before it");
}

#[test]
fn utterances_never_come_closer_than_the_pause() {
    // Counts every second of quick reps with words, cues every 2 s and a
    // countdown: everything wants to be said at once.
    let p = plan(
        r#"title = "T"
[[exercise]]
name = "A"
hold = "20s"
count_every = "1s"
cues = [{ every = "2s", say = "Breathe." }]
get_ready = "1s"
[[exercise]]
name = "B"
reps = 10
tempo = [{ say = "Up.", time = "1s" }, { say = "Down.", time = "1s" }]
countdown = 5
"#,
    );
    let speech: Vec<&Event> = p
        .events
        .iter()
        .filter(|e| matches!(e.sound, Sound::Speech(_)))
        .collect();
    assert!(speech.len() > 30);
    for pair in speech.windows(2) {
        assert!(
            pair[0].end() + PAUSE <= pair[1].start,
            "{:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    // And the check finds two utterances run together.
    let mut broken = p.clone();
    let i = broken
        .events
        .iter()
        .position(|e| matches!(e.sound, Sound::Speech(_)) && e.period == Some(PeriodKind::Work))
        .unwrap();
    let j = i
        + broken.events[i + 1..]
            .iter()
            .position(|e| matches!(e.sound, Sound::Speech(_)))
            .unwrap()
        + 1;
    broken.events[j].start = broken.events[i].end() + PAUSE - 1;
    assert!(
        check::check(&broken)
            .unwrap_err()
            .contains("closer than the pause")
    );
}
