//! coach: a command-line player for voice-guided routines.
//!
//! A routine file becomes one sample-exact timeline: `routine` loads and
//! checks it, `script` orders what is said and timed, `voice` turns texts
//! into clips, `plan` places every sound at a sample index (`pipeline` is
//! the one way through those steps), `audio` renders the plan to an output,
//! and `player` runs it live. The audio clock is the only clock.
//! docs/architecture.md describes the layers and the seams.

pub mod audio;
pub mod chapters;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod guard;
pub mod paths;
pub mod pipeline;
pub mod plan;
pub mod player;
pub mod remote;
pub mod routine;
pub mod script;
pub mod sessions;
pub mod settings;
pub mod source;
pub mod timeline;
pub mod voice;

pub use timeline::SAMPLE_RATE;
