//! A lock that serialises commands changing product files, so parallel `pm story add` runs get
//! distinct IDs and keep every backlog line, and two edits of one story never lose each other.
//!
//! On Unix the `product/` folder itself is locked (`flock`), which leaves no file behind.
//! Elsewhere a `.pm.lock` file in `product/` is locked. The OS releases the lock when the
//! process ends, so a crash never leaves a stale lock. Within one process the lock is
//! re-entrant: a command can take it before reading an item and call operations that take it
//! again.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

struct Held {
    root: PathBuf,
    _file: File,
    depth: usize,
}

static HELD: Mutex<Option<Held>> = Mutex::new(None);

/// Held until dropped.
#[derive(Debug)]
pub struct Lock {
    _private: (),
}

impl Drop for Lock {
    fn drop(&mut self) {
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(h) = held.as_mut() {
            h.depth -= 1;
            if h.depth == 0 {
                *held = None; // closing the file releases the OS lock
            }
        }
    }
}

/// Wait for and take the product's lock, saying so on stderr when another `pm` holds it.
pub fn lock(product_root: &Path) -> Result<Lock> {
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(h) = held.as_mut()
        && h.root == product_root
    {
        h.depth += 1;
        return Ok(Lock { _private: () });
    }
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
            eprintln!("pm: waiting for another pm command to finish with {}", path.display());
            file.lock().map_err(|e| Error::io(&path, e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
    }
    *held = Some(Held { root: product_root.to_path_buf(), _file: file, depth: 1 });
    Ok(Lock { _private: () })
}
