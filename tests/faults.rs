//! The faults of issue "nothing a file, a voice, a signal or a pipe does can
//! exhaust the machine, hang coach, or lie to the user", each through the
//! real binary under a memory limit and a watchdog
//! ([`run_command_bounded`]): the clear error, the exit code, the bound
//! (peak memory, bytes written, time) and that nothing is left behind.
//! The device-loss and SIGSTOP faults against a real server are in
//! tests/outputs.rs.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::playing::Playing;
use common::pulse::Pulse;
use common::*;

/// The most memory any command may take on hostile input, in KiB.
const MEMORY_KIB: i64 = 500 * 1024;

fn code(o: &std::process::Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Bytes under `dir`, and how many files.
fn du(dir: &Path) -> (u64, usize) {
    let mut total = (0, 0);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                let (b, n) = du(&e.path());
                total = (total.0 + b, total.1 + n);
            } else {
                total = (total.0 + meta.len(), total.1 + 1);
            }
        }
    }
    total
}

/// Runs `coach ARGS` in `env` under the watchdog; asserts it kept within
/// the memory bound and returned within `seconds`.
fn bounded(env: &Env, args: &[&str], seconds: u64) -> (std::process::Output, String) {
    let started = Instant::now();
    let (out, rss) = run_bounded(env, args);
    let took = started.elapsed();
    let said = format!("{}{}", stdout(&out), stderr(&out));
    eprintln!("coach {args:?}: {took:?}, {} MiB peak", rss / 1024);
    assert!(rss < MEMORY_KIB, "{args:?} took {rss} KiB: {said}");
    assert!(
        took < Duration::from_secs(seconds),
        "{args:?} took {took:?}: {said}"
    );
    assert!(
        !matches!(code(&out), 101 | 134),
        "{args:?} panicked: {said}"
    );
    (out, said)
}

/// Item 1: a phrase that repeats a long name, 2,000-character texts by
/// the hundred: refused, located, before any speech is made, by `check`
/// and `list`; `list` synthesizes nothing even for a playable routine.
#[test]
fn speech_beyond_the_budget_is_refused_before_any_synthesis() {
    let env = Env::with_own_cache();
    let name = "N".repeat(1990);
    let mut filled = format!(
        "title = \"T\"\n[phrases]\nexercise = \"{}\"\n",
        "{name}".repeat(333)
    );
    for i in 0..3 {
        filled.push_str(&format!(
            "[[exercise]]\nname = \"{name}{i}\"\nhold = \"30s\"\n"
        ));
    }
    env.write("routines/filled.toml", &filled);
    let mut texts = String::from("title = \"T\"\n");
    let mut i = 0;
    while texts.len() < 850_000 {
        let say: String = format!("{i:05} {}", "stretch and breathe ".repeat(100))
            .chars()
            .take(2000)
            .collect();
        texts.push_str(&format!(
            "[[exercise]]\nname = \"E{i}\"\nhold = \"30s\"\nsay = [\"{say}\"]\n"
        ));
        i += 1;
    }
    env.write("routines/texts.toml", &texts);

    let (out, said) = bounded(&env, &["check", "routines/filled.toml"], 10);
    assert_eq!(code(&out), 1, "{said}");
    assert!(
        said.contains("routines/filled.toml:5:8: error: a text spoken here is 663003 characters long once its phrase is filled in"),
        "{said}"
    );
    let (out, said) = bounded(&env, &["check", "routines/texts.toml"], 10);
    assert_eq!(code(&out), 1, "{said}");
    assert!(
        said.contains("error: by here this routine has more than 30000 characters (30 minutes) of different texts to speak"),
        "{said}"
    );
    // `list` with both in the folder, and the built-in routine: nothing
    // synthesized, the built-in one's length estimated.
    let (out, said) = bounded(&env, &["list"], 10);
    assert_eq!(code(&out), 0, "{said}");
    for name in ["filled", "texts"] {
        let row = said.lines().find(|l| l.starts_with(name)).unwrap_or("");
        assert!(row.contains("  -  T (") && row.contains("error:"), "{said}");
    }
    assert!(said.contains("hamstring-lower-back  ~7:"), "{said}");
    assert_eq!(du(&env.cache), (0, 0), "nothing was synthesized or cached");
}

