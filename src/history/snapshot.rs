//! A snapshot of `product/` at one point in time: what the change model compares.
//!
//! Items are keyed by ID (not by path, so a renamed file is the same item), with the fields
//! and acceptance criteria the change model looks at; the backlog order; the roadmap's
//! horizons and order. A snapshot is built from `(path, text)` pairs, so it does not care
//! whether they came from the working tree or from git blobs; this module reads no files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;

use crate::error::Result;
use crate::model::config::Config;
use crate::model::id::{ItemId, Kind};
use crate::model::item::{Item, scalar_string, value_text};
use crate::model::layout;
use crate::model::listfile::{HORIZONS, ListFile};

/// Parse the text of an item file found at `rel`. `Ok(None)` for a Markdown file without
/// front matter outside the kind folders (notes, a README), as the working-tree loader does.
pub fn parse_item(text: String, rel: &str, config: &Config, root: &Path, shown: &Path) -> Result<Option<Item>> {
    if !layout::holds_item(rel, &text) {
        return Ok(None);
    }
    let path = root.join(rel);
    let shown = shown.join(rel);
    // Held to the limit of the settings of its commit, as in the working tree.
    if text.len() as u64 > config.item_size_limit {
        return Err(crate::store::product::too_large(&shown, text.len() as u64, config.item_size_limit));
    }
    Item::parse(text, path, rel.to_string(), shown, config).map(Some)
}

/// One acceptance criterion as the change model sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AcState {
    /// `AC-n`, or `AC-?` for a task item without an ID.
    pub ac: String,
    pub checked: bool,
    pub text: String,
}

/// One item as the change model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    pub id: ItemId,
    pub kind: Kind,
    pub title: String,
    /// Path relative to `product/`.
    pub path: String,
    /// Every front-matter field but `id`, as one-line text, in file order.
    pub fields: Vec<(String, String)>,
    pub criteria: Vec<AcState>,
    /// A hash of the body's prose (the body without its criteria lines): a description edit.
    pub body: u64,
}

/// The body of an item without the lines of its acceptance criteria (told apart by the
/// criteria changes), read as [`Item::prose_lines`] reads it (as the review fingerprint does:
/// a file converted to CRLF, an extra blank line or a ticked task is no description edit),
/// hashed: two states compare their prose without keeping it.
fn prose_hash(item: &Item) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    item.prose_lines(|line| {
        h.write(line.as_bytes());
        h.write_u8(b'\n');
    });
    h.finish()
}

impl ItemState {
    pub fn from_item(item: &Item) -> ItemState {
        let mut fields = Vec::with_capacity(item.fields.len());
        for (k, v) in item.fields.iter() {
            match scalar_string(k) {
                Some(k) if k == "id" => {}
                // A vision's metrics are one field each, so moving one number is one change:
                // `metric Weekly active households: 8400 (target 20000) -> 9100 (target 20000)`.
                Some(k) if k == "metrics" && item.kind == Kind::Vision && !item.metrics().is_empty() => {
                    for m in item.metrics() {
                        let value = match &m.current {
                            Some(c) => format!("{c} (target {})", m.target),
                            None => format!("target {}", m.target),
                        };
                        fields.push((format!("metric {}", m.name), value));
                    }
                }
                Some(k) => fields.push((k, value_text(v))),
                None => {}
            }
        }
        let criteria = item
            .criteria
            .items
            .iter()
            .map(|c| AcState { ac: c.label(), checked: c.checked, text: c.text.clone() })
            .collect();
        ItemState {
            id: item.id.clone(),
            kind: item.kind,
            title: item.title.clone(),
            path: item.rel.clone(),
            fields,
            criteria,
            body: prose_hash(item),
        }
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}

/// The state of the product at one point.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub items: BTreeMap<ItemId, Rc<ItemState>>,
    /// Which item each item file holds.
    pub paths: HashMap<String, ItemId>,
    /// Story IDs in backlog order (first occurrence of each).
    pub backlog: Backlog,
    /// `(horizon, epic IDs in order)` for each horizon that has entries, in file order.
    pub roadmap: Vec<(String, Vec<String>)>,
    /// Item files that could not be parsed: path -> message.
    pub broken: BTreeMap<String, String>,
    /// The other files of an ID two or more files carry (two branches each made it), by path.
    pub shadowed: BTreeMap<String, Rc<ItemState>>,
}

impl Snapshot {
    /// Take an item's state. When two files carry one ID, the one with the smaller path is the
    /// item (however the files arrived, so that every way of building a snapshot agrees) and
    /// the other is kept in [`Snapshot::shadowed`].
    pub fn insert(&mut self, state: Rc<ItemState>) {
        self.paths.insert(state.path.clone(), state.id.clone());
        self.shadowed.remove(&state.path);
        if let Some(shown) = self.items.get(&state.id)
            && shown.path != state.path
            && self.paths.get(&shown.path) == Some(&state.id)
        {
            if shown.path < state.path {
                self.shadowed.insert(state.path.clone(), state);
                return;
            }
            let shown = Rc::clone(shown);
            self.shadowed.insert(shown.path.clone(), shown);
        }
        self.items.insert(state.id.clone(), state);
    }

