//! Ending the process on time whatever a library does: a sound library
//! can block for ever tearing down a stream whose device has gone. Work
//! that could block like that runs under a [`Watchdog`]: if it has not
//! finished by the deadline, the process says why and exits anyway.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// Exits the process with its code unless dropped before its deadline.
pub struct Watchdog {
    done: Option<mpsc::Sender<()>>,
}

impl Watchdog {
    /// Arms a watchdog: unless it is dropped within `deadline`, `last_words`
    /// runs (it says what ended) and the process exits with `code`.
    pub fn arm(
        deadline: Duration,
        code: i32,
        last_words: impl FnOnce() + Send + 'static,
    ) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(deadline) {
                last_words();
                std::process::exit(code);
            }
        });
        Watchdog { done: Some(tx) }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
    }
}
