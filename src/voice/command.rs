//! Command voices: any program the user names in the config that reads a
//! text and writes speech, such as Piper or flite. It is run directly,
//! never through a shell; the text reaches it on stdin or as one argument.
//! A persistent one is started once and asked for every clip in coach's
//! voice protocol ([`super::framed`]).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::framed::{Framed, Trouble};

use super::{MAX_VOICE_OUTPUT, Voice, VoiceError, resample::resample, trim_silence, wav};
use crate::config::{AudioFormat, CommandVoice};
use crate::guard::child::{self, Failure};
use crate::timeline::SAMPLE_RATE;

/// A configured command voice at a speed and pitch.
#[derive(Clone, Debug)]
pub struct CommandEngine {
    pub voice: CommandVoice,
    pub speed: u32,
    pub pitch: u32,
    /// A persistent voice's running program, once started.
    pub running: Running,
}

/// A persistent voice's program, shared by the engine's clones.
#[derive(Clone, Default)]
pub struct Running(Arc<Mutex<Option<Framed>>>);

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Running")
    }
}

/// Distinct names for the files of syntheses running at once.
static NEXT_FILE: AtomicU64 = AtomicU64::new(0);

impl CommandEngine {
    /// The arguments with their placeholders filled in; whether the text
    /// and the output file are among them.
    fn arguments(&self, text: &str, file: &std::path::Path) -> (Vec<String>, bool, bool) {
        // A text passed as an argument that starts with "-" could be read
        // as an option; a leading space keeps it a plain argument.
        let text_arg = if text.starts_with('-') {
            format!(" {text}")
        } else {
            text.to_string()
        };
        let (mut uses_text, mut uses_file) = (false, false);
        let args = self.voice.command[1..]
            .iter()
            .map(|a| {
                uses_text |= a.contains("{text}");
                uses_file |= a.contains("{file}");
                a.replace("{speed}", &self.speed.to_string())
                    .replace("{pitch}", &self.pitch.to_string())
                    .replace("{file}", &file.display().to_string())
                    .replace("{text}", &text_arg)
            })
            .collect();
        (args, uses_text, uses_file)
    }
}

impl CommandEngine {
    /// The sample rate of the Piper model the command names
    /// (`--model X.onnx` or `-m X.onnx`), from its `.onnx.json`.
    fn model_rate(&self) -> Option<u32> {
        let args = &self.voice.command;
        let at = args.iter().position(|a| a == "--model" || a == "-m")?;
        let model = args.get(at + 1)?;
        let json =
            crate::guard::read::read(std::path::Path::new(&format!("{model}.json")), 1 << 20)
                .ok()?;
        let json: serde_json::Value = serde_json::from_slice(&json).ok()?;
        json["audio"]["sample_rate"].as_u64().map(|r| r as u32)
    }
}

impl Voice for CommandEngine {
    fn id(&self) -> String {
        format!(
            "command {} {:?} {:?} speed={} pitch={}",
            self.voice.name, self.voice.command, self.voice.format, self.speed, self.pitch
        )
    }

