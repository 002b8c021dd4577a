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
use crate::model::listfile::{HORIZONS, ListFile};
use crate::store::product::{BACKLOG_FILE, CONFIG_FILE, ROADMAP_FILE};

/// What a file under `product/` is, judged by its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Config,
    Backlog,
    Roadmap,
    /// A Markdown file that may hold an item.
    Item,
    Ignored,
}

/// The role of a file, from its path relative to `product/` (`/` separators). Mirrors what
/// the working-tree loader reads: hidden files and folders and the top-level README are not
/// items.
pub fn role(rel: &str) -> Role {
    match rel {
        CONFIG_FILE => return Role::Config,
        BACKLOG_FILE => return Role::Backlog,
        ROADMAP_FILE => return Role::Roadmap,
        "README.md" => return Role::Ignored,
        _ => {}
    }
    if rel.split('/').any(|c| c.starts_with('.')) || !rel.ends_with(".md") {
        return Role::Ignored;
    }
    Role::Item
}

fn in_kind_folder(rel: &str) -> bool {
    Kind::ALL.iter().any(|k| rel.starts_with(&format!("{}/", k.folder())))
}

/// Parse the text of an item file found at `rel`. `Ok(None)` for a Markdown file without
/// front matter outside the kind folders (notes, a README), as the working-tree loader does.
pub fn parse_item(text: String, rel: &str, config: &Config, root: &Path, shown: &Path) -> Result<Option<Item>> {
    if !text.trim_start_matches('\u{feff}').starts_with("---") && !in_kind_folder(rel) {
        return Ok(None);
    }
    let path = root.join(rel);
    let shown = shown.join(rel);
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
}

impl ItemState {
    pub fn from_item(item: &Item) -> ItemState {
        let fields = item
            .fields
            .iter()
            .filter_map(|(k, v)| {
                let k = scalar_string(k)?;
                (k != "id").then(|| (k, value_text(v)))
            })
            .collect();
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
    pub backlog: Vec<String>,
    /// `(horizon, epic IDs in order)` for each horizon that has entries, in file order.
    pub roadmap: Vec<(String, Vec<String>)>,
    /// Item files that could not be parsed: path -> message.
    pub broken: BTreeMap<String, String>,
}

impl Snapshot {
    pub fn insert(&mut self, state: Rc<ItemState>) {
        self.paths.insert(state.path.clone(), state.id.clone());
        self.items.insert(state.id.clone(), state);
    }

    /// Forget the item held by the file at `rel`; returns it.
    pub fn remove_path(&mut self, rel: &str) -> Option<Rc<ItemState>> {
        let id = self.paths.remove(rel)?;
        match self.items.get(&id) {
            Some(s) if s.path == rel => self.items.remove(&id),
            _ => None,
        }
    }

    pub fn set_backlog(&mut self, text: &str) {
        self.backlog = backlog_order(text);
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

/// The backlog order: IDs of entries, each once.
pub fn backlog_order(text: &str) -> Vec<String> {
    // What `ListFile::parse(text).entries()` gives, read without copying each line: a backlog
    // of 10,000 stories is read again at every commit that reorders it.
    let mut seen: HashSet<&str, FastHash> = HashSet::default();
    text.split('\n')
        .filter_map(|line| crate::model::listfile::entry_id(line.trim_end_matches('\r')))
        .filter(|id| seen.insert(id))
        .map(String::from)
        .collect()
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

    #[test]
    fn roles_follow_the_loader() {
        assert_eq!(role("pm.yaml"), Role::Config);
        assert_eq!(role("backlog.md"), Role::Backlog);
        assert_eq!(role("stories/S-1-a.md"), Role::Item);
        assert_eq!(role("stories/.draft/S-1-a.md"), Role::Ignored);
        assert_eq!(role("README.md"), Role::Ignored);
        assert_eq!(role("docs/README.md"), Role::Item);
        assert_eq!(role("image.png"), Role::Ignored);
    }

    #[test]
    fn roadmap_keeps_order_within_horizons() {
        let r = roadmap_order("# R\n\n## Now\n\n- [E-2](a) A\n- [E-1](b) B\n\n## Next\n\n## Later\n\n- [E-3](c) C\n");
        assert_eq!(r, vec![("Now".into(), vec!["E-2".into(), "E-1".into()]), ("Later".into(), vec!["E-3".into()])]);
    }
}
