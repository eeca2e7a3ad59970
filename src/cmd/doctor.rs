//! `coach doctor`: what a session needs, checked one by one, each problem
//! with its fix: the config, the voices, the sound output (and a test tone
//! on it), the session log and the cache, and the input devices and GPIO
//! lines the remotes read.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{Exit, Run, print, print_json};
use crate::audio::device;
use crate::audio::output::Source;
use crate::cli::Doctor;
use crate::config::Config;
use crate::source::Language;
use crate::voice::{VoiceChoice, espeak, piper};

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum State {
    /// As it should be.
    Ok,
    /// Worth knowing, nothing to fix: something optional is missing.
    Note,
    /// A session will not work (or not fully) until it is fixed.
    Problem,
}

/// One finding: what was checked, what was found, and how to fix it.
#[derive(Debug, Serialize)]
struct Finding {
    check: &'static str,
    state: State,
    found: String,
    fix: Option<String>,
}

fn ok(check: &'static str, found: impl Into<String>) -> Finding {
    Finding {
        check,
        state: State::Ok,
        found: found.into(),
        fix: None,
    }
}

fn note(check: &'static str, found: impl Into<String>, fix: Option<String>) -> Finding {
    Finding {
        check,
        state: State::Note,
        found: found.into(),
        fix,
    }
}

fn problem(check: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        check,
        state: State::Problem,
        found: found.into(),
        fix: Some(fix.into()),
    }
}

impl Run for Doctor {
    fn run(&self) -> Result<Exit> {
        let (config, mut findings) = config();
        findings.push(espeak_ng(&config));
        findings.push(piper_voices());
        findings.push(self.sound(&config));
        findings.push(writable(
            "log",
            crate::sessions::log_path().as_deref(),
            "the session log",
            "set COACH_LOG to a file you can write, or give the folder to your user (sudo chown -R $USER FOLDER); `coach play --no-log` plays without it",
        ));
        findings.push(writable(
            "cache",
            crate::paths::cache_dir().map(|d| d.join("probe")).as_deref(),
            "the speech cache",
            "give the folder to your user (sudo chown -R $USER FOLDER) or set XDG_CACHE_HOME to one you can write; without it every session makes its speech again",
        ));
        findings.push(input_devices());
        findings.push(gpio());
        let serving = super::serve::listening();
        findings.push(service(serving.as_deref()));
        findings.extend(schedules(serving.is_some()));
        let problems = findings
            .iter()
            .filter(|f| f.state == State::Problem)
            .count();
        if self.json {
            print_json(&findings)?;
        } else {
            let mut out = String::new();
            for f in &findings {
                let mark = match f.state {
                    State::Ok => "ok     ",
                    State::Note => "note   ",
                    State::Problem => "PROBLEM",
                };
                out.push_str(&format!(
                    "{mark}  {:<7} {}\n",
                    f.check,
                    crate::guard::text::shown(&f.found)
                ));
                if let Some(fix) = &f.fix {
                    out.push_str(&format!("{:17}{}\n", "", crate::guard::text::shown(fix)));
                }
            }
            out.push_str(&match problems {
                0 => "No problems found.\n".to_string(),
                n => format!(
                    "{} found; each says how to fix it.\n",
                    super::count(n, "problem")
                ),
            });
            print(&out)?;
        }
        Ok(if problems == 0 {
            Exit::Success
        } else {
            Exit::Failure
        })
    }
}

/// The config file: none (the defaults), read, or where it is wrong.
fn config() -> (Config, Vec<Finding>) {
    let path = crate::paths::config_file();
    let shown = path.as_ref().map_or_else(
        || "no config folder".to_string(),
        |p| p.display().to_string(),
    );
    match crate::config::load() {
        Ok(config) if path.as_ref().is_some_and(|p| p.exists()) => {
            (config, vec![ok("config", format!("{shown} is read"))])
        }
        Ok(config) => (
            config,
            vec![ok(
                "config",
                format!("no config file at {shown}: the defaults are used"),
            )],
        ),
        Err(e) => {
            // Where it is wrong, with its lines, as every command shows it.
            if let crate::config::ConfigError::Invalid(report) = &e {
                crate::guard::out::stderr(&report.to_string());
            }
            (
                Config::default(),
                vec![problem(
                    "config",
                    format!("{e}"),
                    "fix the file where the error above says, or move it away to use the defaults (`coach config path` names it)",
                )],
            )
        }
    }
}

