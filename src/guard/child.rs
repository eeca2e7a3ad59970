//! Running another program (espeak-ng, a command voice): in a process
//! group of its own, so that whatever it starts is stopped with it; with a
//! deadline on every wait, so that nothing it does can hang coach; and with
//! its output bounded, so that a program that never stops writing cannot
//! exhaust memory.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most of a program's stderr that is kept (the rest is read and
/// dropped, so the program never waits on a full pipe).
const STDERR_KEPT: usize = 64 << 10;

/// How long the output pipes may stay open after the program has ended
/// and its group has been stopped: only a process that left the group
/// (a daemon) can still hold them.
const DRAIN: Duration = Duration::from_secs(1);

/// What a program that finished gave.
#[derive(Debug)]
pub struct Ran {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    /// The first 64 KiB of its stderr.
    pub stderr: Vec<u8>,
}

/// Why a program gave nothing usable.
#[derive(Debug)]
pub enum Failure {
    /// It could not be started.
    Start(std::io::Error),
    /// It ran past its deadline and was stopped, with its group.
    TimedOut,
    /// It wrote more than this many bytes to stdout and was stopped.
    TooMuch(usize),
    /// It ended, but a process it started outside its group still holds
    /// its output open.
    Held,
    /// Waiting for it failed.
    Wait(std::io::Error),
}

/// Runs `command` with `input` on its stdin (none: stdin is /dev/null),
/// keeping at most `limit` bytes of its stdout, and stopping it and every
/// process of its group once `deadline` has passed. Whatever happens, no
/// process of its group is left running when this returns.
pub fn run(
    command: &mut Command,
    input: Option<&[u8]>,
    limit: usize,
    deadline: Duration,
) -> Result<Ran, Failure> {
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(Failure::Start)?;
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    if let (Some(mut stdin), Some(input)) = (child.stdin.take(), input) {
        let input = input.to_vec();
        // A program that exits without reading makes this fail with EPIPE
        // (Rust ignores SIGPIPE); that is the program's business.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let too_much = Arc::new(AtomicBool::new(false));
    let out = {
        let stdout = child.stdout.take().expect("piped");
        let too_much = too_much.clone();
        reader(stdout, limit, move || {
            too_much.store(true, Ordering::Relaxed)
        })
    };
    let err = reader(child.stderr.take().expect("piped"), STDERR_KEPT, || {});

    let stop = |child: &mut std::process::Child| {
        kill_group(pid);
        let _ = child.wait();
    };
    loop {
        if too_much.load(Ordering::Relaxed) {
            stop(&mut child);
            return Err(Failure::TooMuch(limit));
        }
        if exited(pid) {
            break;
        }
        if started.elapsed() > deadline {
            stop(&mut child);
            return Err(Failure::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    // It has ended but is not reaped yet, so its group id cannot have been
    // reused: stop whatever it left running, then reap it.
    kill_group(pid);
    let status = child.wait().map_err(Failure::Wait)?;
    let stdout = out.recv_timeout(DRAIN).map_err(|_| Failure::Held)?;
    if too_much.load(Ordering::Relaxed) {
        return Err(Failure::TooMuch(limit));
    }
    let stderr = err.recv_timeout(DRAIN).unwrap_or_default();
    Ok(Ran {
        status,
        stdout,
        stderr,
    })
}

/// Reads `from` to its end on a thread of its own, keeping the first
/// `keep` bytes; `over` is called once more than that arrived (and reading
/// goes on, dropping what comes, only if `over` does nothing to stop it).
fn reader(
    mut from: impl Read + Send + 'static,
    keep: usize,
    over: impl FnOnce() + Send + 'static,
) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = vec![0u8; 64 << 10];
        let mut over = Some(over);
        loop {
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = keep.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    if n > room
                        && let Some(over) = over.take()
                    {
                        over();
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send(kept);
    });
    rx
}

/// Whether process `pid` (our child) has ended, without reaping it.
pub(crate) fn exited(pid: libc::pid_t) -> bool {
    // SAFETY: waitid fills in a zeroed siginfo_t; WNOWAIT leaves the child
    // to be reaped by `Child::wait`.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let r = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        r == 0 && info.si_pid() != 0
    }
}

/// SIGKILL to every process of the group `pid` leads.
pub(crate) fn kill_group(pid: libc::pid_t) {
    // SAFETY: a plain system call; the group is our child's own.
    unsafe {
        libc::killpg(pid, libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    /// Whether `pid` runs (a zombie does not).
    fn alive(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            s.rsplit(')')
                .next()
                .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
        })
    }

    #[test]
    fn output_input_and_status_come_back() {
        let ran = run(
            &mut sh("cat; echo oops >&2; exit 3"),
            Some(b"hi"),
            10,
            Duration::from_secs(20),
        )
        .unwrap();
        assert_eq!(ran.stdout, b"hi");
        assert_eq!(ran.stderr, b"oops\n");
        assert_eq!(ran.status.code(), Some(3));
    }

    #[test]
    fn endless_output_is_cut_at_the_limit() {
        let started = Instant::now();
        let r = run(
            &mut Command::new("yes"),
            None,
            1 << 20,
            Duration::from_secs(20),
        );
        assert!(matches!(r, Err(Failure::TooMuch(_))), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_deadline_stops_the_program_and_what_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let script = format!("sleep 300 & echo $! > {}; wait", pidfile.display());
        let started = Instant::now();
        let r = run(&mut sh(&script), None, 100, Duration::from_millis(500));
        assert!(matches!(r, Err(Failure::TimedOut)), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let grandchild: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert!(!alive(grandchild), "the background child was stopped");
    }

    #[test]
    fn a_background_child_holding_the_output_does_not_hang() {
        let started = Instant::now();
        let r = run(
            &mut sh("echo hi; sleep 300 &"),
            None,
            100,
            Duration::from_secs(20),
        )
        .unwrap();
        assert_eq!(r.stdout, b"hi\n");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }
}
