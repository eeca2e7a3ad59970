//! `coach serve`: waits, using no CPU, on a control socket of its own
//! (`serve.sock` in the control socket folder) and starts a session when
//! `coach ctl start ROUTINE` asks. Each session is a `coach play --quiet`
//! of its own, so it has its own control socket (every `coach ctl` command
//! works on it), writes the session log as any `play` does, and whatever
//! ends it (a lost device, a crash) leaves the service waiting for the
//! next. One session plays at a time.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

use super::{Exit, Run, shell_quote};
use crate::cli::Serve;
use crate::remote::socket;
use crate::routine::find::{self, Origin};

/// The session playing, if one is.
type Playing = Arc<Mutex<Option<Child>>>;

impl Run for Serve {
    fn run(&self) -> Result<Exit> {
        let dir = socket::folder()?;
        let path = socket::serve_path(&dir);
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            anyhow::bail!(
                "another coach serve listens on {} already (`systemctl --user status coach-serve` may say which)",
                path.display()
            );
        }
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)
            .with_context(|| format!("cannot listen on {}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot make {} owner-only", path.display()))?;
        let playing: Playing = Arc::new(Mutex::new(None));
        stop_on_signals(path.clone(), playing.clone());
        crate::guard::out::line(&format!(
            "coach serve: waiting on {} (`coach ctl start ROUTINE` starts a session)",
            path.display()
        ));
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(3)));
            let answer = match socket::peer_uid(&stream) {
                Some(uid) if uid == socket::my_uid() => match socket::read_request(&stream) {
                    Ok(request) => answer(&request, &playing),
                    Err(e) => socket::refusal(&e),
                },
                _ => socket::refusal("coach serve takes requests only from its own user"),
            };
            let _ = stream.write_all(format!("{answer}\n").as_bytes());
        }
        Ok(Exit::Success)
    }
}

/// The answer to one request: `start ROUTINE`.
fn answer(request: &str, playing: &Playing) -> String {
    let Some(routine) = request.strip_prefix("start ").map(str::trim) else {
        return socket::refusal(&format!(
            "unknown request \"{}\": coach serve takes start ROUTINE",
            crate::guard::text::shown_short(request, 40)
        ));
    };
    let Ok(mut slot) = playing.lock() else {
        return socket::refusal("coach serve is stopping");
    };
    if let Some(child) = slot.as_mut()
        && matches!(child.try_wait(), Ok(None))
    {
        return socket::refusal(&format!(
            "a session is playing already (pid {}): `coach ctl stop` ends it",
            child.id()
        ));
    }
    // Found here, so a wrong name is said to the one who asked.
    let found = match find::find(routine) {
        Ok(f) => f,
        Err(e) => return socket::refusal(&e.to_string()),
    };
    if found.origin == Origin::Stdin {
        return socket::refusal("coach serve has no stdin to read a routine from");
    }
    let name = super::routine_identity(&found).0;
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return socket::refusal(&format!("cannot tell where this coach is: {e}")),
    };
    let child = Command::new(exe)
        .args(["play", "--quiet", &name])
        .stdin(Stdio::null())
        .spawn();
    match child {
        Ok(child) => {
            let pid = child.id();
            *slot = Some(child);
            watch(playing.clone());
            serde_json::json!({
                "ok": true,
                "did": format!("started {} (pid {pid})", shell_quote(&found.name)),
                "pid": pid,
            })
            .to_string()
        }
        Err(e) => socket::refusal(&format!("cannot start a session: {e}")),
    }
}

/// Reaps the session when it ends, and says how it ended.
fn watch(playing: Playing) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(250));
            let Ok(mut slot) = playing.lock() else { return };
            let Some(child) = slot.as_mut() else { return };
            match child.try_wait() {
                Ok(None) => continue,
                Ok(Some(status)) => {
                    crate::guard::out::line(&format!(
                        "coach serve: the session (pid {}) ended: {status}",
                        child.id()
                    ));
                }
                Err(_) => {}
            }
            *slot = None;
            return;
        }
    });
}

/// On SIGTERM, SIGINT or SIGHUP: the session is stopped as a stop signal
/// stops it (logged as such), the socket removed, and the process ends.
fn stop_on_signals(path: std::path::PathBuf, playing: Playing) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            if let Ok(mut slot) = playing.lock()
                && let Some(child) = slot.as_mut()
            {
                // SAFETY: signals our own child.
                unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
                let _ = child.wait();
            }
            let _ = std::fs::remove_file(&path);
            std::process::exit(128 + signal);
        }
    });
}
