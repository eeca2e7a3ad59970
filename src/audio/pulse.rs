//! The native PulseAudio output, through the C libpulse (PipeWire's pulse
//! server answers it too). The timeline is known in advance, so the output
//! keeps seconds of audio queued at the server, which then wakes about
//! once a second and never runs dry when the machine is busy, and still
//! reacts at once: a pause or a skip flushes what is queued and the source
//! rewinds to the sample being heard ([`Output::redirect`]). What has been
//! heard comes from the server's timing (its read index less the sink's
//! latency), not from what was written, so a gap in playback moves the
//! session's end, never the places of its sounds.
//!
//! Everything that touches libpulse does so with the threaded mainloop's
//! lock held; the callbacks run on libpulse's thread and talk back through
//! [`Fed`] and a channel, never by waiting on the mainloop.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use libpulse_binding as pa;
use pa::context::{Context, FlagSet as ContextFlags, State as ContextState};
use pa::def::BufferAttr;
use pa::mainloop::threaded::Mainloop;
use pa::proplist::{Proplist, properties};
use pa::sample::{Format, Spec};
use pa::stream::{FlagSet as StreamFlags, SeekMode, State as StreamState, Stream};

use super::device::{DeviceError, DeviceInfo};
use super::output::{Output, Source};
use crate::timeline::SAMPLE_RATE;
use crate::timeline::time::millis;

/// How long to wait for the server to answer anything before calling it
/// gone.
const ANSWER: Duration = Duration::from_secs(3);

/// The sink a sound server stands up when it has no device left
/// (PulseAudio's module-always-sink): playing there is playing nowhere.
const PLACEHOLDER: &str = "auto_null";

/// What a pulse stream is asked for.
#[derive(Clone, Debug)]
pub struct PulseOptions {
    /// The sink, by name; else the server's default.
    pub device: Option<String>,
    /// How much audio the server keeps queued, in milliseconds.
    pub queue_ms: u32,
    /// The stream's `media.role`, for the server's policies.
    pub role: String,
    /// The stream's `media.name`: the routine.
    pub title: String,
}

/// What the callbacks share with the output.
#[derive(Default)]
struct Fed {
    source: Mutex<Option<Box<dyn Source>>>,
    /// Writes wait while a redirect is under way.
    hold: AtomicBool,
    /// The source has given its last sample.
    ended: AtomicBool,
    /// The first fatal error: the server or the stream went away.
    error: Mutex<Option<String>>,
    /// When playback last ran dry, if it has not started again.
    dry_since: Mutex<Option<Instant>>,
    /// When the last redirect flushed the queue.
    flushed_at: Mutex<Option<Instant>>,
    /// How long playback stood dry since the output was last asked.
    gaps: Mutex<Duration>,
}

impl Fed {
    fn fail(&self, why: String) {
        if let Ok(mut e) = self.error.lock() {
            e.get_or_insert(why);
        }
    }

    fn failed(&self) -> bool {
        self.error.lock().map(|e| e.is_some()).unwrap_or(true)
    }

    /// A redirect emptied the server's queue a moment ago. If the sink
    /// asked for the stream's audio before the new audio came (a window of
    /// a round trip), the server reports an underflow that is the flush's,
    /// not a machine too busy: it costs at most one of the sink's blocks of
    /// silence, where the change is heard anyway.
    fn flushed_lately(&self) -> bool {
        self.flushed_at
            .lock()
            .ok()
            .and_then(|t| *t)
            .is_some_and(|t| t.elapsed() < FLUSH_UNDERFLOW)
    }
}

/// How long after a flush an underflow is the flush's.
const FLUSH_UNDERFLOW: Duration = Duration::from_millis(250);

/// A connection to the sound server, and the session's stream on it once
/// it plays.
///
/// The fields drop in order: the stream and the context before the
/// mainloop they run on.
pub struct Pulse {
    stream: Option<Rc<RefCell<Stream>>>,
    context: Rc<RefCell<Context>>,
    fed: Arc<Fed>,
    /// The context's and the stream's state changes arrive here: true for
    /// ready, false for failed.
    states: Receiver<bool>,
    tx: Sender<bool>,
    options: PulseOptions,
    name: String,
    /// The last sample heard that the server's timing told.
    heard: std::cell::Cell<u64>,
    mainloop: RefCell<Mainloop>,
}

/// A server's name for a user: the sink, as `--device` takes it.
fn shown(sink: &str) -> String {
    format!("pulse:{sink}")
}

