//! Following a live session's timeline and turning the positions the
//! player sees into the events worth keeping in the session log: the
//! exercises entered, each period completed, skipped or cut short, pauses
//! and the end. The lines go to a [`Journal`].

use super::calendar::{local, now_ms};
use super::writer::Journal;
use super::{Line, LogEvent, Outcome, Reason};
use crate::plan::{ExerciseStart, Plan};
use crate::timeline::PeriodKind;
use crate::timeline::time::to_secs_3;

/// What the log needs to know about the routine when a session starts.
pub struct Start<'a> {
    pub title: &'a str,
    pub routine: &'a str,
    pub built_in: bool,
    pub hash: &'a str,
    pub resumes: Option<&'a str>,
}

/// Follows the timeline and logs periods, exercises, pauses and the end.
pub struct Tracker<'p> {
    journal: Journal,
    plan: &'p Plan,
    /// The first period not yet logged as completed.
    next: usize,
    last_pos: u64,
    played: u64,
    exercise: Option<(u32, usize)>,
    /// Where each exercise of each round starts, in order.
    starts: Vec<ExerciseStart>,
    /// A seek asked for but not yet heard: where to, and the number of
    /// seeks asked by then.
    seeking: Option<(u64, u64)>,
    /// Seeks asked for so far.
    asked: u64,
    /// Seeks the source had applied when it gave what was last heard.
    heard_seeks: u64,
    /// Work periods left early or jumped over, and not played to their end
    /// since.
    missed: Vec<bool>,
    /// The first period of the session: those before it are another
    /// session's (`--from`, `--resume`).
    first: usize,
}

/// What a session did, for its summary and the log's last line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Samples played, pauses not counted.
    pub played: u64,
    /// Exercises (of every round, from where the session started) whose
    /// work (every set, side and rep) was all played.
    pub done: usize,
    /// Exercises with work left early or skipped over, and not played
    /// again since.
    pub skipped: usize,
    /// Exercises in the session, from where it started: those neither
    /// done nor skipped were not reached, or were being done at the end.
    pub exercises: usize,
    /// Whether any work (a hold, a set of reps) was played to its end:
    /// what makes the session count towards a streak.
    pub worked: bool,
}

