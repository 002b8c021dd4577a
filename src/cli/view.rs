//! Shared views of items for listing commands: table rows and JSON objects.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Value, json};
use serde_yaml::Value as YamlValue;

use crate::cli::Ctx;
use crate::error::Error;
pub use crate::history::View;
use crate::model::feedback::{Support, Tally};
use crate::model::fields::Fields;
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

/// Warn about each line of a list file that looks like an entry and does not read as one
/// (`-[S-2](y)`): the listing leaves it out, and without a word the item would seem unranked.
/// Returns the IDs such lines name, whose items are not to be called missing from the list.
pub fn warn_malformed(
    ctx: &Ctx,
    list: &ListFile,
    (shown, prefix): (&std::path::Path, &str),
) -> std::collections::HashSet<String> {
    let mut named = std::collections::HashSet::new();
    for (n, id) in list.malformed(prefix) {
        ctx.warn(&format!(
            "{}:{}: {}, so it is left out; `pm check` shows how to write it",
            shown.display(),
            n + 1,
            crate::model::listfile::malformed_message(id.as_deref())
        ));
        named.extend(id);
    }
    named
}

/// The open items of `kind` a list leaves out, by ID (one for an ID two files carry): those
/// `accounted` does not account for (listed, or named by a damaged or relabelled line).
pub fn open_unlisted(product: &Product, items: &Items, kind: Kind, accounted: impl Fn(&str) -> bool) -> Vec<String> {
    let mut ids: Vec<&crate::model::id::ItemId> = (items.of_kind(kind))
        .filter(|i| !product.config.is_closed(&i.status) && !accounted(&i.id.to_string()))
        .map(|i| &i.id)
        .collect();
    ids.sort();
    ids.dedup();
    ids.into_iter().map(ToString::to_string).collect()
}

/// Warn about the open items a list file leaves out, each with the command that adds it
/// (`add`). A list file that does not exist (now, not `--at` a revision) is said once, as
/// the one thing to fix.
pub fn warn_unlisted(
    ctx: &Ctx,
    (shown, exists): (&std::path::Path, bool),
    kind: crate::model::id::Kind,
    ids: &[String],
    add: impl Fn(&str) -> String,
) {
    if ids.is_empty() {
        return;
    }
    if !exists {
        let items = match (ids.len(), kind) {
            (1, _) => format!("the open {kind} is listed nowhere; `pm fmt` writes it with that {kind}"),
            (n, crate::model::id::Kind::Story) => {
                format!("the {n} open stories are listed nowhere; `pm fmt` writes it with them")
            }
            (n, _) => format!("the {n} open {kind}s are listed nowhere; `pm fmt` writes it with them"),
        };
        ctx.warn(&format!("{} does not exist, so {items}", shown.display()));
        return;
    }
    for id in ids {
        ctx.warn(&format!("{id} is open but not in {}; `{}` adds it", shown.display(), add(id)));
    }
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

/// Something a command reads until it ends, never freed: the process exits right after. Kept
/// for speed, measured: freeing the 10,000 items of `pm backlog` on the 10,000-story corpus of
/// `benches/run.sh` is 60 M of 569 M instructions (callgrind, 2026-12-01), 12% of the command.
/// Only the listing commands use it, for the items they print; library code never does.
pub fn kept_to_exit<T>(value: T) -> std::mem::ManuallyDrop<T> {
    std::mem::ManuallyDrop::new(value)
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
        suggestion: crate::error::did_you_mean_id(text, known.iter().map(String::as_str)),
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
pub fn item_json(product: &Product, item: &Item, rank: Option<usize>, feedback: Tally) -> Value {
    serde_json::to_value(ItemJson { product, item, rank, feedback }).unwrap_or(Value::Null)
}

/// An item's JSON object, serialised field by field without building a JSON tree first (what
/// `story list --format json` prints for 10,000 items). Keys are written in the order a JSON
/// map sorts them into, so [`item_json`] and this print the same bytes.
pub struct ItemJson<'a> {
    pub product: &'a Product,
    pub item: &'a Item,
    pub rank: Option<usize>,
    /// The feedback that supports it (stories and epics).
    pub feedback: Tally,
}

impl serde::Serialize for ItemJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let item = self.item;
        let kind = item.kind;
        let mut m = s.serialize_map(None)?;
        if kind == Kind::Story {
            m.serialize_entry(
                "criteria",
                &json!({"accepted": item.criteria.accepted(), "total": item.criteria.items.len()}),
            )?;
            m.serialize_entry("depends_on", &item.depends_on())?;
            m.serialize_entry("epic", &item.epic())?;
        }
        if matches!(kind, Kind::Story | Kind::Epic) {
            let f = self.feedback;
            m.serialize_entry("feedback", &json!({"count": f.count, "weight": f.weight}))?;
        }
        m.serialize_entry("fields", &FieldsJson(&item.fields))?;
        m.serialize_entry("id", &item.id.to_string())?;
        m.serialize_entry("kind", &kind)?;
        m.serialize_entry("labels", &item.labels())?;
        if kind == Kind::Vision {
            // Through a JSON value, whose map sorts each metric's keys.
            m.serialize_entry("metrics", &json!(item.metrics()))?;
        }
        m.serialize_entry("owner", &item.owner())?;
        m.serialize_entry("path", &self.product.from_top(&item.path))?;
        if kind == Kind::Story {
            m.serialize_entry("points", &item.points_or_none())?;
            m.serialize_entry("priority", &item.priority())?;
            m.serialize_entry("rank", &self.rank)?;
            m.serialize_entry("sprint", &item.sprint())?;
        }
        m.serialize_entry("status", &item.status)?;
        m.serialize_entry("title", &item.title)?;
        if kind == Kind::Epic {
            m.serialize_entry("vision", &item.vision())?;
        }
        m.end()
    }
}

