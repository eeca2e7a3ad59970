//! Live playback through a real PulseAudio server: each test starts its own
//! server with a null sink, plays with the real binary, records the sink's
//! monitor with parec, and measures the recording.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::playing::Playing;
use common::pulse::{Pulse, REC_RATE, hold_kept};
use common::*;

/// Samples at or below this are silence in a recording.
const QUIET: i16 = 2;
/// The tolerance the timing promise is held to through a sound server.
const TWO_MS: f64 = 0.002;

fn seconds(samples: usize) -> f64 {
    samples as f64 / REC_RATE
}

/// Plays the short fixture on `device` and holds the recording to the
/// rendered session: the same tones at the same places, and exact holds
/// and rests.
fn plays_exactly_what_render_writes(how: &[&str]) {
    let pulse = Pulse::start();
    let env = Env::new();
    let routine = fixture("play-short.toml");
    let rendered = find_tones(&env.render(&routine));
    let recording = pulse.record();
    let mut args = vec![routine.as_str()];
    args.extend_from_slice(how);
    let playing = Playing::start(&env, &pulse, &args);
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    assert!(!said.contains("ALSA lib"), "{said}");

    let heard = find_tones_at(&audio, REC_RATE, QUIET);
    let kinds = |tones: &[FoundTone]| tones.iter().map(|t| t.hz).collect::<Vec<_>>();
    assert_eq!(
        kinds(&heard),
        kinds(&rendered),
        "the same tones in the same order"
    );
    // Hold: start, end. Reps: a pip into the start, start, two ticks, end.
    assert_eq!(heard.len(), 7);
    let (h0, r0) = (heard[0].onset, rendered[0].onset);
    for (h, r) in heard.iter().zip(&rendered) {
        let heard_at = seconds(h.onset - h0);
        let rendered_at = (r.onset - r0) as f64 / RATE;
        assert!(
            (heard_at - rendered_at).abs() <= TWO_MS,
            "a {} Hz tone at +{heard_at:.4} s, rendered at +{rendered_at:.4} s",
            h.hz
        );
    }
    // Holds: start tone to end tone.
    let starts: Vec<usize> = heard
        .iter()
        .filter(|t| t.hz == 880.0)
        .map(|t| t.onset)
        .collect();
    let ends: Vec<usize> = heard
        .iter()
        .filter(|t| t.hz == 587.0)
        .map(|t| t.onset)
        .collect();
    for ((s, e), want) in starts.iter().zip(&ends).zip([3.0, 3.6]) {
        let got = seconds(e - s);
        assert!(
            (got - want).abs() <= TWO_MS,
            "work of {got:.4} s, want {want} s"
        );
    }
    // The rest: from the end of the first end tone to the next announcement,
    // past the one-word rest phrase.
    let rest_from = ends[0] + (0.5 * REC_RATE) as usize;
    let after: Vec<(usize, usize)> = sounds(&audio, REC_RATE, QUIET, 50.0)
        .into_iter()
        .filter(|(start, _)| *start >= rest_from)
        .collect();
    let rest = seconds(after[1].0 - rest_from);
    assert!((rest - 2.0).abs() <= TWO_MS, "rest of {rest:.4} s");
}

#[test]
fn the_pulse_output_plays_exactly_what_render_writes() {
    plays_exactly_what_render_writes(&["--device", "pulse:test_sink"]);
}

#[test]
fn alsa_through_pulseaudio_plays_exactly_what_render_writes() {
    // ALSA's default device is the pulse plugin while a server runs.
    plays_exactly_what_render_writes(&["--device", "alsa:default"]);
}

#[test]
fn the_cpal_fallback_plays_exactly_what_render_writes() {
    plays_exactly_what_render_writes(&["--output", "cpal"]);
}

const HOLD: &str = "title = \"Pause test\"
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

#[test]
fn sigusr1_pauses_and_resumes_without_losing_hold_time() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(1500));
    playing.signal(libc::SIGUSR1);
    std::thread::sleep(Duration::from_millis(2500));
    playing.signal(libc::SIGUSR1);
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");

    let tones = find_tones_at(&audio, REC_RATE, QUIET);
    let hz: Vec<f64> = tones.iter().map(|t| t.hz).collect();
    assert_eq!(hz, [880.0, 587.0, 880.0, 587.0]);
    let (start, end) = (tones[0].onset, tones[1].onset);
    // Between them: "Paused.", "Resuming.", "3", "2", "1".
    let inside: Vec<usize> = sounds(&audio, REC_RATE, QUIET, 50.0)
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| *s > start + (0.3 * REC_RATE) as usize && *s < end)
        .collect();
    assert_eq!(inside.len(), 5, "pause and resume overlays: {inside:?}");
    let paused_at = inside[0];
    let one = inside[4];
    let resumed_at = one + REC_RATE as usize;
    let before = seconds(paused_at - start);
    let after = seconds(end - resumed_at);
    // The signal was sent 1.5 s after coach said the hold began (which it
    // says within a quarter of a second).
    assert!(
        (1.2..2.2).contains(&before),
        "paused {before:.3} s into the hold"
    );
    assert!(
        hold_kept(before, after, 6.0),
        "the hold played {before:.4} s + {after:.4} s"
    );
    assert!(seconds(end - start) > 6.0 + 2.0, "the pause shows as a gap");
    // The count-in: whole seconds.
    for pair in inside[2..].windows(2) {
        assert!((seconds(pair[1] - pair[0]) - 1.0).abs() <= TWO_MS);
    }
    // The second exercise is untouched.
    assert!((seconds(tones[3].onset - tones[2].onset) - 2.0).abs() <= TWO_MS);
}

