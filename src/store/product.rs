//! The product folder on disk: finding it, reading its settings, items and list files.
//!
//! Commands that change one item find it by its file name first (`S-12-*.md`) and parse only
//! that file; the whole folder is parsed only by commands that need every item.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result, did_you_mean_id};
use crate::model::config::Config;
use crate::model::id::{ItemId, Kind};
use crate::model::item::Item;
use crate::model::layout::{self, BACKLOG_FILE, CONFIG_FILE, PRODUCT_DIR, ROADMAP_FILE};
use crate::model::listfile::ListFile;

/// An opened product folder.
#[derive(Debug, Clone)]
pub struct Product {
    /// Absolute path of `product/`.
    pub root: PathBuf,
    /// The directory paths are shown relative to.
    pub cwd: PathBuf,
    pub config: Config,
    /// The item files, listed once per run (a command may look up several IDs).
    files: std::sync::OnceLock<Vec<PathBuf>>,
    /// Symbolic links in the product folder, found by the same walk: never followed.
    links: std::sync::OnceLock<Vec<PathBuf>>,
    /// Folders under the product folder that could not be listed, with why.
    unlisted: std::sync::OnceLock<Vec<Unlisted>>,
    /// `product/`'s path from the top (see [`Product::from_top`]), found once per run.
    dir_from_top: std::sync::OnceLock<String>,
}

/// Every item of a product, with lookups by ID.
#[derive(Debug, Clone, Default)]
pub struct Items {
    pub all: Vec<Item>,
    index: std::collections::HashMap<String, usize>,
}

impl Items {
    pub fn new(all: Vec<Item>) -> Items {
        let mut index = std::collections::HashMap::with_capacity(all.len());
        for (n, item) in all.iter().enumerate() {
            index.entry(item.id.to_string()).or_insert(n);
        }
        Items { all, index }
    }

    /// IDs carried by more than one item, with those items, in ID order.
    pub fn duplicates(&self) -> Vec<(String, Vec<&Item>)> {
        if self.index.len() == self.all.len() {
            return Vec::new();
        }
        let mut by_id: std::collections::BTreeMap<String, Vec<&Item>> = Default::default();
        for i in &self.all {
            by_id.entry(i.id.to_string()).or_default().push(i);
        }
        by_id.into_iter().filter(|(_, v)| v.len() > 1).collect()
    }

    /// Stories of an epic, and (done, total) counts of stories and points. "Done" is the first
    /// status of `closed` in pm.yaml (`done` by default); the other closing statuses (`dropped`)
    /// leave the count.
    pub fn epic_progress(&self, config: &crate::model::config::Config, epic: &str) -> (usize, usize, u64, u64) {
        self.progress_by_epic(config, Some(epic)).remove(epic).unwrap_or_default()
    }

    /// [`Items::epic_progress`] of every epic (or of `only`), in one pass over the stories.
    pub fn progress_by_epic(
        &self,
        config: &crate::model::config::Config,
        only: Option<&str>,
    ) -> std::collections::HashMap<String, (usize, usize, u64, u64)> {
        let done = config.closed.first().map(String::as_str).unwrap_or("done");
        let mut out: std::collections::HashMap<String, (usize, usize, u64, u64)> = Default::default();
        // One story once, though two files carry its ID (a copy): `pm check` reports the copy.
        let mut seen = std::collections::HashSet::new();
        for s in self.of_kind(Kind::Story) {
            let Some(epic) = s.epic() else { continue };
            if only.is_some_and(|o| o != epic) || !seen.insert(&s.id) {
                continue;
            }
            if config.is_closed(&s.status) && s.status != done {
                continue;
            }
            let pts = s.points_or_none().unwrap_or(0);
            let e = out.entry(epic).or_default();
            e.1 += 1;
            e.3 += pts;
            if s.status == done {
                e.0 += 1;
                e.2 += pts;
            }
        }
        out
    }

