//! Whole `play` sessions without a sound server: the live session of
//! `player` started on the counting output, with real espeak-ng speech,
//! controlled by a real signal and by keys read from a real socket, and
//! logged to a real session log. The counting output keeps every sample
//! it takes, so each test checks, sample for sample, where the timeline
//! went against the same plan rendered straight through.

use std::io::Write as _;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use coach::audio::counting::{Counted, Counting};
use coach::audio::renderer::scaled;
use coach::audio::{Output, Renderer};
use coach::config::Config;
use coach::pipeline::{self, Scripted};
use coach::plan::{PAUSE, Plan, SPEECH_GAP};
use coach::player::controls::{self, Control};
use coach::player::display::Display;
use coach::player::live::Shared;
use coach::player::{Ending, Start, Started, Status};
use coach::sessions::Journal;
use coach::sessions::history;
use coach::sessions::tracker::{self, Tracker};
use coach::settings::{self, Overrides, Settings};
use coach::timeline::PeriodKind;
use coach::voice::{Cache, Clips};

const SEC: u64 = coach::SAMPLE_RATE as u64;

/// Two exercises: a hold long enough to act in, then reps.
const ROUTINE: &str = r#"title = "Counted session"

[[exercise]]
name = "Long hold"
hold = "8s"
get_ready = "1s"
countdown = 2
rest = "1s"
halfway = false

[[exercise]]
name = "Reps"
reps = 2
rep_time = "1.5s"
count = "tone"
get_ready = "1s"
"#;

/// The speech cache the other tests share, so espeak-ng runs once a text.
fn cache() -> Cache {
    Cache::at(
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("shared-cache")
            .join("coach")
            .join("clips"),
    )
}

