//! SARIF 2.1.0 for code-scanning dashboards: one run of the `pm` driver, the whole rule registry
//! as `tool.driver.rules`, and one result per finding with its physical location.

use serde_json::{Value, json};

use crate::check::{Report, rules};
use crate::model::severity::Severity;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Off => "none",
    }
}

fn location(path: &str, line: usize, column: Option<usize>) -> Value {
    let mut region = json!({ "startLine": line });
    if let Some(c) = column {
        region["startColumn"] = json!(c);
    }
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": path, "uriBaseId": "%SRCROOT%" },
            "region": region,
        }
    })
}

pub fn sarif(report: &Report) -> String {
    let driver_rules: Vec<Value> = rules::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.code,
                "shortDescription": { "text": r.summary },
                // SARIF's helpUri must be an absolute URI and pm has no published site yet,
                // so the pointer to the rule's documentation goes in the help text.
                "help": { "text": format!("See docs/check.md, section {}.", r.code) },
                "defaultConfiguration": { "level": level(r.default), "enabled": r.default != Severity::Off },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = rules::RULES.iter().position(|r| r.code == f.rule).unwrap_or(0);
            let text = match &f.hint {
                Some(h) => format!("{} (hint: {h})", f.message),
                None => f.message.clone(),
            };
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [location(&f.path, f.line, Some(f.column))],
            });
            if !f.related.is_empty() {
                result["relatedLocations"] = Value::Array(
                    f.related
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let mut l = location(&r.path, r.line, None);
                            l["id"] = json!(i + 1);
                            l
                        })
                        .collect(),
                );
            }
            if let Some(id) = &f.id {
                result["properties"] = json!({ "itemId": id });
            }
            result
        })
        .collect();
    let value = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pm",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": driver_rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
}
