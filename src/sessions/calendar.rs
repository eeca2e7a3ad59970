//! Local dates and times for the session log, from the system's time zone
//! rules (`TZ` or /etc/localtime), so a day is the listener's day even
//! across a daylight-saving change.

use std::fmt;

/// A day of the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Date {
    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// 0 for Monday to 6 for Sunday.
    pub fn weekday(self) -> usize {
        (self.days() + 3).rem_euclid(7) as usize
    }

    /// The Monday of this date's week.
    pub fn monday(self) -> Date {
        self.add_days(-(self.weekday() as i64))
    }

    pub fn weekday_name(self) -> &'static str {
        WEEKDAYS[self.weekday()]
    }

    pub fn month_name(self) -> &'static str {
        MONTHS[(self.month as usize - 1).min(11)]
    }

    /// `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let date = Date { year, month, day };
        // Rejects 2026-02-30 and the like: they do not survive the round trip.
        ((1..=9999).contains(&year) && Date::from_days(date.days()) == date).then_some(date)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A moment in the listener's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Local {
    pub date: Date,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Seconds east of UTC.
    pub offset: i32,
}

impl Local {
    /// `2026-11-27T07:02:11+01:00`.
    pub fn rfc3339(&self) -> String {
        let sign = if self.offset < 0 { '-' } else { '+' };
        let off = self.offset.unsigned_abs();
        format!(
            "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.date,
            self.hour,
            self.minute,
            self.second,
            off / 3600,
            off / 60 % 60
        )
    }

    /// `Fri 27 Nov 07:02`.
    pub fn short(&self) -> String {
        format!(
            "{} {:2} {} {:02}:{:02}",
            self.date.weekday_name(),
            self.date.day,
            self.date.month_name(),
            self.hour,
            self.minute
        )
    }
}

#[cfg(unix)]
unsafe extern "C" {
    /// POSIX: reads `TZ` and the zone files.
    fn tzset();
}

/// The local time of `unix_ms` milliseconds since the epoch.
#[cfg(unix)]
pub fn local(unix_ms: i64) -> Local {
    let secs = unix_ms.div_euclid(1000) as libc::time_t;
    // SAFETY: tzset and localtime_r only read the environment and the
    // zone files; `tm` is a plain struct the call fills in.
    unsafe {
        tzset();
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return utc(unix_ms);
        }
        Local {
            date: Date {
                year: tm.tm_year + 1900,
                month: (tm.tm_mon + 1) as u32,
                day: tm.tm_mday as u32,
            },
            hour: tm.tm_hour as u32,
            minute: tm.tm_min as u32,
            second: tm.tm_sec as u32,
            offset: tm.tm_gmtoff as i32,
        }
    }
}

#[cfg(not(unix))]
pub fn local(unix_ms: i64) -> Local {
    utc(unix_ms)
}

/// UTC, where the system has no time zone rules to offer.
pub fn utc(unix_ms: i64) -> Local {
    let secs = unix_ms.div_euclid(1000);
    let of_day = secs.rem_euclid(86_400);
    Local {
        date: Date::from_days(secs.div_euclid(86_400)),
        hour: (of_day / 3600) as u32,
        minute: (of_day / 60 % 60) as u32,
        second: (of_day % 60) as u32,
        offset: 0,
    }
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_weekdays() {
        let d = Date {
            year: 1970,
            month: 1,
            day: 1,
        };
        assert_eq!(d.days(), 0);
        assert_eq!(d.weekday_name(), "Thu");
        for n in [-800_000, -1, 0, 59, 60, 365, 11_016, 20_000, 2_932_896] {
            assert_eq!(Date::from_days(n).days(), n);
        }
        let leap = Date::parse("2024-02-29").unwrap();
        assert_eq!(leap.add_days(1).to_string(), "2024-03-01");
        assert_eq!(Date::parse("2026-11-27").unwrap().weekday_name(), "Fri");
        assert_eq!(
            Date::parse("2026-11-27").unwrap().monday().to_string(),
            "2026-11-23"
        );
        assert_eq!(Date::parse("2026-02-29"), None);
        assert_eq!(Date::parse("2026-13-01"), None);
        assert_eq!(Date::parse("yesterday"), None);
    }

    #[test]
    fn utc_breaks_a_moment_into_its_parts() {
        // 2026-03-29T01:30:00Z
        let t = utc(1_774_747_800_000);
        assert_eq!(t.rfc3339(), "2026-03-29T01:30:00+00:00");
        assert_eq!(t.short(), "Sun 29 Mar 01:30");
    }
}
