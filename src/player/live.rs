//! The live source: the session's timeline as an output takes it, with
//! pause, resume and seeks applied between blocks. Everything here runs on
//! the audio thread, so it never blocks: requests are taken with `try_lock`
//! and a block is at most 23 ms, well inside the device buffer.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::audio::{Renderer, Source};
use crate::voice::Clip;

/// The most samples rendered per block.
const BLOCK: usize = 512;

/// What the controls ask of the audio thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Pause,
    Resume,
    /// Continue the timeline from this sample.
    Seek(u64),
    /// Stop the timeline at this sample until thawed: the system voice
    /// has not finished an announcement that should have ended there.
    Freeze(u64),
    /// Let a frozen timeline go on.
    Thaw,
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
            Request::Freeze(_) | Request::Thaw => {}
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
    pub renderer: Renderer,
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

/// The session as a [`Source`], under the controls' command.
pub struct LiveSource {
    shared: Arc<Shared>,
    renderer: Option<Renderer>,
    overlays: Overlays,
    mode: Mode,
    /// Where the timeline continues after a pause.
    resume_at: u64,
    /// The timeline stands still here until thawed.
    frozen_at: Option<u64>,
}

impl LiveSource {
    /// A source that plays `renderer`'s timeline from `start`.
    pub fn new(
        mut renderer: Renderer,
        start: u64,
        overlays: Overlays,
    ) -> (LiveSource, Arc<Shared>) {
        renderer.seek(start);
        let shared = Arc::new(Shared::default());
        shared.position.store(start, Ordering::Relaxed);
        let source = LiveSource {
            shared: shared.clone(),
            renderer: Some(renderer),
            overlays,
            mode: Mode::Timeline,
            resume_at: start,
            frozen_at: None,
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
            renderer: None,
            overlays,
            mode: Mode::Prelude {
                clip: first,
                at: 0,
                elapsed: 0,
            },
            resume_at: 0,
            frozen_at: None,
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
            mut renderer,
            first,
            next,
        } = handoff;
        // Carry on where the prelude is; if the session arrived so late
        // that the next sound should have started, it starts now.
        let target = (first + elapsed).min(next);
        renderer.seek(target);
        self.renderer = Some(renderer);
        self.mode = Mode::Timeline;
        self.shared.waiting.store(false, Ordering::Relaxed);
    }

    fn apply_requests(&mut self) {
        let requests: Vec<Request> = match self.shared.requests.try_lock() {
            Ok(mut q) if !q.is_empty() => std::mem::take(&mut *q),
            _ => return,
        };
        let Some(session) = self.renderer.as_mut() else {
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
                    self.frozen_at = None;
                    self.mode = Mode::Timeline;
                }
                (Request::Freeze(at), _) => self.frozen_at = Some(at),
                (Request::Thaw, _) => self.frozen_at = None,
                _ => {}
            }
        }
        self.shared
            .position
            .store(session.position(), Ordering::Relaxed);
    }

    /// Fills `block` (at most [`BLOCK`] samples); returns how many, 0 at
    /// the end of the session.
    fn fill_block(&mut self, block: &mut [i16]) -> usize {
        self.take_handoff();
        self.apply_requests();
        let full = block.len();
        let n = match &mut self.mode {
            Mode::Prelude { clip, at, elapsed } => {
                let n = copy_clip(clip, at, block);
                block[n..].fill(0);
                *elapsed += full as u64;
                full
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
                full
            }
            Mode::Timeline => {
                let renderer = self.renderer.as_mut().expect("the timeline has a renderer");
                let room = match self.frozen_at {
                    Some(at) if renderer.position() >= at => 0,
                    Some(at) => ((at - renderer.position()) as usize).min(full),
                    None => full,
                };
                if room == 0 {
                    // Frozen: silence, the timeline standing still.
                    block.fill(0);
                    full
                } else {
                    let n = renderer.fill(&mut block[..room]);
                    self.shared
                        .position
                        .store(renderer.position(), Ordering::Relaxed);
                    if n == 0 {
                        self.shared.finished.store(true, Ordering::Relaxed);
                        return 0;
                    }
                    n
                }
            }
        };
        self.shared.pulled.fetch_add(n as u64, Ordering::Relaxed);
        n
    }
}

impl Source for LiveSource {
    fn fill(&mut self, out: &mut [i16]) -> usize {
        let n = out.len().min(BLOCK);
        self.fill_block(&mut out[..n])
    }
}

/// Copies the next part of `clip` from `at`; returns how many samples.
fn copy_clip(clip: &Clip, at: &mut usize, out: &mut [i16]) -> usize {
    let n = (clip.len() - *at).min(out.len());
    out[..n].copy_from_slice(&clip[*at..*at + n]);
    *at += n;
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::device::Pull;
    use crate::plan::{Event, Plan};
    use crate::timeline::{Place, Sound};
    use crate::voice::Clips;

    /// A session of three 100-sample clips at 1,000, 5,000 and 9,000, in a
    /// 10,000-sample timeline.
    fn session() -> Renderer {
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
                period: Some(crate::timeline::PeriodKind::Work),
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
        Renderer::new(&plan, &clips, &crate::audio::Mix::default()).unwrap()
    }

    fn overlays() -> Overlays {
        Overlays {
            paused: vec![7; 300].into(),
            resume: vec![8; 700].into(),
        }
    }

    /// The source as a device pulls it: sample by sample.
    fn pull(source: LiveSource) -> Pull {
        Pull::new(Box::new(source), Default::default())
    }

    fn take(source: &mut Pull, n: usize) -> Vec<i16> {
        source
            .by_ref()
            .take(n)
            .map(|x| (x * 32_768.0) as i16)
            .collect()
    }

    #[test]
    fn plays_the_timeline_from_its_start_to_its_end() {
        let (source, shared) = LiveSource::new(session(), 0, overlays());
        let mut source = pull(source);
        let all: Vec<i16> = take(&mut source, 20_000);
        assert_eq!(all.len(), 10_000);
        assert_eq!(all[999], 0);
        assert_eq!(all[1_000], 1000);
        assert_eq!(all[9_099], 3000);
        assert!(shared.finished());
    }

    #[test]
    fn pause_stops_the_timeline_and_resume_continues_it_exactly() {
        let (source, shared) = LiveSource::new(session(), 0, overlays());
        let mut source = pull(source);
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
        let (source, shared) = LiveSource::new(session(), 0, overlays());
        let mut source = pull(source);
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
    fn a_freeze_stops_the_timeline_until_thawed() {
        let (source, shared) = LiveSource::new(session(), 0, overlays());
        let mut source = pull(source);
        shared.request(Request::Freeze(1_050));
        let before = take(&mut source, 1_050);
        assert_eq!(&before[1_000..1_050], &[1000; 50][..]);
        assert_eq!(shared.position(), 1_050);
        let held = take(&mut source, 3 * BLOCK);
        assert!(held.iter().all(|x| *x == 0), "silence while held");
        assert_eq!(shared.position(), 1_050, "the timeline stood still");
        shared.request(Request::Thaw);
        let after = take(&mut source, 60);
        assert_eq!(after[..50], [1000; 50][..], "the rest of the sound");
    }

    #[test]
    fn a_prelude_hands_over_to_the_session_at_the_same_point() {
        let first: Clip = vec![1000; 100].into();
        let (source, shared) = LiveSource::prelude(first, overlays());
        let mut source = pull(source);
        let start = take(&mut source, 60);
        assert_eq!(start, vec![1000; 60]);
        assert!(shared.waiting());
        shared.hand_over(Handoff {
            renderer: session(),
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
