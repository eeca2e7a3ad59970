//! `coach devices`: the output devices and the names `--device` takes.

use anyhow::Result;

use super::{Exit, Run, load_config, print, print_json, table};
use crate::audio::device;
use crate::cli::Devices;
use crate::config::OutputChoice;

impl Run for Devices {
    fn run(&self) -> Result<Exit> {
        let devices = device::list();
        if devices.is_empty() && !self.json {
            print(
                "No sound output devices were found. Check that speakers are connected and, on a desktop, that the sound server (PulseAudio or PipeWire) is running.\n",
            )?;
            return Ok(Exit::Failure);
        }
        let config = load_config()?;
        let used = used(&devices, &config);
        if self.json {
            let listed: Vec<serde_json::Value> = devices
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    serde_json::json!({
                        "device": d.id,
                        "description": d.description,
                        "default": d.default,
                        "used": Some(i) == used,
                    })
                })
                .collect();
            print_json(&listed)?;
            return Ok(if devices.is_empty() {
                Exit::Failure
            } else {
                Exit::Success
            });
        }
        let mut rows = vec![vec![
            "DEVICE (for --device)".to_string(),
            "DESCRIPTION".to_string(),
        ]];
        rows.extend(devices.iter().enumerate().map(|(i, d)| {
            let mark = match (Some(i) == used, d.default) {
                (true, _) if config.device.is_some() => "  (play uses this: the config's device)",
                (true, _) => "  (play uses this)",
                (false, true) => "  (its system's default)",
                (false, false) => "",
            };
            vec![d.id.clone(), format!("{}{mark}", d.description)]
        }));
        print(&table(&rows, &[]))?;
        Ok(Exit::Success)
    }
}

/// Which of `devices` `play` would use: the config's device, else the
/// first default of the output it would open (the sound server's, listed
/// first, when one runs).
pub fn used(devices: &[device::DeviceInfo], config: &crate::config::Config) -> Option<usize> {
    let alsa_only = config.output == Some(OutputChoice::Alsa);
    match &config.device {
        Some(d) => devices.iter().position(|x| &x.id == d),
        None => devices
            .iter()
            .position(|d| d.default && (!alsa_only || d.id.starts_with("alsa:"))),
    }
}
