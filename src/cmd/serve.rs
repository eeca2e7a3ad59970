//! `coach serve`: waits, using no CPU, and starts a session when one is
//! asked for:
//!
//! - by `coach ctl start ROUTINE`, on a control socket of its own
//!   (`serve.sock` in the control socket folder);
//! - by a press of play on an input device or of the GPIO button (the
//!   same remotes `play` reads, `crate::remote`), which starts the
//!   routine named for it or the one scheduled for today;
//! - by a schedule coming due (`coach schedule add`), when no systemd user
//!   manager is there to play it.
//!
//! Each session is a `coach play --quiet` of its own, so it has its own
//! control socket (every `coach ctl` command works on it), reads the
//! buttons itself, writes the session log as any `play` does, and whatever
//! ends it (a lost device, a crash) leaves the service waiting for the
//! next. One session plays at a time.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::schedule::{self, Schedule};
use super::{Exit, Run, shell_quote};
use crate::cli::Serve;
use crate::player::controls::Control;
use crate::remote::socket;
use crate::routine::find::{self, Origin};

/// The socket of the `coach serve` that answers on it now, if one does.
pub fn listening() -> Option<PathBuf> {
    let path = socket::serve_path(&crate::paths::runtime_dir());
    std::os::unix::net::UnixStream::connect(&path)
        .is_ok()
        .then_some(path)
}

/// A press this soon after a session ended is not a start: it was meant
/// for the session (a pause pressed as it ended, a stop held).
const AFTER_A_SESSION: Duration = Duration::from_secs(3);

/// How late a schedule may still be played: later than this (the machine
/// was off, or asleep), the time is missed, unless it catches up.
pub const GRACE: i64 = 10 * 60;

/// The longest sleep between looks at the schedules: one added while
/// serve waits is seen within it, and a clock that jumped (a suspend, a
/// time server) is noticed.
const LOOK_AGAIN: i64 = 30;

/// The service: at most one session, and what every session is given.
struct Service {
    playing: Mutex<Option<Child>>,
    /// When the last session ended.
    ended: Mutex<Option<Instant>>,
    /// `--input` and `--gpio` as serve was given them, for each session.
    pass_on: Vec<String>,
    /// What a button starts, if named.
    routine: Option<String>,
    /// The GPIO button: watched by serve while no session plays, and given
    /// to the session while one does (only one process can hold a line).
    #[cfg(target_os = "linux")]
    button: Option<Button>,
}

#[cfg(target_os = "linux")]
struct Button {
    line: crate::remote::gpio::Line,
    tx: std::sync::mpsc::Sender<Control>,
    held: Mutex<Option<crate::remote::gpio::Button>>,
}

#[cfg(target_os = "linux")]
impl Button {
    /// Takes the line, saying why not if it cannot.
    fn take(&self) {
        let Ok(mut held) = self.held.lock() else {
            return;
        };
        if held.is_none() {
            match crate::remote::gpio::start(&self.line, self.tx.clone()) {
                Ok(b) => *held = Some(b),
                Err(e) => {
                    crate::guard::out::line(&format!("coach serve: warning: {e:#}"));
                }
            }
        }
    }

    /// Gives the line back.
    fn give(&self) {
        let taken = self.held.lock().ok().and_then(|mut h| h.take());
        drop(taken);
    }
}

/// The stamps of the schedules serve has dealt with: for each, the last
/// time it was due (Unix seconds).
type Stamps = BTreeMap<String, i64>;

