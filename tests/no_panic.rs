//! No input makes coach panic: arbitrary bytes and mutated routines go
//! through the loader, the script and the layout, and each either loads
//! into a plan that keeps the timing contract or gets located errors. A small deterministic fuzzer, so it runs in every
//! `cargo test`.

use coach::pipeline;
use coach::routine::find;

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that make mutations likely to reach deep into validation.
const TOKENS: &[&str] = &[
    "[[exercise]]\n",
    "[defaults]\n",
    "[phrases]\n",
    "name = \"X\"\n",
    "hold = ",
    "reps = ",
    "tempo = [{ say = \"a\", time = \"1s\" }]\n",
    "cues = [{ at = \"1s\", say = \"b\" }]\n",
    "cues = [{ every = \"1ms\", say = \"b\" }]\n",
    "sides = [\"l\", \"r\"]\n",
    "sets = ",
    "rounds = ",
    "count = \"tone\"\n",
    "count_every = ",
    "countdown = ",
    "get_ready = 0\n",
    "rest = 0\n",
    "\"24h\"",
    "\"1ms\"",
    "\"0.0001s\"",
    "\"1m30s\"",
    "1e400",
    "-1",
    "0",
    "1000",
    "100",
    "nan",
    "inf",
    "\"{next}\"",
    "rest = \"{nxt}\"\n",
    "\"\\u0007\"",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'''",
    "\"\"\"",
    "=",
    ",",
    "\n",
    "\r\n",
    "#",
    "\u{feff}",
    "é",
    "\0",
    "halfway = true\n",
    "language = \"de\"\n",
    "switch = \"0.5s\"\n",
    "set_rest = \"1s\"\n",
    "a.b.c = 1\n",
    "[[exercise.tempo]]\n",
    "x = [[[[[[[[[[1]]]]]]]]]]\n",
];

fn corpus() -> Vec<String> {
    let mut texts: Vec<String> = find::BUILT_IN.iter().map(|(_, t)| t.to_string()).collect();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(fixtures).unwrap() {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    texts
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] = rng.next() as u8;
            }
            1 if !bytes.is_empty() => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            2 | 3 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, t.iter().copied());
            }
            4 if !bytes.is_empty() => {
                let start = rng.below(bytes.len());
                let end = (start + rng.below(200)).min(bytes.len());
                let copy = bytes[start..end].to_vec();
                bytes.splice(at..at, copy);
            }
            _ => {
                let digits = rng.next().to_string();
                bytes.splice(at..at, digits.bytes());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Everything `coach check` does, and the timing contract checked on every
/// plan (a broken promise panics in `pipeline::check_bytes`). True if it loaded.
fn run_pipeline(text: &str) -> bool {
    matches!(
        pipeline::check_bytes(text.as_bytes()),
        pipeline::Checked::Planned(_)
    )
}

#[test]
fn mutated_routines_never_panic() {
    let corpus = corpus();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut loaded = 0;
    // COACH_FUZZ_ROUNDS=1000000 for a longer search on a spare machine.
    let rounds: usize = std::env::var("COACH_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20_000);
    for i in 0..rounds {
        let base = &corpus[i % corpus.len()];
        let text = mutate(&mut rng, base);
        if run_pipeline(&text) {
            loaded += 1;
        }
    }
    // The mutations must be gentle enough that some still load, or the
    // pipeline past the loader would go untested.
    assert!(
        loaded > rounds / 20,
        "only {loaded} of {rounds} mutants loaded"
    );
}

/// A routine that stresses what a routine makes coach say: phrases that
/// repeat long names (templates), long texts by the hundred, floods of
/// bad keys, counts through long holds.
fn generated(rng: &mut Rng) -> String {
    let long = |rng: &mut Rng, most: usize| -> String {
        let n = 1 + rng.below(most);
        (0..n)
            .map(|_| ["a", "b ", "7", "é", "{", "\\t", " "][rng.below(7)])
            .collect()
    };
    let mut text = format!("title = \"{}\"\n", long(rng, 300));
    match rng.below(4) {
        0 => {
            let slots = ["{name}", "{title}", "{next}", "{side}", "{set}", "x"];
            let template: String = (0..1 + rng.below(400))
                .map(|_| slots[rng.below(slots.len())])
                .collect();
            let key = [
                "exercise", "rest", "set", "side", "switch", "start", "done", "halfway",
            ][rng.below(8)];
            text.push_str(&format!("[phrases]\n{key} = \"{template}\"\n"));
        }
        1 => {
            for i in 0..rng.below(3000) {
                text.push_str(&format!("k{i}x = 1\n"));
            }
        }
        _ => {}
    }
    let exercises = [3, 30, 400][rng.below(3)];
    for i in 0..1 + rng.below(exercises) {
        let most = [20, 2000][rng.below(2)];
        let name = long(rng, most);
        let most = [200, 2000][rng.below(2)];
        let say = long(rng, most);
        let work = match rng.below(3) {
            0 => format!(
                "hold = \"{}s\"\ncount_every = \"{}s\"",
                1 + rng.below(20_000),
                1 + rng.below(30)
            ),
            1 => format!("reps = {}", 1 + rng.below(1000)),
            _ => "hold = \"30s\"".to_string(),
        };
        text.push_str(&format!(
            "[[exercise]]\nname = \"{name}{i}\"\nsay = \"{say}\"\n{work}\nsides = [\"{}\", \"r\"]\n",
            long(rng, 50)
        ));
        if text.len() > 1 << 20 {
            break;
        }
    }
    text
}

#[test]
fn generated_floods_templates_and_long_texts_stay_within_the_budget() {
    let mut rng = Rng(7);
    let mut outcomes = [0usize; 3];
    for _ in 0..80 {
        let text = generated(&mut rng);
        match pipeline::check_bytes(text.as_bytes()) {
            pipeline::Checked::NotText(_) => outcomes[0] += 1,
            pipeline::Checked::Errors(errors) => {
                assert!(!errors.is_empty());
                outcomes[1] += 1;
            }
            pipeline::Checked::Planned(planned) => {
                let (routine, _) = *planned;
                let script = coach::script::build(&routine).unwrap();
                let texts = script.texts();
                let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
                assert!(chars <= coach::script::budget::SPEECH_CHARS, "{chars}");
                assert!(texts.len() <= coach::script::budget::CLIPS);
                assert!(
                    texts
                        .iter()
                        .all(|t| t.chars().count() <= coach::script::budget::TEXT_CHARS)
                );
                outcomes[2] += 1;
            }
        }
    }
    // Both refusals and plans are reached: the generators test the limits
    // from both sides.
    assert!(outcomes[1] > 0 && outcomes[2] > 0, "{outcomes:?}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                // Mostly printable TOML-ish characters, some anything.
                let pick = b"[]{}=\"'.,#\n -_0123456789abcdehilmnorstx";
                if rng.below(8) == 0 {
                    rng.next() as u8
                } else {
                    pick[rng.below(pick.len())]
                }
            })
            .collect();
        run_pipeline(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("title = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert!(!run_pipeline(&deep));
    let tables = format!("title = {}\n", "{ a = ".repeat(50_000));
    assert!(!run_pipeline(&tables));
}

#[test]
fn fuzz_seeds_and_findings_replay_cleanly() {
    // Every input the fuzzer started from or once crashed on (fixed since).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/pipeline");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = pipeline::check_bytes(&bytes);
        n += 1;
    }
    assert!(n >= 6, "the seeds are there");
}
