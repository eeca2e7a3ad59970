//! `coach doctor` through the real binary: with and without each part a
//! session needs, the right findings and exit code; and its test tone,
//! heard through a real PulseAudio server.

mod common;

use std::process::Output;

use common::pulse::{Pulse, REC_RATE};
use common::*;

/// `coach doctor ARGS` with `vars` set (and PULSE_SERVER, unless `vars`
/// sets it, at a server that is not there).
fn doctor(env: &Env, pulse: Option<&Pulse>, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut c = env.command();
    c.arg("doctor").args(args);
    match pulse {
        Some(p) => {
            p.attach(&mut c);
        }
        None => {
            c.env("PULSE_SERVER", "unix:/nonexistent/pulse");
        }
    }
    c.envs(vars.iter().copied());
    c.output().expect("coach runs")
}

/// The findings of `doctor --json`, by check: (state, found, fix).
fn findings(out: &Output) -> Vec<(String, String, String, Option<String>)> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)));
    json.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["state"].as_str().unwrap().to_string(),
                f["found"].as_str().unwrap().to_string(),
                f["fix"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn state_of(all: &[(String, String, String, Option<String>)], check: &str) -> String {
    all.iter()
        .find(|f| f.0 == check)
        .unwrap_or_else(|| panic!("no {check} in {all:?}"))
        .1
        .clone()
}

#[test]
fn all_well_says_so_and_the_test_tone_is_heard() {
    let pulse = Pulse::start();
    let env = Env::new();
    let recording = pulse.record();
    let out = doctor(&env, Some(&pulse), &["--play-test"], &[]);
    let audio = recording.finish();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("ok       config  no config file at "),
        "{text}"
    );
    assert!(
        text.contains("ok       voice   espeak-ng speaks, with "),
        "{text}"
    );
    assert!(
        text.contains("ok       sound   play uses pulse:")
            && text.contains("a test tone was played on it"),
        "{text}"
    );
    assert!(
        text.contains("ok       log     the session log can be written in "),
        "{text}"
    );
    assert!(text.ends_with("No problems found.\n"), "{text}");
    // Three beeps, a start tone's pitch, heard.
    let tones = find_tones_at(&audio, REC_RATE, 2);
    assert_eq!(tones.len(), 3, "{tones:?}");
    assert!(tones.iter().all(|t| t.hz == 880.0), "{tones:?}");
    // Without --play-test, nothing is played.
    let recording = pulse.record();
    let out = doctor(&env, Some(&pulse), &[], &[]);
    let audio = recording.finish();
    assert_eq!(out.status.code(), Some(0));
    assert!(find_tones_at(&audio, REC_RATE, 2).is_empty());
}

