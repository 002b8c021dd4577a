//! The published site: the product as static pages for people who will never open the
//! repository. An index (the vision and its metrics, the roadmap with each epic's progress,
//! the ordered backlog, the sprints, the charts with their data), a page per item (fields,
//! body, criteria, links up and down, its own history) and a "what changed" page.
//!
//! Pages are rendered with minijinja from the templates beside this file, which escape every
//! value for HTML; the only markup let through is pm's own (charts, and item bodies rendered
//! by [`markdown_html`], which escapes raw HTML). Links are relative, so the site works from
//! `file://` and any static host; nothing is fetched from the network. The same product and
//! history give the same bytes: the pages carry the revision and its date, never the time of
//! the run. Nothing here writes a file: [`build`] returns the files for the CLI to write.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::chart::{self, Chart, Panel, build as charts};
use crate::error::{Error, Result};
use crate::history::flow;
use crate::history::walk::History;
use crate::model::config::Config;
use crate::model::escape::xml;
use crate::model::id::Kind;
use crate::model::item::Item;
use crate::model::listfile::{HORIZONS, ListFile};
use crate::model::sprint::{Sprint, WorkingDays};
use crate::store::product::Items;

/// The file that marks a folder as written by `pm publish`, listing the files it wrote.
pub const MANIFEST: &str = ".pm-publish";

/// What a site is made from.
pub struct Input<'a> {
    pub title: String,
    pub config: &'a Config,
    pub items: &'a Items,
    pub backlog: &'a ListFile,
    pub roadmap: &'a ListFile,
    pub history: &'a History,
    /// The revision shown (`abc1234 (2024-05-03)`), and the day the charts end on.
    pub revision: String,
    pub day: Date,
    /// The first day of the "what changed" page.
    pub since: Date,
}

#[derive(Serialize)]
struct Link {
    role: String,
    id: String,
    title: String,
    status: String,
    page: bool,
}

#[derive(Serialize)]
struct Field {
    name: String,
    value: String,
    link: Option<String>,
}

#[derive(Serialize)]
struct Event {
    day: String,
    author: String,
    sentence: String,
    commit: String,
    summary: String,
}

/// Any serde value, for a template.
fn ser<T: Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, text) in [
        ("base.html", include_str!("templates/base.html")),
        ("index.html", include_str!("templates/index.html")),
        ("item.html", include_str!("templates/item.html")),
        ("changes.html", include_str!("templates/changes.html")),
    ] {
        env.add_template(name, text).expect("the site's templates parse");
    }
    env
}

fn render(env: &Environment, name: &str, ctx: Value) -> Result<String> {
    let t = env.get_template(name).map_err(|e| Error::bad_argument(format!("template {name}: {e}")))?;
    t.render(ctx).map_err(|e| Error::bad_argument(format!("template {name}: {e}")))
}

