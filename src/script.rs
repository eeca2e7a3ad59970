//! Turning a routine into a script: the announcements in speaking order and
//! the timed periods with the sounds each wants at exact offsets. No audio
//! yet, and no clip lengths: those are the plan's business.

use crate::routine::{Count, CueTime, Exercise, Hold, PhraseKey, Reps, Routine, Values, Work};
use crate::source::{Diagnostic, Span};
use crate::timeline::time::{RATE, length};
use crate::timeline::tone::{PAUSE, TONE_GAP, after_tone};
use crate::timeline::{Dur, PeriodKind, Place, Sound, ToneKind};

/// The longest session a routine may describe, counting only its timed
/// periods: beyond this a render would run for hours and play for days.
pub const MAX_SESSION: Dur = Dur::from_secs(48 * 3600);
/// The most sounds a session may hold, so that no routine can make the
/// plan exhaust memory.
pub const MAX_SOUNDS: usize = 200_000;

/// What a routine may make coach say, checked before anything is
/// synthesized, so that no routine can make the voice, the cache or the
/// memory of coach grow without bound (a filled-in phrase repeats every
/// name it holds; a text can be repeated round after round).
pub mod budget {
    use crate::timeline::Dur;

    /// The longest text spoken, once its phrase is filled in: what a
    /// routine may write as one text.
    pub const TEXT_CHARS: usize = crate::source::walk::MAX_TEXT_CHARS;
    /// The most characters of distinct texts, each synthesized once.
    pub const SPEECH_CHARS: usize = 30_000;
    /// The most distinct texts: clips synthesized and cached.
    pub const CLIPS: usize = 10_000;
    /// The most speech of distinct texts: estimated from their length
    /// before synthesis ([`super::estimated_len`]), counted exactly as the
    /// voice speaks them. With 16-bit clips at the session rate, the
    /// cache of one routine stays under 80 MB.
    pub const SPEECH: Dur = Dur::from_secs(30 * 60);
    /// The most characters spoken in all, repeats included: what the
    /// script keeps in memory.
    pub const SCRIPT_CHARS: usize = 4_000_000;
}

/// A speech length for `text` that depends only on the text: about what
/// espeak-ng takes at 160 words a minute, never zero.
pub fn estimated_len(text: &str) -> u64 {
    1000 + text.chars().count() as u64 * 1400
}

/// Which sound gives way when two collide, highest first (ROUTINE-FORMAT.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// The rest phrase, alone in its period.
    Announcement,
    Countdown,
    RepCount,
    TempoPhrase,
    Halfway,
    Cue,
    SecondsCount,
}

/// A sound that wants to start at a fixed offset in its period.
#[derive(Clone, Debug)]
pub struct Timed {
    /// The wanted start, in samples from the period's start.
    pub offset: u64,
    /// The latest start that still serves the sound's purpose; equal to
    /// `offset` for sounds that must be exact (countdowns, ticks).
    pub latest: u64,
    pub sound: Sound,
    pub priority: Priority,
    pub rep: Option<u32>,
    /// Where the routine asked for it, if it did (cues, tempo phrases).
    pub span: Option<Span>,
    pub fit: Fit,
}

/// How a sound relates to the sounds around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// On its own: moved from its offset or dropped only by a collision,
    /// and reported either way.
    Alone,
    /// Part of the announcement of an exercise (`exercise`, of `round`)
    /// moved into the rest before it: said after the sound before it if
    /// the rest has room, else after the rest (and reported), as are the
    /// ones after it. Its place is the exercise it announces.
    InRest { round: u32, exercise: usize },
}

/// A timed stretch of the session whose length is part of the contract.
#[derive(Clone, Debug)]
pub struct Period {
    pub kind: PeriodKind,
    /// Exact length in samples.
    pub len: u64,
    pub place: Place,
    /// A start tone at offset 0 (work periods).
    pub start_tone: bool,
    /// An end tone at offset `len` (work periods).
    pub end_tone: bool,
    pub sounds: Vec<Timed>,
}

/// One step of the script.
#[derive(Clone, Debug)]
pub enum Step {
    /// An announcement line, spoken after whatever came before.
    Say {
        text: String,
        place: Place,
    },
    Period(Period),
}

/// What the plan needs to know about each exercise to name it.
#[derive(Clone, Debug)]
pub struct ExerciseInfo {
    pub name: String,
    pub sides: Vec<String>,
    pub sets: u32,
    pub span: Span,
}

/// A routine as a sequence of announcements and timed periods.
#[derive(Clone, Debug)]
pub struct Script {
    pub title: String,
    pub rounds: u32,
    pub exercises: Vec<ExerciseInfo>,
    pub steps: Vec<Step>,
}

impl Script {
    /// Every distinct text the script speaks, in first-use order.
    pub fn texts(&self) -> Vec<&str> {
        self.texts_before(self.steps.len())
    }