/// The sink a `--device` value names, if it names a pulse sink.
pub fn sink_of(device: &str) -> Option<&str> {
    device
        .strip_prefix("pulse:")
        .or_else(|| device.strip_prefix("pulseaudio:"))
}

impl Pulse {
    /// Connects to the sound server; fails at once if there is none (no
    /// server is started for coach).
    pub fn connect(options: PulseOptions) -> Result<Pulse, DeviceError> {
        let unreachable = |reason: String| DeviceError::CannotOpen {
            device: "the sound server".into(),
            reason,
        };
        let mut props = Proplist::new().ok_or_else(|| unreachable("out of memory".into()))?;
        let _ = props.set_str(properties::APPLICATION_NAME, "coach");
        let _ = props.set_str(properties::APPLICATION_ID, "coach");
        let _ = props.set_str(properties::APPLICATION_ICON_NAME, "coach");
        let mainloop = Mainloop::new().ok_or_else(|| unreachable("out of memory".into()))?;
        let context = Context::new_with_proplist(&mainloop, "coach", &props)
            .ok_or_else(|| unreachable("out of memory".into()))?;
        let (tx, states) = channel();
        let mut pulse = Pulse {
            stream: None,
            context: Rc::new(RefCell::new(context)),
            fed: Arc::default(),
            states,
            tx,
            options,
            name: String::new(),
            heard: Default::default(),
            mainloop: RefCell::new(mainloop),
        };
        pulse.connect_context().map_err(unreachable)?;
        Ok(pulse)
    }

    fn connect_context(&mut self) -> Result<(), String> {
        {
            let context = self.context.clone();
            let fed = self.fed.clone();
            let tx = self.tx.clone();
            self.context
                .borrow_mut()
                .set_state_callback(Some(Box::new(move || {
                    // Mostly on libpulse's thread, with the lock held; but
                    // also from within our own calls (connect, disconnect),
                    // which hold the context: those changes are not news.
                    let Ok(state) = context.try_borrow().map(|c| c.get_state()) else {
                        return;
                    };
                    match state {
                        ContextState::Ready => {
                            let _ = tx.send(true);
                        }
                        ContextState::Failed | ContextState::Terminated => {
                            let why = context
                                .try_borrow()
                                .ok()
                                .and_then(|c| c.errno().to_string());
                            fed.fail(format!(
                                "the sound server went away ({})",
                                why.unwrap_or_else(|| "connection lost".into())
                            ));
                            let _ = tx.send(false);
                        }
                        _ => {}
                    }
                })));
        }
        self.context
            .borrow_mut()
            .connect(None, ContextFlags::NOAUTOSPAWN, None)
            .map_err(|e| e.to_string().unwrap_or_else(|| "no server".into()))?;
        self.mainloop
            .borrow_mut()
            .start()
            .map_err(|e| e.to_string().unwrap_or_default())?;
        match self.states.recv_timeout(ANSWER) {
            Ok(true) => Ok(()),
            Ok(false) => Err(self.error().unwrap_or_else(|| "no sound server".into())),
            Err(_) => Err("the sound server did not answer".into()),
        }
    }

    /// Runs `f` with the mainloop locked.
    fn locked<T>(&self, f: impl FnOnce() -> T) -> T {
        self.mainloop.borrow_mut().lock();
        let out = f();
        self.mainloop.borrow_mut().unlock();
        out
    }

    /// Starts an operation with the lock held (`start` gets where its
    /// answer goes) and waits for its answer: false if it failed, the
    /// server did not answer or went away.
    fn ask(&self, start: impl FnOnce(Sender<bool>)) -> bool {
        let (tx, rx) = channel();
        self.locked(|| start(tx));
        matches!(rx.recv_timeout(ANSWER), Ok(true)) && !self.fed.failed()
    }

    /// An operation on the stream, waited for.
    fn ask_stream(
        &self,
        stream: &Rc<RefCell<Stream>>,
        op: impl FnOnce(&mut Stream, Box<dyn FnMut(bool)>),
    ) -> bool {
        self.ask(|tx| {
            op(
                &mut stream.borrow_mut(),
                Box::new(move |ok| {
                    let _ = tx.send(ok);
                }),
            )
        })
    }

