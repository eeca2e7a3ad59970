//! The keys of format 1: their names, value types, limits and meanings.
//!
//! The loader takes its key names and limits from these tables, and
//! `coach schema` turns the same tables into a JSON Schema, so the schema
//! an editor checks against cannot drift from what `coach` accepts.

use serde_json::{Map, Value, json};

use super::Count;
use super::load::MAX_EXERCISES;
use super::phrases::PhraseKey;
use crate::source::walk::MAX_TEXT_CHARS;

/// What a key takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A non-empty string.
    Text,
    /// A string or a non-empty list of strings.
    Texts,
    /// A language tag: `en`, `en-GB`, `de`.
    Language,
    /// `"30s"`, `"1m30s"`, `"500ms"`, or a number of seconds; at most 24 h.
    Duration {
        zero_ok: bool,
    },
    /// A whole number in a range.
    Int {
        min: u32,
        max: u32,
    },
    Bool,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// 2 to 4 side names.
    Sides,
    /// A list of `{ say, time }` phases.
    Tempo,
    /// A list of `{ at | every, say }` cues.
    Cues,
    /// The `[defaults]` table.
    Defaults,
    /// The `[phrases]` table.
    Phrases,
    /// The `[[exercise]]` list.
    Exercises,
}

/// A key of a table.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// Whether `[defaults]` may set it for every exercise.
    pub inherits: bool,
    pub about: &'static str,
}

const fn key(name: &'static str, ty: Ty, about: &'static str) -> Key {
    Key {
        name,
        ty,
        required: false,
        inherits: false,
        about,
    }
}

const fn required(name: &'static str, ty: Ty, about: &'static str) -> Key {
    Key {
        required: true,
        ..key(name, ty, about)
    }
}

const fn inherited(name: &'static str, ty: Ty, about: &'static str) -> Key {
    Key {
        inherits: true,
        ..key(name, ty, about)
    }
}

/// The values `count` takes, in the order of [`Count::ALL`].
pub const COUNT_CHOICES: &[&str] = &[
    Count::ALL[0].name(),
    Count::ALL[1].name(),
    Count::ALL[2].name(),
];

/// How many sides an exercise may have: `sides` lists 2 to 4 names.
pub const SIDES: (usize, usize) = (2, 4);

/// The top level of a routine file.
pub const TOP: &[Key] = &[
    required(
        "title",
        Ty::Text,
        "The routine's name, spoken at the start.",
    ),
    key(
        "about",
        Ty::Text,
        "What the routine is for; shown by `coach list` and `show`, never spoken.",
    ),
    key(
        "intro",
        Ty::Text,
        "Spoken once after the title and the session's size, before the first exercise: advice for the whole session, such as to stretch gently and never into pain.",
    ),
    key(
        "language",
        Ty::Language,
        "The language of the texts, as a tag like \"en\", \"en-GB\" or \"de\": it picks the voice and the built-in phrases. Default \"en\".",
    ),
    key(
        "rounds",
        Ty::Int { min: 1, max: 100 },
        "How many times to go through all the exercises. Default 1.",
    ),
    key(
        "round_rest",
        Ty::Duration { zero_ok: true },
        "Rest between rounds. Default: the default rest.",
    ),
    key(
        "defaults",
        Ty::Defaults,
        "Settings every exercise inherits unless it sets its own.",
    ),
    key(
        "phrases",
        Ty::Phrases,
        "Your own words for the phrases coach speaks between your texts.",
    ),
    required(
        "exercise",
        Ty::Exercises,
        "The exercises, in order: one [[exercise]] table each.",
    ),
];

