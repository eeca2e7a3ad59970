//! Remotes: every way to control a session besides its terminal's keys
//! and signals. Each is one more sender of [`Control::Remote`] on the
//! session's control channel, so a remote's command takes the very path
//! its key does (`player::session`), and is confirmed aloud when it has
//! no sound of its own.
//!
//! - `socket`: the control socket `coach ctl` talks to, one per session,
//!   in the user's runtime folder;
//! - `mpris`: the session as a media player on the D-Bus session bus
//!   (headset buttons, media keys, `playerctl`, desktop widgets);
//! - `input`: key events from Linux input devices (a Bluetooth remote, a
//!   headset's buttons, a USB keypad) on a machine with no desktop;
//! - `gpio`: one button on a GPIO line, with short, double and long
//!   presses (`press` turns edges into presses).

// MPRIS, evdev and the GPIO character device are Linux's.
#[cfg(target_os = "linux")]
pub mod gpio;
#[cfg(target_os = "linux")]
pub mod input;
#[cfg(target_os = "linux")]
pub mod mpris;
pub mod press;
pub mod socket;

use std::path::PathBuf;

use crate::player::controls::Control;

/// A remote's command, as the session's loop takes it: no answer wanted.
pub fn command(control: Control) -> Control {
    Control::Remote(Box::new(control), None)
}

/// Where key events are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputChoice {
    /// Every remote-like device in `/dev/input`, unless a desktop runs.
    Auto,
    Off,
    /// This device only, whatever its keys, waited for if it is not there.
    Device(PathBuf),
}

impl InputChoice {
    pub fn parse(text: &str) -> InputChoice {
        match text {
            "auto" => InputChoice::Auto,
            "off" => InputChoice::Off,
            path => InputChoice::Device(PathBuf::from(path)),
        }
    }
}

/// Which remotes a session listens to, besides its control socket.
#[derive(Clone, Debug)]
pub struct Options {
    /// Offer the session as a media player on the D-Bus session bus.
    pub mpris: bool,
    /// Where key events are read.
    pub input: InputChoice,
    /// The user's key map, over the defaults: (key code, command word).
    pub input_keys: Vec<(u16, String)>,
    /// A button's line, `CHIP:LINE`, and where it was asked for (for the
    /// error).
    pub gpio: Option<(String, &'static str)>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            mpris: true,
            input: InputChoice::Auto,
            input_keys: Vec::new(),
            gpio: None,
        }
    }
}

impl Options {
    /// The remotes a command's `--input` and `--gpio` and the config
    /// choose: a flag over the config, the config over the defaults.
    pub fn chosen(
        input: Option<&str>,
        gpio: Option<&str>,
        config: &crate::config::Config,
    ) -> Options {
        let input = input.or(config.input.as_deref()).unwrap_or("auto");
        let gpio = match (gpio, &config.gpio) {
            (Some(line), _) => Some((line.to_string(), "--gpio")),
            (None, Some(line)) => Some((line.clone(), "the config's gpio")),
            (None, None) => None,
        };
        Options {
            mpris: true,
            input: InputChoice::parse(input),
            input_keys: config.input_keys.clone(),
            gpio,
        }
    }

    /// The GPIO line asked for, if one is; a line that cannot be one is an
    /// error that says where it was given.
    #[cfg(target_os = "linux")]
    pub fn gpio_line(&self) -> anyhow::Result<Option<gpio::Line>> {
        self.gpio
            .as_ref()
            .map(|(line, from)| {
                gpio::Line::parse(line).map_err(|e| anyhow::anyhow!("{from} \"{line}\": {e}"))
            })
            .transpose()
    }

    /// Reads the input devices asked for, sending their commands on `tx`,
    /// with what was found to tell the user. None on a desktop for `auto`:
    /// media keys come through MPRIS there, and reading the devices too
    /// would take every press twice.
    #[cfg(target_os = "linux")]
    pub fn start_inputs(
        &self,
        tx: &std::sync::mpsc::Sender<Control>,
    ) -> (Option<input::Inputs>, Vec<String>) {
        let choice = match &self.input {
            input::Choice::Auto if input::desktop() => input::Choice::Off,
            other => other.clone(),
        };
        if choice == input::Choice::Off {
            return (None, Vec::new());
        }
        let (inputs, found) = input::start(
            &choice,
            std::path::Path::new("/dev/input"),
            input::KeyMap::with(&self.input_keys),
            self.input_keys.clone(),
            tx.clone(),
        );
        (Some(inputs), found)
    }
}

/// The remotes of a running session; each stops when dropped.
pub struct Remotes {
    pub socket: Option<socket::Server>,
    #[cfg(target_os = "linux")]
    pub mpris: Option<mpris::Mpris>,
    #[cfg(target_os = "linux")]
    pub inputs: Option<input::Inputs>,
    #[cfg(target_os = "linux")]
    pub button: Option<gpio::Button>,
    /// What could not be started, to tell the user.
    pub warnings: Vec<String>,
}

impl Remotes {
    /// Tells the remotes that show the session (the media player) where
    /// it is now.
    pub fn follow(&self, now: &crate::player::Snapshot) {
        #[cfg(target_os = "linux")]
        if let Some(m) = &self.mpris {
            m.follow(now);
        }
        let _ = now;
    }
}

/// Starts every remote `options` asks for, each sending on `tx`. One the
/// user named that cannot start is an error; the control socket that
/// cannot start is a warning (the session plays, `coach ctl` cannot reach
/// it).
pub fn start(
    tx: &std::sync::mpsc::Sender<Control>,
    title: &str,
    options: &Options,
) -> anyhow::Result<Remotes> {
    let mut warnings = Vec::new();
    let socket = match socket::Server::start(tx.clone()) {
        Ok(s) => Some(s),
        Err(e) => {
            warnings.push(format!(
                "warning: {e:#}; `coach ctl` cannot reach this session (keys and signals still work)"
            ));
            None
        }
    };
    #[cfg(not(target_os = "linux"))]
    {
        let _ = title;
        if let Some((line, from)) = &options.gpio {
            anyhow::bail!("{from} \"{line}\": GPIO buttons need Linux");
        }
    }
    #[cfg(target_os = "linux")]
    let (mpris, inputs, button) = {
        let button = match options.gpio_line()? {
            Some(line) => Some(gpio::start(&line, tx.clone())?),
            None => None,
        };
        let mpris = options
            .mpris
            .then(|| mpris::Mpris::start(tx.clone(), title));
        let (inputs, found) = options.start_inputs(tx);
        warnings.extend(found);
        (mpris, inputs, button)
    };
    Ok(Remotes {
        socket,
        #[cfg(target_os = "linux")]
        mpris,
        #[cfg(target_os = "linux")]
        inputs,
        #[cfg(target_os = "linux")]
        button,
        warnings,
    })
}