    /// Every file's state of this ID, the item's first.
    pub fn files_of(&self, id: &ItemId) -> Vec<&Rc<ItemState>> {
        let mut out: Vec<&Rc<ItemState>> = self.items.get(id).into_iter().collect();
        if !self.shadowed.is_empty() {
            out.extend(self.shadowed.values().filter(|s| s.id == *id));
        }
        out
    }

    /// Forget the item held by the file at `rel`; returns it. When another file carries its
    /// ID, that one is the item now.
    pub fn remove_path(&mut self, rel: &str) -> Option<Rc<ItemState>> {
        let id = self.paths.remove(rel)?;
        if self.shadowed.remove(rel).is_some() {
            return None;
        }
        let next = self.shadowed.iter().find(|(_, s)| s.id == id).map(|(p, _)| p.clone());
        if let Some(next) = next
            && self.items.get(&id).is_some_and(|s| s.path == rel)
        {
            let promoted = self.shadowed.remove(&next);
            let removed = self.items.remove(&id);
            if let Some(p) = promoted {
                self.items.insert(id, p);
            }
            return removed;
        }
        match self.items.get(&id) {
            Some(s) if s.path == rel => self.items.remove(&id),
            _ => None,
        }
    }

    pub fn set_backlog(&mut self, text: &str) {
        self.backlog = Backlog::parse(text.to_string());
    }

    pub fn set_roadmap(&mut self, text: &str) {
        self.roadmap = roadmap_order(text);
    }

    /// Horizon and 1-based position of an epic on the roadmap.
    pub fn place(&self, id: &str) -> Option<(String, usize)> {
        self.roadmap.iter().find_map(|(h, ids)| ids.iter().position(|i| i == id).map(|p| (h.clone(), p + 1)))
    }

    /// The item with this ID (text form), if any.
    pub fn get(&self, id: &str) -> Option<&Rc<ItemState>> {
        ItemId::parse(id).and_then(|id| self.items.get(&id))
    }
}

/// The backlog order, kept with the text it was read from so that the next version of the
/// file can be read by re-reading only the lines that changed: a backlog of 10,000 stories
/// is read again at every commit that reorders it, and most commits move a few lines.
#[derive(Debug, Clone, Default)]
pub struct Backlog {
    text: String,
    /// Story IDs in backlog order (first occurrence of each).
    pub ids: Vec<String>,
    /// Byte offset in `text` of the line of each ID.
    at: Vec<usize>,
    /// Every ID in `ids`.
    members: HashSet<String, FastHash>,
    /// Some ID appears on more than one line (then edits are read whole).
    repeated: bool,
}

/// What [`Backlog::update`] replaced: the IDs from position `head` (0-based) that were
/// `old` are now the `new_len` IDs from the same position.
#[derive(Debug, Default)]
pub struct BacklogEdit {
    pub head: usize,
    pub old: Vec<String>,
    pub new_len: usize,
}

/// The entries of the lines of `text` starting at `from`, as `(ID, line offset)`.
fn entries_in(text: &str, from: usize) -> impl Iterator<Item = (&str, usize)> {
    let mut at = from;
    text.split_inclusive('\n').filter_map(move |line| {
        let start = at;
        at += line.len();
        let line = line.strip_suffix('\n').unwrap_or(line);
        crate::model::listfile::entry_id(line.strip_suffix('\r').unwrap_or(line)).map(|id| (id, start))
    })
}