/// Front-matter fields as a JSON object, as a JSON map of [`value_json`] values holds them
/// (keys sorted, a later repeat of a key wins), written without building that map.
struct FieldsJson<'a>(&'a Fields);

impl serde::Serialize for FieldsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut entries: Vec<(Cow<str>, &YamlValue)> = self
            .0
            .iter()
            .filter_map(|(k, v)| match k {
                YamlValue::String(k) => Some((Cow::Borrowed(k.as_str()), v)),
                other => Some((Cow::Owned(crate::model::item::scalar_string(other)?), v)),
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut m = s.serialize_map(None)?;
        for (i, (k, v)) in entries.iter().enumerate() {
            if entries.get(i + 1).is_some_and(|(next, _)| next == k) {
                continue;
            }
            m.serialize_entry(k.as_ref(), &JsonOf(v))?;
        }
        m.end()
    }
}

/// A YAML value as [`value_json`] converts it: plain strings, booleans, nulls and lists of
/// them directly, anything else through the conversion.
struct JsonOf<'a>(&'a YamlValue);

impl serde::Serialize for JsonOf<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let plain = |v: &YamlValue| matches!(v, YamlValue::String(_) | YamlValue::Bool(_) | YamlValue::Null);
        match self.0 {
            YamlValue::String(t) => s.serialize_str(t),
            YamlValue::Bool(b) => s.serialize_bool(*b),
            YamlValue::Null => s.serialize_unit(),
            YamlValue::Sequence(items) if items.iter().all(plain) => s.collect_seq(items.iter().map(JsonOf)),
            other => value_json(other).serialize(s),
        }
    }
}

/// `--sprint SP-3` or `--sprint none` of `pm backlog` and `pm story list`: which stories pass.
pub enum SprintFilter {
    Any,
    In(String),
    None,
}

impl SprintFilter {
    /// Read the flag; a sprint ID is checked to exist (in the working tree, when `now`).
    pub fn parse(product: &Product, text: Option<&str>, now: bool) -> crate::error::Result<SprintFilter> {
        match text {
            None => Ok(SprintFilter::Any),
            Some(t) if t.eq_ignore_ascii_case("none") => Ok(SprintFilter::None),
            Some(t) => {
                let id = crate::ops::values::id_of_kind(product, t, Kind::Sprint)?;
                if now {
                    product.get(t, Kind::Sprint)?;
                }
                Ok(SprintFilter::In(id.to_string()))
            }
        }
    }

    pub fn passes(&self, story: &Item) -> bool {
        match self {
            SprintFilter::Any => true,
            SprintFilter::In(id) => story.sprint().as_deref() == Some(id.as_str()),
            SprintFilter::None => story.sprint().is_none(),
        }
    }
}

/// Whether the product plans in sprints (it has one, or a story names one): tables of stories
/// then show a SPRINT column.
pub fn uses_sprints(items: &Items) -> bool {
    items.of_kind(Kind::Sprint).next().is_some() || items.of_kind(Kind::Story).any(|s| s.sprint().is_some())
}

