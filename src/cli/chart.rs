//! `pm chart priorities|burnup|burndown|flow|metrics`: how priorities and progress moved, drawn
//! from one walk of git history for a terminal, an SVG file or a Markdown page.

use std::path::{Path, PathBuf};

use crate::chart::{self, Chart, build};
use crate::cli::Ctx;
use crate::cli::output::{print, print_json, print_raw};
use crate::error::{Error, Result};
use crate::history::flow;
use crate::history::walk::History;
use crate::model::date;
use crate::model::id::Kind;
use crate::model::sprint::{Sprint, WorkingDays};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Backlog rank over time of the stories that were near the top (a bump chart)
    ///
    /// One line per story that was in the top N at any point of the window, labelled with its
    /// ID and title at both ends; a filled dot marks the commits that moved it (a hollow one,
    /// those where it only shifted as others moved). With IDs, those stories whatever their
    /// rank; with --epic, ranks among that epic's stories.
    #[command(
        after_help = "Examples:\n  pm chart priorities\n  pm chart priorities --top 5 --since 2024-03-01 -o priorities.svg\n  pm chart priorities S-3 S-8"
    )]
    Priorities {
        /// Stories in the top N at any point of the window
        #[arg(long, value_name = "N", default_value_t = 10)]
        top: usize,
        /// Start the window here (a date: YYYY-MM-DD, 4 weeks ago, ...)
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Rank among this epic's stories only
        #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
        epic: Option<String>,
        /// These stories only
        #[arg(value_name = "ID", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
        ids: Vec<String>,
        #[command(flatten)]
        out: Out,
    },
    /// Scope and completed points (or stories) over time, of the product, an epic or a sprint
    #[command(
        after_help = "Examples:\n  pm chart burnup\n  pm chart burnup --epic E-3 --count\n  pm chart burnup --sprint SP-2 --format mermaid"
    )]
    Burnup {
        /// Only this epic's stories (as their epic was each day)
        #[arg(long, conflicts_with = "sprint", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
        epic: Option<String>,
        /// Only this sprint's stories (as their sprint was each day)
        #[arg(long)]
        sprint: Option<String>,
        /// Start here (a date), not at the first story
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Count stories, not points
        #[arg(long)]
        count: bool,
        #[command(flatten)]
        out: Out,
    },
    /// A sprint's remaining points per working day, against the ideal line
    #[command(
        after_help = "Examples:\n  pm chart burndown\n  pm chart burndown --sprint SP-1 --format svg -o sprint-1.svg"
    )]
    Burndown {
        /// The sprint (default: the active one, else the next planned)
        #[arg(long)]
        sprint: Option<String>,
        #[command(flatten)]
        out: Out,
    },
    /// Cumulative flow: stories in each status, day by day
    #[command(after_help = "Examples:\n  pm chart flow\n  pm chart flow --since 2024-03-01 --format svg -o flow.svg")]
    Flow {
        /// Start here (a date), not at the first story
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        #[command(flatten)]
        out: Out,
    },
    /// Each vision metric's recorded values over time, against its target
    #[command(after_help = "Examples:\n  pm chart metrics\n  pm chart metrics V-1 --format mermaid")]
    Metrics {
        /// One vision (default: every vision's metrics)
        vision: Option<String>,
        /// Start here (a date), not when the vision appeared
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        #[command(flatten)]
        out: Out,
    },
}

/// Where and how a chart is written.
#[derive(Debug, clap::Args)]
pub struct Out {
    /// Output format [default: from -o's extension (.svg, .md, .json), else text]
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the chart to FILE (replaced whole, or left as it was if writing fails)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Drawn with Unicode for a terminal
    Text,
    /// A standalone SVG image
    Svg,
    /// A ```mermaid block that GitHub renders in Markdown
    Mermaid,
    /// The data behind the chart
    Json,
}

impl Out {
    /// The format asked for, else the one `-o`'s extension names (`.txt` or none: text).
    fn format(&self) -> Result<Format> {
        if let Some(f) = self.format {
            return Ok(f);
        }
        let Some(path) = &self.output else { return Ok(Format::Text) };
        match path.extension().and_then(|e| e.to_str()) {
            Some("svg") => Ok(Format::Svg),
            Some("md" | "mmd" | "markdown") => Ok(Format::Mermaid),
            Some("json") => Ok(Format::Json),
            Some("txt") | None => Ok(Format::Text),
            Some(other) => {
                Err(Error::bad_argument(format!("pm cannot tell a chart format from `.{other}` ({})", path.display()))
                    .with_hint("name the file .svg, .md, .json or .txt, or give --format"))
            }
        }
    }
}

/// History for a chart: one walk, through the cache. A repository with no commit yet gives an
/// empty history (an empty chart, with a sentence); outside git there is none to draw from.
fn history(product: &crate::store::product::Product) -> Result<History> {
    if crate::store::repo::Repo::discover(product).is_none() {
        return Err(Error::bad_argument("charts are drawn from git history, and there is none here")
            .with_hint("commit the product folder in a git repository; every change is then on record"));
    }
    Ok(crate::cli::history::read_history(product)?.unwrap_or_default())
}

/// `--since`: a date, or a window ending today (`1w`, `1m`), as `pm report` reads it.
fn since_day(text: Option<&str>) -> Result<Option<jiff::civil::Date>> {
    text.map(|s| crate::cli::report::day_arg("--since", s, date::today())).transpose()
}

