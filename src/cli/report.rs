//! `pm report`: a stakeholder update for a period, from git history.

use crate::cli::Ctx;
use crate::cli::output::{print, print_json, step_summary};
use crate::error::{Error, Result};
use crate::model::date;
use crate::model::id::Kind;
use crate::model::sprint::{Sprint, WorkingDays};

/// Write a stakeholder update for a period, from git history
///
/// What was finished (by epic), what moved up or down the backlog and who moved it (with the
/// commit's why), what is new, how the sprints went, how the roadmap moved and how the vision's
/// metrics changed. Markdown is made to be pasted into an email or a GitHub discussion; in
/// GitHub Actions it is also added to the job's summary. `--since 1d` is the stand-up view:
/// what moved since yesterday, and by whom.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm report --since 1d\n  pm report --since 2024-03-01 --until 2024-03-31\n  pm report --since 1m --format html > update.html"
)]
pub struct Args {
    /// The first day: a date (YYYY-MM-DD, 3 weeks ago), or a window ending on the last day: 1d
    /// (yesterday on), 1w, 2w, 1m
    #[arg(long, value_name = "DATE", default_value = "2w")]
    since: String,
    /// The last day (default: today)
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Html,
    Json,
}

/// A day from `--since`/`--until`.
pub(crate) fn day_arg(flag: &str, text: &str, today: jiff::civil::Date) -> Result<jiff::civil::Date> {
    date::day_or_window(text, today).ok_or_else(|| {
        Error::bad_argument(format!("{flag} `{text}` is not a date or a window")).with_hint(date::WINDOW_FORMS)
    })
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let config = &product.config;
    let today = date::today();
    // The last day first: a window counts back from it.
    let to = a.until.as_deref().map(|u| day_arg("--until", u, today)).transpose()?.unwrap_or(today);
    let from = day_arg("--since", &a.since, to)?;
    if from > to {
        return Err(Error::bad_argument(format!("the period starts on {from}, after its end on {to}"))
            .with_hint("give --since a day before --until"));
    }
    if crate::store::repo::Repo::discover(&product).is_none() {
        return Err(Error::bad_argument("a report is read from git history, and there is none here")
            .with_hint("commit the product folder in a git repository; every change is then on record"));
    }
    let history = crate::cli::history::read_history(&product)?.unwrap_or_default();
    let (items, errors) = ctx.load(&product);
    let sprints: Vec<Sprint> = items.of_kind(Kind::Sprint).map(Sprint::of).collect();
    let working = WorkingDays::parse(&config.working_days).unwrap_or_default();
    let title = |id: &str| items.get(id).map(|i| i.title.clone());
    let name = config.name.clone().unwrap_or_else(|| "The product".into());
    let now = crate::report::Now { name: &name, config, sprints, working: &working, title: &title };
    let report = crate::report::build(&history, &now, from, to);
    match a.format {
        Format::Json => {
            print_json(&serde_json::to_value(&report).map_err(|e| Error::bad_argument(e.to_string()))?)?;
        }
        Format::Html => crate::cli::output::print_raw(&report.html())?,
        Format::Markdown => {
            let text = report.markdown();
            print(&text)?;
            step_summary(ctx, &text);
        }
    }
    ctx.finish(errors)
}