#[test]
fn quiet_prints_nothing_even_when_stopped() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let playing = Playing::start(&env, &pulse, &["hold.toml", "--quiet"]);
    std::thread::sleep(Duration::from_millis(2500));
    playing.signal(libc::SIGTERM);
    let (code, said) = playing.finish(Duration::from_secs(10));
    let audio = recording.finish();
    assert_eq!(code, 143, "{said}");
    assert_eq!(said, "", "nothing printed");
    assert!(
        !sounds(&audio, REC_RATE, QUIET, 50.0).is_empty(),
        "it played"
    );
}

#[test]
fn sigusr2_skips_to_the_next_exercise() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(1000));
    playing.signal(libc::SIGUSR2);
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    let tones = find_tones_at(&audio, REC_RATE, QUIET);
    let hz: Vec<f64> = tones.iter().map(|t| t.hz).collect();
    assert_eq!(
        hz,
        [880.0, 880.0, 587.0],
        "the long hold never ended: it was skipped"
    );
    let skipped_after = seconds(tones[1].onset - tones[0].onset);
    assert!(skipped_after < 6.0, "{skipped_after}");
    assert!((seconds(tones[2].onset - tones[1].onset) - 2.0).abs() <= TWO_MS);
}

#[test]
fn sigterm_stops_cleanly_with_the_resume_hint() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    let sent = Instant::now();
    playing.signal(libc::SIGTERM);
    let (code, said) = playing.finish(Duration::from_secs(10));
    assert!(sent.elapsed() < Duration::from_secs(2), "stops promptly");
    assert_eq!(code, 143, "{said}");
    assert!(
        said.contains(
            ", in Long hold. To continue from there: coach play --resume (or coach play hold.toml --from 'Long hold')"
        ),
        "{said}"
    );
}

#[test]
fn keys_on_a_terminal_skip_and_quit_and_the_terminal_is_restored() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let (master, slave) = pty();
    // SAFETY: `slave` is an open fd; the child gets its own duplicate.
    let stdin = unsafe { Stdio::from(std::os::fd::OwnedFd::from_raw_fd_dup(slave)) };
    let recording = pulse.record();
    let mut playing = Playing::start_with(&env, &pulse, &["hold.toml"], stdin);
    let key = |k: &[u8]| {
        // SAFETY: writes a key to the terminal's master side.
        unsafe { libc::write(master, k.as_ptr().cast(), k.len()) };
    };
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(800));
    key(b"n");
    playing.wait_for("work 2s");
    std::thread::sleep(Duration::from_millis(500));
    key(b"q");
    let (code, said) = playing.finish(Duration::from_secs(10));
    let audio = recording.finish();
    assert_eq!(code, 3, "{said}");
    assert!(
        said.contains(
            "in Short hold. To continue from there: coach play --resume (or coach play hold.toml --from 'Short hold')"
        ),
        "{said}"
    );
    let hz: Vec<f64> = find_tones_at(&audio, REC_RATE, QUIET)
        .iter()
        .map(|t| t.hz)
        .collect();
    assert_eq!(
        hz,
        [880.0, 880.0],
        "n skipped the first hold, q stopped the second"
    );
    // The terminal is back in line mode with echo.
    // SAFETY: reads the settings of an fd we own.
    let restored = unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        libc::tcgetattr(slave, &mut t);
        t.c_lflag & (libc::ICANON | libc::ECHO) == (libc::ICANON | libc::ECHO)
    };
    assert!(restored);
    // SAFETY: closes the fds openpty gave us.
    unsafe {
        libc::close(master);
        libc::close(slave);
    }
}

#[test]
fn after_a_jump_back_every_line_of_the_log_counts_only_what_was_heard() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("three.toml", THREE);
    let (master, slave) = pty();
    // SAFETY: `slave` is an open fd; the child gets its own duplicate.
    let stdin = unsafe { Stdio::from(std::os::fd::OwnedFd::from_raw_fd_dup(slave)) };
    let mut playing = Playing::start_with(&env, &pulse, &["three.toml"], stdin);
    playing.wait_for("work 6s: Second");
    std::thread::sleep(Duration::from_millis(2500));
    // Back to Second's start, a few seconds behind: less than the
    // output's queue and the log's old window.
    // SAFETY: writes a key to the terminal's master side.
    unsafe { libc::write(master, b"b".as_ptr().cast(), 1) };
    std::thread::sleep(Duration::from_millis(3000));
    playing.signal(libc::SIGTERM);
    let (code, said) = playing.finish(Duration::from_secs(10));
    assert_eq!(code, 143, "{said}");
    let text = std::fs::read_to_string(env.path("data/coach/sessions.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let timed: Vec<(f64, f64)> = lines
        .iter()
        .filter_map(|l| Some((l["t"].as_f64()? / 1000.0, l["played"].as_f64()?)))
        .collect();
    // The played figure never grows faster than the time it is heard in
    // (a tick of the log's clock, 0.25 s, of slack).
    for pair in timed.windows(2) {
        let (wall, played) = (pair[1].0 - pair[0].0, pair[1].1 - pair[0].1);
        assert!(
            played >= 0.0 && played <= wall + 0.25,
            "played rose {played:.3} s in {wall:.3} s: {text}"
        );
    }
    // And in all, it is about the time heard: the session less the
    // moment the jump took.
    let (first, last) = (timed[0], *timed.last().unwrap());
    let (span, played) = (last.0 - first.0, last.1 - first.1);
    assert!(
        played <= span + 0.25 && played >= span - 1.5,
        "played {played:.3} s in {span:.3} s: {text}"
    );
    // SAFETY: closes the fds openpty gave us.
    unsafe {
        libc::close(master);
        libc::close(slave);
    }
}

/// Whether the terminal `fd` is in line mode with echo, as a shell wants
/// it (not coach's key mode).
fn line_mode(fd: i32) -> bool {
    // SAFETY: reads the settings of an fd we own.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        libc::tcgetattr(fd, &mut t);
        t.c_lflag & (libc::ICANON | libc::ECHO) == (libc::ICANON | libc::ECHO)
    }
}

