//! JSON Schemas (draft 2020-12) of each kind's front matter and of `pm.yaml`, for editors
//! (yaml-language-server, VS Code) and other tools. Item schemas come from the same field lists
//! and settings the reader and `pm check` use: the configured statuses, priorities, points
//! scale, ID prefixes, custom fields and required fields. `pm.yaml`'s schema mirrors
//! [`Config`]'s keys (a test checks the two list the same keys).

use serde_json::{Map, Value, json};

use crate::check::rules::RULES;
use crate::model::config::Config;
use crate::model::id::Kind;
use crate::model::item::{ALLOW_FIELD, COMMON_FIELDS, own_fields};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// What `pm schema` can describe: an item kind, or the settings file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Item(Kind),
    Config,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::Item(Kind::Vision),
        Target::Item(Kind::Epic),
        Target::Item(Kind::Story),
        Target::Item(Kind::Sprint),
        Target::Item(Kind::Feedback),
        Target::Config,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Item(k) => k.name(),
            Target::Config => "config",
        }
    }

    /// The schema of this target under these settings.
    pub fn schema(self, config: &Config) -> Value {
        match self {
            Target::Item(kind) => item(kind, config),
            Target::Config => settings(),
        }
    }
}

fn id_of(config: &Config, kind: Kind) -> Value {
    json!({"type": "string", "pattern": format!("^{}-[0-9]+$", regex_escape(config.prefix(kind)))})
}

fn regex_escape(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_ascii_alphanumeric() { vec![c] } else { vec!['\\', c] }).collect()
}

fn strings(values: &[String]) -> Value {
    json!({"type": "string", "enum": values})
}

/// One value or a list of them (`labels: ux` and `labels: [ux, web]` both read).
fn one_or_list(item: Value) -> Value {
    json!({"oneOf": [item.clone(), {"type": "array", "items": item}]})
}

const DATE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// The front matter of an item of `kind`.
fn item(kind: Kind, config: &Config) -> Value {
    let mut props = Map::new();
    for field in COMMON_FIELDS.iter().chain(own_fields(kind)) {
        let schema = match *field {
            "id" => id_of(config, kind),
            "title" => json!({"type": "string", "minLength": 1}),
            "status" => strings(config.statuses(kind)),
            "owner" | "goal" => json!({"type": "string"}),
            "reason" => json!({"type": "string", "description": "Why the item was closed (pm ... drop --reason)"}),
            "labels" => one_or_list(json!({"type": "string"})),
            "epic" => id_of(config, Kind::Epic),
            "vision" => id_of(config, Kind::Vision),
            "sprint" => id_of(config, Kind::Sprint),
            "priority" => strings(&config.priorities),
            "points" => json!({"type": "integer", "enum": config.points}),
            "depends_on" => one_or_list(id_of(config, Kind::Story)),
            "target" | "start" | "end" => json!({"type": "string", "pattern": DATE}),
            "date" => json!({"type": "string", "pattern": DATE, "description": "When it was said"}),
            "from" => json!({"type": "string", "description": "Who said it: a customer, a segment or a stakeholder"}),
            "source" => {
                json!({"type": "string", "description": "Where it came from: a link, a channel, or the tool it was imported from"})
            }
            "stories" => one_or_list(id_of(config, Kind::Story)),
            "epics" => one_or_list(id_of(config, Kind::Epic)),
            "weight" => json!({"type": "integer", "minimum": 1, "maximum": 3}),
            "capacity" => json!({"type": "integer", "minimum": 0}),
            "reviewed" => json!({
                "type": "string",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}( [^ @]+@[0-9a-fA-F]{8})?$",
                "description": "When the item was last reviewed against its parent, and the parent's fingerprint then (pm review)"
            }),
            "metrics" => json!({
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "target": {"type": ["number", "string"]},
                        "current": {"type": ["number", "string"]}
                    }
                }
            }),
            _ => json!({}),
        };
        props.insert(field.to_string(), schema);
    }
    props.insert(
        ALLOW_FIELD.into(),
        json!({
            "type": "object",
            "description": "pm check rules silenced for this item, each with a reason",
            "propertyNames": {"enum": RULES.iter().map(|r| r.code).collect::<Vec<_>>()},
            "additionalProperties": {"type": "string", "minLength": 1}
        }),
    );
    if let Some(model) = config.score_model.as_ref().filter(|_| matches!(kind, Kind::Story | Kind::Epic)) {
        for input in &model.inputs {
            let description = format!("an input of the {} score: {}", model.name.name(), model.scale_text(input));
            let schema = match model.scales.get(input) {
                Some(scale) => json!({"enum": scale, "description": description}),
                None => json!({"type": "number", "minimum": 0, "description": description}),
            };
            props.entry(input.clone()).or_insert(schema);
        }
    }
    for custom in &config.custom_fields {
        props.entry(custom.clone()).or_insert(json!({}));
    }
    // Feedback without a status is new.
    let own: &[&str] = if kind == Kind::Feedback { &["id", "title"] } else { &["id", "title", "status"] };
    let mut required: Vec<String> = own.iter().map(|f| f.to_string()).collect();
    required.extend(config.required_fields(kind).iter().filter(|f| !required.contains(f)).cloned().collect::<Vec<_>>());
    json!({
        "$schema": DRAFT,
        "title": format!("pm {} front matter", kind.name()),
        "description": format!("The YAML between the --- lines of a {} file under product/ (docs/format.md).", kind.name()),
        "type": "object",
        "required": required,
        "properties": props,
        "additionalProperties": false
    })
}

