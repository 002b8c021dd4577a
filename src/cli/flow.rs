//! `pm flow`: throughput per week, cycle and lead times, work in progress and the finished
//! stories, read from git history.

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::output::{TextFormat, plural, print, print_json, table};
use crate::error::{Error, Result};
use crate::history::flow::{self, Finished, percentile};
use crate::model::date;
use crate::model::id::Kind;

/// Show throughput, cycle and lead times and work in progress, from history
///
/// Stories and points finished per week, cycle time (first started status to finished) and lead
/// time (created to finished) at the median, 85th and 95th percentiles, work in progress now and
/// its age, and each finished story. Dates are those of the commits that made the changes, as in
/// `pm history`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm flow --since 2026-09-01\n  pm flow --epic E-3 --format json")]
pub struct Args {
    /// Only stories finished from this date on (YYYY-MM-DD, 12 weeks ago, ...)
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only stories finished up to this date (the whole day)
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Only the stories of this epic
    #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    epic: Option<String>,
    /// Only stories with this label
    #[arg(long)]
    label: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

/// Parse a `--since`/`--until` date (a date only: flow reads times, not revisions).
pub(crate) fn date_arg(flag: &str, text: &str) -> Result<date::When> {
    date::parse(text)
        .ok_or_else(|| Error::bad_argument(format!("{flag} `{text}` is not a date")).with_hint(date::DATE_FORMS))
}

fn stats(values: &[f64]) -> serde_json::Value {
    json!({
        "count": values.len(),
        "median": percentile(values, 50),
        "p85": percentile(values, 85),
        "p95": percentile(values, 95),
    })
}

fn day(secs: i64) -> String {
    date::local_day(secs).map(|d| d.to_string()).unwrap_or_default()
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into())
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let since = a.since.as_deref().map(|s| date_arg("--since", s)).transpose()?.map(|w| w.start);
    let until = a.until.as_deref().map(|s| date_arg("--until", s)).transpose()?.map(|w| w.end());
    if let Some(e) = &a.epic {
        product.get(e, Kind::Epic)?;
    }
    // The items are read only to filter by epic or label (a walk needs none of them).
    let (items, errors) = if a.epic.is_some() || a.label.is_some() {
        ctx.load(&product)
    } else {
        (crate::store::product::Items::new(Vec::new()), Vec::new())
    };
    let history = crate::cli::history::read_history(&product)?.ok_or_else(|| {
        Error::bad_argument("flow is read from git history, and there is none here")
            .with_hint("commit the product folder in a git repository; every status change is then on record")
    })?;
    let config = &product.config;
    let keep = |id: &str| {
        let item = items.get(id);
        a.epic.as_ref().is_none_or(|e| item.is_some_and(|i| i.epic().as_ref() == Some(e)))
            && a.label.as_ref().is_none_or(|l| item.is_some_and(|i| i.labels().contains(l)))
    };
    let timelines = flow::timelines(&history);
    let finished = flow::finished_stories(&timelines, config, since, until, keep);
    let wip = flow::in_progress(&timelines, config, keep);
    let today = date::today();
    let now = date::day_span(today).1;
    let mut cycle: Vec<f64> = finished.iter().filter_map(Finished::cycle_days).collect();
    let mut lead: Vec<f64> = finished.iter().filter_map(Finished::lead_days).collect();
    cycle.sort_by(f64::total_cmp);
    lead.sort_by(f64::total_cmp);
    let first = since.and_then(date::local_day).or_else(|| finished.first().and_then(|f| date::local_day(f.finished)));
    let last = until.and_then(|u| date::local_day(u - 1)).unwrap_or(today);
    let weeks = match first {
        Some(first) if first <= last => flow::weekly(&finished, first, last),
        _ => Vec::new(),
    };
    if a.format == TextFormat::Json {
        print_json(&json!({
            "throughput": weeks.iter().map(|(w, n, p)| json!({"week": w.to_string(), "stories": n, "points": p})).collect::<Vec<_>>(),
            "cycle_time_days": stats(&cycle),
            "lead_time_days": stats(&lead),
            "in_progress": wip.iter().map(|w| json!({
                "id": w.id, "title": w.title, "status": w.status, "started": day(w.started),
                "age_days": flow::days_between(w.started, now),
            })).collect::<Vec<_>>(),
            "finished": finished.iter().map(|f| json!({
                "id": f.id, "title": f.title, "points": f.points,
                "created": f.created.map(day), "started": f.started.map(day), "finished": day(f.finished),
                "cycle_days": f.cycle_days(), "lead_days": f.lead_days(), "reopened": f.reopened,
            })).collect::<Vec<_>>(),
        }))?;
        return ctx.finish(errors);
    }
    let mut out = String::new();
    if finished.is_empty() {
        out.push_str("No story finished in that time.\n");
    } else {
        out.push_str(&format!(
            "{} ({} points) finished from {} to {}.\n\nThroughput per week\n",
            stories(finished.len()),
            finished.iter().map(|f| f.points).sum::<u64>(),
            day(finished[0].finished),
            day(finished[finished.len() - 1].finished)
        ));
        let rows: Vec<Vec<String>> =
            weeks.iter().map(|(w, n, p)| vec![w.to_string(), n.to_string(), p.to_string()]).collect();
        out.push_str(&indent(&table(&["WEEK OF", "STORIES", "POINTS"], &rows, false)));
        let line = |name: &str, v: &[f64]| {
            format!(
                "{name}: median {}, 85th percentile {}, 95th {} days ({})\n",
                num(percentile(v, 50)),
                num(percentile(v, 85)),
                num(percentile(v, 95)),
                stories(v.len())
            )
        };
        out.push('\n');
        out.push_str(&line("Cycle time (started to finished)", &cycle));
        out.push_str(&line("Lead time (created to finished)", &lead));
    }
    out.push_str(&format!("\nIn progress now: {}\n", wip.len()));
    if !wip.is_empty() {
        let rows: Vec<Vec<String>> = wip
            .iter()
            .map(|w| {
                vec![
                    w.id.clone(),
                    w.status.clone(),
                    day(w.started),
                    num(Some(flow::days_between(w.started, now))),
                    w.title.clone(),
                ]
            })
            .collect();
        out.push_str(&indent(&table(&["ID", "STATUS", "STARTED", "AGE", "TITLE"], &rows, false)));
    }
    if !finished.is_empty() {
        out.push_str("\nFinished\n");
        let rows: Vec<Vec<String>> = finished
            .iter()
            .map(|f| {
                let title =
                    if f.reopened > 0 { format!("{} (reopened {}x)", f.title, f.reopened) } else { f.title.clone() };
                vec![
                    f.id.clone(),
                    f.points.to_string(),
                    f.started.map(day).unwrap_or_else(|| "-".into()),
                    day(f.finished),
                    num(f.cycle_days()),
                    num(f.lead_days()),
                    title,
                ]
            })
            .collect();
        out.push_str(&indent(&table(&["ID", "POINTS", "STARTED", "FINISHED", "CYCLE", "LEAD", "TITLE"], &rows, false)));
    }
    print(&out)?;
    ctx.finish(errors)
}

fn stories(n: usize) -> String {
    plural(n, "story", "stories")
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