    /// Every sink of the server, the default one marked.
    pub fn sinks(&self) -> Vec<DeviceInfo> {
        // The answers are written on libpulse's thread: Arc, not Rc.
        let found: Arc<Mutex<Vec<DeviceInfo>>> = Arc::default();
        let default: Arc<Mutex<Option<String>>> = Arc::default();
        let got_default = self.ask(|tx| {
            let default = default.clone();
            self.context
                .borrow()
                .introspect()
                .get_server_info(move |info| {
                    if let Ok(mut d) = default.lock() {
                        *d = info.default_sink_name.as_ref().map(|s| shown(s));
                    }
                    let _ = tx.send(true);
                });
        });
        let listed = self.ask(|tx| {
            let found = found.clone();
            self.context
                .borrow()
                .introspect()
                .get_sink_info_list(move |item| match item {
                    pa::callbacks::ListResult::Item(sink) => {
                        if let (Some(name), Ok(mut found)) = (&sink.name, found.lock()) {
                            found.push(DeviceInfo {
                                id: shown(name),
                                description: sink
                                    .description
                                    .as_ref()
                                    .map(|d| d.to_string())
                                    .unwrap_or_default(),
                                default: false,
                            });
                        }
                    }
                    pa::callbacks::ListResult::End => {
                        let _ = tx.send(true);
                    }
                    pa::callbacks::ListResult::Error => {
                        let _ = tx.send(false);
                    }
                });
        });
        if !(got_default && listed) {
            return vec![];
        }
        let default = default.lock().ok().and_then(|d| d.clone());
        let mut sinks = found.lock().map(|f| f.clone()).unwrap_or_default();
        for s in &mut sinks {
            s.default = Some(&s.id) == default.as_ref();
        }
        sinks
    }

    /// The buffer the stream asks for: `queue_ms` queued, more asked for
    /// when a little under half of it has been played, which leaves the
    /// sink a latency of 2.5 % of the queue (50 ms for 2 s) and the server
    /// one request per half queue.
    fn buffer(&self) -> BufferAttr {
        let bytes = |samples: u64| (samples * 2) as u32;
        let queue = millis(self.options.queue_ms.max(20) as u64);
        BufferAttr {
            maxlength: bytes(queue),
            tlength: bytes(queue),
            prebuf: bytes((queue / 20).max(millis(10))),
            minreq: bytes(queue / 4),
            fragsize: u32::MAX,
        }
    }

    fn open_stream(&mut self, source: Box<dyn Source>) -> Result<(), String> {
        let spec = Spec {
            format: Format::S16NE,
            channels: 1,
            rate: SAMPLE_RATE,
        };
        let mut props = Proplist::new().ok_or("out of memory")?;
        let _ = props.set_str(properties::MEDIA_NAME, &self.options.title);
        let _ = props.set_str(properties::MEDIA_ROLE, &self.options.role);
        let _ = props.set_str(properties::APPLICATION_NAME, "coach");
        let _ = props.set_str(properties::APPLICATION_ICON_NAME, "coach");
        let stream = Stream::new_with_proplist(
            &mut self.context.borrow_mut(),
            &self.options.title,
            &spec,
            None,
            &mut props,
        )
        .ok_or("the server refused a stream")?;
        let stream = Rc::new(RefCell::new(stream));
        if let Ok(mut s) = self.fed.source.lock() {
            *s = Some(source);
        }
        self.set_callbacks(&stream);
        let mut flags = StreamFlags::ADJUST_LATENCY
            | StreamFlags::INTERPOLATE_TIMING
            | StreamFlags::AUTO_TIMING_UPDATE;
        let sink = self.options.device.clone();
        if sink.is_some() {
            // The device named is the one wanted: if it goes, say so
            // rather than play somewhere else.
            flags |= StreamFlags::DONT_MOVE;
        }
        stream
            .borrow_mut()
            .connect_playback(sink.as_deref(), Some(&self.buffer()), flags, None, None)
            .map_err(|e| e.to_string().unwrap_or_default())?;
        self.stream = Some(stream);
        Ok(())
    }