/// The keys of `pm.yaml`, as [`Config`] reads them (unknown keys are an error there too).
fn settings() -> Value {
    let per_kind = |value: Value| {
        json!({
            "type": "object",
            "properties": {"vision": value, "epic": value, "story": value, "sprint": value, "feedback": value},
            "additionalProperties": false
        })
    };
    let list = json!({"type": "array", "items": {"type": "string"}});
    json!({
        "$schema": DRAFT,
        "title": "pm settings (product/pm.yaml)",
        "description": "Every setting is optional; docs/format.md describes each.",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "prefixes": per_kind(json!({"type": "string", "pattern": "^[A-Za-z]+$"})),
            "statuses": per_kind(list.clone()),
            "closed": list,
            "default_status": per_kind(json!({"type": "string"})),
            "priorities": list,
            "points": {"type": "array", "items": {"type": "integer", "minimum": 0}},
            "custom_fields": list,
            "rules": {
                "type": "object",
                "propertyNames": {"enum": RULES.iter().map(|r| r.code).collect::<Vec<_>>()},
                "additionalProperties": {"enum": ["error", "warning", "warn", "off"]}
            },
            "required_fields": per_kind(list.clone()),
            "sprint_length": {"type": "string", "pattern": "^[0-9]+[wd]$"},
            "started": list,
            "finished": list,
            "working_days": {"type": "array", "items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}},
            "require_ac_on_add": {"type": "boolean"},
            "item_size_limit": {"type": "integer", "minimum": 1},
            "suspect": {"enum": ["error", "warning", "warn", "off"]},
            "refine": {
                "type": "object",
                "properties": {"stale_after": {"type": "string", "pattern": "^[0-9]+[wd]$"}},
                "additionalProperties": false
            },
            "scoring": {
                "type": "object",
                "properties": {
                    "model": {"enum": ["rice", "wsjf", "value-effort", "formula"]},
                    "formula": {"type": "string"},
                    "reach_from_feedback": {"type": "boolean"},
                    "scales": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 1}
                    }
                },
                "additionalProperties": false
            },
            "import": {
                "type": "object",
                "description": "How pm import maps another tool's statuses and priorities (docs/import.md)",
                "properties": {
                    "statuses": {"type": "object", "additionalProperties": {"type": "string"}},
                    "priorities": {"type": "object", "additionalProperties": {"type": "string"}}
                },
                "additionalProperties": false
            },
            "trace": {
                "type": "object",
                "properties": {"include": list.clone(), "exclude": list.clone(), "junit": list.clone()},
                "additionalProperties": false
            },
            "templates": {
                "type": "object",
                "properties": {"story": {"type": "string"}, "epic": {"type": "string"}},
                "additionalProperties": false
            }
        },
        "additionalProperties": false
    })
}
