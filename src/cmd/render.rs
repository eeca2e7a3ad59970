//! `coach render`: a session to an audio file, WAV or Ogg Vorbis, with
//! chapter files on request.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{Exit, Run, load_routine, prepare};
use crate::audio::file::AudioFile;
use crate::audio::ogg::Ogg;
use crate::audio::wav::{Wav, WavStream};
use crate::audio::{Output, Renderer};
use crate::chapters;
use crate::cli::Render;
use crate::routine::find::Origin;
use crate::timeline::SAMPLE_RATE;
use crate::timeline::time::clock;

/// The formats `render` writes, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Wav,
    Ogg,
}

fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("wav") => Ok(Format::Wav),
        Some("ogg" | "oga") => Ok(Format::Ogg),
        other => bail!(
            "{}: coach writes .wav (exact, uncompressed) and .ogg (Ogg Vorbis, small, for phones){}; give the output one of those extensions",
            path.display(),
            other.map(|e| format!(", not .{e}")).unwrap_or_default()
        ),
    }
}

/// Writes `text` beside `audio`, with extension `ext`.
fn write_beside(audio: &Path, ext: &str, text: &str) -> Result<PathBuf> {
    let path = audio.with_extension(ext);
    crate::audio::file::write_atomically(&path, |tmp| Ok(std::fs::write(tmp, text)?))?;
    Ok(path)
}

impl Render {
    /// Whether the render may write `targets`: never over the routine file
    /// itself; over another existing file only with --force, or if the
    /// user says so on a terminal.
    fn may_write(&self, targets: &[PathBuf], routine: &Origin) -> Result<()> {
        for target in targets {
            if let Origin::File(routine) = routine
                && same_file(target, routine)
            {
                bail!(
                    "{} is the routine file itself; give the audio another name with -o",
                    target.display()
                );
            }
        }
        let existing: Vec<&PathBuf> = targets.iter().filter(|t| t.exists()).collect();
        if existing.is_empty() || self.force {
            return Ok(());
        }
        let names = existing
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            crate::guard::out::stderr(&format!("{names} exists. Replace it? [y/N] "));
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer)?;
            if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
                return Ok(());
            }
            bail!("{names} left as it was");
        }
        bail!("{names} exists already; add --force to replace it, or give another name with -o")
    }
}

/// Whether `a` and `b` are the same file (through links, or spelt
/// differently).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

impl Run for Render {
    fn run(&self) -> Result<Exit> {
        let loaded = load_routine(&self.routine)?.with_rounds(self.rounds)?;
        let to_stdout = self.output.as_deref() == Some(Path::new("-"));
        if to_stdout && std::io::stdout().is_terminal() {
            bail!(
                "-o - writes the audio to standard output, which is a terminal here: pipe it into a player (coach render {} -o - | aplay) or write a file with -o FILE",
                crate::guard::text::shown(&super::shell_quote(&self.routine))
            );
        }
        if to_stdout && self.chapters {
            bail!(
                "--chapters writes files beside the audio; with -o - there is no file to put them beside"
            );
        }
        // Where the audio goes: stdout, or a file whose extension picks
        // the format (checked before any speech is made).
        let file = match &self.output {
            _ if to_stdout => None,
            Some(path) => Some(path.clone()),
            None => Some(PathBuf::from(format!("{}.wav", loaded.found.name))),
        };
        let file = file
            .map(|f| format_of(&f).map(|format| (f, format)))
            .transpose()?;
        if let Some((output, _)) = file.as_ref().filter(|(f, _)| f.is_dir()) {
            bail!(
                "{} is a folder; give a file name such as session.wav",
                output.display()
            );
        }
        if let Some((output, _)) = &file {
            let mut targets = vec![output.clone()];
            if self.chapters {
                targets.push(output.with_extension("lrc"));
                targets.push(output.with_extension("cue"));
            }
            self.may_write(&targets, &loaded.found.origin)?;
        }
        // Ctrl-C, SIGTERM or a hang-up from here on leave no part file.
        crate::guard::temp::remove_on_signals();
        let prepared = prepare(loaded, &self.voice)?;
        let plan = &prepared.plan;
        if plan.speech_estimated {
            bail!(
                "the system voice speaks live only and gives no audio to write; render with another voice, e.g. --voice espeak:{}",
                prepared
                    .loaded
                    .routine
                    .language
                    .as_str()
                    .to_ascii_lowercase()
            );
        }
        if let Some(line) = super::adjusted_line(plan, &self.routine) {
            crate::guard::out::line(&line);
        }
        let renderer = Renderer::new(plan, &prepared.clips, &prepared.settings.mix())?;
        let mut out: Box<dyn Output> = match &file {
            None => {
                let stdout = std::io::stdout();
                let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
                Box::new(WavStream::new(out))
            }
            Some((path, Format::Wav)) => Box::new(AudioFile::new(path, Wav)),
            Some((path, Format::Ogg)) => Box::new(AudioFile::new(
                path,
                Ogg {
                    title: plan.title.clone(),
                    chapters: chapters::chapters(plan),
                },
            )),
        };
        out.play(Box::new(renderer))?;
        out.finish()?;
        let Some((output, _)) = file else {
            return Ok(Exit::Success);
        };
        let size = std::fs::metadata(&output).map_or(0, |m| m.len());
        crate::guard::out::line(&format!(
            "wrote {} ({}, {} samples at {} Hz, {:.1} MB)",
            output.display(),
            clock(plan.total_samples),
            plan.total_samples,
            SAMPLE_RATE,
            size as f64 / 1e6
        ));
        if self.chapters {
            let name = output
                .file_name()
                .context("the output has no file name")?
                .to_string_lossy()
                .into_owned();
            let lrc = write_beside(&output, "lrc", &chapters::lrc(plan))?;
            let cue = write_beside(&output, "cue", &chapters::cue(plan, &name))?;
            crate::guard::out::line(&format!(
                "wrote {} (a line per period) and {} (a track per exercise)",
                lrc.display(),
                cue.display()
            ));
        }
        Ok(Exit::Success)
    }
}
