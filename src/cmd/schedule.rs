//! `coach schedule add|list|remove`: a routine played at a time of day,
//! on some days, by a systemd user timer. Each schedule is two units in
//! the user's systemd folder, `coach-schedule-NAME.timer` and `.service`,
//! which coach writes, reads back and removes; systemd does the waking.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::{Exit, Run, print, print_json, shell_quote, table};
use crate::cli::{ScheduleAdd, ScheduleCommand};
use crate::routine::find::{self, Origin};

/// What a schedule is, as its timer keeps it (in a comment, as JSON).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Schedule {
    pub name: String,
    /// What `coach play` is given: a file's absolute path or a built-in
    /// routine's name.
    pub routine: String,
    /// `HH:MM`, local time.
    pub at: String,
    /// As given: `daily`, `mon-fri`, `sat,sun`, …
    pub days: String,
    pub voice: Option<String>,
    pub device: Option<String>,
    /// Played when the machine wakes if the time passed while it was off.
    pub catch_up: bool,
}

impl Schedule {
    /// The words after `coach` that play it.
    pub fn play_args(&self) -> Vec<String> {
        let mut args = vec!["play".to_string(), "--quiet".into(), self.routine.clone()];
        for (flag, value) in [("--voice", &self.voice), ("--device", &self.device)] {
            if let Some(v) = value {
                args.extend([flag.to_string(), v.clone()]);
            }
        }
        args
    }

    /// Whether it is due on this day of the week (0 Monday, 6 Sunday).
    pub fn on(&self, weekday: usize) -> bool {
        day_set(&self.days).is_ok_and(|set| set[weekday % 7])
    }

    /// The first time (Unix seconds) after `after` that it is due, by the
    /// local clock; `None` if its time or days cannot be read.
    pub fn due_after(&self, after: i64) -> Option<i64> {
        use crate::sessions::calendar::local;
        let set = day_set(&self.days).ok()?;
        let (h, m) = time_of_day(&self.at)
            .ok()?
            .split_once(':')
            .map(|(h, m)| (h.parse::<i64>().unwrap_or(0), m.parse::<i64>().unwrap_or(0)))?;
        let today = local(after * 1000).date;
        (0..=8).find_map(|k| {
            let date = today.add_days(k);
            if !set[date.weekday()] {
                return None;
            }
            // The wall-clock time in the zone's offset of that moment (a
            // daylight-saving change moves it).
            let wall = date.days() * 86_400 + h * 3600 + m * 60;
            let offset = |t: i64| i64::from(local(t * 1000).offset);
            let at = wall - offset(wall - offset(wall));
            (at > after).then_some(at)
        })
    }
}

/// When the schedule `name` was added (its timer written), Unix seconds.
pub(super) fn added(dir: &Path, name: &str) -> Option<i64> {
    let modified = std::fs::metadata(unit(dir, name, "timer"))
        .ok()?
        .modified()
        .ok()?;
    let secs = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(secs.as_secs() as i64)
}

/// The folder the systemd user manager keeps its enabled timers' links in.
const WANTS: &str = "timers.target.wants";

/// Whether systemd's user manager plays this schedule: it runs, and the
/// timer is enabled.
pub(super) fn systemd_plays(dir: &Path, name: &str) -> bool {
    let manager = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .is_some_and(|d| Path::new(&d).join("systemd/private").exists());
    manager
        && dir
            .join(WANTS)
            .join(format!("coach-schedule-{name}.timer"))
            .exists()
}

/// The first line of a timer coach wrote, before the schedule's JSON.
const MARK: &str = "# coach schedule: ";

/// The user's systemd folder: `$XDG_CONFIG_HOME/systemd/user`.
pub(super) fn units_dir() -> Result<PathBuf> {
    directories::BaseDirs::new()
        .map(|b| b.config_dir().join("systemd").join("user"))
        .context("this system has no config folder for systemd's user units")
}