#[test]
fn ctrl_z_gives_the_terminal_back_and_fg_takes_keys_again() {
    let pulse = Pulse::start();
    // As a shell's job, and on a terminal that is only its stdin.
    for controlling in [true, false] {
        ctrl_z_and_fg_on_a_terminal(&pulse, controlling);
    }
}

fn ctrl_z_and_fg_on_a_terminal(pulse: &Pulse, controlling: bool) {
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let (master, slave) = pty();
    let mut playing = if controlling {
        Playing::start_on_terminal(&env, pulse, &["hold.toml"], slave)
    } else {
        // SAFETY: `slave` is an open fd; the child gets its own duplicate.
        let stdin = unsafe { Stdio::from(std::os::fd::OwnedFd::from_raw_fd_dup(slave)) };
        Playing::start_with(&env, pulse, &["hold.toml"], stdin)
    };
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(500));
    assert!(!line_mode(slave), "keys are read one by one while it plays");
    // Ctrl-Z: paused, stopped, and the terminal in the shell's mode.
    playing.signal(libc::SIGTSTP);
    std::thread::sleep(Duration::from_millis(1500));
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", playing.child.id())).unwrap();
    assert_eq!(
        stat[stat.rfind(')').unwrap() + 2..].chars().next(),
        Some('T')
    );
    assert!(line_mode(slave), "the shell gets its terminal back");
    // fg: key mode again, and keys work.
    playing.signal(libc::SIGCONT);
    std::thread::sleep(Duration::from_millis(1000));
    assert!(!line_mode(slave), "key mode again after fg ({controlling})");
    // SAFETY: writes a key to the terminal's master side.
    unsafe { libc::write(master, b"n".as_ptr().cast(), 1) };
    playing.wait_for("work 2s");
    // SAFETY: as above.
    unsafe { libc::write(master, b"q".as_ptr().cast(), 1) };
    let (code, said) = playing.finish(Duration::from_secs(20));
    assert_eq!(code, 3, "{said}");
    assert!(
        !said.contains("stopped working") && !said.contains("warning"),
        "{said}"
    );
    assert!(line_mode(slave), "restored at the end");
    // SAFETY: closes the fds openpty gave us.
    unsafe {
        libc::close(master);
        libc::close(slave);
    }
}

#[test]
fn the_progress_key_speaks_where_the_session_is_and_the_hold_keeps_its_end() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write(
        "status.toml",
        "title = \"Status test\"\n[[exercise]]\nname = \"Long hold\"\nhold = \"9s\"\nget_ready = \"1s\"\ncountdown = 0\nhalfway = false\n",
    );
    let (master, slave) = pty();
    // SAFETY: `slave` is an open fd; the child gets its own duplicate.
    let stdin = unsafe { Stdio::from(std::os::fd::OwnedFd::from_raw_fd_dup(slave)) };
    let recording = pulse.record();
    let mut playing = Playing::start_with(&env, &pulse, &["status.toml"], stdin);
    playing.wait_for("work 9s");
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: writes a key to the terminal's master side.
    unsafe { libc::write(master, b"s".as_ptr().cast(), 1) };
    let (code, said) = playing.finish(Duration::from_secs(40));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    // Shown as well as said.
    assert!(
        said.contains("Long hold. Less than a minute left."),
        "{said}"
    );
    // The hold still ends exactly 9 s after it starts.
    let tones = find_tones_at(&audio, REC_RATE, QUIET);
    let start = tones.iter().find(|t| t.hz == 880.0).unwrap();
    let end = tones.iter().find(|t| t.hz == 587.0).unwrap();
    let hold = seconds(end.onset - start.onset);
    assert!((hold - 9.0).abs() <= TWO_MS, "a hold of {hold:.4} s");
    // Within it, after the key, one stretch of speech (its two sentences
    // 0.3 s apart): the progress, with silence around it, and nothing else
    // was said in the hold.
    let spoken: Vec<(usize, usize)> = sounds(&audio, REC_RATE, QUIET, 500.0)
        .into_iter()
        .filter(|(at, _)| *at > start.onset + start.len && *at < end.onset)
        .collect();
    assert_eq!(spoken.len(), 1, "{spoken:?}");
    let (at, len) = spoken[0];
    assert!(seconds(at - start.onset) > 1.5, "said after the key");
    assert!(seconds(len) > 1.0, "a sentence, not a click");
    assert!(at + len < end.onset, "and over before the end tone");
    // SAFETY: closes the fds openpty gave us.
    unsafe {
        libc::close(master);
        libc::close(slave);
    }
}

/// A new pseudo-terminal: its master and slave fds.
fn pty() -> (i32, i32) {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills in two fds the caller owns from here on.
    let ok = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(ok, 0);
    (master, slave)
}

trait DupFd {
    /// # Safety
    /// `fd` must be open.
    unsafe fn from_raw_fd_dup(fd: i32) -> Self;
}

impl DupFd for std::os::fd::OwnedFd {
    unsafe fn from_raw_fd_dup(fd: i32) -> Self {
        use std::os::fd::FromRawFd;
        // SAFETY: the caller promises `fd` is open; dup gives a new one.
        unsafe { std::os::fd::OwnedFd::from_raw_fd(libc::dup(fd)) }
    }
}

