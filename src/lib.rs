//! coach: a command-line player for voice-guided routines.
//!
//! A routine file becomes one sample-exact timeline: `routine` loads and
//! checks it, `script` orders what is said and timed, `voice` turns texts
//! into clips, `plan` places every sound at a sample index, and `audio`
//! renders the plan to a WAV file or a sound device. The audio clock is the
//! only clock.

pub mod audio;
pub mod chapters;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod paths;
pub mod pipeline;
pub mod plan;
pub mod player;
pub mod routine;
pub mod script;
pub mod sessions;
pub mod settings;
pub mod voice;

/// The one sample rate of every session: espeak-ng's native rate, mono.
pub const SAMPLE_RATE: u32 = 22_050;
