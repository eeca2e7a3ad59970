//! Reading a routine file: TOML syntax, then every key, type, default, limit
//! and kind rule of format 1, collecting all errors with their locations.
//!
//! The loader walks the spanned TOML tree itself instead of deriving serde
//! types, because serde stops at the first error and a person fixing a file
//! wants to see every problem at once.

use toml::de::{DeTable, DeValue};

use super::keys;
use super::phrases::{PhraseKey, Template};
use super::{Count, Cue, CueTime, Exercise, Hold, Phase, Phrases, Reps, Routine, Work};
use crate::source::walk::{Entry, Explained, Fields, Walker, kind_name, parse_document};
use crate::source::{Diagnostic, Language, MAX_FILE_BYTES, SourceFile, Span};
use crate::timeline::Dur;
/// Most exercises in one routine.
pub const MAX_EXERCISES: usize = 1000;

/// Whether an exercise's duration key takes 0, as [`keys::EXERCISE`] says.
fn ex_zero_ok(name: &str) -> bool {
    keys::zero_ok(keys::EXERCISE, name)
}

const DEFAULT_GET_READY: Dur = Dur::from_secs(5);
const DEFAULT_REST: Dur = Dur::from_secs(10);
const DEFAULT_REP_TIME: Dur = Dur::from_secs(3);
const DEFAULT_COUNTDOWN: u32 = 3;

/// Parses and checks a routine. On failure returns every error found, in
/// file order.
pub fn parse(source: &SourceFile) -> Result<Routine, Vec<Diagnostic>> {
    let text = source.text.as_str();
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![Diagnostic::error(
            0..0,
            format!(
                "the file is {} bytes; a routine may be at most 1 MiB ({MAX_FILE_BYTES} bytes)",
                text.len()
            ),
        )]);
    }
    let doc = parse_document(text)?;
    let mut walker = Walker::default();
    let routine = walker.routine(&doc);
    walker.finish(routine)
}

/// What an exercise can inherit, from `[defaults]` or set on itself.
#[derive(Default, Clone)]
struct Inherited {
    rep_time: Option<Dur>,
    count: Option<Count>,
    set_rest: Option<Dur>,
    switch: Option<Dur>,
    get_ready: Option<Dur>,
    rest: Option<Dur>,
    countdown: Option<u32>,
    halfway: Option<bool>,
    announce_in_rest: Option<bool>,
}

impl Inherited {
    /// `self` where set, else `defaults`.
    fn over(&self, defaults: &Inherited) -> Inherited {
        Inherited {
            rep_time: self.rep_time.or(defaults.rep_time),
            count: self.count.or(defaults.count),
            set_rest: self.set_rest.or(defaults.set_rest),
            switch: self.switch.or(defaults.switch),
            get_ready: self.get_ready.or(defaults.get_ready),
            rest: self.rest.or(defaults.rest),
            countdown: self.countdown.or(defaults.countdown),
            halfway: self.halfway.or(defaults.halfway),
            announce_in_rest: self.announce_in_rest.or(defaults.announce_in_rest),
        }
    }
}

/// A key not allowed at the top level: a word for one of its own, or an
/// exercise's key above the first `[[exercise]]`.
fn explain_top(name: &str) -> Option<Explained> {
    if let Some(m) = keys::meant_by(keys::MEANT_TOP, name) {
        let message = format!("unknown key \"{name}\" in the routine: {}", m.say);
        return Some((message, m.keys.to_vec()));
    }
    let key = keys::EXERCISE.iter().find(|k| k.name == name)?;
    let defaults = if key.inherits {
        ", or into [defaults] to set it for every exercise"
    } else {
        ""
    };
    Some((
        format!(
            "\"{name}\" is a key of an exercise, but it is above the first [[exercise]]: move it into one{defaults}"
        ),
        vec![key.name],
    ))
}

