//! Sound devices: choosing the output ([`open_output`]), listing devices,
//! and playing through rodio and cpal, the portable fallback, behind the
//! [`Output`] seam. This is the only place a device is opened.
//!
//! By default a session plays through the sound server (PulseAudio, or
//! PipeWire's pulse server) with the native output in `pulse`, and through
//! ALSA where no server answers, as on Raspberry Pi OS Lite. A device is
//! named `pulse:SINK` (a server's sink) or by cpal's device id, such as
//! `alsa:hw:CARD=Headphones,DEV=0`.

use std::num::NonZero;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use cpal::traits::{DeviceTrait, HostTrait};
use rodio::{DeviceSinkBuilder, MixerDeviceSink};

use super::output::{Output, Source};
use crate::config::OutputChoice;
use crate::timeline::SAMPLE_RATE;
use crate::timeline::time::millis;

/// What can go wrong with a sound device, in words that say what to do.
#[derive(Debug)]
pub enum DeviceError {
    /// No default output device at all.
    NoDevice,
    /// `--device` named nothing that exists.
    Unknown(String),
    /// The device exists but would not play.
    CannotOpen { device: String, reason: String },
}

impl std::fmt::Display for DeviceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeviceError::NoDevice => write!(
                f,
                "no sound output device was found. Check that speakers are connected and, on a desktop, that the sound server (PulseAudio or PipeWire) is running; `coach devices` lists the devices coach can see and --device picks one. To listen later instead, write the session to a file with `coach render ROUTINE -o session.wav`."
            ),
            DeviceError::Unknown(name) => write!(
                f,
                "there is no output device \"{name}\"; `coach devices` lists the names --device takes"
            ),
            DeviceError::CannotOpen { device, reason } => write!(
                f,
                "could not play on {device}: {reason}. Try another device with --device (`coach devices` lists them), or write the session to a file with `coach render ROUTINE -o session.wav`."
            ),
        }
    }
}

impl std::error::Error for DeviceError {}

/// An output device as `coach devices` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// What `--device` takes: `host:device`.
    pub id: String,
    pub description: String,
    /// The host's default output device.
    pub default: bool,
}

/// What a session's output is opened with.
#[derive(Clone, Debug)]
pub struct Wanted<'a> {
    pub choice: OutputChoice,
    pub device: Option<&'a str>,
    /// The period, in milliseconds, of outputs that queue little.
    pub latency: u32,
    /// Queue seconds of audio where the output can (the timeline is known
    /// in advance); false keeps the queue to two periods, for a voice that
    /// speaks for itself beside the timeline.
    pub deep: bool,
    /// The stream's `media.role` and `media.name`.
    pub role: &'a str,
    pub title: &'a str,
}

/// How much the native outputs queue when they may queue deeply.
pub const DEEP_QUEUE_MS: u32 = 2000;

/// Opens the output `wanted` asks for: with `auto`, the sound server if
/// one answers, else ALSA.
pub fn open_output(wanted: &Wanted) -> Result<Box<dyn Output>, DeviceError> {
    let named_pulse = wanted.device.and_then(pulse_sink);
    let choice = match (wanted.choice, wanted.device) {
        (OutputChoice::Auto, Some(d)) if d.starts_with("alsa:") => OutputChoice::Alsa,
        (OutputChoice::Auto, Some(d)) if named_pulse.is_none() && d.contains(':') => {
            OutputChoice::Cpal
        }
        (choice, _) => choice,
    };
    let cpal = || -> Result<Box<dyn Output>, DeviceError> {
        Ok(Box::new(open(wanted.device, wanted.latency)?))
    };
    match choice {
        OutputChoice::Auto | OutputChoice::Pulse => match open_pulse(wanted, named_pulse) {
            Ok(p) => Ok(p),
            Err(e) if choice == OutputChoice::Pulse || named_pulse.is_some() => Err(e),
            // No server: ALSA.
            Err(_) => open_alsa(wanted).or_else(|_| cpal()),
        },
        OutputChoice::Alsa => open_alsa(wanted),
        OutputChoice::Cpal => cpal(),
    }
}

#[cfg(target_os = "linux")]
fn open_alsa(wanted: &Wanted) -> Result<Box<dyn Output>, DeviceError> {
    quiet_alsa();
    let buffer = if wanted.deep {
        std::time::Duration::from_millis(DEEP_QUEUE_MS as u64 / 2)
    } else {
        std::time::Duration::from_millis(2 * wanted.latency as u64)
    };
    Ok(Box::new(super::alsa::Alsa::open(wanted.device, buffer)?))
}

#[cfg(not(target_os = "linux"))]
fn open_alsa(wanted: &Wanted) -> Result<Box<dyn Output>, DeviceError> {
    Ok(Box::new(open(wanted.device, wanted.latency)?))
}

