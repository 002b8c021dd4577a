//! A read-only reader of a git repository's object database (pack files and loose objects),
//! for walks that read thousands of large trees and blobs, as `pm history` does.
//!
//! libgit2 keeps only the base of a delta chain in its cache, so reading each version of a
//! 700 KB tree stored 50 deltas deep rebuilds it through the whole chain. This reader keeps
//! every object it rebuilt, as git itself does (`core.deltaBaseCacheLimit`): walking commits
//! in order, the next version of a tree is usually one step from the last. It reads pack
//! index v2 and pack v2/v3 files (offset and reference deltas, 64-bit offsets) and loose
//! objects; only what is in none of those (an index of another version, an object in an
//! alternate store, a SHA-256 repository) is read through libgit2. An object found here but
//! damaged is an error that names it and points at `git fsck`, never handed to libgit2 (which
//! crashes on some damaged indexes) and never taken for "missing". Hashes are not re-verified
//! on read (git does not either).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository};

use crate::error::{Error, Result};

/// Rebuilt objects kept for later reads, in bytes (git's default delta base cache is 96 MiB).
const CACHE_BYTES: usize = 96 << 20;

/// The error for an object that is there but cannot be read.
pub fn damaged(oid: Oid) -> Error {
    Error::Damaged { message: format!("object {oid} cannot be read: the repository is damaged") }
}

/// The error for a tree whose entries do not parse to its end.
pub fn malformed_tree(oid: Oid) -> Error {
    Error::Damaged { message: format!("tree {oid} is malformed: the repository is damaged") }
}

/// The error for an object that should be there and is not.
pub fn missing(oid: Oid) -> Error {
    Error::Damaged { message: format!("object {oid} is missing from the repository") }
}

/// The most memory reserved ahead for an object whose size a file states.
const FIRST_RESERVE: usize = 1 << 20;

/// The most delta bytes followed to rebuild one object: a chain that loops stops here.
const CHAIN_BYTES: usize = 1 << 30;

/// An object's bytes, shared with the cache.
pub type Data = Rc<Vec<u8>>;

/// The kinds of object a pack holds whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Commit,
    Tree,
    Blob,
    Tag,
}

impl ObjectKind {
    fn from_code(code: u8) -> Option<ObjectKind> {
        Some(match code {
            1 => ObjectKind::Commit,
            2 => ObjectKind::Tree,
            3 => ObjectKind::Blob,
            4 => ObjectKind::Tag,
            _ => return None,
        })
    }

    fn from_git2(t: ObjectType) -> Option<ObjectKind> {
        Some(match t {
            ObjectType::Commit => ObjectKind::Commit,
            ObjectType::Tree => ObjectKind::Tree,
            ObjectType::Blob => ObjectKind::Blob,
            ObjectType::Tag => ObjectKind::Tag,
            _ => return None,
        })
    }
}

/// Why an object that is in this repository's packs or loose files could not be rebuilt.
#[derive(Debug)]
struct Unreadable;

type Fast<T> = std::result::Result<T, Unreadable>;

/// One pack: its index, loaded whole, and the pack file, read at offsets.
struct Pack {
    path: PathBuf,
    index: Vec<u8>,
    /// Number of objects.
    count: usize,
    file: Option<File>,
    len: u64,
    /// Object offsets in increasing order, built on first read: an entry ends where the next
    /// begins, so each entry is read with one call.
    ends: Option<Vec<u64>>,
}

const IDX_MAGIC: &[u8] = b"\xfftOc";
const FANOUT: usize = 8;

/// A pack index of the repository: not read yet, read, or not readable here.
enum Slot {
    Unread(PathBuf),
    Pack(Pack),
    /// Another index version (libgit2 reads its objects) or a damaged index (recorded).
    Skipped,
}

/// What opening a pack index found.
enum Opened {
    Pack(Pack),
    /// An index this reader does not read (version 1): libgit2 reads its objects.
    OtherFormat,
    /// A version-2 index that contradicts itself, or a file that cannot be read.
    Damaged,
}

impl Pack {
    fn open(idx_path: &Path) -> Opened {
        let Ok(index) = std::fs::read(idx_path) else { return Opened::Damaged };
        if index.len() < 8 || &index[..4] != IDX_MAGIC {
            return Opened::OtherFormat;
        }
        match Pack::check(idx_path, index) {
            Some(pack) => Opened::Pack(pack),
            None => Opened::Damaged,
        }
    }

    fn check(idx_path: &Path, index: Vec<u8>) -> Option<Pack> {
        if index.len() < FANOUT + 256 * 4 + 40 || be32(&index[4..8]) != 2 {
            return None;
        }
        // The fan-out table counts the IDs up to each first byte: it never decreases, and
        // its last entry is the number of objects.
        let fanout: Vec<u32> = (0..256).map(|b| be32(&index[FANOUT + b * 4..])).collect();
        if fanout.windows(2).any(|w| w[0] > w[1]) {
            return None;
        }
        let count = fanout[255] as usize;
        let needed = count.checked_mul(20 + 4 + 4)?.checked_add(FANOUT + 256 * 4 + 40)?;
        if index.len() < needed || !(index.len() - needed).is_multiple_of(8) {
            return None;
        }
        // Between the 4-byte offsets and the two checksums is the table of 8-byte offsets;
        // every 4-byte offset with its high bit set is a position in it.
        let large = (index.len() - needed) / 8;
        let small = FANOUT + 256 * 4 + count * 24;
        let in_table = |pos: usize| {
            let v = be32(&index[small + pos * 4..]);
            v & 0x8000_0000 == 0 || ((v & 0x7fff_ffff) as usize) < large
        };
        if !(0..count).all(in_table) {
            return None;
        }
        Some(Pack { path: idx_path.with_extension("pack"), index, count, file: None, len: 0, ends: None })
    }

