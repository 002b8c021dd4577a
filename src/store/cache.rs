//! Cache files under the repository's git directory (`<git common dir>/pm/`): checksummed,
//! versioned, written atomically, and safe to delete.
//!
//! A cache file is one header line, `<magic> <format> <pm version> <checksum>`, then the body.
//! Anything that does not match (another format or pm version, a torn write, a flipped byte)
//! makes [`CacheFile::read`] return nothing, and the caller computes again: a cache is only an
//! optimisation, so deleting one changes no output. Writes go to a temporary file beside the
//! cache and are renamed over it; a write that fails (a read-only repository) is not an error.

use std::path::{Path, PathBuf};

/// What reading a cache file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// No file.
    Missing,
    /// A whole file of this format and pm version: its body.
    Body(Vec<u8>),
    /// A file that is damaged or of another format or pm version.
    Unusable,
}

impl Contents {
    /// The body, if there is a usable one.
    pub fn body(self) -> Option<Vec<u8>> {
        match self {
            Contents::Body(b) => Some(b),
            Contents::Missing | Contents::Unusable => None,
        }
    }
}

/// One cache file.
#[derive(Debug, Clone)]
pub struct CacheFile {
    path: PathBuf,
    magic: &'static str,
    format: u32,
}

/// FNV-1a over 8-byte words, then the remaining bytes: enough to notice damage in a file of
/// megabytes, not meant against tampering.
pub fn checksum(bytes: &[u8]) -> u64 {
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

/// FNV-1a byte by byte, for short names (a product folder's path in a cache's file name).
pub fn name_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

impl CacheFile {
    /// The cache `name` under the git directory `git_dir`, whose header starts with `magic`
    /// and format number `format` (raise it when the body's layout changes).
    pub fn new(git_dir: &Path, name: &str, magic: &'static str, format: u32) -> CacheFile {
        CacheFile { path: git_dir.join("pm").join(name), magic, format }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn header(&self, body: &[u8]) -> String {
        format!("{} {} {} {:016x}\n", self.magic, self.format, env!("CARGO_PKG_VERSION"), checksum(body))
    }

    /// The body, if the file exists and is whole.
    pub fn read(&self) -> Contents {
        let Ok(mut bytes) = std::fs::read(&self.path) else { return Contents::Missing };
        let Some(nl) = bytes.iter().position(|b| *b == b'\n') else { return Contents::Unusable };
        if bytes[..=nl] != *self.header(&bytes[nl + 1..]).as_bytes() {
            return Contents::Unusable;
        }
        bytes.drain(..=nl);
        Contents::Body(bytes)
    }

    /// Replace the file with `body` atomically. Returns whether it was written.
    pub fn write(&self, body: &[u8]) -> bool {
        let mut bytes = self.header(body).into_bytes();
        bytes.extend_from_slice(body);
        let Some(dir) = self.path.parent() else { return false };
        if std::fs::create_dir_all(dir).is_err() {
            return false;
        }
        let name = self.path.file_name().unwrap_or_default().to_string_lossy();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, &bytes).is_ok() && std::fs::rename(&tmp, &self.path).is_ok() {
            return true;
        }
        let _ = std::fs::remove_file(&tmp);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_files_are_read_and_damaged_or_foreign_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheFile::new(dir.path(), "t.cache", "pm-test", 1);
        assert_eq!(cache.read(), Contents::Missing);
        assert!(cache.write(b"body\nlines\n"));
        assert_eq!(cache.read(), Contents::Body(b"body\nlines\n".to_vec()));
        let names: Vec<_> = std::fs::read_dir(dir.path().join("pm")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["t.cache"], "no temporary file left");
        let newer = CacheFile::new(dir.path(), "t.cache", "pm-test", 2);
        assert_eq!(newer.read(), Contents::Unusable);
        let mut bytes = std::fs::read(cache.path()).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(cache.path(), &bytes).unwrap();
        assert_eq!(cache.read(), Contents::Unusable);
        std::fs::write(cache.path(), b"no header").unwrap();
        assert_eq!(cache.read(), Contents::Unusable);
    }
}
