//! The persistent cache of per-commit changes, under the repository's git directory.
//!
//! One file per product folder: `<git common dir>/pm/history-<hash>.cache`, a
//! [`CacheFile`] (checksummed, versioned, atomic) whose body is JSON; anything that does not
//! match (another version, a torn write, a flipped byte, invalid JSON) makes the whole cache
//! count as empty, and it is rebuilt. The cache is only an optimisation: every entry is what
//! the walk would compute again, so deleting it changes no output.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::history::changes::Change;
use crate::store::cache::{CacheFile, Contents, name_hash};

const MAGIC: &str = "pm-history-cache";
const FORMAT: u32 = 9;

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
    /// Why, after `line N: ` when the reason has a line (see [`Problem::shown`]).
    pub message: String,
}

impl Problem {
    /// `path:N: why` (or `path: why`), as every other message names a place.
    pub fn shown(&self) -> String {
        let line = (self.message.strip_prefix("line ").and_then(|rest| rest.split_once(": ")))
            .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        match line {
            Some((n, why)) => format!("{}:{n}: {why}", self.path),
            None => format!("{}: {}", self.path, self.message),
        }
    }
}

/// What one commit did to the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Present when there are changes or problems (the commit is shown).
    pub info: Option<CommitInfo>,
    pub changes: Vec<Change>,
    pub problems: Vec<Problem>,
    /// How it reordered the backlog, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderEdit>,
}

/// How a commit changed the backlog's order: the positions (0-based, ascending) of the IDs it
/// took out, and the positions and IDs it put in, after them. The rank changes name only the
/// stories that moved (a story that kept its place is not named, even when others around it
/// moved), so the order after a commit cannot always be told from them; this can. It holds
/// only the IDs that moved: a story taken from the 4,000th place to the top is one removal and
/// one insertion, not the 4,000 IDs between.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEdit {
    pub removed: Vec<usize>,
    pub inserted: Vec<(usize, String)>,
}

impl OrderEdit {
    /// The edit that turns `old` into `new` where they start at position `at` of the list;
    /// `None` when they are the same.
    pub fn between(at: usize, old: &[String], new: &[String]) -> Option<OrderEdit> {
        if old == new {
            return None;
        }
        let (removed, inserted) = crate::history::changes::reorder(old, new);
        Some(OrderEdit {
            removed: removed.into_iter().map(|p| p + at).collect(),
            inserted: inserted.into_iter().map(|(p, id)| (p + at, id)).collect(),
        })
    }

    /// Apply it to an order. Positions past the order's end (a list it does not fit, as at the
    /// edge of a shallow clone) are clamped, so the result stays usable.
    pub fn apply<T>(&self, list: &mut Vec<T>, mut id: impl FnMut(&str) -> T) {
        for &p in self.removed.iter().rev() {
            if p < list.len() {
                list.remove(p);
            }
        }
        for (p, s) in &self.inserted {
            let at = (*p).min(list.len());
            list.insert(at, id(s));
        }
    }
}

/// The cache, loaded in memory; `save` writes it back if anything was added.
#[derive(Debug, Default)]
pub struct Cache {
    file: Option<CacheFile>,
    entries: HashMap<String, Rc<Entry>>,
    dirty: bool,
    /// The file existed but was damaged or from another version, and was ignored.
    pub was_damaged: bool,
}

impl Cache {
    /// A cache that neither reads nor writes a file.
    pub fn in_memory() -> Cache {
        Cache::default()
    }

    /// The cache file for the product folder at `product_dir` in the repository whose
    /// common git directory is `git_dir`, with `grafts` the text of its `info/grafts` (a
    /// commit's changes depend on the parents grafts give it: another grafts file, another
    /// cache).
    pub fn file_for(git_dir: &Path, product_dir: &str, grafts: &str) -> CacheFile {
        let key = if grafts.is_empty() { product_dir.to_string() } else { format!("{product_dir}\0{grafts}") };
        CacheFile::new(git_dir, &format!("history-{:016x}.cache", name_hash(&key)), MAGIC, FORMAT)
    }

    /// Load the cache; a missing file is an empty cache, a damaged one too.
    pub fn load(file: CacheFile) -> Cache {
        let body = file.read();
        let mut cache = Cache { file: Some(file), ..Cache::default() };
        let entries = match body {
            Contents::Missing => return cache,
            Contents::Body(b) => parse(&b),
            Contents::Unusable => None,
        };
        match entries {
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
        let Some(file) = &self.file else { return };
        if !self.dirty {
            return;
        }
        let mut keys: Vec<&String> = self.entries.keys().collect();
        keys.sort();
        let ordered: Vec<(&String, &Entry)> = keys.into_iter().map(|k| (k, self.entries[k].as_ref())).collect();
        let Ok(body) = serde_json::to_vec(&ordered) else { return };
        if file.write(&body) {
            self.dirty = false;
        }
    }
}

/// The entries of a cache body; `None` when it is not what `save` writes.
fn parse(body: &[u8]) -> Option<HashMap<String, Rc<Entry>>> {
    let list: Vec<(String, Entry)> = serde_json::from_slice(body).ok()?;
    Some(list.into_iter().map(|(k, e)| (k, Rc::new(e))).collect())
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let file = Cache::file_for(dir.path(), "product", "");
        let path = file.path().to_path_buf();
        let mut c = Cache::load(file.clone());
        assert!(c.is_empty() && !c.was_damaged);
        c.insert("abc".into(), Rc::new(Entry { info: None, changes: vec![], problems: vec![], order: None }));
        c.save();
        let c = Cache::load(file.clone());
        assert_eq!(c.len(), 1);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let c = Cache::load(file);
        assert!(c.is_empty() && c.was_damaged);
    }
}
