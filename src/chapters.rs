//! Where a rendered session is, for a glance at a phone: chapters for the
//! audio file's own tags, an LRC lyrics file with a line per period, and a
//! CUE sheet with a track per exercise. Every time comes from the plan, so
//! they match `coach show --json`.

use crate::plan::Plan;
use crate::timeline::time::{RATE, cue_time, length, lrc_time};

/// A chapter: where it starts, in samples, and its name.
pub struct Chapter {
    pub start: u64,
    pub name: String,
}

/// The session's title, then each exercise (of each round) where its
/// announcement starts.
pub fn chapters(plan: &Plan) -> Vec<Chapter> {
    let mut out = vec![Chapter {
        start: 0,
        name: plan.title.clone(),
    }];
    for s in plan.exercise_starts() {
        let name = plan
            .exercises
            .get(s.exercise)
            .map_or_else(String::new, |e| e.name.clone());
        let name = if plan.rounds > 1 {
            format!("{name} (round {})", s.round)
        } else {
            name
        };
        out.push(Chapter {
            start: s.sample,
            name,
        });
    }
    out
}

/// A line of text with nothing that would break a line-based format.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// LRC lyrics: the title, then one line per period ("Work 30s: Neck
/// stretch, Left"), then the end.
pub fn lrc(plan: &Plan) -> String {
    let total_s = plan.total_samples / RATE;
    let mut out = format!(
        "[ti:{}]\n[re:coach]\n[length:{:02}:{:02}]\n",
        one_line(&plan.title),
        total_s / 60,
        total_s % 60
    );
    let first = plan.events.first().map_or(0, |e| e.start);
    out.push_str(&format!("{}{}\n", lrc_time(first), one_line(&plan.title)));
    for p in &plan.periods {
        let words = p.kind.words();
        let mut chars = words.chars();
        let words: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        out.push_str(&format!(
            "{}{words} {}: {}\n",
            lrc_time(p.start),
            length(p.len),
            one_line(&plan.describe_place(&p.place))
        ));
    }
    if let Some(last) = plan.events.last() {
        out.push_str(&format!("{}Done\n", lrc_time(last.start)));
    }
    out
}

/// A CUE sheet for `audio_file`: a track per chapter (at most 99, as the
/// format allows).
pub fn cue(plan: &Plan, audio_file: &str) -> String {
    let quote = |t: &str| one_line(t).replace('"', "'");
    let mut out = format!(
        "REM COMMENT \"coach\"\nTITLE \"{}\"\nFILE \"{}\" WAVE\n",
        quote(&plan.title),
        quote(audio_file)
    );
    for (i, c) in chapters(plan).iter().take(99).enumerate() {
        out.push_str(&format!(
            "  TRACK {:02} AUDIO\n    TITLE \"{}\"\n    INDEX 01 {}\n",
            i + 1,
            quote(&c.name),
            cue_time(c.start)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_stay_lines() {
        assert_eq!(one_line("a\nb\"c"), "a b\"c");
    }
}
