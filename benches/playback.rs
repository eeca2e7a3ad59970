//! Live playback figures for `make bench`, measured through a real
//! PulseAudio server with a null sink whose monitor parec records:
//! time to first sound, pause latency, CPU and memory per minute of
//! audio, and drift over a 10-minute session. Prints a Markdown section.
//! Numbers only: nothing here passes or fails.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::pulse::{Pulse, REC_RATE};
use common::{Env, find_tones_at, u};

const QUIET: i16 = 2;

/// Samples as they arrived from parec, each chunk with its arrival time.
type Chunks = Arc<Mutex<Vec<(Instant, Vec<i16>)>>>;

/// parec streaming the monitor into memory, each chunk stamped with its
/// arrival: sound can be timed against the wall clock.
struct Listener {
    child: Child,
    chunks: Chunks,
}

impl Listener {
    fn start(pulse: &Pulse) -> Listener {
        let mut child = pulse
            .parec(5)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("parec");
        let mut out = child.stdout.take().unwrap();
        let chunks: Chunks = Arc::new(Mutex::new(Vec::new()));
        let sink = chunks.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let samples = buf[..n - n % 2]
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]))
                    .collect();
                sink.lock().unwrap().push((Instant::now(), samples));
            }
        });
        // The null sink starts with seconds of latency and settles to the
        // monitor's 5 ms only after a while.
        std::thread::sleep(Duration::from_secs(3));
        Listener { child, chunks }
    }

    /// When the first sound after `since` reached the monitor.
    fn first_sound_after(&self, since: Instant, limit: Duration) -> Option<Instant> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            {
                let chunks = self.chunks.lock().unwrap();
                for (at, samples) in chunks.iter().filter(|(at, _)| *at > since) {
                    if let Some(k) = samples.iter().position(|x| x.unsigned_abs() > QUIET as u16) {
                        let after = samples.len() - k;
                        return Some(*at - Duration::from_secs_f64(after as f64 / REC_RATE));
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn coach(env: &Env, pulse: &Pulse) -> Command {
    let mut c = env.command();
    pulse.attach(&mut c);
    c.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn stop(child: &mut Child) {
    // SAFETY: signals our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = child.wait();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Milliseconds from process start to the first sound, `runs` times.
fn first_sound(env: &Env, pulse: &Pulse, listener: &Listener, cold: bool, runs: usize) -> Vec<f64> {
    let mut out = Vec::new();
    for _ in 0..runs {
        if cold {
            let _ = std::fs::remove_dir_all(&env.cache);
        }
        std::thread::sleep(Duration::from_millis(500));
        let started = Instant::now();
        let mut child = coach(env, pulse)
            .args(["play", "hamstring-lower-back", "-q"])
            .spawn()
            .unwrap();
        let heard = listener.first_sound_after(started, Duration::from_secs(10));
        stop(&mut child);
        if let Some(at) = heard {
            out.push((at - started).as_secs_f64() * 1000.0);
        }
    }
    out
}

/// Milliseconds from SIGUSR1 to the first sound of "Paused.", over silence.
fn pause_latency(env: &Env, pulse: &Pulse, listener: &Listener, runs: usize) -> Vec<f64> {
    env.write(
        "quiet.toml",
        "title = \"Q\"\n[[exercise]]\nname = \"Q\"\nhold = \"5s\"\nget_ready = \"8s\"\ncountdown = 0\n",
    );
    let mut out = Vec::new();
    for _ in 0..runs {
        let mut child = coach(env, pulse)
            .args(["play", "quiet.toml", "-q"])
            .spawn()
            .unwrap();
        // The title and name take under three seconds; then the get-ready
        // is silent.
        std::thread::sleep(Duration::from_secs(4));
        let sent = Instant::now();
        // SAFETY: signals our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGUSR1) };
        let heard = listener.first_sound_after(sent, Duration::from_secs(5));
        stop(&mut child);
        if let Some(at) = heard {
            out.push((at - sent).as_secs_f64() * 1000.0);
        }
    }
    out
}

/// CPU seconds (user + system), wall seconds and peak RSS in KiB of a
/// whole session, as GNU time reports them. (The bench's own rusage would
/// count the fork before exec against the child's peak memory.)
fn session_cost(env: &Env, pulse: &Pulse, routine: &str, extra: &[&str]) -> (f64, f64, u64) {
    let report = env.path("time.txt");
    let mut c = Command::new("/usr/bin/time");
    c.arg("-o")
        .arg(&report)
        .args([
            "-f",
            "%U %S %e %M",
            env!("CARGO_BIN_EXE_coach"),
            "play",
            routine,
            "-q",
        ])
        .args(extra);
    // The same sandbox and server as `coach()` sets.
    let base = coach(env, pulse);
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    let status = c
        .current_dir(env.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("GNU time is installed (bench/run.sh installs it)");
    assert!(status.success(), "{routine} played");
    let text = std::fs::read_to_string(&report).unwrap();
    let f: Vec<f64> = text
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (f[0] + f[1], f[2], f[3] as u64)
}

/// The largest difference, in ms, between the plan's and the recording's
/// intervals between consecutive tones, and the number of tones.
fn drift(env: &Env, pulse: &Pulse, routine: &str) -> (f64, usize, usize, (f64, f64, u64)) {
    let plan = env.plan(routine);
    let planned: Vec<f64> = plan["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "tone")
        .map(|e| u(&e["start_sample"]) as f64 / common::RATE)
        .collect();
    let recording = pulse.record();
    let cost = session_cost(env, pulse, routine, &[]);
    let audio = recording.finish();
    let heard: Vec<f64> = find_tones_at(&audio, REC_RATE, QUIET)
        .iter()
        .map(|t| t.onset as f64 / REC_RATE)
        .collect();
    let worst = planned
        .windows(2)
        .zip(heard.windows(2))
        .map(|(p, h)| ((h[1] - h[0]) - (p[1] - p[0])).abs() * 1000.0)
        .fold(0.0, f64::max);
    (worst, planned.len(), heard.len(), cost)
}

fn main() {
    // `cargo bench` passes --bench; nothing else is taken.
    let pulse = Pulse::start();
    let env = Env::with_own_cache();
    // Warm the cache for everything played below.
    for routine in ["hamstring-lower-back", "bench/ten-minutes.toml"] {
        let routine = if routine.ends_with(".toml") {
            format!("{}/{routine}", env!("CARGO_MANIFEST_DIR"))
        } else {
            routine.to_string()
        };
        let ok = env.run(&["show", &routine]).status.success();
        assert!(ok, "{routine} is playable");
    }
    let listener = Listener::start(&pulse);
    let warm = first_sound(&env, &pulse, &listener, false, 10);
    let pause = pause_latency(&env, &pulse, &listener, 5);
    let cold_env = Env::with_own_cache();
    let cold = first_sound(&cold_env, &pulse, &listener, true, 5);
    drop(listener);

    let variants: Vec<(String, (f64, f64, u64))> = [
        ("native PulseAudio client, --latency 200", vec!["--latency", "200"]),
        ("ALSA through PulseAudio, default latency", vec!["--device", "alsa:default"]),
        ("ALSA through PulseAudio, --latency 200", vec!["--device", "alsa:default", "--latency", "200"]),
    ]
    .into_iter()
    .map(|(name, args)| {
        env.write(
            "three.toml",
            "title = \"Three\"\n[[exercise]]\nname = \"Hold\"\nhold = \"170s\"\ncount_every = \"10s\"\n",
        );
        (name.to_string(), session_cost(&env, &pulse, "three.toml", &args))
    })
    .collect();
    let ten = format!("{}/bench/ten-minutes.toml", env!("CARGO_MANIFEST_DIR"));
    let (worst, planned, heard, (cpu, wall, rss)) = drift(&env, &pulse, &ten);
    let minutes = wall / 60.0;

    let ms = |v: &[f64]| {
        if v.is_empty() {
            "no sound heard".to_string()
        } else {
            format!(
                "{:.0} ms median, {:.0} ms worst ({} runs)",
                median(v.to_vec()),
                v.iter().cloned().fold(0.0, f64::max),
                v.len()
            )
        }
    };
    println!("## Live playback\n");
    println!(
        "`coach play` through a PulseAudio server with a null sink, its monitor recorded by parec"
    );
    println!(
        "(benches/playback.rs). Times to a sound are taken when the sound reaches the monitor, so they"
    );
    println!("include the sound server's own latency. Default settings unless said otherwise.\n");
    println!("| what | value | how |");
    println!("|---|---|---|");
    println!(
        "| first sound, warm cache | {} | process start to the first non-silent sample at the monitor, bundled routine |",
        ms(&warm)
    );
    println!(
        "| first sound, cold cache | {} | the same with the speech cache emptied before each run |",
        ms(&cold)
    );
    println!(
        "| pause heard after SIGUSR1 | {} | signal to the first sample of \"Paused.\" during a silent get-ready |",
        ms(&pause)
    );
    println!(
        "| CPU per minute of audio | {:.3} s ({:.2} s over {:.1} min) | user + system time of the whole process (GNU time), 10-minute session |",
        cpu / minutes,
        cpu,
        minutes
    );
    println!(
        "| peak memory | {:.1} MiB | maximum resident set of the same run |",
        rss as f64 / 1024.0
    );
    println!(
        "| timing error | {worst:.3} ms at most | every interval between consecutive tones in the recording against the plan, {heard} tones heard of {planned} planned, 10-minute session |"
    );
    for (name, (cpu, wall, rss)) in variants {
        println!(
            "| CPU per minute, {name} | {:.3} s (peak {:.1} MiB) | as above, 3-minute session |",
            cpu / (wall / 60.0),
            rss as f64 / 1024.0
        );
    }
}
