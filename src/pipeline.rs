//! The one way from a routine's text to a laid-out plan:
//!
//! ```text
//! SourceFile ──load──▶ Routine ──script──▶ Script ──(speech lengths)──▶ Plan
//! ```
//!
//! Every command, the fuzz target, the unit-test helpers and the
//! integration tests go through here, so each step is written once. What
//! speaks the texts is not decided here: the layout is handed the speech as
//! an input ([`Speech`]), exact clip lengths from a voice or estimates.
//!
//! [`check_bytes`] is the whole way without a voice or a device, what
//! `coach check` does to a file: the fuzz target (fuzz/) and the tests drive
//! it with arbitrary input, so every step must either succeed or say why,
//! and never panic, hang or allocate without bound.

use crate::chapters;
use crate::plan::{self, Plan, Speech};
use crate::routine::{Routine, find, load};
use crate::script::{self, Script, Step};
use crate::source::{Diagnostic, MAX_FILE_BYTES, SourceFile};
use crate::timeline::ToneStyle;

/// A routine loaded and scripted: everything but the speech.
#[derive(Clone, Debug)]
pub struct Scripted {
    pub routine: Routine,
    pub script: Script,
}

/// Why a routine's text cannot be played.
#[derive(Clone, Debug)]
pub enum Refused {
    /// The loader's errors: syntax, keys, kinds, limits. Never empty.
    Load(Vec<Diagnostic>),
    /// The routine loads but describes a session beyond the limits.
    Script(Box<Routine>, Diagnostic),
}

impl Refused {
    /// Every diagnostic, in the order the file has them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Refused::Load(diags) => diags,
            Refused::Script(_, d) => std::slice::from_ref(d),
        }
    }
}

/// Loads and scripts a routine's source.
pub fn script(source: &SourceFile) -> Result<Scripted, Refused> {
    let routine = load::parse(source).map_err(Refused::Load)?;
    let script = match script::build(&routine) {
        Ok(s) => s,
        Err(d) => return Err(Refused::Script(Box::new(routine), d)),
    };
    Ok(Scripted { routine, script })
}

/// Lays a script out with `speech` (each text's length, and whether the
/// lengths are estimates) and the tones in `tones`.
pub fn lay_out(script: &Script, speech: &dyn Speech, tones: ToneStyle) -> Plan {
    plan::layout(script, speech, tones)
}

/// Where a session can be laid out in parts, for a cold start that plays
/// the first part while the rest is prepared: the indices of the steps
/// that begin an exercise (a new round and exercise), after the first
/// exercise that `from` (round, exercise) names or, without it, the first
/// exercise. Each part takes as many exercises more as the parts before
/// it (1, 2, 4, …), so the rest is prepared while the part before plays
/// and a session is laid out only a few times.
pub fn parts(script: &Script, from: Option<(u32, usize)>) -> Vec<usize> {
    let key = |step: &Step| {
        let place = match step {
            Step::Say { place, .. } => place,
            Step::Period(p) => &p.place,
        };
        (place.round, place.exercise)
    };
    let steps = &script.steps;
    let Some(first) = steps.iter().position(|s| match (key(s), from) {
        ((_, None), _) => false,
        (_, None) => true,
        ((round, Some(e)), Some((r, x))) => round == r && e == x,
    }) else {
        return Vec::new();
    };
    let starts: Vec<usize> = (first + 1..steps.len())
        .filter(|&i| key(&steps[i]).1.is_some() && key(&steps[i]) != key(&steps[i - 1]))
        .collect();
    let mut cuts = Vec::new();
    let mut k = 1;
    while k <= starts.len() {
        cuts.push(starts[k - 1]);
        k *= 2;
    }
    cuts
}

/// The part of a session before step `cut`, laid out as [`lay_out`] lays
/// out the whole, and the sample it ends at. Layout is sequential, so the
/// part is exactly the whole's beginning: every event and period the part
/// has, the whole has at the same sample, and every other sound of the
/// whole starts at or after the end (tests/properties.rs checks both).
pub fn lay_out_part(
    script: &Script,
    cut: usize,
    speech: &dyn Speech,
    tones: ToneStyle,
) -> (Plan, u64) {
    let mut part = Script {
        title: script.title.clone(),
        rounds: script.rounds,
        exercises: script.exercises.clone(),
        steps: Vec::new(),
    };
    part.steps
        .extend_from_slice(&script.steps[..cut.min(script.steps.len())]);
    let plan = plan::layout(&part, speech, tones);
    let end = plan.total_samples - plan::TAIL;
    (plan, end)
}

pub use crate::script::estimated_len;

/// Speech lengths from [`estimated_len`], for checking a routine without
/// a voice. They are not marked as estimates: a plan made with them is
/// used only to find collisions, never played.
pub struct Estimated;

impl Speech for Estimated {
    fn len_of(&self, text: &str) -> u64 {
        estimated_len(text)
    }
}

/// The script of a routine's text, for tests; panics if it has errors.
pub fn script_of_text(text: &str) -> Scripted {
    let source = SourceFile::new("test.toml", text);
    match script(&source) {
        Ok(s) => s,
        Err(refused) => panic!(
            "not a playable routine: {}",
            refused
                .diagnostics()
                .iter()
                .map(|d| source.headline(d))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// The plan of a routine's text with `speech`, for tests; panics if the
/// routine has errors.
pub fn plan_of_text(text: &str, speech: &dyn Speech) -> Plan {
    lay_out(&script_of_text(text).script, speech, ToneStyle::default())
}

/// How far some bytes got.
pub enum Checked {
    /// Over the size limit, or not UTF-8.
    NotText(String),
    /// The loader's or the script's errors, rendered as `coach check` shows
    /// them.
    Errors(Vec<String>),
    /// A routine and its plan, which keeps the timing contract.
    Planned(Box<(Routine, Plan)>),
}

/// Reads `bytes` as `coach check` reads a file, and if it loads, lays it
/// out, checks the plan against the timing contract (a broken promise
/// panics: that is a bug for the fuzzer to find) and renders every text
/// form of it.
pub fn check_bytes(bytes: &[u8]) -> Checked {
    if bytes.len() > MAX_FILE_BYTES {
        return Checked::NotText("over 1 MiB".into());
    }
    let text = match find::decode(bytes.to_vec()) {
        Ok(t) => t,
        Err((line, col)) => return Checked::NotText(format!("not UTF-8 at {line}:{col}")),
    };
    let source = SourceFile::new("fuzz.toml", text);
    let Scripted { routine, script } = match script(&source) {
        Ok(s) => s,
        Err(refused) => {
            let diags = refused.diagnostics();
            assert!(!diags.is_empty(), "a failed load says why");
            return Checked::Errors(diags.iter().map(|d| source.render(d)).collect());
        }
    };
    let plan = lay_out(&script, &Estimated, ToneStyle::default());
    if let Err(broken) = plan::check::check(&plan) {
        panic!("the plan breaks the timing contract: {broken}");
    }
    let _ = plan.to_text(Some(42));
    let _ = plan.to_text(None);
    let _ = serde_json::to_string(&plan.to_json()).expect("the plan as JSON");
    let _ = chapters::lrc(&plan);
    let _ = chapters::cue(&plan, "fuzz.ogg");
    for a in &plan.adjustments {
        let _ = plan.describe_place(&a.place);
    }
    Checked::Planned(Box::new((routine, plan)))
}
