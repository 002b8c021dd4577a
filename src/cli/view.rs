//! Shared views of items for listing commands: table rows and JSON objects.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::model::item::{Item, value_json};
use crate::store::product::{Items, Product};

/// 1-based backlog rank (stories) or roadmap position (epics), by ID.
pub fn ranks(product: &Product) -> crate::error::Result<HashMap<String, usize>> {
    let mut out = HashMap::new();
    for (i, e) in product.read_list(&product.backlog_path())?.entries().into_iter().enumerate() {
        out.entry(e.id).or_insert(i + 1);
    }
    Ok(out)
}

/// Roadmap horizon of each epic.
pub fn horizons(product: &Product) -> crate::error::Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for e in product.read_list(&product.roadmap_path())?.entries() {
        if let Some(s) = e.section {
            out.entry(e.id).or_insert(s);
        }
    }
    Ok(out)
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

/// Stories of an epic, and (done, total) counts of stories and points, dropped ones excluded.
pub fn epic_progress(items: &Items, epic: &str) -> (usize, usize, u64, u64) {
    let mut out = (0, 0, 0, 0);
    for s in items.of_kind(crate::model::id::Kind::Story).filter(|s| s.epic().as_deref() == Some(epic)) {
        if s.status == "dropped" {
            continue;
        }
        let pts = s.points_or_none().unwrap_or(0);
        out.1 += 1;
        out.3 += pts;
        if s.status == "done" {
            out.0 += 1;
            out.2 += pts;
        }
    }
    out
}
