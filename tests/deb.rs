//! The Debian package, built by `scripts/deb.sh` from the binary under
//! test: what it holds, lintian's verdict, an install into a scratch root
//! with dpkg, its unit verified by systemd, and the installed coach
//! playing a routine through a real PulseAudio server.

mod common;

use std::path::Path;
use std::process::Command;

use common::pulse::{Pulse, REC_RATE};
use common::*;

/// What the package installs, as the README lists it.
const FILES: &[&str] = &[
    "/usr/bin/coach",
    "/usr/share/man/man1/coach.1.gz",
    "/usr/share/man/man1/coach-play.1.gz",
    "/usr/share/bash-completion/completions/coach",
    "/usr/share/zsh/vendor-completions/_coach",
    "/usr/share/fish/vendor_completions.d/coach.fish",
    "/usr/lib/systemd/user/coach@.service",
    "/usr/lib/systemd/user/coach-serve.service",
    "/usr/share/doc/coach/examples/hamstring-lower-back.toml",
    "/usr/share/doc/coach/README.md.gz",
    "/usr/share/doc/coach/copyright",
    "/usr/share/doc/coach/changelog.gz",
];

fn run(command: &mut Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn the_package_installs_what_the_readme_says_passes_lintian_and_plays() {
    let env = Env::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deb = run(Command::new(root.join("scripts/deb.sh"))
        .arg(env!("CARGO_BIN_EXE_coach"))
        .arg(env.path("out")));
    let deb = deb.trim();
    assert!(deb.ends_with(".deb") && Path::new(deb).is_file(), "{deb}");

    // Every file the README names, and the README names each.
    let listed = run(Command::new("dpkg-deb").args(["-c", deb]));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for file in FILES {
        assert!(
            listed.contains(&format!(".{file}\n")),
            "{file} not in:\n{listed}"
        );
        assert!(readme.contains(file), "the README does not name {file}");
    }
    let info = run(Command::new("dpkg-deb").args(["-f", deb, "Depends"]));
    assert!(
        info.contains("espeak-ng") && info.contains("libc6"),
        "{info}"
    );

    // Debian's own checker finds no error.
    let out = Command::new("lintian")
        .args(["--fail-on", "error", "--no-tag-display-limit", deb])
        .output()
        .expect("lintian (make test installs it)");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(!stdout(&out).contains("E: "), "{}", stdout(&out));

    // dpkg installs it into a scratch root (its dependencies are this
    // machine's, not the root's) and lists it as the README says.
    let scratch = env.path("root");
    for dir in ["var/lib/dpkg/info", "var/lib/dpkg/updates"] {
        std::fs::create_dir_all(scratch.join(dir)).unwrap();
    }
    std::fs::write(scratch.join("var/lib/dpkg/status"), "").unwrap();
    let dpkg = |args: &[&str]| {
        run(Command::new("dpkg")
            .arg(format!("--root={}", scratch.display()))
            .args(["--log=/dev/null", "--force-depends"])
            .args(args))
    };
    dpkg(&["-i", deb]);
    let files = dpkg(&["-L", "coach"]);
    for file in FILES {
        assert!(files.lines().any(|l| l == *file), "{file} not in:\n{files}");
    }

    // Its units are ones systemd takes (the command pointed at the
    // scratch root, where the binary is).
    let installed = scratch.join("usr/bin/coach");
    let units = env.path("units");
    std::fs::create_dir_all(&units).unwrap();
    let runtime = env.path("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let mut verify = Command::new("systemd-analyze");
    verify
        .args(["verify", "--man=no", "--user"])
        .env("XDG_RUNTIME_DIR", &runtime);
    for (file, as_named) in [
        ("coach@.service", "coach@hamstring-lower-back.service"),
        ("coach-serve.service", "coach-serve.service"),
    ] {
        let unit = std::fs::read_to_string(scratch.join("usr/lib/systemd/user").join(file))
            .unwrap()
            .replace("/usr/bin/coach", installed.to_str().unwrap());
        std::fs::write(units.join(as_named), unit).unwrap();
        verify.arg(units.join(as_named));
    }
    run(&mut verify);

    // The installed coach plays a routine.
    let pulse = Pulse::start();
    let recording = pulse.record();
    let mut play = Command::new(&installed);
    play.args(["play", &fixture("play-short.toml"), "--quiet"])
        .env("HOME", env.path(""))
        .env("XDG_CACHE_HOME", env.path("cache"))
        .env("XDG_DATA_HOME", env.path("data"))
        .env("XDG_CONFIG_HOME", env.path("config"));
    pulse.attach(&mut play);
    run(&mut play);
    let audio = recording.finish();
    let tones = find_tones_at(&audio, REC_RATE, 2);
    assert!(tones.len() >= 2, "the installed coach was heard: {tones:?}");
}
