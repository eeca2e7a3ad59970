//! The examples in the README and docs/routines.md are real routines that
//! `coach check --strict` passes, so the docs cannot drift from the code.

mod common;

use common::*;

/// The ```toml blocks of a Markdown file.
fn toml_blocks(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// A fragment completed into a routine: a title if it has none, an
/// exercise if it has none.
fn complete(block: &str) -> String {
    let mut text = String::new();
    if !block.contains("title =") {
        text.push_str("title = \"Example\"\n");
    }
    text.push_str(block);
    if !block.contains("[[exercise]]") {
        text.push_str("\n[[exercise]]\nname = \"Example\"\nhold = \"10s\"\n");
    }
    text
}

fn check_examples(file: &str, at_least: usize) {
    let blocks = toml_blocks(file);
    assert!(
        blocks.len() >= at_least,
        "{file} has {} examples",
        blocks.len()
    );
    let env = Env::new();
    for (i, block) in blocks.iter().enumerate() {
        let name = format!("example{i}.toml");
        env.write(&name, &complete(block));
        let out = env.run(&["check", "--strict", &name]);
        assert!(
            out.status.success(),
            "{file} example {i} fails:\n{block}\n{}{}",
            stdout(&out),
            stderr(&out)
        );
    }
}

#[test]
fn routine_docs_examples_check_clean() {
    check_examples("docs/routines.md", 6);
}

#[test]
fn readme_example_checks_clean() {
    check_examples("README.md", 1);
}
