//! `coach list`: the routines there are, with titles and lengths.

use std::collections::BTreeMap;

use anyhow::Result;

use super::{Exit, Run, load_config, print, table};
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
        let mut rows = vec![
            ["NAME", "LENGTH", "TITLE", "FROM"]
                .map(String::from)
                .to_vec(),
        ];
        for (name, entry) in by_name {
            let row = match entry {
                Entry::Unreadable(e) => {
                    let file = e.file.clone().unwrap_or_default();
                    vec![
                        name,
                        "-".into(),
                        format!("(cannot be read: {})", e.message),
                        file,
                    ]
                }
                Entry::Found(found) => {
                    let from = match &found.origin {
                        Origin::BuiltIn => "built in".to_string(),
                        Origin::File(p) => p.display().to_string(),
                    };
                    let (length, title) = describe(found, &self.voice, &config);
                    vec![name, length, title, from]
                }
            };
            rows.push(row);
        }
        let out = table(&rows, &[1]);
        print(&out)?;
        Ok(Exit::Success)
    }
}

/// A routine's length and title, or why they cannot be known.
fn describe(found: Found, voice: &crate::cli::VoiceArgs, config: &Config) -> (String, String) {
    use crate::pipeline::Refused;
    let source = &found.source;
    match crate::pipeline::script(source) {
        Err(Refused::Load(_)) => (
            "-".into(),
            format!("(has errors: coach check {})", source.name),
        ),
        Err(Refused::Script(routine, d)) => (
            "-".into(),
            format!("{} ({})", routine.title, source.headline(&d)),
        ),
        Ok(scripted) => {
            // Nothing is synthesized to list routines: a clip not in the
            // cache is estimated from its text, and the length says so.
            let title = scripted.routine.title.clone();
            let language = &scripted.routine.language;
            let settings = settings::resolve(&voice.overrides(), config, language);
            let lengths = settings
                .speaker(language)
                .lengths(&scripted.script.texts(), &Cache::new());
            let plan = pipeline::lay_out(&scripted.script, &lengths, settings.tones);
            let about = if lengths.estimated > 0 { "~" } else { "" };
            (format!("{about}{}", clock(plan.total_samples)), title)
        }
    }
}
