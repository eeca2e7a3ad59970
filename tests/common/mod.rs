//! Helpers for tests that run the real `coach` binary and analyse the WAV
//! files it writes.
#![allow(dead_code)]

pub mod bus;
pub mod playing;
pub mod pulse;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const RATE: f64 = 22_050.0;

/// A sandbox for one test: its own home, data and cache folders, so tests
/// never touch the user's files or each other's.
pub struct Env {
    pub dir: tempfile::TempDir,
    /// The speech cache; shared between tests unless a test asks for its own.
    pub cache: PathBuf,
}

impl Env {
    /// A sandbox sharing the test run's speech cache (espeak-ng runs once
    /// per text for the whole test run).
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shared-cache");
        Env { dir, cache }
    }

    /// A sandbox with an empty cache of its own.
    pub fn with_own_cache() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = dir.path().join("cache");
        Env { dir, cache }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_coach"));
        c.current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_CACHE_HOME", &self.cache)
            .env_remove("NO_COLOR");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("coach runs")
    }

    /// `coach show ROUTINE --json`, parsed.
    pub fn plan(&self, routine: &str) -> Value {
        let out = self.run(&["show", routine, "--json"]);
        assert!(out.status.success(), "show failed: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("show --json prints JSON")
    }

    /// `coach render ROUTINE`, read back.
    pub fn render(&self, routine: &str) -> Vec<i16> {
        let wav = self.path("out.wav");
        let out = self.run(&["render", routine, "--force", "-o", wav.to_str().unwrap()]);
        assert!(out.status.success(), "render failed: {}", stderr(&out));
        read_wav(&wav)
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// The samples of a 16-bit mono 22,050 Hz WAV file.
pub fn read_wav(path: &Path) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path).expect("a readable WAV file");
    let spec = reader.spec();
    assert_eq!(spec.channels, 1);
    assert_eq!(spec.sample_rate, 22_050);
    assert_eq!(spec.bits_per_sample, 16);
    reader.samples::<i16>().map(|s| s.unwrap()).collect()
}

/// The power of `samples` at `hz`, relative to the power of a pure sine of
/// the same energy: near 1 for a pure tone at `hz`, near 0 otherwise.
pub fn purity(samples: &[i16], hz: f64) -> f64 {
    purity_at(samples, hz, RATE)
}

/// [`purity`] for audio at `rate`.
pub fn purity_at(samples: &[i16], hz: f64, rate: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * hz / rate;
    let (mut re, mut im, mut energy) = (0.0, 0.0, 0.0);
    for (i, s) in samples.iter().enumerate() {
        let x = *s as f64;
        re += x * (w * i as f64).cos();
        im += x * (w * i as f64).sin();
        energy += x * x;
    }
    if energy == 0.0 {
        return 0.0;
    }
    (re * re + im * im) / (energy * samples.len() as f64 / 2.0)
}

pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
}

/// A tone found in audio by its sound alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FoundTone {
    pub onset: usize,
    pub len: usize,
    pub hz: f64,
}

/// The tones coach uses, as (frequency, length in ms): start, end,
/// countdown pip, tick.
pub const TONES: [(f64, usize); 4] = [(880.0, 300), (587.0, 500), (1175.0, 120), (1568.0, 60)];

/// Finds the tones in `samples` without looking at any plan. Sounds are
/// the stretches between silences of at least 3 ms; a sound that is a pure
/// sine at one of the tone frequencies is a tone. A tone may also begin or
/// end a longer sound, when speech runs straight into it or out of it.
pub fn find_tones(samples: &[i16]) -> Vec<FoundTone> {
    find_tones_at(samples, RATE, 0)
}

