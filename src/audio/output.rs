//! The output seam: where a session's samples go. A [`Source`] gives
//! samples block by block (the renderer, or the live source that the
//! controls steer); an [`Output`] takes them on its own clock: a sound
//! device as it plays them, a file as fast as the CPU allows, a counting
//! output for tests and benchmarks at whatever pace it is given.
//!
//! docs/architecture.md says how to add an output.

use anyhow::Result;

/// Samples at the session rate, mono, block by block.
pub trait Source: Send {
    /// Writes the next samples into `out`; returns how many, fewer than
    /// `out.len()` only where the source chooses to end a block early, and
    /// 0 only at its end.
    fn fill(&mut self, out: &mut [i16]) -> usize;

    /// How many samples are left, if that is known (a rendered plan); a
    /// live source, which can pause, does not know.
    fn remaining(&self) -> Option<u64> {
        None
    }

    /// Goes back to just after the first `to` samples it gave, as if the
    /// rest had never been asked for: an output dropped them unheard. A
    /// source that cannot go back returns false, and the output then keeps
    /// what it queued.
    fn rewind(&mut self, _to: u64) -> bool {
        false
    }
}

/// Where a session's samples go.
pub trait Output {
    /// What the output is, for the user: a device id, a file name.
    fn name(&self) -> String;

    /// Starts taking samples from `source`. A live output (a device, the
    /// counting output) takes them on its own thread at its own pace and
    /// returns at once; a file output takes them all before it returns.
    fn play(&mut self, source: Box<dyn Source>) -> Result<()>;

    /// Changes the source's course at once: drops what the output has
    /// queued unheard, rewinds the source to the sample being heard, runs
    /// `change` (which asks the source for a pause or a seek) and only then
    /// takes more, so the change is heard within the sound server's own
    /// latency however much the output queues. An output that queues
    /// little beyond the device's period just runs `change`.
    fn redirect(&self, change: &mut dyn FnMut()) {
        change()
    }

    /// Says what is playing now (the routine and its exercise), where the
    /// output can tell the system (a sound server's stream name).
    fn describe(&self, _what: &str) {}

    /// Waits until what the output has taken is with the device or the
    /// sound server, which plays it on while the process is stopped.
    fn deliver(&self) {}

    /// How many of the source's samples have been heard so far (for a
    /// file: written). After [`Output::redirect`] this counts in the
    /// source's rewound terms: the dropped samples were never heard.
    fn heard(&self) -> u64;

    /// Playback that stalled since the last call, as a sound server
    /// running dry when the machine is too busy to feed it: how long the
    /// gaps were, if there were any. The sound after a gap keeps its place
    /// on the timeline; only the session's end moves later.
    fn gaps(&self) -> Option<std::time::Duration> {
        None
    }

    /// The first fatal error the output reported while playing, such as a
    /// device that vanished.
    fn error(&self) -> Option<String> {
        None
    }

    /// Waits until everything taken has been heard, then closes the
    /// output.
    fn finish(&mut self) -> Result<()>;

    /// Stops at once, dropping what is queued.
    fn stop(&mut self);
}
