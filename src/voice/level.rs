//! Loudness: every clip is brought to one speech level, whatever the voice
//! (espeak-ng, a command voice, a neural voice), so a session sounds even
//! and the tones can sit at the same level
//! ([`crate::timeline::tone::SPEECH_RMS`]).
//!
//! The level of speech is its gated RMS: the RMS of the 20 ms blocks that
//! are louder than −50 dBFS, so the pauses between words do not count (as
//! in EBU R128's gate). Speech has short peaks far above its level (a
//! crest factor of 15 to 20 dB in espeak-ng's voices), so the few samples
//! above [`KNEE`] are bent softly towards [`PEAK`], half of full scale,
//! instead of lowering the whole clip for them: no sample passes `PEAK`,
//! so at the highest documented volume (200 %) none clips.

use crate::timeline::SAMPLE_RATE;
use crate::timeline::tone::SPEECH_RMS;

/// The loudest sample a normalised clip may have.
pub const PEAK: i16 = i16::MAX / 2;
/// Samples above this are bent towards [`PEAK`].
const KNEE: f64 = PEAK as f64 * 0.6;
/// The most a clip is made louder: a near-silent clip stays quiet.
const MAX_GAIN: f64 = 16.0;

/// Blocks of 20 ms.
const BLOCK: usize = SAMPLE_RATE as usize / 50;
/// Blocks quieter than −50 dBFS are pauses.
const GATE: f64 = 32768.0 * 0.003_162;

/// The gated RMS of `samples`, or `None` when nothing is louder than the
/// gate (silence, or a clip of a whisper).
pub fn speech_rms(samples: &[i16]) -> Option<f64> {
    let (mut sum, mut n) = (0.0f64, 0usize);
    for block in samples.chunks(BLOCK) {
        let s: f64 = block.iter().map(|x| (*x as f64).powi(2)).sum();
        if (s / block.len() as f64).sqrt() > GATE {
            sum += s;
            n += block.len();
        }
    }
    (n > 0).then(|| (sum / n as f64).sqrt())
}

/// `samples` brought to the speech level, never louder than [`PEAK`]. A
/// clip with nothing above the gate is left as it is.
pub fn normalized(samples: &[i16]) -> Vec<i16> {
    let Some(rms) = speech_rms(samples) else {
        return samples.to_vec();
    };
    let gain = (SPEECH_RMS / rms).min(MAX_GAIN);
    samples
        .iter()
        .map(|x| limited(*x as f64 * gain).round() as i16)
        .collect()
}

/// `x` unchanged up to [`KNEE`], then bent smoothly so that it never
/// reaches [`PEAK`].
fn limited(x: f64) -> f64 {
    let room = PEAK as f64 - KNEE;
    let over = x.abs() - KNEE;
    if over <= 0.0 {
        x
    } else {
        x.signum() * (KNEE + room * (over / room).tanh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vowel-like sound: two sines at `level` RMS, with pauses.
    fn speech_like(amplitude: f64) -> Vec<i16> {
        let mut out = Vec::new();
        for word in 0..4 {
            for i in 0..SAMPLE_RATE as usize / 4 {
                let t = i as f64 / SAMPLE_RATE as f64;
                let x = amplitude
                    * (0.7 * (2.0 * std::f64::consts::PI * 180.0 * t).sin()
                        + 0.3
                            * (2.0 * std::f64::consts::PI * (700.0 + 100.0 * word as f64) * t)
                                .sin());
                out.push(x as i16);
            }
            out.extend(std::iter::repeat_n(0, SAMPLE_RATE as usize / 10));
        }
        out
    }

    #[test]
    fn quiet_and_loud_speech_come_out_at_one_level() {
        for amplitude in [800.0, 4_000.0, 30_000.0] {
            let out = normalized(&speech_like(amplitude));
            let rms = speech_rms(&out).unwrap();
            assert!(
                (rms / SPEECH_RMS - 1.0).abs() < 0.02,
                "{amplitude}: {rms} against {SPEECH_RMS}"
            );
            assert!(out.iter().all(|x| x.unsigned_abs() <= PEAK as u16));
        }
    }

    #[test]
    fn peaks_are_bent_under_the_peak_and_silence_is_left_alone() {
        let mut clip = speech_like(1_000.0);
        clip[100] = 30_000;
        clip[200] = -32_768;
        let out = normalized(&clip);
        assert!(out[100] > KNEE as i16 && out[100] <= PEAK, "{}", out[100]);
        assert!(out[200] < -KNEE as i16 && out[200] >= -PEAK, "{}", out[200]);
        // The rest keeps its shape, the level within 2 dB (the peaks count
        // in the blocks they are in).
        let db = 20.0 * (speech_rms(&out).unwrap() / SPEECH_RMS).log10();
        assert!(db.abs() < 2.0, "{db} dB");
        assert_eq!(limited(1000.0), 1000.0);
        assert!(limited(1e9) <= PEAK as f64 && limited(-1e9) >= -(PEAK as f64));
        let whisper = vec![3i16; 5000];
        assert_eq!(normalized(&whisper), whisper);
        assert_eq!(speech_rms(&[]), None);
    }
}
