//! The user's config file (`~/.config/coach/config.toml` on Linux): the
//! voice, speed, pitch and volumes to use, the output device, the tone
//! style, and named external voices. Read like a routine: every key
//! checked, every error located. Command-line flags override it.

use std::path::{Path, PathBuf};

pub mod keys;

use toml::de::{DeTable, DeValue};

use crate::source::walk::{Entry, Walker, kind_name, parse_document};
use crate::source::{Diagnostic, Language, MAX_FILE_BYTES, Report, SourceFile, Span};
use crate::timeline::{Dur, ToneStyle};
use keys::{LATENCY, PITCH, SPEED, TONE_VOLUME, VOLUME};

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
    /// `persistent = true`: the program stays running for the session and
    /// speaks coach's voice protocol (`voice::framed`), saying its rate.
    Framed,
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
    pub output: Option<OutputChoice>,
    pub device: Option<String>,
    pub latency: Option<u32>,
    /// The stream's `media.role`.
    pub role: Option<String>,
    /// Where key events are read: `auto`, `off` or a device path.
    pub input: Option<String>,
    /// The input keys' commands: `[input_keys] KEY_VOLUMEUP = "next"`,
    /// as (key code, command word); they replace the defaults of those keys.
    pub input_keys: Vec<(u16, String)>,
    /// A button's GPIO line, `CHIP:LINE`.
    pub gpio: Option<String>,
    /// The routine a button starts when `coach serve` waits.
    pub button_starts: Option<String>,
    pub tones: Option<ToneStyle>,
    /// Voice per routine language: `[languages] de = "espeak:de"`.
    pub languages: Vec<(String, String)>,
    pub voices: Vec<CommandVoice>,
}

/// Which kind of output plays a session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputChoice {
    /// The sound server if one answers, else ALSA.
    #[default]
    Auto,
    /// PulseAudio or PipeWire, through libpulse.
    Pulse,
    /// ALSA directly, for machines without a sound server.
    Alsa,
    /// cpal, the portable fallback (macOS, Windows).
    Cpal,
}

impl OutputChoice {
    /// In the order of [`keys::OUTPUTS`].
    pub const ALL: [OutputChoice; 4] = [
        OutputChoice::Auto,
        OutputChoice::Pulse,
        OutputChoice::Alsa,
        OutputChoice::Cpal,
    ];

    /// The name `output` and `--output` take.
    pub fn name(self) -> &'static str {
        keys::OUTPUTS[self as usize]
    }

    pub fn parse(name: &str) -> Option<OutputChoice> {
        keys::OUTPUTS
            .iter()
            .position(|o| *o == name)
            .map(|i| OutputChoice::ALL[i])
    }
}

