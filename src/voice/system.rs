//! The operating system's voice, through the tts crate (speech-dispatcher
//! on Linux). It speaks straight to the sound device and gives no audio, so
//! it is live only and its lengths are known only when it says it has
//! finished. That callback can fail to arrive, and a daemon without a
//! working audio path can hang, so every call waits with a deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::VoiceError;
use crate::source::Language;
use crate::timeline::time::from_secs_f64;

/// How long coach waits for the system voice to answer at all.
pub const START_TIMEOUT: Duration = Duration::from_secs(2);

/// A rough length of `text` spoken at `speed` words per minute, for laying
/// out a session before the system voice has said anything.
pub fn estimate(text: &str, speed: u32) -> Duration {
    // About 5.5 characters a word, with spaces and punctuation.
    let chars_per_second = speed.max(1) as f64 * 5.5 / 60.0;
    Duration::from_secs_f64(text.chars().count() as f64 / chars_per_second + 0.2)
}

/// Silent stand-ins for `texts`, as long as the system voice is estimated
/// to take to say them, to lay a session out before it speaks.
pub fn estimated_clips(texts: &[&str], speed: u32) -> super::Clips {
    let mut clips = super::Clips {
        estimated: true,
        ..super::Clips::default()
    };
    for text in texts {
        let samples = from_secs_f64(estimate(text, speed).as_secs_f64());
        clips.insert(text.to_string(), vec![0; samples as usize].into());
    }
    clips
}

/// One thing said: finished when the voice says so, or when its deadline
/// passes (the end callback can fail to arrive).
#[derive(Clone, Debug)]
pub struct Utterance {
    done: Arc<AtomicBool>,
    deadline: Instant,
}

impl Utterance {
    pub fn finished(&self) -> bool {
        self.done.load(Ordering::Relaxed) || Instant::now() >= self.deadline
    }

    fn new(estimate: Duration) -> Utterance {
        Utterance {
            done: Arc::new(AtomicBool::new(false)),
            deadline: Instant::now() + estimate * 2 + Duration::from_secs(1),
        }
    }
}

#[cfg(feature = "system-voice")]
pub use imp::{SystemVoice, status};

#[cfg(not(feature = "system-voice"))]
pub use off::{SystemVoice, status};

#[cfg(not(feature = "system-voice"))]
mod off {
    use super::*;

    const NOT_BUILT: &str =
        "this coach was built without the system voice (the cargo feature \"system-voice\")";

    /// The system voice is not part of this build.
    pub fn status() -> Result<Vec<(String, String)>, String> {
        Err(NOT_BUILT.into())
    }

    /// Never constructed in this build.
    pub struct SystemVoice(());

    impl SystemVoice {
        pub fn start(_: u32, _: u32, _: u32, _: &Language) -> Result<SystemVoice, VoiceError> {
            Err(VoiceError::Missing(NOT_BUILT.into()))
        }
        pub fn speak(&self, _: &str, estimate: Duration) -> Utterance {
            Utterance::new(estimate)
        }
        pub fn stop(&self) {}
    }
}

#[cfg(feature = "system-voice")]
mod imp {
    use std::collections::{HashMap, HashSet};
    use std::sync::mpsc::{self, Sender};
    use std::sync::{Mutex, atomic::AtomicBool};

    use tts::{Tts, UtteranceId};

    use super::*;

    enum Job {
        Speak(String, Arc<AtomicBool>),
        /// Stop speaking, and say so on the channel.
        Stop(Sender<()>),
    }

    /// Utterances spoken and not yet finished, and finishes not yet
    /// matched (a short utterance can end before `speak` returns its id).
    /// Ids are kept as text: that is all they have in common on every
    /// platform.
    #[derive(Default)]
    struct Pending {
        waiting: HashMap<String, Arc<AtomicBool>>,
        ended: HashSet<String>,
    }

    fn finish(pending: &Mutex<Pending>, id: UtteranceId) {
        let id = format!("{id:?}");
        if let Ok(mut p) = pending.lock() {
            match p.waiting.remove(&id) {
                Some(done) => done.store(true, Ordering::Relaxed),
                None => {
                    p.ended.insert(id);
                }
            }
        }
    }

    /// The system voice, on a thread of its own (the tts handle must stay
    /// on one thread).
    pub struct SystemVoice {
        tx: Sender<Job>,
    }