    fn synthesize(&self, text: &str) -> Result<Vec<i16>, VoiceError> {
        if self.voice.format == AudioFormat::Framed {
            return self.ask_running(text);
        }
        let name = &self.voice.name;
        let program = &self.voice.command[0];
        if let AudioFormat::Raw { rate } = self.voice.format
            && let Some(model_rate) = self.model_rate()
            && model_rate != rate
        {
            return Err(VoiceError::Failed(format!(
                "the voice \"{name}\" says rate = {rate}, but its model's .onnx.json says sample_rate = {model_rate}: set rate = {model_rate} in [voices.{name}] (a wrong rate plays the speech too fast or too slow)"
            )));
        }
        let file = temp_file();
        let (args, uses_text, uses_file) = self.arguments(text, &file);
        // The program runs in a scratch folder of its own, so whatever it
        // writes by itself (piper's output.wav when its output flag is
        // missing) never lands in the user's folders; paths it is given
        // relative to where coach runs still name the same files.
        let here = std::env::current_dir().ok();
        let args: Vec<String> = args
            .into_iter()
            .zip(&self.voice.command[1..])
            .map(|(a, template)| match &here {
                // Never the text: a text can look like a file's name.
                Some(dir)
                    if !template.contains("{text}")
                        && !a.starts_with('-')
                        && Path::new(&a).is_relative()
                        && dir.join(&a).exists() =>
                {
                    dir.join(&a).display().to_string()
                }
                _ => a,
            })
            .collect();
        let program = match &here {
            Some(dir) if program.contains('/') && Path::new(program).is_relative() => {
                dir.join(program).display().to_string()
            }
            _ => program.clone(),
        };
        let program = &program;
        let scratch = PathBuf::from(format!("{}.d", file.display()));
        let _ = std::fs::create_dir(&scratch);
        let mut command = Command::new(program);
        command.args(&args).current_dir(&scratch);
        let timeout = Duration::from_micros(self.voice.timeout.micros());
        let input = (!uses_text).then_some(text.as_bytes());
        let ran = child::run(&mut command, input, MAX_VOICE_OUTPUT, timeout);
        let _ = std::fs::remove_dir_all(&scratch);
        let from_file = uses_file.then(|| {
            let bytes = crate::guard::read::read(&file, MAX_VOICE_OUTPUT as u64);
            let _ = std::fs::remove_file(&file);
            bytes
        });
        let ran = ran.map_err(|e| match e {
            Failure::Start(e) if e.kind() == std::io::ErrorKind::NotFound => VoiceError::Missing(format!(
                "the voice \"{name}\" runs {program}, which was not found; install it or fix [voices.{name}] in the config"
            )),
            Failure::Start(e) => {
                VoiceError::Failed(format!("the voice \"{name}\" could not start {program}: {e}"))
            }
            Failure::TimedOut => VoiceError::Failed(format!(
                "the voice \"{name}\" did not finish within {} and was stopped, with everything it started; raise its timeout in the config if it is just slow",
                self.voice.timeout
            )),
            other => VoiceError::Failed(format!("the voice \"{name}\": {}", super::failure(&other))),
        })?;
        let (status, stderr) = (ran.status, ran.stderr);
        let bytes = match from_file {
            Some(read) => read.map_err(|e| {
                VoiceError::Failed(format!(
                    "the voice \"{name}\" wrote no usable file {{file}}: {e}"
                ))
            })?,
            None => ran.stdout,
        };
        if !status.success() {
            let said = String::from_utf8_lossy(&stderr);
            let said = reason(&said);
            return Err(VoiceError::Failed(format!(
                "the voice \"{name}\" failed ({status}){}{said}",
                if said.is_empty() { "" } else { ": " }
            )));
        }
        let (rate, samples) = match self.voice.format {
            AudioFormat::Wav if !bytes.starts_with(b"RIFF") && !bytes.is_empty() => {
                return Err(VoiceError::Failed(format!(
                    "the voice \"{name}\" wrote {} bytes that are not a WAV file: if it writes raw 16-bit samples (as piper --output-raw does), set format = \"raw\" and its rate in [voices.{name}]",
                    bytes.len()
                )));
            }
            AudioFormat::Wav => wav::decode(&bytes).map_err(|e| {
                VoiceError::Failed(format!("the voice \"{name}\" wrote unusable audio: {e}"))
            })?,
            AudioFormat::Raw { .. } if bytes.starts_with(b"RIFF") => {
                return Err(VoiceError::Failed(format!(
                    "the voice \"{name}\" wrote a WAV file, not raw samples: set format = \"wav\" in [voices.{name}] (a WAV file says its own rate)"
                )));
            }
            AudioFormat::Raw { rate } => (
                rate,
                bytes
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]))
                    .collect(),
            ),
            AudioFormat::Framed => unreachable!("asked of the running program"),
        };
        self.finished(text, &samples, rate)
    }
}

