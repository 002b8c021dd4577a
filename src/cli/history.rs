//! `pm history [ID...]`: how the product changed over time, commit by commit.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::cli::Ctx;
use crate::cli::output::{csv, print, print_json, progress, table};
use crate::error::{Error, Result, did_you_mean};
use crate::history::cache::{Cache, CommitInfo};
use crate::history::changes::{Change, What};
use crate::history::walk::{self, History, Options};
use crate::model::date;
use crate::model::item::{COMMON_FIELDS, EPIC_FIELDS, STORY_FIELDS, VISION_FIELDS};
use crate::store::repo::{Repo, UNSHALLOW_HINT};

/// Show how the product changed over time, commit by commit
///
/// Each change comes with the date, commit and author that made it. Without IDs: the priority history of the whole product (backlog moves, priority changes,
/// roadmap moves). With IDs: each item's whole life (created, every change of every field
/// and acceptance criterion, done). Every commit is walked, merged branches too, so each
/// change is credited to the commit (author, date, subject) that made it; JSON says which
/// merge brought it (`via`). --first-parent walks only HEAD's first-parent line. Results are
/// cached per commit under the git directory.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm history\n  pm history S-10\n  pm history --since 2024-03-01 --field status --field priority\n  pm history --author maya --format csv"
)]
pub struct Args {
    /// Items to follow (all changes of each)
    #[arg(value_name = "ID", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::item_ids))]
    ids: Vec<String>,
    /// Only changes from this date on (YYYY-MM-DD, RFC 3339, yesterday, 2 weeks ago) or after this revision
    #[arg(long, value_name = "DATE|REV")]
    since: Option<String>,
    /// Only changes up to this date (the whole day) or revision
    #[arg(long, value_name = "DATE|REV")]
    until: Option<String>,
    /// Only commits whose author name or email contains this text
    #[arg(long)]
    author: Option<String>,
    /// Only changes of this field (status, priority, ...; also rank, roadmap, criteria,
    /// created, deleted, path); repeat for several
    #[arg(long, value_name = "NAME")]
    field: Vec<String>,
    /// Every kind of change, not only the priority history
    #[arg(long, conflicts_with = "field")]
    all_fields: bool,
    /// Only HEAD's first-parent line: a merged branch counts as its merge, by whoever merged
    #[arg(long)]
    first_parent: bool,
    /// Every commit, merged branches too (the default; kept for scripts)
    #[arg(long, hide = true, conflicts_with = "first_parent")]
    all_parents: bool,
    /// Compute everything again without reading or writing the cache
    #[arg(long, hide = true)]
    no_cache: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = HistoryFormat::Table)]
    format: HistoryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Table,
    Json,
    Csv,
}

/// A bound of the range: an instant, or the commits reachable from a revision.
enum Bound {
    Time(i64),
    Commits(HashSet<String>),
}

fn reachable(git: &Repo, rev: &str) -> Result<HashSet<String>> {
    let commit = git.resolve(rev)?;
    Ok(git.ancestors(commit.id())?.into_iter().map(|o| o.to_string()).collect())
}

fn bound(git: &Repo, text: &str, since: bool) -> Result<Bound> {
    match date::parse(text) {
        Some(w) => Ok(Bound::Time(if since { w.start } else { w.end() })),
        None => Ok(Bound::Commits(reachable(git, text)?)),
    }
}

fn field_name(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "ac" | "acs" | "acceptance_criteria" | "acceptance-criteria" => "criteria".into(),
        "backlog" | "order" => "rank".into(),
        "horizon" => "roadmap".into(),
        "file" => "path".into(),
        other => other.to_string(),
    }
}

/// HEAD's first-parent history of the product, through the history cache: what the sprint,
/// velocity and flow commands read (one walk; a warm cache reads no commit). `None` outside a
/// git repository or before the first commit.
pub(crate) fn read_history(product: &crate::store::product::Product) -> Result<Option<History>> {
    let Some(git) = Repo::discover(product) else { return Ok(None) };
    let mut cache = Cache::load(Cache::file_for(git.common_dir(), &git.dir, git.grafts_text()));
    let history =
        walk::walk(&git, Options { all_parents: false }, &mut cache, &mut progress("reading history", "commits"))?;
    cache.save();
    Ok((!history.no_commits).then_some(history))
}

