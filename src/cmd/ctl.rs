//! `coach ctl`: one command to a playing session over its control socket
//! (`remote::socket`), and what the session answered.

use anyhow::{Result, bail};
use serde_json::Value;

use super::{Exit, Run, print, print_data};
use crate::cli::Ctl;
use crate::remote::socket;

impl Run for Ctl {
    fn run(&self) -> Result<Exit> {
        if self.command == "start" {
            return self.start();
        }
        if let Some(extra) = &self.routine {
            bail!(
                "coach ctl {} takes no routine ({}): only start does",
                self.command,
                crate::guard::text::shown_short(extra, 40)
            );
        }
        let (path, answer) = socket::request(&self.command, self.pid, self.socket.as_deref())?;
        let answer: Value = serde_json::from_str(&answer).map_err(|_| {
            anyhow::anyhow!(
                "{} answered something that is not JSON: {}",
                path.display(),
                crate::guard::text::shown_short(&answer, 80)
            )
        })?;
        if let Some(error) = answer["error"].as_str() {
            bail!("the session refused \"{}\": {error}", self.command);
        }
        let status = &answer["status"];
        let done = answer["ok"] != false;
        if self.json {
            let shown = if self.command == "status" {
                status
            } else {
                &answer
            };
            print_data(&format!("{shown}\n"))?;
        } else if !done {
            crate::guard::out::line(&format!(
                "coach ctl {}: nothing done: {}",
                self.command,
                answer["did"].as_str().unwrap_or("")
            ));
        } else if self.command == "status" {
            print(&format!("{}\n", describe(status)))?;
        } else {
            print(&format!("{}\n", answer["did"].as_str().unwrap_or("done")))?;
        }
        if !done {
            return Ok(Exit::Failure);
        }
        Ok(Exit::Success)
    }
}

impl Ctl {
    /// `start ROUTINE`: asks `coach serve` to play it.
    fn start(&self) -> Result<Exit> {
        let routine = self.routine.as_deref().unwrap_or_default();
        let path = match &self.socket {
            Some(p) => p.clone(),
            None => socket::serve_path(&crate::paths::runtime_dir()),
        };
        let stream = std::os::unix::net::UnixStream::connect(&path).map_err(|e| {
            anyhow::anyhow!(
                "no coach serve is listening on {} ({e}): start it with `coach serve` (or `systemctl --user start coach-serve`), or play at once with `coach play {}`",
                path.display(),
                super::shell_quote(routine)
            )
        })?;
        let answer = socket::exchange(stream, &format!("start {routine}"))?;
        let answer: Value = serde_json::from_str(&answer)
            .map_err(|_| anyhow::anyhow!("coach serve answered something that is not JSON"))?;
        if self.json {
            print_data(&format!("{answer}\n"))?;
        }
        if let Some(error) = answer["error"].as_str() {
            bail!(
                "coach serve did not start {}: {error}",
                super::shell_quote(routine)
            );
        }
        if !self.json {
            print(&format!(
                "{}\n",
                answer["did"].as_str().unwrap_or("started")
            ))?;
        }
        Ok(Exit::Success)
    }
}

/// A status for people: "Hamstring and lower back relief: Cat-cow, rep 5
/// of 12, work (12 s left). 4:10 of 7:40 left. Playing."
pub fn describe(status: &Value) -> String {
    let mut at = Vec::new();
    if let Some(name) = status["exercise"].as_str() {
        at.push(name.to_string());
    }
    if let Some(side) = status["side"].as_str() {
        at.push(side.to_string());
    }
    if let (Some(set), Some(sets)) = (status["set"].as_u64(), status["sets"].as_u64())
        && sets > 1
    {
        at.push(format!("set {set} of {sets}"));
    }
    if let (Some(rep), Some(reps)) = (status["rep"].as_u64(), status["reps"].as_u64()) {
        at.push(format!("rep {rep} of {reps}"));
    }
    let period = status["period"].as_str().unwrap_or("announcement");
    let period = match status["period_left_seconds"].as_f64() {
        Some(left) => format!("{} ({left:.0} s left)", period.replace('_', " ")),
        None => period.to_string(),
    };
    at.push(period);
    let clock = |s: f64| {
        let s = s.max(0.0).round() as u64;
        format!("{}:{:02}", s / 60, s % 60)
    };
    let state = match status["state"].as_str().unwrap_or("playing") {
        "paused" => "Paused",
        "starting" => "Starting",
        "ended" => "Ended",
        _ => "Playing",
    };
    format!(
        "{}: {}. {} of {} left. {state} (pid {}).",
        crate::guard::text::shown(status["routine"].as_str().unwrap_or("")),
        crate::guard::text::shown(&at.join(", ")),
        clock(status["session_left_seconds"].as_f64().unwrap_or(0.0)),
        clock(status["duration_seconds"].as_f64().unwrap_or(0.0)),
        status["pid"]
    )
}