    /// The first item (in path order) with this ID.
    pub fn get(&self, id: &str) -> Option<&Item> {
        self.index.get(id).map(|&n| &self.all[n])
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Item> {
        self.all.iter().filter(move |i| i.kind == kind)
    }

    /// The lines of a list of `kind` items whose file's `id:` was most likely mistyped
    /// ([`crate::model::listfile::Relabelled`]), each with that file's item.
    pub fn relabelled<'e>(
        &self,
        entries: &'e [crate::model::listfile::Entry],
        kind: Kind,
    ) -> Vec<(crate::model::listfile::Relabelled<'e>, &Item)> {
        let by_rel: std::collections::HashMap<&str, &Item> =
            self.all.iter().filter(|i| i.kind == kind).map(|i| (i.rel.as_str(), i)).collect();
        let names = |id: &str| self.get(id).is_some_and(|i| i.kind == kind);
        let says = |link: &str| by_rel.get(link).map(|i| i.id.to_string());
        let elsewhere = |id: &str, link: &str| self.all.iter().any(|i| i.rel != link && i.id.to_string() == id);
        (crate::model::listfile::relabelled(entries, names, says, elsewhere).into_iter())
            .map(|r| {
                let item = by_rel[r.entry.link.as_str()];
                (r, item)
            })
            .collect()
    }
}

fn is_product_dir(dir: &Path) -> bool {
    dir.is_dir()
        && (dir.join(CONFIG_FILE).is_file()
            || dir.join(BACKLOG_FILE).is_file()
            || dir.join(ROADMAP_FILE).is_file()
            || Kind::ALL.iter().any(|k| dir.join(k.folder()).is_dir()))
}

impl Product {
    /// Find `product/` in `start` or the nearest parent that has one (or `start` inside it).
    pub fn locate(start: &Path) -> Result<Product> {
        for dir in start.ancestors() {
            let candidate = dir.join(PRODUCT_DIR);
            // A product folder pm may not read is an error naming it, not "no product folder".
            if candidate.is_dir()
                && let Err(e) = fs::read_dir(&candidate)
            {
                return Err(Error::io(&candidate, e));
            }
            if is_product_dir(&candidate) {
                return Product::open(candidate, start.to_path_buf());
            }
            if dir.file_name().is_some_and(|n| n == PRODUCT_DIR) && is_product_dir(dir) {
                return Product::open(dir.to_path_buf(), start.to_path_buf());
            }
        }
        Err(Error::NoProduct { start: start.to_path_buf() })
    }

    /// A product with the given settings (read from elsewhere, e.g. a git commit).
    pub fn with_config(root: PathBuf, cwd: PathBuf, config: Config) -> Product {
        Product {
            root,
            cwd,
            config,
            files: Default::default(),
            links: Default::default(),
            unlisted: Default::default(),
            dir_from_top: Default::default(),
        }
    }

    /// Open a product folder and read its settings.
    pub fn open(root: PathBuf, cwd: PathBuf) -> Result<Product> {
        let mut product = Product {
            root,
            cwd,
            config: Config::default(),
            files: Default::default(),
            links: Default::default(),
            unlisted: Default::default(),
            dir_from_top: Default::default(),
        };
        product.refuse_link_out_of_repository()?;
        let path = product.root.join(CONFIG_FILE);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(product.link_error(&path));
        }
        match fs::read_to_string(&path) {
            Ok(text) => product.config = Config::parse(&text, &product.shown(&path))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        Ok(product)
    }

    /// A product folder that is a symbolic link out of its repository is refused: `pm` reads
    /// and writes nothing outside the repository's working tree (a pull request that turns
    /// `product/` into a link to a home folder gets an error, not its files in CI's output).
    /// Outside git, and for a link that stays inside the repository, the link is used.
    pub fn refuse_link_out_of_repository(&self) -> Result<()> {
        let root = &self.root;
        if fs::symlink_metadata(root).is_ok_and(|m| m.file_type().is_symlink())
            && let Some(tree) = root.parent().and_then(crate::store::repo::work_tree_of)
            && !root.canonicalize().is_ok_and(|target| target.starts_with(&tree))
        {
            return Err(Error::bad_argument(format!(
                "{} is a symbolic link out of the repository at {}: pm reads and writes nothing outside it",
                self.shown(root).display(),
                tree.display()
            ))
            .with_hint("move the product folder into the repository, or run pm where it really is"));
        }
        Ok(())
    }

