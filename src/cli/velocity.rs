//! `pm velocity`: the points each closed sprint completed, read from history, and the mean and
//! range of the last few.

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::output::{TextFormat, print, print_json, table};
use crate::error::{Error, Result};
use crate::history::flow;
use crate::model::id::Kind;
use crate::model::sprint::{Sprint, WorkingDays};

/// Show the points each closed sprint completed, from history
///
/// A story counts for the sprint it was in when it reached a finished status within the sprint's
/// dates, at its points then.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm velocity\n  pm velocity --last 5 --format json")]
pub struct Args {
    /// How many of the latest closed sprints the mean and range take
    #[arg(long, value_name = "N", default_value_t = 3)]
    last: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    if a.last == 0 {
        return Err(Error::bad_argument("--last must be at least 1").with_hint("e.g. --last 3"));
    }
    let (items, errors) = product.load_kind_lenient(Kind::Sprint);
    let config = &product.config;
    let closed_state = config.sprint_states().2;
    let mut sprints: Vec<Sprint> = items
        .of_kind(Kind::Sprint)
        .map(Sprint::of)
        .filter(|s| s.status == closed_state && s.dates().is_some())
        .collect();
    sprints.sort_by_key(|s| s.start);
    let history = crate::cli::history::read_history(&product)?.ok_or_else(|| {
        Error::bad_argument("velocity is read from git history, and there is none here")
            .with_hint("commit the product folder in a git repository; each sprint's changes are then on record")
    })?;
    let timelines = flow::timelines(&history);
    let days = WorkingDays::parse(&config.working_days).unwrap_or_default();
    let rows: Vec<(Sprint, flow::SprintHistory)> = sprints
        .into_iter()
        .map(|s| {
            let end = s.end.unwrap_or_default();
            let h = flow::sprint_history(&s, &timelines, config, &days, end);
            (s, h)
        })
        .collect();
    let recent: Vec<u64> = rows.iter().rev().take(a.last).map(|(_, h)| h.completed).collect();
    let mean = (!recent.is_empty()).then(|| recent.iter().sum::<u64>() as f64 / recent.len() as f64);
    let (min, max) = (recent.iter().min().copied(), recent.iter().max().copied());
    let committed = |h: &flow::SprintHistory| Some(h.committed);
    if a.format == TextFormat::Json {
        let list: Vec<_> = rows
            .iter()
            .map(|(s, h)| {
                json!({
                    "id": s.id, "title": s.title,
                    "start": s.start.map(|d| d.to_string()), "end": s.end.map(|d| d.to_string()),
                    "capacity": s.capacity, "committed": committed(h), "final_scope": h.scope_at_close,
                    "completed": h.completed, "added_after_start": h.added_after_start, "carried": h.carried,
                    "completed_stories": h.completed_stories,
                })
            })
            .collect();
        print_json(&json!({
            "sprints": list,
            "last": recent.len(),
            "mean": mean.map(|m| (m * 10.0).round() / 10.0),
            "min": min,
            "max": max,
        }))?;
        return ctx.finish(errors);
    }
    if rows.is_empty() {
        ctx.say("No closed sprint yet: velocity counts the points each closed sprint completed.")?;
        return ctx.finish(errors);
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|(s, h)| {
            vec![
                s.id.clone(),
                s.title.clone(),
                s.start.map(|d| d.to_string()).unwrap_or_default(),
                s.end.map(|d| d.to_string()).unwrap_or_default(),
                s.capacity.map(|c| c.to_string()).unwrap_or_default(),
                committed(h).map(|c| c.to_string()).unwrap_or_default(),
                h.scope_at_close.to_string(),
                h.completed.to_string(),
            ]
        })
        .collect();
    let mut out = table(
        &["SPRINT", "TITLE", "START", "END", "CAPACITY", "COMMITTED", "FINAL", "COMPLETED"],
        &body,
        ctx.stdout_tty,
    );
    if let (Some(mean), Some(min), Some(max)) = (mean, min, max) {
        out.push_str(&format!(
            "\nVelocity over the last {} closed sprint{}: {mean:.1} points (range {min}-{max})\n",
            recent.len(),
            if recent.len() == 1 { "" } else { "s" }
        ));
    }
    print(&out)?;
    ctx.finish(errors)
}
