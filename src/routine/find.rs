//! Finding a routine by path or name, and the routines built into the binary.
//! This is the only place a routine file is read.

use std::fs;
use std::path::{Path, PathBuf};

use crate::guard::read::ReadError;
use crate::source::{MAX_FILE_BYTES, SourceFile};

/// Routines compiled into the binary, so they play from any folder.
pub const BUILT_IN: &[(&str, &str)] = &[(
    "hamstring-lower-back",
    include_str!("../../routines/hamstring-lower-back.toml"),
)];

/// Where a routine came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file, given as a path or found in a routine folder.
    File(PathBuf),
    /// One of [`BUILT_IN`].
    BuiltIn,
    /// Standard input (`-`).
    Stdin,
}

/// The name that means standard input.
pub const STDIN: &str = "-";

/// A routine's text with its name and origin, not yet parsed.
#[derive(Clone, Debug)]
pub struct Found {
    /// The short name: the file stem, or the built-in name.
    pub name: String,
    pub origin: Origin,
    pub source: SourceFile,
}

/// Why a routine could not be found or read.
#[derive(Debug)]
pub struct FindError {
    /// The file, as the user named it, if there is one.
    pub file: Option<String>,
    /// Line and column in the file, if the problem has a place.
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl FindError {
    fn new(message: String) -> FindError {
        FindError {
            file: None,
            at: None,
            message,
        }
    }

    fn in_file(file: &str, message: String) -> FindError {
        FindError {
            file: Some(file.to_string()),
            at: None,
            message,
        }
    }

    /// `file:line:col: error: message`, like every other diagnostic.
    pub fn headline(&self) -> String {
        match (&self.file, self.at) {
            (Some(file), Some((line, col))) => {
                format!("{file}:{line}:{col}: error: {}", self.message)
            }
            (Some(file), None) => format!("{file}: error: {}", self.message),
            (None, _) => format!("error: {}", self.message),
        }
    }
}

impl std::fmt::Display for FindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, self.at) {
            (Some(file), Some((line, col))) => write!(f, "{file}:{line}:{col}: {}", self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            (None, _) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FindError {}

/// The folders searched for `NAME.toml`, in order: `./routines`, then the
/// user's routine folder.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("routines")];
    if let Some(user) = crate::paths::user_routines_dir() {
        dirs.push(user);
    }
    dirs
}

/// Finds `name`: standard input for `-`; a path if it is one; else
/// `NAME.toml` in [`search_dirs`]; else a built-in routine.
pub fn find(name: &str) -> Result<Found, FindError> {
    find_in(name, &search_dirs())
}

pub fn find_in(name: &str, dirs: &[PathBuf]) -> Result<Found, FindError> {
    if name == STDIN {
        return read_stdin();
    }
    let path = Path::new(name);
    let looks_like_path = name.contains('/')
        || name.contains(std::path::MAIN_SEPARATOR)
        || name.ends_with(".toml")
        || name.starts_with('.');
    if path.exists() || looks_like_path {
        return read_file(path, name);
    }
    for dir in dirs {
        let candidate = dir.join(format!("{name}.toml"));
        if candidate.is_file() {
            return read_file(&candidate, &candidate.display().to_string());
        }
    }
    if let Some(found) = built_in(name) {
        return Ok(found);
    }
    let known = known_names(dirs);
    let mut message = format!("no routine named \"{name}\"");
    if let Some(close) = crate::source::diag::suggest(name, known.iter().map(String::as_str)) {
        message.push_str(&format!(" (did you mean \"{close}\"?)"));
    }
    message.push_str(&format!(
        "; looked for {name}.toml in {} and among the built-in routines. `coach list` shows them all.",
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Err(FindError::new(message))
}

/// A built-in routine by name.
pub fn built_in(name: &str) -> Option<Found> {
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| Found {
            name: n.to_string(),
            origin: Origin::BuiltIn,
            source: SourceFile::new(format!("{n}.toml (built in)"), *text),
        })
}

/// Names of every routine in `dirs` and built in.
fn known_names(dirs: &[PathBuf]) -> Vec<String> {
    let mut names: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
    for dir in dirs {
        names.extend(routine_files(dir).into_iter().map(|(n, _)| n));
    }
    names
}

/// The `*.toml` files of a folder, by name, sorted.
pub fn routine_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p)))
        .collect();
    out.sort();
    out
}

