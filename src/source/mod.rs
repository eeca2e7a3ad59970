//! Reading a TOML file written by a person, shared by routines and the
//! config: the source text and its located diagnostics ([`diag`]), the one
//! spanned walker that checks keys, kinds and ranges ([`walk`]), duration
//! strings ([`duration`]) and language tags ([`language`]).

pub mod diag;
pub mod duration;
pub mod language;
pub mod walk;

pub use diag::{Diagnostic, Report, Severity, SourceFile, Span};
pub use language::Language;

/// The largest routine or config file `coach` reads.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
