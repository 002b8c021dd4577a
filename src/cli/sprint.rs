//! `pm sprint add|plan|start|close|show`: the sprint commands beyond the ones every kind has
//! (`list`, `set`, `edit`).

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::output::{TextFormat, bold, dim, id_style, plural, print_json, print_styled};
use crate::cli::{add, view};
use crate::error::{Error, Result};
use crate::history::flow;
use crate::model::date;
use crate::model::escape::terminal;
use crate::model::id::Kind;
use crate::model::item::Item;
use crate::model::sprint::{Length, Sprint, WorkingDays, next_dates, tally};
use crate::ops::add::NewItem;
use crate::ops::{sprint as ops, values};

/// Create a sprint (dates follow the last sprint unless given)
///
/// Without dates it follows the last sprint: it starts on the first working day after the last one
/// ends (today when there is none) and lasts `sprint_length` (pm.yaml).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm sprint add \"Sprint 4\" --capacity 20 --goal \"Members can settle up in the app\"\n  pm sprint add \"Hardening\" --start 2026-12-14 --end 2026-12-18"
)]
pub struct AddArgs {
    #[command(flatten)]
    common: add::Common,
    /// First day (YYYY-MM-DD; default: the working day after the last sprint ends, or today)
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD; default: start + sprint_length - 1 day)
    #[arg(long, value_name = "DATE")]
    end: Option<String>,
    /// Points the team can take on
    #[arg(long, value_name = "POINTS", allow_hyphen_values = true)]
    capacity: Option<String>,
    /// The sprint goal, one line
    #[arg(long)]
    goal: Option<String>,
}

/// Put stories into a sprint or take them out; --fill plans to capacity from the backlog
///
/// --fill takes open stories that are in no sprint from the top of the backlog while the committed
/// points stay within capacity.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm sprint plan SP-4 S-10 S-11\n  pm sprint plan SP-4 --fill\n  pm sprint plan SP-3 --remove S-9"
)]
pub struct PlanArgs {
    /// The sprint
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::sprint_ids))]
    sprint: String,
    /// Stories to put into it
    #[arg(value_name = "STORY", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    stories: Vec<String>,
    /// Fill it to capacity from the top of the backlog (stories without points are skipped)
    #[arg(long)]
    fill: bool,
    /// A story to take out of it; repeat for several
    #[arg(long, value_name = "STORY")]
    remove: Vec<String>,
}

/// Start a sprint (its status becomes active).
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  pm sprint start SP-4")]
pub struct StartArgs {
    /// The sprint
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::sprint_ids))]
    sprint: String,
}

/// Close a sprint, carrying unfinished stories to the next one or back to the backlog
///
/// Unfinished stories move to the next sprint (--carry-to) or out of any sprint (they keep their
/// place in the backlog); prints what the sprint achieved.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm sprint close SP-3 --carry-to SP-4\n  pm sprint close SP-3")]
pub struct CloseArgs {
    /// The sprint
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::sprint_ids))]
    sprint: String,
    /// The sprint that takes the unfinished stories
    #[arg(long, value_name = "SPRINT")]
    carry_to: Option<String>,
}

/// Show a sprint: goal, dates, days left, points against capacity, its stories
///
/// Without an ID, the active sprint (else the next planned one); days left are working days.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm sprint show\n  pm sprint show SP-3 --format json")]
pub struct ShowArgs {
    /// The sprint (default: the active one, else the next planned one)
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::sprint_ids))]
    sprint: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

fn working_days(config: &crate::model::config::Config) -> WorkingDays {
    WorkingDays::parse(&config.working_days).unwrap_or_default()
}

