//! Writing a session to a WAV file, streamed block by block: memory stays
//! flat however long the session is. The file appears only when complete.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::Session;
use super::file::{each_block, write_atomically};
use crate::SAMPLE_RATE;

/// The most samples a WAV file can hold: its sizes are 32-bit byte counts.
pub const MAX_WAV_SAMPLES: u64 = (u32::MAX as u64 - 64) / 2;

/// Renders `session` into a 16-bit mono WAV at `path`.
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
    write_atomically(path, |tmp| {
        let mut writer = hound::WavWriter::create(tmp, spec)?;
        each_block(session, |block| {
            let mut samples = writer.get_i16_writer(block.len() as u32);
            for s in block {
                samples.write_sample(*s);
            }
            samples.flush().context("cannot write audio")
        })?;
        writer.finalize().context("cannot finish the WAV file")
    })
}
