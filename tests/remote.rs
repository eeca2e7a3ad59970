//! Remote control of a real `coach play` through a real PulseAudio server:
//! `coach ctl` over the control socket moves the recorded timeline as the
//! keys do, answers where the session is, finds the right session among
//! several, cleans up after killed ones and refuses what is not the
//! user's own.

mod common;

use std::os::unix::net::UnixListener;
use std::process::{Command, Output};
use std::time::Duration;

use common::bus::Bus;
use common::playing::Playing;
use common::pulse::{Pulse, REC_RATE, hold_kept};
use common::*;
use serde_json::Value;

/// Samples at or below this are silence in a recording.
const QUIET: i16 = 2;
/// The tolerance the timing promise is held to through a sound server.
const TWO_MS: f64 = 0.002;

fn seconds(samples: usize) -> f64 {
    samples as f64 / REC_RATE
}

const HOLD: &str = "title = \"Remote test\"
[[exercise]]
name = \"Long hold\"
hold = \"6s\"
get_ready = \"1s\"
countdown = 0
halfway = false
[[exercise]]
name = \"Short hold\"
hold = \"2s\"
get_ready = \"1s\"
countdown = 0
";

/// `coach ctl ARGS` as the sessions under `pulse` see it.
fn ctl_command(env: &Env, pulse: &Pulse, args: &[&str]) -> Command {
    let mut c = env.command();
    pulse.attach(&mut c);
    c.arg("ctl").args(args);
    c
}

fn ctl(env: &Env, pulse: &Pulse, args: &[&str]) -> Output {
    ctl_command(env, pulse, args).output().expect("coach runs")
}