    fn fanout(&self, byte: u8) -> usize {
        let at = FANOUT + usize::from(byte) * 4;
        be32(&self.index[at..at + 4]) as usize
    }

    /// The position of an object ID in the index.
    fn find(&self, oid: &[u8]) -> Option<usize> {
        let (mut lo, mut hi) = (if oid[0] == 0 { 0 } else { self.fanout(oid[0] - 1) }, self.fanout(oid[0]));
        let names = FANOUT + 256 * 4;
        while lo < hi {
            let mid = (lo + hi) / 2;
            let at = names + mid * 20;
            match self.index[at..at + 20].cmp(oid) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The pack offset of the object at index position `pos`.
    fn offset(&self, pos: usize) -> Fast<u64> {
        let small = FANOUT + 256 * 4 + self.count * 24 + pos * 4;
        let v = be32(&self.index[small..small + 4]);
        if v & 0x8000_0000 == 0 {
            return Ok(u64::from(v));
        }
        let large = FANOUT + 256 * 4 + self.count * 28 + (v & 0x7fff_ffff) as usize * 8;
        let bytes = self.index.get(large..large + 8).ok_or(Unreadable)?;
        Ok(u64::from_be_bytes(bytes.try_into().map_err(|_| Unreadable)?))
    }

    fn file(&mut self) -> Fast<&File> {
        if self.file.is_none() {
            let file = File::open(&self.path).map_err(|_| Unreadable)?;
            let len = file.metadata().map_err(|_| Unreadable)?.len();
            let mut head = [0u8; 12];
            read_exact_at(&file, &mut head, 0).map_err(|_| Unreadable)?;
            if &head[..4] != b"PACK" || !matches!(be32(&head[4..8]), 2 | 3) || len < 32 {
                return Err(Unreadable);
            }
            self.len = len;
            self.file = Some(file);
        }
        self.file.as_ref().ok_or(Unreadable)
    }

    /// Where the entry starting at `offset` ends (the next entry, or the pack's trailer).
    /// Call [`Pack::file`] first.
    fn end_of(&mut self, offset: u64) -> Fast<u64> {
        // The last 20 bytes are the pack's checksum; entries start after the 12-byte header.
        let trailer = self.len.checked_sub(20).ok_or(Unreadable)?;
        if offset < 12 || offset >= trailer {
            return Err(Unreadable);
        }
        if self.ends.is_none() {
            let mut ends = (0..self.count).map(|p| self.offset(p)).collect::<Fast<Vec<u64>>>()?;
            ends.sort_unstable();
            self.ends = Some(ends);
        }
        let ends = self.ends.as_ref().ok_or(Unreadable)?;
        let at = ends.partition_point(|&o| o <= offset);
        Ok(ends.get(at).map_or(trailer, |&end| end.min(trailer)))
    }
}

/// Fill `buf` from `file` at `offset`, without moving a shared cursor.
#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Fill `buf` from `file` at `offset` (Windows moves the cursor; nothing here relies on it).
#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Fill `buf` from `file` at `offset` on systems with neither positioned read.
#[cfg(not(any(unix, windows)))]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// What one pack entry holds.
enum Entry {
    Whole(ObjectKind, Vec<u8>),
    /// A delta against the entry at this offset of the same pack.
    OffsetDelta(u64, Vec<u8>),
    /// A delta against the object with this ID.
    RefDelta(Oid, Vec<u8>),
}

/// The cache of rebuilt objects, least recently used first out.
#[derive(Default)]
struct Cache {
    map: HashMap<(usize, u64), (ObjectKind, Data, u64)>,
    order: BTreeMap<u64, (usize, u64)>,
    tick: u64,
    bytes: usize,
}

impl Cache {
    fn get(&mut self, key: (usize, u64)) -> Option<(ObjectKind, Data)> {
        self.tick += 1;
        let tick = self.tick;
        let (kind, data, used) = self.map.get_mut(&key)?;
        self.order.remove(used);
        *used = tick;
        self.order.insert(tick, key);
        Some((*kind, data.clone()))
    }

    fn put(&mut self, key: (usize, u64), kind: ObjectKind, data: Data) {
        if data.len() > CACHE_BYTES / 4 || self.map.contains_key(&key) {
            return;
        }
        self.tick += 1;
        self.bytes += data.len();
        self.order.insert(self.tick, key);
        self.map.insert(key, (kind, data, self.tick));
        while self.bytes > CACHE_BYTES {
            let Some((_, old)) = self.order.pop_first() else { break };
            if let Some((_, d, _)) = self.map.remove(&old) {
                self.bytes -= d.len();
            }
        }
    }
}

/// The object database of one repository.
pub struct Odb {
    objects: PathBuf,
    /// The packs, newest first; each index is read at the first lookup that reaches it.
    packs: Option<Vec<Slot>>,
    /// The pack the last object was found in: consecutive reads tend to hit the same one.
    last: usize,
    cache: Cache,
    inflate: flate2::Decompress,
    /// Whether this reader can be used at all (a SHA-1 repository), found at the first read.
    usable: Option<bool>,
    /// A pack index found damaged: an object not found elsewhere may be in its pack.
    damaged_index: Option<PathBuf>,
    /// What [`Odb::check_packs`] found, once it ran: `Some(None)` when every pack is sound.
    packs_checked: Option<Option<String>>,
    /// A pack index of another version was met: its objects are libgit2's to read.
    other_format: bool,
}

impl Odb {
    /// The object database of `repo`. Never fails: what cannot be read here is read through
    /// libgit2 by [`Odb::read`].
    pub fn open(repo: &Repository) -> Odb {
        Odb {
            objects: repo.commondir().join("objects"),
            packs: None,
            last: 0,
            cache: Cache::default(),
            inflate: flate2::Decompress::new(true),
            usable: None,
            damaged_index: None,
            packs_checked: None,
            other_format: false,
        }
    }

    /// Check, once, that every pack index of the repository reads and gives each object an
    /// offset inside its pack: libgit2 reads an object at any offset its index gives, and
    /// crashes (SIGSEGV) on one far past the pack's end (docs/reliability.md). [`Repo`] calls
    /// this before anything it hands to libgit2 that reads objects; the error names the first
    /// bad object and its pack. A pack whose `.pack` file is gone is left out, as git leaves
    /// it out. The cost is a look at 4 bytes per object.
    ///
    /// [`Repo`]: crate::store::repo::Repo
    pub fn check_packs(&mut self) -> Result<()> {
        if self.packs_checked.is_none() {
            let found = self.first_unsound_pack();
            self.packs_checked = Some(found);
        }
        match self.packs_checked.as_ref().and_then(Option::as_ref) {
            Some(message) => Err(Error::Damaged { message: message.clone() }),
            None => Ok(()),
        }
    }

    fn first_unsound_pack(&mut self) -> Option<String> {
        for p in 0..self.packs().len() {
            let path = match &self.packs()[p] {
                Slot::Unread(path) => path.clone(),
                Slot::Pack(pack) => pack.path.with_extension("idx"),
                Slot::Skipped => continue,
            };
            if !path.with_extension("pack").exists() {
                continue;
            }
            let Some(pack) = self.pack(p) else {
                if self.damaged_index.as_ref() == Some(&path) {
                    return Some(format!("the pack index {} is damaged", path.display()));
                }
                continue; // another index version: libgit2 checks those itself
            };
            if pack.file().is_err() {
                return Some(format!("the pack {} cannot be read", pack.path.display()));
            }
            // Names sorted and counted by the fan-out table as they claim: libgit2 searches them
            // its own way, and must find what this reader finds.
            let names = FANOUT + 256 * 4;
            for pos in 0..pack.count {
                let name = &pack.index[names + pos * 20..names + pos * 20 + 20];
                let first = name[0];
                let sorted = pos == 0 || pack.index[names + (pos - 1) * 20..names + pos * 20] < *name;
                let counted = pack.fanout(first) > pos && (first == 0 || pack.fanout(first - 1) <= pos);
                if !sorted || !counted {
                    return Some(format!("the pack index {} is damaged", path.display()));
                }
            }
            let trailer = pack.len.saturating_sub(20);
            for pos in 0..pack.count {
                if pack.offset(pos).is_ok_and(|at| (12..trailer).contains(&at)) {
                    continue;
                }
                let at = FANOUT + 256 * 4 + pos * 20;
                let oid = Oid::from_bytes(&pack.index[at..at + 20]).map_or_else(|_| "?".into(), |o| o.to_string());
                return Some(format!("object {oid} cannot be read: the repository is damaged"));
            }
        }
        None
    }

    /// After a search that found nothing (it opened every index): whether libgit2 has no other
    /// place to look, an alternate store or an index of another version. Asked anyway, it reads
    /// the sizes a damaged pack states (gigabytes) before checking them (fuzz/corpus/object_reader).
    fn searched_everywhere(&self) -> bool {
        !self.other_format && !self.objects.join("info").join("alternates").exists()
    }

    /// Whether the object is in this repository (for a revision that names it by ID).
    pub fn contains(&mut self, repo: &Repository, oid: Oid) -> Result<bool> {
        match self.locate(oid.as_bytes()) {
            Ok(Some(_)) | Err(Unreadable) => return Ok(true),
            Ok(None) => {}
        }
        let hex = oid.to_string();
        if self.objects.join(&hex[..2]).join(&hex[2..]).exists() {
            return Ok(true);
        }
        if self.damaged_index.is_none() && self.searched_everywhere() {
            return Ok(false);
        }
        self.check_packs()?;
        Ok(repo.odb().map_err(Error::git)?.exists(oid))
    }

    /// An object's kind and bytes. An object this reader finds but cannot rebuild (a damaged
    /// pack, index or loose file) is an error naming it, never read another way: libgit2
    /// crashes on some of those. Only an object that is in none of this repository's packs
    /// and loose files (an alternate object store, an index of another version) or a
    /// repository this reader does not read (SHA-256) goes to libgit2.
    pub fn read(&mut self, repo: &Repository, oid: Oid) -> Result<(ObjectKind, Data)> {
        let usable = *self.usable.get_or_insert_with(|| {
            let format = repo.config().ok().and_then(|c| c.get_string("extensions.objectformat").ok());
            format.is_none_or(|f| f.eq_ignore_ascii_case("sha1"))
        });
        if usable {
            match self.read_fast(oid) {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {
                    if let Some(index) = &self.damaged_index {
                        let message =
                            format!("object {oid} cannot be read: the pack index {} is damaged", index.display());
                        return Err(Error::Damaged { message });
                    }
                    if self.searched_everywhere() {
                        return Err(missing(oid));
                    }
                }
                Err(Unreadable) => return Err(damaged(oid)),
            }
        }
        self.check_packs()?;
        let odb = repo.odb().map_err(Error::git)?;
        let obj = odb.read(oid).map_err(|e| match e.code() {
            git2::ErrorCode::NotFound => missing(oid),
            _ => damaged(oid),
        })?;
        let kind = ObjectKind::from_git2(obj.kind()).ok_or_else(|| damaged(oid))?;
        Ok((kind, Rc::new(obj.data().to_vec())))
    }

    /// A tree's raw bytes (see [`TreeEntries`]).
    pub fn tree(&mut self, repo: &Repository, oid: Oid) -> Result<Data> {
        self.expect(repo, oid, ObjectKind::Tree)
    }

    /// A commit's raw bytes (headers, a blank line, the message).
    pub fn commit(&mut self, repo: &Repository, oid: Oid) -> Result<Data> {
        self.expect(repo, oid, ObjectKind::Commit)
    }

    /// A blob's bytes.
    pub fn blob(&mut self, repo: &Repository, oid: Oid) -> Result<Data> {
        self.expect(repo, oid, ObjectKind::Blob)
    }

    fn expect(&mut self, repo: &Repository, oid: Oid, want: ObjectKind) -> Result<Data> {
        let (kind, data) = self.read(repo, oid)?;
        if kind != want {
            let message =
                format!("object {oid} is a {kind:?} where a {want:?} was expected: the repository is damaged");
            return Err(Error::Damaged { message });
        }
        Ok(data)
    }

    /// `Ok(None)`: not in a pack or loose here.
    fn read_fast(&mut self, oid: Oid) -> Fast<Option<(ObjectKind, Data)>> {
        match self.locate(oid.as_bytes())? {
            Some(at) => self.unpack(at).map(Some),
            None => self.loose(oid),
        }
    }

    /// The pack indexes of the repository, newest first (as git looks them up), each read at
    /// the first lookup that reaches it: a command that reads a few objects of the newest pack
    /// never reads the indexes of the fifty others (`pm story add` at 10,000 stories in
    /// `benches/run.sh`: 28 -> 21 ms).
    fn packs(&mut self) -> &mut Vec<Slot> {
        let objects = &self.objects;
        self.packs.get_or_insert_with(|| {
            let Ok(dir) = std::fs::read_dir(objects.join("pack")) else { return Vec::new() };
            let mut paths: Vec<(Option<std::time::SystemTime>, PathBuf)> = dir
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .map(|p| (std::fs::metadata(&p).and_then(|m| m.modified()).ok(), p))
                .collect();
            paths.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            paths.into_iter().map(|(_, p)| Slot::Unread(p)).collect()
        })
    }

    /// The pack in slot `p`, reading its index if it was not read yet.
    fn pack(&mut self, p: usize) -> Option<&mut Pack> {
        let slot = self.packs().get_mut(p)?;
        if let Slot::Unread(path) = slot {
            let path = std::mem::take(path);
            let (new, damaged) = match Pack::open(&path) {
                Opened::Pack(pack) => (Slot::Pack(pack), false),
                Opened::OtherFormat => (Slot::Skipped, false),
                Opened::Damaged => (Slot::Skipped, true),
            };
            let other = matches!(new, Slot::Skipped) && !damaged;
            *slot = new;
            self.other_format |= other;
            if damaged {
                self.damaged_index = Some(path);
            }
        }
        match self.packs().get_mut(p)? {
            Slot::Pack(pack) => Some(pack),
            Slot::Unread(_) | Slot::Skipped => None,
        }
    }

    /// The pack and offset of an object; `Ok(None)` when no pack holds it, an error when the
    /// index that holds it gives an offset that cannot be (never taken for "not here").
    fn locate(&mut self, oid: &[u8]) -> Fast<Option<(usize, u64)>> {
        let last = self.last;
        let n = self.packs().len();
        for k in 0..n {
            let p = (last + k) % n;
            let Some(pack) = self.pack(p) else { continue };
            if let Some(pos) = pack.find(oid) {
                let offset = pack.offset(pos)?;
                self.last = p;
                return Ok(Some((p, offset)));
            }
        }
        Ok(None)
    }

    fn loose(&mut self, oid: Oid) -> Fast<Option<(ObjectKind, Data)>> {
        let hex = oid.to_string();
        let Ok(raw) = std::fs::read(self.objects.join(&hex[..2]).join(&hex[2..])) else { return Ok(None) };
        // Header `<type> <size>\0`, then the bytes; the header is small, the size tells the rest.
        let mut head = Vec::with_capacity(64);
        self.inflate_into(&raw, &mut head, 64, true)?;
        let nul = head.iter().position(|&b| b == 0).ok_or(Unreadable)?;
        let header = std::str::from_utf8(&head[..nul]).map_err(|_| Unreadable)?;
        let (kind, size) = header.split_once(' ').ok_or(Unreadable)?;
        let kind = match kind {
            "commit" => ObjectKind::Commit,
            "tree" => ObjectKind::Tree,
            "blob" => ObjectKind::Blob,
            "tag" => ObjectKind::Tag,
            _ => return Err(Unreadable),
        };
        let size: usize = size.parse().map_err(|_| Unreadable)?;
        let whole = size.checked_add(nul + 1).ok_or(Unreadable)?;
        let mut all = Vec::new();
        // The whole stream, to its checksum: git refuses a loose object cut anywhere.
        self.inflate_into(&raw, &mut all, whole, false)?;
        if all.len() != whole {
            return Err(Unreadable);
        }
        all.drain(..=nul);
        Ok(Some((kind, Rc::new(all))))
    }

    /// Inflate a zlib stream into `out` (emptied first), up to `size` bytes.
    fn inflate_into(&mut self, input: &[u8], out: &mut Vec<u8>, size: usize, partial_ok: bool) -> Fast<()> {
        out.clear();
        // One byte more than expected, as git does, so that a stream longer than it says
        // shows as too long instead of being cut. The size comes from the file: memory is
        // reserved as the output grows, never for a size a damaged file claims.
        let limit = size.checked_add(1).ok_or(Unreadable)?;
        out.reserve_exact(limit.min(FIRST_RESERVE));
        self.inflate.reset(true);
        loop {
            let used = usize::try_from(self.inflate.total_in()).map_err(|_| Unreadable)?;
            let rest = input.get(used..).ok_or(Unreadable)?;
            let status = self.inflate.decompress_vec(rest, out, flate2::FlushDecompress::Finish);
            match status {
                Ok(flate2::Status::StreamEnd) => return Ok(()),
                Ok(_) if out.len() == out.capacity() && out.len() < limit => {
                    out.reserve_exact((limit - out.len()).min(out.len()));
                }
                Ok(_) if partial_ok => return Ok(()),
                _ => return Err(Unreadable),
            }
        }
    }

    /// Read and inflate the pack entry at `at`.
    fn entry(&mut self, (pack, offset): (usize, u64)) -> Fast<Entry> {
        let pack = self.pack(pack).ok_or(Unreadable)?;
        pack.file()?;
        let end = pack.end_of(offset)?;
        let len = usize::try_from(end.checked_sub(offset).ok_or(Unreadable)?).map_err(|_| Unreadable)?;
        let mut raw = vec![0u8; len];
        read_exact_at(pack.file()?, &mut raw, offset).map_err(|_| Unreadable)?;
        let mut at = 0;
        let mut byte = *raw.first().ok_or(Unreadable)?;
        let code = (byte >> 4) & 7;
        let mut size = u64::from(byte & 0x0f);
        let mut shift = 4;
        while byte & 0x80 != 0 {
            at += 1;
            byte = *raw.get(at).ok_or(Unreadable)?;
            size |= u64::from(byte & 0x7f).checked_shl(shift).ok_or(Unreadable)?;
            shift += 7;
            if shift > 63 {
                return Err(Unreadable);
            }
        }
        at += 1;
        let size = usize::try_from(size).map_err(|_| Unreadable)?;
        let mut data = Vec::new();
        match code {
            6 => {
                let mut byte = *raw.get(at).ok_or(Unreadable)?;
                let mut back = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    at += 1;
                    byte = *raw.get(at).ok_or(Unreadable)?;
                    back =
                        back.checked_add(1).and_then(|b| b.checked_shl(7)).ok_or(Unreadable)? | u64::from(byte & 0x7f);
                }
                at += 1;
                // The base comes earlier in the pack, so chains cannot loop.
                if back == 0 {
                    return Err(Unreadable);
                }
                let base = offset.checked_sub(back).ok_or(Unreadable)?;
                self.inflate_into(&raw[at..], &mut data, size, false)?;
                check_size(&data, size)?;
                Ok(Entry::OffsetDelta(base, data))
            }
            7 => {
                let base = Oid::from_bytes(raw.get(at..at + 20).ok_or(Unreadable)?).map_err(|_| Unreadable)?;
                self.inflate_into(&raw[at + 20..], &mut data, size, false)?;
                check_size(&data, size)?;
                Ok(Entry::RefDelta(base, data))
            }
            code => {
                let kind = ObjectKind::from_code(code).ok_or(Unreadable)?;
                self.inflate_into(&raw[at..], &mut data, size, false)?;
                check_size(&data, size)?;
                Ok(Entry::Whole(kind, data))
            }
        }
    }

    /// The object at a pack position, through its delta chain, keeping what it rebuilds.
    fn unpack(&mut self, start: (usize, u64)) -> Fast<(ObjectKind, Data)> {
        let mut chain: Vec<((usize, u64), Vec<u8>)> = Vec::new();
        let mut chain_bytes = 0usize;
        let mut at = start;
        let (kind, mut obj) = loop {
            if let Some(hit) = self.cache.get(at) {
                break hit;
            }
            // Reference deltas can name each other in a damaged pack.
            if chain.len() > 10_000 || chain_bytes > CHAIN_BYTES {
                return Err(Unreadable);
            }
            if let Some((_, delta)) = chain.last() {
                chain_bytes += delta.len();
            }
            match self.entry(at)? {
                Entry::Whole(kind, data) => {
                    let data = Rc::new(data);
                    if !chain.is_empty() {
                        self.cache.put(at, kind, data.clone());
                    }
                    break (kind, data);
                }
                Entry::OffsetDelta(base, delta) => {
                    chain.push((at, delta));
                    at = (at.0, base);
                }
                Entry::RefDelta(base, delta) => {
                    chain.push((at, delta));
                    match self.locate(base.as_bytes())? {
                        Some(next) => at = next,
                        None => break self.loose(base)?.ok_or(Unreadable)?,
                    }
                }
            }
        };
        while let Some((pos, delta)) = chain.pop() {
            obj = Rc::new(apply_delta(&obj, &delta)?);
            self.cache.put(pos, kind, obj.clone());
        }
        Ok((kind, obj))
    }
}

fn check_size(data: &[u8], size: usize) -> Fast<()> {
    if data.len() == size { Ok(()) } else { Err(Unreadable) }
}

/// A size at the start of a delta: 7 bits per byte, least significant first.
fn delta_size(delta: &[u8], at: &mut usize) -> Fast<usize> {
    let mut size = 0usize;
    let mut shift = 0u32;
    loop {
        let byte = *delta.get(*at).ok_or(Unreadable)?;
        *at += 1;
        size |= usize::from(byte & 0x7f).checked_shl(shift).ok_or(Unreadable)?;
        shift += 7;
        if byte & 0x80 == 0 {
            return Ok(size);
        }
        if shift > 63 {
            return Err(Unreadable);
        }
    }
}

/// Rebuild an object from its base and a git delta (copy and insert instructions).
fn apply_delta(base: &[u8], delta: &[u8]) -> Fast<Vec<u8>> {
    let mut at = 0;
    if delta_size(delta, &mut at)? != base.len() {
        return Err(Unreadable);
    }
    let size = delta_size(delta, &mut at)?;
    let mut out = Vec::with_capacity(size.min(FIRST_RESERVE.max(base.len())));
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut offset = 0usize;
            let mut len = 0usize;
            for (bit, shift) in [(0x01, 0), (0x02, 8), (0x04, 16), (0x08, 24)] {
                if op & bit != 0 {
                    offset |= usize::from(*delta.get(at).ok_or(Unreadable)?) << shift;
                    at += 1;
                }
            }
            for (bit, shift) in [(0x10, 0), (0x20, 8), (0x40, 16)] {
                if op & bit != 0 {
                    len |= usize::from(*delta.get(at).ok_or(Unreadable)?) << shift;
                    at += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(len).ok_or(Unreadable)?).ok_or(Unreadable)?);
        } else if op != 0 {
            let n = usize::from(op);
            out.extend_from_slice(delta.get(at..at + n).ok_or(Unreadable)?);
            at += n;
        } else {
            return Err(Unreadable);
        }
        if out.len() > size {
            return Err(Unreadable);
        }
    }
    if out.len() != size {
        return Err(Unreadable);
    }
    Ok(out)
}

