//! A lock that serialises commands changing shared files (`backlog.md`, `roadmap.md`) and
//! allocating IDs, so parallel `pm story add` runs get distinct IDs and keep every line.
//!
//! On Unix the `product/` folder itself is locked (`flock`), which leaves no file behind.
//! Elsewhere a `.pm.lock` file in `product/` is locked. The OS releases the lock when the
//! process ends, so a crash never leaves a stale lock.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};

/// Held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Wait for and take the product's lock.
pub fn lock(product_root: &Path) -> Result<Lock> {
    #[cfg(unix)]
    let (file, path) = (File::open(product_root), product_root.to_path_buf());
    #[cfg(not(unix))]
    let (file, path) = {
        let path = product_root.join(".pm.lock");
        (std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path), path)
    };
    let file = file.map_err(|e| Error::io(&path, e))?;
    file.lock().map_err(|e| Error::io(&path, e))?;
    Ok(Lock { _file: file })
}
