//! Bringing a [`Plan`] read from another tool into the product, in one transaction: items not
//! seen before are created (with the next free IDs, in the plan's order, open stories appended
//! to the backlog and open epics to the roadmap), items a previous import made (matched by
//! their `source`) get the fields the source changed, each as a one-line edit, and nothing
//! else changes. Their bodies are left as they are: after the first import they are the
//! product's to edit.
//!
//! Statuses and priorities are the source's words, mapped through `import:` in pm.yaml; the
//! first import that meets them writes that table (appended to pm.yaml, in the same
//! transaction). A word the table does not map stops the import before anything is written.

use std::collections::HashMap;

use crate::error::{Error, Location, Result};
use crate::import::{Incoming, Plan, State, Tool, guess_priority, guess_status, words};
use crate::model::config::Config;
use crate::model::frontmatter::{FieldValue, yaml_scalar};
use crate::model::id::{ItemId, Kind};
use crate::model::item::Item;
use crate::model::listfile::ListFile;
use crate::ops::add::{NewItem, file_name, render};
use crate::store::ids;
use crate::store::transaction::{CommitError, Transaction};

/// How the source's words map to the product's, and the table to write when this is the
/// first import that needs one.
#[derive(Debug, Default)]
pub struct Mapping {
    statuses: HashMap<String, String>,
    priorities: HashMap<String, String>,
    /// The `import:` block to append to pm.yaml, with what it maps (for the report).
    pub written: Option<(String, Vec<(String, String)>)>,
}