/// An `[[exercise]]` table.
pub const EXERCISE: &[Key] = &[
    required(
        "name",
        Ty::Text,
        "The exercise's name, spoken to announce it.",
    ),
    key(
        "say",
        Ty::Texts,
        "Instructions spoken after the name, before the exercise starts: a text or a list of texts.",
    ),
    key(
        "hold",
        Ty::Duration { zero_ok: false },
        "A hold: how long to keep the position. An exercise has \"hold\" or \"reps\".",
    ),
    key(
        "reps",
        Ty::Int { min: 1, max: 1000 },
        "Repetitions: how many. An exercise has \"hold\" or \"reps\".",
    ),
    key(
        "tempo",
        Ty::Tempo,
        "For reps: the phases of one rep, each spoken at its start, e.g. [{ say = \"Inhale.\", time = \"4s\" }, { say = \"Exhale.\", time = \"4s\" }].",
    ),
    inherited(
        "rep_time",
        Ty::Duration { zero_ok: false },
        "For reps without a tempo: the length of one rep, each counted aloud. Default 3s.",
    ),
    inherited(
        "count",
        Ty::Choice(COUNT_CHOICES),
        "How counting is done: \"voice\" (numbers spoken), \"tone\" (pips) or \"off\". Default \"voice\".",
    ),
    key(
        "count_every",
        Ty::Duration { zero_ok: false },
        "For holds: also speak the seconds left at this interval, e.g. \"10s\".",
    ),
    key(
        "sets",
        Ty::Int { min: 1, max: 100 },
        "How many times the work is done, with set_rest between. Default 1.",
    ),
    inherited(
        "set_rest",
        Ty::Duration { zero_ok: false },
        "Rest between sets. Default: the exercise's rest.",
    ),
    key(
        "sides",
        Ty::Sides,
        "Do the work once per side, e.g. [\"left\", \"right\"]; 2 to 4 names.",
    ),
    inherited(
        "switch",
        Ty::Duration { zero_ok: false },
        "Time to change sides. Default: the exercise's get_ready.",
    ),
    inherited(
        "get_ready",
        Ty::Duration { zero_ok: true },
        "Time to get into position before the work starts. Default 5s.",
    ),
    inherited(
        "rest",
        Ty::Duration { zero_ok: true },
        "Rest after the exercise (none after the last). Default 10s.",
    ),
    inherited(
        "countdown",
        Ty::Int { min: 0, max: 10 },
        "Count the last N seconds of a hold or rest aloud; 0 for none. Default 3.",
    ),
    inherited(
        "halfway",
        Ty::Bool,
        "For holds: say \"Halfway.\" in the middle. Default true.",
    ),
    inherited(
        "announce_in_rest",
        Ty::Bool,
        "Say the exercise's name, dose and instructions during the rest before it, so the rest is the time to move into position. Default false.",
    ),
    key(
        "cues",
        Ty::Cues,
        "For holds: texts spoken during the hold, at a time or repeating, e.g. [{ at = \"15s\", say = \"Breathe.\" }].",
    ),
];

/// A phase of `tempo`.
pub const PHASE: &[Key] = &[
    key("say", Ty::Text, "Spoken at the start of the phase."),
    required(
        "time",
        Ty::Duration { zero_ok: false },
        "The phase's length.",
    ),
];

/// A cue of `cues`.
pub const CUE: &[Key] = &[
    key(
        "at",
        Ty::Duration { zero_ok: false },
        "Speak once, this long into the hold. A cue has \"at\" or \"every\".",
    ),
    key(
        "every",
        Ty::Duration { zero_ok: false },
        "Speak at every multiple of this into the hold. A cue has \"at\" or \"every\".",
    ),
    required("say", Ty::Text, "The words."),
];

/// A word people write for one of our keys: the keys it means, and how to
/// say so.
#[derive(Clone, Copy, Debug)]
pub struct Meant {
    pub word: &'static str,
    pub keys: &'static [&'static str],
    pub say: &'static str,
}

