//! The live source: the session's timeline as an output takes it, with
//! pause, resume and seeks applied between blocks. Everything here runs on
//! the audio thread, so it never waits for long: requests are taken with
//! `try_lock` and a block is at most 23 ms.
//!
//! An output may queue seconds of audio ahead of what is heard. So the
//! source keeps a mark for every block it gives (where in its stream the
//! block starts, the timeline positions it covers, and the state to render
//! it again from), which tells what is being heard from the output's count
//! of heard samples, and lets the output drop what it queued and have the
//! source [rewind](Source::rewind) to the sample being heard.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::audio::{Renderer, Source};
use crate::timeline::time::secs;
use crate::voice::Clip;

/// The most samples rendered per block.
const BLOCK: usize = 512;

/// How much of the stream's past the marks cover: far more than any
/// output queues.
const MARKED: u64 = secs(10);

/// What the controls ask of the audio thread.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Say this clip at this timeline sample, over the timeline (the
    /// progress asked for, placed where nothing else sounds). A seek
    /// forgets it.
    Say(u64, Clip),
    /// Say this clip when the timeline has ended (a finished session's
    /// summary). A seek forgets it.
    Epilogue(Clip),
}

/// The state the audio thread shares with the controls and the display.
#[derive(Default)]
pub struct Shared {
    /// The timeline sample the next block starts at.
    position: AtomicU64,
    paused: AtomicBool,
    /// The timeline has been played to its end.
    finished: AtomicBool,
    /// A cold start's session is still being prepared: the prelude or a
    /// part of the session plays, and the whole has not arrived.
    waiting: AtomicBool,
    /// Paused, with "Paused." given to the output: only silence follows.
    resting: AtomicBool,
    /// Samples the output has taken, paused or not, less any it dropped
    /// unheard: the output's pulse, and where the next block starts in the
    /// source's stream.
    pulled: AtomicU64,
    /// The blocks given lately, oldest first.
    marks: Mutex<VecDeque<Mark>>,
    requests: Mutex<Vec<Request>>,
    /// The session, handed over after a cold start: in parts while it is
    /// prepared, then whole.
    handoff: Mutex<Option<Handoff>>,
    /// At the timeline's end, wait (in silence) for the epilogue.
    awaits_epilogue: AtomicBool,
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

    /// Samples the output has taken so far, silence included.
    pub fn pulled(&self) -> u64 {
        self.pulled.load(Ordering::Relaxed)
    }

    /// The timeline position being heard when the output has played
    /// `heard` samples of the stream: behind [`Shared::position`] by what
    /// the output queues, standing still while paused.
    pub fn heard_position(&self, heard: u64) -> u64 {
        self.heard_place(heard).0
    }

    /// [`Shared::heard_position`], and how many seeks the source had
    /// applied when it gave what is heard: until that counts a seek asked
    /// for, what is heard is still the timeline from before it.
    pub fn heard_place(&self, heard: u64) -> (u64, u64) {
        let Ok(marks) = self.marks.lock() else {
            return (self.position(), 0);
        };
        let i = marks.partition_point(|m| m.at <= heard);
        match i.checked_sub(1).map(|i| &marks[i]) {
            Some(m) => (m.position(heard), m.seeks),
            None => marks
                .front()
                .map_or_else(|| (self.position(), 0), |m| (m.from, m.seeks)),
        }
    }

    /// True once a pause has given all its words to the output.
    pub fn resting(&self) -> bool {
        self.resting.load(Ordering::Relaxed)
    }

    /// True while a cold start's session has not arrived whole.
    pub fn waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Asks the audio thread for something; it happens within a block.
    pub fn request(&self, r: Request) {
        // Make a pause visible at once, so a second key press toggles back.
        match r {
            Request::Pause => self.paused.store(true, Ordering::Relaxed),
            Request::Resume | Request::Seek(_) => self.paused.store(false, Ordering::Relaxed),
            Request::Freeze(_) | Request::Thaw | Request::Say(..) | Request::Epilogue(_) => {}
        }
        if let Ok(mut q) = self.requests.lock() {
            q.push(r);
        }
    }