/// The mapping for `plan`: pm.yaml's `import:` table, or, when it has none, the guesses,
/// written as one. `workflow` is the source's own ordered statuses, when it has them.
pub fn mapping(config: &Config, plan: &Plan, tool: Tool, workflow: &[String], pm_yaml: &str) -> Result<Mapping> {
    let (statuses, priorities) = words(plan);
    let table = &config.import;
    let shown = std::path::Path::new("product/pm.yaml");
    // The line of `import:`'s `key:` (or of `import:`), for messages.
    let at = |key: &str| {
        let lines: Vec<&str> = pm_yaml.lines().collect();
        let import = lines.iter().position(|l| l.starts_with("import:"));
        let line = import
            .and_then(|i| {
                lines[i + 1..].iter().position(|l| l.trim_start().starts_with(&format!("{key}:"))).map(|j| i + 1 + j)
            })
            .or(import)
            .map_or(1, |i| i + 1);
        Location::new(shown, line)
    };
    let first_use = table.statuses.is_empty() && table.priorities.is_empty() && !pm_yaml.contains("\nimport:");
    if first_use && !pm_yaml.starts_with("import:") {
        let guessed_statuses: Vec<(String, Option<String>)> =
            statuses.iter().map(|s| (s.clone(), guess_status(s, config, workflow))).collect();
        let guessed_priorities: Vec<(String, Option<String>)> =
            priorities.iter().map(|p| (p.clone(), guess_priority(p, config))).collect();
        let unknown: Vec<String> =
            (guessed_statuses.iter().filter(|(_, g)| g.is_none()).map(|(s, _)| format!("status `{s}`")))
                .chain(guessed_priorities.iter().filter(|(_, g)| g.is_none()).map(|(p, _)| format!("priority `{p}`")))
                .collect();
        let block = table_block(&guessed_statuses, &guessed_priorities);
        if !unknown.is_empty() {
            let table = block.lines().skip_while(|l| !l.starts_with("import:")).collect::<Vec<_>>().join("\n");
            return Err(Error::bad_argument(format!(
                "pm cannot tell what the {} {} means here; nothing was imported",
                tool.name(),
                unknown.join(", ")
            ))
            .with_hint(format!(
                "add this table to product/pm.yaml, with one of this product's statuses ({}) or priorities ({}) for each `?`, and import again:\n{table}",
                config.statuses(Kind::Story).join(", "),
                config.priorities.join(", ")
            )));
        }
        let pairs: Vec<(String, String)> = (guessed_statuses.iter().chain(&guessed_priorities))
            .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
            .collect();
        let mut m = Mapping::default();
        for (s, g) in guessed_statuses {
            m.statuses.insert(s, g.unwrap_or_default());
        }
        for (p, g) in guessed_priorities {
            m.priorities.insert(p, g.unwrap_or_default());
        }
        if !pairs.is_empty() {
            m.written = Some((block, pairs));
        }
        return Ok(m);
    }
    let mut m = Mapping::default();
    let mut missing = Vec::new();
    for s in &statuses {
        match table.statuses.iter().find(|(k, _)| k.eq_ignore_ascii_case(s)) {
            Some((_, v)) if config.statuses(Kind::Story).contains(v) => {
                m.statuses.insert(s.clone(), v.clone());
            }
            Some((k, v)) => {
                return Err(Error::bad_file(
                    at("statuses"),
                    format!("import.statuses maps `{k}` to `{v}`, which is not a story status"),
                )
                .with_hint(format!("use one of {}", config.statuses(Kind::Story).join(", "))));
            }
            None => missing.push((s.clone(), guess_status(s, config, workflow))),
        }
    }
    let mut missing_priorities = Vec::new();
    for p in &priorities {
        match table.priorities.iter().find(|(k, _)| k.eq_ignore_ascii_case(p)) {
            Some((_, v)) if config.priorities.contains(v) => {
                m.priorities.insert(p.clone(), v.clone());
            }
            Some((k, v)) => {
                return Err(Error::bad_file(
                    at("priorities"),
                    format!("import.priorities maps `{k}` to `{v}`, which is not a priority"),
                )
                .with_hint(format!("use one of {}", config.priorities.join(", "))));
            }
            None => missing_priorities.push((p.clone(), guess_priority(p, config))),
        }
    }
    if !missing.is_empty() || !missing_priorities.is_empty() {
        let (key, what, pairs) = if missing.is_empty() {
            ("priorities", "priority", &missing_priorities)
        } else {
            ("statuses", "status", &missing)
        };
        let words: Vec<String> = pairs.iter().map(|(w, _)| format!("`{w}`")).collect();
        let lines: Vec<String> =
            pairs.iter().map(|(w, g)| format!("    {}: {}", yaml_scalar(w), g.as_deref().unwrap_or("?"))).collect();
        let allowed =
            if key == "statuses" { config.statuses(Kind::Story).join(", ") } else { config.priorities.join(", ") };
        return Err(Error::bad_file(
            at(key),
            format!(
                "the {} {what} {} is not in import.{key} of pm.yaml; nothing was imported",
                tool.name(),
                words.join(", ")
            ),
        )
        .with_hint(format!(
            "add {} under `import:` > `{key}:` ({allowed}; replace any `?`), then import again:\n{}",
            if lines.len() == 1 { "this line" } else { "these lines" },
            lines.join("\n")
        )));
    }
    Ok(m)
}

/// The `import:` block of pm.yaml for these words (a `?` where there is no guess).
fn table_block(statuses: &[(String, Option<String>)], priorities: &[(String, Option<String>)]) -> String {
    let mut out = String::from(
        "\n# How pm import maps another tool's words to this product's (docs/import.md);\n# pm import wrote it, and reads it on every import.\nimport:\n",
    );
    for (key, pairs) in [("statuses", statuses), ("priorities", priorities)] {
        if pairs.is_empty() {
            continue;
        }
        out.push_str(&format!("  {key}:\n"));
        for (word, to) in pairs {
            out.push_str(&format!("    {}: {}\n", yaml_scalar(word), to.as_deref().unwrap_or("?")));
        }
    }
    out
}