impl Backlog {
    /// Read a whole backlog. The order is what `ListFile::parse(text).entries()` gives.
    pub fn parse(text: String) -> Backlog {
        let mut b = Backlog { text: String::new(), ..Backlog::default() };
        for (id, at) in entries_in(&text, 0) {
            if b.members.insert(id.to_string()) {
                b.ids.push(id.to_string());
                b.at.push(at);
            } else {
                b.repeated = true;
            }
        }
        b.text = text;
        b
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Take the new version of the file. Lines in the longest common head and tail of the
    /// two texts are not read again; the result is the same as [`Backlog::parse`].
    pub fn update(&mut self, text: String) -> BacklogEdit {
        if let Some(edit) = self.update_middle(&text) {
            self.text = text;
            return edit;
        }
        let old = std::mem::take(&mut self.ids);
        *self = Backlog::parse(text);
        BacklogEdit { head: 0, old, new_len: self.ids.len() }
    }

    fn update_middle(&mut self, text: &str) -> Option<BacklogEdit> {
        if self.repeated {
            return None;
        }
        let (old, new) = (self.text.as_bytes(), text.as_bytes());
        // The lines before `start` are the same in both texts.
        let same = common_prefix(old, new);
        let start = old[..same].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // The lines from `old_end` (`new_end` in the new text) on are the same in both: they
        // start after a line break inside the common tail.
        let tail = common_suffix(&old[start..], &new[start..]);
        let old_end = match old[old.len() - tail..].iter().position(|&b| b == b'\n') {
            Some(i) => old.len() - tail + i + 1,
            None => old.len(),
        };
        let new_end = new.len() - (old.len() - old_end);
        if new_end < start {
            return None;
        }
        let head = self.at.partition_point(|&a| a < start);
        let mid = self.at.partition_point(|&a| a < old_end);
        let mut added: Vec<(&str, usize)> = Vec::new();
        let mut seen: HashSet<&str, FastHash> = HashSet::default();
        let removed: HashSet<&str, FastHash> = self.ids[head..mid].iter().map(String::as_str).collect();
        for (id, at) in entries_in(&text[start..new_end], start) {
            // An ID also listed outside the changed lines: which line counts is a question
            // for the whole file.
            if !seen.insert(id) || (self.members.contains(id) && !removed.contains(id)) {
                return None;
            }
            added.push((id, at));
        }
        let shift = new_end as isize - old_end as isize;
        let new_len = added.len();
        for id in &self.ids[head..mid] {
            self.members.remove(id);
        }
        for (id, _) in &added {
            self.members.insert(id.to_string());
        }
        let old_ids: Vec<String> = self.ids.splice(head..mid, added.iter().map(|(id, _)| id.to_string())).collect();
        self.at.splice(head..mid, added.iter().map(|&(_, at)| at));
        for a in &mut self.at[head + new_len..] {
            *a = a.wrapping_add_signed(shift);
        }
        Some(BacklogEdit { head, old: old_ids, new_len })
    }
}

/// The length of the common start of two byte strings, compared a block at a time.
pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n].iter().zip(&b[i..n]).take_while(|(x, y)| x == y).count()
}

/// The length of the common end of two byte strings.
pub fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let (ea, eb) = (a.len(), b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[ea - i - BLOCK..ea - i] == b[eb - i - BLOCK..eb - i] {
        i += BLOCK;
    }
    i + a[..ea - i].iter().rev().zip(b[..eb - i].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// FxHash (as in rustc): much cheaper than SipHash for the short IDs hashed by the thousand
/// at each commit. Not for keys an attacker chooses; these come from the user's own files.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The hasher of the history's maps and sets of IDs.
pub type FastHash = std::hash::BuildHasherDefault<FxHasher>;

/// The roadmap: for each horizon in the standard order, its epics in order.
pub fn roadmap_order(text: &str) -> Vec<(String, Vec<String>)> {
    let list = ListFile::parse(text);
    let mut seen = std::collections::HashSet::new();
    HORIZONS
        .iter()
        .map(|h| {
            let ids = list.section_entries(h).into_iter().map(|e| e.id).filter(|id| seen.insert(id.clone())).collect();
            (h.to_string(), ids)
        })
        .filter(|(_, ids): &(String, Vec<String>)| !ids.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            (1u8..12).prop_map(|n| format!("- [S-{n}](stories/S-{n}.md) Title {n}\n")),
            (1u8..12).prop_map(|n| format!("* [S-{n}](x) crlf\r\n")),
            Just("# Backlog\n".to_string()),
            Just("\n".to_string()),
            Just("- [S-3] no link\n".to_string()),
            Just("- [S-4](unterminated".to_string()),
        ]
    }

    proptest::proptest! {
        /// Reading only the changed lines gives what reading the whole new text gives, and
        /// the edit says exactly which IDs were replaced.
        #[test]
        fn backlog_updates_agree_with_whole_reads(
            old in proptest::collection::vec(line(), 0..14),
            cut in (0usize..14, 0usize..6),
            insert in proptest::collection::vec(line(), 0..6),
        ) {
            let from = cut.0.min(old.len());
            let to = (from + cut.1).min(old.len());
            let mut new = old.clone();
            new.splice(from..to, insert);
            let (old, new) = (old.concat(), new.concat());
            let before = Backlog::parse(old.clone());
            let mut updated = before.clone();
            let edit = updated.update(new.clone());
            let whole = Backlog::parse(new);
            proptest::prop_assert_eq!(&updated.ids, &whole.ids);
            proptest::prop_assert_eq!(&updated.at, &whole.at);
            proptest::prop_assert_eq!(updated.repeated, whole.repeated);
            let members: HashSet<&str> = whole.ids.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(updated.members.iter().map(String::as_str).collect::<HashSet<_>>(), members);
            let old_len = edit.old.len();
            proptest::prop_assert_eq!(&before.ids[edit.head..edit.head + old_len], &edit.old[..]);
            proptest::prop_assert_eq!(&before.ids[..edit.head], &whole.ids[..edit.head]);
            proptest::prop_assert_eq!(&before.ids[edit.head + old_len..], &whole.ids[edit.head + edit.new_len..]);
        }
    }

    #[test]
    fn roadmap_keeps_order_within_horizons() {
        let r = roadmap_order("# R\n\n## Now\n\n- [E-2](a) A\n- [E-1](b) B\n\n## Next\n\n## Later\n\n- [E-3](c) C\n");
        assert_eq!(r, vec![("Now".into(), vec!["E-2".into(), "E-1".into()]), ("Later".into(), vec!["E-3".into()])]);
    }
}
