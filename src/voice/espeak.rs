//! The espeak-ng voice: one `espeak-ng --stdout` run per distinct text, the
//! text given on stdin (never as an argument, so no text can pass for an
//! option), the WAV read from stdout with its size fields ignored.

use std::process::Command;
use std::time::Duration;

use super::{Voice, VoiceError, trim_silence};
use crate::guard::child::{self, Failure};
use crate::timeline::SAMPLE_RATE;

/// The longest a single synthesis may take before espeak-ng is killed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Default speaking rate in words per minute: a little slower than
/// espeak-ng's own 175, for instructions heard with closed eyes.
pub const DEFAULT_SPEED: u32 = crate::config::keys::SPEED.default;
pub const DEFAULT_PITCH: u32 = crate::config::keys::PITCH.default;

/// espeak-ng with one voice and its settings.
#[derive(Clone, Debug)]
pub struct Espeak {
    /// An espeak-ng voice name, such as `en`, `en-us` or `de`.
    pub voice: String,
    /// Words per minute, 80 to 450.
    pub speed: u32,
    /// 0 to 99.
    pub pitch: u32,
    /// The program to run.
    pub program: String,
}

impl Espeak {
    pub fn new(voice: &str, speed: u32) -> Espeak {
        Espeak {
            voice: voice.to_string(),
            speed,
            pitch: DEFAULT_PITCH,
            program: "espeak-ng".into(),
        }
    }
}

/// An espeak-ng voice as `coach voices` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoiceInfo {
    /// What `--voice` takes after `espeak:`.
    pub name: String,
    pub language: String,
    pub description: String,
}

/// The voices espeak-ng has, for `language` if given. MBROLA voices are
/// left out unless the `mbrola` program is installed.
pub fn list_voices(program: &str, language: Option<&str>) -> Result<Vec<VoiceInfo>, VoiceError> {
    let mut command = Command::new(program);
    match language {
        Some(lang) => command.arg(format!("--voices={lang}")),
        None => command.arg("--voices"),
    };
    let out = child::run(&mut command, None, 4 << 20, TIMEOUT).map_err(|e| match e {
        Failure::Start(e) if e.kind() == std::io::ErrorKind::NotFound => VoiceError::Missing(
            "espeak-ng was not found; install it with `sudo apt install espeak-ng`".into(),
        ),
        other => VoiceError::Failed(format!(
            "could not run {program}: {}",
            super::failure(&other)
        )),
    })?;
    let mbrola = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("mbrola").is_file()));
    let mut voices = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [_, language, _, description, file, ..] = cols[..] else {
            continue;
        };
        let name = match file.strip_prefix("mb/") {
            Some(mb) if mbrola => mb.to_string(),
            Some(_) => continue,
            None => language.to_string(),
        };
        if voices.iter().any(|v: &VoiceInfo| v.name == name) {
            continue;
        }
        voices.push(VoiceInfo {
            name,
            language: language.to_string(),
            description: description.replace('_', " "),
        });
    }
    Ok(voices)
}

impl Voice for Espeak {
    fn id(&self) -> String {
        format!(
            "espeak-ng voice={} speed={} pitch={} trim=1 plain=1",
            self.voice, self.speed, self.pitch
        )
    }