/// Item 1, within the budget: the largest speech a routine may have is
/// synthesized once, into a cache that stays under 100 MB, and a cached
/// clip is never bigger than what a valid text makes.
#[test]
fn speech_within_the_budget_is_cached_in_bounded_space() {
    let env = Env::with_own_cache();
    let mut text = String::from("title = \"T\"\n");
    for i in 0..6 {
        let say: String = (0..1990)
            .map(|k| ["stretch ", "breathe ", "gently "][(k + i) % 3])
            .collect::<String>()
            .chars()
            .take(1990)
            .collect();
        text.push_str(&format!(
            "[[exercise]]\nname = \"E{i}\"\nhold = \"30s\"\nsay = \"{say}\"\n"
        ));
    }
    env.write("big.toml", &text);
    let (out, said) = bounded(&env, &["check", "big.toml"], 120);
    assert_eq!(code(&out), 0, "{said}");
    let (bytes, files) = du(&env.cache);
    eprintln!("cache after check: {bytes} bytes in {files} clips");
    assert!(bytes < 100_000_000, "{bytes}");
    assert!(files > 6, "{files}");
}

/// Item 4: a megabyte of errors: the first hundred shown, the rest
/// counted, quickly.
#[test]
fn a_flood_of_errors_is_shown_in_part_and_quickly() {
    let env = Env::new();
    let flood: String = (0..105_000).map(|i| format!("a{i}=1\n")).collect();
    assert!(flood.len() <= 1 << 20);
    env.write("flood.toml", &flood);
    let (out, said) = bounded(&env, &["check", "flood.toml"], 10);
    assert_eq!(code(&out), 1);
    assert_eq!(said.matches(": error: ").count(), 100, "{}", &said[..2000]);
    assert!(said.matches(": error: unknown key \"a").count() >= 98);
    assert!(
        said.contains(
            "flood.toml: and 104902 more not shown (104902 errors)\nflood.toml: 105002 errors"
        ),
        "{}",
        &said[said.len() - 300..]
    );
}