impl CommandEngine {
    /// Trimmed and at the session's rate; no sound at all is an error.
    fn finished(&self, text: &str, samples: &[i16], rate: u32) -> Result<Vec<i16>, VoiceError> {
        let samples = trim_silence(samples);
        if samples.is_empty() {
            return Err(VoiceError::Failed(format!(
                "the voice \"{}\" gave no sound for \"{text}\"",
                self.voice.name
            )));
        }
        Ok(resample(samples, rate, SAMPLE_RATE))
    }

    /// One clip from a persistent voice's program, started (and waited
    /// for) first if it is not running; a program that failed is stopped,
    /// so the next clip starts it again.
    fn ask_running(&self, text: &str) -> Result<Vec<i16>, VoiceError> {
        let name = &self.voice.name;
        let program = &self.voice.command[0];
        let wait = Duration::from_micros(self.voice.timeout.micros());
        let mut slot = self.running.0.lock().unwrap_or_else(|e| e.into_inner());
        let explain = |trouble: Trouble| {
            VoiceError::Failed(match trouble {
                Trouble::Said(e) => format!("the voice \"{name}\": {e}"),
                Trouble::Garbage(e) => format!(
                    "the voice \"{name}\" ({program}) did not speak coach's voice protocol: {e}"
                ),
                Trouble::OutOfTurn => {
                    format!("the voice \"{name}\" ({program}) answered out of turn")
                }
                Trouble::TimedOut => format!(
                    "the voice \"{name}\" did not answer within {} and was stopped, with everything it started; raise its timeout in the config if it is just slow",
                    self.voice.timeout
                ),
                Trouble::Ended(said) => format!(
                    "the voice \"{name}\" ({program}) ended{}{said}",
                    if said.is_empty() { "" } else { ": " }
                ),
                Trouble::Deaf(e) => {
                    format!("the voice \"{name}\" ({program}) stopped taking requests: {e}")
                }
            })
        };
        if slot.is_none() {
            let mut command = Command::new(program);
            command
                .args(self.voice.command[1..].iter().map(|a| {
                    a.replace("{speed}", &self.speed.to_string())
                        .replace("{pitch}", &self.pitch.to_string())
                }))
                .current_dir(std::env::temp_dir());
            let started = Framed::start(&mut command, true, SAMPLE_RATE, wait).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    VoiceError::Missing(format!(
                        "the voice \"{name}\" runs {program}, which was not found; install it or fix [voices.{name}] in the config"
                    ))
                } else {
                    VoiceError::Failed(format!("the voice \"{name}\" could not start {program}: {e}"))
                }
            })?;
            *slot = Some(started.map_err(explain)?);
        }
        let running = slot.as_mut().expect("started");
        let rate = running.rate;
        let request = serde_json::json!({ "text": text, "speed": self.speed, "pitch": self.pitch });
        match running.ask(&request, wait) {
            Ok(samples) => self.finished(text, &samples, rate),
            Err(trouble) => {
                *slot = None;
                Err(explain(trouble))
            }
        }
    }
}