#[test]
fn no_sound_server_and_bad_device_names_are_clear_errors() {
    let env = Env::new();
    let started = Instant::now();
    let out = env
        .command()
        .env("PULSE_SERVER", "unix:/nonexistent/pulse/native")
        .env("XDG_RUNTIME_DIR", env.path("run"))
        .args(["play", "hamstring-lower-back"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "no hang");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains("coach devices") && err.contains("coach render"),
        "{err}"
    );
    assert!(
        !err.contains("ALSA lib"),
        "ALSA's own noise is hidden: {err}"
    );

    let pulse = Pulse::start();
    let mut command = env.command();
    pulse.attach(&mut command);
    let out = command
        .args([
            "play",
            "hamstring-lower-back",
            "--device",
            "pulseaudio:no-such-sink",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: there is no output device \"pulseaudio:no-such-sink\"; `coach devices` lists the names --device takes\n"
    );
}

#[test]
fn devices_lists_the_sound_servers_sinks() {
    let pulse = Pulse::start();
    let env = Env::new();
    let mut command = env.command();
    pulse.attach(&mut command);
    let out = command.arg("devices").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("DEVICE (for --device)"));
    let line = text
        .lines()
        .find(|l| l.starts_with("pulse:test_sink "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.ends_with("(play uses this)"), "{line}");
    // One device is the one play uses; ALSA's default is only a default.
    assert_eq!(text.matches("play uses this").count(), 1, "{text}");
    let alsa = text
        .lines()
        .find(|l| l.starts_with("alsa:default "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!alsa.contains("play uses this"), "{alsa}");
    // A device set in the config is the one play uses.
    env.write("config/coach/config.toml", "device = \"alsa:default\"\n");
    let mut command = env.command();
    pulse.attach(&mut command);
    let text = stdout(&command.arg("devices").output().unwrap());
    let alsa = text
        .lines()
        .find(|l| l.starts_with("alsa:default "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        alsa.ends_with("(play uses this: the config's device)"),
        "{alsa}"
    );
    assert_eq!(text.matches("play uses this").count(), 1, "{text}");
}

/// The tone onsets of a recording, in seconds after its first tone, with
/// their frequencies.
fn tone_times(audio: &[i16]) -> Vec<(f64, f64)> {
    let tones = find_tones_at(audio, REC_RATE, QUIET);
    let first = tones.first().map_or(0, |t| t.onset);
    tones
        .iter()
        .map(|t| (seconds(t.onset - first), t.hz))
        .collect()
}

#[test]
fn a_cold_start_speaks_at_once_and_keeps_the_timing() {
    let pulse = Pulse::start();
    // An empty speech cache: the title is spoken while the rest is made.
    let env = Env::with_own_cache();
    let routine = fixture("play-short.toml");
    let recording = pulse.record();
    let playing = Playing::start(&env, &pulse, &[&routine]);
    let (code, said) = playing.finish(Duration::from_secs(60));
    let cold = recording.finish();
    assert_eq!(code, 0, "{said}");
    // The same session again, warm, as the reference.
    let recording = pulse.record();
    let (code, said) = Playing::start(&env, &pulse, &[&routine]).finish(Duration::from_secs(60));
    let warm = recording.finish();
    assert_eq!(code, 0, "{said}");
    let (cold, warm) = (tone_times(&cold), tone_times(&warm));
    assert_eq!(cold.len(), 7);
    assert_eq!(cold.len(), warm.len());
    for (c, w) in cold.iter().zip(&warm) {
        assert_eq!(c.1, w.1);
        assert!((c.0 - w.0).abs() <= TWO_MS, "cold {c:?}, warm {w:?}");
    }
}

/// Three exercises, the last one's words slow to make.
const PARTS: &str = "title = \"Parts\"
[[exercise]]
name = \"First\"
hold = \"4s\"
get_ready = \"1s\"
[[exercise]]
name = \"Second\"
hold = \"4s\"
get_ready = \"1s\"
[[exercise]]
name = \"Last\"
hold = \"2s\"
get_ready = \"1s\"
";

#[test]
fn a_cold_start_plays_its_first_exercises_while_the_last_is_prepared() {
    let pulse = Pulse::start();
    let env = Env::with_own_cache();
    // espeak-ng, but 6 s for each text that names the last exercise: a
    // session prepared whole before it plays would fall silent for seconds
    // after its first words.
    env.write(
        "config/coach/config.toml",
        r#"[voices.slow]
command = ["sh", "-c", "case \"$1\" in *Last*) sleep 6;; esac; exec espeak-ng --stdout -- \"$1\"", "sh", "{text}"]
language = "en"
"#,
    );
    env.write("parts.toml", PARTS);
    // Every sound, speech included, from the first words on (what is
    // under way as the recording starts is not the session's).
    let heard = |audio: &[i16]| {
        let all = sounds(audio, REC_RATE, QUIET, 50.0);
        let all: Vec<(usize, usize)> = all.into_iter().filter(|s| s.0 > 0).collect();
        let first = all[0].0;
        let at = |s: usize| seconds(s - first);
        let sounds: Vec<(f64, f64)> = all.iter().map(|s| (at(s.0), seconds(s.1))).collect();
        (sounds, tone_times(audio))
    };
    let recording = pulse.record();
    let started = std::time::Instant::now();
    let (code, said) = Playing::start(&env, &pulse, &["parts.toml", "--voice", "slow"])
        .finish(Duration::from_secs(60));
    let took = started.elapsed();
    let cold = recording.finish();
    assert_eq!(code, 0, "{said}");
    let recording = pulse.record();
    let (code, said) = Playing::start(&env, &pulse, &["parts.toml", "--voice", "slow"])
        .finish(Duration::from_secs(60));
    let warm = recording.finish();
    assert_eq!(code, 0, "{said}");
    let (cold_sounds, cold) = heard(&cold);
    let (warm_sounds, warm) = heard(&warm);
    assert_eq!(cold.len(), 6, "{cold:?}");
    assert_eq!(cold.len(), warm.len());
    for (c, w) in cold.iter().zip(&warm) {
        assert_eq!(c.1, w.1);
        assert!((c.0 - w.0).abs() <= TWO_MS, "cold {c:?}, warm {w:?}");
    }
    // Every sound, words and tones, where and as long as when every clip
    // is ready: the first hold does not wait for the slow clips, and the
    // first words go on whole as the session takes over in their middle.
    assert_eq!(
        cold_sounds.len(),
        warm_sounds.len(),
        "cold {cold_sounds:?}\nwarm {warm_sounds:?}"
    );
    for (c, w) in cold_sounds.iter().zip(&warm_sounds) {
        assert!(
            (c.0 - w.0).abs() <= TWO_MS && (c.1 - w.1).abs() <= TWO_MS,
            "a sound at {:.4} s for {:.4} s, warm at {:.4} s for {:.4} s (cold play took {took:?})",
            c.0,
            c.1,
            w.0,
            w.1
        );
    }
}

#[test]
fn from_starts_at_the_named_exercise() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let playing = Playing::start(
        &env,
        &pulse,
        &["hold.toml", "--from", "short HOLD", "--no-log"],
    );
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    assert!(
        !env.path("data/coach/sessions.jsonl").exists(),
        "--no-log writes no log"
    );
    let times = tone_times(&audio);
    assert_eq!(times.len(), 2, "only the second exercise: {times:?}");
    assert!((times[1].0 - 2.0).abs() <= TWO_MS);

    let out = env.run(&["play", "hold.toml", "--from", "Short hodl"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: --from: \"Pause test\" has no exercise \"Short hodl\" (did you mean \"Short hold\"?); its exercises are \"Long hold\", \"Short hold\"\n"
    );
    let out = env.run(&["play", "hold.toml", "--from", "3"]);
    assert_eq!(
        stderr(&out),
        "error: --from 3: \"Pause test\" has exercises 1 to 2\n"
    );
    let out = env.run(&["play", "hold.toml", "--from", "1", "--round", "2"]);
    assert_eq!(
        stderr(&out),
        "error: --round 2: \"Pause test\" has 1 round\n"
    );
}

/// coach playing on a pseudo-terminal (stdin and stderr) of some width,
/// with what the terminal was shown, each piece with when it came.
struct OnTerminal {
    child: std::process::Child,
    master: i32,
    shown: std::sync::Arc<std::sync::Mutex<Vec<(Instant, String)>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl OnTerminal {
    fn start(env: &Env, pulse: &Pulse, args: &[&str], columns: u16) -> OnTerminal {
        let (master, slave) = pty();
        set_columns(master, columns);
        let mut command = env.command();
        pulse.attach(&mut command);
        // SAFETY: `slave` is open; each stream gets its own duplicate.
        let (stdin, stderr_fd) = unsafe {
            (
                Stdio::from(std::os::fd::OwnedFd::from_raw_fd_dup(slave)),
                Stdio::from(std::os::fd::OwnedFd::from_raw_fd_dup(slave)),
            )
        };
        let child = command
            .arg("play")
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::null())
            .stderr(stderr_fd)
            .spawn()
            .unwrap();
        // The terminal reports its end to the reader only once no copy of
        // its slave side is left here: the command's and our own.
        drop(command);
        // SAFETY: the parent's copy of the slave is not needed any more.
        unsafe { libc::close(slave) };
        let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let reader = {
            let shown = shown.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    // SAFETY: reads into a buffer we own from an fd we own.
                    let n = unsafe { libc::read(master, buf.as_mut_ptr().cast(), buf.len()) };
                    if n <= 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n as usize]).into_owned();
                    shown.lock().unwrap().push((Instant::now(), text));
                }
            })
        };
        OnTerminal {
            child,
            master,
            shown,
            reader: Some(reader),
        }
    }

    /// What was shown from `from` until before `to`.
    fn between(&self, from: Instant, to: Instant) -> String {
        let pieces = self.shown.lock().unwrap();
        pieces
            .iter()
            .filter(|(at, _)| *at >= from && *at < to)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    /// Waits (at most 30 s) until `text` is shown after `from`.
    fn wait_for(&self, text: &str, from: Instant) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self
            .between(from, Instant::now() + Duration::from_secs(1))
            .contains(text)
        {
            assert!(Instant::now() < deadline, "never shown: {text:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn key(&self, k: &[u8]) {
        // SAFETY: writes a key to the terminal's master side.
        unsafe { libc::write(self.master, k.as_ptr().cast(), k.len()) };
    }

    /// Waits for coach to exit, and for the terminal to report its end.
    fn finish(&mut self) -> std::process::ExitStatus {
        let status = self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        status
    }
}

#[test]
fn play_says_when_sounds_were_moved() {
    let pulse = Pulse::start();
    let env = Env::new();
    std::fs::copy(fixture("cues-holds.toml"), env.path("cues.toml")).unwrap();
    let mut playing = Playing::start(&env, &pulse, &["cues.toml"]);
    playing.wait_for(
        "warning: 1 sound was moved and 1 dropped to keep clear of other sounds; `coach check cues.toml` lists them",
    );
    playing.signal(libc::SIGTERM);
    let (code, said) = playing.finish(Duration::from_secs(10));
    assert_eq!(code, 143, "{said}");
}

#[test]
fn a_terminal_shows_progress_bars() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("quick.toml", "title = \"Quick\"\n[[exercise]]\nname = \"Neck roll\"\nhold = \"2s\"\nget_ready = \"1s\"\n");
    let started = Instant::now();
    let mut terminal = OnTerminal::start(&env, &pulse, &["quick.toml"], 80);
    let status = terminal.finish();
    let shown = terminal.between(started, Instant::now());
    assert!(status.success(), "{shown}");
    assert!(shown.contains(coach::player::controls::KEYS), "{shown}");
    assert!(shown.contains("space/p pause/resume · n/→ next"), "{shown}");
    assert!(shown.contains("work: Neck roll"), "{shown}");
    assert!(shown.contains("s left"), "{shown}");
    assert!(shown.contains("Session complete."), "{shown}");
}

