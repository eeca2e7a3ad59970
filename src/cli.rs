//! The command line: one args struct per subcommand. The `///` comments are
//! the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::keys::{self, Number};
use crate::config::{OutputChoice, parse_voice_name};
use crate::settings::Overrides;

/// Voice-guided routines for stretching, physio and workouts, timed to the
/// sample.
///
/// A routine is a TOML file of exercises. coach speaks every step aloud and
/// marks every hold, rep and rest with exactly timed tones and spoken
/// counts, so you can follow it with your eyes closed.
///
/// ROUTINE is a path to a .toml file, or a name looked up as NAME.toml in
/// ./routines, then in your routine folder, then among the built-in
/// routines (`coach list` shows them all).
#[derive(Debug, Parser)]
#[command(name = "coach", version, propagate_version = true)]
#[command(after_help = "Examples:
  coach play hamstring-lower-back            play the bundled routine
  coach list                                 the routines you can play
  coach check my-routine.toml                mistakes, with line and column
  coach show hamstring-lower-back            every sound, with its time
  coach voices --lang de                     the voices for German routines
  coach config init                          set your voice once, in a file
  coach render hamstring-lower-back -o s.wav the whole session as a WAV file
  coach render hamstring-lower-back -o s.ogg --chapters
                                             for a phone, with chapters
  coach history --week                       minutes a day, and your streak
  coach play --resume                        on from where the last stopped
  coach ctl toggle                           pause or resume from elsewhere
  coach new shoulder-mobility                start a routine of your own

Exit status: 0 success, 1 failure (a routine with errors too), 2 a bad
command line, 3 a session stopped with q, 128 + N one stopped by signal N.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Play(Play),
    Ctl(Ctl),
    Devices(Devices),
    Voices(Voices),
    #[command(subcommand)]
    Config(ConfigCommand),
    Render(Render),
    Show(Show),
    Check(Check),
    List(List),
    History(History),
    New(New),
    Schema(Schema),
    Completions(Completions),
    Man(Man),
    Doctor(Doctor),
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    Serve(Serve),
}

/// Wait in the background and play a routine when asked: for a machine
/// nobody watches.
///
/// `coach serve` listens on a control socket of its own (serve.sock in
/// $XDG_RUNTIME_DIR/coach) and uses no CPU while it waits. A session
/// starts when:
///
/// - `coach ctl start ROUTINE` asks;
///
/// - play is pressed on a remote, a headset or a keypad (--input), or the
///   GPIO button (--gpio) is pressed: that starts --routine, else the
///   config's button_starts, else the routine scheduled for today;
///
/// - a schedule (`coach schedule add`) is due, when no systemd user
///   manager runs to play it. A time more than 10 minutes past (the
///   machine was off or asleep) is not played, unless the schedule has
///   --catch-up.
///
/// Each session plays as `coach play --quiet ROUTINE` would: its own keys
/// and buttons, every other `coach ctl` command controls it, and it is in
/// the session log. One session plays at a time; one that ends for any
/// reason (a lost device included) leaves the service waiting for the next.
/// Under systemd: `systemctl --user enable --now coach-serve` (the package
/// has the unit).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  coach serve &                              wait for sessions to start
  coach ctl start hamstring-lower-back       start one
  coach ctl pause                            control it as any session
  coach serve --routine hamstring-lower-back --gpio gpiochip0:17
                                             the button starts it")]
pub struct Serve {
    /// What a button starts [default: the config's button_starts, else the
    /// routine scheduled for today].
    #[arg(long, value_name = "ROUTINE")]
    pub routine: Option<String>,

    /// Where key events are read while no session plays, and by each
    /// session: auto, off, or one device, as for `coach play` [default: the
    /// config's input, else auto].
    #[arg(long, value_name = "auto|off|DEVICE")]
    pub input: Option<String>,

    /// A button on a GPIO line, as for `coach play`: while no session
    /// plays, a short press starts one [default: the config's gpio, else
    /// none].
    #[arg(long, value_name = "CHIP:LINE")]
    pub gpio: Option<String>,
}

