//! The built-in phrases (`Rest. Next: {next}.`) and their placeholders.

use std::fmt::Write as _;

use super::{Exercise, Work};
use crate::timeline::Dur;

/// Each phrase a session speaks besides the routine's own texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhraseKey {
    Start,
    Exercise,
    Side,
    Switch,
    Set,
    SetRest,
    Round,
    Halfway,
    Rest,
    Done,
    Paused,
    Resumed,
    Relax,
    LastRep,
    Skipped,
    Back,
    Again,
}

/// A value a phrase can refer to in braces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Title,
    Name,
    Side,
    Set,
    Sets,
    Round,
    Rounds,
    Next,
    Hold,
    Reps,
    Rest,
    Dose,
    Exercises,
    Length,
}

impl Slot {
    const ALL: [Slot; 14] = [
        Slot::Title,
        Slot::Name,
        Slot::Side,
        Slot::Set,
        Slot::Sets,
        Slot::Round,
        Slot::Rounds,
        Slot::Next,
        Slot::Hold,
        Slot::Reps,
        Slot::Rest,
        Slot::Dose,
        Slot::Exercises,
        Slot::Length,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Slot::Title => "title",
            Slot::Name => "name",
            Slot::Side => "side",
            Slot::Set => "set",
            Slot::Sets => "sets",
            Slot::Round => "round",
            Slot::Rounds => "rounds",
            Slot::Next => "next",
            Slot::Hold => "hold",
            Slot::Reps => "reps",
            Slot::Rest => "rest",
            Slot::Dose => "dose",
            Slot::Exercises => "exercises",
            Slot::Length => "length",
        }
    }
}

impl PhraseKey {
    pub const ALL: [PhraseKey; 17] = [
        PhraseKey::Start,
        PhraseKey::Exercise,
        PhraseKey::Side,
        PhraseKey::Switch,
        PhraseKey::Set,
        PhraseKey::SetRest,
        PhraseKey::Round,
        PhraseKey::Halfway,
        PhraseKey::Rest,
        PhraseKey::Done,
        PhraseKey::Paused,
        PhraseKey::Resumed,
        PhraseKey::Relax,
        PhraseKey::LastRep,
        PhraseKey::Skipped,
        PhraseKey::Back,
        PhraseKey::Again,
    ];

