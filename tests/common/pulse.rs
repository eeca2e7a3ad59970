//! A real PulseAudio server for one test, with a null sink whose monitor is
//! recorded by `parec`: what coach plays, the test hears.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The recording rate: the null sink's own.
pub const REC_RATE: f64 = 48_000.0;

/// Whether a hold of `want` seconds, paused after `before` and played on
/// for `after` once resumed, kept its length: to 2 ms, but it may be heard
/// up to one of the null sink's blocks longer (20 ms, at the recording's
/// latency). A pause flushes the server's queue and writes "Paused." in
/// one round trip; when the sink asks for the stream's audio within that
/// round trip, the server plays a block of silence before the new audio
/// (a moment under a millisecond wide, so now and then on a busy machine).
/// The pause is then heard that much later, never sooner: time is never
/// taken from a hold, and every sound after keeps its sample.
pub fn hold_kept(before: f64, after: f64, want: f64) -> bool {
    let gained = before + after - want;
    (-0.002..=0.002 + 0.020).contains(&gained)
}

pub struct Pulse {
    pub dir: tempfile::TempDir,
    server: Child,
}

impl Pulse {
    /// Starts a server of its own, on its own socket, with a null sink and
    /// a fallback sink that takes streams whose sink goes away.
    pub fn start() -> Pulse {
        Pulse::start_with(true)
    }

    /// A server whose only sink is the null sink: when it goes, there is
    /// nowhere for a stream to go (a USB speaker unplugged on a Pi).
    pub fn start_without_fallback() -> Pulse {
        Pulse::start_with(false)
    }

    fn start_with(fallback: bool) -> Pulse {
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        let socket = dir.path().join("native");
        // Clients authenticate with a cookie; the server takes any
        // (auth-anonymous), but cpal's native client needs one to send.
        let cookie: Vec<u8> = (0..256u32).map(|i| (i * 7 + 3) as u8).collect();
        std::fs::write(dir.path().join("cookie"), cookie).unwrap();
        let server = Command::new("pulseaudio")
            .args([
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit=yes",
                "--use-pid-file=no",
                "-n",
                "--log-target=stderr",
            ])
            .arg(format!(
                "--load=module-native-protocol-unix socket={} auth-anonymous=1",
                socket.display()
            ))
            .arg("--load=module-null-sink sink_name=test_sink rate=48000 channels=2")
            .args(fallback.then_some("--load=module-always-sink"))
            .env("HOME", dir.path())
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio is installed (make test installs it)");
        let pulse = Pulse { dir, server };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ok = pulse
                .command("pactl")
                .arg("info")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                break;
            }
            assert!(Instant::now() < deadline, "PulseAudio did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let set = pulse
            .command("pactl")
            .args(["set-default-sink", "test_sink"])
            .status()
            .unwrap();
        assert!(set.success());
        pulse
    }

    /// The server's process id, to read its CPU time from /proc.
    pub fn pid(&self) -> u32 {
        self.server.id()
    }

    /// `pactl ARGS` against this server: its standard output.
    pub fn pactl(&self, args: &[&str]) -> String {
        let out = self.command("pactl").args(args).output().unwrap();
        assert!(out.status.success(), "pactl {args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn server(&self) -> String {
        format!("unix:{}", self.dir.path().join("native").display())
    }

    /// Points a command at this server, for libpulse, cpal's native client
    /// and ALSA's pulse plugin alike.
    pub fn attach<'a>(&self, c: &'a mut Command) -> &'a mut Command {
        c.env("PULSE_SERVER", self.server())
            .env("PULSE_COOKIE", self.dir.path().join("cookie"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
    }

    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"));
        self.attach(&mut c);
        c
    }

    /// parec recording the null sink's monitor as raw mono 16-bit samples at
    /// 48 kHz on stdout, asking the server for `latency_ms` of latency.
    pub fn parec(&self, latency_ms: u32) -> Command {
        let mut c = self.command("parec");
        c.args([
            "-d",
            "test_sink.monitor",
            "--format=s16le",
            "--rate=48000",
            "--channels=1",
            "--raw",
        ])
        .arg(format!("--latency-msec={latency_ms}"));
        c
    }

    /// Starts recording the null sink's monitor, mono, at 48 kHz.
    pub fn record(&self) -> Recording {
        let path = self.dir.path().join(format!(
            "rec-{}.raw",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let file = std::fs::File::create(&path).unwrap();
        let child = self
            .parec(20)
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .expect("parec is installed (pulseaudio-utils)");
        // Let the recorder connect before anything plays.
        std::thread::sleep(Duration::from_millis(300));
        Recording { path, child }
    }

    /// Stops the server, as when a sound server dies or a device vanishes.
    pub fn kill(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct Recording {
    path: PathBuf,
    child: Child,
}

impl Recording {
    /// Stops recording and returns the samples.
    pub fn finish(mut self) -> Vec<i16> {
        // Whatever was played has reached the monitor within its latency.
        std::thread::sleep(Duration::from_millis(500));
        let _ = self.child.kill();
        let _ = self.child.wait();
        let bytes = std::fs::read(&self.path).unwrap();
        bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }
}
