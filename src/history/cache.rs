//! The persistent cache of per-commit changes, under the repository's git directory.
//!
//! One file per product folder: `<git common dir>/pm/history-<hash>.cache`. Its first line
//! carries a format version, pm's version and a checksum of the rest; anything that does not
//! match (another version, a torn write, a flipped byte, invalid JSON) makes the whole cache
//! count as empty, and it is rebuilt. The cache is only an optimisation: every entry is what
//! the walk would compute again, so deleting it changes no output.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::history::changes::Change;

const MAGIC: &str = "pm-history-cache";
const FORMAT: u32 = 3;

/// Who made a commit and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub id: String,
    pub author: String,
    pub email: String,
    /// Commit time, seconds since the epoch, and the committer's offset in minutes.
    pub time: i64,
    pub offset: i32,
    pub summary: String,
}

/// A file that could not be read at a commit; it was skipped there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// What one commit did to the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Present when there are changes or problems (the commit is shown).
    pub info: Option<CommitInfo>,
    pub changes: Vec<Change>,
    pub problems: Vec<Problem>,
}

/// The cache, loaded in memory; `save` writes it back if anything was added.
#[derive(Debug, Default)]
pub struct Cache {
    path: Option<PathBuf>,
    entries: HashMap<String, Rc<Entry>>,
    dirty: bool,
    /// The file existed but was damaged or from another version, and was ignored.
    pub was_damaged: bool,
}

/// FNV-1a, 64 bits: enough to notice damage, not meant against tampering.
fn checksum(bytes: &[u8]) -> u64 {
    // FNV-1a over 8-byte words (then the remaining bytes): the file is megabytes long.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        h ^= u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    for b in words.remainder() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn header(body: &[u8]) -> String {
    format!("{MAGIC} {FORMAT} {} {:016x}\n", env!("CARGO_PKG_VERSION"), checksum(body))
}

impl Cache {
    /// A cache that neither reads nor writes a file.
    pub fn in_memory() -> Cache {
        Cache::default()
    }

    /// The cache file for the product folder at `product_dir` in the repository whose
    /// common git directory is `git_dir`.
    pub fn file_for(git_dir: &Path, product_dir: &str) -> PathBuf {
        // FNV-1a byte by byte: the name caches had before the checksum went word by word.
        let name = product_dir
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        git_dir.join("pm").join(format!("history-{name:016x}.cache"))
    }

    /// Load the cache at `path`; a missing file is an empty cache, a damaged one too.
    pub fn load(path: PathBuf) -> Cache {
        let mut cache = Cache { path: Some(path.clone()), ..Cache::default() };
        let Ok(bytes) = std::fs::read(&path) else {
            return cache;
        };
        match parse(&bytes) {
            Some(entries) => cache.entries = entries,
            None => {
                cache.was_damaged = true;
                cache.dirty = true;
            }
        }
        cache
    }

    pub fn get(&self, key: &str) -> Option<&Rc<Entry>> {
        self.entries.get(key)
    }

    pub fn insert(&mut self, key: String, entry: Rc<Entry>) {
        self.entries.insert(key, entry);
        self.dirty = true;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Write the cache back atomically when it changed. Failing to write (a read-only
    /// repository) is not an error: the next run computes the same again.
    pub fn save(&mut self) {
        let Some(path) = &self.path else { return };
        if !self.dirty {
            return;
        }
        let mut keys: Vec<&String> = self.entries.keys().collect();
        keys.sort();
        let ordered: Vec<(&String, &Entry)> = keys.into_iter().map(|k| (k, self.entries[k].as_ref())).collect();
        let Ok(body) = serde_json::to_vec(&ordered) else { return };
        let mut bytes = header(&body).into_bytes();
        bytes.extend_from_slice(&body);
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp =
            dir.join(format!(".{}.{}.tmp", path.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
        if std::fs::write(&tmp, &bytes).is_ok() && std::fs::rename(&tmp, path).is_ok() {
            self.dirty = false;
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

fn parse(bytes: &[u8]) -> Option<HashMap<String, Rc<Entry>>> {
    let nl = bytes.iter().position(|b| *b == b'\n')?;
    let (head, body) = (&bytes[..=nl], &bytes[nl + 1..]);
    if head != header(body).as_bytes() {
        return None;
    }
    let list: Vec<(String, Entry)> = serde_json::from_slice(body).ok()?;
    Some(list.into_iter().map(|(k, e)| (k, Rc::new(e))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pm/history.cache");
        let mut c = Cache::load(path.clone());
        assert!(c.is_empty() && !c.was_damaged);
        c.insert("abc".into(), Rc::new(Entry { info: None, changes: vec![], problems: vec![] }));
        c.save();
        let c = Cache::load(path.clone());
        assert_eq!(c.len(), 1);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let c = Cache::load(path);
        assert!(c.is_empty() && c.was_damaged);
    }
}