/// Item 6: a command voice that writes without end, one whose WAV header
/// says 1 Hz, one that leaves a background child holding its stdout, and
/// one that times out with children of its own.
#[test]
fn command_voices_cannot_flood_stall_or_leave_processes() {
    let env = Env::with_own_cache();
    let marker = env.path("started-child");
    let wav_1hz = env.write(
        "onehz.py",
        "import struct,sys\nsys.stdin.read()\npcm=b'\\x10\\x10'*2000\nsys.stdout.buffer.write(b'RIFF'+struct.pack('<I',36+len(pcm))+b'WAVEfmt '+struct.pack('<IHHIIHH',16,1,1,1,2,2,16)+b'data'+struct.pack('<I',len(pcm))+pcm)\n",
    );
    env.write(
        "config/coach/config.toml",
        &format!(
            r#"[voices.yes]
command = ["yes"]
[voices.onehz]
command = ["python3", "{}"]
[voices.holder]
command = ["sh", "-c", "cat >/dev/null; (sleep 300.5; echo late) & printf RIFF"]
[voices.daemon]
command = ["sh", "-c", "cat >/dev/null; setsid -f sleep 303; sleep 0.3; printf RIFF"]
[voices.slow]
command = ["sh", "-c", "sleep 301.5 & echo $! > {}; sleep 302.5"]
timeout = "1s"
"#,
            wav_1hz.display(),
            marker.display()
        ),
    );
    env.write(
        "r.toml",
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"3s\"\n",
    );
    for (voice, says) in [
        ("yes", "wrote more than 64 MiB of audio for one text"),
        ("onehz", "its header says 1 Hz, which no voice speaks at"),
        ("holder", "wrote unusable audio: not a WAV file"),
        (
            "daemon",
            "left a process running that holds its output open",
        ),
        (
            "slow",
            "did not finish within 1s and was stopped, with everything it started",
        ),
    ] {
        let (out, said) = bounded(&env, &["check", "r.toml", "--voice", voice], 20);
        assert_eq!(code(&out), 1, "{voice}: {said}");
        assert!(said.contains(says), "{voice}: {said}");
    }
    // A process that left the voice's group is out of reach: the test
    // ends it. Every other process of any voice is gone: the background
    // sleep, the timed-out voice's child.
    let _ = Command::new("pkill").args(["-f", "sleep 303"]).status();
    // A killed process can take a moment to be gone; a zombie is gone.
    let running = || {
        let ps = Command::new("ps")
            .args(["-eo", "stat=,args="])
            .output()
            .unwrap();
        let ps = String::from_utf8_lossy(&ps.stdout).into_owned();
        let left: Vec<String> = ps
            .lines()
            .filter(|l| !l.starts_with('Z'))
            .filter(|l| {
                ["sleep 300.5", "sleep 301.5", "sleep 302.5"]
                    .iter()
                    .any(|s| l.contains(s))
            })
            .map(String::from)
            .collect();
        left
    };
    let started = Instant::now();
    while !running().is_empty() && started.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(running(), Vec::<String>::new(), "still running");
    assert!(marker.exists(), "the slow voice started its child");
}