    /// The key as written in a `[phrases]` table.
    pub fn name(self) -> &'static str {
        match self {
            PhraseKey::Start => "start",
            PhraseKey::Exercise => "exercise",
            PhraseKey::Side => "side",
            PhraseKey::Switch => "switch",
            PhraseKey::Set => "set",
            PhraseKey::SetRest => "set_rest",
            PhraseKey::Round => "round",
            PhraseKey::Halfway => "halfway",
            PhraseKey::Rest => "rest",
            PhraseKey::Done => "done",
            PhraseKey::Paused => "paused",
            PhraseKey::Resumed => "resumed",
            PhraseKey::Relax => "relax",
            PhraseKey::LastRep => "last_rep",
            PhraseKey::Skipped => "skipped",
            PhraseKey::Back => "back",
            PhraseKey::Again => "again",
        }
    }

    /// Whether `""` turns the phrase off: the words that mark the end of
    /// work and the last rep, which a tone or a count also marks.
    pub fn may_be_empty(self) -> bool {
        matches!(self, PhraseKey::Relax | PhraseKey::LastRep)
    }

    pub fn from_name(name: &str) -> Option<PhraseKey> {
        PhraseKey::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The built-in wording in `lang`: German for `de` (and `de-AT`,
    /// `de-CH`, ...), English for everything else.
    pub fn default_text(self, lang: &str) -> &'static str {
        match crate::source::language::primary(lang).as_str() {
            "de" => self.german(),
            _ => self.english(),
        }
    }

    fn german(self) -> &'static str {
        match self {
            PhraseKey::Start => "{title}. {exercises}, {length}.",
            PhraseKey::Exercise => "{name}. {dose}.",
            PhraseKey::Side => "{side}.",
            PhraseKey::Switch => "Seitenwechsel. {side}.",
            PhraseKey::Set => "Satz {set} von {sets}.",
            PhraseKey::SetRest => "Pause, {rest}. Dann Satz {set} von {sets}.",
            PhraseKey::Round => "Runde {round} von {rounds}.",
            PhraseKey::Halfway => "Halbzeit.",
            PhraseKey::Rest => "Pause, {rest}. Als Nächstes: {next}.",
            PhraseKey::Done => "Geschafft. Gut gemacht.",
            PhraseKey::Paused => "Angehalten.",
            PhraseKey::Resumed => "Weiter geht's.",
            PhraseKey::Relax => "Und locker lassen.",
            PhraseKey::LastRep => "Die letzte.",
            PhraseKey::Skipped => "Weiter mit {name}.",
            PhraseKey::Back => "Zurück zu {name}.",
            PhraseKey::Again => "Noch einmal.",
        }
    }

    fn english(self) -> &'static str {
        match self {
            PhraseKey::Start => "{title}. {exercises}, {length}.",
            PhraseKey::Exercise => "{name}. {dose}.",
            PhraseKey::Side => "{side}.",
            PhraseKey::Switch => "Switch sides. {side}.",
            PhraseKey::Set => "Set {set} of {sets}.",
            PhraseKey::SetRest => "Rest, {rest}. Then set {set} of {sets}.",
            PhraseKey::Round => "Round {round} of {rounds}.",
            PhraseKey::Halfway => "Halfway.",
            PhraseKey::Rest => "Rest, {rest}. Next: {next}.",
            PhraseKey::Done => "Routine complete. Well done.",
            PhraseKey::Paused => "Paused.",
            PhraseKey::Resumed => "Resuming.",
            PhraseKey::Relax => "And relax.",
            PhraseKey::LastRep => "Last one.",
            PhraseKey::Skipped => "Next: {name}.",
            PhraseKey::Back => "Back to {name}.",
            PhraseKey::Again => "Again.",
        }
    }

    /// The placeholders that have a value where this phrase is spoken.
    pub fn slots(self) -> &'static [Slot] {
        match self {
            PhraseKey::Start => &[Slot::Title, Slot::Rounds, Slot::Exercises, Slot::Length],
            PhraseKey::Exercise => &[Slot::Name, Slot::Dose, Slot::Hold, Slot::Reps, Slot::Sets],
            PhraseKey::Side | PhraseKey::Switch => &[Slot::Side, Slot::Name],
            PhraseKey::Set => &[Slot::Set, Slot::Sets, Slot::Name],
            PhraseKey::SetRest => &[Slot::Rest, Slot::Set, Slot::Sets, Slot::Name],
            PhraseKey::Round => &[Slot::Round, Slot::Rounds],
            PhraseKey::Halfway => &[Slot::Name],
            PhraseKey::Rest => &[Slot::Rest, Slot::Next, Slot::Name],
            PhraseKey::Done | PhraseKey::Paused | PhraseKey::Resumed => &[Slot::Title],
            PhraseKey::Relax | PhraseKey::Skipped | PhraseKey::Back | PhraseKey::Again => {
                &[Slot::Name]
            }
            PhraseKey::LastRep => &[Slot::Reps, Slot::Name],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(Slot),
}

/// A phrase with its placeholders parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// Why a phrase could not be read; the offset is into the phrase text.
#[derive(Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
}

