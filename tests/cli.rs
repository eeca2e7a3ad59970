//! The command line through the real binary: exit codes, output, the clip
//! cache, voice choice and routine discovery.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::*;

const GOOD: &str = "title = \"Quick\"\n[[exercise]]\nname = \"Neck roll\"\nhold = \"8s\"\n";

fn real_espeak() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("espeak-ng"))
        .find(|p| p.is_file())
        .expect("espeak-ng is installed")
}

/// A folder holding an `espeak-ng` that logs its arguments to `log`, then
/// runs the real one.
fn logging_espeak(env: &Env) -> (PathBuf, PathBuf) {
    let bin = env.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = env.path("espeak.log");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
        log.display(),
        real_espeak().display()
    );
    let path = bin.join("espeak-ng");
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    (bin, log)
}

fn calls(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `coach ARGS` with `input` on its stdin, through a pipe.
fn run_piped(env: &Env, args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = env
        .command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // A routine too big is refused before it is all written.
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut stdin, &input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

#[test]
fn a_routine_comes_from_stdin_a_pipe_or_a_process_substitution() {
    let env = Env::new();
    let routine = "title = \"T\"\n[[exercise]]\nname = \"Reach\"\nhold = \"2s\"\n";
    env.write("r.toml", routine);
    // `-` is stdin, for every command that takes a routine.
    let out = run_piped(&env, &["check", "-"], routine.as_bytes());
    assert_eq!(
        stdout(&out),
        "<stdin>: ok (1 exercise, 0:17.21 long)\n",
        "{}",
        stderr(&out)
    );
    let out = run_piped(&env, &["show", "-"], routine.as_bytes());
    assert!(
        out.status.success() && stdout(&out).contains("Reach"),
        "{}",
        stderr(&out)
    );
    let out = run_piped(
        &env,
        &["render", "-", "-o", "piped.wav"],
        routine.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(env.path("piped.wav")).unwrap(),
        {
            assert!(
                env.run(&["render", "r.toml", "-o", "file.wav"])
                    .status
                    .success()
            );
            std::fs::read(env.path("file.wav")).unwrap()
        },
        "the same audio as from the file"
    );
    // Its errors are located in <stdin>.
    let out = run_piped(
        &env,
        &["check", "-"],
        b"title = 3\n[[exercise]]\nname = \"A\"\nhold = \"2s\"\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("<stdin>:1:9: error: \"title\" must be a string, found an integer"),
        "{}",
        stdout(&out)
    );
    // Bounded as a file is.
    let out = run_piped(&env, &["check", "-"], "#".repeat(2 << 20).as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("<stdin>: error: the file is larger than 1 MiB"),
        "{}",
        stdout(&out)
    );
    // A process substitution and a FIFO with a writer are read like files.
    let out = std::process::Command::new("bash")
        .current_dir(env.path(""))
        .arg("-c")
        .arg(format!(
            "{} check <(cat r.toml)",
            env!("CARGO_BIN_EXE_coach")
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success() && stdout(&out).contains(": ok (1 exercise"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let fifo = env.path("fifo.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: creates a FIFO at a path we own.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let writer = {
        let fifo = fifo.clone();
        let routine = routine.to_string();
        std::thread::spawn(move || std::fs::write(&fifo, routine).unwrap())
    };
    let out = env.run(&["check", "fifo.toml"]);
    writer.join().unwrap();
    assert_eq!(
        stdout(&out),
        "fifo.toml: ok (1 exercise, 0:17.21 long)\n",
        "{}",
        stderr(&out)
    );
    // A terminal is not read: nobody would think to end it.
    let out = on_terminal(&env, "COACH check -", false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "error: - reads the routine from standard input, which is a terminal here: pipe one in, as in `cat routine.toml | coach check -`, or name its file"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn render_and_play_say_in_a_line_that_sounds_were_moved_and_the_check_it_names_lists_them() {
    let env = Env::new();
    std::fs::copy(fixture("cues-holds.toml"), env.path("cues.toml")).unwrap();
    let out = env.run(&["render", "cues.toml", "-o", "cues.wav"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line = "warning: 1 sound was moved and 1 dropped to keep clear of other sounds; `coach check cues.toml` lists them\n";
    assert!(stderr(&out).starts_with(line), "{}", stderr(&out));
    // The command it names lists exactly those two.
    let listed = stdout(&env.run(&["check", "cues.toml"]));
    assert!(
        listed.contains("was moved") && listed.contains("was dropped"),
        "{listed}"
    );
    assert!(listed.contains("2 warnings"), "{listed}");
    // Nothing is said when nothing moved.
    env.write(
        "calm.toml",
        "title = \"T\"\n[[exercise]]\nname = \"Reach\"\nhold = \"2s\"\n",
    );
    let out = env.run(&["render", "calm.toml", "-o", "calm.wav"]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn list_takes_the_voice_options_that_change_its_lengths_and_no_others() {
    let env = Env::new();
    let out = env.run(&[
        "list", "--voice", "en-gb", "--speed", "200", "--pitch", "40",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("hamstring-lower-back"));
    // The volume changes no length.
    let out = env.run(&["list", "--volume", "50"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected argument '--volume'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rounds_on_the_command_line_change_the_session_within_the_routine_limits() {
    let env = Env::new();
    env.write(
        "r.toml",
        "title = \"T\"\n[[exercise]]\nname = \"Reach\"\nhold = \"2s\"\n",
    );
    let once = stdout(&env.run(&["show", "r.toml"]));
    assert!(!once.contains("round"), "{once}");
    let out = env.run(&["show", "r.toml", "--rounds", "3"]);
    let thrice = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(thrice.contains("round 3"), "{thrice}");
    assert!(!thrice.contains("round 4"), "{thrice}");
    // render takes it too: three holds, two round rests longer.
    let total = |args: &[&str]| {
        let mut all = vec!["show", "r.toml", "--json"];
        all.extend_from_slice(args);
        let json: serde_json::Value = serde_json::from_str(&stdout(&env.run(&all))).unwrap();
        json["total_samples"].as_u64().unwrap()
    };
    assert!(total(&["--rounds", "3"]) > 2 * total(&[]));
    let out = env.run(&["render", "r.toml", "--rounds", "2", "-o", "two.wav"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // As the file's "rounds" is limited, so is the flag; and it is not
    // mistaken for --round.
    for bad in ["0", "101"] {
        let out = env.run(&["show", "r.toml", "--rounds", bad]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("--rounds <N>"), "{}", stderr(&out));
    }
    let out = env.run(&[
        "play", "r.toml", "--round", "2", "--rounds", "2", "--from", "9",
    ]);
    assert!(
        stderr(&out).contains("--from 9: \"T\" has exercises 1 to 1"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_passes_good_files_and_warns_without_failing() {
    let env = Env::new();
    env.write("good.toml", GOOD);
    let out = env.run(&["check", "good.toml"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "good.toml: ok (1 exercise, 0:17.08 long)\n"
            .replace("0:17.08", &length_of(&env, "good.toml"))
    );

    let warned = fixture("cues-holds.toml");
    let out = env.run(&["check", &warned]);
    assert_eq!(out.status.code(), Some(0), "warnings alone do not fail");
    let text = stdout(&out);
    assert!(
        text.contains(
            ": warning: \"Squeeze your glutes.\" in Plank, at 12s into the hold, was moved "
        ),
        "{text}"
    );
    assert!(text.contains("): it would overlap \"Halfway.\""), "{text}");
    assert!(
        text.contains(": warning: \"Breathe.\" in Plank, at 24s into the hold (0:"),
        "{text}"
    );
    assert!(
        text.contains(" was dropped: it would overlap \"1\""),
        "{text}"
    );
    assert!(text.trim_end().ends_with("long)"));
    let out = env.run(&["check", "--strict", &warned]);
    assert_eq!(out.status.code(), Some(1), "--strict fails on warnings");

    // The same collision in every round is one warning, not one a round.
    let once = std::fs::read_to_string(&warned).unwrap();
    let rounds = once.replacen("title =", "rounds = 5\ntitle =", 1);
    env.write("rounds.toml", &rounds);
    let five = stdout(&env.run(&["check", "rounds.toml"]));
    let single = stdout(&env.run(&["check", &warned]));
    let warnings = |t: &str| t.matches(": warning: ").count();
    assert_eq!(warnings(&five), warnings(&single), "{five}");
    assert!(
        five.contains(", round 1, at 12s into the hold, was moved "),
        "{five}"
    );
    assert!(five.contains("; the same in rounds 2 to 5\n"), "{five}");

    // Several files: all are checked, and one bad file fails the run.
    env.write("bad.toml", "title = 3\n");
    let out = env.run(&["check", "good.toml", "bad.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("good.toml: ok"));
    assert!(text.contains("bad.toml: 2 errors"));
}

/// The session length `show` reports, as `M:SS.ss`.
fn length_of(env: &Env, routine: &str) -> String {
    let plan = env.plan(routine);
    let centis = (u(&plan["total_samples"]) as f64 / RATE * 100.0).round() as u64;
    format!(
        "{}:{:02}.{:02}",
        centis / 6000,
        centis / 100 % 60,
        centis % 100
    )
}

#[test]
fn bundled_routine_checks_clean() {
    let env = Env::new();
    let out = env.run(&["check", "--strict", "hamstring-lower-back"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("hamstring-lower-back.toml (built in): ok (5 exercises, "));
}

#[test]
fn show_prints_a_cue_sheet_that_matches_the_json() {
    let env = Env::new();
    let plan = env.plan("hamstring-lower-back");
    let out = env.run(&["show", "hamstring-lower-back"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let events = events(&plan);
    // One line per sound, between the header and the total.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| {
            let first = l.split_whitespace().next().unwrap_or("");
            first.contains(':')
                && first.contains('.')
                && first
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
        })
        .collect();
    assert_eq!(lines.len(), events.len(), "{text}");
    // Piped, every text is whole.
    assert!(text.contains("\"Standing hamstring stretch. 30 seconds, each leg.\""));
    assert!(text.contains("[start tone, 880 Hz]"));
    assert!(text.contains(&format!("({} samples at 22050 Hz)", plan["total_samples"])));
    assert_eq!(plan["sample_rate"], 22050);
    for e in events {
        assert!(e["period"].is_string() && e["round"].is_u64());
        assert!(u(&e["end_sample"]) > u(&e["start_sample"]));
    }
    let cue = events
        .iter()
        .find(|e| e["text"] == "Keep your knee straight.")
        .unwrap();
    assert_eq!(cue["exercise"], "Standing hamstring stretch");
    assert_eq!(cue["side"], "Left leg");
    assert_eq!(cue["period"], "work");
}

#[test]
fn a_second_render_runs_no_espeak() {
    let env = Env::with_own_cache();
    let (bin, log) = logging_espeak(&env);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let render = || {
        let out = env
            .command()
            .env("PATH", &path)
            .args(["render", "hamstring-lower-back", "--force", "-o", "a.wav"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    render();
    let first = calls(&log).len();
    let plan = env.plan("hamstring-lower-back");
    let texts: std::collections::HashSet<&str> = events(&plan)
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(first, texts.len(), "one espeak-ng run per distinct text");
    render();
    assert_eq!(
        calls(&log).len(),
        first,
        "the second render synthesized nothing"
    );
}

#[test]
fn voice_and_speed_reach_espeak_and_language_picks_the_voice() {
    let env = Env::with_own_cache();
    let (bin, log) = logging_espeak(&env);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    env.write(
        "de.toml",
        "title = \"Dehnen\"\nlanguage = \"de\"\n[[exercise]]\nname = \"Nacken\"\nhold = 5\n",
    );
    let out = env
        .command()
        .env("PATH", &path)
        .args(["show", "de.toml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        calls(&log).iter().all(|c| c.starts_with("-v de -s 160 ")),
        "{:?}",
        calls(&log)
    );

    std::fs::remove_file(&log).unwrap();
    let out = env
        .command()
        .env("PATH", &path)
        .args(["show", "de.toml", "--voice", "en-gb", "--speed", "120"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let c = calls(&log);
    assert!(
        !c.is_empty() && c.iter().all(|c| c.starts_with("-v en-gb -s 120 ")),
        "{c:?}"
    );

    // Slower speech is longer speech.
    let fast = env.run(&["show", "de.toml", "--json", "--speed", "300"]);
    let slow = env.run(&["show", "de.toml", "--json", "--speed", "100"]);
    let total = |o: &std::process::Output| -> u64 {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["total_samples"].as_u64().unwrap()
    };
    assert!(total(&slow) > total(&fast));

    let out = env.run(&["show", "de.toml", "--voice", "xx-nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "espeak-ng has no voice \"xx-nope\". Pick one with --voice (`coach voices` lists them)"
        ),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["show", "de.toml", "--voice", "enus"]);
    assert!(
        stderr(&out).contains("espeak-ng has no voice \"enus\" (did you mean \"en-us\"?)"),
        "{}",
        stderr(&out)
    );
    // A language nobody speaks is an error, not an empty table.
    let out = env.run(&["voices", "--lang", "xx"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "error: no voice here speaks \"xx\": `coach voices` lists every voice with its language\n"
    );
    assert!(stdout(&out).is_empty());
    let out = env.run(&["show", "de.toml", "--speed", "20"]);
    assert_eq!(out.status.code(), Some(2), "a bad flag is a usage error");
}

#[test]
fn a_missing_espeak_is_a_clear_error() {
    let env = Env::with_own_cache();
    let empty = env.path("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let out = env
        .command()
        .env("PATH", &empty)
        .args(["render", "hamstring-lower-back", "-o", "x.wav"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    // After at most the note that speech is being prepared, the error.
    let error = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default();
    assert!(
        error.starts_with("error: espeak-ng was not found, and coach needs it to speak. Install it with `sudo apt install espeak-ng`"),
        "{err}"
    );
    assert!(err.lines().count() <= 2, "{err}");
    assert!(!env.path("x.wav").exists());
}

#[test]
fn list_finds_bundled_local_and_user_routines() {
    let env = Env::new();
    env.write("routines/neck.toml", GOOD);
    env.write("routines/broken.toml", "title = \n");
    env.write(
        "data/coach/routines/evening.toml",
        "title = \"Evening\"\n[[exercise]]\nname = \"Reach\"\nhold = \"6s\"\n",
    );
    // Their clips made first (`show`), so `list` knows the exact lengths
    // rather than estimating them, whatever other tests have cached.
    let bundled_length = length_of(&env, "hamstring-lower-back");
    let neck_length = length_of(&env, "neck");
    let out = env.run(&["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} listed in:\n{text}"))
            .to_string()
    };
    assert!(text.starts_with("NAME "));
    let bundled = row("hamstring-lower-back");
    assert!(bundled.contains("Hamstring and lower back relief") && bundled.ends_with("built in"));
    assert!(bundled.contains(&bundled_length));
    let neck = row("neck");
    assert!(neck.contains("Quick") && neck.contains(&neck_length));
    assert!(neck.ends_with("routines/neck.toml"));
    assert!(row("evening").contains("Evening"));
    assert!(row("broken").contains("(has errors: coach check routines/broken.toml)"));

    // The names list finds play by name, nearest folder first.
    let out = env.run(&["show", "evening"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("Evening\n"));
}

#[test]
fn render_names_its_file_and_refuses_other_formats() {
    let env = Env::new();
    env.write("neck.toml", GOOD);
    let out = env.run(&["render", "neck.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("wrote neck.wav ("));
    assert_eq!(
        read_wav(&env.path("neck.wav")).len(),
        u(&env.plan("neck.toml")["total_samples"])
    );

    let out = env.run(&["render", "neck.toml", "-o", "neck.mp3"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: neck.mp3: coach writes .wav (exact, uncompressed) and .ogg (Ogg Vorbis, small, for phones), not .mp3; give the output one of those extensions\n"
    );
    std::fs::create_dir(env.path("dir.wav")).unwrap();
    let out = env.run(&["render", "neck.toml", "-o", "dir.wav"]);
    assert_eq!(out.status.code(), Some(1));
    let out = env.run(&["render", "neck.toml", "-o", "no/such/folder/x.wav"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: cannot write no/such/folder/"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let env = Env::new();
    let mut child = env
        .command()
        .args(["show", "hamstring-lower-back"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(first, "Hamstring and lower back relief\n");
    assert!(out.status.success());
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn help_teaches() {
    let env = Env::new();
    let out = env.run(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for needle in [
        "render",
        "show",
        "check",
        "list",
        "Examples:",
        "Exit status",
    ] {
        assert!(text.contains(needle), "--help mentions {needle}");
    }
    let out = env.run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_fits_an_80_column_terminal_without_rewrapping_its_examples() {
    let env = Env::new();
    let help = |args: &[&str], columns: &str| {
        let out = env
            .command()
            .args(args)
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        stdout(&out)
    };
    let commands = [
        "play", "render", "show", "check", "list", "voices", "devices", "config", "history", "new",
        "ctl",
    ];
    for command in std::iter::once(None).chain(commands.iter().map(Some)) {
        let mut args: Vec<&str> = command.into_iter().copied().collect();
        args.push("--help");
        let narrow = help(&args, "80");
        for line in narrow.lines() {
            assert!(line.chars().count() <= 80, "{args:?}: {line:?}");
        }
        // What is laid out by hand (the examples, the exit statuses) is
        // the same at 80 columns as at 200: nothing of it was wrapped.
        let tail = |text: &str| text.split("Examples:").nth(1).map(str::to_string);
        assert_eq!(tail(&narrow), tail(&help(&args, "200")), "{args:?}");
    }
}

#[test]
fn check_names_the_exercise_whose_announcement_does_not_fit_in_its_rest() {
    let env = Env::new();
    env.write(
        "way-in.toml",
        r#"title = "Way in"

[defaults]
announce_in_rest = true
rest = "4s"

[[exercise]]
name = "Plank"
hold = "10s"

[[exercise]]
name = "Bridge"
say = ["Lie on your back with your knees bent and your feet flat on the floor.", "Lift your hips until your body is one straight line."]
hold = "10s"
"#,
    );
    let out = env.run(&["check", "way-in.toml"]);
    assert_eq!(out.status.code(), Some(0), "a warning, not an error");
    let text = stdout(&out);
    // Located at the name of the exercise it announces, in its words.
    assert!(
        text.contains("way-in.toml:12:8: warning: \"Lie on your back with your knees bent and your feet flat on the floor.\" in Bridge, at "),
        "{text}"
    );
    assert!(
        text.contains("the rest is too short for the announcement of the exercise after it; this part is said after the rest"),
        "{text}"
    );
    assert!(text.contains("12 | name = \"Bridge\""), "{text}");
    // With a rest long enough, it is clean.
    env.write(
        "way-in.toml",
        &std::fs::read_to_string(env.path("way-in.toml"))
            .unwrap()
            .replace("rest = \"4s\"", "rest = \"20s\""),
    );
    let out = env.run(&["check", "--strict", "way-in.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// Runs the shell `line` (COACH standing for the binary) in `env` with a
/// pseudo-terminal for its stdin, stdout and stderr, made by util-linux's
/// script; coach's colours are off unless `colour`.
fn on_terminal(env: &Env, line: &str, colour: bool) -> std::process::Output {
    let mut command = std::process::Command::new("script");
    command
        .current_dir(env.path(""))
        .env("HOME", env.path(""))
        .env("XDG_CACHE_HOME", env.path("cache"))
        .env("XDG_DATA_HOME", env.path("data"))
        .env("XDG_CONFIG_HOME", env.path("config"))
        .env("TERM", "xterm")
        .args([
            "-qec",
            &line.replace("COACH", env!("CARGO_BIN_EXE_coach")),
            "/dev/null",
        ])
        .stdin(Stdio::null());
    if colour {
        command.env_remove("NO_COLOR");
    } else {
        command.env("NO_COLOR", "1");
    }
    command.output().expect("script (util-linux) runs")
}

#[test]
fn render_to_a_terminal_is_refused_and_says_how_to_pipe_it() {
    let env = Env::new();
    env.write(
        "r.toml",
        "title = \"T\"\n[[exercise]]\nname = \"Reach\"\nhold = \"2s\"\n",
    );
    // Plain text to compare; colour has a test of its own.
    let run = |line: &str| on_terminal(&env, line, false);
    let out = run("COACH render r.toml -o -");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: -o - writes the audio to standard output, which is a terminal here")
            && text.contains("coach render r.toml -o - | aplay"),
        "{text}"
    );
    // Piped, it writes the WAV.
    let out = run("COACH render r.toml -o - | head -c 4");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("RIFF"), "{}", stdout(&out));
}

#[test]
fn show_gives_whole_texts_when_piped_or_wide_and_fits_them_to_a_terminal() {
    let env = Env::new();
    let long = "Lie on your back with your knees bent and your feet flat on the floor, arms by your sides.";
    env.write(
        "r.toml",
        &format!(
            "title = \"T\"\n[[exercise]]\nname = \"Bridge\"\nsay = [\"{long}\"]\nhold = \"2s\"\n"
        ),
    );
    let piped = env.run(&["show", "r.toml"]);
    assert!(stdout(&piped).contains(long), "{}", stdout(&piped));
    let on_terminal = |args: &str, columns: u32| {
        let out = on_terminal(
            &env,
            &format!("stty cols {columns}; COACH show r.toml {args}"),
            false,
        );
        assert!(out.status.success(), "{}", stdout(&out));
        stdout(&out)
    };
    let narrow = on_terminal("", 80);
    assert!(!narrow.contains(long), "{narrow}");
    assert!(
        narrow.contains("\"Lie on your back with your knees bent and"),
        "{narrow}"
    );
    assert!(narrow.contains('…'), "{narrow}");
    assert!(on_terminal("", 220).contains(long), "wide enough");
    assert!(on_terminal("--wide", 80).contains(long), "--wide");
}

#[test]
fn resume_with_nothing_in_the_log_says_so() {
    let env = Env::new();
    let out = env.run(&["play", "--resume"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: no session is in the log yet, so there is nothing to resume: `coach list` shows the routines to play\n"
    );
    let out = env.run(&["play", "--resume", "hamstring-lower-back"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).ends_with("start one with `coach play hamstring-lower-back`\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn make_install_puts_the_binary_completions_and_man_pages_in_their_places() {
    let root = tempfile::tempdir().unwrap();
    let make = |target: &str| {
        let out = std::process::Command::new("make")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["-s", target, "PREFIX=/usr"])
            .arg(format!("DESTDIR={}", root.path().display()))
            .arg(format!("BIN={}", env!("CARGO_BIN_EXE_coach")))
            .output()
            .expect("make runs");
        assert!(out.status.success(), "make {target}: {}", stderr(&out));
    };
    make("install");
    let usr = root.path().join("usr");
    let installed = std::process::Command::new(usr.join("bin/coach"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(stdout(&installed).starts_with("coach "));
    let read =
        |p: &str| std::fs::read_to_string(usr.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    // Completions name the commands and their options, and bash reads its own.
    let bash = read("share/bash-completion/completions/coach");
    assert!(bash.contains("render") && bash.contains("--from"), "{bash}");
    let syntax = std::process::Command::new("bash")
        .args([
            "-n",
            usr.join("share/bash-completion/completions/coach")
                .to_str()
                .unwrap(),
        ])
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{}", stderr(&syntax));
    assert!(read("share/zsh/site-functions/_coach").starts_with("#compdef coach"));
    assert!(read("share/fish/vendor_completions.d/coach.fish").contains("-l resume"));
    // A page for coach and one for each command, from the same definitions
    // as --help.
    let man = read("share/man/man1/coach.1");
    assert!(
        man.contains(".TH coach 1") && man.contains("render"),
        "{man}"
    );
    let play = read("share/man/man1/coach-play.1");
    assert!(
        play.contains(".TH coach-play 1") && play.contains("\\-\\-resume"),
        "{play}"
    );
    let env = Env::new();
    let out = env.run(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("coach has no command \"nope\"; its pages are coach and play"),
        "{}",
        stderr(&out)
    );
    make("uninstall");
    assert!(!usr.join("bin/coach").exists());
    assert!(!usr.join("share/man/man1/coach-play.1").exists());
}

#[test]
fn errors_are_red_on_a_terminal_and_plain_with_no_color_or_in_a_pipe() {
    let env = Env::new();
    env.write(
        "bad.toml",
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhodl = \"2s\"\n",
    );
    let on_terminal = |vars: &str| {
        stdout(&on_terminal(
            &env,
            &format!("{vars} COACH check bad.toml"),
            true,
        ))
    };
    let coloured = on_terminal("");
    assert!(
        coloured.contains("bad.toml:4:1: \u{1b}[1m\u{1b}[31merror:\u{1b}[0m unknown key \"hodl\""),
        "{coloured:?}"
    );
    let plain = on_terminal("NO_COLOR=1");
    assert!(
        plain.contains("bad.toml:4:1: error: unknown key"),
        "{plain:?}"
    );
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let piped = env.run(&["check", "bad.toml"]);
    assert!(!stdout(&piped).contains('\u{1b}') && !stderr(&piped).contains('\u{1b}'));
}

#[test]
fn list_voices_and_devices_print_the_json_the_readme_documents() {
    let env = Env::new();
    env.write(
        "routines/mine.toml",
        "title = \"Mine\"\n[[exercise]]\nname = \"A\"\nhold = \"2s\"\n",
    );
    env.write("routines/broken.toml", "title = 3\n");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("### `list`, `voices` and `devices` as JSON")
        .nth(1)
        .and_then(|s| s.split("\n### ").next())
        .expect("the README documents the JSON");
    let documented = |keys: Vec<&String>| {
        for key in keys {
            assert!(
                section.contains(&format!("`{key}`")),
                "{key} is not in the README"
            );
        }
    };
    let json = |args: &[&str]| -> serde_json::Value {
        let out = env.run(args);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stdout(&out)))
    };
    let list = json(&["list", "--json"]);
    let list = list.as_array().unwrap();
    let mine = list.iter().find(|r| r["name"] == "mine").unwrap();
    assert_eq!(mine["title"], "Mine");
    assert!(mine["seconds"].as_f64().unwrap() > 2.0);
    assert!(mine["problem"].is_null());
    let broken = list.iter().find(|r| r["name"] == "broken").unwrap();
    assert!(
        broken["seconds"].is_null() && broken["problem"].is_string(),
        "{broken}"
    );
    assert!(list.iter().any(|r| r["from"] == "built in"));
    documented(mine.as_object().unwrap().keys().collect());
    let voices = json(&["voices", "--json"]);
    let first = &voices["voices"][0];
    assert_eq!(first["engine"], "espeak");
    assert!(voices["unavailable"].is_array());
    documented(voices.as_object().unwrap().keys().collect());
    documented(first.as_object().unwrap().keys().collect());
    let devices = json(&["devices", "--json"]);
    for d in devices.as_array().unwrap() {
        documented(d.as_object().unwrap().keys().collect());
    }
}

#[test]
fn check_json_gives_a_line_per_diagnostic_and_a_folder_checks_each_routine() {
    let env = Env::new();
    env.write(
        "all/bad.toml",
        "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"2s\"\nhodl = \"2s\"\n",
    );
    env.write(
        "all/good.toml",
        "title = \"G\"\n[[exercise]]\nname = \"A\"\nhold = \"2s\"\n",
    );
    env.write("all/notes.txt", "not a routine");
    let out = env.run(&["check", "all", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let d = &lines[0];
    assert_eq!(d["reason"], "diagnostic");
    assert_eq!(d["file"], "all/bad.toml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(1))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(d["severity"], "error");
    assert_eq!(d["hint"], "did you mean \"hold\"?");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown key \"hodl\"")
    );
    assert_eq!(lines[1]["reason"], "checked");
    assert_eq!(lines[1]["errors"], 1);
    assert!(lines[1]["seconds"].is_null());
    assert_eq!(lines[2]["file"], "all/good.toml");
    assert_eq!(
        (lines[2]["errors"].as_u64(), lines[2]["exercises"].as_u64()),
        (Some(0), Some(1))
    );
    assert!(lines[2]["seconds"].as_f64().unwrap() > 2.0);
    // Every field is in the README.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for line in &lines {
        for key in line.as_object().unwrap().keys() {
            assert!(readme.contains(&format!("`{key}`")), "{key}");
        }
    }
    // As text, the folder's routines one after the other.
    let out = env.run(&["check", "all"]);
    assert!(
        stdout(&out).contains("all/good.toml: ok (1 exercise"),
        "{}",
        stdout(&out)
    );
    std::fs::create_dir_all(env.path("empty")).unwrap();
    let out = env.run(&["check", "empty"]);
    assert!(
        stderr(&out).contains("is a folder with no .toml files in it"),
        "{}",
        stderr(&out)
    );
}
