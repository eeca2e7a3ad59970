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
        assert_eq!(bytes(1 << 20), "1 MiB");
        assert_eq!(bytes(65536), "64 KiB");
        assert_eq!(bytes(300), "300 bytes");
    }
}
