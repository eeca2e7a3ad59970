//! `coach list`: the routines there are, with titles and lengths.

use std::collections::BTreeMap;

use anyhow::Result;

use super::{Exit, Loaded, Run, prepare, print};
use crate::cli::List;
use crate::plan::clock;
use crate::routine::find::{self, Found, Origin};
use crate::routine::load;

impl Run for List {
    fn run(&self) -> Result<Exit> {
        // Later folders shadow nothing: the first place a name is found in
        // is the one `coach play NAME` would use.
        let mut by_name: BTreeMap<String, Found> = BTreeMap::new();
        for dir in find::search_dirs() {
            for (name, path) in find::routine_files(&dir) {
                if by_name.contains_key(&name) {
                    continue;
                }
                let shown = path.display().to_string();
                let found = match find::read_file(&path, &shown) {
                    Ok(f) => f,
                    Err(e) => {
                        by_name.insert(
                            name.clone(),
                            Found {
                                name,
                                origin: Origin::File(path),
                                source: crate::routine::SourceFile::new(shown, format!("# {e}")),
                            },
                        );
                        continue;
                    }
                };
                by_name.insert(name, found);
            }
        }
        for (name, _) in find::BUILT_IN {
            if !by_name.contains_key(*name) {
                by_name.insert(name.to_string(), find::built_in(name).expect("listed"));
            }
        }

        let mut rows = vec![[
            "NAME".to_string(),
            "LENGTH".to_string(),
            "TITLE".to_string(),
            "FROM".to_string(),
        ]];
        for (name, found) in by_name {
            let from = match &found.origin {
                Origin::BuiltIn => "built in".to_string(),
                Origin::File(p) => p.display().to_string(),
            };
            let (length, title) = match load::parse(&found.source) {
                Err(_) => (
                    "-".to_string(),
                    format!("(has errors: coach check {})", found.source.name),
                ),
                Ok(routine) => {
                    let title = routine.title.clone();
                    match prepare(Loaded { found, routine }, &self.voice) {
                        Ok(p) => (clock(p.plan.total_samples), title),
                        Err(e) => ("-".to_string(), format!("{title} ({e})")),
                    }
                }
            };
            rows.push([name, length, title, from]);
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
