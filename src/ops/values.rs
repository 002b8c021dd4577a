//! Checking field values the user gives on the command line before anything is written.

use crate::error::{Error, Result, did_you_mean};
use crate::model::frontmatter::{FieldValue, yaml_flow_list, yaml_scalar};
use crate::model::id::{ItemId, Kind};
use crate::model::item::{self, Item};
use crate::store::product::Product;

fn one_of(what: &str, value: &str, allowed: &[String], setting: &str) -> Result<()> {
    if allowed.iter().any(|a| a == value) {
        return Ok(());
    }
    let mut e = Error::bad_argument(format!("unknown {what} `{value}`"));
    let list = allowed.join(", ");
    e = match did_you_mean(value, allowed.iter().map(String::as_str)) {
        Some(s) => e.with_hint(format!("did you mean `{s}`? Allowed: {list} (set `{setting}` in pm.yaml)")),
        None => e.with_hint(format!("allowed: {list} (set `{setting}` in pm.yaml)")),
    };
    Err(e)
}

pub fn status(product: &Product, kind: Kind, value: &str) -> Result<()> {
    one_of(&format!("{kind} status"), value, product.config.statuses(kind), &format!("statuses.{kind}"))
}

pub fn priority(product: &Product, value: &str) -> Result<()> {
    one_of("priority", value, &product.config.priorities, "priorities")
}

pub fn points(product: &Product, value: &str) -> Result<u64> {
    let scale = &product.config.points;
    let list = scale.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
    let n: u64 = value.trim().parse().map_err(|_| {
        Error::bad_argument(format!("points `{value}` is not a whole number")).with_hint(format!("allowed: {list}"))
    })?;
    if !scale.contains(&n) {
        let nearest = scale.iter().min_by_key(|p| p.abs_diff(n)).map(|p| format!("the nearest is {p}; "));
        return Err(Error::bad_argument(format!("{n} points is not on the scale"))
            .with_hint(format!("{}allowed: {list} (set `points` in pm.yaml)", nearest.unwrap_or_default())));
    }
    Ok(n)
}

pub fn title(value: &str) -> Result<String> {
    let t = value.trim();
    if t.is_empty() {
        return Err(
            Error::bad_argument("the title is empty").with_hint("give a short title, e.g. \"Reset password by email\"")
        );
    }
    one_line("the title", t)?;
    Ok(t.to_string())
}

/// Refuse a one-line value with a line break or another control character (an escape
/// sequence, a tab, a bell): it would reach every terminal, Markdown comment and CSV file the
/// value is shown in. `what` names the value (`the title`, "`owner`").
pub fn one_line(what: &str, value: &str) -> Result<()> {
    // U+2028 and U+2029 are no control characters, but YAML and many editors break lines there.
    let line_break = |c: char| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}');
    let Some((at, c)) = value.chars().enumerate().find(|&(_, c)| c.is_control() || line_break(c)) else {
        return Ok(());
    };
    if line_break(c) {
        return Err(Error::bad_argument(format!("{what} has a line break")).with_hint("a value here is one line"));
    }
    Err(Error::bad_argument(format!(
        "{what} has a control character (U+{:04X}, character {} of the value)",
        u32::from(c),
        at + 1
    ))
    .with_hint("type it as plain text: escape sequences, tabs and other control characters are not kept"))
}

/// Check that `id` names an existing item of `kind`; returns it.
pub fn link(product: &Product, id: &str, kind: Kind) -> Result<Item> {
    product.get(id, kind)
}

/// A field `set` may add: one pm knows for the item's kind, one the item has already, or one
/// `pm.yaml` declares in `custom_fields`. Anything else is most likely a typo (`priorty=high`).
pub fn new_field(product: &Product, item: &Item, key: &str) -> Result<()> {
    let kind = item.kind;
    let has = item.fields.keys().any(|k| item::scalar_string(k).as_deref() == Some(key));
    if item::is_known_field(kind, key) || has || product.config.declares(kind, key) {
        return Ok(());
    }
    let known = known_fields(kind);
    let customs = product.config.declared_fields(kind);
    let hint = match crate::error::did_you_mean(key, known.iter().copied().chain(customs)) {
        Some(s) => format!("did you mean {s}? To add `{key}` anyway, list it in pm.yaml custom_fields or pass --force"),
        None => format!(
            "list `{key}` in pm.yaml custom_fields, or pass --force; the fields of {}: {}",
            kind.with_article(),
            known.join(", ")
        ),
    };
    Err(Error::bad_argument(format!("{} has no field `{key}`", item.id)).with_hint(hint))
}