    /// Every distinct text the steps before `cut` speak, in first-use
    /// order.
    pub fn texts_before(&self, cut: usize) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut add = |t: &'_ str| {
            if seen.insert(t.to_string()) {
                Some(())
            } else {
                None
            }
        };
        for step in &self.steps[..cut.min(self.steps.len())] {
            match step {
                Step::Say { text, .. } => {
                    if add(text).is_some() {
                        out.push(text.as_str());
                    }
                }
                Step::Period(p) => {
                    for s in &p.sounds {
                        if let Sound::Speech(t) = &s.sound
                            && add(t).is_some()
                        {
                            out.push(t.as_str());
                        }
                    }
                }
            }
        }
        out
    }
}

/// Builds the script of a routine. Fails only when the session would be
/// beyond [`MAX_SESSION`] or [`MAX_SOUNDS`].
pub fn build(routine: &Routine) -> Result<Script, Diagnostic> {
    let periods = check_length(routine)?;
    let mut b = Builder {
        routine,
        steps: Vec::new(),
        sounds: 0,
        span: 0..0,
        distinct: std::collections::HashSet::new(),
        distinct_chars: 0,
        distinct_speech: 0,
        chars: 0,
        announced: 0,
        relaxed: false,
    };
    b.session()?;
    // Announcements are spoken between the periods: they make the session
    // longer by as long as they take.
    let total = periods + b.announced as u128 * 1_000_000 / RATE as u128;
    b.overview(Dur::from_micros(total.min(u64::MAX as u128) as u64))?;
    if total > MAX_SESSION.micros() as u128 {
        return Err(Diagnostic::error(
            0..0,
            format!(
                "this routine would last more than {} hours with its announcements; a session may be at most {} hours long",
                total / 3_600_000_000,
                MAX_SESSION.micros() / 3_600_000_000
            ),
        ));
    }
    Ok(Script {
        title: routine.title.clone(),
        rounds: routine.rounds,
        exercises: routine
            .exercises
            .iter()
            .map(|e| ExerciseInfo {
                name: e.name.clone(),
                sides: e.sides.clone(),
                sets: e.sets,
                span: e.span.clone(),
            })
            .collect(),
        steps: b.steps,
    })
}

/// The sum of the timed periods in microseconds, computed without building
/// them.
fn check_length(routine: &Routine) -> Result<u128, Diagnostic> {
    let mut per_round: u128 = 0;
    for (i, e) in routine.exercises.iter().enumerate() {
        let units = (e.sets as u128) * (e.sides.len().max(1) as u128);
        let work = match &e.work {
            Work::Hold(h) => h.time.micros() as u128,
            Work::Reps(r) => r.reps as u128 * r.rep_time().micros() as u128,
        };
        let sides = e.sides.len().max(1) as u128;
        per_round += units * work
            + e.get_ready.micros() as u128
            + (e.sets as u128) * (sides - 1) * e.switch.micros() as u128
            + (e.sets as u128 - 1) * e.set_rest.micros() as u128;
        if i + 1 < routine.exercises.len() {
            per_round += e.rest.micros() as u128;
        }
    }
    let total = per_round * routine.rounds as u128
        + (routine.rounds as u128 - 1) * routine.round_rest.micros() as u128;
    if total > MAX_SESSION.micros() as u128 {
        let hours = total / 3_600_000_000;
        return Err(Diagnostic::error(
            0..0,
            format!(
                "this routine would last more than {hours} hours; a session may be at most {} hours long",
                MAX_SESSION.micros() / 3_600_000_000
            ),
        ));
    }
    Ok(total)
}

struct Builder<'r> {
    routine: &'r Routine,
    steps: Vec<Step>,
    sounds: usize,
    /// Where the steps being built come from: the exercise's table.
    span: Span,
    /// The budget spent so far (see [`budget`]).
    distinct: std::collections::HashSet<String>,
    distinct_chars: usize,
    distinct_speech: u64,
    chars: usize,
    /// The estimated length of every announcement, repeats included.
    announced: u64,
    /// The last work was followed by "And relax.".
    relaxed: bool,
}

const SECOND: u64 = RATE;

