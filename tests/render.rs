//! Rendered audio holds the timing contract: each routine is rendered to a
//! WAV with real espeak-ng speech, read back, and every tone found by its
//! frequency alone must sit at the sample the plan gives.

mod common;

use common::*;
use serde_json::Value;

/// Samples in `seconds`, computed here rather than by coach.
fn samples(seconds: f64) -> usize {
    (seconds * RATE).round() as usize
}

/// Renders `routine`, checks the audio against its cue sheet, and returns
/// the work periods' lengths measured from the tones in the audio.
fn check_render(routine: &str) -> Vec<usize> {
    let env = Env::new();
    let plan = env.plan(routine);
    let audio = env.render(routine);

    assert_eq!(
        audio.len(),
        u(&plan["total_samples"]),
        "file length is total_samples"
    );
    let events = events(&plan);
    let first = events.iter().map(|e| u(&e["start_sample"])).min().unwrap();
    let last = events.iter().map(|e| u(&e["end_sample"])).max().unwrap();
    assert!(first >= samples(0.5), "half a second of silence first");
    assert!(
        audio.len() - last >= samples(0.5),
        "and at least that at the end"
    );

    // Silence wherever the plan puts no sound, sound where it puts one.
    let mut covered = vec![false; audio.len()];
    for e in events {
        let (a, b) = (u(&e["start_sample"]), u(&e["end_sample"]));
        covered[a..b].iter_mut().for_each(|c| *c = true);
        let sound = &audio[a..b];
        let adjacent = events.iter().any(|o| u(&o["end_sample"]) == a);
        if !adjacent {
            assert_eq!(audio[a - 1], 0, "silence just before {e}");
        }
        assert_ne!(sound[0], 0, "{e} sounds from its first sample");
        assert_ne!(sound[sound.len() - 1], 0, "{e} sounds to its last sample");
        match e["kind"].as_str().unwrap() {
            "tone" => {
                let hz = e["hz"].as_f64().unwrap();
                assert!(purity(sound, hz) > 0.9, "{e} is a pure {hz} Hz tone");
            }
            "speech" => {
                assert!(rms(sound) > 500.0, "{e} holds speech (rms {})", rms(sound));
                assert!(
                    TONES.iter().all(|(hz, _)| purity(sound, *hz) < 0.5),
                    "{e} is not a tone"
                );
            }
            other => panic!("unknown kind {other}"),
        }
    }
    let stray = covered.iter().zip(&audio).position(|(c, s)| !c && *s != 0);
    assert_eq!(stray, None, "sound outside every planned event");

    // Tones found from the audio alone match the plan's tones one for one.
    let found = find_tones(&audio);
    let planned: Vec<(usize, f64)> = events
        .iter()
        .filter(|e| e["kind"] == "tone")
        .map(|e| (u(&e["start_sample"]), e["hz"].as_f64().unwrap()))
        .collect();
    let heard: Vec<(usize, f64)> = found.iter().map(|t| (t.onset, t.hz)).collect();
    assert_eq!(heard.len(), planned.len(), "no tone missing or extra");
    for (h, p) in heard.iter().zip(&planned) {
        assert!(h.0.abs_diff(p.0) <= 1, "tone at {} planned at {}", h.0, p.0);
        assert_eq!(h.1, p.1);
    }

    // Work periods measured from the audio: start tone onset to end tone onset.
    let starts: Vec<usize> = found
        .iter()
        .filter(|t| t.hz == 880.0)
        .map(|t| t.onset)
        .collect();
    let ends: Vec<usize> = found
        .iter()
        .filter(|t| t.hz == 587.0)
        .map(|t| t.onset)
        .collect();
    assert_eq!(starts.len(), ends.len());
    starts.iter().zip(&ends).map(|(s, e)| e - s).collect()
}

