//! Key events from Linux input devices (evdev), for a machine with no
//! desktop: a Bluetooth headset's or speaker's media buttons, a camera
//! shutter remote or presenter, a USB keypad. Each key press (not its
//! repeats or release) becomes the command the key map gives. Devices may
//! come and go during a session (a Bluetooth remote reconnects): the
//! folder is looked at again every [`RESCAN`], and a device that vanishes
//! is read again when it is back.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::command;
use crate::config::keys::INPUT_KEYS;
use crate::player::controls::Control;

/// How often the devices are looked for again.
pub const RESCAN: Duration = Duration::from_secs(2);

/// `EV_KEY`: a key or button event.
const EV_KEY: u16 = 1;
/// A key's value when it goes down (0 is up, 2 a repeat).
const PRESSED: i32 = 1;

/// The name a key code has in `[input_keys]`.
pub fn key_name(code: u16) -> Option<&'static str> {
    INPUT_KEYS.iter().find(|(_, c)| *c == code).map(|(n, _)| *n)
}

fn code(name: &str) -> u16 {
    INPUT_KEYS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .expect("a known key")
}

/// Which command each key gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMap {
    keys: HashMap<u16, String>,
}

/// The media keys: a device that has one of them uses them, and keeps its
/// volume keys and Enter for what they usually do.
const MEDIA: &[&str] = &[
    "KEY_PLAYPAUSE",
    "KEY_PLAYCD",
    "KEY_PAUSECD",
    "KEY_PLAY",
    "KEY_PAUSE",
    "KEY_NEXTSONG",
    "KEY_PREVIOUSSONG",
    "KEY_STOPCD",
    "KEY_MEDIA",
];

/// What only a device without media keys (a camera shutter remote, a
/// one-button clicker) uses to pause.
const SHUTTER: &[&str] = &["KEY_VOLUMEUP", "KEY_ENTER", "KEY_CAMERA"];

impl Default for KeyMap {
    /// Headsets send KEY_PLAYCD and KEY_PAUSECD in turn by their own idea
    /// of whether something plays, which need not be coach's: both
    /// toggle, so every press does something.
    fn default() -> KeyMap {
        let words = [
            ("KEY_PLAYPAUSE", "toggle"),
            ("KEY_PLAYCD", "toggle"),
            ("KEY_PAUSECD", "toggle"),
            ("KEY_MEDIA", "toggle"),
            ("KEY_PLAY", "resume"),
            ("KEY_PAUSE", "pause"),
            ("KEY_NEXTSONG", "next"),
            ("KEY_FASTFORWARD", "next"),
            ("KEY_PREVIOUSSONG", "back"),
            ("KEY_REWIND", "back"),
            ("KEY_STOPCD", "stop"),
            // Presenters.
            ("KEY_PAGEDOWN", "next"),
            ("KEY_RIGHT", "next"),
            ("KEY_PAGEUP", "back"),
            ("KEY_LEFT", "back"),
            // Keypads.
            ("KEY_SPACE", "toggle"),
            ("KEY_KPENTER", "toggle"),
            ("KEY_KP5", "toggle"),
            ("KEY_KP6", "next"),
            ("KEY_KP4", "back"),
            ("KEY_KP0", "say-status"),
            // Camera shutters.
            ("KEY_VOLUMEUP", "toggle"),
            ("KEY_ENTER", "toggle"),
            ("KEY_CAMERA", "toggle"),
        ];
        KeyMap {
            keys: words
                .iter()
                .map(|(k, w)| (code(k), w.to_string()))
                .collect(),
        }
    }
}

impl KeyMap {
    /// The defaults, with `overrides` (key code, command word) in place
    /// of the keys they name.
    pub fn with(overrides: &[(u16, String)]) -> KeyMap {
        let mut map = KeyMap::default();
        for (code, word) in overrides {
            map.keys.insert(*code, word.clone());
        }
        map
    }

    /// The map for a device with these keys (`None`: not known): one with
    /// media keys leaves its volume keys and Enter alone, unless the user
    /// mapped them.
    pub fn for_device(&self, has: Option<&KeyBits>, overrides: &[(u16, String)]) -> KeyMap {
        let mut map = self.clone();
        if let Some(bits) = has
            && MEDIA.iter().any(|k| bits.has(code(k)))
        {
            for k in SHUTTER {
                let c = code(k);
                if !overrides.iter().any(|(o, _)| *o == c) {
                    map.keys.remove(&c);
                }
            }
        }
        map
    }