    /// A path as shown to the user: relative to the working directory when inside it.
    pub fn shown(&self, path: &Path) -> PathBuf {
        path_in(path, &self.cwd).unwrap_or(path).to_path_buf()
    }

    pub fn backlog_path(&self) -> PathBuf {
        self.root.join(BACKLOG_FILE)
    }

    pub fn roadmap_path(&self) -> PathBuf {
        self.root.join(ROADMAP_FILE)
    }

    /// A path as data shows it (JSON, CSV): from the top of the repository (or, outside git,
    /// the folder holding `product/`), as `pm check` and `pm diff` show paths, wherever pm runs.
    pub fn from_top(&self, path: &Path) -> String {
        let dir = self.dir_from_top.get_or_init(|| crate::store::files::product_dir_from_top(&self.root).1);
        match self.rel(path) {
            rel if rel.is_empty() => dir.clone(),
            rel if dir.is_empty() => rel,
            rel => format!("{dir}/{rel}"),
        }
    }

    /// Path relative to `product/` with `/` separators.
    pub fn rel(&self, path: &Path) -> String {
        slash_path(path_in(path, &self.root).unwrap_or(path))
    }

    /// Every Markdown file that may hold an item, sorted by path (listed once per run).
    pub fn item_files(&self) -> &[PathBuf] {
        self.files.get_or_init(|| {
            let (files, links, unlisted) = self.walk();
            let _ = self.links.set(links);
            let _ = self.unlisted.set(unlisted);
            files
        })
    }

    /// The symbolic links in the product folder (files or folders), sorted. `pm` follows none:
    /// a link's target may be outside the repository, and git keeps the link, not the file.
    /// Every command that reads the items reports each one ([`Product::link_error`]).
    pub fn symlinks(&self) -> &[PathBuf] {
        self.item_files();
        self.links.get().map(Vec::as_slice).unwrap_or_default()
    }

    /// The error for a symbolic link in the product folder.
    pub fn link_error(&self, path: &Path) -> Error {
        Error::bad_file(Location::file(self.shown(path)), layout::SYMLINK).with_hint(layout::SYMLINK_HINT)
    }

    /// Every item file as the folder holds it right now (not the per-run list): for decisions
    /// taken under the lock, such as a new ID.
    /// A folder that could not be listed is an error: an ID allocated without seeing its files
    /// could collide.
    pub fn list_item_files(&self) -> Result<Vec<PathBuf>> {
        let (files, _, unlisted) = self.walk();
        match unlisted.first() {
            Some(u) => Err(Error::io(&self.shown(&u.path), u.error())),
            None => Ok(files),
        }
    }

    /// The errors for folders that could not be listed: their items are unknown, so no command
    /// may take them for absent (a `pm fmt` removed every backlog line of an unreadable
    /// `stories/`).
    fn unlisted_errors(&self) -> Vec<Error> {
        self.item_files();
        let unlisted = self.unlisted.get().map(Vec::as_slice).unwrap_or_default();
        unlisted.iter().map(|u| Error::io(&self.shown(&u.path), u.error())).collect()
    }

    /// Whether every folder of the product could be listed: when not, an ID the lists name
    /// may be an item in a folder pm could not see, and must not be called unknown.
    pub fn fully_listed(&self) -> bool {
        self.item_files();
        self.unlisted.get().is_none_or(Vec::is_empty)
    }

