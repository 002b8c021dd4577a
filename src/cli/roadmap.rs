//! `pm roadmap` (show) and `pm roadmap move E-3 now|next|later`.

use serde_json::json;

use std::collections::HashMap;

use crate::cli::Ctx;
use crate::cli::output::{TextFormat, bold, dim, id_style, padding, print_json, print_styled, widen};
use crate::cli::rank::position;
use crate::cli::view;
use crate::error::{Error, Result};
use crate::history::flow;
use crate::model::date;
use crate::model::id::Kind;
use crate::model::item::Item;
use crate::model::listfile::HORIZONS;
use crate::model::sprint::parse_date;
use crate::ops::horizon_name;
use crate::ops::rank::move_epic;

/// Show the roadmap, or move an epic between horizons
///
/// Epics by horizon (Now, Next, Later) with progress: stories done/total and points done/total
/// (dropped stories are not counted).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm roadmap\n  pm roadmap move E-3 now --before E-1")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
    /// Show the state at a past revision or date (YYYY-MM-DD, today, 3 days ago), read from git
    #[arg(long, value_name = "REV|DATE")]
    at: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Move an epic to a horizon, and within it
    Move(MoveArgs),
}

/// Move an epic to a horizon (now, next, later), last in it unless placed.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("position").required(false)))]
#[command(after_help = "Examples:\n  pm roadmap move E-3 now\n  pm roadmap move E-3 next --before E-4")]
struct MoveArgs {
    /// The epic's ID
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    id: String,
    /// now, next or later
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::horizons))]
    horizon: String,
    /// First in the horizon
    #[arg(long, group = "position")]
    top: bool,
    /// Just before this epic
    #[arg(long, group = "position", value_name = "EPIC", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    before: Option<String>,
    /// Just after this epic
    #[arg(long, group = "position", value_name = "EPIC", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    after: Option<String>,
}

