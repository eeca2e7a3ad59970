//! The live source: the session's timeline as the sound card pulls it, with
//! pause, resume and seeks applied between blocks. Everything here runs on
//! the audio thread, so it never blocks: requests are taken with `try_lock`
//! and a block is 23 ms, well inside the device buffer.

use std::num::NonZero;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::SAMPLE_RATE;
use crate::audio::Session;
use crate::voice::Clip;

/// Samples rendered per block.
const BLOCK: usize = 512;

/// What the controls ask of the audio thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Pause,
    Resume,
    /// Continue the timeline from this sample.
    Seek(u64),
    /// Stop the timeline at this sample until released: the system voice
    /// has not finished an announcement that should have ended there.
    Hold(u64),
    /// Let the timeline go on.
    Release,
}

/// The state the audio thread shares with the controls and the display.
#[derive(Default)]
pub struct Shared {
    /// The timeline sample the next block starts at.
    position: AtomicU64,
    paused: AtomicBool,
    /// The timeline has been played to its end.
    finished: AtomicBool,
    /// The prelude is still playing: the full session has not arrived.
    waiting: AtomicBool,
    /// Samples the device has pulled, paused or not: the device's pulse.
    pulled: AtomicU64,
    requests: Mutex<Vec<Request>>,
    /// The full session, handed over after a cold start.
    handoff: Mutex<Option<Handoff>>,
}

impl Shared {
    pub fn position(&self) -> u64 {
        self.position.load(Ordering::Relaxed)
    }

    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::Relaxed)
    }

    /// Samples the device has taken so far, silence included.
    pub fn pulled(&self) -> u64 {
        self.pulled.load(Ordering::Relaxed)
    }

    /// True while only the first sound is known (cold start).
    pub fn waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Asks the audio thread for something; it happens within a block.
    pub fn request(&self, r: Request) {
        if let Ok(mut q) = self.requests.lock() {
            q.push(r);
        }
        // Make a pause visible at once, so a second key press toggles back.
        match r {
            Request::Pause => self.paused.store(true, Ordering::Relaxed),
            Request::Resume | Request::Seek(_) => self.paused.store(false, Ordering::Relaxed),
            Request::Hold(_) | Request::Release => {}
        }
    }

    /// Hands the full session to a source that started with a prelude.
    pub fn hand_over(&self, handoff: Handoff) {
        if let Ok(mut slot) = self.handoff.lock() {
            *slot = Some(handoff);
        }
    }
}

/// The full session for a source that began with only its first sound.
pub struct Handoff {
    pub session: Session,
    /// Where the prelude's sound sits in the session.
    pub first: u64,
    /// Where the sound after it starts.
    pub next: u64,
}

/// The overlays spoken over a paused timeline.
pub struct Overlays {
    /// "Paused."
    pub paused: Clip,
    /// "Resuming.", then a count-in: the timeline continues one second
    /// after its last number, as after any countdown.
    pub resume: Clip,
}

enum Mode {
    /// Only the first sound is known: play it, then wait for the session.
    /// `elapsed` counts every sample played since, silence included.
    Prelude {
        clip: Clip,
        at: usize,
        elapsed: u64,
    },
    Timeline,
    /// A clip over the stopped timeline, then `then`.
    Overlay {
        clip: Clip,
        at: usize,
        then: Then,
    },
    /// Silence, the timeline stopped at `resume_at`.
    Paused,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Then {
    Paused,
    Timeline,
}

/// The session as a rodio source, under the controls' command.
pub struct LiveSource {
    shared: Arc<Shared>,
    session: Option<Session>,
    overlays: Overlays,
    mode: Mode,
    /// Where the timeline continues after a pause.
    resume_at: u64,
    /// The timeline stops here until released.
    hold: Option<u64>,
    block: Vec<i16>,
    at: usize,
    len: usize,
}

impl LiveSource {
    /// A source that plays `session` from `start`.
    pub fn new(mut session: Session, start: u64, overlays: Overlays) -> (LiveSource, Arc<Shared>) {
        session.seek(start);
        let shared = Arc::new(Shared::default());
        shared.position.store(start, Ordering::Relaxed);
        let source = LiveSource {
            shared: shared.clone(),
            session: Some(session),
            overlays,
            mode: Mode::Timeline,
            resume_at: start,
            hold: None,
            block: vec![0; BLOCK],
            at: 0,
            len: 0,
        };
        (source, shared)
    }

    /// A source that plays `first` at once and the rest of the session when
    /// it is handed over: a cold start speaks its first words while the
    /// others are still being synthesized.
    pub fn prelude(first: Clip, overlays: Overlays) -> (LiveSource, Arc<Shared>) {
        let shared = Arc::new(Shared::default());
        shared.waiting.store(true, Ordering::Relaxed);
        let source = LiveSource {
            shared: shared.clone(),
            session: None,
            overlays,
            mode: Mode::Prelude {
                clip: first,
                at: 0,
                elapsed: 0,
            },
            resume_at: 0,
            hold: None,
            block: vec![0; BLOCK],
            at: 0,
            len: 0,
        };
        (source, shared)
    }

