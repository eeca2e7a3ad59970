//! What every audio file `render` writes shares: an [`Output`] that writes
//! under a temporary name beside the destination until the file is
//! complete, and a progress bar on long work, fed block by block so memory
//! stays flat. Each format is an [`Encoding`].

use std::path::{Path, PathBuf};

use crate::guard::temp::Temporary;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output::{Output, Source};

const BLOCK: usize = 16 * 1024;

/// Calls `write` with a temporary path beside `path`, and renames the
/// result to `path` only if it succeeds, so a failed render leaves any
/// earlier file untouched. The temporary file is removed on every way out
/// but SIGKILL (see [`crate::guard::temp`]), and those that a killed
/// process left beside `path` are swept first.
pub fn write_atomically(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    crate::guard::temp::sweep(path);
    let tmp = Temporary::new(
        crate::guard::temp::beside(path)
            .with_context(|| format!("{} is not a file name", path.display()))?,
    );
    write(tmp.path())
        .with_context(|| format!("cannot write {}", path.display()))
        .and_then(|()| {
            std::fs::rename(tmp.path(), path)
                .with_context(|| format!("cannot move the finished file to {}", path.display()))
        })?;
    tmp.keep();
    Ok(())
}

/// Takes `source` block by block into `sink`, with a progress bar on
/// stderr once the work has taken half a second; returns the samples
/// taken.
pub fn each_block(
    source: &mut dyn Source,
    mut sink: impl FnMut(&[i16]) -> Result<()>,
) -> Result<u64> {
    let bar = ProgressBar::with_draw_target(source.remaining(), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("Rendering {bar:30} {percent}% ({eta} left)")
            .expect("valid template"),
    );
    let started = Instant::now();
    let mut block = vec![0i16; BLOCK];
    let mut taken = 0u64;
    loop {
        let n = source.fill(&mut block);
        if n == 0 {
            break;
        }
        sink(&block[..n])?;
        taken += n as u64;
        if bar.is_hidden() && started.elapsed() > Duration::from_millis(500) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_position(taken);
    }
    bar.finish_and_clear();
    Ok(taken)
}

/// How one format writes a whole source to a file.
pub trait Encoding {
    /// Whether the format can hold `source`, asked before any file is
    /// made.
    fn check(&self, _source: &mut dyn Source) -> Result<()> {
        Ok(())
    }

    /// Writes all of `source` to the new file at `path`; returns how many
    /// samples it wrote.
    fn encode(&self, source: &mut dyn Source, path: &Path) -> Result<u64>;
}

/// An audio file at a path, written in an [`Encoding`]: it appears only
/// when it is complete.
pub struct AudioFile<E> {
    path: PathBuf,
    encoding: E,
    written: u64,
}

impl<E: Encoding> AudioFile<E> {
    pub fn new(path: &Path, encoding: E) -> AudioFile<E> {
        AudioFile {
            path: path.to_path_buf(),
            encoding,
            written: 0,
        }
    }
}

impl<E: Encoding> Output for AudioFile<E> {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn play(&mut self, mut source: Box<dyn Source>) -> Result<()> {
        self.encoding.check(source.as_mut())?;
        let mut written = 0;
        write_atomically(&self.path, |tmp| {
            written = self.encoding.encode(source.as_mut(), tmp)?;
            Ok(())
        })?;
        self.written = written;
        Ok(())
    }

    fn heard(&self) -> u64 {
        self.written
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }

    fn stop(&mut self) {}
}