/// Play a routine every day, or on some days, at a time: with systemd.
///
/// Each schedule is a systemd user timer and the service it starts,
/// written to ~/.config/systemd/user as coach-schedule-NAME.timer and
/// .service and enabled with `systemctl --user`. For a machine nobody logs
/// in to (a Raspberry Pi on a shelf), `loginctl enable-linger $USER` lets
/// them run from boot. Where no systemd user manager runs, `coach serve`
/// plays them from the same files. A time missed while the machine was off
/// is not played later, unless --catch-up asks for that.
#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  coach schedule add hamstring-lower-back --at 07:30 --days mon-fri
  coach schedule add my-routine.toml --at 18:00 --days sat,sun --voice en-gb
  coach schedule list
  coach schedule remove hamstring-lower-back-0730")]
pub enum ScheduleCommand {
    /// Play ROUTINE at a time of day, on some days.
    Add(ScheduleAdd),
    /// The schedules, with their times and days.
    List {
        /// Print JSON: name, routine, at, days, voice, device, catch_up.
        #[arg(long)]
        json: bool,
    },
    /// Stop a schedule and remove its units.
    Remove {
        /// The schedule's name, as `coach schedule list` shows it.
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct ScheduleAdd {
    /// The routine: a path (kept as an absolute path) or a name.
    #[arg(value_name = "ROUTINE")]
    pub routine: String,

    /// The time of day, 24-hour, local time: 07:30.
    #[arg(long, value_name = "HH:MM")]
    pub at: String,

    /// Which days: daily, weekdays, weekends, a range (mon-fri) or a list
    /// (mon,wed,fri).
    #[arg(long, value_name = "DAYS", default_value = "daily")]
    pub days: String,

    /// The voice to play it with [default: the config's].
    #[arg(long, value_name = "VOICE", value_parser = parse_voice_name)]
    pub voice: Option<String>,

    /// The output device [default: the config's, else the default].
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,

    /// Play a time missed while the machine was off as soon as it is on.
    #[arg(long)]
    pub catch_up: bool,

    /// The schedule's name [default: ROUTINE-HHMM].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// Check what a session needs, and say how to fix what is wrong.
///
/// One line per check: the config file, the voice (espeak-ng, and Piper's
/// models if it is installed), the sound output `play` would use, the
/// session log and the speech cache, the input devices and GPIO chips
/// remotes and buttons are read from, whether `coach serve` is waiting,
/// and for each schedule that its routine is there and that systemd or
/// serve will play it. Each problem is followed by its fix.
///
/// Exit status: 0 when nothing needs fixing (notes are about optional
/// parts), 1 when something does.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  coach doctor                   what works, and what to fix
  coach doctor --play-test       also play three beeps on the output
  coach doctor --json            the findings, for a script (the README has it)")]
pub struct Doctor {
    /// Also play a short test tone (three beeps) on the output play uses.
    #[arg(long)]
    pub play_test: bool,

    /// Print the findings as JSON: check, state (ok, note or problem),
    /// found, fix.
    #[arg(long)]
    pub json: bool,
}

/// Options that choose the voice. Each overrides the config file.
#[derive(Debug, Args, Clone, Default)]
pub struct VoiceArgs {
    #[command(flatten)]
    pub speech: SpeechArgs,

    #[arg(long, value_name = "PERCENT", help = number_help("Speech volume in percent", keys::VOLUME),
          value_parser = clap::value_parser!(u32).range(keys::VOLUME.range()))]
    pub volume: Option<u32>,
}

/// The options that decide how long each text takes to say: all of the
/// voice's but its volume.
#[derive(Debug, Args, Clone, Default)]
pub struct SpeechArgs {
    /// The voice: an espeak-ng voice (espeak:en-gb, or just en-gb), system
    /// for the operating system's voice, or a voice named in the config
    /// [default: the config's voice for the routine's language, else
    /// espeak-ng's]. `coach voices` lists them.
    #[arg(long, value_name = "VOICE", value_parser = parse_voice_name)]
    pub voice: Option<String>,

    #[arg(long, value_name = "WPM", help = number_help("Speaking speed in words per minute", keys::SPEED),
          value_parser = clap::value_parser!(u32).range(keys::SPEED.range()))]
    pub speed: Option<u32>,

    #[arg(long, value_name = "0-99", help = number_help("Voice pitch", keys::PITCH),
          value_parser = clap::value_parser!(u32).range(keys::PITCH.range()))]
    pub pitch: Option<u32>,
}

