//! Three-way merges of product files by what they mean: the ordered lists (`backlog.md`,
//! `roadmap.md`) by item, and item files by front-matter field and acceptance criterion.
//!
//! Everything reduces to one keyed-sequence merge ([`seq`]). What a merge cannot decide is
//! either said ([`Note`]: both branches moved one story, and the `pm` command that applies the
//! other branch's place) or left as a git conflict with markers, never chosen silently. Prose
//! is merged line by line by the caller's [`LineMerge`] (git's own `merge-file`), since this
//! module does no I/O.

pub mod item;
pub mod list;
pub mod seq;

/// The three versions of a file, and the labels git's conflict markers give them.
#[derive(Debug, Clone, Copy)]
pub struct Sides<'a> {
    pub base: &'a str,
    pub ours: &'a str,
    pub theirs: &'a str,
}

/// A line-by-line three-way merge of prose.
pub trait LineMerge {
    fn merge_lines(&mut self, sides: Sides<'_>) -> Lines;
}

/// Merged text, and whether conflict markers had to be written into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lines {
    pub text: String,
    pub conflicted: bool,
}

/// The outcome of merging one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub text: String,
    /// Conflict markers were written; git leaves the file unmerged.
    pub conflicted: bool,
    /// What the merge decided that the user should know.
    pub notes: Vec<Note>,
}

/// A decision the merge made and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The merge could not keep the place side `by` gave `id` (both branches moved it, or their
    /// orders contradict each other): it is `now`, `by` had it `had`, and `command` moves it
    /// there.
    Moved { id: String, now: String, by: seq::Side, both: bool, had: String, command: String },
    /// Both branches moved items near these, and their orders cannot both hold; each kept the
    /// neighbour its branch gave it.
    Review { ids: Vec<String>, view: &'static str },
    /// Both branches added an item with this ID as different items; both lines are kept.
    AddedOnBoth { id: String },
    /// Both branches changed the line of `id` differently; ours was kept.
    LineDiffers { id: String },
    /// Their branch's new criterion `from` collided with ours and is `to` after the merge.
    Renumbered { from: String, to: String },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Moved { id, now, by, both, had, command } => {
                let who = if *by == seq::Side::Ours { "this branch" } else { "the other branch" };
                let (what, verb) = if *both {
                    (format!("{id} cannot keep its place from both branches"), "put")
                } else {
                    (format!("the two branches' orders cannot both hold around {id}"), "had")
                };
                write!(f, "{what}: it is {now}; {who} {verb} it {had}. To use that place: {command}")
            }
            Note::Review { ids, view } => write!(
                f,
                "both branches moved items near {}: each kept the item it was put after, but the two orders cannot both hold; review the order ({view})",
                ids.join(", ")
            ),
            Note::AddedOnBoth { id } => write!(
                f,
                "{id} was added on both branches as different items; both are kept. Give one a new ID: pm renumber {id} <NEW-ID> --file <its file>"
            ),
            Note::LineDiffers { id } => {
                write!(
                    f,
                    "{id}'s line was changed differently on both branches; kept this branch's (pm fmt refreshes titles)"
                )
            }
            Note::Renumbered { from, to } => write!(
                f,
                "the other branch's new criterion {from} collided with one added here; it is {to} after the merge"
            ),
        }
    }
}

/// Conflict markers around two versions, as git writes them (`size` is git's marker size).
pub fn conflict_block(ours: &str, theirs: &str, labels: (&str, &str), size: usize, eol: &str) -> String {
    let mut out = String::new();
    let line = |s: &mut String, text: &str| {
        s.push_str(text);
        if !text.is_empty() && !text.ends_with('\n') {
            s.push_str(eol);
        }
    };
    out.push_str(&format!("{} {}{eol}", "<".repeat(size), labels.0));
    line(&mut out, ours);
    out.push_str(&format!("{}{eol}", "=".repeat(size)));
    line(&mut out, theirs);
    out.push_str(&format!("{} {}{eol}", ">".repeat(size), labels.1));
    out
}

/// Split text into lines keeping their endings.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n')
}

/// Keys for lines that are not items: the line's text, the nearest text line above it (so that a
/// blank line is "the blank line after `## Now`"), and how often that pair came before.
pub(crate) struct LineKeys {
    context: String,
    seen: std::collections::HashMap<(String, String), usize>,
}

impl LineKeys {
    pub(crate) fn new() -> LineKeys {
        LineKeys { context: String::new(), seen: std::collections::HashMap::new() }
    }

    pub(crate) fn key(&mut self, line: &str) -> String {
        let content = line.trim_end_matches(['\n', '\r']).to_string();
        let n = self.seen.entry((self.context.clone(), content.clone())).or_insert(0);
        *n += 1;
        let key = format!("\u{0}{}\u{0}{}\u{0}{n}", self.context, content);
        if !content.trim().is_empty() {
            self.context = content;
        }
        key
    }
}

/// Make keys unique within a side: the second `S-1` is `S-1\u{0}2`.
pub(crate) fn unique(key: &str, seen: &mut std::collections::HashMap<String, usize>) -> String {
    let n = seen.entry(key.to_string()).or_insert(0);
    *n += 1;
    if *n == 1 { key.to_string() } else { format!("{key}\u{0}{n}") }
}

/// The ID part of a key made by [`unique`].
pub(crate) fn key_id(key: &str) -> &str {
    key.split('\u{0}').next().unwrap_or(key)
}

/// What is said about a file with conflict markers, by `pm check` and every command reading it.
pub const CONFLICT_MESSAGE: &str = "the file has unresolved merge conflict markers";
pub const CONFLICT_HINT: &str =
    "resolve the merge: keep the right lines, delete the <<<<<<<, ======= and >>>>>>> lines, then `git add` the file";

/// The 1-based line of the first git conflict (a `<<<<<<<` line later followed by `=======`
/// and `>>>>>>>` lines), or `None`. A lone `=======` is a Markdown heading underline, not a
/// conflict.
pub fn conflict_line(text: &str) -> Option<usize> {
    let marker = |line: &str, c: char| {
        let line = line.trim_end_matches(['\n', '\r']);
        let n = line.chars().take_while(|&x| x == c).count();
        n >= 7 && (line.len() == n || (c != '=' && line.as_bytes()[n] == b' '))
    };
    let mut open = None;
    let mut middle = false;
    for (i, line) in lines(text).enumerate() {
        if marker(line, '<') {
            open = Some(i + 1);
            middle = false;
        } else if open.is_some() && marker(line, '=') {
            middle = true;
        } else if middle && marker(line, '>') {
            return open;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn conflict_lines_need_all_three_markers() {
        let c = "a\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n";
        assert_eq!(super::conflict_line(c), Some(2));
        assert_eq!(super::conflict_line("Title\n=======\n"), None);
        assert_eq!(super::conflict_line("<<<<<<< a\n=======\n"), None);
    }
}
