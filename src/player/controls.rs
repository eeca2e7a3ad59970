//! Eyes-free controls: single keys on a terminal, and signals for headless
//! use (a Pi started over SSH or by systemd). Both arrive as [`Control`]s
//! on one channel; the remotes (`crate::remote`: the control socket,
//! MPRIS, input devices, a GPIO button) are more senders on it, their
//! controls wrapped in [`Control::Remote`].

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP, SIGUSR1, SIGUSR2};

/// What the listener asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Control {
    /// Space or SIGUSR1.
    TogglePause,
    /// Pause if playing; nothing if paused.
    Pause,
    /// Resume if paused; nothing if playing.
    Resume,
    /// `n` or SIGUSR2: the next exercise.
    Next,
    /// `b`: the start of this exercise, or of the one before.
    Back,
    /// `r`: this period again.
    Repeat,
    /// `s` (or `i`): say where the session is and how long is left.
    Status,
    /// `?` (or `h`): show the keys.
    Keys,
    /// Nothing to do: a remote asking where the session is.
    Query,
    /// `q`.
    Quit,
    /// SIGINT, SIGTERM or SIGHUP: stop now.
    Signal(i32),
    /// SIGTSTP (Ctrl-Z): pause, then stop the process until continued.
    Suspend,
    /// SIGCONT: the process runs again after a stop (`fg`, `kill -CONT`,
    /// a machine woken from sleep).
    Continue,
    /// A control from a remote (`coach ctl`, a media key, an input
    /// device, a GPIO button): applied as its key is, then confirmed
    /// aloud when it has no sound of its own, and answered on `reply`.
    Remote(Box<Control>, Option<Reply>),
}

/// Where a remote control's answer goes: the session's state after it,
/// as [`crate::player::Snapshot`] JSON, and what it did.
#[derive(Clone, Debug)]
pub struct Reply(pub std::sync::mpsc::SyncSender<String>);

/// Replies are where answers go, not part of what is asked: any two are
/// equal, so controls compare by what they ask.
impl PartialEq for Reply {
    fn eq(&self, _: &Reply) -> bool {
        true
    }
}

impl Eq for Reply {}

impl Control {
    /// A remote's command word (`coach ctl WORD`, the input key map's
    /// values): its control.
    pub fn from_word(word: &str) -> Option<Control> {
        Some(match word {
            "toggle" => Control::TogglePause,
            "pause" => Control::Pause,
            "resume" => Control::Resume,
            "next" => Control::Next,
            "back" => Control::Back,
            "repeat" => Control::Repeat,
            "say-status" => Control::Status,
            "status" => Control::Query,
            "stop" => Control::Quit,
            _ => return None,
        })
    }
}

/// The command words a remote takes, as `coach ctl` lists them.
pub const WORDS: &[&str] = crate::config::keys::REMOTE_WORDS;

/// The key that gives each command, for the help line.
pub const KEYS: &str =
    "space/p pause/resume · n/→ next · b/← back · r repeat · s where am I · ? keys · q quit";

/// The session is being prepared (its clips made): nothing reads the
/// controls yet, so a stop ends the process at once.
static PREPARING: AtomicBool = AtomicBool::new(false);

/// `--quiet`: a stop while preparing says nothing either.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Marks the preparation of a session: while it lasts, `q`, SIGINT,
/// SIGTERM and SIGHUP end the process at once (nothing has been logged or
/// played that needs ending), with the exit status they would give.
pub fn preparing(on: bool, quiet: bool) {
    QUIET.store(quiet, Ordering::SeqCst);
    PREPARING.store(on, Ordering::SeqCst);
}

/// Ends the process if `control` is a stop that came while preparing.
fn stop_if_preparing(control: &Control) {
    if !PREPARING.load(Ordering::SeqCst) {
        return;
    }
    let code = match control {
        Control::Quit => 3,
        Control::Signal(s) => 128 + s,
        _ => return,
    };
    if let Ok(t) = TERMINAL.lock()
        && let Some((saved, _)) = &*t
    {
        // SAFETY: restores the settings read when key mode began.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
        }
    }
    if !QUIET.load(Ordering::SeqCst) {
        crate::guard::out::line("Stopped while preparing the session.");
    }
    crate::guard::temp::remove_open();
    std::process::exit(code);
}

/// Sends a control for each signal coach handles, for the rest of the run.
pub fn watch_signals(tx: Sender<Control>) -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([
        SIGUSR1, SIGUSR2, SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT,
    ])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            let control = match signal {
                SIGUSR1 => Control::TogglePause,
                SIGUSR2 => Control::Next,
                SIGTSTP => Control::Suspend,
                SIGCONT => Control::Continue,
                other => Control::Signal(other),
            };
            stop_if_preparing(&control);
            if tx.send(control).is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// The control a key gives, if any; caps lock changes nothing.