pub fn run_add(ctx: &Ctx, a: AddArgs) -> Result<()> {
    let product = ctx.product()?;
    let config = &product.config;
    let start = a.start.as_deref().map(|s| values::date("--start", s)).transpose()?;
    let end = a.end.as_deref().map(|s| values::date("--end", s)).transpose()?;
    let capacity = a.capacity.as_deref().map(values::capacity).transpose()?;
    let (items, errors) = ctx.load(&product);
    ctx.finish(errors)?;
    let last_end = items.of_kind(Kind::Sprint).filter_map(|s| Sprint::of(s).end).max();
    let length = Length::parse(&config.sprint_length).unwrap_or(Length { days: 14 });
    let (start, end) =
        next_dates(start, end, last_end, date::today(), length, &working_days(config)).ok_or_else(|| {
            Error::bad_argument("the sprint's dates are out of range").with_hint("give --start and --end")
        })?;
    if end < start {
        return Err(Error::bad_argument(format!("the sprint would end ({end}) before it starts ({start})"))
            .with_hint("give an --end on or after --start"));
    }
    let candidate = Sprint { start: Some(start), end: Some(end), ..Sprint::default() };
    let overlapping: Vec<String> = items
        .of_kind(Kind::Sprint)
        .map(Sprint::of)
        .filter(|s| s.overlaps(&candidate))
        .map(|s| {
            format!(
                "{} ({} to {})",
                s.id,
                s.start.map(|d| d.to_string()).unwrap_or_default(),
                s.end.map(|d| d.to_string()).unwrap_or_default()
            )
        })
        .collect();
    let new = NewItem {
        start: Some(start.to_string()),
        end: Some(end.to_string()),
        capacity,
        goal: a.goal,
        ..add::base(&a.common)
    };
    add::create(ctx, Kind::Sprint, &new, a.common.edit)?;
    if !overlapping.is_empty() {
        ctx.warn(&format!("the new sprint ({start} to {end}) overlaps {}", overlapping.join(", ")));
    }
    Ok(())
}

pub fn run_plan(ctx: &Ctx, a: PlanArgs) -> Result<()> {
    let product = ctx.product()?;
    if a.stories.is_empty() && a.remove.is_empty() && !a.fill {
        return Err(Error::bad_argument("name the stories to plan, or give --fill or --remove")
            .with_hint(format!("e.g. pm sprint plan {} S-12 S-14, or pm sprint plan {} --fill", a.sprint, a.sprint)));
    }
    let mut tx = ctx.transaction(&product)?;
    let (items, errors) = ctx.load(&product);
    ctx.finish(errors)?;
    let sprint = product.get(&a.sprint, Kind::Sprint)?;
    let id = sprint.id.to_string();
    let config = &product.config;
    if config.is_sprint_closed(&sprint.status) {
        return Err(Error::bad_argument(format!("{id} is {}; it takes no more stories", sprint.status))
            .with_hint("plan the next sprint: pm sprint add"));
    }
    let story = |text: &str| -> Result<Item> { product.get(text, Kind::Story) };
    let mut add: Vec<Item> = Vec::new();
    for text in &a.stories {
        let s = story(text)?;
        if config.is_closed(&s.status) {
            return Err(Error::bad_argument(format!("{} is {}; only open stories join a sprint", s.id, s.status))
                .with_hint(format!("reopen it first: pm story set {} status=ready", s.id)));
        }
        if s.sprint().as_deref() != Some(id.as_str()) && !add.iter().any(|x| x.id == s.id) {
            add.push(s);
        }
    }
    let remove = a.remove.iter().map(|t| story(t)).collect::<Result<Vec<_>>>()?;
    let mut skipped = Vec::new();
    if a.fill {
        let Some(capacity) = Sprint::of(&sprint).capacity else {
            return Err(Error::bad_argument(format!("{id} has no capacity to fill to"))
                .with_hint(format!("set one: pm sprint set {id} capacity=20")));
        };
        let now = tally(&id, items.of_kind(Kind::Story), config);
        let planned = add.iter().fold(0u64, |sum, s| sum.saturating_add(s.points_or_none().unwrap_or(0)));
        let order: Vec<String> = product
            .read_list(&product.backlog_path())?
            .entries()
            .iter()
            .map(|e| e.id.clone())
            .filter(|e| !add.iter().any(|s| s.id.to_string() == *e) && !remove.iter().any(|s| s.id.to_string() == *e))
            .collect();
        let (take, passed) = ops::fill_choice(&order, &items, config, now.committed.saturating_add(planned), capacity);
        // The stories were read above: no second lookup (which lists the folder) per story.
        add.extend(take.iter().filter_map(|t| items.get(t).cloned()));
        skipped = passed;
    }
    let moved: Vec<String> = add
        .iter()
        .filter_map(|s| s.sprint().filter(|other| *other != id).map(|other| format!("{} from {other}", s.id)))
        .collect();
    let added: Vec<String> = add.iter().map(|s| s.id.to_string()).collect();
    let removed: Vec<String> = remove.iter().map(|s| s.id.to_string()).collect();
    let changed = ops::plan(&mut tx, &sprint, add, remove)?;
    drop(tx);
    // What the sprint holds now: the stories read before, with the ones just changed as they
    // are after the change (no second read of the product).
    let after_items: Vec<&Item> = changed.iter().map(|c| &c.after).collect();
    let touched: std::collections::HashSet<&crate::model::id::ItemId> = changed.iter().map(|c| &c.after.id).collect();
    let untouched = items.of_kind(Kind::Story).filter(|s| !touched.contains(&s.id));
    let after = tally(&id, untouched.chain(after_items), config);
    if !moved.is_empty() {
        ctx.warn(&format!("moved {} into {id}", moved.join(", ")));
    }
    if !skipped.is_empty() {
        ctx.warn(&format!(
            "skipped {} without points: {}",
            plural(skipped.len(), "story", "stories"),
            skipped.join(", ")
        ));
    }
    let capacity = Sprint::of(&sprint).capacity;
    if let Some(c) = capacity
        && after.committed > c
    {
        ctx.warn(&format!("{id} is over capacity: {} of {c} points committed", after.committed));
    }
    let mut lines = Vec::new();
    if !added.is_empty() {
        lines.push(format!("Planned {} into {id}", added.join(", ")));
    }
    if !removed.is_empty() {
        lines.push(format!("Took {} out of {id}", removed.join(", ")));
    }
    if added.is_empty() && removed.is_empty() {
        lines.push(format!("Nothing to plan: no open story in no sprint fits {id}"));
    }
    lines.push(format!(
        "{id}: {} points committed{} in {}",
        after.committed,
        capacity.map(|c| format!(" of {c}")).unwrap_or_default(),
        plural(after.stories.len(), "story", "stories")
    ));
    ctx.say(&lines.join("\n"))
}

