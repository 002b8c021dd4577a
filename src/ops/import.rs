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

use std::collections::{BTreeMap, HashMap};

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
        // The source's own statuses (Backlog.md's config.yml) too: a status no task has yet
        // would otherwise stop the import that first meets it.
        let mut all = statuses.clone();
        for w in workflow {
            if !all.iter().any(|s| s.eq_ignore_ascii_case(w)) {
                all.push(w.clone());
            }
        }
        let guessed_statuses: Vec<(String, Option<String>)> =
            all.iter().map(|s| (s.clone(), guess_status(s, config, workflow))).collect();
        let guessed_priorities: Vec<(String, Option<String>)> =
            priorities.iter().map(|p| (p.clone(), guess_priority(p, config))).collect();
        let unknown: Vec<String> =
            (guessed_statuses.iter().filter(|(_, g)| g.is_none()).map(|(s, _)| format!("status `{s}`")))
                .chain(guessed_priorities.iter().filter(|(_, g)| g.is_none()).map(|(p, _)| format!("priority `{p}`")))
                .collect();
        let block = table_block(config, &guessed_statuses, &guessed_priorities);
        if !unknown.is_empty() {
            let table = block.lines().skip_while(|l| !l.starts_with("import:")).collect::<Vec<_>>().join("\n");
            return Err(Error::bad_argument(format!(
                "pm cannot tell what the {} {} means here; nothing was imported",
                tool.name(),
                unknown.join(", ")
            ))
            .with_hint(format!(
                "add this table to product/pm.yaml, fill in each empty value, and import again:\n{table}"
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
        let mut said = Vec::new();
        let mut lines = Vec::new();
        for (key, what, pairs) in [("statuses", "status", &missing), ("priorities", "priority", &missing_priorities)] {
            if pairs.is_empty() {
                continue;
            }
            let words: Vec<String> = pairs.iter().map(|(w, _)| format!("`{w}`")).collect();
            let (noun, verb) = if pairs.len() == 1 { (what.to_string(), "is") } else { (key.to_string(), "are") };
            said.push(format!("the {} {noun} {} {verb} not in import.{key}", tool.name(), words.join(", ")));
            // Under the key the table has, or with the key when it has none (a second
            // `statuses:` would be a duplicate key).
            if !table_has(pm_yaml, key) {
                lines.push(format!("  {key}:"));
            }
            lines.extend(pairs.iter().map(|(w, g)| entry(w, g.as_deref(), config, key)));
        }
        let key = if missing.is_empty() { "priorities" } else { "statuses" };
        return Err(Error::bad_file(at(key), format!("{} of pm.yaml; nothing was imported", said.join(", and ")))
            .with_hint(format!(
                "add to the `import:` table of pm.yaml, each line under its `statuses:` or `priorities:` (fill in any empty value), then import again:\n{}",
                lines.join("\n")
            )));
    }
    Ok(m)
}

/// Whether pm.yaml's `import:` table has the key `key` (`statuses:` or `priorities:`).
fn table_has(pm_yaml: &str, key: &str) -> bool {
    let mut inside = false;
    for line in pm_yaml.lines() {
        if line.starts_with("import:") {
            inside = true;
        } else if inside && !line.starts_with([' ', '\t', '#']) && !line.trim().is_empty() {
            inside = false;
        } else if inside && line.trim_start().starts_with(&format!("{key}:")) {
            return true;
        }
    }
    false
}

/// One line of the table: the word, its guess, or an empty value with the choices beside it.
fn entry(word: &str, guess: Option<&str>, config: &Config, key: &str) -> String {
    match guess {
        Some(g) => format!("    {}: {g}", yaml_scalar(word)),
        None => {
            let allowed =
                if key == "statuses" { config.statuses(Kind::Story).join(", ") } else { config.priorities.join(", ") };
            format!("    {}: \"\"   # one of {allowed}", yaml_scalar(word))
        }
    }
}

/// The `import:` block of pm.yaml for these words (an empty value where there is no guess).
fn table_block(
    config: &Config,
    statuses: &[(String, Option<String>)],
    priorities: &[(String, Option<String>)],
) -> String {
    let mut out = String::from(
        "\n# How pm import maps another tool's words to this product's (docs/import.md);\n# pm import wrote it, and reads it on every import.\nimport:\n",
    );
    for (key, pairs) in [("statuses", statuses), ("priorities", priorities)] {
        if pairs.is_empty() {
            continue;
        }
        out.push_str(&format!("  {key}:\n"));
        for (word, to) in pairs {
            out.push_str(&entry(word, to.as_deref(), config, key));
            out.push('\n');
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

/// Where `pm import` records, per tool, what each item's fields were at the last import
/// (`product/.import/github.json`): a folder pm's readers skip, committed with the product.
pub const STATE_FOLDER: &str = ".import";

/// What the last import of one tool set each item's fields to, by source key, and a
/// fingerprint of the body it came with.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Recorded {
    format: u32,
    items: BTreeMap<String, BTreeMap<String, Option<String>>>,
}

impl Recorded {
    fn read(path: &std::path::Path, product: &crate::store::product::Product) -> Result<Recorded> {
        let Ok(text) = std::fs::read_to_string(path) else { return Ok(Recorded { format: 1, ..Recorded::default() }) };
        let mut r: Recorded = serde_json::from_str(&text).map_err(|e| {
            Error::bad_file(
                Location::new(product.shown(path), e.line()),
                format!("cannot read what the last import recorded: {e}"),
            )
            .with_hint("delete the file: the next import then compares the source with the product's values")
        })?;
        r.format = 1;
        Ok(r)
    }
}

impl Recorded {
    /// The file's text: one line per item, in key order, so that a re-import's diff is one
    /// changed line per changed item.
    fn text(&self) -> String {
        let mut out = String::from("{\"format\": 1, \"items\": {\n");
        for (i, (key, fields)) in self.items.iter().enumerate() {
            let key = serde_json::to_string(key).unwrap_or_default();
            let fields = serde_json::to_string(fields).unwrap_or_default();
            out.push_str(&format!("{key}: {fields}{}\n", if i + 1 < self.items.len() { "," } else { "" }));
        }
        out.push_str("}}\n");
        out
    }
}

/// A short fingerprint of a body, to tell whether the source's changed.
fn fingerprint(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The fields an import sets from the source: each key, its value as compared, and the edit
/// that writes it.
fn wanted(
    config: &Config,
    mapping: &Mapping,
    (id_of, unmatched): (&HashMap<&str, ItemId>, &std::collections::HashSet<&str>),
    item: &Incoming,
    kind: Kind,
) -> Vec<(String, Option<String>, FieldValue)> {
    // A link to an item left as it is (another kind here, or deleted here) is not the
    // source's change: the field is left out, not emptied.
    let kept = |key: &Option<String>| key.as_deref().is_some_and(|k| unmatched.contains(k));
    let link = |key: &Option<String>| key.as_ref().and_then(|k| id_of.get(k.as_str())).map(|i| i.to_string());
    let one = |v: Option<String>| {
        let edit = v.as_ref().map(|v| FieldValue::Scalar(yaml_scalar(v))).unwrap_or(FieldValue::Remove);
        (v, edit)
    };
    let list = |l: Vec<String>| {
        let text = if l.is_empty() { None } else { Some(format!("[{}]", l.join(", "))) };
        (text, FieldValue::List(l))
    };
    let status = match kind {
        Kind::Sprint => sprint_status(config, item.start, item.end),
        _ => status(config, mapping, kind, item.state.as_ref().unwrap_or(&State::Open)),
    };
    let mut out: Vec<(&str, (Option<String>, FieldValue))> = vec![
        ("title", one(Some(item.title.clone()))),
        ("owner", one(item.owner.clone())),
        ("labels", list(item.labels.clone())),
    ];
    // A sprint's status follows its dates when it is made; after that, `pm sprint start` and
    // `close` own it (the clock is not a change in the source).
    if kind != Kind::Sprint {
        out.insert(1, ("status", one(Some(status))));
    }
    if kind == Kind::Story {
        if !kept(&item.epic) {
            out.push(("epic", one(link(&item.epic))));
        }
        if !kept(&item.sprint) {
            out.push(("sprint", one(link(&item.sprint))));
        }
        out.push(("priority", one(item.priority.as_ref().and_then(|p| mapping.priorities.get(p)).cloned())));
        out.push(("points", one(points(config, item).unwrap_or(None).map(|p| p.to_string()))));
        if !item.depends_on.iter().any(|d| unmatched.contains(d.as_str())) {
            let deps = item.depends_on.iter().filter_map(|d| id_of.get(d.as_str())).map(|i| i.to_string()).collect();
            out.push(("depends_on", list(deps)));
        }
    }
    let mut out: Vec<(String, Option<String>, FieldValue)> =
        out.into_iter().map(|(k, (v, e))| (k.to_string(), v, e)).collect();
    for (key, value) in &item.extra {
        out.push((key.clone(), Some(value.clone()), FieldValue::Scalar(yaml_scalar(value))));
    }
    out
}

/// An item's value of a field [`wanted`] sets, as compared.
fn current(item: &Item, key: &str) -> Option<String> {
    let list = |l: Vec<String>| if l.is_empty() { None } else { Some(format!("[{}]", l.join(", "))) };
    match key {
        "title" => Some(item.title.clone()),
        "status" => Some(item.status.clone()),
        "labels" => list(item.labels()),
        "depends_on" => list(item.depends_on()),
        "points" => item.points_or_none().map(|p| p.to_string()),
        other => item.get(other),
    }
}

/// The points the source gives, on the product's scale, or the problem.
fn points(config: &Config, item: &Incoming) -> std::result::Result<Option<u64>, String> {
    let Some(raw) = item.points.as_deref().map(str::trim).filter(|p| !p.is_empty()) else { return Ok(None) };
    let value: f64 = (raw.parse().ok())
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("{}: `{raw}` is not a number of points", item.key))?;
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
pub fn import(tx: &mut Transaction, plan: &Plan, tool: Tool, mapping: &Mapping, write: bool) -> Result<Report> {
    let product = tx.product();
    let config = &product.config;
    let existing = product.load_all()?;
    let recorded = Recorded::read(&product.root.join(STATE_FOLDER).join(format!("{}.json", tool.name())), product)?;
    let mut next_record = Recorded::default();
    let mut by_source: HashMap<String, &Item> = HashMap::new();
    // Feedback's `source` is where it was heard, never an import's key.
    for item in existing.all.iter().filter(|i| matches!(i.kind, Kind::Story | Kind::Epic | Kind::Sprint)) {
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
    // Keys whose item here is of another kind: links to them are left as they are.
    let mut unmatched: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut lines: HashMap<&str, usize> = HashMap::new();
    for item in &plan.items {
        if let Some(first) = lines.insert(&item.key, item.line) {
            return Err(Error::bad_argument(format!(
                "{} is in the export twice (lines {first} and {}); nothing was imported",
                item.key, item.line
            ))
            .with_hint("export again, or remove one of the two"));
        }
    }
    // Milestones made sprints before and epics now (or the other way): every story's link
    // would move. Refused: the mode is the first import's.
    if let Some((item, found)) = (plan.items.iter())
        .filter(|i| i.key.starts_with("github-milestone"))
        .find_map(|i| by_source.get(&i.key).filter(|f| Some(f.kind) != i.kind).map(|f| (i, f)))
    {
        let flag = if found.kind == Kind::Sprint { "sprints" } else { "epics" };
        return Err(Error::bad_argument(format!(
            "the milestone {} was imported as {} ({}); nothing was imported",
            item.key,
            found.kind.with_article(),
            found.id
        ))
        .with_hint(format!("import with --milestones-as {flag}, as before")));
    }
    for item in &plan.items {
        let kind = item.kind.unwrap_or(Kind::Story);
        if let Some(found) = by_source.get(&item.key) {
            if found.kind == kind {
                id_of.insert(&item.key, found.id.clone());
            } else {
                unmatched.insert(&item.key);
                report.notes.push(format!(
                    "{} is {} in the source but {} here ({}); left as it is, with its links (pm cannot change an item's kind: make the new one by hand)",
                    item.key,
                    kind.with_article(),
                    found.kind.with_article(),
                    found.id
                ));
            }
            continue;
        }
        if recorded.items.contains_key(&item.key) {
            unmatched.insert(&item.key);
            report.notes.push(format!(
                "{} was imported before and its item deleted here; not made again (delete its line in {}/{}.json to import it anew)",
                item.key,
                STATE_FOLDER,
                tool.name()
            ));
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
    // What changed in the source since the previous import. A field is set from the source
    // only when the source's value differs from what the last import recorded: a value changed
    // in pm since, while the source kept its own, stays pm's.
    let keys: std::collections::HashSet<&str> = plan.items.iter().map(|i| i.key.as_str()).collect();
    let mut relisted: Vec<Item> = Vec::new();
    for item in &plan.items {
        let kind = item.kind.unwrap_or(Kind::Story);
        let wants = wanted(config, mapping, (&id_of, &unmatched), item, kind);
        let body = fingerprint(&item.body);
        let last = recorded.items.get(&item.key);
        let mut record: BTreeMap<String, Option<String>> =
            wants.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect();
        record.insert("body".into(), Some(body.clone()));
        let Some(found) = by_source.get(&item.key).filter(|f| f.kind == kind) else {
            if id_of.contains_key(item.key.as_str()) {
                next_record.items.insert(item.key.clone(), record);
            } else if let Some(r) = recorded.items.get(&item.key) {
                next_record.items.insert(item.key.clone(), r.clone());
            }
            continue;
        };
        let mut edits: Vec<(String, FieldValue)> = Vec::new();
        let mut said: Vec<String> = Vec::new();
        for (key, want, value) in wants {
            let now = current(found, &key);
            let source_changed = last.is_none_or(|l| l.get(&key) != Some(&want));
            if now != want && source_changed {
                said.push(format!(
                    "{key}: {} -> {}",
                    now.as_deref().unwrap_or("(none)"),
                    want.as_deref().unwrap_or("(none)")
                ));
                edits.push((key, if want.is_none() { FieldValue::Remove } else { value }));
            }
        }
        if last.is_some_and(|l| l.get("body") != Some(&Some(body.clone()))) {
            report.notes.push(format!(
                "{}: its description or criteria changed in {} since the last import; the body is the product's after the first import and stays as it is (edit it with pm {} edit {})",
                found.id, item.key, kind, found.id
            ));
        }
        next_record.items.insert(item.key.clone(), record);
        if edits.is_empty() {
            report.unchanged += 1;
            continue;
        }
        // The item alone; its backlog or roadmap line follows below, for all items in one pass.
        let changed = crate::ops::set::stage_item(tx, (*found).clone(), &edits)?;
        relisted.push(changed.after);
        report.updated.push((found.id.clone(), item.key.clone(), said));
    }
    // Items an earlier import of this tool made that this export no longer has.
    let mut gone: Vec<(&ItemId, &str)> = (by_source.iter())
        .filter(|(key, _)| tool.owns(key) && !keys.contains(key.as_str()))
        .map(|(key, item)| (&item.id, key.as_str()))
        .collect();
    gone.sort();
    if !gone.is_empty() {
        let list: Vec<String> = gone.iter().take(10).map(|(id, key)| format!("{id} ({key})")).collect();
        report.notes.push(format!(
            "{} an earlier import made {} not in this export: {}{}; left as {} (close what was deleted with pm story drop)",
            if gone.len() == 1 { "one item" } else { "some items" },
            if gone.len() == 1 { "is" } else { "are" },
            list.join(", "),
            if gone.len() > 10 { format!(" and {} more", gone.len() - 10) } else { String::new() },
            if gone.len() == 1 { "it is" } else { "they are" }
        ));
        for (_, key) in &gone {
            if let Some(r) = recorded.items.get(*key) {
                next_record.items.insert(key.to_string(), r.clone());
            }
        }
    }
    let state = product.root.join(STATE_FOLDER).join(format!("{}.json", tool.name()));
    let text = next_record.text();
    if std::fs::read_to_string(&state).ok().as_deref() != Some(text.as_str()) {
        tx.write(&state, text);
    }
    // Updated items' lines: a closed one leaves its list, a retitled one gets its new title,
    // a reopened one joins the bottom (of Later, for an epic).
    for (kind, path) in [(Kind::Story, product.backlog_path()), (Kind::Epic, product.roadmap_path())] {
        let mine: Vec<&Item> = relisted.iter().filter(|i| i.kind == kind).collect();
        if mine.is_empty() {
            continue;
        }
        let mut list = tx.read_list(&path)?;
        let listed: HashMap<String, (String, String)> =
            list.entries().into_iter().map(|e| (e.id, (e.title, e.link))).collect();
        let mut leave = std::collections::HashSet::new();
        let mut retitle = HashMap::new();
        for i in &mine {
            let id = i.id.to_string();
            if config.is_closed(&i.status) {
                leave.insert(id);
            } else if let Some((title, link)) = listed.get(&id) {
                if *title != i.title || *link != i.rel {
                    retitle.insert(id, ListFile::entry_line(&i.id.to_string(), &i.rel, &i.title));
                }
            } else {
                let line = ListFile::entry_line(&id, &i.rel, &i.title);
                match kind {
                    Kind::Story => backlog_lines.push(line),
                    _ => roadmap_lines.push(("Later", line)),
                }
            }
        }
        let before = list.text();
        list.rewrite_entries(&leave, &retitle);
        if list.text() != before {
            tx.write(&path, list.text());
        }
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
