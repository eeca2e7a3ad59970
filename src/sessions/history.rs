//! Reading the session log back: sessions rebuilt from their lines, the
//! per-day summary and streak of `coach history --week`, and the session
//! `play --resume` continues.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, anyhow};
use serde::Serialize;

use super::calendar::{Date, local};
use super::{Line, LogEvent, Outcome, Reason};

/// A session as the log tells it.
#[derive(Clone, Debug, Serialize)]
pub struct Session {
    pub id: String,
    /// Milliseconds since the epoch.
    pub started: i64,
    /// The local start time, RFC 3339.
    pub start: String,
    pub title: String,
    pub routine: String,
    pub built_in: bool,
    pub hash: String,
    /// Seconds planned from where it started.
    pub planned: f64,
    /// Seconds played, pauses not counted.
    pub played: f64,
    /// `finished`, `quit`, `signal`, `device_lost`, or `unfinished` when the
    /// log has no end for it (the process was killed or the power failed).
    pub result: String,
    /// Work periods (holds, sets of reps) played to their end.
    pub completed: u32,
    /// Work periods left early or skipped over with a control.
    pub skipped: u32,
    /// From the end of a session that ended (not killed): its exercises
    /// (of every round, from where it started), those whose work was all
    /// played, and those with work skipped or left early.
    pub exercises: Option<u32>,
    pub exercises_done: Option<u32>,
    pub exercises_skipped: Option<u32>,
    pub pauses: u32,
    /// Where an unfinished session stopped: the exercise it was in.
    pub stopped_in: Option<StoppedIn>,
    /// The session this one resumed.
    pub resumes: Option<String>,
    /// The last time the log heard of it, ms since the epoch.
    #[serde(skip)]
    pub last_seen: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StoppedIn {
    /// From 0.
    pub exercise: usize,
    pub round: u32,
    pub name: String,
}

impl Session {
    pub fn finished(&self) -> bool {
        self.result == "finished"
    }

    /// Whether it counts towards a streak: some work (a hold, a set of
    /// reps) was played to its end, whether it finished or not.
    pub fn worked(&self) -> bool {
        self.completed > 0
    }
}

/// Sessions in the log, oldest first, and how many lines could not be read.
#[derive(Debug, Default)]
pub struct Log {
    pub sessions: Vec<Session>,
    /// Lines that were not valid JSON lines of the log (a torn last line
    /// after a power cut, or a file edited by hand).
    pub unreadable: usize,
    /// Whether the last line was one of them.
    pub torn_end: bool,
}

fn reason_name(r: Reason) -> &'static str {
    match r {
        Reason::Finished => "finished",
        Reason::Quit => "quit",
        Reason::Signal => "signal",
        Reason::DeviceLost => "device_lost",
    }
}

/// Reads the log, warning once about lines it could not read.
pub fn read_log() -> anyhow::Result<Log> {
    let path =
        super::log_path().ok_or_else(|| anyhow!("there is no data folder for the session log"))?;
    let log =
        read(&path).with_context(|| format!("cannot read the session log {}", path.display()))?;
    if log.unreadable > 0 {
        let what = if log.unreadable == 1 && log.torn_end {
            "its last line was cut short (the session was probably stopped by a power cut or a kill) and is skipped".to_string()
        } else {
            format!(
                "{} line{} could not be read and {} skipped",
                log.unreadable,
                if log.unreadable == 1 { "" } else { "s" },
                if log.unreadable == 1 { "is" } else { "are" }
            )
        };
        crate::guard::out::line(&format!("warning: session log {}: {what}", path.display()));
    }
    Ok(log)
}

/// Reads the log at `path`; a missing file is an empty log.
pub fn read(path: &Path) -> std::io::Result<Log> {
    let file = match crate::guard::read::open(path) {
        Ok(f) => f,
        Err(e) if e.not_found() => return Ok(Log::default()),
        Err(crate::guard::read::ReadError::Io(e)) => return Err(e),
        Err(e) => return Err(std::io::Error::other(e.to_string())),
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut log = Log::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)?
            == 0
        {
            break;
        }
        if buf.len() > MAX_LINE {
            // No line coach writes is near this long: skip to the next.
            skip_line(&mut reader)?;
            log.unreadable += 1;
            log.torn_end = true;
            continue;
        }
        let text = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(line) = serde_json::from_slice::<Line<'_>>(text) else {
            log.unreadable += 1;
            log.torn_end = true;
            continue;
        };
        log.torn_end = false;
        apply(&mut log.sessions, &mut index, &line);
    }
    Ok(log)
}

/// The longest line of the log that is read; coach's own are under 1 KiB.
const MAX_LINE: usize = 64 << 10;

/// Reads past the rest of a line without keeping it.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

