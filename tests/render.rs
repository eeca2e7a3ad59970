//! Rendered audio holds the timing contract: each routine is rendered to a
//! WAV with real espeak-ng speech, read back, and every tone found by its
//! frequency alone must sit at the sample the plan gives.

mod common;

use common::*;
use serde_json::Value;

/// The least silence between two utterances: 0.25 s, in whole samples.
const PAUSE: usize = 22_050 / 4;

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
    let periods = plan["periods"].as_array().unwrap();
    for p in periods {
        if p["period"] == "work" {
            continue;
        }
        let (a, b) = (u(&p["start_sample"]), u(&p["end_sample"]));
        // A get-ready after a rest in which its exercise was announced
        // starts as the rest ends.
        let before = events
            .iter()
            .map(|e| u(&e["end_sample"]))
            .chain(periods.iter().map(|q| u(&q["end_sample"])))
            .filter(|end| *end <= a)
            .max()
            .unwrap();
        assert_eq!(before, a, "{p} starts as the sound before it ends");
        let after = events
            .iter()
            .map(|e| u(&e["start_sample"]))
            .chain(periods.iter().map(|q| u(&q["start_sample"])))
            .filter(|start| *start >= b)
            .min()
            .unwrap();
        assert_eq!(after, b, "{p} ends as the next thing starts");
    }
}

