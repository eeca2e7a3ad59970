//! `coach voices`: every engine's voices, and whether each can be used.

use anyhow::Result;

use super::{Exit, Run, load_config, print};
use crate::cli::Voices;
use crate::voice::espeak;

/// One row of the list.
struct Row {
    engine: &'static str,
    name: String,
    language: String,
    note: String,
}

fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
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

        let widths = [
            rows.iter()
                .map(|r| r.engine.len())
                .max()
                .unwrap_or(0)
                .max(6),
            rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(18),
            rows.iter()
                .map(|r| r.language.len())
                .max()
                .unwrap_or(0)
                .max(8),
        ];
        let mut out = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  ABOUT\n",
            "ENGINE",
            "VOICE (for --voice)",
            "LANGUAGE",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        for r in &rows {
            out.push_str(&format!(
                "{:<w0$}  {:<w1$}  {:<w2$}  {}\n",
                r.engine,
                r.name,
                r.language,
                r.note,
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            ));
        }
        for line in &unavailable {
            out.push_str(line);
            out.push('\n');
        }
        print(&out)?;
        Ok(Exit::Success)
    }
}