/// Why a program failed, from what it wrote to stderr: the last line that
/// says something (a Python traceback ends with its reason).
fn reason(stderr: &str) -> &str {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

fn temp_file() -> PathBuf {
    std::env::temp_dir().join(format!(
        "coach-{}-{}.wav",
        std::process::id(),
        NEXT_FILE.fetch_add(1, Ordering::Relaxed)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::Dur;

    fn engine(command: &[&str], format: AudioFormat, timeout: Dur) -> CommandEngine {
        CommandEngine {
            voice: CommandVoice {
                name: "test".into(),
                command: command.iter().map(|s| s.to_string()).collect(),
                format,
                language: None,
                timeout,
            },
            speed: 150,
            pitch: 40,
            running: Running::default(),
        }
    }

    #[test]
    fn a_failure_is_explained_by_its_last_words() {
        let traceback = "Traceback (most recent call last):\n  File \"piper\", line 8, in <module>\n    main()\nFileNotFoundError: [Errno 2] No such file or directory: 'amy.onnx'\n\n";
        assert_eq!(
            reason(traceback),
            "FileNotFoundError: [Errno 2] No such file or directory: 'amy.onnx'"
        );
        assert_eq!(reason(""), "");
    }

    #[test]
    fn audio_in_the_other_format_says_which_to_set() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw.sh");
        std::fs::write(&raw, "#!/bin/sh\nprintf 'abcdefgh'\n").unwrap();
        let wav = dir.path().join("wav.sh");
        std::fs::write(&wav, "#!/bin/sh\nprintf 'RIFF....WAVEfmt '\n").unwrap();
        for p in [&raw, &wav] {
            std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        }
        let e = engine(
            &[raw.to_str().unwrap()],
            AudioFormat::Wav,
            Dur::from_secs(5),
        );
        let err = e.synthesize("hi").unwrap_err().to_string();
        assert!(
            err.contains("are not a WAV file") && err.contains("format = \"raw\""),
            "{err}"
        );
        let e = engine(
            &[wav.to_str().unwrap()],
            AudioFormat::Raw { rate: 22050 },
            Dur::from_secs(5),
        );
        let err = e.synthesize("hi").unwrap_err().to_string();
        assert!(
            err.contains("wrote a WAV file") && err.contains("format = \"wav\""),
            "{err}"
        );
    }

    #[test]
    fn what_a_voice_writes_by_itself_never_lands_where_coach_runs() {
        let dir = tempfile::tempdir().unwrap();
        let voice = dir.path().join("voice.sh");
        std::fs::write(
            &voice,
            "#!/bin/sh\necho x > coach-stray-output.wav\nprintf 'abcd'\n",
        )
        .unwrap();
        std::fs::set_permissions(&voice, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let e = engine(
            &[voice.to_str().unwrap()],
            AudioFormat::Raw { rate: 22050 },
            Dur::from_secs(5),
        );
        let _ = e.synthesize("hi");
        let here = std::env::current_dir().unwrap();
        assert!(!here.join("coach-stray-output.wav").exists());
        // Nor is its scratch folder left behind.
        let left = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.path().join("coach-stray-output.wav").exists());
        assert!(!left);
    }

    #[test]
    fn a_raw_rate_that_is_not_the_models_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("amy.onnx");
        std::fs::write(
            dir.path().join("amy.onnx.json"),
            r#"{"audio": {"sample_rate": 22050}}"#,
        )
        .unwrap();
        let e = engine(
            &["piper", "--model", model.to_str().unwrap(), "--output-raw"],
            AudioFormat::Raw { rate: 16000 },
            Dur::from_secs(5),
        );
        let err = e.synthesize("hi").unwrap_err().to_string();
        assert!(err.contains("set rate = 22050"), "{err}");
    }

    #[test]
    fn placeholders_fill_in_and_dashes_stay_arguments() {
        let e = engine(
            &[
                "say",
                "-r",
                "{speed}",
                "-p{pitch}",
                "{text}",
                "--out={file}",
            ],
            AudioFormat::Wav,
            Dur::from_secs(1),
        );
        let (args, text, file) = e.arguments("-rm everything", std::path::Path::new("/t/x.wav"));
        assert_eq!(
            args,
            ["-r", "150", "-p40", " -rm everything", "--out=/t/x.wav"]
        );
        assert!(text && file);
        let e = engine(
            &["piper", "--output-raw"],
            AudioFormat::Raw { rate: 16_000 },
            Dur::from_secs(1),
        );
        let (args, text, file) = e.arguments("hi", std::path::Path::new("/t/x.wav"));
        assert_eq!(args, ["--output-raw"]);
        assert!(!text && !file);
    }

    /// A persistent voice in Python that speaks each request with
    /// espeak-ng, noting each start in `starts`; `mode` makes it misbehave.
    fn persistent(dir: &Path, mode: &str) -> CommandEngine {
        let script = dir.join("voice.py");
        std::fs::write(
            &script,
            r#"import json, struct, subprocess, sys
mode, starts = sys.argv[1], sys.argv[2]
open(starts, "a").write("start\n")
out = sys.stdout.buffer
def send(kind, body):
    out.write(kind + struct.pack("<I", len(body)) + body)
    out.flush()
if mode == "hang":
    child = subprocess.Popen(["sleep", "600"])
    open(starts + ".child", "w").write(str(child.pid))
    sys.stdin.read()
if mode == "crash":
    sys.stderr.write("Traceback (most recent call last):\nValueError: no such voice\n")
    sys.exit(1)
if mode == "garbage":
    out.write(b"hello, world\n" * 4)
    out.flush()
    sys.stdin.read()
send(b"RDY ", json.dumps({"sample_rate": 22050}).encode())
for line in sys.stdin:
    text = json.loads(line)["text"]
    if mode == "refuse":
        send(b"ERR ", b"cannot say that")
        continue
    wav = subprocess.run(["espeak-ng", "--stdout", "--", text], capture_output=True).stdout
    send(b"PCM ", wav[44:])
"#,
        )
        .unwrap();
        let starts = dir.join("starts");
        let mut e = engine(
            &[
                "python3",
                script.to_str().unwrap(),
                mode,
                starts.to_str().unwrap(),
            ],
            AudioFormat::Framed,
            Dur::from_secs(5),
        );
        e.voice.name = "kept".into();
        e
    }

    fn starts(dir: &Path) -> usize {
        std::fs::read_to_string(dir.join("starts"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    #[test]
    fn a_persistent_voice_makes_every_clip_in_one_process_as_a_program_per_clip_would() {
        let dir = tempfile::tempdir().unwrap();
        let kept = persistent(dir.path(), "ok");
        let once = engine(
            &["espeak-ng", "--stdout", "--", "{text}"],
            AudioFormat::Wav,
            Dur::from_secs(5),
        );
        for text in ["Hold.", "Cat-cow. 12 reps.", "Rest, 10 seconds."] {
            let clip = kept.synthesize(text).unwrap();
            assert!(clip.len() > 4_800, "{text}: {} samples", clip.len());
            assert_eq!(clip, once.synthesize(text).unwrap(), "{text}");
        }
        assert_eq!(starts(dir.path()), 1, "one process for every clip");
        // Its clones share it.
        let clone = kept.clone();
        assert!(!clone.synthesize("Good.").unwrap().is_empty());
        assert_eq!(starts(dir.path()), 1);
    }

    #[test]
    fn a_persistent_voice_that_fails_says_how_and_is_started_again() {
        let dir = tempfile::tempdir().unwrap();
        let err = |mode: &str| {
            persistent(dir.path(), mode)
                .synthesize("Hold.")
                .unwrap_err()
                .to_string()
        };
        let said = err("crash");
        assert!(said.contains("ended: ValueError: no such voice"), "{said}");
        let said = err("garbage");
        assert!(
            said.contains("did not speak coach's voice protocol"),
            "{said}"
        );
        let said = err("refuse");
        assert!(said.contains("\"kept\": cannot say that"), "{said}");
        let started = std::time::Instant::now();
        let mut hung = persistent(dir.path(), "hang");
        hung.voice.timeout = Dur::from_secs(1);
        let said = hung.synthesize("Hold.").unwrap_err().to_string();
        assert!(said.contains("did not answer within 1s"), "{said}");
        assert!(started.elapsed() < Duration::from_secs(4));
        // Stopped with what it started.
        let child: i32 = std::fs::read_to_string(dir.path().join("starts.child"))
            .unwrap()
            .parse()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        // Gone, or a zombie waiting for whoever reaps orphans.
        let state = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
        let alive = state
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']));
        assert!(!alive, "its child {child} was left running: {state}");
        // A refusal keeps nothing running: the next clip starts again.
        let before = starts(dir.path());
        let refusing = persistent(dir.path(), "refuse");
        let _ = refusing.synthesize("a");
        let _ = refusing.synthesize("b");
        assert_eq!(starts(dir.path()), before + 2);
        let missing = engine(
            &["no-such-voice-program"],
            AudioFormat::Framed,
            Dur::from_secs(1),
        );
        let said = missing.synthesize("Hold.").unwrap_err().to_string();
        assert!(said.contains("which was not found"), "{said}");
    }
}