/// Whether `role` can be a stream's `media.role`: a short word such as
/// `music`, `a11y` or `Navigation`.
pub fn valid_role(role: &str) -> bool {
    (1..=32).contains(&role.len())
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

const DEFAULT_TIMEOUT: Dur = Dur::from_secs(keys::DEFAULT_TIMEOUT_SECS);

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
    let bytes = match crate::guard::read::read(path, MAX_FILE_BYTES as u64) {
        Ok(b) => b,
        Err(e) if e.not_found() => return Ok(Config::default()),
        Err(e) => {
            return Err(ConfigError::Io(format!(
                "cannot read the config {shown}: {e}"
            )));
        }
    };
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

/// Parses a config file's text. On failure returns every error found, in
/// file order.
pub fn parse(source: &SourceFile) -> Result<Config, Vec<Diagnostic>> {
    let doc = parse_document(&source.text)?;
    let mut walker = Walker::default();
    let config = walker.config(&doc);
    walker.finish(Some(config))
}

/// The config's reader: one method per table, like the routine loader's.
impl Walker {
    fn config(&mut self, doc: &DeTable<'_>) -> Config {
        let f = self.fields(doc, keys::TOP, "the config");
        let mut config = Config::default();
        if let Some(e) = f.get("voice") {
            config.voice = self.voice_name(e);
        }
        let mut number =
            |key: keys::Number| f.get(key.name).and_then(|e| self.int(e, key.min, key.max));
        config.speed = number(SPEED);
        config.pitch = number(PITCH);
        config.volume = number(VOLUME);
        config.tone_volume = number(TONE_VOLUME);
        config.latency = number(LATENCY);
        if let Some(e) = f.get("device") {
            config.device = self.text(e);
        }
        if let Some(e) = f.get("output") {
            config.output = self.choice(e, keys::OUTPUTS).map(|i| OutputChoice::ALL[i]);
        }
        if let Some(e) = f.get("role") {
            config.role = self.text(e).and_then(|role| {
                if valid_role(&role) {
                    Some(role)
                } else {
                    self.error(
                        e.span(),
                        format!("\"{role}\" is not a media role: use one short word such as \"music\", \"a11y\" or \"Navigation\""),
                    );
                    None
                }
            });
        }
        if let Some(e) = f.get("input") {
            config.input = self.text(e).and_then(|input| {
                if keys::INPUTS.contains(&input.as_str()) || input.starts_with('/') {
                    Some(input)
                } else {
                    self.error(
                        e.span(),
                        format!("\"{input}\" is not an input: use \"auto\", \"off\" or a device path such as \"/dev/input/by-id/usb-Remote-event-kbd\""),
                    );
                    None
                }
            });
        }
        if let Some(e) = f.get("gpio") {
            config.gpio = self.text(e);
        }
        if let Some(e) = f.get("button_starts") {
            config.button_starts = self.text(e);
        }
        if let Some(e) = f.get("input_keys") {
            match e.value.get_ref() {
                DeValue::Table(t) => {
                    for (key, value) in t.iter() {
                        let name = key.get_ref().to_string();
                        let entry = Entry {
                            key: key.get_ref(),
                            key_span: key.span(),
                            value,
                        };
                        let Some(&(_, code)) = keys::INPUT_KEYS.iter().find(|(n, _)| *n == name)
                        else {
                            let names = keys::INPUT_KEYS.iter().map(|(n, _)| *n);
                            let hint = crate::source::diag::suggest(&name, names)
                                .map(|s| format!(" (did you mean {s}?)"))
                                .unwrap_or_default();
                            self.error(
                                key.span(),
                                format!("\"{name}\" is not an input key coach knows{hint}; README.md lists them"),
                            );
                            continue;
                        };
                        if let Some(i) = self.choice(&entry, keys::REMOTE_WORDS) {
                            config
                                .input_keys
                                .push((code, keys::REMOTE_WORDS[i].to_string()));
                        }
                    }
                }
                other => self.error(
                    e.span(),
                    format!(
                        "\"input_keys\" must be a table like [input_keys], found {}",
                        kind_name(other)
                    ),
                ),
            }
        }
        if let Some(e) = f.get("tones") {
            config.tones = self.choice(e, keys::TONES).map(|i| match i {
                0 => ToneStyle::Bright,
                _ => ToneStyle::Low,
            });
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
                        if Language::parse(&tag).is_some() {
                            if let Some(voice) = self.voice_name(&entry) {
                                config.languages.push((tag, voice));
                            }
                        } else {
                            self.error(
                                key.span(),
                                format!(
                                    "\"{tag}\" is not a language tag like \"en\", \"en-GB\" or \"de\""
                                ),
                            );
                        }
                    }
                }
                other => self.error(
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
                        if let Some(v) = self.command_voice(&name, key.span(), value) {
                            config.voices.push(v);
                        }
                    }
                }
                other => self.error(
                    e.span(),
                    format!(
                        "\"voices\" must be tables like [voices.piper], found {}",
                        kind_name(other)
                    ),
                ),
            }
        }
        config
    }

    /// A voice name as `--voice` takes it.
    fn voice_name(&mut self, e: &Entry<'_, '_>) -> Option<String> {
        let name = self.text(e)?;
        match parse_voice_name(&name) {
            Ok(name) => Some(name),
            Err(message) => {
                self.error(e.span(), message);
                None
            }
        }
    }

    fn command_voice(
        &mut self,
        name: &str,
        key_span: Span,
        value: &toml::Spanned<DeValue<'_>>,
    ) -> Option<CommandVoice> {
        let DeValue::Table(t) = value.get_ref() else {
            self.error(
                value.span(),
                format!(
                    "[voices.{name}] must be a table, found {}",
                    kind_name(value.get_ref())
                ),
            );
            return None;
        };
        if parse_voice_name(name).is_err() || name == "system" || name == "espeak" {
            self.error(
                key_span.clone(),
                format!("\"{name}\" cannot name a voice: use letters, digits and - _ (and not \"system\" or \"espeak\")"),
            );
        }
        let f = self.fields(t, keys::VOICE, &format!("[voices.{name}]"));
        let command = match f.get("command") {
            None => {
                self.error(
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
                            other => self.error(
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
                    self.error(
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
        let rate = f
            .get(keys::RATE.name)
            .and_then(|e| self.int(e, keys::RATE.min, keys::RATE.max));
        let format = match f.get("format") {
            None => Some(AudioFormat::Wav),
            Some(e) => match self.choice(e, keys::FORMATS) {
                None => None,
                Some(0) => Some(AudioFormat::Wav),
                Some(_) => match f.get(keys::RATE.name) {
                    Some(_) => rate.map(|rate| AudioFormat::Raw { rate }),
                    None => {
                        self.error(
                            e.span(),
                            "raw audio needs its \"rate\", e.g. rate = 22050 (Piper prints it in the model's .json as sample_rate)",
                        );
                        None
                    }
                },
            },
        };
        let persistent = f.get("persistent").and_then(|e| self.boolean(e));
        let format = match (persistent, f.get("format").or(f.get(keys::RATE.name))) {
            (Some(true), Some(e)) => {
                self.error(
                    e.span(),
                    format!("a persistent voice says its own rate in coach's voice protocol: remove \"{}\" from [voices.{name}]", if f.get("format").is_some() { "format" } else { "rate" }),
                );
                None
            }
            (Some(true), None) => {
                if let Some(args) = &command
                    && args
                        .iter()
                        .any(|a| a.contains("{text}") || a.contains("{file}"))
                {
                    self.error(
                        f.get("persistent").map_or(key_span.clone(), |e| e.span()),
                        format!("a persistent voice takes its texts on stdin and answers on stdout: remove {{text}} and {{file}} from the command of [voices.{name}]"),
                    );
                }
                Some(AudioFormat::Framed)
            }
            _ => format,
        };
        let language = f
            .get("language")
            .and_then(|e| self.language(e))
            .map(|l| l.as_str().to_string());
        let timeout = match f.get("timeout") {
            Some(e) => self.duration(e, false)?,
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
}

/// A voice name (`espeak:en-gb`, `system`, a configured voice) ends up as
/// an argument of a program: allow only the characters voice names use.
pub fn parse_voice_name(s: &str) -> Result<String, String> {
    // A Piper model may be named by its path.
    let limit = if s.starts_with("piper:") { 1024 } else { 64 };
    let ok = !s.is_empty()
        && !s.starts_with('-')
        && s.len() <= limit
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | ':' | '.'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "\"{s}\" is not a voice name; `coach voices` lists them, e.g. espeak:en-us or system"
        ))
    }
}

/// The commented config `coach config init` writes, its limits and
/// defaults from [`keys`].
pub fn template() -> String {
    use keys::RATE;
    let t = DEFAULT_TIMEOUT;
    format!(
        r#"# coach configuration. Every setting is optional; flags on the command line
# override these. `coach voices` lists the voices you can name here.

# The voice for routines in any language that has none below: an espeak-ng
# voice ("espeak:en-gb"), "system" for the operating system's voice, or the
# name of one of the [voices] at the end of this file.
# voice = "espeak:en-gb"

# Speaking speed in words per minute ({}) and pitch ({}).
# speed = {}
# pitch = {}

# Volume of speech and of the tones, in percent ({}).
# volume = {}
# tone_volume = {}

# The tones: "bright" (the default) or "low" (an octave lower).
# tones = "bright"

# Where sessions play: "auto" (the sound server, PulseAudio or PipeWire,
# if one is running, else ALSA), "pulse", "alsa" or "cpal".
# output = "auto"

# The output device, as `coach devices` lists it, and for the cpal output
# (and the system voice) how much audio is handed to it at a time, in
# milliseconds ({}).
# device = "pulse:alsa_output.usb-speaker"
# latency = {}

# What the sound server is told coach's stream is (its media.role). The
# default, "music", makes no policy pause or lower other players. Where the
# server ducks music for some role (PulseAudio's module-role-ducking, or
# WirePlumber's role policy with "Navigation"), naming that role here makes
# your music quieter while coach speaks.
# role = "music"

# Key events from input devices, for a machine with no desktop: a Bluetooth
# remote or camera shutter, a headset's buttons, a USB keypad. "auto" reads
# every device that has media keys and is not a full keyboard, unless a
# desktop is running (then media keys reach coach through MPRIS); "off"
# reads none; or name one device (a /dev/input/by-id path survives
# reconnects). Reading them needs the input group.
# input = "auto"

# A button wired from a GPIO pin to ground: a short press pauses and
# resumes, a double press skips to the next exercise, a long press stops.
# gpio = "gpiochip0:17"

# What a press of play (on a remote, a headset or the GPIO button) starts
# while `coach serve` waits with no session playing [default: the routine
# scheduled for today, if any].
# button_starts = "hamstring-lower-back"

# What each key does: pause, resume, toggle, next, back, repeat, stop,
# say-status. These replace the defaults of the keys they name.
# [input_keys]
# KEY_VOLUMEUP = "toggle"
# KEY_VOLUMEDOWN = "next"

# The voice for routines in each language (a routine's `language`).
# [languages]
# en = "espeak:en-us"
# de = "espeak:de"

# External voices, run directly (never through a shell). In the command,
# {{text}} stands for the text (else it goes to the program's stdin) and
# {{file}} for a file the program writes (else its stdout is read); {{speed}}
# and {{pitch}} are replaced too. Piper writes raw 16-bit mono audio at the
# model's sample rate with --output-raw:
# [voices.amy]
# command = ["piper", "--model", "/home/me/voices/en_US-amy-medium.onnx", "--output-raw"]
# format = "raw"
# rate = {}
# language = "en"
# timeout = "{t}"
# A program that stays running and speaks coach's voice protocol (one JSON
# request per line on stdin, framed audio on stdout: see the README):
# [voices.mine]
# command = ["python3", "/home/me/my-voice.py"]
# persistent = true
"#,
        SPEED.limits(),
        PITCH.limits(),
        SPEED.default,
        PITCH.default,
        VOLUME.limits(),
        VOLUME.default,
        TONE_VOLUME.default,
        LATENCY.limits(),
        LATENCY.default,
        RATE.default,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, Vec<String>> {
        let source = SourceFile::new("config.toml", text);
        parse(&source).map_err(|ds| ds.iter().map(|d| source.headline(d)).collect())
    }

    #[test]
    fn reads_the_remotes_settings_and_locates_their_mistakes() {
        let c = parse_text(
            r#"input = "/dev/input/by-id/usb-Remote-event-kbd"
gpio = "gpiochip0:17"
[input_keys]
KEY_VOLUMEUP = "next"
KEY_ENTER = "say-status"
"#,
        )
        .unwrap();
        assert_eq!(
            c.input.as_deref(),
            Some("/dev/input/by-id/usb-Remote-event-kbd")
        );
        assert_eq!(c.gpio.as_deref(), Some("gpiochip0:17"));
        assert_eq!(
            c.input_keys,
            [(28, "say-status".to_string()), (115, "next".to_string())]
        );
        let errors = parse_text(
            "input = \"sometimes\"\n[input_keys]\nKEY_VOLUMUP = \"next\"\nKEY_ENTER = \"jump\"\n",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].starts_with("config.toml:1:9: error: \"sometimes\" is not an input"),
            "{errors:?}"
        );
        assert!(
            errors[1].contains("3:1: error: \"KEY_VOLUMUP\" is not an input key coach knows (did you mean KEY_VOLUMEUP?)"),
            "{errors:?}"
        );
        assert!(errors[2].contains("4:13: error:"), "{errors:?}");
        assert!(errors[2].contains("toggle"), "{errors:?}");
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
    fn a_persistent_voice_takes_no_text_file_format_or_rate() {
        let config = parse_text(
            r#"[voices.kept]
command = ["my-voice", "--speed", "{speed}"]
persistent = true
"#,
        )
        .unwrap();
        assert_eq!(config.voices[0].format, AudioFormat::Framed);
        let errors = parse_text(
            r#"[voices.a]
command = ["my-voice", "{text}"]
persistent = true
[voices.b]
command = ["my-voice"]
persistent = true
format = "raw"
rate = 22050
[voices.c]
command = ["my-voice"]
persistent = "yes"
"#,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "config.toml:3:14: error: a persistent voice takes its texts on stdin"
            ),
            "{errors:?}"
        );
        assert!(
            errors[1].starts_with("config.toml:7:10: error: a persistent voice says its own rate")
                && errors[1].contains("remove \"format\""),
            "{errors:?}"
        );
        assert!(errors[2].starts_with("config.toml:11:14:"), "{errors:?}");
    }

    #[test]
    fn voice_names_cannot_smuggle_options() {
        assert!(parse_voice_name("en-us").is_ok());
        assert!(parse_voice_name("en+f3").is_ok());
        assert!(parse_voice_name("-w/tmp/x").is_err());
        assert!(parse_voice_name("en us").is_err());
    }

    #[test]
    fn the_template_is_a_valid_config() {
        assert_eq!(parse_text(&template()).unwrap(), Config::default());
        // With its examples uncommented, too.
        let uncommented: String = template()
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
