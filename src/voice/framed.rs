//! coach's voice protocol, for a voice program that stays running for the
//! whole session: it loads once and makes every clip. One request per line
//! of JSON goes to its stdin; it answers on its stdout in frames, each a
//! 4-byte kind, a little-endian u32 length, then that many bytes:
//!
//! - `RDY ` once, when it is ready, with JSON `{"sample_rate": N}`;
//! - `PCM ` for each request: 16-bit little-endian mono samples at that
//!   rate;
//! - `ERR ` with a message in UTF-8, instead of either.
//!
//! The Piper voice's helper speaks it (`piper_helper.py`), and so may any
//! command voice (`persistent = true` in its config). The program runs in
//! a process group of its own, which goes with it.

use std::collections::VecDeque;
use std::io::{BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::MAX_VOICE_OUTPUT;
use crate::guard::child::{exited, kill_group};

/// What went wrong with a framed program.
#[derive(Debug)]
pub enum Trouble {
    /// It answered `ERR ` with this.
    Said(String),
    /// It wrote something that is not the protocol.
    Garbage(String),
    /// It answered, but not what was asked (a `PCM ` before `RDY `).
    OutOfTurn,
    /// No answer within the time allowed; it was stopped.
    TimedOut,
    /// It ended (crashed, or exited); with the last line it wrote to
    /// stderr, if it was kept.
    Ended(String),
    /// It no longer reads its stdin.
    Deaf(std::io::Error),
}

enum Frame {
    Ready(Vec<u8>),
    Pcm(Vec<u8>),
    Error(String),
    Garbage(String),
}

/// How much of the program's stderr is kept, from its end.
const STDERR_KEPT: usize = 4096;

/// A running framed program: dropped, it is killed with its group.
pub struct Framed {
    child: Child,
    stdin: ChildStdin,
    frames: Receiver<Frame>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    /// The rate its `RDY ` said, else the one it was started with.
    pub rate: u32,
}

impl Drop for Framed {
    fn drop(&mut self) {
        // The group first, while its leader is not reaped (so its id is
        // still the group's).
        kill_group(self.child.id() as libc::pid_t);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Framed {
    /// Starts `command` (its stdin, stdout and, if `keep_stderr`, stderr
    /// taken; else stderr goes nowhere) and waits up to `wait` for its
    /// `RDY `. `rate` is the rate assumed if `RDY ` names none.
    pub fn start(
        command: &mut Command,
        keep_stderr: bool,
        rate: u32,
        wait: Duration,
    ) -> Result<Result<Framed, Trouble>, std::io::Error> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if keep_stderr {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .process_group(0);
        let mut child = command.spawn()?;
        let frames = read_frames(child.stdout.take().expect("piped"));
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(err) = child.stderr.take() {
            keep_tail(err, stderr.clone());
        }
        let stdin = child.stdin.take().expect("piped");
        let mut framed = Framed {
            child,
            stdin,
            frames,
            stderr,
            rate,
        };
        let ready = match framed.frames.recv_timeout(wait) {
            Ok(Frame::Ready(info)) => {
                let info: serde_json::Value = serde_json::from_slice(&info).unwrap_or_default();
                if let Some(r) = info["sample_rate"].as_u64() {
                    framed.rate = r as u32;
                }
                Ok(())
            }
            Ok(Frame::Error(e)) => Err(Trouble::Said(e)),
            Ok(Frame::Garbage(e)) => Err(Trouble::Garbage(e)),
            Ok(Frame::Pcm(_)) => Err(Trouble::OutOfTurn),
            Err(RecvTimeoutError::Timeout) => Err(Trouble::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Err(Trouble::Ended(framed.last_words())),
        };
        Ok(ready.map(|()| framed))
    }

    /// Sends one request and waits up to `wait` for its samples.
    pub fn ask(
        &mut self,
        request: &serde_json::Value,
        wait: Duration,
    ) -> Result<Vec<i16>, Trouble> {
        self.stdin
            .write_all(format!("{request}\n").as_bytes())
            .and_then(|_| self.stdin.flush())
            .map_err(Trouble::Deaf)?;
        match self.frames.recv_timeout(wait) {
            Ok(Frame::Pcm(pcm)) => Ok(pcm
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect()),
            Ok(Frame::Error(e)) => Err(Trouble::Said(e)),
            Ok(Frame::Garbage(e)) => Err(Trouble::Garbage(e)),
            Ok(Frame::Ready(_)) => Err(Trouble::OutOfTurn),
            Err(RecvTimeoutError::Timeout) => Err(Trouble::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Err(Trouble::Ended(self.last_words())),
        }
    }

    /// The last line the program wrote to stderr that says something.
    fn last_words(&mut self) -> String {
        // Its stdout closed: it is ending. Give it, and the reader of its
        // stderr, a moment (never longer: it may go on without stdout).
        for _ in 0..25 {
            if exited(self.child.id() as libc::pid_t) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(20));
        let tail = self
            .stderr
            .lock()
            .map(|t| t.iter().copied().collect::<Vec<u8>>())
            .unwrap_or_default();
        String::from_utf8_lossy(&tail)
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_string()
    }
}

/// Keeps the last [`STDERR_KEPT`] bytes of `err` in `tail`.
fn keep_tail(err: impl Read + Send + 'static, tail: Arc<Mutex<VecDeque<u8>>>) {
    std::thread::spawn(move || {
        let mut err = err;
        let mut buf = [0u8; 1024];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                return;
            }
            if let Ok(mut t) = tail.lock() {
                t.extend(&buf[..n]);
                let over = t.len().saturating_sub(STDERR_KEPT);
                t.drain(..over);
            }
        }
    });
}

/// Reads frames from the program's stdout until it ends or breaks the
/// protocol.
fn read_frames(out: impl Read + Send + 'static) -> Receiver<Frame> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut out = BufReader::new(out);
        loop {
            let mut head = [0u8; 8];
            if out.read_exact(&mut head).is_err() {
                return;
            }
            let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
            let kind = &head[..4];
            if !matches!(kind, b"RDY " | b"PCM " | b"ERR ") {
                let _ = tx.send(Frame::Garbage(format!(
                    "it wrote {:?} where a frame should start",
                    String::from_utf8_lossy(kind)
                )));
                return;
            }
            if len > MAX_VOICE_OUTPUT {
                let _ = tx.send(Frame::Garbage(format!(
                    "it announced {len} bytes, more than a clip can be"
                )));
                return;
            }
            let mut body = vec![0u8; len];
            if out.read_exact(&mut body).is_err() {
                return;
            }
            let frame = match kind {
                b"RDY " => Frame::Ready(body),
                b"PCM " => Frame::Pcm(body),
                _ => Frame::Error(String::from_utf8_lossy(&body).into_owned()),
            };
            if tx.send(frame).is_err() {
                return;
            }
        }
    });
    rx
}