fn apply(sessions: &mut Vec<Session>, index: &mut HashMap<String, usize>, line: &Line<'_>) {
    if line.event == Some(LogEvent::Start) {
        index.insert(line.session.to_string(), sessions.len());
        sessions.push(Session {
            id: line.session.to_string(),
            started: line.t,
            start: line
                .at
                .as_deref()
                .map_or_else(|| local(line.t).rfc3339(), str::to_string),
            title: line.title.as_deref().unwrap_or("").to_string(),
            routine: line.routine.as_deref().unwrap_or("").to_string(),
            built_in: line.built_in,
            hash: line.hash.as_deref().unwrap_or("").to_string(),
            planned: line.planned.unwrap_or(0.0),
            played: 0.0,
            result: "unfinished".into(),
            completed: 0,
            skipped: 0,
            exercises: None,
            exercises_done: None,
            exercises_skipped: None,
            pauses: 0,
            stopped_in: None,
            resumes: line.resumes.as_deref().map(str::to_string),
            last_seen: line.t,
        });
        return;
    }
    // Lines of a session whose start is lost are ignored.
    let Some(&i) = index.get(line.session.as_ref()) else {
        return;
    };
    let s = &mut sessions[i];
    s.last_seen = s.last_seen.max(line.t);
    if let Some(p) = line.played {
        s.played = s.played.max(p);
    }
    let place = || {
        Some(StoppedIn {
            exercise: line.exercise?,
            round: line.round.unwrap_or(1),
            name: line.name.as_deref().unwrap_or("").to_string(),
        })
    };
    match line.event {
        Some(LogEvent::Exercise) => s.stopped_in = place(),
        Some(LogEvent::Period) if line.kind.as_deref() == Some("work") => match line.outcome {
            Some(Outcome::Completed) => s.completed += 1,
            Some(Outcome::Skipped) => s.skipped += 1,
            _ => {}
        },
        Some(LogEvent::Pause) => s.pauses += 1,
        Some(LogEvent::End) => {
            if let Some(r) = line.reason {
                s.result = reason_name(r).into();
            }
            s.exercises = line.exercises;
            s.exercises_done = line.done;
            s.exercises_skipped = line.skipped;
            s.stopped_in = if line.reason == Some(Reason::Finished) {
                None
            } else {
                place().or(s.stopped_in.take())
            };
        }
        _ => {}
    }
}

/// The session `play --resume` continues: the newest that did not finish
/// and has not been resumed since, of `routine` if given (as the log names
/// it).
pub fn resumable<'a>(log: &'a Log, routine: Option<&str>) -> Option<&'a Session> {
    let resumed: std::collections::HashSet<&str> = log
        .sessions
        .iter()
        .filter_map(|s| s.resumes.as_deref())
        .collect();
    log.sessions.iter().rev().find(|s| {
        !s.finished() && !resumed.contains(s.id.as_str()) && routine.is_none_or(|r| s.routine == r)
    })
}

/// One day of `--week`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Day {
    pub date: String,
    pub weekday: &'static str,
    pub minutes: f64,
    pub sessions: u32,
}

/// `coach history --week`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Week {
    /// The Monday.
    pub week_of: String,
    pub days: Vec<Day>,
    pub total_minutes: f64,
    /// Days in a row, ending on `today` (or the day before, if nothing has
    /// been done yet on `today`), with a session that did some work: a
    /// hold or a set of reps played to its end.
    pub streak_days: u32,
    pub streak_since: Option<String>,
}

/// The week holding `today`, with the streak up to `today`.
pub fn week(log: &Log, today: Date) -> Week {
    let mut per_day: HashMap<Date, (f64, u32, bool)> = HashMap::new();
    for s in &log.sessions {
        let day = local(s.started).date;
        let e = per_day.entry(day).or_default();
        e.0 += s.played;
        e.1 += 1;
        e.2 |= s.worked();
    }
    let monday = today.monday();
    let days: Vec<Day> = (0..7)
        .map(|k| {
            let date = monday.add_days(k);
            let (secs, n, _) = per_day.get(&date).copied().unwrap_or_default();
            Day {
                date: date.to_string(),
                weekday: date.weekday_name(),
                minutes: (secs / 60.0 * 10.0).round() / 10.0,
                sessions: n,
            }
        })
        .collect();
    let total = days.iter().map(|d| d.minutes).sum::<f64>();
    let counts = |d: &Date| per_day.get(d).is_some_and(|e| e.2);
    let mut end = today;
    if !counts(&end) {
        end = end.add_days(-1);
    }
    let mut streak = 0;
    let mut day = end;
    while counts(&day) {
        streak += 1;
        day = day.add_days(-1);
    }
    Week {
        week_of: monday.to_string(),
        days,
        total_minutes: (total * 10.0).round() / 10.0,
        streak_days: streak,
        streak_since: (streak > 0).then(|| day.add_days(1).to_string()),
    }
}

/// The streak `today` would make if a session that did some work ended
/// today: today, and the days in a row before it that count.
pub fn streak_with_today(log: &Log, today: Date) -> u32 {
    let yesterday = today.add_days(-1);
    if counts_on(log, yesterday) {
        week(log, yesterday).streak_days + 1
    } else {
        1
    }
}