pub fn run_start(ctx: &Ctx, a: StartArgs) -> Result<()> {
    let product = ctx.product()?;
    let mut tx = ctx.transaction(&product)?;
    let sprint = product.get(&a.sprint, Kind::Sprint)?;
    let (items, errors) = ctx.load(&product);
    ctx.finish(errors)?;
    let active = product.config.sprint_states().1;
    let others: Vec<String> = items
        .of_kind(Kind::Sprint)
        .filter(|s| s.status == active && s.id != sprint.id)
        .map(|s| s.id.to_string())
        .collect();
    let changed = ops::start(&mut tx, sprint)?;
    if !others.is_empty() {
        ctx.warn(&format!("{} also {active}; close it with pm sprint close", others.join(", ")));
    }
    let s = Sprint::of(&changed.after);
    let dates = s.dates().map(|(a, b)| format!(" ({a} to {b})")).unwrap_or_default();
    ctx.say(&format!("Started {} {}{dates}", s.id, s.title))
}

pub fn run_close(ctx: &Ctx, a: CloseArgs) -> Result<()> {
    let product = ctx.product()?;
    // Scope added after the start, from history (committed changes; none outside git). Read
    // before the lock is taken: a cold walk must not hold up every other pm command.
    let before = product.get(&a.sprint, Kind::Sprint)?;
    let added = match crate::cli::history::read_history(&product)? {
        Some(history) => {
            let timelines = flow::timelines(&history);
            let days = working_days(&product.config);
            flow::sprint_history(&Sprint::of(&before), &timelines, &product.config, &days, date::today())
                .added_after_start
        }
        None => Vec::new(),
    };
    let mut tx = ctx.transaction(&product)?;
    let sprint = product.get(&a.sprint, Kind::Sprint)?;
    let next = a.carry_to.as_deref().map(|n| product.get(n, Kind::Sprint)).transpose()?;
    let (items, errors) = ctx.load(&product);
    ctx.finish(errors)?;
    let id = sprint.id.to_string();
    let s = Sprint::of(&sprint);
    let capacity = s.capacity;
    let closed = ops::close(&mut tx, sprint, &items, next.as_ref())?;
    let t = &closed.tally;
    let mut out = format!(
        "Closed {id}: {} of {} points completed{}",
        t.completed,
        t.committed,
        capacity.map(|c| format!(" (capacity {c})")).unwrap_or_default()
    );
    if !added.is_empty() {
        out.push_str(&format!("\nAdded after the start: {}", added.join(", ")));
    }
    if !closed.carried.is_empty() {
        let to = match &closed.carried_to {
            Some(n) => format!("to {n}"),
            None => "back to the backlog".to_string(),
        };
        out.push_str(&format!(
            "\nCarried {} ({} points) {to}: {}",
            plural(closed.carried.len(), "story", "stories"),
            closed.carried_points,
            closed.carried.join(", ")
        ));
    }
    ctx.say(&out)
}

