//! Errors of the library, each carrying where it happened and how to fix it.
//!
//! Every variant knows its exit code (see [`ExitCode`]) and may carry a hint that the CLI
//! prints under the message. Bad input always names the file and line when there is one.

use std::fmt;
use std::path::{Path, PathBuf};

/// Exit codes of `pm`, documented in `docs/commands.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything went well.
    Success = 0,
    /// Validation found problems (reserved for `pm check` and `pm fmt --check`).
    Findings = 1,
    /// A usage error or bad input: wrong arguments, a malformed file, an unknown ID.
    Usage = 2,
    /// Something outside the user's input failed: I/O, git, the editor.
    Internal = 3,
}

/// A place in a file: path (as shown to the user) and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
}

impl Location {
    pub fn new(path: impl Into<PathBuf>, line: usize) -> Self {
        Self { path: path.into(), line: Some(line) }
    }

    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into(), line: None }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path.display(), line),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// Everything that can go wrong in `pm`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A product file is not what the format says it must be.
    #[error("{location}: {message}")]
    BadFile { location: Location, message: String, hint: Option<String> },

    /// An argument on the command line is wrong.
    #[error("{message}")]
    BadArgument { message: String, hint: Option<String> },

    /// An ID that names no item.
    #[error("no {kind} with ID {id}")]
    UnknownId { kind: String, id: String, suggestion: Option<String> },

    /// No `product/` folder was found.
    #[error("no product folder found in {} or any parent", start.display())]
    NoProduct { start: PathBuf },

    /// `pm init` found a product folder already.
    #[error("{} already exists", path.display())]
    AlreadyInitialized { path: PathBuf },

    /// Reading or writing a file failed.
    #[error("{}: {}", path.display(), io_sentence(source))]
    Io { path: PathBuf, source: std::io::Error },

    /// A git operation failed.
    #[error("git: {message}")]
    Git { message: String, hint: Option<String> },

    /// A git object that is there but cannot be read, or that should be there and is not: the
    /// repository is damaged. Never reported as "missing" data or as a usage error.
    #[error("git: {message}")]
    Damaged { message: String },

    /// Several problems, each reported on its own (a read that went on past bad files).
    #[error("{} problems", .0.len())]
    Many(Vec<Error>),

    /// The editor could not be run or failed.
    #[error("editor: {message}")]
    Editor { message: String, hint: Option<String> },
}

impl Error {
    pub fn bad_file(location: Location, message: impl Into<String>) -> Self {
        Error::BadFile { location, message: message.into(), hint: None }
    }

    pub fn bad_argument(message: impl Into<String>) -> Self {
        Error::BadArgument { message: message.into(), hint: None }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), source }
    }

    /// The error with the path of a failed read or write shown from `cwd` (where the user
    /// ran pm, or `-C`) when it is inside it, as every other message shows paths.
    pub fn shown_from(self, cwd: &Path) -> Self {
        match self {
            Error::Io { path, source } => match path.strip_prefix(cwd) {
                Ok(rel) if !rel.as_os_str().is_empty() => Error::Io { path: rel.to_path_buf(), source },
                _ => Error::Io { path, source },
            },
            Error::Many(errors) => Error::Many(errors.into_iter().map(|e| e.shown_from(cwd)).collect()),
            other => other,
        }
    }

    /// A libgit2 error. One about reading objects (a damaged pack, index or loose object) is
    /// [`Error::Damaged`], with `git fsck` as the hint.
    pub fn git(err: git2::Error) -> Self {
        if is_damage(&err) {
            return Error::Damaged { message: format!("{}: the repository is damaged", err.message()) };
        }
        Error::Git { message: err.message().to_string(), hint: None }
    }

    /// Attach (or replace) the hint of an error that can carry one.
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        let text = Some(text.into());
        match &mut self {
            Error::BadFile { hint, .. }
            | Error::BadArgument { hint, .. }
            | Error::Git { hint, .. }
            | Error::Editor { hint, .. } => *hint = text,
            _ => {}
        }
        self
    }

    /// How to fix it, when we know.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::BadFile { hint, .. }
            | Error::BadArgument { hint, .. }
            | Error::Git { hint, .. }
            | Error::Editor { hint, .. } => hint.clone(),
            Error::UnknownId { suggestion, kind, .. } => Some(match suggestion {
                Some(s) => format!("did you mean {s}?"),
                None => format!("`pm {kind} list` shows the IDs in use"),
            }),
            Error::NoProduct { .. } => {
                Some("run `pm init` to create one, or `pm -C DIR ...` to point at a repository that has one".into())
            }
            Error::AlreadyInitialized { .. } => Some("pm init never touches an existing product folder".into()),
            Error::Damaged { .. } => Some(FSCK_HINT.into()),
            Error::Io { source, .. } => io_hint(source.kind()).map(str::to_string),
            Error::Many(_) => None,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::BadFile { .. }
            | Error::BadArgument { .. }
            | Error::UnknownId { .. }
            | Error::NoProduct { .. }
            | Error::AlreadyInitialized { .. } => ExitCode::Usage,
            Error::Many(errors) => {
                errors.iter().map(Error::exit_code).max_by_key(|c| *c as u8).unwrap_or(ExitCode::Usage)
            }
            Error::Io { .. } | Error::Git { .. } | Error::Damaged { .. } | Error::Editor { .. } => ExitCode::Internal,
        }
    }

    /// True when this error is stdout having been closed by the reader (`pm ... | head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Whether a libgit2 error says that objects could not be read (as opposed to a name that
