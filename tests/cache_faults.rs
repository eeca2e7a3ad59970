//! The speech cache failing under coach: damaged clips, a cache coach may
//! not write, and a full disk. Each time the session renders exactly as
//! with a healthy cache, and coach says what happened once.

mod common;

use std::process::{Command, Output};

use common::*;

const ROUTINE: &str = "title = \"Cache\"
[[exercise]]
name = \"Neck rolls\"
say = [\"Roll slowly.\", \"Breathe.\"]
hold = \"20s\"
[[exercise]]
name = \"Shrugs\"
reps = 3
";

fn clips(env: &Env) -> Vec<std::path::PathBuf> {
    let dir = env.path("cache/coach/clips");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn render(env: &Env, out: &str) -> (Output, Vec<u8>) {
    let o = env.run(&["render", "r.toml", "--force", "-o", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let wav = std::fs::read(env.path(out)).unwrap();
    (o, wav)
}

#[test]
fn damaged_clips_are_spoken_again_and_replaced() {
    let env = Env::with_own_cache();
    env.write("r.toml", ROUTINE);
    let (_, healthy) = render(&env, "a.wav");
    let files = clips(&env);
    assert!(files.len() >= 5, "{files:?}");
    // Truncate one, flip bytes in another, empty a third, and make one a
    // folder where a file should be.
    let data = std::fs::read(&files[0]).unwrap();
    std::fs::write(&files[0], &data[..data.len() / 2]).unwrap();
    let mut data = std::fs::read(&files[1]).unwrap();
    data[4] ^= 0xFF;
    std::fs::write(&files[1], data).unwrap();
    std::fs::write(&files[2], b"").unwrap();
    std::fs::remove_file(&files[3]).unwrap();
    std::fs::create_dir(&files[3]).unwrap();

    let (out, again) = render(&env, "b.wav");
    assert_eq!(again, healthy, "the same session, sample for sample");
    let err = stderr(&out);
    assert_eq!(err.matches("damaged clip").count(), 1, "said once: {err}");
    // The damaged files were made whole again; the folder in a clip's place
    // cannot be, so it is said again, and the session is still whole.
    let (out, third) = render(&env, "c.wav");
    assert_eq!(third, healthy);
    let err = stderr(&out);
    for f in &files[..3] {
        assert!(!err.contains(f.to_str().unwrap()), "{err}");
    }
    assert!(err.contains(files[3].to_str().unwrap()), "{err}");
}

#[test]
fn a_cache_coach_may_not_write_is_skipped_with_one_warning() {
    let env = Env::with_own_cache();
    env.write("r.toml", ROUTINE);
    let (_, healthy) = render(&env, "a.wav");
    // A fresh, empty cache folder that only root may write, used by a
    // process that is not root (the user "nobody").
    let ro = env.path("ro-cache");
    std::fs::create_dir_all(&ro).unwrap();
    for p in [env.path(""), ro.clone()] {
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let out_dir = env.path("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::set_permissions(
        &out_dir,
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    if !is_root() {
        std::fs::set_permissions(&ro, std::os::unix::fs::PermissionsExt::from_mode(0o555)).unwrap();
    }
    let mut c = coach_as_nobody();
    let out = c
        .args(["render", "r.toml", "--force", "-o"])
        .arg(out_dir.join("b.wav"))
        .current_dir(env.path(""))
        .env("HOME", &out_dir)
        .env("XDG_CACHE_HOME", &ro)
        .env("XDG_CONFIG_HOME", out_dir.join("config"))
        .env("XDG_DATA_HOME", out_dir.join("data"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("warning: cannot write the speech cache")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("going on without it"), "{err}");
    assert_eq!(std::fs::read(out_dir.join("b.wav")).unwrap(), healthy);
}

#[test]
fn a_full_disk_under_the_cache_is_skipped_with_one_warning() {
    let env = Env::with_own_cache();
    env.write("r.toml", ROUTINE);
    let (_, healthy) = render(&env, "a.wav");
    // A 16 KiB file system over the cache folder, in a mount namespace of
    // this command only: the first clip or two fit, then the disk is full.
    let cache = env.path("full-cache");
    std::fs::create_dir_all(cache.join("coach/clips")).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=16k tmpfs {cache} && mkdir -p {cache}/coach && exec \"$@\"",
        cache = cache.display()
    );
    let out = Command::new("unshare")
        .args(["--mount", "--", "sh", "-c", &script, "sh"])
        .arg(env!("CARGO_BIN_EXE_coach"))
        .args(["render", "r.toml", "--force", "-o", "b.wav"])
        .current_dir(env.path(""))
        .env("HOME", env.path(""))
        .env("XDG_CACHE_HOME", &cache)
        .env("XDG_CONFIG_HOME", env.path("config"))
        .env("XDG_DATA_HOME", env.path("data"))
        .output()
        .expect("unshare (util-linux) runs");
    assert!(
        out.status.success(),
        "a tmpfs could not be mounted here, or coach failed: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert_eq!(
        err.matches("warning: cannot write the speech cache")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(std::fs::read(env.path("b.wav")).unwrap(), healthy);
}
