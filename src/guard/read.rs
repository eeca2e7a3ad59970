//! Reading a file coach did not write: the config, the session log, a
//! routine, a voice's output. Only a regular file is read (a FIFO would
//! wait for a writer forever, `/dev/zero` never ends), it is opened without
//! waiting, and never more than a limit is read, even if the file grows
//! while it is read.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// It could not be opened or read.
    Io(std::io::Error),
    /// A folder.
    Folder,
    /// A FIFO, a device or a socket: not a file to read.
    Special,
    /// Longer than the limit, in bytes.
    TooBig(u64),
    /// A pipe that gave nothing, not even its end, for this long.
    Silent(std::time::Duration),
}

impl ReadError {
    /// Whether the file is simply not there.
    pub fn not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => match e.kind() {
                std::io::ErrorKind::NotFound => f.write_str("no such file"),
                std::io::ErrorKind::PermissionDenied => {
                    f.write_str("permission denied (cannot read this file)")
                }
                _ => write!(f, "{e}"),
            },
            ReadError::Folder => f.write_str("this is a folder, not a file"),
            ReadError::Special => f.write_str(
                "this is not a regular file (a FIFO, a device or a socket), so it is not read",
            ),
            ReadError::TooBig(limit) => write!(
                f,
                "the file is larger than {}, the most coach reads of it",
                bytes(*limit)
            ),
            ReadError::Silent(idle) => write!(
                f,
                "nothing came through this pipe for {} s, so coach stopped waiting for it",
                idle.as_secs()
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// "1 MiB", "64 KiB", "300 bytes".
pub fn bytes(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// Opens `path` for reading if it is a regular file (a symlink is
/// followed), without waiting on a FIFO.
pub fn open(path: &Path) -> Result<File, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless this is set;
        // for a regular file it changes nothing.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::EISDIR) {
            ReadError::Folder
        } else {
            ReadError::Io(e)
        }
    })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if meta.is_dir() {
        return Err(ReadError::Folder);
    }
    if !meta.is_file() {
        return Err(ReadError::Special);
    }
    Ok(file)
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooBig(limit));
    }
    Ok(bytes)
}

/// How long a pipe may give nothing before coach stops waiting for it.
pub const PIPE_IDLE: std::time::Duration = std::time::Duration::from_secs(10);

/// The bytes of a pipe (stdin, a FIFO, a `<(…)`) until its writer closes
/// it: at most `limit` of them, and an error if it gives nothing, not
/// even its end, for `idle` at a time. `fd` may be non-blocking.
pub fn read_pipe(
    fd: std::os::fd::BorrowedFd<'_>,
    limit: u64,
    idle: std::time::Duration,
) -> Result<Vec<u8>, ReadError> {
    use std::os::fd::AsRawFd;
    let raw = fd.as_raw_fd();
    let mut bytes = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let wait = i32::try_from(idle.as_millis()).unwrap_or(i32::MAX);
    loop {
        let mut poll = libc::pollfd {
            fd: raw,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: polls one fd we were lent, with a pollfd we own.
        match unsafe { libc::poll(&mut poll, 1, wait) } {
            0 => return Err(ReadError::Silent(idle)),
            n if n < 0 => {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(ReadError::Io(e));
            }
            _ => {}
        }
        // SAFETY: reads into a buffer we own from an fd we were lent.
        let n = unsafe { libc::read(raw, buf.as_mut_ptr().cast(), buf.len()) };
        if n == 0 {
            return Ok(bytes);
        }
        if n < 0 {
            let e = std::io::Error::last_os_error();
            match e.kind() {
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock => continue,
                _ => return Err(ReadError::Io(e)),
            }
        }
        bytes.extend_from_slice(&buf[..n as usize]);
        if bytes.len() as u64 > limit {
            return Err(ReadError::TooBig(limit));
        }
    }
}

/// What kind of special file `meta` is, in words: "a FIFO", "a device".
pub fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "a pipe"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_the_limit_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read(&file, 5).unwrap(), b"12345");
        assert!(matches!(read(&file, 4), Err(ReadError::TooBig(4))));
        assert!(matches!(read(dir.path(), 9), Err(ReadError::Folder)));
        assert!(matches!(
            read(Path::new("/dev/zero"), 9),
            Err(ReadError::Special)
        ));
        assert!(read(&dir.path().join("none"), 9).unwrap_err().not_found());

        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        // Neither waits for a writer.
        assert!(matches!(read(&fifo, 9), Err(ReadError::Special)));
        assert!(matches!(read(&link, 9), Err(ReadError::Special)));
        // Read as a pipe, a FIFO with no writer gives up after its idle
        // time; one with a writer is read to its end, within the limit.
        let file = open_pipe(&fifo);
        let started = std::time::Instant::now();
        let idle = std::time::Duration::from_millis(200);
        assert!(matches!(
            read_pipe(std::os::fd::AsFd::as_fd(&file), 9, idle),
            Err(ReadError::Silent(_))
        ));
        assert!(started.elapsed() >= idle);
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(&fifo, "123456789").unwrap())
        };
        let file = open_pipe(&fifo);
        let got = read_pipe(std::os::fd::AsFd::as_fd(&file), 9, idle * 10).unwrap();
        writer.join().unwrap();
        assert_eq!(got, b"123456789");
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let _ = std::fs::write(&fifo, "1234567890");
            })
        };
        let file = open_pipe(&fifo);
        let got = read_pipe(std::os::fd::AsFd::as_fd(&file), 9, idle * 10);
        drop(file);
        writer.join().unwrap();
        assert!(matches!(got, Err(ReadError::TooBig(9))));
        assert_eq!(bytes(1 << 20), "1 MiB");
        assert_eq!(bytes(65536), "64 KiB");
        assert_eq!(bytes(300), "300 bytes");
    }

    /// `path` opened for reading without waiting for a writer.
    fn open_pipe(path: &Path) -> File {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .unwrap()
    }
}
