//! The platform folders `coach` uses: the clip cache and the user's routines.

use std::path::PathBuf;

use directories::ProjectDirs;

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "coach")
}

/// Where synthesized speech is cached (e.g. `~/.cache/coach` on Linux).
pub fn cache_dir() -> Option<PathBuf> {
    project().map(|p| p.cache_dir().to_path_buf())
}

/// The user's own routines (e.g. `~/.local/share/coach/routines` on Linux).
pub fn user_routines_dir() -> Option<PathBuf> {
    project().map(|p| p.data_dir().join("routines"))
}

/// The user's config file (e.g. `~/.config/coach/config.toml` on Linux).
pub fn config_file() -> Option<PathBuf> {
    project().map(|p| p.config_dir().join("config.toml"))
}