/// The 85th-percentile forecast date of each open epic on the roadmap that has a `target`,
/// from git history (`None` inside: not enough history to forecast from). Read only when some
/// epic has a target, and not for a past state (`--at`). Seeded, so the roadmap reads the same
/// every time.
fn target_forecasts(
    product: &crate::store::product::Product,
    items: &crate::store::product::Items,
    list: &crate::model::listfile::ListFile,
    past: bool,
) -> Result<HashMap<String, Option<jiff::civil::Date>>> {
    let config = &product.config;
    let with_target: Vec<&Item> = list
        .entries()
        .iter()
        .filter_map(|e| items.get(&e.id))
        .filter(|i| !config.is_closed(&i.status) && i.get("target").is_some())
        .collect();
    let mut out = HashMap::new();
    if with_target.is_empty() || past {
        return Ok(out);
    }
    let Some(history) = crate::cli::history::read_history(product)? else { return Ok(out) };
    let timelines = flow::timelines(&history);
    let today = date::today();
    let sample = flow::sample(&timelines, config, today, None);
    for epic in with_target {
        let id = epic.id.to_string();
        let open = items
            .of_kind(Kind::Story)
            .filter(|s| s.epic().as_deref() == Some(id.as_str()) && !config.is_closed(&s.status))
            .count();
        let when = (open > 0 && flow::enough(&sample.weeks))
            .then(|| flow::forecast(&sample.weeks, open, 10_000, 0))
            .flatten()
            .and_then(|w| today.checked_add(jiff::Span::new().days(7 * w[1] as i64)).ok());
        out.insert(id, when);
    }
    Ok(out)
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    if let Some(Sub::Move(m)) = a.command {
        let product = ctx.product()?;
        let horizon = horizon_name(&m.horizon).ok_or_else(|| {
            Error::bad_argument(format!("unknown horizon `{}`", m.horizon)).with_hint("use now, next or later")
        })?;
        let pos = position(m.top, !m.top && m.before.is_none() && m.after.is_none(), m.before, m.after, None);
        let moved = move_epic(&mut ctx.transaction(&product)?, &m.id, horizon, &pos)?;
        let stayed = moved.from == Some(moved.to)
            && moved.from_horizon.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(horizon));
        if stayed {
            return ctx.say(&format!("{} stays at {horizon} #{}", moved.id, moved.to));
        }
        let from = match (&moved.from_horizon, moved.from) {
            (Some(h), Some(r)) => format!("from {h} #{r} "),
            _ => String::new(),
        };
        return ctx.say(&format!("{} moved {from}to {horizon} #{}", moved.id, moved.to));
    }
    let view::View { roadmap: list, items, errors, product, .. } = view::load_view(ctx, a.at.as_deref())?;
    let forecasts = target_forecasts(&product, &items, &list, a.at.is_some())?;
    let shown = product.shown(&product.roadmap_path());
    let damaged = view::warn_malformed(ctx, &list, (&shown, product.config.prefix(crate::model::id::Kind::Epic)));
    let listed: std::collections::HashSet<String> = list.entries().into_iter().map(|e| e.id).collect();
    let unlisted = view::open_unlisted(&product, &items, crate::model::id::Kind::Epic, |id| {
        listed.contains(id) || damaged.contains(id)
    });
    let exists = a.at.is_some() || product.roadmap_path().exists();
    view::warn_unlisted(ctx, (&shown, exists), crate::model::id::Kind::Epic, &unlisted, |id| {
        format!("pm roadmap move {id} later")
    });
    for (n, message) in list.odd_headings() {
        ctx.warn(&format!("{}:{}: {message}", shown.display(), n + 1));
    }
    let mut shown_once = std::collections::HashSet::new();
    for e in list.entries() {
        if !shown_once.insert(e.id.clone()) {
            ctx.warn(&format!(
                "{}:{}: {} is listed twice; `pm fmt` removes the repeat",
                shown.display(),
                e.line + 1,
                e.id
            ));
        }
        if !e.on_horizon() {
            let under = e.section.map_or("no horizon heading".to_string(), |s| format!("`## {s}`"));
            ctx.warn(&format!(
                "{}:{}: {} stands under {}, which is not Now, Next or Later, so it is not shown; `pm roadmap move {} later` puts it on one",
                shown.display(),
                e.line + 1,
                e.id,
                under,
                e.id
            ));
        }
    }
    let (b, d, idc) = (bold(), dim(), id_style());
    // The text's lines per horizon, rendered once every column's width is known, so the
    // columns line up across the horizons (by display width: CJK titles too).
    struct Line {
        cells: [String; 5],
        target: Option<String>,
    }
    let mut lines: Vec<(&str, Vec<Line>)> = Vec::new();
    let mut sections = Vec::new();
    for horizon in HORIZONS {
        let mut epics = Vec::new();
        let mut rows = Vec::new();
        let entries = list.section_entries(horizon);
        for e in &entries {
            let (title, status) = match items.get(&e.id) {
                Some(i) => (i.title.clone(), i.status.clone()),
                None => (e.title.clone(), "missing".to_string()),
            };
            let (done, total, pdone, ptotal) = items.epic_progress(&product.config, &e.id);
            let pct = (pdone * 100).checked_div(ptotal).unwrap_or(0);
            let target = items.get(&e.id).and_then(|i| i.get("target")).and_then(|t| parse_date(&t));
            let forecast = forecasts.get(&e.id).copied().flatten();
            let at_risk = matches!((target, forecast), (Some(t), Some(f)) if f > t);
            let target_line = target.map(|t| {
                let f = forecast.map(|f| format!(", 85% by {f}")).unwrap_or_default();
                let risk = if at_risk { "  AT RISK" } else { "" };
                format!("{d}target {t}{f}{d:#}{b}{risk}{b:#}")
            });
            rows.push(Line {
                cells: [
                    e.id.to_string(),
                    crate::model::escape::terminal(&title).into_owned(),
                    crate::model::escape::terminal(&status).into_owned(),
                    format!("stories {done}/{total}"),
                    format!("points {pdone}/{ptotal} ({pct}%)"),
                ],
                target: target_line,
            });
            // Built only for JSON: 100,000 epics' objects took half a gigabyte (docs/reliability.md).
            if a.format == TextFormat::Json {
                epics.push(json!({"id": e.id, "title": title, "status": status,
                "stories": {"done": done, "total": total}, "points": {"done": pdone, "total": ptotal},
                "target": target.map(|t| t.to_string()), "forecast_85": forecast.map(|f| f.to_string()),
                "at_risk": at_risk}));
            }
        }
        lines.push((horizon, rows));
        sections.push(json!({"horizon": horizon, "epics": epics}));
    }
    let mut widths = [0usize; 5];
    widen(&mut widths, lines.iter().flat_map(|(_, rows)| rows.iter().map(|r| r.cells.as_slice())));
    let pad = padding;
    let mut out = String::new();
    for (n, (horizon, rows)) in lines.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{b}{horizon}{b:#}\n"));
        if rows.is_empty() {
            out.push_str(&format!("  {d}(none){d:#}\n"));
        }
        for r in rows {
            let [id, title, status, stories, points] = &r.cells;
            let line = format!(
                "  {idc}{id}{idc:#}{}  {title}{}  {d}{status}{d:#}{}  {stories}{}  {points}",
                pad(id, widths[0]),
                pad(title, widths[1]),
                pad(status, widths[2]),
                pad(stories, widths[3]),
            );
            out.push_str(&line);
            out.push('\n');
            if let Some(t) = &r.target {
                out.push_str(&format!("  {}  {t}\n", " ".repeat(widths[0])));
            }
        }
    }
    match a.format {
        TextFormat::Json => print_json(&json!(sections))?,
        TextFormat::Text => print_styled(&out)?,
    }
    ctx.finish(errors)
}