fn unit(dir: &Path, name: &str, kind: &str) -> PathBuf {
    dir.join(format!("coach-schedule-{name}.{kind}"))
}

impl Run for ScheduleCommand {
    fn run(&self) -> Result<Exit> {
        let dir = units_dir()?;
        match self {
            ScheduleCommand::Add(add) => add.run_in(&dir),
            ScheduleCommand::List { json } => list(&dir, *json),
            ScheduleCommand::Remove { name } => remove(&dir, name),
        }
    }
}

impl ScheduleAdd {
    fn run_in(&self, dir: &Path) -> Result<Exit> {
        let at = time_of_day(&self.at)?;
        let calendar_days = days(&self.days)?;
        let found = find::find(&self.routine).map_err(|e| anyhow::anyhow!("{e}"))?;
        if found.origin == Origin::Stdin {
            bail!(
                "a schedule plays its routine later, when nothing is piped in: name a file or a routine"
            );
        }
        let routine = super::routine_identity(&found).0;
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-{}", found.name, at.replace(':', "")));
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!(
                "--name {}: a schedule's name is letters, digits, - and _ only (it names its systemd units)",
                shell_quote(&name)
            );
        }
        let timer = unit(dir, &name, "timer");
        if timer.exists() {
            bail!(
                "a schedule named {name} exists already: `coach schedule remove {name}` first, or give another --name"
            );
        }
        let schedule = Schedule {
            name: name.clone(),
            routine,
            at: at.clone(),
            days: self.days.clone(),
            voice: self.voice.clone(),
            device: self.device.clone(),
            catch_up: self.catch_up,
        };
        let exe = std::env::current_exe().context("cannot tell where this coach is")?;
        let mut command = vec![exe.display().to_string()];
        command.extend(schedule.play_args());
        let exec = command
            .iter()
            .map(|w| systemd_word(w))
            .collect::<Vec<_>>()
            .join(" ");
        let describe = format!("coach: {} at {at}, {}", found.name, self.days);
        let service = format!(
            "# Written by `coach schedule add`; `coach schedule remove {name}` removes it.\n\
             [Unit]\nDescription={describe}\n\
             After=pulseaudio.service pipewire-pulse.service\n\n\
             [Service]\nType=exec\nExecStart={exec}\n\
             # A stop (SIGTERM) or q is a clean end, logged as one.\n\
             SuccessExitStatus=3 143\n"
        );
        let timer_text = format!(
            "{MARK}{}\n\
             # Written by `coach schedule add`; `coach schedule remove {name}` removes it.\n\
             [Unit]\nDescription={describe}\n\n\
             [Timer]\nOnCalendar={calendar_days} *-*-* {at}:00\n\
             # {}\n\
             Persistent={}\nUnit=coach-schedule-{name}.service\n\n\
             [Install]\nWantedBy=timers.target\n",
            serde_json::to_string(&schedule)?,
            if self.catch_up {
                "A time missed while the machine was off is played when it starts."
            } else {
                "A time missed while the machine was off is not played later."
            },
            self.catch_up
        );
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let service_path = unit(dir, &name, "service");
        std::fs::write(&service_path, service)
            .with_context(|| format!("cannot write {}", service_path.display()))?;
        std::fs::write(&timer, timer_text)
            .with_context(|| format!("cannot write {}", timer.display()))?;
        crate::guard::out::line(&format!(
            "wrote {} and {}",
            timer.display(),
            service_path.display()
        ));
        let timer_name = format!("coach-schedule-{name}.timer");
        let _ = match systemctl(&["daemon-reload"])
            .and_then(|()| systemctl(&["enable", "--now", &timer_name]))
        {
            Ok(()) => crate::guard::out::line(&format!(
                "scheduled: {} at {at}, {} (`systemctl --user list-timers` shows when next; `loginctl enable-linger` lets it play with nobody logged in)",
                found.name, self.days
            )),
            Err(why) => crate::guard::out::line(&format!(
                "warning: systemd's user manager did not take it ({why}); `coach serve` plays it while it runs, or once the manager runs: systemctl --user daemon-reload && systemctl --user enable --now {timer_name}"
            )),
        };
        Ok(Exit::Success)
    }
}

