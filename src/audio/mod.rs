//! Audio: the tones, the session source that renders a plan to samples on
//! demand, and the WAV output.

pub mod device;
pub mod session;
pub mod tone;
pub mod wav;

pub use session::{MissingClip, Mix, Session};
