//! Writing the session log while a session plays: [`Journal`] appends
//! lines from its own thread, syncing each to disk, so a slow SD card never
//! delays a key press. What the lines say is the tracker's business
//! (`tracker.rs`).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

use super::Line;
use super::calendar::now_ms;

/// The log being written, or nothing (`--no-log`, or it cannot be opened).
pub struct Journal {
    session: String,
    tx: Option<Sender<String>>,
    thread: Option<JoinHandle<()>>,
}

impl Journal {
    /// A journal that writes nothing.
    pub fn off() -> Journal {
        Journal {
            session: String::new(),
            tx: None,
            thread: None,
        }
    }

    /// Opens `path` for appending, creating it and its folder. A file whose
    /// last line was torn (a power cut mid-write) gets a line end first, so
    /// the next line starts clean.
    pub fn open(path: &Path) -> std::io::Result<Journal> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        if !file.metadata()?.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        if file.metadata()?.len() > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::End(-1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
            }
        }
        let (tx, rx) = channel::<String>();
        let path: PathBuf = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("session-log".into())
            .spawn(move || write_lines(file, &path, rx))?;
        Ok(Journal {
            session: format!("{:x}-{}", now_ms(), std::process::id()),
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// This session's id in the log.
    pub fn session(&self) -> &str {
        &self.session
    }

    pub fn is_on(&self) -> bool {
        self.tx.is_some()
    }

    /// Queues `line`, stamped with the time and the session id.
    pub fn write(&self, line: Line<'_>) {
        let Some(tx) = &self.tx else { return };
        let line = Line {
            t: now_ms(),
            session: self.session.as_str().into(),
            ..line
        };
        if let Ok(mut text) = serde_json::to_string(&line) {
            text.push('\n');
            let _ = tx.send(text);
        }
    }

    /// Writes what is queued and stops the writer.
    pub fn close(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.close();
    }
}

/// The writer thread: each line in one write, then synced. A failure is
/// reported once and the session goes on without its log.
fn write_lines(mut file: File, path: &Path, rx: std::sync::mpsc::Receiver<String>) {
    for line in rx {
        let result = file
            .write_all(line.as_bytes())
            .and_then(|_| file.sync_data());
        if let Err(e) = result {
            crate::guard::out::line(&format!(
                "warning: cannot write the session log {}: {e}; this session goes unlogged",
                path.display()
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_that_cannot_be_opened_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Journal::open(dir.path()).is_err(), "a folder");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        assert!(Journal::open(&blocker.join("sessions.jsonl")).is_err());
        let off = Journal::off();
        assert!(!off.is_on());
        off.write(Line::default());
    }
}
