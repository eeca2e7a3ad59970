//! `coach history`: the sessions in the session log, or this week's minutes
//! and the streak.

use anyhow::Result;

use super::{Exit, Run, print, print_data};
use crate::cli::History;
use crate::sessions::calendar::{local, now_ms};
use crate::sessions::history::{self, Log, Session};
use crate::sessions::{log_path, read_log};

fn minutes(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// How a session ended, in words.
pub fn result_words(s: &Session) -> String {
    let mut text = match s.result.as_str() {
        "finished" => "finished".to_string(),
        "unfinished" => "unfinished".to_string(),
        "device_lost" => "device lost".to_string(),
        _ => "stopped".to_string(),
    };
    if let Some(at) = &s.stopped_in {
        text.push_str(&format!(" in {}", crate::guard::shown(&at.name)));
        if at.round > 1 {
            text.push_str(&format!(" (round {})", at.round));
        }
    }
    match (s.exercises, s.exercises_done, s.exercises_skipped) {
        // Ended: what it did of its exercises, when not all of them.
        (Some(all), Some(done), Some(skipped)) if done < all => {
            text.push_str(&format!(", {done} of {all} exercises done"));
            if skipped > 0 {
                text.push_str(&format!(", {skipped} skipped"));
            }
        }
        (Some(_), ..) => {}
        // Killed, or logged before exercises were counted: its work.
        _ if s.skipped > 0 => text.push_str(&format!(", {} skipped", s.skipped)),
        _ => {}
    }
    if s.resumes.is_some() {
        text.push_str(", resumed");
    }
    text
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:width$}")
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

impl Run for History {
    fn run(&self) -> Result<Exit> {
        let log = read_log()?;
        if self.week {
            self.show_week(&log)
        } else {
            self.show_sessions(&log)
        }
    }
}

impl History {
    /// `--week`: minutes per day and the streak.
    fn show_week(&self, log: &Log) -> Result<Exit> {
        let today = self.date.unwrap_or_else(|| local(now_ms()).date);
        let week = history::week(log, today);
        if self.json {
            print_data(&format!("{}\n", serde_json::to_string_pretty(&week)?))?;
            return Ok(Exit::Success);
        }
        let most = week.days.iter().map(|d| d.minutes).fold(1.0, f64::max);
        let mut out = format!("Week of {}\n", week.week_of);
        for d in &week.days {
            let bar = "█".repeat((d.minutes / most * 30.0).round() as usize);
            out.push_str(&format!(
                "{} {}  {:>5.1} min  {bar}\n",
                d.weekday,
                &d.date[5..],
                d.minutes
            ));
        }
        let sessions: u32 = week.days.iter().map(|d| d.sessions).sum();
        out.push_str(&format!(
            "This week: {:.1} minutes in {sessions} session{}.\n",
            week.total_minutes,
            if sessions == 1 { "" } else { "s" }
        ));
        out.push_str(&match (&week.streak_since, week.streak_days) {
            (Some(since), n) => format!(
                "Streak: {n} day{} in a row, since {since}.\n",
                if n == 1 { "" } else { "s" }
            ),
            _ => "Streak: none yet; a session with a hold or a set of reps played to its end starts one.\n"
                .to_string(),
        });
        print(&out)?;
        Ok(Exit::Success)
    }

    /// The newest sessions.
    fn show_sessions(&self, log: &Log) -> Result<Exit> {
        let take = if self.limit == 0 {
            usize::MAX
        } else {
            self.limit
        };
        let newest: Vec<&Session> = log.sessions.iter().rev().take(take).collect();
        if self.json {
            print_data(&format!("{}\n", serde_json::to_string_pretty(&newest)?))?;
            return Ok(Exit::Success);
        }
        if newest.is_empty() {
            crate::guard::out::line(&format!(
                "No sessions yet. Sessions played with `coach play` are listed here (log: {}).",
                log_path().map_or_else(|| "none".into(), |p| p.display().to_string())
            ));
            return Ok(Exit::Success);
        }
        let mut out = format!(
            "{:<16}  {:<32}  {:>7}  {:>7}  {}\n",
            "WHEN", "ROUTINE", "PLANNED", "PLAYED", "RESULT"
        );
        for s in &newest {
            out.push_str(&format!(
                "{:<16}  {}  {:>7}  {:>7}  {}\n",
                local(s.started).short(),
                clip(&crate::guard::shown(&s.title), 32),
                minutes(s.planned),
                minutes(s.played),
                result_words(s)
            ));
        }
        if log.sessions.len() > newest.len() {
            out.push_str(&format!(
                "({} older session{}: -n 0 shows all)\n",
                log.sessions.len() - newest.len(),
                if log.sessions.len() - newest.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        print(&out)?;
        Ok(Exit::Success)
    }
}
