//! `pm vision|epic|story list`: items with filters, in backlog order for stories.

use crate::cli::Ctx;
use crate::cli::output::{ListFormat, print_rows};
use crate::cli::view::{self, ac_summary, opt};
use crate::error::Result;
use crate::history::flow;
use crate::model::date;
use crate::model::id::Kind;
use crate::model::sprint::{self, Sprint, WorkingDays};

/// List items. Stories come in backlog order (ranked first, then the rest by ID).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm story list --open --epic E-2\n  pm story list --label mobile --format csv\n  pm story list --status ready --format ids\n  pm story list --search \"bank statement\""
)]
pub struct Args {
    /// Only items with this status; repeat for several
    #[arg(long)]
    status: Vec<String>,
    /// Only stories of this epic (stories), or feedback that supports it (feedback)
    #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    epic: Option<String>,
    /// Only feedback that supports this story (feedback only)
    #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    story: Option<String>,
    /// Only feedback from this customer, segment or stakeholder, ignoring case (feedback only)
    #[arg(long, value_name = "WHO")]
    from: Option<String>,
    /// Only feedback linked to no story or epic: the inbox to triage (feedback only)
    #[arg(long)]
    unlinked: bool,
    /// Only items with this label
    #[arg(long)]
    label: Option<String>,
    /// Only items owned by this person
    #[arg(long)]
    owner: Option<String>,
    /// Only stories with this priority (stories only)
    #[arg(long)]
    priority: Option<String>,
    /// Only open items (status not listed in `closed` of pm.yaml)
    #[arg(long)]
    open: bool,
    /// Only stories of this sprint, or `none` for those in no sprint (stories only)
    #[arg(long, value_name = "SPRINT|none")]
    sprint: Option<String>,
    /// Only items whose ID, title, description or criteria contain TEXT (ignoring case)
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only the first N (in backlog order for stories, by ID for the rest)
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
    /// Show the state at a past revision or date (YYYY-MM-DD, today, 3 days ago), read from git
    #[arg(long, value_name = "REV|DATE")]
    at: Option<String>,
}

/// Whether the item's ID, title or Markdown body (its criteria too) contains `needle`, which is
/// lower case.
fn mentions(item: &crate::model::item::Item, needle: &str) -> bool {
    [item.id.to_string().as_str(), item.title.as_str(), item.body()].iter().any(|t| t.to_lowercase().contains(needle))
}