    fn set_callbacks(&self, stream: &Rc<RefCell<Stream>>) {
        let mut s = stream.borrow_mut();
        {
            let (me, fed, tx) = (stream.clone(), self.fed.clone(), self.tx.clone());
            s.set_state_callback(Some(Box::new(move || {
                // As for the context: a change from within our own call is
                // not news.
                let Ok(state) = me.try_borrow().map(|s| s.get_state()) else {
                    return;
                };
                match state {
                    StreamState::Ready => {
                        let _ = tx.send(true);
                    }
                    StreamState::Failed | StreamState::Terminated => {
                        fed.fail("the sound server closed the stream: its output device was removed or the server is stopping".into());
                        let _ = tx.send(false);
                    }
                    _ => {}
                }
            })));
        }
        {
            let (me, fed) = (stream.clone(), self.fed.clone());
            s.set_write_callback(Some(Box::new(move |bytes| {
                if let Ok(mut stream) = me.try_borrow_mut() {
                    feed(&mut stream, &fed, bytes);
                }
            })));
        }
        {
            // Moved by the server when its sink went away: to another
            // device is fine (headphones unplugged, speakers go on); to the
            // placeholder a server loads when no device is left is not.
            let (me, fed) = (stream.clone(), self.fed.clone());
            s.set_moved_callback(Some(Box::new(move || {
                let to = me
                    .try_borrow()
                    .ok()
                    .and_then(|s| s.get_device_name().map(|n| n.to_string()));
                if to.as_deref() == Some(PLACEHOLDER) {
                    fed.fail(
                        "its output device was removed and the sound server has no other".into(),
                    );
                }
            })));
        }
        {
            let fed = self.fed.clone();
            s.set_underflow_callback(Some(Box::new(move || {
                if fed.flushed_lately() {
                    return;
                }
                if let Ok(mut d) = fed.dry_since.lock() {
                    d.get_or_insert_with(Instant::now);
                }
            })));
        }
        {
            let fed = self.fed.clone();
            s.set_started_callback(Some(Box::new(move || {
                let since = fed.dry_since.lock().ok().and_then(|mut d| d.take());
                if let Some(since) = since
                    && let Ok(mut g) = fed.gaps.lock()
                {
                    *g += since.elapsed();
                }
            })));
        }
    }

    fn with_stream<T>(&self, f: impl FnOnce(&mut Stream) -> T) -> Option<T> {
        let stream = self.stream.as_ref()?;
        Some(self.locked(|| f(&mut stream.borrow_mut())))
    }
}

/// Writes up to `bytes` of the source into the stream: the write callback,
/// also called by a redirect once the source has rewound.
fn feed(stream: &mut Stream, fed: &Fed, bytes: usize) {
    if fed.hold.load(Ordering::Relaxed) || fed.ended.load(Ordering::Relaxed) {
        return;
    }
    let Ok(mut source) = fed.source.lock() else {
        return;
    };
    let Some(source) = source.as_mut() else {
        return;
    };
    let mut left = bytes & !1;
    let mut samples = Vec::new();
    while left > 0 {
        let Ok(Some(buf)) = stream.begin_write(Some(left)) else {
            return;
        };
        let room = buf.len() / 2;
        samples.resize(room, 0);
        let mut n = 0;
        while n < room {
            let k = source.fill(&mut samples[n..]);
            if k == 0 {
                fed.ended.store(true, Ordering::Relaxed);
                break;
            }
            n += k;
        }
        for (out, s) in buf.chunks_exact_mut(2).zip(&samples[..n]) {
            out.copy_from_slice(&s.to_ne_bytes());
        }
        if n == 0 {
            let _ = stream.cancel_write();
            return;
        }
        if stream
            .write(&buf[..n * 2], None, 0, SeekMode::Relative)
            .is_err()
        {
            return;
        }
        left = left.saturating_sub(n * 2);
        if fed.ended.load(Ordering::Relaxed) {
            return;
        }
    }
}

impl Output for Pulse {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn play(&mut self, source: Box<dyn Source>) -> Result<()> {
        self.mainloop.borrow_mut().lock();
        let opened = self.open_stream(source);
        self.mainloop.borrow_mut().unlock();
        let fail = |reason: String| DeviceError::CannotOpen {
            device: self
                .options
                .device
                .as_deref()
                .map_or("the default sound output".into(), shown),
            reason,
        };
        opened.map_err(fail)?;
        if !matches!(self.states.recv_timeout(ANSWER), Ok(true)) || self.fed.failed() {
            let why = self
                .error()
                .unwrap_or_else(|| "the sound server did not answer".into());
            return Err(fail(why).into());
        }
        let sink = self.with_stream(|s| s.get_device_name().map(|n| n.to_string()));
        self.name = sink
            .flatten()
            .map_or_else(|| "the sound server".into(), |n| shown(&n));
        Ok(())
    }

