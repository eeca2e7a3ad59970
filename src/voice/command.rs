//! Command voices: any program the user names in the config that reads a
//! text and writes speech, such as Piper or flite. It is run directly,
//! never through a shell; the text reaches it on stdin or as one argument.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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
        };
        let samples = trim_silence(&samples);
        if samples.is_empty() {
            return Err(VoiceError::Failed(format!(
                "the voice \"{name}\" gave no sound for \"{text}\""
            )));
        }
        Ok(resample(samples, rate, SAMPLE_RATE))
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
}
