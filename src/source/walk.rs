//! Walking a spanned TOML document: every key checked against the ones a
//! table may have, every value against its type and range, with each
//! problem recorded at its place. Routine files and the user's config are
//! both read this way.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::duration::{DurError, parse_duration, seconds_to_dur};
use super::{Diagnostic, Language, Span};
use crate::timeline::Dur;

/// Longest text a routine may give, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// The keys whose texts are shown on one line: a line break in them would
/// make the display say something else.
const ONE_LINE: &[&str] = &["title", "name", "sides"];

/// The document's top table, or every syntax error in it.
pub fn parse_document(text: &str) -> Result<DeTable<'_>, Vec<Diagnostic>> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Ok(doc.into_inner());
    }
    let mut diags: Vec<Diagnostic> = errors
        .iter()
        .map(|e| match e.span() {
            Some(span) => Diagnostic::error(span, toml_message(e.message())),
            // The parser gives up on nesting too deep without saying where.
            None => Diagnostic::error(deepest(text), toml_message(e.message())),
        })
        .collect();
    diags.sort_by_key(|d| d.span.start);
    diags.dedup();
    Err(diags)
}

/// The line most deeply nested, by its dots and brackets: where a parser
/// that hit its recursion limit gave up.
fn deepest(text: &str) -> Span {
    let mut best = (0, 0..0);
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let depth = line
            .chars()
            .filter(|c| matches!(c, '.' | '[' | '{'))
            .count();
        if depth > best.0 {
            let start = at + (line.len() - line.trim_start().len());
            best = (depth, start..start + line.trim().len().min(1));
        }
        at += line.len();
    }
    best.1
}

/// The TOML parser's message as one lower-case line.
fn toml_message(message: &str) -> String {
    let line = message.lines().next().unwrap_or("invalid TOML").trim();
    if line.contains("recursion limit") {
        return "invalid TOML: nested too deeply (keys, tables or arrays inside each other more than the parser allows)".into();
    }
    let mut chars = line.chars();
    let first = chars.next().map(|c| c.to_lowercase().to_string());
    format!(
        "invalid TOML: {}{}",
        first.unwrap_or_default(),
        chars.as_str()
    )
}

pub type Value<'a, 'i> = &'a Spanned<DeValue<'i>>;

/// A key of a table with its value.
pub struct Entry<'a, 'i> {
    pub key: &'a str,
    pub key_span: Span,
    pub value: Value<'a, 'i>,
}

impl Entry<'_, '_> {
    pub fn span(&self) -> Span {
        self.value.span()
    }
}

/// The known keys of one table.
pub struct Fields<'a, 'i> {
    pub entries: Vec<Entry<'a, 'i>>,
    /// The keys that unknown keys were taken to mean ("hodl" → "hold"):
    /// what is missing because of them is not reported again.
    pub meant: Vec<String>,
}

impl<'a, 'i> Fields<'a, 'i> {
    pub fn get(&self, key: &str) -> Option<&Entry<'a, 'i>> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// Whether an unknown key was taken to mean one of `keys`: then that
    /// one's absence follows from an error already reported.
    pub fn misspelt(&self, keys: &[&str]) -> bool {
        self.meant.iter().any(|m| keys.contains(&m.as_str()))
    }
}

