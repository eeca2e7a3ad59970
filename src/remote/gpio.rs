//! A button on a GPIO line (a Raspberry Pi's header), through the Linux
//! GPIO character device: wired from the pin to ground, read with the
//! pull-up on and active low. A short press pauses and resumes, a double
//! press skips to the next exercise, a long press stops (`press`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::command;
use super::press::{DEBOUNCE, Press, Presses};
use crate::player::controls::Control;

/// A line: its chip's device and its offset on the chip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub chip: PathBuf,
    pub offset: u32,
}

impl Line {
    /// `gpiochip0:17`, `/dev/gpiochip4:17`, or `17` (on `gpiochip0`).
    pub fn parse(text: &str) -> std::result::Result<Line, String> {
        let (chip, line) = match text.rsplit_once(':') {
            Some((chip, line)) => (chip, line),
            None => ("gpiochip0", text),
        };
        let offset = line.trim().parse::<u32>().map_err(|_| {
            format!("\"{line}\" is not a line number: write CHIP:LINE, such as gpiochip0:17 (BCM pin 17 on a Raspberry Pi)")
        })?;
        let chip = if chip.contains('/') {
            PathBuf::from(chip)
        } else if chip.is_empty() {
            return Err("write CHIP:LINE, such as gpiochip0:17".into());
        } else {
            PathBuf::from("/dev").join(chip)
        };
        Ok(Line { chip, offset })
    }
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.chip.display(), self.offset)
    }
}

/// The command a press gives.
pub fn control_of(press: Press) -> Control {
    match press {
        Press::Short => Control::TogglePause,
        Press::Double => Control::Next,
        Press::Long => Control::Quit,
    }
}

/// A button being watched; the line is given back when it is dropped
/// (within [`RELEASE`]), so another process may request it.
#[derive(Debug)]
pub struct Button {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How long dropping a [`Button`] may take: the longest wait for an edge.
pub const RELEASE: Duration = Duration::from_secs(1);

impl Drop for Button {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Watches the button on `line` until the [`Button`] is dropped. A chip
/// or line that is not there, or not ours to read, is an error now.
pub fn start(line: &Line, tx: Sender<Control>) -> Result<Button> {
    if !line.chip.exists() {
        let chips: Vec<String> = std::fs::read_dir("/dev")
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with("gpiochip"))
                    .collect()
            })
            .unwrap_or_default();
        bail!(
            "--gpio {line}: there is no GPIO chip {} on this machine ({})",
            line.chip.display(),
            if chips.is_empty() {
                "it has none; a Raspberry Pi has /dev/gpiochip0".to_string()
            } else {
                format!("it has {}", chips.join(", "))
            }
        );
    }
    let request = gpiocdev::Request::builder()
        .on_chip(&line.chip)
        .with_consumer("coach")
        .with_line(line.offset)
        .as_input()
        .as_active_low()
        .with_bias(gpiocdev::line::Bias::PullUp)
        .with_edge_detection(gpiocdev::line::EdgeDetection::BothEdges)
        .request()
        .map_err(|e| {
            let denied = matches!(&e, gpiocdev::Error::Os(errno) if errno.0 == libc::EACCES);
            if denied {
                anyhow::anyhow!(
                    "--gpio {line}: permission denied; add yourself to the gpio group (`sudo usermod -aG gpio $USER`, then log in again)"
                )
            } else {
                anyhow::anyhow!("--gpio {line}: cannot read the line: {e}")
            }
        })?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let thread = std::thread::Builder::new()
        .name("gpio button".into())
        .spawn(move || watch(request, tx, &stopped))
        .context("cannot start the GPIO thread")?;
    Ok(Button {
        stop,
        thread: Some(thread),
    })
}

/// Reads edges, and the line itself when it is quiet (an edge lost to the
/// debounce), and sends each press's command.
fn watch(request: gpiocdev::Request, tx: Sender<Control>, stop: &AtomicBool) {
    let origin = Instant::now();
    let mut presses = Presses::default();
    // A button held as the line is taken (the press that just stopped a
    // session) is not a press: only what follows its release counts.
    while request
        .lone_value()
        .is_ok_and(|v| v == gpiocdev::line::Value::Active)
    {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(DEBOUNCE);
    }
    loop {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let now = origin.elapsed();
        let wait = presses
            .next_deadline()
            .map_or(Duration::from_secs(1), |d| d.saturating_sub(now))
            .clamp(Duration::from_millis(5), RELEASE);
        let mut decided = Vec::new();
        match request.wait_edge_event(wait) {
            Ok(true) => {
                let Ok(event) = request.read_edge_event() else {
                    return;
                };
                let pressed = event.kind == gpiocdev::line::EdgeKind::Rising;
                decided.extend(presses.edge(pressed, origin.elapsed()));
            }
            Ok(false) => {
                // Quiet: the line's state is the truth.
                let now = origin.elapsed();
                if presses
                    .last_edge()
                    .is_none_or(|t| now.saturating_sub(t) > DEBOUNCE)
                    && let Ok(value) = request.lone_value()
                {
                    let down = value == gpiocdev::line::Value::Active;
                    if down != presses.is_down() {
                        decided.extend(presses.edge(down, now));
                    }
                }
            }
            Err(_) => return,
        }
        decided.extend(presses.poll(origin.elapsed()));
        for press in decided {
            if tx.send(command(control_of(press))).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_named_by_chip_and_offset() {
        assert_eq!(
            Line::parse("gpiochip0:17"),
            Ok(Line {
                chip: "/dev/gpiochip0".into(),
                offset: 17
            })
        );
        assert_eq!(
            Line::parse("17").unwrap().chip,
            PathBuf::from("/dev/gpiochip0")
        );
        assert_eq!(
            Line::parse("/dev/gpiochip4:3").unwrap(),
            Line {
                chip: "/dev/gpiochip4".into(),
                offset: 3
            }
        );
        assert!(
            Line::parse("gpiochip0:x")
                .unwrap_err()
                .contains("CHIP:LINE")
        );
        assert!(Line::parse(":4").is_err());
    }

    #[test]
    fn presses_give_pause_next_and_stop() {
        assert_eq!(control_of(Press::Short), Control::TogglePause);
        assert_eq!(control_of(Press::Double), Control::Next);
        assert_eq!(control_of(Press::Long), Control::Quit);
    }

    #[test]
    fn a_missing_chip_is_a_clear_error() {
        let (tx, _rx) = std::sync::mpsc::channel();
        let line = Line::parse("/nonexistent/gpiochip9:17").unwrap();
        let err = start(&line, tx).unwrap_err().to_string();
        assert!(
            err.starts_with("--gpio /nonexistent/gpiochip9:17: there is no GPIO chip /nonexistent/gpiochip9 on this machine"),
            "{err}"
        );
    }
}
