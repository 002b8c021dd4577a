//! The data of each chart, from one walk of history.
//!
//! - priorities: the backlog order is replayed commit by commit from the walk's order edits
//!   (the IDs each commit put in place of others, kept in the history cache), so no commit's
//!   backlog is read again: the cost follows the size of the edits, not the backlog's length
//!   times the commits;
//! - burnup, flow: each story's timeline swept once over the days of the window;
//! - burndown: the sprint's history from [`flow::sprint_history`], against the ideal line;
//! - metrics: a vision's `metric NAME` field changes, as values and targets per day.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use crate::chart::{Bump, BumpLine, Chart, Lines, Panel, Series, Step, Style};
use crate::history::changes::What;
use crate::history::flow::{self, Timeline};
use crate::history::walk::{History, Walked};
use crate::model::config::Config;
use crate::model::date;
use crate::model::id::Kind;
use crate::model::sprint::{Sprint, Standing, WorkingDays, standing};

/// The most steps a bump chart draws one by one; more are grouped by day, then by week.
const MAX_STEPS: usize = 60;

/// What the priorities chart follows.
pub struct Priorities<'a> {
    /// The top of the backlog: stories that were in it at any step of the window.
    pub top: usize,
    /// The window starts here (the state just before it is the first step).
    pub since: Option<i64>,
    /// These stories only, whatever their rank (the top is then only the chart's scale).
    pub ids: Vec<String>,
    /// Stories to rank among (an epic's): ranks are then positions among them.
    pub keep: Option<&'a dyn Fn(&str) -> bool>,
    /// What the ranks are of, for the title (`the backlog`, `E-3's stories`).
    pub among: String,
}

/// The backlog as the walk's rank changes leave it after each commit: IDs interned, so
/// finding one is a scan of integers and a story's slot an index.
struct Replay<'a> {
    names: Vec<String>,
    index: HashMap<String, u32>,
    list: Vec<u32>,
    titles: HashMap<u32, String>,
    /// Whether each interned ID is one the chart ranks among (all, without a filter).
    kept: Vec<bool>,
    keep: Option<&'a dyn Fn(&str) -> bool>,
}

impl<'a> Replay<'a> {
    fn new(keep: Option<&'a dyn Fn(&str) -> bool>) -> Replay<'a> {
        Replay {
            names: Vec::new(),
            index: HashMap::new(),
            list: Vec::new(),
            titles: HashMap::new(),
            kept: Vec::new(),
            keep,
        }
    }

    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&n) = self.index.get(id) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(id.to_string());
        self.index.insert(id.to_string(), n);
        self.kept.push(self.keep.is_none_or(|k| k(id)));
        n
    }

    /// Apply one commit: its exact reordering of the backlog, and the titles it gave. Returns
    /// the stories its rank changes name as moved or brought into the backlog (the others
    /// were only shifted).
    fn apply(&mut self, commit: &Walked) -> Vec<u32> {
        if let Some(edit) = commit.order() {
            let mut list = std::mem::take(&mut self.list);
            edit.apply(&mut list, |id| self.intern(id));
            self.list = list;
        }
        let mut out = Vec::new();
        for c in commit.changes() {
            if let What::Rank { to: Some(_), .. } = c.what {
                out.push(self.intern(&c.id));
            }
        }
        out
    }

    /// The titles a commit gave (the last one given is the one drawn), and its renumbers: a
    /// renumbered story keeps its line, under its new ID.
    fn learn_titles(&mut self, commit: &Walked) {
        for c in commit.changes() {
            if let What::Renumbered { from, to, file: None } = &c.what
                && !self.index.contains_key(to)
            {
                let n = self.intern(from);
                self.index.insert(to.clone(), n);
                self.names[n as usize] = to.clone();
            }
            if !c.title.is_empty() && !matches!(c.what, What::Deleted { .. }) {
                let n = self.intern(&c.id);
                if self.titles.get(&n) != Some(&c.title) {
                    self.titles.insert(n, c.title.clone());
                }
            }
        }
    }

    /// The kept stories in backlog order.
    fn ranked(&self) -> impl Iterator<Item = u32> + '_ {
        self.list.iter().copied().filter(|&n| self.kept[n as usize])
    }
}

