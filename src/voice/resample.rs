//! Sample-rate conversion for clips from voices that do not speak at the
//! session rate (Piper models at 16 kHz, MBROLA voices): a windowed-sinc
//! interpolator, low-passed below the lower of the two Nyquist rates, so
//! nothing is dropped or aliased.

use std::f64::consts::PI;

/// Zero crossings of the sinc kernel on each side: enough for speech to
/// come through clean (stop-band below -80 dB with the Blackman window).
const ZERO_CROSSINGS: f64 = 16.0;

/// `input` at `from` Hz, converted to `to` Hz.
pub fn resample(input: &[i16], from: u32, to: u32) -> Vec<i16> {
    if from == to || input.is_empty() {
        return input.to_vec();
    }
    let ratio = to as f64 / from as f64;
    let out_len = (input.len() as f64 * ratio).round() as usize;
    // Cut off just below the lower Nyquist frequency, in input samples.
    let cutoff = ratio.min(1.0) * 0.97;
    let half = ZERO_CROSSINGS / cutoff;
    let last = input.len() as isize - 1;
    (0..out_len)
        .map(|n| {
            let t = n as f64 / ratio;
            let first = ((t - half).ceil() as isize).max(0);
            let end = ((t + half).floor() as isize).min(last);
            let mut acc = 0.0;
            for k in first..=end {
                let x = t - k as f64;
                acc += input[k as usize] as f64 * cutoff * sinc(cutoff * x) * blackman(x / half);
            }
            acc.round().clamp(i16::MIN as f64, i16::MAX as f64) as i16
        })
        .collect()
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        (PI * x).sin() / (PI * x)
    }
}

/// The Blackman window over -1..=1.
fn blackman(x: f64) -> f64 {
    if x.abs() >= 1.0 {
        return 0.0;
    }
    let p = PI * (x + 1.0);
    0.42 - 0.5 * p.cos() + 0.08 * (2.0 * p).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(hz: f64, rate: u32, seconds: f64, amplitude: f64) -> Vec<i16> {
        let n = (rate as f64 * seconds) as usize;
        (0..n)
            .map(|i| (amplitude * (2.0 * PI * hz * i as f64 / rate as f64).sin()).round() as i16)
            .collect()
    }

    /// Frequency by counting rising zero crossings over the middle.
    fn frequency(x: &[i16], rate: u32) -> f64 {
        let mid = &x[x.len() / 4..x.len() * 3 / 4];
        let rising = mid.windows(2).filter(|w| w[0] < 0 && w[1] >= 0).count();
        rising as f64 * rate as f64 / mid.len() as f64
    }

    fn peak(x: &[i16]) -> i16 {
        x[x.len() / 4..x.len() * 3 / 4]
            .iter()
            .map(|s| s.abs())
            .max()
            .unwrap()
    }

    #[test]
    fn keeps_length_pitch_and_level() {
        for (from, to) in [
            (16_000, 22_050),
            (44_100, 22_050),
            (22_050, 22_050),
            (8_000, 22_050),
        ] {
            let input = sine(1000.0, from, 2.0, 10_000.0);
            let out = resample(&input, from, to);
            let want = (input.len() as f64 * to as f64 / from as f64).round() as usize;
            assert_eq!(out.len(), want, "{from} -> {to}");
            let hz = frequency(&out, to);
            assert!((hz - 1000.0).abs() < 2.0, "{from} -> {to}: {hz} Hz");
            let level = peak(&out) as f64 / 10_000.0;
            assert!((level - 1.0).abs() < 0.02, "{from} -> {to}: level {level}");
        }
    }

    #[test]
    fn removes_what_the_lower_rate_cannot_hold() {
        // 15 kHz at 44.1 kHz is above 22.05 kHz's Nyquist: it must vanish,
        // not fold back as a 7 kHz tone.
        let input = sine(15_000.0, 44_100, 1.0, 10_000.0);
        let out = resample(&input, 44_100, 22_050);
        assert!(peak(&out) < 50, "aliased: peak {}", peak(&out));
    }
}
