//! The timeline's vocabulary, the floor every other module stands on: the
//! session rate, exact durations and every sample <-> time conversion and
//! formatting ([`time`]), the tones and their lengths ([`tone`]), and the
//! sounds, period kinds and places a plan is made of ([`sound`]).
//!
//! Nothing here imports anything else of the crate.

pub mod sound;
pub mod time;
pub mod tone;

pub use sound::{PeriodKind, Place, Sound};
pub use time::Dur;
pub use tone::{ToneKind, ToneStyle};

/// The one sample rate of every session: espeak-ng's native rate, mono.
pub const SAMPLE_RATE: u32 = 22_050;
