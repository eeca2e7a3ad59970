//! `coach list`: the routines there are, with titles and lengths.

use std::collections::BTreeMap;

use anyhow::Result;

use super::{Exit, Loaded, Run, prepare, print};
use crate::cli::List;
use crate::plan::clock;
use crate::routine::find::{self, FindError, Found, Origin};
use crate::routine::load;

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

        let mut rows = vec![["NAME", "LENGTH", "TITLE", "FROM"].map(String::from)];
        for (name, entry) in by_name {
            let row = match entry {
                Entry::Unreadable(e) => {
                    let file = e.file.clone().unwrap_or_default();
                    [
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
                    let (length, title) = describe(found, &self.voice);
                    [name, length, title, from]
                }
            };
            rows.push(row);
        }
        let widths: Vec<usize> = (0..3)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for r in rows {
            out.push_str(&format!(
                "{:<w0$}  {:>w1$}  {:<w2$}  {}\n",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            ));
        }
        print(&out)?;
        Ok(Exit::Success)
    }
}

/// A routine's length and title, or why they cannot be known.
fn describe(found: Found, voice: &crate::cli::VoiceArgs) -> (String, String) {
    match load::parse(&found.source) {
        Err(_) => (
            "-".into(),
            format!("(has errors: coach check {})", found.source.name),
        ),
        Ok(routine) => {
            let title = routine.title.clone();
            match prepare(Loaded { found, routine }, voice) {
                Ok(p) => (clock(p.plan.total_samples), title),
                Err(e) => ("-".into(), format!("{title} ({e})")),
            }
        }
    }
}
