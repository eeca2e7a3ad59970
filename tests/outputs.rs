//! The native outputs against a real PulseAudio server: what the server is
//! told about the stream, stops and suspends (Ctrl-Z and fg, SIGSTOP and
//! SIGCONT), a sink or a server that goes away, and the timing with every
//! core busy.

mod common;

use std::time::{Duration, Instant};

use common::playing::Playing;
use common::pulse::{Pulse, REC_RATE, hold_kept};
use common::*;

const QUIET: i16 = 2;
const ONE_MS: f64 = 0.001;
const TWO_MS: f64 = 0.002;

fn seconds(samples: usize) -> f64 {
    samples as f64 / REC_RATE
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

/// The state letter of a process, from /proc (T: stopped).
fn state(pid: u32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    after.chars().next().unwrap()
}

#[test]
fn the_stream_tells_the_server_who_plays_what_and_its_role() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let mut playing = Playing::start(&env, &pulse, &["hold.toml", "--role", "a11y"]);
    playing.wait_for("work 6s");
    let inputs = pulse.pactl(&["list", "sink-inputs"]);
    playing.signal(libc::SIGTERM);
    let _ = playing.finish(Duration::from_secs(10));
    for line in [
        "application.name = \"coach\"",
        "application.icon_name = \"coach\"",
        "media.name = \"Pause test – Long hold\"",
        "media.role = \"a11y\"",
        "Sample Specification: s16le 1ch 22050Hz",
    ] {
        assert!(inputs.contains(line), "{line} in {inputs}");
    }
    // The queue is seconds deep, and the sink is left a latency budget:
    // the server wakes rarely, for this stream and any other on the sink.
    let usec = |label: &str| -> f64 {
        let line = inputs.lines().find(|l| l.contains(label)).unwrap();
        let n: String = line.chars().filter(|c| c.is_ascii_digit()).collect();
        n.parse::<f64>().unwrap() / 1e6
    };
    assert!(usec("Buffer Latency:") > 1.0, "{inputs}");
    assert!(usec("Sink Latency:") > 0.05, "{inputs}");
}

#[test]
fn the_default_role_pauses_and_lowers_nothing() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    let inputs = pulse.pactl(&["list", "sink-inputs"]);
    playing.signal(libc::SIGTERM);
    let _ = playing.finish(Duration::from_secs(10));
    assert!(inputs.contains("media.role = \"music\""), "{inputs}");
}

/// Checks a recording of HOLD paused once during the long hold: the
/// overlays between its tones, a count-in of whole seconds, and the hold's
/// own time kept. `overlays` is how many sounds the pause left in the hold
/// (5 for "Paused.", "Resuming.", "3", "2", "1"); the hold had played
/// between `before` seconds when it stopped. `tolerance` is how far the
/// hold may be off; `None` for the sound server's own pause, which may be
/// heard a sink block late, never early ([`hold_kept`]).
fn a_pause_kept_the_hold(
    audio: &[i16],
    overlays: usize,
    before: std::ops::Range<f64>,
    tolerance: Option<f64>,
) {
    let tones = find_tones_at(audio, REC_RATE, QUIET);
    let hz: Vec<f64> = tones.iter().map(|t| t.hz).collect();
    assert_eq!(hz, [880.0, 587.0, 880.0, 587.0]);
    let (start, end) = (tones[0].onset, tones[1].onset);
    let inside: Vec<usize> = sounds(audio, REC_RATE, QUIET, 50.0)
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| *s > start + (0.3 * REC_RATE) as usize && *s < end)
        .collect();
    let all: Vec<f64> = sounds(audio, REC_RATE, QUIET, 50.0)
        .iter()
        .map(|(s, _)| seconds(*s))
        .collect();
    assert_eq!(
        inside.len(),
        overlays,
        "the overlays: {inside:?}; every sound at {all:.3?} s; tones at {:.3?} s",
        tones.iter().map(|t| seconds(t.onset)).collect::<Vec<_>>()
    );
    let one = inside[overlays - 1];
    let resumed_at = one + REC_RATE as usize;
    let after = seconds(end - resumed_at);
    let played = 6.0 - after;
    assert!(
        before.contains(&played),
        "the hold stopped {played:.3} s in, not in {before:?}"
    );
    if overlays == 5 {
        // "Paused." is where the hold stopped: the rest is exactly what
        // was left.
        let stopped = seconds(inside[0] - start);
        let kept = match tolerance {
            Some(t) => (stopped + after - 6.0).abs() <= t,
            None => hold_kept(stopped, after, 6.0),
        };
        assert!(kept, "the hold played {stopped:.4} s + {after:.4} s");
    }
    for pair in inside[overlays - 3..].windows(2) {
        assert!((seconds(pair[1] - pair[0]) - 1.0).abs() <= TWO_MS);
    }
    assert!((seconds(tones[3].onset - tones[2].onset) - 2.0).abs() <= TWO_MS);
}

