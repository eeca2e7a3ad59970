//! Voices turn text into speech clips at the session rate. Only this module
//! runs a synthesizer; clips are cached on disk so a second run of the same
//! routine synthesizes nothing.
//!
//! [`Speaker`] is the one seam the rest of coach speaks through: a voice
//! that gives PCM clips (espeak-ng, a command voice), or the live-only
//! system voice, whose clips are silent stand-ins of estimated length.

pub mod cache;
pub mod command;
pub mod espeak;
pub mod framed;
pub mod level;
pub mod piper;
pub mod resample;
pub mod system;
pub mod wav;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use cache::Cache;
pub use espeak::Espeak;

use crate::config::CommandVoice;
use crate::plan::Speech;
use crate::source::Language;
use crate::timeline::SAMPLE_RATE;
use command::CommandEngine;
use system::SystemVoice;

/// The engine and voice that speak a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoiceChoice {
    /// An espeak-ng voice by its espeak-ng name.
    Espeak(String),
    /// A voice from the config's `[voices]`.
    Command(CommandVoice),
    /// A Piper model: its name in the voice folders, or its path.
    Piper(String),
    /// The operating system's voice (speech-dispatcher on Linux).
    System,
}

impl VoiceChoice {
    /// The name `--voice` takes for this voice.
    pub fn name(&self) -> String {
        match self {
            VoiceChoice::Espeak(v) => format!("espeak:{v}"),
            VoiceChoice::Command(c) => c.name.clone(),
            VoiceChoice::Piper(m) => format!("piper:{m}"),
            VoiceChoice::System => "system".into(),
        }
    }
}

/// What speaks a session.
pub enum Speaker {
    /// A voice whose clips are mixed into the timeline.
    Pcm(Box<dyn Voice>),
    /// The operating system's voice: it speaks straight to the device, so
    /// the timeline carries silent stand-ins as long as it is estimated to
    /// take, and a driver has it speak as each one starts.
    System {
        speed: u32,
        pitch: u32,
        volume: u32,
        language: Language,
    },
}

impl Speaker {
    /// The speaker for a voice choice with these settings.
    pub fn new(
        choice: &VoiceChoice,
        speed: u32,
        pitch: u32,
        volume: u32,
        language: &Language,
    ) -> Speaker {
        match choice {
            VoiceChoice::Espeak(name) => {
                let mut e = Espeak::new(name, speed);
                e.pitch = pitch;
                Speaker::Pcm(Box::new(e))
            }
            VoiceChoice::Command(voice) => Speaker::Pcm(Box::new(CommandEngine {
                voice: voice.clone(),
                speed,
                pitch,
                running: Default::default(),
            })),
            VoiceChoice::Piper(model) => Speaker::Pcm(Box::new(piper::Piper::new(model, speed))),
            VoiceChoice::System => Speaker::System {
                speed,
                pitch,
                volume,
                language: language.clone(),
            },
        }
    }

    /// True for a voice that speaks only live and gives no audio to write.
    pub fn live_only(&self) -> bool {
        matches!(self, Speaker::System { .. })
    }

    /// Whether every text is ready without synthesizing anything.
    pub fn is_warm(&self, texts: &[&str], cache: &Cache) -> bool {
        match self {
            Speaker::Pcm(voice) => {
                let id = voice.id();
                texts.iter().all(|t| cache.contains(&id, t))
            }
            Speaker::System { .. } => true,
        }
    }

    /// The clips of `texts`: from the cache or synthesized for a PCM
    /// voice, silent stand-ins of estimated length for the system voice.
    pub fn clips(&self, texts: &[&str], cache: &Cache) -> Result<Clips, VoiceError> {
        match self {
            Speaker::Pcm(voice) => prepare(voice.as_ref(), texts, cache),
            Speaker::System { speed, .. } => Ok(system::estimated_clips(texts, *speed)),
        }
    }