/// Whether a commit changed the backlog's order.
fn reorders(commit: &Walked) -> bool {
    commit.order().is_some()
}

/// The priorities (bump) chart.
pub fn priorities(history: &History, p: &Priorities) -> Chart {
    let title = format!("Backlog rank of the top {} of {}", p.top, p.among);
    let in_window = |time: i64| p.since.is_none_or(|s| time >= s);
    // Pass 1: which stories the chart follows (those in the top at any step of the window).
    let mut replay = Replay::new(p.keep);
    let mut followed: Vec<u32> = Vec::new();
    let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::new();
    let follow = |replay: &Replay, followed: &mut Vec<u32>, seen: &mut std::collections::HashSet<u32>| {
        for n in replay.ranked().take(p.top) {
            if seen.insert(n) {
                followed.push(n);
            }
        }
    };
    let mut started = false;
    for commit in &history.commits {
        if in_window(commit.info.time) && !started {
            started = true;
            follow(&replay, &mut followed, &mut seen);
        }
        replay.learn_titles(commit);
        if reorders(commit) {
            replay.apply(commit);
            if started {
                follow(&replay, &mut followed, &mut seen);
            }
        }
    }
    if !p.ids.is_empty() {
        followed = p.ids.iter().map(|id| replay.intern(id)).collect();
    }
    let titles = std::mem::take(&mut replay.titles);
    // Pass 2: the followed stories' ranks at each step that changed one of them.
    let mut slot: Vec<Option<usize>> = vec![None; replay.names.len()];
    for (i, &n) in followed.iter().enumerate() {
        slot[n as usize] = Some(i);
    }
    let (names, index, kept) = (replay.names, replay.index, replay.kept);
    let mut replay = Replay { names, index, kept, ..Replay::new(p.keep) };
    let mut steps: Vec<Step> = Vec::new();
    let mut ranks: Vec<Vec<Option<usize>>> = Vec::new();
    let mut moved: Vec<Vec<bool>> = Vec::new();
    let mut now: Vec<Option<usize>> = vec![None; followed.len()];
    let rank_now = |replay: &Replay| {
        let mut out = vec![None; followed.len()];
        for (r, n) in replay.ranked().enumerate() {
            if let Some(Some(i)) = slot.get(n as usize) {
                out[*i] = Some(r + 1);
            }
        }
        out
    };
    let mut started = false;
    for commit in &history.commits {
        let day = date::local_day(commit.info.time).unwrap_or_default();
        if in_window(commit.info.time) && !started {
            started = true;
            if now.iter().any(Option::is_some) {
                let since_day = p.since.and_then(date::local_day).unwrap_or(day);
                steps.push(Step {
                    day: since_day,
                    commit: None,
                    author: String::new(),
                    summary: "before the window".into(),
                    commits: 0,
                });
                ranks.push(now.clone());
                moved.push(vec![false; followed.len()]);
            }
        }
        if !reorders(commit) {
            continue;
        }
        let came = replay.apply(commit);
        let next = rank_now(&replay);
        if started && next != now {
            let mut m = vec![false; followed.len()];
            for n in came {
                if let Some(Some(i)) = slot.get(n as usize) {
                    m[*i] = next[*i].is_some();
                }
            }
            steps.push(Step {
                day,
                commit: Some(commit.info.id.chars().take(7).collect()),
                author: commit.info.author.clone(),
                summary: commit.info.summary.clone(),
                commits: 1,
            });
            ranks.push(next.clone());
            moved.push(m);
        }
        now = next;
    }
    if steps.is_empty() || followed.is_empty() {
        let why = if history.commits.is_empty() {
            "No commit has touched the product yet: the chart starts with the first one.".to_string()
        } else {
            format!("No backlog rank of {} changed in that time.", p.among)
        };
        return Chart::empty("priorities", title, why);
    }
    let (steps, ranks, moved) = group(steps, ranks, moved);
    let lines: Vec<BumpLine> = followed
        .iter()
        .enumerate()
        .map(|(i, &n)| BumpLine {
            id: replay.names[n as usize].clone(),
            title: titles.get(&n).cloned().unwrap_or_default(),
            ranks: ranks.iter().map(|r| r[i]).collect(),
            moved: moved.iter().map(|m| m[i]).collect(),
        })
        .filter(|l| l.ranks.iter().any(Option::is_some))
        .collect();
    let (from, to) = (steps.first().map(|s| s.day), steps.last().map(|s| s.day));
    let bump = Bump { title: String::new(), top: p.top, steps, lines };
    Chart { chart: "priorities", title, from, to, empty: None, panels: vec![Panel::Bump(bump)] }
}

