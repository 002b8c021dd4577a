//! `pm vision|epic|story show ID`: one item with its fields, body, criteria and links.

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::output::{TextFormat, bold, dim, id_style, print_json, print_styled};
use crate::cli::view;
use crate::error::Result;
use crate::model::feedback;
use crate::model::id::Kind;
use crate::model::item::{Item, value_text};
use crate::store::product::Items;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  pm story show S-10 --format json")]
pub struct Args {
    /// The item's ID
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::item_ids))]
    id: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
    /// Show the state at a past revision or date (YYYY-MM-DD, today, 3 days ago), read from git
    #[arg(long, value_name = "REV|DATE")]
    at: Option<String>,
}

struct Link {
    relation: &'static str,
    id: String,
    title: String,
    status: String,
}

fn links(items: &Items, item: &Item) -> (Vec<Link>, Vec<Link>) {
    let link =
        |relation, i: &Item| Link { relation, id: i.id.to_string(), title: i.title.clone(), status: i.status.clone() };
    let id = item.id.to_string();
    let mut up = Vec::new();
    let mut down = Vec::new();
    match item.kind {
        Kind::Story => {
            if let Some(epic) = item.epic().and_then(|e| items.get(&e)) {
                up.push(link("epic", epic));
                if let Some(v) = epic.vision().and_then(|v| items.get(&v)) {
                    up.push(link("vision", v));
                }
            }
            if let Some(sprint) = item.sprint().and_then(|s| items.get(&s)) {
                up.push(link("sprint", sprint));
            }
            for d in item.depends_on() {
                if let Some(s) = items.get(&d) {
                    up.push(link("depends on", s));
                }
            }
            for s in items.of_kind(Kind::Story).filter(|s| s.depends_on().contains(&id)) {
                down.push(link("needed by", s));
            }
            down.extend(feedback_on(items, &id));
        }
        Kind::Epic => {
            if let Some(v) = item.vision().and_then(|v| items.get(&v)) {
                up.push(link("vision", v));
            }
            for s in items.of_kind(Kind::Story).filter(|s| s.epic().as_deref() == Some(&id)) {
                down.push(link("story", s));
            }
            down.extend(feedback_on(items, &id));
        }
        Kind::Vision => {
            for e in items.of_kind(Kind::Epic).filter(|e| e.vision().as_deref() == Some(&id)) {
                down.push(link("epic", e));
            }
        }
        Kind::Sprint => {
            for s in items.of_kind(Kind::Story).filter(|s| s.sprint().as_deref() == Some(&id)) {
                down.push(link("story", s));
            }
        }
        Kind::Feedback => {
            for named in feedback::supports(item) {
                if let Some(i) = items.get(&named) {
                    up.push(link("supports", i));
                }
            }
        }
    }
    (up, down)
}

/// The feedback that supports the item `id`, each titled with who said it.
fn feedback_on<'a>(items: &'a Items, id: &'a str) -> impl Iterator<Item = Link> + 'a {
    items.of_kind(Kind::Feedback).filter(move |f| feedback::supports(f).any(|s| s == id)).map(|f| Link {
        relation: "feedback",
        id: f.id.to_string(),
        title: match f.get("from") {
            Some(from) => format!("{from}: {}", f.title),
            None => f.title.clone(),
        },
        status: f.status.clone(),
    })
}

