//! Choosing and configuring voices: the config file, command voices run
//! as real programs (a normal one, a failing one, a hanging one, one at
//! 16 kHz), German routines, and the system voice's preflight.

mod common;

use std::time::{Duration, Instant};

use common::*;

/// A Python program acting as a speech engine: a 440 Hz tone, 20 ms per
/// character of text, written as raw 16-bit mono at `rate` to stdout (or
/// as a WAV to the file named after `--out`).
const ENGINE: &str = r#"#!/usr/bin/env python3
import math, struct, sys, time
args = sys.argv[1:]
mode = args[0]
rate = int(args[1])
text = args[args.index("--text") + 1] if "--text" in args else sys.stdin.read()
if mode == "fail":
    sys.stderr.write("model not found: amy.onnx\n")
    sys.exit(3)
if mode == "hang":
    time.sleep(60)
n = int(rate * 0.020 * len(text))
pcm = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n))
if "--out" in args:
    path = args[args.index("--out") + 1]
    head = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    open(path, "wb").write(head + b"data" + struct.pack("<I", len(pcm)) + pcm)
else:
    sys.stdout.buffer.write(pcm)
"#;

const ROUTINE: &str = "title = \"Voice test\"\n[[exercise]]\nname = \"Reach\"\nhold = \"3s\"\n";

fn setup(config: &str) -> Env {
    let env = Env::with_own_cache();
    let engine = env.write("engine.py", ENGINE);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&engine, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.write(
        "config/coach/config.toml",
        &config.replace("ENGINE", &engine.display().to_string()),
    );
    env.write("r.toml", ROUTINE);
    env
}

/// The length in samples of each spoken text in `coach show --json`.
fn speech_lengths(env: &Env, args: &[&str]) -> Vec<(String, usize)> {
    let mut all = vec!["show", "r.toml", "--json"];
    all.extend(args);
    let out = env.run(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    speech_events(&plan)
}

#[test]
fn a_command_voice_speaks_and_is_resampled_from_16_khz() {
    let env = setup(
        r#"voice = "tone22"
[voices.tone22]
command = ["ENGINE", "ok", "22050"]
format = "raw"
rate = 22050
[voices.tone16]
command = ["ENGINE", "ok", "16000"]
format = "raw"
rate = 16000
[voices.wavfile]
command = ["ENGINE", "ok", "16000", "--text", "{text}", "--out", "{file}"]
"#,
    );
    // 20 ms a character at the session rate: 441 samples a character
    // (less a sample or two where the sine starts and ends at silence and
    // is trimmed like any clip).
    for (text, len) in speech_lengths(&env, &[]) {
        let want = text.chars().count() * 441;
        assert!(
            len <= want && want - len <= 2,
            "{text}: {len} samples, want {want}"
        );
    }
    // At 16 kHz, resampled: the same length in time.
    for voice in ["tone16", "wavfile"] {
        for (text, len) in speech_lengths(&env, &["--voice", voice]) {
            let at_16k = (16_000.0 * 0.020) as usize * text.chars().count();
            let want = (at_16k as f64 * 22_050.0 / 16_000.0).round() as usize;
            assert!(
                len.abs_diff(want) <= 3,
                "{voice} {text}: {len} samples, want {want}"
            );
        }
    }
    // The rendered speech is the engine's 440 Hz tone, still 440 Hz.
    let plan = env.plan("r.toml");
    let audio = env.render("r.toml");
    let title = events(&plan)
        .iter()
        .find(|e| {
            e["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Voice test."))
        })
        .unwrap();
    let clip = &audio[u(&title["start_sample"])..u(&title["end_sample"])];
    assert!(purity(clip, 440.0) > 0.9);
}

/// A voice that stays running and speaks coach's voice protocol, having
/// espeak-ng say each text; it notes each start in the file it is given.
const KEPT: &str = r#"#!/usr/bin/env python3
import json, struct, subprocess, sys
open(sys.argv[1], "a").write("start\n")
def send(kind, body):
    sys.stdout.buffer.write(kind + struct.pack("<I", len(body)) + body)
    sys.stdout.buffer.flush()
send(b"RDY ", json.dumps({"sample_rate": 22050}).encode())
for line in sys.stdin:
    request = json.loads(line)
    speed = str(request["speed"])
    wav = subprocess.run(["espeak-ng", "-s", speed, "--stdout", "--", request["text"]], capture_output=True).stdout
    send(b"PCM ", wav[44:])
"#;