/// A sprint a story may join: one that exists and is not closed.
pub fn open_sprint(product: &Product, id: &str) -> Result<Item> {
    let sprint = link(product, id, Kind::Sprint)?;
    if product.config.is_sprint_closed(&sprint.status) {
        return Err(Error::bad_argument(format!("{} is {}; it takes no more stories", sprint.id, sprint.status))
            .with_hint("plan it into an open sprint: pm sprint list"));
    }
    Ok(sprint)
}

/// A feedback item's weight: 1, 2 or 3.
pub fn weight(value: &str) -> Result<u64> {
    let scale = crate::model::feedback::WEIGHTS;
    value.trim().parse().ok().filter(|w| scale.contains(w)).ok_or_else(|| {
        Error::bad_argument(format!("weight `{value}` is not 1, 2 or 3"))
            .with_hint("1 is one voice, 3 a customer or stakeholder whose word weighs most; leave it out for 1")
    })
}

/// Links to items of `kind`, each checked to exist, in the form files write IDs (`s-3` is
/// `S-3`), each once.
pub fn links(product: &Product, ids: &[String], kind: Kind) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let id = link(product, id, kind)?.id.to_string();
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A sprint date (`--start`, `end=`): YYYY-MM-DD.
pub fn date(key: &str, value: &str) -> Result<jiff::civil::Date> {
    crate::model::sprint::parse_date(value).ok_or_else(|| {
        Error::bad_argument(format!("{key} `{value}` is not a date"))
            .with_hint("write a date as YYYY-MM-DD, e.g. 2026-12-07")
    })
}

/// A sprint's capacity: a whole number of points.
pub fn capacity(value: &str) -> Result<u64> {
    value.trim().parse().map_err(|_| {
        Error::bad_argument(format!("capacity `{value}` is not a whole number of points"))
            .with_hint("give the points the team can take on, e.g. --capacity 20")
    })
}