    /// How long each text takes, without synthesizing anything: from the
    /// cache where its clip is, else estimated from its length.
    pub fn lengths(&self, texts: &[&str], cache: &Cache) -> Lengths {
        let mut lengths = Lengths::default();
        for text in texts {
            let exact = match self {
                Speaker::Pcm(voice) => cache.len_of(&voice.id(), text),
                Speaker::System { .. } => None,
            };
            let len = exact.unwrap_or_else(|| {
                lengths.estimated += 1;
                match self {
                    Speaker::Pcm(_) => crate::script::estimated_len(text),
                    Speaker::System { speed, .. } => crate::timeline::time::from_secs_f64(
                        system::estimate(text, *speed).as_secs_f64(),
                    ),
                }
            });
            lengths.lens.insert(text.to_string(), len);
        }
        lengths
    }

    /// The system voice, started and answering, for a live session; `None`
    /// for a voice whose clips carry the speech.
    pub fn start_live(&self) -> Result<Option<SystemVoice>, VoiceError> {
        match self {
            Speaker::Pcm(_) => Ok(None),
            Speaker::System {
                speed,
                pitch,
                volume,
                language,
            } => SystemVoice::start(*speed, *pitch, *volume, language).map(Some),
        }
    }
}

/// Mono 16-bit speech at [`crate::timeline::SAMPLE_RATE`].
pub type Clip = Arc<[i16]>;

/// The longest clip a valid text can make, with room to spare: 2,000
/// characters of digits at the slowest speed take espeak-ng 7 min 10 s.
/// A voice that gives more for one text has failed; nothing longer is
/// cached or read from the cache.
pub const MAX_CLIP_SAMPLES: usize = 15 * 60 * SAMPLE_RATE as usize;

/// The most a voice program may write for one text (64 MiB: 12 minutes of
/// 16-bit audio at 44.1 kHz). A program that writes more is stopped.
pub const MAX_VOICE_OUTPUT: usize = 64 << 20;

/// The sample rates a voice may speak at. A WAV header outside them is
/// broken (1 Hz would take resampling hours; 4 GHz gives no sound).
pub const VOICE_RATES: std::ops::RangeInclusive<u32> =
    crate::config::keys::RATE.min..=crate::config::keys::RATE.max;

/// What went wrong running a voice program, in words.
pub fn failure(f: &crate::guard::child::Failure) -> String {
    use crate::guard::child::Failure;
    match f {
        Failure::Start(e) => format!("it could not be started ({e})"),
        Failure::TimedOut => "it did not finish in time and was stopped".into(),
        Failure::TooMuch(limit) => format!(
            "it wrote more than {} of audio for one text, far more than any text needs, and was stopped",
            crate::guard::read::bytes(*limit as u64)
        ),
        Failure::Held => "it ended, but left a process running that holds its output open".into(),
        Failure::Wait(e) => format!("waiting for it failed ({e})"),
    }
}

/// Why a voice could not speak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoiceError {
    /// The engine is not installed; the text says how to install it.
    Missing(String),
    /// The engine does not know the voice asked for.
    UnknownVoice(String),
    /// The engine ran and failed, or gave something unusable.
    Failed(String),
}