impl Template {
    /// Parses `text` for `key`: `{slot}` is a placeholder, `{{` and `}}` are
    /// literal braces.
    pub fn parse(key: PhraseKey, text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let Some(close) = text[i..].find('}') else {
                        return Err(TemplateError {
                            offset: i,
                            len: 1,
                            message: format!(
                                "unclosed \"{{\" in phrase \"{}\" (write {{{{ for a literal brace)",
                                key.name()
                            ),
                        });
                    };
                    let name = &text[i + 1..i + close];
                    let allowed = key.slots();
                    let slot = allowed.iter().copied().find(|s| s.name() == name);
                    let Some(slot) = slot else {
                        let names: Vec<String> = allowed
                            .iter()
                            .map(|s| format!("{{{}}}", s.name()))
                            .collect();
                        let known = Slot::ALL.iter().any(|s| s.name() == name);
                        let what = if known {
                            "has no value in"
                        } else {
                            "is not a placeholder of"
                        };
                        return Err(TemplateError {
                            offset: i,
                            len: close + 1,
                            message: format!(
                                "{{{name}}} {what} phrase \"{}\"; it can use {}",
                                key.name(),
                                names.join(", ")
                            ),
                        });
                    };
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Slot(slot));
                    for _ in 0..name.chars().count() + 1 {
                        chars.next();
                    }
                }
                '}' => {
                    return Err(TemplateError {
                        offset: i,
                        len: 1,
                        message: format!(
                            "unmatched \"}}\" in phrase \"{}\" (write }}}} for a literal brace)",
                            key.name()
                        ),
                    });
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template { pieces })
    }

    /// The phrase with its placeholders filled in. A value that starts a
    /// sentence starts with a capital letter ("Switch sides. Right.").
    pub fn fill(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(slot) => {
                    let from = out.len();
                    let starts_sentence = {
                        let before = out.trim_end();
                        before.is_empty() || before.ends_with(['.', '!', '?', ':'])
                    };
                    let _ = match slot {
                        Slot::Title => write!(out, "{}", values.title),
                        Slot::Name => write!(out, "{}", values.name),
                        Slot::Side => write!(out, "{}", values.side),
                        Slot::Set => write!(out, "{}", values.set),
                        Slot::Sets => write!(out, "{}", values.sets),
                        Slot::Round => write!(out, "{}", values.round),
                        Slot::Rounds => write!(out, "{}", values.rounds),
                        Slot::Next => write!(out, "{}", values.next),
                        Slot::Hold => write!(out, "{}", values.hold),
                        Slot::Reps => write!(out, "{}", values.reps),
                        Slot::Rest => write!(out, "{}", values.rest),
                        Slot::Dose => write!(out, "{}", values.dose),
                        Slot::Exercises => write!(out, "{}", values.exercises),
                        Slot::Length => write!(out, "{}", values.length),
                    };
                    if starts_sentence {
                        capitalise_from(&mut out, from);
                    }
                }
            }
        }
        out
    }
}

/// What the placeholders stand for where a phrase is spoken.
#[derive(Clone, Debug, Default)]
pub struct Values<'a> {
    pub title: &'a str,
    pub name: &'a str,
    pub side: &'a str,
    pub set: u32,
    pub sets: u32,
    pub round: u32,
    pub rounds: u32,
    pub next: &'a str,
    /// How long the hold lasts, in words ("30 seconds"); empty for reps.
    pub hold: &'a str,
    /// How many reps ("12"); empty for a hold.
    pub reps: &'a str,
    /// How long the rest lasts, in words.
    pub rest: &'a str,
    /// What the exercise asks, in words: "30 seconds, each side", "12
    /// reps", "3 sets of 10".
    pub dose: &'a str,
    /// How many exercises, in words: "5 exercises".
    pub exercises: &'a str,
    /// How long the session takes, roughly: "about 7 minutes".
    pub length: &'a str,
}

/// Where a session is, for [`Phrases::progress`].
#[derive(Clone, Debug, Default)]
pub struct Progress<'a> {
    /// The exercise being done (or got ready for).
    pub name: Option<&'a str>,
    pub side: Option<&'a str>,
    /// The set and the number of sets, when there is more than one.
    pub set: Option<(u32, u32)>,
    /// The rep and the number of reps, during reps.
    pub rep: Option<(u32, u32)>,
    /// In a rest: the exercise after it.
    pub resting_before: Option<&'a str>,
    /// What is left of the session.
    pub left: Dur,
}

/// The phrases of one routine: the built-in ones with the routine's
/// `[phrases]` laid over them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrases {
    templates: Vec<Template>,
    /// The language the doses and durations are said in: `de` or `en`.
    german: bool,
}

impl Default for Phrases {
    /// The English phrases.
    fn default() -> Self {
        Phrases::for_language("en")
    }
}

impl Phrases {
    /// The built-in phrases in the language of `tag`.
    pub fn for_language(tag: &str) -> Phrases {
        let templates = PhraseKey::ALL
            .iter()
            .map(|k| Template::parse(*k, k.default_text(tag)).expect("built-in phrases parse"))
            .collect();
        Phrases {
            templates,
            german: crate::source::language::primary(tag) == "de",
        }
    }

