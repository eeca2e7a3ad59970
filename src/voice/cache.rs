//! The clip cache: synthesized speech on disk, one file per (voice, text),
//! named by a hash of both. Each file repeats its full key, so a hash
//! collision or a corrupt or truncated file reads as a miss, never as the
//! wrong words. A cache that cannot be written is skipped with one warning.

use std::fs;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::timeline::SAMPLE_RATE;

const MAGIC: &[u8; 10] = b"COACHPCM1\n";

pub struct Cache {
    dir: Option<PathBuf>,
    warned: AtomicBool,
    warned_damaged: AtomicBool,
}

/// No clip is near this long (2,000 characters of speech are under 4 MB);
/// a bigger file is not read.
const MAX_CLIP_FILE: u64 = 64 << 20;

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
        let meta = fs::metadata(&path).ok()?;
        let clip = if meta.is_file() && meta.len() <= MAX_CLIP_FILE {
            fs::read(&path).ok().and_then(|bytes| decode(&bytes, &key))
        } else {
            None
        };
        if clip.is_none() && !self.warned_damaged.swap(true, Ordering::Relaxed) {
            crate::guard::out::line(&format!(
                "note: the speech cache had a damaged clip ({}); speaking it again",
                path.display()
            ));
        }
        clip
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
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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
    fn hash_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
