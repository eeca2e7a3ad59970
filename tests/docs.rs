//! The examples in the README and docs/routines.md are real routines that
//! `coach check --strict` passes, so the docs cannot drift from the code.

mod common;

use common::*;

/// The ```toml blocks of a Markdown file, indented ones (in lists) too.
fn toml_blocks(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for line in text.lines() {
        let fence = line.trim();
        match &mut current {
            None if fence == "```toml" => {
                let indent = line.len() - line.trim_start().len();
                current = Some((indent, String::new()));
            }
            Some(_) if fence == "```" => {
                blocks.push(current.take().unwrap().1);
            }
            Some((indent, block)) => {
                block.push_str(line.get(*indent..).unwrap_or(""));
                block.push('\n');
            }
            None => {}
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

/// Blocks that begin with this are config files, not routines.
const CONFIG: &str = "# ~/.config/coach/config.toml";

fn check_examples(file: &str, at_least: usize) {
    let (configs, blocks): (Vec<String>, Vec<String>) = toml_blocks(file)
        .into_iter()
        .partition(|b| b.trim_start().starts_with(CONFIG));
    for config in configs {
        let source = coach::source::SourceFile::new("config.toml", config.clone());
        let parsed = coach::config::parse(&source);
        assert!(
            parsed.is_ok(),
            "{file} config example fails:\n{config}\n{parsed:?}"
        );
    }
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

/// The `coach …` lines of the README's command blocks, each as its words:
/// without the description beside it (after two spaces or a `#`) or what
/// the shell does with its output (`>`, `|`).
fn readme_commands() -> Vec<Vec<String>> {
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let mut commands = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(fence) = t.strip_prefix("```") {
            block = match block {
                Some(_) => None,
                None => Some(fence.to_string()),
            };
            continue;
        }
        if block
            .as_deref()
            .is_none_or(|lang| lang == "toml" || lang == "json")
        {
            continue;
        }
        let t = t.strip_prefix("$ ").unwrap_or(t);
        if !t.starts_with("coach ") {
            continue;
        }
        let command = t.split("  ").next().unwrap().split(" #").next().unwrap();
        let command = command.split(['>', '|']).next().unwrap().trim();
        commands.push(command.split_whitespace().map(str::to_string).collect());
    }
    commands
}

#[test]
fn every_coach_command_in_the_readme_parses_and_what_it_names_exists() {
    use clap::Parser as _;
    use coach::cli::{Cli, Command};
    let commands = readme_commands();
    assert!(commands.len() >= 30, "{commands:?}");
    let env = Env::new();
    // The routine the examples call my-routine.toml is the README's own.
    env.write("my-routine.toml", &complete(&toml_blocks("README.md")[0]));
    for words in &commands {
        let cli = Cli::try_parse_from(words)
            .unwrap_or_else(|e| panic!("{}: does not parse: {e}", words.join(" ")));
        match cli.command {
            // These need a sound device, a playing session or a server:
            // what they name is checked instead.
            Command::Play(play) => {
                let Some(routine) = play.routine else {
                    assert!(play.resume, "{words:?}");
                    continue;
                };
                let plan = env.plan(&routine);
                if let Some(from) = &play.from {
                    assert!(
                        plan["periods"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|p| p["exercise"] == from.as_str()),
                        "{}: no exercise {from}",
                        words.join(" ")
                    );
                }
            }
            Command::Ctl(_) | Command::Devices(_) | Command::Serve(_) => {}
            // Written into the scratch config; no user manager is asked
            // (XDG_RUNTIME_DIR is empty), so none of this machine's.
            Command::Schedule(_) => {
                std::fs::create_dir_all(env.path("no-run")).unwrap();
                let out = env
                    .command()
                    .args(&words[1..])
                    .env("XDG_RUNTIME_DIR", env.path("no-run"))
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}: {}",
                    words.join(" "),
                    stderr(&out)
                );
            }
            // Its exit says whether this machine has a sound output.
            Command::Doctor(_) => {
                let out = env.run(&words[1..].iter().map(String::as_str).collect::<Vec<_>>());
                assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
                assert!(stdout(&out).contains("found"), "{}", stdout(&out));
            }
            // The rest run as written.
            _ => {
                let out = env.run(&words[1..].iter().map(String::as_str).collect::<Vec<_>>());
                assert!(
                    out.status.success(),
                    "{}: {}",
                    words.join(" "),
                    stderr(&out)
                );
            }
        }
    }
}
