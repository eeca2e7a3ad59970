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
}

impl Slot {
    const ALL: [Slot; 12] = [
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
        }
    }
}

impl PhraseKey {
    pub const ALL: [PhraseKey; 12] = [
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
        }
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
            PhraseKey::Start => "{title}.",
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
        }
    }

    fn english(self) -> &'static str {
        match self {
            PhraseKey::Start => "{title}.",
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
        }
    }

    /// The placeholders that have a value where this phrase is spoken.
    pub fn slots(self) -> &'static [Slot] {
        match self {
            PhraseKey::Start => &[Slot::Title, Slot::Rounds],
            PhraseKey::Exercise => &[Slot::Name, Slot::Dose, Slot::Hold, Slot::Reps, Slot::Sets],
            PhraseKey::Side | PhraseKey::Switch => &[Slot::Side, Slot::Name],
            PhraseKey::Set => &[Slot::Set, Slot::Sets, Slot::Name],
            PhraseKey::SetRest => &[Slot::Rest, Slot::Set, Slot::Sets, Slot::Name],
            PhraseKey::Round => &[Slot::Round, Slot::Rounds],
            PhraseKey::Halfway => &[Slot::Name],
            PhraseKey::Rest => &[Slot::Rest, Slot::Next, Slot::Name],
            PhraseKey::Done | PhraseKey::Paused | PhraseKey::Resumed => &[Slot::Title],
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

    /// The phrase with its placeholders filled in.
    pub fn fill(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(slot) => {
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
                    };
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
            dose.push_str(if self.german {
                ", jede Seite"
            } else {
                ", each side"
            });
        }
        dose
    }

    pub fn set(&mut self, key: PhraseKey, template: Template) {
        self.templates[key as usize] = template;
    }

    pub fn fill(&self, key: PhraseKey, values: &Values<'_>) -> String {
        self.templates[key as usize].fill(values)
    }
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
        ];
        for (keys, english, german) in cases {
            let ex = exercise(keys);
            assert_eq!(en.dose(&ex), english, "{keys}");
            assert_eq!(de.dose(&ex), german, "{keys}");
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
