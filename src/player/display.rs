//! What the listener can see, if they look: on a terminal, a bar for the
//! current period and one for the session, driven by the timeline position
//! the audio thread reports; otherwise one plain line per period.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::plan::Plan;
use crate::timeline::time::{ceil_secs, clock, clock_seconds, length};

/// How progress is shown.
pub enum Display {
    /// Bars on a terminal.
    Bars {
        multi: MultiProgress,
        period: ProgressBar,
        total: ProgressBar,
    },
    /// A line on stderr each time a period starts.
    Lines { last: Option<usize> },
    /// Nothing (`--quiet`).
    Quiet,
}

impl Display {
    /// Bars when stderr is a terminal, lines otherwise, nothing if quiet.
    pub fn new(quiet: bool, total_samples: u64) -> Display {
        if quiet {
            return Display::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            return Display::Lines { last: None };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        let period = multi.add(ProgressBar::new(1));
        period.set_style(
            ProgressStyle::with_template("{msg:48!} {bar:24.cyan/blue} {prefix:>9}")
                .expect("valid template")
                .progress_chars("█▉▊▋▌▍▎▏ "),
        );
        let total = multi.add(ProgressBar::new(total_samples));
        total.set_style(
            ProgressStyle::with_template("{msg:48!} {bar:24.green/blue} {prefix:>9}")
                .expect("valid template")
                .progress_chars("█▉▊▋▌▍▎▏ "),
        );
        Display::Bars {
            multi,
            period,
            total,
        }
    }

    /// A message above the bars (or on its own line).
    pub fn say(&self, text: &str) {
        match self {
            Display::Bars { multi, .. } => {
                let _ = multi.println(crate::guard::text::shown_lines(text));
            }
            Display::Lines { .. } => {
                crate::guard::out::line(text);
            }
            Display::Quiet => {}
        }
    }

    /// A warning: above the bars, or on its own line even when quiet.
    pub fn warn(&self, text: &str) {
        match self {
            Display::Bars { multi, .. } => {
                let _ = multi.println(crate::guard::text::shown_lines(text));
            }
            Display::Lines { .. } | Display::Quiet => {
                crate::guard::out::line(text);
            }
        }
    }

    /// Shows the session at timeline sample `pos`.
    pub fn update(&mut self, plan: &Plan, pos: u64, paused: bool) {
        match self {
            Display::Quiet => {}
            Display::Lines { last } => {
                let Some(i) = plan.period_at(pos) else { return };
                if *last == Some(i) {
                    return;
                }
                *last = Some(i);
                let p = &plan.periods[i];
                let place = plan.describe_place(&p.place);
                crate::guard::out::line(&format!(
                    "{}  {} {}: {}",
                    clock(p.start),
                    p.kind.words(),
                    length(p.len),
                    place
                ));
            }
            Display::Bars { period, total, .. } => {
                let state = if paused { " · paused" } else { "" };
                match plan.period_at(pos) {
                    Some(i) => {
                        let p = &plan.periods[i];
                        let mut place = plan.describe_place(&p.place);
                        if let Some((rep, reps)) = plan.rep_at(i, pos) {
                            place.push_str(&format!(", rep {rep} of {reps}"));
                        }
                        period.set_length(p.len.max(1));
                        period.set_position(pos.saturating_sub(p.start).min(p.len));
                        period.set_message(
                            crate::guard::shown(&format!("{}: {place}{state}", p.kind.words()))
                                .into_owned(),
                        );
                        period.set_prefix(format!(
                            "{}s left",
                            ceil_secs((p.start + p.len).saturating_sub(pos))
                        ));
                    }
                    None => {
                        let what = plan
                            .exercise_at(pos)
                            .and_then(|s| plan.exercises.get(s.exercise))
                            .map_or(plan.title.as_str(), |e| e.name.as_str());
                        period.set_length(1);
                        period.set_position(0);
                        period.set_message(
                            crate::guard::shown(&format!("{what}{state}")).into_owned(),
                        );
                        period.set_prefix("");
                    }
                }
                total.set_position(pos.min(plan.total_samples));
                total.set_message(format!(
                    "{} / {}",
                    clock_seconds(pos),
                    clock_seconds(plan.total_samples)
                ));
                total.set_prefix(format!(
                    "{} left",
                    clock_seconds(plan.total_samples.saturating_sub(pos))
                ));
            }
        }
    }

    /// Removes the bars.
    pub fn finish(&self) {
        if let Display::Bars { period, total, .. } = self {
            period.finish_and_clear();
            total.finish_and_clear();
        }
    }
}

/// How often the display and the watchdog are looked at.
///
/// Commands wake the player at once whatever this is; it only paces the
/// bars (10 a second) and the watchdog. Each wake-up costs CPU, so without
/// bars it is rare.
pub fn tick(display: &Display) -> Duration {
    match display {
        Display::Bars { .. } => Duration::from_millis(100),
        Display::Lines { .. } => Duration::from_millis(250),
        // Only the log and the watchdog look.
        Display::Quiet => Duration::from_secs(1),
    }
}