/// A key not allowed in an exercise: a word for one of its own, or a key
/// of the whole routine written after an `[[exercise]]` (which TOML gives
/// to that exercise).
fn explain_exercise(name: &str) -> Option<Explained> {
    if let Some(m) = keys::meant_by(keys::MEANT_EXERCISE, name) {
        let message = format!("unknown key \"{name}\" in [[exercise]]: {}", m.say);
        return Some((message, m.keys.to_vec()));
    }
    keys::TOP.iter().find(|k| k.name == name)?;
    Some((
        format!(
            "\"{name}\" is a key of the whole routine, but here it belongs to an exercise: move it above the first [[exercise]]"
        ),
        Vec::new(),
    ))
}

impl Walker {
    fn routine(&mut self, doc: &DeTable<'_>) -> Option<Routine> {
        let top = self.fields_explained(doc, &keys::names(keys::TOP), "the routine", &explain_top);

        let title = match top.get("title") {
            Some(e) => self.text(e),
            None if top.misspelt(&["title"]) => None,
            None => {
                self.error(
                    0..0,
                    "missing \"title\": every routine needs one, e.g. title = \"Morning stretch\"",
                );
                None
            }
        };
        let about = top.get("about").and_then(|e| self.text(e));
        let intro = top.get("intro").and_then(|e| self.text(e));
        let language = match top.get("language") {
            Some(e) => self.language(e),
            None => Some(Language::default()),
        };
        let language_span = top.get("language").map(|e| e.span());
        let rounds = match top.get("rounds") {
            Some(e) => {
                let (lo, hi) = keys::range(keys::TOP, "rounds");
                self.int(e, lo, hi)
            }
            None => Some(1),
        };

        let defaults = match top.get("defaults") {
            Some(e) => match e.value.get_ref() {
                DeValue::Table(t) => {
                    let default_keys = keys::default_names();
                    let not_inherited = |name: &str| {
                        keys::EXERCISE.iter().any(|k| k.name == name).then(|| {
                            let message = format!(
                                "\"{name}\" cannot have a default; [defaults] takes {}",
                                default_keys.join(", ")
                            );
                            (message, Vec::new())
                        })
                    };
                    let fields =
                        self.fields_explained(t, &default_keys, "[defaults]", &not_inherited);
                    self.inherited(&fields)
                }
                other => {
                    self.error(
                        e.span(),
                        format!("\"defaults\" must be a table, found {}", kind_name(other)),
                    );
                    Inherited::default()
                }
            },
            None => Inherited::default(),
        };
        let round_rest = match top.get("round_rest") {
            Some(e) => self.duration(e, keys::zero_ok(keys::TOP, "round_rest")),
            None => Some(defaults.rest.unwrap_or(DEFAULT_REST)),
        };
        let built_in = Phrases::for_language(language.as_ref().map_or("en", Language::as_str));
        let phrases = match top.get("phrases") {
            Some(e) => self.phrases(e, built_in),
            None => Some(built_in),
        };

        let mut exercises = Vec::new();
        match top.get("exercise") {
            None => self.error(
                0..0,
                "a routine needs at least one [[exercise]] (add a table starting with [[exercise]])",
            ),
            Some(e) => match e.value.get_ref() {
                DeValue::Array(items) => {
                    if items.is_empty() {
                        self.error(e.span(), "a routine needs at least one [[exercise]]");
                    }
                    if items.len() > MAX_EXERCISES {
                        self.error(
                            e.key_span.clone(),
                            format!(
                                "too many exercises: {} (a routine may have at most {MAX_EXERCISES})",
                                items.len()
                            ),
                        );
                    }
                    for (i, item) in items.iter().enumerate() {
                        match item.get_ref() {
                            DeValue::Table(t) => {
                                let span = item.span();
                                if let Some(ex) = self.exercise(t, span, i + 1, &defaults, &top.meant) {
                                    exercises.push(ex);
                                }
                            }
                            other => self.error(
                                item.span(),
                                format!(
                                    "each exercise must be a table, found {}",
                                    kind_name(other)
                                ),
                            ),
                        }
                    }
                }
                other => self.error(
                    e.key_span.clone(),
                    format!(
                        "\"exercise\" must be a list of [[exercise]] tables, found {} (write [[exercise]], with double brackets)",
                        kind_name(other)
                    ),
                ),
            },
        }

        Some(Routine {
            title: title?,
            about,
            intro,
            language: language?,
            language_span,
            rounds: rounds?,
            round_rest: round_rest?,
            phrases: phrases?,
            exercises,
        })
    }