    /// Has the source wait at the timeline's end, in silence, until an
    /// [`Request::Epilogue`] comes; set before the output plays.
    pub fn await_epilogue(&self) {
        self.awaits_epilogue.store(true, Ordering::Relaxed);
    }

    /// Hands the session to a source that started with a prelude: a
    /// longer part of it each time, until it is whole. An earlier part not
    /// yet taken is replaced, as the new one holds it.
    pub fn hand_over(&self, handoff: Handoff) {
        if let Ok(mut slot) = self.handoff.lock() {
            *slot = Some(handoff);
        }
    }
}

/// The session, or the part of it prepared so far, for a source that began
/// with only its first sound.
pub struct Handoff {
    pub renderer: Renderer,
    /// Where the prelude's sound sits in the session.
    pub first: u64,
    /// Where the sound after it starts.
    pub next: u64,
    /// The renderer's plan is the session up to this sample and no
    /// further (the rest is still being prepared), or `None`: the whole
    /// session. Each part renders exactly what the whole does before its
    /// end, so the source moves from one to the next at any sample.
    pub until: Option<u64>,
}

/// The overlays spoken over a paused timeline.
pub struct Overlays {
    /// "Paused."
    pub paused: Clip,
    /// "Resuming.", then a count-in: the timeline continues one second
    /// after its last number, as after any countdown.
    pub resume: Clip,
}

/// One block the source gave: where it starts in the stream, how long it
/// is, the timeline positions it covers, and the state it was rendered
/// from.
#[derive(Clone)]
struct Mark {
    at: u64,
    len: u64,
    /// The timeline position at its start and at its end: equal where the
    /// timeline stood still (paused, frozen, an overlay).
    from: u64,
    to: u64,
    state: State,
    /// Seeks applied before it was given (a rewind never undoes one: it
    /// goes back no further than what is heard).
    seeks: u64,
}

impl Mark {
    fn position(&self, heard: u64) -> u64 {
        self.from + (heard - self.at).min(self.to - self.from)
    }
}

/// What a block is rendered from.
#[derive(Clone)]
struct State {
    mode: Mode,
    resume_at: u64,
    frozen_at: Option<u64>,
}