const fn meant(word: &'static str, keys: &'static [&'static str], say: &'static str) -> Meant {
    Meant { word, keys, say }
}

const ABOUT: &str = "the routine's description is \"about\" (shown, never spoken); \"intro\" is spoken at the start";
const ROUNDS: &str = "how many times to go through the exercises is \"rounds\"";

/// Words written at the top level for a key of its own.
pub const MEANT_TOP: &[Meant] = &[
    meant("description", &["about"], ABOUT),
    meant("summary", &["about"], ABOUT),
    meant(
        "instructions",
        &["intro"],
        "advice spoken once at the start is \"intro\"",
    ),
    meant("name", &["title"], "the routine's name is \"title\""),
    meant(
        "exercises",
        &["exercise"],
        "each exercise is a table of its own, under [[exercise]]",
    ),
    meant("round", &["rounds"], ROUNDS),
    meant("repeat", &["rounds"], ROUNDS),
    meant("repeats", &["rounds"], ROUNDS),
    meant(
        "rest_between_rounds",
        &["round_rest"],
        "the rest between rounds is \"round_rest\"",
    ),
    meant(
        "lang",
        &["language"],
        "the texts' language is \"language\", e.g. language = \"en-GB\"",
    ),
    meant(
        "locale",
        &["language"],
        "the texts' language is \"language\", e.g. language = \"en-GB\"",
    ),
];

const LENGTH: &str = "a hold's length is \"hold\" (hold = \"30s\"), one rep's is \"rep_time\"";
const REST: &str =
    "the rest after an exercise is \"rest\" (rest = \"10s\"), between its sets \"set_rest\"";
const SAY: &str = "what is spoken before an exercise is \"say\": a text or a list of texts";
const REPS: &str = "the number of repetitions is \"reps\"";
const GET_READY: &str = "the time to get into position is \"get_ready\"";

/// Words written in an exercise for one of its keys.
pub const MEANT_EXERCISE: &[Meant] = &[
    meant("rest_time", &["rest"], REST),
    meant("rest_duration", &["rest"], REST),
    meant("rest_between_sets", &["set_rest"], REST),
    meant("break", &["rest"], REST),
    meant("pause", &["rest"], REST),
    meant("duration", &["hold", "rep_time"], LENGTH),
    meant("time", &["hold", "rep_time"], LENGTH),
    meant("length", &["hold", "rep_time"], LENGTH),
    meant("seconds", &["hold", "rep_time"], LENGTH),
    meant("hold_time", &["hold"], LENGTH),
    meant("instructions", &["say"], SAY),
    meant("instruction", &["say"], SAY),
    meant("description", &["say"], SAY),
    meant("about", &["say"], SAY),
    meant("text", &["say"], SAY),
    meant("speak", &["say"], SAY),
    meant("title", &["name"], "an exercise's name is \"name\""),
    meant("repetitions", &["reps"], REPS),
    meant("repeat", &["reps"], REPS),
    meant("count_to", &["reps"], REPS),
    meant("prepare", &["get_ready"], GET_READY),
    meant("ready", &["get_ready"], GET_READY),
    meant("setup", &["get_ready"], GET_READY),
];

/// What `word` is taken to mean among `table`.
pub fn meant_by(table: &'static [Meant], word: &str) -> Option<&'static Meant> {
    table.iter().find(|m| m.word == word)
}

/// The names of `table`'s keys.
pub fn names(table: &[Key]) -> Vec<&'static str> {
    table.iter().map(|k| k.name).collect()
}

/// The keys `[defaults]` may set.
pub fn default_names() -> Vec<&'static str> {
    EXERCISE
        .iter()
        .filter(|k| k.inherits)
        .map(|k| k.name)
        .collect()
}

/// The key `name` of `table`; the tables are fixed, so a wrong name is a
/// bug caught by every test that loads a routine.
pub fn get(table: &[Key], name: &str) -> Key {
    *table
        .iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("format key {name} is not in its table"))
}

/// The range of a whole-number key.
pub fn range(table: &[Key], name: &str) -> (u32, u32) {
    match get(table, name).ty {
        Ty::Int { min, max } => (min, max),
        other => panic!("format key {name} is {other:?}, not a number"),
    }
}

/// Whether a duration key takes 0.
pub fn zero_ok(table: &[Key], name: &str) -> bool {
    match get(table, name).ty {
        Ty::Duration { zero_ok } => zero_ok,
        other => panic!("format key {name} is {other:?}, not a duration"),
    }
}

/// The duration forms the loader reads, as a regular expression: numbers
/// with units h, m, s, ms, largest first, optionally spaced.
pub const DURATION_PATTERN: &str = r"^ *((([0-9]+(\.[0-9]+)?|\.[0-9]+) *(h|hr|hrs|hour|hours) *)?(([0-9]+(\.[0-9]+)?|\.[0-9]+) *(m|min|mins|minute|minutes) *)?(([0-9]+(\.[0-9]+)?|\.[0-9]+) *(s|sec|secs|second|seconds) *)?(([0-9]+(\.[0-9]+)?|\.[0-9]+) *(ms|msec|millisecond|milliseconds) *)?| *[0-9]{1,6}(:[0-5][0-9])?:[0-5][0-9](\.[0-9]+)? *)$";

