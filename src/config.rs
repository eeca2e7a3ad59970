//! The user's config file (`~/.config/coach/config.toml` on Linux): the
//! voice, speed, pitch and volumes to use, the output device, the tone
//! style, and named external voices. Read like a routine: every key
//! checked, every error located. Command-line flags override it.

use std::path::{Path, PathBuf};

use toml::de::DeValue;

use crate::audio::tone::ToneStyle;
use crate::routine::walk::{Entry, Walker, kind_name, parse_document};
use crate::routine::{Diagnostic, Dur, MAX_FILE_BYTES, Report, SourceFile};

/// A voice run as an external program, such as Piper or flite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandVoice {
    /// Its name in the config, as `--voice` takes it.
    pub name: String,
    /// The program and its arguments. `{text}` in an argument is replaced
    /// by the text (else the text goes to stdin), `{file}` by a file the
    /// program writes to (else its stdout is read), `{speed}` and `{pitch}`
    /// by the speed and pitch.
    pub command: Vec<String>,
    pub format: AudioFormat,
    /// The language it speaks, if given: a routine in that language may
    /// pick it.
    pub language: Option<String>,
    /// How long one synthesis may take before the program is stopped.
    pub timeout: Dur,
}

/// What a command voice writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioFormat {
    /// A WAV file (16-bit PCM or 32-bit float, mono or stereo, any rate).
    Wav,
    /// Raw 16-bit little-endian mono PCM at this rate (Piper's
    /// `--output-raw`).
    Raw { rate: u32 },
}

/// The settings of the config file; `None` where it says nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Where it was read from, if there was a file.
    pub path: Option<PathBuf>,
    pub voice: Option<String>,
    pub speed: Option<u32>,
    pub pitch: Option<u32>,
    /// Speech volume, percent.
    pub volume: Option<u32>,
    /// Tone volume, percent.
    pub tone_volume: Option<u32>,
    pub device: Option<String>,
    pub latency: Option<u32>,
    pub tones: Option<ToneStyle>,
    /// Voice per routine language: `[languages] de = "espeak:de"`.
    pub languages: Vec<(String, String)>,
    pub voices: Vec<CommandVoice>,
}

const TOP_KEYS: &[&str] = &[
    "voice",
    "speed",
    "pitch",
    "volume",
    "tone_volume",
    "device",
    "latency",
    "tones",
    "languages",
    "voices",
];
const VOICE_KEYS: &[&str] = &["command", "format", "rate", "language", "timeout"];
const DEFAULT_TIMEOUT: Dur = Dur::from_secs(30);

/// Where the config file lives (it need not exist).
pub fn path() -> Option<PathBuf> {
    crate::paths::config_file()
}

