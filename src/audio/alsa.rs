//! The native ALSA output, for machines without a sound server (Raspberry
//! Pi OS Lite). Like the pulse output it keeps a deep buffer (up to a
//! second, as the device allows) and reacts at once: a pause or a skip
//! drops the buffer (`snd_pcm_drop`), re-prepares the device and has the
//! source rewind to the first sample not played. What has been heard is
//! what was written less the device's delay. An underrun is recovered
//! from and reported as a gap; a device that goes away (a USB speaker
//! pulled, HDMI unplugged) is a fatal error.
//!
//! One thread writes, waking four times a buffer; everything that touches
//! the device does so with [`Device`]'s lock held.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use alsa::pcm::{Access, Format, HwParams, PCM};
use alsa::{Direction, ValueOr};
use anyhow::{Result, anyhow};

use super::device::DeviceError;
use super::output::{Output, Source};
use crate::timeline::SAMPLE_RATE;
use crate::timeline::time::to_secs_f64;

/// The device and what is known about what it holds.
struct Device {
    pcm: PCM,
    source: Box<dyn Source>,
    /// Samples written since the stream (re)started counting.
    written: u64,
    /// When the buffer will have run dry if nothing more is written.
    dry_at: Instant,
    ended: bool,
    block: Vec<i16>,
}

/// What the writer thread shares with the output.
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    ended: AtomicBool,
    /// Samples heard, as last worked out.
    heard: AtomicU64,
    error: Mutex<Option<String>>,
    gaps: Mutex<Duration>,
}

/// An ALSA playback device, opened.
pub struct Alsa {
    name: String,
    device: Arc<Mutex<Option<Device>>>,
    /// The device, opened but not yet playing.
    opened: Option<(PCM, u64)>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// The name ALSA opens for a device name as `coach devices` lists it:
/// `hw:` devices go through `plughw:`, which converts the rate and the
/// channels where the hardware does not play 22,050 Hz mono itself.
fn pcm_name(device: &str) -> String {
    let name = device.strip_prefix("alsa:").unwrap_or(device);
    match name.strip_prefix("hw:") {
        Some(rest) => format!("plughw:{rest}"),
        None => name.to_string(),
    }
}

impl Alsa {
    /// Opens `device` (else ALSA's default) for 16-bit mono at the session
    /// rate with a buffer of about `buffer` (as deep as the device allows).
    pub fn open(device: Option<&str>, buffer: Duration) -> Result<Alsa, DeviceError> {
        let shown = format!(
            "alsa:{}",
            device.map_or("default", |d| d.strip_prefix("alsa:").unwrap_or(d))
        );
        let name = pcm_name(device.unwrap_or("default"));
        let cannot = |reason: String| DeviceError::CannotOpen {
            device: shown.clone(),
            reason,
        };
        let pcm = PCM::new(&name, Direction::Playback, true).map_err(|e| match e.errno() {
            libc::ENOENT | libc::ENODEV => DeviceError::Unknown(shown.clone()),
            _ => cannot(e.to_string()),
        })?;
        let buffer = {
            let hw = HwParams::any(&pcm).map_err(|e| cannot(e.to_string()))?;
            let set = || -> alsa::Result<u64> {
                hw.set_access(Access::RWInterleaved)?;
                hw.set_format(Format::s16())?;
                hw.set_channels(1)?;
                hw.set_rate(SAMPLE_RATE, ValueOr::Nearest)?;
                let us = buffer.as_micros() as u32;
                hw.set_buffer_time_near(us, ValueOr::Nearest)?;
                hw.set_period_time_near(us / 4, ValueOr::Nearest)?;
                pcm.hw_params(&hw)?;
                Ok(pcm.hw_params_current()?.get_buffer_size()? as u64)
            };
            set().map_err(|e| cannot(format!("it does not play 16-bit mono at 22,050 Hz ({e})")))?
        };
        {
            // Start as soon as anything is written: the first write is the
            // first sound.
            let sw = pcm.sw_params_current().map_err(|e| cannot(e.to_string()))?;
            let _ = sw.set_start_threshold(1);
            let _ = pcm.sw_params(&sw);
        }
        Ok(Alsa {
            name: shown,
            device: Arc::default(),
            opened: Some((pcm, buffer)),
            shared: Arc::default(),
            thread: None,
        })
    }

