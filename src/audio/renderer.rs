//! The renderer: a plan rendered lazily, block by block, to 16-bit samples
//! at the session rate. The same renderer feeds a file and, inside the
//! live source of `player`, the sound card, so what `render` writes is,
//! sample for sample, what `play` plays. Memory use is the clips alone,
//! whatever the session's length.

use std::sync::Arc;

use super::output::Source;
use crate::plan::Plan;
use crate::timeline::{Sound, ToneKind, ToneStyle};
use crate::voice::{Clip, Clips};

/// A sound with its samples at its place.
struct Placed {
    start: u64,
    samples: Clip,
    /// Played again whole after a pause that cut it: announcements and end
    /// tones, which are outside the timed work and rests.
    replay: bool,
}

impl Placed {
    fn end(&self) -> u64 {
        self.start + self.samples.len() as u64
    }
}

/// A plan event whose speech clip was not prepared.
#[derive(Debug)]
pub struct MissingClip(pub String);

impl std::fmt::Display for MissingClip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no speech was prepared for \"{}\"", self.0)
    }
}

impl std::error::Error for MissingClip {}

/// How loud speech and tones are, and how the tones sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mix {
    /// Speech volume, percent.
    pub speech: u32,
    /// Tone volume, percent.
    pub tones: u32,
    pub style: ToneStyle,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            speech: 100,
            tones: 100,
            style: ToneStyle::Bright,
        }
    }
}

/// `clip` at `percent` of its level (saturating), shared if unchanged.
pub fn scaled(clip: &Clip, percent: u32) -> Clip {
    if percent == 100 {
        return clip.clone();
    }
    clip.iter()
        .map(|s| (*s as i32 * percent as i32 / 100).clamp(i16::MIN as i32, i16::MAX as i32) as i16)
        .collect::<Vec<_>>()
        .into()
}

/// A plan being rendered: a cursor over its sounds.
pub struct Renderer {
    sounds: Arc<[Placed]>,
    total: u64,
    pos: u64,
    /// The first sound that has not started yet.
    next: usize,
    /// Sounds that started and have not ended.
    active: Vec<usize>,
    mix: Vec<i32>,
}

impl Renderer {
    /// A renderer for `plan`, with the speech of `clips`, mixed as `mix`
    /// says.
    pub fn new(plan: &Plan, clips: &Clips, mix: &Mix) -> Result<Renderer, MissingClip> {
        let tones: Vec<(ToneKind, Clip)> = ToneKind::ALL
            .iter()
            .map(|k| (*k, scaled(&Clip::from(k.render_in(mix.style)), mix.tones)))
            .collect();
        let mut speech: std::collections::HashMap<&str, Clip> = std::collections::HashMap::new();
        let mut sounds = Vec::with_capacity(plan.events.len());
        for event in &plan.events {
            let samples = match &event.sound {
                Sound::Speech(text) => match speech.get(text.as_str()) {
                    Some(clip) => clip.clone(),
                    None => {
                        let clip = clips.get(text).ok_or_else(|| MissingClip(text.clone()))?;
                        let clip = scaled(clip, mix.speech);
                        speech.insert(text, clip.clone());
                        clip
                    }
                },
                Sound::Tone(kind) => tones
                    .iter()
                    .find(|(k, _)| k == kind)
                    .map(|(_, c)| c.clone())
                    .expect("every tone kind is rendered"),
            };
            let replay = event.period.is_none() || event.sound == Sound::Tone(ToneKind::End);
            sounds.push(Placed {
                start: event.start,
                samples,
                replay,
            });
        }
        sounds.sort_by_key(|p| p.start);
        Ok(Renderer {
            sounds: sounds.into(),
            total: plan.total_samples,
            pos: 0,
            next: 0,
            active: Vec::new(),
            mix: Vec::new(),
        })
    }

    /// Samples rendered so far: the session's clock.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Samples left to render.
    pub fn remaining(&self) -> u64 {
        self.total - self.pos
    }

    /// Moves the cursor to `pos`. Sounds that started before it are not
    /// heard at all: a seek never starts in the middle of a word.
    pub fn seek(&mut self, pos: u64) {
        self.pos = pos.min(self.total);
        self.next = self.sounds.partition_point(|s| s.start < self.pos);
        self.active.clear();
    }

    /// Moves the cursor to `pos` as if every sample before it had been
    /// rendered: sounds under way there go on from their middle. (An
    /// output that dropped samples unheard renders them again this way.)
    pub fn resume_at(&mut self, pos: u64) {
        self.pos = pos.min(self.total);
        self.next = self.sounds.partition_point(|s| s.start < self.pos);
        let sounds = &self.sounds;
        let pos = self.pos;
        self.active = (0..self.next).filter(|&i| sounds[i].end() > pos).collect();
    }

    /// Where to continue after a pause at the current position: here, or
    /// the start of an announcement or end tone that the pause cut, so it
    /// is heard whole. Timed sounds (cues, counts) are never replayed, so a
    /// hold never gains time.
    pub fn resume_point(&self) -> u64 {
        self.active
            .iter()
            .map(|&i| &self.sounds[i])
            .filter(|s| s.replay && s.start < self.pos && s.end() > self.pos)
            .map(|s| s.start)
            .min()
            .unwrap_or(self.pos)
    }

    /// Renders the next samples into `out`; returns how many were written,
    /// fewer than `out.len()` only at the end of the session.
    pub fn fill(&mut self, out: &mut [i16]) -> usize {
        let n = (out.len() as u64).min(self.remaining()) as usize;
        let (from, to) = (self.pos, self.pos + n as u64);
        while self.next < self.sounds.len() && self.sounds[self.next].start < to {
            self.active.push(self.next);
            self.next += 1;
        }
        let out = &mut out[..n];
        match self.active.as_slice() {
            [] => out.fill(0),
            // The usual case: sounds never overlap, so copy.
            [only] => {
                out.fill(0);
                let sound = &self.sounds[*only];
                let (a, b) = (sound.start.max(from), sound.end().min(to));
                if a < b {
                    let src =
                        &sound.samples[(a - sound.start) as usize..(b - sound.start) as usize];
                    out[(a - from) as usize..(b - from) as usize].copy_from_slice(src);
                }
            }
            many => {
                self.mix.clear();
                self.mix.resize(n, 0);
                for &i in many {
                    let sound = &self.sounds[i];
                    let (a, b) = (sound.start.max(from), sound.end().min(to));
                    if a >= b {
                        continue;
                    }
                    let src =
                        &sound.samples[(a - sound.start) as usize..(b - sound.start) as usize];
                    let dst = &mut self.mix[(a - from) as usize..(b - from) as usize];
                    for (d, s) in dst.iter_mut().zip(src) {
                        *d += *s as i32;
                    }
                }
                for (o, m) in out.iter_mut().zip(&self.mix) {
                    *o = (*m).clamp(i16::MIN as i32, i16::MAX as i32) as i16;
                }
            }
        }
        let sounds = &self.sounds;
        self.active.retain(|&i| sounds[i].end() > to);
        self.pos = to;
        n
    }
}

impl Source for Renderer {
    fn fill(&mut self, out: &mut [i16]) -> usize {
        Renderer::fill(self, out)
    }

    fn remaining(&self) -> Option<u64> {
        Some(Renderer::remaining(self))
    }
}