/// Runs `systemctl --user ARGS`; why not, if it failed.
fn systemctl(args: &[&str]) -> std::result::Result<(), String> {
    let out = std::process::Command::new("systemctl")
        .arg("--user")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("systemctl: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let last = said
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("failed");
    Err(format!(
        "systemctl --user {}: {}",
        args.join(" "),
        last.trim()
    ))
}

/// A word of a systemd command line: quoted when it must be, with `%`
/// and `$` escaped (systemd would expand them).
fn systemd_word(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    if escaped.is_empty()
        || escaped
            .chars()
            .any(|c| c.is_whitespace() || c == '\'' || c == ';')
    {
        format!("\"{escaped}\"")
    } else {
        escaped
    }
}

/// `HH:MM` from "7:30", "07:30".
fn time_of_day(text: &str) -> Result<String> {
    let bad = || {
        anyhow::anyhow!(
            "--at {}: give a time of day as HH:MM, 24-hour, e.g. 07:30",
            shell_quote(text)
        )
    };
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || text.split_once(':').is_some_and(|(_, m)| m.len() != 2) {
        return Err(bad());
    }
    Ok(format!("{h:02}:{m:02}"))
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// systemd's calendar days from "daily", "weekdays", "weekends", "mon-fri",
/// "mon,wed,fri" or "sat-sun".
fn days(text: &str) -> Result<String> {
    let cap = |d: &str| {
        let mut c = d.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    let text = text.to_ascii_lowercase();
    match text.as_str() {
        "daily" | "every-day" | "all" => return Ok("*".into()),
        "weekdays" => return Ok("Mon..Fri".into()),
        "weekends" => return Ok("Sat,Sun".into()),
        _ => {}
    }
    let day = |d: &str| -> Result<&'static str> {
        let d = d.get(..3.min(d.len())).unwrap_or(d);
        DAYS.iter().find(|x| **x == d).copied().ok_or_else(|| {
            anyhow::anyhow!(
                "--days {text}: \"{d}\" is not a day; give days as mon-fri, sat,sun, daily, weekdays or weekends"
            )
        })
    };
    let mut parts = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let at = |d: &str| DAYS.iter().position(|x| *x == d).unwrap_or(0);
                if at(a) <= at(b) {
                    parts.push(format!("{}..{}", cap(a), cap(b)));
                } else {
                    // Over the weekend (fri-mon): systemd's ranges do not wrap.
                    parts.push(format!("{}..Sun", cap(a)));
                    parts.push(if b == "mon" {
                        "Mon".into()
                    } else {
                        format!("Mon..{}", cap(b))
                    });
                }
            }
            None => parts.push(cap(day(part)?)),
        }
    }
    Ok(parts.join(","))
}

