//! Writing a session to an Ogg Vorbis file for phones and music players,
//! with the session's chapters in its comments.

use std::fs::File;
use std::io::BufWriter;
use std::num::{NonZeroU8, NonZeroU32};
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use vorbis_rs::{VorbisBitrateManagementStrategy, VorbisEncoderBuilder};

use super::Session;
use super::file::{each_block, write_atomically};
use crate::SAMPLE_RATE;

/// Vorbis quality, from -0.2 to 1: speech and tones stay clear and a
/// mostly quiet session stays small.
const QUALITY: f32 = 0.2;

/// A fixed stream serial, so the same session gives the same file.
const SERIAL: i32 = 0x636f_6163; // "coac"

/// A chapter: where it starts, in samples, and its name.
pub struct Chapter {
    pub start: u64,
    pub name: String,
}

/// `HH:MM:SS.mmm`, as the Vorbis chapter extension writes times.
fn chapter_time(samples: u64) -> String {
    let ms = samples * 1000 / SAMPLE_RATE as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Renders `session` into an Ogg Vorbis file at `path`, titled `title`,
/// with `chapters` as CHAPTERnnn comments.
pub fn write(session: &mut Session, path: &Path, title: &str, chapters: &[Chapter]) -> Result<()> {
    write_atomically(path, |tmp| {
        let file = BufWriter::new(File::create(tmp)?);
        let mut builder = VorbisEncoderBuilder::new_with_serial(
            NonZeroU32::new(SAMPLE_RATE).expect("a rate"),
            NonZeroU8::new(1).expect("a channel"),
            file,
            SERIAL,
        );
        builder.bitrate_management_strategy(VorbisBitrateManagementStrategy::QualityVbr {
            target_quality: QUALITY,
        });
        let vorbis = |e: vorbis_rs::VorbisError| anyhow!("Vorbis encoder: {e}");
        builder.comment_tag("TITLE", title).map_err(vorbis)?;
        builder.comment_tag("ENCODER", "coach").map_err(vorbis)?;
        // Chapters beyond 999 are left out: the extension numbers them
        // with three digits.
        for (i, c) in chapters.iter().take(999).enumerate() {
            let n = i + 1;
            builder
                .comment_tag(format!("CHAPTER{n:03}"), chapter_time(c.start))
                .map_err(vorbis)?;
            builder
                .comment_tag(format!("CHAPTER{n:03}NAME"), c.name.as_str())
                .map_err(vorbis)?;
        }
        let mut encoder = builder.build().map_err(vorbis)?;
        let mut floats = Vec::new();
        each_block(session, |block| {
            floats.clear();
            floats.extend(block.iter().map(|s| *s as f32 / 32768.0));
            encoder
                .encode_audio_block([&floats[..]])
                .map_err(vorbis)
                .context("cannot encode audio")
        })?;
        let mut file = encoder.finish().map_err(vorbis)?;
        std::io::Write::flush(&mut file)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapter_times_are_written_to_the_millisecond() {
        assert_eq!(chapter_time(0), "00:00:00.000");
        assert_eq!(
            chapter_time(SAMPLE_RATE as u64 * 3723 + 11_025),
            "01:02:03.500"
        );
    }
}