/// What an explanation says of a key that is not allowed: the message,
/// and the keys it points to.
pub type Explained = (String, Vec<&'static str>);

/// Collects the problems of one document.
#[derive(Default)]
pub struct Walker {
    pub diags: Vec<Diagnostic>,
}

/// A value's type in words: "a string", "an integer".
pub fn kind_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number with a fraction",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// Choices in words: `"voice", "tone" or "off"`.
pub fn one_of(choices: &[&str]) -> String {
    let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl Walker {
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(span, message));
    }

    /// `value` if nothing was wrong, else every problem found, in file
    /// order.
    pub fn finish<T>(mut self, value: Option<T>) -> Result<T, Vec<Diagnostic>> {
        match value {
            Some(v) if self.diags.is_empty() => Ok(v),
            _ => {
                self.diags.sort_by_key(|d| d.span.start);
                Err(self.diags)
            }
        }
    }

    /// Which of `choices` the string of `e` is, by index; anything else is
    /// reported with the choices, and the closest one if it looks like a
    /// typo.
    pub fn choice(&mut self, e: &Entry<'_, '_>, choices: &[&str]) -> Option<usize> {
        let found = match e.value.get_ref() {
            DeValue::String(s) => match choices.iter().position(|c| *c == s.as_ref()) {
                Some(i) => return Some(i),
                None => {
                    let hint = super::diag::suggest(s, choices.iter().copied())
                        .map(|c| format!(" (did you mean \"{c}\"?)"))
                        .unwrap_or_default();
                    format!("\"{s}\"{hint}")
                }
            },
            other => kind_name(other).to_string(),
        };
        self.error(
            e.span(),
            format!("\"{}\" must be {}, found {found}", e.key, one_of(choices)),
        );
        None
    }

    /// The entries of `table` whose keys are in `allowed`; every other key is
    /// reported, with a suggestion where one is close.
    pub fn fields<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        allowed: &[&str],
        place: &str,
    ) -> Fields<'a, 'i> {
        self.fields_explained(table, allowed, place, &|_| None)
    }

    /// [`Walker::fields`], where `explain` may give a better message for
    /// a key that is not allowed here (known elsewhere, or a word people
    /// use for one of ours), and the keys it points to.
    pub fn fields_explained<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        allowed: &[&str],
        place: &str,
        explain: &dyn Fn(&str) -> Option<Explained>,
    ) -> Fields<'a, 'i> {
        let mut entries = Vec::new();
        let mut meant = Vec::new();
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            if allowed.contains(&name) {
                entries.push(Entry {
                    key: name,
                    key_span: key.span(),
                    value,
                });
                continue;
            }
            // A key can be as long as the file: quote its start only.
            let quoted = crate::guard::text::shown_short(name, 60);
            let message = if let Some((message, keys)) = explain(name) {
                meant.extend(keys.iter().map(|k| k.to_string()));
                message
            } else if let Some(close) = super::diag::suggest(name, allowed.iter().copied()) {
                meant.push(close.to_string());
                format!("unknown key \"{quoted}\" in {place} (did you mean \"{close}\"?)")
            } else {
                format!(
                    "unknown key \"{quoted}\" in {place}; expected one of {}",
                    allowed.join(", ")
                )
            };
            self.error(key.span(), message);
        }
        Fields { entries, meant }
    }

    /// The span of `text[offset..offset+len]` inside a string value, when the
    /// string is written without escapes; the whole value otherwise.
    pub fn span_in_string(
        &self,
        value: Value<'_, '_>,
        text: &str,
        offset: usize,
        len: usize,
    ) -> Span {
        let span = value.span();
        let written = span.end.saturating_sub(span.start);
        // A basic or literal string with no escapes is its text plus quotes.
        if written == text.len() + 2 {
            let start = span.start + 1 + offset;
            return start..start + len;
        }
        span
    }

    /// A language tag; `key` names it in the message.
    pub fn language(&mut self, e: &Entry<'_, '_>) -> Option<Language> {
        let tag = self.text(e)?;
        let language = Language::parse(&tag);
        if language.is_none() {
            self.error(
                e.span(),
                format!(
                    "\"{}\" must be a language tag like \"en\", \"en-GB\" or \"de\", found \"{tag}\"",
                    e.key
                ),
            );
        }
        language
    }

    pub fn text(&mut self, e: &Entry<'_, '_>) -> Option<String> {
        self.text_value(e.key, e.value)
    }

    pub fn text_value(&mut self, key: &str, v: Value<'_, '_>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => self.check_text(key, s, v.span()),
            other => {
                self.error(
                    v.span(),
                    format!("\"{key}\" must be a string, found {}", kind_name(other)),
                );
                None
            }
        }
    }

    /// One text of a list of texts.
    pub fn item_text(&mut self, key: &str, v: Value<'_, '_>) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => self.check_text(key, s, v.span()),
            other => {
                self.error(
                    v.span(),
                    format!(
                        "each item of \"{key}\" must be a string, found {}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    /// Text or list of texts.
    pub fn texts(&mut self, e: &Entry<'_, '_>) -> Option<Vec<String>> {
        match e.value.get_ref() {
            DeValue::String(_) => self.text(e).map(|t| vec![t]),
            DeValue::Array(items) if !items.is_empty() => {
                let mut out = Vec::new();
                let mut ok = true;
                for item in items.iter() {
                    match self.item_text(e.key, item) {
                        Some(t) => out.push(t),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            DeValue::Array(_) => {
                self.error(
                    e.span(),
                    format!(
                        "\"{}\" is an empty list; give at least one text or leave it out",
                        e.key
                    ),
                );
                None
            }
            other => {
                self.error(
                    e.span(),
                    format!(
                        "\"{}\" must be a string or a list of strings, found {}",
                        e.key,
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    /// Checks a text: not empty, not too long, printable; and for the
    /// texts shown as one line (titles, names, sides), without line breaks.
    pub fn check_text(&mut self, key: &str, s: &str, span: Span) -> Option<String> {
        if s.trim().is_empty() {
            self.error(span, format!("\"{key}\" must not be empty"));
            return None;
        }
        let chars = s.chars().count();
        if chars > MAX_TEXT_CHARS {
            self.error(
                span,
                format!(
                    "\"{key}\" is {chars} characters long; a text may have at most {MAX_TEXT_CHARS}"
                ),
            );
            return None;
        }
        if ONE_LINE.contains(&key)
            && let Some(c) = s.chars().find(|c| matches!(c, '\n' | '\r'))
        {
            self.error(
                span,
                format!(
                    "\"{key}\" contains a line break ({}); a {key} is shown on one line, so it must be one line of text",
                    if c == '\n' { "\\n" } else { "\\r" }
                ),
            );
            return None;
        }
        if let Some(c) = s
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            self.error(
                span,
                format!(
                    "\"{key}\" contains the control character U+{:04X}; only printable text can be spoken",
                    c as u32
                ),
            );
            return None;
        }
        Some(s.to_string())
    }

    pub fn int(&mut self, e: &Entry<'_, '_>, lo: u32, hi: u32) -> Option<u32> {
        let key = e.key;
        match e.value.get_ref() {
            DeValue::Integer(i) => {
                let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
                let n = i64::from_str_radix(&digits, i.radix()).ok();
                match n {
                    Some(n) if n >= lo as i64 && n <= hi as i64 => Some(n as u32),
                    _ => {
                        self.error(
                            e.span(),
                            format!("\"{key}\" must be from {lo} to {hi}, found {i}"),
                        );
                        None
                    }
                }
            }
            other => {
                self.error(
                    e.span(),
                    format!(
                        "\"{key}\" must be a whole number from {lo} to {hi}, found {}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    pub fn boolean(&mut self, e: &Entry<'_, '_>) -> Option<bool> {
        match e.value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.error(
                    e.span(),
                    format!(
                        "\"{}\" must be true or false, found {}",
                        e.key,
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    /// A duration; `zero_ok` for the keys that take "duration or 0".
    pub fn duration(&mut self, e: &Entry<'_, '_>, zero_ok: bool) -> Option<Dur> {
        let key = e.key;
        let parsed = match e.value.get_ref() {
            DeValue::String(s) => parse_duration(s).map_err(|err| (err, format!("\"{s}\""))),
            DeValue::Integer(i) => {
                let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
                match i64::from_str_radix(&digits, i.radix()) {
                    Ok(n) if n < 0 => {
                        self.error(
                            e.span(),
                            format!("\"{key}\" must not be negative, found {i}"),
                        );
                        return None;
                    }
                    Ok(n) => seconds_to_dur(n as f64).map_err(|err| (err, i.to_string())),
                    Err(_) => Err((DurError::TooLong, i.to_string())),
                }
            }
            DeValue::Float(f) => {
                let text: String = f.as_str().chars().filter(|c| *c != '_').collect();
                let value: f64 = text.parse().unwrap_or(f64::NAN);
                if value < 0.0 {
                    self.error(
                        e.span(),
                        format!("\"{key}\" must not be negative, found {f}"),
                    );
                    return None;
                }
                seconds_to_dur(value).map_err(|err| (err, f.to_string()))
            }
            other => {
                self.error(
                    e.span(),
                    format!(
                        "\"{key}\" must be a duration like \"30s\" or a number of seconds, found {}",
                        kind_name(other)
                    ),
                );
                return None;
            }
        };
        match parsed {
            Ok(d) if d.is_zero() && !zero_ok => {
                self.error(e.span(), format!("\"{key}\" must be longer than 0"));
                None
            }
            Ok(d) => Some(d),
            Err((err, shown)) => {
                let message = match err {
                    DurError::Syntax => format!(
                        "\"{key}\": {shown} is not a duration; write it like \"30s\", \"1m30s\", \"30 seconds\", \"500ms\" or \"1:30\""
                    ),
                    DurError::NoUnit => format!(
                        "\"{key}\": {shown} has no unit; write seconds as \"30s\" or as a plain number, 30"
                    ),
                    DurError::Order => format!(
                        "\"{key}\": {shown} has its units out of order or repeated; write the largest first, like \"1m30s\""
                    ),
                    DurError::TooLong => {
                        format!("\"{key}\" must be at most 24h, found {shown}")
                    }
                    DurError::UnknownUnit(unit) => format!(
                        "\"{key}\": {shown} has the unit \"{}\", which is none coach knows; the units are {}, as in \"1m30s\", \"30 seconds\" or \"1:30\"",
                        crate::guard::text::shown_short(&unit, 20),
                        crate::source::duration::KNOWN_UNITS
                    ),
                };
                self.error(e.span(), message);
                None
            }
        }
    }
}