/// Why the config could not be used.
#[derive(Debug)]
pub enum ConfigError {
    /// It could not be read.
    Io(String),
    /// It has errors; the report holds them with their places.
    Invalid(Report),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Io(m) => f.write_str(m),
            ConfigError::Invalid(report) => {
                write!(
                    f,
                    "the config file {} has {} error{}; fix {}, or move the file away to use the defaults",
                    report.source.name,
                    report.errors(),
                    if report.errors() == 1 { "" } else { "s" },
                    if report.errors() == 1 { "it" } else { "them" }
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// The user's config, or the empty one if there is no file.
pub fn load() -> Result<Config, ConfigError> {
    match path() {
        Some(p) => load_from(&p),
        None => Ok(Config::default()),
    }
}

/// The config at `path`, or the empty one if there is no file there.
pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(ConfigError::Io(format!("cannot read {shown}: {e}"))),
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ConfigError::Io(format!(
            "{shown} is {} bytes; a config file may be at most 1 MiB",
            bytes.len()
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| ConfigError::Io(format!("{shown} is not UTF-8 text; save it as UTF-8")))?;
    let source = SourceFile::new(shown, text);
    let mut config = parse(&source).map_err(|diagnostics| {
        ConfigError::Invalid(Report {
            source: source.clone(),
            diagnostics,
        })
    })?;
    config.path = Some(path.to_path_buf());
    Ok(config)
}

/// Parses a config file's text.
pub fn parse(source: &SourceFile) -> Result<Config, Vec<Diagnostic>> {
    let doc = parse_document(&source.text)?;
    let mut w = Walker::default();
    let f = w.fields(&doc, TOP_KEYS, "the config");
    let mut config = Config::default();
    if let Some(e) = f.get("voice") {
        config.voice = voice_name(&mut w, e);
    }
    if let Some(e) = f.get("speed") {
        config.speed = w.int(e, 80, 450);
    }
    if let Some(e) = f.get("pitch") {
        config.pitch = w.int(e, 0, 99);
    }
    if let Some(e) = f.get("volume") {
        config.volume = w.int(e, 0, 200);
    }
    if let Some(e) = f.get("tone_volume") {
        config.tone_volume = w.int(e, 0, 200);
    }
    if let Some(e) = f.get("device") {
        config.device = w.text(e);
    }
    if let Some(e) = f.get("latency") {
        config.latency = w.int(e, 10, 500);
    }
    if let Some(e) = f.get("tones") {
        config.tones = match w.text(e).as_deref() {
            None => None,
            Some("bright") => Some(ToneStyle::Bright),
            Some("low") => Some(ToneStyle::Low),
            Some(other) => {
                w.error(
                    e.span(),
                    format!("\"tones\" must be \"bright\" or \"low\", found \"{other}\""),
                );
                None
            }
        };
    }
    if let Some(e) = f.get("languages") {
        match e.value.get_ref() {
            DeValue::Table(t) => {
                for (key, value) in t.iter() {
                    let tag = key.get_ref().to_string();
                    let entry = Entry {
                        key: key.get_ref(),
                        key_span: key.span(),
                        value,
                    };
                    if is_language_tag(&tag) {
                        if let Some(voice) = voice_name(&mut w, &entry) {
                            config.languages.push((tag, voice));
                        }
                    } else {
                        w.error(
                            key.span(),
                            format!(
                                "\"{tag}\" is not a language tag like \"en\", \"en-GB\" or \"de\""
                            ),
                        );
                    }
                }
            }
            other => w.error(
                e.span(),
                format!(
                    "\"languages\" must be a table like [languages], found {}",
                    kind_name(other)
                ),
            ),
        }
    }
    if let Some(e) = f.get("voices") {
        match e.value.get_ref() {
            DeValue::Table(t) => {
                for (key, value) in t.iter() {
                    let name = key.get_ref().to_string();
                    if let Some(v) = command_voice(&mut w, &name, key.span(), value) {
                        config.voices.push(v);
                    }
                }
            }
            other => w.error(
                e.span(),
                format!(
                    "\"voices\" must be tables like [voices.piper], found {}",
                    kind_name(other)
                ),
            ),
        }
    }
    if w.diags.is_empty() {
        Ok(config)
    } else {
        w.diags.sort_by_key(|d| d.span.start);
        Err(w.diags)
    }
}

fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A voice name as `--voice` takes it.
fn voice_name(w: &mut Walker, e: &Entry<'_, '_>) -> Option<String> {
    let name = w.text(e)?;
    match crate::cli::parse_voice_name(&name) {
        Ok(name) => Some(name),
        Err(message) => {
            w.error(e.span(), message);
            None
        }
    }
}

fn command_voice(
    w: &mut Walker,
    name: &str,
    key_span: crate::routine::Span,
    value: &toml::Spanned<DeValue<'_>>,
) -> Option<CommandVoice> {
    let DeValue::Table(t) = value.get_ref() else {
        w.error(
            value.span(),
            format!(
                "[voices.{name}] must be a table, found {}",
                kind_name(value.get_ref())
            ),
        );
        return None;
    };
    if crate::cli::parse_voice_name(name).is_err() || name == "system" || name == "espeak" {
        w.error(
            key_span.clone(),
            format!("\"{name}\" cannot name a voice: use letters, digits and - _ (and not \"system\" or \"espeak\")"),
        );
    }
    let f = w.fields(t, VOICE_KEYS, &format!("[voices.{name}]"));
    let command = match f.get("command") {
        None => {
            w.error(
                key_span.clone(),
                format!("[voices.{name}] needs \"command\": the program and its arguments, e.g. [\"piper\", \"--model\", \"voice.onnx\", \"--output-raw\"]"),
            );
            None
        }
        Some(e) => match e.value.get_ref() {
            DeValue::Array(items) if !items.is_empty() => {
                let mut args = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) if !s.is_empty() => args.push(s.to_string()),
                        other => w.error(
                            item.span(),
                            format!(
                                "each item of \"command\" must be a non-empty string, found {}",
                                if matches!(other, DeValue::String(_)) {
                                    "an empty string"
                                } else {
                                    kind_name(other)
                                }
                            ),
                        ),
                    }
                }
                (args.len() == items.len()).then_some(args)
            }
            other => {
                w.error(
                    e.span(),
                    format!(
                        "\"command\" must be a list: the program, then its arguments, found {}",
                        if matches!(other, DeValue::Array(_)) {
                            "an empty list"
                        } else {
                            kind_name(other)
                        }
                    ),
                );
                None
            }
        },
    };
    let rate = f.get("rate").and_then(|e| w.int(e, 8000, 192_000));
    let format = match f.get("format") {
        None => Some(AudioFormat::Wav),
        Some(e) => match w.text(e).as_deref() {
            None => None,
            Some("wav") => Some(AudioFormat::Wav),
            Some("raw") => match f.get("rate") {
                Some(_) => rate.map(|rate| AudioFormat::Raw { rate }),
                None => {
                    w.error(
                        e.span(),
                        "raw audio needs its \"rate\", e.g. rate = 22050 (Piper prints it in the model's .json as sample_rate)",
                    );
                    None
                }
            },
            Some(other) => {
                w.error(
                    e.span(),
                    format!("\"format\" must be \"wav\" or \"raw\", found \"{other}\""),
                );
                None
            }
        },
    };
    let language = f.get("language").and_then(|e| {
        let tag = w.text(e)?;
        if is_language_tag(&tag) {
            Some(tag)
        } else {
            w.error(
                e.span(),
                format!(
                    "\"language\" must be a language tag like \"en\" or \"de\", found \"{tag}\""
                ),
            );
            None
        }
    });
    let timeout = match f.get("timeout") {
        Some(e) => w.duration(e, false)?,
        None => DEFAULT_TIMEOUT,
    };
    Some(CommandVoice {
        name: name.to_string(),
        command: command?,
        format: format?,
        language,
        timeout,
    })
}

