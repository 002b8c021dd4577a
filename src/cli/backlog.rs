//! `pm backlog`: the ordered backlog with each story's vital signs.

use crate::cli::Ctx;
use crate::cli::output::{ListFormat, print_rows};
use crate::cli::view::{self, ac_summary, opt};
use crate::error::Result;

/// Show the backlog in order: rank, ID, title, priority, points, status, epic, and
/// acceptance criteria accepted/total.
///
/// Example: pm backlog --limit 10
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only the first N stories
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let list = product.read_list(&product.backlog_path())?;
    let items = product.load_all()?;
    let by_id = items.by_id();
    let shown = product.shown(&product.backlog_path());
    let mut rows = Vec::new();
    let mut json = Vec::new();
    let mut ids = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in list.entries() {
        if !seen.insert(entry.id.clone()) {
            ctx.warn(&format!(
                "{}:{}: {} is listed twice; `pm fmt` removes the repeat",
                shown.display(),
                entry.line + 1,
                entry.id
            ));
            continue;
        }
        let Some(item) = by_id.get(entry.id.as_str()).copied() else {
            ctx.warn(&format!("{}:{}: {} names no story; remove the line", shown.display(), entry.line + 1, entry.id));
            continue;
        };
        let rank = ids.len() + 1;
        if a.limit.is_some_and(|l| rank > l) {
            break;
        }
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
            json.push(view::item_json(&product, item, Some(rank)));
        }
        ids.push(item.id.to_string());
    }
    if rows.is_empty() && a.format == ListFormat::Table {
        return ctx.say("The backlog is empty. Add a story: pm story add \"Title\"");
    }
    print_rows(
        a.format,
        ctx.stdout_tty,
        &["RANK", "ID", "TITLE", "PRIORITY", "POINTS", "STATUS", "EPIC", "AC"],
        &rows,
        &json,
        &ids,
    )
}
