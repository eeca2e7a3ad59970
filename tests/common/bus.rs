//! A private D-Bus session bus for a test, and `dbus-send` on it.

use std::process::Command;
use std::time::Duration;

use super::{stderr, stdout};

/// A private D-Bus session bus, stopped when dropped.
pub struct Bus {
    pub address: String,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Bus {
    pub fn start() -> Bus {
        use std::io::BufRead;
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!(
                "--address=unix:path={}",
                dir.path().join("bus").display()
            ))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dbus-daemon is installed (dbus-daemon)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("unix:"), "dbus-daemon said {line:?}");
        Bus {
            child,
            address: line.trim().to_string(),
            _dir: dir,
        }
    }

    /// `dbus-send --print-reply` on this bus: what it printed.
    pub fn send(&self, args: &[&str]) -> String {
        let out = Command::new("dbus-send")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args(["--session", "--print-reply"])
            .args(args)
            .output()
            .expect("dbus-send is installed (dbus-bin)");
        assert!(out.status.success(), "dbus-send {args:?}: {}", stderr(&out));
        stdout(&out)
    }

    /// A property of the player of process `pid`.
    pub fn get(&self, pid: u32, interface: &str, property: &str) -> String {
        self.send(&[
            &format!("--dest=org.mpris.MediaPlayer2.coach.instance{pid}"),
            "/org/mpris/MediaPlayer2",
            "org.freedesktop.DBus.Properties.Get",
            &format!("string:{interface}"),
            &format!("string:{property}"),
        ])
    }

    /// Calls a method of the player of process `pid`.
    pub fn call(&self, pid: u32, method: &str) {
        self.send(&[
            &format!("--dest=org.mpris.MediaPlayer2.coach.instance{pid}"),
            "/org/mpris/MediaPlayer2",
            &format!("org.mpris.MediaPlayer2.Player.{method}"),
        ]);
    }

    /// Waits until `property` of the player reads as containing `text`.
    pub fn wait_for(&self, pid: u32, property: &str, text: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let names = self.send(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames",
            ]);
            if names.contains(&format!("org.mpris.MediaPlayer2.coach.instance{pid}")) {
                let got = self.get(pid, "org.mpris.MediaPlayer2.Player", property);
                if got.contains(text) {
                    return got;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{property} never had {text:?}: {got}"
                );
            }
            assert!(
                std::time::Instant::now() < deadline,
                "coach never appeared on the bus: {names}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
