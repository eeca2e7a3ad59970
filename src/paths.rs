//! The platform folders `coach` uses: the clip cache, the user's routines,
//! the session log and the config file.

use std::path::PathBuf;

use directories::ProjectDirs;

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "coach")
}

/// Where synthesized speech is cached (e.g. `~/.cache/coach` on Linux).
pub fn cache_dir() -> Option<PathBuf> {
    project().map(|p| p.cache_dir().to_path_buf())
}

/// Where `coach` keeps the user's data: routines and the session log
/// (e.g. `~/.local/share/coach` on Linux).
pub fn data_dir() -> Option<PathBuf> {
    project().map(|p| p.data_dir().to_path_buf())
}

/// The user's own routines (e.g. `~/.local/share/coach/routines` on Linux).
pub fn user_routines_dir() -> Option<PathBuf> {
    project().map(|p| p.data_dir().join("routines"))
}

/// The user's config file (e.g. `~/.config/coach/config.toml` on Linux).
pub fn config_file() -> Option<PathBuf> {
    project().map(|p| p.config_dir().join("config.toml"))
}

/// Where running sessions keep their control sockets: `coach` in the
/// user's runtime folder (`$XDG_RUNTIME_DIR`, e.g. `/run/user/1000`), else
/// `/tmp/coach-UID`. Only a path: [`crate::remote`] makes it, owner-only.
pub fn runtime_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("coach"),
        // SAFETY: getuid cannot fail.
        None => std::env::temp_dir().join(format!("coach-{}", unsafe { libc::getuid() })),
    }
}
