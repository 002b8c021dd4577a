//! `pm refine`: the agenda of a backlog-refinement meeting: the open stories nearest the top of
//! the backlog that are not ready to be worked on, each with what it lacks.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::view;
use crate::error::Result;
use crate::history::changes::What;
use crate::model::id::Kind;
use crate::model::item::Item;
use crate::store::product::Product;

/// Show the agenda of a backlog-refinement meeting
///
/// The open stories nearest the top of the backlog that are not started and not ready, in
/// backlog order, each with what it lacks: acceptance criteria, points, the inputs of the
/// scoring model (pm.yaml `scoring:`), a look for longer than `refine.stale_after` (no commit
/// changed its file), a review after its epic changed (suspect, `pm review`).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm refine\n  pm refine --limit 5 --format markdown")]
pub struct Args {
    /// At most this many stories
    #[arg(long, value_name = "N", default_value_t = 10)]
    limit: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Json,
    Markdown,
}

/// What a story lacks before it is ready, in the order an agenda names them.
fn lacks(
    product: &Product,
    story: &Item,
    touched: Option<&i64>,
    (now, stale_days): (i64, i32),
    suspects: &HashSet<String>,
    support: &crate::model::feedback::Support,
) -> Vec<String> {
    let feedback = support.get(&story.id.to_string());
    let mut out = Vec::new();
    if story.criteria.items.is_empty() {
        out.push("no acceptance criteria".to_string());
    }
    if story.points_or_none().is_none() {
        out.push("no points".to_string());
    }
    if let Some(model) = &product.config.score_model
        && let Err(crate::model::score::NoScore::Missing(fields)) = model.score(&story.fields, feedback.weight)
    {
        out.push(format!("no {}", fields.join(", ")));
    }
    // Only a product that records feedback expects it: elsewhere every story would lack it.
    if !support.is_empty() && feedback.count == 0 {
        out.push("no feedback".to_string());
    }
    if let Some(&time) = touched {
        let days = crate::history::flow::days_between(time, now).floor() as i64;
        if days > i64::from(stale_days) {
            out.push(format!("untouched for {days} days"));
        }
    }
    if suspects.contains(&story.id.to_string()) {
        out.push("its epic changed since (pm review)".to_string());
    }
    out
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let view::View { product, items, backlog, errors, .. } = view::load_view(ctx, None)?;
    let items = view::kept_to_exit(items);
    let config = &product.config;
    let support = view::support(&items);
    // When each story's file last changed in a commit (rank moves are not a look at it).
    let history = crate::cli::history::read_history(&product)?;
    let mut touched: HashMap<String, i64> = HashMap::new();
    for commit in history.iter().flat_map(|h| &h.commits) {
        for c in commit.changes() {
            if !matches!(c.what, What::Rank { .. } | What::Roadmap { .. }) {
                touched.insert(c.id.clone(), commit.info.time);
            }
        }
    }
    let suspects: HashSet<String> = match crate::cli::review::suspects(&product, &items) {
        Ok(found) => found.list.into_iter().map(|s| s.id).collect(),
        Err(_) => HashSet::new(),
    };
    let stale_days = crate::model::sprint::Length::parse(&config.refine.stale_after).map_or(42, |l| l.days);
    let now = crate::model::date::day_span(crate::model::date::today()).1;
    let mut agenda: Vec<(usize, &Item, Vec<String>)> = Vec::new();
    for (rank, entry) in backlog.entries().iter().enumerate() {
        if agenda.len() >= a.limit {
            break;
        }
        let Some(story) = items.get(&entry.id).filter(|i| i.kind == Kind::Story) else { continue };
        if config.is_closed(&story.status) || config.is_started(&story.status) || config.is_finished(&story.status) {
            continue;
        }
        let needs = lacks(&product, story, touched.get(&entry.id), (now, stale_days), &suspects, &support);
        if !needs.is_empty() && !agenda.iter().any(|(_, s, _)| s.id == story.id) {
            agenda.push((rank + 1, story, needs));
        }
    }
    let out = match a.format {
        Format::Json => {
            let rows: Vec<_> = (agenda.iter())
                .map(|(rank, s, needs)| {
                    json!({"rank": rank, "id": s.id.to_string(), "title": s.title, "status": s.status, "needs": needs})
                })
                .collect();
            serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
        }
        Format::Markdown => {
            let md = crate::model::escape::markdown;
            let mut out = String::from("## Refinement agenda\n\n");
            if agenda.is_empty() {
                out.push_str("Every open story near the top of the backlog is ready.\n");
            }
            for (n, (rank, s, needs)) in agenda.iter().enumerate() {
                out.push_str(&format!(
                    "{}. **{}** {} (rank {rank}, {}): {}\n",
                    n + 1,
                    md(&s.id.to_string()),
                    md(&s.title),
                    md(&s.status),
                    md(&needs.join("; "))
                ));
            }
            out
        }
        Format::Table => {
            if agenda.is_empty() {
                ctx.say("Every open story near the top of the backlog is ready.")?;
                return ctx.finish(errors);
            }
            let rows: Vec<Vec<String>> = (agenda.iter())
                .map(|(rank, s, needs)| {
                    vec![rank.to_string(), s.id.to_string(), s.title.clone(), s.status.clone(), needs.join("; ")]
                })
                .collect();
            crate::cli::output::table(&["RANK", "ID", "TITLE", "STATUS", "NEEDS"], &rows, ctx.stdout_tty)
        }
    };
    crate::cli::output::print(&out)?;
    ctx.finish(errors)
}