/// One entry of a raw tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeEntry<'a> {
    pub name: &'a [u8],
    pub mode: u32,
    pub oid: &'a [u8],
}

impl TreeEntry<'_> {
    pub fn is_tree(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }

    pub fn is_blob(&self) -> bool {
        matches!(self.mode & 0o170000, 0o100000 | 0o120000)
    }

    /// A plain file (a blob that is not a symbolic link).
    pub fn is_file(&self) -> bool {
        self.mode & 0o170000 == 0o100000
    }

    /// A symbolic link: its blob holds the target's path, not a file's content.
    pub fn is_link(&self) -> bool {
        self.mode & 0o170000 == 0o120000
    }

    pub fn id(&self) -> Oid {
        Oid::from_bytes(self.oid).unwrap_or(Oid::ZERO_SHA1)
    }
}

/// The entries of a raw tree (`<octal mode> <name>\0<20-byte ID>` each), in stored order.
/// A malformed tail ends the iteration; [`TreeEntries::finished`] tells the two ends apart.
pub struct TreeEntries<'a> {
    rest: &'a [u8],
    malformed: bool,
}

impl<'a> TreeEntries<'a> {
    pub fn new(raw: &'a [u8]) -> Self {
        TreeEntries { rest: raw, malformed: false }
    }