#[derive(Clone)]
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
    /// The timeline and its epilogue are over.
    Ended,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Then {
    Paused,
    Timeline,
    /// The end of the session.
    End,
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
    /// Where a cold start's prelude sits in the session and where the
    /// sound after it starts, once the session has been handed over.
    handed: Option<(u64, u64)>,
    /// Only the session up to here has been handed over: the timeline
    /// waits here, in silence, for the next part.
    until: Option<u64>,
    /// Samples given so far, less any dropped unheard.
    given: u64,
    /// Clips said over the timeline, at their timeline sample.
    said: Vec<(u64, Clip)>,
    /// Said once the timeline has ended.
    epilogue: Option<Clip>,
    /// Seeks applied so far.
    seeks: u64,
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
            handed: None,
            until: None,
            given: 0,
            said: Vec::new(),
            epilogue: None,
            seeks: 0,
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
            handed: None,
            until: None,
            given: 0,
            said: Vec::new(),
            epilogue: None,
            seeks: 0,
        };
        (source, shared)
    }

    fn take_handoff(&mut self) {
        let elapsed = match &self.mode {
            Mode::Prelude { elapsed, .. } => Some(*elapsed),
            _ if self.until.is_some() => None,
            _ => return,
        };
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
            until,
        } = handoff;
        self.until = until;
        let Some(elapsed) = elapsed else {
            // A longer part of the session: it goes on from the very
            // sample the last one had reached, sounds under way included.
            let at = self.shown();
            renderer.resume_at(at);
            self.renderer = Some(renderer);
            if until.is_none() {
                self.shared.waiting.store(false, Ordering::Relaxed);
            }
            return;
        };
        // Carry on where the prelude is, in the middle of its words if
        // they are still being said; if the session arrived so late that
        // the next sound should have started, it starts now.
        let target = (first + elapsed).min(next);
        renderer.resume_at(target);
        self.renderer = Some(renderer);
        self.mode = Mode::Timeline;
        self.handed = Some((first, next));
        // What is still to be heard of the prelude now has its place.
        if let Ok(mut marks) = self.shared.marks.lock() {
            for m in marks.iter_mut() {
                if let Mode::Prelude { elapsed, .. } = m.state.mode {
                    m.from = (first + elapsed).min(next);
                    m.to = (first + elapsed + m.len).min(next);
                }
            }
        }
        if until.is_none() {
            self.shared.waiting.store(false, Ordering::Relaxed);
        }
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
                (
                    Request::Resume,
                    Mode::Paused
                    | Mode::Overlay {
                        then: Then::Paused | Then::Timeline,
                        ..
                    },
                ) => {
                    session.seek(self.resume_at);
                    self.mode = Mode::Overlay {
                        clip: self.overlays.resume.clone(),
                        at: 0,
                        then: Then::Timeline,
                    };
                }
                (Request::Seek(pos), _) => {
                    self.seeks += 1;
                    session.seek(pos);
                    self.resume_at = pos;
                    self.frozen_at = None;
                    self.mode = Mode::Timeline;
                    self.said.clear();
                    self.epilogue = None;
                }
                (Request::Epilogue(clip), _) => self.epilogue = Some(clip),
                (Request::Say(at, clip), _) => {
                    // Forget what was said long ago: no rewind reaches it.
                    let now = session.position();
                    self.said
                        .retain(|(start, c)| start + c.len() as u64 + MARKED > now);
                    self.said.push((at, clip));
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

    /// Fills `block` (at most [`BLOCK`] samples) after taking what the
    /// controls asked; returns how many, 0 at the end of the session.
    fn fill_block(&mut self, block: &mut [i16]) -> usize {
        self.take_handoff();
        self.apply_requests();
        let n = self.render(block);
        if n == 0 {
            self.shared.finished.store(true, Ordering::Relaxed);
        }
        n
    }

    /// The timeline position a block starts from.
    fn shown(&self) -> u64 {
        self.renderer.as_ref().map_or(0, Renderer::position)
    }

    /// Renders `block` from the current state and marks it.
    fn render(&mut self, block: &mut [i16]) -> usize {
        let state = State {
            mode: self.mode.clone(),
            resume_at: self.resume_at,
            frozen_at: self.frozen_at,
        };
        let from = self.shown();
        let n = self.render_unmarked(block);
        self.shared
            .resting
            .store(matches!(self.mode, Mode::Paused), Ordering::Relaxed);
        if n == 0 {
            return 0;
        }
        let to = match self.mode {
            // Timeline positions move only while the timeline plays.
            Mode::Timeline => self.shown(),
            _ => from,
        };
        self.shared.position.store(to, Ordering::Relaxed);
        let mark = Mark {
            at: self.given,
            len: n as u64,
            from,
            to: to.max(from),
            state,
            seeks: self.seeks,
        };
        self.given += n as u64;
        self.shared.pulled.store(self.given, Ordering::Relaxed);
        if let Ok(mut marks) = self.shared.marks.lock() {
            marks.push_back(mark);
            while marks
                .front()
                .is_some_and(|m| m.at + m.len + MARKED < self.given)
            {
                marks.pop_front();
            }
        }
        n
    }

    fn render_unmarked(&mut self, block: &mut [i16]) -> usize {
        let full = block.len();
        match &mut self.mode {
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
                        Then::End => Mode::Ended,
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
            Mode::Ended => 0,
            Mode::Timeline => {
                let renderer = self.renderer.as_mut().expect("the timeline has a renderer");
                // Frozen, or at the end of the part prepared so far.
                let stop = match (self.frozen_at, self.until) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let room = match stop {
                    Some(at) if renderer.position() >= at => 0,
                    Some(at) => ((at - renderer.position()) as usize).min(full),
                    None => full,
                };
                if room == 0 {
                    // Frozen: silence, the timeline standing still.
                    block.fill(0);
                    full
                } else {
                    let from = renderer.position();
                    let n = renderer.fill(&mut block[..room]);
                    mix_said(&self.said, from, &mut block[..n]);
                    if n == 0 {
                        if let Some(clip) = self.epilogue.clone() {
                            self.mode = Mode::Overlay {
                                clip,
                                at: 0,
                                then: Then::End,
                            };
                            return self.render_unmarked(block);
                        }
                        if self.shared.awaits_epilogue.load(Ordering::Relaxed) {
                            // The summary is on its way.
                            block.fill(0);
                            return full;
                        }
                    }
                    n
                }
            }
        }
    }

    /// Puts the source back in the state a mark was rendered from. A
    /// prelude handed over since continues as the session at its place.
    fn restore(&mut self, mark: &Mark) {
        let State {
            mode,
            resume_at,
            frozen_at,
        } = mark.state.clone();
        self.resume_at = resume_at;
        self.frozen_at = frozen_at;
        self.mode = match (mode, self.handed) {
            (Mode::Prelude { elapsed, .. }, Some((first, next))) => {
                if let Some(r) = self.renderer.as_mut() {
                    r.resume_at((first + elapsed).min(next));
                }
                Mode::Timeline
            }
            (mode, _) => {
                if let Some(r) = self.renderer.as_mut() {
                    r.resume_at(mark.from);
                }
                mode
            }
        };
        self.given = mark.at;
        self.shared.finished.store(false, Ordering::Relaxed);
    }
}

