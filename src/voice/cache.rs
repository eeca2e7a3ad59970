//! The clip cache: synthesized speech on disk, one file per (voice, text),
//! named by a hash of both. Each file repeats its full key, so a hash
//! collision or a corrupt or truncated file reads as a miss, never as the
//! wrong words. A cache that cannot be written is skipped with one warning.

use std::fs;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use super::MAX_CLIP_SAMPLES;
use crate::timeline::SAMPLE_RATE;

const MAGIC: &[u8; 10] = b"COACHPCM1\n";

pub struct Cache {
    dir: Option<PathBuf>,
    warned: AtomicBool,
    warned_damaged: AtomicBool,
}

/// The largest file a clip makes: its key (a voice id and a text of at
/// most 2,000 characters) and [`MAX_CLIP_SAMPLES`] samples. A bigger file
/// is not a clip, and is not read; a longer clip is not written.
const MAX_CLIP_FILE: u64 = (16 << 10) + 2 * MAX_CLIP_SAMPLES as u64;

impl Cache {
    /// The cache in the platform's cache folder.
    pub fn new() -> Cache {
        Cache {
            dir: crate::paths::cache_dir().map(|d| d.join("clips")),
            warned: AtomicBool::new(false),
            warned_damaged: AtomicBool::new(false),
        }
    }

    /// A cache in `dir`.
    pub fn at(dir: PathBuf) -> Cache {
        Cache {
            dir: Some(dir),
            warned: AtomicBool::new(false),
            warned_damaged: AtomicBool::new(false),
        }
    }

    /// No caching at all.
    pub fn disabled() -> Cache {
        Cache {
            dir: None,
            warned: AtomicBool::new(false),
            warned_damaged: AtomicBool::new(false),
        }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        Some(
            self.dir
                .as_ref()?
                .join(format!("{:016x}.pcm", fnv1a(key.as_bytes()))),
        )
    }

    /// The cached clip of `text` in voice `voice_id`, if there is a sound one.
    /// A damaged file (truncated, corrupt, or too big to be a clip) is a
    /// miss, said once, and is replaced when the clip is made again.
    pub fn get(&self, voice_id: &str, text: &str) -> Option<Vec<i16>> {
        let key = cache_key(voice_id, text);
        let path = self.path(&key)?;
        let clip = match crate::guard::read::read(&path, MAX_CLIP_FILE) {
            Err(e) if e.not_found() => return None,
            read => read.ok().and_then(|bytes| decode(&bytes, &key)),
        };
        if clip.is_none() && !self.warned_damaged.swap(true, Ordering::Relaxed) {
            crate::guard::out::line(&format!(
                "note: the speech cache had a damaged clip ({}); speaking it again",
                path.display()
            ));
        }
        clip
    }

    /// The length in samples of the cached clip of `text`, from the head
    /// of its file only (for `coach list`, which reads no whole clip).
    pub fn len_of(&self, voice_id: &str, text: &str) -> Option<u64> {
        use std::io::Read as _;
        let key = cache_key(voice_id, text);
        let path = self.path(&key)?;
        let file = crate::guard::read::open(&path).ok()?;
        let size = file.metadata().ok()?.len();
        let head_len = MAGIC.len() + 4 + key.len() + 4 + 8;
        let mut head = Vec::with_capacity(head_len);
        file.take(head_len as u64).read_to_end(&mut head).ok()?;
        let rest = head.strip_prefix(MAGIC)?;
        let (len, rest) = rest.split_first_chunk::<4>()?;
        if u32::from_le_bytes(*len) as usize != key.len() || !rest.starts_with(key.as_bytes()) {
            return None;
        }
        let rest = &rest[key.len()..];
        let (rate, rest) = rest.split_first_chunk::<4>()?;
        let (count, _) = rest.split_first_chunk::<8>()?;
        let count = u64::from_le_bytes(*count);
        (u32::from_le_bytes(*rate) == SAMPLE_RATE
            && size == head_len as u64 + count.checked_mul(2)?)
        .then_some(count)
    }

    /// Whether a clip of `text` is cached (without reading it).
    pub fn contains(&self, voice_id: &str, text: &str) -> bool {
        self.path(&cache_key(voice_id, text))
            .is_some_and(|p| p.is_file())
    }

