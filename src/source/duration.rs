//! Durations as routine and config files write them (`"30s"`, `"1m30s"`,
//! `"500ms"`, `2.5`), read into the timeline's exact [`Dur`].

use crate::timeline::Dur;

/// Why a duration string could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum DurError {
    /// Not of the form `<number><unit>...`.
    Syntax,
    /// A plain number in a string, such as `"30"`.
    NoUnit,
    /// Units out of order or repeated, such as `"30s1m"`.
    Order,
    /// Larger than any duration a routine may give.
    TooLong,
    /// A word where a unit goes that is none: the word.
    UnknownUnit(String),
}

const UNITS: [(&str, u64); 4] = [
    ("h", 3600 * 1_000_000),
    ("m", 60 * 1_000_000),
    ("s", 1_000_000),
    ("ms", 1000),
];

/// The units as people also write them, each with its place in [`UNITS`].
const SPELLINGS: &[(&str, usize)] = &[
    ("h", 0),
    ("hr", 0),
    ("hrs", 0),
    ("hour", 0),
    ("hours", 0),
    ("m", 1),
    ("min", 1),
    ("mins", 1),
    ("minute", 1),
    ("minutes", 1),
    ("s", 2),
    ("sec", 2),
    ("secs", 2),
    ("second", 2),
    ("seconds", 2),
    ("ms", 3),
    ("msec", 3),
    ("millisecond", 3),
    ("milliseconds", 3),
];

/// The units a duration may have, as an error message lists them.
pub const KNOWN_UNITS: &str = "h (hr, hour), m (min, minute), s (sec, second), ms";

/// `m:ss` or `h:mm:ss`, as a clock writes it (`1:30`, `1:02:30`, `0:45.5`).
fn parse_clock(s: &str) -> Option<Result<Dur, DurError>> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() < 2 {
        return None;
    }
    if parts.len() > 3 {
        return Some(Err(DurError::Syntax));
    }
    let (last, whole) = parts.split_last()?;
    let Some(seconds) = last.parse::<f64>().ok().filter(|_| {
        let int = last.split('.').next().unwrap_or("");
        int.len() == 2
            && !last.ends_with('.')
            && last.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    }) else {
        return Some(Err(DurError::Syntax));
    };
    if seconds >= 60.0 {
        return Some(Err(DurError::Syntax));
    }
    let mut total: u64 = 0;
    for (k, p) in whole.iter().enumerate() {
        if p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Err(DurError::Syntax));
        }
        let n: u64 = p.parse().ok()?;
        // h:mm:ss: the minutes are two digits under 60.
        if whole.len() == 2 && k == 1 && (p.len() != 2 || n >= 60) {
            return Some(Err(DurError::Syntax));
        }
        total = total * 60 + n;
    }
    Some(seconds_to_dur(total as f64 * 60.0 + seconds))
}

/// Parses a duration string: one or more `<number><unit>` parts with units
/// `h`, `m`, `s`, `ms`, largest first, each at most once, optionally
/// separated by spaces. Numbers may have a decimal fraction.
pub fn parse_duration(text: &str) -> Result<Dur, DurError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DurError::Syntax);
    }
    if s.parse::<f64>().is_ok() {
        return Err(DurError::NoUnit);
    }
    if let Some(clock) = parse_clock(s) {
        return clock;
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: u128 = 0;
    let mut last_unit: Option<usize> = None;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &s[start..i];
        let mut frac_part = "";
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let fs = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &s[fs..i];
            if frac_part.is_empty() {
                return Err(DurError::Syntax);
            }
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(DurError::Syntax);
        }
        // "30 s" and "30 seconds" as well as "30s".
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let us = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &s[us..i];
        let Some(&(_, unit_index)) = SPELLINGS.iter().find(|(name, _)| *name == unit) else {
            return Err(if unit.is_empty() {
                DurError::NoUnit
            } else {
                DurError::UnknownUnit(unit.to_string())
            });
        };
        if last_unit.is_some_and(|last| unit_index <= last) {
            return Err(DurError::Order);
        }
        last_unit = Some(unit_index);
        let scale = UNITS[unit_index].1 as u128;
        // Anything past 24 hours is rejected anyway; cap the digits so the
        // arithmetic below cannot overflow.
        if int_part.trim_start_matches('0').len() > 12 {
            return Err(DurError::TooLong);
        }
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| DurError::Syntax)?
        };
        total += whole * scale;
        total += fraction_micros(frac_part, scale);
        if total > Dur::MAX.micros() as u128 {
            return Err(DurError::TooLong);
        }
    }
    if last_unit.is_none() {
        return Err(DurError::Syntax);
    }
    Ok(Dur::from_micros(total as u64))
}

/// `0.<digits>` of `scale` microseconds, rounded to the nearest microsecond.
fn fraction_micros(digits: &str, scale: u128) -> u128 {
    // Digits past the 18th cannot change a value below 24 hours at
    // microsecond precision; dropping them keeps the arithmetic in range.
    let digits = &digits[..digits.len().min(18)];
    if digits.is_empty() {
        return 0;
    }
    let num: u128 = digits.parse().unwrap_or(0);
    let den = 10u128.pow(digits.len() as u32);
    (num * scale + den / 2) / den
}