/// Every file of the site, by path relative to the site's folder, in path order.
pub fn build(input: &Input) -> Result<BTreeMap<String, String>> {
    let env = env();
    let mut files = BTreeMap::new();
    let (items, config) = (input.items, input.config);
    let site = |root: &str, page_title: &str| {
        context! { site_title => input.title.clone(), root => root.to_string(), revision => input.revision.clone(), page_title => page_title.to_string() }
    };
    let ranks: HashMap<String, usize> =
        input.backlog.entries().into_iter().enumerate().map(|(i, e)| (e.id, i + 1)).collect();

    // The index.
    let visions: Vec<Value> = items
        .of_kind(Kind::Vision)
        .map(|v| {
            let statement = markdown_html(&v.prose().concat());
            context! { id => v.id.to_string(), title => v.title.clone(), statement => statement, metrics => ser(v.metrics()) }
        })
        .collect();
    let mut horizons = Vec::new();
    let entries = input.roadmap.entries();
    let progress = items.progress_by_epic(config, None);
    for h in HORIZONS {
        let epics: Vec<Value> = entries
            .iter()
            .filter(|e| e.section.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(h)))
            .filter_map(|e| items.get(&e.id))
            .map(|e| {
                let (sd, st, pd, pt) = progress.get(&e.id.to_string()).copied().unwrap_or_default();
                context! { id => e.id.to_string(), title => e.title.clone(), done => pd, total => pt.max(1), stories_done => sd, stories => st }
            })
            .collect();
        horizons.push(context! { name => h, epics => epics });
    }
    let backlog: Vec<Value> = input
        .backlog
        .entries()
        .iter()
        .filter_map(|e| items.get(&e.id))
        .map(|s| {
            context! {
                rank => ranks.get(&s.id.to_string()).copied().unwrap_or(0),
                id => s.id.to_string(), title => s.title.clone(), status => s.status.clone(),
                priority => s.priority().unwrap_or_default(),
                points => s.points_or_none().map(|p| p.to_string()).unwrap_or_default(),
                epic => s.epic(),
            }
        })
        .collect();
    let timelines = flow::timelines(input.history);
    let working = WorkingDays::parse(&config.working_days).unwrap_or_default();
    let mut sprints: Vec<Sprint> = items.of_kind(Kind::Sprint).map(Sprint::of).collect();
    sprints.sort_by(|a, b| (b.start, &b.id).cmp(&(a.start, &a.id)));
    let (_, active, closed) = config.sprint_states();
    // The active and planned ones, and the last three closed.
    let mut recent = 0;
    sprints.retain(|s| {
        if s.status == closed {
            recent += 1;
            return recent <= 3;
        }
        true
    });
    let sprint_rows: Vec<Value> = sprints
        .iter()
        .map(|s| {
            let h = flow::sprint_history(s, &timelines, config, &working, input.day);
            let completed = if s.status == active || s.status == closed { h.completed } else { 0 };
            let dates = s.dates().map(|(a, b)| format!("{a} to {b}")).unwrap_or_default();
            context! { id => s.id.clone(), title => s.title.clone(), status => s.status.clone(), dates => dates, completed => completed, committed => h.committed, goal => s.goal.clone().unwrap_or_default() }
        })
        .collect();
    let mut all_charts = vec![
        charts::priorities(
            input.history,
            &charts::Priorities { top: 10, since: None, ids: Vec::new(), keep: None, among: "the backlog".into() },
        ),
        charts::burnup(&timelines, config, charts::Scope::All, false, None, input.day),
        charts::cumulative_flow(&timelines, config, None, input.day),
        charts::metrics(input.history, None, None, input.day),
    ];
    if let Some(s) = sprints.iter().find(|s| s.status == active) {
        all_charts.insert(2, charts::burndown(s, &timelines, config, &working, input.day));
    }
    let chart_values: Vec<Value> = all_charts
        .iter()
        .map(|c| context! { title => c.title.clone(), svg => chart::svg::render(c), table => data_table(c) })
        .collect();
    let index = render(
        &env,
        "index.html",
        context! { visions => visions, horizons => horizons, backlog => backlog, sprints => sprint_rows, charts => chart_values, ..site("", "Overview") },
    )?;
    files.insert("index.html".to_string(), index);

    // One page per item, with its own history.
    let mut lives: HashMap<&str, Vec<Event>> = HashMap::new();
    for commit in &input.history.commits {
        for c in commit.changes() {
            lives.entry(c.id.as_str()).or_default().push(Event {
                day: crate::model::date::day(commit.info.time, commit.info.offset),
                author: commit.info.author.clone(),
                sentence: c.sentence(),
                commit: commit.info.id.chars().take(7).collect(),
                summary: commit.info.summary.clone(),
            });
        }
    }
    let ordered = items_in_order(items);
    // What links to each item (links down), found in one pass.
    let mut below: HashMap<String, Vec<(&'static str, &Item)>> = HashMap::new();
    for other in &ordered {
        let mut add = |target: Option<String>, role: &'static str| {
            if let Some(t) = target {
                below.entry(t).or_default().push((role, other));
            }
        };
        add(other.epic(), "story");
        add(other.vision(), "epic");
        add(other.sprint(), "story");
        for d in other.depends_on() {
            add(Some(d), "needed by");
        }
        if other.kind == Kind::Feedback {
            for s in crate::model::feedback::supports(other) {
                add(Some(s), "feedback");
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for item in ordered.iter().copied() {
        let id = item.id.to_string();
        if !seen.insert(id.clone()) {
            continue;
        }
        let history = lives.remove(id.as_str()).unwrap_or_default();
        let page =
            item_page(&env, input, item, &ranks, history, &below, &site("../", &format!("{id} {}", item.title)))?;
        files.insert(format!("items/{id}.html"), page);
    }

    // What changed.
    let title = |id: &str| items.get(id).map(|i| i.title.clone());
    let now = crate::report::Now {
        name: &input.title,
        config,
        sprints: items.of_kind(Kind::Sprint).map(Sprint::of).collect(),
        working: &working,
        title: &title,
    };
    let report = crate::report::build(input.history, &now, input.since, input.day);
    let changes = render(&env, "changes.html", context! { report => report.html_body(), ..site("", "What changed") })?;
    files.insert("changes.html".to_string(), changes);
    files.insert("style.css".to_string(), include_str!("templates/style.css").to_string());
    Ok(files)
}

/// Items by kind (visions, epics, stories, sprints, feedback), then by number.
fn items_in_order(items: &Items) -> Vec<&Item> {
    let mut all: Vec<&Item> = [Kind::Vision, Kind::Epic, Kind::Story, Kind::Sprint, Kind::Feedback]
        .iter()
        .flat_map(|k| {
            let mut v: Vec<&Item> = items.of_kind(*k).collect();
            v.sort_by_key(|i| i.id.number);
            v
        })
        .collect();
    all.dedup_by(|a, b| a.id == b.id);
    all
}

fn item_page(
    env: &Environment,
    input: &Input,
    item: &Item,
    ranks: &HashMap<String, usize>,
    history: Vec<Event>,
    below: &HashMap<String, Vec<(&'static str, &Item)>>,
    site: &Value,
) -> Result<String> {
    let items = input.items;
    let link_to = |id: &str| items.get(id).map(|_| id.to_string());
    let mut fields = vec![Field { name: "status".into(), value: item.status.clone(), link: None }];
    if let Some(r) = ranks.get(&item.id.to_string()) {
        fields.push(Field { name: "backlog rank".into(), value: r.to_string(), link: None });
    }
    for (k, v) in item.fields.iter() {
        let Some(k) = k.as_str() else { continue };
        if matches!(k, "id" | "title" | "status" | "metrics") {
            continue;
        }
        let value = crate::model::item::value_text(v);
        let link = matches!(k, "epic" | "vision" | "sprint").then(|| link_to(&value)).flatten();
        fields.push(Field { name: k.to_string(), value, link });
    }
    for m in item.metrics() {
        let now = m.current.clone().unwrap_or_else(|| "-".into());
        fields.push(Field {
            name: format!("metric: {}", m.name),
            value: format!("{now} (target {})", m.target),
            link: None,
        });
    }
    let link = |role: &str, id: &str| {
        let found = items.get(id);
        Link {
            role: role.to_string(),
            id: id.to_string(),
            title: found.map(|i| i.title.clone()).unwrap_or_default(),
            status: found.map(|i| i.status.clone()).unwrap_or_default(),
            page: found.is_some(),
        }
    };
    let mut up = Vec::new();
    if let Some(e) = item.epic() {
        up.push(link("epic", &e));
    }
    if let Some(v) = item.vision() {
        up.push(link("vision", &v));
    }
    if let Some(s) = item.sprint() {
        up.push(link("sprint", &s));
    }
    for d in item.depends_on() {
        up.push(link("depends on", &d));
    }
    for s in crate::model::feedback::supports(item) {
        up.push(link("supports", &s));
    }
    let id = item.id.to_string();
    let down: Vec<Link> = below
        .get(id.as_str())
        .into_iter()
        .flatten()
        .map(|(role, other)| Link {
            role: role.to_string(),
            id: other.id.to_string(),
            title: other.title.clone(),
            status: other.status.clone(),
            page: true,
        })
        .collect();
    // The criteria are listed below, with their state: their heading is not repeated.
    let prose: String = item
        .prose()
        .concat()
        .lines()
        .filter(|l| {
            !l.trim_start_matches('#').trim().eq_ignore_ascii_case("acceptance criteria") || !l.starts_with('#')
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let criteria: Vec<Value> = item
        .criteria
        .items
        .iter()
        .map(|c| context! { label => c.label(), text => c.text.clone(), checked => c.checked })
        .collect();
    render(
        env,
        "item.html",
        context! {
            kind => item.kind.to_string(), id => id, title => item.title.clone(), fields => ser(&fields),
            body => markdown_html(&prose), criteria => criteria, accepted => item.criteria.accepted(),
            up => ser(&up), down => ser(&down), history => ser(&history), ..site.clone()
        },
    )
}

/// An item's Markdown as HTML: raw HTML in it is shown as text, images become links (a
/// published page fetches nothing), and links other than http(s), mailto and relative ones
/// lose their target.
pub fn markdown_html(text: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    if text.trim().is_empty() {
        return String::new();
    }
    let safe = |url: &str| {
        let lower = url.trim().to_ascii_lowercase();
        let scheme = lower.split_once(':').map(|(s, _)| s.to_string());
        match scheme {
            Some(s) if !s.contains('/') && !s.contains('#') && !s.contains('?') => {
                matches!(s.as_str(), "http" | "https" | "mailto")
            }
            _ => true,
        }
    };
    // Whether each open link was kept (an unsafe one is dropped: its text stays, as text).
    let mut kept: Vec<bool> = Vec::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(text, options).filter_map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Image { dest_url, title, id, .. } | Tag::Link { dest_url, title, id, .. }) => {
            let ok = safe(&dest_url);
            kept.push(ok);
            ok.then_some(Event::Start(Tag::Link { link_type: pulldown_cmark::LinkType::Inline, dest_url, title, id }))
        }
        Event::End(TagEnd::Image | TagEnd::Link) => kept.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link)),
        other => Some(other),
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// A chart's data as an HTML table: its text alternative beside the drawing.
fn data_table(chart: &Chart) -> String {
    let mut out = String::new();
    if let Some(why) = &chart.empty {
        return format!("<p>{}</p>", xml(why));
    }
    for panel in &chart.panels {
        match panel {
            Panel::Lines(l) => {
                out.push_str("<table>\n");
                if !l.title.is_empty() {
                    out.push_str(&format!("<caption>{}</caption>\n", xml(&l.title)));
                }
                out.push_str("<thead><tr><th scope=\"col\">Day</th>");
                for s in &l.series {
                    out.push_str(&format!("<th scope=\"col\">{}</th>", xml(&s.name)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for (d, day) in l.days.iter().enumerate() {
                    let changed = d == 0
                        || d + 1 == l.days.len()
                        || l.series.iter().any(|s| s.values.get(d) != s.values.get(d - 1));
                    if !changed {
                        continue;
                    }
                    out.push_str(&format!("<tr><td>{day}</td>"));
                    for s in &l.series {
                        let v = s.values.get(d).copied().flatten().map(chart::number).unwrap_or_else(|| "-".into());
                        out.push_str(&format!("<td>{v}</td>"));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Panel::Bump(b) => {
                out.push_str("<table>\n<thead><tr><th scope=\"col\">Story</th>");
                for s in &b.steps {
                    out.push_str(&format!("<th scope=\"col\">{}</th>", s.day));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for line in &b.lines {
                    out.push_str(&format!("<tr><th scope=\"row\">{} {}</th>", xml(&line.id), xml(&line.title)));
                    for r in &line.ranks {
                        out.push_str(&format!("<td>{}</td>", r.map(|r| r.to_string()).unwrap_or_else(|| "-".into())));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out
}
