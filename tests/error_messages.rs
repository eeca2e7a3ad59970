//! Every message a user can get for a broken routine, pinned: the exact
//! text and the line and column it points at, as `coach check` prints them.

mod common;

use common::*;

/// An exercise header and name, for cases about other keys.
const EX: &str = "[[exercise]]\nname = \"A\"\n";

/// `coach check r.toml` on `text`: exit code and its `file:line:col`
/// headlines.
fn check(text: &str) -> (i32, Vec<String>) {
    let env = Env::new();
    env.write("r.toml", text);
    let out = env.run(&["check", "r.toml"]);
    let lines = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("r.toml:"))
        .map(str::to_string)
        .collect();
    (out.status.code().unwrap(), lines)
}

fn case(text: &str, want: &[&str]) {
    let (code, got) = check(text);
    let mut want: Vec<String> = want.iter().map(|w| format!("r.toml:{w}")).collect();
    let errors = want.len();
    want.push(format!(
        "r.toml: {errors} error{}",
        if errors == 1 { "" } else { "s" }
    ));
    assert_eq!(got, want, "for:\n{text}");
    assert_eq!(code, 1);
}

#[test]
fn keys() {
    case(
        &format!("title = \"T\"\ntitel = \"x\"\n{EX}hold = \"5s\""),
        &["2:1: error: unknown key \"titel\" in the routine (did you mean \"title\"?)"],
    );
    case(
        &format!("title = \"T\"\nbanana = 1\n{EX}hold = \"5s\""),
        &[
            "2:1: error: unknown key \"banana\" in the routine; expected one of title, about, intro, language, rounds, round_rest, defaults, phrases, exercise",
        ],
    );
    // The cause only: that "A" has no hold follows from the typo.
    case(
        &format!("title = \"T\"\n{EX}hodl = \"5s\""),
        &["4:1: error: unknown key \"hodl\" in [[exercise]] (did you mean \"hold\"?)"],
    );
    case(
        "titel = \"T\"\n[[exercise]]\nnmae = \"A\"\nhold = \"5s\"\n",
        &[
            "1:1: error: unknown key \"titel\" in the routine (did you mean \"title\"?)",
            "3:1: error: unknown key \"nmae\" in [[exercise]] (did you mean \"name\"?)",
        ],
    );
    // Words people write for our keys point to them.
    case(
        &format!("title = \"T\"\n{EX}hold = \"5s\"\nrest_time = \"5s\""),
        &[
            "5:1: error: unknown key \"rest_time\" in [[exercise]]: the rest after an exercise is \"rest\" (rest = \"10s\"), between its sets \"set_rest\"",
        ],
    );
    for word in ["duration", "time"] {
        case(
            &format!("title = \"T\"\n{EX}{word} = \"5s\""),
            &[&format!(
                "4:1: error: unknown key \"{word}\" in [[exercise]]: a hold's length is \"hold\" (hold = \"30s\"), one rep's is \"rep_time\""
            )],
        );
    }
    for word in ["instructions", "description"] {
        case(
            &format!("title = \"T\"\n{EX}hold = \"5s\"\n{word} = \"Relax.\""),
            &[&format!(
                "5:1: error: unknown key \"{word}\" in [[exercise]]: what is spoken before an exercise is \"say\": a text or a list of texts"
            )],
        );
    }
    case(
        &format!("title = \"T\"\ndescription = \"For the back.\"\n{EX}hold = \"5s\""),
        &[
            "2:1: error: unknown key \"description\" in the routine: the routine's description is \"about\" (shown, never spoken); \"intro\" is spoken at the start",
        ],
    );
    // A key in the wrong table says where it belongs.
    case(
        &format!("title = \"T\"\nhold = \"30s\"\nrest = \"5s\"\n{EX}"),
        &[
            "2:1: error: \"hold\" is a key of an exercise, but it is above the first [[exercise]]: move it into one",
            "3:1: error: \"rest\" is a key of an exercise, but it is above the first [[exercise]]: move it into one, or into [defaults] to set it for every exercise",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}hold = \"5s\"\nrounds = 2"),
        &[
            "5:1: error: \"rounds\" is a key of the whole routine, but here it belongs to an exercise: move it above the first [[exercise]]",
        ],
    );
    case(
        &format!("title = \"T\"\n[defaults]\nhold = \"5s\"\n{EX}hold = \"5s\""),
        &[
            "3:1: error: \"hold\" cannot have a default; [defaults] takes rep_time, count, set_rest, switch, get_ready, rest, countdown, halfway, announce_in_rest",
        ],
    );
    case(
        &format!("{EX}hold = \"5s\""),
        &[
            "1:1: error: missing \"title\": every routine needs one, e.g. title = \"Morning stretch\"",
        ],
    );
    case(
        "title = \"T\"\n",
        &[
            "1:1: error: a routine needs at least one [[exercise]] (add a table starting with [[exercise]])",
        ],
    );
    case(
        "title = \"T\"\nexercise = \"x\"\n",
        &[
            "2:1: error: \"exercise\" must be a list of [[exercise]] tables, found a string (write [[exercise]], with double brackets)",
        ],
    );
    case(
        "title = \"T\"\n[exercise]\nname = \"A\"\nhold = \"5s\"\n",
        &[
            "2:2: error: \"exercise\" must be a list of [[exercise]] tables, found a table (write [[exercise]], with double brackets)",
        ],
    );
    case(
        "title = \"T\"\n[[exercise]]\nhold = \"5s\"\n",
        &["2:1: error: exercise 1 has no \"name\"; every exercise needs one"],
    );
    let many = format!("title = \"T\"\n{}", format!("{EX}hold = 1\n").repeat(1001));
    case(
        &many,
        &["2:3: error: too many exercises: 1001 (a routine may have at most 1000)"],
    );
}

