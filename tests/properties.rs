//! Property tests: valid routines generated with every feature (holds, reps
//! with tempo, sides, sets, rounds, cues, countdowns, counts, long texts)
//! and speech of any length, laid out, and the timing contract checked on
//! each plan:
//!
//! - no speech overlaps speech or a tone, events are sorted, every sound of
//!   a period lies within it (`plan::check`);
//! - every period is there, in order, with exactly the length the routine
//!   gives it, computed here from the generated values;
//! - the session is the sum of its parts: lead-in, announcements with their
//!   gaps, periods with their end tones, tail, each starting where the one
//!   before ends;
//! - every countdown number sounds exactly N s before its period ends, or
//!   the plan reports it moved or dropped.

use coach::SAMPLE_RATE;
use coach::pipeline;
use coach::plan::{self, LEAD_IN, PAUSE, Plan, SPEECH_GAP, TAIL};
use coach::source::SourceFile;
use coach::timeline::{PeriodKind, Sound, ToneStyle};
use proptest::prelude::*;

/// A duration in milliseconds, written as the format allows.
fn dur(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("\"{}s\"", ms / 1000)
    } else if ms > 60_000 && ms % 60_000 > 1000 {
        let s = (ms % 60_000) as f64 / 1000.0;
        format!("\"{}m{s}s\"", ms / 60_000)
    } else {
        format!("\"{ms}ms\"")
    }
}

/// Samples in `ms`, rounded as the contract says: to the nearest sample.
fn samples_ms(ms: u64) -> u64 {
    (ms * SAMPLE_RATE as u64 + 500) / 1000
}

#[derive(Clone, Debug)]
enum Work {
    Hold {
        ms: u64,
        halfway: bool,
        count_every: Option<u64>,
        cues_at: Vec<u64>,
        cue_every: Option<u64>,
    },
    Reps {
        reps: u32,
        /// Phase lengths (ms) with or without words; one unsaid phase is
        /// written as `rep_time`.
        tempo: Vec<(u64, bool)>,
    },
}

#[derive(Clone, Debug)]
struct Ex {
    say: Vec<String>,
    work: Work,
    sets: u32,
    sides: usize,
    get_ready: u64,
    rest: u64,
    set_rest: Option<u64>,
    switch: Option<u64>,
    countdown: u32,
    count: &'static str,
    announce_in_rest: bool,
}

#[derive(Clone, Debug)]
struct Routine {
    rounds: u32,
    round_rest: u64,
    exercises: Vec<Ex>,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z ,.']{1,40}",
        // Long texts: speech that fills whole periods.
        "[a-z ]{200,600}",
    ]
    .prop_filter("not blank", |t| !t.trim().is_empty())
}

fn work() -> impl Strategy<Value = Work> {
    prop_oneof![
        (
            1_000u64..90_000,
            any::<bool>(),
            proptest::option::of(300u64..20_000),
            proptest::collection::vec(1u64..90_000, 0..3),
            proptest::option::of(500u64..15_000),
        )
            .prop_map(|(ms, halfway, every, at, cue_every)| Work::Hold {
                ms,
                halfway,
                count_every: every.filter(|e| *e < ms),
                cues_at: at.into_iter().filter(|a| *a < ms).collect(),
                cue_every: cue_every.filter(|e| *e < ms),
            }),
        (
            1u32..15,
            proptest::collection::vec((200u64..6_000, any::<bool>()), 1..4)
        )
            // Work shorter than the start tone is refused (tested apart).
            .prop_filter("work of at least 0.3 s", |(reps, tempo)| {
                *reps as u64 * tempo.iter().map(|p| p.0).sum::<u64>() >= 300
            })
            .prop_map(|(reps, tempo)| Work::Reps { reps, tempo }),
    ]
}

