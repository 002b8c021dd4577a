//! The layout of a product folder: the names of its fixed files, and the one rule that says
//! what a path under `product/` is.
//!
//! Every reader (the working tree, a git commit, the history walk, `pm check`) asks [`role`]
//! and [`holds_item`]; none decides it on its own, so a file is an item for all of them or for
//! none.

use crate::model::id::Kind;

/// Name of the folder that holds a product.
pub const PRODUCT_DIR: &str = "product";
/// The settings file at the top of `product/`.
pub const CONFIG_FILE: &str = "pm.yaml";
/// The ordered backlog at the top of `product/`.
pub const BACKLOG_FILE: &str = "backlog.md";
/// The roadmap at the top of `product/`.
pub const ROADMAP_FILE: &str = "roadmap.md";
/// A top-level file for people, never an item.
pub const README_FILE: &str = "README.md";

/// What a file under `product/` is, judged by its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `pm.yaml` at the top.
    Config,
    /// `backlog.md` at the top.
    Backlog,
    /// `roadmap.md` at the top.
    Roadmap,
    /// A Markdown file that may hold an item; `kind` is the kind whose folder holds it. Outside
    /// a kind folder it is an item only if it opens with front matter ([`holds_item`]).
    Item { kind: Option<Kind> },
    /// Anything else: the top-level README, hidden files and folders, files that are not
    /// Markdown.
    Other,
}

/// The role of a file from its path relative to `product/` (`/`-separated).
pub fn role(rel: &str) -> Role {
    match rel {
        CONFIG_FILE => return Role::Config,
        BACKLOG_FILE => return Role::Backlog,
        ROADMAP_FILE => return Role::Roadmap,
        README_FILE => return Role::Other,
        _ => {}
    }
    let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    if is_hidden(parent) || !is_item_name(name, parent.is_empty()) {
        return Role::Other;
    }
    Role::Item { kind: Kind::of_folder_path(rel) }
}

/// Whether a file named `name` in a folder that is not hidden may hold an item (its role is
/// [`Role::Item`]); `top` when the folder is `product/` itself. For walks, which prune hidden
/// folders and know each file's name and depth without making its path.
pub fn is_item_name(name: &str, top: bool) -> bool {
    let fixed = top && matches!(name, BACKLOG_FILE | ROADMAP_FILE | README_FILE);
    name.ends_with(".md") && !name.starts_with('.') && !fixed && !is_mergetool_copy(name)
}

/// Whether a file name is one of the copies `git mergetool` leaves beside a file it merged
/// (`S-8-a_BASE_12345.md`, `_LOCAL_`, `_REMOTE_`, `_BACKUP_`, `S-8-a.md.orig`): never an item (it would carry the
/// item's ID a second time); `pm check` names it as something to delete.
pub fn is_mergetool_copy(name: &str) -> bool {
    // Its backup of the file as it was before the merge (`keepBackup`).
    if name.ends_with(".md.orig") {
        return true;
    }
    let Some(stem) = name.strip_suffix(".md") else { return false };
    let Some((rest, pid)) = stem.rsplit_once('_') else { return false };
    !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && ["_BASE", "_LOCAL", "_REMOTE", "_BACKUP"].iter().any(|side| rest.ends_with(side))
}

/// What every reader says of an item file whose name is not UTF-8: pm keeps paths as text,
/// so it cannot read, write or link such a file, and says so rather than pass over it.
pub const NAME_NOT_UTF8: &str = "the file name is not UTF-8, so pm cannot read it";

/// How to fix a name that is not UTF-8.
pub const NAME_NOT_UTF8_HINT: &str = "rename the file with UTF-8 characters only, for example with `git mv`";

/// Whether some component of the path starts with a dot (`.drafts/`, `.S-1.md`): such files
/// are never read.
pub fn is_hidden(rel: &str) -> bool {
    rel.split('/').any(|c| c.starts_with('.'))
}

/// Whether a file is read by `pm` at all: an item candidate, a list file or the settings
/// (what [`role`] gives a role), without working out the kind.
pub fn is_read(rel: &str) -> bool {
    let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    !is_hidden(parent) && is_read_name(name, parent.is_empty())
}

/// [`is_read`] for a file named `name` in a folder that is not hidden; `top` when the folder is
/// `product/` itself (for walks).
pub fn is_read_name(name: &str, top: bool) -> bool {
    (top && matches!(name, CONFIG_FILE | BACKLOG_FILE | ROADMAP_FILE)) || is_item_name(name, top)
}