/// The routine on standard input: piped in or redirected, never a
/// terminal (which nobody would think to end), bounded as a file is.
fn read_stdin() -> Result<Found, FindError> {
    use std::io::IsTerminal;
    const SHOWN: &str = "<stdin>";
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(FindError::new(
            "- reads the routine from standard input, which is a terminal here: pipe one in, as in `cat routine.toml | coach check -`, or name its file".into(),
        ));
    }
    let bytes = crate::guard::read::read_pipe(
        std::os::fd::AsFd::as_fd(&stdin),
        MAX_FILE_BYTES as u64,
        crate::guard::read::PIPE_IDLE,
    )
    .map_err(|e| FindError::in_file(SHOWN, reason(e)))?;
    found_in(bytes, SHOWN, "stdin".into(), Origin::Stdin)
}

/// Why a routine file could not be read, in words.
fn reason(e: ReadError) -> String {
    match e {
        ReadError::Folder => "this is a folder, not a routine file".into(),
        ReadError::TooBig(_) => format!(
            "the file is larger than 1 MiB ({MAX_FILE_BYTES} bytes), the most a routine may be"
        ),
        ReadError::Io(e) => io_reason(&e),
        other => other.to_string(),
    }
}

/// A routine's bytes, decoded, as found.
fn found_in(bytes: Vec<u8>, shown: &str, name: String, origin: Origin) -> Result<Found, FindError> {
    let text = decode(bytes).map_err(|at| FindError {
        file: Some(shown.to_string()),
        at: Some(at),
        message: "this is not valid UTF-8 text; save the file as UTF-8".into(),
    })?;
    Ok(Found {
        name,
        origin,
        source: SourceFile::new(shown, text),
    })
}

/// Reads a routine file with the checks a file from a stranger needs: a
/// regular file or a pipe (a FIFO, a `<(…)`; not a folder, device or
/// socket), at most 1 MiB, UTF-8. A pipe is read until its writer closes
/// it, and given up if nothing comes for [`PIPE_IDLE`](crate::guard::read::PIPE_IDLE).
pub fn read_file(path: &Path, shown: &str) -> Result<Found, FindError> {
    let fail = |what: String| FindError::in_file(shown, what);
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(shown)
        .to_string();
    let origin = Origin::File(path.to_path_buf());
    if let Ok(meta) = fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        if !std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()) {
            let kind = crate::guard::read::special_kind(&meta);
            return Err(fail(format!("this is {kind}, not a routine file")));
        }
        let pipe = {
            use std::os::unix::fs::OpenOptionsExt;
            // Without waiting for a writer: a FIFO nobody writes to is
            // given up after the idle time, not waited on forever.
            fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path)
                .map_err(|e| fail(io_reason(&e)))?
        };
        let bytes = crate::guard::read::read_pipe(
            std::os::fd::AsFd::as_fd(&pipe),
            MAX_FILE_BYTES as u64,
            crate::guard::read::PIPE_IDLE,
        )
        .map_err(|e| fail(reason(e)))?;
        return found_in(bytes, shown, name, origin);
    }
    if let Ok(meta) = fs::metadata(path)
        && meta.is_file()
        && meta.len() > MAX_FILE_BYTES as u64
    {
        return Err(fail(format!(
            "the file is {} bytes; a routine may be at most 1 MiB ({MAX_FILE_BYTES} bytes)",
            meta.len()
        )));
    }
    let bytes =
        crate::guard::read::read(path, MAX_FILE_BYTES as u64).map_err(|e| fail(reason(e)))?;
    found_in(bytes, shown, name, origin)
}

/// The text of a file, without a leading byte-order mark; on invalid UTF-8,
/// the line and column where it starts.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, (usize, usize)> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        crate::source::diag::line_col(prefix, valid)
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (cannot read this file)".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_locates_bad_utf8() {
        assert_eq!(decode(b"\xEF\xBB\xBFa = 1".to_vec()).unwrap(), "a = 1");
        assert_eq!(decode(b"a = 1\nb = \"\xFF\"".to_vec()), Err((2, 6)));
    }

    #[test]
    fn built_in_routines_are_found_by_name() {
        let found = find_in("hamstring-lower-back", &[]).unwrap();
        assert_eq!(found.origin, Origin::BuiltIn);
        assert!(found.source.text.contains("[[exercise]]"));
        let err = find_in("hamstring-lower-bak", &[]).unwrap_err();
        assert!(
            err.message.starts_with(
                "no routine named \"hamstring-lower-bak\" (did you mean \"hamstring-lower-back\"?)"
            ),
            "{err}"
        );
    }
}