impl Source for LiveSource {
    fn fill(&mut self, out: &mut [i16]) -> usize {
        let n = out.len().min(BLOCK);
        self.fill_block(&mut out[..n])
    }

    /// Renders again, unheard, from the last mark before `to` up to `to`,
    /// so the next block is exactly what would have followed the sample
    /// being heard. Requests waiting are taken after, by the next block.
    fn rewind(&mut self, to: u64) -> bool {
        if to >= self.given {
            return true;
        }
        let mark = {
            let Ok(mut marks) = self.shared.marks.lock() else {
                return false;
            };
            while marks.back().is_some_and(|m| m.at > to) {
                marks.pop_back();
            }
            match marks.pop_back() {
                Some(m) if m.at + m.len > to => m,
                _ => return false,
            }
        };
        self.restore(&mark);
        let mut scratch = [0i16; BLOCK];
        while self.given < to {
            let want = ((to - self.given) as usize).min(BLOCK);
            if self.render(&mut scratch[..want]) == 0 {
                break;
            }
        }
        self.shared.pulled.store(self.given, Ordering::Relaxed);
        let shown = self.shown();
        self.shared.position.store(shown, Ordering::Relaxed);
        true
    }
}

/// Adds what is said over the timeline to `block`, which starts at
/// timeline sample `from`.
fn mix_said(said: &[(u64, Clip)], from: u64, block: &mut [i16]) {
    let to = from + block.len() as u64;
    for (start, clip) in said {
        let end = start + clip.len() as u64;
        if *start >= to || end <= from {
            continue;
        }
        let (a, b) = ((*start).max(from), end.min(to));
        let out = &mut block[(a - from) as usize..(b - from) as usize];
        let src = &clip[(a - start) as usize..(b - start) as usize];
        for (o, s) in out.iter_mut().zip(src) {
            *o = o.saturating_add(*s);
        }
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
        part_of_session(3)
    }

    /// The session's first `n` clips, as a cold start lays out a part.
    fn part_of_session(n: usize) -> Renderer {
        let mut clips = Clips::default();
        let mut events = Vec::new();
        for (i, start) in [1_000u64, 5_000, 9_000].iter().enumerate().take(n) {
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
    fn words_said_over_the_timeline_and_after_it_move_nothing() {
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        shared.request(Request::Say(2_000, vec![5; 200].into()));
        shared.request(Request::Epilogue(vec![6; 300].into()));
        shared.await_epilogue();
        let mut all = Vec::new();
        let mut block = [0i16; 512];
        loop {
            let n = source.fill(&mut block);
            if n == 0 {
                break;
            }
            all.extend_from_slice(&block[..n]);
        }
        // The timeline as it was, the words at 2,000 over its silence…
        assert_eq!(all.len(), 10_300);
        assert!(all[1_000..1_100].iter().all(|s| *s == 1000));
        assert!(all[1_100..2_000].iter().all(|s| *s == 0));
        assert!(all[2_000..2_200].iter().all(|s| *s == 5));
        assert!(all[9_000..9_100].iter().all(|s| *s == 3000));
        // …and the epilogue after its end, then the end.
        assert!(all[10_000..].iter().all(|s| *s == 6));
        assert!(shared.finished());
        // A rewind into the words gives them again, exactly.
        assert!(source.rewind(2_100));
        let n = source.fill(&mut block[..100]);
        assert_eq!(block[..n], [5; 100]);
        // A seek forgets both.
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        shared.request(Request::Say(2_000, vec![5; 200].into()));
        shared.request(Request::Epilogue(vec![6; 300].into()));
        source.fill(&mut block[..10]);
        shared.request(Request::Seek(1_500));
        let mut rest = Vec::new();
        loop {
            let n = source.fill(&mut block);
            if n == 0 {
                break;
            }
            rest.extend_from_slice(&block[..n]);
        }
        assert_eq!(rest.len(), 8_500);
        assert!(!rest.contains(&5) && !rest.contains(&6));
        // Waiting for an epilogue: silence at the end until it comes.
        let (mut source, shared) = LiveSource::new(session(), 9_500, overlays());
        shared.await_epilogue();
        let mut got = Vec::new();
        for _ in 0..10 {
            let n = source.fill(&mut block);
            got.extend_from_slice(&block[..n]);
        }
        assert_eq!(got.len(), 500 + 9 * 512, "the end, then silence");
        assert!(!shared.finished());
        shared.request(Request::Epilogue(vec![6; 300].into()));
        let n = source.fill(&mut block);
        assert_eq!(block[..n], [6; 300]);
        assert_eq!(source.fill(&mut block), 0);
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
            until: None,
        });
        // The rest of the current block is the prelude's; the next block
        // continues the session where the prelude was.
        let rest = take(&mut source, BLOCK - 60 + 10);
        assert_eq!(&rest[..40], &[1000; 40][..]);
        assert!(!shared.waiting());
        assert_eq!(shared.position(), 1_000 + 2 * BLOCK as u64);
    }

    #[test]
    fn a_session_handed_over_in_parts_plays_as_the_whole_and_waits_at_each_end() {
        let (mut whole, _) = LiveSource::new(session(), 1_000, overlays());
        let all = given(&mut whole, 9_000);
        let first: Clip = vec![1000; 100].into();
        let (mut source, shared) = LiveSource::prelude(first, overlays());
        let mut heard = given(&mut source, BLOCK);
        // The first clip's part, up to the middle of the second clip.
        shared.hand_over(Handoff {
            renderer: part_of_session(2),
            first: 1_000,
            next: 5_000,
            until: Some(5_050),
        });
        heard.extend(given(&mut source, 4_050 - BLOCK));
        assert!(shared.waiting(), "a part is not the whole");
        assert_eq!(shared.position(), 5_050);
        // The part's end is reached: silence, the timeline standing still.
        let held = given(&mut source, 2 * BLOCK);
        assert!(held.iter().all(|x| *x == 0));
        assert_eq!(shared.position(), 5_050, "waiting for the rest");
        shared.hand_over(Handoff {
            renderer: session(),
            first: 1_000,
            next: 5_000,
            until: None,
        });
        heard.extend(given(&mut source, 9_000 - 4_050));
        assert!(!shared.waiting());
        assert_eq!(heard, all, "the second clip goes on from its middle");
    }

    /// Takes `n` samples straight from the source, in its own blocks.
    fn given(source: &mut LiveSource, n: usize) -> Vec<i16> {
        let mut out = vec![0i16; n];
        let mut at = 0;
        while at < n {
            let k = source.fill(&mut out[at..]);
            if k == 0 {
                break;
            }
            at += k;
        }
        out.truncate(at);
        out
    }

    #[test]
    fn rewinding_gives_again_exactly_what_followed_the_sample_heard() {
        let (mut whole, _) = LiveSource::new(session(), 0, overlays());
        let all = given(&mut whole, 10_000);
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        // An output queues 4,000 samples, has played 1,050 (in the middle
        // of the first clip), and drops the rest.
        let _ = given(&mut source, 4_000);
        assert_eq!(shared.heard_position(1_050), 1_050);
        assert!(source.rewind(1_050));
        assert_eq!(shared.pulled(), 1_050);
        let again = given(&mut source, 10_000 - 1_050);
        assert_eq!(again, all[1_050..], "the clip goes on from its middle");
    }

    #[test]
    fn a_pause_after_a_rewind_stops_the_timeline_where_it_was_heard() {
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        let _ = given(&mut source, 4_096);
        assert_eq!(shared.position(), 4_096, "rendered ahead");
        assert!(source.rewind(2_000));
        shared.request(Request::Pause);
        let paused = given(&mut source, 300 + 2 * BLOCK);
        assert_eq!(&paused[..300], &[7; 300][..], "\"Paused.\" at once");
        assert!(paused[300..].iter().all(|x| *x == 0));
        // What is heard from here on stands at the heard sample.
        assert_eq!(shared.heard_position(2_000 + 300 + BLOCK as u64), 2_000);
        shared.request(Request::Resume);
        let resumed = given(&mut source, 700 + 3_000 + 10);
        assert_eq!(resumed[700 + 2_999], 0);
        assert_eq!(resumed[700 + 3_000], 2000, "the clip at 5,000, on time");
    }

    #[test]
    fn heard_positions_follow_the_stream_through_pauses_and_seeks() {
        let (mut source, shared) = LiveSource::new(session(), 0, overlays());
        let _ = given(&mut source, 1_024);
        shared.request(Request::Seek(8_000));
        let _ = given(&mut source, 1_024);
        // The first 1,024 samples of the stream are the timeline's first,
        // the next 1,024 its samples from 8,000.
        assert_eq!(shared.heard_position(500), 500);
        assert_eq!(shared.heard_position(1_024), 8_000);
        assert_eq!(shared.heard_position(1_524), 8_500);
        assert_eq!(shared.heard_position(100_000), 9_024, "past the end given");
        // What is heard tells which side of the seek it is on.
        assert_eq!(shared.heard_place(1_000), (1_000, 0));
        assert_eq!(shared.heard_place(1_024), (8_000, 1));
    }

    #[test]
    fn a_rewind_into_a_handed_over_prelude_continues_as_the_session() {
        let first: Clip = vec![1000; 100].into();
        let (mut source, shared) = LiveSource::prelude(first, overlays());
        let _ = given(&mut source, BLOCK);
        shared.hand_over(Handoff {
            renderer: session(),
            first: 1_000,
            next: 5_000,
            until: None,
        });
        let _ = given(&mut source, 4 * BLOCK);
        assert_eq!(
            shared.heard_position(50),
            1_050,
            "the prelude has its place"
        );
        assert!(source.rewind(50));
        let again = given(&mut source, 60);
        assert_eq!(
            again,
            vec![1000; 50]
                .into_iter()
                .chain(vec![0; 10])
                .collect::<Vec<_>>()
        );
    }
}
