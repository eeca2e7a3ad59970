//! `coach serve` and `coach ctl start` through the real binary and a real
//! PulseAudio server: a session started when asked and heard, one at a
//! time, in the session log, controlled by `coach ctl` like any other; the
//! service idle between sessions and still there after one that lost its
//! device; and gone, with its socket, on SIGTERM.

mod common;

use std::process::{Child, Output, Stdio};
use std::time::Duration;

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

/// A `coach serve` that is killed if the test fails before it ends it.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Serving {
    /// Ends it as systemd would, with SIGTERM.
    fn stop(mut self) {
        // SAFETY: signals our own child.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        let status = self.0.wait().unwrap();
        assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{status:?}");
    }
}

/// `coach serve ARGS`, what it says going to `said`, in UTC; and its
/// socket waited for.
fn start_serve_saying(env: &Env, pulse: &Pulse, args: &[&str], said: &std::path::Path) -> Serving {
    let mut c = env.command();
    pulse.attach(&mut c);
    let log = std::fs::File::create(said).unwrap();
    let child = c
        .arg("serve")
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let socket = pulse.dir.path().join("run/coach/serve.sock");
    wait_until(Duration::from_secs(10), "serve.sock", || socket.exists());
    Serving(child)
}

/// `coach schedule add ARGS` in UTC, with a systemctl that has no user
/// manager to give it to.
fn schedule_add(env: &Env, pulse: &Pulse, args: &[&str]) {
    std::fs::create_dir_all(env.path("bin")).unwrap();
    let systemctl = env.write(
        "bin/systemctl",
        "#!/bin/sh\necho 'Failed to connect to bus' >&2\nexit 1\n",
    );
    std::fs::set_permissions(
        &systemctl,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let mut c = env.command();
    pulse.attach(&mut c);
    let path = std::env::var("PATH").unwrap_or_default();
    let out = c
        .args(["schedule", "add"])
        .args(args)
        .env("TZ", "UTC")
        .env("PATH", format!("{}:{path}", env.path("bin").display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn said(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Seconds since the epoch, now.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `HH:MM` in UTC, `secs` from now.
fn utc_time(secs: i64) -> String {
    let of_day = (unix_now() + secs).rem_euclid(86_400);
    format!("{:02}:{:02}", of_day / 3600, of_day / 60 % 60)
}

fn sessions(env: &Env) -> Vec<serde_json::Value> {
    let out = env.run(&["history", "--json"]);
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The input device a remote would be: a FIFO, as there is no /dev/uinput
/// here. A press of play starts what serve names for it, or else today's
/// scheduled routine; with neither, it says what to do.
#[test]
fn a_press_of_play_starts_the_named_routine_else_todays_scheduled_one() {
    const KEY_PLAYPAUSE: u16 = 164;
    let pulse = Pulse::start();
    let env = Env::new();
    std::fs::copy(fixture("play-short.toml"), env.path("short.toml")).unwrap();
    let device = env.path("remote");
    let mut remote = fake_input_device(&device);
    let log = env.path("serve.said");
    let device_arg = device.to_str().unwrap();
    let serve = start_serve_saying(&env, &pulse, &["--input", device_arg], &log);

    // Nothing named, nothing scheduled: said, nothing started.
    std::io::Write::write_all(&mut remote, &key_press(KEY_PLAYPAUSE)).unwrap();
    wait_until(Duration::from_secs(10), "the press to be answered", || {
        said(&log).contains("a button was pressed, but nothing is named for it")
    });
    assert!(sessions(&env).is_empty());

    // Scheduled for today, at a time that has passed (a minute after
    // midnight, or just before the next if that is yet to come): that is
    // today's routine.
    let at = if unix_now().rem_euclid(86_400) >= 120 {
        "00:01"
    } else {
        "23:59"
    };
    schedule_add(
        &env,
        &pulse,
        &[
            "short.toml",
            "--at",
            at,
            "--days",
            "daily",
            "--voice",
            "en-gb",
        ],
    );
    let recording = pulse.record();
    std::io::Write::write_all(&mut remote, &key_press(KEY_PLAYPAUSE)).unwrap();
    wait_until(Duration::from_secs(10), "a session to start", || {
        said(&log).contains("coach serve: a button started short (pid ")
    });
    // Played as the schedule plays it: with its voice.
    let text = said(&log);
    let pid = text
        .split("(pid ")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let words: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    assert!(
        words
            .windows(2)
            .any(|w| w == [b"--voice".as_slice(), b"en-gb"]),
        "{:?}",
        String::from_utf8_lossy(&cmdline)
    );
    wait_until(Duration::from_secs(90), "the session's end", || {
        said(&log).contains("ended: exit status: 0")
    });
    let audio = recording.finish();
    assert!(
        find_tones_at(&audio, REC_RATE, 2).len() >= 2,
        "the session was heard"
    );
    let all = sessions(&env);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["result"], "finished");
    // serve gave the session its own --input.
    assert!(
        !said(&log).contains("a button was pressed, but:"),
        "{}",
        said(&log)
    );
    serve.stop();

    // Named: that, whatever is scheduled.
    let serve = start_serve_saying(
        &env,
        &pulse,
        &["--input", device_arg, "--routine", "short.toml"],
        &log,
    );
    let unknown = start_serve_saying_fails(&env, &pulse, &["--routine", "no-such-routine"]);
    assert!(
        unknown.contains("--routine: no routine named \"no-such-routine\""),
        "{unknown}"
    );
    std::io::Write::write_all(&mut remote, &key_press(KEY_PLAYPAUSE)).unwrap();
    wait_until(Duration::from_secs(10), "a session to start", || {
        said(&log).contains("coach serve: a button started short (pid ")
    });
    serve.stop();
    wait_until(Duration::from_secs(10), "the session stopped", || {
        sessions(&env).len() == 2
    });
}

/// `coach serve ARGS` that refuses to start: what it said.
fn start_serve_saying_fails(env: &Env, pulse: &Pulse, args: &[&str]) -> String {
    let mut c = env.command();
    pulse.attach(&mut c);
    let out = c
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stderr(&out)
}

/// With no systemd user manager, serve plays the schedules: one at its
/// minute; one missed long ago (the machine was off) not, unless it
/// catches up, and then at once.
#[test]
fn without_systemd_serve_plays_schedules_on_time_and_a_missed_one_only_if_it_catches_up() {
    let pulse = Pulse::start();
    let env = Env::new();
    std::fs::copy(fixture("play-short.toml"), env.path("short.toml")).unwrap();
    let two_hours_ago = utc_time(-2 * 3600);
    schedule_add(
        &env,
        &pulse,
        &["short.toml", "--at", &two_hours_ago, "--name", "missed"],
    );
    schedule_add(
        &env,
        &pulse,
        &[
            "short.toml",
            "--at",
            &two_hours_ago,
            "--name",
            "caught",
            "--catch-up",
        ],
    );
    // serve last dealt with both a day ago.
    let day_ago = unix_now() - 86_400;
    std::fs::create_dir_all(env.path("data/coach")).unwrap();
    env.write(
        "data/coach/serve-schedules.json",
        &format!("{{\"missed\": {day_ago}, \"caught\": {day_ago}}}"),
    );
    let log = env.path("serve.said");
    let recording = pulse.record();
    let serve = start_serve_saying(&env, &pulse, &[], &log);
    wait_until(
        Duration::from_secs(10),
        "the missed times to be dealt with",
        || {
            let s = said(&log);
            s.contains("coach serve: missed was due 2 h ") && s.contains("caught was due 2 h ")
        },
    );
    let s = said(&log);
    assert!(
        s.contains("and is not played (`coach schedule add --catch-up`"),
        "{s}"
    );
    assert!(s.contains("and catches up: started (pid "), "{s}");
    wait_until(
        Duration::from_secs(90),
        "the caught-up session's end",
        || said(&log).contains("ended: exit status: 0"),
    );
    let caught = sessions(&env);
    assert_eq!(caught.len(), 1, "only the one that catches up: {caught:?}");

    // One due at the next minute but one (serve looks at the schedules at
    // least every 30 s, so it has seen it by then): played at that minute.
    let t0 = unix_now();
    let secs_into_minute = t0.rem_euclid(60);
    let ahead = 60 - secs_into_minute + if secs_into_minute > 25 { 60 } else { 0 };
    let at = utc_time(ahead);
    schedule_add(&env, &pulse, &["short.toml", "--at", &at, "--name", "soon"]);
    let due = t0 + ahead;
    wait_until(
        Duration::from_secs(150),
        "the schedule to be played",
        || said(&log).contains("coach serve: soon is due: started (pid "),
    );
    let late = unix_now() - due;
    assert!((0..=5).contains(&late), "started {late} s after its time");
    wait_until(Duration::from_secs(90), "its end", || {
        said(&log).matches("ended: exit status: 0").count() == 2
    });
    let audio = recording.finish();
    assert!(
        find_tones_at(&audio, REC_RATE, 2).len() >= 4,
        "both were heard"
    );
    let all = sessions(&env);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|s| s["result"] == "finished"), "{all:?}");
    // Stamped: started again, serve plays neither of the past times again.
    serve.stop();
    // And one that systemd's user manager runs (its socket is there, and
    // the timer enabled) is left to it, even when it would catch up.
    schedule_add(
        &env,
        &pulse,
        &[
            "short.toml",
            "--at",
            &two_hours_ago,
            "--name",
            "systemd",
            "--catch-up",
        ],
    );
    let stamps_at = env.path("data/coach/serve-schedules.json");
    let mut stamps: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stamps_at).unwrap()).unwrap();
    stamps["systemd"] = day_ago.into();
    std::fs::write(&stamps_at, stamps.to_string()).unwrap();
    std::fs::create_dir_all(pulse.dir.path().join("run/systemd")).unwrap();
    std::fs::write(pulse.dir.path().join("run/systemd/private"), "").unwrap();
    let wants = env.path("config/systemd/user/timers.target.wants");
    std::fs::create_dir_all(&wants).unwrap();
    std::os::unix::fs::symlink(
        env.path("config/systemd/user/coach-schedule-systemd.timer"),
        wants.join("coach-schedule-systemd.timer"),
    )
    .unwrap();
    let serve = start_serve_saying(&env, &pulse, &[], &log);
    wait_until(Duration::from_secs(10), "the stamps to be written", || {
        let stamps: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&stamps_at).unwrap_or_default())
                .unwrap_or_default();
        stamps["systemd"].as_i64().is_some_and(|t| t > day_ago)
    });
    std::thread::sleep(Duration::from_secs(2));
    assert!(!said(&log).contains("is due"), "{}", said(&log));
    assert!(!said(&log).contains("was due"), "{}", said(&log));
    assert_eq!(sessions(&env).len(), 2);
    serve.stop();
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