/// The sink a device name gives the pulse output: `pulse:SINK`.
fn pulse_sink(device: &str) -> Option<&str> {
    #[cfg(target_os = "linux")]
    {
        super::pulse::sink_of(device)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = device;
        None
    }
}

#[cfg(target_os = "linux")]
fn open_pulse(wanted: &Wanted, sink: Option<&str>) -> Result<Box<dyn Output>, DeviceError> {
    use super::pulse::{Pulse, PulseOptions};
    let queue_ms = if wanted.deep {
        DEEP_QUEUE_MS
    } else {
        2 * wanted.latency
    };
    let options = PulseOptions {
        // A bare name (not `host:device`) may be a sink's.
        device: sink
            .or(wanted.device.filter(|d| !d.contains(':')))
            .map(str::to_string),
        queue_ms,
        role: wanted.role.to_string(),
        title: wanted.title.to_string(),
    };
    let named = options.device.clone();
    let pulse = Pulse::connect(options)?;
    if let Some(name) = named
        && !pulse
            .sinks()
            .iter()
            .any(|s| super::pulse::sink_of(&s.id) == Some(&name))
    {
        let given = wanted.device.unwrap_or(&name);
        return Err(DeviceError::Unknown(given.to_string()));
    }
    Ok(Box::new(pulse))
}

#[cfg(not(target_os = "linux"))]
fn open_pulse(_: &Wanted, _: Option<&str>) -> Result<Box<dyn Output>, DeviceError> {
    Err(DeviceError::CannotOpen {
        device: "the sound server".into(),
        reason: "the pulse output is built on Linux only".into(),
    })
}

/// Every output device: the sound server's sinks, then every device of
/// every cpal host, defaults first.
pub fn list() -> Vec<DeviceInfo> {
    let mut out = Vec::new();
    #[cfg(target_os = "linux")]
    if let Ok(pulse) = super::pulse::Pulse::connect(super::pulse::PulseOptions {
        device: None,
        queue_ms: DEEP_QUEUE_MS,
        role: String::new(),
        title: String::new(),
    }) {
        out.extend(pulse.sinks());
    }
    quiet_alsa();
    for host_id in cpal::available_hosts() {
        let Ok(host) = cpal::host_from_id(host_id) else {
            continue;
        };
        let default_id = host
            .default_output_device()
            .and_then(|d| d.id().ok())
            .map(|id| id.to_string());
        let Ok(devices) = host.output_devices() else {
            continue;
        };
        for device in devices {
            let Ok(id) = device.id() else { continue };
            let id = id.to_string();
            let description = device
                .description()
                .map(|d| d.to_string())
                .unwrap_or_default();
            out.push(DeviceInfo {
                default: default_id.as_deref() == Some(id.as_str()),
                id,
                description,
            });
        }
    }
    out
}

/// A sound device, opened: a rodio sink on a cpal stream, and the first
/// error the device reported.
pub struct Device {
    sink: MixerDeviceSink,
    player: Option<rodio::Player>,
    /// The device's id, as `--device` takes it.
    name: String,
    /// Samples handed to the device so far.
    taken: Arc<AtomicU64>,
    /// Samples the device holds before they are heard: two periods.
    queued: u64,
    error: Arc<Mutex<Option<String>>>,
}

impl Output for Device {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn play(&mut self, source: Box<dyn Source>) -> Result<()> {
        let player = rodio::Player::connect_new(self.sink.mixer());
        player.append(Pull::new(source, self.taken.clone()));
        self.player = Some(player);
        Ok(())
    }

    /// An estimate: cpal does not say what has been heard, so this is what
    /// was handed out less the two periods a sound server holds.
    fn heard(&self) -> u64 {
        self.taken
            .load(Ordering::Relaxed)
            .saturating_sub(self.queued)
    }

    fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }

    /// The session ends with a second of silence, so the last sound has
    /// been heard once the device holds only that.
    fn finish(&mut self) -> Result<()> {
        if let Some(p) = &self.player {
            p.sleep_until_end();
        }
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(p) = &self.player {
            p.stop();
        }
    }
}

/// Samples taken at a time from the source: 23 ms, well inside the
/// device's period, so a control is applied within one block.
const BLOCK: usize = 512;

/// A [`Source`] as rodio pulls it: sample by sample, from blocks.
pub struct Pull {
    source: Box<dyn Source>,
    block: Vec<i16>,
    at: usize,
    len: usize,
    taken: Arc<AtomicU64>,
}

impl Pull {
    pub fn new(source: Box<dyn Source>, taken: Arc<AtomicU64>) -> Pull {
        Pull {
            source,
            block: vec![0; BLOCK],
            at: 0,
            len: 0,
            taken,
        }
    }
}

