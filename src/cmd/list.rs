//! `coach list`: the routines there are, with titles and lengths.

use std::collections::BTreeMap;

use anyhow::Result;

use super::{Exit, Run, load_config, print, print_json, table};
use crate::cli::List;
use crate::config::Config;
use crate::pipeline;
use crate::routine::find::{self, FindError, Found, Origin};
use crate::settings;
use crate::timeline::time::clock;
use crate::voice::Cache;

/// A routine file as `list` sees it.
enum Entry {
    Found(Found),
    /// A file in a routine folder that could not be read.
    Unreadable(FindError),
}

impl Run for List {
    fn run(&self) -> Result<Exit> {
        // The first place a name is found in is the one `coach show NAME`
        // would use; later folders and the built-in routines do not shadow it.
        let mut by_name: BTreeMap<String, Entry> = BTreeMap::new();
        for dir in find::search_dirs() {
            for (name, path) in find::routine_files(&dir) {
                by_name.entry(name).or_insert_with(|| {
                    match find::read_file(&path, &path.display().to_string()) {
                        Ok(found) => Entry::Found(found),
                        Err(e) => Entry::Unreadable(e),
                    }
                });
            }
        }
        for (name, _) in find::BUILT_IN {
            by_name
                .entry(name.to_string())
                .or_insert_with(|| Entry::Found(find::built_in(name).expect("listed")));
        }

        let config = load_config()?;
        let mut listed = Vec::new();
        for (name, entry) in by_name {
            listed.push(match entry {
                Entry::Unreadable(e) => Listed {
                    name,
                    title: None,
                    seconds: None,
                    estimated: false,
                    from: e.file.clone().unwrap_or_default(),
                    problem: Some(format!("cannot be read: {}", e.message)),
                },
                Entry::Found(found) => {
                    let from = match &found.origin {
                        Origin::BuiltIn => "built in".to_string(),
                        Origin::Stdin => "stdin".to_string(),
                        Origin::File(p) => p.display().to_string(),
                    };
                    describe(name, from, found, &self.voice, &config)
                }
            });
        }
        if self.json {
            print_json(&listed)?;
            return Ok(Exit::Success);
        }
        let mut rows = vec![
            ["NAME", "LENGTH", "TITLE", "FROM"]
                .map(String::from)
                .to_vec(),
        ];
        for l in listed {
            let length = match l.seconds {
                Some(s) => format!(
                    "{}{}",
                    if l.estimated { "~" } else { "" },
                    clock((s * crate::SAMPLE_RATE as f64).round() as u64)
                ),
                None => "-".into(),
            };
            let title = match (&l.title, &l.problem) {
                (Some(t), Some(p)) => format!("{t} ({p})"),
                (Some(t), None) => t.clone(),
                (None, Some(p)) => format!("({p})"),
                (None, None) => String::new(),
            };
            rows.push(vec![l.name, length, title, l.from]);
        }
        let out = table(&rows, &[1]);
        print(&out)?;
        Ok(Exit::Success)
    }
}

/// A routine as `list` shows it; `list --json` prints these.
#[derive(serde::Serialize)]
struct Listed {
    /// What `coach play` takes.
    name: String,
    title: Option<String>,
    /// The session's length, if it can be laid out.
    seconds: Option<f64>,
    /// Whether some of its speech is not in the cache, so its length is
    /// estimated from the texts.
    estimated: bool,
    /// Its file, or "built in".
    from: String,
    /// Why it cannot be played, if it cannot.
    problem: Option<String>,
}

/// A routine's length and title, or why they cannot be known.
fn describe(
    name: String,
    from: String,
    found: Found,
    voice: &crate::cli::SpeechArgs,
    config: &Config,
) -> Listed {
    use crate::pipeline::Refused;
    let source = &found.source;
    let mut listed = Listed {
        name,
        title: None,
        seconds: None,
        estimated: false,
        from,
        problem: None,
    };
    match crate::pipeline::script(source) {
        Err(Refused::Load(_)) => {
            listed.problem = Some(format!("has errors: coach check {}", source.name));
        }
        Err(Refused::Script(routine, d)) => {
            listed.title = Some(routine.title.clone());
            listed.problem = Some(source.headline(&d));
        }
        Ok(scripted) => {
            // Nothing is synthesized to list routines: a clip not in the
            // cache is estimated from its text, and the length says so.
            let language = &scripted.routine.language;
            let settings = settings::resolve(&voice.overrides(), config, language);
            let lengths = settings
                .speaker(language)
                .lengths(&scripted.script.texts(), &Cache::new());
            let plan = pipeline::lay_out(&scripted.script, &lengths, settings.tones);
            listed.title = Some(scripted.routine.title.clone());
            listed.seconds = Some(plan.total_samples as f64 / crate::SAMPLE_RATE as f64);
            listed.estimated = lengths.estimated > 0;
        }
    }
    listed
}
