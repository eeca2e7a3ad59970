//! Eyes-free controls: single keys on a terminal, and signals for headless
//! use (a Pi started over SSH or by systemd). Both arrive as [`Command`]s
//! on one channel.

use std::io::Read;
use std::sync::mpsc::Sender;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2};

/// What the listener asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Space or SIGUSR1.
    TogglePause,
    /// `n` or SIGUSR2: the next exercise.
    Next,
    /// `b`: the start of this exercise, or of the one before.
    Back,
    /// `r`: this period again.
    Repeat,
    /// `q`.
    Quit,
    /// SIGINT, SIGTERM or SIGHUP: stop now.
    Signal(i32),
}

/// The key that gives each command, for the help line.
pub const KEYS: &str = "space pause/resume · n next · b back · r repeat · q quit";

/// Sends a command for each signal coach handles, for the rest of the run.
pub fn watch_signals(tx: Sender<Command>) -> std::io::Result<()> {
    let mut signals =
        signal_hook::iterator::Signals::new([SIGUSR1, SIGUSR2, SIGINT, SIGTERM, SIGHUP])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            let command = match signal {
                SIGUSR1 => Command::TogglePause,
                SIGUSR2 => Command::Next,
                other => Command::Signal(other),
            };
            if tx.send(command).is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// Sends a command for each control key read from stdin, for the rest of
/// the run. Call only with the terminal in [`KeyMode`].
pub fn watch_keys(tx: Sender<Command>) {
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin();
        let mut byte = [0u8; 1];
        while let Ok(1) = stdin.read(&mut byte) {
            let command = match byte[0] {
                b' ' | b'p' => Command::TogglePause,
                b'n' => Command::Next,
                b'b' => Command::Back,
                b'r' => Command::Repeat,
                b'q' | b'Q' => Command::Quit,
                _ => continue,
            };
            if tx.send(command).is_err() {
                break;
            }
        }
    });
}

/// The terminal set to deliver single key presses without echo, restored
/// when dropped, which every exit path does, panics included. Ctrl-C still
/// sends SIGINT, which stops the session cleanly.
pub struct KeyMode {
    saved: libc::termios,
}

impl KeyMode {
    /// Key mode on stdin, if stdin is a terminal this process has in the
    /// foreground. (Run in the background, `coach play ... &`, reading the
    /// terminal would stop the process; signals still control it.)
    pub fn enter() -> Option<KeyMode> {
        use std::io::IsTerminal;
        if !std::io::stdin().is_terminal() {
            return None;
        }
        // SAFETY: tcgetpgrp, getpgrp, tcgetattr and tcsetattr are given a
        // valid fd and a termios they own for the duration of the call.
        unsafe {
            // -1: not our controlling terminal, which never stops us.
            let foreground = libc::tcgetpgrp(libc::STDIN_FILENO);
            if foreground != -1 && foreground != libc::getpgrp() {
                return None;
            }
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut saved) != 0 {
                return None;
            }
            let mut keys = saved;
            keys.c_lflag &= !(libc::ICANON | libc::ECHO);
            keys.c_cc[libc::VMIN] = 1;
            keys.c_cc[libc::VTIME] = 0;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &keys) != 0 {
                return None;
            }
            Some(KeyMode { saved })
        }
    }
}

impl Drop for KeyMode {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `enter`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}
