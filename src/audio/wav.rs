//! Writing a session to a WAV file, streamed block by block: memory stays
//! flat however long the session is. The file appears only when complete.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::Session;
use super::file::{each_block, write_atomically};
use crate::SAMPLE_RATE;

/// The most samples a WAV file can hold: its sizes are 32-bit byte counts.
pub const MAX_WAV_SAMPLES: u64 = (u32::MAX as u64 - 64) / 2;

fn fits(session: &Session) -> Result<()> {
    if session.total() > MAX_WAV_SAMPLES {
        bail!(
            "this session lasts {:.1} hours; a WAV file holds at most {:.1} hours at {SAMPLE_RATE} Hz",
            session.total() as f64 / SAMPLE_RATE as f64 / 3600.0,
            MAX_WAV_SAMPLES as f64 / SAMPLE_RATE as f64 / 3600.0
        );
    }
    Ok(())
}

/// Streams `session` as a 16-bit mono WAV to `out` (a pipe, say): the
/// header can be written first because the length is known. A reader that
/// goes away ends the stream quietly.
pub fn stream(session: &mut Session, out: &mut impl Write) -> Result<()> {
    fits(session)?;
    let data = session.total() * 2;
    let mut header = Vec::with_capacity(44);
    header.extend_from_slice(b"RIFF");
    header.extend_from_slice(&(36 + data as u32).to_le_bytes());
    header.extend_from_slice(b"WAVEfmt ");
    header.extend_from_slice(&16u32.to_le_bytes());
    header.extend_from_slice(&1u16.to_le_bytes()); // PCM
    header.extend_from_slice(&1u16.to_le_bytes()); // mono
    header.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    header.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes());
    header.extend_from_slice(&2u16.to_le_bytes());
    header.extend_from_slice(&16u16.to_le_bytes());
    header.extend_from_slice(b"data");
    header.extend_from_slice(&(data as u32).to_le_bytes());
    let mut bytes = Vec::new();
    let result = out
        .write_all(&header)
        .map_err(anyhow::Error::from)
        .and_then(|()| {
            each_block(session, |block| {
                bytes.clear();
                bytes.extend(block.iter().flat_map(|s| s.to_le_bytes()));
                Ok(out.write_all(&bytes)?)
            })
        });
    let result = result.and_then(|()| Ok(out.flush()?));
    match result {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// Renders `session` into a 16-bit mono WAV at `path`.
pub fn write(session: &mut Session, path: &Path) -> Result<()> {
    fits(session)?;
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