#[test]
fn kinds() {
    case(
        &format!("title = \"T\"\n{EX}hold = \"5s\"\nreps = 3\n"),
        &["5:1: error: \"A\" has both \"hold\" and \"reps\"; an exercise is one or the other"],
    );
    case(
        &format!(
            "title = \"T\"\n{EX}hold = \"5s\"\ntempo = [{{ time = \"1s\" }}]\nrep_time = \"2s\"\n"
        ),
        &[
            "5:1: error: \"tempo\" is for reps, but \"A\" is a hold",
            "6:1: error: \"rep_time\" is for reps, but \"A\" is a hold",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}reps = 5\ncues = []\ncount_every = \"1s\"\nhalfway = true\n"),
        &[
            "5:1: error: \"cues\" is for holds, but \"A\" counts reps",
            "6:1: error: \"count_every\" is for holds, but \"A\" counts reps",
            "7:1: error: \"halfway\" is for holds, but \"A\" counts reps",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}reps = 5\ntempo = [{{ time = \"1s\" }}]\nrep_time = \"2s\"\n"),
        &["6:1: error: \"rep_time\" has no effect when \"tempo\" is given; remove one of them"],
    );
}

#[test]
fn tempo_and_cues() {
    case(
        &format!("title = \"T\"\n{EX}reps = 5\ntempo = \"slow\"\n"),
        &[
            "5:9: error: \"tempo\" must be a list of phases like { say = \"Inhale.\", time = \"4s\" }, found a string",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}reps = 5\ntempo = []\n"),
        &["5:9: error: \"tempo\" needs at least one phase"],
    );
    case(
        &format!(
            "title = \"T\"\n{EX}reps = 5\ntempo = [\"in\", {{ say = \"Out.\" }}, {{ time = \"1s\", sey = \"x\" }}]\n"
        ),
        &[
            "5:10: error: a tempo phase must be a table like { say = \"Inhale.\", time = \"4s\" }, found a string",
            "5:16: error: a tempo phase needs \"time\", e.g. time = \"4s\"",
            "5:49: error: unknown key \"sey\" in a tempo phase (did you mean \"say\"?)",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}hold = \"30s\"\ncues = \"x\"\n"),
        &[
            "5:8: error: \"cues\" must be a list like [{ at = \"15s\", say = \"Breathe.\" }], found a string",
        ],
    );
    case(
        &format!(
            "title = \"T\"\n{EX}hold = \"30s\"\ncues = [1, {{ at = \"1s\" }}, {{ at = \"1s\", every = \"2s\", say = \"x\" }}, {{ say = \"x\" }}, {{ at = \"30s\", say = \"x\" }}, {{ every = \"31s\", say = \"y\" }}]\n"
        ),
        &[
            "5:9: error: a cue must be a table like { at = \"15s\", say = \"Breathe.\" }, found an integer",
            "5:12: error: a cue needs \"say\": the words to speak",
            "5:40: error: a cue has \"at\" or \"every\", not both",
            "5:67: error: a cue needs \"at\" (once) or \"every\" (repeating), e.g. at = \"15s\"",
            "5:89: error: this cue at 30s is not within the 30s hold",
            "5:119: error: this cue every 31s never sounds within the 30s hold",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}hold = \"30s\"\ncount_every = \"30s\"\n"),
        &["5:15: error: \"count_every\" (30s) must be shorter than the hold (30s)"],
    );
}

