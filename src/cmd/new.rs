//! `coach new`: a commented routine template that passes `coach check`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::{Exit, Run};
use crate::cli::New;

/// The template, with `{title}` for the routine's title.
pub const TEMPLATE: &str = r#"#:schema ./routine.schema.json
# A coach routine. Every key is explained in docs/routines.md;
# `coach check {name}` finds mistakes, `coach show {name}` lists every
# sound with its time, and `coach play {name}` plays it (from the folder
# that holds routines/; from anywhere, name this file by its path).
# The #:schema line above lets editors (Even Better TOML, taplo) complete
# and check keys with routine.schema.json, which `coach new` writes next to
# this file and `coach schema` prints.

title = "{title}"
about = "What this routine is for, and anything to know before starting."
language = "en"          # the voice and the built-in phrases: en, de, ...
rounds = 1               # go through all the exercises this many times

# Settings every exercise inherits unless it sets its own.
[defaults]
get_ready = "5s"         # time to get into position before the work starts
rest = "10s"             # rest after each exercise
countdown = 3            # count the last 3 seconds of a hold aloud
rep_time = "3s"          # length of one rep, for reps without a tempo

# A hold: a position kept still, timed exactly.
[[exercise]]
name = "Neck side stretch"
say = ["Sit tall.", "Tilt your ear towards your shoulder."]
hold = "30s"
sides = ["Left", "Right"]    # done once per side, with a switch between
switch = "5s"
cues = [
    { at = "5s", say = "Relax your shoulders." },
    { every = "10s", say = "Breathe." },
]

# Reps with a tempo: each rep is a sequence of spoken phases.
[[exercise]]
name = "Shoulder rolls"
say = "Let your arms hang loose."
reps = 8
tempo = [
    { say = "Up.", time = "2s" },
    { say = "Back and down.", time = "2s" },
]

# Reps counted aloud, in sets with a rest between them.
[[exercise]]
name = "Wall push-ups"
say = "Hands on the wall at shoulder height."
reps = 10
rep_time = "2s"
sets = 2
set_rest = "20s"
"#;

/// `shoulder-mobility` as a title: `Shoulder mobility`.
fn title_of(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_string(),
    }
}

/// The template for `name`.
pub fn template(name: &str) -> String {
    TEMPLATE
        .replace("{title}", &title_of(name))
        .replace("{name}", name)
}

impl Run for New {
    fn run(&self) -> Result<Exit> {
        let path = match &self.output {
            Some(p) => p.clone(),
            None => PathBuf::from("routines").join(format!("{}.toml", self.name)),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        }
        // create_new: an existing file, or one appearing meanwhile, is kept.
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
                "{} already exists and is left as it is; choose another name, or --output another file",
                path.display()
            ),
            Err(e) => bail!("cannot write {}: {e}", path.display()),
        };
        file.write_all(template(&self.name).as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
        // The schema the template's first line points at, for editors.
        let schema = path
            .parent()
            .unwrap_or(std::path::Path::new(""))
            .join("routine.schema.json");
        let wrote_schema =
            !schema.exists() && std::fs::write(&schema, super::schema::text()?).is_ok();
        let arg = if self.output.is_some() {
            path.display().to_string()
        } else {
            self.name.clone()
        };
        let anywhere = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let anywhere = super::shell_quote(&anywhere.display().to_string());
        let from_anywhere = if self.output.is_some() {
            String::new()
        } else {
            format!(" (in this folder; from anywhere, `coach play {anywhere}`)")
        };
        crate::guard::out::line(&format!(
            "wrote {}{}: edit it, then `coach check {arg}` and `coach play {arg}`{from_anywhere}",
            path.display(),
            if wrote_schema {
                format!(" (and {} for editors)", schema.display())
            } else {
                String::new()
            }
        ));
        Ok(Exit::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{lay_out, script_of_text};
    use crate::routine::Work;

    #[test]
    fn the_template_loads_with_every_feature_it_shows() {
        let text = template("shoulder-mobility");
        let scripted = script_of_text(&text);
        let r = &scripted.routine;
        assert_eq!(r.title, "Shoulder mobility");
        assert_eq!(r.exercises.len(), 3);
        let Work::Hold(h) = &r.exercises[0].work else {
            panic!("a hold first")
        };
        assert_eq!(h.cues.len(), 2);
        assert_eq!(r.exercises[0].sides.len(), 2);
        let Work::Reps(reps) = &r.exercises[1].work else {
            panic!("reps second")
        };
        assert_eq!(reps.tempo.len(), 2);
        assert_eq!(r.exercises[2].sets, 2);
        // No sound of it has to be moved: `check --strict` passes.
        let plan = lay_out(
            &scripted.script,
            &|t: &str| t.len() as u64 * 1200,
            Default::default(),
        );
        assert!(plan.adjustments.is_empty(), "{:?}", plan.adjustments);
    }
}
