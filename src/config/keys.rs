//! The keys of the config file: their names, limits and defaults. The
//! parser, the command line's ranges (`cli.rs`) and the template that
//! `coach config init` writes all read them from here.

use std::ops::RangeInclusive;

/// A whole-number setting: its key, its range and its built-in default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Number {
    pub name: &'static str,
    pub min: u32,
    pub max: u32,
    pub default: u32,
}

impl Number {
    /// The range as clap's value parsers take it.
    pub fn range(self) -> RangeInclusive<i64> {
        self.min as i64..=self.max as i64
    }

    /// "80 to 450", for help texts.
    pub fn limits(self) -> String {
        format!("{} to {}", self.min, self.max)
    }
}

/// Words per minute.
pub const SPEED: Number = Number {
    name: "speed",
    min: 80,
    max: 450,
    default: 160,
};
/// Voice pitch.
pub const PITCH: Number = Number {
    name: "pitch",
    min: 0,
    max: 99,
    default: 50,
};
/// Speech volume, percent.
pub const VOLUME: Number = Number {
    name: "volume",
    min: 0,
    max: 200,
    default: 100,
};
/// Tone volume, percent.
pub const TONE_VOLUME: Number = Number {
    name: "tone_volume",
    min: 0,
    max: 200,
    default: 100,
};
/// How much audio is handed to the device at a time, in milliseconds. A
/// sound server holds two such periods, so the first sound and every
/// control are heard about 100 ms later by default.
pub const LATENCY: Number = Number {
    name: "latency",
    min: 10,
    max: 500,
    default: 46,
};

/// The sample rate a raw command voice writes.
pub const RATE: Number = Number {
    name: "rate",
    min: 8000,
    max: 192_000,
    default: 22_050,
};

/// `output`: the kinds of output, automatic first (the default).
pub const OUTPUTS: &[&str] = &["auto", "pulse", "alsa", "cpal"];
/// `role`: what the sound server is told the session's stream is, by
/// default. PulseAudio's and PipeWire's policies pause or lower no other
/// stream for it.
pub const DEFAULT_ROLE: &str = "music";

/// `tones`: the tone styles, bright first (the default).
pub const TONES: &[&str] = &["bright", "low"];
/// A command voice's `format`.
pub const FORMATS: &[&str] = &["wav", "raw"];

/// The command words a remote takes (`coach ctl WORD`, the values of
/// `[input_keys]`).
pub const REMOTE_WORDS: &[&str] = &[
    "pause",
    "resume",
    "toggle",
    "next",
    "back",
    "repeat",
    "stop",
    "status",
    "say-status",
];

/// The input-device keys `[input_keys]` can name, with their Linux key
/// codes (linux/input-event-codes.h).
pub const INPUT_KEYS: &[(&str, u16)] = &[
    ("KEY_ESC", 1),
    ("KEY_Q", 16),
    ("KEY_R", 19),
    ("KEY_P", 25),
    ("KEY_ENTER", 28),
    ("KEY_S", 31),
    ("KEY_B", 48),
    ("KEY_N", 49),
    ("KEY_SPACE", 57),
    ("KEY_F5", 63),
    ("KEY_KP4", 75),
    ("KEY_KP5", 76),
    ("KEY_KP6", 77),
    ("KEY_KP0", 82),
    ("KEY_KPENTER", 96),
    ("KEY_UP", 103),
    ("KEY_PAGEUP", 104),
    ("KEY_LEFT", 105),
    ("KEY_RIGHT", 106),
    ("KEY_DOWN", 108),
    ("KEY_PAGEDOWN", 109),
    ("KEY_MUTE", 113),
    ("KEY_VOLUMEDOWN", 114),
    ("KEY_VOLUMEUP", 115),
    ("KEY_PAUSE", 119),
    ("KEY_STOP", 128),
    ("KEY_NEXTSONG", 163),
    ("KEY_PLAYPAUSE", 164),
    ("KEY_PREVIOUSSONG", 165),
    ("KEY_STOPCD", 166),
    ("KEY_REWIND", 168),
    ("KEY_PLAYCD", 200),
    ("KEY_PAUSECD", 201),
    ("KEY_PLAY", 207),
    ("KEY_FASTFORWARD", 208),
    ("KEY_CAMERA", 212),
    ("KEY_MEDIA", 226),
    ("KEY_OK", 352),
    ("KEY_SELECT", 353),
];

/// `input`: where key events are read from, besides a device path.
pub const INPUTS: &[&str] = &["auto", "off"];

/// Every top-level key.
pub const TOP: &[&str] = &[
    "voice",
    SPEED.name,
    PITCH.name,
    VOLUME.name,
    TONE_VOLUME.name,
    "output",
    "device",
    LATENCY.name,
    "role",
    "input",
    "input_keys",
    "gpio",
    "button_starts",
    "tones",
    "languages",
    "voices",
];
/// The keys of a `[voices.NAME]` table.
pub const VOICE: &[&str] = &[
    "command",
    "format",
    RATE.name,
    "language",
    "timeout",
    "persistent",
];

/// How long one synthesis of a command voice may take, by default.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