/// The exit status of `child`, which must end within `limit`.
fn exit_within(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("coach went on for {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Item 5: stderr that cannot be written: a closed pipe ends the session
/// as SIGPIPE would (141), a full disk with 1; never a panic, and the log
/// gets its end either way.
#[test]
fn a_reader_gone_ends_the_session_cleanly_and_logs_its_end() {
    let pulse = Pulse::start();
    let env = Env::new();
    env.write(
        "r.toml",
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"20s\"\nget_ready = \"1s\"\n",
    );
    let log = env.path("data/coach/sessions.jsonl");
    let ends = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"event\":\"end\""))
            .count()
    };
    // `coach play r.toml 2>&1 | head -1`
    let mut c = env.command();
    pulse.attach(&mut c);
    let mut child = c
        .args(["play", "r.toml"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut first = [0u8; 8];
    std::io::Read::read_exact(&mut err, &mut first).unwrap();
    drop(err);
    let started = Instant::now();
    let status = exit_within(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(141));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ends(), 1, "the log has the session's end");

    // 2>/dev/full
    let mut c = env.command();
    pulse.attach(&mut c);
    let mut child = c
        .args(["play", "r.toml"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .spawn()
        .unwrap();
    let status = exit_within(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(1));
    assert_eq!(ends(), 2, "the log has that session's end too");

    // A hang-up (the terminal or the SSH connection gone) is a signal: 129.
    let mut playing = Playing::start(&env, &pulse, &["r.toml"]);
    playing.wait_for("work 20s");
    playing.signal(libc::SIGHUP);
    let (code, said) = playing.finish(Duration::from_secs(10));
    assert_eq!(code, 129, "{said}");
    assert_eq!(ends(), 3, "and that one's");
}

/// Item 7: Ctrl-C during a render leaves no part file; a stale one a
/// killed render left is swept; an existing file is not replaced without
/// --force; the routine itself never is.
#[test]
fn renders_leave_nothing_behind_and_replace_nothing_unasked() {
    let env = Env::new();
    env.write(
        "day.toml",
        "title = \"Day\"\n[[exercise]]\nname = \"A\"\nhold = \"24h\"\ncountdown = 0\nhalfway = false\n",
    );
    std::fs::write(env.path(".day.wav.part999999999"), "stale").unwrap();
    let mut render = env.command();
    let mut child = render
        .args(["render", "day.toml", "-o", "day.wav"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let part = env.path(&format!(".day.wav.part{}", child.id()));
    let started = Instant::now();
    while !part.exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "no part file");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: signals our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let left: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".part"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(!env.path("day.wav").exists());

    env.write(
        "short.toml",
        "title = \"S\"\n[[exercise]]\nname = \"A\"\nhold = \"1s\"\ncountdown = 0\n",
    );
    std::fs::write(env.path("keep.wav"), "mine").unwrap();
    let (out, said) = bounded(&env, &["render", "short.toml", "-o", "keep.wav"], 30);
    assert_eq!(code(&out), 1);
    assert!(
        said.contains("keep.wav exists already; add --force to replace it"),
        "{said}"
    );
    assert_eq!(std::fs::read(env.path("keep.wav")).unwrap(), b"mine");
    let (out, said) = bounded(
        &env,
        &["render", "short.toml", "-o", "keep.wav", "--force"],
        30,
    );
    assert_eq!(code(&out), 0, "{said}");
    assert_ne!(std::fs::read(env.path("keep.wav")).unwrap(), b"mine");

    // A routine file named self.wav, rendered without -o.
    env.write(
        "self.wav",
        "title = \"S\"\n[[exercise]]\nname = \"A\"\nhold = \"1s\"\n",
    );
    for args in [
        &["render", "self.wav"][..],
        &["render", "self.wav", "--force"],
    ] {
        let (out, said) = bounded(&env, args, 30);
        assert_eq!(code(&out), 1, "{said}");
        assert!(
            said.contains("self.wav is the routine file itself"),
            "{said}"
        );
    }
    assert!(
        std::fs::read_to_string(env.path("self.wav"))
            .unwrap()
            .starts_with("title")
    );
}

/// Item 8: a FIFO or /dev/zero as the config, directly or through a
/// symlink, and as the session log: refused at once, every command.
#[test]
fn special_files_as_config_or_log_are_refused_without_waiting() {
    let env = Env::new();
    env.write(
        "r.toml",
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"3s\"\n",
    );
    std::fs::create_dir_all(env.path("config/coach")).unwrap();
    let config = env.path("config/coach/config.toml");
    let fifo = env.path("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for target in [fifo.as_path(), Path::new("/dev/zero")] {
        let _ = std::fs::remove_file(&config);
        std::os::unix::fs::symlink(target, &config).unwrap();
        for args in [&["check", "r.toml"][..], &["list"], &["show", "r.toml"]] {
            let (out, said) = bounded(&env, args, 10);
            assert_eq!(code(&out), 1, "{args:?} {said}");
            assert!(said.contains("is not a regular file"), "{said}");
        }
    }
    let _ = std::fs::remove_file(&config);
    for log in [fifo.to_str().unwrap(), "/dev/zero"] {
        let mut c = env.command();
        c.env("COACH_LOG", log).args(["history"]);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let (out, rss) = run_command_bounded(c);
        assert!(rss < MEMORY_KIB);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(
            stderr(&out).contains("is not a regular file"),
            "{}",
            stderr(&out)
        );
    }
}

/// Item 9: a routine's and a log's text cannot drive the terminal: no
/// raw CR, ESC or bidi override reaches stdout or stderr.
#[test]
fn routine_and_log_text_cannot_drive_the_terminal() {
    let env = Env::new();
    // A title and names with line breaks are refused where they are.
    env.write(
        "lines.toml",
        "title = \"Stretch\\rDELETE ALL DATA?\"\n[[exercise]]\nname = \"A\\nB\"\nhold = \"3s\"\n",
    );
    let (out, said) = bounded(&env, &["check", "lines.toml"], 10);
    assert_eq!(code(&out), 1);
    assert!(
        said.contains("lines.toml:1:9: error: \"title\" contains a line break (\\r)"),
        "{said}"
    );
    assert!(
        said.contains("lines.toml:3:8: error: \"name\" contains a line break (\\n)"),
        "{said}"
    );
    assert!(!said.contains('\r'), "{said:?}");
    // Bidi overrides: shown as escapes wherever the text goes.
    env.write(
        "routines/bidi.toml",
        "title = \"Morning \u{202e}atad lla eteled\"\n[[exercise]]\nname = \"Reach\u{2066}\"\nhold = \"3s\"\nsides = [\"l\u{202d}\", \"r\"]\n",
    );
    let log = env.path("data/coach/sessions.jsonl");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(
        &log,
        "{\"t\":1796180396502,\"session\":\"s1\",\"event\":\"start\",\"at\":\"2026-12-02T02:59:56+00:00\",\"title\":\"Evil\\u001b[2J\\r\\u202e\",\"routine\":\"/r.toml\",\"hash\":\"fnv1a64:1\",\"planned\":7.5}\n\
         {\"t\":1796180397502,\"session\":\"s1\",\"event\":\"end\",\"exercise\":0,\"round\":1,\"name\":\"X\\u001b]0;owned\\u0007\",\"reason\":\"quit\",\"played\":1.0,\"pos\":1.0}\n",
    )
    .unwrap();
    for args in [
        &["show", "bidi"][..],
        &["check", "bidi"],
        &["list"],
        &["history"],
        &["render", "bidi", "-o", "bidi.wav"],
    ] {
        let (out, said) = bounded(&env, args, 30);
        assert_eq!(code(&out), 0, "{args:?}: {said}");
        for bad in ['\u{1b}', '\r', '\u{7}', '\u{202e}', '\u{202d}', '\u{2066}'] {
            assert!(!said.contains(bad), "{args:?} printed {bad:?}: {said:?}");
        }
    }
    let (_, said) = bounded(&env, &["show", "bidi"], 10);
    assert!(said.contains("Morning \\u{202e}atad lla eteled"), "{said}");
    let (_, said) = bounded(&env, &["history"], 10);
    assert!(said.contains("Evil\\u{1b}[2J\\r\\u{202e}"), "{said}");
    // The JSON keeps the text as it is, escaped as JSON.
    let plan = env.plan("bidi");
    assert_eq!(plan["title"], "Morning \u{202e}atad lla eteled");
}

/// Item 10: the smaller ones, each located and short.
#[test]
fn deep_keys_long_keys_tiny_holds_and_unknown_voices_are_located() {
    let env = Env::new();
    let ex = "[[exercise]]\nname = \"A\"\nhold = \"30s\"\n";
    env.write(
        "deep.toml",
        &format!("title = \"T\"\n{}b = 1\n{ex}", "a.".repeat(200)),
    );
    env.write(
        "long.toml",
        &format!("title = \"T\"\n{} = 1\n{ex}", "k".repeat(100_000)),
    );
    env.write(
        "tiny.toml",
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"0.000001s\"\n",
    );
    env.write(
        "lang.toml",
        &format!("title = \"T\"\nlanguage = \"xx-yy\"\n{ex}"),
    );
    let cases = [
        (
            "deep.toml",
            "deep.toml:2:1: error: invalid TOML: nested too deeply",
        ),
        (
            "long.toml",
            "long.toml:2:1: error: unknown key \"kkkkkkkkkk",
        ),
        (
            "tiny.toml",
            "tiny.toml:3:8: error: the work of \"A\" lasts 0.000001s, less than one sample",
        ),
        (
            "lang.toml",
            "lang.toml:2:12: error: espeak-ng has no voice \"xx-yy\"",
        ),
    ];
    for (file, says) in cases {
        let (out, said) = bounded(&env, &["check", file], 10);
        assert_eq!(code(&out), 1, "{said}");
        assert!(said.contains(says), "{file}: {said}");
        assert!(said.len() < 2000, "{file}: {} bytes said", said.len());
    }
}