    /// Whether every byte was read as entries (false after a malformed tail, or before the end).
    pub fn finished(&self) -> bool {
        self.rest.is_empty() && !self.malformed
    }
}

impl<'a> Iterator for TreeEntries<'a> {
    type Item = TreeEntry<'a>;

    fn next(&mut self) -> Option<TreeEntry<'a>> {
        let Some((entry, end)) = tree_entry_at(self.rest, 0) else {
            self.malformed |= !self.rest.is_empty();
            self.rest = &[];
            return None;
        };
        self.rest = &self.rest[end..];
        Some(entry)
    }
}

/// The entry of a raw tree that starts at byte `at`, and where it ends; `None` at the end or
/// where the bytes are not an entry.
pub fn tree_entry_at(raw: &[u8], at: usize) -> Option<(TreeEntry<'_>, usize)> {
    let rest = raw.get(at..)?;
    let space = rest.iter().take(8).position(|&b| b == b' ')?;
    let mut mode = 0u32;
    for &d in &rest[..space] {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        mode = mode * 8 + u32::from(d - b'0');
    }
    let after = &rest[space + 1..];
    let nul = memchr::memchr(0, after)?;
    let (name, tail) = after.split_at(nul);
    let oid = tail.get(1..21)?;
    Some((TreeEntry { name, mode, oid }, at + space + 1 + nul + 21))
}

