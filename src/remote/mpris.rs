//! The session as a media player on the D-Bus session bus (MPRIS), so
//! that a headset's play/pause button, desktop media keys, `playerctl`,
//! GNOME's and KDE's media widgets and KDE Connect control it:
//! `org.mpris.MediaPlayer2.coach.instancePID`, named "coach: TITLE", with
//! PlayPause, Play, Pause, Next, Previous and Stop mapped to the controls,
//! the current exercise as the track's title and the routine as its
//! artist. Without a session bus there is no player and no error.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use zbus::zvariant::{ObjectPath, OwnedValue, Value};

use super::command;
use crate::player::Snapshot;
use crate::player::controls::Control;

/// Where MPRIS players live on the bus.
const PATH: &str = "/org/mpris/MediaPlayer2";

/// The bus name of this process's player.
pub fn bus_name() -> String {
    format!(
        "org.mpris.MediaPlayer2.coach.instance{}",
        std::process::id()
    )
}

/// What the player last heard of the session, and when.
#[derive(Default)]
struct Now {
    snapshot: Option<Snapshot>,
    at: Option<Instant>,
}

impl Now {
    /// Where the session is now, in microseconds: the last position,
    /// moved on by the time since if it is playing.
    fn position_us(&self) -> i64 {
        let Some(s) = &self.snapshot else { return 0 };
        let mut secs = s.position_seconds;
        if s.state == "playing"
            && let Some(at) = self.at
        {
            secs = (secs + at.elapsed().as_secs_f64()).min(s.duration_seconds);
        }
        (secs * 1e6) as i64
    }
}

struct Root {
    identity: String,
}

#[zbus::interface(name = "org.mpris.MediaPlayer2")]
impl Root {
    fn raise(&self) {}

    fn quit(&self) {}

    #[zbus(property)]
    fn can_quit(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn can_raise(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn has_track_list(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn identity(&self) -> String {
        self.identity.clone()
    }

    #[zbus(property)]
    fn supported_uri_schemes(&self) -> Vec<String> {
        Vec::new()
    }

    #[zbus(property)]
    fn supported_mime_types(&self) -> Vec<String> {
        Vec::new()
    }
}

struct Player {
    controls: Mutex<Sender<Control>>,
    routine: String,
    now: Arc<Mutex<Now>>,
}

impl Player {
    fn send(&self, control: Control) {
        if let Ok(tx) = self.controls.lock() {
            let _ = tx.send(command(control));
        }
    }
}

#[zbus::interface(name = "org.mpris.MediaPlayer2.Player")]
impl Player {
    fn play_pause(&self) {
        self.send(Control::TogglePause);
    }

    fn play(&self) {
        self.send(Control::Resume);
    }

    fn pause(&self) {
        self.send(Control::Pause);
    }

    fn next(&self) {
        self.send(Control::Next);
    }

    fn previous(&self) {
        self.send(Control::Back);
    }

    fn stop(&self) {
        self.send(Control::Quit);
    }

    /// The timeline moves only by exercise and period: seeking by time is
    /// not offered (`CanSeek` is false).
    fn seek(&self, _offset: i64) {}

    fn set_position(&self, _track: ObjectPath<'_>, _position: i64) {}

    fn open_uri(&self, _uri: String) {}

    #[zbus(property)]
    fn playback_status(&self) -> String {
        let now = self
            .now
            .lock()
            .map(|n| n.snapshot.as_ref().map(|s| s.state));
        match now {
            Ok(Some("paused")) => "Paused",
            Ok(Some("ended")) => "Stopped",
            _ => "Playing",
        }
        .into()
    }

    #[zbus(property)]
    fn loop_status(&self) -> String {
        "None".into()
    }

    #[zbus(property)]
    fn rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn minimum_rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn maximum_rate(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn shuffle(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn volume(&self) -> f64 {
        1.0
    }

    #[zbus(property)]
    fn position(&self) -> i64 {
        self.now.lock().map_or(0, |n| n.position_us())
    }

    #[zbus(property)]
    fn metadata(&self) -> HashMap<String, OwnedValue> {
        let now = self.now.lock();
        let snapshot = now.as_ref().ok().and_then(|n| n.snapshot.as_ref());
        let title = snapshot
            .and_then(|s| s.exercise.clone())
            .unwrap_or_else(|| self.routine.clone());
        let length = snapshot.map_or(0, |s| (s.duration_seconds * 1e6) as i64);
        let mut m = HashMap::new();
        let mut put = |key: &str, value: Value<'_>| {
            if let Ok(v) = OwnedValue::try_from(value) {
                m.insert(key.to_string(), v);
            }
        };
        if let Ok(track) = ObjectPath::try_from("/org/coach/session") {
            put("mpris:trackid", Value::from(track));
        }
        put("xesam:title", Value::from(title));
        put("xesam:artist", Value::from(vec![self.routine.clone()]));
        put("xesam:album", Value::from(self.routine.clone()));
        put("mpris:length", Value::from(length));
        m
    }

    #[zbus(property)]
    fn can_go_next(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn can_go_previous(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn can_play(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn can_pause(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn can_seek(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn can_control(&self) -> bool {
        true
    }
}

/// The media player of a session, on its own thread; gone when dropped.
pub struct Mpris {
    updates: Sender<Snapshot>,
}

impl Mpris {
    /// Offers the session on the session bus, if there is one, in the
    /// background: the session does not wait for the bus.
    pub fn start(controls: Sender<Control>, routine: &str) -> Mpris {
        let (updates, rx) = channel();
        let routine = routine.to_string();
        let _ = std::thread::Builder::new()
            .name("mpris".into())
            .spawn(move || serve(controls, routine, rx));
        Mpris { updates }
    }

    /// Tells the player where the session is now.
    pub fn follow(&self, snapshot: &Snapshot) {
        let _ = self.updates.send(snapshot.clone());
    }
}

/// Connects, then passes on each change until the session drops its
/// [`Mpris`]. No bus, or a bus that refuses the name: nothing to do.
fn serve(controls: Sender<Control>, routine: String, updates: Receiver<Snapshot>) {
    let now = Arc::new(Mutex::new(Now::default()));
    let root = Root {
        identity: format!("coach: {routine}"),
    };
    let player = Player {
        controls: Mutex::new(controls),
        routine,
        now: now.clone(),
    };
    let connection = zbus::blocking::connection::Builder::session()
        .and_then(|b| b.name(bus_name()))
        .and_then(|b| b.serve_at(PATH, root))
        .and_then(|b| b.serve_at(PATH, player))
        .and_then(|b| b.build());
    let Ok(connection) = connection else {
        return;
    };
    let Ok(player) = connection.object_server().interface::<_, Player>(PATH) else {
        return;
    };
    for snapshot in updates {
        if let Ok(mut n) = now.lock() {
            n.snapshot = Some(snapshot);
            n.at = Some(Instant::now());
        }
        let iface = player.get();
        let emitter = player.signal_emitter();
        // zbus's own executor runs the emission.
        let _ = zbus::block_on(iface.playback_status_changed(emitter));
        let _ = zbus::block_on(iface.metadata_changed(emitter));
    }
}
