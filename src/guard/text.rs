//! Text from a routine or a log, shown on a terminal.
//!
//! A title can hold anything TOML can: a carriage return that moves the
//! cursor back over the line, an escape sequence that clears the screen,
//! a right-to-left override that shows a line reversed. Every such text
//! goes through [`shown`] on its way to the terminal, which makes those
//! characters visible as escapes instead of obeying them.

use std::borrow::Cow;

/// Whether `c` would act on the terminal, or reorder the text around it,
/// instead of being shown.
pub fn acts(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Marks and embeddings, overrides and isolates of the
            // bidirectional algorithm, and the Unicode line separators.
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// `text` with every character that would act on the terminal written as
/// a visible escape (`\n`, `\u{1b}`, `\u{202e}`); anything else as is.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if acts(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` as [`shown`] gives it, but with its line breaks and tabs kept:
/// what coach itself writes to a terminal, several lines at once.
pub fn shown_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| acts(c) && !matches!(c, '\n' | '\t')) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for part in line.split('\t').map(shown).enumerate() {
            if part.0 > 0 {
                out.push('\t');
            }
            out.push_str(&part.1);
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of `text`, shown as [`shown`] does, with "…"
/// where it was cut.
pub fn shown_short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return shown(text).into_owned();
    }
    let head: String = text.chars().take(max).collect();
    format!("{}…", shown(&head))
}

/// The columns `text` takes on a terminal: wide characters take two.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` in at most `width` columns, with "…" where it was cut.
pub fn cut_to_width(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    if display_width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// The width of the terminal on `fd`, if it is one.
pub fn columns(fd: libc::c_int) -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills the winsize it is given.
    unsafe {
        let mut size: libc::winsize = std::mem::zeroed();
        (libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) == 0 && size.ws_col > 0)
            .then_some(size.ws_col as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_shown_not_obeyed() {
        assert!(matches!(shown("Cat-cow – 12 reps"), Cow::Borrowed(_)));
        assert_eq!(shown("a\rDELETE\n"), "a\\rDELETE\\n");
        assert_eq!(shown("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(shown("x\u{202e}yz"), "x\\u{202e}yz");
        assert_eq!(shown("\u{9b}\u{2066}é"), "\\u{9b}\\u{2066}é");
        assert_eq!(shown_lines("a\tb\nc\r\u{1b}\n"), "a\tb\nc\\r\\u{1b}\n");
        assert_eq!(shown_short("abcdef", 3), "abc…");
        assert_eq!(shown_short("a\nb", 3), "a\\nb");
        assert_eq!(cut_to_width("abcdef", 4), "abc…");
        assert_eq!(cut_to_width("abc", 4), "abc");
        assert_eq!(cut_to_width("日本語です", 5), "日本…");
    }
}