pub fn run(ctx: &Ctx, kind: Kind, a: Args) -> Result<()> {
    let view::View { product, items, backlog, roadmap, errors, .. } = view::load_view(ctx, a.at.as_deref())?;
    let items = view::kept_to_exit(items);
    let support = view::support(&items);
    for s in &a.status {
        crate::ops::values::status(&product, kind, s)?;
    }
    for (flag, given) in
        [("--epic", a.epic.is_some()), ("--priority", a.priority.is_some()), ("--sprint", a.sprint.is_some())]
    {
        let epic_of_feedback = flag == "--epic" && kind == Kind::Feedback;
        if given && kind != Kind::Story && !epic_of_feedback {
            return Err(crate::error::Error::bad_argument(format!(
                "{flag} filters stories; {kind} items have no such field"
            ))
            .with_hint(format!("pm story list {flag} ...")));
        }
    }
    for (flag, given) in [("--story", a.story.is_some()), ("--from", a.from.is_some()), ("--unlinked", a.unlinked)] {
        if given && kind != Kind::Feedback {
            return Err(crate::error::Error::bad_argument(format!(
                "{flag} filters feedback; {kind} items have no such field"
            ))
            .with_hint(format!("pm feedback list {flag} ...")));
        }
    }
    if let Some(s) = &a.story {
        crate::ops::values::id_of_kind(&product, s, Kind::Story)?;
        if a.at.is_none() {
            product.get(s, Kind::Story)?;
        }
    }
    if let Some(p) = &a.priority {
        crate::ops::values::priority(&product, p)?;
    }
    if let Some(e) = &a.epic {
        crate::ops::values::id_of_kind(&product, e, Kind::Epic)?;
        if a.at.is_none() {
            product.get(e, Kind::Epic)?;
        }
    }
    let filter = view::SprintFilter::parse(&product, a.sprint.as_deref(), a.at.is_none())?;
    let needle = a.search.as_deref().map(str::to_lowercase);
    // IDs as typed (`s-3`) in the form files write them (`S-3`).
    let canonical =
        |t: &Option<String>| t.as_deref().and_then(|t| product.config.id_from_input(t)).map(|i| i.to_string());
    let (epic, story) = (canonical(&a.epic), canonical(&a.story));
    let from = a.from.as_deref().map(str::to_lowercase);
    let supports = |i: &crate::model::item::Item, id: &Option<String>| {
        id.as_ref().is_none_or(|id| crate::model::feedback::supports(i).any(|s| &s == id))
    };
    let ranks = view::ranks_in(&backlog);
    let horizons = view::horizons_in(&roadmap);
    let mut selected: Vec<_> = items
        .of_kind(kind)
        .filter(|i| a.status.is_empty() || a.status.contains(&i.status))
        .filter(|i| match kind {
            Kind::Feedback => supports(i, &epic),
            _ => epic.is_none() || i.epic() == epic,
        })
        .filter(|i| supports(i, &story))
        .filter(|i| from.as_ref().is_none_or(|f| i.get("from").is_some_and(|w| w.to_lowercase().contains(f))))
        .filter(|i| !a.unlinked || crate::model::feedback::supports(i).next().is_none())
        .filter(|i| a.label.as_ref().is_none_or(|l| i.labels().contains(l)))
        .filter(|i| a.owner.is_none() || i.owner() == a.owner)
        .filter(|i| a.priority.is_none() || i.priority() == a.priority)
        .filter(|i| !a.open || !product.config.is_closed(&i.status))
        .filter(|i| filter.passes(i))
        .filter(|i| needle.as_ref().is_none_or(|n| mentions(i, n)))
        .collect();
    let rank_of =
        |i: &crate::model::item::Item| if kind == Kind::Story { ranks.get(&i.id.to_string()).copied() } else { None };
    // The key looks the rank up by ID text: compute it once per item, not once per comparison.
    selected.sort_by_cached_key(|i| (rank_of(i).unwrap_or(usize::MAX), i.id.number));
    if let Some(n) = a.limit {
        selected.truncate(n);
    }
    if a.format == ListFormat::Json {
        crate::cli::output::print_json_array(&selected, |i| view::ItemJson {
            product: &product,
            item: i,
            rank: rank_of(i),
            feedback: support.get(&i.id.to_string()),
        })?;
        return ctx.finish(errors);
    }
    // A closed sprint's numbers are those of its close, from history (its carried stories have
    // moved on since); an open one's are what it holds now.
    let timelines = match kind {
        Kind::Sprint if a.at.is_none() => crate::cli::history::read_history(&product)?.map(|h| flow::timelines(&h)),
        _ => None,
    };
    let days = WorkingDays::parse(&product.config.working_days).unwrap_or_default();
    let (header, rows): (Vec<&str>, Vec<Vec<String>>) = match kind {
        Kind::Story => (
            vec!["RANK", "ID", "TITLE", "PRIORITY", "POINTS", "STATUS", "EPIC", "OWNER", "AC"],
            selected
                .iter()
                .map(|i| {
                    vec![
                        rank_of(i).map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                        i.id.to_string(),
                        i.title.clone(),
                        opt(i.priority()),
                        i.points_or_none().map(|p| p.to_string()).unwrap_or_default(),
                        i.status.clone(),
                        opt(i.epic()),
                        opt(i.owner()),
                        ac_summary(i),
                    ]
                })
                .collect(),
        ),
        Kind::Epic => (
            vec!["ID", "TITLE", "STATUS", "HORIZON", "VISION", "OWNER", "STORIES"],
            selected
                .iter()
                .map(|i| {
                    let (done, total, _, _) = items.epic_progress(&product.config, &i.id.to_string());
                    vec![
                        i.id.to_string(),
                        i.title.clone(),
                        i.status.clone(),
                        horizons.get(&i.id.to_string()).cloned().unwrap_or_default(),
                        opt(i.vision()),
                        opt(i.owner()),
                        format!("{done}/{total}"),
                    ]
                })
                .collect(),
        ),
        Kind::Sprint => (
            vec!["ID", "TITLE", "STATUS", "START", "END", "CAPACITY", "COMMITTED", "COMPLETED", "CARRIED"],
            selected
                .iter()
                .map(|i| {
                    let sprint = Sprint::of(i);
                    let config = &product.config;
                    let closed = config.is_sprint_closed(&sprint.status);
                    let past = timelines
                        .as_ref()
                        .filter(|_| closed)
                        .map(|t| flow::sprint_history(&sprint, t, config, &days, date::today()))
                        .filter(|h| h.closed_at.is_some());
                    let (committed, completed, carried) = match past {
                        Some(h) => (h.committed.to_string(), h.completed.to_string(), h.carried_points.to_string()),
                        None => {
                            let t = sprint::tally(&sprint.id, items.of_kind(Kind::Story), config);
                            // A closed sprint without history: what it committed and carried is
                            // not known any more (its carried stories have moved on).
                            let unknown = |n: u64| if closed { "-".to_string() } else { n.to_string() };
                            (unknown(t.committed), t.completed.to_string(), unknown(0))
                        }
                    };
                    let day = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
                    vec![
                        sprint.id.clone(),
                        sprint.title.clone(),
                        sprint.status.clone(),
                        day(sprint.start),
                        day(sprint.end),
                        sprint.capacity.map(|c| c.to_string()).unwrap_or_default(),
                        committed,
                        completed,
                        carried,
                    ]
                })
                .collect(),
        ),
        Kind::Feedback => (
            vec!["ID", "FROM", "DATE", "WEIGHT", "SUPPORTS", "STATUS", "TITLE"],
            selected
                .iter()
                .map(|i| {
                    vec![
                        i.id.to_string(),
                        opt(i.get("from")),
                        opt(i.get("date")),
                        opt(i.get("weight")),
                        crate::model::feedback::supports(i).collect::<Vec<_>>().join(", "),
                        i.status.clone(),
                        i.title.clone(),
                    ]
                })
                .collect(),
        ),
        Kind::Vision => (
            vec!["ID", "TITLE", "STATUS", "OWNER", "METRICS"],
            selected
                .iter()
                .map(|i| {
                    vec![
                        i.id.to_string(),
                        i.title.clone(),
                        i.status.clone(),
                        opt(i.owner()),
                        i.metrics().len().to_string(),
                    ]
                })
                .collect(),
        ),
    };
    let ids: Vec<_> = selected.iter().map(|i| i.id.to_string()).collect();
    let (header, rows) = if kind == Kind::Story {
        let sprints: Vec<Option<String>> = selected.iter().map(|i| i.sprint()).collect();
        view::with_sprint_column(&items, header, rows, &sprints)
    } else {
        (header, rows)
    };
    let (header, rows) = match kind {
        Kind::Story | Kind::Epic => view::with_feedback_column(&support, header, rows, &ids),
        _ => (header, rows),
    };
    let json = Vec::new();
    if rows.is_empty() && a.format == ListFormat::Table {
        ctx.say(&format!("No {} matches.", kind.name()))?;
    }
    print_rows(a.format, ctx.stdout_tty, &header, &rows, &json, &ids)?;
    ctx.finish(errors)
}
