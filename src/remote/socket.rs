//! The control socket: a running `play` listens on a Unix socket in the
//! user's runtime folder (`play-PID.sock`, owner-only), and `coach ctl`
//! talks to it. One request per connection: a command word and a newline;
//! one answer: a line of JSON, `{"ok", "did", "status"}` from the session,
//! or `{"ok": false, "error"}` for a request it did not take. Only the
//! socket's own user is answered.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Sender, sync_channel};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::player::controls::{Control, Reply, WORDS};

/// The longest request taken, in bytes.
const MAX_REQUEST: u64 = 256;
/// How long a client may take to send its request, and the session to
/// answer it.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The folder of control sockets, made owner-only if missing, and refused
/// if anyone else could reach into it.
pub fn folder() -> Result<PathBuf> {
    let dir = crate::paths::runtime_dir();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("cannot make the control socket folder {}", dir.display()))?;
    check_folder(&dir)?;
    Ok(dir)
}

/// `dir` is a real folder of ours that nobody else can write to or read.
fn check_folder(dir: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(dir)
        .with_context(|| format!("cannot read the control socket folder {}", dir.display()))?;
    if !meta.is_dir() {
        bail!(
            "{} is not a folder: coach keeps its control sockets there (remove it)",
            dir.display()
        );
    }
    if meta.uid() != my_uid() {
        bail!(
            "the control socket folder {} belongs to another user (uid {}): coach uses only a folder of your own (set XDG_RUNTIME_DIR)",
            dir.display(),
            meta.uid()
        );
    }
    if meta.mode() & 0o077 != 0 {
        bail!(
            "the control socket folder {} can be reached by other users (mode {:o}): `chmod 700 {}`",
            dir.display(),
            meta.mode() & 0o777,
            dir.display()
        );
    }
    Ok(())
}

pub(crate) fn my_uid() -> u32 {
    // SAFETY: getuid cannot fail.
    unsafe { libc::getuid() }
}

/// The socket `coach serve` listens on, for `coach ctl start`.
pub fn serve_path(dir: &Path) -> PathBuf {
    dir.join("serve.sock")
}

/// The socket of the session with process id `pid`.
pub fn path_of(dir: &Path, pid: u32) -> PathBuf {
    dir.join(format!("play-{pid}.sock"))
}

/// The process id a socket's name gives, if it is a session's.
fn pid_of(path: &Path) -> Option<u32> {
    path.file_name()?
        .to_str()?
        .strip_prefix("play-")?
        .strip_suffix(".sock")?
        .parse()
        .ok()
}