/// Insert the SPRINT column after EPIC in a table of stories, when the product uses sprints.
/// The feedback that supports each item of `items`, by ID.
pub fn support(items: &Items) -> Support {
    Support::of(items.of_kind(Kind::Feedback))
}

/// `rows` with a FEEDBACK column at the end (feedback count, with the weighted sum beside it
/// when weights make it differ), when the product has feedback linked to anything.
pub fn with_feedback_column<'h>(
    support: &Support,
    header: Vec<&'h str>,
    rows: Vec<Vec<String>>,
    ids: &[String],
) -> (Vec<&'h str>, Vec<Vec<String>>) {
    if support.is_empty() {
        return (header, rows);
    }
    let mut header = header;
    header.push("FEEDBACK");
    let rows = rows
        .into_iter()
        .zip(ids)
        .map(|(mut r, id)| {
            r.push(support.get(id).text());
            r
        })
        .collect();
    (header, rows)
}

pub fn with_sprint_column<'h>(
    items: &Items,
    header: Vec<&'h str>,
    rows: Vec<Vec<String>>,
    sprints: &[Option<String>],
) -> (Vec<&'h str>, Vec<Vec<String>>) {
    if !uses_sprints(items) {
        return (header, rows);
    }
    let at = header.iter().position(|h| *h == "EPIC").map_or(header.len(), |i| i + 1);
    let mut header = header;
    header.insert(at, "SPRINT");
    let rows = rows
        .into_iter()
        .zip(sprints)
        .map(|(mut r, s)| {
            r.insert(at, s.clone().unwrap_or_default());
            r
        })
        .collect();
    (header, rows)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::model::config::Config;

    /// The old way: every field through a JSON map.
    fn fields_through_a_map(fields: &Fields) -> Value {
        let map: serde_json::Map<String, Value> =
            fields.iter().filter_map(|(k, v)| Some((crate::model::item::scalar_string(k)?, value_json(v)))).collect();
        Value::Object(map)
    }

    #[test]
    fn item_json_written_directly_is_the_json_map() {
        let text = "---\nid: S-1\ntitle: T\nstatus: draft\nzeta: last\n1: number key\n\"1\": string key\ntrue: yes\n\
                    tagged: !tag value\nm: {b: [x, 2], a: 1}\nl: [a, ~, true, 3]\nf: 1.5\nn: -3\nlabels: [b, a]\n\
                    [k]: complex key\n---\nBody.\n";
        let config = Config::default();
        let path = PathBuf::from("/p/product/stories/S-1-t.md");
        let item = Item::parse(text.into(), path.clone(), "stories/S-1-t.md".into(), path, &config).unwrap();
        let product = Product::with_config("/p/product".into(), "/p".into(), config);
        let direct = serde_json::to_string_pretty(&ItemJson {
            product: &product,
            item: &item,
            rank: Some(3),
            feedback: Tally { count: 2, weight: 3 },
        })
        .unwrap();
        let through_a_map =
            serde_json::to_string_pretty(&item_json(&product, &item, Some(3), Tally { count: 2, weight: 3 })).unwrap();
        assert_eq!(direct, through_a_map);
        let fields = serde_json::to_string_pretty(&FieldsJson(&item.fields)).unwrap();
        assert_eq!(fields, serde_json::to_string_pretty(&fields_through_a_map(&item.fields)).unwrap());
        assert!(fields.contains("\"string key\"") && !fields.contains("number key"), "{fields}");
        // The keys of a story's object, written out here so that a key dropped or renamed in
        // ItemJson fails this test (item_json is made from ItemJson too).
        let value: Value = serde_json::from_str(&direct).unwrap();
        let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        let expected = [
            "criteria",
            "depends_on",
            "epic",
            "feedback",
            "fields",
            "id",
            "kind",
            "labels",
            "owner",
            "path",
            "points",
            "priority",
            "rank",
            "sprint",
            "status",
            "title",
        ];
        assert_eq!(keys, expected);
        assert_eq!(value["id"], "S-1");
        assert_eq!(value["rank"], 3);
        assert_eq!(value["feedback"], serde_json::json!({"count": 2, "weight": 3}));
        assert_eq!(value["labels"], serde_json::json!(["b", "a"]));
    }
}