/// A stretch of sound: first sample and length.
pub fn sounds(samples: &[i16], rate: f64, quiet: i16, gap_ms: f64) -> Vec<(usize, usize)> {
    let gap = (gap_ms * rate / 1000.0) as usize;
    let mut found = Vec::new();
    let mut i = 0;
    let loud = |x: i16| x.unsigned_abs() > quiet as u16;
    while i < samples.len() {
        if !loud(samples[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut zeros = 0;
        while i < samples.len() && zeros < gap {
            if loud(samples[i]) {
                zeros = 0;
                end = i + 1;
            } else {
                zeros += 1;
            }
            i += 1;
        }
        found.push((start, end - start));
    }
    found
}

/// [`find_tones`] for audio at `rate`, where samples of magnitude up to
/// `quiet` count as silence (a recording through a resampler is not
/// digitally silent).
pub fn find_tones_at(samples: &[i16], rate: f64, quiet: i16) -> Vec<FoundTone> {
    let mut found = Vec::new();
    for (start, len) in sounds(samples, rate, quiet, 3.0) {
        let run = &samples[start..start + len];
        if let Some((hz, _)) = TONES.iter().find(|(hz, _)| purity_at(run, *hz, rate) > 0.9) {
            found.push(FoundTone {
                onset: start,
                len,
                hz: *hz,
            });
            continue;
        }
        for (hz, ms) in TONES {
            let n = (ms as f64 * rate / 1000.0) as usize;
            if len <= n {
                continue;
            }
            if purity_at(&run[..n], hz, rate) > 0.9 {
                found.push(FoundTone {
                    onset: start,
                    len: n,
                    hz,
                });
            }
            if purity_at(&run[len - n..], hz, rate) > 0.9 {
                found.push(FoundTone {
                    onset: start + len - n,
                    len: n,
                    hz,
                });
            }
        }
    }
    found.sort_by_key(|t| t.onset);
    found
}

pub fn events(plan: &Value) -> &Vec<Value> {
    plan["events"].as_array().expect("events")
}

pub fn u(v: &Value) -> usize {
    v.as_u64().expect("a sample index") as usize
}

/// About nine minutes a round: a long hold with counts and cues, reps with
/// a spoken tempo, reps counted by tone in two sets, and a short hold.
pub fn long_routine(rounds: u32) -> String {
    format!(
        r#"title = "Long session"
rounds = {rounds}
round_rest = "30s"

[[exercise]]
name = "Plank"
hold = "4m"
count_every = "30s"
cues = [{{ every = "1m", say = "Breathe." }}]

[[exercise]]
name = "Cat-cow"
reps = 20
tempo = [{{ say = "In.", time = "4s" }}, {{ say = "Out.", time = "4s" }}]

[[exercise]]
name = "Squats"
reps = 15
rep_time = "3s"
count = "tone"
sets = 2
set_rest = "20s"

[[exercise]]
name = "Last stretch"
hold = "6s"
get_ready = "2s"
"#
    )
}

/// `coach` run as the user nobody when the tests run as root (root reads
/// and writes anything, so permissions can only be tested as someone
/// else); as the current user otherwise.
pub fn coach_as_nobody() -> Command {
    // SAFETY: reads our own user id.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        c.arg(env!("CARGO_BIN_EXE_coach"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_coach"))
    }
}

/// Whether the tests run as root.
pub fn is_root() -> bool {
    // SAFETY: reads our own user id.
    unsafe { libc::geteuid() == 0 }
}

/// Each spoken text of a `show --json` plan with its length in samples.
pub fn speech_events(plan: &Value) -> Vec<(String, usize)> {
    events(plan)
        .iter()
        .filter(|e| e["kind"] == "speech")
        .map(|e| {
            (
                e["text"].as_str().unwrap().to_string(),
                u(&e["end_sample"]) - u(&e["start_sample"]),
            )
        })
        .collect()
}

/// A busy loop on every core until dropped.
pub struct Hogs(Arc<AtomicBool>, Vec<std::thread::JoinHandle<()>>);

impl Hogs {
    pub fn start() -> Hogs {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 1u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                        std::hint::black_box(x);
                    }
                })
            })
            .collect();
        Hogs(stop, threads)
    }
}

impl Drop for Hogs {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
        for t in self.1.drain(..) {
            let _ = t.join();
        }
    }
}

/// Runs coach with `args` in `env`, killing it if it takes over a minute
/// (a hang is a failure, not a stuck test run). Also returns coach's peak
/// memory in KiB.
pub fn run_bounded(env: &Env, args: &[&str]) -> (Output, i64) {
    let mut c = env.command();
    c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    run_command_bounded(c)
}

pub fn run_command_bounded(mut c: Command) -> (Output, i64) {
    // A watchdog for memory too: whatever coach does, it cannot take more
    // than 2 GiB of address space (the tests assert far less, from its
    // peak resident size).
    // SAFETY: setrlimit is async-signal-safe; it runs in the child only.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut c, || {
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
    let mut child = c.stdin(Stdio::null()).spawn().unwrap();
    let pid = child.id() as i32;
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut status = 0;
        // SAFETY: waits for our own child and fills in plain structs.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let _ = tx.send((r, status, usage.ru_maxrss));
    });
    let (r, status, rss) = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(done) => done,
        Err(_) => {
            // SAFETY: kills our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("coach hung ({:?}) on {c:?}", started.elapsed());
        }
    };
    assert_eq!(r, pid);
    // The child is reaped; std must not wait for it again.
    std::mem::forget(child);
    let status = std::os::unix::process::ExitStatusExt::from_raw(status);
    (
        Output {
            status,
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        },
        rss,
    )
}

/// A key press as a Linux input device writes it: the key down, a sync,
/// the key up, a sync (`struct input_event`s).
pub fn key_press(code: u16) -> Vec<u8> {
    let record = |kind: u16, code: u16, value: i32| {
        // SAFETY: input_event is plain data; every field is set below.
        let mut e: libc::input_event = unsafe { std::mem::zeroed() };
        e.type_ = kind;
        e.code = code;
        e.value = value;
        // SAFETY: reads the bytes of a plain struct.
        unsafe {
            std::slice::from_raw_parts(
                (&e as *const libc::input_event).cast::<u8>(),
                std::mem::size_of::<libc::input_event>(),
            )
        }
        .to_vec()
    };
    [
        record(1, code, 1),
        record(0, 0, 0),
        record(1, code, 0),
        record(0, 0, 0),
    ]
    .concat()
}

/// A FIFO at `path` standing in for an input device node (there is no
/// /dev/uinput on the test machines), made if missing and opened for
/// reading and writing, so coach's reads wait for the presses written.
pub fn fake_input_device(path: &Path) -> std::fs::File {
    if !path.exists() {
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a path and a mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap()
}

/// The onsets of the sounds that start after the first 0.3 s of `from`
/// and before `to` (sample indices of a recording at `rate`).
pub fn onsets_between(
    samples: &[i16],
    rate: f64,
    quiet: i16,
    from: usize,
    to: usize,
) -> Vec<usize> {
    sounds(samples, rate, quiet, 50.0)
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| *s > from + (0.3 * rate) as usize && *s < to)
        .collect()
}

/// Waits (at most `limit`) until `done` holds.
pub fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
