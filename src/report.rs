//! The stakeholder update: what a period changed, from one walk of history. What was finished
//! (by epic), what moved up or down the backlog and who moved it, what is new, how the sprints
//! went, how the roadmap moved and how the metrics changed; drawn as Markdown (for an email, a
//! GitHub discussion or a CI job's summary), as a standalone HTML page, or as JSON.
//!
//! Nothing here reads a file or prints: the CLI gives the history and the product now.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::history::changes::{Place, What, ordinal};
use crate::history::flow::{self, Timeline};
use crate::history::walk::History;
use crate::model::config::Config;
use crate::model::date;
use crate::model::escape::{markdown as md, xml};
use crate::model::sprint::{Sprint, WorkingDays};

/// The update for one period.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub product: String,
    /// The first and last day of the period.
    pub from: Date,
    pub to: Date,
    /// The commits of the period, and who made them.
    pub commits: usize,
    pub authors: Vec<String>,
    pub finished: Vec<EpicDone>,
    pub moved: Vec<Moved>,
    pub new: Vec<New>,
    pub sprints: Vec<SprintResult>,
    pub roadmap: Vec<RoadmapMove>,
    pub metrics: Vec<MetricChange>,
}

/// The stories of one epic (or of none) finished in the period.
#[derive(Debug, Clone, Serialize)]
pub struct EpicDone {
    pub epic: Option<String>,
    pub epic_title: String,
    pub points: u64,
    pub stories: Vec<Done>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Done {
    pub id: String,
    pub title: String,
    pub points: u64,
    pub day: Date,
    pub by: String,
}

/// A story whose backlog rank changed over the period, and the commits that moved it.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub id: String,
    pub title: String,
    /// Rank before the period and after it (`None`: not in the backlog).
    pub from: Option<usize>,
    pub to: Option<usize>,
    /// Who moved it and why: the commits that named it as moved, `(author, summary)`.
    pub by: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct New {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub day: Date,
    pub by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SprintResult {
    pub id: String,
    pub title: String,
    pub status: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// Points it held when it started, and those completed (when it closed, for a closed one).
    pub committed: u64,
    pub completed: u64,
    pub carried: Vec<String>,
    pub closed: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoadmapMove {
    pub id: String,
    pub title: String,
    pub from: Option<Place>,
    pub to: Option<Place>,
    pub day: Date,
    pub by: String,
}

/// A vision metric's value at the start and the end of the period.
#[derive(Debug, Clone, Serialize)]
pub struct MetricChange {
    pub vision: String,
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What the report needs of the product now.
pub struct Now<'a> {
    pub name: &'a str,
    pub config: &'a Config,
    pub sprints: Vec<Sprint>,
    pub working: &'a WorkingDays,
    /// An item's title now, when it still exists.
    pub title: &'a dyn Fn(&str) -> Option<String>,
}

/// Build the report of the days `from` to `to`.
pub fn build(history: &History, now: &Now, from: Date, to: Date) -> Report {
    let (start, end) = (date::day_span(from).0, date::day_span(to).1);
    let clock = flow::clock(history);
    let inside: Vec<usize> = (0..history.commits.len()).filter(|&i| clock[i] >= start && clock[i] < end).collect();
    let mut authors: Vec<String> = Vec::new();
    for &i in &inside {
        let a = &history.commits[i].info.author;
        if !authors.contains(a) {
            authors.push(a.clone());
        }
    }
    let title_of = |id: &str, then: &str| (now.title)(id).unwrap_or_else(|| then.to_string());
    let day_of = |i: usize| date::local_day(history.commits[i].info.time).unwrap_or(from);
    let by_time: BTreeMap<i64, usize> = clock.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    let timelines = flow::timelines(history);

    // Finished, by the epic each story was in when it finished.
    let mut groups: BTreeMap<Option<String>, Vec<Done>> = BTreeMap::new();
    for f in flow::finished_stories(&timelines, now.config, Some(start), Some(end), |_| true) {
        let epic = timelines.get(&f.id).and_then(|t| t.at("epic", f.finished)).map(String::from);
        let by = by_time.get(&f.finished).map(|&i| history.commits[i].info.author.clone()).unwrap_or_default();
        let day = date::local_day(f.finished).unwrap_or(from);
        groups.entry(epic).or_default().push(Done {
            title: title_of(&f.id, &f.title),
            id: f.id,
            points: f.points,
            day,
            by,
        });
    }
    let finished = groups
        .into_iter()
        .map(|(epic, stories)| EpicDone {
            epic_title: epic.as_deref().and_then(|e| (now.title)(e)).unwrap_or_default(),
            epic,
            points: stories.iter().map(|s| s.points).sum(),
            stories,
        })
        .collect();

    // Backlog moves: rank before the period against rank after it, with the commits that moved
    // each story (not the ones where it only shifted).
    let rank = |list: &[String]| -> BTreeMap<String, usize> {
        list.iter().enumerate().map(|(i, id)| (id.clone(), i + 1)).collect()
    };
    // A story renumbered in the period is one story: its rank before is under its old ID.
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for &i in &inside {
        for c in history.commits[i].changes() {
            if let What::Renumbered { from, to, file: None } = &c.what {
                let old =
                    renamed.iter().find(|(_, v)| *v == from).map(|(k, _)| k.clone()).unwrap_or_else(|| from.clone());
                renamed.insert(old, to.clone());
            }
        }
    }
    let before_list: Vec<String> =
        history.backlog_before(start).into_iter().map(|id| renamed.get(&id).cloned().unwrap_or(id)).collect();
    let (before, after) = (rank(&before_list), rank(&history.backlog_before(end)));
    let mut movers: BTreeMap<String, (String, Vec<(String, String)>)> = BTreeMap::new();
    let mut new = Vec::new();
    let mut roadmap = Vec::new();
    let mut metrics: Vec<MetricChange> = Vec::new();
    for &i in &inside {
        let info = &history.commits[i].info;
        for c in history.commits[i].changes() {
            match &c.what {
                What::Rank { from: Some(_), to: Some(_) } | What::Rank { from: None, to: Some(_) } => {
                    let entry = movers.entry(c.id.clone()).or_insert_with(|| (c.title.clone(), Vec::new()));
                    let why = (info.author.clone(), info.summary.clone());
                    if !entry.1.contains(&why) {
                        entry.1.push(why);
                    }
                }
                What::Created { kind, .. } if matches!(kind.as_str(), "story" | "epic" | "vision" | "sprint") => {
                    new.push(New {
                        id: c.id.clone(),
                        kind: kind.clone(),
                        title: title_of(&c.id, &c.title),
                        day: day_of(i),
                        by: info.author.clone(),
                    });
                }
                What::Roadmap { from, to } => roadmap.push(RoadmapMove {
                    id: c.id.clone(),
                    title: title_of(&c.id, &c.title),
                    from: from.clone(),
                    to: to.clone(),
                    day: day_of(i),
                    by: info.author.clone(),
                }),
                What::Field { field, from, to } if field.starts_with("metric ") => {
                    let name = field["metric ".len()..].to_string();
                    match metrics.iter_mut().find(|m| m.vision == c.id && m.name == name) {
                        Some(m) => m.to = to.clone(),
                        None => metrics.push(MetricChange {
                            vision: c.id.clone(),
                            name,
                            from: from.clone(),
                            to: to.clone(),
                        }),
                    }
                }
                _ => {}
            }
        }
    }
    metrics.retain(|m| m.from != m.to);
    let mut moved: Vec<Moved> = movers
        .into_iter()
        .filter_map(|(id, (then, by))| {
            let (from, to) = (before.get(&id).copied(), after.get(&id).copied());
            // Entered and left within the period, or back where it was: no move to tell.
            (from != to && to.is_some()).then(|| Moved { title: title_of(&id, &then), id, from, to, by })
        })
        .collect();
    // Biggest climbs first, then the new arrivals, then the falls.
    moved.sort_by_key(|m| {
        let climb = match (m.from, m.to) {
            (Some(f), Some(t)) => f as i64 - t as i64,
            _ => 0,
        };
        (std::cmp::Reverse(climb), m.to, m.id.clone())
    });

    // Sprints that were open at some point of the period, as they ended it.
    let today = to;
    let sprints = now
        .sprints
        .iter()
        .filter(|s| s.dates().is_some_and(|(a, b)| a <= to && b >= from))
        .map(|s| {
            let h = flow::sprint_history(s, &timelines, now.config, now.working, today);
            let closed = h.closed_at.filter(|c| *c < end).and_then(date::local_day);
            let completed = if closed.is_some() { h.completed } else { done_points(&timelines, s, now.config, end) };
            // Its status as the period ended (a report of a past month tells that month).
            let status = timelines.get(&s.id).and_then(|t| t.at("status", end - 1)).unwrap_or(&s.status).to_string();
            SprintResult {
                id: s.id.clone(),
                title: s.title.clone(),
                status,
                start: s.start,
                end: s.end,
                committed: h.committed,
                completed,
                carried: if closed.is_some() { h.carried.clone() } else { Vec::new() },
                closed,
            }
        })
        .collect();
    Report {
        product: now.name.to_string(),
        from,
        to,
        commits: inside.len(),
        authors,
        finished,
        moved,
        new,
        sprints,
        roadmap,
        metrics,
    }
}

/// Points of a sprint's stories finished before `end` (an open sprint, mid-way).
fn done_points(timelines: &BTreeMap<String, Timeline>, s: &Sprint, config: &Config, end: i64) -> u64 {
    timelines
        .values()
        .filter(|t| t.is_story() && t.at("sprint", end - 1) == Some(s.id.as_str()))
        .filter(|t| t.at("status", end - 1).is_some_and(|st| config.is_finished(st)))
        .map(|t| t.points_at(end - 1))
        .sum()
}

fn rank_text(r: Option<usize>) -> String {
    r.map(ordinal).unwrap_or_else(|| "not in the backlog".into())
}

fn place_text(p: &Option<Place>) -> String {
    match p {
        Some(p) => format!("{} ({} there)", capitalise(&p.horizon), ordinal(p.position)),
        None => "off the roadmap".into(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A line of a section, with the lines under it (an epic's finished stories).
struct Line {
    text: String,
    under: Vec<String>,
}

impl Line {
    fn new(text: String) -> Line {
        Line { text, under: Vec::new() }
    }
}

impl Report {
    fn is_quiet(&self) -> bool {
        self.finished.is_empty()
            && self.moved.is_empty()
            && self.new.is_empty()
            && self.sprints.is_empty()
            && self.roadmap.is_empty()
            && self.metrics.is_empty()
    }

    /// The period, for titles: one day, or from a day to another.
    fn period(&self) -> String {
        if self.from == self.to { format!("{}", self.from) } else { format!("{} to {}", self.from, self.to) }
    }

    fn summary(&self) -> String {
        let points: u64 = self.finished.iter().map(|g| g.points).sum();
        let stories: usize = self.finished.iter().map(|g| g.stories.len()).sum();
        let by = match self.commits {
            0 => "no commit".to_string(),
            n => format!("{} by {}", plural(n, "commit", "commits"), self.authors.join(", ")),
        };
        format!(
            "{} finished ({points} points), {} moved in the backlog, {} new; {by}.",
            plural(stories, "story", "stories"),
            plural(self.moved.len(), "story", "stories"),
            plural(self.new.len(), "item", "items"),
        )
    }

    /// The sections as (heading, lines), each line built by `cell` from escaped pieces.
    fn sections(&self, esc: &dyn Fn(&str) -> String, strong: &dyn Fn(&str) -> String) -> Vec<(String, Vec<Line>)> {
        let item = |id: &str, title: &str| format!("{} {}", strong(&esc(id)), esc(title));
        let mut out = Vec::new();
        if !self.finished.is_empty() {
            let mut lines = Vec::new();
            for g in &self.finished {
                let epic = match &g.epic {
                    Some(e) => item(e, &g.epic_title),
                    None => "No epic".to_string(),
                };
                lines.push(Line::new(format!("{epic}: {}", plural(g.points as usize, "point", "points"))));
                for s in &g.stories {
                    let done = format!("{} ({} points, {} by {})", item(&s.id, &s.title), s.points, s.day, esc(&s.by));
                    lines.last_mut().expect("the epic's line").under.push(done);
                }
            }
            out.push(("Finished".to_string(), lines));
        }
        if !self.moved.is_empty() {
            let lines = self
                .moved
                .iter()
                .map(|m| {
                    let arrow = match (m.from, m.to) {
                        (Some(f), Some(t)) if t < f => "up",
                        (Some(_), Some(_)) => "down",
                        _ => "in",
                    };
                    let why: Vec<String> =
                        m.by.iter().map(|(a, s)| format!("{}: \u{201c}{}\u{201d}", esc(a), esc(s))).collect();
                    let how = if arrow == "in" {
                        format!("entered at {}", rank_text(m.to))
                    } else {
                        format!("{arrow} from {} to {}", rank_text(m.from), rank_text(m.to))
                    };
                    Line::new(format!("{} {how} ({})", item(&m.id, &m.title), why.join("; ")))
                })
                .collect();
            out.push(("Moved in the backlog".to_string(), lines));
        }
        if !self.new.is_empty() {
            let lines = self
                .new
                .iter()
                .map(|n| Line::new(format!("{} ({}, {} by {})", item(&n.id, &n.title), n.kind, n.day, esc(&n.by))))
                .collect();
            out.push(("New".to_string(), lines));
        }
        if !self.sprints.is_empty() {
            let lines = self
                .sprints
                .iter()
                .map(|s| {
                    let when = match (s.closed, s.end) {
                        (Some(c), _) => format!("closed on {c}"),
                        (None, Some(e)) => format!("{}, ends {e}", esc(&s.status)),
                        _ => esc(&s.status),
                    };
                    let carried = if s.carried.is_empty() {
                        String::new()
                    } else {
                        format!("; carried: {}", esc(&s.carried.join(", ")))
                    };
                    Line::new(format!(
                        "{} ({when}): {} of {} points completed{carried}",
                        item(&s.id, &s.title),
                        s.completed,
                        s.committed
                    ))
                })
                .collect();
            out.push(("Sprints".to_string(), lines));
        }
        if !self.roadmap.is_empty() {
            let lines = self
                .roadmap
                .iter()
                .map(|r| {
                    Line::new(format!(
                        "{} from {} to {} ({} by {})",
                        item(&r.id, &r.title),
                        esc(&place_text(&r.from)),
                        esc(&place_text(&r.to)),
                        r.day,
                        esc(&r.by)
                    ))
                })
                .collect();
            out.push(("Roadmap".to_string(), lines));
        }
        if !self.metrics.is_empty() {
            let none = || "none".to_string();
            let lines = self
                .metrics
                .iter()
                .map(|m| {
                    Line::new(format!(
                        "{} ({}): {} \u{2192} {}",
                        esc(&m.name),
                        esc(&m.vision),
                        esc(&m.from.clone().unwrap_or_else(none)),
                        esc(&m.to.clone().unwrap_or_else(none))
                    ))
                })
                .collect();
            out.push(("Metrics".to_string(), lines));
        }
        out
    }

    /// Markdown for an email, a discussion or a job summary: user text escaped for Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("## {}: {}\n\n{}\n", md(&self.product), self.period(), md(&self.summary()));
        if self.is_quiet() {
            out.push_str("\nNothing was finished, moved or added in that time.\n");
        }
        for (heading, lines) in self.sections(&|s| md(s), &|s| format!("**{s}**")) {
            out.push_str(&format!("\n### {heading}\n\n"));
            for l in lines {
                out.push_str(&format!("- {}\n", l.text));
                for u in &l.under {
                    out.push_str(&format!("  - {u}\n"));
                }
            }
        }
        out
    }

    /// A standalone HTML page (no script, no external file): user text escaped for HTML.
    pub fn html(&self) -> String {
        let title = format!("{}: {}", self.product, self.period());
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\nbody{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2328;background:#fff}}\nh1{{font-size:1.5rem}}h2{{font-size:1.15rem;margin-top:1.5rem}}li{{margin:.25rem 0}}\n@media (prefers-color-scheme: dark){{body{{color:#e6edf3;background:#0d1117}}}}\n</style>\n</head>\n<body>\n{}</body>\n</html>\n",
            xml(&title),
            self.html_body()
        )
    }

    /// The report as HTML to put in a page: a heading, the summary, a list per section.
    pub fn html_body(&self) -> String {
        let title = format!("{}: {}", self.product, self.period());
        let mut out = format!("<h1>{}</h1>\n<p>{}</p>\n", xml(&title), xml(&self.summary()));
        if self.is_quiet() {
            out.push_str("<p>Nothing was finished, moved or added in that time.</p>\n");
        }
        for (heading, lines) in self.sections(&|s| xml(s), &|s| format!("<strong>{s}</strong>")) {
            out.push_str(&format!("<h2>{heading}</h2>\n<ul>\n"));
            for l in lines {
                if l.under.is_empty() {
                    out.push_str(&format!("<li>{}</li>\n", l.text));
                } else {
                    out.push_str(&format!("<li>{}\n<ul>\n", l.text));
                    for u in &l.under {
                        out.push_str(&format!("<li>{u}</li>\n"));
                    }
                    out.push_str("</ul>\n</li>\n");
                }
            }
            out.push_str("</ul>\n");
        }
        out
    }
}