fn schema_of(ty: Ty) -> Value {
    let text =
        json!({ "type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS, "pattern": "\\S" });
    match ty {
        Ty::Text => text,
        Ty::Texts => json!({
            "oneOf": [text, { "type": "array", "minItems": 1, "items": text }]
        }),
        Ty::Language => json!({
            "type": "string",
            "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
            "examples": ["en", "en-GB", "de"]
        }),
        Ty::Duration { zero_ok } => {
            let mut number = json!({ "type": "number", "maximum": 86400 });
            if zero_ok {
                number["minimum"] = json!(0);
            } else {
                number["exclusiveMinimum"] = json!(0);
            }
            json!({
                "oneOf": [
                    {
                        "type": "string",
                        "allOf": [{ "pattern": DURATION_PATTERN }, { "pattern": "[0-9]" }],
                        "examples": ["30s", "1m30s", "1.5s", "500ms", "30 seconds", "1:30"]
                    },
                    number
                ]
            })
        }
        Ty::Int { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::Choice(choices) => json!({ "type": "string", "enum": choices }),
        Ty::Sides => {
            json!({ "type": "array", "minItems": SIDES.0, "maxItems": SIDES.1, "items": text })
        }
        Ty::Tempo => json!({ "type": "array", "minItems": 1, "items": table_schema(PHASE) }),
        Ty::Cues => json!({
            "type": "array",
            "items": {
                "allOf": [
                    table_schema(CUE),
                    { "oneOf": [{ "required": ["at"] }, { "required": ["every"] }] }
                ]
            }
        }),
        Ty::Defaults => {
            let keys: Vec<Key> = EXERCISE.iter().copied().filter(|k| k.inherits).collect();
            table_schema(&keys)
        }
        Ty::Phrases => {
            let mut props = Map::new();
            for key in PhraseKey::ALL {
                let mut s = text.clone();
                s["description"] = json!(format!(
                    "Default in English: \"{}\"; in German: \"{}\".{}",
                    key.default_text("en"),
                    key.default_text("de"),
                    if key.may_be_empty() {
                        " \"\" for none."
                    } else {
                        ""
                    }
                ));
                if key.may_be_empty() {
                    // "" turns it off: a text, or nothing at all.
                    s = json!({
                        "anyOf": [s, { "type": "string", "maxLength": 0 }],
                        "description": s["description"].clone()
                    });
                }
                props.insert(key.name().into(), s);
            }
            json!({ "type": "object", "properties": props, "additionalProperties": false })
        }
        Ty::Exercises => json!({
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_EXERCISES,
            "items": {
                "allOf": [
                    table_schema(EXERCISE),
                    { "oneOf": [{ "required": ["hold"] }, { "required": ["reps"] }] }
                ]
            }
        }),
    }
}

fn table_schema(keys: &[Key]) -> Value {
    let mut props = Map::new();
    for k in keys {
        let mut s = schema_of(k.ty);
        s["description"] = json!(k.about);
        props.insert(k.name.into(), s);
    }
    let required: Vec<&str> = keys.iter().filter(|k| k.required).map(|k| k.name).collect();
    let mut table = json!({
        "type": "object",
        "properties": props,
        "additionalProperties": false
    });
    if !required.is_empty() {
        table["required"] = json!(required);
    }
    table
}

/// The JSON Schema (draft 2020-12) of a routine file, format 1.
pub fn schema() -> Value {
    let mut top = table_schema(TOP);
    let mut head = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://coach.invalid/routine-format-1.schema.json",
        "title": "coach routine, format 1",
        "description": "A routine for coach, the player of voice-guided routines. docs/routines.md explains every key with examples.",
    });
    if let (Some(h), Some(t)) = (head.as_object_mut(), top.as_object_mut()) {
        h.append(t);
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routine::load;
    use crate::source::SourceFile;

    fn loads(text: &str) -> bool {
        load::parse(&SourceFile::new("t.toml", text)).is_ok()
    }

    #[test]
    fn words_meant_for_keys_are_not_keys_and_point_to_keys() {
        for (meant, table) in [(MEANT_TOP, TOP), (MEANT_EXERCISE, EXERCISE)] {
            for m in meant {
                assert!(table.iter().all(|k| k.name != m.word), "{}", m.word);
                for key in m.keys {
                    assert!(table.iter().any(|k| k.name == *key), "{key}");
                    let named = [format!("\"{key}\""), format!("[[{key}]]")];
                    assert!(named.iter().any(|n| m.say.contains(n)), "{}", m.say);
                }
            }
        }
    }

    /// A routine with `line` in an exercise of the right kind for `name`.
    fn with_exercise_key(name: &str, line: &str) -> String {
        let work = match name {
            "hold" | "reps" => "",
            "tempo" | "rep_time" => "reps = 2\n",
            _ => "hold = \"30s\"\n",
        };
        format!("title = \"T\"\n[[exercise]]\nname = \"E\"\n{work}{line}\n")
    }

    /// The loader accepts each limit the schema states and refuses the
    /// values just outside: the two cannot disagree.
    #[test]
    fn the_loader_keeps_the_limits_the_tables_state() {
        for k in EXERCISE {
            let ok = |v: &str| loads(&with_exercise_key(k.name, &format!("{} = {v}", k.name)));
            match k.ty {
                Ty::Int { min, max } => {
                    assert!(ok(&min.to_string()), "{} = {min}", k.name);
                    assert!(ok(&max.to_string()), "{} = {max}", k.name);
                    assert!(!ok(&(max + 1).to_string()), "{} = {}", k.name, max + 1);
                    if min > 0 {
                        assert!(!ok(&(min - 1).to_string()), "{} below {min}", k.name);
                    }
                    assert!(!ok("\"3\""), "{} as a string", k.name);
                }
                Ty::Duration { zero_ok } => {
                    assert_eq!(ok("\"0s\""), zero_ok, "{} = 0s", k.name);
                    assert!(ok("\"1.5s\""), "{}", k.name);
                    assert!(ok("\"2 seconds\""), "{}", k.name);
                    assert!(!ok("\"5 furlongs\""), "{}", k.name);
                    assert!(!ok("true"), "{}", k.name);
                }
                Ty::Bool => {
                    assert!(ok("false"));
                    assert!(!ok("\"no\""));
                }
                Ty::Choice(choices) => {
                    for c in choices {
                        assert!(ok(&format!("\"{c}\"")), "{} = {c}", k.name);
                    }
                    assert!(!ok("\"loud\""));
                }
                _ => {}
            }
        }
        for k in TOP {
            if let Ty::Int { min, max } = k.ty {
                let ok =
                    |v: u32| loads(&format!("{} = {v}\n{}", k.name, with_exercise_key("x", "")));
                assert!(ok(min) && ok(max) && !ok(max + 1) && !ok(min - 1));
            }
        }
        // Every inheritable key is taken by [defaults], and no other.
        for k in EXERCISE {
            let value = match k.ty {
                Ty::Int { min, .. } => min.to_string(),
                Ty::Bool => "true".into(),
                Ty::Choice(c) => format!("\"{}\"", c[0]),
                Ty::Duration { .. } => "\"2s\"".into(),
                _ => "\"x\"".into(),
            };
            let text = format!("[defaults]\n{} = {value}\n", k.name);
            let text = format!("title = \"T\"\n{text}[[exercise]]\nname = \"E\"\nhold = \"30s\"\n");
            assert_eq!(loads(&text), k.inherits, "[defaults] {}", k.name);
        }
    }

    #[test]
    fn the_schema_closes_every_table() {
        let s = schema();
        assert_eq!(s["required"], json!(["title", "exercise"]));
        assert_eq!(s["additionalProperties"], json!(false));
        let exercise = &s["properties"]["exercise"]["items"]["allOf"][0];
        assert_eq!(exercise["additionalProperties"], json!(false));
        assert_eq!(
            exercise["properties"].as_object().unwrap().len(),
            EXERCISE.len()
        );
        let defaults = &s["properties"]["defaults"]["properties"];
        assert_eq!(defaults.as_object().unwrap().len(), default_names().len());
    }
}