    /// The item files, apart the symbolic links, and the folders that could not be listed.
    fn walk(&self) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<Unlisted>) {
        let mut links = Vec::new();
        let mut unlisted = Vec::new();
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&self.root)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !layout::is_hidden(&e.file_name().to_string_lossy()))
            .filter_map(|e| e.map_err(|e| unlisted.push(Unlisted::new(&e, &self.root))).ok())
            .filter(|e| {
                if e.depth() > 0 && e.path_is_symlink() {
                    links.push(e.path().to_path_buf());
                }
                e.file_type().is_file()
            })
            // A name that is not UTF-8 is judged by its UTF-8 form and kept: reading it says
            // what is wrong, where leaving it out would hide an item.
            .filter(|e| layout::is_item_name(&e.file_name().to_string_lossy(), e.depth() == 1))
            .map(|e| e.into_path())
            .collect();
        // Byte order of the whole path: deterministic, and much cheaper than comparing
        // path components one by one.
        files.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        links.sort_unstable();
        (files, links, unlisted)
    }

    /// The text of a product file. Bytes that are not UTF-8 are bad input in the file (exit
    /// 2), located at the line and column of the first bad byte.
    pub fn read_product_text(&self, path: &Path) -> Result<String> {
        let bytes = read_file(path).map_err(|e| Error::io(&self.shown(path), e))?;
        // Judged after the read, which costs less than a `stat` of every file.
        if bytes.len() as u64 > self.config.item_size_limit {
            return Err(too_large(&self.shown(path), bytes.len() as u64, self.config.item_size_limit));
        }
        utf8_or_bad_file(&self.shown(path), bytes)
    }

    /// Read and parse one item file.
    pub fn load_file(&self, path: &Path) -> Result<Item> {
        let text = self.read_product_text(path)?;
        Item::parse(text, path.to_path_buf(), self.rel(path), self.shown(path), &self.config)
    }

    /// The item `id` for an edit that replaces the fields `repairing`, when its file does not
    /// read only because of a bad value in one of them (see [`Item::parse_repairing`]); else
    /// the error of [`Product::get`].
    pub fn get_repairing(&self, id: &str, kind: Kind, repairing: &[&str]) -> Result<Item> {
        let error = match self.get(id, kind) {
            Err(e) if !repairing.is_empty() => e,
            other => return other,
        };
        let Some(path) = self.broken_file(id, &error) else { return Err(error) };
        let Ok(text) = self.read_product_text(&path) else { return Err(error) };
        let item =
            Item::parse_repairing(text, path.clone(), self.rel(&path), self.shown(&path), &self.config, repairing);
        item.ok().filter(|i| Some(&i.id) == self.config.id_from_input(id).as_ref()).ok_or(error)
    }

    /// The file of item `id` when `error` is why [`Product::get`] could not read it (the file
    /// is named for `id` and holds bad input): the file an editor may still open to repair.
    pub fn broken_file(&self, id: &str, error: &Error) -> Option<PathBuf> {
        let path = match error {
            Error::BadFile { location, .. } => self.cwd.join(&location.path),
            Error::Io { path, .. } => self.cwd.join(path),
            _ => return None,
        };
        let named = path.file_name().and_then(|n| ItemId::from_file_name(&n.to_string_lossy()))?;
        (Some(named) == self.config.id_from_input(id) && path_in(&path, &self.root).is_some()).then_some(path)
    }

    /// Read one file that may be an item; `Ok(None)` for a Markdown file without front
    /// matter outside the kind folders (notes, a README).
    fn load_candidate(&self, path: &Path) -> Result<Option<Item>> {
        self.load_candidate_if(path, |_| true)
    }

    /// [`Product::load_candidate`] when `keep` keeps the file's text (read once either way).
    fn load_candidate_if(&self, path: &Path, keep: impl Fn(&str) -> bool) -> Result<Option<Item>> {
        if path_in(path, &self.root).unwrap_or(path).to_str().is_none() {
            return Err(Error::bad_file(Location::file(self.shown(path)), layout::NAME_NOT_UTF8)
                .with_hint(layout::NAME_NOT_UTF8_HINT));
        }
        let text = self.read_product_text(path)?;
        let rel = self.rel(path);
        if !keep(&text) || !layout::holds_item(&rel, &text) {
            return Ok(None);
        }
        Item::parse(text, path.to_path_buf(), rel, self.shown(path), &self.config).map(Some)
    }

    /// Parse `files` on every core, keeping the bad files' errors beside the good items.
    fn load_lenient(
        &self,
        files: &[PathBuf],
        load: impl Fn(&Path) -> Result<Option<Item>> + Sync,
    ) -> (Items, Vec<Error>) {
        let mut all = Vec::with_capacity(files.len());
        let mut errors = Vec::new();
        for r in parallel_map(files, |p| load(p)) {
            match r {
                Ok(Some(item)) => all.push(item),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        (Items::new(all), errors)
    }

    /// Parse every item. The first bad file (in path order) is the error.
    pub fn load_all(&self) -> Result<Items> {
        let files = self.item_files();
        if let Some(e) = self.unlisted_errors().into_iter().next() {
            return Err(e);
        }
        let results = parallel_map(files, |p| self.load_candidate(p));
        let mut all = Vec::with_capacity(files.len());
        for r in results {
            if let Some(item) = r? {
                all.push(item);
            }
        }
        Ok(Items::new(all))
    }

    /// Parse every item, keeping the bad files' errors beside the good items.
    pub fn load_all_lenient(&self) -> (Items, Vec<Error>) {
        self.with_links(self.load_lenient(self.item_files(), |p| self.load_candidate(p)))
    }

    /// A lenient load's result, with an error for each symbolic link.
    fn with_links(&self, (items, mut errors): (Items, Vec<Error>)) -> (Items, Vec<Error>) {
        errors.extend(self.symlinks().iter().map(|p| self.link_error(p)));
        errors.extend(self.unlisted_errors());
        (items, errors)
    }

    /// [`Product::load_all_lenient`] for the files whose text `keep` keeps (a cheap test before
    /// the parse: `pm sprint show` reads the 10,000 files but parses only the ones that name the
    /// sprint).
    pub fn load_where_lenient(&self, keep: impl Fn(&str) -> bool + Sync) -> (Items, Vec<Error>) {
        self.with_links(self.load_lenient(self.item_files(), |p| self.load_candidate_if(p, &keep)))
    }

    /// [`Product::load_all_lenient`] for the items of one kind: the files of the other kinds'
    /// folders are not read (a sprint command need not parse 10,000 stories).
    pub fn load_kind_lenient(&self, kind: Kind) -> (Items, Vec<Error>) {
        let files: Vec<PathBuf> = self
            .item_files()
            .iter()
            .filter(|p| Kind::of_folder_path(&self.rel(p)).is_none_or(|k| k == kind))
            .cloned()
            .collect();
        let (items, errors) = self.with_links(self.load_lenient(&files, |p| self.load_candidate(p)));
        (Items::new(items.all.into_iter().filter(|i| i.kind == kind).collect()), errors)
    }

    /// Find an item by ID, parsing only the file whose name carries the ID when there is one.
    pub fn find(&self, id: &ItemId) -> Result<Option<Item>> {
        // Fast path: names in the kind's own folder, without walking and sorting the product.
        let folder = self.config.kind_of(id).map(|kind| self.root.join(kind.folder()));
        if let Some(folder) = &folder
            && fs::symlink_metadata(folder).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Err(self.link_error(folder));
        }
        let entries = match folder.as_ref().map(fs::read_dir) {
            Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(&self.shown(folder.as_deref().unwrap_or(&self.root)), e));
            }
            Some(Ok(entries)) => Some(entries),
            _ => None,
        };
        if let Some(entries) = entries {
            let mut named: Vec<PathBuf> = Vec::new();
            for e in entries.filter_map(|e| e.ok()) {
                if ItemId::from_file_name(&e.file_name().to_string_lossy()).as_ref() != Some(id) {
                    continue;
                }
                if e.file_type().is_ok_and(|t| t.is_symlink()) {
                    return Err(self.link_error(&e.path()));
                }
                if e.file_type().is_ok_and(|t| t.is_file()) {
                    named.push(e.path());
                }
            }
            named.sort();
            let mut found: Vec<Item> = Vec::new();
            for path in &named {
                if let Some(item) = self.load_candidate(path)?
                    && item.id == *id
                {
                    found.push(item);
                }
            }
            if found.len() > 1 {
                return Err(self.shared_id(id, &found));
            }
            if let Some(item) = found.pop() {
                return Ok(Some(item));
            }
        }
        let named_for = |p: &&PathBuf| {
            ItemId::from_file_name(&p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()).as_ref() == Some(id)
        };
        if let Some(link) = self.symlinks().iter().find(named_for) {
            return Err(self.link_error(link));
        }
        let files = self.item_files();
        for path in files {
            let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            if ItemId::from_file_name(&name).as_ref() == Some(id)
                && let Some(item) = self.load_candidate(path)?
                && item.id == *id
            {
                return Ok(Some(item));
            }
        }
        // The file name does not carry the ID: look inside every file (slow path).
        let (items, _) = self.load_all_lenient();
        let mut found: Vec<Item> = items.all.into_iter().filter(|i| i.id == *id).collect();
        if found.len() > 1 {
            return Err(self.shared_id(id, &found));
        }
        Ok(found.pop())
    }

    /// Two files carry one ID (two branches each made it): which one a command means is not
    /// for `pm` to guess.
    fn shared_id(&self, id: &ItemId, items: &[Item]) -> Error {
        let files: Vec<String> = items.iter().map(|i| self.shown(&i.path).display().to_string()).collect();
        let rels: Vec<&str> = items.iter().map(|i| i.rel.as_str()).collect();
        let copy = files.get(self.to_renumber(id, &rels, &self.listed_lines())).map_or("<its file>", String::as_str);
        Error::bad_argument(format!("{id} is the ID of {} files: {}", files.len(), files.join(", ")))
            .with_hint(format!("give one a new ID first: pm renumber {id} <NEW-ID> --file {copy}"))
    }

    /// Of the files at `rels`, which carry one ID, the one to give a new ID (see
    /// [`crate::model::listfile::to_renumber`]); `listed` from [`Product::listed_lines`].
    pub fn to_renumber(&self, id: &ItemId, rels: &[&str], listed: &HashSet<(String, String)>) -> usize {
        let listed = |id: &str, rel: &str| listed.contains(&(id.to_string(), rel.to_string()));
        crate::model::listfile::to_renumber(&id.to_string(), rels, listed)
    }

    /// The ID and link of every line of the backlog and roadmap as they are (a list that does
    /// not read gives none).
    pub fn listed_lines(&self) -> HashSet<(String, String)> {
        let mut listed = HashSet::new();
        for path in [self.backlog_path(), self.roadmap_path()] {
            if let Ok(list) = self.read_list(&path) {
                listed.extend(list.entries().into_iter().map(|e| (e.id, e.link)));
            }
        }
        listed
    }

    /// Find an item of `kind` by the ID the user typed, or explain what is wrong.
    pub fn get(&self, text: &str, kind: Kind) -> Result<Item> {
        let unknown = |suggestion| Error::UnknownId { kind: kind.name().into(), id: text.into(), suggestion };
        let Some(id) = self.config.id_from_input(text) else {
            // `S16` is S-16 without its dash.
            let t = text.trim();
            let split =
                t.find(|c: char| c.is_ascii_digit()).filter(|&i| i > 0 && t[i..].chars().all(|c| c.is_ascii_digit()));
            let dashed = split.and_then(|i| self.config.id_from_input(&format!("{}-{}", &t[..i], &t[i..])));
            let hint = match dashed.filter(|d| self.config.kind_of(d).is_some()) {
                Some(d) => format!("did you mean {d}?"),
                None => crate::model::id::id_hint(self.config.prefix(kind)),
            };
            return Err(Error::bad_argument(crate::model::id::not_an_id(text)).with_hint(hint));
        };
        if self.config.kind_of(&id) != Some(kind) {
            let other =
                self.config.kind_of(&id).map(|k| format!(" ({id} is {})", k.with_article())).unwrap_or_default();
            return Err(Error::bad_argument(format!("`{id}` is not {} ID{other}", kind.with_article()))
                .with_hint(format!("{kind} IDs start with {}-", self.config.prefix(kind))));
        }
        match self.find(&id)? {
            Some(item) => Ok(item),
            None => {
                let known = self.known_ids(kind);
                if known.iter().any(|k| *k == id.to_string()) {
                    // A file is named after the ID but carries another one inside.
                    return Err(Error::bad_argument(format!(
                        "no {kind} has ID {id}, though a file name says so"
                    ))
                    .with_hint(format!(
                        "the file named {id}-... has another `id:` in its front matter; fix the `id:` line or rename the file (`pm check` finds every such file)"
                    )));
                }
                Err(unknown(did_you_mean_id(text, known.iter().map(String::as_str))))
            }
        }
    }

    /// IDs of `kind` named by file names in the working tree (cheap: no file is read).
    pub fn known_ids(&self, kind: Kind) -> Vec<String> {
        let prefix = self.config.prefix(kind);
        self.item_files()
            .iter()
            .filter_map(|p| ItemId::from_file_name(&p.file_name()?.to_string_lossy()))
            .filter(|id| id.prefix == prefix)
            .map(|id| id.to_string())
            .collect()
    }

    /// Read a list file; a missing file reads as empty.
    /// A list file (`backlog.md`, `roadmap.md`). One that still has git's conflict markers is
    /// an error: reading or rewriting half of a merge would lose the other half.
    pub fn read_list(&self, path: &Path) -> Result<ListFile> {
        Ok(ListFile::parse(&self.read_list_text(path)?))
    }

    /// The text of a list file (empty when there is none), refused with conflict markers.
    pub fn read_list_text(&self, path: &Path) -> Result<String> {
        match fs::read_to_string(path) {
            Ok(text) => match crate::model::merge::conflict_line(&text) {
                Some(line) => Err(Error::BadFile {
                    location: crate::error::Location::new(self.shown(path), line),
                    message: crate::model::merge::CONFLICT_MESSAGE.into(),
                    hint: Some(crate::model::merge::CONFLICT_HINT.into()),
                }),
                None => Ok(text),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(Error::io(&self.shown(path), e)),
        }
    }
}