impl Run for Serve {
    fn run(&self) -> Result<Exit> {
        let config = super::load_config()?;
        let routine = self.routine.clone().or(config.button_starts.clone());
        if let Some(r) = &routine
            && let Err(e) = find::find(r)
        {
            let from = if self.routine.is_some() {
                "--routine"
            } else {
                "the config's button_starts"
            };
            anyhow::bail!("{from}: {e}");
        }
        let dir = socket::folder()?;
        let path = socket::serve_path(&dir);
        if listening().is_some() {
            anyhow::bail!(
                "another coach serve listens on {} already (`systemctl --user status coach-serve` may say which)",
                path.display()
            );
        }
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)
            .with_context(|| format!("cannot listen on {}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot make {} owner-only", path.display()))?;
        let mut pass_on = Vec::new();
        for (flag, value) in [("--input", &self.input), ("--gpio", &self.gpio)] {
            if let Some(v) = value {
                pass_on.extend([flag.to_string(), v.clone()]);
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        #[cfg(target_os = "linux")]
        let (button, _inputs) = self.buttons(&config, &tx)?;
        let service = Arc::new(Service {
            playing: Mutex::new(None),
            ended: Mutex::new(None),
            pass_on,
            routine,
            #[cfg(target_os = "linux")]
            button,
        });
        #[cfg(target_os = "linux")]
        if let Some(b) = &service.button {
            b.take();
        }
        stop_on_signals(path.clone(), service.clone());
        crate::guard::out::line(&format!(
            "coach serve: waiting on {} (`coach ctl start ROUTINE` starts a session)",
            path.display()
        ));
        {
            let service = service.clone();
            std::thread::spawn(move || presses(&service, &rx));
        }
        {
            let service = service.clone();
            std::thread::spawn(move || schedules(&service));
        }
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
            let answer = match socket::peer_uid(&stream) {
                Some(uid) if uid == socket::my_uid() => match socket::read_request(&stream) {
                    Ok(request) => answer(&request, &service),
                    Err(e) => socket::refusal(&e),
                },
                _ => socket::refusal("coach serve takes requests only from its own user"),
            };
            let _ = stream.write_all(format!("{answer}\n").as_bytes());
        }
        Ok(Exit::Success)
    }
}

impl Serve {
    /// The buttons serve listens to while no session plays: the GPIO line
    /// (taken once the service is made) and the input devices, chosen as
    /// `play` chooses them.
    #[cfg(target_os = "linux")]
    fn buttons(
        &self,
        config: &crate::config::Config,
        tx: &std::sync::mpsc::Sender<Control>,
    ) -> Result<(Option<Button>, Option<crate::remote::input::Inputs>)> {
        let options =
            crate::remote::Options::chosen(self.input.as_deref(), self.gpio.as_deref(), config);
        let button = options.gpio_line()?.map(|line| Button {
            line,
            tx: tx.clone(),
            held: Mutex::new(None),
        });
        let (inputs, warnings) = options.start_inputs(tx);
        for w in warnings {
            crate::guard::out::line(&format!("coach serve: {w}"));
        }
        Ok((button, inputs))
    }
}

/// The answer to one request: `start ROUTINE`.
fn answer(request: &str, service: &Arc<Service>) -> String {
    let Some(routine) = request.strip_prefix("start ").map(str::trim) else {
        return socket::refusal(&format!(
            "unknown request \"{}\": coach serve takes start ROUTINE",
            crate::guard::text::shown_short(request, 40)
        ));
    };
    let (name, shown) = match play_args(routine) {
        Ok(found) => found,
        Err(e) => return socket::refusal(&e),
    };
    match start(service, &name) {
        Ok(pid) => serde_json::json!({
            "ok": true,
            "did": format!("started {shown} (pid {pid})"),
            "pid": pid,
        })
        .to_string(),
        Err(e) => socket::refusal(&e),
    }
}

/// The words after `coach` that play `routine`, and its name to show;
/// found now, so a wrong name is said to the one who asked.
fn play_args(routine: &str) -> std::result::Result<(Vec<String>, String), String> {
    let found = find::find(routine).map_err(|e| e.to_string())?;
    if found.origin == Origin::Stdin {
        return Err("coach serve has no stdin to read a routine from".into());
    }
    let name = super::routine_identity(&found).0;
    Ok((
        vec!["play".into(), "--quiet".into(), name],
        shell_quote(&found.name),
    ))
}

/// Starts a session of `coach ARGS`, unless one plays; its pid.
fn start(service: &Arc<Service>, args: &[String]) -> std::result::Result<u32, String> {
    let Ok(mut slot) = service.playing.lock() else {
        return Err("coach serve is stopping".into());
    };
    if let Some(pid) = playing_pid(&mut slot) {
        return Err(format!(
            "a session is playing already (pid {pid}): `coach ctl stop` ends it"
        ));
    }
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot tell where this coach is: {e}"))?;
    #[cfg(target_os = "linux")]
    if let Some(b) = &service.button {
        b.give();
    }
    let child = Command::new(exe)
        .args(args)
        .args(&service.pass_on)
        .stdin(Stdio::null())
        .spawn();
    match child {
        Ok(child) => {
            let pid = child.id();
            *slot = Some(child);
            watch(service.clone());
            Ok(pid)
        }
        Err(e) => {
            #[cfg(target_os = "linux")]
            if let Some(b) = &service.button {
                b.take();
            }
            Err(format!("cannot start a session: {e}"))
        }
    }
}