#[test]
fn sides_phrases_language() {
    case(
        &format!("title = \"T\"\n{EX}hold = \"30s\"\nsides = [\"left\"]\n"),
        &["5:9: error: \"sides\" must list 2 to 4 sides, found 1"],
    );
    case(
        &format!("title = \"T\"\n{EX}hold = \"30s\"\nsides = \"left\"\n"),
        &[
            "5:9: error: \"sides\" must be a list of 2 to 4 names like [\"left leg\", \"right leg\"], found a string",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}hold = \"30s\"\nsides = [\"left\", 2]\n"),
        &["5:18: error: each item of \"sides\" must be a string, found an integer"],
    );
    case(
        &format!("title = \"T\"\nphrases = \"x\"\n{EX}hold = \"5s\""),
        &["2:11: error: \"phrases\" must be a table, found a string"],
    );
    case(
        &format!(
            "title = \"T\"\n[phrases]\nrest = \"Rest {{nxt}}\"\nhalfway = \"{{side}}\"\ndone = \"Done {{\"\nstart = \"}}\"\nrset = \"x\"\n{EX}hold = \"5s\""
        ),
        &[
            "3:14: error: {nxt} is not a placeholder of phrase \"rest\"; it can use {rest}, {next}, {name}",
            "4:12: error: {side} has no value in phrase \"halfway\"; it can use {name}",
            "5:14: error: unclosed \"{\" in phrase \"done\" (write {{ for a literal brace)",
            "6:10: error: unmatched \"}\" in phrase \"start\" (write }} for a literal brace)",
            "7:1: error: unknown key \"rset\" in [phrases] (did you mean \"set\"?)",
        ],
    );
    case(
        &format!("title = \"T\"\nlanguage = \"english!\"\n{EX}hold = \"5s\""),
        &[
            "2:12: error: \"language\" must be a language tag like \"en\", \"en-GB\" or \"de\", found \"english!\"",
        ],
    );
}

#[test]
fn texts() {
    case(
        "title = \"\"\nabout = 5\n[[exercise]]\nname = \"A\"\nhold = \"5s\"\nsay = []\n[[exercise]]\nname = \"B\\u0007\"\nhold = \"5s\"\nsay = [\"ok\", 3]\n[[exercise]]\nname = \"C\"\nhold = \"5s\"\nsay = 4\n",
        &[
            "1:9: error: \"title\" must not be empty",
            "2:9: error: \"about\" must be a string, found an integer",
            "6:7: error: \"say\" is an empty list; give at least one text or leave it out",
            "8:8: error: \"name\" contains the control character U+0007; only printable text can be spoken",
            "10:14: error: each item of \"say\" must be a string, found an integer",
            "14:7: error: \"say\" must be a string or a list of strings, found an integer",
        ],
    );
    case(
        &format!("title = \"{}\"\n{EX}hold = \"5s\"", "x".repeat(2001)),
        &["1:9: error: \"title\" is 2001 characters long; a text may have at most 2000"],
    );
}

#[test]
fn numbers_and_choices() {
    case(
        &format!(
            "title = \"T\"\nrounds = 101\n{EX}reps = 0\nsets = \"2\"\ncountdown = 11\n[[exercise]]\nname = \"B\"\nreps = 1.5\n"
        ),
        &[
            "2:10: error: \"rounds\" must be from 1 to 100, found 101",
            "5:8: error: \"reps\" must be from 1 to 1000, found 0",
            "6:8: error: \"sets\" must be a whole number from 1 to 100, found a string",
            "7:13: error: \"countdown\" must be from 0 to 10, found 11",
            "10:8: error: \"reps\" must be a whole number from 1 to 1000, found a number with a fraction",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}hold = \"30s\"\nhalfway = \"yes\"\n"),
        &["5:11: error: \"halfway\" must be true or false, found a string"],
    );
    case(
        &format!(
            "title = \"T\"\n{EX}hold = \"30s\"\ncount = \"tones\"\n[[exercise]]\nname = \"B\"\nhold = \"5s\"\ncount = 1\n"
        ),
        &[
            "5:9: error: \"count\" must be \"voice\", \"tone\" or \"off\", found \"tones\" (did you mean \"tone\"?)",
            "9:9: error: \"count\" must be \"voice\", \"tone\" or \"off\", found an integer",
        ],
    );
}

#[test]
fn durations() {
    let text = "title = \"T\"
[defaults]
rest = \"3x\"
get_ready = \"30\"
switch = \"30s1m\"
set_rest = \"25h\"
[[exercise]]
name = \"A\"
hold = 0
[[exercise]]
name = \"B\"
hold = -3
[[exercise]]
name = \"C\"
hold = -1.5
[[exercise]]
name = \"D\"
hold = true
[[exercise]]
name = \"E\"
hold = inf
[[exercise]]
name = \"G\"
hold = 90000
";
    case(
        text,
        &[
            "3:8: error: \"rest\": \"3x\" has the unit \"x\", which is none coach knows; the units are h (hr, hour), m (min, minute), s (sec, second), ms, as in \"1m30s\", \"30 seconds\" or \"1:30\"",
            "4:13: error: \"get_ready\": \"30\" has no unit; write seconds as \"30s\" or as a plain number, 30",
            "5:10: error: \"switch\": \"30s1m\" has its units out of order or repeated; write the largest first, like \"1m30s\"",
            "6:12: error: \"set_rest\" must be at most 24h, found \"25h\"",
            "9:8: error: \"hold\" must be longer than 0",
            "12:8: error: \"hold\" must not be negative, found -3",
            "15:8: error: \"hold\" must not be negative, found -1.5",
            "18:8: error: \"hold\" must be a duration like \"30s\" or a number of seconds, found a boolean",
            "21:8: error: \"hold\": inf is not a duration; write it like \"30s\", \"1m30s\", \"30 seconds\", \"500ms\" or \"1:30\"",
            "24:8: error: \"hold\" must be at most 24h, found 90000",
        ],
    );
}