impl VoiceArgs {
    /// What these flags override of the config and the defaults.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            volume: self.volume,
            ..self.speech.overrides()
        }
    }
}

impl SpeechArgs {
    /// What these flags override of the config and the defaults.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            voice: self.voice.clone(),
            speed: self.speed,
            pitch: self.pitch,
            ..Overrides::default()
        }
    }
}

/// What `coach ctl` takes: a session's commands, and start.
fn ctl_words() -> Vec<&'static str> {
    let mut words = crate::player::controls::WORDS.to_vec();
    words.push("start");
    words
}

/// `--rounds N`: how many times a session goes through the exercises,
/// whatever the routine says; as the routine's own "rounds" is limited.
fn rounds_parser() -> clap::builder::RangedI64ValueParser<u32> {
    let (lo, hi) = crate::routine::keys::range(crate::routine::keys::TOP, "rounds");
    clap::value_parser!(u32).range(i64::from(lo)..=i64::from(hi))
}

/// "Voice pitch, 0 to 99 [default: 50]"
fn number_help(what: &str, key: Number) -> String {
    format!("{what}, {} [default: {}]", key.limits(), key.default)
}

/// Play a routine on a sound device.
///
/// Every step is spoken and every hold, rep and rest is marked by tones and
/// counts, exactly on time. On a terminal, keys control the session:
/// space (or p) pauses and resumes (a paused hold continues where it
/// stopped, after a count-in), n (or →) skips to the next exercise, b (or
/// ←) goes back to the start of this exercise (twice: the one before), r
/// repeats the current period, s says where you are, ? shows the keys, q
/// quits.
///
/// From anywhere else: `coach ctl` (pause, resume, next, back, repeat,
/// stop, status), the play/pause and next buttons of a headset or of
/// media keys (MPRIS, on a desktop), a Bluetooth remote or keypad
/// (--input), a button on a GPIO pin (--gpio). Signals work too: SIGUSR1
/// pauses and resumes, SIGUSR2 skips to the next exercise, SIGINT and
/// SIGTERM stop (`kill -USR1 PID`; `pkill` would reach every user's
/// coach). Ctrl-Z pauses and stops coach; `fg` (or
/// SIGCONT) resumes after a count-in, and after a stop from outside
/// (SIGSTOP, a laptop asleep) the session goes on from where it was heard.
///
/// Sessions play through the sound server (PulseAudio or PipeWire) when one
/// is running, else straight through ALSA; --output picks one.
///
/// Each session is written to the session log as it plays (`coach history`
/// reads it); a session stopped early says how far it got, and
/// `coach play --resume` continues it. Exit status: 0 when played to the end, 3 when stopped with
/// q, 128 + the signal when stopped by one, 1 on failure.
#[derive(Debug, Args)]
pub struct Play {
    /// The routine: a path, a name, or - to read it from stdin. With
    /// --resume it may be left out.
    #[arg(value_name = "ROUTINE", required_unless_present = "resume")]
    pub routine: Option<String>,

    /// Continue the last session that did not finish, at the start of the
    /// exercise it stopped in (of ROUTINE, if given). Refused if the
    /// routine file has changed since.
    #[arg(long, conflicts_with = "from")]
    pub resume: bool,

    /// Do not write this session to the session log.
    #[arg(long)]
    pub no_log: bool,

    /// The output device, as `coach devices` lists it (e.g.
    /// pulse:alsa_output.usb-speaker or alsa:hw:CARD=Headphones,DEV=0)
    /// [default: the config's device, else the system's default output].
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,

    /// Where to play: auto (the sound server, PulseAudio or PipeWire, if
    /// one is running, else ALSA), pulse, alsa, or cpal (the portable
    /// fallback) [default: the config's output, else auto].
    #[arg(long, value_name = "OUTPUT", value_parser = output_choice)]
    pub output: Option<OutputChoice>,

