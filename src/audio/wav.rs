//! Writing a session to a WAV file, streamed block by block: memory stays
//! flat however long the session is. The file appears only when complete.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Session;
use crate::SAMPLE_RATE;

/// The most samples a WAV file can hold: its sizes are 32-bit byte counts.
pub const MAX_WAV_SAMPLES: u64 = (u32::MAX as u64 - 64) / 2;

const BLOCK: usize = 16 * 1024;

/// Renders `session` into a 16-bit mono WAV at `path`. The file is written
/// beside its destination under a temporary name and renamed when complete,
/// so a failed render leaves any earlier file untouched.
pub fn write(session: &mut Session, path: &Path) -> Result<()> {
    if session.total() > MAX_WAV_SAMPLES {
        bail!(
            "this session lasts {:.1} hours; a WAV file holds at most {:.1} hours at {SAMPLE_RATE} Hz",
            session.total() as f64 / SAMPLE_RATE as f64 / 3600.0,
            MAX_WAV_SAMPLES as f64 / SAMPLE_RATE as f64 / 3600.0
        );
    }
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.part{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = write_to(session, &tmp, spec)
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

fn write_to(session: &mut Session, tmp: &Path, spec: hound::WavSpec) -> Result<()> {
    let mut writer = hound::WavWriter::create(tmp, spec)?;
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
        let mut samples = writer.get_i16_writer(n as u32);
        for s in &block[..n] {
            samples.write_sample(*s);
        }
        samples.flush().context("cannot write audio")?;
        if bar.is_hidden() && started.elapsed() > Duration::from_millis(500) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_position(session.position());
    }
    bar.finish_and_clear();
    writer.finalize().context("cannot finish the WAV file")?;
    Ok(())
}