pub fn key(byte: u8) -> Option<Control> {
    Some(match byte.to_ascii_lowercase() {
        b' ' | b'p' => Control::TogglePause,
        b'n' => Control::Next,
        b'b' => Control::Back,
        b'r' => Control::Repeat,
        b's' | b'i' => Control::Status,
        b'?' | b'h' => Control::Keys,
        b'q' => Control::Quit,
        _ => return None,
    })
}

/// The control an escape sequence's final byte gives: the right and left
/// arrows (`ESC [ C`, `ESC [ D`, or `ESC O C` in application mode).
fn arrow(last: u8) -> Option<Control> {
    match last {
        b'C' => Some(Control::Next),
        b'D' => Some(Control::Back),
        _ => None,
    }
}

/// Sends a control for each control key read from `input`, until it ends.
/// Escape sequences (arrows, function keys) are read whole, so none of
/// their bytes is taken for a key of its own.
pub fn watch_keys(mut input: impl Read + Send + 'static, tx: Sender<Control>) {
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        let mut next = move || match input.read(&mut byte) {
            Ok(1) => Some(byte[0]),
            _ => None,
        };
        while let Some(b) = next() {
            let control = if b == 0x1b {
                match next() {
                    Some(b'[' | b'O') => {
                        // Parameters, then the final byte.
                        let mut last = next();
                        while let Some(0x20..=0x3f) = last {
                            last = next();
                        }
                        match last {
                            Some(l) => arrow(l),
                            None => break,
                        }
                    }
                    Some(other) => key(other),
                    None => break,
                }
            } else {
                key(b)
            };
            let Some(control) = control else {
                continue;
            };
            stop_if_preparing(&control);
            if tx.send(control).is_err() {
                break;
            }
        }
    });
}

/// Every control a session takes: signals always, and keys from the
/// terminal if `keys` and stdin is a terminal this process has in the
/// foreground (then the terminal is in key mode until the [`KeyMode`] is
/// dropped).
/// The sender is for the remotes.
pub fn listen(keys: bool) -> std::io::Result<Listening> {
    let (tx, controls) = channel();
    watch_signals(tx.clone())?;
    let mode = if keys { KeyMode::enter() } else { None };
    if mode.is_some() {
        watch_keys(std::io::stdin(), tx.clone());
    }
    Ok(Listening {
        controls,
        sender: tx,
        keys: mode,
    })
}

/// The control channel of a session, as [`listen`] opened it.
pub struct Listening {
    pub controls: Receiver<Control>,
    /// One more sender on it, for the remotes.
    pub sender: Sender<Control>,
    /// The terminal in key mode, while it is.
    pub keys: Option<KeyMode>,
}

/// The terminal's own settings and key mode's, while key mode is on, for
/// [`stop_process`].
static TERMINAL: Mutex<Option<(libc::termios, libc::termios)>> = Mutex::new(None);

/// Stops the process as Ctrl-Z would have, once coach has paused: the
/// terminal gets its own settings back while the shell has it, and key
/// mode again when the process continues in the foreground.
pub fn stop_process() {
    let modes = TERMINAL.lock().ok().and_then(|t| *t);
    // SAFETY: tcsetattr is given settings read by tcgetattr; raise stops
    // this process until SIGCONT.
    unsafe {
        if let Some((saved, _)) = &modes {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
        }
        libc::raise(libc::SIGSTOP);
        // In the foreground again (`fg`), or on a terminal that is not
        // the controlling one (-1), which never stops us; not after `bg`.
        let foreground = libc::tcgetpgrp(libc::STDIN_FILENO);
        if let Some((_, keys)) = &modes
            && (foreground == -1 || foreground == libc::getpgrp())
        {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, keys);
        }
    }
}

/// The terminal set to deliver single key presses without echo, restored
/// when dropped, which every exit path does, panics included. Ctrl-C still
/// sends SIGINT, which stops the session cleanly, and Ctrl-Z SIGTSTP,
/// which pauses it first.
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
            if let Ok(mut t) = TERMINAL.lock() {
                *t = Some((saved, keys));
            }
            Some(KeyMode { saved })
        }
    }
}

impl Drop for KeyMode {
    fn drop(&mut self) {
        if let Ok(mut t) = TERMINAL.lock() {
            *t = None;
        }
        // SAFETY: restores the settings read in `enter`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_controls_and_other_bytes_are_ignored() {
        let (tx, rx) = channel();
        watch_keys(
            &b"xn q\x1b[Ab\x1b[C\x1b[D\x1b[1;5BN?\x1bOC\x1b[15~Q"[..],
            tx,
        );
        let got: Vec<Control> = rx.iter().collect();
        assert_eq!(
            got,
            [
                Control::Next,
                Control::TogglePause,
                Control::Quit,
                Control::Back,
                // The arrows; ctrl-down and F5 are nothing, not "b" or "~".
                Control::Next,
                Control::Back,
                Control::Next,
                Control::Keys,
                Control::Next,
                Control::Quit,
            ]
        );
    }
}