    fn take_handoff(&mut self) {
        let Mode::Prelude { elapsed, .. } = &self.mode else {
            return;
        };
        let elapsed = *elapsed;
        let Some(handoff) = self
            .shared
            .handoff
            .try_lock()
            .ok()
            .and_then(|mut h| h.take())
        else {
            return;
        };
        let Handoff {
            mut session,
            first,
            next,
        } = handoff;
        // Carry on where the prelude is; if the session arrived so late
        // that the next sound should have started, it starts now.
        let target = (first + elapsed).min(next);
        session.seek(target);
        self.session = Some(session);
        self.mode = Mode::Timeline;
        self.shared.waiting.store(false, Ordering::Relaxed);
    }

    fn apply_requests(&mut self) {
        let requests: Vec<Request> = match self.shared.requests.try_lock() {
            Ok(mut q) if !q.is_empty() => std::mem::take(&mut *q),
            _ => return,
        };
        let Some(session) = self.session.as_mut() else {
            return;
        };
        for r in requests {
            match (r, &self.mode) {
                (Request::Pause, Mode::Timeline) => {
                    self.resume_at = session.resume_point();
                    self.mode = Mode::Overlay {
                        clip: self.overlays.paused.clone(),
                        at: 0,
                        then: Then::Paused,
                    };
                }
                (Request::Pause, Mode::Overlay { then, .. }) if *then == Then::Timeline => {
                    self.mode = Mode::Overlay {
                        clip: self.overlays.paused.clone(),
                        at: 0,
                        then: Then::Paused,
                    };
                }
                (Request::Resume, Mode::Paused | Mode::Overlay { .. }) => {
                    session.seek(self.resume_at);
                    self.mode = Mode::Overlay {
                        clip: self.overlays.resume.clone(),
                        at: 0,
                        then: Then::Timeline,
                    };
                }
                (Request::Seek(pos), _) => {
                    session.seek(pos);
                    self.resume_at = pos;
                    self.hold = None;
                    self.mode = Mode::Timeline;
                }
                (Request::Hold(at), _) => self.hold = Some(at),
                (Request::Release, _) => self.hold = None,
                _ => {}
            }
        }
        self.shared
            .position
            .store(session.position(), Ordering::Relaxed);
    }

    /// Fills the block; false at the end of the session.
    fn refill(&mut self) -> bool {
        self.take_handoff();
        self.apply_requests();
        let block = &mut self.block;
        let n = match &mut self.mode {
            Mode::Prelude { clip, at, elapsed } => {
                let n = copy_clip(clip, at, block);
                block[n..].fill(0);
                *elapsed += BLOCK as u64;
                BLOCK
            }
            Mode::Overlay { clip, at, then } => {
                let n = copy_clip(clip, at, block);
                block[n..].fill(0);
                if *at == clip.len() {
                    self.mode = match then {
                        Then::Paused => Mode::Paused,
                        Then::Timeline => Mode::Timeline,
                    };
                }
                // A partly filled block ends the overlay on time; the
                // timeline continues with the next block.
                n.max(1)
            }
            Mode::Paused => {
                block.fill(0);
                BLOCK
            }
            Mode::Timeline => {
                let session = self.session.as_mut().expect("the timeline has a session");
                let room = match self.hold {
                    Some(at) if session.position() >= at => 0,
                    Some(at) => ((at - session.position()) as usize).min(BLOCK),
                    None => BLOCK,
                };
                if room == 0 {
                    // Held: silence, the timeline standing still.
                    block.fill(0);
                    self.at = 0;
                    self.len = BLOCK;
                    self.shared
                        .pulled
                        .fetch_add(BLOCK as u64, Ordering::Relaxed);
                    return true;
                }
                let n = session.fill(&mut block[..room]);
                self.shared
                    .position
                    .store(session.position(), Ordering::Relaxed);
                if n == 0 {
                    self.shared.finished.store(true, Ordering::Relaxed);
                    return false;
                }
                n
            }
        };
        self.at = 0;
        self.len = n;
        self.shared.pulled.fetch_add(n as u64, Ordering::Relaxed);
        true
    }
}

/// Copies the next part of `clip` from `at`; returns how many samples.
fn copy_clip(clip: &Clip, at: &mut usize, out: &mut [i16]) -> usize {
    let n = (clip.len() - *at).min(out.len());
    out[..n].copy_from_slice(&clip[*at..*at + n]);
    *at += n;
    n
}

impl Iterator for LiveSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.at == self.len && !self.refill() {
            return None;
        }
        let sample = self.block[self.at];
        self.at += 1;
        Some(sample as f32 / 32_768.0)
    }
}

