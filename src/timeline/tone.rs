//! The tones that mark the timeline: start, end, countdown pip and rep tick.
//! Each is one pure sine frequency with short linear fades, so it has no
//! click and a test can find it by its frequency alone.

use serde::Serialize;

use super::SAMPLE_RATE;

/// Speech that follows a tone waits this long after the tone ends (0.2 s).
pub const TONE_GAP: u64 = SAMPLE_RATE as u64 / 5;

/// The least silence between two utterances anywhere (0.25 s): words run
/// together are heard as other words ("Left leg." and "2" as "left two").
pub const PAUSE: u64 = SAMPLE_RATE as u64 / 4;

/// The level speech is mixed at: the gated RMS every clip is brought to
/// (`voice::level`), about −18 dBFS.
pub const SPEECH_RMS: f64 = 4_000.0;

/// The tones' RMS: 1 dB under the speech, so that a tone marks the time
/// without startling.
pub const TONE_RMS: f64 = SPEECH_RMS * 0.89;

/// How the tones sound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ToneStyle {
    /// A5, D5, D6 and G6.
    #[default]
    Bright,
    /// An octave lower, for ears that find the bright tones sharp.
    Low,
}

/// The kinds of tone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToneKind {
    /// Work starts: a bright A5.
    Start,
    /// Work ends: a lower, longer D5.
    End,
    /// A countdown second, when counting is by tone: a short D6 pip.
    Countdown,
    /// A rep or hold count, when counting is by tone: a very short G6 tick.
    Tick,
}

impl ToneKind {
    pub const ALL: [ToneKind; 4] = [
        ToneKind::Start,
        ToneKind::End,
        ToneKind::Countdown,
        ToneKind::Tick,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ToneKind::Start => "start",
            ToneKind::End => "end",
            ToneKind::Countdown => "countdown",
            ToneKind::Tick => "tick",
        }
    }

    /// The tone's one frequency, in hertz, in the bright style.
    pub fn hz(self) -> u32 {
        self.hz_in(ToneStyle::Bright)
    }

    /// The tone's one frequency, in hertz, in `style`.
    pub fn hz_in(self, style: ToneStyle) -> u32 {
        let bright = match self {
            ToneKind::Start => 880,
            ToneKind::End => 587,
            ToneKind::Countdown => 1175,
            ToneKind::Tick => 1568,
        };
        match style {
            ToneStyle::Bright => bright,
            ToneStyle::Low => bright / 2,
        }
    }

    /// Length in samples.
    pub fn samples(self) -> u64 {
        let ms: u64 = match self {
            ToneKind::Start => 300,
            ToneKind::End => 500,
            ToneKind::Countdown => 120,
            ToneKind::Tick => 60,
        };
        ms * SAMPLE_RATE as u64 / 1000
    }

    /// The tone's samples: a sine at full length with linear fades in and
    /// out. The first sample is already non-zero, so the tone's onset is
    /// exactly its first sample.
    pub fn render(self) -> Vec<i16> {
        self.render_in(ToneStyle::Bright)
    }

    /// [`ToneKind::render`] in `style`.
    pub fn render_in(self, style: ToneStyle) -> Vec<i16> {
        // A sine's RMS is its amplitude over √2.
        let amplitude = TONE_RMS * std::f64::consts::SQRT_2 / i16::MAX as f64;
        let len = self.samples() as usize;
        let fade = (SAMPLE_RATE as usize / 200).min(len / 2); // 5 ms
        let w = 2.0 * std::f64::consts::PI * self.hz_in(style) as f64 / SAMPLE_RATE as f64;
        (0..len)
            .map(|i| {
                let rise = (i + 1) as f64 / fade as f64;
                let fall = (len - i) as f64 / fade as f64;
                let envelope = rise.min(fall).min(1.0);
                let x = amplitude * envelope * (w * (i as f64 + 0.5)).sin();
                (x * i16::MAX as f64).round() as i16
            })
            .collect()
    }
}

/// Where speech may start after the onset of a tone of this kind.
pub fn after_tone(kind: ToneKind) -> u64 {
    kind.samples() + TONE_GAP
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_start_and_end_without_a_click() {
        for kind in ToneKind::ALL {
            let s = kind.render();
            assert_eq!(s.len() as u64, kind.samples());
            assert_ne!(s[0], 0, "{kind:?} must sound from its first sample");
            assert!(s[0].abs() < 200 && s[s.len() - 1].abs() < 200);
            let peak = s.iter().map(|x| x.unsigned_abs()).max().unwrap();
            let want = TONE_RMS * std::f64::consts::SQRT_2;
            assert!(
                (peak as f64 - want).abs() < want * 0.01,
                "{kind:?} peak {peak}"
            );
        }
    }

    #[test]
    fn tones_differ_in_frequency_and_length() {
        let mut hz: Vec<u32> = ToneKind::ALL.iter().map(|k| k.hz()).collect();
        hz.sort();
        hz.dedup();
        assert_eq!(hz.len(), 4);
        assert!(ToneKind::End.samples() > ToneKind::Start.samples());
        assert!(ToneKind::Tick.samples() < ToneKind::Countdown.samples());
    }
}