/// The old and new values of a change, as text, for CSV.
fn values(c: &Change) -> (String, String) {
    let pos = |p: &Option<usize>| p.map(|n| n.to_string()).unwrap_or_default();
    let place = |p: &Option<crate::history::changes::Place>| {
        p.as_ref().map(|p| format!("{} {}", p.horizon, p.position)).unwrap_or_default()
    };
    match &c.what {
        What::Created { .. } => (String::new(), c.title.clone()),
        What::Described {} => (String::new(), String::new()),
        What::Deleted { .. } => (c.title.clone(), String::new()),
        What::Renamed { from, to } | What::Renumbered { from, to, .. } => (from.clone(), to.clone()),
        What::Field { from, to, .. } => (from.clone().unwrap_or_default(), to.clone().unwrap_or_default()),
        What::AcAdded { ac, text, .. } => (String::new(), format!("{ac}: {text}")),
        What::AcRemoved { ac, text } => (format!("{ac}: {text}"), String::new()),
        What::AcEdited { from, to, .. } => (from.clone(), to.clone()),
        What::AcChecked { ac, .. } => (format!("{ac} [ ]"), format!("{ac} [x]")),
        What::AcUnchecked { ac, .. } => (format!("{ac} [x]"), format!("{ac} [ ]")),
        What::Rank { from, to } => (pos(from), pos(to)),
        What::Roadmap { from, to } => (place(from), place(to)),
    }
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let git = Repo::open(&product)?;
    let mut ids = Vec::new();
    for text in &a.ids {
        let id = product.config.id_from_input(text).ok_or_else(|| {
            Error::bad_argument(crate::model::id::not_an_id(text))
                .with_hint(crate::model::id::id_hint(&product.config.prefixes.story))
        })?;
        ids.push(id.to_string());
    }
    let since = a.since.as_deref().map(|s| bound(&git, s, true)).transpose()?;
    let until = a.until.as_deref().map(|s| bound(&git, s, false)).transpose()?;
    let mut cache = if a.no_cache {
        Cache::in_memory()
    } else {
        Cache::load(Cache::file_for(git.common_dir(), &git.dir, git.grafts_text()))
    };
    let history: History = walk::walk(
        &git,
        Options { all_parents: !a.first_parent },
        &mut cache,
        &mut progress("reading history", "commits"),
    )?;
    cache.save();
    if history.no_commits && a.format == HistoryFormat::Table {
        return ctx.say("No history yet: the repository has no commits.");
    }
    if git.branch().is_none()
        && let Some(head) = git.head()?
    {
        ctx.warn(&format!("HEAD is detached at {}: showing the history that leads to it", &head.id().to_string()[..7]));
    }
    let dir = git.dir.clone();
    drop(git);
    for id in &ids {
        if !history.commits.iter().flat_map(|c| c.changes()).any(|c| &c.id == id) {
            if let Some(at) = &history.truncated_at {
                return Err(Error::bad_argument(format!(
                    "{id} does not appear in the history of HEAD, which this shallow clone cuts at {}",
                    &at[..7]
                ))
                .with_hint(UNSHALLOW_HINT));
            }
            let seen: HashSet<&str> = history.commits.iter().flat_map(|c| c.changes()).map(|c| c.id.as_str()).collect();
            let hint = match did_you_mean(id, seen.iter().copied()) {
                Some(s) => format!("did you mean {s}?"),
                None => "`pm story list` shows the IDs in use".into(),
            };
            return Err(Error::bad_argument(format!("{id} does not appear in the history of HEAD")).with_hint(hint));
        }
    }
    let fields: Vec<String> = a.field.iter().map(|f| field_name(f)).collect();
    // A field no item has and no change names is a typo, not a field that never changed.
    let mut known: HashSet<String> = ["created", "deleted", "path", "criteria", "rank", "roadmap", "description", "id"]
        .into_iter()
        .chain(COMMON_FIELDS.iter().chain(STORY_FIELDS).chain(EPIC_FIELDS).chain(VISION_FIELDS).copied())
        .map(String::from)
        .chain(product.config.custom_fields.iter().cloned())
        .collect();
    known.extend(history.commits.iter().flat_map(|c| c.changes()).map(|c| c.field().to_string()));
    for (typed, field) in a.field.iter().zip(&fields) {
        if !known.contains(field) {
            let hint = match did_you_mean(field, known.iter().map(String::as_str)) {
                Some(s) => format!("did you mean {s}?"),
                None => "fields are front-matter keys (status, priority, ...), or rank, roadmap, criteria, path".into(),
            };
            return Err(Error::bad_argument(format!("no item has a field `{typed}`")).with_hint(hint));
        }
    }
    let author = a.author.as_ref().map(|s| s.to_lowercase());
    let in_range = |info: &CommitInfo| {
        let after = match &since {
            None => true,
            Some(Bound::Time(t)) => info.time >= *t,
            Some(Bound::Commits(set)) => !set.contains(&info.id),
        };
        let before = match &until {
            None => true,
            Some(Bound::Time(t)) => info.time < *t,
            Some(Bound::Commits(set)) => set.contains(&info.id),
        };
        let by = author.as_ref().is_none_or(|a| {
            info.author.to_lowercase().contains(a.as_str()) || info.email.to_lowercase().contains(a.as_str())
        });
        after && before && by
    };
    // An item followed across renumbers: S-9 renumbered from S-2 makes S-2's changes S-9's, on
    // every branch (a branch may have changed S-2 after the renumber was made elsewhere), until
    // the old ID names a new item (created after the renumber). (ID, only at this file, the
    // commits it is followed in.)
    let mut followed: Vec<(String, Option<String>, std::ops::Range<usize>)> =
        ids.iter().map(|id| (id.clone(), None, 0..history.commits.len())).collect();
    let mut grew = true;
    while grew {
        grew = false;
        for (i, commit) in history.commits.iter().enumerate() {
            for c in commit.changes() {
                let What::Renumbered { from, to, file } = &c.what else { continue };
                if !followed.iter().any(|(id, _, _)| id == to) || followed.iter().any(|(id, _, _)| id == from) {
                    continue;
                }
                let reused = history.commits[i + 1..]
                    .iter()
                    .position(|later| {
                        later.changes().iter().any(|x| x.id == *from && matches!(x.what, What::Created { .. }))
                    })
                    .map_or(history.commits.len(), |j| i + 1 + j);
                followed.push((from.clone(), file.clone(), 0..reused));
                grew = true;
            }
        }
    }
    let follows = |i: usize, c: &Change| {
        followed
            .iter()
            .any(|(id, file, within)| *id == c.id && within.contains(&i) && file.as_ref().is_none_or(|f| *f == c.path))
    };
    let score_inputs = product.config.score_model.as_ref().map_or(&[][..], |m| m.inputs.as_slice());
    let wanted = |i: usize, c: &Change| {
        (ids.is_empty() || follows(i, c))
            && if !fields.is_empty() {
                fields.iter().any(|f| f == c.field())
            } else {
                a.all_fields || !ids.is_empty() || c.is_priority(score_inputs)
            }
    };
    // (commit, the merge that brought it, the change, its sentence in its commit)
    let mut rows: Vec<(&CommitInfo, Option<String>, Change, String)> = Vec::new();
    for (i, commit) in history.commits.iter().enumerate().filter(|(_, c)| in_range(&c.info)) {
        for p in commit.problems() {
            ctx.warn(&format!(
                "{} ({}): {}; skipped at that commit",
                &commit.info.id[..7],
                date::day(commit.info.time, commit.info.offset),
                p.shown()
            ));
        }
        let via = commit.via.map(|v| v.to_string());
        rows.extend(commit.changes().iter().filter(|c| wanted(i, c)).map(|c| c.rooted(&dir)).map(|c| {
            let sentence = c.sentence_among(commit.changes());
            (&commit.info, via.clone(), c, sentence)
        }));
    }
    if let Some(at) = &history.truncated_at {
        let e = Error::bad_argument(format!(
            "the history is truncated at {} (shallow clone): earlier changes are not shown",
            &at[..7]
        ))
        .with_hint(UNSHALLOW_HINT);
        ctx.warn(&format!("{e}\n  hint: {}", e.hint().unwrap_or_default()));
    }
    match a.format {
        HistoryFormat::Json => {
            let changes: Vec<Value> = rows
                .iter()
                .map(|(info, via, c, sentence)| {
                    let mut v = json!({
                        "date": date::rfc3339(info.time, info.offset),
                        "commit": info.id,
                        "via": via,
                        "author": info.author,
                        "email": info.email,
                        "summary": info.summary,
                        "field": c.field(),
                        "description": format!("{} {sentence}", c.id),
                    });
                    if let (Some(m), Value::Object(extra)) = (v.as_object_mut(), c.to_json()) {
                        m.extend(extra);
                    }
                    v
                })
                .collect();
            print_json(&json!({"truncated_at": history.truncated_at, "changes": changes}))
        }
        HistoryFormat::Csv => {
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|(info, via, c, sentence)| {
                    let (from, to) = values(c);
                    vec![
                        date::rfc3339(info.time, info.offset),
                        info.id.clone(),
                        via.clone().unwrap_or_default(),
                        info.author.clone(),
                        c.id.clone(),
                        c.title.clone(),
                        c.field().to_string(),
                        from,
                        to,
                        sentence.clone(),
                        info.summary.clone(),
                    ]
                })
                .collect();
            let header = ["date", "commit", "via", "author", "id", "title", "field", "from", "to", "change", "summary"];
            print(&csv(&header, &rows))
        }
        HistoryFormat::Table => {
            if rows.is_empty() {
                return ctx.say("No matching changes.");
            }
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|(info, _, c, sentence)| {
                    vec![
                        date::day(info.time, info.offset),
                        info.id[..7].to_string(),
                        info.author.clone(),
                        c.id.clone(),
                        c.title.clone(),
                        sentence.clone(),
                        info.summary.clone(),
                    ]
                })
                .collect();
            print(&table(&["DATE", "COMMIT", "AUTHOR", "ID", "TITLE", "CHANGE", "WHY"], &rows, ctx.stdout_tty))
        }
    }
}