type Grouped = (Vec<Step>, Vec<Vec<Option<usize>>>, Vec<Vec<bool>>);

/// At most [`MAX_STEPS`] steps: those of one day, then of one week (by its Monday), become one
/// step holding the state after the last of them; a story moved in any of them was moved.
fn group(steps: Vec<Step>, ranks: Vec<Vec<Option<usize>>>, moved: Vec<Vec<bool>>) -> Grouped {
    if steps.len() <= MAX_STEPS {
        return (steps, ranks, moved);
    }
    let by_day = regroup(steps, ranks, moved, |d| d);
    if by_day.0.len() <= MAX_STEPS {
        return by_day;
    }
    regroup(by_day.0, by_day.1, by_day.2, flow::week_of)
}

fn regroup(
    steps: Vec<Step>,
    ranks: Vec<Vec<Option<usize>>>,
    moved: Vec<Vec<bool>>,
    key: impl Fn(Date) -> Date,
) -> Grouped {
    let mut out: Grouped = (Vec::new(), Vec::new(), Vec::new());
    for ((step, r), m) in steps.into_iter().zip(ranks).zip(moved) {
        let same = step.commit.is_some()
            && out.0.last().is_some_and(|last: &Step| last.commit.is_some() && key(last.day) == key(step.day));
        if !same {
            out.0.push(Step { day: key(step.day), ..step });
            out.1.push(r);
            out.2.push(m);
            continue;
        }
        let last = out.0.last_mut().expect("a step to join");
        last.commits += step.commits;
        last.commit = step.commit;
        if last.author != step.author && !last.author.split(", ").any(|a| a == step.author) {
            last.author = format!("{}, {}", last.author, step.author);
        }
        last.summary = format!("{} commits", last.commits);
        *out.1.last_mut().expect("ranks") = r;
        for (was, now) in out.2.last_mut().expect("moves").iter_mut().zip(m) {
            *was |= now;
        }
    }
    out
}

