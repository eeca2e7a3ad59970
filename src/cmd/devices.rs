//! `coach devices`: the output devices and the names `--device` takes.

use anyhow::Result;

use super::{Exit, Run, print, table};
use crate::audio::device;
use crate::cli::Devices;

impl Run for Devices {
    fn run(&self) -> Result<Exit> {
        let devices = device::list();
        if devices.is_empty() {
            print(
                "No sound output devices were found. Check that speakers are connected and, on a desktop, that the sound server (PulseAudio or PipeWire) is running.\n",
            )?;
            return Ok(Exit::Failure);
        }
        let mut rows = vec![vec![
            "DEVICE (for --device)".to_string(),
            "DESCRIPTION".to_string(),
        ]];
        rows.extend(devices.iter().map(|d| {
            let default = if d.default { "  (default)" } else { "" };
            vec![d.id.clone(), format!("{}{default}", d.description)]
        }));
        print(&table(&rows, &[]))?;
        Ok(Exit::Success)
    }
}