    /// `d` as the phrases say a length: "1 minute 30 seconds", "2.5
    /// seconds"; in German "1 Minute 30 Sekunden", "2,5 Sekunden".
    pub fn duration(&self, d: Dur) -> String {
        let us = d.micros();
        let (h, m) = (us / 3_600_000_000, us / 60_000_000 % 60);
        let s_us = us % 60_000_000;
        let (hour, minute, second) = if self.german {
            (
                ["Stunde", "Stunden"],
                ["Minute", "Minuten"],
                ["Sekunde", "Sekunden"],
            )
        } else {
            (
                ["hour", "hours"],
                ["minute", "minutes"],
                ["second", "seconds"],
            )
        };
        let unit = |n: u64, names: [&str; 2]| format!("{n} {}", names[usize::from(n != 1)]);
        let mut parts = Vec::new();
        if h > 0 {
            parts.push(unit(h, hour));
        }
        if m > 0 {
            parts.push(unit(m, minute));
        }
        if s_us % 1_000_000 == 0 {
            if s_us > 0 || parts.is_empty() {
                parts.push(unit(s_us / 1_000_000, second));
            }
        } else {
            let fraction = format!("{:06}", s_us % 1_000_000);
            let point = if self.german { "," } else { "." };
            parts.push(format!(
                "{}{point}{} {}",
                s_us / 1_000_000,
                fraction.trim_end_matches('0'),
                second[1]
            ));
        }
        parts.join(" ")
    }

    /// What `ex` asks, in words: its work, its sets and its sides.
    pub fn dose(&self, ex: &Exercise) -> String {
        let one = match &ex.work {
            Work::Hold(h) => self.duration(h.time),
            Work::Reps(r) if ex.sets > 1 => r.reps.to_string(),
            Work::Reps(r) => match (self.german, r.reps) {
                (false, 1) => "1 rep".into(),
                (false, n) => format!("{n} reps"),
                (true, 1) => "1 Wiederholung".into(),
                (true, n) => format!("{n} Wiederholungen"),
            },
        };
        let mut dose = match (self.german, ex.sets) {
            (_, 1) => one,
            (false, sets) => format!("{sets} sets of {one}"),
            (true, sets) => format!("{sets} Sätze à {one}"),
        };
        if !ex.sides.is_empty() {
            dose.push_str(&if self.german {
                ", jede Seite".to_string()
            } else {
                format!(
                    ", each {}",
                    side_word(&ex.sides).unwrap_or_else(|| "side".into())
                )
            });
        }
        dose
    }

    /// How many exercises, in words: "5 exercises", "1 Übung".
    pub fn exercises(&self, n: usize) -> String {
        match (self.german, n) {
            (false, 1) => "1 exercise".into(),
            (false, n) => format!("{n} exercises"),
            (true, 1) => "1 Übung".into(),
            (true, n) => format!("{n} Übungen"),
        }
    }

    /// A session's length as the overview says it: "about 7 minutes",
    /// rounded to the minute, or to 10 seconds under a minute and a half.
    pub fn about(&self, d: Dur) -> String {
        let secs = d.micros().div_ceil(1_000_000);
        let rounded = if secs < 90 {
            Dur::from_secs((secs.div_ceil(10) * 10).max(10))
        } else {
            Dur::from_secs((secs + 30) / 60 * 60)
        };
        let word = if self.german { "etwa" } else { "about" };
        format!("{word} {}", self.duration(rounded))
    }

    /// Where a session is, as said on request: "Cat-cow, rep 5 of 12.
    /// About 3 minutes left."; in German "Cat-cow, Wiederholung 5 von
    /// 12. Noch etwa 3 Minuten."
    pub fn progress(&self, at: &Progress<'_>) -> String {
        let mut parts: Vec<String> = Vec::new();
        match at.resting_before {
            Some(next) if self.german => parts.push(format!("Pause, dann {next}")),
            Some(next) => parts.push(format!("Resting, then {next}")),
            None => {
                parts.extend(at.name.map(str::to_string));
                parts.extend(at.side.map(str::to_string));
                if let Some((n, of)) = at.set {
                    parts.push(if self.german {
                        format!("Satz {n} von {of}")
                    } else {
                        format!("set {n} of {of}")
                    });
                }
                if let Some((n, of)) = at.rep {
                    parts.push(if self.german {
                        format!("Wiederholung {n} von {of}")
                    } else {
                        format!("rep {n} of {of}")
                    });
                }
            }
        }
        let minutes = (at.left.micros() + 30_000_000) / 60_000_000;
        let left = match (self.german, minutes) {
            (false, 0) => "Less than a minute left.".to_string(),
            (false, 1) => "About 1 minute left.".to_string(),
            (false, m) => format!("About {m} minutes left."),
            (true, 0) => "Noch weniger als eine Minute.".to_string(),
            (true, 1) => "Noch etwa 1 Minute.".to_string(),
            (true, m) => format!("Noch etwa {m} Minuten."),
        };
        if parts.is_empty() {
            return left;
        }
        let mut said = parts.join(", ");
        capitalise_from(&mut said, 0);
        format!("{said}. {left}")
    }

