//! Arbitrary bytes through everything `coach check` does: size and UTF-8
//! checks, TOML, every key and rule of the format, the script, the layout,
//! the timing contract checked on the plan, and its cue sheet, JSON and
//! chapter files. Any panic (a broken promise included) is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = coach::pipeline::check_bytes(data);
});
