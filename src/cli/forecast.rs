//! `pm forecast`: when the selected open work is likely done, by Monte Carlo simulation over the
//! weekly throughput history shows.

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::flow::date_arg;
use crate::cli::output::{TextFormat, plural, print, print_json};
use crate::error::{Error, Result};
use crate::history::flow;
use crate::model::date;
use crate::model::id::Kind;

/// Forecast when open work is likely done, from past throughput
///
/// Each of `--runs` simulated futures draws, week after week, the number of stories finished in a
/// random past week (of the last 12 weeks, or since --since) until the selected stories are done.
/// Gives the 50th, 85th and 95th percentile dates.
#[derive(Debug, clap::Args)]
#[command(
    group(clap::ArgGroup::new("work").required(true).args(["epic", "until_story", "count"])),
    after_help = "Examples:\n  pm forecast --epic E-3\n  pm forecast --until S-22\n  pm forecast --count 10 --seed 1"
)]
pub struct Args {
    /// The open stories of this epic
    #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    epic: Option<String>,
    /// The open stories of the backlog down to this one (included)
    #[arg(long = "until", value_name = "STORY")]
    until_story: Option<String>,
    /// The next N open stories of the backlog
    #[arg(long, value_name = "N")]
    count: Option<usize>,
    /// Throughput from this date on (default: the 12 weeks before this one)
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Simulated futures
    #[arg(long, default_value_t = 10_000)]
    runs: usize,
    /// Seed of the simulation, for the same answer every time
    #[arg(long)]
    seed: Option<u64>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

fn weeks(n: usize) -> String {
    plural(n, "week", "weeks")
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let config = &product.config;
    if a.runs == 0 || a.runs > 1_000_000 {
        return Err(Error::bad_argument("--runs must be between 1 and 1,000,000").with_hint("the default is 10,000"));
    }
    let (items, errors) = ctx.load(&product);
    ctx.finish(errors)?;
    let backlog = product.read_list(&product.backlog_path())?;
    let open = |id: &str| items.get(id).is_some_and(|i| i.kind == Kind::Story && !config.is_closed(&i.status));
    let (selected, what): (Vec<String>, String) = if let Some(e) = &a.epic {
        let epic = product.get(e, Kind::Epic)?;
        let id = epic.id.to_string();
        let ids =
            items.of_kind(Kind::Story).filter(|s| s.epic().as_deref() == Some(id.as_str()) && open(&s.id.to_string()));
        (ids.map(|s| s.id.to_string()).collect(), format!("the open stories of {id} {}", epic.title))
    } else if let Some(s) = &a.until_story {
        let story = product.get(s, Kind::Story)?;
        let id = story.id.to_string();
        let order: Vec<String> = backlog.entries().iter().map(|e| e.id.clone()).collect();
        let Some(pos) = order.iter().position(|e| *e == id) else {
            if config.is_closed(&story.status) {
                return Err(Error::bad_argument(format!(
                    "{id} is {}: there is nothing left to forecast down to it",
                    story.status
                ))
                .with_hint("name an open story of the backlog: pm backlog"));
            }
            return Err(Error::bad_argument(format!("{id} is not in the backlog"))
                .with_hint(format!("rank it first: pm rank {id} --bottom")));
        };
        (order[..=pos].iter().filter(|e| open(e)).cloned().collect(), format!("the backlog down to {id}"))
    } else {
        let n = a.count.unwrap_or(0);
        let ids: Vec<String> = backlog.entries().iter().map(|e| e.id.clone()).filter(|e| open(e)).take(n).collect();
        (ids, format!("the next {n} open stories of the backlog"))
    };
    if selected.is_empty() {
        return ctx.say(&format!("Nothing to forecast: {what} has no open stories."));
    }
    let history = crate::cli::history::read_history(&product)?.ok_or_else(|| {
        Error::bad_argument("a forecast needs the throughput git history records, and there is none here")
            .with_hint("commit the product folder in a git repository")
    })?;
    let today = date::today();
    let since = a.since.as_deref().map(|s| date_arg("--since", s)).transpose()?.and_then(|w| date::local_day(w.start));
    let timelines = flow::timelines(&history);
    let flow::Sample { weeks: sample, from, before } = flow::sample(&timelines, config, today, since);
    let busy = sample.iter().filter(|n| **n > 0).count();
    if !flow::enough(&sample) {
        return Err(Error::bad_argument(format!(
            "a forecast needs at least 3 weeks with finished work; the {} weeks from {from} have {busy}",
            sample.len()
        ))
        .with_hint("wait for more history, or widen the window with --since"));
    }
    let seed = a.seed.unwrap_or_else(|| fastrand::u64(..));
    let weeks_to = flow::forecast(&sample, selected.len(), a.runs, seed).unwrap_or([0, 0, 0]);
    let on =
        |w: usize| today.checked_add(jiff::Span::new().days(7 * w as i64)).map(|d| d.to_string()).unwrap_or_default();
    if a.format == TextFormat::Json {
        print_json(&json!({
            "stories": selected,
            "weeks_of_history": sample.len(),
            "throughput": sample,
            "runs": a.runs,
            "seed": seed,
            "p50": {"weeks": weeks_to[0], "date": on(weeks_to[0])},
            "p85": {"weeks": weeks_to[1], "date": on(weeks_to[1])},
            "p95": {"weeks": weeks_to[2], "date": on(weeks_to[2])},
        }))?;
        return Ok(());
    }
    let n = selected.len();
    let out = format!(
        "Forecast for {n} {} ({what}), from the throughput of {} weeks ({from} to {before}: {} stories a week on average), {} runs:\n  50%: by {} ({})\n  85%: by {} ({})\n  95%: by {} ({})\n",
        if n == 1 { "story" } else { "stories" },
        sample.len(),
        format_args!("{:.1}", sample.iter().sum::<usize>() as f64 / sample.len() as f64),
        a.runs,
        on(weeks_to[0]),
        weeks(weeks_to[0]),
        on(weeks_to[1]),
        weeks(weeks_to[1]),
        on(weeks_to[2]),
        weeks(weeks_to[2])
    );
    print(&out)
}