/// The commented config `coach config init` writes.
pub const TEMPLATE: &str = r#"# coach configuration. Every setting is optional; flags on the command line
# override these. `coach voices` lists the voices you can name here.

# The voice for routines in any language that has none below: an espeak-ng
# voice ("espeak:en-gb"), "system" for the operating system's voice, or the
# name of one of the [voices] at the end of this file.
# voice = "espeak:en-gb"

# Speaking speed in words per minute (80 to 450) and pitch (0 to 99).
# speed = 160
# pitch = 50

# Volume of speech and of the tones, in percent (0 to 200).
# volume = 100
# tone_volume = 100

# The tones: "bright" (the default) or "low" (an octave lower).
# tones = "bright"

# The output device, as `coach devices` lists it, and how much audio is
# handed to it at a time, in milliseconds (10 to 500).
# device = "pulseaudio:alsa_output.usb-speaker"
# latency = 46

# The voice for routines in each language (a routine's `language`).
# [languages]
# en = "espeak:en-us"
# de = "espeak:de"

# External voices, run directly (never through a shell). In the command,
# {text} stands for the text (else it goes to the program's stdin) and
# {file} for a file the program writes (else its stdout is read); {speed}
# and {pitch} are replaced too. Piper writes raw 16-bit mono audio at the
# model's sample rate with --output-raw:
# [voices.amy]
# command = ["piper", "--model", "/home/me/voices/en_US-amy-medium.onnx", "--output-raw"]
# format = "raw"
# rate = 22050
# language = "en"
# timeout = "30s"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, Vec<String>> {
        let source = SourceFile::new("config.toml", text);
        parse(&source).map_err(|ds| ds.iter().map(|d| source.headline(d)).collect())
    }

    #[test]
    fn reads_every_setting() {
        let c = parse_text(
            r#"voice = "amy"
speed = 150
pitch = 40
volume = 80
tone_volume = 120
device = "alsa:default"
latency = 100
tones = "low"
[languages]
de = "espeak:de"
en-GB = "amy"
[voices.amy]
command = ["piper", "--model", "amy.onnx", "--output-raw"]
format = "raw"
rate = 16000
language = "en"
timeout = "5s"
[voices.flite]
command = ["flite", "-t", "{text}", "-o", "{file}"]
"#,
        )
        .unwrap();
        assert_eq!(c.voice.as_deref(), Some("amy"));
        assert_eq!(
            (c.speed, c.pitch, c.volume, c.tone_volume),
            (Some(150), Some(40), Some(80), Some(120))
        );
        assert_eq!(c.device.as_deref(), Some("alsa:default"));
        assert_eq!((c.latency, c.tones), (Some(100), Some(ToneStyle::Low)));
        assert_eq!(
            c.languages,
            [
                ("de".to_string(), "espeak:de".to_string()),
                ("en-GB".to_string(), "amy".to_string())
            ]
        );
        assert_eq!(c.voices.len(), 2);
        let amy = &c.voices[0];
        assert_eq!(amy.format, AudioFormat::Raw { rate: 16000 });
        assert_eq!(amy.timeout, Dur::from_secs(5));
        assert_eq!(amy.language.as_deref(), Some("en"));
        let flite = &c.voices[1];
        assert_eq!(flite.format, AudioFormat::Wav);
        assert_eq!(flite.timeout, Dur::from_secs(30));
        assert_eq!(parse_text("").unwrap(), Config::default());
    }

    #[test]
    fn errors_are_located() {
        let errors = parse_text(
            r#"speed = 20
voise = "x"
tones = "loud"
[languages]
english = "x"
[voices.bad]
format = "raw"
[voices.worse]
command = "piper --model x"
format = "mp3"
"#,
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                "config.toml:1:9: error: \"speed\" must be from 80 to 450, found 20",
                "config.toml:2:1: error: unknown key \"voise\" in the config (did you mean \"voice\"?)",
                "config.toml:3:9: error: \"tones\" must be \"bright\" or \"low\", found \"loud\"",
                "config.toml:5:1: error: \"english\" is not a language tag like \"en\", \"en-GB\" or \"de\"",
                "config.toml:6:9: error: [voices.bad] needs \"command\": the program and its arguments, e.g. [\"piper\", \"--model\", \"voice.onnx\", \"--output-raw\"]",
                "config.toml:7:10: error: raw audio needs its \"rate\", e.g. rate = 22050 (Piper prints it in the model's .json as sample_rate)",
                "config.toml:9:11: error: \"command\" must be a list: the program, then its arguments, found a string",
                "config.toml:10:10: error: \"format\" must be \"wav\" or \"raw\", found \"mp3\"",
            ]
        );
    }

    #[test]
    fn the_template_is_a_valid_config() {
        assert_eq!(parse_text(TEMPLATE).unwrap(), Config::default());
        // With its examples uncommented, too.
        let uncommented: String = TEMPLATE
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains('=') || r.starts_with('['))
                    .unwrap_or("")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = parse_text(&uncommented).unwrap();
        assert_eq!(c.voices[0].name, "amy");
        assert_eq!(c.languages.len(), 2);
    }
}
