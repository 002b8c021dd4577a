//! Shared views of items for listing commands: table rows and JSON objects.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::cli::Ctx;
use crate::error::Error;
pub use crate::history::View;
use crate::model::id::Kind;
use crate::model::item::{Item, value_json};
use crate::model::listfile::ListFile;
use crate::store::product::{Items, Product};

/// 1-based backlog rank (stories) or roadmap position (epics), by ID.
pub fn ranks(product: &Product) -> crate::error::Result<HashMap<String, usize>> {
    Ok(ranks_in(&product.read_list(&product.backlog_path())?))
}

/// 1-based backlog rank of each story in a backlog list.
pub fn ranks_in(list: &ListFile) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for (i, e) in list.entries().into_iter().enumerate() {
        out.entry(e.id).or_insert(i + 1);
    }
    out
}

/// Roadmap horizon of each epic in a roadmap list.
pub fn horizons_in(list: &ListFile) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in list.entries() {
        if let Some(s) = e.section {
            out.entry(e.id).or_insert(s);
        }
    }
    out
}

/// The product now, or with `--at` as it was at a revision or date (read from git), with a
/// note on stderr naming the commit read and any file that could not be read there.
pub fn load_view(ctx: &Ctx, at: Option<&str>) -> crate::error::Result<View> {
    let view = View::load(ctx.product()?, at)?;
    if let Some((commit, errors)) = &view.at {
        for e in errors {
            ctx.warn(&format!("at {commit}: {e} (left out)"));
        }
    }
    ctx.warn_duplicates(&view.items);
    Ok(view)
}

/// An item of `kind` in a view read with `--at`, or an error naming the revision.
pub fn get_at(view: &View, text: &str, kind: Kind) -> crate::error::Result<Item> {
    if let Some(item) = view.items.get(text).filter(|i| i.kind == kind) {
        return Ok(item.clone());
    }
    let known: Vec<String> = view.items.of_kind(kind).map(|i| i.id.to_string()).collect();
    Err(Error::UnknownId {
        kind: kind.name().into(),
        id: text.into(),
        suggestion: crate::error::did_you_mean(text, known.iter().map(String::as_str)),
    })
}

pub fn opt(v: Option<String>) -> String {
    v.unwrap_or_default()
}

/// `accepted/total` of a story's criteria.
pub fn ac_summary(item: &Item) -> String {
    format!("{}/{}", item.criteria.accepted(), item.criteria.items.len())
}

/// The JSON object of an item, as `list --format json` and `show --format json` print it.
pub fn item_json(product: &Product, item: &Item, rank: Option<usize>) -> Value {
    let fields: serde_json::Map<String, Value> =
        item.fields.iter().filter_map(|(k, v)| Some((crate::model::item::scalar_string(k)?, value_json(v)))).collect();
    let mut obj = json!({
        "id": item.id.to_string(),
        "kind": item.kind,
        "title": item.title,
        "status": item.status,
        "path": product.shown(&item.path).to_string_lossy(),
        "owner": item.owner(),
        "labels": item.labels(),
    });
    let map = obj.as_object_mut().expect("object");
    match item.kind {
        crate::model::id::Kind::Story => {
            map.insert("epic".into(), json!(item.epic()));
            map.insert("priority".into(), json!(item.priority()));
            map.insert("points".into(), json!(item.points_or_none()));
            map.insert("depends_on".into(), json!(item.depends_on()));
            map.insert("rank".into(), json!(rank));
            map.insert(
                "criteria".into(),
                json!({"accepted": item.criteria.accepted(), "total": item.criteria.items.len()}),
            );
        }
        crate::model::id::Kind::Epic => {
            map.insert("vision".into(), json!(item.vision()));
        }
        crate::model::id::Kind::Vision => {
            map.insert("metrics".into(), json!(item.metrics()));
        }
    }
    map.insert("fields".into(), Value::Object(fields));
    obj
}

/// Stories of an epic, and (done, total) counts of stories and points. "Done" is the first
/// status of `closed` in pm.yaml (`done` by default); the other closing statuses (`dropped`)
/// leave the count.
pub fn epic_progress(config: &crate::model::config::Config, items: &Items, epic: &str) -> (usize, usize, u64, u64) {
    let done = config.closed.first().map(String::as_str).unwrap_or("done");
    let mut out = (0, 0, 0, 0);
    for s in items.of_kind(crate::model::id::Kind::Story).filter(|s| s.epic().as_deref() == Some(epic)) {
        if config.is_closed(&s.status) && s.status != done {
            continue;
        }
        let pts = s.points_or_none().unwrap_or(0);
        out.1 += 1;
        out.3 += pts;
        if s.status == done {
            out.0 += 1;
            out.2 += pts;
        }
    }
    out
}