impl Builder<'_> {
    /// Spends the budget for one spoken text; an error at the exercise
    /// being built once a limit is passed.
    fn spoken(&mut self, text: &str) -> Result<(), Diagnostic> {
        let chars = text.chars().count();
        let over = |what: String| Err(Diagnostic::error(self.span.clone(), what));
        if chars > budget::TEXT_CHARS {
            let start: String = text.chars().take(40).collect();
            return over(format!(
                "a text spoken here is {chars} characters long once its phrase is filled in (\"{start}…\"); a spoken text may have at most {}: shorten the phrase or the names and texts it repeats",
                budget::TEXT_CHARS
            ));
        }
        self.chars += chars;
        if self.chars > budget::SCRIPT_CHARS {
            return over(format!(
                "by here this routine speaks more than {} characters in all; make it shorter, or its texts and phrases shorter",
                budget::SCRIPT_CHARS
            ));
        }
        if self.distinct.contains(text) {
            return Ok(());
        }
        self.distinct.insert(text.to_string());
        self.distinct_chars += chars;
        self.distinct_speech += estimated_len(text);
        if self.distinct.len() > budget::CLIPS {
            return over(format!(
                "by here this routine has more than {} different texts to speak; use fewer, or count less often",
                budget::CLIPS
            ));
        }
        if self.distinct_chars > budget::SPEECH_CHARS
            || self.distinct_speech > budget::SPEECH.samples()
        {
            return over(format!(
                "by here this routine has more than {} characters ({} minutes) of different texts to speak, the most a routine may have; shorten its texts and names",
                budget::SPEECH_CHARS,
                budget::SPEECH.micros() / 60_000_000
            ));
        }
        Ok(())
    }

    fn say(&mut self, text: String, place: &Place) -> Result<(), Diagnostic> {
        self.spoken(&text)?;
        self.announced += estimated_len(&text);
        self.sounds += 1;
        if self.sounds > MAX_SOUNDS {
            return Err(Diagnostic::error(
                self.span.clone(),
                format!(
                    "this routine has more than {MAX_SOUNDS} sounds by here; make holds shorter, counts rarer or reps fewer"
                ),
            ));
        }
        self.steps.push(Step::Say {
            text,
            place: place.clone(),
        });
        Ok(())
    }

    fn period(&mut self, period: Period, span: &Span) -> Result<(), Diagnostic> {
        for timed in &period.sounds {
            if let Sound::Speech(text) = &timed.sound {
                self.spoken(text)?;
            }
        }
        self.sounds += period.sounds.len() + 2;
        if self.sounds > MAX_SOUNDS {
            return Err(Diagnostic::error(
                span.clone(),
                format!(
                    "this routine has more than {MAX_SOUNDS} sounds by here; make holds shorter, counts rarer or reps fewer"
                ),
            ));
        }
        if period.len > 0 || period.kind == PeriodKind::Work {
            self.steps.push(Step::Period(period));
        }
        Ok(())
    }

    /// The first words: the title and the session's size, filled in once
    /// the length of everything else is known, and the routine's intro.
    fn overview(&mut self, total: Dur) -> Result<(), Diagnostic> {
        let r = self.routine;
        let phrases = &r.phrases;
        let (exercises, length) = (phrases.exercises(r.exercises.len()), phrases.about(total));
        let v = Values {
            title: &r.title,
            rounds: r.rounds,
            exercises: &exercises,
            length: &length,
            ..Values::default()
        };
        let place = Place {
            round: 1,
            ..Place::default()
        };
        self.span = 0..0;
        let before = self.steps.len();
        self.say(phrases.fill(PhraseKey::Start, &v), &place)?;
        if let Some(intro) = &r.intro {
            self.say(intro.clone(), &place)?;
        }
        // Said last, heard first.
        let said = self.steps.len() - before;
        self.steps.rotate_right(said);
        Ok(())
    }

    fn session(&mut self) -> Result<(), Diagnostic> {
        let r = self.routine;
        let phrases = &r.phrases;
        let base = Values {
            title: &r.title,
            rounds: r.rounds,
            ..Values::default()
        };
        for round in 1..=r.rounds {
            let round_place = Place {
                round,
                ..Place::default()
            };
            if r.rounds > 1 {
                let v = Values {
                    round,
                    ..base.clone()
                };
                self.say(phrases.fill(PhraseKey::Round, &v), &round_place)?;
            }
            for (index, ex) in r.exercises.iter().enumerate() {
                self.exercise(round, index, ex)?;
                let place = Place {
                    round,
                    exercise: Some(index),
                    ..Place::default()
                };
                let last_exercise = index + 1 == r.exercises.len();
                if last_exercise && round == r.rounds {
                    self.say(phrases.fill(PhraseKey::Done, &base), &place)?;
                } else {
                    let (len, next) = if last_exercise {
                        (r.round_rest, &r.exercises[0])
                    } else {
                        (ex.rest, &r.exercises[index + 1])
                    };
                    let rest = phrases.duration(len);
                    let v = Values {
                        next: &next.name,
                        name: &ex.name,
                        rest: &rest,
                        ..base.clone()
                    };
                    let mut texts = vec![phrases.fill(PhraseKey::Rest, &v)];
                    if next.announce_in_rest && !len.is_zero() {
                        texts.extend(self.announcement(next));
                    }
                    let announces = if last_exercise {
                        Fit::InRest {
                            round: round + 1,
                            exercise: 0,
                        }
                    } else {
                        Fit::InRest {
                            round,
                            exercise: index + 1,
                        }
                    };
                    self.rest(len, texts, place, &ex.span, &next.span, announces)?;
                }
            }
        }
        Ok(())
    }

    /// What announces `ex`: its name and dose, and its instructions.
    fn announcement(&self, ex: &Exercise) -> Vec<String> {
        let phrases = &self.routine.phrases;
        let dose = phrases.dose(ex);
        let (hold, reps) = match &ex.work {
            Work::Hold(h) => (phrases.duration(h.time), String::new()),
            Work::Reps(r) => (String::new(), r.reps.to_string()),
        };
        let v = Values {
            title: &self.routine.title,
            name: &ex.name,
            sets: ex.sets,
            rounds: self.routine.rounds,
            hold: &hold,
            reps: &reps,
            dose: &dose,
            ..Values::default()
        };
        let mut texts = vec![phrases.fill(PhraseKey::Exercise, &v)];
        texts.extend(ex.say.iter().cloned());
        texts.retain(|t| !t.trim().is_empty());
        texts
    }

    /// A rest: its phrase, then (when the next exercise is announced in
    /// the rest) that announcement, located at `next` if it does not fit.
    fn rest(
        &mut self,
        len: Dur,
        texts: Vec<String>,
        place: Place,
        span: &Span,
        next: &Span,
        announces: Fit,
    ) -> Result<(), Diagnostic> {
        let len = len.samples();
        // After "And relax.", the pause between utterances; else the gap
        // after the end tone.
        let offset = if self.relaxed { PAUSE } else { TONE_GAP };
        let sounds = texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| Timed {
                offset,
                latest: len,
                sound: Sound::Speech(text),
                priority: Priority::Announcement,
                rep: None,
                span: (i > 0).then(|| next.clone()),
                fit: if i == 0 { Fit::Alone } else { announces },
            })
            .collect();
        self.period(
            Period {
                kind: PeriodKind::Rest,
                len,
                place,
                start_tone: false,
                end_tone: false,
                sounds,
            },
            span,
        )
    }

    fn exercise(&mut self, round: u32, index: usize, ex: &Exercise) -> Result<(), Diagnostic> {
        self.span = ex.span.clone();
        let phrases = &self.routine.phrases;
        let sides = ex.sides.len().max(1);
        // What the phrases said around the work can name ("last_rep" its
        // reps); the announcement says the rest.
        let reps_words = match &ex.work {
            Work::Hold(_) => String::new(),
            Work::Reps(r) => r.reps.to_string(),
        };
        let set_rest = phrases.duration(ex.set_rest);
        for set in 1..=ex.sets {
            for side in 0..sides {
                let place = Place {
                    round,
                    exercise: Some(index),
                    set: Some(set),
                    side: (!ex.sides.is_empty()).then_some(side),
                    rep: None,
                };
                let v = Values {
                    title: &self.routine.title,
                    name: &ex.name,
                    side: ex.sides.get(side).map_or("", String::as_str),
                    set,
                    sets: ex.sets,
                    round,
                    rounds: self.routine.rounds,
                    reps: &reps_words,
                    rest: &set_rest,
                    ..Values::default()
                };
                let (kind, len) = if set == 1 && side == 0 {
                    // Announced in the rest before it, if there was one.
                    let rest_before = if index > 0 {
                        self.routine.exercises[index - 1].rest
                    } else if round > 1 {
                        self.routine.round_rest
                    } else {
                        Dur::ZERO
                    };
                    let said_in_rest = ex.announce_in_rest && !rest_before.is_zero();
                    if !said_in_rest {
                        for text in self.announcement(ex) {
                            self.say(text, &place)?;
                        }
                    }
                    if ex.sets > 1 {
                        self.say(phrases.fill(PhraseKey::Set, &v), &place)?;
                    }
                    if !ex.sides.is_empty() {
                        self.say(phrases.fill(PhraseKey::Side, &v), &place)?;
                    }
                    (PeriodKind::GetReady, ex.get_ready)
                } else if side == 0 {
                    // A rest between sets is announced as a rest: what is
                    // said next is not the set starting.
                    let key = if ex.set_rest.is_zero() {
                        PhraseKey::Set
                    } else {
                        PhraseKey::SetRest
                    };
                    self.say(phrases.fill(key, &v), &place)?;
                    if !ex.sides.is_empty() {
                        self.say(phrases.fill(PhraseKey::Side, &v), &place)?;
                    }
                    (PeriodKind::SetRest, ex.set_rest)
                } else {
                    self.say(phrases.fill(PhraseKey::Switch, &v), &place)?;
                    (PeriodKind::Switch, ex.switch)
                };
                let len = len.samples();
                let sounds = countdown(ex, len, 0);
                self.period(
                    Period {
                        kind,
                        len,
                        place: place.clone(),
                        start_tone: false,
                        end_tone: false,
                        sounds,
                    },
                    &ex.span,
                )?;
                let budget = MAX_SOUNDS.saturating_sub(self.sounds);
                let work = match &ex.work {
                    Work::Hold(h) => hold(ex, h, phrases.fill(PhraseKey::Halfway, &v), budget),
                    Work::Reps(r) => reps(ex, r, phrases.fill(PhraseKey::LastRep, &v), budget),
                };
                // The end tone sounds when the work ends; it must not cut
                // into the start tone.
                let shortest = ToneKind::Start.samples();
                if work.0 < shortest {
                    // As written, not as rounded to samples: "1µs" is not "0s".
                    let asked = match &ex.work {
                        Work::Hold(h) => h.time,
                        Work::Reps(r) => Dur::from_micros(r.reps as u64 * r.rep_time().micros()),
                    };
                    return Err(Diagnostic::error(
                        ex.span.clone(),
                        format!(
                            "the work of \"{}\" lasts {asked}{}; it must last at least {} so that its start tone ends before its end tone",
                            crate::guard::text::shown_short(&ex.name, 60),
                            if work.0 == 0 {
                                ", less than one sample"
                            } else {
                                ""
                            },
                            length(shortest)
                        ),
                    ));
                }
                self.period(
                    Period {
                        kind: PeriodKind::Work,
                        len: work.0,
                        place: place.clone(),
                        start_tone: true,
                        end_tone: true,
                        sounds: work.1,
                    },
                    &ex.span,
                )?;
                // The end is said as well as sounded, so that it is never
                // taken for a start.
                let relax = phrases.fill(PhraseKey::Relax, &v);
                self.relaxed = !relax.trim().is_empty();
                if self.relaxed {
                    self.say(relax, &place)?;
                }
            }
        }
        Ok(())
    }
}