/// A folder (or file) a walk could not list, with the error kept whole: walkdir's errors
/// cannot be cloned, and the per-run list is read more than once.
#[derive(Debug, Clone)]
pub struct Unlisted {
    pub path: PathBuf,
    kind: std::io::ErrorKind,
    os: Option<i32>,
}

impl Unlisted {
    /// The entry of a failed walk step; `root` when the error names no path.
    pub fn new(e: &walkdir::Error, root: &Path) -> Self {
        let io = e.io_error();
        Unlisted {
            path: e.path().map_or_else(|| root.to_path_buf(), Path::to_path_buf),
            kind: io.map_or(std::io::ErrorKind::Other, std::io::Error::kind),
            os: io.and_then(std::io::Error::raw_os_error),
        }
    }

    /// The error as the operating system gave it.
    pub fn error(&self) -> std::io::Error {
        self.os.map_or_else(|| self.kind.into(), std::io::Error::from_raw_os_error)
    }
}

/// The bytes of a file, in one allocation of their size. Reading a whole product reads
/// thousands of small files: this reads each into a buffer kept per thread and copies it out,
/// where `fs::read` asks for the file's size and position first (two more system calls a file).
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut file = fs::File::open(path)?;
    BUFFER.with_borrow_mut(|buffer| {
        let mut len = 0;
        loop {
            if len == buffer.len() {
                buffer.resize((2 * len).max(64 * 1024), 0);
            }
            match file.read(&mut buffer[len..]) {
                Ok(0) => return Ok(buffer[..len].to_vec()),
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    })
}

/// The text of a file, read as [`read_file`] does; invalid UTF-8 is the error
/// `fs::read_to_string` gives.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_file(path)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
}

