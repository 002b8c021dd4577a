//! `pm-allow` silences: reading `pm-allow: {rule: reason}` from an item's front matter, and
//! the findings about silences that name no rule or give no reason. The checker drops the
//! findings a silence names in that item's file.

use serde_yaml::Value;

use crate::check::doc::Doc;
use crate::check::{Finding, rules};
use crate::error::did_you_mean;
use crate::model::item::{ALLOW_FIELD, scalar_string};

/// Read `pm-allow: {rule: reason}`; entries without a reason silence nothing and are findings.
pub(crate) fn read(doc: &mut Doc, out: &mut Vec<Finding>) {
    let Some(value) = doc.fields.get(ALLOW_FIELD) else { return };
    let line = doc.key_line(ALLOW_FIELD).unwrap_or(1);
    let entries: Vec<(String, Option<String>)> = match value {
        Value::Mapping(m) => m
            .iter()
            .filter_map(|(k, v)| Some((scalar_string(k)?, scalar_string(v).filter(|r| !r.trim().is_empty()))))
            .collect(),
        Value::Sequence(items) => items.iter().filter_map(scalar_string).map(|r| (r, None)).collect(),
        Value::Null => Vec::new(),
        other => scalar_string(other).map(|r| vec![(r, None)]).unwrap_or_default(),
    };
    let mut allowed = Vec::new();
    for (rule, reason) in entries {
        let pos = doc.needle_pos(ALLOW_FIELD, &rule);
        let pos = if pos.1 == 1 { (line, 1) } else { pos };
        if rules::find(&rule).is_none() {
            let hint = match did_you_mean(&rule, rules::RULES.iter().map(|r| r.code)) {
                Some(s) => format!("did you mean `{s}`? docs/check.md lists every rule"),
                None => "docs/check.md lists every rule".into(),
            };
            out.push(doc.finding("allow/unknown-rule", pos, format!("pm-allow names no rule `{rule}`")).hint(hint));
            continue;
        }
        match reason {
            Some(reason) => allowed.push((rule, reason)),
            None => out.push(
                doc.finding("allow/no-reason", pos, format!("pm-allow silences `{rule}` without a reason"))
                    .hint(format!("say why: `{ALLOW_FIELD}: {{{rule}: \"the reason\"}}`")),
            ),
        }
    }
    doc.allow = allowed;
}