impl<'p> Tracker<'p> {
    /// Logs the start of a session that plays `plan` from sample `start`.
    pub fn new(journal: Journal, plan: &'p Plan, start: u64, about: &Start<'_>) -> Tracker<'p> {
        let now = now_ms();
        journal.write(Line {
            event: Some(LogEvent::Start),
            at: Some(local(now).rfc3339().into()),
            title: Some(about.title.into()),
            routine: Some(about.routine.into()),
            built_in: about.built_in,
            hash: Some(about.hash.into()),
            planned: Some(to_secs_3(plan.total_samples.saturating_sub(start))),
            resumes: about.resumes.map(Into::into),
            ..Line::default()
        });
        let mut tracker = Tracker {
            journal,
            plan,
            next: 0,
            last_pos: start,
            played: 0,
            exercise: None,
            starts: plan.exercise_starts(),
            seeking: None,
            asked: 0,
            heard_seeks: 0,
            missed: vec![false; plan.periods.len()],
            first: plan.periods.partition_point(|p| p.start + p.len <= start),
        };
        tracker.jump_to(start);
        tracker
    }

    fn line(&self, event: LogEvent, pos: u64) -> Line<'static> {
        Line {
            event: Some(event),
            played: Some(to_secs_3(self.played)),
            pos: Some(to_secs_3(pos)),
            ..Line::default()
        }
    }

    fn period_line(&self, i: usize, outcome: Outcome, played: u64, pos: u64) -> Line<'static> {
        let p = &self.plan.periods[i];
        Line {
            exercise: p.place.exercise,
            round: Some(p.place.round),
            kind: Some(p.kind.name().into()),
            outcome: Some(outcome),
            secs: Some(to_secs_3(played)),
            len: Some(to_secs_3(p.len)),
            ..self.line(LogEvent::Period, pos)
        }
    }

    /// Sets the first period to log to the one playing at or after `pos`.
    fn jump_to(&mut self, pos: u64) {
        self.next = self
            .plan
            .periods
            .partition_point(|p| p.start + p.len <= pos);
        self.last_pos = pos;
    }

    /// Whether lines are being written.
    pub fn is_logging(&self) -> bool {
        self.journal.is_on()
    }

    /// The timeline is heard at `pos`, given by the source after it had
    /// applied `seeks` seeks.
    pub fn heard(&mut self, pos: u64, seeks: u64) {
        self.heard_seeks = self.heard_seeks.max(seeks);
        self.tick(pos);
    }

    /// The timeline is at `pos` after playing on.
    fn tick(&mut self, pos: u64) {
        if let Some((to, wanted)) = self.seeking {
            // Until what is heard comes after the seek, it is the timeline
            // from before it (the output's queue, or the audio thread not
            // yet at the next block): neither played nor done.
            if self.heard_seeks < wanted {
                return;
            }
            self.seeking = None;
            self.last_pos = to;
        }
        if pos < self.last_pos {
            return;
        }
        self.played += pos - self.last_pos;
        self.last_pos = pos;
        while let Some(p) = self.plan.periods.get(self.next)
            && p.start + p.len <= pos
        {
            let line = self.period_line(self.next, Outcome::Completed, p.len, p.start + p.len);
            self.journal.write(line);
            self.missed[self.next] = false;
            self.next += 1;
        }
        self.enter_exercise(pos);
    }

    /// The exercise being done at `pos`.
    fn exercise_at(&self, pos: u64) -> Option<ExerciseStart> {
        let n = self.starts.partition_point(|s| s.sample <= pos);
        n.checked_sub(1).map(|i| self.starts[i])
    }

    fn enter_exercise(&mut self, pos: u64) {
        let Some(at) = self.exercise_at(pos) else {
            return;
        };
        if self.exercise == Some((at.round, at.exercise)) {
            return;
        }
        self.exercise = Some((at.round, at.exercise));
        self.journal.write(Line {
            exercise: Some(at.exercise),
            round: Some(at.round),
            name: self
                .plan
                .exercises
                .get(at.exercise)
                .map(|e| e.name.clone().into()),
            ..self.line(LogEvent::Exercise, pos)
        });
    }

    /// The period playing at `pos`, if it has started and not ended.
    fn open_period(&self, pos: u64) -> Option<usize> {
        let p = self.plan.periods.get(self.next)?;
        (p.start <= pos && pos < p.start + p.len).then_some(self.next)
    }

    /// A control moved the timeline from `pos` to `to`.
    pub fn seek(&mut self, pos: u64, to: u64) {
        self.tick(pos);
        if let Some(i) = self.open_period(pos) {
            let played = pos - self.plan.periods[i].start;
            self.journal
                .write(self.period_line(i, Outcome::Skipped, played, pos));
        }
        // What a seek forward passes over is not done: its work is
        // logged as skipped, with nothing of it played.
        let open = self.open_period(pos);
        let (from, past) = (
            self.next,
            self.plan.periods.partition_point(|p| p.start + p.len <= to),
        );
        for i in from..past.max(from) {
            self.missed[i] = true;
            if self.plan.periods[i].kind == PeriodKind::Work && Some(i) != open {
                self.journal
                    .write(self.period_line(i, Outcome::Skipped, 0, pos));
            }
        }
        self.jump_to(to);
        self.asked += 1;
        self.seeking = Some((to, self.asked));
        // Entering an exercise again (back, repeat) is logged again.
        self.exercise = None;
    }

    /// What the session will have done at `through` if it plays on from
    /// here: every work period before it played unless it was left or
    /// skipped, and the time to it played. Near the end, the summary of
    /// the whole session.
    pub fn tally(&self, through: u64) -> Tally {
        // Per exercise of each round: all its work played, any missed.
        let mut exercises: Vec<((u32, usize), bool, bool)> = Vec::new();
        let mut worked = false;
        for (i, p) in self.plan.periods.iter().enumerate().skip(self.first) {
            let (Some(exercise), true) = (p.place.exercise, p.kind == PeriodKind::Work) else {
                continue;
            };
            let missed = self.missed[i];
            let ok = !missed && (i < self.next || p.start + p.len <= through);
            worked |= ok;
            let key = (p.place.round, exercise);
            match exercises.iter_mut().find(|(k, ..)| *k == key) {
                Some((_, all, any)) => {
                    *all &= ok;
                    *any |= missed;
                }
                None => exercises.push((key, ok, missed)),
            }
        }
        Tally {
            // And what is still to play up to `through`.
            played: self.played + through.saturating_sub(self.last_pos),
            done: exercises.iter().filter(|(_, all, _)| *all).count(),
            skipped: exercises.iter().filter(|(.., any)| *any).count(),
            exercises: exercises.len(),
            worked,
        }
    }

    pub fn pause(&mut self, pos: u64) {
        self.tick(pos);
        self.journal.write(self.line(LogEvent::Pause, pos));
    }

    pub fn resume(&mut self, pos: u64) {
        self.journal.write(self.line(LogEvent::Resume, pos));
    }

    /// The session ended at `pos` for `reason`; writes everything queued.
    pub fn end(mut self, reason: Reason, pos: u64) {
        let pos = if reason == Reason::Finished {
            self.plan.total_samples
        } else {
            pos
        };
        self.seeking = None;
        self.tick(pos);
        if let Some(i) = self.open_period(pos) {
            let played = pos - self.plan.periods[i].start;
            self.journal
                .write(self.period_line(i, Outcome::CutShort, played, pos));
        }
        let at = self.exercise_at(pos);
        let tally = self.tally(pos);
        self.journal.write(Line {
            reason: Some(reason),
            exercises: Some(tally.exercises as u32),
            done: Some(tally.done as u32),
            skipped: Some(tally.skipped as u32),
            exercise: at.as_ref().map(|a| a.exercise),
            round: at.as_ref().map(|a| a.round),
            name: at
                .and_then(|a| self.plan.exercises.get(a.exercise))
                .map(|e| e.name.clone().into()),
            ..self.line(LogEvent::End, pos)
        });
        self.journal.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::plan_of_text;
    use crate::sessions::history;
    use crate::timeline::PeriodKind;
    use std::path::Path;

    const SEC: u64 = crate::timeline::time::RATE;

    fn plan() -> Plan {
        let text = "title = \"T\"
[[exercise]]
name = \"A\"
hold = \"20s\"
[[exercise]]
name = \"B\"
hold = \"10s\"
[[exercise]]
name = \"C\"
reps = 3
";
        plan_of_text(text, &|t: &str| t.len() as u64 * 1000)
    }

    fn about() -> Start<'static> {
        Start {
            title: "T",
            routine: "/r/t.toml",
            built_in: false,
            hash: "fnv1a64:1",
            resumes: None,
        }
    }

    fn lines(path: &Path) -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn ticks_seeks_pauses_and_the_end_become_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log").join("sessions.jsonl");
        let p = plan();
        let work = |n: usize| {
            p.periods
                .iter()
                .filter(|x| x.kind == PeriodKind::Work)
                .nth(n)
                .unwrap()
                .clone()
        };
        let first = p.events[0].start;
        let mut t = Tracker::new(Journal::open(&path).unwrap(), &p, first, &about());
        // Play through A's hold in quarter-second ticks.
        let a = work(0);
        let mut pos = first;
        while pos < a.start + a.len + SEC {
            t.heard(pos, 0);
            pos += SEC / 4;
        }
        // Pause 5 s into B's hold, resume, then skip to C.
        let b = work(1);
        t.heard(b.start + 5 * SEC, 0);
        t.pause(b.start + 5 * SEC);
        t.resume(b.start + 5 * SEC);
        let c = p.exercise_starts()[2].sample;
        t.seek(b.start + 6 * SEC, c);
        // The audio thread has not applied the seek yet: ignored.
        t.heard(b.start + 6 * SEC + 100, 0);
        t.heard(c + SEC, 1);
        // Quit during C's reps.
        let reps = work(2);
        t.heard(reps.start + 2 * SEC, 1);
        // The tally: A done, B skipped; C done if its reps are played
        // through, neither yet otherwise.
        let tally = t.tally(reps.start + 2 * SEC);
        assert_eq!((tally.done, tally.skipped, tally.exercises), (1, 1, 3));
        assert!(tally.worked);
        let tally = t.tally(reps.start + reps.len);
        assert_eq!((tally.done, tally.skipped), (2, 1));
        assert_eq!(tally.played, t.played + reps.len - 2 * SEC);
        t.end(Reason::Quit, reps.start + 2 * SEC);

        let l = lines(&path);
        let events: Vec<&str> = l.iter().map(|x| x["event"].as_str().unwrap()).collect();
        assert_eq!(events[0], "start");
        assert_eq!(l[0]["planned"], to_secs_3(p.total_samples - first));
        let periods: Vec<(String, String, f64)> = l
            .iter()
            .filter(|x| x["event"] == "period")
            .map(|x| {
                (
                    x["kind"].as_str().unwrap().to_string(),
                    x["outcome"].as_str().unwrap().to_string(),
                    x["secs"].as_f64().unwrap(),
                )
            })
            .collect();
        let expect = |k: &str, o: &str, s: f64| (k.to_string(), o.to_string(), s);
        assert_eq!(
            periods,
            [
                expect("get_ready", "completed", 5.0),
                expect("work", "completed", 20.0),
                expect("rest", "completed", 10.0),
                expect("get_ready", "completed", 5.0),
                expect("work", "skipped", 6.0),
                expect("get_ready", "completed", 5.0),
                expect("work", "cut_short", 2.0),
            ]
        );
        let names: Vec<&str> = l
            .iter()
            .filter(|x| x["event"] == "exercise")
            .map(|x| x["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert!(events.contains(&"pause") && events.contains(&"resume"));
        let end = l.last().unwrap();
        assert_eq!(end["event"], "end");
        assert_eq!(end["reason"], "quit");
        assert_eq!(end["name"], "C");
        assert_eq!(
            (
                end["exercises"].as_u64(),
                end["done"].as_u64(),
                end["skipped"].as_u64()
            ),
            (Some(3), Some(1), Some(1))
        );
        // Played: everything up to B + 6 s, then from C's start on; the
        // skipped stretch is not counted.
        let played = (b.start + 6 * SEC - first) + (reps.start + 2 * SEC - c);
        assert_eq!(end["played"], to_secs_3(played));

        let log = history::read(&path).unwrap();
        let s = &log.sessions[0];
        assert_eq!((s.completed, s.skipped, s.pauses), (1, 1, 1));
        assert_eq!(s.result, "quit");
        assert_eq!(s.stopped_in.as_ref().unwrap().name, "C");
    }

    #[test]
    fn exercises_skipped_from_their_announcement_count_as_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions.jsonl");
        let p = plan();
        let starts = p.exercise_starts();
        let first = p.events[0].start;
        let mut t = Tracker::new(Journal::open(&path).unwrap(), &p, first, &about());
        // `n` during each announcement: A and B are never played, C is.
        t.heard(starts[0].sample + SEC, 0);
        t.seek(starts[0].sample + SEC, starts[1].sample);
        t.heard(starts[1].sample + SEC, 1);
        t.seek(starts[1].sample + SEC, starts[2].sample);
        let mut pos = starts[2].sample;
        while pos < p.total_samples {
            t.heard(pos, 2);
            pos += SEC / 4;
        }
        let tally = t.tally(p.total_samples);
        assert_eq!((tally.done, tally.skipped, tally.exercises), (1, 2, 3));
        assert!(tally.worked, "C's reps were played");
        t.end(Reason::Finished, p.total_samples);
        let l = lines(&path);
        // Each work never played has a line: skipped, none of it played.
        let skipped: Vec<(u64, f64)> = l
            .iter()
            .filter(|x| x["event"] == "period" && x["outcome"] == "skipped" && x["kind"] == "work")
            .map(|x| (x["exercise"].as_u64().unwrap(), x["secs"].as_f64().unwrap()))
            .collect();
        assert_eq!(skipped, [(0, 0.0), (1, 0.0)]);
        let log = history::read(&path).unwrap();
        let s = &log.sessions[0];
        assert!(s.finished());
        assert_eq!((s.completed, s.skipped), (1, 2));
        assert_eq!(
            (s.exercises, s.exercises_done, s.exercises_skipped),
            (Some(3), Some(1), Some(2))
        );
        // Skipping everything does no work.
        let mut t = Tracker::new(Journal::open(&path).unwrap(), &p, first, &about());
        t.heard(starts[0].sample + SEC, 0);
        t.seek(starts[0].sample + SEC, p.total_samples);
        let tally = t.tally(p.total_samples);
        assert_eq!((tally.done, tally.skipped), (0, 3));
        assert!(!tally.worked);
    }

    #[test]
    fn a_jump_back_counts_only_what_is_heard_on_either_side_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions.jsonl");
        let p = plan();
        let hold = p
            .periods
            .iter()
            .find(|x| x.kind == PeriodKind::Work)
            .unwrap()
            .clone();
        let first = p.events[0].start;
        let mut t = Tracker::new(Journal::open(&path).unwrap(), &p, first, &about());
        let mut pos = first;
        while pos < hold.start + 4 * SEC {
            t.heard(pos, 0);
            pos += SEC / 10;
        }
        t.heard(hold.start + 4 * SEC, 0);
        // `b`, 4 s into the hold: back to the exercise's start. For a
        // moment the old timeline is still heard, less than 10 s on from
        // where the jump goes.
        let to = p.exercise_starts()[0].sample;
        t.seek(hold.start + 4 * SEC, to);
        for later in 1..=4 {
            t.heard(hold.start + 4 * SEC + later * SEC / 10, 0);
        }
        assert_eq!(t.played, hold.start + 4 * SEC - first, "nothing more");
        // Then the place jumped to: 4 s of it.
        for step in 0..=40 {
            t.heard(to + step * SEC / 10, 1);
        }
        assert_eq!(t.played, hold.start + 4 * SEC - first + 4 * SEC);
        t.end(Reason::Quit, to + 4 * SEC);
        // Every line's played figure grows with what was heard, never
        // faster.
        let l = lines(&path);
        let played: Vec<f64> = l.iter().filter_map(|x| x["played"].as_f64()).collect();
        assert!(played.windows(2).all(|w| w[0] <= w[1]), "{played:?}");
        let last = l.last().unwrap();
        assert_eq!(last["played"], to_secs_3(hold.start + 8 * SEC - first));
        // What was played again is logged each time it was heard: A's
        // get_ready completed, then cut short by the quit 4 s into it
        // again (not completed early, while the old timeline was heard).
        let ready: Vec<&str> = l
            .iter()
            .filter(|x| x["event"] == "period" && x["kind"] == "get_ready")
            .map(|x| x["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(ready, ["completed", "cut_short"]);
    }

    #[test]
    fn a_torn_last_line_is_closed_before_the_next_session_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions.jsonl");
        std::fs::write(&path, "{\"t\":1,\"session\":\"x\",\"event\":\"st").unwrap();
        let p = plan();
        let t = Tracker::new(Journal::open(&path).unwrap(), &p, 0, &about());
        t.end(Reason::Finished, p.total_samples);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut it = text.lines();
        assert_eq!(it.next(), Some("{\"t\":1,\"session\":\"x\",\"event\":\"st"));
        assert!(it.all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
        let log = history::read(&path).unwrap();
        assert_eq!(log.unreadable, 1);
        assert!(!log.torn_end);
        assert!(log.sessions[0].finished());
        assert_eq!(log.sessions[0].completed, 3);
    }
}
