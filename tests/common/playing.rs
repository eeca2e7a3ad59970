//! A `coach play` running under a test's PulseAudio server, with its
//! stderr lines on a channel.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::Env;
use super::pulse::Pulse;

/// A `coach play` running under `pulse`, with its stderr lines on a channel.
pub struct Playing {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Vec<String>,
}

impl Playing {
    pub fn start(env: &Env, pulse: &Pulse, args: &[&str]) -> Playing {
        Playing::start_with(env, pulse, args, Stdio::null())
    }

    /// With more environment variables.
    pub fn start_env(env: &Env, pulse: &Pulse, args: &[&str], vars: &[(&str, &str)]) -> Playing {
        Playing::start_full(env, pulse, args, Stdio::null(), vars, None)
    }

    pub fn start_with(env: &Env, pulse: &Pulse, args: &[&str], stdin: Stdio) -> Playing {
        Playing::start_full(env, pulse, args, stdin, &[], None)
    }

    /// In a session of its own whose controlling terminal is the
    /// pseudo-terminal `slave`, its stdin: as a shell runs a job.
    pub fn start_on_terminal(env: &Env, pulse: &Pulse, args: &[&str], slave: i32) -> Playing {
        // SAFETY: `slave` is an open fd; dup gives the child its own.
        let stdin = unsafe {
            Stdio::from(
                <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(libc::dup(slave)),
            )
        };
        Playing::start_full(env, pulse, args, stdin, &[], Some(()))
    }

    fn start_full(
        env: &Env,
        pulse: &Pulse,
        args: &[&str],
        stdin: Stdio,
        vars: &[(&str, &str)],
        controlling: Option<()>,
    ) -> Playing {
        let mut command = env.command();
        pulse.attach(&mut command);
        command.envs(vars.iter().copied());
        if controlling.is_some() {
            // SAFETY: setsid and ioctl are async-signal-safe; they run in
            // the child only, after stdin is the terminal.
            unsafe {
                std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                    if libc::setsid() == -1
                        || libc::ioctl(libc::STDIN_FILENO, libc::TIOCSCTTY, 0) == -1
                    {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = command
            .arg("play")
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Playing {
            child,
            lines,
            stderr: Vec::new(),
        }
    }

    /// Waits for a line of coach's output containing `text`.
    pub fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(100)) {
                let found = line.contains(text);
                self.stderr.push(line);
                if found {
                    return;
                }
            }
        }
        panic!("coach never said {text:?}; it said {:?}", self.stderr);
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY: sends a signal to our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }

    /// Waits for coach to exit (at most `limit`): its exit code and all it
    /// printed.
    pub fn finish(mut self, limit: Duration) -> (i32, String) {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "coach did not exit within {limit:?}; it said {:?}",
                    self.stderr
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100));
        while let Ok(line) = self.lines.try_recv() {
            self.stderr.push(line);
        }
        (status.code().unwrap_or(-1), self.stderr.join("\n"))
    }
}
