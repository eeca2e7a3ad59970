//! The defences every layer shares, each written once: writing to the
//! terminal (`out`: a reader that went away is not a crash), reading a file
//! coach did not write (`read`: bounded, regular files only), text from a
//! routine or a log shown on a terminal (`text`: no control or bidi
//! characters get through), and running another program (`child`: its own
//! process group, a deadline on every wait, bounded output), and files
//! written under a temporary name (`temp`: removed on every way out), and
//! teardowns that could block (`exit`: a watchdog ends the process).
//!
//! Layer 0: it imports nothing of the crate.

pub mod child;
pub mod exit;
pub mod out;
pub mod read;
pub mod temp;
pub mod text;

pub use text::shown;