    /// The command a key press gives.
    pub fn control(&self, code: u16) -> Option<Control> {
        Control::from_word(self.keys.get(&code)?)
    }

    /// Whether a device with these keys has any key of the map.
    pub fn reaches(&self, bits: &KeyBits) -> bool {
        self.keys.keys().any(|c| bits.has(*c))
    }
}

/// One `struct input_event` as the kernel writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: u16,
    pub code: u16,
    pub value: i32,
}

/// The size of one event on this machine (24 bytes on 64-bit Linux, 16 on
/// 32-bit).
pub const EVENT_SIZE: usize = std::mem::size_of::<libc::input_event>();
const TIME_SIZE: usize = std::mem::size_of::<libc::timeval>();

/// The events in whole records of `bytes`; a partial record at the end is
/// left for the next read.
pub fn decode(bytes: &[u8]) -> Vec<Event> {
    bytes
        .chunks_exact(EVENT_SIZE)
        .map(|r| Event {
            kind: u16::from_ne_bytes([r[TIME_SIZE], r[TIME_SIZE + 1]]),
            code: u16::from_ne_bytes([r[TIME_SIZE + 2], r[TIME_SIZE + 3]]),
            value: i32::from_ne_bytes([
                r[TIME_SIZE + 4],
                r[TIME_SIZE + 5],
                r[TIME_SIZE + 6],
                r[TIME_SIZE + 7],
            ]),
        })
        .collect()
}

/// The commands a stream of events gives: key presses only.
pub fn commands(events: &[Event], map: &KeyMap) -> Vec<Control> {
    events
        .iter()
        .filter(|e| e.kind == EV_KEY && e.value == PRESSED)
        .filter_map(|e| map.control(e.code))
        .collect()
}

/// The keys a device has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyBits(Vec<u8>);

impl KeyBits {
    pub fn from_codes(codes: &[u16]) -> KeyBits {
        let mut bits = vec![0u8; 96];
        for c in codes {
            if let Some(b) = bits.get_mut(*c as usize / 8) {
                *b |= 1 << (c % 8);
            }
        }
        KeyBits(bits)
    }

    pub fn has(&self, code: u16) -> bool {
        self.0
            .get(code as usize / 8)
            .is_some_and(|b| b & (1 << (code % 8)) != 0)
    }

    /// A full keyboard (it has the letters): the terminal's own, not a
    /// remote.
    pub fn is_keyboard(&self) -> bool {
        ["KEY_Q", "KEY_S", "KEY_B", "KEY_N"]
            .iter()
            .all(|k| self.has(code(k)))
    }

    /// The keys of an open device, from the kernel (`EVIOCGBIT`); `None`
    /// for a file that is not an input device.
    fn of(file: &File) -> Option<KeyBits> {
        use std::os::fd::AsRawFd;
        let mut bits = vec![0u8; 96];
        // _IOC(_IOC_READ, 'E', 0x20 + EV_KEY, len), as on every Linux
        // architecture a Raspberry Pi or a PC runs.
        let request = (2u64 << 30) | ((bits.len() as u64) << 16) | ((b'E' as u64) << 8) | 0x21;
        // SAFETY: EVIOCGBIT writes at most `len` bytes into the buffer.
        let n = unsafe { libc::ioctl(file.as_raw_fd(), request as _, bits.as_mut_ptr()) };
        (n >= 0).then_some(KeyBits(bits))
    }
}

pub use super::InputChoice as Choice;

