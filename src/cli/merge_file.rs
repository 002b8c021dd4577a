//! `pm merge-file`: the merge driver git runs for product files (registered by `pm setup`).
//! The backlog and roadmap merge by item, item files by field and criterion, anything else
//! line by line as git would; what the merge decided is said on stderr, and a real conflict is
//! left as git's conflict markers with exit 1.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, ExitCode, Result};
use crate::model::layout::{BACKLOG_FILE, ROADMAP_FILE};
use crate::model::merge::item::{self, Markers};
use crate::model::merge::list::{self, List};
use crate::model::merge::{LineMerge, Lines, Outcome, Sides};

/// Merge three versions of a product file (the merge driver git runs)
///
/// Lists merge by item, item files by field and criterion (docs/format.md#merging); what cannot be
/// merged gets conflict markers around that part only. Not run by hand: `pm setup` registers it.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example (as git runs it; `pm setup` registers it):\n  pm merge-file %O %A %B %P --marker-size %L --labels %X %Y"
)]
pub struct Args {
    /// The merge base's version
    base: PathBuf,
    /// Our version; the result is written here
    ours: PathBuf,
    /// Their version
    theirs: PathBuf,
    /// The file's path in the repository (decides how it merges)
    path: String,
    /// Length of conflict markers
    #[arg(long, default_value_t = 7, value_name = "N")]
    marker_size: usize,
    /// The names of our and their side for conflict markers (git's %X and %Y)
    #[arg(long, num_args = 2, value_names = ["OURS", "THEIRS"])]
    labels: Vec<String>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let read = |p: &Path| {
        std::fs::read(p)
            .map_err(|e| Error::bad_argument(format!("cannot read {}: {e}", p.display())))
            .map(|b| String::from_utf8(b).ok())
    };
    let (base, ours, theirs) = (read(&a.base)?, read(&a.ours)?, read(&a.theirs)?);
    let size = a.marker_size.clamp(1, 100);
    // A git before 2.44 passes %X and %Y as they are.
    let label = |i: usize, default: &str| match a.labels.get(i) {
        Some(l) if !l.is_empty() && !l.starts_with('%') => l.clone(),
        _ => default.to_string(),
    };
    let labels = (label(0, "ours"), label(1, "theirs"));
    let mut git =
        GitMergeFile { size, labels: labels.clone(), dir: a.ours.parent().map(Path::to_path_buf).unwrap_or_default() };
    let (Some(base), Some(ours), Some(theirs)) = (base, ours, theirs) else {
        return whole_file(&a, &mut git);
    };
    let sides = Sides { base: &base, ours: &ours, theirs: &theirs };
    let name = a.path.rsplit('/').next().unwrap_or(&a.path);
    let outcome = if name == BACKLOG_FILE || name == ROADMAP_FILE {
        let kind = if name == BACKLOG_FILE { List::Backlog } else { List::Roadmap };
        let parses = [base.as_str(), ours.as_str(), theirs.as_str()]
            .iter()
            .all(|t| crate::model::merge::conflict_line(t).is_none());
        parses.then(|| list::merge(kind, sides))
    } else {
        let valid = [base.as_str(), ours.as_str(), theirs.as_str()].iter().all(|t| readable_item(t));
        let markers = Markers { ours: &labels.0, theirs: &labels.1, size };
        if valid { item::merge(sides, markers, &mut git) } else { None }
    };
    let Some(outcome) = outcome else {
        return whole_file(&a, &mut git);
    };
    write(&a.ours, &outcome)?;
    for note in &outcome.notes {
        anstream::eprintln!("pm merge-file: {}: {note}", a.path);
    }
    Ok(if outcome.conflicted { ExitCode::Findings } else { ExitCode::Success })
}

/// Whether a version has front matter YAML can read (a broken one is left to git's merge).
fn readable_item(text: &str) -> bool {
    let Ok(split) = crate::model::frontmatter::split(text) else { return false };
    crate::model::frontmatter::parse(text, &split).is_ok() && crate::model::merge::conflict_line(text).is_none()
}

/// Write the result over git's temporary `%A` through a new file beside it (created, never an
/// existing one taken over), renamed into place.
fn write(path: &Path, outcome: &Outcome) -> Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.pm-merge-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(outcome.text.as_bytes()))
        .map_err(|e| Error::Io { path: tmp.clone(), source: e });
    let renamed = written
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e }));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// Not a file pm can read in all three versions: git's own line merge, in place.
fn whole_file(a: &Args, git: &mut GitMergeFile) -> Result<ExitCode> {
    let out = git
        .command()
        .arg(&a.ours)
        .arg(&a.base)
        .arg(&a.theirs)
        .status()
        .map_err(|e| Error::bad_argument(format!("cannot run git merge-file: {e}")))?;
    Ok(match out.code() {
        Some(0) => ExitCode::Success,
        Some(n) if n > 0 => ExitCode::Findings,
        _ => return Err(Error::bad_argument(format!("git merge-file failed on {}", a.path))),
    })
}

/// Prose merged by `git merge-file`, exactly as git merges text.
struct GitMergeFile {
    size: usize,
    labels: (String, String),
    dir: PathBuf,
}

impl GitMergeFile {
    fn command(&self) -> Command {
        let mut c = Command::new("git");
        c.args(["merge-file", "-L", &self.labels.0, "-L", "base", "-L", &self.labels.1])
            .arg(format!("--marker-size={}", self.size));
        c
    }
}

impl LineMerge for GitMergeFile {
    fn merge_lines(&mut self, sides: Sides<'_>) -> Lines {
        let stamp = format!(".pm-merge-{}-{:?}", std::process::id(), std::thread::current().id());
        let path = |s: &str| self.dir.join(format!("{stamp}-{s}").replace(['(', ')'], ""));
        let files = [(path("ours"), sides.ours), (path("base"), sides.base), (path("theirs"), sides.theirs)];
        let written = files.iter().all(|(p, t)| std::fs::write(p, t).is_ok());
        let out = written.then(|| self.command().arg("-p").args(files.iter().map(|(p, _)| p)).output().ok()).flatten();
        for (p, _) in &files {
            let _ = std::fs::remove_file(p);
        }
        // git merge-file exits with the number of conflicts (0-127); above that it failed (255:
        // a binary file, say) and its output is not a merge.
        match out {
            Some(o) if o.status.code().is_some_and(|c| (0..128).contains(&c)) => {
                Lines { text: String::from_utf8_lossy(&o.stdout).into_owned(), conflicted: o.status.code() != Some(0) }
            }
            // git could not run or could not merge: both versions, marked, so nothing is lost.
            _ => {
                let labels = (self.labels.0.as_str(), self.labels.1.as_str());
                let text = crate::model::merge::conflict_block(sides.ours, sides.theirs, labels, self.size, "\n");
                Lines { text, conflicted: true }
            }
        }
    }
}
