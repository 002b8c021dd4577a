//! `pm publish OUT`: the product as a static site, for people who will never open the
//! repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::model::date;
use crate::publish::{self, MANIFEST};

/// Write the product as a static site: roadmap, backlog, sprints, charts, a page per item
///
/// An index (the vision and its metrics, the roadmap with each epic's progress, the ordered
/// backlog, the active and recent sprints, the charts with their data), a page per vision, epic,
/// story, sprint and feedback (fields, body, criteria, links, its own history) and a "what
/// changed" page. It opens from disk and from any static host, fetches nothing, and the same
/// revision gives the same bytes. OUT must be empty or made by pm publish before (it lists what
/// it wrote in OUT/.pm-publish, and removes only those files when they are no longer part of
/// the site); --force writes into another folder, deleting and replacing nothing. The pages show
/// the product's files as they are, and the history up to the last commit: the "what changed"
/// page and the charts end on that commit's day.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm publish site\n  pm publish public --since 1m --title \"Tandem: where we are\"")]
pub struct Args {
    /// The folder to write the site to
    #[arg(value_name = "OUT")]
    out: PathBuf,
    /// The first day of the "what changed" page: a date or a window (1w, 2w, 1m) [default: 1m]
    #[arg(long, value_name = "DATE", default_value = "1m")]
    since: String,
    /// The site's title [default: the product's name]
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Write into a folder that holds files pm publish did not write (none is deleted or replaced)
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let view = crate::history::View::load(product, None)?;
    let product = &view.product;
    let config = &product.config;
    for e in &view.errors {
        ctx.warn(&format!("left out: {e}"));
    }
    // The revision and its day: the pages say which state they show, never when they were made.
    let git = crate::store::repo::Repo::discover(product);
    let head = match &git {
        Some(g) => g.head()?.map(|c| (c.id().to_string(), c.time().seconds(), c.time().offset_minutes())),
        None => None,
    };
    let (revision, day) = match &head {
        Some((id, secs, offset)) => (
            format!("The product's files, with the history up to {} ({})", &id[..7], date::day(*secs, *offset)),
            date::local_day(*secs).unwrap_or_else(date::today),
        ),
        None => (format!("The files as they were on {}", date::today()), date::today()),
    };
    let history = match git {
        Some(_) => crate::cli::history::read_history(product)?.unwrap_or_default(),
        None => Default::default(),
    };
    let since = crate::cli::report::day_arg("--since", &a.since, day)?;
    if since > day {
        return Err(Error::bad_argument(format!("--since {since} is after the revision's day, {day}"))
            .with_hint("the \"what changed\" page ends on the day of the last commit: give an earlier day"));
    }
    let title = a.title.clone().or_else(|| config.name.clone()).unwrap_or_else(|| "The product".into());
    let input = publish::Input {
        title,
        config,
        items: &view.items,
        backlog: &view.backlog,
        roadmap: &view.roadmap,
        history: &history,
        revision,
        day,
        since,
    };
    let files = publish::build(&input)?;
    let out = ctx.cwd.join(&a.out);
    let old = previous(&a.out, &out, a.force)?;
    // Never a file of someone else's: a page pm would write where a file it did not write is.
    // (A folder that does not exist yet holds nothing: no page needs a look.)
    let fresh = !out.exists();
    let theirs: Vec<&String> = files.keys().filter(|p| !fresh && !old.contains(*p) && out.join(p).exists()).collect();
    if !theirs.is_empty() {
        let shown: Vec<String> = theirs.iter().take(5).map(|p| a.out.join(p).display().to_string()).collect();
        return Err(Error::bad_argument(format!(
            "{} would replace {} that pm publish did not write: {}{}",
            a.out.display(),
            if theirs.len() == 1 { "a file".to_string() } else { format!("{} files", theirs.len()) },
            shown.join(", "),
            if theirs.len() > 5 { ", ..." } else { "" }
        ))
        .with_hint("move them away, or publish to another folder"));
    }
    write(&out, &files, &old)?;
    ctx.say(&format!("Wrote {} files to {}", files.len(), a.out.display()))
}

/// The files a previous `pm publish` wrote in `out` (from its manifest); an error for a folder
/// with other files, unless `force`.
fn previous(shown: &Path, out: &Path, force: bool) -> Result<BTreeSet<String>> {
    if out.exists() && !out.is_dir() {
        return Err(Error::bad_argument(format!("{} is a file, not a folder", shown.display()))
            .with_hint("give pm publish a folder to write the site to"));
    }
    let manifest = out.join(MANIFEST);
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        return Ok(text.lines().filter(|l| !l.is_empty() && is_ours(l)).map(String::from).collect());
    }
    let used = std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(false);
    if used && !force {
        return Err(Error::bad_argument(format!(
            "{} holds files that pm publish did not write (it has no {MANIFEST})",
            shown.display()
        ))
        .with_hint("publish to an empty or new folder, or add --force to write into it (nothing in it is deleted)"));
    }
    Ok(BTreeSet::new())
}

/// A manifest line pm could have written: a relative path inside the folder.
fn is_ours(line: &str) -> bool {
    !line.starts_with('/') && !line.split('/').any(|p| p == ".." || p.is_empty()) && !line.contains('\\')
}

/// Write every file in one go (all or none: folders made for a write that fails are removed
/// again), then remove the files of the previous site that this one no longer has.
fn write(out: &Path, files: &std::collections::BTreeMap<String, String>, old: &BTreeSet<String>) -> Result<()> {
    let mut changes = crate::store::transaction::Changes::new().regenerable();
    // A page that is already as it should be is left alone: a new revision rewrites only the
    // pages it changed. A page the last site did not have is new (the caller refused one that
    // would replace a file): it is created, which fails rather than replace a file that
    // appeared meanwhile, and nothing is read for it (docs/benchmarks.md, "publish, new
    // folder": on a new folder, the look at each page's old bytes was a third of the calls).
    for (rel, text) in files {
        let path = out.join(rel);
        if !old.contains(rel) {
            changes.create(path, text.as_bytes().to_vec());
        } else if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            changes.write(path, text.as_bytes().to_vec());
        }
    }
    let manifest: String = files.keys().map(|k| format!("{k}\n")).collect();
    changes.write(out.join(MANIFEST), manifest.into_bytes());
    changes.commit()?;
    for stale in old.iter().filter(|p| !files.contains_key(*p)) {
        let path = out.join(stale);
        if path.is_file() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}