/// Whether the file at `rel` holding `text` is an item: in a kind folder, a Markdown file that
/// opens with front matter or is named for an ID (a story that lost its front matter is still
/// one, and says so; a `README.md` there is a note); elsewhere, one whose front matter has an
/// `id` (notes with front matter of their own, as Obsidian and Jekyll write, are notes).
pub fn holds_item(rel: &str, text: &str) -> bool {
    match role(rel) {
        Role::Item { kind: Some(_) } => {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            opens_with_front_matter(text) || crate::model::id::ItemId::from_file_name(name).is_some()
        }
        Role::Item { kind: None } => opens_with_front_matter(text) && front_matter_has_id(text),
        _ => false,
    }
}

/// Whether the front matter a text opens with has a top-level `id` key (`id:` at the start of
/// a line before the closing `---`). A cheap look, not a parse: the reader judges the rest.
fn front_matter_has_id(text: &str) -> bool {
    let mut lines = text.trim_start_matches('\u{feff}').lines().skip(1);
    lines
        .by_ref()
        .take_while(|l| !matches!(l.trim_end(), "---" | "..."))
        .any(|l| l.strip_prefix("id").is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with(':')))
}

/// Whether a text opens with a front-matter fence (after a byte-order mark).
pub fn opens_with_front_matter(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').starts_with("---")
}

/// What `pm` says of a symbolic link in the product folder.
pub const SYMLINK: &str = "is a symbolic link: pm follows no link in the product folder";

/// How to fix [`SYMLINK`].
pub const SYMLINK_HINT: &str = "replace the link with the file or folder it points to: git keeps the link, not the file, and a write through it would land outside the product";

/// The temporary file `pm` writes beside `name` before renaming it into place:
/// `.NAME.pm-PID-N.tmp`, hidden, so no reader takes it for an item.
pub fn temp_name(name: &str, pid: u32, n: usize) -> String {
    format!(".{name}.pm-{pid}-{n}.tmp")
}

/// The process ID in a name [`temp_name`] made; `None` for any other name.
pub fn temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, tail) = rest.rsplit_once(".pm-")?;
    let (pid, n) = tail.split_once('-')?;
    n.parse::<usize>().ok()?;
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_of_paths() {
        assert_eq!(role("pm.yaml"), Role::Config);
        assert_eq!(role("backlog.md"), Role::Backlog);
        assert_eq!(role("roadmap.md"), Role::Roadmap);
        assert_eq!(role("stories/S-1-a.md"), Role::Item { kind: Some(Kind::Story) });
        assert_eq!(role("epics/E-1.md"), Role::Item { kind: Some(Kind::Epic) });
        assert_eq!(role("notes.md"), Role::Item { kind: None });
        assert_eq!(role("docs/README.md"), Role::Item { kind: None });
        assert_eq!(role("stories/backlog.md"), Role::Item { kind: Some(Kind::Story) });
        assert_eq!(role("stories/.draft/S-1-a.md"), Role::Other);
        assert_eq!(role(".S-1.md"), Role::Other);
        assert_eq!(role("README.md"), Role::Other);
        assert_eq!(role("image.png"), Role::Other);
        assert_eq!(role("sub/pm.yaml"), Role::Other);
        assert_eq!(role("storiesx/S-1.md"), Role::Item { kind: None });
        for rel in ["pm.yaml", "backlog.md", "a/backlog.md", "README.md", "x/README.md", ".a.md", "a/.b/c.md", "a.txt"]
        {
            assert_eq!(is_read(rel), role(rel) != Role::Other, "{rel}");
        }
    }

    #[test]
    fn items_outside_kind_folders_need_front_matter() {
        assert!(holds_item("stories/S-1-a.md", "no front matter\n"));
        assert!(holds_item("extra.md", "---\nid: S-9\n---\n"));
        assert!(holds_item("extra.md", "\u{feff}---\nid: S-9\n---\n"));
        assert!(!holds_item("notes.md", "just notes\n"));
        for copy in ["BASE", "LOCAL", "REMOTE", "BACKUP"] {
            assert!(!holds_item(&format!("stories/S-8-a_{copy}_12345.md"), "---\nid: S-8\n---\n"), "{copy}");
        }
        assert!(holds_item("stories/S-8-base_case.md", "---\nid: S-8\n---\n"));
        assert!(!holds_item("notes/2026-12-01.md", "---\ntags: [x]\ndate: 2026-12-01\n---\nNotes.\n"));
        assert!(!holds_item("notes/a.md", "---\ntags: [x]\n---\nid: S-1\n"), "an id below the front matter");
        assert!(holds_item("archive/old.md", "---\ntitle: x\nid : S-4\n---\n"));
        assert!(!holds_item("stories/README.md", "How we write stories.\n"));
        assert!(holds_item("stories/README.md", "---\nid: S-9\n---\n"));
        assert!(holds_item("stories/S-12-x.md", ""));
        assert!(!holds_item("backlog.md", "---\n"));
        assert!(!holds_item("README.md", "---\n"));
    }
}