#[test]
fn a_persistent_voice_speaks_a_whole_session_from_one_process() {
    let env = setup("");
    let kept = env.write("kept.py", KEPT);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o755)).unwrap();
    let starts = env.path("starts");
    env.write(
        "config/coach/config.toml",
        &format!(
            "voice = \"kept\"\n[voices.kept]\ncommand = [\"{}\", \"{}\"]\npersistent = true\n",
            kept.display(),
            starts.display()
        ),
    );
    let plan = env.plan("r.toml");
    let spoken = speech_events(&plan);
    assert!(spoken.len() >= 3, "{spoken:?}");
    assert!(spoken.iter().all(|(_, len)| *len > 4_000), "{spoken:?}");
    let count = || std::fs::read_to_string(&starts).unwrap().lines().count();
    assert_eq!(count(), 1, "one process made every clip");
    // The render is the plan, speech where it says.
    let audio = env.render("r.toml");
    assert_eq!(audio.len() as u64, plan["total_samples"].as_u64().unwrap());
    for e in events(&plan).iter().filter(|e| e["text"].is_string()) {
        let clip = &audio[u(&e["start_sample"])..u(&e["end_sample"])];
        assert!(clip.iter().any(|s| s.unsigned_abs() > 1000), "{e}");
    }
    // Cached: nothing more to make, nothing started.
    assert_eq!(count(), 1);
    // Another speed is another voice to the cache, asked of a new process.
    let out = env.run(&["show", "r.toml", "--speed", "200"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(), 2);
}

#[test]
fn a_failing_or_hanging_command_voice_is_a_clear_error() {
    let env = setup(
        r#"[voices.broken]
command = ["ENGINE", "fail", "22050"]
format = "raw"
rate = 22050
[voices.stuck]
command = ["ENGINE", "hang", "22050"]
format = "raw"
rate = 22050
timeout = "1s"
[voices.absent]
command = ["/nonexistent/piper"]
"#,
    );
    let out = env.run(&["show", "r.toml", "--voice", "broken"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the voice \"broken\" failed (exit status: 3): model not found: amy.onnx\n"
    );
    let started = Instant::now();
    let out = env.run(&["show", "r.toml", "--voice", "stuck"]);
    assert!(started.elapsed() < Duration::from_secs(10), "no hang");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .starts_with("error: the voice \"stuck\" did not finish within 1s and was stopped"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["show", "r.toml", "--voice", "absent"]);
    assert!(
        stderr(&out).contains("runs /nonexistent/piper, which was not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_errors_are_located_and_stop_every_command() {
    let env = setup("speed = 2000\n[voices.x]\nformat = \"raw\"\n");
    let out = env.run(&["show", "r.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let path = env.path("config/coach/config.toml").display().to_string();
    assert!(
        err.contains(&format!(
            "{path}:1:9: error: \"speed\" must be from 80 to 450, found 2000"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{path}:2:9: error: [voices.x] needs \"command\"")),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("has 3 errors; fix them, or move the file away to use the defaults"),
        "{err}"
    );
}

#[test]
fn config_sets_the_voice_flags_override_it_and_init_never_overwrites() {
    let env = Env::with_own_cache();
    let out = env.run(&["config", "path"]);
    let path = env.path("config/coach/config.toml");
    assert_eq!(stdout(&out).trim(), path.display().to_string());
    let out = env.run(&["config", "init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("# speed = 160")
    );
    let out = env.run(&["config", "init"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists; coach never overwrites it"));

    env.write("r.toml", ROUTINE);
    std::fs::write(&path, "speed = 100\n").unwrap();
    let slow = speech_lengths(&env, &[]);
    std::fs::write(&path, "speed = 300\n").unwrap();
    let fast = speech_lengths(&env, &[]);
    let flag = speech_lengths(&env, &["--speed", "100"]);
    let total = |v: &[(String, usize)]| v.iter().map(|(_, l)| l).sum::<usize>();
    assert!(
        total(&slow) > total(&fast) * 2,
        "the config's speed is used"
    );
    assert_eq!(total(&flag), total(&slow), "--speed overrides the config");
}

#[test]
fn german_routines_get_german_phrases_and_a_german_voice() {
    let env = Env::new();
    env.write(
        "de.toml",
        "title = \"Dehnen\"\nlanguage = \"de\"\n[[exercise]]\nname = \"Ausfallschritt\"\nsides = [\"Links\", \"Rechts\"]\nhold = 25\n",
    );
    let out = env.run(&["show", "de.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for phrase in [
        "\"Seitenwechsel. Rechts.\"",
        "\"Halbzeit.\"",
        "\"Geschafft. Gut gemacht.\"",
    ] {
        assert!(text.contains(phrase), "{phrase} in:\n{text}");
    }
    let out = env.run(&["voices", "--lang", "de"]);
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("espeak  espeak:de ")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_system_voice_is_live_only_and_says_so() {
    let env = Env::new();
    env.write("r.toml", ROUTINE);
    let out = env.run(&["render", "r.toml", "--voice", "system", "-o", "x.wav"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: the system voice speaks live only and gives no audio to write; render with another voice, e.g. --voice espeak:en\n"
    );
    let out = env.run(&["show", "r.toml", "--voice", "system", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["speech_lengths"], "estimated");
}

#[test]
fn an_unreachable_system_voice_fails_before_the_first_sound() {
    let env = Env::new();
    env.write("r.toml", ROUTINE);
    let started = Instant::now();
    let out = env
        .command()
        .env("SPEECHD_ADDRESS", "unix_socket:/nonexistent/speechd.sock")
        .args(["play", "r.toml", "--voice", "system"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: the system voice is not available"),
        "{}",
        stderr(&out)
    );
}