#[test]
fn question_mark_shows_the_keys_and_caps_lock_changes_nothing_on_a_terminal() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let started = Instant::now();
    let mut terminal = OnTerminal::start(&env, &pulse, &["hold.toml"], 100);
    terminal.wait_for("work: Long hold", started);
    let asked = Instant::now();
    terminal.key(b"?");
    terminal.wait_for(coach::player::controls::KEYS, asked);
    // N and Q, as caps lock gives them, skip and quit.
    terminal.key(b"N");
    let skipped = Instant::now();
    terminal.wait_for("work: Short hold", skipped);
    terminal.key(b"Q");
    let status = terminal.finish();
    let shown = terminal.between(started, Instant::now());
    assert_eq!(status.code(), Some(3), "{shown}");
    assert!(shown.contains("Stopped at"), "{shown}");
}

/// Sets the width of the terminal `master` belongs to.
fn set_columns(master: i32, columns: u16) {
    let size = libc::winsize {
        ws_row: 24,
        ws_col: columns,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads the winsize it is given.
    assert_eq!(unsafe { libc::ioctl(master, libc::TIOCSWINSZ, &size) }, 0);
}

/// The rows a terminal of `columns` shows for what it was given, without
/// escape sequences: a row ends at a line break, a carriage return, a
/// cursor movement, or where the terminal wraps it. (Colours are taken out
/// of the row they are in.)
fn drawn_rows(shown: &str, columns: usize) -> Vec<String> {
    let mut rows = vec![String::new()];
    let mut chars = shown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                let mut last = ' ';
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            last = c;
                            break;
                        }
                    }
                }
                if last != 'm' {
                    rows.push(String::new());
                }
            }
            '\n' | '\r' => rows.push(String::new()),
            c => {
                if rows.last().unwrap().chars().count() == columns {
                    rows.push(String::new());
                }
                rows.last_mut().unwrap().push(c);
            }
        }
    }
    rows.retain(|l| !l.trim().is_empty());
    rows
}

