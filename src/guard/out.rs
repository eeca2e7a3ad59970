//! Every write coach makes to stdout and stderr goes through here, so a
//! routine's or a log's text can never drive the terminal (see
//! [`super::text`]).
//!
//! A write that fails (the pipe was closed: `coach play x | head -1`, `less`
//! quit; the terminal hung up; `2>/dev/full`) means the user cannot read
//! any more. That is no reason to panic, as `println!` would: the write is
//! dropped, the first failure is remembered, and [`gone`] tells the command
//! (a session stops cleanly and logs its end) and `main` (the exit status:
//! 141 for a closed pipe, as if SIGPIPE had ended the process, else 1).

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicU8, Ordering};

/// The exit status the first failed write asks for; 0 while none failed.
static GONE: AtomicU8 = AtomicU8::new(0);

/// The exit status of a process whose reader closed the pipe: 128 + SIGPIPE.
pub const CLOSED_PIPE: u8 = 141;

/// Why the user can no longer be written to, as the exit status to end
/// with; `None` while every write has reached them.
pub fn gone() -> Option<u8> {
    match GONE.load(Ordering::Relaxed) {
        0 => None,
        code => Some(code),
    }
}

fn failed(e: &std::io::Error) {
    let code = if e.kind() == ErrorKind::BrokenPipe {
        CLOSED_PIPE
    } else {
        1
    };
    let _ = GONE.compare_exchange(0, code, Ordering::Relaxed, Ordering::Relaxed);
}

fn write(mut to: impl Write, text: &str) -> bool {
    if gone().is_some() {
        return false;
    }
    match to.write_all(text.as_bytes()).and_then(|()| to.flush()) {
        Ok(()) => true,
        Err(e) => {
            failed(&e);
            false
        }
    }
}

/// Writes `text` to stdout, every character that would act on a terminal
/// but line breaks and tabs made visible ([`super::text::shown_lines`]);
/// false if it could not be written (see [`gone`]).
pub fn stdout(text: &str) -> bool {
    let out = std::io::stdout();
    let text = super::text::shown_lines(text);
    let text = if colours(&out) { labelled(&text) } else { text };
    write(out.lock(), &text)
}

/// Writes `text` to stdout as it is: data for a program (JSON, a schema),
/// whose own escaping keeps it safe.
pub fn stdout_raw(text: &str) -> bool {
    write(std::io::stdout().lock(), text)
}

/// Writes `text` to stderr as [`stdout`] does.
pub fn stderr(text: &str) -> bool {
    let err = std::io::stderr();
    let text = super::text::shown_lines(text);
    let text = if colours(&err) { labelled(&text) } else { text };
    write(err.lock(), &text)
}

/// Whether what goes to `stream` is coloured: on a terminal, unless
/// NO_COLOR or TERM=dumb says not (anstream decides, as for clap's own).
fn colours(stream: &impl anstream::stream::RawStream) -> bool {
    !matches!(
        anstream::AutoStream::choice(stream),
        anstream::ColorChoice::Never
    )
}

/// `text` with each line's `error:` in bold red and `warning:` in bold
/// yellow, where a line starts with one, or with a place (`file:3:7: `)
/// and then one.
fn labelled(text: &str) -> std::borrow::Cow<'_, str> {
    use anstyle::{AnsiColor, Style};
    if !text.contains("error:") && !text.contains("warning:") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 32);
    for line in text.split_inclusive('\n') {
        let label = [("error:", AnsiColor::Red), ("warning:", AnsiColor::Yellow)]
            .into_iter()
            .find_map(|(label, colour)| {
                let at = line.find(label)?;
                let place = &line[..at];
                (place.is_empty() || (place.ends_with(": ") && !place.trim_end().contains(' ')))
                    .then_some((at, label, colour))
            });
        match label {
            Some((at, label, colour)) => {
                let style = Style::new().bold().fg_color(Some(colour.into()));
                out.push_str(&line[..at]);
                out.push_str(&format!(
                    "{}{label}{}",
                    style.render(),
                    style.render_reset()
                ));
                out.push_str(&line[at + label.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out.into()
}

/// Writes `line` and a newline to stderr.
pub fn line(line: &str) -> bool {
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    stderr(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from_raw_os_error(libc::ENOSPC))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn error_and_warning_labels_are_coloured_where_a_line_begins_with_them() {
        let red = |l: &str| format!("\x1b[1m\x1b[31m{l}\x1b[0m");
        let text = "error: no routine\nr.toml:3:7: error: bad\n  3 | x = 1\nsaid \"error: x\"\nwarning: moved\n";
        let got = labelled(text);
        assert_eq!(
            got,
            format!(
                "{} no routine\nr.toml:3:7: {} bad\n  3 | x = 1\nsaid \"error: x\"\n\x1b[1m\x1b[33mwarning:\x1b[0m moved\n",
                red("error:"),
                red("error:")
            )
        );
        assert_eq!(labelled("nothing to colour\n"), "nothing to colour\n");
    }

    #[test]
    fn a_failed_write_is_remembered_not_raised() {
        assert_eq!(gone(), None);
        assert!(write(Vec::new(), "fine"));
        assert!(!write(Full, "lost"));
        assert_eq!(gone(), Some(1));
        // The first failure decides; later ones do not change it.
        failed(&std::io::Error::from(ErrorKind::BrokenPipe));
        assert_eq!(gone(), Some(1));
        assert!(!write(Vec::new(), "not tried after"));
        GONE.store(0, Ordering::Relaxed);
        failed(&std::io::Error::from(ErrorKind::BrokenPipe));
        assert_eq!(gone(), Some(CLOSED_PIPE));
        GONE.store(0, Ordering::Relaxed);
    }
}
