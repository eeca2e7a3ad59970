//! Sound devices: finding one by name, listing them, and opening a rodio
//! sink on one. This is the only place a device is opened.
//!
//! cpal prefers its native PulseAudio client (which PipeWire's pulse server
//! also answers) when a server is reachable, and uses ALSA otherwise, as on
//! Raspberry Pi OS Lite. A device is named by cpal's device id, such as
//! `pulseaudio:alsa_output.usb-speaker` or `alsa:hw:CARD=Headphones,DEV=0`.

use std::num::NonZero;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use cpal::traits::{DeviceTrait, HostTrait};
use rodio::{DeviceSinkBuilder, MixerDeviceSink};

use crate::SAMPLE_RATE;

/// How much audio is handed to the device at a time, by default: 46 ms.
/// A sound server holds two such periods, so the first sound and every
/// control (a pause, a skip) are heard about 100 ms later. Longer periods
/// wake the CPU less often (`coach play --latency`).
pub const DEFAULT_PERIOD_MS: u32 = 46;

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

/// Every output device of every available host, defaults first.
pub fn list() -> Vec<DeviceInfo> {
    quiet_alsa();
    let mut out = Vec::new();
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

/// A sink playing on a device, and the first error the device reported.
pub struct Output {
    pub sink: MixerDeviceSink,
    /// The device's id, as `--device` takes it.
    pub name: String,
    error: Arc<Mutex<Option<String>>>,
}

impl Output {
    /// The first error the device reported while playing, such as its
    /// disappearance.
    pub fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }
}

/// Opens `name` (or the default device) for mono 16-bit audio at the
/// session rate, handed over in periods of `period_ms`, falling back to the
/// device's own format (then rodio converts) if it refuses that.
pub fn open(name: Option<&str>, period_ms: u32) -> Result<Output, DeviceError> {
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
        .with_buffer_size(cpal::BufferSize::Fixed(period_ms * SAMPLE_RATE / 1000))
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
    Ok(Output {
        sink,
        name: shown,
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
