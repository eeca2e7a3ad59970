//! `coach render`: a session to a WAV file.

use std::path::PathBuf;

use anyhow::{Result, bail};

use super::{Exit, Run, load_routine, prepare};
use crate::audio::{Session, wav};
use crate::cli::Render;
use crate::plan::clock;

impl Run for Render {
    fn run(&self) -> Result<Exit> {
        let loaded = load_routine(&self.routine)?;
        let output = match &self.output {
            Some(path) => path.clone(),
            None => PathBuf::from(format!("{}.wav", loaded.found.name)),
        };
        let is_wav = output
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
        if !is_wav {
            bail!(
                "{}: coach writes WAV files; give the output a .wav extension",
                output.display()
            );
        }
        if output.is_dir() {
            bail!(
                "{} is a folder; give a file name such as session.wav",
                output.display()
            );
        }
        let prepared = prepare(loaded, &self.voice)?;
        if prepared.plan.speech_estimated {
            bail!(
                "the system voice speaks live only and gives no audio to write; render with another voice, e.g. --voice espeak:{}",
                prepared.loaded.routine.language.to_ascii_lowercase()
            );
        }
        let mut session = Session::new(&prepared.plan, &prepared.clips, &prepared.mix())?;
        wav::write(&mut session, &output)?;
        eprintln!(
            "wrote {} ({}, {} samples at {} Hz)",
            output.display(),
            clock(prepared.plan.total_samples),
            prepared.plan.total_samples,
            crate::SAMPLE_RATE
        );
        Ok(Exit::Success)
    }
}