    /// The inheritable keys present in `fields`.
    fn inherited(&mut self, fields: &Fields<'_, '_>) -> Inherited {
        let mut out = Inherited::default();
        if let Some(e) = fields.get("rep_time") {
            out.rep_time = self.duration(e, ex_zero_ok("rep_time"));
        }
        if let Some(e) = fields.get("count") {
            out.count = self.count(e);
        }
        if let Some(e) = fields.get("set_rest") {
            out.set_rest = self.duration(e, ex_zero_ok("set_rest"));
        }
        if let Some(e) = fields.get("switch") {
            out.switch = self.duration(e, ex_zero_ok("switch"));
        }
        if let Some(e) = fields.get("get_ready") {
            out.get_ready = self.duration(e, ex_zero_ok("get_ready"));
        }
        if let Some(e) = fields.get("rest") {
            out.rest = self.duration(e, ex_zero_ok("rest"));
        }
        if let Some(e) = fields.get("countdown") {
            let (lo, hi) = keys::range(keys::EXERCISE, "countdown");
            out.countdown = self.int(e, lo, hi);
        }
        if let Some(e) = fields.get("halfway") {
            out.halfway = self.boolean(e);
        }
        if let Some(e) = fields.get("announce_in_rest") {
            out.announce_in_rest = self.boolean(e);
        }
        out
    }

