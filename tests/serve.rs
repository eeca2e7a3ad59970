//! `coach serve` and `coach ctl start` through the real binary and a real
//! PulseAudio server: a session started when asked and heard, one at a
//! time, in the session log, controlled by `coach ctl` like any other; the
//! service idle between sessions and still there after one that lost its
//! device; and gone, with its socket, on SIGTERM.

mod common;

use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::pulse::{Pulse, REC_RATE};
use common::*;

fn ctl(env: &Env, pulse: &Pulse, args: &[&str]) -> Output {
    let mut c = env.command();
    pulse.attach(&mut c);
    c.arg("ctl").args(args).output().expect("coach runs")
}

fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only asks whether the process exists.
    unsafe { libc::kill(pid as i32, 0) == 0 }
}

/// Waits (at most `limit`) until `done` holds.
fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// CPU seconds (user and system) the process has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    // utime and stime, fields 14 and 15 of the line (11 and 12 after it).
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

fn start_serve(env: &Env, pulse: &Pulse) -> Child {
    let mut c = env.command();
    pulse.attach(&mut c);
    let child = c
        .arg("serve")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let socket = pulse.dir.path().join("run/coach/serve.sock");
    wait_until(Duration::from_secs(10), "serve.sock", || socket.exists());
    child
}

#[test]
fn serve_plays_what_ctl_start_asks_one_at_a_time_and_outlives_its_sessions() {
    let mut pulse = Pulse::start();
    let env = Env::new();
    std::fs::copy(fixture("play-short.toml"), env.path("short.toml")).unwrap();
    let mut serve = start_serve(&env, &pulse);
    let pid = serve.id();

    // Nothing asked: nothing to do. (The figure is the bench's to judge;
    // here only that waiting is not a busy loop.)
    let before = cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(2));
    let idle = cpu_seconds(pid) - before;
    assert!(idle < 0.5, "{idle} s of CPU in 2 s of waiting");

    // A wrong name is said to the one who asked.
    let out = ctl(&env, &pulse, &["start", "no-such-routine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no routine named \"no-such-routine\""),
        "{}",
        stderr(&out)
    );

    let recording = pulse.record();
    let out = ctl(&env, &pulse, &["start", "short.toml", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let session = answer["pid"].as_u64().unwrap() as u32;
    assert!(
        answer["did"].as_str().unwrap().starts_with("started short"),
        "{answer}"
    );
    // One at a time.
    let out = ctl(&env, &pulse, &["start", "short.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a session is playing already"),
        "{}",
        stderr(&out)
    );
    // The session answers coach ctl as any session does.
    wait_until(Duration::from_secs(10), "the session's socket", || {
        ctl(&env, &pulse, &["status", "--json"]).status.success()
    });
    wait_until(Duration::from_secs(90), "the session's end", || {
        !alive(session) || {
            // Reaped by serve: /proc has it no more, or as a zombie.
            std::fs::read_to_string(format!("/proc/{session}/stat"))
                .map(|s| s.contains(") Z "))
                .unwrap_or(true)
        }
    });
    let audio = recording.finish();
    assert!(
        find_tones_at(&audio, REC_RATE, 2).len() >= 2,
        "the session was heard"
    );
    // In the log, as a play is.
    let out = env.run(&["history", "--json"]);
    let sessions: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");
    assert_eq!(sessions[0]["result"], "finished", "{sessions}");

    // A session whose device goes away ends; serve waits on.
    wait_until(Duration::from_secs(5), "serve to be free", || {
        let out = ctl(&env, &pulse, &["start", "short.toml", "--json"]);
        out.status.success()
    });
    std::thread::sleep(Duration::from_millis(1500));
    pulse.kill();
    std::thread::sleep(Duration::from_secs(4));
    assert!(alive(pid), "serve outlived its session's device");
    assert!(serve.try_wait().unwrap().is_none());

    // SIGTERM ends it, and its socket goes with it.
    // SAFETY: signals our own child.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let status = serve.wait().unwrap();
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{status:?}");
    assert!(!pulse.dir.path().join("run/coach/serve.sock").exists());
}

#[test]
fn ctl_start_without_serve_says_how_to_start_it() {
    let pulse = Pulse::start();
    let env = Env::new();
    let out = ctl(&env, &pulse, &["start", "hamstring-lower-back"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no coach serve is listening on")
            && stderr(&out).contains("or play at once with `coach play hamstring-lower-back`"),
        "{}",
        stderr(&out)
    );
    // A session command takes no routine.
    let out = ctl(&env, &pulse, &["pause", "hamstring-lower-back"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("takes no routine"),
        "{}",
        stderr(&out)
    );
}