impl Iterator for Pull {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.at == self.len {
            let n = self.source.fill(&mut self.block);
            if n == 0 {
                return None;
            }
            self.taken.fetch_add(n as u64, Ordering::Relaxed);
            self.at = 0;
            self.len = n;
        }
        let sample = self.block[self.at];
        self.at += 1;
        Some(sample as f32 / 32_768.0)
    }
}

impl rodio::Source for Pull {
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

/// Opens `name` (or the default device) for mono 16-bit audio at the
/// session rate, handed over in periods of `period_ms`, falling back to the
/// device's own format (then rodio converts) if it refuses that.
pub fn open(name: Option<&str>, period_ms: u32) -> Result<Device, DeviceError> {
    quiet_alsa();
    let device = match name {
        None => cpal::default_host()
            .default_output_device()
            .ok_or(DeviceError::NoDevice)?,
        Some(name) => find(name)?,
    };
    let shown = device
        .id()
        .map(|id| id.to_string())
        .unwrap_or_else(|_| name.unwrap_or("the default device").to_string());
    let error = Arc::new(Mutex::new(None::<String>));
    let on_error = {
        let error = error.clone();
        move |e: cpal::Error| {
            // An underrun is a glitch the stream recovers from, and a
            // rerouted default device keeps playing; only a lost device or
            // server ends the session. (A device that stops pulling audio
            // without saying so is caught by the player's watchdog.)
            use cpal::ErrorKind::*;
            let fatal = matches!(
                e.kind(),
                DeviceNotAvailable | HostUnavailable | StreamInvalidated | PermissionDenied
            );
            if fatal && let Ok(mut slot) = error.lock() {
                slot.get_or_insert_with(|| e.to_string());
            }
        }
    };
    let exact = DeviceSinkBuilder::default()
        .with_device(device.clone())
        .with_channels(NonZero::new(1).expect("one channel"))
        .with_sample_rate(NonZero::new(SAMPLE_RATE).expect("non-zero rate"))
        .with_sample_format(cpal::SampleFormat::I16)
        .with_buffer_size(cpal::BufferSize::Fixed(millis(period_ms as u64) as u32))
        .with_error_callback(on_error.clone())
        .open_stream();
    let sink = match exact {
        Ok(sink) => sink,
        Err(first) => {
            let fallback = DeviceSinkBuilder::from_device(device)
                .and_then(|b| b.with_error_callback(on_error).open_stream());
            fallback.map_err(|_| DeviceError::CannotOpen {
                device: shown.clone(),
                reason: describe(&first),
            })?
        }
    };
    let mut sink = sink;
    sink.log_on_drop(false);
    Ok(Device {
        sink,
        player: None,
        name: shown,
        taken: Arc::default(),
        queued: millis(2 * period_ms as u64),
        error,
    })
}

/// A device by its id (`host:device`), or by a device name or description
/// that matches exactly one device.
fn find(name: &str) -> Result<cpal::Device, DeviceError> {
    if let Ok(id) = cpal::DeviceId::from_str(name)
        && let Ok(host) = cpal::host_from_id(id.host())
        && let Some(device) = host.device_by_id(&id)
    {
        return Ok(device);
    }
    let mut matches = Vec::new();
    for host_id in cpal::available_hosts() {
        let Ok(host) = cpal::host_from_id(host_id) else {
            continue;
        };
        let Ok(devices) = host.output_devices() else {
            continue;
        };
        for device in devices {
            let id = device.id().map(|i| i.to_string()).unwrap_or_default();
            let local = id.split_once(':').map_or(id.as_str(), |(_, d)| d);
            let description = device
                .description()
                .map(|d| d.to_string())
                .unwrap_or_default();
            if local == name || description.eq_ignore_ascii_case(name) {
                matches.push(device);
            }
        }
    }
    match matches.len() {
        1 => Ok(matches.remove(0)),
        _ => Err(DeviceError::Unknown(name.to_string())),
    }
}

fn describe(e: &rodio::DeviceSinkError) -> String {
    use std::error::Error as _;
    match e.source() {
        Some(cause) => format!("{e} ({cause})"),
        None => e.to_string(),
    }
}

/// Keeps alsa-lib's own messages ("ALSA lib pcm.c:2666: Unknown PCM
/// default") off the user's screen: on this thread they go to a buffer.
/// coach reports device problems itself.
fn quiet_alsa() {
    #[cfg(target_os = "linux")]
    {
        thread_local! {
            static HANDLER: std::cell::RefCell<Option<std::rc::Rc<std::cell::RefCell<alsa::Output>>>> =
                const { std::cell::RefCell::new(None) };
        }
        HANDLER.with_borrow_mut(|h| {
            if h.is_none() {
                *h = alsa::Output::local_error_handler().ok();
            }
        });
    }
}