/// The entry for `name` in a raw tree.
pub fn tree_find<'a>(raw: &'a [u8], name: &[u8]) -> Option<TreeEntry<'a>> {
    TreeEntries::new(raw).find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_copy_and_insert() {
        let base = b"hello, world";
        // source size 12, target size 11; copy 7 bytes from 0, insert "there".
        let delta = [12, 11, 0x90, 7, 5, b't', b'h', b'e', b'r', b'e'];
        assert!(apply_delta(base, &delta).is_err(), "the target size must agree");
        let delta = [12, 12, 0x90, 7, 5, b't', b'h', b'e', b'r', b'e'];
        assert_eq!(apply_delta(base, &delta).unwrap(), b"hello, there");
        assert!(apply_delta(base, &[12, 1, 0]).is_err(), "opcode 0 is reserved");
        assert!(apply_delta(base, &[12, 4, 0x91, 10, 4]).is_err(), "copy past the base");
    }

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Every object of a repository with long delta chains reads the same here as through
    /// libgit2, from packs with offset deltas, with reference deltas, and loose.
    #[test]
    fn reads_every_object_as_libgit2_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        let mut lines: Vec<String> = (0..300).map(|i| format!("- [S-{i}](stories/S-{i}.md) Story {i}")).collect();
        for round in 0..40 {
            lines.swap(round * 7 % 300, round * 13 % 300);
            lines.push(format!("- [S-{}](x) added in round {round}", 300 + round));
            std::fs::write(root.join("backlog.md"), lines.join("\n")).unwrap();
            std::fs::write(root.join(format!("S-{round}.md")), format!("---\nid: S-{round}\n---\n")).unwrap();
            git(root, &["add", "-A"]);
            git(root, &["commit", "-qm", &format!("round {round}")]);
        }
        let check = |expect_packed: bool| {
            let repo = Repository::open(root).unwrap();
            let mut odb = Odb::open(&repo);
            assert_eq!(odb.packs().len(), usize::from(expect_packed));
            let store = repo.odb().unwrap();
            let mut ids = Vec::new();
            store
                .foreach(|id| {
                    ids.push(*id);
                    true
                })
                .unwrap();
            assert!(ids.len() > 120, "{}", ids.len());
            for id in ids {
                let theirs = store.read(id).unwrap();
                let (kind, data) = odb.read_fast(id).unwrap_or_else(|_| panic!("{id} unreadable")).unwrap();
                assert_eq!(Some(kind), ObjectKind::from_git2(theirs.kind()), "{id}");
                assert_eq!(data.as_slice(), theirs.data(), "{id}");
            }
        };
        check(false);
        git(root, &["repack", "-adfq", "--depth=50", "--window=50"]);
        git(root, &["prune-packed"]);
        check(true);
        git(root, &["-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq", "--depth=50"]);
        git(root, &["prune-packed"]);
        check(true);
        // An index that keeps every offset past 0x100 in its 64-bit table.
        let (pack, idx) = pack_files(root);
        std::fs::remove_file(&idx).unwrap();
        git(root, &["index-pack", "--index-version=2,0x100", pack.to_str().unwrap()]);
        assert!(std::fs::read(&idx).unwrap().len() > FANOUT + 256 * 4 + 28 * 120 + 8 * 10, "no large offsets");
        check(true);
    }

    fn pack_files(root: &Path) -> (PathBuf, PathBuf) {
        let dir = root.join(".git/objects/pack");
        let idx = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "idx"))
            .unwrap();
        (idx.with_extension("pack"), idx)
    }

    /// A small packed repository, and every object ID in it.
    fn packed_repo() -> (tempfile::TempDir, Vec<Oid>) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        let mut text = String::new();
        for round in 0..12 {
            text.push_str(&format!("line {round} of a file that changes a little each time\n"));
            std::fs::write(root.join("a.md"), &text).unwrap();
            git(root, &["add", "-A"]);
            git(root, &["commit", "-qm", &format!("round {round}")]);
        }
        git(root, &["repack", "-adfq"]);
        git(root, &["prune-packed"]);
        let repo = Repository::open(root).unwrap();
        let mut ids = Vec::new();
        repo.odb()
            .unwrap()
            .foreach(|id| {
                ids.push(*id);
                true
            })
            .unwrap();
        (dir, ids)
    }

    /// Damaged packs, indexes and loose objects are refused (and read through libgit2), never
    /// a panic or a reservation of the memory a damaged size claims.
    #[test]
    fn damaged_objects_are_refused_without_panics() {
        let (dir, ids) = packed_repo();
        let root = dir.path();
        let (pack, idx) = pack_files(root);
        let (pack_bytes, idx_bytes) = (std::fs::read(&pack).unwrap(), std::fs::read(&idx).unwrap());
        let read_all = || {
            let repo = Repository::open(root).unwrap();
            let mut odb = Odb::open(&repo);
            for id in &ids {
                let _ = odb.read_fast(*id);
            }
        };
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        for _ in 0..200 {
            let (path, orig) = if next(2) == 0 { (&pack, &pack_bytes) } else { (&idx, &idx_bytes) };
            let mut bytes = orig.clone();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len());
                bytes[at] = if next(2) == 0 { 0xff } else { bytes[at] ^ (1 << next(8)) };
            }
            let _ = std::fs::remove_file(path);
            std::fs::write(path, &bytes).unwrap();
            read_all();
        }
        std::fs::write(&idx, &idx_bytes).unwrap();
        std::fs::write(&pack, &pack_bytes).unwrap();

        // A loose object claiming an enormous size.
        let id = Oid::from_str("0123456789012345678901234567890123456789").unwrap();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, b"blob 1125899906842624\0abc").unwrap();
        let loose = root.join(".git/objects/01");
        std::fs::create_dir_all(&loose).unwrap();
        std::fs::write(loose.join("23456789012345678901234567890123456789"), z.finish().unwrap()).unwrap();
        let repo = Repository::open(root).unwrap();
        let mut odb = Odb::open(&repo);
        assert!(odb.read_fast(id).is_err());
        // A delta claiming an enormous result, and one copying past its base.
        let huge = [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        assert!(apply_delta(b"", &huge).is_err());
        assert!(apply_delta(b"abc", &[3, 4, 0x91, 1, 4]).is_err());
    }

    /// An offset the index cannot hold (a position past its 64-bit table, or a 64-bit offset
    /// past the pack) is an error naming the object or the index, never "not in this pack"
    /// (which would send the read to libgit2, or call the object missing).
    #[test]
    fn offsets_an_index_cannot_hold_are_errors_not_missing_objects() {
        let (dir, ids) = packed_repo();
        let root = dir.path();
        let (pack, idx) = pack_files(root);
        std::fs::remove_file(&idx).unwrap();
        git(root, &["index-pack", "--index-version=2,0x100", pack.to_str().unwrap()]);
        let bytes = std::fs::read(&idx).unwrap();
        let count = be32(&bytes[FANOUT + 255 * 4..]) as usize;
        let small = FANOUT + 256 * 4 + count * 24;
        let table = small + count * 4;
        let large = (0..count).find(|&p| be32(&bytes[small + p * 4..]) & 0x8000_0000 != 0).expect("a large offset");
        let id = Oid::from_bytes(&bytes[FANOUT + 256 * 4 + large * 20..][..20]).unwrap();
        let read = |bytes: &[u8], oid: Oid| {
            std::fs::remove_file(&idx).unwrap();
            std::fs::write(&idx, bytes).unwrap();
            let repo = Repository::open(root).unwrap();
            Odb::open(&repo).read(&repo, oid).map(|_| ()).map_err(|e| e.to_string())
        };
        assert_eq!(read(&bytes, id), Ok(()));

        let mut past_table = bytes.clone();
        past_table[small + large * 4..][..4].copy_from_slice(&0x8fff_ffffu32.to_be_bytes());
        let whole_index = format!("git: object {} cannot be read: the pack index {} is damaged", ids[0], idx.display());
        assert_eq!(read(&past_table, ids[0]), Err(whole_index));

        let mut past_pack = bytes.clone();
        let at = table + (be32(&bytes[small + large * 4..]) & 0x7fff_ffff) as usize * 8;
        past_pack[at..at + 8].copy_from_slice(&(1u64 << 40).to_be_bytes());
        assert_eq!(read(&past_pack, id), Err(format!("git: object {id} cannot be read: the repository is damaged")));
    }

    #[test]
    fn tree_entries_parse() {
        let mut raw = b"100644 a.md\0".to_vec();
        raw.extend([1u8; 20]);
        raw.extend(b"40000 sub\0");
        raw.extend([2u8; 20]);
        let e: Vec<_> = TreeEntries::new(&raw).collect();
        assert_eq!(e.len(), 2);
        assert!(e[0].is_blob() && e[1].is_tree());
        assert_eq!(e[1].name, b"sub");
        assert!(TreeEntries::new(&raw[..raw.len() - 1]).nth(1).is_none());
    }
}