    fn join(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Device {
    /// Writes what the buffer has room for; false once the source has
    /// ended and everything is written.
    fn top_up(&mut self, shared: &Shared) -> bool {
        let room = match self.pcm.avail_update() {
            Ok(n) => n.max(0) as u64,
            Err(e) => return self.recover(e, shared),
        };
        let mut left = room;
        while left > 0 && !self.ended {
            let want = (left as usize).min(self.block.len());
            let mut n = 0;
            while n < want {
                let k = self.source.fill(&mut self.block[n..want]);
                if k == 0 {
                    self.ended = true;
                    break;
                }
                n += k;
            }
            if n == 0 {
                break;
            }
            let io = match self.pcm.io_i16() {
                Ok(io) => io,
                Err(e) => return fail(shared, &format!("the device refused samples ({e})")),
            };
            match io.writei(&self.block[..n]) {
                Ok(k) => {
                    self.written += k as u64;
                    left = left.saturating_sub(k as u64);
                }
                Err(e) => {
                    drop(io);
                    return self.recover(e, shared);
                }
            }
        }
        let delay = self.pcm.delay().unwrap_or(0).max(0) as u64;
        shared
            .heard
            .store(self.written.saturating_sub(delay), Ordering::Relaxed);
        self.dry_at = Instant::now() + Duration::from_secs_f64(to_secs_f64(delay));
        !(self.ended && delay == 0)
    }

    /// After an error: an underrun is a gap (played on from here), a
    /// suspended device is resumed, anything else ends the session.
    fn recover(&mut self, e: alsa::Error, shared: &Shared) -> bool {
        match e.errno() {
            libc::EPIPE => {
                if let Ok(mut g) = shared.gaps.lock() {
                    *g += self.dry_at.elapsed();
                }
                // Everything written was played.
                shared.heard.store(self.written, Ordering::Relaxed);
                self.pcm.prepare().is_ok()
                    || fail(shared, "it stopped and could not be started again")
            }
            libc::ESTRPIPE => {
                while self.pcm.resume().is_err_and(|e| e.errno() == libc::EAGAIN) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                let _ = self.pcm.prepare();
                true
            }
            libc::EAGAIN => true,
            _ => fail(shared, &format!("the device went away ({e})")),
        }
    }
}

fn fail(shared: &Shared, why: &str) -> bool {
    if let Ok(mut e) = shared.error.lock() {
        e.get_or_insert_with(|| why.to_string());
    }
    false
}

impl Output for Alsa {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn play(&mut self, source: Box<dyn Source>) -> Result<()> {
        let (pcm, buffer) = self
            .opened
            .take()
            .ok_or_else(|| anyhow!("the ALSA output plays one session"))?;
        let device = Device {
            pcm,
            source,
            written: 0,
            dry_at: Instant::now(),
            ended: false,
            block: vec![0; 4096],
        };
        let wake = Duration::from_secs_f64(to_secs_f64(buffer) / 4.0);
        if let Ok(mut d) = self.device.lock() {
            d.replace(device);
        }
        let (slot, shared) = (self.device.clone(), self.shared.clone());
        self.thread = Some(std::thread::spawn(move || {
            while !shared.stop.load(Ordering::Relaxed) {
                let more = match slot.lock() {
                    Ok(mut d) => d.as_mut().is_some_and(|d| d.top_up(&shared)),
                    Err(_) => false,
                };
                if !more {
                    break;
                }
                std::thread::sleep(wake);
            }
            shared.ended.store(true, Ordering::Relaxed);
        }));
        // The first samples go out now, not a wake from now.
        if let Ok(mut d) = self.device.lock()
            && let Some(d) = d.as_mut()
        {
            d.top_up(&self.shared);
        }
        Ok(())
    }

    /// Drops the device's buffer, rewinds the source to the first sample
    /// not played, and writes again.
    fn redirect(&self, change: &mut dyn FnMut()) {
        let Ok(mut slot) = self.device.lock() else {
            return change();
        };
        let Some(d) = slot.as_mut() else {
            return change();
        };
        if d.ended {
            return change();
        }
        let delay = d.pcm.delay().unwrap_or(0).max(0) as u64;
        let next = d.written.saturating_sub(delay);
        let _ = d.pcm.drop();
        let _ = d.pcm.prepare();
        if d.source.rewind(next) {
            d.written = next;
        }
        change();
        d.top_up(&self.shared);
    }

    fn heard(&self) -> u64 {
        if let Ok(d) = self.device.try_lock()
            && let Some(d) = d.as_ref()
        {
            let delay = d.pcm.delay().unwrap_or(0).max(0) as u64;
            self.shared
                .heard
                .store(d.written.saturating_sub(delay), Ordering::Relaxed);
        }
        self.shared.heard.load(Ordering::Relaxed)
    }

    fn gaps(&self) -> Option<Duration> {
        let mut g = self.shared.gaps.lock().ok()?;
        let gap = std::mem::take(&mut *g);
        (gap > Duration::from_millis(1)).then_some(gap)
    }

    fn error(&self) -> Option<String> {
        self.shared.error.lock().ok().and_then(|e| e.clone())
    }

    /// Waits for the buffer to play out.
    fn finish(&mut self) -> Result<()> {
        self.join();
        Ok(())
    }

    fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.join();
        if let Ok(mut d) = self.device.lock()
            && let Some(d) = d.take()
        {
            let _ = d.pcm.drop();
        }
    }
}

impl Drop for Alsa {
    fn drop(&mut self) {
        self.stop();
    }
}
