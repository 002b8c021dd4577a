//! `pm backlog`: the ordered backlog with each story's vital signs.

use crate::cli::Ctx;
use crate::cli::output::{ListFormat, print_rows};
use crate::cli::view::{self, ac_summary, opt};
use crate::error::Result;

/// Show the ordered backlog of open stories
///
/// Columns: rank, ID, title, priority, points, status, epic, sprint, acceptance criteria
/// accepted/total, and the feedback that supports each story (when the product has feedback).
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  pm backlog --limit 10")]
pub struct Args {
    /// Show only the first N stories
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Only the stories of this sprint, or `none` for those in no sprint
    #[arg(long, value_name = "SPRINT|none")]
    sprint: Option<String>,
    /// The order: the backlog's (rank), or the one the scores suggest (score; pm.yaml
    /// `scoring:`), with the real rank beside it
    #[arg(long, value_enum, default_value_t = By::Rank)]
    by: By,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
    /// Show the state at a past revision or date (YYYY-MM-DD, today, 3 days ago), read from git
    #[arg(long, value_name = "REV|DATE")]
    at: Option<String>,
}

/// The order `pm backlog` and `pm rank --by` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Rank,
    Score,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let view::View { product, items, backlog: list, errors, at, .. } = view::load_view(ctx, a.at.as_deref())?;
    let items = view::kept_to_exit(items);
    let support = view::support(&items);
    let filter = view::SprintFilter::parse(&product, a.sprint.as_deref(), a.at.is_none())?;
    let mut sprints = Vec::new();
    let shown = product.shown(&product.backlog_path());
    let damaged = view::warn_malformed(ctx, &list, (&shown, product.config.prefix(crate::model::id::Kind::Story)));
    let mut rows = Vec::new();
    let mut json = Vec::new();
    let mut ids = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // IDs whose files could not be read: their errors come last; their lines keep their place.
    let unreadable: std::collections::HashSet<String> = errors
        .iter()
        .chain(at.iter().flat_map(|(_, left_out)| left_out))
        .filter_map(|e| match e {
            crate::error::Error::BadFile { location, .. } => location.path.file_name(),
            crate::error::Error::Io { path, .. } => path.file_name(),
            _ => None,
        })
        .filter_map(|name| crate::model::id::ItemId::from_file_name(&name.to_string_lossy()))
        .map(|id| id.to_string())
        .collect();
    // IDs two files carry (two branches each made one): each file's line is its own row.
    let shared: std::collections::HashMap<String, Vec<&crate::model::item::Item>> =
        items.duplicates().into_iter().collect();
    // The rank is the line's place among the entries, as in `pm story list`, `pm history` and
    // `pm rank --position`: a line pm cannot show (an unreadable story) still holds its place.
    let entries = list.entries();
    let relabelled: std::collections::HashMap<&str, crate::model::listfile::Relabelled> =
        (items.relabelled(&entries, crate::model::id::Kind::Story).into_iter())
            .map(|(r, _)| (r.entry.id.as_str(), r))
            .collect();
    for (index, entry) in entries.iter().enumerate() {
        let own = shared.get(&entry.id).and_then(|files| files.iter().find(|i| i.rel == entry.link).copied());
        let key = if own.is_some() { format!("{}\u{0}{}", entry.id, entry.link) } else { entry.id.clone() };
        if !seen.insert(key) {
            ctx.warn(&format!(
                "{}:{}: {} is listed twice; `pm fmt` removes the repeat",
                shown.display(),
                entry.line + 1,
                entry.id
            ));
            continue;
        }
        let story = items.get(&entry.id).filter(|i| i.kind == crate::model::id::Kind::Story);
        let Some(item) = own.or(story) else {
            if unreadable.contains(&entry.id) || (at.is_none() && !product.fully_listed()) {
                continue;
            }
            if let Some(r) = relabelled.get(entry.id.as_str()) {
                ctx.warn(&format!("{}:{}: {}; {}", shown.display(), entry.line + 1, r.message(), r.hint()));
                continue;
            }
            ctx.warn(&format!("{}:{}: {} names no story; remove the line", shown.display(), entry.line + 1, entry.id));
            continue;
        };
        if at.is_none() && product.config.is_closed(&item.status) {
            ctx.warn(&format!(
                "{}:{}: {} is {} but still listed; `pm fmt` removes the line",
                shown.display(),
                entry.line + 1,
                entry.id,
                item.status
            ));
        }
        // The backlog rank, whatever is filtered out of view; --limit counts the rows shown.
        let rank = index + 1;
        let limited = a.by == By::Rank && a.limit.is_some_and(|l| ids.len() >= l);
        if !filter.passes(item) || limited {
            continue;
        }
        sprints.push(item.sprint());
        rows.push(vec![
            rank.to_string(),
            item.id.to_string(),
            item.title.clone(),
            opt(item.priority()),
            item.points_or_none().map(|p| p.to_string()).unwrap_or_default(),
            item.status.clone(),
            opt(item.epic()),
            ac_summary(item),
        ]);
        if a.format == ListFormat::Json {
            json.push(view::item_json(&product, item, Some(rank), support.get(&entry.id)));
        }
        ids.push(item.id.to_string());
    }
    let relabelled_to: std::collections::HashSet<&String> = relabelled.values().map(|r| &r.says).collect();
    let named: std::collections::HashSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    // A second file with a listed ID (a copy) is named by the duplicate-ID warning.
    let missing = view::open_unlisted(&product, &items, crate::model::id::Kind::Story, |id| {
        named.contains(id) || damaged.contains(id) || relabelled_to.contains(&id.to_string())
    });
    let exists = at.is_some() || product.backlog_path().exists();
    view::warn_unlisted(ctx, (&shown, exists), crate::model::id::Kind::Story, &missing, |id| {
        format!("pm rank {id} --bottom")
    });
    if list.entries().is_empty() && a.format == ListFormat::Table {
        if missing.is_empty() {
            ctx.say("The backlog is empty. Add a story: pm story add \"Title\"")?;
        } else {
            ctx.say("The backlog lists no story; `pm fmt` adds the open ones.")?;
        }
        return ctx.finish(errors);
    }
    let header = vec!["RANK", "ID", "TITLE", "PRIORITY", "POINTS", "STATUS", "EPIC", "AC"];
    let (header, rows) = view::with_sprint_column(&items, header, rows, &sprints);
    let (mut header, mut rows) = view::with_feedback_column(&support, header, rows, &ids);
    if a.by == By::Score {
        let model = crate::cli::score::model(&product)?;
        let scores: Vec<_> = ids
            .iter()
            .map(|id| items.get(id).map_or(Err(()), |i| model.score(&i.fields, support.get(id).weight).map_err(drop)))
            .collect();
        let order = crate::model::score::order(&scores);
        reorder(&mut rows, &order);
        reorder(&mut json, &order);
        let mut scored: Vec<Option<f64>> = scores.iter().map(|s| s.ok()).collect();
        reorder(&mut scored, &order);
        reorder(&mut ids, &order);
        header.insert(1, "SCORE");
        for (row, score) in rows.iter_mut().zip(&scored) {
            row.insert(1, score.map(crate::model::score::format_score).unwrap_or_default());
        }
        for (j, score) in json.iter_mut().zip(&scored) {
            j["score"] = serde_json::json!(score.map(|v| (v * 100.0).round() / 100.0));
        }
        if let Some(l) = a.limit {
            rows.truncate(l);
            json.truncate(l);
            ids.truncate(l);
        }
    }
    print_rows(a.format, ctx.stdout_tty, &header, &rows, &json, &ids)?;
    ctx.finish(errors)
}

/// Put `v` in `order` (indexes into it); a `v` of another length (JSON rows not made) is left.
fn reorder<T>(v: &mut Vec<T>, order: &[usize]) {
    if v.len() != order.len() {
        return;
    }
    let mut old: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    *v = order.iter().filter_map(|&i| old[i].take()).collect();
}
