//! Files being written under a temporary name (a render, a cached clip):
//! each is removed on every way out that can run code. An error drops its
//! [`Temporary`]; a signal (SIGINT, SIGTERM, SIGHUP) reaches
//! [`remove_on_signals`], which removes every file still open and ends the
//! process as that signal would. Only SIGKILL and a power cut leave one,
//! and [`sweep`] removes those of processes no longer running.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary files of this process still being written.
static OPEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file: removed when dropped unless [`Temporary::keep`] was
/// called (after it was renamed into place).
pub struct Temporary {
    path: PathBuf,
    kept: bool,
}

impl Temporary {
    /// Registers `path`, about to be created.
    pub fn new(path: PathBuf) -> Temporary {
        if let Ok(mut open) = OPEN.lock() {
            open.push(path.clone());
        }
        Temporary { path, kept: false }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file has been renamed into place: nothing to remove.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Ok(mut open) = OPEN.lock() {
            open.retain(|p| p != &self.path);
        }
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// From now on, SIGINT, SIGTERM and SIGHUP remove every temporary file
/// still open and end the process with 128 + the signal. For commands that
/// do not handle these signals themselves (`render`, not `play`).
pub fn remove_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            remove_open();
            std::process::exit(128 + signal);
        }
    });
}

/// Removes every temporary file still open, for a process about to end
/// without unwinding.
pub fn remove_open() {
    if let Ok(open) = OPEN.lock() {
        for path in open.iter() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The temporary name of a file being written to `path` by this process:
/// `.NAME.partPID` beside it.
pub fn beside(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy();
    Some(path.with_file_name(format!(".{name}.part{}", std::process::id())))
}

/// Removes the temporary files beside `path` (as [`beside`] names them)
/// that processes no longer running left behind.
pub fn sweep(path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.part");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|p| p.parse::<i32>().ok())
            && !running(pid)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process `pid` is running.
pub fn running(pid: i32) -> bool {
    // SAFETY: signal 0 only asks whether the process exists.
    pid > 0
        && (unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_go_unless_kept_and_stale_ones_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("s.wav");
        let tmp = Temporary::new(beside(&out).unwrap());
        std::fs::write(tmp.path(), "x").unwrap();
        assert!(OPEN.lock().unwrap().contains(&tmp.path().to_path_buf()));
        let path = tmp.path().to_path_buf();
        drop(tmp);
        assert!(!path.exists());
        assert!(!OPEN.lock().unwrap().contains(&path));

        let kept = Temporary::new(dir.path().join("k"));
        std::fs::write(kept.path(), "x").unwrap();
        let path = kept.path().to_path_buf();
        kept.keep();
        assert!(path.exists());

        // A dead process's part file goes; a live one's stays.
        let dead = dir.path().join(".s.wav.part999999999");
        let live = beside(&out).unwrap();
        std::fs::write(&dead, "x").unwrap();
        std::fs::write(&live, "x").unwrap();
        sweep(&out);
        assert!(!dead.exists());
        assert!(live.exists());
    }
}
