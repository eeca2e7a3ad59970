//! Reading the WAV audio voices write: 16-bit PCM or 32-bit float, mono or
//! stereo, any rate. Size fields may be placeholders (espeak-ng writes
//! 0x7ffff000 when it streams), so the data chunk is read to its declared
//! end or the end of the bytes, whichever comes first.

/// Mono samples and their rate.
pub fn decode(bytes: &[u8]) -> Result<(u32, Vec<i16>), String> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err("not a WAV file".into());
    }
    let mut at = 12;
    let mut format: Option<(u16, u16, u32, u16)> = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
        let body = at + 8;
        if id == b"fmt " {
            let f = bytes.get(body..body + 16).ok_or("a short format chunk")?;
            let tag = u16::from_le_bytes([f[0], f[1]]);
            let channels = u16::from_le_bytes([f[2], f[3]]);
            let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
            let bits = u16::from_le_bytes([f[14], f[15]]);
            // WAVE_FORMAT_EXTENSIBLE carries the real tag in its sub-format.
            let tag = if tag == 0xFFFE {
                bytes
                    .get(body + 24..body + 26)
                    .map_or(tag, |t| u16::from_le_bytes([t[0], t[1]]))
            } else {
                tag
            };
            format = Some((tag, channels, rate, bits));
        } else if id == b"data" {
            let (tag, channels, rate, bits) = format.ok_or("audio data before its format")?;
            if !(1..=2).contains(&channels) {
                return Err(format!("{channels} channels is not mono or stereo audio"));
            }
            if !super::VOICE_RATES.contains(&rate) {
                return Err(format!(
                    "its header says {rate} Hz, which no voice speaks at (coach reads {} to {} Hz)",
                    super::VOICE_RATES.start(),
                    super::VOICE_RATES.end()
                ));
            }
            let end = body.saturating_add(size).min(bytes.len());
            let data = &bytes[body..end];
            let samples: Vec<f32> = match (tag, bits) {
                (1, 16) => data
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32)
                    .collect(),
                (3, 32) => data
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) * 32_767.0)
                    .collect(),
                _ => {
                    return Err(format!(
                        "{bits}-bit audio of format {tag} (coach reads 16-bit PCM and 32-bit float)"
                    ));
                }
            };
            let mono = samples
                .chunks_exact(channels as usize)
                .map(|frame| {
                    let x = frame.iter().sum::<f32>() / channels as f32;
                    x.round().clamp(i16::MIN as f32, i16::MAX as f32) as i16
                })
                .collect();
            return Ok((rate, mono));
        }
        at = body.saturating_add(size + (size & 1));
    }
    Err("no audio data".into())
}

/// A 16-bit mono WAV of `samples` at `rate`, for tests and test voices.
pub fn encode(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data = samples.len() as u32 * 2;
    let mut b = Vec::with_capacity(44 + data as usize);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * 2).to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data.to_le_bytes());
    for s in samples {
        b.extend_from_slice(&s.to_le_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pcm_and_placeholder_sizes() {
        assert_eq!(
            decode(&encode(16_000, &[1, -2, 3])).unwrap(),
            (16_000, vec![1, -2, 3])
        );
        // espeak-ng's streaming header: sizes of 0x7ffff000.
        let mut streamed = encode(22_050, &[5, 6]);
        streamed[4..8].copy_from_slice(&0x7fff_f000u32.to_le_bytes());
        streamed[40..44].copy_from_slice(&0x7fff_f000u32.to_le_bytes());
        assert_eq!(decode(&streamed).unwrap(), (22_050, vec![5, 6]));
    }

    #[test]
    fn mixes_stereo_and_reads_float() {
        let mut b = encode(8_000, &[100, 300, -100, -300]);
        b[22] = 2; // two channels: frames (100, 300), (-100, -300)
        assert_eq!(decode(&b).unwrap(), (8_000, vec![200, -200]));
        let mut f = encode(8_000, &[]);
        f[20] = 3; // IEEE float
        f[34] = 32;
        f.truncate(40);
        f.extend_from_slice(&8u32.to_le_bytes());
        f.extend_from_slice(&0.5f32.to_le_bytes());
        f.extend_from_slice(&(-1.0f32).to_le_bytes());
        assert_eq!(decode(&f).unwrap(), (8_000, vec![16_384, -32_767]));
        assert!(decode(b"nonsense").is_err());
    }
}
