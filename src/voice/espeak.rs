//! The espeak-ng voice: one `espeak-ng --stdout` run per distinct text, the
//! text given on stdin (never as an argument, so no text can pass for an
//! option), the WAV read from stdout with its size fields ignored.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::{Voice, VoiceError, trim_silence};
use crate::SAMPLE_RATE;

/// The longest a single synthesis may take before espeak-ng is killed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Default speaking rate in words per minute: a little slower than
/// espeak-ng's own 175, for instructions heard with closed eyes.
pub const DEFAULT_SPEED: u32 = 160;
pub const DEFAULT_PITCH: u32 = 50;

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

/// The espeak-ng voice for a routine language tag: the tag in lower case
/// (`en-GB` → `en-gb`), which is how espeak-ng names its voices.
pub fn voice_for_language(tag: &str) -> String {
    tag.to_ascii_lowercase()
}

impl Voice for Espeak {
    fn id(&self) -> String {
        format!(
            "espeak-ng voice={} speed={} pitch={} trim=1",
            self.voice, self.speed, self.pitch
        )
    }

    fn synthesize(&self, text: &str) -> Result<Vec<i16>, VoiceError> {
        // Line breaks and tabs in a routine's text are layout, not pauses.
        let text: String = text
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let mut child = Command::new(&self.program)
            .args(["-v", &self.voice])
            .args(["-s", &self.speed.to_string()])
            .args(["-p", &self.pitch.to_string()])
            .args(["--stdout", "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => VoiceError::Missing(format!(
                    "espeak-ng was not found, and coach needs it to speak. Install it with `sudo apt install espeak-ng` (Debian, Ubuntu, Raspberry Pi OS) or `brew install espeak-ng` (macOS). ({} could not be started)",
                    self.program
                )),
                _ => VoiceError::Failed(format!("could not start {}: {e}", self.program)),
            })?;

        let mut stdin = child.stdin.take().expect("stdin is piped");
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let mut err = Vec::new();
            let read = stdout
                .read_to_end(&mut out)
                .and(stderr.read_to_end(&mut err));
            let _ = tx.send(read.map(|_| (out, err)));
        });
        // Texts are at most a few kilobytes, well within a pipe's buffer,
        // and espeak-ng reads all of its input before it speaks.
        let write = stdin.write_all(text.as_bytes());
        drop(stdin);

        let output = match rx.recv_timeout(TIMEOUT) {
            Ok(read) => read,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(VoiceError::Failed(format!(
                    "espeak-ng did not finish within {} s and was stopped",
                    TIMEOUT.as_secs()
                )));
            }
        };
        let status = child
            .wait()
            .map_err(|e| VoiceError::Failed(format!("espeak-ng: {e}")))?;
        let (out, err) = output.map_err(|e| VoiceError::Failed(format!("espeak-ng: {e}")))?;
        write.map_err(|e| VoiceError::Failed(format!("espeak-ng: {e}")))?;

        if !status.success() {
            let said = String::from_utf8_lossy(&err).to_string() + &String::from_utf8_lossy(&out);
            if said.contains("voice does not exist") {
                return Err(VoiceError::UnknownVoice(format!(
                    "espeak-ng has no voice \"{}\". Pick one with --voice (`espeak-ng --voices` lists them), or set the routine's language to one it has.",
                    self.voice
                )));
            }
            return Err(VoiceError::Failed(format!(
                "espeak-ng failed ({status}): {}",
                said.trim()
            )));
        }
        let samples = parse_wav(&out)?;
        Ok(trim_silence(&samples).to_vec())
    }
}

/// The samples of espeak-ng's WAV output. Its size fields are placeholders,
/// so the data chunk is read to the end of the output.
fn parse_wav(bytes: &[u8]) -> Result<Vec<i16>, VoiceError> {
    let bad = |what: &str| VoiceError::Failed(format!("espeak-ng gave unusable audio: {what}"));
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(bad("not a WAV file"));
    }
    let mut at = 12;
    let mut format_ok = false;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
        let body = at + 8;
        if id == b"fmt " {
            let f = bytes
                .get(body..body + 16)
                .ok_or_else(|| bad("short format chunk"))?;
            let format = u16::from_le_bytes([f[0], f[1]]);
            let channels = u16::from_le_bytes([f[2], f[3]]);
            let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
            let bits = u16::from_le_bytes([f[14], f[15]]);
            if format != 1 || channels != 1 || bits != 16 {
                return Err(bad("not 16-bit mono PCM"));
            }
            if rate != SAMPLE_RATE {
                return Err(VoiceError::Failed(format!(
                    "this espeak-ng voice speaks at {rate} Hz; coach needs {SAMPLE_RATE} Hz voices (the MBROLA voices are not supported)"
                )));
            }
            format_ok = true;
            at = body + size.min(bytes.len());
        } else if id == b"data" {
            if !format_ok {
                return Err(bad("data before format"));
            }
            let data = &bytes[body..];
            return Ok(data
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect());
        } else {
            at = body.saturating_add(size + (size & 1));
        }
    }
    Err(bad("no audio data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(rate: u32, samples: &[i16]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF\x24\xf0\xff\x7fWAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * 2).to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data\x00\xf0\xff\x7f");
        for s in samples {
            b.extend_from_slice(&s.to_le_bytes());
        }
        b
    }

    #[test]
    fn reads_placeholder_sized_wav_to_the_end() {
        assert_eq!(
            parse_wav(&wav(22_050, &[0, 5, -9])).unwrap(),
            vec![0, 5, -9]
        );
        assert!(
            matches!(parse_wav(&wav(16_000, &[1])), Err(VoiceError::Failed(m)) if m.contains("16000 Hz"))
        );
        assert!(parse_wav(b"nonsense").is_err());
    }

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
