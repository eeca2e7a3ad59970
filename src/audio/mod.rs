//! Audio: the renderer that turns a plan into samples on demand, and the
//! outputs those samples go to behind one seam ([`Output`]): a sound
//! device, WAV and Ogg Vorbis files, a WAV stream, and a counting output
//! for tests and benchmarks.

#[cfg(target_os = "linux")]
pub mod alsa;
pub mod counting;
pub mod device;
pub mod file;
pub mod ogg;
pub mod output;
#[cfg(target_os = "linux")]
pub mod pulse;
pub mod renderer;
pub mod wav;

pub use output::{Output, Source};
pub use renderer::{MissingClip, Mix, Renderer};