pub fn run(ctx: &Ctx, command: Command) -> Result<()> {
    let product = ctx.product()?;
    let config = &product.config;
    let today = date::today();
    let (chart, out) = match command {
        Command::Priorities { top, since, epic, ids, out } => {
            if top == 0 {
                return Err(Error::bad_argument("--top must be at least 1").with_hint("e.g. --top 10"));
            }
            for id in &ids {
                if crate::model::id::ItemId::parse(id).is_none() {
                    return Err(Error::bad_argument(format!("`{id}` is not a story ID"))
                        .with_hint("e.g. pm chart priorities S-3 S-8"));
                }
            }
            let since = since_day(since.as_deref())?.map(|d| date::day_span(d).0);
            let (items, errors) = if epic.is_some() {
                ctx.load(&product)
            } else {
                (crate::store::product::Items::new(Vec::new()), Vec::new())
            };
            if let Some(e) = &epic {
                product.get(e, Kind::Epic)?;
            }
            let history = history(&product)?;
            let of_epic = |id: &str| items.get(id).is_some_and(|i| i.epic().as_deref() == epic.as_deref());
            let among = match &epic {
                Some(e) => format!("{e}'s stories"),
                None => "the backlog".to_string(),
            };
            let keep: Option<&dyn Fn(&str) -> bool> = if epic.is_some() { Some(&of_epic) } else { None };
            let chart = build::priorities(&history, &build::Priorities { top, since, ids: ids.clone(), keep, among });
            for id in &ids {
                let drawn = chart
                    .panels
                    .iter()
                    .any(|p| matches!(p, chart::Panel::Bump(b) if b.lines.iter().any(|l| l.id == *id)));
                if !drawn {
                    ctx.warn(&format!("{id} has no backlog rank on record in that time"));
                }
            }
            write(ctx, &chart, &out)?;
            return ctx.finish(errors);
        }
        Command::Burnup { epic, sprint, since, count, out } => {
            let epic = match &epic {
                Some(e) => Some(product.get(e, Kind::Epic)?.id.to_string()),
                None => None,
            };
            let sprint = match &sprint {
                Some(s) => Some(product.get(s, Kind::Sprint)?.id.to_string()),
                None => None,
            };
            let since = since_day(since.as_deref())?;
            let timelines = flow::timelines(&history(&product)?);
            let scope = match (&epic, &sprint) {
                (Some(e), _) => build::Scope::Epic(e),
                (_, Some(s)) => build::Scope::Sprint(s),
                _ => build::Scope::All,
            };
            (build::burnup(&timelines, config, scope, count, since, today), out)
        }
        Command::Burndown { sprint, out } => {
            let item = match &sprint {
                Some(s) => product.get(s, Kind::Sprint)?,
                None => {
                    let (sprints, _) = product.load_kind_lenient(Kind::Sprint);
                    let sprints: Vec<&crate::model::item::Item> = sprints.of_kind(Kind::Sprint).collect();
                    crate::ops::sprint::current(config, &sprints).cloned().ok_or_else(|| {
                        Error::bad_argument("no sprint is active or planned")
                            .with_hint("name one: pm chart burndown --sprint SP-1")
                    })?
                }
            };
            let timelines = flow::timelines(&history(&product)?);
            let days = WorkingDays::parse(&config.working_days).unwrap_or_default();
            (build::burndown(&Sprint::of(&item), &timelines, config, &days, today), out)
        }
        Command::Flow { since, out } => {
            let since = since_day(since.as_deref())?;
            let timelines = flow::timelines(&history(&product)?);
            (build::cumulative_flow(&timelines, config, since, today), out)
        }
        Command::Metrics { vision, since, out } => {
            let vision = match &vision {
                Some(v) => Some(product.get(v, Kind::Vision)?.id.to_string()),
                None => None,
            };
            let since = since_day(since.as_deref())?;
            (build::metrics(&history(&product)?, vision.as_deref(), since, today), out)
        }
    };
    write(ctx, &chart, &out)
}

/// Render the chart as asked, to stdout or to the file.
fn write(ctx: &Ctx, chart: &Chart, out: &Out) -> Result<()> {
    let format = out.format()?;
    let text = match format {
        Format::Text => chart::text::render(chart),
        Format::Svg => chart::svg::render(chart),
        Format::Json => {
            let value = serde_json::to_value(chart).map_err(|e| Error::bad_argument(e.to_string()))?;
            if out.output.is_none() {
                return print_json(&value);
            }
            format!("{}\n", serde_json::to_string_pretty(&value).map_err(|e| Error::bad_argument(e.to_string()))?)
        }
        Format::Mermaid => chart::mermaid::render(chart).ok_or_else(|| {
            Error::bad_argument(format!("Mermaid has no chart of the {} kind", chart.chart)).with_hint(
                "use --format svg: GitHub shows an SVG file linked from Markdown (![priorities](priorities.svg))",
            )
        })?,
    };
    let Some(path) = &out.output else {
        // SVG and JSON hold no control character; Markdown and text go through the terminal's
        // escaping.
        return if matches!(format, Format::Text | Format::Mermaid) { print(&text) } else { print_raw(&text) };
    };
    write_file(&ctx.cwd, path, text.as_bytes())?;
    ctx.say(&format!("Wrote {}", path.display()))
}

/// Replace `path` (as given, relative to `cwd`) whole: written to a temporary file beside it
/// and renamed, so a failure leaves the old file (or none) and no temporary behind.
pub(crate) fn write_file(cwd: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !cwd.join(folder).is_dir() {
        return Err(Error::bad_argument(format!(
            "cannot write {}: the folder {} does not exist",
            path.display(),
            folder.display()
        ))
        .with_hint(format!("create it first: mkdir -p {}", folder.display())));
    }
    let mut changes = crate::store::transaction::Changes::new();
    changes.write(cwd.join(path), bytes.to_vec());
    changes.commit().map_err(|e| Error::from(e).shown_from(cwd))
}