/// espeak-ng, which speaks unless the config names another voice.
fn espeak_ng(config: &Config) -> Finding {
    let settings = crate::settings::resolve(
        &crate::settings::Overrides::default(),
        config,
        &Language::default(),
    );
    let needed = matches!(settings.voice, VoiceChoice::Espeak(_));
    match espeak::list_voices("espeak-ng", None) {
        Ok(voices) => ok(
            "voice",
            format!("espeak-ng speaks, with {} voices", voices.len()),
        ),
        Err(e) if needed => problem(
            "voice",
            format!("{e}"),
            "install it: sudo apt install espeak-ng (then `coach voices` lists its voices)",
        ),
        Err(e) => note(
            "voice",
            format!("{e}; the config's voice speaks instead"),
            None,
        ),
    }
}

/// Piper's models, which are optional.
fn piper_voices() -> Finding {
    let Some(program) = piper::program() else {
        return note(
            "piper",
            "Piper is not installed (optional: a more natural voice)",
            Some("the README's section on Piper says how to install it and a voice".into()),
        );
    };
    let python = piper::interpreter(&program);
    let models = piper::models_in(&piper::model_folders(python.as_deref()));
    if models.is_empty() {
        return note(
            "piper",
            format!("{} is installed, with no voice model", program.display()),
            Some("download one (the README's section on Piper says how); `coach voices` lists those found".into()),
        );
    }
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    ok(
        "piper",
        format!(
            "{} voice model{}: piper:{}",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", piper:")
        ),
    )
}

impl Doctor {
    /// The output `play` would open, and with --play-test a tone on it.
    fn sound(&self, config: &Config) -> Finding {
        let settings = crate::settings::resolve(
            &crate::settings::Overrides::default(),
            config,
            &Language::default(),
        );
        let wanted = device::Wanted {
            choice: settings.output,
            device: settings.device.as_deref(),
            latency: settings.latency,
            deep: true,
            role: &settings.role,
            title: "coach doctor",
        };
        let fix = "`coach devices` lists the devices; on a desktop, check that the sound server (PulseAudio or PipeWire) runs; without one, that `aplay -l` lists a card and your user is in the audio group (sudo adduser $USER audio, then log in again)";
        let mut output = match device::open_output(&wanted) {
            Ok(o) => o,
            Err(e) => return problem("sound", format!("no output opens: {e}"), fix),
        };
        if !self.play_test {
            output.stop();
            let devices = device::list();
            let name = super::devices::used(&devices, config).map_or_else(
                || "its default device".to_string(),
                |i| devices[i].id.clone(),
            );
            return ok(
                "sound",
                format!("play uses {name} (`coach doctor --play-test` plays a tone on it)"),
            );
        }
        let tone = TestTone::new();
        let played = output.play(Box::new(tone));
        // Named once it plays: a sound server's sink is known then.
        let name = output.name();
        let played = played.and_then(|()| output.finish());
        match played {
            Ok(()) => ok(
                "sound",
                format!("play uses {name}, and a test tone was played on it: three beeps"),
            ),
            Err(e) => problem(
                "sound",
                format!("{name} opened, but the test tone failed: {e}"),
                fix,
            ),
        }
    }
}

/// Three short beeps, as a session's start tone sounds.
struct TestTone {
    samples: Vec<i16>,
    at: usize,
}

impl TestTone {
    fn new() -> TestTone {
        let beep = crate::timeline::ToneKind::Start.render();
        let gap = vec![0i16; crate::SAMPLE_RATE as usize / 4];
        let mut samples = Vec::new();
        for _ in 0..3 {
            samples.extend_from_slice(&beep);
            samples.extend_from_slice(&gap);
        }
        TestTone { samples, at: 0 }
    }
}

impl Source for TestTone {
    fn fill(&mut self, out: &mut [i16]) -> usize {
        let n = out.len().min(self.samples.len() - self.at);
        out[..n].copy_from_slice(&self.samples[self.at..self.at + n]);
        self.at += n;
        n
    }

    fn remaining(&self) -> Option<u64> {
        Some((self.samples.len() - self.at) as u64)
    }
}

