//! `coach schema` and `coach new`, checked with a real JSON Schema validator
//! (python3-jsonschema, which `make test` installs) against the bundled
//! routines, the fixtures, fresh templates and broken files.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Validates each TOML file against the schema with python3-jsonschema:
/// "ok" or the validator's first complaint, per file.
fn validate(schema: &Path, files: &[&Path]) -> Vec<String> {
    const SCRIPT: &str = r#"
import json, sys, tomllib
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    print("ok" if not errors else "invalid: " + errors[0].message.replace("\n", " "))
"#;
    // Debian's own Python, where apt installs python3-jsonschema.
    let python = if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let out = Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(schema)
        .args(files)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the validator failed (is python3-jsonschema installed?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_schema(env: &Env) -> std::path::PathBuf {
    let out = env.run(&["schema"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        parsed["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    env.write("routine.schema.json", &text)
}

#[test]
fn bundled_routines_fixtures_and_new_templates_validate() {
    let env = Env::new();
    let schema = write_schema(&env);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in ["routines", "tests/fixtures"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    for name in ["shoulder-mobility", "x"] {
        let out = env.run(&["new", name]);
        assert!(out.status.success(), "{}", stderr(&out));
        files.push(env.path(&format!("routines/{name}.toml")));
    }
    // coach new put the schema its template names next to the routine.
    assert_eq!(
        std::fs::read_to_string(env.path("routines/routine.schema.json")).unwrap(),
        std::fs::read_to_string(&schema).unwrap()
    );
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let results = validate(&schema, &refs);
    assert_eq!(results.len(), files.len());
    for (file, result) in files.iter().zip(&results) {
        assert_eq!(result, "ok", "{}", file.display());
        // And coach agrees; the fixtures that test collisions have
        // warnings on purpose, everything else is clean.
        let strict = !file.starts_with(root.join("tests/fixtures"));
        let mut args = vec!["check", file.to_str().unwrap()];
        if strict {
            args.push("--strict");
        }
        let out = env.run(&args);
        assert!(out.status.success(), "{}: {}", file.display(), stderr(&out));
    }
}

#[test]
fn the_schema_rejects_what_coach_rejects() {
    let env = Env::new();
    let schema = write_schema(&env);
    // A routine with `top` keys after the title and `exercise` keys in
    // its one exercise.
    let routine = |top: &str, exercise: &str| {
        format!("title = \"T\"\n{top}\n[[exercise]]\nname = \"E\"\n{exercise}\n")
    };
    let hold = "hold = \"30s\"";
    // (file, whether coach accepts it); the schema must agree.
    let cases: Vec<(String, bool)> = vec![
        (routine("", hold), true),
        (routine("", "hodl = \"30s\""), false),
        (routine("colour = \"red\"", hold), false),
        (routine("[defaults]\nhold = \"3s\"", hold), false),
        (routine("[defaults]\nrest = \"3s\"", hold), true),
        (routine("", "hold = \"30s\"\nreps = 3"), false),
        (routine("", "reps = 3\ntempo = [{ say = \"Up.\" }]"), false),
        (
            routine("", "reps = 3\ntempo = [{ say = \"Up.\", time = \"2s\" }]"),
            true,
        ),
        (
            routine("", "hold = \"30s\"\ncues = [{ say = \"Hi.\" }]"),
            false,
        ),
        (
            routine(
                "",
                "hold = \"30s\"\ncues = [{ at = \"5s\", say = \"Hi.\" }]",
            ),
            true,
        ),
        (routine("", "hold = \"30s\"\nsides = [\"L\"]"), false),
        (routine("", "hold = \"30s\"\ncount = \"loud\""), false),
        (routine("", "hold = \"30s\"\ncountdown = 11"), false),
        (routine("rounds = 0", hold), false),
        (routine("language = \"english!\"", hold), false),
        (routine("[phrases]\nrest = \"Rest.\"", hold), true),
        (routine("[phrases]\nbreak = \"Rest.\"", hold), false),
        (routine("", "hold = \"30s\"\nrest = 0"), true),
        (routine("", "hold = 0"), false),
        (routine("", "hold = 2.5"), true),
        (routine("", "name2 = \"x\"\nhold = 2.5"), false),
        (
            "[[exercise]]\nname = \"E\"\nhold = \"30s\"\n".to_string(),
            false,
        ),
    ];
    // Every duration form the docs show, and near misses.
    let durations = [
        ("30s", true),
        ("1m30s", true),
        ("1.5s", true),
        ("500ms", true),
        ("1h 2m 3s", true),
        (".5s", true),
        ("1s500ms", true),
        ("2m", true),
        ("30", false),
        ("30 s", true),
        ("30 sec", true),
        ("2 minutes 30 seconds", true),
        ("1 hr 5 mins", true),
        ("1500 msec", true),
        ("1:30", true),
        ("1:02:30", true),
        ("0:45.5", true),
        ("1:3", false),
        ("1:60", false),
        ("1:30.", false),
        ("30 Seconds", false),
        ("30 sekunden", false),
        ("30x", false),
        ("1.s", false),
        ("30s1m", false),
        ("s", false),
        ("", false),
        ("1m1m", false),
        ("-5s", false),
    ];
    let mut all = cases;
    for (d, ok) in durations {
        all.push((routine("", &format!("hold = \"{d}\"")), ok));
    }
    let mut paths = Vec::new();
    for (i, (text, coach_ok)) in all.iter().enumerate() {
        let path = env.write(&format!("case{i}.toml"), text);
        let out = env.run(&["check", path.to_str().unwrap()]);
        assert_eq!(
            out.status.success(),
            *coach_ok,
            "coach on {text:?}: {}",
            stderr(&out)
        );
        paths.push(path);
    }
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let results = validate(&schema, &refs);
    for ((text, ok), result) in all.iter().zip(&results) {
        assert_eq!(result == "ok", *ok, "schema on {text:?}: {result}");
    }
}

#[test]
fn new_never_overwrites_and_refuses_names_that_are_not_names() {
    let env = Env::new();
    let out = env.run(&["new", "morning"]);
    assert!(out.status.success());
    assert!(stderr(&out).starts_with("wrote routines/morning.toml (and routines/routine.schema.json for editors): edit it, then `coach check morning`"), "{}", stderr(&out));
    // The command it gives for anywhere works from anywhere.
    let said = stderr(&out);
    let anywhere = said
        .split("from anywhere, `coach ")
        .nth(1)
        .and_then(|r| r.split('`').next())
        .unwrap_or_else(|| panic!("{said}"));
    let words: Vec<&str> = anywhere.split(' ').collect();
    assert_eq!(words[0], "play", "{said}");
    let elsewhere = env.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = env
        .command()
        .current_dir(&elsewhere)
        .args(["check", words[1]])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "coach check {}: {}",
        words[1],
        stderr(&out)
    );
    let path = env.path("routines/morning.toml");
    std::fs::write(&path, "mine").unwrap();
    let out = env.run(&["new", "morning"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: routines/morning.toml already exists and is left as it is; choose another name, or --output another file\n"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    for bad in ["../evil", "-x", "a b", ".hidden"] {
        let out = env.run(&["new", "--", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&out).contains("cannot be a routine name"),
            "{}",
            stderr(&out)
        );
    }
    let out = env.run(&["new", "evening", "-o", "elsewhere/evening.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(env.path("elsewhere/evening.toml")).unwrap();
    assert!(text.contains("title = \"Evening\""));
}