#[test]
fn bundled_routine_keeps_its_timing() {
    let works = check_render("hamstring-lower-back");
    // Four 30 s holds (the standing stretch per leg), 12 cat-cows of 8 s,
    // 12 pelvic tilts of 7.5 s.
    let want: Vec<usize> = [30.0, 30.0, 30.0, 30.0, 96.0, 90.0]
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
            // The count and its phase's words, one sentence each, said
            // together exactly on the beat; the last rep said as the last.
            let said = if rep == 4 {
                "Last one. Down.".to_string()
            } else {
                format!("{rep}. Down.")
            };
            let count = events
                .iter()
                .find(|e| e["text"] == said.as_str() && e["round"] == round && e["rep"] == rep)
                .unwrap_or_else(|| panic!("{said} in rep {rep}"));
            let at = start + samples((rep - 1) as f64 * 3.25);
            assert_eq!(u(&count["start_sample"]), at, "{count}");
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
    assert_eq!(at("Halfway."), [samples(12.5)]);
    // The cue at 12 s would overlap "Halfway.", which outranks it: it
    // follows it after the pause between utterances.
    let halfway = events.iter().find(|e| e["text"] == "Halfway.").unwrap();
    assert_eq!(
        at("Squeeze your glutes."),
        [u(&halfway["end_sample"]) + PAUSE - plank]
    );
    let breathe = at("Breathe.");
    // The third would overlap the countdown's "1", which outranks it, and
    // there is no room after it: dropped.
    assert_eq!(breathe, [samples(8.0), samples(16.0)]);
    let adjustments = plan["adjustments"].as_array().unwrap();
    let actions: Vec<(&str, &str)> = adjustments
        .iter()
        .map(|a| (a["action"].as_str().unwrap(), a["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [("moved", "Squeeze your glutes."), ("dropped", "Breathe.")]
    );
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

#[test]
fn rests_that_announce_the_next_exercise_keep_every_length_to_the_sample() {
    // The bundled routine says each exercise after the first in the rest
    // before it: "Rest, 20 seconds. Next: …", then its name, dose and
    // instructions, then silence until the get-ready's countdown.
    let env = Env::new();
    let plan = env.plan("hamstring-lower-back");
    let audio = env.render("hamstring-lower-back");
    let events = events(&plan);
    let periods = plan["periods"].as_array().unwrap();
    let tones = find_tones(&audio);
    let start_tones: Vec<usize> = tones
        .iter()
        .filter(|t| t.hz == 880.0)
        .map(|t| t.onset)
        .collect();
    let rests: Vec<&Value> = periods.iter().filter(|p| p["period"] == "rest").collect();
    assert_eq!(rests.len(), 4);
    for rest in rests {
        let (a, b) = (u(&rest["start_sample"]), u(&rest["end_sample"]));
        // From the audio alone: the rest begins where the words before it
        // ("And relax.") end…
        assert_ne!(audio[a - 1], 0, "words end at the rest's start");
        assert!(audio[a..a + PAUSE].iter().all(|s| *s == 0));
        // …and the next start tone comes exactly 20 s of rest and 5 s of
        // getting ready later: nothing said in the rest lengthened it.
        let next_start = start_tones.iter().find(|t| **t > a).unwrap();
        assert_eq!(next_start - a, samples(20.0) + samples(5.0), "{rest}");
        // What is said in it announces the next exercise, all of it
        // inside the rest, apart and never overlapping.
        let inside: Vec<&Value> = events
            .iter()
            .filter(|e| u(&e["start_sample"]) >= a && u(&e["start_sample"]) < b)
            .collect();
        assert!(inside.len() >= 2, "{rest}: {inside:?}");
        assert!(
            inside[0]["text"]
                .as_str()
                .unwrap()
                .starts_with("Rest, 20 seconds. Next: ")
        );
        let next = inside[0]["text"].as_str().unwrap()["Rest, 20 seconds. Next: ".len()..]
            .trim_end_matches('.')
            .to_string();
        assert!(
            inside[1]["text"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{next}. "))
        );
        assert_eq!(
            inside[1]["exercise"],
            next.as_str(),
            "placed at the exercise it announces"
        );
        for pair in inside.windows(2) {
            assert!(u(&pair[0]["end_sample"]) + PAUSE <= u(&pair[1]["start_sample"]));
        }
        assert!(u(&inside.last().unwrap()["end_sample"]) < b);
        // Between the rest's end and the countdown, nothing is said.
        assert!(events.iter().all(|e| {
            let s = u(&e["start_sample"]);
            !(s >= b && s < b + samples(2.0))
        }));
    }
    assert_eq!(plan["adjustments"].as_array().unwrap().len(), 0);
}

/// The RMS of the samples of every event of `kind` in `audio`, together.
fn level_of(audio: &[i16], plan: &Value, kind: &str) -> f64 {
    let mut all = Vec::new();
    for e in events(plan).iter().filter(|e| e["kind"] == kind) {
        all.extend_from_slice(&audio[u(&e["start_sample"])..u(&e["end_sample"])]);
    }
    rms(&all)
}

#[test]
fn tones_sit_within_3_db_of_the_speech_and_no_volume_clips() {
    let env = Env::new();
    let plan = env.plan("hamstring-lower-back");
    let audio = env.render("hamstring-lower-back");
    let (tones, speech) = (
        level_of(&audio, &plan, "tone"),
        level_of(&audio, &plan, "speech"),
    );
    let db = 20.0 * (tones / speech).log10();
    assert!(
        db.abs() <= 3.0,
        "tones at {tones:.0} RMS, speech at {speech:.0}: {db:.1} dB"
    );
    // Every clip at one level: the quietest and loudest spoken texts of
    // more than a word differ by little.
    let levels: Vec<f64> = events(&plan)
        .iter()
        .filter(|e| e["kind"] == "speech" && e["text"].as_str().unwrap().len() > 12)
        .map(|e| rms(&audio[u(&e["start_sample"])..u(&e["end_sample"])]))
        .collect();
    let (lo, hi) = levels
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), l| (lo.min(*l), hi.max(*l)));
    assert!(
        20.0 * (hi / lo).log10() < 6.0,
        "speech from {lo:.0} to {hi:.0} RMS"
    );

    // At the loudest volumes the settings allow, nothing reaches full
    // scale: no sample was clipped.
    env.write("config/coach/config.toml", "tone_volume = 200\n");
    let wav = env.path("loud.wav");
    let out = env.run(&[
        "render",
        "hamstring-lower-back",
        "--volume",
        "200",
        "-o",
        wav.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let loud = read_wav(&wav);
    let peak = loud.iter().map(|s| s.unsigned_abs()).max().unwrap();
    assert!(peak < i16::MAX as u16, "a sample at {peak}: clipped");
    // And it is louder: the volumes were applied.
    assert!(level_of(&loud, &plan, "speech") > 1.9 * speech);
    assert!(level_of(&loud, &plan, "tone") > 1.9 * tones);
}