/// The weekdays (0 Monday to 6 Sunday) a schedule's `days` names, read
/// from the calendar terms [`days`] makes of it.
fn day_set(text: &str) -> Result<[bool; 7]> {
    let terms = days(text)?;
    let mut set = [false; 7];
    if terms == "*" {
        return Ok([true; 7]);
    }
    let index = |d: &str| {
        DAYS.iter()
            .position(|x| x.eq_ignore_ascii_case(d))
            .unwrap_or(0)
    };
    for term in terms.split(',') {
        match term.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (index(a), index(b));
                let mut d = a;
                loop {
                    set[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => set[index(term)] = true,
        }
    }
    Ok(set)
}

/// The schedules in `dir`, by name.
pub(super) fn schedules(dir: &Path) -> Vec<Schedule> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<Schedule> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "timer")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("coach-schedule-"))
        })
        .filter_map(|p| {
            let text = crate::guard::read::read(&p, 64 << 10).ok()?;
            let first = String::from_utf8_lossy(&text).lines().next()?.to_string();
            serde_json::from_str(first.strip_prefix(MARK)?).ok()
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn list(dir: &Path, json: bool) -> Result<Exit> {
    let all = schedules(dir);
    if json {
        print_json(&all)?;
        return Ok(Exit::Success);
    }
    if all.is_empty() {
        crate::guard::out::line(
            "No schedules yet: `coach schedule add hamstring-lower-back --at 07:30 --days mon-fri` adds one.",
        );
        return Ok(Exit::Success);
    }
    let mut rows = vec![vec![
        "NAME".to_string(),
        "AT".into(),
        "DAYS".into(),
        "ROUTINE".into(),
    ]];
    for s in &all {
        let mut routine = s.routine.clone();
        for (flag, v) in [("--voice", &s.voice), ("--device", &s.device)] {
            if let Some(v) = v {
                routine.push_str(&format!(" {flag} {v}"));
            }
        }
        if s.catch_up {
            routine.push_str(" (catches up)");
        }
        rows.push(vec![s.name.clone(), s.at.clone(), s.days.clone(), routine]);
    }
    print(&crate::guard::text::shown_lines(&table(&rows, &[])))?;
    Ok(Exit::Success)
}

fn remove(dir: &Path, name: &str) -> Result<Exit> {
    let timer = unit(dir, name, "timer");
    if !timer.exists() {
        let known: Vec<String> = schedules(dir).into_iter().map(|s| s.name).collect();
        let hint = crate::source::diag::suggest(name, known.iter().map(String::as_str))
            .map(|c| format!(" (did you mean {c}?)"))
            .unwrap_or_default();
        bail!(
            "no schedule named {}{hint}; `coach schedule list` shows them",
            shell_quote(name)
        );
    }
    let timer_name = format!("coach-schedule-{name}.timer");
    // Stopped first, if systemd has it; the files go either way.
    let stopped = systemctl(&["disable", "--now", &timer_name]);
    for kind in ["timer", "service"] {
        let path = unit(dir, name, kind);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    let _ = systemctl(&["daemon-reload"]);
    crate::guard::out::line(&match stopped {
        Ok(()) => format!("removed the schedule {name}"),
        Err(_) => {
            format!("removed the schedule {name} (systemd's user manager was not running it)")
        }
    });
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_days_become_systemd_calendar_terms() {
        assert_eq!(time_of_day("7:30").unwrap(), "07:30");
        assert_eq!(time_of_day("23:05").unwrap(), "23:05");
        for bad in ["24:00", "7", "7:3", "07:60", "seven"] {
            assert!(time_of_day(bad).is_err(), "{bad}");
        }
        assert_eq!(days("mon-fri").unwrap(), "Mon..Fri");
        assert_eq!(days("Mon,Wed,Fri").unwrap(), "Mon,Wed,Fri");
        assert_eq!(days("sat-sun").unwrap(), "Sat..Sun");
        assert_eq!(days("daily").unwrap(), "*");
        assert_eq!(days("fri-mon").unwrap(), "Fri..Sun,Mon");
        assert_eq!(days("sat-tue").unwrap(), "Sat..Sun,Mon..Tue");
        assert_eq!(
            day_set("fri-mon").unwrap(),
            [true, false, false, false, true, true, true]
        );
        assert_eq!(
            day_set("weekdays").unwrap(),
            [true, true, true, true, true, false, false]
        );
        assert_eq!(
            day_set("mon,wed").unwrap(),
            [true, false, true, false, false, false, false]
        );
        assert_eq!(days("weekdays").unwrap(), "Mon..Fri");
        assert!(
            days("mon-fry")
                .unwrap_err()
                .to_string()
                .contains("\"fry\" is not a day")
        );
        assert_eq!(
            systemd_word("/home/pi/my routines/a.toml"),
            "\"/home/pi/my routines/a.toml\""
        );
        assert_eq!(systemd_word("100%"), "100%%");
        assert_eq!(systemd_word("$HOME"), "$$HOME");
    }
}
