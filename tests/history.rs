//! `coach history` on session logs written here: totals, the week and its
//! streak in a real time zone across a month end and a daylight-saving
//! change, and a log of 10,000 sessions.

mod common;

use std::fmt::Write as _;

use common::*;
use serde_json::Value;

/// Milliseconds since the epoch of `date` (YYYY-MM-DD) at `h:m` UTC.
fn utc_ms(date: &str, h: i64, m: i64) -> i64 {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().unwrap());
    let (y, mo, d) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    // Days from civil, written out independently of the crate's.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + h * 3600 + m * 60) * 1000
}

/// The log lines of one session started at `t` that played `played`
/// seconds of a routine planned for `planned`, finished or killed.
fn session(log: &mut String, id: &str, t: i64, planned: f64, played: f64, finished: bool) {
    writeln!(
        log,
        r#"{{"t":{t},"session":"{id}","event":"start","title":"Morning stretch","routine":"/home/pi/routines/morning.toml","hash":"fnv1a64:00","planned":{planned}}}"#
    )
    .unwrap();
    for k in 0..4 {
        writeln!(
            log,
            r#"{{"t":{},"session":"{id}","event":"exercise","exercise":{k},"round":1,"name":"Stretch {k}","played":{},"pos":{}}}"#,
            t + k * 1000,
            played * k as f64 / 4.0,
            played * k as f64 / 4.0
        )
        .unwrap();
        writeln!(
            log,
            r#"{{"t":{},"session":"{id}","event":"period","exercise":{k},"round":1,"kind":"work","outcome":"completed","secs":30.0,"len":30.0,"played":{},"pos":{}}}"#,
            t + k * 1000 + 500,
            played * (k + 1) as f64 / 4.0,
            played * (k + 1) as f64 / 4.0
        )
        .unwrap();
    }
    if finished {
        writeln!(
            log,
            r#"{{"t":{},"session":"{id}","event":"end","reason":"finished","played":{played},"pos":{planned}}}"#,
            t + 5000
        )
        .unwrap();
    }
}

fn history(env: &Env, tz: &str, args: &[&str]) -> (String, String, bool) {
    let out = env
        .command()
        .env("TZ", tz)
        .env("COACH_LOG", env.path("sessions.jsonl"))
        .arg("history")
        .args(args)
        .output()
        .unwrap();
    (stdout(&out), stderr(&out), out.status.success())
}

#[test]
fn the_week_and_streak_follow_local_days_across_a_month_end_and_a_clock_change() {
    let env = Env::new();
    let mut log = String::new();
    // Every morning at 00:30 in Berlin from 25 March to 2 April 2026; the
    // clocks go forward on 29 March, so 00:30 is 23:30 UTC the day before
    // until then and 22:30 UTC after. Days by UTC would all be a day early.
    let days = [
        "2026-03-25",
        "2026-03-26",
        "2026-03-27",
        "2026-03-28",
        "2026-03-29",
        "2026-03-30",
        "2026-03-31",
        "2026-04-01",
        "2026-04-02",
    ];
    for (i, day) in days.iter().enumerate() {
        let before = utc_ms(day, 0, 0) - 3_600_000 + 30 * 60_000;
        let after = utc_ms(day, 0, 0) - 2 * 3_600_000 + 30 * 60_000;
        let t = if *day <= "2026-03-29" { before } else { after };
        // Each day's minutes differ, so a day put in the wrong place shows.
        session(
            &mut log,
            &format!("s{i}"),
            t,
            600.0,
            60.0 * (i + 1) as f64,
            true,
        );
    }
    std::fs::write(env.path("sessions.jsonl"), &log).unwrap();

    let (out, err, ok) = history(
        &env,
        "Europe/Berlin",
        &["--week", "--date", "2026-04-02", "--json"],
    );
    assert!(ok, "{err}");
    let week: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(week["week_of"], "2026-03-30");
    let minutes: Vec<f64> = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["minutes"].as_f64().unwrap())
        .collect();
    // Mon 30 Mar played 6 min, Tue 7, Wed 8, Thu 9; nothing after.
    assert_eq!(minutes, [6.0, 7.0, 8.0, 9.0, 0.0, 0.0, 0.0]);
    assert_eq!(week["total_minutes"], 30.0);
    assert_eq!(week["streak_days"], 9);
    assert_eq!(week["streak_since"], "2026-03-25");

    // The week before holds the clock change: Sunday the 29th played 5 min.
    let (out, _, _) = history(
        &env,
        "Europe/Berlin",
        &["--week", "--date", "2026-03-29", "--json"],
    );
    let week: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(week["days"][6]["date"], "2026-03-29");
    assert_eq!(week["days"][6]["minutes"], 5.0);
    assert_eq!(week["days"][2]["minutes"], 1.0, "Wed 25 Mar");
    assert_eq!(week["streak_days"], 5);

    // In UTC the same sessions fall a day earlier.
    let (out, _, _) = history(&env, "UTC", &["--week", "--date", "2026-04-02", "--json"]);
    let week: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        week["days"][0]["minutes"], 7.0,
        "Mon 30 Mar UTC: the 31st's session"
    );

    // Nothing yet today keeps yesterday's streak; a missed day ends it.
    let (out, _, _) = history(
        &env,
        "Europe/Berlin",
        &["--week", "--date", "2026-04-03", "--json"],
    );
    let week: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(week["streak_days"], 9);
    let (out, _, _) = history(
        &env,
        "Europe/Berlin",
        &["--week", "--date", "2026-04-04", "--json"],
    );
    let week: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(week["streak_days"], 0);
    assert_eq!(week["streak_since"], Value::Null);

    // The table says the same for people.
    let (out, _, _) = history(&env, "Europe/Berlin", &["--week", "--date", "2026-04-02"]);
    assert!(
        out.starts_with("Week of 2026-03-30\nMon 03-30    6.0 min"),
        "{out}"
    );
    assert!(
        out.contains("This week: 30.0 minutes in 4 sessions.\n"),
        "{out}"
    );
    assert!(
        out.contains("Streak: 9 days in a row, since 2026-03-25.\n"),
        "{out}"
    );

    // A bad date is a usage error.
    let (_, err, ok) = history(&env, "UTC", &["--week", "--date", "2026-02-30"]);
    assert!(!ok);
    assert!(
        err.contains("\"2026-02-30\" is not a date; write it as YYYY-MM-DD"),
        "{err}"
    );
}