/// Split `a,b, c` (or `[a, b]`) into items, dropping empties.
pub fn split_list(value: &str) -> Vec<String> {
    let v = value.trim();
    let v = v.strip_prefix('[').and_then(|v| v.strip_suffix(']')).unwrap_or(v);
    v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Turn `key=value` from `pm ... set` into a checked front-matter edit.
/// An empty value removes the field (not allowed for required fields).
pub fn assignment(product: &Product, item: &Item, key: &str, value: &str) -> Result<FieldValue> {
    let kind = item.kind;
    if key.is_empty() || key.contains([' ', ':', '#']) {
        return Err(
            Error::bad_argument(format!("`{key}` is not a field name")).with_hint("write key=value, e.g. status=ready")
        );
    }
    if key == "id" {
        return Err(Error::bad_argument("an item's ID cannot be changed with `set`")
            .with_hint("IDs are stable; `pm renumber OLD NEW` renames an item and rewrites every reference"));
    }
    for other in Kind::ALL.into_iter().filter(|k| *k != kind) {
        if item::is_known_field(other, key) && !item::is_known_field(kind, key) && !product.config.declares(kind, key) {
            return Err(Error::bad_argument(format!("`{key}` is a {other} field; {kind} items do not have it"))
                .with_hint(format!("fields of a {kind}: {}", known_fields(kind).join(", "))));
        }
    }
    if value.trim().is_empty() {
        if matches!(key, "title" | "status") {
            return Err(Error::bad_argument(format!("`{key}` is required and cannot be removed"))
                .with_hint(format!("give it a value: {key}=...")));
        }
        return Ok(FieldValue::Remove);
    }
    let v = value.trim();
    one_line(&format!("`{key}`"), v)?;
    let model = product.config.score_model.as_ref().filter(|_| matches!(kind, Kind::Story | Kind::Epic));
    if let Some(model) = model.filter(|m| m.inputs.iter().any(|i| i == key)) {
        let number = model.value(key, v).map_err(|_| {
            Error::bad_argument(model.off_scale(key, v)).with_hint(format!(
                "the {} model of pm.yaml takes these values (`scoring.scales` changes them)",
                model.name.name()
            ))
        })?;
        if model.divides_by_zero_at(key, number) {
            return Err(Error::bad_argument(format!("`{key}: {v}` leaves no score: the formula divides by it"))
                .with_hint(format!("`{key}` must be above 0 ({}); a very small one is, say, 0.5", model.formula)));
        }
        return Ok(FieldValue::Scalar(v.to_string()));
    }
    Ok(match key {
        "title" => FieldValue::Scalar(yaml_scalar(&title(v)?)),
        "status" => {
            status(product, kind, v)?;
            FieldValue::Scalar(yaml_scalar(v))
        }
        "priority" => {
            priority(product, v)?;
            FieldValue::Scalar(yaml_scalar(v))
        }
        "points" => FieldValue::Scalar(points(product, v)?.to_string()),
        "epic" => {
            link(product, v, Kind::Epic)?;
            FieldValue::Scalar(yaml_scalar(v))
        }
        "vision" => {
            link(product, v, Kind::Vision)?;
            FieldValue::Scalar(yaml_scalar(v))
        }
        "sprint" if kind == Kind::Story => {
            open_sprint(product, v)?;
            FieldValue::Scalar(yaml_scalar(v))
        }
        "start" | "end" if kind == Kind::Sprint => FieldValue::Scalar(date(key, v)?.to_string()),
        "target" if kind == Kind::Epic => FieldValue::Scalar(date(key, v)?.to_string()),
        "capacity" if kind == Kind::Sprint => FieldValue::Scalar(capacity(v)?.to_string()),
        "date" if kind == Kind::Feedback => FieldValue::Scalar(date(key, v)?.to_string()),
        "weight" if kind == Kind::Feedback => FieldValue::Scalar(weight(v)?.to_string()),
        "stories" if kind == Kind::Feedback => FieldValue::List(links(product, &split_list(v), Kind::Story)?),
        "epics" if kind == Kind::Feedback => FieldValue::List(links(product, &split_list(v), Kind::Epic)?),
        "owner" => FieldValue::Scalar(yaml_scalar(v)),
        "labels" => FieldValue::List(split_list(v)),
        "depends_on" => {
            let ids = split_list(v);
            for id in &ids {
                if *id == item.id.to_string() {
                    return Err(Error::bad_argument(format!("{id} cannot depend on itself"))
                        .with_hint("list the stories that must be done before this one"));
                }
                link(product, id, Kind::Story)?;
            }
            if let Some(path) = dependency_cycle(product, &item.id.to_string(), &ids) {
                return Err(Error::bad_argument(format!("{} would depend on itself: {}", item.id, path.join(" -> ")))
                    .with_hint("a story cannot wait for one that waits for it; drop one of the links"));
            }
            FieldValue::List(ids)
        }
        "metrics" => {
            return Err(Error::bad_argument("metrics are a list of mappings, not a single value")
                .with_hint(format!("edit them with `pm vision edit {}`", item.id)));
        }
        _ => raw_value(v),
    })
}

/// The chain `id -> ... -> id` the new links `deps` of `id` would close, if any.
fn dependency_cycle(product: &Product, id: &str, deps: &[String]) -> Option<Vec<String>> {
    let (stories, _) = product.load_kind_lenient(Kind::Story);
    let graph: std::collections::HashMap<String, Vec<String>> =
        stories.all.iter().map(|s| (s.id.to_string(), s.depends_on())).collect();
    // Depth-first from each new link, remembering the way back.
    let mut came_from: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut stack: Vec<String> = Vec::new();
    for d in deps {
        if !came_from.contains_key(d) {
            came_from.insert(d.clone(), id.to_string());
            stack.push(d.clone());
        }
    }
    while let Some(at) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if next == id {
                let mut path = vec![id.to_string(), at.clone()];
                let mut cur = at.clone();
                while let Some(prev) = came_from.get(&cur).filter(|p| *p != id) {
                    path.insert(1, prev.clone());
                    cur = prev.clone();
                }
                path.push(id.to_string());
                return Some(path);
            }
            if !came_from.contains_key(next) {
                came_from.insert(next.clone(), at.clone());
                stack.push(next.clone());
            }
        }
    }
    None
}

