//! The lock that serialises commands changing product files, so parallel `pm story add` runs get
//! distinct IDs and keep every backlog line, and two edits of one story never lose each other.
//!
//! On Unix the `product/` folder itself is locked (`flock`), which leaves no file behind.
//! Elsewhere a `.pm.lock` file in `product/` is locked. The OS releases the lock when the
//! process ends, so a crash never leaves a stale lock. A lock is taken only by
//! [`crate::store::transaction::Transaction::start`]: nothing else in the library locks, so no
//! code path can take it twice. This module prints nothing; a caller that wants to say it is
//! waiting passes `on_wait`.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};

/// The product's lock, held until dropped.
#[derive(Debug)]
pub struct Lock {
    /// Closing the file releases the OS lock.
    _file: File,
}

impl Lock {
    /// Wait for and take the lock of the product folder `product_root`. `on_wait` is called
    /// once, with the locked path, when another process holds it.
    pub fn acquire(product_root: &Path, on_wait: &mut dyn FnMut(&Path)) -> Result<Lock> {
        #[cfg(unix)]
        let (file, path) = (File::open(product_root), product_root.to_path_buf());
        #[cfg(not(unix))]
        let (file, path) = {
            let path = product_root.join(".pm.lock");
            (std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path), path)
        };
        let file = file.map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                on_wait(&path);
                file.lock().map_err(|e| Error::io(&path, e))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        Ok(Lock { _file: file })
    }
}
