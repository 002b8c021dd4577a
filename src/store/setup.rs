//! What `pm` registers in a repository so that git merges product files by meaning: the
//! `.gitattributes` line that routes `product/**/*.md` to the `pm` merge driver (committed,
//! shared by every clone) and the driver's definition in `.git/config` (local to each clone,
//! which is why clones run `pm setup` once). Without the definition git merges those files
//! line by line as usual, so nothing is lost, only more conflicts are left to resolve.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::layout::{BACKLOG_FILE, PRODUCT_DIR};
use crate::store::repo::Repo;

/// The driver's name in `.gitattributes` and `.git/config`.
pub const DRIVER: &str = "pm";
/// The command git runs (`%O` base, `%A` ours and the result, `%B` theirs, `%P` the path,
/// `%L` the conflict marker size, `%X` and `%Y` the names of the two sides, as git >= 2.44
/// gives them).
pub const COMMAND: &str = "pm merge-file %O %A %B %P --marker-size %L --labels %X %Y";
const NAME: &str = "pm: backlog, roadmap and items merged by item, field and criterion";

/// The lines `pm init` used to write, before the driver: replaced by [`attribute_line`].
const OLD_LINES: [&str; 2] = ["product/backlog.md merge=union", "product/roadmap.md merge=union"];

/// The `.gitattributes` line, relative to the folder holding `product/`.
pub fn attribute_line() -> String {
    format!("{PRODUCT_DIR}/**/*.md merge={DRIVER}")
}

/// `.gitattributes` text with the driver's line (and without the old union lines).
pub fn attributes_with_driver(current: &str) -> Option<String> {
    let line = attribute_line();
    let has = current.lines().any(|l| l.trim() == line);
    let old = current.lines().any(|l| OLD_LINES.contains(&l.trim()));
    if has && !old {
        return None;
    }
    let mut out: String = current.split_inclusive('\n').filter(|l| !OLD_LINES.contains(&l.trim())).collect();
    if !has {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&line);
        out.push('\n');
    }
    Some(out)
}

/// What a repository lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// Git does not route the backlog to the driver (no or another `merge` attribute).
    pub attributes: bool,
    /// This clone does not define the driver.
    pub driver: bool,
}

impl Missing {
    pub fn any(&self) -> bool {
        self.attributes || self.driver
    }
}

/// What the repository holding the product lacks, as git itself resolves attributes.
pub fn missing(repo: &Repo) -> Missing {
    let git = repo.git();
    let backlog = if repo.dir.is_empty() { BACKLOG_FILE.to_string() } else { format!("{}/{BACKLOG_FILE}", repo.dir) };
    let attr = git.get_attr(Path::new(&backlog), "merge", git2::AttrCheckFlags::FILE_THEN_INDEX).ok().flatten();
    let driver = git.config().ok().and_then(|c| c.get_string(&format!("merge.{DRIVER}.driver")).ok());
    Missing { attributes: attr != Some(DRIVER), driver: driver.is_none() }
}

/// Register the driver in this clone's `.git/config`. Returns whether anything changed.
pub fn register_driver(repo: &Repo) -> Result<bool> {
    let mut config = repo
        .git()
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
        .map_err(|e| Error::bad_argument(format!("cannot open the repository's .git/config: {}", e.message())))?;
    let key = format!("merge.{DRIVER}.driver");
    if config.get_string(&key).ok().as_deref() == Some(COMMAND) {
        return Ok(false);
    }
    let set = |k: &str, v: &str, config: &mut git2::Config| {
        config
            .set_str(k, v)
            .map_err(|e| Error::bad_argument(format!("cannot write {k} to .git/config: {}", e.message())))
    };
    set(&format!("merge.{DRIVER}.name"), NAME, &mut config)?;
    set(&key, COMMAND, &mut config)?;
    Ok(true)
}

/// The `.gitattributes` beside the product folder.
pub fn attributes_path(product_root: &Path) -> PathBuf {
    product_root.parent().unwrap_or(product_root).join(".gitattributes")
}