/// Reaps the session when it ends, says how it ended, and takes the
/// button back.
fn watch(service: Arc<Service>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let Ok(mut slot) = service.playing.lock() else {
                return;
            };
            let Some(child) = slot.as_mut() else { return };
            match child.try_wait() {
                Ok(None) => continue,
                Ok(Some(status)) => {
                    crate::guard::out::line(&format!(
                        "coach serve: the session (pid {}) ended: {status}",
                        child.id()
                    ));
                }
                Err(_) => {}
            }
            *slot = None;
            if let Ok(mut ended) = service.ended.lock() {
                *ended = Some(Instant::now());
            }
            drop(slot);
            #[cfg(target_os = "linux")]
            if let Some(b) = &service.button {
                b.take();
            }
            return;
        }
    });
}

/// The session's pid, if one plays now.
fn playing_pid(slot: &mut Option<Child>) -> Option<u32> {
    let child = slot.as_mut()?;
    matches!(child.try_wait(), Ok(None)).then(|| child.id())
}

/// Whether a session plays now.
fn is_playing(service: &Service) -> bool {
    service
        .playing
        .lock()
        .is_ok_and(|mut s| playing_pid(&mut s).is_some())
}

/// A press of play starts the button's routine while no session plays;
/// while one does, the session takes its buttons itself.
fn presses(service: &Arc<Service>, rx: &std::sync::mpsc::Receiver<Control>) {
    for control in rx {
        let Control::Remote(control, _) = control else {
            continue;
        };
        if !matches!(*control, Control::TogglePause | Control::Resume) {
            continue;
        }
        let just_ended = service
            .ended
            .lock()
            .is_ok_and(|e| e.is_some_and(|t| t.elapsed() < AFTER_A_SESSION));
        if is_playing(service) || just_ended {
            continue;
        }
        // Today's schedule is played as it would be at its time: with its
        // voice and device.
        let routine = match &service.routine {
            Some(r) => Some((r.clone(), None)),
            None => schedule::units_dir().ok().and_then(|dir| {
                todays(&schedule::schedules(&dir), now())
                    .map(|s| (s.routine.clone(), Some(s.play_args())))
            }),
        };
        let Some((routine, scheduled)) = routine else {
            crate::guard::out::line(
                "coach serve: a button was pressed, but nothing is named for it and nothing is scheduled today: `coach serve --routine ROUTINE`, or button_starts in the config, names what it starts",
            );
            continue;
        };
        let said = match play_args(&routine).and_then(|(args, shown)| {
            start(service, &scheduled.unwrap_or(args))
                .map(|pid| format!("a button started {shown} (pid {pid})"))
        }) {
            Ok(did) => did,
            Err(e) => format!("a button was pressed, but: {e}"),
        };
        crate::guard::out::line(&format!("coach serve: {said}"));
    }
}

/// Today's scheduled routine: of the schedules due today, the one due
/// next from now, else the last one that was.
fn todays(all: &[Schedule], now: i64) -> Option<&Schedule> {
    let today = crate::sessions::calendar::local(now * 1000).date;
    let mut due: Vec<(i64, &Schedule)> = Vec::new();
    for s in all.iter().filter(|s| s.on(today.weekday())) {
        let mut t = now - 86_400;
        while let Some(at) = s.due_after(t).filter(|at| *at <= now + 86_400) {
            if crate::sessions::calendar::local(at * 1000).date == today {
                due.push((at, s));
            }
            t = at;
        }
    }
    due.sort_by_key(|(at, _)| *at);
    due.iter()
        .find(|(at, _)| *at >= now)
        .or(due.last())
        .map(|(_, s)| *s)
}