/// The countdown into the tone at the end of a period of `len` samples:
/// "N" exactly N seconds before it, from the largest N that fits after
/// `earliest`.
fn countdown(ex: &Exercise, len: u64, earliest: u64) -> Vec<Timed> {
    (1..=ex.countdown as u64)
        .rev()
        .filter(|n| n * SECOND <= len && len - n * SECOND >= earliest)
        .map(|n| {
            let offset = len - n * SECOND;
            Timed {
                offset,
                latest: offset,
                sound: match ex.count {
                    Count::Tone => Sound::Tone(ToneKind::Countdown),
                    Count::Voice | Count::Off => Sound::Speech(n.to_string()),
                },
                priority: Priority::Countdown,
                rep: None,
                span: None,
                fit: Fit::Alone,
            }
        })
        .collect()
}

/// A hold's length and sounds.
/// Generation stops a little past `budget` sounds: the caller then refuses
/// the routine, and no routine can make this allocate without bound.
fn hold(ex: &Exercise, h: &Hold, halfway: String, budget: usize) -> (u64, Vec<Timed>) {
    let len = h.time.samples();
    // Speech in a work period starts after the start tone.
    let earliest = after_tone(ToneKind::Start);
    let mut sounds = countdown(ex, len, earliest);
    let countdown_from = sounds.first().map_or(len, |t| t.offset);
    let us = h.time.micros();

    if h.halfway && h.time >= Dur::from_secs(20) {
        let offset = Dur::from_micros(us / 2).samples();
        sounds.push(Timed {
            offset,
            latest: offset + 2 * SECOND,
            sound: Sound::Speech(halfway),
            priority: Priority::Halfway,
            rep: None,
            span: None,
            fit: Fit::Alone,
        });
    }
    for cue in &h.cues {
        match cue.when {
            CueTime::At(at) => sounds.push(Timed {
                offset: at.samples(),
                latest: len,
                sound: Sound::Speech(cue.say.clone()),
                priority: Priority::Cue,
                rep: None,
                span: Some(cue.span.clone()),
                fit: Fit::Alone,
            }),
            CueTime::Every(every) => {
                let step = every.micros();
                let mut k = 1;
                while k * step < us && sounds.len() <= budget {
                    sounds.push(Timed {
                        offset: Dur::from_micros(k * step).samples(),
                        latest: Dur::from_micros(((k + 1) * step).min(us)).samples(),
                        sound: Sound::Speech(cue.say.clone()),
                        priority: Priority::Cue,
                        rep: None,
                        span: Some(cue.span.clone()),
                        fit: Fit::Alone,
                    });
                    k += 1;
                }
            }
        }
    }
    if let Some(every) = h.count_every
        && ex.count != Count::Off
    {
        let step = every.micros();
        let mut k = 1;
        while k * step < us && sounds.len() <= budget {
            let offset = Dur::from_micros(k * step).samples();
            // The countdown speaks over the last seconds; counting on into
            // it would only be dropped.
            if offset >= countdown_from {
                break;
            }
            let sound = match ex.count {
                Count::Tone => Sound::Tone(ToneKind::Tick),
                _ => Sound::Speech(seconds_text(k * step)),
            };
            let fixed = matches!(sound, Sound::Tone(_));
            sounds.push(Timed {
                offset,
                latest: if fixed {
                    offset
                } else {
                    Dur::from_micros(((k + 1) * step).min(us)).samples()
                },
                sound,
                priority: Priority::SecondsCount,
                rep: None,
                span: None,
                fit: Fit::Alone,
            });
            k += 1;
        }
    }
    (len, sounds)
}