/// What an import did, or would do.
#[derive(Debug, Default)]
pub struct Report {
    /// Items made: kind, ID, source key, title.
    pub created: Vec<(Kind, ItemId, String, String)>,
    /// Items a previous import made whose source changed: ID, source key, the changes.
    pub updated: Vec<(ItemId, String, Vec<String>)>,
    pub unchanged: usize,
    /// Stories without criteria among the created ones.
    pub without_criteria: Vec<ItemId>,
    /// What the source says that the product keeps as it is, and why.
    pub notes: Vec<String>,
}

/// The points the source gives, on the product's scale, or the problem.
fn points(config: &Config, item: &Incoming) -> std::result::Result<Option<u64>, String> {
    let Some(raw) = item.points.as_deref().map(str::trim).filter(|p| !p.is_empty()) else { return Ok(None) };
    let value: f64 = raw.parse().map_err(|_| format!("{}: `{raw}` is not a number of points", item.key))?;
    let whole = value.round();
    if (value - whole).abs() > 1e-9 || whole < 0.0 || !config.points.contains(&(whole as u64)) {
        return Err(format!("{}: {raw} points", item.key));
    }
    Ok(Some(whole as u64))
}

/// The status an incoming item takes, as a `kind` item of this product.
fn status(config: &Config, mapping: &Mapping, kind: Kind, state: &State) -> String {
    let statuses = config.statuses(kind);
    let story = match state {
        State::Open => return config.default_status(kind).to_string(),
        State::Closed { dropped: false } => config.finished.first().cloned().unwrap_or_else(|| "done".into()),
        State::Closed { dropped: true } => (config.statuses(Kind::Story).iter())
            .find(|s| config.is_closed(s) && !config.is_finished(s))
            .cloned()
            .unwrap_or_else(|| "dropped".into()),
        State::Named(word) => mapping.statuses.get(word).cloned().unwrap_or_default(),
    };
    if kind == Kind::Story {
        return story;
    }
    // An epic or sprint: the story status's meaning in the kind's own statuses.
    let pick = |names: &[&str]| names.iter().find_map(|n| statuses.iter().find(|s| s == n).cloned());
    let closed_one = || statuses.iter().find(|s| config.is_closed(s)).cloned();
    if config.is_finished(&story) {
        pick(&["done", "closed"]).or_else(closed_one)
    } else if config.is_closed(&story) {
        pick(&["dropped"]).or_else(closed_one)
    } else if config.is_started(&story) {
        pick(&["active"])
    } else {
        None
    }
    .unwrap_or_else(|| config.default_status(kind).to_string())
}

/// A sprint's status from its dates: closed once over, active while today is in it.
fn sprint_status(config: &Config, start: Option<jiff::civil::Date>, end: Option<jiff::civil::Date>) -> String {
    let (planned, active, closed) = config.sprint_states();
    let today = crate::model::date::today();
    match (start, end) {
        (_, Some(e)) if e < today => closed,
        (Some(s), Some(_)) if s <= today => active,
        _ => planned,
    }
    .to_string()
}

