//! What the listener can see, if they look: on a terminal, a bar for the
//! current period and one for the session, driven by the timeline position
//! the audio thread reports; otherwise one plain line per period.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::guard::shown;
use crate::plan::Plan;
use crate::timeline::time::{ceil_secs, clock, clock_seconds, length};

/// How progress is shown.
pub enum Display {
    /// Bars on a terminal.
    Bars {
        multi: MultiProgress,
        period: ProgressBar,
        total: ProgressBar,
        /// The widths, as the terminal last measured.
        layout: Layout,
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
        let total = multi.add(ProgressBar::new(total_samples));
        let layout = Layout::for_columns(stderr_columns());
        layout.style(&period, &total);
        Display::Bars {
            multi,
            period,
            total,
            layout,
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
            Display::Bars {
                period,
                total,
                layout,
                ..
            } => {
                // Measured at every redraw, so a resize is followed within
                // a tenth of a second.
                let now = Layout::for_columns(stderr_columns());
                if now != *layout {
                    *layout = now;
                    layout.style(period, total);
                }
                let state = if paused { "PAUSED · " } else { "" };
                match plan.period_at(pos) {
                    Some(i) => {
                        let p = &plan.periods[i];
                        let (name, mut rest) = name_and_rest(plan, &p.place);
                        if let Some((rep, reps)) = plan.rep_at(i, pos) {
                            rest.push_str(&format!(", rep {rep} of {reps}"));
                        }
                        period.set_length(p.len.max(1));
                        period.set_position(pos.saturating_sub(p.start).min(p.len));
                        let head = format!("{state}{}: ", p.kind.words());
                        period.set_message(fit(&head, &name, &rest, layout.message));
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
                        period.set_message(fit(state, what, "", layout.message));
                        period.set_prefix("");
                    }
                }
                total.set_position(pos.min(plan.total_samples));
                let done = format!(
                    "{} / {}",
                    clock_seconds(pos),
                    clock_seconds(plan.total_samples)
                );
                total.set_message(fit("", &done, "", layout.message));
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

/// The widths of the two lines of bars: a message, the bar, and the time
/// left, to fit a terminal of some number of columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    message: usize,
    bar: usize,
}

/// Columns the time left takes ("125s left", "1:02:03 left" is longer and
/// rare).
const LEFT: usize = 9;

impl Layout {
    /// The bar takes a quarter of the line, at most 24 columns, and none
    /// below 6; the message takes what is left. The last column is kept
    /// free: a line that fills it wraps on some terminals.
    fn for_columns(columns: usize) -> Layout {
        let usable = columns.saturating_sub(1);
        let bar = (usable.saturating_sub(LEFT + 2) / 4).min(24);
        let bar = if bar < 6 { 0 } else { bar };
        let gaps = if bar > 0 { 2 } else { 1 };
        Layout {
            message: usable.saturating_sub(bar + LEFT + gaps).max(8),
            bar,
        }
    }

    fn style(&self, period: &ProgressBar, total: &ProgressBar) {
        let template = |colour: &str| {
            if self.bar == 0 {
                "{msg} {prefix:>9}".to_string()
            } else {
                format!("{{msg}} {{bar:{}.{colour}/blue}} {{prefix:>9}}", self.bar)
            }
        };
        for (bar, colour) in [(period, "cyan"), (total, "green")] {
            bar.set_style(
                ProgressStyle::with_template(&template(colour))
                    .expect("valid template")
                    .progress_chars("█▉▊▋▌▍▎▏ "),
            );
        }
    }
}

/// The width of the terminal on stderr, 80 if it cannot be told.
fn stderr_columns() -> usize {
    crate::guard::text::columns(libc::STDERR_FILENO).unwrap_or(80)
}

/// The exercise's name in `place`, and what follows it ("left, set 2").
fn name_and_rest(plan: &Plan, place: &crate::timeline::Place) -> (String, String) {
    let whole = plan.describe_place(place);
    let name = place
        .exercise
        .and_then(|i| plan.exercises.get(i))
        .map(|e| e.name.as_str())
        .filter(|name| whole.starts_with(name));
    match name {
        Some(name) => (name.to_string(), whole[name.len()..].to_string()),
        None => (whole, String::new()),
    }
}

/// `head`, `name` and `rest` in exactly `width` columns, padded with
/// spaces: the name is shortened first (to no fewer than 8 columns), then
/// the whole is cut at its end. The head (where the state is) is kept
/// whole when it fits at all.
fn fit(head: &str, name: &str, rest: &str, width: usize) -> String {
    use crate::guard::text::{cut_to_width, display_width};
    let (head, name, rest) = (shown(head), shown(name), shown(rest));
    let fixed = display_width(&head) + display_width(&rest);
    let whole = if fixed + display_width(&name) <= width {
        format!("{head}{name}{rest}")
    } else {
        let room = width.saturating_sub(fixed).max(8);
        format!("{head}{}{rest}", cut_to_width(&name, room))
    };
    let line = cut_to_width(&whole, width);
    let pad = width.saturating_sub(display_width(&line));
    format!("{line}{}", " ".repeat(pad))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::text::display_width;

    #[test]
    fn the_bars_fit_the_terminal_and_keep_a_column_free() {
        for columns in [20, 40, 60, 80, 83, 120, 200] {
            let layout = Layout::for_columns(columns);
            let gaps = if layout.bar > 0 { 2 } else { 1 };
            assert!(
                layout.message + layout.bar + LEFT + gaps < columns,
                "{columns}: {layout:?}"
            );
        }
        assert_eq!(Layout::for_columns(80).bar, 17);
        assert_eq!(Layout::for_columns(200).bar, 24);
        assert_eq!(Layout::for_columns(30).bar, 0);
    }

    #[test]
    fn the_name_is_shortened_first_and_the_state_is_kept() {
        let name = "Supine hamstring stretch with a towel around the foot";
        let line = fit("PAUSED · hold: ", name, ", left, rep 3 of 10", 50);
        assert_eq!(display_width(&line), 50, "{line:?}");
        assert!(line.starts_with("PAUSED · hold: Supine"), "{line}");
        assert!(line.contains('…'), "{line}");
        assert!(line.ends_with(", left, rep 3 of 10"), "{line}");
        // Too narrow even for that: the start (the state) is what remains.
        let line = fit("PAUSED · hold: ", name, ", left, rep 3 of 10", 20);
        assert_eq!(display_width(&line), 20, "{line:?}");
        assert!(line.starts_with("PAUSED · hold: "), "{line}");
        // What fits is padded, not cut; wide characters count twice.
        assert_eq!(fit("", "Cat-cow", "", 10), "Cat-cow   ");
        let line = fit("", "猫と牛のストレッチを十回", "", 10);
        assert_eq!(display_width(&line), 10, "{line:?}");
    }
}
