//! The crate's layers, as docs/architecture.md draws them: each module may
//! use only modules of lower layers (and itself), so there is no import
//! cycle and the timeline floor imports nothing of the crate. Unit-test
//! modules are left out: a test may use the pipeline to build its input.

use std::collections::BTreeMap;
use std::path::Path;

/// Every top-level module and its layer, lowest first.
const LAYERS: &[(&str, u32)] = &[
    ("timeline", 0),
    ("paths", 0),
    ("guard", 0),
    ("source", 1),
    ("routine", 2),
    ("config", 2),
    ("script", 3),
    ("plan", 4),
    ("voice", 5),
    ("chapters", 5),
    ("pipeline", 6),
    ("audio", 6),
    ("sessions", 6),
    ("settings", 7),
    ("player", 8),
    ("remote", 9),
    ("cli", 10),
    ("cmd", 11),
];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The code of a source file: without its unit tests and comments.
fn without_tests(text: &str) -> String {
    let cut = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The top-level modules a file names as `crate::X` (and, in a file at the
/// top of its module, as `super::X`).
fn uses(text: &str, top_of_module: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut prefixes = vec!["crate::"];
    if top_of_module {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (i, _) in text.match_indices(prefix) {
            // `super::super::` and the like are not top-level names.
            let before = &text[..i];
            if before.ends_with("::") || before.ends_with(|c: char| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let rest = &text[i + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
        // `use crate::{a, b}`: each name in the braces.
        for (i, _) in text.match_indices(&format!("{prefix}{{")) {
            let rest = &text[i + prefix.len() + 1..];
            let inner = &rest[..rest.find('}').unwrap_or(0)];
            for part in inner.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        }
    }
    out
}

/// Every `.rs` file under `src/`, as a path from there.
fn rust_files() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(
                    path.strip_prefix(&src)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out
}

/// Every source file under `src/` with its text, by the top-level module
/// it belongs to; the crate root and test modules kept in files of their
/// own (plan/tests.rs) left out.
fn files() -> BTreeMap<String, Vec<(String, String)>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for rel in rust_files() {
        let module = rel.split(['/', '.']).next().unwrap().to_string();
        if module == "lib" || module == "main" || rel.ends_with("/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(src.join(&rel)).unwrap();
        out.entry(module).or_default().push((rel, text));
    }
    out
}

#[test]
fn every_module_is_in_a_layer() {
    for module in files().keys() {
        assert!(
            layer(module).is_some(),
            "src/{module} has no layer: add it to LAYERS here and to docs/architecture.md"
        );
    }
}

#[test]
fn modules_use_only_lower_layers() {
    let mut wrong = Vec::new();
    for (module, sources) in files() {
        let Some(own) = layer(&module) else { continue };
        for (rel, text) in sources {
            let top = !rel.contains('/') || rel.ends_with("/mod.rs");
            for used in uses(&without_tests(&text), top) {
                if used == module || used == "SAMPLE_RATE" {
                    continue;
                }
                match layer(&used) {
                    Some(l) if l < own => {}
                    Some(l) => wrong.push(format!(
                        "src/{rel} ({module}, layer {own}) uses {used} (layer {l})"
                    )),
                    None => wrong.push(format!("src/{rel} uses {used}, which has no layer")),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_timeline_floor_imports_nothing_of_the_crate() {
    for (rel, text) in &files()["timeline"] {
        let top = rel.ends_with("/mod.rs");
        let used: Vec<String> = uses(&without_tests(text), top)
            .into_iter()
            .filter(|u| u != "timeline")
            .collect();
        assert!(used.is_empty(), "src/{rel} uses {used:?}");
    }
}

#[test]
fn the_checker_sees_imports() {
    assert_eq!(
        uses(
            "use crate::plan::Plan;\nuse crate::{audio, voice::Clip};",
            false
        ),
        ["plan", "audio", "voice"]
    );
    assert_eq!(uses("use super::Plan;", true), ["Plan"]);
    assert!(uses("use super::super::x;", true).len() == 1);
    assert_eq!(
        without_tests("a\n/// [`crate::cmd`]\n#[cfg(test)]\nmod tests { crate::cmd }"),
        "a\n"
    );
}

/// The source files docs/architecture.md lists, with `{a,b}` expanded.
fn documented_files() -> Vec<String> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .unwrap();
    let mut out = Vec::new();
    for (i, _) in doc.match_indices("`src/") {
        let rest = &doc[i + 5..];
        let name = &rest[..rest.find('`').unwrap_or(0)];
        match (name.find('{'), name.find('}')) {
            (Some(a), Some(b)) => {
                for part in name[a + 1..b].split(',') {
                    out.push(format!("{}{part}{}", &name[..a], &name[b + 1..]));
                }
            }
            _ => out.push(name.to_string()),
        }
    }
    out.retain(|f| f.ends_with(".rs"));
    out
}

#[test]
fn docs_architecture_lists_every_source_file_and_no_other() {
    let listed = documented_files();
    let actual = rust_files();
    let missing: Vec<&String> = actual.iter().filter(|f| !listed.contains(f)).collect();
    let gone: Vec<&String> = listed.iter().filter(|f| !actual.contains(f)).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "docs/architecture.md does not list {missing:?} and lists {gone:?}, which do not exist"
    );
}
