//! The built-in phrases (`Rest. Next: {next}.`) and their placeholders.

use std::fmt::Write as _;

/// Each phrase a session speaks besides the routine's own texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhraseKey {
    Start,
    Exercise,
    Side,
    Switch,
    Set,
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
}

impl Slot {
    const ALL: [Slot; 8] = [
        Slot::Title,
        Slot::Name,
        Slot::Side,
        Slot::Set,
        Slot::Sets,
        Slot::Round,
        Slot::Rounds,
        Slot::Next,
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
        }
    }
}

impl PhraseKey {
    pub const ALL: [PhraseKey; 11] = [
        PhraseKey::Start,
        PhraseKey::Exercise,
        PhraseKey::Side,
        PhraseKey::Switch,
        PhraseKey::Set,
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
            PhraseKey::Exercise => "{name}.",
            PhraseKey::Side => "{side}.",
            PhraseKey::Switch => "Seitenwechsel. {side}.",
            PhraseKey::Set => "Satz {set} von {sets}.",
            PhraseKey::Round => "Runde {round} von {rounds}.",
            PhraseKey::Halfway => "Halbzeit.",
            PhraseKey::Rest => "Pause. Als Nächstes: {next}.",
            PhraseKey::Done => "Geschafft. Gut gemacht.",
            PhraseKey::Paused => "Angehalten.",
            PhraseKey::Resumed => "Weiter geht's.",
        }
    }

    fn english(self) -> &'static str {
        match self {
            PhraseKey::Start => "{title}.",
            PhraseKey::Exercise => "{name}.",
            PhraseKey::Side => "{side}.",
            PhraseKey::Switch => "Switch sides. {side}.",
            PhraseKey::Set => "Set {set} of {sets}.",
            PhraseKey::Round => "Round {round} of {rounds}.",
            PhraseKey::Halfway => "Halfway.",
            PhraseKey::Rest => "Rest. Next: {next}.",
            PhraseKey::Done => "Routine complete. Well done.",
            PhraseKey::Paused => "Paused.",
            PhraseKey::Resumed => "Resuming.",
        }
    }

    /// The placeholders that have a value where this phrase is spoken.
    pub fn slots(self) -> &'static [Slot] {
        match self {
            PhraseKey::Start => &[Slot::Title, Slot::Rounds],
            PhraseKey::Exercise => &[Slot::Name],
            PhraseKey::Side | PhraseKey::Switch => &[Slot::Side, Slot::Name],
            PhraseKey::Set => &[Slot::Set, Slot::Sets, Slot::Name],
            PhraseKey::Round => &[Slot::Round, Slot::Rounds],
            PhraseKey::Halfway => &[Slot::Name],
            PhraseKey::Rest => &[Slot::Next, Slot::Name],
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
}

/// The phrases of one routine: the built-in ones with the routine's
/// `[phrases]` laid over them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrases {
    templates: Vec<Template>,
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
        Phrases { templates }
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
        assert_eq!(p.fill(PhraseKey::Rest, &v), "Rest. Next: Cat-cow.");
        assert_eq!(p.fill(PhraseKey::Set, &v), "Set 2 of 3.");
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
            "{nxt} is not a placeholder of phrase \"rest\"; it can use {next}, {name}"
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