/// Unix seconds now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// What is to be done about a schedule last dealt with at `last`, now.
#[derive(Debug, PartialEq, Eq)]
enum Due {
    /// Nothing came due since.
    Not,
    /// It came due at this time, within [`GRACE`]: play it.
    Now(i64),
    /// It came due at this time, long ago, and catches up: play it.
    CatchUp(i64),
    /// It came due at this time, long ago: not played.
    Missed(i64),
}

fn due(schedule: &Schedule, last: i64, now: i64) -> Due {
    let Some(mut at) = schedule.due_after(last).filter(|at| *at <= now) else {
        return Due::Not;
    };
    // Of several times missed, only the last is of interest.
    while let Some(next) = schedule.due_after(at).filter(|t| *t <= now) {
        at = next;
    }
    if now - at <= GRACE {
        Due::Now(at)
    } else if schedule.catch_up {
        Due::CatchUp(at)
    } else {
        Due::Missed(at)
    }
}

/// How long ago, in words: "45 s", "12 min", "3 h 20 min", "2 days".
fn ago(secs: i64) -> String {
    match secs {
        ..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        7200..172_800 => format!("{} h {} min", secs / 3600, secs / 60 % 60),
        _ => format!("{} days", secs / 86_400),
    }
}

/// Where serve keeps its [`Stamps`].
fn stamps_path() -> Option<PathBuf> {
    crate::paths::data_dir().map(|d| d.join("serve-schedules.json"))
}

