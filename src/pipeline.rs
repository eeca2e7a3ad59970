//! The whole way from a file's bytes to a checked plan, without a voice or a
//! sound device: what `coach check` does to a file, with each text's speech
//! length estimated from its length. The fuzz target (fuzz/) and the tests
//! drive it with arbitrary input, so every step of it must either succeed
//! or say why, and never panic, hang or allocate without bound.

use crate::chapters;
use crate::plan::{self, Plan};
use crate::routine::{MAX_FILE_BYTES, Routine, SourceFile, find, load};
use crate::script;

/// How far some bytes got.
pub enum Outcome {
    /// Over the size limit, or not UTF-8.
    NotText(String),
    /// The loader's or the script's errors, rendered as `coach check` shows
    /// them.
    Errors(Vec<String>),
    /// A routine and its plan, which keeps the timing contract.
    Planned(Box<(Routine, Plan)>),
}

/// A speech length for `text` that depends only on the text: about what
/// espeak-ng takes at 160 words a minute, never zero.
pub fn estimated_len(text: &str) -> u64 {
    1000 + text.chars().count() as u64 * 1400
}

/// Reads `bytes` as `coach check` reads a file, and if it loads, lays it
/// out, checks the plan against the timing contract (a broken promise
/// panics: that is a bug for the fuzzer to find) and renders every text
/// form of it.
pub fn run(bytes: &[u8]) -> Outcome {
    if bytes.len() > MAX_FILE_BYTES {
        return Outcome::NotText("over 1 MiB".into());
    }
    let text = match find::decode(bytes.to_vec()) {
        Ok(t) => t,
        Err((line, col)) => return Outcome::NotText(format!("not UTF-8 at {line}:{col}")),
    };
    let source = SourceFile::new("fuzz.toml", text);
    let routine = match load::parse(&source) {
        Ok(r) => r,
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed load says why");
            return Outcome::Errors(diags.iter().map(|d| source.render(d)).collect());
        }
    };
    let script = match script::build(&routine) {
        Ok(s) => s,
        Err(d) => return Outcome::Errors(vec![source.render(&d)]),
    };
    let plan = plan::layout(&script, &estimated_len);
    if let Err(broken) = plan::check::check(&plan) {
        panic!("the plan breaks the timing contract: {broken}");
    }
    let _ = plan.to_text();
    let _ = serde_json::to_string(&plan.to_json()).expect("the plan as JSON");
    let _ = chapters::lrc(&plan);
    let _ = chapters::cue(&plan, "fuzz.ogg");
    for a in &plan.adjustments {
        let _ = plan.describe_place(&a.place);
    }
    Outcome::Planned(Box::new((routine, plan)))
}