    fn exercise(
        &mut self,
        table: &DeTable<'_>,
        span: Span,
        number: usize,
        defaults: &Inherited,
        above: &[String],
    ) -> Option<Exercise> {
        let before = self.diags.len();
        let f = self.fields_explained(
            table,
            &keys::names(keys::EXERCISE),
            "[[exercise]]",
            &explain_exercise,
        );
        let header = span.start..span.start;

        let name_entry = f.get("name");
        let name = match name_entry {
            Some(e) => self.text(e),
            None if f.misspelt(&["name"]) => None,
            None => {
                self.error(
                    header.clone(),
                    format!("exercise {number} has no \"name\"; every exercise needs one"),
                );
                None
            }
        };
        let label = name
            .clone()
            .map_or_else(|| format!("exercise {number}"), |n| format!("\"{n}\""));
        let say = f.get("say").and_then(|e| self.texts(e)).unwrap_or_default();
        let own = self.inherited(&f);
        let inherited = own.over(defaults);

        let hold = f.get("hold");
        let reps = f.get("reps");
        let work = match (hold, reps) {
            (Some(_), Some(r)) => {
                self.error(
                    r.key_span.clone(),
                    format!(
                        "{label} has both \"hold\" and \"reps\"; an exercise is one or the other"
                    ),
                );
                None
            }
            // The cause, a misspelt "hold", is reported already.
            // So is one above the first [[exercise]].
            (None, None)
                if f.misspelt(&["hold", "reps"])
                    || above.iter().any(|k| k == "hold" || k == "reps") =>
            {
                None
            }
            (None, None) => {
                self.error(
                    header.clone(),
                    format!(
                        "{label} needs \"hold\" (a duration, for a stretch held still) or \"reps\" (a number of repetitions)"
                    ),
                );
                None
            }
            (Some(h), None) => {
                for key in ["tempo", "rep_time"] {
                    if let Some(e) = f.get(key) {
                        self.error(
                            e.key_span.clone(),
                            format!("\"{key}\" is for reps, but {label} is a hold"),
                        );
                    }
                }
                let time = self.duration(h, ex_zero_ok("hold"));
                let count_every = f
                    .get("count_every")
                    .and_then(|e| self.duration(e, ex_zero_ok("count_every")));
                let cues = match (f.get("cues"), time) {
                    (Some(e), Some(t)) => self.cues(e, t),
                    _ => Vec::new(),
                };
                if let (Some(t), Some(every), Some(e)) = (time, count_every, f.get("count_every"))
                    && every >= t
                {
                    self.error(
                        e.span(),
                        format!("\"count_every\" ({every}) must be shorter than the hold ({t})"),
                    );
                }
                time.map(|time| {
                    Work::Hold(Hold {
                        time,
                        cues,
                        count_every,
                        halfway: inherited.halfway.unwrap_or(true),
                    })
                })
            }
            (None, Some(r)) => {
                for key in ["cues", "count_every", "halfway"] {
                    if let Some(e) = f.get(key) {
                        self.error(
                            e.key_span.clone(),
                            format!("\"{key}\" is for holds, but {label} counts reps"),
                        );
                    }
                }
                let (lo, hi) = keys::range(keys::EXERCISE, "reps");
                let count = self.int(r, lo, hi);
                let tempo = match (f.get("tempo"), f.get("rep_time")) {
                    (Some(_), Some(rt)) => {
                        self.error(
                            rt.key_span.clone(),
                            "\"rep_time\" has no effect when \"tempo\" is given; remove one of them",
                        );
                        None
                    }
                    (Some(t), None) => self.tempo(t),
                    (None, _) => Some(vec![Phase {
                        say: None,
                        time: inherited.rep_time.unwrap_or(DEFAULT_REP_TIME),
                        span: r.span(),
                    }]),
                };
                match (count, tempo) {
                    (Some(reps), Some(tempo)) => Some(Work::Reps(Reps { reps, tempo })),
                    _ => None,
                }
            }
        };

        let sets = match f.get("sets") {
            Some(e) => {
                let (lo, hi) = keys::range(keys::EXERCISE, "sets");
                self.int(e, lo, hi)
            }
            None => Some(1),
        };
        let sides = match f.get("sides") {
            Some(e) => self.sides(e),
            None => Some(Vec::new()),
        };

        if self.diags.len() > before {
            return None;
        }
        let get_ready = inherited.get_ready.unwrap_or(DEFAULT_GET_READY);
        let rest = inherited.rest.unwrap_or(DEFAULT_REST);
        Some(Exercise {
            name: name?,
            span: name_entry.map_or(header, |e| e.span()),
            say,
            work: work?,
            count: inherited.count.unwrap_or(Count::Voice),
            sets: sets?,
            set_rest: inherited.set_rest.unwrap_or(rest),
            sides: sides?,
            switch: inherited.switch.unwrap_or(get_ready),
            get_ready,
            rest,
            countdown: inherited.countdown.unwrap_or(DEFAULT_COUNTDOWN),
            announce_in_rest: inherited.announce_in_rest.unwrap_or(false),
        })
    }