/// The silent periods (get-ready, switch, set rest, rest) measured from the
/// audio: from the end of the sound before them to the tone or announcement
/// after them.
fn check_periods(routine: &str) {
    let env = Env::new();
    let plan = env.plan(routine);
    let events = events(&plan);
    for p in plan["periods"].as_array().unwrap() {
        if p["period"] == "work" {
            continue;
        }
        let (a, b) = (u(&p["start_sample"]), u(&p["end_sample"]));
        let before = events
            .iter()
            .map(|e| u(&e["end_sample"]))
            .filter(|end| *end <= a)
            .max()
            .unwrap();
        assert_eq!(before, a, "{p} starts as the sound before it ends");
        let after = events
            .iter()
            .filter(|e| u(&e["start_sample"]) >= b)
            .min_by_key(|e| u(&e["start_sample"]))
            .unwrap();
        assert_eq!(
            u(&after["start_sample"]),
            b,
            "{p} ends as the next thing starts"
        );
    }
}

#[test]
fn bundled_routine_keeps_its_timing() {
    let works = check_render("hamstring-lower-back");
    // Four 30 s holds (the standing stretch per leg), 12 cat-cows of 8 s,
    // 12 pelvic tilts of 7 s.
    let want: Vec<usize> = [30.0, 30.0, 30.0, 30.0, 96.0, 84.0]
        .iter()
        .map(|s| samples(*s))
        .collect();
    assert_eq!(works, want);
    check_periods("hamstring-lower-back");
}

#[test]
fn sides_and_sets_keep_their_timing() {
    let routine = fixture("sides-sets.toml");
    let works = check_render(&routine);
    let want: Vec<usize> = [6.5, 6.5, 6.5, 6.5, 21.0]
        .iter()
        .map(|s| samples(*s))
        .collect();
    assert_eq!(works, want);
    check_periods(&routine);
}

#[test]
fn reps_with_tempo_and_rounds_keep_their_timing() {
    let routine = fixture("tempo-reps.toml");
    let works = check_render(&routine);
    let want: Vec<usize> = [13.0, 6.0, 13.0, 6.0].iter().map(|s| samples(*s)).collect();
    assert_eq!(works, want);
    check_periods(&routine);

    // Each rep's count and phrase start exactly on the rep's beat.
    let env = Env::new();
    let plan = env.plan(&routine);
    let events = events(&plan);
    let work_start = |round: u64| -> usize {
        let e = events
            .iter()
            .find(|e| e["tone"] == "start" && e["round"] == round)
            .unwrap();
        u(&e["start_sample"])
    };
    for round in [1, 2] {
        let start = work_start(round);
        for rep in 2..=4u64 {
            let count = events
                .iter()
                .find(|e| e["text"] == format!("{rep}, Down.") && e["round"] == round)
                .unwrap();
            let at = start + samples((rep - 1) as f64 * 3.25);
            assert_eq!(u(&count["start_sample"]), at, "{count}");
            assert_eq!(count["rep"], rep);
        }
    }
    // Calf raises count by tick: one at each rep after the first.
    let ticks: Vec<&Value> = events.iter().filter(|e| e["tone"] == "tick").collect();
    assert_eq!(ticks.len(), 2 * 4);
}

#[test]
fn cues_and_tone_counts_keep_their_timing() {
    let routine = fixture("cues-holds.toml");
    let works = check_render(&routine);
    let want: Vec<usize> = [25.0, 6.0, 6.0].iter().map(|s| samples(*s)).collect();
    assert_eq!(works, want);
    check_periods(&routine);

    let env = Env::new();
    let plan = env.plan(&routine);
    let events = events(&plan);
    let plank = events.iter().find(|e| e["tone"] == "start").unwrap();
    let plank = u(&plank["start_sample"]);
    let at = |text: &str| -> Vec<usize> {
        events
            .iter()
            .filter(|e| e["text"] == text)
            .map(|e| u(&e["start_sample"]) - plank)
            .collect()
    };
    assert_eq!(at("Squeeze your glutes."), [samples(3.0)]);
    assert_eq!(at("Halfway."), [samples(12.5)]);
    let breathe = at("Breathe.");
    assert_eq!(breathe[..2], [samples(8.0), samples(16.0)]);
    // The third would overlap the countdown's "1", which outranks it.
    assert!(breathe[2] > samples(24.0));
    let moved = &plan["adjustments"][0];
    assert_eq!(moved["action"], "moved");
    assert_eq!(moved["text"], "Breathe.");
}