/// Every session socket in `dir`, newest first.
pub fn sockets(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(std::time::SystemTime, u32, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter_map(|p| {
            let pid = pid_of(&p)?;
            let modified = std::fs::symlink_metadata(&p).ok()?.modified().ok()?;
            Some((modified, pid, p))
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse((f.0, f.1)));
    found.into_iter().map(|(_, _, p)| p).collect()
}

/// Whether a process with this id is running.
fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid as i32, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// A session's control socket, removed when dropped.
pub struct Server {
    path: PathBuf,
}

impl Server {
    /// Listens on this process's socket and sends what it is asked on
    /// `tx`. Sockets of sessions no longer running are removed first.
    pub fn start(tx: Sender<Control>) -> Result<Server> {
        let dir = folder()?;
        for stale in sockets(&dir) {
            if pid_of(&stale).is_some_and(|pid| !alive(pid)) {
                let _ = std::fs::remove_file(&stale);
            }
        }
        let path = path_of(&dir, std::process::id());
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)
            .with_context(|| format!("cannot listen on {}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot make {} owner-only", path.display()))?;
        std::thread::Builder::new()
            .name("control socket".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    if serve(stream, &tx).is_err() {
                        // The session is over.
                        break;
                    }
                }
            })?;
        Ok(Server { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The user id of the process at the other end of `stream`. (Elsewhere
/// than Linux, the owner-only folder is the only guard.)
#[cfg(not(target_os = "linux"))]
pub(crate) fn peer_uid(_stream: &UnixStream) -> Option<u32> {
    Some(my_uid())
}

/// The user id of the process at the other end of `stream`.
#[cfg(target_os = "linux")]
pub(crate) fn peer_uid(stream: &UnixStream) -> Option<u32> {
    use std::os::fd::AsRawFd;
    let mut cred: libc::ucred = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: SO_PEERCRED fills a ucred of the size given.
    let r = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (r == 0).then_some(cred.uid)
}

/// The answer to a request the session never saw.
pub(crate) fn refusal(error: &str) -> String {
    serde_json::json!({ "ok": false, "error": error }).to_string()
}

/// Answers one connection. An error only if the session is gone.
fn serve(mut stream: UnixStream, tx: &Sender<Control>) -> std::result::Result<(), ()> {
    let _ = stream.set_read_timeout(Some(TIMEOUT));
    let _ = stream.set_write_timeout(Some(TIMEOUT));
    let answer = match peer_uid(&stream) {
        Some(uid) if uid == my_uid() => match read_request(&stream) {
            Ok(word) => ask(&word, tx)?,
            Err(e) => refusal(&e),
        },
        _ => refusal("this session takes commands only from its own user"),
    };
    let _ = stream.write_all(format!("{answer}\n").as_bytes());
    Ok(())
}

/// The command word of a request.
pub(crate) fn read_request(stream: &UnixStream) -> std::result::Result<String, String> {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.take(MAX_REQUEST));
    match reader.read_line(&mut line) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err("a request is a command word in UTF-8".into());
        }
        Err(_) => return Err("no request arrived".into()),
    }
    if !line.ends_with('\n') && line.len() as u64 >= MAX_REQUEST {
        return Err(format!("a request is at most {MAX_REQUEST} bytes"));
    }
    Ok(line.trim().to_string())
}

/// Sends the command `word` names to the session and waits for its answer.
fn ask(word: &str, tx: &Sender<Control>) -> std::result::Result<String, ()> {
    let Some(control) = Control::from_word(word) else {
        return Ok(refusal(&format!(
            "unknown command \"{}\": a session takes {}",
            crate::guard::text::shown_short(word, 40),
            WORDS.join(", ")
        )));
    };
    let (reply, answer) = sync_channel(1);
    tx.send(Control::Remote(Box::new(control), Some(Reply(reply))))
        .map_err(|_| ())?;
    Ok(answer
        .recv_timeout(TIMEOUT)
        .unwrap_or_else(|_| refusal("the session did not answer in time")))
}

/// What `coach ctl` sends a session and the answer: the socket to use
/// (`--socket`, `--pid`, else the newest session's), stale ones removed on
/// the way.
pub fn request(word: &str, pid: Option<u32>, socket: Option<&Path>) -> Result<(PathBuf, String)> {
    let candidates = match (socket, pid) {
        (Some(path), _) => vec![path.to_path_buf()],
        (None, Some(pid)) => vec![path_of(&crate::paths::runtime_dir(), pid)],
        (None, None) => {
            let dir = crate::paths::runtime_dir();
            if dir.exists() {
                check_folder(&dir)?;
            }
            let found = sockets(&dir);
            if found.is_empty() {
                bail!(
                    "no coach session is playing: there is no control socket in {} (each `coach play` makes one as it starts)",
                    dir.display()
                );
            }
            found
        }
    };
    let chosen = pid.is_some() || socket.is_some();
    let mut stale = 0;
    for path in &candidates {
        check_socket(path)?;
        match UnixStream::connect(path) {
            Ok(stream) => return Ok((path.clone(), exchange(stream, word)?)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
                ) =>
            {
                // A session killed before it could remove its socket.
                if e.kind() == std::io::ErrorKind::ConnectionRefused {
                    let _ = std::fs::remove_file(path);
                }
                stale += 1;
                if chosen {
                    bail!(
                        "no session is listening on {} (it has ended{})",
                        path.display(),
                        if e.kind() == std::io::ErrorKind::ConnectionRefused {
                            "; its stale socket was removed"
                        } else {
                            ""
                        }
                    );
                }
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot connect to {}", path.display()));
            }
        }
    }
    bail!(
        "no coach session is playing: {stale} control socket{} of ended sessions removed",
        if stale == 1 { "" } else { "s" }
    )
}

/// A socket `coach ctl` may talk to: a socket, and the user's own.
fn check_socket(path: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        // Not there: the connection says so.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    use std::os::unix::fs::FileTypeExt;
    if !meta.file_type().is_socket() {
        bail!("{} is not a control socket", path.display());
    }
    if meta.uid() != my_uid() {
        bail!(
            "refusing {}: it belongs to another user (uid {}), and coach ctl talks only to your own sessions",
            path.display(),
            meta.uid()
        );
    }
    Ok(())
}

/// Sends `word` and reads the one-line answer.
pub(crate) fn exchange(mut stream: UnixStream, word: &str) -> Result<String> {
    stream.set_read_timeout(Some(TIMEOUT + Duration::from_secs(1)))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(format!("{word}\n").as_bytes())?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = String::new();
    BufReader::new(stream.take(1 << 20))
        .read_line(&mut answer)
        .context("the session did not answer")?;
    if answer.trim().is_empty() {
        bail!("the session closed the connection without answering");
    }
    Ok(answer.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_names_give_their_pids() {
        assert_eq!(
            pid_of(Path::new("/run/user/1/coach/play-42.sock")),
            Some(42)
        );
        assert_eq!(pid_of(Path::new("/x/play-.sock")), None);
        assert_eq!(pid_of(Path::new("/x/other.sock")), None);
    }

    #[test]
    fn a_request_is_answered_by_the_session_and_unknown_words_are_refused() {
        let (tx, rx) = std::sync::mpsc::channel();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("play-1.sock");
        let listener = UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(3) {
                let _ = serve(stream.unwrap(), &tx);
            }
        });
        // The session: answers the first control it gets.
        std::thread::spawn(move || {
            if let Ok(Control::Remote(control, Some(Reply(reply)))) = rx.recv() {
                assert_eq!(*control, Control::Next);
                reply.send("{\"ok\":true}".into()).unwrap();
            }
        });
        let ask = |word: &str| exchange(UnixStream::connect(&path).unwrap(), word).unwrap();
        assert_eq!(ask("next"), "{\"ok\":true}");
        let refused: serde_json::Value = serde_json::from_str(&ask("jump")).unwrap();
        assert_eq!(refused["ok"], false);
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .starts_with("unknown command \"jump\": a session takes pause, resume"),
            "{refused}"
        );
        let long = "x".repeat(400);
        let refused: serde_json::Value = serde_json::from_str(&ask(&long)).unwrap();
        assert_eq!(refused["error"], "a request is at most 256 bytes");
    }
}
