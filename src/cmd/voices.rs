//! `coach voices`: every engine's voices, and whether each can be used.

use anyhow::Result;

use super::{Exit, Run, load_config, print, table};
use crate::cli::Voices;
use crate::source::language::primary;
use crate::voice::espeak;

/// One row of the list.
struct Row {
    engine: &'static str,
    name: String,
    language: String,
    note: String,
}

impl Run for Voices {
    fn run(&self) -> Result<Exit> {
        let config = load_config()?;
        let wanted = |language: &str| {
            self.lang
                .as_deref()
                .is_none_or(|l| language.is_empty() || primary(l) == primary(language))
        };
        let mut rows = Vec::new();
        let mut unavailable = Vec::new();

        match espeak::list_voices("espeak-ng", self.lang.as_deref().map(primary).as_deref()) {
            Ok(voices) => rows.extend(voices.into_iter().filter(|v| wanted(&v.language)).map(
                |v| Row {
                    engine: "espeak",
                    name: format!("espeak:{}", v.name),
                    language: v.language,
                    note: v.description,
                },
            )),
            Err(e) => unavailable.push(format!("espeak: not available: {e}")),
        }

        for v in &config.voices {
            let language = v.language.clone().unwrap_or_default();
            if !wanted(&language) {
                continue;
            }
            let program = &v.command[0];
            let found = program.contains('/') && std::path::Path::new(program).is_file()
                || std::env::var_os("PATH")
                    .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()));
            rows.push(Row {
                engine: "command",
                name: v.name.clone(),
                language: if language.is_empty() {
                    "any".into()
                } else {
                    language
                },
                note: if found {
                    format!("runs {program}")
                } else {
                    format!("not available: {program} was not found")
                },
            });
        }

        // The system voice is one voice in many languages: the routine's
        // language picks among them.
        match crate::voice::system::status() {
            Ok(voices) => {
                let matching: Vec<&(String, String)> =
                    voices.iter().filter(|(_, l)| wanted(l)).collect();
                match (&self.lang, matching.first()) {
                    (Some(_), None) => unavailable.push(format!(
                        "system: has no voice for {}",
                        self.lang.as_deref().unwrap_or("")
                    )),
                    (Some(_), Some((name, language))) => rows.push(Row {
                        engine: "system",
                        name: "system".into(),
                        language: language.clone(),
                        note: name.clone(),
                    }),
                    (None, _) => rows.push(Row {
                        engine: "system",
                        name: "system".into(),
                        language: "many".into(),
                        note: format!(
                            "the operating system's voice, in {} languages (the routine's language picks)",
                            voices.len()
                        ),
                    }),
                }
            }
            Err(why) => unavailable.push(format!("system: not available: {why}")),
        }

        let mut cells = vec![
            ["ENGINE", "VOICE (for --voice)", "LANGUAGE", "ABOUT"]
                .map(String::from)
                .to_vec(),
        ];
        cells.extend(
            rows.into_iter()
                .map(|r| vec![r.engine.to_string(), r.name, r.language, r.note]),
        );
        let mut out = table(&cells, &[]);
        for line in &unavailable {
            out.push_str(line);
            out.push('\n');
        }
        print(&out)?;
        Ok(Exit::Success)
    }
}
