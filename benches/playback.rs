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

use common::bus::Bus;
use common::pulse::{Pulse, REC_RATE};
use common::{Env, Hogs, find_tones_at, key_press, u};

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

/// Milliseconds from `signal` to the first sound it brings ("Paused."
/// for SIGUSR1, the next exercise's name for SIGUSR2), sent during a
/// silent get-ready, `runs` times.
fn control_latency(
    env: &Env,
    pulse: &Pulse,
    listener: &Listener,
    signal: i32,
    runs: usize,
) -> Vec<f64> {
    env.write(
        "quiet.toml",
        "title = \"Q\"\n[[exercise]]\nname = \"Q\"\nhold = \"5s\"\nget_ready = \"8s\"\ncountdown = 0\n[[exercise]]\nname = \"R\"\nhold = \"5s\"\n",
    );
    let mut out = Vec::new();
    for _ in 0..runs {
        let mut child = coach(env, pulse)
            .args(["play", "quiet.toml", "-q", "--no-log"])
            .spawn()
            .unwrap();
        // The title and name take under three seconds; then the get-ready
        // is silent, with seconds of it queued at the server.
        std::thread::sleep(Duration::from_secs(4));
        let sent = Instant::now();
        // SAFETY: signals our own child.
        unsafe { libc::kill(child.id() as i32, signal) };
        let heard = listener.first_sound_after(sent, Duration::from_secs(5));
        stop(&mut child);
        if let Some(at) = heard {
            out.push((at - sent).as_secs_f64() * 1000.0);
        }
    }
    out
}

/// A remote's command, sent to the session of `child`.
#[derive(Clone, Copy)]
enum Remote {
    /// `coach ctl WORD`, a new process each time.
    Ctl(&'static str),
    /// `dbus-send` calling this MPRIS method.
    Mpris(&'static str),
    /// A key press written to the input device (a FIFO standing in).
    Key(u16),
}

/// Milliseconds from a remote's command to the first sound it brings,
/// sent during a silent get-ready, `runs` times: the same measure as
/// [`control_latency`].
fn remote_latency(
    env: &Env,
    pulse: &Pulse,
    listener: &Listener,
    bus: &Bus,
    remote: Remote,
    runs: usize,
) -> Vec<f64> {
    env.write(
        "quiet.toml",
        "title = \"Q\"\n[[exercise]]\nname = \"Q\"\nhold = \"5s\"\nget_ready = \"8s\"\ncountdown = 0\n[[exercise]]\nname = \"R\"\nhold = \"5s\"\n",
    );
    let device = env.path("remote-event");
    let mut out = Vec::new();
    for _ in 0..runs {
        let mut fifo = common::fake_input_device(&device);
        let mut child = coach(env, pulse)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .args(["play", "quiet.toml", "-q", "--no-log", "--input"])
            .arg(&device)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs(4));
        let pid = child.id();
        if let Remote::Mpris(_) = remote {
            bus.wait_for(pid, "PlaybackStatus", "Playing");
        }
        let sent = Instant::now();
        match remote {
            Remote::Ctl(word) => {
                let mut c = coach(env, pulse);
                let _ = c.args(["ctl", word, "--pid", &pid.to_string()]).status();
            }
            Remote::Mpris(method) => bus.call(pid, method),
            Remote::Key(code) => {
                use std::io::Write;
                let _ = fifo.write_all(&key_press(code));
            }
        }
        let heard = listener.first_sound_after(sent, Duration::from_secs(5));
        stop(&mut child);
        if let Some(at) = heard {
            out.push((at - sent).as_secs_f64() * 1000.0);
        }
    }
    out
}

/// A process's CPU time so far (user + system), in seconds, from /proc.
fn cpu_of(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    // utime and stime are fields 14 and 15, 12 and 13 after the name.
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|x| x.parse::<f64>().ok()).sum()
    });
    // SAFETY: sysconf has no preconditions.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

/// What one player cost: its own CPU, the sound server's CPU while it
/// played, wall seconds and its peak RSS in KiB.
#[derive(Clone, Copy)]
struct Cost {
    client: f64,
    server: f64,
    wall: f64,
    rss: u64,
}