#[test]
fn ctrl_z_pauses_and_stops_and_fg_resumes_without_losing_hold_time() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(1500));
    playing.signal(libc::SIGTSTP);
    std::thread::sleep(Duration::from_millis(1500));
    let pid = playing.child.id();
    assert_eq!(state(pid), 'T', "Ctrl-Z stopped the process");
    // Stopped for longer than the output's watchdog allows a stall.
    std::thread::sleep(Duration::from_millis(5000));
    playing.signal(libc::SIGCONT);
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    assert!(!said.contains("stopped working"), "{said}");
    assert!(!said.contains("warning"), "a stop is no underrun: {said}");
    // The pause is heard at once, not after the seconds queued.
    a_pause_kept_the_hold(&audio, 5, 1.3..2.1, None);
}

#[test]
fn alsa_through_the_pulse_plugin_pauses_at_once_and_keeps_the_hold() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let mut playing = Playing::start(&env, &pulse, &["hold.toml", "--output", "alsa"]);
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(1500));
    playing.signal(libc::SIGUSR1);
    std::thread::sleep(Duration::from_millis(2500));
    playing.signal(libc::SIGUSR1);
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("on alsa:default"), "{said}");
    // A second is buffered; the pause is heard at once all the same. The
    // plugin's drop leaves what the server's sink already holds to play
    // (tens of milliseconds), which its delay does not count: the hold
    // gains that much. (A device dropped is silent at once.)
    a_pause_kept_the_hold(&audio, 5, 1.3..2.1, Some(0.040));
}

#[test]
fn sigstop_and_sigcont_go_on_from_what_was_heard() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let recording = pulse.record();
    let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
    playing.wait_for("work 6s");
    std::thread::sleep(Duration::from_millis(1500));
    playing.signal(libc::SIGSTOP);
    std::thread::sleep(Duration::from_millis(6000));
    playing.signal(libc::SIGCONT);
    let (code, said) = playing.finish(Duration::from_secs(60));
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    assert!(!said.contains("stopped working"), "{said}");
    assert!(!said.contains("warning"), "a stop is no underrun: {said}");
    // While stopped, the server played what was queued (up to 2 s), then
    // nothing; after SIGCONT: "Resuming.", "3", "2", "1", and the rest of
    // the hold from where it was heard.
    a_pause_kept_the_hold(&audio, 4, 1.4..4.0, None);
}

/// Plays HOLD with `args`, has `lose` take the sound away once the long
/// hold is heard, and checks that coach ends within two seconds with a
/// clear error containing `says` and the hint to continue.
fn a_loss_is_a_clear_error_within_two_seconds(
    args: &[&str],
    lose: impl FnOnce(&mut Pulse),
    says: &str,
) {
    a_loss_on(Pulse::start(), args, lose, says, Duration::from_secs(2));
}

/// As [`a_loss_is_a_clear_error_within_two_seconds`], on `pulse`, with the
/// loss found within `found`; from the moment coach says it stopped, it
/// exits within two seconds.
fn a_loss_on(
    mut pulse: Pulse,
    args: &[&str],
    lose: impl FnOnce(&mut Pulse),
    says: &str,
    found: Duration,
) {
    let env = Env::new();
    env.write("hold.toml", HOLD);
    let mut all = vec!["hold.toml"];
    all.extend_from_slice(args);
    let mut playing = Playing::start(&env, &pulse, &all);
    playing.wait_for("work 6s");
    let sent = Instant::now();
    lose(&mut pulse);
    playing.wait_for("Stopped at");
    let stopped = Instant::now();
    let (code, said) = playing.finish(Duration::from_secs(15));
    let (took, exiting) = (sent.elapsed(), stopped.elapsed());
    assert_eq!(code, 1, "{said}");
    assert!(took < found, "took {took:?}: {said}");
    assert!(
        exiting < Duration::from_secs(2),
        "exiting took {exiting:?}: {said}"
    );
    assert!(said.contains(says), "{said}");
    assert!(
        said.contains("--from 'Long hold'"),
        "the resume hint: {said}"
    );
}

#[test]
fn an_unloaded_sink_is_a_clear_error_within_two_seconds() {
    a_loss_is_a_clear_error_within_two_seconds(
        &[],
        |pulse| drop(pulse.pactl(&["unload-module", "module-null-sink"])),
        "stopped working",
    );
}