    /// What the sound server is told the session's stream is, its
    /// media.role, which its policies act on: "music" lowers or pauses
    /// nothing else; a role the server ducks music for (such as
    /// "Navigation" under WirePlumber's role policy) makes music quieter
    /// while coach plays [default: the config's role, else music].
    #[arg(long, value_name = "ROLE", value_parser = media_role)]
    pub role: Option<String>,

    /// Where key events are read, for a machine with no desktop: auto
    /// (every device with media keys that is not a full keyboard: a
    /// Bluetooth remote, a headset's buttons, a keypad; off when a desktop
    /// runs, whose media keys reach coach anyway), off, or one device such
    /// as /dev/input/by-id/usb-Remote-event-kbd [default: the config's
    /// input, else auto].
    #[arg(long, value_name = "auto|off|DEVICE")]
    pub input: Option<String>,

    /// A button on a GPIO line, wired to ground: a short press pauses and
    /// resumes, a double press skips to the next exercise, a long press
    /// stops. CHIP:LINE, such as gpiochip0:17 (BCM pin 17 on a Raspberry
    /// Pi) [default: the config's gpio, else none].
    #[arg(long, value_name = "CHIP:LINE")]
    pub gpio: Option<String>,

    /// Start at this exercise: its name or its number, from 1.
    #[arg(long, value_name = "EXERCISE")]
    pub from: Option<String>,

    /// With --from: the round to start in [default: 1].
    #[arg(long, value_name = "N", requires = "from")]
    pub round: Option<u32>,

    /// Go through the exercises N times, whatever the routine's "rounds"
    /// says.
    #[arg(long, value_name = "N", value_parser = rounds_parser())]
    pub rounds: Option<u32>,

    /// Show nothing while playing, and take no keys.
    #[arg(short, long)]
    pub quiet: bool,

    #[arg(long, value_name = "MS", help = format!(
        "Milliseconds of audio handed to the device at a time, {}. The first sound and every key are heard about twice this later; longer periods use less CPU (200 suits a Raspberry Pi Zero) [default: {}]",
        keys::LATENCY.limits(), keys::LATENCY.default),
          value_parser = clap::value_parser!(u32).range(keys::LATENCY.range()))]
    pub latency: Option<u32>,

    #[command(flatten)]
    pub voice: VoiceArgs,
}

/// Control a playing session: from another terminal, a script, or a key
/// binding.
///
/// Each running `coach play` listens on a control socket of its own in
/// your runtime folder ($XDG_RUNTIME_DIR/coach); `coach ctl` talks to the
/// newest session, or to the one --pid names. A command acts exactly as
/// the session's key does, and one with no sound of its own (a skip to an
/// exercise that starts silent) is confirmed aloud. Only your own
/// sessions answer.
///
/// Exit status: 0 when the session did it, 1 when there is no session or
/// it did nothing (such as `resume` when not paused), 2 for a bad command
/// line.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  coach ctl toggle               pause or resume the newest session
  coach ctl next                 skip to the next exercise
  coach ctl status               where the session is and how long is left
  coach ctl status --json        the same, for a script (the README has it)
  coach ctl say-status           have the session say where it is
  coach ctl stop --pid 4242      stop the session of process 4242
  coach ctl start my-routine     have `coach serve` play a routine")]
pub struct Ctl {
    /// What to do: pause, resume, toggle (pause or resume), next (the next
    /// exercise), back (this exercise's start; just after it, the one
    /// before), repeat (this period again), stop, status (print where the
    /// session is), say-status (have it say so); or start ROUTINE, which
    /// asks `coach serve` to play it.
    #[arg(value_name = "COMMAND", value_parser = clap::builder::PossibleValuesParser::new(ctl_words()))]
    pub command: String,

    /// With start: the routine to play, a path or a name.
    #[arg(value_name = "ROUTINE", required_if_eq("command", "start"))]
    pub routine: Option<String>,

    /// Print the session's answer as JSON: for status, where it is.
    #[arg(long)]
    pub json: bool,

    /// The session of this process [default: the newest session].
    #[arg(long, value_name = "PID", conflicts_with = "socket")]
    pub pid: Option<u32>,

