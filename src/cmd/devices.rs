//! `coach devices`: the output devices and the names `--device` takes.

use anyhow::Result;

use super::{Exit, Run, print};
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
        let header = "DEVICE (for --device)";
        let width = devices
            .iter()
            .map(|d| d.id.len())
            .max()
            .unwrap_or(0)
            .max(header.len());
        let mut out = format!("{header:<width$}  DESCRIPTION\n");
        for d in &devices {
            let default = if d.default { "  (default)" } else { "" };
            out.push_str(&format!("{:<width$}  {}{default}\n", d.id, d.description));
        }
        print(&out)?;
        Ok(Exit::Success)
    }
}