#[test]
fn ten_thousand_sessions_are_listed_newest_first_with_their_totals() {
    let env = Env::new();
    let mut log = String::new();
    let first = utc_ms("1999-06-01", 7, 0);
    let n = 10_000;
    let mut expected_played = 0.0;
    for i in 0..n {
        // Every tenth session was killed part way.
        let finished = i % 10 != 3;
        let played = if finished { 420.0 } else { 100.0 };
        expected_played += played;
        session(
            &mut log,
            &format!("s{i}"),
            first + i * 86_400_000,
            420.0,
            played,
            finished,
        );
    }
    std::fs::write(env.path("sessions.jsonl"), &log).unwrap();
    assert!(
        log.len() > 5_000_000,
        "a realistic size: {} bytes",
        log.len()
    );

    let (out, err, ok) = history(&env, "UTC", &["-n", "0", "--json"]);
    assert!(ok, "{err}");
    let all: Value = serde_json::from_str(&out).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), n as usize);
    assert_eq!(all[0]["id"], format!("s{}", n - 1));
    assert_eq!(all[n as usize - 1]["id"], "s0");
    let total: f64 = all.iter().map(|s| s["played"].as_f64().unwrap()).sum();
    assert_eq!(total, expected_played);
    let unfinished = all.iter().filter(|s| s["result"] == "unfinished").count();
    assert_eq!(unfinished, 1000);
    assert!(all.iter().all(|s| s["completed"] == 4));
    assert_eq!(all[n as usize - 4]["stopped_in"]["name"], "Stretch 3");

    // The default table: the newest 20 and a count of the rest.
    let (out, _, _) = history(&env, "UTC", &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 22, "{out}");
    assert!(lines[0].starts_with("WHEN"));
    // The newest: 9,999 days after 1 June 1999 (2026-10-16, a Friday).
    assert!(
        lines[1].starts_with("Fri 16 Oct 07:00  Morning stretch"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with("finished"), "{}", lines[1]);
    assert_eq!(lines[21], "(9980 older sessions: -n 0 shows all)");
}

#[test]
fn no_log_yet_is_said_plainly() {
    let env = Env::new();
    let (out, err, ok) = history(&env, "UTC", &[]);
    assert!(ok);
    assert!(out.is_empty());
    assert!(err.starts_with("No sessions yet."), "{err}");
    let (out, _, ok) = history(&env, "UTC", &["--json"]);
    assert!(ok);
    assert_eq!(out, "[]\n");
}