impl std::fmt::Display for VoiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VoiceError::Missing(m) | VoiceError::UnknownVoice(m) | VoiceError::Failed(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for VoiceError {}

/// A speech engine with one voice and its settings.
pub trait Voice: Sync {
    /// Everything that changes the engine's output apart from the text:
    /// engine, voice, speed, pitch. Part of the cache key.
    fn id(&self) -> String;

    /// Speech for `text`, trimmed of leading and trailing silence.
    fn synthesize(&self, text: &str) -> Result<Vec<i16>, VoiceError>;
}

/// Speech lengths known without synthesizing (see [`Speaker::lengths`]).
#[derive(Default)]
pub struct Lengths {
    lens: HashMap<String, u64>,
    /// How many of them are estimates.
    pub estimated: usize,
}

impl Speech for Lengths {
    fn len_of(&self, text: &str) -> u64 {
        self.lens.get(text).copied().unwrap_or(0)
    }

    fn estimated(&self) -> bool {
        self.estimated > 0
    }
}

/// The clips of a session, by text.
#[derive(Default, Clone)]
pub struct Clips {
    clips: HashMap<String, Clip>,
    /// How many texts had to be synthesized (not found in the cache).
    pub synthesized: usize,
    /// The clips are silent stand-ins of estimated length.
    pub estimated: bool,
}

impl Speech for Clips {
    fn len_of(&self, text: &str) -> u64 {
        Clips::len_of(self, text)
    }

    fn estimated(&self) -> bool {
        self.estimated
    }
}

impl Clips {
    pub fn get(&self, text: &str) -> Option<&Clip> {
        self.clips.get(text)
    }

    /// Length in samples of the clip for `text` (0 if there is none).
    pub fn len_of(&self, text: &str) -> u64 {
        self.clips.get(text).map_or(0, |c| c.len() as u64)
    }

    pub fn insert(&mut self, text: String, clip: Clip) {
        self.clips.insert(text, clip);
    }
}

/// Show the progress bar only if preparing takes longer than this.
const SHOW_PROGRESS_AFTER: Duration = Duration::from_millis(300);

/// Clips for every text: from the cache where there, else synthesized in
/// parallel (and cached). Shows a progress bar on a terminal when this takes
/// noticeable time. Stops at the first failure.
pub fn prepare(voice: &dyn Voice, texts: &[&str], cache: &Cache) -> Result<Clips, VoiceError> {
    let id = voice.id();
    let mut clips = Clips::default();
    let mut missing = Vec::new();
    // The speech of the routine's distinct texts, counted exactly as the
    // voice speaks them: the budget the script estimated from their length.
    let most = crate::script::budget::SPEECH.samples();
    let mut spoken: u64 = 0;
    let too_long = || {
        VoiceError::Failed(format!(
            "this voice takes more than {} minutes to say the routine's texts (each counted once), the most a routine may have; shorten its texts, or speak faster with --speed",
            crate::script::budget::SPEECH.micros() / 60_000_000
        ))
    };
    for text in texts {
        match cache.get(&id, text) {
            Some(clip) => {
                spoken += clip.len() as u64;
                clips.insert(text.to_string(), level::normalized(&clip).into());
            }
            None => missing.push(*text),
        }
    }
    if spoken > most {
        return Err(too_long());
    }
    if missing.is_empty() {
        return Ok(clips);
    }
    clips.synthesized = missing.len();
    let estimate: u64 = missing
        .iter()
        .map(|t| crate::script::estimated_len(t))
        .sum();
    if estimate > 120 * SAMPLE_RATE as u64 && !std::io::stderr().is_terminal() {
        // No bar off a terminal: say once that this will take a while.
        crate::guard::out::line(&format!(
            "Preparing the speech of {} texts (about {} minutes of it)…",
            missing.len(),
            estimate.div_ceil(60 * SAMPLE_RATE as u64)
        ));
    }

    let bar =
        ProgressBar::with_draw_target(Some(missing.len() as u64), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} ({eta} left)")
            .expect("valid template"),
    );
    bar.set_message("Preparing speech");
    let started = Instant::now();

    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8)
        .min(missing.len());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Result<Vec<i16>, VoiceError>)>();
    let result = std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, missing) = (&next, &stop, &missing);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(text) = missing.get(i) else { break };
                    let result = voice.synthesize(text);
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut first_error = None;
        for (i, result) in rx {
            let result = result.and_then(|samples| {
                spoken += samples.len() as u64;
                if samples.len() > MAX_CLIP_SAMPLES {
                    Err(VoiceError::Failed(format!(
                        "the voice gave {} of speech for a text of {} characters, far more than any text takes; it is not used",
                        crate::timeline::time::length(samples.len() as u64),
                        missing[i].chars().count()
                    )))
                } else if spoken > most {
                    Err(too_long())
                } else {
                    Ok(samples)
                }
            });
            match result {
                Ok(samples) => {
                    cache.put(&id, missing[i], &samples);
                    clips.insert(missing[i].to_string(), level::normalized(&samples).into());
                }
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    first_error.get_or_insert(e);
                }
            }
            if bar.is_hidden() && started.elapsed() > SHOW_PROGRESS_AFTER {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.inc(1);
        }
        first_error.map_or(Ok(()), Err)
    });
    bar.finish_and_clear();
    result.map(|()| clips)
}