/// The error for an item file over [`crate::model::config::Config::item_size_limit`].
pub fn too_large(shown: &Path, size: u64, limit: u64) -> Error {
    Error::bad_file(Location::file(shown), too_large_message(size, limit)).with_hint(TOO_LARGE_HINT)
}

/// How to fix [`too_large`].
pub const TOO_LARGE_HINT: &str = "split it into smaller items, or raise item_size_limit (bytes) in pm.yaml";

/// What [`too_large`] says.
pub fn too_large_message(size: u64, limit: u64) -> String {
    format!("the file is {size} bytes, over the limit of {limit} bytes for an item file")
}

/// `bytes` as text, or the error for a file (`shown`) that is not UTF-8: the line and column
/// (in characters) of its first bad byte, and the byte.
pub fn utf8_or_bad_file(shown: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let bad = BadUtf8::at(e.as_bytes(), e.utf8_error().valid_up_to());
        Error::bad_file(crate::error::Location::new(shown, bad.line), bad.message()).with_hint(BadUtf8::HINT)
    })
}

/// Where the first byte that is not UTF-8 is in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadUtf8 {
    pub line: usize,
    /// In characters, 1-based.
    pub column: usize,
    pub byte: u8,
}

impl BadUtf8 {
    pub const HINT: &str = "save the file as UTF-8 (an editor's \"save with encoding\"; iconv -f latin1 -t utf-8)";