/// Import `plan` in `tx`; with `write` false, only say what would change.
pub fn import(tx: &mut Transaction, plan: &Plan, mapping: &Mapping, write: bool) -> Result<Report> {
    let product = tx.product();
    let config = &product.config;
    let existing = product.load_all()?;
    let mut by_source: HashMap<String, &Item> = HashMap::new();
    for item in &existing.all {
        if let Some(s) = item.get("source") {
            by_source.entry(s).or_insert(item);
        }
    }
    // Points off the scale stop the import: rounding or dropping them would change estimates.
    let off: Vec<String> = plan.items.iter().filter_map(|i| points(config, i).err()).collect();
    if !off.is_empty() {
        let scale = config.points.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
        return Err(Error::bad_argument(format!(
            "{} not on this product's points scale ({scale}): {}; nothing was imported",
            if off.len() == 1 { "one estimate is" } else { "some estimates are" },
            off.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
        ))
        .with_hint("add those values to `points:` in product/pm.yaml, or change the estimates in the source, then import again"));
    }
    // IDs: a previous import's, else the next free ones, in the plan's order.
    let mut next: HashMap<Kind, u64> = HashMap::new();
    let mut id_of: HashMap<&str, ItemId> = HashMap::new();
    let mut new_ones: Vec<&Incoming> = Vec::new();
    let mut report = Report::default();
    for item in &plan.items {
        let kind = item.kind.unwrap_or(Kind::Story);
        if let Some(found) = by_source.get(&item.key) {
            if found.kind == kind {
                id_of.insert(&item.key, found.id.clone());
            } else {
                report.notes.push(format!(
                    "{} is {} in the source but {} here ({}); left as it is",
                    item.key,
                    kind.with_article(),
                    found.kind.with_article(),
                    found.id
                ));
            }
            continue;
        }
        let n = match next.get(&kind) {
            Some(n) => *n,
            None => ids::highest_in_use(product, kind)? + 1,
        };
        next.insert(kind, n + 1);
        id_of.insert(&item.key, ItemId::new(config.prefix(kind), n));
        new_ones.push(item);
    }
    let link = |key: &Option<String>| key.as_ref().and_then(|k| id_of.get(k.as_str())).map(|i| i.to_string());
    let mut backlog_lines: Vec<String> = Vec::new();
    let mut roadmap_lines: Vec<(&'static str, String)> = Vec::new();
    for item in &new_ones {
        let kind = item.kind.unwrap_or(Kind::Story);
        let id = id_of[item.key.as_str()].clone();
        let status = match kind {
            Kind::Sprint => sprint_status(config, item.start, item.end),
            _ => status(config, mapping, kind, item.state.as_ref().unwrap_or(&State::Open)),
        };
        let new = NewItem {
            title: item.title.clone(),
            status: Some(status.clone()),
            owner: item.owner.clone(),
            labels: item.labels.clone(),
            epic: link(&item.epic),
            sprint: link(&item.sprint),
            priority: item.priority.as_ref().and_then(|p| mapping.priorities.get(p)).cloned(),
            depends_on: item.depends_on.iter().filter_map(|d| id_of.get(d.as_str())).map(|i| i.to_string()).collect(),
            start: item.start.map(|d| d.to_string()),
            end: item.end.map(|d| d.to_string()),
            target: item.target.map(|d| d.to_string()),
            source: Some(item.key.clone()),
            body: Some(item.body.clone()),
            extra: item.extra.clone(),
            ..NewItem::default()
        };
        let points = points(config, item).unwrap_or(None);
        let text = render(config, kind, &id, &item.title, &status, points, &new, false);
        let path = product.root.join(kind.folder()).join(file_name(&id, &item.title));
        let parsed = Item::parse(text.clone(), path.clone(), product.rel(&path), product.shown(&path), config)
            .map_err(|e| Error::bad_argument(format!("{} would not read back as {id}: {e}", item.key)))?;
        if kind == Kind::Story && parsed.criteria.items.is_empty() {
            report.without_criteria.push(id.clone());
        }
        if !config.is_closed(&status) {
            let line = ListFile::entry_line(&id.to_string(), &parsed.rel, &parsed.title);
            match kind {
                Kind::Story => backlog_lines.push(line),
                Kind::Epic => roadmap_lines
                    .push((if config.is_started(&status) || status == "active" { "Now" } else { "Later" }, line)),
                _ => {}
            }
        }
        tx.create(&path, text);
        report.created.push((kind, id, item.key.clone(), item.title.clone()));
    }
    // What changed in the source since the previous import.
    for item in &plan.items {
        let Some(found) = by_source.get(&item.key).filter(|f| Some(f.kind) == item.kind) else { continue };
        let kind = found.kind;
        let mut edits: Vec<(String, FieldValue)> = Vec::new();
        let mut said: Vec<String> = Vec::new();
        let mut compare = |key: &str, now: Option<String>, want: Option<String>, value: FieldValue| {
            if now != want {
                said.push(format!(
                    "{key}: {} -> {}",
                    now.as_deref().unwrap_or("(none)"),
                    want.as_deref().unwrap_or("(none)")
                ));
                edits.push((key.to_string(), if want.is_none() { FieldValue::Remove } else { value }));
            }
        };
        compare(
            "title",
            Some(found.title.clone()),
            Some(item.title.clone()),
            FieldValue::Scalar(yaml_scalar(&item.title)),
        );
        let want_status = match kind {
            Kind::Sprint => sprint_status(config, item.start, item.end),
            _ => status(config, mapping, kind, item.state.as_ref().unwrap_or(&State::Open)),
        };
        compare(
            "status",
            Some(found.status.clone()),
            Some(want_status.clone()),
            FieldValue::Scalar(yaml_scalar(&want_status)),
        );
        let one = |v: Option<String>| v.map(|v| FieldValue::Scalar(yaml_scalar(&v))).unwrap_or(FieldValue::Remove);
        compare("owner", found.owner(), item.owner.clone(), one(item.owner.clone()));
        let labels = |l: &[String]| if l.is_empty() { None } else { Some(format!("[{}]", l.join(", "))) };
        compare("labels", labels(&found.labels()), labels(&item.labels), FieldValue::List(item.labels.clone()));
        if kind == Kind::Story {
            let epic = link(&item.epic);
            compare("epic", found.epic(), epic.clone(), one(epic));
            let sprint = link(&item.sprint);
            compare("sprint", found.sprint(), sprint.clone(), one(sprint));
            let priority = item.priority.as_ref().and_then(|p| mapping.priorities.get(p)).cloned();
            compare("priority", found.priority(), priority.clone(), one(priority));
            let want = points(config, item).unwrap_or(None).map(|p| p.to_string());
            compare("points", found.points_or_none().map(|p| p.to_string()), want.clone(), one(want));
            let deps: Vec<String> =
                item.depends_on.iter().filter_map(|d| id_of.get(d.as_str())).map(|i| i.to_string()).collect();
            compare("depends_on", labels(&found.depends_on()), labels(&deps), FieldValue::List(deps.clone()));
        }
        for (key, value) in &item.extra {
            compare(key, found.get(key), Some(value.clone()), FieldValue::Scalar(yaml_scalar(value)));
        }
        if edits.is_empty() {
            report.unchanged += 1;
            continue;
        }
        crate::ops::set::stage_set(tx, (*found).clone(), &edits)?;
        report.updated.push((found.id.clone(), item.key.clone(), said));
    }
    if !backlog_lines.is_empty() {
        append(tx, &product.backlog_path(), Kind::Story, backlog_lines.into_iter().map(|l| ("", l)).collect())?;
    }
    if !roadmap_lines.is_empty() {
        append(tx, &product.roadmap_path(), Kind::Epic, roadmap_lines)?;
    }
    if write {
        tx.commit().map_err(|e| match e {
            CommitError::Exists(path) => Error::bad_argument(format!(
                "{} was made while the import ran; nothing was imported",
                product.shown(&path).display()
            ))
            .with_hint("run the import again"),
            CommitError::Other(e) => e,
        })?;
    }
    Ok(report)
}

/// Append entry lines to a list (stories at the end; epics at the end of their horizon),
/// read and written once.
fn append(tx: &mut Transaction, path: &std::path::Path, kind: Kind, lines: Vec<(&str, String)>) -> Result<()> {
    let mut list = tx.read_list(path)?;
    if list.text().is_empty() {
        list = ListFile::parse(&if kind == Kind::Story { ListFile::new_backlog() } else { ListFile::new_roadmap() });
    }
    let mut horizons: Vec<&str> = Vec::new();
    for (h, _) in &lines {
        if !horizons.contains(h) {
            horizons.push(h);
        }
    }
    for horizon in horizons {
        let these: Vec<String> = lines.iter().filter(|(h, _)| *h == horizon).map(|(_, l)| l.clone()).collect();
        list.append_entries((kind != Kind::Story).then_some(horizon), &these);
    }
    tx.write(path, list.text());
    Ok(())
}