/// A duration given as a plain number of seconds.
pub fn seconds_to_dur(seconds: f64) -> Result<Dur, DurError> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(DurError::Syntax);
    }
    if seconds > Dur::MAX.as_secs_f64() {
        return Err(DurError::TooLong);
    }
    Ok(Dur::from_micros((seconds * 1e6).round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::time::micros_to_samples;

    #[test]
    fn parses_every_documented_form() {
        let cases: &[(&str, u64)] = &[
            ("30s", 30_000_000),
            ("1m30s", 90_000_000),
            ("1.5s", 1_500_000),
            ("500ms", 500_000),
            ("2m", 120_000_000),
            ("1h", 3_600_000_000),
            ("1h 2m 3s", 3_723_000_000),
            ("0.25s", 250_000),
            (".5s", 500_000),
            ("1m0.5s", 60_500_000),
            ("1s500ms", 1_500_000),
            ("0s", 0),
            ("24h", 86_400_000_000),
            ("1.0000004s", 1_000_000),
            ("1.0000005s", 1_000_001),
            (" 30s ", 30_000_000),
            ("30 sec", 30_000_000),
            ("30 seconds", 30_000_000),
            ("30secs", 30_000_000),
            ("1 second", 1_000_000),
            ("1 min", 60_000_000),
            ("2 minutes 30 seconds", 150_000_000),
            ("1 hr", 3_600_000_000),
            ("1 hour 5 mins", 3_900_000_000),
            ("1.5 minutes", 90_000_000),
            ("250 msec", 250_000),
            ("1:30", 90_000_000),
            ("0:45", 45_000_000),
            ("0:45.5", 45_500_000),
            ("12:05", 725_000_000),
            ("1:02:30", 3_750_000_000),
        ];
        for (text, us) in cases {
            assert_eq!(parse_duration(text), Ok(Dur::from_micros(*us)), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_durations() {
        let cases: &[(&str, DurError)] = &[
            ("", DurError::Syntax),
            ("s", DurError::Syntax),
            ("30", DurError::NoUnit),
            ("2.5", DurError::NoUnit),
            ("30x", DurError::UnknownUnit("x".into())),
            ("30 sekunden", DurError::UnknownUnit("sekunden".into())),
            ("30 s x", DurError::Syntax),
            ("1:3", DurError::Syntax),
            ("1:60", DurError::Syntax),
            ("1:5:00", DurError::Syntax),
            ("1:30s", DurError::Syntax),
            ("1:30.", DurError::Syntax),
            ("30 Seconds", DurError::UnknownUnit("Seconds".into())),
            ("-3s", DurError::Syntax),
            ("30s1m", DurError::Order),
            ("1s1s", DurError::Order),
            ("1.s", DurError::Syntax),
            ("1m30", DurError::NoUnit),
            ("24h1ms", DurError::TooLong),
            ("99999999999999999999999s", DurError::TooLong),
            ("25h", DurError::TooLong),
        ];
        for (text, err) in cases {
            assert_eq!(parse_duration(text).as_ref(), Err(err), "{text}");
        }
    }

    #[test]
    fn seconds_as_numbers() {
        assert_eq!(seconds_to_dur(30.0), Ok(Dur::from_micros(30_000_000)));
        assert_eq!(seconds_to_dur(2.5), Ok(Dur::from_micros(2_500_000)));
        assert_eq!(seconds_to_dur(-1.0), Err(DurError::Syntax));
        assert_eq!(seconds_to_dur(f64::NAN), Err(DurError::Syntax));
        assert_eq!(seconds_to_dur(f64::INFINITY), Err(DurError::Syntax));
        assert_eq!(seconds_to_dur(90_000.0), Err(DurError::TooLong));
    }

    #[test]
    fn samples_round_to_nearest() {
        assert_eq!(Dur::from_secs(1).samples(), 22_050);
        assert_eq!(Dur::from_millis(500).samples(), 11_025);
        // 1 ms is 22.05 samples.
        assert_eq!(Dur::from_millis(1).samples(), 22);
        // 1/44100 s is half a sample: rounds up.
        assert_eq!(micros_to_samples(1_000_000 / 44_100 + 1), 1);
        assert_eq!(Dur::MAX.samples(), 86_400 * 22_050);
    }

    #[test]
    fn displays_like_a_routine_writes_it() {
        let cases: &[(u64, &str)] = &[
            (30_000_000, "30s"),
            (90_000_000, "1m30s"),
            (1_500_000, "1.5s"),
            (500_000, "500ms"),
            (3_600_000_000, "1h"),
            (0, "0s"),
            (1_000_001, "1.000001s"),
        ];
        for (us, text) in cases {
            assert_eq!(Dur::from_micros(*us).to_string(), *text);
            assert_eq!(parse_duration(text), Ok(Dur::from_micros(*us)));
        }
    }
}
