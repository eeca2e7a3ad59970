//! Audio: the tones, the session source that renders a plan to samples on
//! demand, and the files it is written to (WAV, Ogg Vorbis).

pub mod device;
pub mod file;
pub mod ogg;
pub mod session;
pub mod tone;
pub mod wav;

pub use session::{MissingClip, Mix, Session};