/// `coach ctl ARGS`, which must succeed: what it printed.
fn ctl_ok(env: &Env, pulse: &Pulse, args: &[&str]) -> String {
    let out = ctl(env, pulse, args);
    assert!(
        out.status.success(),
        "coach ctl {args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

fn status(env: &Env, pulse: &Pulse, extra: &[&str]) -> Value {
    let mut args = vec!["status", "--json"];
    args.extend(extra);
    serde_json::from_str(&ctl_ok(env, pulse, &args)).expect("status --json is JSON")
}

/// The runtime folder the sessions under `pulse` keep their sockets in.
fn sockets_dir(pulse: &Pulse) -> std::path::PathBuf {
    let out = pulse
        .command("sh")
        .args(["-c", "printf %s \"$XDG_RUNTIME_DIR\""])
        .output()
        .unwrap();
    std::path::PathBuf::from(stdout(&out)).join("coach")
}

#[test]
fn ctl_pause_and_resume_keep_the_hold_as_the_space_key_does() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(ctl_ok(&env, &pulse, &["pause"]), "paused\n");
    // Asked again: nothing to do, and said so.
    let again = ctl(&env, &pulse, &["pause"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("coach ctl pause: nothing done: already paused"),
        "{}",
        stderr(&again)
    );
    let paused = status(&env, &pulse, &[]);
    assert_eq!(paused["state"], "paused");
    assert_eq!(paused["paused"], true);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(ctl_ok(&env, &pulse, &["resume"]), "resumed\n");
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");

    let tones = find_tones_at(&audio, REC_RATE, QUIET);
    let hz: Vec<f64> = tones.iter().map(|t| t.hz).collect();
    assert_eq!(hz, [880.0, 587.0, 880.0, 587.0]);
    let (start, end) = (tones[0].onset, tones[1].onset);
    // Between them: "Paused.", "Resuming.", "3", "2", "1".
    let inside: Vec<usize> = onsets_between(&audio, REC_RATE, QUIET, start, end);
    assert_eq!(inside.len(), 5, "pause and resume overlays: {inside:?}");
    let before = seconds(inside[0] - start);
    let after = seconds(end - (inside[4] + REC_RATE as usize));
    assert!(
        (1.2..2.2).contains(&before),
        "paused {before:.3} s into the hold"
    );
    assert!(
        hold_kept(before, after, 6.0),
        "the hold played {before:.4} s + {after:.4} s"
    );
    assert!(seconds(end - start) > 6.0 + 2.0, "the pause shows as a gap");
}

#[test]
fn ctl_next_back_and_repeat_move_the_timeline_as_the_keys_do() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let plan = env.plan("hold.toml");
    let recording = pulse.record();
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    // Repeat, 2 s into the hold: its get-ready again, which starts
    // silent, so "Again." confirms it.
    std::thread::sleep(Duration::from_millis(2000));
    let did = ctl_ok(&env, &pulse, &["repeat"]);
    assert!(did.starts_with("repeating from "), "{did}");
    // Back, 1 s into the hold again (more than 3 s after the exercise
    // started): to its announcement, which speaks at once.
    std::thread::sleep(Duration::from_millis(2000 + 1000));
    assert_eq!(ctl_ok(&env, &pulse, &["back"]), "back to Long hold\n");
    // Next, once its announcement is under way again.
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(ctl_ok(&env, &pulse, &["next"]), "skipped to Short hold\n");
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");

    let tones = find_tones_at(&audio, REC_RATE, QUIET);
    let hz: Vec<f64> = tones.iter().map(|t| t.hz).collect();
    // The long hold started three times and never ended; the short one
    // played whole.
    assert_eq!(hz, [880.0, 880.0, 880.0, 587.0], "{tones:?}");
    let one_s = |a: usize, b: usize| seconds(b - a);
    // Repeated 2 s in: its get-ready (1 s) then the start tone again.
    let repeated = one_s(tones[0].onset, tones[1].onset);
    assert!((2.6..4.0).contains(&repeated), "{repeated}");
    // "Again." is said in that get-ready, before the start tone.
    let words: Vec<usize> = onsets_between(&audio, REC_RATE, QUIET, tones[0].onset, tones[1].onset);
    assert_eq!(words.len(), 1, "one confirmation: {words:?}");
    // The short hold keeps its length to the sample's tolerance.
    assert!((one_s(tones[2].onset, tones[3].onset) - 2.0).abs() <= TWO_MS);
    // The plan says what a full session would have been: this one skipped.
    let works = plan["periods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["period"] == "work")
        .count();
    assert_eq!(works, 2);
}

#[test]
fn status_json_agrees_with_show_json() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let plan = env.plan("hold.toml");
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(1000));
    let s = status(&env, &pulse, &[]);
    assert_eq!(s["routine"], "Remote test");
    assert_eq!(s["state"], "playing");
    assert_eq!(s["paused"], false);
    assert_eq!(s["pid"], playing.child.id());
    assert_eq!(s["exercise"], "Long hold");
    assert_eq!(s["exercise_index"], 0);
    assert_eq!(s["period"], "work");
    let pos = s["position_sample"].as_u64().unwrap();
    let work = plan["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "work")
        .unwrap();
    let (start, end) = (
        u(&work["start_sample"]) as u64,
        u(&work["end_sample"]) as u64,
    );
    assert!(start <= pos && pos < end, "{pos} in {start}..{end}");
    let rate = plan["sample_rate"].as_f64().unwrap();
    let left = s["period_left_seconds"].as_f64().unwrap();
    assert!((left - (end - pos) as f64 / rate).abs() < 0.001, "{left}");
    let total = plan["total_samples"].as_f64().unwrap();
    assert!((s["duration_seconds"].as_f64().unwrap() - total / rate).abs() < 0.001);
    let session_left = s["session_left_seconds"].as_f64().unwrap();
    assert!((session_left - (total - rate - pos as f64) / rate).abs() < 0.001);
    // In words, for people.
    let said = ctl_ok(&env, &pulse, &["status"]);
    assert!(said.starts_with("Remote test: Long hold, work ("), "{said}");
    assert!(said.contains("Playing (pid "), "{said}");
    assert_eq!(ctl_ok(&env, &pulse, &["stop"]), "stopped\n");
    let (code, said) = playing.finish(Duration::from_secs(10));
    assert_eq!(code, 3, "stop ends the session as q does: {said}");
    // Its socket went with it.
    let dir = sockets_dir(&pulse);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn two_sessions_each_have_a_socket_and_ctl_talks_to_the_newest_or_the_one_named() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let mut first = Playing::start(&env, &pulse, &["hold.toml"]);
    first.wait_for("work 6s");
    let mut second = Playing::start(&env, &pulse, &["hold.toml", "--no-log"]);
    second.wait_for("work 6s");
    let dir = sockets_dir(&pulse);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut wanted = vec![
        format!("play-{}.sock", first.child.id()),
        format!("play-{}.sock", second.child.id()),
    ];
    wanted.sort();
    assert_eq!(names, wanted);
    // Owner-only, in an owner-only folder.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(&names[0])), 0o600);

    assert_eq!(status(&env, &pulse, &[])["pid"], second.child.id());
    let pid = first.child.id().to_string();
    assert_eq!(
        status(&env, &pulse, &["--pid", &pid])["pid"],
        first.child.id()
    );
    // Pausing the first leaves the second playing.
    ctl_ok(&env, &pulse, &["pause", "--pid", &pid]);
    assert_eq!(status(&env, &pulse, &["--pid", &pid])["state"], "paused");
    assert_eq!(status(&env, &pulse, &[])["state"], "playing");
    ctl_ok(&env, &pulse, &["stop"]);
    ctl_ok(&env, &pulse, &["stop", "--pid", &pid]);
    assert_eq!(second.finish(Duration::from_secs(10)).0, 3);
    assert_eq!(first.finish(Duration::from_secs(10)).0, 3);
}

#[test]
fn a_killed_sessions_socket_is_cleaned_up() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let mut playing = Playing::start(&env, &pulse, &["hold.toml", "--no-log"]);
    playing.wait_for("work 6s");
    let dir = sockets_dir(&pulse);
    let socket = dir.join(format!("play-{}.sock", playing.child.id()));
    assert!(socket.exists());
    playing.signal(libc::SIGKILL);
    let _ = playing.finish(Duration::from_secs(10));
    assert!(socket.exists(), "a killed session cannot remove its socket");
    // Nobody listens: ctl says so, and removes it.
    let out = ctl(&env, &pulse, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("no coach session is playing: 1 control socket of ended sessions removed"),
        "{}",
        stderr(&out)
    );
    assert!(!socket.exists());
    // With nothing left at all.
    let out = ctl(&env, &pulse, &["next"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no coach session is playing: there is no control socket in"),
        "{}",
        stderr(&out)
    );
    // A stale socket newer than a live session's is passed over, and a
    // new session sweeps those of dead processes when it starts.
    let mut playing = Playing::start(&env, &pulse, &["hold.toml", "--no-log"]);
    playing.wait_for("work 6s");
    let stale = dir.join("play-999999999.sock");
    drop(UnixListener::bind(&stale).unwrap());
    assert_eq!(status(&env, &pulse, &[])["pid"], playing.child.id());
    assert!(!stale.exists());
    drop(UnixListener::bind(&stale).unwrap());
    let mut other = Playing::start(&env, &pulse, &["hold.toml", "--no-log"]);
    other.wait_for("work 6s");
    assert!(!stale.exists(), "swept by the new session");
    ctl_ok(&env, &pulse, &["stop"]);
    ctl_ok(&env, &pulse, &["stop"]);
    let _ = playing.finish(Duration::from_secs(10));
    let _ = other.finish(Duration::from_secs(10));
}

#[test]
fn another_users_socket_and_bad_commands_are_refused_clearly() {
    let env = Env::new();
    // An unknown command: the command line says which there are.
    let out = env.run(&["ctl", "jump"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("invalid value 'jump'"), "{err}");
    assert!(
        err.contains("pause, resume, toggle, next, back, repeat, stop, status, say-status"),
        "{err}"
    );
    // Not a socket.
    let file = env.write("not-a-socket", "x");
    let out = env.run(&["ctl", "status", "--socket", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a control socket"),
        "{}",
        stderr(&out)
    );
    // A runtime folder others can reach is refused.
    let run = env.path("run");
    std::fs::create_dir_all(run.join("coach")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(run.join("coach"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = env
        .command()
        .env("XDG_RUNTIME_DIR", &run)
        .args(["ctl", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("can be reached by other users (mode 755)"),
        "{}",
        stderr(&out)
    );
    // Another user's socket: only root can make one to try.
    if !is_root() {
        return;
    }
    let theirs = env.path("theirs.sock");
    let _listener = UnixListener::bind(&theirs).unwrap();
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
    let out = env.run(&["ctl", "status", "--socket", theirs.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("it belongs to another user (uid 65534)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn mpris_play_pause_and_next_control_the_session_and_metadata_follows_it() {
    let pulse = Pulse::start();
    let bus = Bus::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let mut playing = play_on_bus(&env, &pulse, &bus, &["hold.toml"]);
    playing.wait_for("work 6s");
    let pid = playing.child.id();
    let identity = bus.get(pid, "org.mpris.MediaPlayer2", "Identity");
    assert!(identity.contains("\"coach: Remote test\""), "{identity}");
    let metadata = bus.wait_for(pid, "Metadata", "\"Long hold\"");
    assert!(metadata.contains("xesam:artist"), "{metadata}");
    assert!(metadata.contains("\"Remote test\""), "{metadata}");
    bus.wait_for(pid, "PlaybackStatus", "\"Playing\"");
    std::thread::sleep(Duration::from_millis(1200));
    bus.call(pid, "PlayPause");
    bus.wait_for(pid, "PlaybackStatus", "\"Paused\"");
    std::thread::sleep(Duration::from_millis(2500));
    bus.call(pid, "PlayPause");
    bus.wait_for(pid, "PlaybackStatus", "\"Playing\"");
    // After the count-in and a second of the hold: the next exercise.
    std::thread::sleep(Duration::from_millis(4500));
    bus.call(pid, "Next");
    bus.wait_for(pid, "Metadata", "\"Short hold\"");
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");

    let tones = find_tones_at(&audio, REC_RATE, QUIET);
    let hz: Vec<f64> = tones.iter().map(|t| t.hz).collect();
    assert_eq!(hz, [880.0, 880.0, 587.0], "the long hold was skipped");
    // Paused and resumed inside it: "Paused.", "Resuming.", "3", "2", "1".
    let inside: Vec<usize> =
        onsets_between(&audio, REC_RATE, QUIET, tones[0].onset, tones[1].onset);
    assert!(inside.len() >= 5, "pause and resume overlays: {inside:?}");
    let before = seconds(inside[0] - tones[0].onset);
    assert!((0.9..2.0).contains(&before), "paused {before:.3} s in");
    assert!((seconds(tones[2].onset - tones[1].onset) - 2.0).abs() <= TWO_MS);
}

/// `coach play ARGS` under `pulse`, on `bus`.
fn play_on_bus(env: &Env, pulse: &Pulse, bus: &Bus, args: &[&str]) -> Playing {
    Playing::start_env(
        env,
        pulse,
        args,
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())],
    )
}

#[test]
fn without_a_session_bus_there_is_no_player_and_no_error() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write(
        "short.toml",
        "title = \"Short\"\n[[exercise]]\nname = \"A\"\nhold = \"1s\"\nget_ready = \"0s\"\n",
    );
    let playing = Playing::start_env(
        &env,
        &pulse,
        &["short.toml", "--no-log"],
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    );
    let (code, said) = playing.finish(Duration::from_secs(30));
    assert_eq!(code, 0, "{said}");
    assert!(
        !said.contains("warning") && !said.contains("error"),
        "{said}"
    );
    assert!(said.contains("Session complete."), "{said}");
}

#[test]
fn an_input_devices_play_pause_and_next_keys_control_the_session() {
    use std::io::Write;
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let device = env.path("remote-event");
    let mut remote = fake_input_device(&device);
    let recording = pulse.record();
    let mut playing = Playing::start(
        &env,
        &pulse,
        &["hold.toml", "--input", device.to_str().unwrap()],
    );
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(1500));
    const KEY_PLAYPAUSE: u16 = 164;
    const KEY_NEXTSONG: u16 = 163;
    remote.write_all(&key_press(KEY_PLAYPAUSE)).unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    remote.write_all(&key_press(KEY_PLAYPAUSE)).unwrap();
    // After the count-in and a second of the hold: the next exercise.
    std::thread::sleep(Duration::from_millis(4500));
    remote.write_all(&key_press(KEY_NEXTSONG)).unwrap();
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    let tones = find_tones_at(&audio, REC_RATE, QUIET);
    let hz: Vec<f64> = tones.iter().map(|t| t.hz).collect();
    assert_eq!(hz, [880.0, 880.0, 587.0], "the long hold was skipped");
    let inside: Vec<usize> =
        onsets_between(&audio, REC_RATE, QUIET, tones[0].onset, tones[1].onset);
    // "Paused.", "Resuming.", "3", "2", "1", then the next exercise's
    // announcement.
    assert!(inside.len() >= 6, "pause and resume overlays: {inside:?}");
    let before = seconds(inside[0] - tones[0].onset);
    assert!((1.2..2.2).contains(&before), "paused {before:.3} s in");
    let resumed = inside[4] + REC_RATE as usize;
    let after = seconds(inside[5] - resumed);
    assert!(
        (0.0..1.5).contains(&after),
        "skipped {after:.3} s after resuming"
    );
}

#[test]
fn an_input_device_the_user_may_not_read_is_explained() {
    // As nobody, with a device only root may read, on ALSA's null device.
    let dir = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let routine = dir.path().join("short.toml");
    std::fs::write(
        &routine,
        "title = \"Short\"\n[[exercise]]\nname = \"A\"\nhold = \"1s\"\nget_ready = \"0s\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&routine, std::fs::Permissions::from_mode(0o644)).unwrap();
    let device = dir.path().join("event9");
    std::fs::write(&device, "").unwrap();
    std::fs::set_permissions(&device, std::fs::Permissions::from_mode(0o600)).unwrap();
    if !is_root() {
        // Our own file: make it unreadable to ourselves instead.
        std::fs::set_permissions(&device, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let mut c = coach_as_nobody();
    c.args([
        "play",
        routine.to_str().unwrap(),
        "--no-log",
        "--output",
        "alsa",
    ])
    .args(["--device", "null", "--input", device.to_str().unwrap()])
    .env("HOME", dir.path())
    .env("XDG_RUNTIME_DIR", dir.path().join("run"))
    .env("XDG_CACHE_HOME", dir.path().join("cache"))
    .env_remove("XDG_DATA_HOME")
    .env_remove("XDG_CONFIG_HOME")
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let (out, _) = run_command_bounded(c);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(&format!(
            "warning: cannot read {}: permission denied. To use a remote or a headset's buttons, add yourself to the input group (`sudo usermod -aG input $USER`, then log in again)",
            device.display()
        )),
        "{said}"
    );
}

#[test]
fn a_gpio_chip_that_is_not_there_is_a_clear_error_before_anything_plays() {
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let out = env.run(&["play", "hold.toml", "--gpio", "/nonexistent/gpiochip7:17"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("--gpio /nonexistent/gpiochip7:17: there is no GPIO chip /nonexistent/gpiochip7 on this machine"),
        "{err}"
    );
    assert!(!stdout(&out).contains("Playing"), "{}", stdout(&out));
    let out = env.run(&["play", "hold.toml", "--gpio", "gpiochip0:pin"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a line number"),
        "{}",
        stderr(&out)
    );
}