fn read_stamps(path: &Path) -> Stamps {
    crate::guard::read::read(path, 1 << 20)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_stamps(path: &Path, stamps: &Stamps) {
    let Ok(text) = serde_json::to_vec_pretty(stamps) else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let temporary = path.with_extension("json.new");
    if std::fs::write(&temporary, text).is_ok() {
        let _ = std::fs::rename(&temporary, path);
    }
}

/// Plays the schedules systemd does not: each time one comes due, and at
/// the start a time missed while serve was not running, if it catches up.
/// A schedule first seen is dealt with from when it was added, or from
/// serve's start if it was there before.
fn schedules(service: &Arc<Service>) {
    let (Ok(dir), Some(stamps_at)) = (schedule::units_dir(), stamps_path()) else {
        return;
    };
    let started = now();
    let mut stamps = read_stamps(&stamps_at);
    loop {
        let now = now();
        let all = schedule::schedules(&dir);
        let mut changed = false;
        for s in &all {
            let last = match stamps.get(&s.name) {
                Some(&last) => last,
                None => {
                    let from = schedule::added(&dir, &s.name).map_or(now, |t| t.max(started));
                    stamps.insert(s.name.clone(), from);
                    changed = true;
                    from
                }
            };
            let (at, late) = match due(s, last, now) {
                Due::Not => continue,
                Due::Now(at) => (at, false),
                Due::CatchUp(at) => (at, true),
                Due::Missed(at) => {
                    stamps.insert(s.name.clone(), at);
                    changed = true;
                    if !schedule::systemd_plays(&dir, &s.name) {
                        crate::guard::out::line(&format!(
                            "coach serve: {} was due {} ago and is not played (`coach schedule add --catch-up` plays a missed time)",
                            s.name,
                            ago(now - at)
                        ));
                    }
                    continue;
                }
            };
            stamps.insert(s.name.clone(), at);
            changed = true;
            if schedule::systemd_plays(&dir, &s.name) {
                continue;
            }
            let said = match start(service, &s.play_args()) {
                Ok(pid) if late => format!(
                    "{} was due {} ago and catches up: started (pid {pid})",
                    s.name,
                    ago(now - at)
                ),
                Ok(pid) => format!("{} is due: started (pid {pid})", s.name),
                Err(e) => format!("{} is due, and is not played: {e}", s.name),
            };
            crate::guard::out::line(&format!("coach serve: {said}"));
        }
        // Schedules gone are forgotten.
        let before = stamps.len();
        stamps.retain(|name, _| all.iter().any(|s| &s.name == name));
        if changed || stamps.len() != before {
            write_stamps(&stamps_at, &stamps);
        }
        let next = all.iter().filter_map(|s| s.due_after(now)).min();
        let wait = next.map_or(LOOK_AGAIN, |t| (t - now).clamp(1, LOOK_AGAIN));
        std::thread::sleep(Duration::from_secs(wait as u64));
    }
}

/// On SIGTERM, SIGINT or SIGHUP: the session is stopped as a stop signal
/// stops it (logged as such), the socket removed, and the process ends.
fn stop_on_signals(path: std::path::PathBuf, service: Arc<Service>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            if let Ok(mut slot) = service.playing.lock()
                && let Some(child) = slot.as_mut()
            {
                // SAFETY: signals our own child.
                unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
                let _ = child.wait();
            }
            let _ = std::fs::remove_file(&path);
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::calendar::local;

    fn at(at: &str, days: &str, catch_up: bool) -> Schedule {
        Schedule {
            name: "s".into(),
            routine: "hamstring-lower-back".into(),
            at: at.into(),
            days: days.into(),
            voice: None,
            device: None,
            catch_up,
        }
    }

    #[test]
    fn a_schedule_is_due_at_its_time_on_its_days_only() {
        // Across the spring change of daylight-saving time in Europe and
        // the United States too (run with TZ=Europe/Berlin to see it).
        for start in [1_800_000_000, 1_806_000_000] {
            due_on_its_days(start);
        }
    }

    fn due_on_its_days(start: i64) {
        let s = at("07:30", "mon,wed,fri", false);
        let mut t = start;
        let mut weekdays = Vec::new();
        for _ in 0..6 {
            let next = s.due_after(t).unwrap();
            assert!(next > t);
            let l = local(next * 1000);
            assert_eq!((l.hour, l.minute, l.second), (7, 30, 0), "{l:?}");
            weekdays.push(l.date.weekday());
            // Nothing between: the minute before is not due.
            assert_eq!(
                s.due_after(t).unwrap(),
                s.due_after(t.max(next - 60)).unwrap()
            );
            t = next;
        }
        weekdays.sort();
        weekdays.dedup();
        assert_eq!(weekdays, [0, 2, 4]);
        // Exactly at its time, it is due after the time before.
        let once = s.due_after(start).unwrap();
        assert_eq!(s.due_after(once - 1), Some(once));
        assert!(s.due_after(once).unwrap() >= once + 2 * 86_400);
        assert_eq!(at("7:30", "someday", false).due_after(start), None);
    }

    #[test]
    fn a_time_long_past_is_missed_unless_it_catches_up() {
        let s = at("07:30", "daily", false);
        let time = s.due_after(1_800_000_000).unwrap();
        assert_eq!(due(&s, time - 100, time - 1), Due::Not);
        assert_eq!(due(&s, time - 100, time), Due::Now(time));
        assert_eq!(due(&s, time - 100, time + GRACE), Due::Now(time));
        assert_eq!(due(&s, time - 100, time + GRACE + 1), Due::Missed(time));
        // Dealt with: not again.
        assert_eq!(due(&s, time, time + 60), Due::Not);
        // Three days off: the last of the three times is the one missed.
        let later = time + 3 * 86_400;
        assert_eq!(due(&s, time - 100, later + 3600), Due::Missed(later));
        let s = at("07:30", "daily", true);
        assert_eq!(due(&s, time - 100, later + 3600), Due::CatchUp(later));
    }

    #[test]
    fn todays_routine_is_the_next_due_today_else_the_last() {
        let mut morning = at("07:30", "daily", false);
        morning.routine = "morning".into();
        let mut evening = at("18:00", "daily", false);
        evening.routine = "evening".into();
        let mut sunday = at("12:00", "sun", false);
        sunday.routine = "sunday".into();
        let all = [morning, evening, sunday];
        let seven_thirty = all[0].due_after(1_800_000_000).unwrap();
        let routine = |t: i64| todays(&all, t).map(|s| s.routine.as_str());
        assert_eq!(routine(seven_thirty - 60), Some("morning"));
        assert_eq!(routine(seven_thirty + 60), Some("evening"));
        assert_eq!(routine(seven_thirty + 11 * 3600), Some("evening"));
        let sunday = local(seven_thirty * 1000).date.weekday() == 6;
        assert_eq!(
            todays(&all[2..], seven_thirty).is_some(),
            sunday,
            "only on a Sunday"
        );
        assert_eq!(ago(45), "45 s");
        assert_eq!(ago(3 * 3600 + 20 * 60), "3 h 20 min");
    }
}
