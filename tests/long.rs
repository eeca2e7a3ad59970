//! Long sessions: 1-, 4.5- and 9-hour routines rendered as WAV streams
//! (`render -o -`) and read here block by block, every tone of the plan
//! found at its exact sample to the very end, and coach's peak memory
//! staying flat as the session grows.

mod common;

use std::io::Read;
use std::process::Stdio;

use common::*;

/// Peak resident memory of a finished child, in KiB, from wait4.
fn wait_rss(pid: u32) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: waits for our own child and fills in plain structs.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid as i32, &mut status, 0, &mut usage) };
    assert_eq!(r, pid as i32);
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

struct Tone {
    start: usize,
    len: usize,
    hz: f64,
    /// Silence is expected just before it.
    silent_before: bool,
}

/// Renders `rounds` rounds to stdout and checks every tone of the plan in
/// the stream, keeping only a small window of audio. Returns the session
/// length in samples and coach's peak memory in KiB.
fn render_and_check(env: &Env, rounds: u32) -> (usize, i64) {
    let name = format!("long{rounds}.toml");
    env.write(&name, &long_routine(rounds));
    let plan = env.plan(&name);
    let events = events(&plan);
    let mut tones: Vec<Tone> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if e["kind"] != "tone" {
            continue;
        }
        let start = u(&e["start_sample"]);
        let before = i.checked_sub(1).map_or(0, |j| u(&events[j]["end_sample"]));
        tones.push(Tone {
            start,
            len: u(&e["end_sample"]) - start,
            hz: e["hz"].as_f64().unwrap(),
            silent_before: before < start,
        });
    }
    let total = u(&plan["total_samples"]);

    let mut child = env
        .command()
        .args(["render", &name, "-o", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut header = [0u8; 44];
    out.read_exact(&mut header).unwrap();
    assert_eq!(&header[..4], b"RIFF");
    assert_eq!(
        u32::from_le_bytes(header[40..44].try_into().unwrap()) as usize,
        total * 2
    );

    // A window of audio: `base` is the sample index of window[0].
    let mut window: Vec<i16> = Vec::new();
    let mut base = 0usize;
    let mut next = 0usize;
    let mut seen = 0usize;
    let mut chunk = vec![0u8; 1 << 20];
    let mut odd: Option<u8> = None;
    loop {
        let n = out.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        let mut bytes: Vec<u8> = odd.take().into_iter().collect();
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() % 2 == 1 {
            odd = bytes.pop();
        }
        window.extend(bytes.chunks(2).map(|b| i16::from_le_bytes([b[0], b[1]])));
        seen = base + window.len();
        while let Some(t) = tones.get(next) {
            if t.start + t.len > seen {
                break;
            }
            let at = t.start - base;
            let sound = &window[at..at + t.len];
            assert!(
                purity(sound, t.hz) > 0.9,
                "a {} Hz tone at sample {} ({:.1} h in)",
                t.hz,
                t.start,
                t.start as f64 / RATE / 3600.0
            );
            assert_ne!(sound[0], 0, "the tone at {} starts on its sample", t.start);
            if t.silent_before {
                assert_eq!(window[at - 1], 0, "silence just before {}", t.start);
            }
            next += 1;
        }
        // Keep only what the next tone still needs.
        let keep_from = tones
            .get(next)
            .map_or(seen, |t| t.start.saturating_sub(1))
            .min(seen);
        window.drain(..keep_from - base);
        base = keep_from;
    }
    let (code, rss) = wait_rss(pid);
    // Reaped by wait4 above.
    std::mem::forget(child);
    assert_eq!(code, 0);
    assert_eq!(seen, total, "the stream holds the whole session");
    assert_eq!(next, tones.len(), "every tone was found");
    (total, rss)
}

#[test]
fn four_and_eight_hour_sessions_render_every_tone_on_its_sample_in_flat_memory() {
    let env = Env::new();
    let (one, rss_one) = render_and_check(&env, 7);
    let (four, rss_four) = render_and_check(&env, 27);
    let (eight, rss_eight) = render_and_check(&env, 54);
    let hours = |n: usize| n as f64 / RATE / 3600.0;
    assert!(hours(one) > 1.0 && hours(four) > 4.0 && hours(eight) > 8.0);
    eprintln!(
        "peak memory: {:.1} h {} KiB, {:.1} h {} KiB, {:.1} h {} KiB",
        hours(one),
        rss_one,
        hours(four),
        rss_four,
        hours(eight),
        rss_eight
    );
    // Flat: eight times the session, not eight times the memory. The plan
    // grows with the session (a few hundred bytes a sound); the audio
    // never does.
    assert!(
        rss_eight < rss_one + 16 * 1024,
        "8 h took {rss_eight} KiB, 1 h {rss_one} KiB"
    );
}