    fn tempo(&mut self, e: &Entry<'_, '_>) -> Option<Vec<Phase>> {
        let DeValue::Array(items) = e.value.get_ref() else {
            self.error(
                e.span(),
                format!(
                    "\"tempo\" must be a list of phases like {{ say = \"Inhale.\", time = \"4s\" }}, found {}",
                    kind_name(e.value.get_ref())
                ),
            );
            return None;
        };
        if items.is_empty() {
            self.error(e.span(), "\"tempo\" needs at least one phase");
            return None;
        }
        let mut phases = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            let DeValue::Table(t) = item.get_ref() else {
                self.error(
                    item.span(),
                    format!(
                        "a tempo phase must be a table like {{ say = \"Inhale.\", time = \"4s\" }}, found {}",
                        kind_name(item.get_ref())
                    ),
                );
                ok = false;
                continue;
            };
            let f = self.fields(t, &keys::names(keys::PHASE), "a tempo phase");
            let say = f.get("say").map(|e| self.text(e));
            let time = match f.get("time") {
                Some(e) => self.duration(e, keys::zero_ok(keys::PHASE, "time")),
                None if f.misspelt(&["time"]) => None,
                None => {
                    self.error(
                        item.span(),
                        "a tempo phase needs \"time\", e.g. time = \"4s\"",
                    );
                    None
                }
            };
            match (say, time) {
                (Some(None), _) | (_, None) => ok = false,
                (say, Some(time)) => phases.push(Phase {
                    say: say.flatten(),
                    time,
                    span: item.span(),
                }),
            }
        }
        ok.then_some(phases)
    }

    fn cues(&mut self, e: &Entry<'_, '_>, hold: Dur) -> Vec<Cue> {
        let DeValue::Array(items) = e.value.get_ref() else {
            self.error(
                e.span(),
                format!(
                    "\"cues\" must be a list like [{{ at = \"15s\", say = \"Breathe.\" }}], found {}",
                    kind_name(e.value.get_ref())
                ),
            );
            return Vec::new();
        };
        let mut cues = Vec::new();
        for item in items.iter() {
            let DeValue::Table(t) = item.get_ref() else {
                self.error(
                    item.span(),
                    format!(
                        "a cue must be a table like {{ at = \"15s\", say = \"Breathe.\" }}, found {}",
                        kind_name(item.get_ref())
                    ),
                );
                continue;
            };
            let f = self.fields(t, &keys::names(keys::CUE), "a cue");
            let say = match f.get("say") {
                Some(e) => self.text(e),
                None if f.misspelt(&["say"]) => None,
                None => {
                    self.error(item.span(), "a cue needs \"say\": the words to speak");
                    None
                }
            };
            let when = match (f.get("at"), f.get("every")) {
                (Some(_), Some(ev)) => {
                    self.error(
                        ev.key_span.clone(),
                        "a cue has \"at\" or \"every\", not both",
                    );
                    None
                }
                (None, None) if f.misspelt(&["at", "every"]) => None,
                (None, None) => {
                    self.error(
                        item.span(),
                        "a cue needs \"at\" (once) or \"every\" (repeating), e.g. at = \"15s\"",
                    );
                    None
                }
                (Some(a), None) => self
                    .duration(a, keys::zero_ok(keys::CUE, "at"))
                    .and_then(|d| {
                        if d >= hold {
                            self.error(
                                a.span(),
                                format!("this cue at {d} is not within the {hold} hold"),
                            );
                            None
                        } else {
                            Some(CueTime::At(d))
                        }
                    }),
                (None, Some(ev)) => self
                    .duration(ev, keys::zero_ok(keys::CUE, "every"))
                    .and_then(|d| {
                        if d >= hold {
                            self.error(
                                ev.span(),
                                format!("this cue every {d} never sounds within the {hold} hold"),
                            );
                            None
                        } else {
                            Some(CueTime::Every(d))
                        }
                    }),
            };
            if let (Some(say), Some(when)) = (say, when) {
                cues.push(Cue {
                    when,
                    say,
                    span: item.span(),
                });
            }
        }
        cues
    }

    fn sides(&mut self, e: &Entry<'_, '_>) -> Option<Vec<String>> {
        let (lo, hi) = keys::SIDES;
        let DeValue::Array(items) = e.value.get_ref() else {
            self.error(
                e.span(),
                format!(
                    "\"sides\" must be a list of {lo} to {hi} names like [\"left leg\", \"right leg\"], found {}",
                    kind_name(e.value.get_ref())
                ),
            );
            return None;
        };
        if !(lo..=hi).contains(&items.len()) {
            self.error(
                e.span(),
                format!(
                    "\"sides\" must list {lo} to {hi} sides, found {}",
                    items.len()
                ),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match self.item_text("sides", item) {
                Some(t) => out.push(t),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `[phrases]` laid over the built-in phrases of the routine's language.
    fn phrases(&mut self, e: &Entry<'_, '_>, built_in: Phrases) -> Option<Phrases> {
        let DeValue::Table(t) = e.value.get_ref() else {
            self.error(
                e.span(),
                format!(
                    "\"phrases\" must be a table, found {}",
                    kind_name(e.value.get_ref())
                ),
            );
            return None;
        };
        let names: Vec<&str> = PhraseKey::ALL.iter().map(|k| k.name()).collect();
        let f = self.fields(t, &names, "[phrases]");
        let mut phrases = built_in;
        let mut ok = true;
        for entry in &f.entries {
            let Some(key) = PhraseKey::from_name(entry.key) else {
                continue;
            };
            if key.may_be_empty()
                && matches!(entry.value.get_ref(), DeValue::String(s) if s.is_empty())
            {
                phrases.set(key, Template::parse(key, "").expect("empty parses"));
                continue;
            }
            let Some(text) = self.text(entry) else {
                ok = false;
                continue;
            };
            match Template::parse(key, &text) {
                Ok(t) => phrases.set(key, t),
                Err(err) => {
                    ok = false;
                    let span = self.span_in_string(entry.value, &text, err.offset, err.len);
                    self.error(span, err.message);
                }
            }
        }
        ok.then_some(phrases)
    }

    fn count(&mut self, e: &Entry<'_, '_>) -> Option<Count> {
        self.choice(e, keys::COUNT_CHOICES).map(|i| Count::ALL[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Routine, Vec<String>> {
        let source = SourceFile::new("t.toml", text);
        parse(&source).map_err(|ds| ds.iter().map(|d| source.headline(d)).collect())
    }

    const MINIMAL: &str = "title = \"T\"\n[[exercise]]\nname = \"E\"\nhold = \"30s\"\n";

    #[test]
    fn minimal_routine_gets_every_default() {
        let r = load(MINIMAL).unwrap();
        assert_eq!(r.title, "T");
        assert_eq!(r.language, "en");
        assert_eq!(r.rounds, 1);
        assert_eq!(r.round_rest, Dur::from_secs(10));
        let e = &r.exercises[0];
        assert_eq!(e.get_ready, Dur::from_secs(5));
        assert_eq!(e.rest, Dur::from_secs(10));
        assert_eq!(e.set_rest, Dur::from_secs(10));
        assert_eq!(e.switch, Dur::from_secs(5));
        assert_eq!(e.countdown, 3);
        assert_eq!(e.sets, 1);
        assert_eq!(e.count, Count::Voice);
        assert!(e.sides.is_empty() && e.say.is_empty());
        let Work::Hold(h) = &e.work else {
            panic!("hold expected")
        };
        assert_eq!(h.time, Dur::from_secs(30));
        assert!(h.halfway);
        assert_eq!(h.count_every, None);
    }

    #[test]
    fn defaults_inherit_and_exercises_override() {
        let r = load(
            r#"
title = "T"
[defaults]
get_ready = "3s"
rest = 0
countdown = 5
halfway = false
rep_time = "2s"
count = "tone"
[[exercise]]
name = "A"
reps = 4
[[exercise]]
name = "B"
hold = 40
rest = "20s"
get_ready = "1.5s"
"#,
        )
        .unwrap();
        let a = &r.exercises[0];
        assert_eq!(a.get_ready, Dur::from_secs(3));
        assert_eq!(a.rest, Dur::ZERO);
        assert_eq!(a.set_rest, Dur::ZERO, "set_rest follows rest");
        assert_eq!(a.switch, Dur::from_secs(3), "switch follows get_ready");
        assert_eq!(a.countdown, 5);
        assert_eq!(a.count, Count::Tone);
        let Work::Reps(reps) = &a.work else { panic!() };
        assert_eq!(reps.rep_time(), Dur::from_secs(2));
        let b = &r.exercises[1];
        assert_eq!(b.rest, Dur::from_secs(20));
        assert_eq!(b.set_rest, Dur::from_secs(20));
        assert_eq!(b.switch, Dur::from_millis(1500));
        let Work::Hold(h) = &b.work else { panic!() };
        assert!(!h.halfway);
        assert_eq!(r.round_rest, Dur::ZERO, "round_rest follows defaults.rest");
    }

    #[test]
    fn every_key_is_read() {
        let r = load(
            r#"
title = "Full"
about = "All keys."
language = "en-GB"
rounds = 3
round_rest = "45s"
[phrases]
rest = "Breather. Then {next}."
[[exercise]]
name = "Hold"
say = ["One.", "Two."]
hold = "1m"
count = "off"
count_every = "15s"
sets = 2
set_rest = "20s"
sides = ["Left", "Right", "Middle"]
switch = "7s"
get_ready = "4s"
rest = "12s"
countdown = 0
halfway = false
cues = [{ at = "5s", say = "Five." }, { every = "20s", say = "Twenty." }]
[[exercise]]
name = "Reps"
reps = 9
tempo = [{ say = "Up.", time = "1.5s" }, { time = "500ms" }]
"#,
        )
        .unwrap();
        assert_eq!(
            (r.about.as_deref(), r.language.as_str(), r.rounds),
            (Some("All keys."), "en-GB", 3)
        );
        assert_eq!(r.round_rest, Dur::from_secs(45));
        let v = super::super::Values {
            next: "X",
            ..Default::default()
        };
        assert_eq!(r.phrases.fill(PhraseKey::Rest, &v), "Breather. Then X.");
        let e = &r.exercises[0];
        assert_eq!(e.say, ["One.", "Two."]);
        assert_eq!((e.count, e.sets, e.countdown), (Count::Off, 2, 0));
        assert_eq!(e.set_rest, Dur::from_secs(20));
        assert_eq!(e.sides, ["Left", "Right", "Middle"]);
        assert_eq!(
            (e.switch, e.get_ready, e.rest),
            (Dur::from_secs(7), Dur::from_secs(4), Dur::from_secs(12))
        );
        let Work::Hold(h) = &e.work else { panic!() };
        assert_eq!(h.time, Dur::from_secs(60));
        assert_eq!(h.count_every, Some(Dur::from_secs(15)));
        assert!(!h.halfway);
        let cues: Vec<(CueTime, &str)> = h.cues.iter().map(|c| (c.when, c.say.as_str())).collect();
        assert_eq!(
            cues,
            [
                (CueTime::At(Dur::from_secs(5)), "Five."),
                (CueTime::Every(Dur::from_secs(20)), "Twenty.")
            ]
        );
        let Work::Reps(reps) = &r.exercises[1].work else {
            panic!()
        };
        assert_eq!(reps.reps, 9);
        let phases: Vec<(Option<&str>, Dur)> = reps
            .tempo
            .iter()
            .map(|p| (p.say.as_deref(), p.time))
            .collect();
        assert_eq!(
            phases,
            [
                (Some("Up."), Dur::from_millis(1500)),
                (None, Dur::from_millis(500))
            ]
        );
    }

    #[test]
    fn reports_all_errors_in_file_order() {
        let errors = load(
            r#"title = ""
rounds = 0
[[exercise]]
name = "A"
hodl = "30s"
[[exercise]]
name = "B"
reps = 5
cues = []
"#,
        )
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                "t.toml:1:9: error: \"title\" must not be empty",
                "t.toml:2:10: error: \"rounds\" must be from 1 to 100, found 0",
                // Not "A needs hold or reps": that follows from the typo.
                "t.toml:5:1: error: unknown key \"hodl\" in [[exercise]] (did you mean \"hold\"?)",
                "t.toml:9:1: error: \"cues\" is for holds, but \"B\" counts reps",
            ]
        );
    }
}