    impl SystemVoice {
        /// Connects to the system voice and sets it up; an error if it does
        /// not answer within [`START_TIMEOUT`].
        pub fn start(
            speed: u32,
            pitch: u32,
            volume: u32,
            language: &Language,
        ) -> Result<SystemVoice, VoiceError> {
            let (tx, rx) = mpsc::channel::<Job>();
            let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
            let language = language.clone();
            std::thread::spawn(move || {
                let mut tts = match Tts::default() {
                    Ok(tts) => tts,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let pending = Arc::new(Mutex::new(Pending::default()));
                let ended = pending.clone();
                let _ = tts.on_utterance_end(Some(Box::new(move |id| finish(&ended, id))));
                let stopped = pending.clone();
                let _ = tts.on_utterance_stop(Some(Box::new(move |id| finish(&stopped, id))));
                let scale = |value: f32, normal: f32, min: f32, max: f32| {
                    if value >= 1.0 {
                        normal + (max - normal) * (value - 1.0).min(1.0)
                    } else {
                        min + (normal - min) * value.max(0.0)
                    }
                };
                let rate = scale(
                    speed as f32 / 160.0,
                    tts.normal_rate(),
                    tts.min_rate(),
                    tts.max_rate(),
                );
                let _ = tts.set_rate(rate);
                let pitch = scale(
                    pitch as f32 / 50.0,
                    tts.normal_pitch(),
                    tts.min_pitch(),
                    tts.max_pitch(),
                );
                let _ = tts.set_pitch(pitch);
                let volume = scale(
                    volume as f32 / 100.0,
                    tts.normal_volume(),
                    tts.min_volume(),
                    tts.max_volume(),
                );
                let _ = tts.set_volume(volume);
                let primary = language.primary();
                if primary != "en"
                    && let Ok(voices) = tts.voices()
                    && let Some(v) = voices.iter().find(|v| {
                        v.language()
                            .primary_language()
                            .eq_ignore_ascii_case(&primary)
                    })
                {
                    let _ = tts.set_voice(v);
                }
                let _ = ready_tx.send(Ok(()));
                for command in rx {
                    match command {
                        Job::Speak(text, done) => match tts.speak(text, false) {
                            Ok(Some(id)) => {
                                let id = format!("{id:?}");
                                if let Ok(mut p) = pending.lock() {
                                    if p.ended.remove(&id) {
                                        done.store(true, Ordering::Relaxed);
                                    } else {
                                        p.waiting.insert(id, done);
                                    }
                                }
                            }
                            _ => done.store(true, Ordering::Relaxed),
                        },
                        Job::Stop(done) => {
                            let _ = tts.stop();
                            let _ = done.send(());
                        }
                    }
                }
            });
            match ready_rx.recv_timeout(START_TIMEOUT) {
                Ok(Ok(())) => Ok(SystemVoice { tx }),
                Ok(Err(e)) => Err(VoiceError::Missing(format!(
                    "the system voice is not available: {e}. On Linux it is speech-dispatcher: `sudo apt install speech-dispatcher speech-dispatcher-espeak-ng`"
                ))),
                Err(_) => Err(VoiceError::Failed(format!(
                    "the system voice did not answer within {} s; is speech-dispatcher working (`spd-say hello`)?",
                    START_TIMEOUT.as_secs()
                ))),
            }
        }

        /// Says `text`; `estimate` bounds how long it may take.
        pub fn speak(&self, text: &str, estimate: Duration) -> Utterance {
            let u = Utterance::new(estimate);
            if self
                .tx
                .send(Job::Speak(text.to_string(), u.done.clone()))
                .is_err()
            {
                u.done.store(true, Ordering::Relaxed);
            }
            u
        }

        /// Stops whatever is being said, waiting briefly until it has.
        pub fn stop(&self) {
            let (done, stopped) = mpsc::channel();
            if self.tx.send(Job::Stop(done)).is_ok() {
                let _ = stopped.recv_timeout(Duration::from_millis(500));
            }
        }
    }

    /// The system voice's voices as (name, language), or why it cannot be
    /// used.
    pub fn status() -> Result<Vec<(String, String)>, String> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let result = Tts::default()
                .map_err(|e| e.to_string())
                .and_then(|tts| tts.voices().map_err(|e| e.to_string()))
                .map(|voices| {
                    voices
                        .iter()
                        .map(|v| (v.name(), v.language().to_string()))
                        .collect::<Vec<_>>()
                });
            let _ = tx.send(result);
        });
        match rx.recv_timeout(START_TIMEOUT * 3) {
            Ok(Ok(mut voices)) => {
                voices.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
                voices.dedup_by(|a, b| a.1 == b.1);
                Ok(voices)
            }
            Ok(Err(e)) => Err(format!(
                "{e} (on Linux: `sudo apt install speech-dispatcher speech-dispatcher-espeak-ng`)"
            )),
            Err(_) => Err("speech-dispatcher did not answer in time".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_grow_with_text_and_shrink_with_speed() {
        let short = estimate("Rest.", 160);
        let long = estimate("Lean forward from your hips until you feel a stretch.", 160);
        assert!(long > short * 5);
        assert!(estimate("Lean forward.", 300) < estimate("Lean forward.", 100));
        // 160 wpm is about 14.7 characters a second.
        let secs = estimate(&"x".repeat(147), 160).as_secs_f64();
        assert!((secs - 10.2).abs() < 0.1, "{secs}");
    }

    #[test]
    fn an_utterance_ends_at_its_deadline_without_a_callback() {
        let u = Utterance::new(Duration::ZERO);
        assert!(!u.finished());
        let u = Utterance {
            done: Arc::new(AtomicBool::new(false)),
            deadline: Instant::now(),
        };
        assert!(u.finished());
    }
}