/// Drops silence from both ends of a clip: everything quieter than a
/// whisper before the first and after the last audible sample.
pub fn trim_silence(samples: &[i16]) -> &[i16] {
    const THRESHOLD: u16 = 8;
    let audible = |x: &i16| x.unsigned_abs() > THRESHOLD;
    let Some(first) = samples.iter().position(audible) else {
        return &[];
    };
    let last = samples.iter().rposition(audible).unwrap_or(first);
    &samples[first..=last]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_both_ends() {
        assert_eq!(
            trim_silence(&[0, 0, 3, 500, 0, -700, 2, 0]),
            &[500, 0, -700]
        );
        assert_eq!(trim_silence(&[0, 1, -2]), &[] as &[i16]);
    }

    /// A voice whose clip length follows the text, counting its calls.
    struct Counting {
        calls: AtomicUsize,
    }

    impl Voice for Counting {
        fn id(&self) -> String {
            "counting".into()
        }
        fn synthesize(&self, text: &str) -> Result<Vec<i16>, VoiceError> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            if text == "fail" {
                return Err(VoiceError::Failed("cannot".into()));
            }
            Ok(vec![1000; text.len() * 10])
        }
    }

    #[test]
    fn prepares_in_parallel_and_uses_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        let voice = Counting {
            calls: AtomicUsize::new(0),
        };
        let texts: Vec<String> = (0..40).map(|i| format!("text {i}")).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let clips = prepare(&voice, &refs, &cache).unwrap();
        assert_eq!(clips.synthesized, 40);
        assert_eq!(clips.len_of("text 7"), 60);
        assert_eq!(voice.calls.load(Ordering::Relaxed), 40);

        let again = prepare(&voice, &refs, &cache).unwrap();
        assert_eq!(again.synthesized, 0);
        assert_eq!(again.len_of("text 39"), 70);
        assert_eq!(
            voice.calls.load(Ordering::Relaxed),
            40,
            "all from the cache"
        );

        let err = prepare(&voice, &["fail", "x"], &cache).err();
        assert_eq!(err, Some(VoiceError::Failed("cannot".into())));
    }

    /// A voice as slow as a text is long: each clip a tenth of the budget.
    struct Slow;

    impl Voice for Slow {
        fn id(&self) -> String {
            "slow".into()
        }
        fn synthesize(&self, text: &str) -> Result<Vec<i16>, VoiceError> {
            let tenth = crate::script::budget::SPEECH.samples() as usize / 10;
            Ok(vec![
                100;
                if text == "endless" {
                    MAX_CLIP_SAMPLES + 1
                } else {
                    tenth
                }
            ])
        }
    }

    #[test]
    fn speech_is_counted_exactly_and_stops_at_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        let texts: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let err = prepare(&Slow, &refs, &cache).err().unwrap();
        assert!(err.to_string().contains("more than 30 minutes"), "{err}");
        // What was cached stays within the budget: at most ten clips.
        let cached = refs.iter().filter(|t| cache.contains("slow", t)).count();
        assert!(cached <= 10, "{cached}");
        // Ten fit exactly.
        assert!(prepare(&Slow, &refs[..10], &cache).is_ok());

        let err = prepare(&Slow, &["endless"], &cache).err().unwrap();
        assert!(
            err.to_string().contains("far more than any text takes"),
            "{err}"
        );
        assert!(!cache.contains("slow", "endless"));
    }
}
