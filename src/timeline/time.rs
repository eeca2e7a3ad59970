//! Time on the timeline: [`Dur`], an exact length in microseconds, its one
//! rounding to samples, and every way a sample position is written for
//! people and file formats. All sample <-> time arithmetic lives here.

use std::fmt;

use super::SAMPLE_RATE;

/// The session rate as a `u64`, for sample arithmetic.
pub const RATE: u64 = SAMPLE_RATE as u64;

/// Whole seconds as samples.
pub const fn secs(s: u64) -> u64 {
    s * RATE
}

/// Milliseconds as samples, rounded down.
pub const fn millis(ms: u64) -> u64 {
    ms * RATE / 1000
}

/// Samples as milliseconds, rounded down.
pub const fn to_millis(samples: u64) -> u64 {
    samples * 1000 / RATE
}

/// Seconds as samples, rounded down.
pub fn from_secs_f64(seconds: f64) -> u64 {
    (seconds * SAMPLE_RATE as f64) as u64
}

/// Samples as seconds.
pub fn to_secs_f64(samples: u64) -> f64 {
    samples as f64 / SAMPLE_RATE as f64
}

/// Samples as seconds rounded to the millisecond, as the session log
/// writes them.
pub fn to_secs_3(samples: u64) -> f64 {
    (to_secs_f64(samples) * 1000.0).round() / 1000.0
}

/// Samples as whole seconds, rounded up: the seconds left of a period.
pub fn ceil_secs(samples: u64) -> u64 {
    samples.div_ceil(RATE)
}

/// A length of time, kept in whole microseconds so that sums and multiples
/// stay exact until the single rounding to samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dur(u64);

const MICROS_PER_SECOND: u64 = 1_000_000;

impl Dur {
    /// The longest duration a routine may give: 24 hours.
    pub const MAX: Dur = Dur(24 * 3600 * MICROS_PER_SECOND);
    pub const ZERO: Dur = Dur(0);

    pub const fn from_micros(us: u64) -> Dur {
        Dur(us)
    }

    pub const fn from_millis(ms: u64) -> Dur {
        Dur(ms * 1000)
    }

    pub const fn from_secs(s: u64) -> Dur {
        Dur(s * MICROS_PER_SECOND)
    }

    pub const fn micros(self) -> u64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND as f64
    }

    /// This duration as a sample count at the session rate, rounded to the
    /// nearest sample (halves up). Every timed offset in a plan is computed
    /// from an exact microsecond total through this one function, so that
    /// `reps × tempo` lands on the same sample however it is summed.
    pub fn samples(self) -> u64 {
        micros_to_samples(self.0 as u128)
    }
}

/// Exact rounding of a microsecond count to samples: µs × rate / 10⁶.
pub fn micros_to_samples(us: u128) -> u64 {
    let num = us * SAMPLE_RATE as u128;
    let den = MICROS_PER_SECOND as u128;
    ((num + den / 2) / den) as u64
}

impl fmt::Display for Dur {
    /// Formats the way a routine would write it: `30s`, `1m30s`, `1.5s`,
    /// `500ms`, `1h`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us == 0 {
            return f.write_str("0s");
        }
        if us < MICROS_PER_SECOND && us % 1000 == 0 {
            return write!(f, "{}ms", us / 1000);
        }
        let hours = us / (3600 * MICROS_PER_SECOND);
        let minutes = us / (60 * MICROS_PER_SECOND) % 60;
        let rest = us % (60 * MICROS_PER_SECOND);
        let mut out = String::new();
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}m"));
        }
        if rest > 0 {
            let secs = rest / MICROS_PER_SECOND;
            let frac = rest % MICROS_PER_SECOND;
            if frac == 0 {
                out.push_str(&format!("{secs}s"));
            } else {
                let digits = format!("{frac:06}");
                out.push_str(&format!("{secs}.{}s", digits.trim_end_matches('0')));
            }
        }
        f.write_str(&out)
    }
}

/// A length of samples the way a routine writes it: `6s`, `1.5s`, `1m30s`.
pub fn length(samples: u64) -> String {
    let micros = (samples as u128 * 1_000_000 / SAMPLE_RATE as u128) as u64;
    Dur::from_micros(micros).to_string()
}

/// A session time as `M:SS.ss` (or `H:MM:SS.ss`).
pub fn clock(samples: u64) -> String {
    let centis = (samples as u128 * 100 + SAMPLE_RATE as u128 / 2) / SAMPLE_RATE as u128;
    let (h, rest) = (centis / 360_000, centis % 360_000);
    let (m, rest) = (rest / 6000, rest % 6000);
    let (s, c) = (rest / 100, rest % 100);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{c:02}")
    } else {
        format!("{m}:{s:02}.{c:02}")
    }
}

/// A session time to the second, as `M:SS` (or `H:MM:SS`).
pub fn clock_seconds(samples: u64) -> String {
    let seconds = samples / RATE;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `[mm:ss.xx]`: LRC times, in hundredths, rounded down so a line never
/// shows before its moment.
pub fn lrc_time(samples: u64) -> String {
    let cs = samples * 100 / RATE;
    format!("[{:02}:{:02}.{:02}]", cs / 6000, cs / 100 % 60, cs % 100)
}

/// `mm:ss:ff`: CUE times in frames of 1/75 s, rounded down.
pub fn cue_time(samples: u64) -> String {
    let frames = samples * 75 / RATE;
    format!(
        "{:02}:{:02}:{:02}",
        frames / (75 * 60),
        frames / 75 % 60,
        frames % 75
    )
}

/// `HH:MM:SS.mmm`, as the Vorbis chapter extension writes times.
pub fn chapter_time(samples: u64) -> String {
    let ms = to_millis(samples);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats_session_times() {
        assert_eq!(clock(0), "0:00.00");
        assert_eq!(clock(22_050 * 61 + 11_025), "1:01.50");
        assert_eq!(clock(22_050 * 3_723), "1:02:03.00");
    }

    #[test]
    fn clock_seconds_drops_the_fraction() {
        assert_eq!(clock_seconds(22_050 * 61 + 22_049), "1:01");
        assert_eq!(clock_seconds(22_050 * 3_723), "1:02:03");
    }

    #[test]
    fn times_round_down_to_their_units() {
        let sr = SAMPLE_RATE as u64;
        assert_eq!(lrc_time(0), "[00:00.00]");
        assert_eq!(lrc_time(sr * 61 + sr / 2), "[01:01.50]");
        assert_eq!(lrc_time(sr - 1), "[00:00.99]");
        assert_eq!(cue_time(sr * 61 + sr / 2), "01:01:37");
        assert_eq!(cue_time(sr - 1), "00:00:74");
    }

    #[test]
    fn chapter_times_are_written_to_the_millisecond() {
        assert_eq!(chapter_time(0), "00:00:00.000");
        assert_eq!(
            chapter_time(SAMPLE_RATE as u64 * 3723 + 11_025),
            "01:02:03.500"
        );
    }
}