#[test]
fn each_missing_part_is_a_problem_with_its_fix() {
    let env = Env::new();
    // No espeak-ng on PATH, no sound server, a log that cannot be
    // written (its folder is a file), and a config with a mistake.
    std::fs::create_dir_all(env.path("empty-bin")).unwrap();
    env.write("not-a-folder", "x");
    env.write("config/coach/config.toml", "speed = \"fast\"\n");
    let log = env.path("not-a-folder/sessions.jsonl");
    let path = env.path("empty-bin");
    let out = doctor(
        &env,
        None,
        &["--json"],
        &[
            ("PATH", path.to_str().unwrap()),
            ("COACH_LOG", log.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let all = findings(&out);
    for check in ["config", "voice", "sound", "log"] {
        assert_eq!(state_of(&all, check), "problem", "{check}: {all:?}");
    }
    assert_eq!(state_of(&all, "cache"), "ok", "{all:?}");
    let fix = |check: &str| {
        all.iter()
            .find(|f| f.0 == check)
            .unwrap()
            .3
            .clone()
            .unwrap()
    };
    assert!(
        fix("voice").contains("sudo apt install espeak-ng"),
        "{all:?}"
    );
    assert!(fix("sound").contains("coach devices"), "{all:?}");
    assert!(fix("log").contains("COACH_LOG"), "{all:?}");
    // The config's mistake is shown where it is, as everywhere.
    assert!(
        stderr(&out).contains("config.toml:1:9: error:"),
        "{}",
        stderr(&out)
    );
    // As text: each problem, then its fix, then the count.
    let out = doctor(&env, None, &[], &[("PATH", path.to_str().unwrap())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("PROBLEM  voice   espeak-ng was not found"),
        "{text}"
    );
    assert!(
        text.contains("\n                 install it: sudo apt install espeak-ng"),
        "{text}"
    );
    assert!(
        text.ends_with("3 problems found; each says how to fix it.\n"),
        "{text}"
    );
}

#[test]
fn a_voice_set_in_the_config_makes_a_missing_espeak_a_note() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("empty-bin")).unwrap();
    env.write(
        "config/coach/config.toml",
        "voice = \"mine\"\n[voices.mine]\ncommand = [\"/bin/true\", \"{text}\", \"{file}\"]\n",
    );
    let path = env.path("empty-bin");
    let out = doctor(&env, None, &["--json"], &[("PATH", path.to_str().unwrap())]);
    let all = findings(&out);
    assert_eq!(state_of(&all, "voice"), "note", "{all:?} {}", stderr(&out));
    assert_eq!(state_of(&all, "config"), "ok", "{all:?}");
}

/// A schedule needs something to play it: systemd's user manager or
/// `coach serve`; and its routine, still there.
#[test]
fn a_schedule_nothing_will_play_or_whose_routine_is_gone_is_a_problem() {
    let pulse = Pulse::start();
    let env = Env::new();
    let routine = env.write(
        "mine.toml",
        "title = \"Mine\"\n[[exercise]]\nname = \"Hold\"\nhold = \"3s\"\n",
    );
    // No user manager takes the timer.
    let systemctl = env.write("bin/systemctl", "#!/bin/sh\nexit 1\n");
    std::fs::set_permissions(
        &systemctl,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        env.path("bin").display(),
        std::env::var("PATH").unwrap()
    );
    let mut c = env.command();
    pulse.attach(&mut c);
    let out = c
        .args([
            "schedule",
            "add",
            routine.to_str().unwrap(),
            "--at",
            "07:30",
            "--name",
            "mine",
        ])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let out = doctor(&env, Some(&pulse), &["--json"], &[]);
    let all = findings(&out);
    assert_eq!(out.status.code(), Some(1), "{all:?}");
    assert_eq!(state_of(&all, "serve"), "note", "{all:?}");
    let timer = all.iter().find(|f| f.0 == "timer").unwrap();
    assert_eq!(timer.1, "problem", "{all:?}");
    assert!(
        timer.2.contains("mine (") && timer.2.contains("nothing will play it"),
        "{timer:?}"
    );
    assert!(
        timer
            .3
            .as_deref()
            .unwrap()
            .contains("systemctl --user enable --now coach-schedule-mine.timer"),
        "{timer:?}"
    );

    // With coach serve waiting, it plays it.
    let mut c = env.command();
    pulse.attach(&mut c);
    let mut serve = c
        .arg("serve")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let socket = pulse.dir.path().join("run/coach/serve.sock");
    wait_until(std::time::Duration::from_secs(10), "serve.sock", || {
        socket.exists()
    });
    let out = doctor(&env, Some(&pulse), &["--json"], &[]);
    let all = findings(&out);
    assert_eq!(out.status.code(), Some(0), "{all:?}");
    assert_eq!(state_of(&all, "serve"), "ok", "{all:?}");
    let timer = all.iter().find(|f| f.0 == "timer").unwrap();
    assert!(
        timer.1 == "ok" && timer.2.ends_with("coach serve plays it (systemd does not)"),
        "{timer:?}"
    );

    // Its routine moved away: said, with what to do.
    std::fs::rename(&routine, env.path("moved.toml")).unwrap();
    let out = doctor(&env, Some(&pulse), &["--json"], &[]);
    let all = findings(&out);
    assert_eq!(out.status.code(), Some(1), "{all:?}");
    let timer = all.iter().find(|f| f.0 == "timer").unwrap();
    assert_eq!(timer.1, "problem", "{all:?}");
    assert!(
        timer
            .3
            .as_deref()
            .unwrap()
            .contains("coach schedule remove mine"),
        "{timer:?}"
    );
    // SAFETY: signals our own child.
    unsafe { libc::kill(serve.id() as i32, libc::SIGTERM) };
    serve.wait().unwrap();
}