    /// The control socket to talk to [default: the newest session's].
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

/// List the voices of every engine, with the name --voice takes.
///
/// espeak-ng's voices, the external voices named in your config file, and
/// the operating system's voice (speech-dispatcher on Linux), each with
/// whether it can be used here and, if not, why.
#[derive(Debug, Args)]
pub struct Voices {
    /// Only voices for this language, such as de or en-GB.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,

    /// Print JSON instead of a table (see the README).
    #[arg(long)]
    pub json: bool,
}

/// Your config file: the voice, speed, volumes and device to use by default.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print where the config file is (it need not exist).
    Path,
    /// Write a config file with every setting explained and commented out.
    /// An existing file is never overwritten.
    Init,
}

/// List the sound output devices, with the name --device takes.
#[derive(Debug, Args)]
pub struct Devices {
    /// Print JSON instead of a table (see the README).
    #[arg(long)]
    pub json: bool,
}

/// Write a whole session to an audio file: WAV, or Ogg Vorbis for a phone.
///
/// The format follows the extension: .wav (16-bit mono, 22,050 Hz) holds
/// exactly what `coach show` lists, sample for sample; .ogg is Ogg Vorbis,
/// about 1 MB for 10 minutes, with a chapter for each exercise. Both start
/// with half a second of silence and end with a second. The file is
/// written under a temporary name and appears only when complete; Ctrl-C
/// leaves nothing behind, and an existing file is replaced only with
/// --force.
#[derive(Debug, Args)]
pub struct Render {
    /// The routine: a path, a name, or - to read it from stdin.
    #[arg(value_name = "ROUTINE")]
    pub routine: String,

    /// Where to write: FILE.wav or FILE.ogg, or - for WAV on stdout (to
    /// pipe into aplay, sox or an encoder) [default: ROUTINE-NAME.wav].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write FILE.lrc (lyrics: one line per period, shown by music
    /// players as the session plays) and FILE.cue (a cue sheet with a track
    /// per exercise) next to the audio.
    #[arg(long)]
    pub chapters: bool,

    /// Replace the output (and its chapter files) if it exists. Without
    /// it, coach asks on a terminal and refuses otherwise. The routine
    /// file itself is never replaced.
    #[arg(short, long)]
    pub force: bool,

    /// Go through the exercises N times, whatever the routine's "rounds"
    /// says.
    #[arg(long, value_name = "N", value_parser = rounds_parser())]
    pub rounds: Option<u32>,

    #[command(flatten)]
    pub voice: VoiceArgs,
}

/// Print the cue sheet: every sound of a session with its time.
///
/// Each line gives the time from the start of the session, the period it
/// sounds in (announce, get_ready, work, switch, set_rest, rest), what is
/// heard, and the exercise, side, set and rep it belongs to. With --json the
/// same as one JSON object with sample-exact positions (see the README).
#[derive(Debug, Args)]
pub struct Show {
    /// The routine: a path, a name, or - to read it from stdin.
    #[arg(value_name = "ROUTINE")]
    pub routine: String,

    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Every spoken text whole, however wide the terminal (piped, they
    /// always are).
    #[arg(long, conflicts_with = "json")]
    pub wide: bool,

    /// Go through the exercises N times, whatever the routine's "rounds"
    /// says.
    #[arg(long, value_name = "N", value_parser = rounds_parser())]
    pub rounds: Option<u32>,

    #[command(flatten)]
    pub voice: VoiceArgs,
}

/// Check routines for mistakes, and report sounds that had to be moved.
///
/// Errors (the file cannot be played) are shown with file, line and column.
/// Warnings name a cue or count that collided with other speech and was
/// moved or dropped, with the exercise and the time. Exit status 1 if any
/// file has errors, or warnings with --strict.
#[derive(Debug, Args)]
pub struct Check {
    /// Routines to check: paths, names, folders (every .toml in them), or -
    /// for one on stdin.
    #[arg(value_name = "ROUTINE", required = true)]
    pub routines: Vec<String>,

    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,

    /// Print each diagnostic as a line of JSON, and a last line for each
    /// file (see the README), for editors and CI.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub voice: VoiceArgs,
}

/// List the routines you can play: built in, in ./routines and in your
/// routine folder, with their titles and lengths.
///
/// Nothing is synthesized to list them: a length marked ~ is estimated,
/// because some of its speech is not in the cache yet (`coach check` or a
/// first play makes it exact).
#[derive(Debug, Args)]
pub struct List {
    /// Print JSON instead of a table (see the README).
    #[arg(long)]
    pub json: bool,