    /// A finished session's summary: "7 minutes 33 seconds played. 5
    /// exercises done, 1 skipped. That is 4 days in a row."; `streak` is
    /// the days in a row with today, if the session log knows.
    pub fn summary(&self, played: Dur, done: usize, skipped: usize, streak: Option<u32>) -> String {
        let played = self.duration(Dur::from_secs(played.micros().div_ceil(1_000_000)));
        let exercises = self.exercises(done);
        let mut out = if self.german {
            format!("{played} geübt. {exercises} geschafft")
        } else {
            format!("{played} played. {exercises} done")
        };
        if skipped > 0 {
            out.push_str(&if self.german {
                format!(", {skipped} übersprungen")
            } else {
                format!(", {skipped} skipped")
            });
        }
        out.push('.');
        match (self.german, streak) {
            (_, None) => {}
            (false, Some(1)) => out.push_str(" A new streak starts today."),
            (false, Some(n)) => out.push_str(&format!(" That is {n} days in a row.")),
            (true, Some(1)) => out.push_str(" Heute beginnt eine neue Serie."),
            (true, Some(n)) => out.push_str(&format!(" Das ist der {n}. Tag in Folge.")),
        }
        out
    }

    pub fn set(&mut self, key: PhraseKey, template: Template) {
        self.templates[key as usize] = template;
    }

    pub fn fill(&self, key: PhraseKey, values: &Values<'_>) -> String {
        self.templates[key as usize].fill(values)
    }
}

/// Makes the letter at byte `from` of `text` a capital.
fn capitalise_from(text: &mut String, from: usize) {
    if let Some(first) = text[from..].chars().next() {
        let upper: String = first.to_uppercase().collect();
        text.replace_range(from..from + first.len_utf8(), &upper);
    }
}

