//! Located diagnostics: what is wrong with a routine file and where, printed
//! as `file:line:col: error: message` with the offending line underneath.

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

/// A byte range in a routine's text.
pub type Span = Range<usize>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about a routine file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    pub message: String,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
        }
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
        }
    }
}

/// The text of a routine and the name to show for it in messages.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// A path as the user gave it, or `name (built in)` for bundled routines.
    pub name: String,
    pub text: String,
    /// Where each line starts, found once, when the first diagnostic is
    /// located: a file with a flood of errors costs one pass, not one per
    /// error.
    lines: OnceLock<Vec<usize>>,
}

/// How many diagnostics of one file are shown; the rest are counted.
pub const MAX_SHOWN: usize = 100;

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            lines: OnceLock::new(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let text = self.text.as_str();
        let lines = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = floor_boundary(text, offset);
        let line = lines.partition_point(|&start| start <= offset);
        let col = text[lines[line - 1]..offset].chars().count() + 1;
        (line, col)
    }

    /// The diagnostic as one `file:line:col: severity: message` line.
    pub fn headline(&self, d: &Diagnostic) -> String {
        let (line, col) = self.line_col(d.span.start);
        let label = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // A message can quote the routine's own text.
        format!(
            "{}:{line}:{col}: {label}: {}",
            crate::guard::shown(&self.name),
            crate::guard::shown(&d.message)
        )
    }

    /// The headline followed by the source line and a caret under the span.
    pub fn render(&self, d: &Diagnostic) -> String {
        let mut out = self.headline(d);
        if let Some(snippet) = self.snippet(&d.span) {
            out.push('\n');
            out.push_str(&snippet);
        }
        out
    }

    fn snippet(&self, span: &Span) -> Option<String> {
        let text = self.text.as_str();
        let start = floor_boundary(text, span.start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[line_start..line_end].trim_end_matches('\r');
        if line.trim().is_empty() || line.chars().count() > 200 {
            return None;
        }
        let (number, col) = self.line_col(start);
        let width = number.to_string().len();
        let visible_end = line_start + line.len();
        let from = start.min(visible_end);
        let to = floor_boundary(text, span.end.clamp(from, visible_end));
        let marks = text[from..to].chars().count().max(1);
        let display: String = line
            .chars()
            .map(|c| if crate::guard::text::acts(c) { ' ' } else { c })
            .collect();
        Some(format!(
            "{:width$} |\n{number} | {display}\n{:width$} | {}{}",
            "",
            "",
            " ".repeat(col - 1),
            "^".repeat(marks),
        ))
    }
}

/// The largest char boundary at or before `offset`.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// 1-based line and character column of `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Every diagnostic of one file, errors and warnings, in file order.
#[derive(Debug)]
pub struct Report {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

impl fmt::Display for Report {
    /// The first [`MAX_SHOWN`] diagnostics, then how many more there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.diagnostics.iter().take(MAX_SHOWN) {
            writeln!(f, "{}", self.source.render(d))?;
        }
        let rest = &self.diagnostics[self.diagnostics.len().min(MAX_SHOWN)..];
        if !rest.is_empty() {
            let errors = rest
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = rest.len() - errors;
            let mut parts = Vec::new();
            for (n, what) in [(errors, "error"), (warnings, "warning")] {
                if n > 0 {
                    parts.push(format!("{n} {what}{}", if n == 1 { "" } else { "s" }));
                }
            }
            writeln!(
                f,
                "{}: and {} more not shown ({})",
                self.source.name,
                rest.len(),
                parts.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a
/// likely typo ("did you mean ...?").
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(word.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance counting an adjacent swap as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX / 2;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\r\nbé = \"x\"\n\nlast";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (1, 5));
        assert_eq!(line_col(text, 7), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(line_col(text, 10), (2, 3));
        assert_eq!(line_col(text, text.len()), (4, 5));
        assert_eq!(line_col(text, 9999), (4, 5));
        let source = SourceFile::new("t.toml", text);
        for offset in 0..text.len() + 3 {
            assert_eq!(
                source.line_col(offset),
                line_col(text, offset),
                "at {offset}"
            );
        }
    }

    #[test]
    fn a_flood_of_errors_shows_the_first_hundred_and_counts_the_rest() {
        let text = "x = 1\n".repeat(300);
        let source = SourceFile::new("f.toml", text);
        let mut diagnostics: Vec<Diagnostic> = (0..250)
            .map(|i| Diagnostic::error(i * 6..i * 6 + 1, "bad"))
            .collect();
        diagnostics.push(Diagnostic::warning(0..1, "odd"));
        let shown = Report {
            source,
            diagnostics,
        }
        .to_string();
        assert_eq!(shown.matches(": error: bad").count(), MAX_SHOWN);
        assert!(shown.contains("f.toml:100:1: error: bad"), "{shown}");
        assert!(!shown.contains("f.toml:101:1: error"), "{shown}");
        assert!(
            shown.ends_with("f.toml: and 151 more not shown (150 errors, 1 warning)\n"),
            "{shown}"
        );
    }

    #[test]
    fn suggestions_catch_typos_only() {
        let keys = ["hold", "reps", "rest", "rep_time", "count_every"];
        assert_eq!(suggest("hodl", keys), Some("hold"));
        assert_eq!(suggest("rep", keys), Some("reps"));
        assert_eq!(suggest("Hold", keys), Some("hold"));
        assert_eq!(suggest("count-every", keys), Some("count_every"));
        assert_eq!(suggest("banana", keys), None);
    }

    #[test]
    fn renders_headline_and_caret() {
        let source = SourceFile::new("r.toml", "title = \"x\"\nhodl = \"30s\"\n");
        let d = Diagnostic::error(12..16, "unknown key \"hodl\"");
        assert_eq!(
            source.render(&d),
            "r.toml:2:1: error: unknown key \"hodl\"\n  |\n2 | hodl = \"30s\"\n  | ^^^^"
        );
        // A span at a line's end, on a CRLF, or past the text still renders.
        let crlf = SourceFile::new("c.toml", "a = [\r\nb");
        assert!(
            crlf.render(&Diagnostic::error(5..9, "x"))
                .starts_with("c.toml:1:6: error: x")
        );
        assert!(
            crlf.render(&Diagnostic::error(50..60, "x"))
                .starts_with("c.toml:2:2: error: x")
        );
    }
}
