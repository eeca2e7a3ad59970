//! What a session sounds like, from the command line, the user's config and
//! the routine, in that order of precedence: the voice, its speed, pitch and
//! volume, and the tones.

use crate::audio::tone::ToneStyle;
use crate::cli::VoiceArgs;
use crate::config::{CommandVoice, Config};
use crate::voice::espeak::{DEFAULT_PITCH, DEFAULT_SPEED};

/// The engine and voice that speak a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoiceChoice {
    /// An espeak-ng voice by its espeak-ng name.
    Espeak(String),
    /// A voice from the config's `[voices]`.
    Command(CommandVoice),
    /// The operating system's voice (speech-dispatcher on Linux).
    System,
}

impl VoiceChoice {
    /// The name `--voice` takes for this voice.
    pub fn name(&self) -> String {
        match self {
            VoiceChoice::Espeak(v) => format!("espeak:{v}"),
            VoiceChoice::Command(c) => c.name.clone(),
            VoiceChoice::System => "system".into(),
        }
    }
}

/// Everything about how a session sounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub voice: VoiceChoice,
    /// Words per minute.
    pub speed: u32,
    /// 0 to 99.
    pub pitch: u32,
    /// Speech volume, percent.
    pub volume: u32,
    /// Tone volume, percent.
    pub tone_volume: u32,
    pub tones: ToneStyle,
}

/// The first subtag of a language tag, in lower case: `en` for `en-GB`.
fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The voice a name stands for: `system`, `espeak` (the routine's
/// language), `espeak:NAME`, a `[voices]` name from the config, or else an
/// espeak-ng voice name.
pub fn voice_named(name: &str, config: &Config, language: &str) -> VoiceChoice {
    if name == "system" {
        return VoiceChoice::System;
    }
    if name == "espeak" {
        return VoiceChoice::Espeak(language.to_ascii_lowercase());
    }
    if let Some(v) = name.strip_prefix("espeak:") {
        return VoiceChoice::Espeak(v.to_string());
    }
    if let Some(v) = config.voices.iter().find(|v| v.name == name) {
        return VoiceChoice::Command(v.clone());
    }
    VoiceChoice::Espeak(name.to_string())
}

/// Whether a voice can speak a routine in `language`, as far as coach knows.
fn speaks(choice: &VoiceChoice, language: &str) -> bool {
    match choice {
        VoiceChoice::Espeak(v) => primary(v) == primary(language),
        VoiceChoice::Command(c) => c
            .language
            .as_deref()
            .is_none_or(|l| primary(l) == primary(language)),
        VoiceChoice::System => true,
    }
}

/// The settings for a routine in `language`: a flag wins over the config,
/// the config over the routine's language, and that over the built-in
/// defaults. For the voice: `--voice`, else the config's voice for this
/// language (`[languages]`, by full tag, then by primary subtag), else the
/// config's `voice` if it speaks this language, else the espeak-ng voice
/// of the language.
pub fn resolve(args: &VoiceArgs, config: &Config, language: &str) -> Settings {
    let by_language = || {
        let exact = config
            .languages
            .iter()
            .find(|(tag, _)| tag.eq_ignore_ascii_case(language));
        let loose = || {
            config
                .languages
                .iter()
                .find(|(tag, _)| primary(tag) == primary(language))
        };
        exact.or_else(loose).map(|(_, v)| v.as_str())
    };
    let voice = if let Some(name) = &args.voice {
        voice_named(name, config, language)
    } else if let Some(name) = by_language() {
        voice_named(name, config, language)
    } else {
        config
            .voice
            .as_deref()
            .map(|name| voice_named(name, config, language))
            .filter(|v| speaks(v, language))
            .unwrap_or_else(|| VoiceChoice::Espeak(language.to_ascii_lowercase()))
    };
    Settings {
        voice,
        speed: args.speed.or(config.speed).unwrap_or(DEFAULT_SPEED),
        pitch: args.pitch.or(config.pitch).unwrap_or(DEFAULT_PITCH),
        volume: args.volume.or(config.volume).unwrap_or(100),
        tone_volume: config.tone_volume.unwrap_or(100),
        tones: config.tones.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AudioFormat;
    use crate::routine::Dur;

    fn piper(language: Option<&str>) -> CommandVoice {
        CommandVoice {
            name: "amy".into(),
            command: vec!["piper".into()],
            format: AudioFormat::Raw { rate: 22_050 },
            language: language.map(str::to_string),
            timeout: Dur::from_secs(30),
        }
    }

    fn args(voice: Option<&str>, speed: Option<u32>) -> VoiceArgs {
        VoiceArgs {
            voice: voice.map(str::to_string),
            speed,
            ..VoiceArgs::default()
        }
    }

    #[test]
    fn flag_beats_config_beats_language_beats_default() {
        let config = Config {
            voice: Some("amy".into()),
            speed: Some(140),
            pitch: Some(30),
            voices: vec![piper(Some("en"))],
            languages: vec![("de".into(), "espeak:de+f2".into())],
            ..Config::default()
        };
        // The flag wins.
        let s = resolve(&args(Some("espeak:en-gb"), Some(200)), &config, "en");
        assert_eq!(
            (s.voice, s.speed, s.pitch),
            (VoiceChoice::Espeak("en-gb".into()), 200, 30)
        );
        // The config's voice for the routine's language.
        let s = resolve(&args(None, None), &config, "de-AT");
        assert_eq!(
            (s.voice, s.speed),
            (VoiceChoice::Espeak("de+f2".into()), 140)
        );
        // The config's default voice, which speaks English.
        let s = resolve(&args(None, None), &config, "en-US");
        assert_eq!(s.voice, VoiceChoice::Command(piper(Some("en"))));
        // A French routine: the English default voice does not fit, so the
        // routine's language picks espeak-ng's French.
        let s = resolve(&args(None, None), &config, "fr");
        assert_eq!(s.voice, VoiceChoice::Espeak("fr".into()));
        // No config at all: built-in defaults.
        let s = resolve(&args(None, None), &Config::default(), "en");
        assert_eq!(
            s,
            Settings {
                voice: VoiceChoice::Espeak("en".into()),
                speed: 160,
                pitch: 50,
                volume: 100,
                tone_volume: 100,
                tones: ToneStyle::Bright,
            }
        );
    }

    #[test]
    fn names_mean_what_they_say() {
        let config = Config {
            voices: vec![piper(None)],
            ..Config::default()
        };
        assert_eq!(voice_named("system", &config, "en"), VoiceChoice::System);
        assert_eq!(
            voice_named("espeak", &config, "de-AT"),
            VoiceChoice::Espeak("de-at".into())
        );
        assert_eq!(
            voice_named("espeak:amy", &config, "en"),
            VoiceChoice::Espeak("amy".into())
        );
        assert_eq!(
            voice_named("amy", &config, "en"),
            VoiceChoice::Command(piper(None))
        );
        assert_eq!(
            voice_named("en-us", &config, "en"),
            VoiceChoice::Espeak("en-us".into())
        );
    }
}