/// The only sink unplugged, nowhere for the stream to go: the native
/// output says so within two seconds. cpal, through ALSA's pulse plugin,
/// hears nothing of it: its stream just stops taking audio, which the
/// player takes for a loss after 5 s. Either way the process exits within
/// two seconds of saying so, whatever the library does while the stream
/// is torn down.
#[test]
fn the_only_sink_unplugged_is_a_clear_error_and_coach_exits() {
    let unplug = |pulse: &mut Pulse| drop(pulse.pactl(&["unload-module", "module-null-sink"]));
    a_loss_on(
        Pulse::start_without_fallback(),
        &[],
        unplug,
        "stopped working",
        Duration::from_secs(2),
    );
    a_loss_on(
        Pulse::start_without_fallback(),
        &["--output", "cpal"],
        unplug,
        "stopped taking audio",
        Duration::from_secs(8),
    );
}

/// Bursts of signals (100 SIGUSR2 at once, each a skip) interrupt the
/// output's threads over and over: the session goes on to its end, and
/// never ends as a lost device.
#[test]
fn bursts_of_signals_never_end_a_session_as_a_lost_device() {
    let pulse = Pulse::start_without_fallback();
    let env = Env::new();
    let mut routine =
        String::from("title = \"Skips\"\n[defaults]\nget_ready = \"1s\"\nrest = \"1s\"\n");
    for i in 0..300 {
        routine.push_str(&format!(
            "[[exercise]]\nname = \"Stretch\"\nhold = \"3s\"\ncountdown = 0\n# {i}\n"
        ));
    }
    env.write("skips.toml", &routine);
    let mut playing = Playing::start(&env, &pulse, &["skips.toml"]);
    playing.wait_for("work 3s");
    for _ in 0..2 {
        for _ in 0..100 {
            playing.signal(libc::SIGUSR2);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    // SIGTERM ends it as a signal, not as a loss.
    std::thread::sleep(Duration::from_millis(1000));
    playing.signal(libc::SIGTERM);
    let (code, said) = playing.finish(Duration::from_secs(30));
    assert_eq!(code, 143, "{said}");
    assert!(!said.contains("stopped working"), "{said}");
}

/// Stopped and continued, even briefly and on a server without a
/// fallback sink, a session goes on: a stop is never taken for a loss.
#[test]
fn short_stops_never_end_a_session_with_or_without_a_fallback_sink() {
    for pulse in [Pulse::start(), Pulse::start_without_fallback()] {
        let env = Env::new();
        env.write("hold.toml", HOLD);
        let mut playing = Playing::start(&env, &pulse, &["hold.toml"]);
        playing.wait_for("work 6s");
        for pause in [300, 1000, 300] {
            playing.signal(libc::SIGSTOP);
            std::thread::sleep(Duration::from_millis(pause));
            playing.signal(libc::SIGCONT);
            std::thread::sleep(Duration::from_millis(700));
        }
        let (code, said) = playing.finish(Duration::from_secs(60));
        assert_eq!(code, 0, "{said}");
        assert!(!said.contains("stopped working"), "{said}");
    }
}

#[test]
fn a_killed_server_is_a_clear_error_within_two_seconds() {
    a_loss_is_a_clear_error_within_two_seconds(&[], Pulse::kill, "the sound server went away");
}

#[test]
fn alsa_through_a_killed_server_is_a_clear_error_within_two_seconds() {
    a_loss_is_a_clear_error_within_two_seconds(
        &["--output", "alsa"],
        Pulse::kill,
        "alsa:default stopped working",
    );
}

#[test]
fn with_every_core_busy_every_tone_keeps_its_place() {
    let pulse = Pulse::start();
    let env = Env::new();
    // 45 s: a tone every second and a half, through holds, reps and rests.
    env.write(
        "busy.toml",
        "title = \"Busy\"\n[[exercise]]\nname = \"Ticks\"\nreps = 24\nrep_time = \"1.5s\"\ncount = \"tone\"\nget_ready = \"1s\"\n[[exercise]]\nname = \"Hold\"\nhold = \"6s\"\nget_ready = \"1s\"\ncountdown = 3\n",
    );
    let plan = env.plan("busy.toml");
    let planned: Vec<f64> = events(&plan)
        .iter()
        .filter(|e| e["kind"] == "tone")
        .map(|e| u(&e["start_sample"]) as f64 / RATE)
        .collect();
    let recording = pulse.record();
    let hogs = Hogs::start();
    let playing = Playing::start(&env, &pulse, &["busy.toml", "--no-log"]);
    let (code, said) = playing.finish(Duration::from_secs(120));
    drop(hogs);
    let audio = recording.finish();
    assert_eq!(code, 0, "{said}");
    let heard: Vec<f64> = find_tones_at(&audio, REC_RATE, QUIET)
        .iter()
        .map(|t| t.onset as f64 / REC_RATE)
        .collect();
    assert_eq!(heard.len(), planned.len(), "every tone, none extra");
    for (p, h) in planned.windows(2).zip(heard.windows(2)) {
        let off = (h[1] - h[0]) - (p[1] - p[0]);
        assert!(
            off.abs() <= ONE_MS,
            "an interval off by {:.3} ms",
            off * 1e3
        );
    }
}