#[test]
fn the_bars_fit_the_terminal_show_paused_and_follow_a_resize() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write(
        "long.toml",
        "title = \"Long names\"\n[[exercise]]\nname = \"Supine hamstring stretch with a towel around the foot and the knee kept straight\"\nhold = \"5s\"\nget_ready = \"1s\"\nhalfway = false\n",
    );
    let started = Instant::now();
    let mut terminal = OnTerminal::start(&env, &pulse, &["long.toml"], 80);
    terminal.wait_for("work: Supine", started);
    terminal.key(b" ");
    terminal.wait_for("PAUSED · work: Supine", started);
    std::thread::sleep(Duration::from_millis(300));
    let resized = Instant::now();
    set_columns(terminal.master, 50);
    std::thread::sleep(Duration::from_millis(300));
    let narrow = Instant::now();
    terminal.wait_for("PAUSED · work: Supine", narrow);
    terminal.key(b" ");
    let status = terminal.finish();
    let ended = Instant::now();
    let wide = terminal.between(started, resized);
    let slim = terminal.between(narrow, ended);
    assert!(status.success(), "{}", terminal.between(started, ended));
    // Each line of bars fits on one row of the width it was drawn for
    // (one that does not is wrapped by the terminal, and its time left
    // lands on a row of its own); the name is shortened to fit, and PAUSED
    // and the time left are there.
    for (text, columns) in [(&wide, 80), (&slim, 50)] {
        let rows: Vec<String> = drawn_rows(text, columns)
            .into_iter()
            .filter(|l| l.contains("left"))
            .collect();
        assert!(!rows.is_empty(), "no whole time left at {columns} columns");
        for row in &rows {
            assert!(
                row.trim_end().ends_with(" left") && !row.starts_with(' '),
                "at {columns} columns, a line of bars was wrapped: {row:?}"
            );
        }
        assert!(
            rows.iter().any(|l| l.starts_with("PAUSED · work: Supine")
                && l.contains('…')
                && l.trim_end().ends_with("s left")),
            "{rows:#?}"
        );
    }
}

#[test]
fn the_system_voice_speaks_and_the_tones_keep_their_spacing() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write(
        "sys.toml",
        "title = \"System voice\"
[[exercise]]
name = \"Hold\"
say = \"Stand tall.\"
hold = \"4s\"
get_ready = \"2s\"
countdown = 2
rest = \"2s\"
[[exercise]]
name = \"Reps\"
reps = 2
rep_time = \"2.5s\"
",
    );
    let recording = pulse.record();
    let playing = Playing::start(&env, &pulse, &["sys.toml", "--voice", "system"]);
    let (code, said) = playing.finish(Duration::from_secs(90));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    let tones = find_tones_at(&audio, REC_RATE, QUIET);
    let hz: Vec<f64> = tones.iter().map(|t| t.hz).collect();
    assert_eq!(hz, [880.0, 587.0, 880.0, 587.0], "{said}");
    for (pair, want) in tones.chunks(2).zip([4.0, 5.0]) {
        let got = seconds(pair[1].onset - pair[0].onset);
        assert!(
            (got - want).abs() <= TWO_MS,
            "work of {got:.4} s, want {want} s"
        );
    }
    // The system voice was heard: the title, the name and the instruction
    // come before the first tone.
    let before: Vec<(usize, usize)> = sounds(&audio, REC_RATE, QUIET, 50.0)
        .into_iter()
        .filter(|(start, _)| *start < tones[0].onset)
        .collect();
    assert!(
        before.len() >= 3,
        "speech before the first tone: {before:?}"
    );
}