/// Whether coach can write beside `file` (its folder made if need be).
fn writable(check: &'static str, file: Option<&Path>, what: &str, fix: &str) -> Finding {
    let Some(folder) = file.and_then(Path::parent) else {
        return problem(check, format!("there is no folder for {what}"), fix);
    };
    let probe = folder.join(format!(".coach-doctor-{}", std::process::id()));
    let tried = std::fs::create_dir_all(folder).and_then(|()| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
            .map(drop)
    });
    let _ = std::fs::remove_file(&probe);
    match tried {
        Ok(()) => ok(
            check,
            format!("{what} can be written in {}", folder.display()),
        ),
        Err(e) => problem(
            check,
            format!("{what} cannot be written in {}: {e}", folder.display()),
            fix,
        ),
    }
}

/// The input devices a remote's buttons come from.
fn input_devices() -> Finding {
    let events = files_in("/dev/input", "event");
    if events.is_empty() {
        return note(
            "input",
            "no input devices (/dev/input/event*): remotes and media keys need one",
            None,
        );
    }
    let readable = events
        .iter()
        .filter(|p| std::fs::File::open(p).is_ok())
        .count();
    if readable == 0 {
        return note(
            "input",
            format!(
                "{} input devices, none readable: a remote's buttons will not reach coach",
                events.len()
            ),
            Some("sudo adduser $USER input, then log in again".into()),
        );
    }
    ok(
        "input",
        format!("{readable} of {} input devices can be read", events.len()),
    )
}

/// `coach serve`, which `coach ctl start`, the buttons and (without
/// systemd) the schedules need.
fn service(listening: Option<&Path>) -> Finding {
    match listening {
        Some(path) => ok(
            "serve",
            format!("coach serve is waiting on {}", path.display()),
        ),
        None => note(
            "serve",
            "coach serve is not running: `coach ctl start` and a button cannot start a session",
            Some(
                "systemctl --user enable --now coach-serve (the package's unit), or coach serve &"
                    .into(),
            ),
        ),
    }
}

/// Each schedule: its routine is there, and something will play it.
fn schedules(serving: bool) -> Vec<Finding> {
    let Ok(dir) = super::schedule::units_dir() else {
        return Vec::new();
    };
    let all = super::schedule::schedules(&dir);
    if all.is_empty() {
        return vec![ok("timer", "no schedules")];
    }
    all.iter()
        .map(|s| {
            let what = format!("{} ({} at {}, {})", s.name, s.routine, s.at, s.days);
            if let Err(e) = crate::routine::find::find(&s.routine) {
                return problem(
                    "timer",
                    format!("{what}: {e}"),
                    format!(
                        "put the routine back, or `coach schedule remove {}` and add it again",
                        s.name
                    ),
                );
            }
            if super::schedule::systemd_plays(&dir, &s.name) {
                ok("timer", format!("{what}: systemd plays it"))
            } else if serving {
                ok(
                    "timer",
                    format!("{what}: coach serve plays it (systemd does not)"),
                )
            } else {
                problem(
                    "timer",
                    format!("{what}: nothing will play it: systemd's user manager does not have it and coach serve is not running"),
                    format!(
                        "systemctl --user daemon-reload && systemctl --user enable --now coach-schedule-{}.timer, or run coach serve",
                        s.name
                    ),
                )
            }
        })
        .collect()
}

/// The GPIO chips a button on a pin is read from.
fn gpio() -> Finding {
    let chips = files_in("/dev", "gpiochip");
    if chips.is_empty() {
        return note(
            "gpio",
            "no GPIO chip (/dev/gpiochip*): not a Raspberry Pi, or none enabled",
            None,
        );
    }
    let usable = chips
        .iter()
        .filter(|p| {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(p)
                .is_ok()
        })
        .count();
    if usable == 0 {
        return note(
            "gpio",
            format!(
                "{} GPIO chips, none usable: a button on a pin will not reach coach",
                chips.len()
            ),
            Some("sudo adduser $USER gpio, then log in again".into()),
        );
    }
    ok(
        "gpio",
        format!("{usable} of {} GPIO chips can be used", chips.len()),
    )
}

/// The files of `folder` whose names start with `prefix`.
fn files_in(folder: &str, prefix: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(folder)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default()
}