fn exercise() -> impl Strategy<Value = Ex> {
    (
        proptest::collection::vec(text(), 0..3),
        work(),
        1u32..4,
        prop_oneof![Just(0usize), Just(2), Just(3)],
        0u64..8_000,
        0u64..25_000,
        proptest::option::of(1u64..15_000),
        proptest::option::of(1u64..8_000),
        0u32..6,
        prop_oneof![Just("voice"), Just("tone"), Just("off")],
        any::<bool>(),
    )
        .prop_map(
            |(
                say,
                work,
                sets,
                sides,
                get_ready,
                rest,
                set_rest,
                switch,
                countdown,
                count,
                announce_in_rest,
            )| Ex {
                say,
                work,
                sets,
                sides,
                get_ready,
                rest,
                set_rest,
                switch,
                countdown,
                count,
                announce_in_rest,
            },
        )
}

fn routine() -> impl Strategy<Value = Routine> {
    (
        1u32..4,
        0u64..30_000,
        proptest::collection::vec(exercise(), 1..5),
    )
        .prop_map(|(rounds, round_rest, exercises)| Routine {
            rounds,
            round_rest,
            exercises,
        })
}

fn quote(t: &str) -> String {
    format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Routine {
    fn toml(&self) -> String {
        let mut s = format!(
            "title = \"Generated\"\nrounds = {}\nround_rest = {}\n",
            self.rounds,
            dur(self.round_rest)
        );
        for (i, e) in self.exercises.iter().enumerate() {
            s.push_str(&format!("\n[[exercise]]\nname = \"Exercise {i}\"\n"));
            if !e.say.is_empty() {
                let lines: Vec<String> = e.say.iter().map(|t| quote(t)).collect();
                s.push_str(&format!("say = [{}]\n", lines.join(", ")));
            }
            match &e.work {
                Work::Hold {
                    ms,
                    halfway,
                    count_every,
                    cues_at,
                    cue_every,
                } => {
                    s.push_str(&format!("hold = {}\nhalfway = {halfway}\n", dur(*ms)));
                    if let Some(every) = count_every {
                        s.push_str(&format!("count_every = {}\n", dur(*every)));
                    }
                    let mut cues: Vec<String> = cues_at
                        .iter()
                        .map(|a| format!("{{ at = {}, say = \"Cue at {a}.\" }}", dur(*a)))
                        .collect();
                    if let Some(every) = cue_every {
                        cues.push(format!("{{ every = {}, say = \"Breathe.\" }}", dur(*every)));
                    }
                    if !cues.is_empty() {
                        s.push_str(&format!("cues = [{}]\n", cues.join(", ")));
                    }
                }
                Work::Reps { reps, tempo } => {
                    s.push_str(&format!("reps = {reps}\n"));
                    if tempo.len() == 1 && !tempo[0].1 {
                        s.push_str(&format!("rep_time = {}\n", dur(tempo[0].0)));
                    } else {
                        let phases: Vec<String> = tempo
                            .iter()
                            .enumerate()
                            .map(|(k, (ms, said))| {
                                if *said {
                                    format!("{{ say = \"Phase {k}.\", time = {} }}", dur(*ms))
                                } else {
                                    format!("{{ time = {} }}", dur(*ms))
                                }
                            })
                            .collect();
                        s.push_str(&format!("tempo = [{}]\n", phases.join(", ")));
                    }
                }
            }
            s.push_str(&format!(
                "sets = {}\nget_ready = {}\nrest = {}\ncountdown = {}\ncount = \"{}\"\nannounce_in_rest = {}\n",
                e.sets,
                dur(e.get_ready),
                dur(e.rest),
                e.countdown,
                e.count,
                e.announce_in_rest
            ));
            if let Some(sr) = e.set_rest {
                s.push_str(&format!("set_rest = {}\n", dur(sr)));
            }
            if let Some(sw) = e.switch {
                s.push_str(&format!("switch = {}\n", dur(sw)));
            }
            if e.sides > 0 {
                let names: Vec<String> = (0..e.sides).map(|k| format!("\"Side {k}\"")).collect();
                s.push_str(&format!("sides = [{}]\n", names.join(", ")));
            }
        }
        s
    }

    /// Every period the contract promises, in order: kind, exercise, length.
    fn periods(&self) -> Vec<(PeriodKind, usize, u64)> {
        let mut out = Vec::new();
        for round in 1..=self.rounds {
            for (i, e) in self.exercises.iter().enumerate() {
                let work = match &e.work {
                    Work::Hold { ms, .. } => samples_ms(*ms),
                    // reps × the rep's exact length, rounded once.
                    Work::Reps { reps, tempo } => {
                        samples_ms(*reps as u64 * tempo.iter().map(|p| p.0).sum::<u64>())
                    }
                };
                for set in 1..=e.sets {
                    for side in 0..e.sides.max(1) {
                        let (kind, ms) = if set == 1 && side == 0 {
                            (PeriodKind::GetReady, e.get_ready)
                        } else if side == 0 {
                            (PeriodKind::SetRest, e.set_rest.unwrap_or(e.rest))
                        } else {
                            (PeriodKind::Switch, e.switch.unwrap_or(e.get_ready))
                        };
                        if ms > 0 {
                            out.push((kind, i, samples_ms(ms)));
                        }
                        out.push((PeriodKind::Work, i, work));
                    }
                }
                let last = i + 1 == self.exercises.len();
                if !(last && round == self.rounds) {
                    let ms = if last { self.round_rest } else { e.rest };
                    if ms > 0 {
                        out.push((PeriodKind::Rest, i, samples_ms(ms)));
                    }
                }
            }
        }
        out
    }
}

/// Speech lengths that depend on the text and a scale: short words to
/// speech longer than the periods it is in.
fn speech_len(scale: u64) -> impl Fn(&str) -> u64 {
    move |t: &str| {
        let h = t.bytes().fold(1469598103934665603u64, |h, b| {
            (h ^ b as u64).wrapping_mul(1099511628211)
        });
        (2000 + h % 6000) + t.len() as u64 * scale
    }
}

fn check_contract(r: &Routine, plan: &Plan) -> Result<(), TestCaseError> {
    plan::check::check(plan).map_err(TestCaseError::fail)?;

    // Every period, with its exact length.
    let got: Vec<(PeriodKind, usize, u64)> = plan
        .periods
        .iter()
        .map(|p| (p.kind, p.place.exercise.unwrap(), p.len))
        .collect();
    prop_assert_eq!(got, r.periods());

    // The sum of its parts, each starting where the one before ends.
    let end_tone = coach::timeline::ToneKind::End.samples();
    let tone_gap = coach::timeline::tone::TONE_GAP;
    let mut t = LEAD_IN;
    let mut after = "nothing";
    let announcements = plan.events.iter().filter(|e| e.period.is_none());
    let mut parts: Vec<(u64, Option<&plan::PlacedPeriod>, u64)> = announcements
        .map(|e| (e.start, None, e.len))
        .chain(plan.periods.iter().map(|p| (p.start, Some(p), p.len)))
        .collect();
    parts.sort_by_key(|p| p.0);
    for (start, period, len) in parts {
        match period {
            None => {
                t += match after {
                    "speech" => SPEECH_GAP,
                    "tone" => tone_gap,
                    _ => 0,
                };
                // And never sooner than the pause after the last words.
                let spoken_until = plan
                    .events
                    .iter()
                    .filter(|e| matches!(e.sound, Sound::Speech(_)) && e.end() <= start)
                    .map(|e| e.end())
                    .max()
                    .unwrap_or(0);
                t = t.max(spoken_until + PAUSE);
                prop_assert_eq!(start, t, "an announcement where the last part ended");
                t += len;
                after = "speech";
            }
            Some(p) => {
                prop_assert_eq!(start, t, "a period where the last part ended");
                t += len;
                after = "period";
                if p.kind == PeriodKind::Work {
                    t += end_tone;
                    after = "tone";
                }
            }
        }
    }
    prop_assert_eq!(plan.total_samples, t + TAIL);

    // Countdown numbers in holds: N s before the end, a seconds count N s
    // in, or reported.
    let sec = SAMPLE_RATE as u64;
    for p in &plan.periods {
        let ex = &r.exercises[p.place.exercise.unwrap()];
        if p.kind != PeriodKind::Work || !matches!(ex.work, Work::Hold { .. }) {
            continue;
        }
        let end = p.start + p.len;
        for e in plan
            .events
            .iter()
            .filter(|e| e.start >= p.start && e.start < end)
        {
            let Sound::Speech(text) = &e.sound else {
                continue;
            };
            let Ok(n) = text.parse::<u64>() else { continue };
            if n == 0 || n > ex.countdown as u64 {
                continue;
            }
            let reported = plan
                .adjustments
                .iter()
                .any(|a| a.moved_to == Some(e.start) && a.sound == e.sound);
            prop_assert!(
                e.start + n * sec == end || e.start == p.start + n * sec || reported,
                "\"{}\" at {} in a hold ending at {}",
                text,
                e.start,
                end
            );
        }
    }
    // Every countdown the contract asks for is there or reported.
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn generated_routines_keep_the_timing_contract(r in routine(), scale in 0u64..3000) {
        let text = r.toml();
        let source = SourceFile::new("generated.toml", text.as_str());
        let scripted = match pipeline::script(&source) {
            Ok(scripted) => scripted,
            Err(refused) => {
                let shown: Vec<String> =
                    refused.diagnostics().iter().map(|d| source.headline(d)).collect();
                return Err(TestCaseError::fail(format!("{shown:?} in\n{text}")));
            }
        };
        let plan = pipeline::lay_out(&scripted.script, &speech_len(scale), ToneStyle::default());
        check_contract(&r, &plan)?;
    }
}

/// The part of a plan before step `cut` against the whole: the same
/// events and periods, and nothing of the rest before the part's end.
fn check_part(whole: &Plan, part: &Plan, end: u64, cut: usize) -> Result<(), TestCaseError> {
    let before: Vec<_> = whole.events.iter().filter(|e| e.start < end).collect();
    let ours: Vec<_> = part.events.iter().collect();
    prop_assert_eq!(
        &ours,
        &before,
        "the part before step {} (ending at {}) differs from the whole",
        cut,
        end
    );
    prop_assert!(
        part.events.iter().all(|e| e.end() <= end),
        "a sound of the part before step {cut} runs past its end {end}"
    );
    let periods = whole.periods.iter().filter(|p| p.start < end);
    prop_assert_eq!(
        part.periods.iter().collect::<Vec<_>>(),
        periods.collect::<Vec<_>>()
    );
    prop_assert!(
        whole
            .periods
            .iter()
            .filter(|p| p.start < end)
            .all(|p| p.start + p.len <= end),
        "a period of the whole straddles the end of the part before step {cut}"
    );
    prop_assert!(end <= whole.total_samples - TAIL);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// A cold start plays a session in parts while the rest is prepared:
    /// a later clip can never move an earlier sound, wherever it is cut.
    #[test]
    fn a_session_laid_out_in_parts_is_the_whole_laid_out_at_once(
        r in routine(),
        scale in 0u64..3000,
    ) {
        let text = r.toml();
        let source = SourceFile::new("generated.toml", text.as_str());
        let Ok(scripted) = pipeline::script(&source) else {
            return Err(TestCaseError::fail(format!("not a routine:\n{text}")));
        };
        let script = &scripted.script;
        let speech = speech_len(scale);
        let whole = pipeline::lay_out(script, &speech, ToneStyle::default());
        for cut in 0..=script.steps.len() {
            let (part, end) =
                pipeline::lay_out_part(script, cut, &speech, ToneStyle::default());
            check_part(&whole, &part, end, cut)?;
        }
        let parts = pipeline::parts(script, None);
        prop_assert!(parts.windows(2).all(|w| w[0] < w[1]), "{:?}", parts);
        prop_assert!(parts.iter().all(|&c| c > 0 && c < script.steps.len()));
        let exercises = script.exercises.len() as u32 * script.rounds;
        // 1, 2, 4, … exercises: a part for each power of two below the
        // count of exercises played.
        let expected = (1..exercises).filter(|k| k.is_power_of_two()).count();
        prop_assert_eq!(parts.len(), expected, "parts {:?} of {} exercises", parts, exercises);
    }
}
