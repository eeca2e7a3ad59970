//! Routine files are data from strangers. Each hostile or broken input
//! here gets a clear, located error or plays correctly; none panics, hangs
//! or takes memory without bound; and no routine makes coach start any
//! program but its voice engine or read any file but itself (traced with
//! strace).

mod common;

use std::process::{Command, Output, Stdio};

use common::*;

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

#[test]
fn a_megabyte_routine_with_a_thousand_exercises_plays_in_bounded_memory() {
    let env = Env::new();
    let say = "Breathe in slowly and let the shoulders drop. ".repeat(20);
    let mut text = String::from("title = \"A thousand\"\n[defaults]\nget_ready = 0\nrest = 0\n");
    for _ in 0..1000 {
        text.push_str(&format!(
            "[[exercise]]\nname = \"Stretch\"\nsay = \"{say}\"\nhold = \"24h\"\ncountdown = 0\nhalfway = false\n"
        ));
        if text.len() > 1_040_000 {
            break;
        }
    }
    // 24-hour holds, a thousand of them: past the 48-hour session limit.
    let exercises = text.matches("[[exercise]]").count();
    assert!(
        text.len() <= 1024 * 1024 && exercises > 900,
        "{}",
        text.len()
    );
    env.write("big.toml", &text);
    let (out, rss) = run_bounded(&env, &["check", "big.toml"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("error: this routine would last more than 24000 hours; a session may be at most 48 hours long"),
        "{}",
        stdout(&out)
    );
    // Under the limit, it loads and plans: a thousand short holds.
    let small = text.replace("\"24h\"", "\"1s\"");
    env.write("small.toml", &small);
    let (out, rss2) = run_bounded(&env, &["show", "small.toml", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        plan["periods"].as_array().unwrap().len(),
        exercises,
        "a hold for each"
    );
    // A 1 MiB file does not need more than a few times its size.
    assert!(rss.max(rss2) < 200 * 1024, "peak {} KiB", rss.max(rss2));
}

#[test]
fn one_twenty_four_hour_hold_renders_to_its_exact_length() {
    let env = Env::new();
    env.write(
        "day.toml",
        "title = \"Day\"\n[[exercise]]\nname = \"Sit\"\nhold = \"24h\"\ncount_every = \"1h\"\n",
    );
    let plan = env.plan("day.toml");
    let total = u(&plan["total_samples"]);
    let work = &plan["periods"].as_array().unwrap()[1];
    assert_eq!(
        u(&work["end_sample"]) - u(&work["start_sample"]),
        24 * 3600 * 22_050
    );
    // Streamed and counted, not stored: 3.8 GB of audio.
    let mut c = env.command();
    c.args(["render", "day.toml", "-o", "-"]);
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut n = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = std::io::Read::read(&mut out, &mut buf).unwrap();
        if k == 0 {
            break;
        }
        n += k as u64;
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(n, 44 + 2 * total as u64);
}

#[test]
fn huge_values_and_strange_encodings_are_located_errors() {
    let env = Env::new();
    let check = |name: &str, bytes: &[u8]| {
        std::fs::write(env.path(name), bytes).unwrap();
        let (out, _) = run_bounded(&env, &["check", name]);
        (code(&out), stdout(&out))
    };
    let (c, text) = check(
        "num.toml",
        b"title = \"T\"\nrounds = 99999999999999999999999999\n[[exercise]]\nname = \"A\"\nhold = 1e400\n",
    );
    assert_eq!(c, 1);
    assert!(text.contains("num.toml:2:10: error:"), "{text}");
    assert!(text.contains("num.toml:5:8: error:"), "{text}");

    let many_sides = format!(
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"5s\"\nsides = [{}]\n",
        vec!["\"s\""; 200_000].join(",")
    );
    let (c, text) = check("sides.toml", many_sides.as_bytes());
    assert_eq!(c, 1);
    assert!(
        text.contains("sides.toml:5:9: error: \"sides\" must list 2 to 4 sides, found 200000"),
        "{text}"
    );

    // A byte-order mark and Windows line ends are fine, and errors after
    // them are placed by line and character.
    let (c, text) = check(
        "windows.toml",
        b"\xEF\xBB\xBFtitle = \"T\"\r\n[[exercise]]\r\nname = \"A\"\r\nhodl = \"5s\"\r\nhold = \"5s\"\r\n",
    );
    assert_eq!(c, 1);
    assert!(
        text.contains(
            "windows.toml:4:1: error: unknown key \"hodl\" in [[exercise]] (did you mean \"hold\"?)"
        ),
        "{text}"
    );
    let (c, text) = check(
        "windows-ok.toml",
        b"\xEF\xBB\xBFtitle = \"T\"\r\n[[exercise]]\r\nname = \"A\"\r\nhold = \"5s\"\r\n",
    );
    assert_eq!(c, 0, "{text}");

    let (c, text) = check("utf16.toml", b"\xFF\xFEt\0i\0t\0l\0e\0");
    assert_eq!(c, 1);
    assert!(
        text.contains("utf16.toml:1:1: error: this is not valid UTF-8 text"),
        "{text}"
    );

    // Terminal escapes are control characters: refused, never printed raw.
    let (c, text) = check(
        "escape.toml",
        b"title = \"\\u001b[2J\\u001b]0;pwned\\u0007\"\n[[exercise]]\nname = \"A\"\nhold = \"5s\"\n",
    );
    assert_eq!(c, 1);
    assert!(
        text.contains("contains the control character U+001B"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no raw escape reaches the terminal"
    );
}

#[test]
fn fifos_devices_folders_and_unreadable_files_are_refused_and_nothing_hangs() {
    let env = Env::new();
    let fifo = env.path("pipe.toml");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: creates a FIFO at a path we own.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    for (file, want) in [
        // A pipe nobody writes to is given up, not waited on forever.
        (
            "pipe.toml",
            "pipe.toml: error: nothing came through this pipe for 10 s, so coach stopped waiting for it",
        ),
        (
            "/dev/zero",
            "/dev/zero: error: this is a device, not a routine file",
        ),
        (
            "/dev/stdin",
            "/dev/stdin: error: this is a device, not a routine file",
        ),
    ] {
        let started = std::time::Instant::now();
        let (out, _) = run_bounded(&env, &["check", file]);
        assert_eq!(code(&out), 1, "{file}");
        assert!(stdout(&out).contains(want), "{file}: {}", stdout(&out));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
    // A folder: check looks for routines in it (the FIFO is none), other
    // commands refuse it.
    let (out, _) = run_bounded(&env, &["check", "."]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains(". is a folder with no .toml files in it"),
        "{}",
        stderr(&out)
    );
    let (out, _) = run_bounded(&env, &["show", "."]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains(".: this is a folder, not a routine file"),
        "{}",
        stderr(&out)
    );

    // Unreadable: read as nobody, since root reads anything.
    env.write(
        "secret.toml",
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"5s\"\n",
    );
    let secret = env.path("secret.toml");
    std::fs::set_permissions(&secret, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    std::fs::set_permissions(
        env.path(""),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let mut c = coach_as_nobody();
    c.args(["check", secret.to_str().unwrap()])
        .env("HOME", "/nonexistent")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (out, _) = run_command_bounded(c);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("error: permission denied (cannot read this file)"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn names_that_look_like_options_are_names() {
    let env = Env::new();
    let (out, _) = run_bounded(&env, &["check", "--", "-x"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).starts_with("error: no routine named \"-x\""),
        "{}",
        stdout(&out)
    );
    env.write(
        "-x.toml",
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"5s\"\n",
    );
    let (out, _) = run_bounded(&env, &["check", "--", "-x.toml"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

/// The length of each spoken text in a session, from `show --json`.
fn speech_lengths(env: &Env, routine: &str) -> std::collections::HashMap<String, usize> {
    speech_events(&env.plan(routine)).into_iter().collect()
}

#[test]
fn texts_espeak_would_interpret_are_spoken_as_plain_words() {
    let env = Env::new();
    let written = env.path("espeak.wav");
    let option = format!("-w {}", written.display());
    env.write(
        "tricks.toml",
        &format!(
            r#"title = "Tricks"
[[exercise]]
name = "hello"
say = ["[[h@'loU]]", "<speak><break time='20s'/></speak>", "--version", "{option}"]
hold = "2s"
"#
        ),
    );
    let lengths = speech_lengths(&env, "tricks.toml");
    let len = |t: &str| *lengths.get(t).unwrap_or_else(|| panic!("{t}: {lengths:?}"));
    // Phoneme codes would say "hello"; brackets and letters say more.
    assert_ne!(len("[[h@'loU]]"), len("Hello. 2 seconds."));
    // No SSML: the markup is read out, not a 20 s pause.
    assert!(len("<speak><break time='20s'/></speak>") < 15 * 22_050);
    // Option-like texts are words on stdin, not espeak-ng's options: each
    // is speech, and no file was written.
    assert!(len("--version") > 2205 && len(&option) > 2205);
    assert!(!written.exists());
}

#[test]
fn a_routine_starts_no_program_but_the_voice_and_reads_no_other_file() {
    let env = Env::with_own_cache();
    let marker = env.path("pwned");
    let text = format!(
        r#"title = "$(touch {m}) `touch {m}` /etc/passwd"
about = "include = '/etc/shadow'"
language = "en"
[phrases]
done = "{{title}} ; touch {m} ; /etc/hostname"
[[exercise]]
name = "| sh -c 'touch {m}'"
say = ["../../../../etc/passwd", "file:///etc/passwd", "%s%s%n", "${{HOME}}"]
hold = "2s"
"#,
        m = marker.display()
    );
    env.write("hostile.toml", &text);
    let trace = env.path("trace");
    let mut c = Command::new("strace");
    c.args([
        "-f",
        "-ff",
        "-qq",
        "-e",
        "trace=execve,open,openat,creat",
        "-o",
    ])
    .arg(&trace)
    .arg(env!("CARGO_BIN_EXE_coach"))
    .args(["render", "hostile.toml", "-o", "out.wav"])
    .current_dir(env.path(""))
    .env("HOME", env.path(""))
    .env("XDG_DATA_HOME", env.path("data"))
    .env("XDG_CONFIG_HOME", env.path("config"))
    .env("XDG_CACHE_HOME", env.path("cache"))
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let (out, _) = run_command_bounded(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!marker.exists(), "nothing ran the routine's text");

    let dir = env.path("");
    let dir = dir.to_str().unwrap();
    let mut coach_processes = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.starts_with("trace.") {
            continue;
        }
        let log = std::fs::read_to_string(&path).unwrap();
        let execs: Vec<&str> = log.lines().filter(|l| l.starts_with("execve(")).collect();
        let espeak = execs.iter().any(|l| l.contains("espeak-ng"));
        for e in &execs {
            assert!(
                e.contains("espeak-ng") || e.contains(env!("CARGO_BIN_EXE_coach")),
                "coach started something else: {e}"
            );
        }
        if espeak {
            continue;
        }
        coach_processes += 1;
        // Files coach itself opened (and got): its routine, its own
        // folders, and what the system loader and runtime read.
        for line in log
            .lines()
            .filter(|l| l.contains("open") && !l.contains("= -1"))
        {
            let Some(start) = line.find('"') else {
                continue;
            };
            let Some(len) = line[start + 1..].find('"') else {
                continue;
            };
            let file = &line[start + 1..start + 1 + len];
            let allowed = !file.starts_with('/')
                || file.starts_with(dir)
                || [
                    "/etc/ld.so.cache",
                    "/lib/",
                    "/lib64/",
                    "/usr/lib/",
                    "/proc/self/",
                    "/sys/fs/cgroup/",
                    "/sys/devices/system/cpu/",
                    "/dev/null",
                    "/dev/urandom",
                    // glibc's malloc reads it when a thread's heap shrinks.
                    "/proc/sys/vm/overcommit_memory",
                    "/etc/localtime",
                    "/usr/share/zoneinfo/",
                ]
                .iter()
                .any(|p| file.starts_with(p));
            assert!(allowed, "coach opened {file}: {line}");
            assert!(
                !file.contains("passwd") && !file.contains("shadow") && !file.contains("hostname")
            );
        }
    }
    assert!(coach_processes >= 1, "the trace has coach in it");
}