pub fn run_show(ctx: &Ctx, a: ShowArgs) -> Result<()> {
    let product = ctx.product()?;
    let config = &product.config;
    let sprint = match &a.sprint {
        Some(text) => product.get(text, Kind::Sprint)?,
        None => {
            let (sprints, _) = product.load_kind_lenient(Kind::Sprint);
            let sprints: Vec<&Item> = sprints.of_kind(Kind::Sprint).collect();
            ops::current(config, &sprints).cloned().ok_or_else(|| {
                Error::bad_argument("no sprint is active or planned")
                    .with_hint("plan one: pm sprint add \"Sprint 1\" --capacity 20")
            })?
        }
    };
    // The walk of history and the reading of the working tree are independent: done side by
    // side, this takes the longer of the two, not their sum; and only the files that name the
    // sprint are parsed (its stories are among them). 10,000 stories, warm history cache:
    // 0.28 s -> 0.15 s (docs/benchmarks.md, `pm sprint show (cache warm)`).
    let id = sprint.id.to_string();
    let (history, (items, errors)) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| crate::cli::history::read_history(&product).map(|h| h.map(|h| flow::timelines(&h))));
        let loaded = product.load_where_lenient(|text| text.contains(id.as_str()));
        let walked = walk.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (walked, loaded)
    });
    let history = history?;
    let s = Sprint::of(&sprint);
    let t = tally(&s.id, items.of_kind(Kind::Story), config);
    let days = working_days(config);
    let today = date::today();
    // What history says: the burndown and the scope added after the start (committed changes
    // only; outside git there is none).
    let past = history.map(|timelines| flow::sprint_history(&s, &timelines, config, &days, today));
    // A closed sprint is shown as it closed: the stories it held then (the carried ones have
    // moved on since), and the points completed of the scope then.
    let as_closed = past.as_ref().filter(|p| p.closed_at.is_some() && config.is_sprint_closed(&s.status));
    let (ids, completed, scope) = match as_closed {
        Some(p) => (p.at_close.clone(), p.completed, p.scope_at_close),
        None => (t.stories.clone(), t.completed, t.committed),
    };
    let carried: &[String] = as_closed.map_or(&[], |p| &p.carried);
    let ranks = view::ranks(&product)?;
    // A closed sprint's carried stories name another sprint now: read them by ID.
    let carried_items: Vec<Item> = ids
        .iter()
        .filter(|i| items.get(i).is_none())
        .filter_map(|i| crate::model::id::ItemId::parse(i))
        .filter_map(|i| product.find(&i).ok().flatten())
        .collect();
    let mut stories: Vec<&Item> = ids
        .iter()
        .filter_map(|id| items.get(id).or_else(|| carried_items.iter().find(|c| c.id.to_string() == *id)))
        .collect();
    stories.sort_by_key(|i| (ranks.get(&i.id.to_string()).copied().unwrap_or(usize::MAX), i.id.number));
    let (total_days, left) = match s.dates() {
        Some((start, end)) => {
            let all = days.between(start, end);
            let left = all.iter().filter(|d| **d >= today).count();
            (Some(all.len()), Some(left))
        }
        None => (None, None),
    };
    if a.format == TextFormat::Json {
        let story_json: Vec<_> = stories
            .iter()
            .map(|i| {
                json!({
                    "id": i.id.to_string(),
                    "title": i.title,
                    "status": i.status,
                    "points": i.points_or_none(),
                    "finished": config.is_finished(&i.status),
                    "criteria": {"accepted": i.criteria.accepted(), "total": i.criteria.items.len()},
                })
            })
            .collect();
        print_json(&json!({
            "id": s.id,
            "title": s.title,
            "status": s.status,
            "goal": s.goal,
            "start": s.start.map(|d| d.to_string()),
            "end": s.end.map(|d| d.to_string()),
            "capacity": s.capacity,
            "committed": scope,
            "completed": completed,
            "carried": carried,
            "working_days": total_days,
            "working_days_left": left,
            "stories": story_json,
            "added_after_start": past.as_ref().map(|p| p.added_after_start.clone()),
            "burndown": past.as_ref().map(|p| p.burndown.iter().map(|d| json!({
                "day": d.day.to_string(),
                "remaining": d.remaining,
                "scope": d.scope,
            })).collect::<Vec<_>>()),
        }))?;
        return ctx.finish(errors);
    }
    let (b, d, idc) = (bold(), dim(), id_style());
    // User data is escaped piece by piece: the text carries pm's styles.
    let mut out = format!("{idc}{}{idc:#} {b}{}{b:#} {d}({}){d:#}\n", s.id, terminal(&s.title), terminal(&s.status));
    let mut row = |k: &str, v: String| {
        if !v.is_empty() {
            out.push_str(&format!("  {d}{:<11}{d:#} {}\n", format!("{k}:"), terminal(&v)));
        }
    };
    row("goal", s.goal.clone().unwrap_or_default());
    if let Some((start, end)) = s.dates() {
        let left = if today > end {
            if config.is_sprint_closed(&s.status) { String::new() } else { format!(", ended on {end}: close it") }
        } else if today < start {
            let until = days.between(today, start).into_iter().filter(|d| *d < start).count();
            format!(", starts in {}", plural(until, "working day", "working days"))
        } else {
            format!(", {} of {} working days left", left.unwrap_or(0), total_days.unwrap_or(0))
        };
        row("dates", format!("{start} to {end}{left}"));
    }
    row(
        "points",
        format!(
            "{} of {} completed{}",
            completed,
            scope,
            s.capacity.map(|c| format!(", capacity {c}")).unwrap_or_default()
        ),
    );
    row("file", product.shown(&sprint.path).display().to_string());
    out.push_str(&format!("\n{b}Stories{b:#} ({})\n", stories.len()));
    if stories.is_empty() {
        out.push_str(&format!("  none yet: pm sprint plan {} S-1 S-2, or --fill\n", s.id));
    }
    for i in &stories {
        let points = i.points_or_none().map(|p| format!("{p} pt")).unwrap_or_else(|| "- pt".into());
        let carried = match (carried.contains(&i.id.to_string()), i.sprint()) {
            (false, _) => String::new(),
            (true, Some(next)) => format!("  {d}(carried to {}){d:#}", terminal(&next)),
            (true, None) => format!("  {d}(carried back to the backlog){d:#}"),
        };
        out.push_str(&format!(
            "  {idc}{:<6}{idc:#} {:<12} {points:>5}  AC {}/{}  {}{carried}\n",
            i.id.to_string(),
            terminal(&i.status),
            i.criteria.accepted(),
            i.criteria.items.len(),
            terminal(&i.title)
        ));
    }
    if let Some(p) = &past {
        if !p.added_after_start.is_empty() {
            out.push_str(&format!("\n{b}Added after the start{b:#}: {}\n", terminal(&p.added_after_start.join(", "))));
        }
        if !p.burndown.is_empty() {
            out.push_str(&format!(
                "\n{b}Burndown{b:#} (points remaining at the end of each working day, from git history)\n"
            ));
            out.push_str(&burndown_chart(&p.burndown));
        }
    }
    print_styled(&out)?;
    ctx.finish(errors)
}

/// A small text chart: a bar per working day, as long as the points remaining, against the
/// scope then.
fn burndown_chart(days: &[flow::BurndownDay]) -> String {
    const WIDTH: u64 = 30;
    let top = days.iter().map(|d| d.scope.max(d.remaining)).max().unwrap_or(0).max(1);
    let mut out = String::new();
    for d in days {
        let scale = |n: u64| (u128::from(n) * u128::from(WIDTH)).div_ceil(u128::from(top)) as usize;
        let (bar, scope) = (scale(d.remaining), scale(d.scope));
        out.push_str(&format!(
            "  {} {}  {}{} {:>3} of {}\n",
            d.day,
            &format!("{:?}", d.day.weekday())[..3],
            "#".repeat(bar),
            ".".repeat(scope.saturating_sub(bar)) + &" ".repeat((WIDTH as usize).saturating_sub(scope.max(bar))),
            d.remaining,
            d.scope
        ));
    }
    out
}