pub fn run(ctx: &Ctx, kind: Kind, a: Args) -> Result<()> {
    let item = if a.at.is_none() { Some(ctx.product()?.get(&a.id, kind)?) } else { None };
    let mut view = view::load_view(ctx, a.at.as_deref())?;
    let errors = std::mem::take(&mut view.errors);
    let item = match item {
        Some(item) => item,
        None => view::get_at(&view, &a.id, kind)?,
    };
    let (product, items) = (&view.product, &view.items);
    let (up, down) = links(items, &item);
    let rank = if kind == Kind::Story { view::ranks_in(&view.backlog).get(&a.id).copied() } else { None };
    let horizon = if kind == Kind::Epic { view::horizons_in(&view.roadmap).get(&a.id).cloned() } else { None };
    let body = body_without_criteria(&item);
    // Now (not --at): whether the parent changed after it, and the trace of its criteria.
    let (suspect, trace) = if a.at.is_none() { now(ctx, product, items, &item)? } else { (None, None) };
    if a.format == TextFormat::Json {
        let mut obj = view::item_json(product, &item, rank, view::support(items).get(&item.id.to_string()));
        let to_json = |l: &Vec<Link>| -> Vec<_> {
            l.iter()
                .map(|l| json!({"relation": l.relation, "id": l.id, "title": l.title, "status": l.status}))
                .collect()
        };
        let m = obj.as_object_mut().expect("object");
        m.insert("body".into(), json!(item.body()));
        m.insert(
            "acceptance_criteria".into(),
            json!(
                item.criteria
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut ac = json!({"id": c.label(), "checked": c.checked, "text": c.text});
                        if let Some(t) = traced(&trace, i, &c.label()) {
                            ac["references"] = json!(t.references);
                            ac["tests"] = json!(t.tests);
                        }
                        ac
                    })
                    .collect::<Vec<_>>()
            ),
        );
        if a.at.is_none() && item.kind != Kind::Sprint && item.kind != Kind::Vision {
            m.insert(
                "suspect".into(),
                json!(suspect.as_ref().map(|s| json!({
                    "parent": s.parent,
                    "commit": s.commit.as_ref().map(|c| c.id.clone()),
                    "uncommitted": s.uncommitted,
                    "changed": s.changed,
                    "stale_review": s.stale_review,
                }))),
            );
        }
        m.insert("links".into(), json!({"up": to_json(&up), "down": to_json(&down)}));
        if let Some(h) = &horizon {
            m.insert("horizon".into(), json!(h));
        }
        print_json(&obj)?;
        return ctx.finish(errors);
    }
    let (b, d, idc) = (bold(), dim(), id_style());
    // User data never reaches the terminal with its control characters (an escape sequence in a
    // title could retitle the window or hide a link); pm's own styling is added around it.
    let t = |s: &str| crate::model::escape::terminal(s).into_owned();
    let mut out = format!("{idc}{}{idc:#} {b}{}{b:#}\n", item.id, t(&item.title));
    let mut row = |k: &str, v: String| {
        if !v.is_empty() {
            out.push_str(&format!("  {d}{:<11}{d:#} {}\n", t(&format!("{k}:")), t(&v)));
        }
    };
    row("status", item.status.clone());
    for (k, v) in item.fields.iter() {
        let k = crate::model::item::scalar_string(k).unwrap_or_default();
        if matches!(k.as_str(), "id" | "title" | "status" | "metrics") {
            continue;
        }
        let v = match v {
            serde_yaml::Value::Sequence(s) => s.iter().map(value_text).collect::<Vec<_>>().join(", "),
            other => value_text(other),
        };
        row(&k, v);
    }
    if let Some(r) = rank {
        row("rank", format!("{r} in backlog"));
    }
    if let Some(h) = horizon {
        row("horizon", h);
    }
    row("file", product.shown(&item.path).display().to_string());
    if let Some(s) = &suspect {
        row(
            "suspect",
            crate::model::escape::terminal(&format!(
                "{}; once read again: pm review {}",
                crate::cli::review::sentence(s),
                item.id
            ))
            .into_owned(),
        );
    }
    let metrics = item.metrics();
    if !metrics.is_empty() {
        out.push_str(&format!("\n{b}Metrics{b:#}\n"));
        for m in metrics {
            let current = m.current.map(|c| format!("{c} now, ")).unwrap_or_default();
            out.push_str(&t(&format!("  {}: {current}target {}", m.name, m.target)));
            out.push('\n');
        }
    }
    for (title, list) in [("Links up", &up), ("Links down", &down)] {
        if !list.is_empty() {
            out.push_str(&format!("\n{b}{title}{b:#}\n"));
            for l in list {
                out.push_str(&format!(
                    "  {:<11} {idc}{}{idc:#} {} {d}({}){d:#}\n",
                    l.relation,
                    l.id,
                    t(&l.title),
                    t(&l.status)
                ));
            }
        }
    }
    if kind == Kind::Story {
        let c = &item.criteria;
        out.push_str(&format!("\n{b}Acceptance criteria{b:#} ({}/{} accepted)\n", c.accepted(), c.items.len()));
        if c.items.is_empty() {
            out.push_str(&format!("  none yet: pm ac add {} \"Given ..., when ..., then ...\"\n", item.id));
        }
        for (i, ac) in c.items.iter().enumerate() {
            let label = ac.label();
            out.push_str(&format!("  [{}] {label}: {}\n", if ac.checked { "x" } else { " " }, t(&ac.text)));
            if let Some(t) = traced(&trace, i, &label) {
                out.push_str(&format!("      {d}{}{d:#}\n", trace_line(t)));
            }
        }
    }
    if !body.trim().is_empty() {
        out.push('\n');
        out.push_str(&crate::model::escape::terminal_lines(body.replace("\r\n", "\n").trim_matches('\n')));
        out.push('\n');
    }
    print_styled(&out)?;
    ctx.finish(errors)
}

