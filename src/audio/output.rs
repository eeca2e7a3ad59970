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
}

/// Where a session's samples go.
pub trait Output {
    /// What the output is, for the user: a device id, a file name.
    fn name(&self) -> String;

    /// Starts taking samples from `source`. A live output (a device, the
    /// counting output) takes them on its own thread at its own pace and
    /// returns at once; a file output takes them all before it returns.
    fn play(&mut self, source: Box<dyn Source>) -> Result<()>;

    /// Drops what has been taken from the source but not yet heard, so a
    /// pause or a skip is heard at once. An output that queues nothing
    /// beyond the device's own period does nothing.
    fn discard(&self) {}

    /// How many samples have been heard so far: taken from the source,
    /// less what is still queued (for a file: written).
    fn heard(&self) -> u64;

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