    /// The position of byte `at` of `bytes`, the first bad one.
    pub fn at(bytes: &[u8], at: usize) -> BadUtf8 {
        let good = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let line = good.matches('\n').count() + 1;
        let column = good.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
        BadUtf8 { line, column, byte: bytes.get(at).copied().unwrap_or(0) }
    }

    pub fn message(&self) -> String {
        format!("the file is not UTF-8 text: byte 0x{:02X} at column {}", self.byte, self.column)
    }
}

/// A relative path with `/` separators and without `.` components or repeated separators.
pub fn slash_path(path: &Path) -> String {
    // Walked paths are already in that form: copy them as they are (cheap, and done for every
    // file); take the path apart only when it may not be.
    match path.to_str() {
        Some(s) if is_plain_relative(s) => s.to_string(),
        _ => path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
    }
}

/// `path` inside `dir`, as [`Path::strip_prefix`] gives it. Compared as text when both are
/// plain (a walked file under a clean folder, for every item), else component by component.
pub fn path_in<'a>(path: &'a Path, dir: &Path) -> Option<&'a Path> {
    if let (Some(p), Some(d)) = (path.to_str(), dir.to_str())
        && d.starts_with('/')
        && is_plain_relative(&d[1..])
        && let Some(rest) = p.strip_prefix(d).and_then(|r| r.strip_prefix('/'))
        && is_plain_relative(rest)
    {
        return Some(Path::new(rest));
    }
    path.strip_prefix(dir).ok()
}