    /// Flushes the queue, then rewinds the source to where the server's
    /// write index now is: the first sample it has not played. The flush
    /// and the question of where that is go out together and are answered
    /// in one round trip, so the server's queue stands empty as briefly as
    /// it can.
    fn redirect(&self, change: &mut dyn FnMut()) {
        let Some(stream) = self.stream.as_ref() else {
            return change();
        };
        if self.fed.failed() || self.fed.ended.load(Ordering::Relaxed) {
            return change();
        }
        self.fed.hold.store(true, Ordering::Relaxed);
        if let Ok(mut t) = self.fed.flushed_at.lock() {
            *t = Some(Instant::now());
        }
        // The server answers in order: the flush's answer comes first.
        let flushed = Arc::new(AtomicBool::new(false));
        let timed = self.ask_stream(stream, |s, answer| {
            let ok = flushed.clone();
            drop(s.flush(Some(Box::new(move |done| {
                ok.store(done, Ordering::Relaxed)
            }))));
            drop(s.update_timing_info(Some(answer)));
        }) && flushed.load(Ordering::Relaxed);
        self.locked(|| {
            let mut s = stream.borrow_mut();
            let next = s
                .get_timing_info()
                .filter(|t| timed && t.write_index_corrupt == 0 && t.write_index >= 0)
                .map(|t| t.write_index as u64 / 2);
            if let (Some(next), Ok(mut source)) = (next, self.fed.source.lock())
                && let Some(source) = source.as_mut()
            {
                source.rewind(next);
            }
            change();
            self.fed.hold.store(false, Ordering::Relaxed);
            if let Some(room) = s.writable_size() {
                feed(&mut s, &self.fed, room);
            }
        });
    }

    /// From the server's timing: its read index less the sink's latency,
    /// moved on by the time since it was told. Once the server has gone,
    /// the last that it told.
    /// Renames the stream (its `media.name`); not waited for.
    fn describe(&self, what: &str) {
        if !self.fed.failed() {
            self.with_stream(|s| drop(s.set_name(what, None)));
        }
    }

    /// A round trip to the server, which answers once it has everything
    /// written before it: libpulse sends from its own thread, which a stop
    /// would stop too.
    fn deliver(&self) {
        if let Some(stream) = self.stream.as_ref()
            && !self.fed.failed()
        {
            self.ask_stream(stream, |s, answer| drop(s.update_timing_info(Some(answer))));
        }
    }

    fn heard(&self) -> u64 {
        if !self.fed.failed()
            && let Some(t) = self
                .with_stream(|s| s.get_time())
                .and_then(|t| t.ok().flatten())
        {
            self.heard.set(t.0 * SAMPLE_RATE as u64 / 1_000_000);
        }
        self.heard.get()
    }

    fn gaps(&self) -> Option<Duration> {
        let mut g = self.fed.gaps.lock().ok()?;
        let gap = std::mem::take(&mut *g);
        (!gap.is_zero()).then_some(gap)
    }

    fn error(&self) -> Option<String> {
        self.fed.error.lock().ok().and_then(|e| e.clone())
    }

    /// Waits for the server to play out what is queued.
    fn finish(&mut self) -> Result<()> {
        let Some(stream) = self.stream.clone() else {
            return Ok(());
        };
        if self.fed.failed() {
            return Ok(());
        }
        let (tx, rx) = channel();
        self.locked(|| {
            let _ = stream.borrow_mut().drain(Some(Box::new(move |ok| {
                let _ = tx.send(ok);
            })));
        });
        let queued = Duration::from_millis(self.options.queue_ms as u64);
        match rx.recv_timeout(queued + ANSWER) {
            Ok(_) => Ok(()),
            Err(_) => Err(anyhow!("the sound server did not finish playing")),
        }
    }

    fn stop(&mut self) {
        self.close();
    }
}

impl Pulse {
    /// Disconnects the stream and the context; what is queued is dropped.
    fn close(&mut self) {
        let stream = self.stream.take();
        self.mainloop.borrow_mut().lock();
        if let Some(stream) = stream {
            let mut s = stream.borrow_mut();
            s.set_write_callback(None);
            s.set_state_callback(None);
            s.set_underflow_callback(None);
            s.set_started_callback(None);
            s.set_moved_callback(None);
            let _ = s.disconnect();
        }
        {
            let mut c = self.context.borrow_mut();
            c.set_state_callback(None);
            c.disconnect();
        }
        self.mainloop.borrow_mut().unlock();
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        self.close();
        self.mainloop.borrow_mut().stop();
    }
}