    /// Stores a clip. Failures only cost a future synthesis, so they are
    /// reported once and otherwise ignored.
    pub fn put(&self, voice_id: &str, text: &str, samples: &[i16]) {
        let key = cache_key(voice_id, text);
        let Some(path) = self.path(&key) else { return };
        if samples.len() > MAX_CLIP_SAMPLES || key.len() > 16 << 10 {
            return;
        }
        if let Err(e) = write_atomically(&path, &encode(&key, samples))
            && !self.warned.swap(true, Ordering::Relaxed)
        {
            crate::guard::out::line(&format!(
                "warning: cannot write the speech cache in {} ({e}); going on without it",
                path.parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ));
        }
    }
}

impl Default for Cache {
    fn default() -> Self {
        Cache::new()
    }
}

fn cache_key(voice_id: &str, text: &str) -> String {
    format!("{voice_id}\n{text}")
}

fn encode(key: &str, samples: &[i16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAGIC.len() + 16 + key.len() + samples.len() * 2);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(samples.len() as u64).to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

fn decode(bytes: &[u8], key: &str) -> Option<Vec<i16>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (len, rest) = rest.split_first_chunk::<4>()?;
    let key_len = u32::from_le_bytes(*len) as usize;
    if rest.len() < key_len || &rest[..key_len] != key.as_bytes() {
        return None;
    }
    let rest = &rest[key_len..];
    let (rate, rest) = rest.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*rate) != SAMPLE_RATE {
        return None;
    }
    let (count, rest) = rest.split_first_chunk::<8>()?;
    let count = u64::from_le_bytes(*count) as usize;
    if rest.len() != count.checked_mul(2)? {
        return None;
    }
    Some(
        rest.chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect(),
    )
}

/// Writes to a temporary file beside `path` and renames it into place, so a
/// reader never sees half a clip.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache files live in a folder");
    fs::create_dir_all(dir)?;
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(|| sweep(dir));
    let tmp = crate::guard::temp::Temporary::new(
        path.with_extension(format!("tmp{}", std::process::id())),
    );
    let mut file = fs::File::create(tmp.path())?;
    file.write_all(bytes)?;
    fs::rename(tmp.path(), path)?;
    tmp.keep();
    Ok(())
}

/// Removes the temporary files (`NAME.tmpPID`) that processes no longer
/// running left in the cache: a synthesis stopped by SIGKILL, or by a
/// signal before a command handles signals.
fn sweep(dir: &std::path::Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let pid = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(|e| e.strip_prefix("tmp"))
            .and_then(|p| p.parse::<i32>().ok());
        if let Some(pid) = pid
            && !crate::guard::temp::running(pid)
        {
            let _ = fs::remove_file(&path);
        }
    }
}

/// 64-bit FNV-1a: stable across builds and platforms, unlike std's hasher.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= *b as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_damage() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().join("clips"));
        assert_eq!(cache.get("v", "hello"), None);
        cache.put("v", "hello", &[1, -2, 3]);
        assert_eq!(cache.get("v", "hello"), Some(vec![1, -2, 3]));
        assert_eq!(cache.get("other voice", "hello"), None);

        let path = cache.path(&cache_key("v", "hello")).unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert_eq!(cache.get("v", "hello"), None, "truncated file is a miss");
        fs::write(&path, b"garbage").unwrap();
        assert_eq!(cache.get("v", "hello"), None, "corrupt file is a miss");
    }

    #[test]
    fn lengths_come_from_the_head_and_stale_parts_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        cache.put("v", "hello", &[1, -2, 3, 4]);
        assert_eq!(cache.len_of("v", "hello"), Some(4));
        assert_eq!(cache.len_of("w", "hello"), None);
        let path = cache.path(&cache_key("v", "hello")).unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 2]).unwrap();
        assert_eq!(
            cache.len_of("v", "hello"),
            None,
            "a truncated clip has no length"
        );

        let stale = dir.path().join("0123.tmp999999999");
        let live = dir.path().join(format!("0123.tmp{}", std::process::id()));
        fs::write(&stale, "x").unwrap();
        fs::write(&live, "x").unwrap();
        sweep(dir.path());
        assert!(!stale.exists() && live.exists());
        // A clip longer than any text makes is not written.
        cache.put("v", "long", &vec![0; MAX_CLIP_SAMPLES + 1]);
        assert!(!cache.contains("v", "long"));
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