/// names nothing, or a usage problem).
pub fn is_damage(err: &git2::Error) -> bool {
    use git2::ErrorClass as C;
    // libgit2 fails some reads of a damaged pack without saying why: class None, "no error"
    // (git2's own catch-all errors are class None too, with a message).
    let unexplained = err.class() == C::None && err.message().contains("no error");
    (unexplained || matches!(err.class(), C::Odb | C::Zlib | C::Object | C::Indexer | C::Sha1 | C::Tree))
        && !matches!(err.code(), git2::ErrorCode::InvalidSpec | git2::ErrorCode::Ambiguous)
}

/// What to do about a damaged repository.
pub const FSCK_HINT: &str =
    "run `git fsck` to see which objects are damaged or missing; a fresh clone or `git fetch` may restore them";

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let word_l = word.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(&word_l, &c.to_lowercase());
        let limit = (word.chars().count().max(c.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// What went wrong with a file, in our words, with the system's after it (`Is a directory
/// (os error 21)`), so that no bare OS message reaches the user.
fn io_sentence(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let what = match e.kind() {
        NotFound => "does not exist",
        PermissionDenied => "permission denied",
        IsADirectory => "is a folder where a file belongs",
        NotADirectory => "a file is where a folder belongs",
        StorageFull | QuotaExceeded => "the disk is full",
        ReadOnlyFilesystem => "the file system is read-only",
        FileTooLarge => "the file is larger than this system lets pm write",
        InvalidData => "is not UTF-8 text",
        _ => "cannot be read or written",
    };
    let system = e.to_string();
    match (e.raw_os_error(), system.rsplit_once(" (os error ")) {
        (Some(code), Some((text, _))) => format!("{what} ({text}, os error {code})"),
        _ => format!("{what} ({system})"),
    }
}

/// What to do about a failed read or write, by its kind.
fn io_hint(kind: std::io::ErrorKind) -> Option<&'static str> {
    use std::io::ErrorKind::*;
    Some(match kind {
        StorageFull | QuotaExceeded => {
            "the disk is full: free some space, then run the command again (no file was changed)"
        }
        PermissionDenied | ReadOnlyFilesystem => "check the permissions of the file and of its folder",
        IsADirectory => "a folder is where pm expects a file: move it away",
        NotADirectory => "a file is where pm expects a folder: move it away",
        InvalidData => "save the file as UTF-8",
        _ => return None,
    })
}

/// The ID one digit away from `word` (one digit changed, dropped, added, or two swapped) that
/// `exists`, the lowest number first: a did-you-mean by lookup, for products too large to
/// compare every ID with every unknown one.
pub fn one_digit_away(word: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    let (prefix, digits) = word.split_once('-')?;
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d = digits.as_bytes();
    let mut variants: Vec<Vec<u8>> = Vec::new();
    for i in 0..=d.len() {
        for c in b'0'..=b'9' {
            if i < d.len() {
                let mut v = d.to_vec();
                v[i] = c;
                variants.push(v);
            }
            let mut v = d.to_vec();
            v.insert(i, c);
            variants.push(v);
        }
        if i < d.len() {
            let mut v = d.to_vec();
            v.remove(i);
            variants.push(v);
        }
        if i + 1 < d.len() {
            let mut v = d.to_vec();
            v.swap(i, i + 1);
            variants.push(v);
        }
    }
    variants
        .into_iter()
        .filter(|v| v.as_slice() != d && !v.is_empty() && (v.len() == 1 || v[0] != b'0'))
        .filter_map(|v| {
            let number = String::from_utf8(v).ok()?;
            let id = format!("{prefix}-{number}");
            exists(&id).then(|| (number.parse::<u128>().ok(), id))
        })
        .min()
        .map(|(_, id)| id)
}

/// A likely-typo suggestion among IDs: same prefix, and the number differs by one inserted,
/// deleted or swapped digit (S-300 -> S-30, S-13 -> S-31), never by a different digit.
pub fn did_you_mean_id<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let (prefix, digits) = word.split_once('-')?;
    let close = |c: &str| {
        let Some((p, d)) = c.split_once('-') else { return false };
        if !p.eq_ignore_ascii_case(prefix) || d == digits {
            return p != prefix && d == digits;
        }
        let (a, b) = (digits.as_bytes(), d.as_bytes());
        if a.len().abs_diff(b.len()) == 1 {
            let (long, short) = if a.len() > b.len() { (a, b) } else { (b, a) };
            return (0..long.len()).any(|i| [&long[..i], &long[i + 1..]].concat() == short);
        }
        if a.len() == b.len() {
            let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            return diff.len() == 2 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]];
        }
        false
    };
    candidates.into_iter().find(|c| close(c)).map(str::to_string)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(did_you_mean("stauts", ["status", "title"]), Some("status".into()));
        assert_eq!(did_you_mean("S-13", ["S-12", "E-1"]), Some("S-12".into()));
        assert_eq!(did_you_mean("zzzzzz", ["status"]), None);
        assert_eq!(did_you_mean_id("S-300", ["S-1", "S-30"]), Some("S-30".into()));
        let ids = ["S-12", "S-31", "S-130", "S-1300", "S-2"];
        let near = |w: &str| one_digit_away(w, |id| ids.contains(&id));
        assert_eq!(near("S-13").as_deref(), Some("S-12"), "a changed digit, lowest number first");
        assert_eq!(near("S-1330").as_deref(), Some("S-130"));
        assert_eq!(near("S-103").as_deref(), Some("S-130"));
        assert_eq!(near("S-21").as_deref(), Some("S-2"));
        assert_eq!(near("S-999"), None);
        assert_eq!(near("S-x"), None);
        assert_eq!(did_you_mean_id("S-13", ["S-31"]), Some("S-31".into()));
        assert_eq!(did_you_mean_id("s-13", ["S-13"]), Some("S-13".into()));
        assert_eq!(did_you_mean_id("E-7", ["E-1", "E-2"]), None);
    }
}
