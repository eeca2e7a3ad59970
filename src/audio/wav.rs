//! Writing a session as WAV, streamed block by block: memory stays flat
//! however long the session is. A file appears only when complete; a
//! stream (a pipe, say) gets its header first, as the length is known.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::file::{AudioFile, Encoding, each_block};
use super::output::{Output, Source};
use crate::timeline::SAMPLE_RATE;
use crate::timeline::time::to_secs_f64;

/// The most samples a WAV file can hold: its sizes are 32-bit byte counts.
pub const MAX_WAV_SAMPLES: u64 = (u32::MAX as u64 - 64) / 2;

/// The length of `source`, if a WAV file can hold it.
fn fits(source: &dyn Source) -> Result<u64> {
    let total = source
        .remaining()
        .context("a WAV file needs to know its length before it is written")?;
    if total > MAX_WAV_SAMPLES {
        bail!(
            "this session lasts {:.1} hours; a WAV file holds at most {:.1} hours at {SAMPLE_RATE} Hz",
            to_secs_f64(total) / 3600.0,
            to_secs_f64(MAX_WAV_SAMPLES) / 3600.0
        );
    }
    Ok(total)
}

/// 16-bit mono WAV, for [`AudioFile`].
pub struct Wav;

/// A 16-bit mono WAV file at a path.
pub type WavFile = AudioFile<Wav>;

impl Encoding for Wav {
    fn check(&self, source: &mut dyn Source) -> Result<()> {
        fits(source).map(|_| ())
    }

    fn encode(&self, source: &mut dyn Source, path: &Path) -> Result<u64> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(path, spec)?;
        let written = each_block(source, |block| {
            let mut samples = writer.get_i16_writer(block.len() as u32);
            for s in block {
                samples.write_sample(*s);
            }
            samples.flush().context("cannot write audio")
        })?;
        writer.finalize().context("cannot finish the WAV file")?;
        Ok(written)
    }
}

/// A 16-bit mono WAV stream to a writer (stdout). A reader that goes away
/// ends the stream quietly.
pub struct WavStream<W: Write> {
    out: W,
    written: u64,
}

impl<W: Write> WavStream<W> {
    pub fn new(out: W) -> WavStream<W> {
        WavStream { out, written: 0 }
    }
}

/// The 44-byte header of a 16-bit mono WAV of `samples` samples.
fn header(samples: u64) -> Vec<u8> {
    let data = samples * 2;
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
    header
}

impl<W: Write> Output for WavStream<W> {
    fn name(&self) -> String {
        "standard output".into()
    }

    fn play(&mut self, mut source: Box<dyn Source>) -> Result<()> {
        let total = fits(source.as_ref())?;
        let out = &mut self.out;
        let mut bytes = Vec::new();
        let result = out
            .write_all(&header(total))
            .map_err(anyhow::Error::from)
            .and_then(|()| {
                each_block(source.as_mut(), |block| {
                    bytes.clear();
                    bytes.extend(block.iter().flat_map(|s| s.to_le_bytes()));
                    Ok(out.write_all(&bytes)?)
                })
            });
        let result = result.and_then(|n| {
            out.flush()?;
            Ok(n)
        });
        match result {
            Ok(n) => {
                self.written = n;
                Ok(())
            }
            Err(e)
                if e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn heard(&self) -> u64 {
        self.written
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }

    fn stop(&mut self) {}
}