/// Whether a desktop session runs here (its media keys reach coach over
/// MPRIS, and reading the devices too would take each press twice).
pub fn desktop() -> bool {
    ["WAYLAND_DISPLAY", "DISPLAY", "XDG_CURRENT_DESKTOP"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// The devices being read, shared with their threads.
type Reading = Arc<Mutex<HashSet<PathBuf>>>;

/// The input devices being read; no new ones are looked for once it is
/// dropped.
pub struct Inputs {
    stop: Arc<AtomicBool>,
}

impl Drop for Inputs {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads key events until the [`Inputs`] is dropped. What it found at the
/// start, for the user: a warning if nothing could be read for lack of
/// permission, or if the device named is not there yet.
pub fn start(
    choice: &Choice,
    folder: &Path,
    map: KeyMap,
    overrides: Vec<(u16, String)>,
    tx: Sender<Control>,
) -> (Inputs, Vec<String>) {
    let stop = Arc::new(AtomicBool::new(false));
    let watch = Watch {
        choice: choice.clone(),
        folder: folder.to_path_buf(),
        map,
        overrides,
        tx,
        reading: Reading::default(),
    };
    let found = watch.scan();
    let mut warnings = Vec::new();
    if !found.denied.is_empty() && found.opened == 0 {
        warnings.push(format!(
            "warning: cannot read {}: permission denied. To use a remote or a headset's buttons, add yourself to the input group (`sudo usermod -aG input $USER`, then log in again)",
            found
                .denied
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Choice::Device(path) = choice
        && found.opened == 0
        && found.denied.is_empty()
    {
        warnings.push(format!(
            "warning: the input device {} is not there (yet); its keys work once it appears",
            path.display()
        ));
    }
    let stopped = stop.clone();
    let _ = std::thread::Builder::new()
        .name("input devices".into())
        .spawn(move || {
            loop {
                std::thread::sleep(RESCAN);
                if stopped.load(Ordering::Relaxed) {
                    return;
                }
                watch.scan();
            }
        });
    (Inputs { stop }, warnings)
}

/// Opens a device without waiting (a FIFO named by mistake must not hang
/// the session), then reads it blocking.
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    // SAFETY: F_GETFL and F_SETFL on a descriptor this file owns.
    unsafe {
        let flags = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(file.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    Ok(file)
}

/// What one look at the devices found.
#[derive(Default)]
struct Found {
    opened: usize,
    denied: Vec<PathBuf>,
}

struct Watch {
    choice: Choice,
    folder: PathBuf,
    map: KeyMap,
    overrides: Vec<(u16, String)>,
    tx: Sender<Control>,
    reading: Reading,
}

impl Watch {
    /// The devices to read now.
    fn candidates(&self) -> Vec<PathBuf> {
        match &self.choice {
            Choice::Off => Vec::new(),
            Choice::Device(path) => vec![path.clone()],
            Choice::Auto => {
                let Ok(entries) = std::fs::read_dir(&self.folder) else {
                    return Vec::new();
                };
                let mut paths: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("event"))
                    })
                    .collect();
                paths.sort();
                paths
            }
        }
    }

    /// Opens every candidate not read yet, and reads each on a thread of
    /// its own until it goes away.
    fn scan(&self) -> Found {
        let mut found = Found::default();
        for path in self.candidates() {
            if self.reading.lock().is_ok_and(|r| r.contains(&path)) {
                found.opened += 1;
                continue;
            }
            let file = match open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                    found.denied.push(path);
                    continue;
                }
                Err(_) => continue,
            };
            let bits = KeyBits::of(&file);
            let map = match (&self.choice, &bits) {
                // Named: whatever it is, with its keys' map if it says.
                (Choice::Device(_), _) => self.map.for_device(bits.as_ref(), &self.overrides),
                (_, Some(b)) if !b.is_keyboard() && self.map.reaches(b) => {
                    self.map.for_device(Some(b), &self.overrides)
                }
                _ => continue,
            };
            found.opened += 1;
            if let Ok(mut r) = self.reading.lock() {
                r.insert(path.clone());
            }
            let tx = self.tx.clone();
            let reading = self.reading.clone();
            let _ = std::thread::Builder::new()
                .name("input device".into())
                .spawn(move || {
                    read_device(file, &map, &tx);
                    if let Ok(mut r) = reading.lock() {
                        r.remove(&path);
                    }
                });
        }
        found
    }
}

/// Sends the commands of a device's key presses until it goes away (or
/// the session does).
fn read_device(mut file: File, map: &KeyMap, tx: &Sender<Control>) {
    let mut buf = vec![0u8; EVENT_SIZE * 64];
    let mut held = 0;
    loop {
        match file.read(&mut buf[held..]) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let filled = held + n;
                let whole = filled - filled % EVENT_SIZE;
                for control in commands(&decode(&buf[..whole]), map) {
                    if tx.send(command(control)).is_err() {
                        return;
                    }
                }
                buf.copy_within(whole..filled, 0);
                held = filled - whole;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event as the kernel writes it, with a time stamp.
    pub fn record(kind: u16, code: u16, value: i32, sec: i64) -> Vec<u8> {
        // SAFETY: input_event is plain data; every field is set below.
        let mut e: libc::input_event = unsafe { std::mem::zeroed() };
        e.time.tv_sec = sec as _;
        e.time.tv_usec = 250_000;
        e.type_ = kind;
        e.code = code;
        e.value = value;
        // SAFETY: reads the bytes of a plain struct.
        unsafe {
            std::slice::from_raw_parts((&e as *const libc::input_event).cast::<u8>(), EVENT_SIZE)
        }
        .to_vec()
    }

    /// A headset's play/pause press as bluez's AVRCP device writes it: a
    /// scan code, the key down, a sync, later the key up and a sync; then
    /// a held next key that repeats.
    fn headset_stream() -> Vec<u8> {
        let (msc, syn) = (4, 0);
        [
            record(msc, 4, 0xc00cd, 1),
            record(EV_KEY, code("KEY_PLAYCD"), 1, 1),
            record(syn, 0, 0, 1),
            record(EV_KEY, code("KEY_PLAYCD"), 0, 1),
            record(syn, 0, 0, 1),
            record(EV_KEY, code("KEY_NEXTSONG"), 1, 2),
            record(EV_KEY, code("KEY_NEXTSONG"), 2, 2),
            record(EV_KEY, code("KEY_NEXTSONG"), 2, 2),
            record(EV_KEY, code("KEY_NEXTSONG"), 0, 3),
            record(EV_KEY, code("KEY_VOLUMEUP"), 1, 4),
        ]
        .concat()
    }

    #[test]
    fn presses_become_commands_and_repeats_and_releases_do_not() {
        let events = decode(&headset_stream());
        assert_eq!(events.len(), 10);
        assert_eq!(
            events[1],
            Event {
                kind: EV_KEY,
                code: 200,
                value: 1
            }
        );
        // A headset has media keys: its volume key is not taken.
        let bits = KeyBits::from_codes(&[200, 201, 163, 165, 114, 115]);
        let map = KeyMap::default().for_device(Some(&bits), &[]);
        assert_eq!(
            commands(&events, &map),
            [Control::TogglePause, Control::Next]
        );
        // A camera shutter (volume up and Enter only): volume up pauses.
        let shutter = KeyBits::from_codes(&[115, 28]);
        let map = KeyMap::default().for_device(Some(&shutter), &[]);
        assert!(map.reaches(&shutter));
        let press = decode(&record(EV_KEY, 115, 1, 0));
        assert_eq!(commands(&press, &map), [Control::TogglePause]);
        // A partial record is left for the next read.
        let stream = headset_stream();
        assert_eq!(decode(&stream[..EVENT_SIZE * 2 + 5]).len(), 2);
    }

    #[test]
    fn the_key_map_takes_the_users_keys_over_the_defaults() {
        let overrides = vec![
            (115, "next".to_string()),
            (code("KEY_PLAYCD"), "resume".into()),
        ];
        let map = KeyMap::with(&overrides);
        let headset = KeyBits::from_codes(&[200, 115]);
        let map = map.for_device(Some(&headset), &overrides);
        // Mapped by the user: kept on a device with media keys.
        assert_eq!(map.control(115), Some(Control::Next));
        assert_eq!(map.control(200), Some(Control::Resume));
        assert_eq!(map.control(code("KEY_ENTER")), None);
        assert_eq!(key_name(164), Some("KEY_PLAYPAUSE"));
    }

    #[test]
    fn a_full_keyboard_is_not_taken_for_a_remote() {
        let mut codes: Vec<u16> = (16..=50).collect();
        codes.push(164);
        assert!(KeyBits::from_codes(&codes).is_keyboard());
        assert!(!KeyBits::from_codes(&[164, 163, 115]).is_keyboard());
    }

    #[test]
    fn a_device_that_comes_back_is_read_again() {
        // A FIFO stands in for the device node: no /dev/uinput here.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("remote");
        let fifo = |p: &Path| {
            let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: a path and a mode.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let (_inputs, warnings) = start(
            &Choice::Device(path.clone()),
            dir.path(),
            KeyMap::default(),
            Vec::new(),
            tx,
        );
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("is not there (yet)"), "{warnings:?}");
        let press = |key: &'static str| {
            fifo(&path);
            // The remote connects (its writer waits for the reader) and
            // sends one press.
            let writer = {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut w = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                    std::io::Write::write_all(&mut w, &record(EV_KEY, code(key), 1, 0)).unwrap();
                    w
                })
            };
            let got = match rx.recv_timeout(RESCAN * 4).expect("a command arrives") {
                Control::Remote(c, None) => *c,
                other => panic!("{other:?}"),
            };
            // The remote goes away.
            drop(writer.join().unwrap());
            std::fs::remove_file(&path).unwrap();
            got
        };
        assert_eq!(press("KEY_PLAYPAUSE"), Control::TogglePause);
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(press("KEY_NEXTSONG"), Control::Next);
    }
}
