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
/// gives them): this `pm` by its full path (a git GUI or IDE may not have `pm` on its PATH),
/// and git's own line merge, with conflict markers, whenever `pm` cannot run or cannot read
/// the files (any exit but 0, merged, and 1, conflicts marked), so that a merge never keeps
/// only this branch's version without a word.
pub fn command() -> String {
    let exe = std::env::current_exe().ok().and_then(|p| p.to_str().map(shell_quote)).unwrap_or_else(|| "pm".into());
    format!(
        "{exe} merge-file %O %A %B %P --marker-size %L --labels %X %Y || {{ s=$?; [ $s -ne 1 ] && git merge-file -L %X -L base -L %Y --marker-size=%L %A %O %B; }}"
    )
}

/// A word for `sh`: as it is when it is safe, else in single quotes.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', "'\\''")) }
}

/// The program a registered driver command runs, when it names one by a path that is gone.
pub fn missing_program(command: &str) -> Option<String> {
    let first = if let Some(rest) = command.strip_prefix('\'') {
        rest.split('\'').next().unwrap_or("").to_string()
    } else {
        command.split_whitespace().next().unwrap_or("").to_string()
    };
    (first.starts_with('/') && !Path::new(&first).exists()).then_some(first)
}
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
    /// The driver runs a program that is not there (pm moved): the merge falls back to git's.
    pub program: Option<String>,
}

impl Missing {
    pub fn any(&self) -> bool {
        self.attributes || self.driver || self.program.is_some()
    }
}

/// What the repository holding the product lacks, as git itself resolves attributes.
pub fn missing(repo: &Repo) -> Missing {
    let git = repo.git();
    let backlog = if repo.dir.is_empty() { BACKLOG_FILE.to_string() } else { format!("{}/{BACKLOG_FILE}", repo.dir) };
    let attr = git.get_attr(Path::new(&backlog), "merge", git2::AttrCheckFlags::FILE_THEN_INDEX).ok().flatten();
    let driver = git.config().ok().and_then(|c| c.get_string(&format!("merge.{DRIVER}.driver")).ok());
    let program = driver.as_deref().and_then(missing_program);
    Missing { attributes: attr != Some(DRIVER), driver: driver.is_none(), program }
}

/// Register the driver in this clone's `.git/config`. Returns whether anything changed.
pub fn register_driver(repo: &Repo) -> Result<bool> {
    let mut config = repo
        .git()
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
        .map_err(|e| Error::bad_argument(format!("cannot open the repository's .git/config: {}", e.message())))?;
    let key = format!("merge.{DRIVER}.driver");
    let command = command();
    if config.get_string(&key).ok().as_deref() == Some(command.as_str()) {
        return Ok(false);
    }
    let set = |k: &str, v: &str, config: &mut git2::Config| {
        config
            .set_str(k, v)
            .map_err(|e| Error::bad_argument(format!("cannot write {k} to .git/config: {}", e.message())))
    };
    set(&format!("merge.{DRIVER}.name"), NAME, &mut config)?;
    set(&key, &command, &mut config)?;
    Ok(true)
}

/// The `.gitattributes` beside the product folder.
pub fn attributes_path(product_root: &Path) -> PathBuf {
    product_root.parent().unwrap_or(product_root).join(".gitattributes")
}
