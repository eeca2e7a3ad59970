//! One button, three commands: a short press, a double press and a long
//! press, told apart from the button's edges and their times. Contact
//! bounce (edges closer than [`DEBOUNCE`]) is ignored.

use std::time::Duration;

/// Edges this close to the last one taken are bounce.
pub const DEBOUNCE: Duration = Duration::from_millis(30);
/// A second press this soon after the first's release makes a double.
pub const DOUBLE: Duration = Duration::from_millis(400);
/// Held this long, a press is long (and is taken as it reaches it).
pub const LONG: Duration = Duration::from_millis(1000);

/// What a person did with the button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Press {
    Short,
    Double,
    Long,
}

/// Turns edges into presses. Times are from any one clock.
#[derive(Debug, Default)]
pub struct Presses {
    /// When the last edge taken came.
    last_edge: Option<Duration>,
    /// Held since then.
    down_since: Option<Duration>,
    /// A short press released then, which a second may make a double.
    pending: Option<Duration>,
    /// The press under way has been taken as long: its release is not a
    /// press.
    taken: bool,
}

impl Presses {
    /// The button went down (`pressed`) or up at `at`: a double press, if
    /// this makes one.
    pub fn edge(&mut self, pressed: bool, at: Duration) -> Option<Press> {
        if self
            .last_edge
            .is_some_and(|last| at.saturating_sub(last) < DEBOUNCE)
        {
            return None;
        }
        if pressed == self.down_since.is_some() {
            // The same state again (a lost edge): nothing changed.
            return None;
        }
        self.last_edge = Some(at);
        if pressed {
            self.down_since = Some(at);
            self.taken = false;
            if let Some(released) = self.pending.take()
                && at.saturating_sub(released) <= DOUBLE
            {
                self.taken = true;
                return Some(Press::Double);
            }
            None
        } else {
            self.down_since = None;
            if !std::mem::take(&mut self.taken) {
                self.pending = Some(at);
            }
            None
        }
    }

    /// What the time `now` decides: a long press once held long enough, a
    /// short one once no second press came in time.
    pub fn poll(&mut self, now: Duration) -> Option<Press> {
        if let Some(down) = self.down_since
            && !self.taken
            && now.saturating_sub(down) >= LONG
        {
            self.taken = true;
            self.pending = None;
            return Some(Press::Long);
        }
        if let Some(released) = self.pending
            && self.down_since.is_none()
            && now.saturating_sub(released) > DOUBLE
        {
            self.pending = None;
            return Some(Press::Short);
        }
        None
    }

    /// Whether the button is down, as far as the edges taken say.
    pub fn is_down(&self) -> bool {
        self.down_since.is_some()
    }

    /// When the last edge was taken.
    pub fn last_edge(&self) -> Option<Duration> {
        self.last_edge
    }

    /// When [`Presses::poll`] next has something to decide, if ever.
    pub fn next_deadline(&self) -> Option<Duration> {
        match (self.down_since, self.pending) {
            (Some(down), _) if !self.taken => Some(down + LONG),
            (None, Some(released)) => Some(released + DOUBLE + Duration::from_millis(1)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Feeds `edges` (pressed?, at ms) and polls every 10 ms up to `until`:
    /// every press, with when it was taken.
    fn run(edges: &[(bool, u64)], until: u64) -> Vec<(Press, u64)> {
        let mut p = Presses::default();
        let mut out = Vec::new();
        let mut next = 0;
        for t in (0..=until).step_by(5) {
            while next < edges.len() && edges[next].1 <= t {
                if let Some(press) = p.edge(edges[next].0, ms(edges[next].1)) {
                    out.push((press, edges[next].1));
                }
                next += 1;
            }
            if let Some(press) = p.poll(ms(t)) {
                out.push((press, t));
            }
        }
        out
    }

    #[test]
    fn a_short_press_is_taken_once_no_second_one_follows() {
        let got = run(&[(true, 100), (false, 250)], 1500);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, Press::Short);
        // Decided just after the double-press window closed.
        assert!((651..=660).contains(&got[0].1), "{got:?}");
    }

    #[test]
    fn two_presses_close_together_are_a_double_taken_at_the_second() {
        let got = run(
            &[(true, 100), (false, 200), (true, 450), (false, 550)],
            2000,
        );
        assert_eq!(got, [(Press::Double, 450)]);
        // Too far apart: two shorts.
        let got = run(
            &[(true, 100), (false, 200), (true, 700), (false, 800)],
            2000,
        );
        let kinds: Vec<Press> = got.iter().map(|g| g.0).collect();
        assert_eq!(kinds, [Press::Short, Press::Short]);
    }

    #[test]
    fn a_long_press_is_taken_while_held_and_its_release_is_nothing() {
        let got = run(&[(true, 100), (false, 2500)], 4000);
        assert_eq!(got, [(Press::Long, 1100)]);
    }

    #[test]
    fn contact_bounce_is_one_press() {
        // A press that chatters for 15 ms each way.
        let edges = [
            (true, 100),
            (false, 105),
            (true, 110),
            (false, 300),
            (true, 310),
            (false, 318),
        ];
        let got = run(&edges, 2000);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, Press::Short);
    }

    #[test]
    fn the_next_deadline_says_when_to_look_again() {
        let mut p = Presses::default();
        assert_eq!(p.next_deadline(), None);
        p.edge(true, ms(100));
        assert_eq!(p.next_deadline(), Some(ms(1100)));
        p.edge(false, ms(200));
        assert_eq!(p.next_deadline(), Some(ms(601)));
        assert_eq!(p.poll(ms(601)), Some(Press::Short));
        assert_eq!(p.next_deadline(), None);
    }
}
