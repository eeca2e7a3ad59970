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

/// An LRC or CUE time in seconds: `[mm:ss.xx]` or `mm:ss:ff`.
fn lrc_seconds(tag: &str) -> f64 {
    let (m, s) = tag.trim_matches(['[', ']']).split_once(':').unwrap();
    m.parse::<f64>().unwrap() * 60.0 + s.parse::<f64>().unwrap()
}

fn cue_seconds(t: &str) -> f64 {
    let p: Vec<f64> = t.split(':').map(|x| x.parse().unwrap()).collect();
    p[0] * 60.0 + p[1] + p[2] / 75.0
}

#[test]
fn ogg_render_decodes_to_the_same_tones_and_its_chapters_match_the_cue_sheet() {
    let env = Env::new();
    let routine = "hamstring-lower-back";
    let plan = env.plan(routine);
    let wav = env.render(routine);
    let out = env.run(&["render", routine, "-o", "s.ogg", "--chapters"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ogg = env.path("s.ogg");
    let size = std::fs::metadata(&ogg).unwrap().len() as usize;
    assert!(size * 10 < wav.len() * 2, "compressed: {size} bytes");

    // Decoded by Debian's oggdec, independently of coach.
    let status = std::process::Command::new("oggdec")
        .args(["-Q", "-o"])
        .arg(env.path("decoded.wav"))
        .arg(&ogg)
        .status()
        .expect("oggdec (vorbis-tools) is installed; make test installs it");
    assert!(status.success());
    let decoded = read_wav(&env.path("decoded.wav"));
    assert_eq!(decoded.len(), wav.len(), "same length to the sample");

    // Lossy audio is not digitally silent: below 300 it is quiet, and
    // clicks of a few samples in speech are not tones.
    let expected = find_tones(&wav);
    let found: Vec<FoundTone> = find_tones_at(&decoded, RATE, 300)
        .into_iter()
        .filter(|t| {
            let (_, ms) = TONES.iter().find(|(hz, _)| *hz == t.hz).unwrap();
            t.len >= samples(*ms as f64 / 2000.0)
        })
        .collect();
    assert_eq!(found.len(), expected.len(), "{found:?}");
    let tolerance = samples(0.005);
    for (f, e) in found.iter().zip(&expected) {
        assert_eq!(f.hz, e.hz);
        assert!(
            f.onset.abs_diff(e.onset) <= tolerance,
            "a {} Hz tone at {} in the WAV is at {} in the Ogg file",
            e.hz,
            e.onset,
            f.onset
        );
    }

    // The chapters ride in the file's comments too.
    let tags = std::process::Command::new("vorbiscomment")
        .arg("-l")
        .arg(&ogg)
        .output()
        .unwrap();
    let tags = String::from_utf8(tags.stdout).unwrap();
    assert!(
        tags.contains("TITLE=Hamstring and lower back relief\n"),
        "{tags}"
    );
    assert!(
        tags.contains("CHAPTER002NAME=Standing hamstring stretch\n"),
        "{tags}"
    );

    // LRC: a line per period at the period's start, as show --json has it.
    let lrc = std::fs::read_to_string(env.path("s.lrc")).unwrap();
    let periods = plan["periods"].as_array().unwrap();
    let timed: Vec<(f64, &str)> = lrc
        .lines()
        .filter(|l| l.starts_with("[0") || l.starts_with("[1"))
        .map(|l| {
            let end = l.find(']').unwrap();
            (lrc_seconds(&l[..=end]), &l[end + 1..])
        })
        .collect();
    assert_eq!(
        timed.len(),
        periods.len() + 2,
        "title, periods, done: {lrc}"
    );
    for (p, (t, text)) in periods.iter().zip(&timed[1..]) {
        let start = u(&p["start_sample"]) as f64 / RATE;
        assert!(start - t >= 0.0 && start - t < 0.01, "{t} for {p}");
        assert!(
            text.contains(p["exercise"].as_str().unwrap()),
            "{text} for {p}"
        );
    }
    assert!(
        timed[1]
            .1
            .starts_with("Get ready 5s: Standing hamstring stretch, Left leg")
    );

    // CUE: a track per exercise, where its first words start.
    let cue = std::fs::read_to_string(env.path("s.cue")).unwrap();
    assert!(cue.contains("FILE \"s.ogg\" WAVE\n"), "{cue}");
    let indexes: Vec<f64> = cue
        .lines()
        .filter_map(|l| l.trim().strip_prefix("INDEX 01 "))
        .map(cue_seconds)
        .collect();
    let mut starts: Vec<usize> = Vec::new();
    let mut seen = Vec::new();
    for e in events(&plan) {
        let key = (e["round"].clone(), e["exercise_index"].clone());
        if !e["exercise_index"].is_null() && !seen.contains(&key) {
            seen.push(key);
            starts.push(u(&e["start_sample"]));
        }
    }
    assert_eq!(indexes.len(), starts.len() + 1, "{cue}");
    assert_eq!(indexes[0], 0.0);
    for (i, s) in indexes[1..].iter().zip(&starts) {
        let start = *s as f64 / RATE;
        assert!(
            start - i >= 0.0 && start - i < 1.0 / 75.0,
            "{i} for {start}"
        );
    }

    // Anything else is refused before any work is done.
    let out = env.run(&["render", routine, "-o", "s.mp3"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: s.mp3: coach writes .wav (exact, uncompressed) and .ogg (Ogg Vorbis, small, for phones), not .mp3; give the output one of those extensions\n"
    );
}
