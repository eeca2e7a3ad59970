//! What every audio file `render` writes shares: a temporary name beside
//! the destination until the file is complete, and a progress bar on long
//! work, fed block by block so memory stays flat.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Session;

const BLOCK: usize = 16 * 1024;

/// Calls `write` with a temporary path beside `path`, and renames the
/// result to `path` only if it succeeds, so a failed render leaves any
/// earlier file untouched.
pub fn write_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp = temporary(path)?;
    let result = write(&tmp)
        .with_context(|| format!("cannot write {}", path.display()))
        .and_then(|()| {
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot move the finished file to {}", path.display()))
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn temporary(path: &Path) -> Result<PathBuf> {
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    Ok(path.with_file_name(format!(
        ".{}.part{}",
        file_name.to_string_lossy(),
        std::process::id()
    )))
}

/// Renders `session` block by block into `sink`, with a progress bar on
/// stderr once the work has taken half a second.
pub fn each_block(session: &mut Session, mut sink: impl FnMut(&[i16]) -> Result<()>) -> Result<()> {
    let bar = ProgressBar::with_draw_target(Some(session.total()), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("Rendering {bar:30} {percent}% ({eta} left)")
            .expect("valid template"),
    );
    let started = Instant::now();
    let mut block = vec![0i16; BLOCK];
    loop {
        let n = session.fill(&mut block);
        if n == 0 {
            break;
        }
        sink(&block[..n])?;
        if bar.is_hidden() && started.elapsed() > Duration::from_millis(500) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_position(session.position());
    }
    bar.finish_and_clear();
    Ok(())
}