/// The word side names share at their end, in English: "leg" for "Left
/// leg" and "Right leg", so a dose says "each leg".
fn side_word(sides: &[String]) -> Option<String> {
    let last = |s: &String| -> Option<String> {
        let (_, word) = s.trim().rsplit_once(' ')?;
        word.chars()
            .all(char::is_alphabetic)
            .then(|| word.to_lowercase())
    };
    let word = last(sides.first()?)?;
    sides
        .iter()
        .all(|s| last(s).as_ref() == Some(&word))
        .then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in() {
        let p = Phrases::default();
        let v = Values {
            side: "Right leg",
            next: "Cat-cow",
            set: 2,
            sets: 3,
            ..Values::default()
        };
        assert_eq!(p.fill(PhraseKey::Switch, &v), "Switch sides. Right leg.");
        assert_eq!(p.fill(PhraseKey::Set, &v), "Set 2 of 3.");
        let v = Values {
            rest: "15 seconds",
            dose: "12 reps",
            name: "Cat-cow",
            ..v
        };
        assert_eq!(
            p.fill(PhraseKey::Rest, &v),
            "Rest, 15 seconds. Next: Cat-cow."
        );
        assert_eq!(
            p.fill(PhraseKey::SetRest, &v),
            "Rest, 15 seconds. Then set 2 of 3."
        );
        assert_eq!(p.fill(PhraseKey::Exercise, &v), "Cat-cow. 12 reps.");
    }

    #[test]
    fn german_routines_get_german_phrases() {
        let v = Values {
            side: "Rechtes Bein",
            set: 2,
            sets: 3,
            ..Values::default()
        };
        let de = Phrases::for_language("de-AT");
        assert_eq!(
            de.fill(PhraseKey::Switch, &v),
            "Seitenwechsel. Rechtes Bein."
        );
        assert_eq!(de.fill(PhraseKey::Set, &v), "Satz 2 von 3.");
        let other = Phrases::for_language("fr");
        assert_eq!(other.fill(PhraseKey::Set, &v), "Set 2 of 3.");
        // Every built-in phrase of every language parses.
        for k in PhraseKey::ALL {
            for lang in ["en", "de"] {
                assert!(Template::parse(k, k.default_text(lang)).is_ok());
            }
        }
    }

    fn exercise(text: &str) -> Exercise {
        let source = crate::source::SourceFile::new(
            "t.toml",
            format!("title = \"T\"\n[[exercise]]\nname = \"A\"\n{text}"),
        );
        crate::routine::load::parse(&source)
            .unwrap()
            .exercises
            .remove(0)
    }

    #[test]
    fn doses_and_durations_are_said_in_words() {
        let (en, de) = (Phrases::for_language("en"), Phrases::for_language("de"));
        let cases = [
            ("hold = \"30s\"", "30 seconds", "30 Sekunden"),
            ("hold = \"1s\"", "1 second", "1 Sekunde"),
            (
                "hold = \"90s\"",
                "1 minute 30 seconds",
                "1 Minute 30 Sekunden",
            ),
            ("hold = \"2h\"", "2 hours", "2 Stunden"),
            (
                "hold = \"1h1m1s\"",
                "1 hour 1 minute 1 second",
                "1 Stunde 1 Minute 1 Sekunde",
            ),
            ("hold = \"2.5s\"", "2.5 seconds", "2,5 Sekunden"),
            (
                "hold = \"30s\"\nsides = [\"L\", \"R\"]",
                "30 seconds, each side",
                "30 Sekunden, jede Seite",
            ),
            ("reps = 12", "12 reps", "12 Wiederholungen"),
            ("reps = 1", "1 rep", "1 Wiederholung"),
            ("reps = 10\nsets = 3", "3 sets of 10", "3 Sätze à 10"),
            (
                "hold = \"20s\"\nsets = 2\nsides = [\"L\", \"R\"]",
                "2 sets of 20 seconds, each side",
                "2 Sätze à 20 Sekunden, jede Seite",
            ),
            (
                "hold = \"30s\"\nsides = [\"Left leg\", \"Right leg\"]",
                "30 seconds, each leg",
                "30 Sekunden, jede Seite",
            ),
            (
                "hold = \"30s\"\nsides = [\"left Arm\", \"right arm\"]",
                "30 seconds, each arm",
                "30 Sekunden, jede Seite",
            ),
            (
                "hold = \"30s\"\nsides = [\"Left leg\", \"Right arm\"]",
                "30 seconds, each side",
                "30 Sekunden, jede Seite",
            ),
        ];
        for (keys, english, german) in cases {
            let ex = exercise(keys);
            assert_eq!(en.dose(&ex), english, "{keys}");
            assert_eq!(de.dose(&ex), german, "{keys}");
        }
        // Every count of reps from 1 to 100, alone and in sets.
        for n in 1..=100u32 {
            let ex = exercise(&format!("reps = {n}"));
            let want = if n == 1 {
                "1 rep".to_string()
            } else {
                format!("{n} reps")
            };
            assert_eq!(en.dose(&ex), want);
            let ex = exercise(&format!("reps = {n}\nsets = {}", n.min(100)));
            if n > 1 {
                assert_eq!(en.dose(&ex), format!("{n} sets of {n}"));
                assert_eq!(de.dose(&ex), format!("{n} Sätze à {n}"));
            }
        }
        // Every whole second from 1 s to 2 h says its units once, in order,
        // and reads back to its length.
        for secs in (1..=7200u64).step_by(7) {
            let said = en.duration(Dur::from_secs(secs));
            let words: Vec<&str> = said.split(' ').collect();
            let mut total = 0;
            for pair in words.chunks(2) {
                let n: u64 = pair[0].parse().unwrap();
                total += n * match pair[1].trim_end_matches('s') {
                    "hour" => 3600,
                    "minute" => 60,
                    "second" => 1,
                    other => panic!("{other} in {said}"),
                };
                assert_eq!(pair[1].ends_with('s'), n != 1, "{said}");
            }
            assert_eq!(total, secs, "{said}");
        }
    }

    #[test]
    fn names_that_start_a_sentence_are_capitalised() {
        let p = Phrases::default();
        let v = Values {
            side: "right",
            next: "über-stretch",
            name: "cat-cow",
            rest: "10 seconds",
            ..Values::default()
        };
        assert_eq!(p.fill(PhraseKey::Switch, &v), "Switch sides. Right.");
        assert_eq!(p.fill(PhraseKey::Side, &v), "Right.");
        assert_eq!(
            p.fill(PhraseKey::Rest, &v),
            "Rest, 10 seconds. Next: Über-stretch."
        );
        // Inside a sentence a name stays as written.
        let t = Template::parse(PhraseKey::Side, "Now the {side} one.").unwrap();
        assert_eq!(t.fill(&v), "Now the right one.");
    }

    #[test]
    fn the_overview_says_the_size_of_the_session() {
        let (en, de) = (Phrases::for_language("en"), Phrases::for_language("de"));
        let cases = [
            (1, 7, "1 exercise", "about 10 seconds", "etwa 10 Sekunden"),
            (2, 44, "2 exercises", "about 50 seconds", "etwa 50 Sekunden"),
            (
                5,
                89,
                "5 exercises",
                "about 1 minute 30 seconds",
                "etwa 1 Minute 30 Sekunden",
            ),
            (
                5,
                7 * 60 + 29,
                "5 exercises",
                "about 7 minutes",
                "etwa 7 Minuten",
            ),
            (
                5,
                7 * 60 + 30,
                "5 exercises",
                "about 8 minutes",
                "etwa 8 Minuten",
            ),
            (
                12,
                3 * 3600 + 100,
                "12 exercises",
                "about 3 hours 2 minutes",
                "etwa 3 Stunden 2 Minuten",
            ),
        ];
        for (n, secs, exercises, about, etwa) in cases {
            assert_eq!(en.exercises(n), exercises);
            assert_eq!(en.about(Dur::from_secs(secs)), about, "{secs}");
            assert_eq!(de.about(Dur::from_secs(secs)), etwa, "{secs}");
        }
        assert_eq!(de.exercises(1), "1 Übung");
        assert_eq!(de.exercises(5), "5 Übungen");
        let v = Values {
            title: "Morning",
            exercises: "5 exercises",
            length: "about 7 minutes",
            ..Values::default()
        };
        assert_eq!(
            en.fill(PhraseKey::Start, &v),
            "Morning. 5 exercises, about 7 minutes."
        );
    }

    #[test]
    fn the_summary_says_what_was_played_and_the_streak() {
        let (en, de) = (Phrases::for_language("en"), Phrases::for_language("de"));
        let played = Dur::from_micros(453_200_000);
        assert_eq!(
            en.summary(played, 5, 0, Some(4)),
            "7 minutes 34 seconds played. 5 exercises done. That is 4 days in a row."
        );
        assert_eq!(
            en.summary(played, 4, 1, Some(1)),
            "7 minutes 34 seconds played. 4 exercises done, 1 skipped. A new streak starts today."
        );
        assert_eq!(
            en.summary(Dur::from_secs(59), 1, 0, None),
            "59 seconds played. 1 exercise done."
        );
        assert_eq!(
            de.summary(played, 4, 1, Some(3)),
            "7 Minuten 34 Sekunden geübt. 4 Übungen geschafft, 1 übersprungen. Das ist der 3. Tag in Folge."
        );
    }

    #[test]
    fn braces_escape_and_errors() {
        let t = Template::parse(PhraseKey::Rest, "{{next}} is {next}").unwrap();
        let v = Values {
            next: "X",
            ..Values::default()
        };
        assert_eq!(t.fill(&v), "{next} is X");

        let e = Template::parse(PhraseKey::Rest, "Rest {nxt}").unwrap_err();
        assert_eq!(
            e.message,
            "{nxt} is not a placeholder of phrase \"rest\"; it can use {rest}, {next}, {name}"
        );
        assert_eq!((e.offset, e.len), (5, 5));
        let e = Template::parse(PhraseKey::Halfway, "{side}").unwrap_err();
        assert_eq!(
            e.message,
            "{side} has no value in phrase \"halfway\"; it can use {name}"
        );
        let e = Template::parse(PhraseKey::Done, "Done {").unwrap_err();
        assert!(e.message.starts_with("unclosed \"{\""));
        let e = Template::parse(PhraseKey::Done, "Done }").unwrap_err();
        assert!(e.message.starts_with("unmatched \"}\""));
    }
}