    /// The lengths listed are those of this voice and speed.
    #[command(flatten)]
    pub voice: SpeechArgs,
}

/// Show the sessions you have played, from the session log.
///
/// Newest first: when, which routine, the time planned and the time played
/// (pauses not counted), and how it ended: finished, stopped (and in which
/// exercise), or unfinished when the process was killed or the power
/// failed. `coach play --resume` continues the last one that did not
/// finish.
#[derive(Debug, Args)]
pub struct History {
    /// Minutes per day this week, and the current streak of days.
    #[arg(long)]
    pub week: bool,

    /// With --week: the week holding this day, and the streak up to it
    /// [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", requires = "week", value_parser = parse_date)]
    pub date: Option<crate::sessions::calendar::Date>,

    /// How many sessions to show, newest first; 0 shows all [default: 20].
    #[arg(
        short = 'n',
        long,
        value_name = "N",
        default_value_t = 20,
        hide_default_value = true
    )]
    pub limit: usize,

    /// Print JSON instead of a table (see the README).
    #[arg(long)]
    pub json: bool,
}

/// Start a routine of your own: a commented template to edit.
///
/// Writes routines/NAME.toml in the current folder (or FILE with
/// --output), showing holds, reps with a tempo, sides and cues. It passes
/// `coach check` as it is. An existing file is never overwritten.
#[derive(Debug, Args)]
pub struct New {
    /// The routine's name: letters, digits, - and _, e.g. shoulder-mobility.
    #[arg(value_name = "NAME", value_parser = parse_routine_name)]
    pub name: String,

    /// Write here instead of routines/NAME.toml.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Print the JSON Schema of the routine format, for editors.
///
/// Save it and point your editor at it, e.g. with Even Better TOML (taplo)
/// put `#:schema ./routine.schema.json` on the first line of a routine:
///
///   coach schema > routine.schema.json
#[derive(Debug, Args)]
pub struct Schema {}

/// Print the shell completions for coach: its commands, options and
/// their values.
///
/// `make install` puts them where each shell looks; by hand:
///
///   coach completions bash > ~/.local/share/bash-completion/completions/coach
///   coach completions zsh > ~/.zfunc/_coach      (with ~/.zfunc in fpath)
///   coach completions fish > ~/.config/fish/completions/coach.fish
#[derive(Debug, Args)]
pub struct Completions {
    /// The shell.
    #[arg(value_name = "SHELL", value_parser = clap::builder::PossibleValuesParser::new(["bash", "zsh", "fish"]))]
    pub shell: String,
}

/// Print a manual page (roff), made from the same definitions as --help:
/// coach(1), or with a command its own page, coach-COMMAND(1).
///
///   coach man | man -l -
///   coach man play > ~/.local/share/man/man1/coach-play.1
#[derive(Debug, Args)]
pub struct Man {
    /// The command whose page to print [default: coach's own].
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,

    /// List the commands that have a page, one a line.
    #[arg(long, conflicts_with = "command")]
    pub list: bool,
}

fn parse_date(s: &str) -> Result<crate::sessions::calendar::Date, String> {
    crate::sessions::calendar::Date::parse(s)
        .ok_or_else(|| format!("\"{s}\" is not a date; write it as YYYY-MM-DD, e.g. 2026-11-27"))
}

/// A routine name becomes a file name: no paths, no options.
pub fn parse_routine_name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && !s.starts_with(['-', '.'])
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "\"{s}\" cannot be a routine name; use letters, digits, - and _, e.g. shoulder-mobility"
        ))
    }
}

fn output_choice(s: &str) -> Result<OutputChoice, String> {
    OutputChoice::parse(s).ok_or_else(|| {
        format!(
            "\"{s}\" is not an output: use one of {}",
            keys::OUTPUTS.join(", ")
        )
    })
}

fn media_role(s: &str) -> Result<String, String> {
    if crate::config::valid_role(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "\"{s}\" is not a media role: use one short word such as \"music\", \"a11y\" or \"Navigation\""
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
