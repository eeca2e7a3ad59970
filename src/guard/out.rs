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
    write(std::io::stdout().lock(), &super::text::shown_lines(text))
}

/// Writes `text` to stdout as it is: data for a program (JSON, a schema),
/// whose own escaping keeps it safe.
pub fn stdout_raw(text: &str) -> bool {
    write(std::io::stdout().lock(), text)
}

/// Writes `text` to stderr as [`stdout`] does.
pub fn stderr(text: &str) -> bool {
    write(std::io::stderr().lock(), &super::text::shown_lines(text))
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