impl Cost {
    fn per_minute(&self) -> (f64, f64) {
        (
            self.client / (self.wall / 60.0),
            self.server / (self.wall / 60.0),
        )
    }
}

/// Runs `program ARGS` under GNU time against `pulse`, with the server's
/// CPU read before and after.
fn cost_of(env: &Env, pulse: &Pulse, program: &str, args: &[&str]) -> Cost {
    let report = env.path("time.txt");
    let mut c = Command::new("/usr/bin/time");
    c.arg("-o")
        .arg(&report)
        .args(["-f", "%U %S %e %M", program])
        .args(args);
    // The same sandbox and server as `coach()` sets.
    let base = coach(env, pulse);
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    let before = cpu_of(pulse.pid());
    let status = c
        .current_dir(env.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("GNU time is installed (bench/run.sh installs it)");
    let server = cpu_of(pulse.pid()) - before;
    assert!(status.success(), "{program} {args:?} played");
    let text = std::fs::read_to_string(&report).unwrap();
    let f: Vec<f64> = text
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    Cost {
        client: f[0] + f[1],
        server,
        wall: f[2],
        rss: f[3] as u64,
    }
}

/// Piper's figures, with the tests' Piper TTS (`COACH_TEST_PIPER`, which
/// bench/run.sh sets): a cold render's CPU and largest process, a cold
/// `play`'s first sound and longest silence before the first hold, and how
/// soon SIGTERM ends it while it prepares. `None` without Piper.
fn piper_figures(pulse: &Pulse, listener: &Listener, runs: usize) -> Option<Vec<(String, String)>> {
    let program = std::env::var("COACH_TEST_PIPER").ok()?;
    let voice = "piper:en_US-joe-medium";
    let mut rows = Vec::new();
    // A cold render: CPU of coach and its helper, the largest of them.
    let env = Env::with_own_cache();
    let report = env.path("time.txt");
    let status = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&report)
        .args(["-f", "%U %S %e %M", env!("CARGO_BIN_EXE_coach")])
        .args(["render", "hamstring-lower-back", "--voice", voice, "-o"])
        .arg(env.path("out.wav"))
        .envs(
            coach(&env, pulse)
                .get_envs()
                .filter_map(|(k, v)| Some((k, v?))),
        )
        .env("COACH_PIPER", &program)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if status.success() {
        let f: Vec<f64> = std::fs::read_to_string(&report)
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        if f.len() == 4 {
            rows.push((
                "cold preparation of the bundled routine with Piper (render)".into(),
                format!(
                    "{:.1} s CPU (coach and its Piper process), {:.1} s wall, largest process {:.0} MiB",
                    f[0] + f[1],
                    f[2],
                    f[3] / 1024.0
                ),
            ));
        }
    }
    // Cold plays: the first sound and the longest silence before the
    // first hold's start tone.
    let mut first = Vec::new();
    let mut silence = Vec::new();
    let mut stops = Vec::new();
    let play_cold = |env: &Env| {
        coach(env, pulse)
            .env("COACH_PIPER", &program)
            .args([
                "play",
                "hamstring-lower-back",
                "-q",
                "--no-log",
                "--voice",
                voice,
            ])
            .spawn()
            .ok()
    };
    for _ in 0..runs {
        let env = Env::with_own_cache();
        let recording = pulse.record();
        let started = Instant::now();
        let mut child = play_cold(&env)?;
        if let Some(at) = listener.first_sound_after(started, Duration::from_secs(20)) {
            first.push((at - started).as_secs_f64() * 1000.0);
        }
        std::thread::sleep(Duration::from_secs(45).saturating_sub(started.elapsed()));
        stop(&mut child);
        let audio = recording.finish();
        let tones = find_tones_at(&audio, REC_RATE, QUIET);
        let sounds = common::sounds(&audio, REC_RATE, QUIET, 50.0);
        if let Some(tone) = tones.first() {
            let mut widest: f64 = 0.0;
            for pair in sounds.windows(2).filter(|p| p[1].0 <= tone.onset) {
                widest = widest.max((pair[1].0 - pair[0].1) as f64 / REC_RATE);
            }
            silence.push(widest * 1000.0);
        }
        // And one stopped while it prepares.
        let env = Env::with_own_cache();
        let mut child = play_cold(&env)?;
        std::thread::sleep(Duration::from_millis(2000));
        let sent = Instant::now();
        // SAFETY: signals our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let _ = child.wait();
        stops.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    let ms = |v: &[f64]| {
        format!(
            "{:.0} ms median, {:.0} ms worst ({} runs)",
            median(v.to_vec()),
            v.iter().cloned().fold(0.0, f64::max),
            v.len()
        )
    };
    if !first.is_empty() {
        rows.push(("cold `play` with Piper: first sound".into(), ms(&first)));
        rows.push((
            "cold `play` with Piper: longest silence before the first hold".into(),
            ms(&silence),
        ));
    }
    rows.push((
        "cold `play` with Piper: SIGTERM to exit, 2 s into the preparation".into(),
        ms(&stops),
    ));
    Some(rows)
}

/// The largest difference, in ms, between the plan's and the recording's
/// intervals between consecutive tones, and the number of tones.
fn drift(env: &Env, pulse: &Pulse, routine: &str) -> (f64, usize, usize, Cost) {
    let plan = env.plan(routine);
    let planned: Vec<f64> = plan["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "tone")
        .map(|e| u(&e["start_sample"]) as f64 / common::RATE)
        .collect();
    let recording = pulse.record();
    let cost = cost_of(
        env,
        pulse,
        env!("CARGO_BIN_EXE_coach"),
        &["play", routine, "-q", "--no-log"],
    );
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
    if std::env::args().any(|a| a == "piper") {
        // `cargo bench --bench playback -- piper`: Piper's figures only.
        let listener = Listener::start(&pulse);
        match piper_figures(&pulse, &listener, 3) {
            Some(rows) => {
                println!("| what | value |\n|---|---|");
                for (what, value) in rows {
                    println!("| {what} | {value} |");
                }
            }
            None => {
                println!("Piper TTS is not installed: set COACH_TEST_PIPER (scripts/piper-venv.sh)")
            }
        }
        return;
    }
    if std::env::args().any(|a| a == "idle") {
        // `cargo bench --bench playback -- idle`: the idle control path only.
        let bus = Bus::start();
        let (listening, bare) = idle_remotes(&env, &pulse, &bus);
        print_idle(&listening, &bare);
        return;
    }
    let listener = Listener::start(&pulse);
    let warm = first_sound(&env, &pulse, &listener, false, 10);
    let pause = control_latency(&env, &pulse, &listener, libc::SIGUSR1, 10);
    let skip = control_latency(&env, &pulse, &listener, libc::SIGUSR2, 10);
    let bus = Bus::start();
    let remotes: Vec<(&str, Vec<f64>)> = vec![
        (
            "pause heard after `coach ctl pause`",
            remote_latency(&env, &pulse, &listener, &bus, Remote::Ctl("pause"), 10),
        ),
        (
            "skip heard after `coach ctl next`",
            remote_latency(&env, &pulse, &listener, &bus, Remote::Ctl("next"), 10),
        ),
        (
            "pause heard after MPRIS PlayPause (dbus-send)",
            remote_latency(
                &env,
                &pulse,
                &listener,
                &bus,
                Remote::Mpris("PlayPause"),
                10,
            ),
        ),
        (
            "pause heard after an input device's KEY_PLAYPAUSE",
            remote_latency(&env, &pulse, &listener, &bus, Remote::Key(164), 10),
        ),
    ];
    let cold_env = Env::with_own_cache();
    let cold = first_sound(&cold_env, &pulse, &listener, true, 5);
    let piper = piper_figures(&pulse, &listener, 3);
    drop(listener);
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
    if std::env::args().any(|a| a == "latency") {
        // `cargo bench --bench playback -- latency`: these figures only.
        println!("first sound, warm: {}", ms(&warm));
        println!("first sound, cold: {}", ms(&cold));
        println!("pause heard: {}", ms(&pause));
        println!("skip heard: {}", ms(&skip));
        for (what, v) in &remotes {
            println!("{what}: {}", ms(v));
        }
        return;
    }

    // Side by side through the same server: coach's outputs and paplay of
    // the same session rendered to a WAV file.
    env.write(
        "two.toml",
        "title = \"Two\"\n[[exercise]]\nname = \"Hold\"\nhold = \"110s\"\ncount_every = \"10s\"\n",
    );
    let wav = env.path("two.wav");
    let rendered = env.run(&["render", "two.toml", "--force", "-o", wav.to_str().unwrap()]);
    assert!(rendered.status.success());
    let coach_bin = env!("CARGO_BIN_EXE_coach");
    let play = |extra: &[&str]| {
        let mut args = vec!["play", "two.toml", "-q", "--no-log"];
        args.extend_from_slice(extra);
        cost_of(&env, &pulse, coach_bin, &args)
    };
    let paplay = cost_of(&env, &pulse, "paplay", &[wav.to_str().unwrap()]);
    let native = play(&[]);
    let paplay_again = cost_of(&env, &pulse, "paplay", &[wav.to_str().unwrap()]);
    let (listening, bare) = idle_remotes(&env, &pulse, &bus);
    let variants: Vec<(&str, Cost)> = vec![(
        "coach, ALSA through the pulse plugin (--output alsa)",
        play(&["--output", "alsa"]),
    )];

    // `-- quick`: no 10-minute sessions.
    let quick = std::env::args().any(|a| a == "quick");
    let ten = format!("{}/bench/ten-minutes.toml", env!("CARGO_MANIFEST_DIR"));
    let none = (
        f64::NAN,
        0,
        0,
        Cost {
            client: 0.0,
            server: 0.0,
            wall: 60.0,
            rss: 0,
        },
    );
    let (worst, planned, heard, cost) = if quick {
        none
    } else {
        drift(&env, &pulse, &ten)
    };
    let hogs = Hogs::start();
    let (worst_busy, planned_busy, heard_busy, cost_busy) = if quick {
        none
    } else {
        drift(&env, &pulse, &ten)
    };
    drop(hogs);

    println!("## Live playback\n");
    println!(
        "`coach play` through a PulseAudio server with a null sink (48 kHz stereo), its monitor recorded by"
    );
    println!(
        "parec (benches/playback.rs). Times to a sound are taken when the sound reaches the monitor, so they"
    );
    println!(
        "include the sound server's own latency. Default settings (the pulse output, 2 s queued) unless said otherwise.\n"
    );
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
        "| pause heard after SIGUSR1 | {} | signal to the first sample of \"Paused.\" during a silent get-ready, 2 s queued |",
        ms(&pause)
    );
    println!(
        "| skip heard after SIGUSR2 | {} | signal to the first sample of the next exercise's name, the same |",
        ms(&skip)
    );
    for (what, v) in &remotes {
        println!(
            "| {what} | {} | from just before the command (a new `coach ctl` or `dbus-send` process, or the write to the device) to the first sample it brings, the same |",
            ms(v)
        );
    }
    let (c, sv) = cost.per_minute();
    println!(
        "| CPU per minute of audio, 10-minute session | coach {c:.3} s + server {sv:.3} s | GNU time for coach; the server's utime + stime from /proc before and after, which here includes recording the monitor with parec at 20 ms (see the side-by-side table for the server's cost without it) |"
    );
    let (c, sv) = cost_busy.per_minute();
    println!(
        "| the same, with every core busy | coach {c:.3} s + server {sv:.3} s | a spinning thread per core beside it |"
    );
    println!(
        "| peak memory | {:.1} MiB ({:.1} MiB with every core busy) | maximum resident set of those runs |",
        cost.rss as f64 / 1024.0,
        cost_busy.rss as f64 / 1024.0
    );
    println!(
        "| timing error, idle machine | {worst:.3} ms at most | every interval between consecutive tones in the recording against the plan, {heard} tones heard of {planned} planned, 10-minute session |"
    );
    println!(
        "| timing error, every core busy | {worst_busy:.3} ms at most | the same, {heard_busy} tones heard of {planned_busy} planned |"
    );
    println!("\n### Piper\n");
    match &piper {
        Some(rows) => {
            println!(
                "The packaged en_US-joe-medium voice, its clips made by one Piper process per session.\n"
            );
            println!("| what | value |\n|---|---|");
            for (what, value) in rows {
                println!("| {what} | {value} |");
            }
        }
        None => println!("Not measured: Piper TTS was not installed (COACH_TEST_PIPER)."),
    }
    println!("\n### Side by side with paplay\n");
    println!(
        "One 2-minute session, each player alone on the same server in turn: CPU seconds per minute of audio.\n"
    );
    println!("| player | client | sound server | together |");
    println!("|---|---|---|---|");
    let row = |name: &str, cost: &Cost| {
        let (c, sv) = cost.per_minute();
        println!("| {name} | {c:.3} | {sv:.3} | {:.3} |", c + sv);
    };
    row("paplay of the rendered WAV", &paplay);
    row("coach (pulse output)", &native);
    row("paplay again, after coach", &paplay_again);
    for (name, cost) in &variants {
        row(name, cost);
    }
    let best_paplay = {
        let (a, b) = paplay.per_minute();
        let (c, d) = paplay_again.per_minute();
        (a + b).min(c + d)
    };
    let (c, sv) = native.per_minute();
    println!(
        "\ncoach's pulse output with the server: {:.1}× paplay's, the better of its two runs.",
        (c + sv) / best_paplay
    );
    print_idle(&listening, &bare);
}

/// The idle control path: coach's cost with the socket, MPRIS on a bus
/// and input devices looked for, and with none of them but the socket.
fn idle_remotes(env: &Env, pulse: &Pulse, bus: &Bus) -> (Cost, Cost) {
    env.write(
        "two.toml",
        "title = \"Two\"\n[[exercise]]\nname = \"Hold\"\nhold = \"110s\"\ncount_every = \"10s\"\n",
    );
    let coach_bin = env!("CARGO_BIN_EXE_coach");
    let with_bus = format!("DBUS_SESSION_BUS_ADDRESS={}", bus.address);
    let two = env.path("two.toml");
    let two = two.to_str().unwrap();
    let play = |bus: &str, input: &str| {
        cost_of(
            env,
            pulse,
            "env",
            &[
                bus, coach_bin, "play", two, "-q", "--no-log", "--input", input,
            ],
        )
    };
    // Every clip made first, so neither run pays for espeak-ng; then each
    // twice, in turn.
    assert!(env.run(&["show", two]).status.success());
    let bare_bus = "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent";
    let runs = [
        play(bare_bus, "off"),
        play(&with_bus, "auto"),
        play(bare_bus, "off"),
        play(&with_bus, "auto"),
    ];
    let sum = |a: &Cost, b: &Cost| Cost {
        client: a.client + b.client,
        server: a.server + b.server,
        wall: a.wall + b.wall,
        rss: a.rss.max(b.rss),
    };
    (sum(&runs[1], &runs[3]), sum(&runs[0], &runs[2]))
}

fn print_idle(listening: &Cost, bare: &Cost) {
    println!("\n### The idle control path\n");
    println!(
        "The same 2-minute session, nothing pressed, each way twice in turn: coach's CPU seconds per minute of audio\n(GNU time, 10 ms resolution over 4 minutes).\n"
    );
    println!("| remotes listening | coach | server |");
    println!("|---|---|---|");
    row_idle(
        "control socket, MPRIS on a session bus, input devices looked for every 2 s (--input auto)",
        listening,
    );
    row_idle("control socket only (no bus, --input off)", bare);
    let (a, _) = listening.per_minute();
    let (b, _) = bare.per_minute();
    println!("\nThe idle remotes add {:.4} s per minute.", a - b);
}

fn row_idle(name: &str, cost: &Cost) {
    let (c, sv) = cost.per_minute();
    println!("| {name} | {c:.3} | {sv:.3} |");
}