struct Run {
    plan: Plan,
    ending: Ending,
    /// What the counting output took, up to the end of the timeline.
    out: Vec<i16>,
    /// The summary said after it.
    summary: Option<String>,
    /// The whole plan rendered straight through, from sample 0.
    full: Vec<i16>,
    start: u64,
    /// Where each part a cold start is prepared in ends, in the timeline.
    part_ends: Vec<u64>,
    clips: Clips,
    settings: Settings,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// Every text a session of `ROUTINE` says, the pause overlays included.
fn texts(script: &coach::script::Script) -> Vec<&str> {
    let mut texts = script.texts();
    texts.extend(["Paused.", "Resuming.", "3", "2", "1"]);
    texts
}

/// Plays `ROUTINE` on a counting output at `speed` times real time, with
/// `controls`, while `steer` acts on the running session from a thread of
/// its own. With `cache`, every clip is made before the session starts (a
/// warm start); else the session starts cold, with a cache of its own.
fn play(
    speed: f64,
    cache: Option<Cache>,
    controls: Receiver<Control>,
    steer: impl FnOnce(Arc<Shared>, &Plan) + Send + 'static,
) -> Run {
    let Scripted { routine, script } = pipeline::script_of_text(ROUTINE);
    let settings = settings::resolve(&Overrides::default(), &Config::default(), &routine.language);
    let speaker = settings.speaker(&routine.language);
    let dir = tempfile::tempdir().unwrap();
    let cache = match cache {
        Some(cache) => {
            speaker.clips(&texts(&script), &cache).unwrap();
            cache
        }
        None => Cache::at(dir.path().join("clips")),
    };
    let counting = Counting::new(speed, true);
    let counted: Arc<Counted> = counting.counted();
    let mut output = Some(counting);
    let start = Start {
        routine: &routine,
        script: &script,
        settings: &settings,
        speaker: &speaker,
        cache: &cache,
        from: None,
    };
    let Started { plan, mut live } = start
        .play(&mut || Ok(Box::new(output.take().expect("opened once")) as Box<dyn Output>))
        .expect("the session starts");

    let log = dir.path().join("sessions.jsonl");
    let mut tracker = Tracker::new(
        Journal::open(&log).unwrap(),
        &plan,
        live.start(),
        &tracker::Start {
            title: &routine.title,
            routine: "counted",
            built_in: false,
            hash: "0",
            resumes: None,
        },
    );
    let shared = live.shared().clone();
    let steering = {
        let plan = plan.clone();
        std::thread::spawn(move || steer(shared, &plan))
    };
    // What the session said on its own: the progress, the summary.
    let said = std::sync::Mutex::new(Vec::new());
    let speak = |text: &str| {
        let clips = speaker.clips(&[text], &cache).ok()?;
        let clip = scaled(clips.get(text)?, settings.volume);
        said.lock().unwrap().push((text.to_string(), clip.clone()));
        Some(clip)
    };
    let status = Status {
        phrases: &routine.phrases,
        speak: &speak,
        streak: Some(2),
        follow: &|_| {},
    };
    let ending = live.run(
        &plan,
        &controls,
        &mut Display::new(true, plan.total_samples),
        &mut tracker,
        &status,
    );
    tracker.end(ending.reason(), live.position());
    let start_sample = live.start();
    live.close(&ending);
    steering.join().expect("the steering thread");

    let clips = speaker.clips(&texts(&script), &cache).unwrap();
    let part_ends = pipeline::parts(&script, None)
        .into_iter()
        .map(|cut| pipeline::lay_out_part(&script, cut, &clips, settings.tones).1)
        .collect();
    let mut renderer = Renderer::new(&plan, &clips, &settings.mix()).unwrap();
    let mut full = vec![0i16; plan.total_samples as usize];
    assert_eq!(renderer.fill(&mut full), full.len());
    // A finished session ends with its summary, after as much silence as
    // it took to be ready: the timeline is what comes before.
    let mut out = counted.samples();
    let mut summary = None;
    if ending == Ending::Finished {
        let (text, clip) = said.into_inner().unwrap().pop().expect("a summary");
        assert!(text.contains(" played. "), "{text}");
        assert!(out.ends_with(&clip), "the session ends with its summary");
        out.truncate(out.len() - clip.len());
        let zeros = |s: &[i16]| s.iter().rev().take_while(|x| **x == 0).count();
        let waited = zeros(&out) - zeros(&full);
        out.truncate(out.len() - waited);
        summary = Some(text);
    }
    Run {
        plan,
        ending,
        out,
        summary,
        full,
        start: start_sample,
        part_ends,
        clips,
        settings,
        log,
        _dir: dir,
    }
}

/// Waits until `ok` holds of the timeline position, for at most 20 s.
fn wait_for(shared: &Shared, ok: impl Fn(u64) -> bool) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pos = shared.position();
        if ok(pos) {
            return pos;
        }
        assert!(
            Instant::now() < deadline,
            "the timeline never got there (at {pos})"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// The first work period: the long hold.
fn hold(plan: &Plan) -> (u64, u64) {
    let p = plan
        .periods
        .iter()
        .find(|p| p.kind == PeriodKind::Work)
        .expect("a hold");
    (p.start, p.start + p.len)
}

fn only_session(log: &Path) -> history::Session {
    let log = history::read(log).unwrap();
    assert_eq!(log.sessions.len(), 1);
    log.sessions[0].clone()
}

#[test]
fn a_whole_session_plays_its_timeline_to_the_end_sample_for_sample() {
    let (_tx, rx) = channel();
    let run = play(0.0, Some(cache()), rx, |_, _| {});
    assert_eq!(run.ending, Ending::Finished);
    let first = run.plan.events[0].start;
    assert_eq!(
        run.start, first,
        "a device session starts at its first sound"
    );
    assert_eq!(run.out.len() as u64, run.plan.total_samples - first);
    assert!(
        run.out == run.full[first as usize..],
        "what was played is the rendered session"
    );
    // Then its summary.
    let seconds = (run.plan.total_samples - first).div_ceil(SEC);
    assert_eq!(
        run.summary.as_deref(),
        Some(
            format!("{seconds} seconds played. 2 exercises done. That is 2 days in a row.")
                .as_str()
        )
    );
    let s = only_session(&run.log);
    assert!(s.finished());
    assert_eq!(s.skipped, 0);
}

#[test]
fn a_signal_skips_to_the_next_exercise_exactly_at_its_start() {
    let (tx, rx) = channel();
    controls::watch_signals(tx).unwrap();
    let run = play(10.0, Some(cache()), rx, |shared, plan| {
        let (from, to) = hold(plan);
        wait_for(&shared, |pos| pos > from + SEC && pos < to);
        // SIGUSR2, as `pkill -USR2 -x coach` sends it.
        // SAFETY: raising a signal this process has a handler for.
        unsafe { libc::raise(libc::SIGUSR2) };
    });
    assert_eq!(run.ending, Ending::Finished);
    let next = run.plan.exercise_starts()[1].sample;
    // The output played the timeline up to some sample in the hold, then
    // everything from the next exercise's first sample to the end.
    let after = (run.plan.total_samples - next) as usize;
    let before = run.out.len() - after;
    let jumped_from = run.start + before as u64;
    let (hold_start, hold_end) = hold(&run.plan);
    assert!(
        jumped_from > hold_start + SEC && jumped_from < hold_end,
        "skipped at {jumped_from}, in the hold {hold_start}..{hold_end}"
    );
    assert!(run.out[..before] == run.full[run.start as usize..jumped_from as usize]);
    assert!(
        run.out[before..] == run.full[next as usize..],
        "the next exercise from its first sample"
    );
    let s = only_session(&run.log);
    assert!(s.finished());
    assert_eq!(s.skipped, 1, "the hold was skipped");
    let summary = run.summary.unwrap();
    assert!(
        summary.ends_with(" played. 1 exercise done, 1 skipped. That is 2 days in a row."),
        "{summary}"
    );
}

#[test]
fn keys_pause_and_resume_a_hold_which_continues_exactly_where_it_stopped() {
    let (tx, rx) = channel();
    let (mut keys, input) = UnixStream::pair().unwrap();
    controls::watch_keys(input, tx);
    let run = play(10.0, Some(cache()), rx, move |shared, plan| {
        let (from, to) = hold(plan);
        wait_for(&shared, |pos| pos > from + 2 * SEC && pos < to - 3 * SEC);
        keys.write_all(b" ").unwrap();
        let stood = wait_for(&shared, |_| shared.paused());
        // Let the timeline stand still a moment, then go on.
        std::thread::sleep(Duration::from_millis(300));
        assert!(shared.position() <= stood + 512, "the timeline stood still");
        keys.write_all(b" ").unwrap();
    });
    assert_eq!(run.ending, Ending::Finished);
    let speech = |text: &str| scaled(run.clips.get(text).unwrap(), run.settings.volume);
    // The timeline up to the pause, sample for sample.
    let paused_at = run
        .out
        .iter()
        .zip(&run.full[run.start as usize..])
        .position(|(a, b)| a != b)
        .expect("the pause changed what was heard") as u64
        + run.start;
    let (hold_start, hold_end) = hold(&run.plan);
    assert!(paused_at > hold_start && paused_at < hold_end);
    let at = (paused_at - run.start) as usize;
    let said = speech("Paused.");
    assert!(
        run.out[at..at + said.len()] == said[..],
        "\"Paused.\" at once"
    );
    // After the resume: the rest of the session from exactly where it
    // paused (a hold is never replayed, so it neither loses nor gains).
    let tail = (run.plan.total_samples - paused_at) as usize;
    let resumed_at = run.out.len() - tail;
    assert!(run.out[resumed_at..] == run.full[paused_at as usize..]);
    // Before it: "Resuming." and a count-in of 3, 2, 1 on whole seconds,
    // the last a second before the hold goes on.
    let count_from = resumed_at - 3 * SEC as usize;
    let resuming = speech("Resuming.");
    let resuming_at = count_from - SPEECH_GAP as usize - resuming.len();
    assert!(run.out[resuming_at..resuming_at + resuming.len()] == resuming[..]);
    for (k, n) in ["3", "2", "1"].iter().enumerate() {
        let clip = speech(n);
        let at = count_from + k * SEC as usize;
        assert!(
            run.out[at..at + clip.len()] == clip[..],
            "\"{n}\" on its second"
        );
    }
    let s = only_session(&run.log);
    assert!(s.finished());
    assert_eq!((s.pauses, s.skipped), (1, 0));
}

#[test]
fn a_cold_start_speaks_its_first_words_then_hands_over_to_the_whole_session() {
    let (_tx, rx) = channel();
    // As fast as the output can take samples: the rest of the speech is
    // made while the first words play, so it may arrive after they end.
    let run = play(0.0, None, rx, |_, _| {});
    assert_eq!(run.ending, Ending::Finished);
    let first = run.plan.events[0].start as usize;
    let coach::timeline::Sound::Speech(text) = &run.plan.events[0].sound else {
        panic!("a session starts with words")
    };
    let title = scaled(run.clips.get(text).unwrap(), run.settings.volume);
    assert!(
        run.out[..title.len()] == run.full[first..first + title.len()],
        "the first words at once"
    );
    // The whole session from its second sound, exactly, with silence
    // added only where it waited for what was still being made: after the
    // first words, and at the end of each part it was prepared in (this
    // output takes samples as fast as they come, so it waits there).
    let next = run.plan.events[1].start as usize;
    assert!(!run.part_ends.is_empty(), "a cold start plays in parts");
    let mut bounds = vec![next];
    bounds.extend(
        run.part_ends
            .iter()
            .map(|e| *e as usize)
            .filter(|e| *e > next),
    );
    bounds.push(run.full.len());
    let zeros = |s: &[i16]| s.iter().rev().take_while(|x| **x == 0).count();
    let mut rest = &run.out[title.len()..];
    for (k, w) in bounds.windows(2).enumerate().rev() {
        let part = &run.full[w[0]..w[1]];
        if k + 2 < bounds.len() {
            // What the timeline waited after this part.
            let waited = zeros(rest)
                .checked_sub(zeros(part))
                .expect("only silence is added");
            rest = &rest[..rest.len() - waited];
        }
        assert!(
            rest.len() >= part.len() && rest[rest.len() - part.len()..] == part[..],
            "the session from sample {} to {} plays as the whole has it",
            w[0],
            w[1]
        );
        rest = &rest[..rest.len() - part.len()];
    }
    assert!(rest.iter().all(|s| *s == 0), "only silence after the title");
    assert!(
        title.len() + rest.len() >= next - first,
        "the second sound never comes early"
    );
    assert!(only_session(&run.log).finished());
}

#[test]
fn progress_asked_for_is_said_at_the_next_free_moment_and_moves_nothing() {
    let (tx, rx) = channel();
    let (mut keys, input) = UnixStream::pair().unwrap();
    controls::watch_keys(input, tx);
    let run = play(4.0, Some(cache()), rx, move |shared, plan| {
        let (from, to) = hold(plan);
        wait_for(&shared, |pos| pos > from + SEC && pos < to - 5 * SEC);
        keys.write_all(b"s").unwrap();
    });
    assert_eq!(run.ending, Ending::Finished);
    // The timeline went on untouched: as long as ever, every sound of the
    // plan at its sample, the hold's end tone among them…
    assert_eq!(run.out.len() as u64, run.plan.total_samples - run.start);
    let full = &run.full[run.start as usize..];
    let differs: Vec<usize> = (0..full.len()).filter(|&i| run.out[i] != full[i]).collect();
    let (first, last) = (differs[0], *differs.last().unwrap());
    // …with the progress said once, over silence, in one stretch.
    let said = "Long hold. Less than a minute left.";
    let language = pipeline::script_of_text(ROUTINE).routine.language;
    let clips = run
        .settings
        .speaker(&language)
        .clips(&[said], &cache())
        .unwrap();
    let clip = scaled(clips.get(said).unwrap(), run.settings.volume);
    let at = first - clip.iter().position(|s| *s != 0).unwrap();
    assert!(last < at + clip.len());
    assert!(
        run.out[at..at + clip.len()] == clip[..],
        "the words of the progress"
    );
    assert!(
        full[at..at + clip.len()].iter().all(|s| *s == 0),
        "over silence"
    );
    // In the hold, after the key, and clear of every other sound by the
    // pause between utterances.
    let start = run.start + at as u64;
    let (hold_start, hold_end) = hold(&run.plan);
    assert!(start > hold_start + SEC && start + (clip.len() as u64) < hold_end);
    for e in &run.plan.events {
        assert!(
            e.end() + PAUSE <= start || start + clip.len() as u64 + PAUSE <= e.start,
            "{e:?} too near the progress at {start}"
        );
    }
}