/// A value for a field `pm` does not know: YAML when it reads as a scalar or flow list,
/// else a quoted string.
fn raw_value(v: &str) -> FieldValue {
    match serde_yaml::from_str::<serde_yaml::Value>(&format!("k: {v}")) {
        Ok(serde_yaml::Value::Mapping(m)) => match m.get("k") {
            Some(serde_yaml::Value::Sequence(items)) if items.iter().all(|i| item::scalar_string(i).is_some()) => {
                FieldValue::Raw(yaml_flow_list(&items.iter().filter_map(item::scalar_string).collect::<Vec<_>>()))
            }
            Some(serde_yaml::Value::String(s)) if s == v => FieldValue::Raw(v.to_string()),
            Some(serde_yaml::Value::Number(_) | serde_yaml::Value::Bool(_)) => FieldValue::Raw(v.to_string()),
            _ => FieldValue::Scalar(yaml_scalar(v)),
        },
        _ => FieldValue::Scalar(yaml_scalar(v)),
    }
}

fn known_fields(kind: Kind) -> Vec<&'static str> {
    let mut f: Vec<&str> = item::COMMON_FIELDS.to_vec();
    f.extend(item::own_fields(kind));
    f
}

/// Parse an ID argument of a given kind (syntax only).
pub fn id_of_kind(product: &Product, text: &str, kind: Kind) -> Result<ItemId> {
    match product.config.id_from_input(text) {
        Some(id) if product.config.kind_of(&id) == Some(kind) => Ok(id),
        _ => Err(Error::bad_argument(format!("`{text}` is not {} ID", kind.with_article()))
            .with_hint(format!("{kind} IDs look like {}-12", product.config.prefix(kind)))),
    }
}

/// Check the values of a whole item the user wrote (in the editor): the same rules `add` and
/// `set` apply to flags, reported at the field's line.
pub fn check_item(product: &Product, item: &Item) -> Result<()> {
    let at = |key: &str, e: Error| match e {
        Error::BadArgument { message, hint } | Error::BadFile { message, hint, .. } => {
            Error::BadFile { location: item.location(key), message, hint }
        }
        Error::UnknownId { kind, id, suggestion } => {
            let hint = Error::UnknownId { kind: kind.clone(), id: id.clone(), suggestion }.hint();
            Error::BadFile { location: item.location(key), message: format!("no {kind} with ID {id}"), hint }
        }
        other => other,
    };
    title(&item.title).map_err(|e| at("title", e))?;
    status(product, item.kind, &item.status).map_err(|e| at("status", e))?;
    if let Some(p) = item.priority() {
        priority(product, &p).map_err(|e| at("priority", e))?;
    }
    if let Some(p) = item.points()? {
        points(product, &p.to_string()).map_err(|e| at("points", e))?;
    }
    if let Some(e) = item.epic() {
        link(product, &e, Kind::Epic).map_err(|err| at("epic", err))?;
    }
    if let Some(v) = item.vision() {
        link(product, &v, Kind::Vision).map_err(|err| at("vision", err))?;
    }
    for d in item.depends_on() {
        if d == item.id.to_string() {
            return Err(at("depends_on", Error::bad_argument(format!("{d} cannot depend on itself"))));
        }
        link(product, &d, Kind::Story).map_err(|err| at("depends_on", err))?;
    }
    if item.kind == Kind::Feedback {
        for (key, kind) in [("stories", Kind::Story), ("epics", Kind::Epic)] {
            links(product, &item.list(key)?, kind).map_err(|err| at(key, err))?;
        }
        if let Some(w) = item.get("weight") {
            weight(&w).map_err(|e| at("weight", e))?;
        }
        if let Some(d) = item.get("date") {
            date("date", &d).map_err(|e| at("date", e))?;
        }
    }
    Ok(())
}
