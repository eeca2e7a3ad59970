//! Writing a session to an Ogg Vorbis file for phones and music players,
//! with the session's chapters in its comments.

use std::fs::File;
use std::io::BufWriter;
use std::num::{NonZeroU8, NonZeroU32};
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use vorbis_rs::{VorbisBitrateManagementStrategy, VorbisEncoderBuilder};

use super::file::{AudioFile, Encoding, each_block};
use super::output::Source;
use crate::chapters::Chapter;
use crate::timeline::SAMPLE_RATE;
use crate::timeline::time::chapter_time;

/// Vorbis quality, from -0.2 to 1: speech and tones stay clear and a
/// mostly quiet session stays small.
const QUALITY: f32 = 0.2;

/// A fixed stream serial, so the same session gives the same file.
const SERIAL: i32 = 0x636f_6163; // "coac"

/// Ogg Vorbis, titled, with chapters as CHAPTERnnn comments, for
/// [`AudioFile`].
pub struct Ogg {
    pub title: String,
    pub chapters: Vec<Chapter>,
}

/// An Ogg Vorbis file at a path.
pub type OggFile = AudioFile<Ogg>;

impl Encoding for Ogg {
    fn encode(&self, source: &mut dyn Source, path: &Path) -> Result<u64> {
        encode(source, path, &self.title, &self.chapters)
    }
}

/// Encodes `source` into an Ogg Vorbis file at `tmp`; returns the samples
/// written.
fn encode(source: &mut dyn Source, tmp: &Path, title: &str, chapters: &[Chapter]) -> Result<u64> {
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
    let written = each_block(source, |block| {
        floats.clear();
        floats.extend(block.iter().map(|s| *s as f32 / 32768.0));
        encoder
            .encode_audio_block([&floats[..]])
            .map_err(vorbis)
            .context("cannot encode audio")
    })?;
    let mut file = encoder.finish().map_err(vorbis)?;
    std::io::Write::flush(&mut file)?;
    Ok(written)
}