/// A `/`-separated relative path whose text is already what its components say: no `.`
/// component, no repeated or trailing separator (on a system whose separator is `/`).
fn is_plain_relative(s: &str) -> bool {
    std::path::MAIN_SEPARATOR == '/'
        && !s.starts_with('/')
        && !s.starts_with("./")
        && !s.contains("//")
        && !s.contains("/./")
        && !s.ends_with('/')
        && !s.ends_with("/.")
        && s != "."
}

/// Map `f` over `items` on all cores, keeping the order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if threads <= 1 || items.len() < 64 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    // The calling thread takes the first chunk: its allocations come from the main heap,
    // which grows in large steps, where a new thread's heap grows a few pages at a time.
    let mut parts = items.chunks(chunk);
    let first = parts.next().unwrap_or(&[]);
    std::thread::scope(|s| {
        let handles: Vec<_> = parts.map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        let mut out: Vec<R> = Vec::with_capacity(items.len());
        out.extend(first.iter().map(f));
        for h in handles {
            out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_a_folder_are_as_strip_prefix_gives_them() {
        let cases = [
            ("/r/product/stories/S-1.md", "/r/product"),
            ("/r/product/stories/S-1.md", "/r"),
            ("/r/product", "/r/product"),
            ("/r/product/", "/r/product"),
            ("/r/productx/a.md", "/r/product"),
            ("/r/product//a.md", "/r/product"),
            ("/r/product/./a.md", "/r/product"),
            ("/r/./product/a.md", "/r/product"),
            ("/r/product/a.md", "/r/./product"),
            ("/r/product/a.md", "/r/product/"),
            ("/r/product/a.md", "/"),
            ("rel/a.md", "rel"),
        ];
        for (p, d) in cases {
            assert_eq!(path_in(Path::new(p), Path::new(d)), Path::new(p).strip_prefix(d).ok(), "{p:?} in {d:?}");
        }
    }

    #[test]
    fn slash_paths_are_the_joined_components() {
        let joined = |p: &Path| p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        for p in
            ["stories/S-1-a.md", "", ".", "..", "a/../b", "./a", "a//b", "a/./b", "a/", "a/.", "/abs/x", ".hidden/x"]
        {
            assert_eq!(slash_path(Path::new(p)), joined(Path::new(p)), "{p:?}");
        }
    }
}
