//! The rules about time boxes and dates: stories naming a sprint that does not exist, sprints
//! whose dates are missing, reversed or overlapping, plans over capacity, closed sprints still
//! holding unfinished stories, more than one active sprint, and open epics past their target.

use std::collections::HashMap;

use crate::check::doc::Doc;
use crate::check::links::Index;
use crate::check::{Finding, Related};
use crate::model::config::Config;
use crate::model::id::Kind;
use crate::model::sprint::{Standing, parse_date, standing};

pub(crate) fn check(docs: &[Doc], index: &Index, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    let today = crate::model::date::today();
    for d in docs.iter().filter(|d| d.kind == Some(Kind::Epic) && d.is_open(config)) {
        if let Some(target) = d.scalar("target").and_then(|t| parse_date(&t))
            && target < today
        {
            out.push(
                d.finding(
                    "epic/past-target",
                    d.value_pos("target"),
                    format!(
                        "{} is still {} after its target date {target}",
                        d.name(),
                        d.status.as_deref().unwrap_or("open")
                    ),
                )
                .hint(format!("finish it, move the target (pm epic set {} target=YYYY-MM-DD), or drop it", d.name())),
            );
        }
    }
    let (_, active, _) = config.sprint_states();
    // Points committed to each sprint, and its unfinished stories.
    let mut committed: HashMap<String, u64> = HashMap::new();
    let mut unfinished: HashMap<String, Vec<String>> = HashMap::new();
    // A story once, though two files carry its ID (a copy): the first file, as `index.get`.
    let first = |i: usize, d: &Doc| index.get(&d.name()) == Some(i);
    for (_, d) in docs.iter().enumerate().filter(|(i, d)| d.kind == Some(Kind::Story) && d.id.is_some() && first(*i, d))
    {
        let Some(target) = d.scalar("sprint") else { continue };
        let target = target.trim().to_string();
        match index.get(&target).map(|i| docs[i].kind) {
            Some(Some(Kind::Sprint)) => {}
            _ if index.unreadable(&target).is_some() => continue,
            other => {
                let what = match other {
                    Some(Some(kind)) => format!(" ({target} is {})", kind.with_article()),
                    _ => String::new(),
                };
                let hint = match index.suggest(&target, Kind::Sprint) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "`pm sprint list` shows the sprints".into(),
                };
                out.push(
                    d.finding(
                        "sprint/unknown",
                        d.needle_pos("sprint", &target),
                        format!("`sprint: {target}` names no sprint{what}"),
                    )
                    .hint(hint),
                );
                continue;
            }
        }
        let standing = d.status.as_deref().map_or(Standing::Open, |s| standing(s, config));
        if standing == Standing::Dropped {
            continue; // out of the sprint's scope
        }
        // Points as every reader takes them: a whole number (`"8"` in quotes is text, which
        // `field/invalid-value` reports, and counts for nothing, as in `pm sprint show`).
        let points = match d.fields.get("points") {
            Some(serde_yaml::Value::Number(n)) => n.as_u64().unwrap_or(0),
            _ => 0,
        };
        let c = committed.entry(target.clone()).or_default();
        *c = c.saturating_add(points);
        if standing == Standing::Open {
            unfinished.entry(target).or_default().push(d.name());
        }
    }
    let sprints: Vec<&Doc> = docs.iter().filter(|d| d.kind == Some(Kind::Sprint) && d.id.is_some()).collect();
    let mut dated = Vec::new();
    let mut first_active: Option<&Doc> = None;
    for d in &sprints {
        let id = d.name();
        let date = |key: &str| d.scalar(key).and_then(|v| parse_date(&v));
        match (date("start"), date("end")) {
            (Some(start), Some(end)) if end < start => out.push(
                d.finding(
                    "sprint/bad-dates",
                    d.value_pos("end"),
                    format!("{id} ends ({end}) before it starts ({start})"),
                )
                .hint("make `end` the sprint's last day, on or after `start`"),
            ),
            (Some(start), Some(end)) => dated.push((*d, start, end)),
            (start, _) => {
                let key = if start.is_none() { "start" } else { "end" };
                // A value that is there but not a date is already a field/invalid-value finding.
                if d.scalar(key).is_none() {
                    out.push(
                        d.finding("sprint/bad-dates", (1, 1), format!("{id} has no `{key}` date"))
                            .hint(format!("set it: pm sprint set {id} {key}=2026-12-07")),
                    );
                }
            }
        }
        let capacity = d.scalar("capacity").and_then(|c| c.trim().parse::<u64>().ok());
        let points = committed.get(&id).copied().unwrap_or(0);
        if let Some(c) = capacity
            && points > c
            && !d.status.as_deref().is_some_and(|s| config.is_sprint_closed(s))
        {
            out.push(
                d.finding(
                    "sprint/over-capacity",
                    d.value_pos("capacity"),
                    format!("{id} has {points} points committed, over its capacity of {c}"),
                )
                .hint(format!("take stories out (pm sprint plan {id} --remove S-N) or raise the capacity")),
            );
        }
        if d.status.as_deref().is_some_and(|s| config.is_sprint_closed(s))
            && let Some(open) = unfinished.get(&id)
        {
            out.push(
                d.finding(
                    "sprint/closed-open-stories",
                    d.value_pos("status"),
                    format!(
                        "{id} is {} but still holds unfinished stories: {}",
                        d.status.as_deref().unwrap_or(""),
                        open.join(", ")
                    ),
                )
                .hint("move them to the next sprint (pm story set S-N sprint=SP-N) or out of any sprint (sprint=)"),
            );
        }
        if d.status.as_deref() == Some(active) {
            match first_active {
                None => first_active = Some(d),
                Some(first) => out.push(
                    d.finding(
                        "sprint/multiple-active",
                        d.value_pos("status"),
                        format!("{id} is {active}, and so is {}", first.name()),
                    )
                    .hint(format!("close the one that ended: pm sprint close {}", first.name()))
                    .related(vec![Related {
                        path: first.path.to_string(),
                        line: first.key_line("status").unwrap_or(1),
                    }]),
                ),
            }
        }
    }
    dated.sort_by_key(|(_, start, _)| *start);
    for (i, (later, start, _)) in dated.iter().enumerate() {
        if let Some((earlier, _, end)) = dated[..i].iter().rev().find(|(_, _, end)| end >= start) {
            out.push(
                later
                    .finding(
                        "sprint/overlap",
                        later.value_pos("start"),
                        format!("{} starts on {start}, before {} ends ({end})", later.name(), earlier.name()),
                    )
                    .hint("sprints follow each other: start this one after the other ends")
                    .related(vec![Related {
                        path: earlier.path.to_string(),
                        line: earlier.key_line("end").unwrap_or(1),
                    }]),
            );
        }
    }
    out
}