#[test]
fn toml_syntax() {
    case(
        "title = \"T\"\nhold = \n[[exercise]]\n",
        &["2:8: error: invalid TOML: string values must be quoted, expected literal string"],
    );
    case(
        &format!("title = \"T\"\ntitle = \"U\"\n{EX}hold = \"5s\""),
        &["2:1: error: invalid TOML: duplicate key"],
    );
}

#[test]
fn session_limits() {
    case(
        &format!("title = \"T\"\nrounds = 100\n{EX}hold = \"24h\""),
        &[
            "1:1: error: this routine would last more than 2400 hours; a session may be at most 48 hours long",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}hold = \"24h\"\ncount_every = \"100ms\"\ncount = \"tone\"\n"),
        &[
            "3:8: error: this routine has more than 200000 sounds by here; make holds shorter, counts rarer or reps fewer",
        ],
    );
    // Counted aloud, the same hold is refused sooner, for its speech.
    case(
        &format!("title = \"T\"\n{EX}hold = \"24h\"\ncount_every = \"100ms\"\n"),
        &[
            "3:8: error: by here this routine has more than 30000 characters (30 minutes) of different texts to speak, the most a routine may have; shorten its texts and names",
        ],
    );
    case(
        &format!("title = \"T\"\n{EX}reps = 1\nrep_time = \"200ms\"\n"),
        &[
            "3:8: error: the work of \"A\" lasts 200ms; it must last at least 300ms so that its start tone ends before its end tone",
        ],
    );
}

#[test]
fn files() {
    let env = Env::new();
    let run = |args: &[&str]| {
        let out = env.run(args);
        (
            out.status.code().unwrap(),
            stdout(&out).trim_end().to_string(),
        )
    };
    // A folder is checked routine by routine: this one has none.
    std::fs::create_dir(env.path("folder.toml")).unwrap();
    let out = env.run(&["check", "folder.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: folder.toml is a folder with no .toml files in it\n"
    );
    assert_eq!(
        run(&["show", "folder.toml"]),
        (1, String::new()),
        "other commands take no folder"
    );
    assert_eq!(
        run(&["check", "missing.toml"]),
        (1, "missing.toml: error: no such file".into())
    );
    assert_eq!(
        run(&["check", "/dev/zero"]),
        (
            1,
            "/dev/zero: error: this is a device, not a routine file".into()
        )
    );
    env.write("big.toml", &"#".repeat(1024 * 1024 + 1));
    assert_eq!(
        run(&["check", "big.toml"]),
        (1, "big.toml: error: the file is 1048577 bytes; a routine may be at most 1 MiB (1048576 bytes)".into())
    );
    std::fs::write(env.path("latin1.toml"), b"title = \"Caf\xe9\"\n").unwrap();
    assert_eq!(
        run(&["check", "latin1.toml"]),
        (
            1,
            "latin1.toml:1:13: error: this is not valid UTF-8 text; save the file as UTF-8".into()
        )
    );
    let (code, text) = run(&["check", "hamstring-lower-bak"]);
    assert_eq!(code, 1);
    assert!(
        text.starts_with("error: no routine named \"hamstring-lower-bak\" (did you mean \"hamstring-lower-back\"?); looked for hamstring-lower-bak.toml in routines, "),
        "{text}"
    );
}

#[test]
fn errors_elsewhere_carry_the_same_location_and_a_hint() {
    let env = Env::new();
    env.write("r.toml", &format!("title = \"T\"\n{EX}hodl = \"5s\"\n"));
    let out = env.run(&["render", "r.toml", "-o", "x.wav"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("r.toml:4:1: error: unknown key \"hodl\" in [[exercise]] (did you mean \"hold\"?)\n  |\n4 | hodl = \"5s\"\n  | ^^^^\n"), "{err}");
    assert!(
        err.ends_with("error: r.toml has 1 error; fix it and try again (`coach check` lists it)\n"),
        "{err}"
    );
    assert!(!env.path("x.wav").exists(), "bad input writes nothing");
}