/// Elapsed time as a count speaks it: whole seconds, or seconds with a
/// fraction ("90", "2.5").
fn seconds_text(us: u64) -> String {
    let whole = us / 1_000_000;
    let frac = us % 1_000_000;
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0'))
    }
}

/// A reps period's length and sounds.
fn reps(ex: &Exercise, r: &Reps, last: String, budget: usize) -> (u64, Vec<Timed>) {
    let rep_us = r.rep_time().micros();
    let len = Dur::from_micros(r.reps as u64 * rep_us).samples();
    let earliest = after_tone(ToneKind::Start);
    let mut sounds = Vec::new();
    for k in 0..r.reps as u64 {
        if sounds.len() > budget {
            break;
        }
        let rep = Some(k as u32 + 1);
        let mut phase_us = k * rep_us;
        for (j, phase) in r.tempo.iter().enumerate() {
            let start = Dur::from_micros(phase_us).samples();
            phase_us += phase.time.micros();
            let end = Dur::from_micros(phase_us).samples();
            // The first rep starts with the start tone; its words follow it.
            let at = if k == 0 && j == 0 { earliest } else { start };
            let span = Some(phase.span.clone());
            if j == 0 && ex.count == Count::Voice {
                // The count, then the phase's words as a sentence of their
                // own: "3. Arch your back and breathe in." A comma ("3,
                // Inhale") runs them together; a count alone, apart from
                // its words, is measured to be misheard far more often.
                let number = k + 1;
                let count = if number == r.reps as u64 && r.reps > 1 && !last.trim().is_empty() {
                    last.clone()
                } else {
                    number.to_string()
                };
                let text = match &phase.say {
                    Some(say) if count.ends_with(['.', '!', '?']) => format!("{count} {say}"),
                    Some(say) => format!("{count}. {say}"),
                    None => count,
                };
                sounds.push(Timed {
                    offset: at,
                    latest: end.max(at),
                    sound: Sound::Speech(text),
                    priority: Priority::RepCount,
                    rep,
                    span,
                    fit: Fit::Alone,
                });
                continue;
            }
            let mut phrase_at = at;
            if j == 0 && ex.count == Count::Tone && k > 0 {
                sounds.push(Timed {
                    offset: start,
                    latest: start,
                    sound: Sound::Tone(ToneKind::Tick),
                    priority: Priority::RepCount,
                    rep,
                    span: span.clone(),
                    fit: Fit::Alone,
                });
                phrase_at = start + after_tone(ToneKind::Tick);
            }
            if let Some(say) = &phase.say {
                sounds.push(Timed {
                    offset: phrase_at,
                    latest: end.max(phrase_at),
                    sound: Sound::Speech(say.clone()),
                    priority: Priority::TempoPhrase,
                    rep,
                    span,
                    fit: Fit::Alone,
                });
            }
        }
    }
    (len, sounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::script_of_text;
    use crate::routine::load;
    use crate::source::SourceFile;

    fn script(text: &str) -> Script {
        script_of_text(text).script
    }

    fn says(s: &Script) -> Vec<&str> {
        s.steps
            .iter()
            .filter_map(|st| match st {
                Step::Say { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn periods(s: &Script) -> Vec<(PeriodKind, u64)> {
        s.steps
            .iter()
            .filter_map(|st| match st {
                Step::Period(p) => Some((p.kind, p.len)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn announcements_follow_sets_and_sides() {
        let s = script(
            r#"title = "T"
[[exercise]]
name = "Lunge"
say = "Step forward."
sets = 2
sides = ["Left", "Right"]
hold = "10s"
switch = "2s"
set_rest = "7s"
"#,
        );
        assert_eq!(
            says(&s),
            [
                "T. 1 exercise, about 1 minute 20 seconds.",
                "Lunge. 2 sets of 10 seconds, each side.",
                "Step forward.",
                "Set 1 of 2.",
                "Left.",
                "And relax.",
                "Switch sides. Right.",
                "And relax.",
                "Rest, 7 seconds. Then set 2 of 2.",
                "Left.",
                "And relax.",
                "Switch sides. Right.",
                "And relax.",
                "Routine complete. Well done."
            ]
        );
        let sec = SECOND;
        assert_eq!(
            periods(&s),
            [
                (PeriodKind::GetReady, 5 * sec),
                (PeriodKind::Work, 10 * sec),
                (PeriodKind::Switch, 2 * sec),
                (PeriodKind::Work, 10 * sec),
                (PeriodKind::SetRest, 7 * sec),
                (PeriodKind::Work, 10 * sec),
                (PeriodKind::Switch, 2 * sec),
                (PeriodKind::Work, 10 * sec),
            ]
        );
    }

    fn first_rest(s: &Script) -> &Period {
        s.steps
            .iter()
            .find_map(|st| match st {
                Step::Period(p) if p.kind == PeriodKind::Rest => Some(p),
                _ => None,
            })
            .expect("a rest")
    }

    #[test]
    fn the_overview_and_intro_open_and_the_ends_of_work_are_said() {
        let text = r#"title = "T"
intro = "Never into pain."
[[exercise]]
name = "A"
hold = "20s"
[[exercise]]
name = "B"
reps = 2
announce_in_rest = true
"#;
        let s = script(text);
        assert_eq!(
            says(&s),
            [
                "T. 2 exercises, about 1 minute.",
                "Never into pain.",
                "A. 20 seconds.",
                "And relax.",
                "And relax.",
                "Routine complete. Well done."
            ]
        );
        // B is announced in the rest, after the rest's own words.
        let rest = first_rest(&s);
        let words: Vec<(&Sound, Fit)> = rest.sounds.iter().map(|t| (&t.sound, t.fit)).collect();
        assert_eq!(
            words,
            [
                (
                    &Sound::Speech("Rest, 10 seconds. Next: B.".into()),
                    Fit::Alone
                ),
                (
                    &Sound::Speech("B. 2 reps.".into()),
                    Fit::InRest {
                        round: 1,
                        exercise: 1
                    }
                ),
            ]
        );
        // After "And relax.", the rest's words wait the pause.
        assert_eq!(rest.sounds[0].offset, PAUSE);
        // Emptied, the end phrase and the last rep are not said; the
        // first exercise has no rest to be announced in.
        let s = script(&format!(
            "{}[phrases]\nrelax = \"\"\nlast_rep = \"\"\n",
            text.replace("name = \"A\"", "name = \"A\"\nannounce_in_rest = true")
        ));
        let said = says(&s);
        assert!(said.contains(&"A. 20 seconds."));
        assert!(!said.contains(&"And relax."), "{said:?}");
        let rest = first_rest(&s);
        assert_eq!(rest.sounds[0].offset, TONE_GAP);
        let counts: Vec<&Sound> = s
            .steps
            .iter()
            .filter_map(|st| match st {
                Step::Period(p) if p.kind == PeriodKind::Work => Some(p),
                _ => None,
            })
            .flat_map(|p| {
                p.sounds
                    .iter()
                    .filter(|t| t.rep.is_some())
                    .map(|t| &t.sound)
            })
            .collect();
        assert_eq!(
            counts,
            [&Sound::Speech("1".into()), &Sound::Speech("2".into())]
        );
    }

    #[test]
    fn rounds_rest_between_exercises_and_rounds() {
        let s = script(
            r#"title = "T"
rounds = 2
round_rest = "30s"
[[exercise]]
name = "A"
hold = "5s"
rest = "8s"
[[exercise]]
name = "B"
reps = 2
rest = "9s"
"#,
        );
        let kinds: Vec<_> = periods(&s);
        let sec = SECOND;
        assert_eq!(
            kinds,
            [
                (PeriodKind::GetReady, 5 * sec),
                (PeriodKind::Work, 5 * sec),
                (PeriodKind::Rest, 8 * sec),
                (PeriodKind::GetReady, 5 * sec),
                (PeriodKind::Work, 6 * sec),
                (PeriodKind::Rest, 30 * sec),
                (PeriodKind::GetReady, 5 * sec),
                (PeriodKind::Work, 5 * sec),
                (PeriodKind::Rest, 8 * sec),
                (PeriodKind::GetReady, 5 * sec),
                (PeriodKind::Work, 6 * sec),
            ]
        );
        assert_eq!(
            says(&s)[..3],
            [
                "T. 2 exercises, about 2 minutes.",
                "Round 1 of 2.",
                "A. 5 seconds."
            ]
        );
        assert!(says(&s).contains(&"Round 2 of 2."));
    }

    #[test]
    fn countdown_sits_whole_seconds_before_the_tone() {
        let s = script(
            "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"10s\"\nget_ready = \"2.5s\"\ncountdown = 5\n",
        );
        let Step::Period(get_ready) = &s.steps[2] else {
            panic!()
        };
        let offsets: Vec<(u64, Sound)> = get_ready
            .sounds
            .iter()
            .map(|t| (t.offset, t.sound.clone()))
            .collect();
        let len = get_ready.len;
        assert_eq!(len, 55_125);
        assert_eq!(
            offsets,
            [
                (len - 2 * SECOND, Sound::Speech("2".into())),
                (len - SECOND, Sound::Speech("1".into())),
            ]
        );
    }

    #[test]
    fn reps_with_tempo_place_every_phase_exactly() {
        let s = script(
            r#"title = "T"
[[exercise]]
name = "Cat-cow"
reps = 3
tempo = [{ say = "In.", time = "1.5s" }, { say = "Out.", time = "2.25s" }]
"#,
        );
        let Step::Period(work) = &s.steps[3] else {
            panic!()
        };
        assert_eq!(work.len, Dur::from_millis(3 * 3750).samples());
        let got: Vec<(u64, &Sound, Option<u32>)> = work
            .sounds
            .iter()
            .map(|t| (t.offset, &t.sound, t.rep))
            .collect();
        let at = |ms: u64| Dur::from_millis(ms).samples();
        let first = after_tone(ToneKind::Start);
        assert_eq!(
            got,
            [
                (first, &Sound::Speech("1. In.".into()), Some(1)),
                (at(1500), &Sound::Speech("Out.".into()), Some(1)),
                (at(3750), &Sound::Speech("2. In.".into()), Some(2)),
                (at(5250), &Sound::Speech("Out.".into()), Some(2)),
                (at(7500), &Sound::Speech("Last one. In.".into()), Some(3)),
                (at(9000), &Sound::Speech("Out.".into()), Some(3)),
            ]
        );
    }

    #[test]
    fn count_tone_ticks_reps_and_pips_the_countdown() {
        let s = script(
            r#"title = "T"
[[exercise]]
name = "A"
reps = 3
count = "tone"
tempo = [{ say = "Up.", time = "2s" }]
"#,
        );
        let Step::Period(get_ready) = &s.steps[2] else {
            panic!()
        };
        assert!(
            get_ready
                .sounds
                .iter()
                .all(|t| t.sound == Sound::Tone(ToneKind::Countdown))
        );
        assert_eq!(get_ready.sounds.len(), 3);
        let Step::Period(work) = &s.steps[3] else {
            panic!()
        };
        let ticks: Vec<u64> = work
            .sounds
            .iter()
            .filter(|t| t.sound == Sound::Tone(ToneKind::Tick))
            .map(|t| t.offset)
            .collect();
        assert_eq!(ticks, [2 * SECOND, 4 * SECOND]);
        let ups: Vec<u64> = work
            .sounds
            .iter()
            .filter(|t| t.sound == Sound::Speech("Up.".into()))
            .map(|t| t.offset)
            .collect();
        assert_eq!(
            ups,
            [
                after_tone(ToneKind::Start),
                2 * SECOND + after_tone(ToneKind::Tick),
                4 * SECOND + after_tone(ToneKind::Tick)
            ]
        );
    }

    #[test]
    fn holds_get_halfway_cues_and_counts() {
        let s = script(
            r#"title = "T"
[[exercise]]
name = "A"
hold = "30s"
count_every = "10s"
cues = [{ at = "5s", say = "Breathe." }, { every = "12s", say = "Relax." }]
"#,
        );
        let Step::Period(work) = &s.steps[3] else {
            panic!()
        };
        let mut got: Vec<(u64, String)> = work
            .sounds
            .iter()
            .map(|t| {
                (
                    t.offset / SECOND,
                    match &t.sound {
                        Sound::Speech(s) => s.clone(),
                        Sound::Tone(k) => k.name().to_string(),
                    },
                )
            })
            .collect();
        got.sort();
        let want: Vec<(u64, String)> = [
            (5, "Breathe."),
            (10, "10"),
            (12, "Relax."),
            (15, "Halfway."),
            (20, "20"),
            (24, "Relax."),
            (27, "3"),
            (28, "2"),
            (29, "1"),
        ]
        .iter()
        .map(|(a, b)| (*a, b.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn absurd_sessions_are_refused_before_they_are_built() {
        let text = r#"title = "T"
rounds = 100
[[exercise]]
name = "A"
hold = "24h"
"#;
        let routine = load::parse(&SourceFile::new("t.toml", text)).unwrap();
        let err = build(&routine).unwrap_err();
        assert!(err.message.contains("at most 48 hours"), "{}", err.message);

        let text = r#"title = "T"
[[exercise]]
name = "A"
hold = "24h"
count_every = "100ms"
count = "tone"
"#;
        let routine = load::parse(&SourceFile::new("t.toml", text)).unwrap();
        let err = build(&routine).unwrap_err();
        assert!(
            err.message.contains("more than 200000 sounds"),
            "{}",
            err.message
        );
    }

    fn refusal(text: &str) -> Diagnostic {
        let routine = load::parse(&SourceFile::new("t.toml", text)).unwrap();
        build(&routine).unwrap_err()
    }

    #[test]
    fn speech_is_budgeted_before_anything_is_synthesized() {
        // A phrase that repeats a long name: refused once filled in, at the
        // exercise, before the text is ever made whole again.
        let name = "N".repeat(1990);
        let text = format!(
            "title = \"T\"\n[phrases]\nexercise = \"{}\"\n[[exercise]]\nname = \"{name}\"\nhold = \"30s\"\n",
            "{name} ".repeat(3)
        );
        let err = refusal(&text);
        assert!(
            err.message
                .contains("5973 characters long once its phrase is filled in"),
            "{}",
            err.message
        );
        assert_eq!(&text[err.span.clone()], format!("\"{name}\""));

        // Distinct texts: 20 exercises of 1,990 characters each.
        let mut text = String::from("title = \"T\"\n");
        for i in 0..20 {
            text.push_str(&format!(
                "[[exercise]]\nname = \"E{i}\"\nhold = \"30s\"\nsay = \"{}{i:04}\"\n",
                "a ".repeat(993)
            ));
        }
        let err = refusal(&text);
        assert!(
            err.message.contains("more than 30000 characters"),
            "{}",
            err.message
        );
        // Located at the exercise that went over: the 14th.
        assert!(
            text[..err.span.start].ends_with("name = "),
            "{:?}",
            err.span
        );
        assert_eq!(&text[err.span.clone()], "\"E13\"");

        // Every second counted aloud through a 4-hour hold: 14,399 texts
        // of 4.8 characters on average.
        let err = refusal(
            "title = \"T\"\n[[exercise]]\nname = \"A\"\nhold = \"4h\"\ncount_every = \"1s\"\n",
        );
        assert!(
            err.message.contains("of different texts to speak"),
            "{}",
            err.message
        );

        // The same long text said again and again: one clip, but hours of
        // announcements, which count towards the 48 hours.
        let text = format!(
            "title = \"T\"\nrounds = 100\n[defaults]\nget_ready = 0\nrest = 0\n{}",
            (0..50)
                .map(|i| format!(
                    "[[exercise]]\nname = \"E{i}\"\nhold = \"1s\"\nsay = [{}]\n",
                    vec![format!("\"{}\"", "b".repeat(1999)); 10].join(", ")
                ))
                .collect::<String>()
        );
        let err = refusal(&text);
        assert!(
            err.message.contains("with its announcements")
                || err.message.contains("characters in all"),
            "{}",
            err.message
        );

        // The bundled routine is far inside every limit.
        let builtin = crate::routine::find::built_in("hamstring-lower-back").unwrap();
        let routine = load::parse(&builtin.source).unwrap();
        let script = build(&routine).unwrap();
        let chars: usize = script.texts().iter().map(|t| t.chars().count()).sum();
        assert!(chars * 5 < budget::SPEECH_CHARS, "{chars}");
    }
}