const THREE: &str = "title = \"Three holds\"
[defaults]
get_ready = \"1s\"
countdown = 0
halfway = false
[[exercise]]
name = \"First\"
hold = \"2s\"
[[exercise]]
name = \"Second\"
hold = \"6s\"
[[exercise]]
name = \"Third\"
hold = \"2s\"
";

#[test]
fn exercises_skipped_before_their_work_count_as_skipped_and_make_no_streak() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("three.toml", THREE);
    // Skip First and Second from their get-ready: only Third is done.
    let mut playing = Playing::start(&env, &pulse, &["three.toml"]);
    for name in ["First", "Second"] {
        playing.wait_for(&format!("get ready 1s: {name}"));
        playing.signal(libc::SIGUSR2);
    }
    let (code, said) = playing.finish(Duration::from_secs(60));
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("1 exercise done, 2 skipped. A new streak starts today."),
        "{said}"
    );
    let out = env.run(&["history"]);
    assert!(
        stdout(&out).contains("finished, 1 of 3 exercises done, 2 skipped"),
        "{}",
        stdout(&out)
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&env.run(&["history", "--json"]))).unwrap();
    assert_eq!(json[0]["exercises"], 3);
    assert_eq!(json[0]["exercises_done"], 1);
    assert_eq!(json[0]["exercises_skipped"], 2);
    assert_eq!(json[0]["completed"], 1);
    assert_eq!(json[0]["skipped"], 2);

    // Skipping all three finishes the session, with no work done: it says
    // no streak, and makes none.
    let env = Env::new();
    env.write("three.toml", THREE);
    let mut playing = Playing::start(&env, &pulse, &["three.toml"]);
    for name in ["First", "Second", "Third"] {
        playing.wait_for(&format!("get ready 1s: {name}"));
        playing.signal(libc::SIGUSR2);
    }
    let (code, said) = playing.finish(Duration::from_secs(60));
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("0 exercises done, 3 skipped."), "{said}");
    assert!(
        !said.contains("streak") && !said.contains("in a row"),
        "{said}"
    );
    let week = stdout(&env.run(&["history", "--week"]));
    assert!(week.contains("Streak: none yet"), "{week}");
}

#[test]
fn a_killed_session_is_logged_unfinished_and_resume_continues_there() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("three.toml", THREE);
    let mut playing = Playing::start(&env, &pulse, &["three.toml"]);
    playing.wait_for("work 6s: Second");
    std::thread::sleep(Duration::from_millis(1500));
    playing.signal(libc::SIGKILL);
    let (code, said) = playing.finish(Duration::from_secs(10));
    assert_eq!(code, -1, "killed: {said}");

    // The log has every line up to the kill; history reads it.
    let log = env.path("data/coach/sessions.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.ends_with('\n'), "{text}");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["event"], "start");
    assert_eq!(lines[0]["title"], "Three holds");
    assert!(lines.iter().any(|l| l["event"] == "period"
        && l["kind"] == "work"
        && l["exercise"] == 0
        && l["outcome"] == "completed"
        && l["secs"] == 2.0));
    assert!(!lines.iter().any(|l| l["event"] == "end"));
    let out = env.run(&["history", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sessions: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 1);
    assert_eq!(sessions[0]["result"], "unfinished");
    assert_eq!(sessions[0]["stopped_in"]["name"], "Second");
    assert_eq!(sessions[0]["completed"], 1);
    let out = env.run(&["history"]);
    assert!(
        stdout(&out).contains("unfinished in Second"),
        "{}",
        stdout(&out)
    );

    // A power cut mid-line: the torn line is skipped with a warning.
    let mut torn = text.clone();
    torn.push_str("{\"t\":17,\"session\":\"x\",\"ev");
    std::fs::write(&log, &torn).unwrap();
    let out = env.run(&["history"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("its last line was cut short"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("unfinished in Second"));

    // A changed routine is not resumed: its places may mean something else.
    env.write("three.toml", &THREE.replace("\"6s\"", "\"7s\""));
    let out = env.run(&["play", "--resume"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("three.toml has changed since the session of"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("(it stopped in \"Second\")"),
        "{}",
        stderr(&out)
    );
    env.write("three.toml", THREE);

    // --resume plays from the start of the exercise it stopped in.
    let recording = pulse.record();
    let playing = Playing::start(&env, &pulse, &["--resume"]);
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("Resuming at Second, where the session of"),
        "{said}"
    );
    assert!(
        !said.contains(": First"),
        "nothing of the first exercise: {said}"
    );
    let times = tone_times(&audio);
    assert_eq!(times.len(), 4, "Second and Third: {times:?}");
    assert!((times[1].0 - 6.0).abs() <= TWO_MS, "{times:?}");
    assert!((times[3].0 - times[2].0 - 2.0).abs() <= TWO_MS, "{times:?}");

    // The torn line was closed off, so the new session's lines are whole.
    let out = env.run(&["history", "--json"]);
    assert_eq!(
        stderr(&out).matches("warning").count(),
        1,
        "{}",
        stderr(&out)
    );
    let sessions: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(sessions[0]["result"], "finished");
    assert_eq!(sessions[0]["resumes"], sessions[1]["id"]);
    assert_eq!(sessions[0]["completed"], 2);
    let out = env.run(&["play", "--resume"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no unfinished session to resume"),
        "{}",
        stderr(&out)
    );
}

/// Stops `playing` with SIGTERM half a second into the hold it shows as
/// `hold`, and gives what it said (its exit code checked).
fn stopped_in(mut playing: Playing, hold: &str) -> String {
    playing.wait_for(hold);
    std::thread::sleep(Duration::from_millis(500));
    playing.signal(libc::SIGTERM);
    let (code, said) = playing.finish(Duration::from_secs(10));
    assert_eq!(code, 143, "{said}");
    said
}

#[test]
fn the_hint_after_a_resumed_session_is_stopped_is_a_command_that_works() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("three.toml", THREE);
    let stop_in_second =
        |args: &[&str]| stopped_in(Playing::start(&env, &pulse, args), "work 6s: Second");
    stop_in_second(&["three.toml"]);
    // Resumed (no routine named), then stopped again: the hint names the
    // routine as coach finds it, not by its title.
    let said = stop_in_second(&["--resume"]);
    let hint = said
        .split("(or coach play ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no hint: {said}"));
    assert!(!hint.contains("Three holds"), "{hint}");
    // The shell reads it as a user's would.
    let words = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("printf '%s\\n' {hint}"))
        .output()
        .unwrap();
    let words: Vec<String> = stdout(&words).lines().map(str::to_string).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    assert!(words.contains(&"--from"), "{words:?}");
    let recording = pulse.record();
    let (code, said) = Playing::start(&env, &pulse, &words).finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "coach play {hint}: {said}");
    assert_eq!(tone_times(&audio).len(), 4, "Second and Third: {said}");
}

#[test]
fn rounds_from_the_command_line_are_played_and_kept_in_the_hint() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("three.toml", THREE);
    let playing = Playing::start(
        &env,
        &pulse,
        &[
            "three.toml",
            "--rounds",
            "2",
            "--from",
            "Second",
            "--round",
            "2",
        ],
    );
    let said = stopped_in(playing, "work 6s: Second, round 2");
    assert!(
        said.contains(
            "in Second (round 2 of 2). To continue from there: coach play --resume --rounds 2 (or coach play three.toml --from Second --rounds 2 --round 2)"
        ),
        "{said}"
    );
    // The first hint, as written, plays the rest of round 2.
    let recording = pulse.record();
    let (code, said) = Playing::start(&env, &pulse, &["--resume", "--rounds", "2"])
        .finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("round 2"), "{said}");
    assert_eq!(tone_times(&audio).len(), 4, "Second and Third: {said}");
}