impl rodio::Source for LiveSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        NonZero::new(1).expect("one channel")
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        NonZero::new(SAMPLE_RATE).expect("non-zero rate")
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Event, Plan};
    use crate::script::{Place, Sound};
    use crate::voice::Clips;

    /// A session of three 100-sample clips at 1,000, 5,000 and 9,000, in a
    /// 10,000-sample timeline.
    fn session() -> Session {
        let mut clips = Clips::default();
        let mut events = Vec::new();
        for (i, start) in [1_000u64, 5_000, 9_000].iter().enumerate() {
            let text = format!("s{i}");
            clips.insert(text.clone(), vec![(i as i16 + 1) * 1000; 100].into());
            events.push(Event {
                start: *start,
                len: 100,
                sound: Sound::Speech(text),
                place: Place::default(),
                period: Some(crate::script::PeriodKind::Work),
            });
        }
        let plan = Plan {
            title: "t".into(),
            rounds: 1,
            tones: Default::default(),
            speech_estimated: false,
            exercises: vec![],
            total_samples: 10_000,
            events,
            periods: vec![],
            adjustments: vec![],
        };
        Session::new(&plan, &clips, &crate::audio::Mix::default()).unwrap()
    }

    fn overlays() -> Overlays {
        Overlays {
            paused: vec![7; 300].into(),
            resume: vec![8; 700].into(),
        }
    }

    fn take(source: &mut LiveSource, n: usize) -> Vec<i16> {
        source
            .by_ref()
            .take(n)
            .map(|x| (x * 32_768.0) as i16)
            .collect()
    }

    #[test]
    fn plays_the_timeline_from_its_start_to_its_end() {
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        let all: Vec<i16> = take(&mut source, 20_000);
        assert_eq!(all.len(), 10_000);
        assert_eq!(all[999], 0);
        assert_eq!(all[1_000], 1000);
        assert_eq!(all[9_099], 3000);
        assert!(shared.finished());
    }

    #[test]
    fn pause_stops_the_timeline_and_resume_continues_it_exactly() {
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        let before = take(&mut source, 2_048);
        assert_eq!(before[1_000], 1000);
        shared.request(Request::Pause);
        assert!(shared.paused());
        // Finish the block under way, then the overlay, then silence.
        let rest_of_block = 2_048usize.next_multiple_of(BLOCK) - 2_048;
        let _ = take(&mut source, rest_of_block);
        let stopped_at = shared.position();
        // Requests apply between blocks: take whole blocks of silence.
        let paused = take(&mut source, 300 + 10 * BLOCK);
        assert_eq!(&paused[..300], &[7; 300][..]);
        assert!(paused[300..].iter().all(|x| *x == 0));
        assert_eq!(shared.position(), stopped_at, "the timeline stood still");
        shared.request(Request::Resume);
        let resumed = take(&mut source, 700 + 5_000 - stopped_at as usize + 200);
        assert_eq!(&resumed[..700], &[8; 700][..], "the resume overlay first");
        // Then the timeline from where it stopped: the clip at 5,000.
        let clip_at = 700 + (5_000 - stopped_at as usize);
        assert_eq!(resumed[clip_at - 1], 0);
        assert_eq!(resumed[clip_at], 2000);
    }

    #[test]
    fn seek_jumps_and_cancels_a_pause() {
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        let _ = take(&mut source, 512);
        shared.request(Request::Pause);
        let _ = take(&mut source, 300 + BLOCK);
        shared.request(Request::Seek(8_950));
        assert!(!shared.paused());
        let after = take(&mut source, 200);
        assert_eq!(after[49], 0);
        assert_eq!(after[50], 3000);
    }

    #[test]
    fn a_hold_stops_the_timeline_until_released() {
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        shared.request(Request::Hold(1_050));
        let before = take(&mut source, 1_050);
        assert_eq!(&before[1_000..1_050], &[1000; 50][..]);
        assert_eq!(shared.position(), 1_050);
        let held = take(&mut source, 3 * BLOCK);
        assert!(held.iter().all(|x| *x == 0), "silence while held");
        assert_eq!(shared.position(), 1_050, "the timeline stood still");
        shared.request(Request::Release);
        let after = take(&mut source, 60);
        assert_eq!(after[..50], [1000; 50][..], "the rest of the sound");
    }

    #[test]
    fn a_prelude_hands_over_to_the_session_at_the_same_point() {
        let first: Clip = vec![1000; 100].into();
        let (mut source, shared) = LiveSource::prelude(first, overlays());
        let start = take(&mut source, 60);
        assert_eq!(start, vec![1000; 60]);
        assert!(shared.waiting());
        shared.hand_over(Handoff {
            session: session(),
            first: 1_000,
            next: 5_000,
        });
        // The rest of the current block is the prelude's; the next block
        // continues the session where the prelude was.
        let rest = take(&mut source, BLOCK - 60 + 10);
        assert_eq!(&rest[..40], &[1000; 40][..]);
        assert!(!shared.waiting());
        assert_eq!(shared.position(), 1_000 + 2 * BLOCK as u64);
    }
}
