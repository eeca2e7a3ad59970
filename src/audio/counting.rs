//! The counting output: takes a session's samples at a chosen pace without
//! a sound device, counts them and can keep them, so a whole `play`
//! session, controls included, runs in a test or a benchmark and a test
//! can check, sample for sample, where the timeline went.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};

use super::output::{Output, Source};
use crate::timeline::time::to_secs_f64;

/// Samples taken at a time, as a device's period would.
const BLOCK: usize = 512;

/// What the counting output has taken, shared with whoever watches it.
#[derive(Default)]
pub struct Counted {
    heard: AtomicU64,
    /// The source ended.
    ended: AtomicBool,
    stop: AtomicBool,
    /// Every sample taken, if kept.
    samples: Mutex<Vec<i16>>,
}

impl Counted {
    /// Samples taken so far.
    pub fn heard(&self) -> u64 {
        self.heard.load(Ordering::Relaxed)
    }

    /// Whether the source has ended.
    pub fn ended(&self) -> bool {
        self.ended.load(Ordering::Relaxed)
    }

    /// A copy of every sample taken, if the output keeps them.
    pub fn samples(&self) -> Vec<i16> {
        self.samples.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// An output with no device behind it.
pub struct Counting {
    /// How many times faster than real time samples are taken; 0 for as
    /// fast as the source gives them.
    speed: f64,
    keep: bool,
    counted: Arc<Counted>,
    thread: Option<JoinHandle<()>>,
}

impl Counting {
    /// An output that takes samples `speed` times faster than real time
    /// (0: as fast as it can) and, if `keep`, keeps them.
    pub fn new(speed: f64, keep: bool) -> Counting {
        Counting {
            speed,
            keep,
            counted: Arc::default(),
            thread: None,
        }
    }

    /// What it has taken, to watch while it plays and read afterwards.
    pub fn counted(&self) -> Arc<Counted> {
        self.counted.clone()
    }

    fn join(&mut self) -> Result<()> {
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| anyhow!("the counting output's thread panicked")),
            None => Ok(()),
        }
    }
}

impl Output for Counting {
    fn name(&self) -> String {
        "the counting output".into()
    }

    fn play(&mut self, mut source: Box<dyn Source>) -> Result<()> {
        let (counted, speed, keep) = (self.counted.clone(), self.speed, self.keep);
        self.thread = Some(std::thread::spawn(move || {
            let started = Instant::now();
            let mut block = vec![0i16; BLOCK];
            while !counted.stop.load(Ordering::Relaxed) {
                let n = source.fill(&mut block);
                if n == 0 {
                    counted.ended.store(true, Ordering::Relaxed);
                    break;
                }
                if keep && let Ok(mut s) = counted.samples.lock() {
                    s.extend_from_slice(&block[..n]);
                }
                let heard = counted.heard.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
                if speed > 0.0 {
                    // Paced from the start, so sleeping never drifts.
                    let due = Duration::from_secs_f64(to_secs_f64(heard) / speed);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
            }
        }));
        Ok(())
    }

    fn heard(&self) -> u64 {
        self.counted.heard()
    }

    fn finish(&mut self) -> Result<()> {
        self.join()
    }

    fn stop(&mut self) {
        self.counted.stop.store(true, Ordering::Relaxed);
        let _ = self.join();
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::SAMPLE_RATE;

    /// A source of `n` samples counting up from 1.
    struct Ramp {
        next: u64,
        n: u64,
    }

    impl Source for Ramp {
        fn fill(&mut self, out: &mut [i16]) -> usize {
            let k = (out.len() as u64).min(self.n - self.next) as usize;
            for (i, o) in out[..k].iter_mut().enumerate() {
                *o = ((self.next + i as u64 + 1) % 30_000) as i16;
            }
            self.next += k as u64;
            k
        }
    }

    #[test]
    fn takes_every_sample_in_order_and_stops_at_the_end() {
        let mut out = Counting::new(0.0, true);
        out.play(Box::new(Ramp { next: 0, n: 10_000 })).unwrap();
        out.finish().unwrap();
        let counted = out.counted();
        assert!(counted.ended());
        assert_eq!(counted.heard(), 10_000);
        let s = counted.samples();
        assert_eq!(s.len(), 10_000);
        assert!(s.iter().enumerate().all(|(i, x)| *x == (i + 1) as i16));
    }

    #[test]
    fn paced_output_takes_samples_no_faster_than_asked() {
        // A second of audio at 10 times real time takes at least 0.1 s.
        let mut out = Counting::new(10.0, false);
        let started = Instant::now();
        out.play(Box::new(Ramp {
            next: 0,
            n: SAMPLE_RATE as u64,
        }))
        .unwrap();
        out.finish().unwrap();
        assert!(started.elapsed() >= Duration::from_millis(95));
        assert_eq!(out.heard(), SAMPLE_RATE as u64);
    }
}