#[test]
fn a_routine_from_stdin_plays_and_resumes_from_stdin_again() {
    let pulse = Pulse::start();
    let env = Env::new();
    let file = env.write("three.toml", THREE);
    let stdin = || Stdio::from(std::fs::File::open(&file).unwrap());
    let playing = Playing::start_with(&env, &pulse, &["-"], stdin());
    let said = stopped_in(playing, "work 6s: Second");
    assert!(
        said.contains(
            "in Second. To continue from there: coach play --resume (or coach play - --from Second), with the routine piped in again"
        ),
        "{said}"
    );
    // Without it, or with another routine on stdin, resume says what it
    // needs.
    let other = env.write("other.toml", &THREE.replace("Third", "Fourth"));
    for input in [
        Stdio::null(),
        Stdio::from(std::fs::File::open(&other).unwrap()),
    ] {
        let out = env
            .command()
            .args(["play", "--resume"])
            .stdin(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("the routine on standard input is not the one the session of")
                && stderr(&out).contains(
                    "to resume, pipe that routine in again (cat routine.toml | coach play --resume)"
                ),
            "{}",
            stderr(&out)
        );
    }
    // With it, the rest of the session plays.
    let recording = pulse.record();
    let (code, said) =
        Playing::start_with(&env, &pulse, &["--resume"], stdin()).finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    assert_eq!(tone_times(&audio).len(), 4, "Second and Third: {said}");
}

#[test]
fn four_hours_in_the_timing_still_holds_on_a_device() {
    // A 4.5-hour session, played from its last exercise: the live source
    // starts 4.5 hours into the timeline, and what is heard there must be
    // what render puts there.
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("long.toml", &long_routine(27));
    let plan = env.plan("long.toml");
    let starts_at = events(&plan)
        .iter()
        .find(|e| e["round"] == 27 && e["exercise_index"] == 3)
        .map(|e| u(&e["start_sample"]))
        .unwrap();
    assert!(starts_at as f64 / RATE > 4.0 * 3600.0);
    let planned: Vec<f64> = events(&plan)
        .iter()
        .filter(|e| e["kind"] == "tone" && u(&e["start_sample"]) >= starts_at)
        .map(|e| u(&e["start_sample"]) as f64 / RATE)
        .collect();
    assert_eq!(planned.len(), 2, "the last hold's start and end tones");

    let recording = pulse.record();
    let playing = Playing::start(
        &env,
        &pulse,
        &[
            "long.toml",
            "--from",
            "Last stretch",
            "--round",
            "27",
            "--no-log",
        ],
    );
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    let heard = tone_times(&audio);
    assert_eq!(heard.len(), planned.len(), "{heard:?}");
    for (h, p) in heard.iter().zip(&planned) {
        assert!(
            (h.0 - (p - planned[0])).abs() <= TWO_MS,
            "a tone at +{:.4} s, planned at +{:.4} s",
            h.0,
            p - planned[0]
        );
    }
}