/// Whether `day` counts toward a streak.
fn counts_on(log: &Log, day: Date) -> bool {
    log.sessions
        .iter()
        .any(|s| local(s.started).date == day && s.worked())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_log(lines: &[&str]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        for l in lines {
            f.write_all(l.as_bytes()).unwrap();
        }
        f
    }

    const START: &str = r#"{"t":1000,"session":"a","event":"start","title":"T","routine":"/r.toml","hash":"h","planned":60.0}
"#;

    #[test]
    fn a_killed_session_is_unfinished_in_the_exercise_it_was_in() {
        let f = write_log(&[
            START,
            r#"{"t":2000,"session":"a","event":"exercise","exercise":0,"round":1,"name":"A","played":1.0,"pos":1.5}
"#,
            r#"{"t":9000,"session":"a","event":"period","kind":"work","exercise":0,"round":1,"outcome":"completed","secs":5.0,"len":5.0,"played":8.0,"pos":8.5}
"#,
            r#"{"t":9500,"session":"a","event":"exercise","exercise":1,"round":1,"name":"B","played":8.5,"pos":9.0}
"#,
            // Torn by a power cut: no line end, cut mid-value.
            r#"{"t":9900,"session":"a","event":"per"#,
        ]);
        let log = read(f.path()).unwrap();
        assert_eq!(log.unreadable, 1);
        assert!(log.torn_end);
        let s = &log.sessions[0];
        assert_eq!(s.result, "unfinished");
        assert_eq!(s.completed, 1);
        assert_eq!(s.played, 8.5);
        assert_eq!(
            s.stopped_in,
            Some(StoppedIn {
                exercise: 1,
                round: 1,
                name: "B".into()
            })
        );
        assert_eq!(resumable(&log, None).map(|s| s.id.as_str()), Some("a"));
        assert_eq!(resumable(&log, Some("/other.toml")).map(|s| &s.id), None);
    }

    #[test]
    fn finished_and_resumed_sessions_are_not_resumable() {
        let f = write_log(&[
            START,
            r#"{"t":3000,"session":"a","event":"end","reason":"quit","exercise":1,"round":2,"name":"B","played":2.0,"pos":2.0}
"#,
            r#"{"t":4000,"session":"b","event":"start","title":"T","routine":"/r.toml","hash":"h","planned":30.0,"resumes":"a"}
"#,
            r#"{"t":5000,"session":"b","event":"end","reason":"finished","played":30.0,"pos":60.0}
"#,
        ]);
        let log = read(f.path()).unwrap();
        assert_eq!(log.unreadable, 0);
        let a = &log.sessions[0];
        assert_eq!(a.result, "quit");
        assert_eq!(a.stopped_in.as_ref().map(|p| p.round), Some(2));
        assert!(log.sessions[1].finished());
        assert!(resumable(&log, None).is_none());
    }

    #[test]
    fn the_streak_counts_days_in_a_row_up_to_yesterday_or_today() {
        let day_ms = 86_400_000i64;
        let noon = |d: &str| Date::parse(d).unwrap().days() * day_ms + 12 * 3_600_000;
        let mut log = Log::default();
        for (d, played, result, completed) in [
            ("2026-10-30", 600.0, "quit", 3),
            // Finished, but every exercise skipped: no work, no streak.
            ("2026-10-31", 30.0, "finished", 0),
            ("2026-11-01", 300.0, "quit", 1),
            ("2026-11-02", 300.0, "quit", 2),
        ] {
            log.sessions.push(Session {
                id: d.into(),
                started: noon(d),
                start: String::new(),
                title: "T".into(),
                routine: "r".into(),
                built_in: false,
                hash: String::new(),
                planned: 600.0,
                played,
                result: result.into(),
                completed,
                skipped: 0,
                exercises: None,
                exercises_done: None,
                exercises_skipped: None,
                pauses: 0,
                stopped_in: None,
                resumes: None,
                last_seen: 0,
            });
        }
        // Run with TZ unset or UTC-like zones: noon is the same day anywhere
        // within 11 hours of UTC.
        let w = week(&log, Date::parse("2026-11-03").unwrap());
        assert_eq!(w.streak_days, 2);
        assert_eq!(w.streak_since.as_deref(), Some("2026-11-01"));
        assert_eq!(w.week_of, "2026-11-02");
        assert_eq!(w.days[0].minutes, 5.0);
        assert_eq!(w.days[0].sessions, 1);
        assert_eq!(w.total_minutes, 5.0);
        let w = week(&log, Date::parse("2026-11-05").unwrap());
        assert_eq!(w.streak_days, 0);
        // Finishing a session today makes it one day longer; after a gap
        // it starts again at one; a second session on a day that counts
        // already adds nothing.
        let with_today = |d: &str| streak_with_today(&log, Date::parse(d).unwrap());
        assert_eq!(with_today("2026-11-03"), 3);
        assert_eq!(with_today("2026-11-02"), 2);
        assert_eq!(
            with_today("2026-11-01"),
            1,
            "the day before counted nothing"
        );
        assert_eq!(with_today("2026-11-05"), 1);
    }
}