/// The days of a window, and the end of each (the first second of the next day).
fn days_of(from: Date, to: Date) -> (Vec<Date>, Vec<i64>) {
    let (mut days, mut ends) = (Vec::new(), Vec::new());
    let mut day = from;
    while day <= to {
        days.push(day);
        ends.push(date::day_span(day).1);
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    (days, ends)
}

/// A timeline's followed fields at the end of each day: `f(day index, status, points, sprint,
/// epic)`, for the days it existed on. One pass over its events.
fn sweep(t: &Timeline, ends: &[i64], mut f: impl FnMut(usize, &str, u64, Option<&str>, Option<&str>)) {
    let (mut status, mut points, mut sprint, mut epic): (Option<&str>, u64, Option<&str>, Option<&str>) =
        (None, 0, None, None);
    let mut at = 0;
    for (i, &end) in ends.iter().enumerate() {
        while let Some((time, field, value)) = t.events.get(at).filter(|(time, _, _)| *time < end) {
            let _ = time;
            let v = value.as_deref();
            match *field {
                "status" => status = v,
                "points" => points = v.and_then(|p| p.trim().parse().ok()).unwrap_or(0),
                "sprint" => sprint = v,
                "epic" => epic = v,
                _ => {}
            }
            at += 1;
        }
        if let Some(s) = status {
            f(i, s, points, sprint, epic);
        }
    }
}

/// The first day of a chart over story timelines: `since`, else the day the first story
/// appeared.
fn first_day(timelines: &BTreeMap<String, Timeline>, since: Option<Date>) -> Option<Date> {
    since.or_else(|| {
        timelines.values().filter(|t| t.is_story()).filter_map(|t| t.created).min().and_then(date::local_day)
    })
}

/// Which stories a burnup follows.
pub enum Scope<'a> {
    All,
    Epic(&'a str),
    Sprint(&'a str),
}

/// Scope and completed points (or stories) of the product, an epic or a sprint, each day.
pub fn burnup(
    timelines: &BTreeMap<String, Timeline>,
    config: &Config,
    scope: Scope,
    count: bool,
    since: Option<Date>,
    today: Date,
) -> Chart {
    let (of, unit) = (
        match scope {
            Scope::All => "all stories".to_string(),
            Scope::Epic(e) => format!("{e}'s stories"),
            Scope::Sprint(s) => format!("{s}'s stories"),
        },
        if count { "stories" } else { "points" },
    );
    let title = format!("Burnup of {of} ({unit})");
    let Some(from) = first_day(timelines, since).filter(|f| *f <= today) else {
        return Chart::empty(
            "burnup",
            title,
            "No story is on record in that time: the chart starts with the first one.",
        );
    };
    let (days, ends) = days_of(from, today);
    let (mut total, mut done) = (vec![0f64; days.len()], vec![0f64; days.len()]);
    for t in timelines.values().filter(|t| t.is_story()) {
        sweep(t, &ends, |i, status, points, sprint, epic| {
            let inside = match scope {
                Scope::All => true,
                Scope::Epic(e) => epic == Some(e),
                Scope::Sprint(s) => sprint == Some(s),
            };
            let stand = standing(status, config);
            if !inside || stand == Standing::Dropped {
                return;
            }
            let v = if count { 1.0 } else { points as f64 };
            total[i] += v;
            if stand == Standing::Finished {
                done[i] += v;
            }
        });
    }
    let series = vec![
        Series { name: "done".into(), style: Style::Solid, values: done.into_iter().map(Some).collect() },
        Series { name: "scope".into(), style: Style::Dashed, values: total.into_iter().map(Some).collect() },
    ];
    lines_chart("burnup", title, unit, days, series, false)
}

fn lines_chart(
    chart: &'static str,
    title: String,
    unit: &str,
    days: Vec<Date>,
    series: Vec<Series>,
    stacked: bool,
) -> Chart {
    let (from, to) = (days.first().copied(), days.last().copied());
    let steps = chart != "burndown";
    let panel = Lines { title: String::new(), unit: unit.into(), days, series, stacked, steps };
    Chart { chart, title, from, to, empty: None, panels: vec![Panel::Lines(panel)] }
}

/// A sprint's remaining points at the end of each working day, against the ideal line from its
/// committed scope to zero on its last day, and its scope.
pub fn burndown(
    sprint: &Sprint,
    timelines: &BTreeMap<String, Timeline>,
    config: &Config,
    working: &WorkingDays,
    today: Date,
) -> Chart {
    let title = format!("Burndown of {} {} (points)", sprint.id, sprint.title);
    let Some((start, end)) = sprint.dates() else {
        return Chart::empty(
            "burndown",
            title,
            format!("{} has no dates yet: pm sprint start {} gives it its first day.", sprint.id, sprint.id),
        );
    };
    let days = working.between(start, end);
    if days.is_empty() {
        return Chart::empty("burndown", title, format!("{} has no working day from {start} to {end}.", sprint.id));
    }
    let past = flow::sprint_history(sprint, timelines, config, working, today);
    let at = |d: &Date| past.burndown.iter().find(|b| b.day == *d);
    let n = days.len() as f64;
    let committed = past.committed as f64;
    let ideal = (0..days.len()).map(|i| Some(committed * (n - (i + 1) as f64) / n)).collect();
    let series = vec![
        Series {
            name: "remaining".into(),
            style: Style::Solid,
            values: days.iter().map(|d| at(d).map(|b| b.remaining as f64)).collect(),
        },
        Series { name: "ideal".into(), style: Style::Dashed, values: ideal },
        Series {
            name: "scope".into(),
            style: Style::Solid,
            values: days.iter().map(|d| at(d).map(|b| b.scope as f64)).collect(),
        },
    ];
    lines_chart("burndown", title, "points", days, series, false)
}

/// Cumulative flow: stories in each status at the end of each day, finished at the bottom and
/// the earliest open status on top; dropped stories leave the chart.
pub fn cumulative_flow(
    timelines: &BTreeMap<String, Timeline>,
    config: &Config,
    since: Option<Date>,
    today: Date,
) -> Chart {
    let title = "Cumulative flow of stories by status".to_string();
    let Some(from) = first_day(timelines, since).filter(|f| *f <= today) else {
        return Chart::empty("flow", title, "No story is on record in that time: the chart starts with the first one.");
    };
    let statuses = config.statuses(Kind::Story);
    let mut bands: Vec<&String> = statuses.iter().filter(|s| config.is_finished(s)).collect();
    bands.extend(statuses.iter().rev().filter(|s| standing(s, config) == Standing::Open));
    let (days, ends) = days_of(from, today);
    let mut counts = vec![vec![0f64; days.len()]; bands.len()];
    for t in timelines.values().filter(|t| t.is_story()) {
        sweep(t, &ends, |i, status, _, _, _| {
            if let Some(b) = bands.iter().position(|s| *s == status) {
                counts[b][i] += 1.0;
            }
        });
    }
    let series = bands
        .iter()
        .zip(counts)
        .map(|(name, values)| Series {
            name: name.to_string(),
            style: Style::Solid,
            values: values.into_iter().map(Some).collect(),
        })
        .collect();
    lines_chart("flow", title, "stories", days, series, true)
}

/// Each metric of one vision (or of every vision) over time: its recorded value and its
/// target at the end of each day, from the day the vision appeared (or `since`).
pub fn metrics(history: &History, vision: Option<&str>, since: Option<Date>, today: Date) -> Chart {
    let title = match vision {
        Some(v) => format!("Metrics of {v}"),
        None => "Metrics of the vision".to_string(),
    };
    // (vision, metric) -> (time, value, target) changes, oldest first.
    type Changes = Vec<(i64, Option<f64>, Option<f64>)>;
    let mut found: Vec<((String, String), Changes)> = Vec::new();
    let mut first: Option<i64> = None;
    let mut record =
        |v: &str, name: &str, time: i64, text: Option<&str>, found: &mut Vec<((String, String), Changes)>| {
            let (value, target) = text.map(split_metric).unwrap_or((None, None));
            if value.is_some() || target.is_some() {
                first = Some(first.map_or(time, |f: i64| f.min(time)));
            }
            let key = (v.to_string(), name.to_string());
            match found.iter_mut().find(|(k, _)| *k == key) {
                Some((_, c)) => c.push((time, value, target)),
                None => found.push((key, vec![(time, value, target)])),
            }
        };
    for commit in &history.commits {
        let time = commit.info.time;
        for c in commit.changes() {
            if vision.is_some_and(|v| v != c.id) {
                continue;
            }
            match &c.what {
                What::Created { kind, fields, .. } if kind == "vision" => {
                    for (k, v) in fields {
                        if let Some(name) = k.strip_prefix("metric ") {
                            record(&c.id, name, time, Some(v), &mut found);
                        }
                    }
                }
                What::Field { field, to, .. } => {
                    if let Some(name) = field.strip_prefix("metric ") {
                        record(&c.id, name, time, to.as_deref(), &mut found);
                    }
                }
                _ => {}
            }
        }
    }
    let from = since.or_else(|| first.and_then(date::local_day)).filter(|f| *f <= today);
    let (Some(from), false) = (from, found.is_empty()) else {
        return Chart::empty(
            "metrics",
            title,
            "No vision metric is on record: give the vision `metrics` with a name and a target.",
        );
    };
    let (days, ends) = days_of(from, today);
    let several = found.iter().any(|((v, _), _)| *v != found[0].0.0);
    let panels = found
        .into_iter()
        .map(|((v, name), changes)| {
            let (mut value, mut target) = (vec![None; days.len()], vec![None; days.len()]);
            let (mut at, mut now) = (0, (None, None));
            for (i, &end) in ends.iter().enumerate() {
                while let Some(&(_, v, t)) = changes.get(at).filter(|(time, _, _)| *time < end) {
                    now = (v, t);
                    at += 1;
                }
                (value[i], target[i]) = now;
            }
            let title = if several { format!("{v} {name}") } else { name };
            Panel::Lines(Lines {
                title,
                unit: String::new(),
                days: days.clone(),
                series: vec![
                    Series { name: "value".into(), style: Style::Solid, values: value },
                    Series { name: "target".into(), style: Style::Dashed, values: target },
                ],
                stacked: false,
                steps: true,
            })
        })
        .collect();
    Chart { chart: "metrics", title, from: Some(from), to: days.last().copied(), empty: None, panels }
}

/// `8400 (target 20000)` or `target 20000`, as history words a metric: its value and target
/// as numbers (`52%`, `1,200` read too); text that is not a number is no value.
fn split_metric(text: &str) -> (Option<f64>, Option<f64>) {
    let num = |s: &str| {
        s.trim().trim_end_matches('%').replace([',', '_'], "").trim().parse::<f64>().ok().filter(|v| v.is_finite())
    };
    if let Some(t) = text.strip_prefix("target ") {
        return (None, num(t));
    }
    match text.rsplit_once(" (target ") {
        Some((v, t)) => (num(v), num(t.trim_end_matches(')'))),
        None => (num(text), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// An order edit turns the old order into the new one, whatever was added, removed or
        /// moved, at any offset.
        #[test]
        fn an_order_edit_gives_the_new_order(
            head in proptest::collection::vec(100..120u32, 0..5),
            old in proptest::sample::subsequence((0..40).collect::<Vec<u32>>(), 0..40).prop_shuffle(),
            new in proptest::sample::subsequence((0..40).collect::<Vec<u32>>(), 0..40).prop_shuffle(),
        ) {
            let ids = |v: &[u32]| v.iter().map(|n| format!("S-{n}")).collect::<Vec<String>>();
            let (head, old, new) = (ids(&head), ids(&old), ids(&new));
            let mut list: Vec<String> = head.iter().chain(&old).cloned().collect();
            if let Some(edit) = crate::history::cache::OrderEdit::between(head.len(), &old, &new) {
                edit.apply(&mut list, |s| s.to_string());
            }
            prop_assert_eq!(list, head.iter().chain(&new).cloned().collect::<Vec<_>>());
        }
    }

    #[test]
    fn metric_text() {
        assert_eq!(split_metric("8400 (target 20000)"), (Some(8400.0), Some(20000.0)));
        assert_eq!(split_metric("target 70"), (None, Some(70.0)));
        assert_eq!(split_metric("52% (target 70%)"), (Some(52.0), Some(70.0)));
        assert_eq!(split_metric("many (target 1,200)"), (None, Some(1200.0)));
    }
}