    fn synthesize(&self, text: &str) -> Result<Vec<i16>, VoiceError> {
        let text = plain_text(text);
        let mut command = Command::new(&self.program);
        command
            .args(["-v", &self.voice])
            .args(["-s", &self.speed.to_string()])
            .args(["-p", &self.pitch.to_string()])
            .args(["--stdout", "--stdin"]);
        let ran = child::run(
            &mut command,
            Some(text.as_bytes()),
            super::MAX_VOICE_OUTPUT,
            TIMEOUT,
        )
        .map_err(|e| match e {
            Failure::Start(e) if e.kind() == std::io::ErrorKind::NotFound => VoiceError::Missing(format!(
                "espeak-ng was not found, and coach needs it to speak. Install it with `sudo apt install espeak-ng` (Debian, Ubuntu, Raspberry Pi OS) or `brew install espeak-ng` (macOS). ({} could not be started)",
                self.program
            )),
            Failure::Start(e) => VoiceError::Failed(format!("could not start {}: {e}", self.program)),
            Failure::TimedOut => VoiceError::Failed(format!(
                "espeak-ng did not finish within {} s and was stopped",
                TIMEOUT.as_secs()
            )),
            other => VoiceError::Failed(format!("espeak-ng: {}", super::failure(&other))),
        })?;
        let (status, out, err) = (ran.status, ran.stdout, ran.stderr);

        if !status.success() {
            let said = String::from_utf8_lossy(&err).to_string() + &String::from_utf8_lossy(&out);
            if said.contains("voice does not exist") {
                // The nearest name it has, if one is near.
                let names: Vec<String> = list_voices(&self.program, None)
                    .map(|v| v.into_iter().map(|v| v.name).collect())
                    .unwrap_or_default();
                let near =
                    crate::source::diag::suggest(&self.voice, names.iter().map(String::as_str))
                        .map(|n| format!(" (did you mean \"{n}\"?)"))
                        .unwrap_or_default();
                return Err(VoiceError::UnknownVoice(format!(
                    "espeak-ng has no voice \"{}\"{near}. Pick one with --voice (`coach voices` lists them), or set the routine's language to one it has.",
                    self.voice
                )));
            }
            return Err(VoiceError::Failed(format!(
                "espeak-ng failed ({status}): {}",
                said.trim()
            )));
        }
        let (rate, samples) = super::wav::decode(&out)
            .map_err(|e| VoiceError::Failed(format!("espeak-ng gave unusable audio: {e}")))?;
        // MBROLA voices speak at 16 kHz.
        let samples = super::resample::resample(trim_silence(&samples), rate, SAMPLE_RATE);
        Ok(samples)
    }
}

/// A routine's text as espeak-ng should read it: literally. Line breaks and
/// tabs are layout, not pauses; and `[[...]]`, which espeak-ng would read
/// as phoneme codes, is split so that it is only brackets. (SSML is read
/// only with `-m`, which coach never passes.)
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = ' ';
    for c in text.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if (c == '[' || c == ']') && c == last {
            out.push(' ');
        }
        out.push(c);
        last = c;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_reach_espeak_as_plain_words() {
        assert_eq!(super::plain_text("a\tb\nc"), "a b c");
        assert_eq!(super::plain_text("[[h@'loU]]"), "[ [h@'loU] ]");
        assert_eq!(super::plain_text("[[[x"), "[ [ [x");
        assert_eq!(super::plain_text("[a] [b]"), "[a] [b]");
    }
    use super::*;

    #[test]
    fn missing_program_says_how_to_install() {
        let mut voice = Espeak::new("en", 160);
        voice.program = "/nonexistent/espeak-ng".into();
        let err = voice.synthesize("hi").unwrap_err();
        assert!(
            matches!(&err, VoiceError::Missing(m) if m.contains("sudo apt install espeak-ng")),
            "{err}"
        );
    }

    #[test]
    fn real_espeak_speaks_trimmed_audio() {
        let voice = Espeak::new("en", 160);
        let clip = voice
            .synthesize("Keep your back straight.")
            .expect("espeak-ng is installed");
        // About a second and a half of speech, without espeak-ng's padding.
        assert!(
            (15_000..60_000).contains(&clip.len()),
            "{} samples",
            clip.len()
        );
        assert!(clip[0].unsigned_abs() > 8 && clip[clip.len() - 1].unsigned_abs() > 8);
        let unknown = Espeak::new("xx-nope", 160).synthesize("hi").unwrap_err();
        assert!(matches!(unknown, VoiceError::UnknownVoice(_)), "{unknown}");
    }
}