/// Whether the item is suspect now, and (for a story, when the product traces its criteria:
/// some file names one, or pm.yaml names test reports) the trace of its criteria.
fn now(
    ctx: &Ctx,
    product: &crate::store::product::Product,
    items: &Items,
    item: &Item,
) -> Result<(Option<crate::history::suspect::Suspect>, Option<crate::trace::StoryTrace>)> {
    let id = item.id.to_string();
    let suspect = match item.kind {
        Kind::Story | Kind::Epic => crate::cli::review::suspects(product, items)?.list.into_iter().find(|s| s.id == id),
        _ => None,
    };
    if item.kind != Kind::Story {
        return Ok((suspect, None));
    }
    // A report that does not read (or a bad glob) is a warning here: the story still shows.
    let traced = crate::store::sources::reports(product)
        .and_then(|reports| crate::cli::trace::traced(product, items, &reports, &ctx.cwd).map(|t| (reports, t)));
    let (reports, traced) = match traced {
        Ok(t) => t,
        Err(e) => {
            ctx.warn(&format!("the trace is left out: {e}"));
            return Ok((suspect, None));
        }
    };
    let used = !reports.is_empty()
        || traced.trace.stories.iter().any(|s| {
            !s.references.is_empty() || s.criteria.iter().any(|c| !c.references.is_empty() || !c.tests.is_empty())
        });
    let trace = traced.trace.stories.into_iter().find(|s| s.id == id).filter(|_| used);
    Ok((suspect, trace))
}

/// A criterion's trace on one line: `src/split.rs:14, tests/split.rs:9; passed (split::s_8_ac_1)`.
/// The trace of the story's `i`th criterion: the trace lists them in the story's order (a
/// search by label for each was quadratic: 10,000 criteria took 2.5 s to show).
fn traced<'t>(
    trace: &'t Option<crate::trace::StoryTrace>,
    i: usize,
    label: &str,
) -> Option<&'t crate::trace::CriterionTrace> {
    let criteria = &trace.as_ref()?.criteria;
    criteria.get(i).filter(|t| t.ac == label).or_else(|| criteria.iter().find(|t| t.ac == label))
}

fn trace_line(t: &crate::trace::CriterionTrace) -> String {
    let mut places: Vec<String> = t.references.iter().take(3).map(|p| format!("{}:{}", p.path, p.line)).collect();
    if t.references.len() > 3 {
        places.push(format!("+{} more", t.references.len() - 3));
    }
    let mut out =
        if places.is_empty() { "named by no file".to_string() } else { format!("named in {}", places.join(", ")) };
    match (t.result(), t.tests.first()) {
        (Some(outcome), Some(first)) => {
            let more = if t.tests.len() > 1 { format!(" +{}", t.tests.len() - 1) } else { String::new() };
            out.push_str(&format!("; test {} ({}{more})", outcome.word(), first.test));
        }
        _ => out.push_str("; no test result"),
    }
    crate::model::escape::terminal(&out).into_owned()
}

/// The body without the acceptance-criteria section (shown on its own above).
fn body_without_criteria(item: &Item) -> String {
    let body = item.body();
    match &item.criteria.section {
        Some(r) => format!("{}{}", &body[..r.start], &body[r.end..]),
        None => body.to_string(),
    }
}
