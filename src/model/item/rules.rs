//! The rules about one item file beyond its structure: fields `pm.yaml` requires, unknown
//! fields, allowed values, the file name, acceptance criteria and the user-story sentence.
//! `pm check` runs them on every item file (with [`super::read()`]'s diagnostics) and gives
//! them their configured severities; no other command needs them, so reading an item does not
//! pay for them.

use serde_yaml::Value;

use crate::error::did_you_mean;
use crate::model::config::Config;
use crate::model::id::{ItemId, Kind};
use crate::model::item::read::{Diagnostic, ItemFile};
use crate::model::item::{ALLOW_FIELD, COMMON_FIELDS, is_known_field, scalar_string};

/// A `reviewed` mark that names another item than the parent, or a day still to come.
pub const REVIEW_MISMATCH: &str = "review/mismatch";

/// Every per-file rule that needs the item's kind.
pub fn check(doc: &ItemFile, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let out = &mut out;
    let Some(kind) = doc.kind else { return std::mem::take(out) };
    for key in config.required_fields(kind) {
        let missing = match doc.fields.get(key.as_str()) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Sequence(s)) => s.is_empty(),
            _ => false,
        };
        if missing {
            let pos = if doc.fields.contains_key(key.as_str()) { doc.value_pos(key) } else { (1, 1) };
            out.push(
                doc.finding(
                    "field/required",
                    pos,
                    format!("missing field `{key}`, which pm.yaml requires for {}", kind.with_article()),
                )
                .hint(format!("add a line `{key}: ...` to the front matter")),
            );
        }
    }
    unknown_fields(doc, kind, config, out);
    values(doc, kind, config, out);
    file_name(doc, out);
    score_inputs(doc, kind, config, out);
    if kind == Kind::Story {
        criteria(doc, out);
        user_story(doc, out);
    }
    std::mem::take(out)
}

/// The scoring model's inputs (stories and epics): each value on its scale
/// (`score/out-of-scale`), and an open story missing none (`score/missing-input`).
fn score_inputs(doc: &ItemFile, kind: Kind, config: &Config, out: &mut Vec<Diagnostic>) {
    use crate::model::score::NoScore;
    let Some(model) = config.score_model.as_ref().filter(|_| matches!(kind, Kind::Story | Kind::Epic)) else {
        return;
    };
    let name = doc.name();
    let command = if kind == Kind::Story { "story" } else { "epic" };
    let mut missing = Vec::new();
    for field in &model.inputs {
        match model.input(&doc.fields, field) {
            Ok(Some(_)) => {}
            // A derived input is never missing: no feedback is a reach of 0.
            Ok(None) if model.derives(field) => {}
            Ok(None) => missing.push(field.as_str()),
            Err(NoScore::Invalid(_, value)) => out.push(
                doc.finding("score/out-of-scale", doc.value_pos(field), model.off_scale(field, &value))
                    .hint(format!("write one of them: `pm {command} set {name} {field}=...`")),
            ),
            Err(_) => {}
        }
    }
    if missing.is_empty() {
        // A file alone does not tell its feedback: a derived input counts as 1 here, so a
        // formula dividing by it is not reported for what only the whole product knows.
        if let Err(NoScore::DividesByZero(what)) = model.score(&doc.fields, 1) {
            let at = if doc.fields.contains_key(&what) { doc.value_pos(&what) } else { (1, 1) };
            out.push(
                doc.finding(
                    "score/out-of-scale",
                    at,
                    format!("{name} has no score: the formula divides by {what}, which is 0"),
                )
                .hint(format!("`{what}` must be above 0 (`{}`)", model.formula)),
            );
        }
    } else if kind == Kind::Story && doc.is_open(config) && doc.id.is_some() {
        let set: Vec<String> = missing.iter().map(|f| format!("{f}=...")).collect();
        out.push(
            doc.finding(
                "score/missing-input",
                (1, 1),
                format!("{name} has no {} score: no {}", model.name.name(), missing.join(", ")),
            )
            .hint(format!("estimate it: `pm story set {name} {}`", set.join(" "))),
        );
    }
}

fn unknown_fields(doc: &ItemFile, kind: Kind, config: &Config, out: &mut Vec<Diagnostic>) {
    let own = crate::model::item::own_fields(kind);
    let mut lines = None;
    for key in doc.fields.keys() {
        // Keys are nearly always strings: look at them without copying.
        let key = match key {
            Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
            other => match scalar_string(other) {
                Some(s) => std::borrow::Cow::Owned(s),
                None => continue,
            },
        };
        let key = key.as_ref();
        if is_known_field(kind, key) || key == ALLOW_FIELD || config.declares(kind, key) {
            continue;
        }
        let candidates = COMMON_FIELDS.iter().chain(own).copied().chain(config.declared_fields(kind));
        let hint = match did_you_mean(key, candidates) {
            Some(s) => format!("did you mean `{s}`? If `{key}` is yours, list it under custom_fields in pm.yaml"),
            None => format!("list `{key}` under custom_fields in pm.yaml, or remove it"),
        };
        let line = lines.get_or_insert_with(|| doc.key_lines()).get(key).copied().unwrap_or(1);
        out.push(
            doc.finding("parse/unknown-field", (line, 1), format!("unknown field `{key}` in {}", kind.with_article()))
                .hint(hint),
        );
    }
}

fn values(doc: &ItemFile, kind: Kind, config: &Config, out: &mut Vec<Diagnostic>) {
    let one_of = |key: &str, value: &str, allowed: &[String], setting: &dyn std::fmt::Display| -> Option<Diagnostic> {
        if allowed.iter().any(|a| a == value) {
            return None;
        }
        let hint = match did_you_mean(value, allowed.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`? Allowed: {}", allowed.join(", ")),
            None => format!("allowed: {} (set {setting} in pm.yaml)", allowed.join(", ")),
        };
        Some(
            doc.finding(
                "field/invalid-value",
                doc.value_pos(key),
                format!("`{value}` is not {} {key}", kind.with_article()),
            )
            .hint(hint),
        )
    };
    if let Some(status) = &doc.status {
        out.extend(one_of("status", status, config.statuses(kind), &format_args!("statuses.{kind}")));
    }
    if kind == Kind::Story {
        if let Some(p) = doc.fields.get("priority").and_then(scalar_string).filter(|p| !p.is_empty()) {
            out.extend(one_of("priority", &p, &config.priorities, &"priorities"));
        }
        // A value that is not a whole number is the reader's finding (`field/invalid-value`).
        if let Some(Value::Number(n)) = doc.fields.get("points")
            && let Some(p) = n.as_u64()
            && !config.points.contains(&p)
        {
            let scale = config.points.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
            out.push(
                doc.finding(
                    "field/invalid-value",
                    doc.value_pos("points"),
                    format!("`{p}` is not on the points scale"),
                )
                .hint(format!("use one of {scale} (set points in pm.yaml)")),
            );
        }
    }
    if kind == Kind::Feedback
        && let Some(Value::Number(n)) = doc.fields.get("weight")
        && let Some(w) = n.as_u64()
        && !crate::model::feedback::WEIGHTS.contains(&w)
    {
        out.push(
            doc.finding("field/invalid-value", doc.value_pos("weight"), format!("`{w}` is not a feedback weight"))
                .hint("use 1, 2 or 3 (3 counts most), or remove it: no weight counts as 1"),
        );
    }
    // A `reviewed` mark that does not read, or that cannot be a review of the parent, is only
    // a finding: the item still reads, shows and edits (and `pm review` writes a good one over
    // it).
    if let Some(field) = crate::model::review::parent_field(kind)
        && let Some(text) = doc.fields.get(crate::model::review::FIELD).and_then(scalar_string)
        && !text.is_empty()
    {
        let parent = doc.fields.get(field).and_then(scalar_string).filter(|p| !p.is_empty());
        let id = doc.id.as_ref().map(|i| i.to_string()).unwrap_or_else(|| "ID".into());
        let at = doc.value_pos(crate::model::review::FIELD);
        let today = crate::model::date::today();
        // A day of slack: a mark written where it is already tomorrow is not from the future.
        let tomorrow = today.tomorrow().map(|d| d.to_string()).unwrap_or_default();
        let today = today.to_string();
        let write = format!("pm review {id} writes it");
        match crate::model::review::Review::parse(&text) {
            None => out.push(
                doc.finding(
                    "field/invalid-value",
                    at,
                    format!(
                        "`reviewed: {text}` is neither a day nor a day and a fingerprint ({today} {}@5e1f0c2a)",
                        parent.as_deref().unwrap_or(if field == "epic" { "E-1" } else { "V-1" })
                    ),
                )
                .hint(format!("write it as `reviewed: {today}`, or remove it: {write}")),
            ),
            // A closed item's mark no longer matters: it is never suspect.
            Some(_) if doc.status.as_deref().is_some_and(|s| config.is_closed(s)) => {}
            Some(mark) => {
                if let Some((named, _)) = &mark.against
                    && parent.as_ref() != Some(named)
                {
                    let (message, hint) = match &parent {
                        Some(p) => (
                            format!("`reviewed` names {named}, but {id}'s {field} is {p}: it is no review of {p}"),
                            format!("read {id} against {p}, then record it: {write} (or remove the line)"),
                        ),
                        None => (
                            format!("`reviewed` names {named}, but {id} has no {field}"),
                            format!("remove the line, or set the {field} and review it: {write}"),
                        ),
                    };
                    out.push(doc.finding(REVIEW_MISMATCH, at, message).hint(hint));
                } else if mark.day > tomorrow {
                    out.push(
                        doc.finding(REVIEW_MISMATCH, at, format!("`reviewed: {text}` is a day still to come"))
                            .hint(format!("write the day {id} was read (today is {today}), or remove it: {write}")),
                    );
                }
            }
        }
    }
    if kind == Kind::Vision
        && let Some(m) = doc.fields.get("metrics")
    {
        let ok = match m {
            Value::Null => true,
            Value::Sequence(items) => {
                items.iter().all(|i| i.as_mapping().is_some_and(|m| m.get("name").and_then(scalar_string).is_some()))
            }
            _ => false,
        };
        if !ok {
            out.push(
                doc.finding(
                    "field/invalid-value",
                    doc.value_pos("metrics"),
                    "`metrics` must be a list of entries with a `name`",
                )
                .hint("write each metric as `- name: ...`, `target: ...`, optional `current: ...`"),
            );
        }
    }
}

fn file_name(doc: &ItemFile, out: &mut Vec<Diagnostic>) {
    let Some(id) = &doc.id else { return };
    let name = doc.rel.rsplit('/').next().unwrap_or(doc.rel);
    if ItemId::from_file_name(name).as_ref() == Some(id) {
        return;
    }
    let slug = doc.title.as_deref().map(crate::model::id::slug).unwrap_or_default();
    let want = if slug.is_empty() { format!("{id}.md") } else { format!("{id}-{slug}.md") };
    out.push(
        doc.finding(
            "id/filename-mismatch",
            doc.value_pos("id"),
            format!("the file name `{name}` does not start with {id}"),
        )
        .hint(format!("rename the file to `{want}` (`pm fmt` does it)")),
    );
}

fn criteria(doc: &ItemFile, out: &mut Vec<Diagnostic>) {
    let base = doc.split.body_line;
    let c = &doc.criteria;
    // Lines under the heading that look like criteria and are none: they would vanish unseen.
    if let Some(section) = c.section.clone() {
        let body = &doc.text[doc.split.body.clone()];
        let first = body[..section.start].matches('\n').count();
        let items: std::collections::HashSet<usize> = c.items.iter().map(|i| i.body_line).collect();
        for (k, text) in body[section].lines().enumerate() {
            if !items.contains(&(first + k)) && crate::model::criteria::looks_like_criterion(text) {
                let line = base + first + k;
                out.push(
                    doc.finding("ac/malformed-line", (line, text.len() - text.trim_start().len() + 1), "this line looks like a criterion but is no task-list item, so it is not counted")
                        .hint("write it as `- [ ] AC-n: Given ..., when ..., then ...` (a dash, a space, the box `[ ]` and a space)"),
                );
            }
        }
    }
    if c.items.is_empty() {
        let name = doc.name();
        let near = c
            .heading_line
            .is_none()
            .then(|| crate::model::criteria::near_heading(&doc.text[doc.split.body.clone()]))
            .flatten();
        let (line, message) = match (c.heading_line, near) {
            (Some(h), _) => (base + h, format!("{name} has an acceptance-criteria heading but no criteria under it")),
            (None, Some((h, text))) => (
                base + h,
                format!(
                    "{name} has no acceptance criteria: `{text}` is not read as the criteria heading; write it as `## Acceptance criteria`"
                ),
            ),
            (None, None) => (1, format!("{name} has no acceptance criteria")),
        };
        // `pm ac add` takes an ID: a file whose ID does not read gets no command to run; nor
        // does one whose heading only looks like the criteria heading (it would add a second).
        let command = (doc.id.as_ref().filter(|_| near.is_none()))
            .map(|id| format!(" (`pm ac add {id} TEXT`)"))
            .unwrap_or_default();
        // A story brought from another tool (`pm import`) without criteria lacks what its
        // source never had: its own rule, a warning, so an import passes `pm check` and says
        // what is left to write (docs/import.md).
        let source = doc.fields.get("source").and_then(scalar_string).filter(|s| !s.trim().is_empty());
        let (code, message) = match (&source, near) {
            (Some(s), None) => ("import/no-acceptance-criteria", format!("{message} (imported from {s})")),
            _ => ("story/no-acceptance-criteria", message),
        };
        out.push(doc.finding(code, (line, 1), message).hint(format!(
            "add criteria under `## Acceptance criteria`, like `- [ ] AC-1: Given ..., when ..., then ...`{command}"
        )));
        return;
    }
    let mut seen = std::collections::HashSet::new();
    let mut next = c.next_number();
    for item in &c.items {
        let line = base + item.body_line;
        // Only a finding needs the column (finding a line's text is a scan of the file).
        let pos = || {
            let text = doc.line_text(line);
            (line, text.len() - text.trim_start().len() + 1)
        };
        match item.number {
            _ if item.text.trim().is_empty() => out.push(
                doc.finding("ac/empty", pos(), format!("{} of {} has no text", item.label(), doc.name()))
                    .hint("write the criterion: `Given ..., when ..., then ...`, or remove the line"),
            ),
            None => {
                out.push(
                    doc.finding("ac/missing-id", pos(), format!("a criterion of {} has no `AC-n:` ID", doc.name()))
                        .hint(format!("start its text with `AC-{next}: `")),
                );
                next += 1;
            }
            Some(_) => {}
        }
        if let Some(n) = item.number
            && !seen.insert(n)
        {
            out.push(
                doc.finding("ac/duplicate-id", pos(), format!("AC-{n} appears twice in {}", doc.name()))
                    .hint(format!("give this one a new ID, AC-{next}; the others keep their IDs")),
            );
            next += 1;
        }
    }
}

fn user_story(doc: &ItemFile, out: &mut Vec<Diagnostic>) {
    let body = &doc.text[doc.split.body.clone()];
    let intro = match &doc.criteria.section {
        Some(r) => &body[..r.start],
        None => body,
    };
    let lower = intro.to_lowercase();
    let found = ["as a ", "as an "].iter().filter_map(|p| lower.find(p)).min().and_then(|a| {
        let w = a + lower[a..].find("i want")?;
        lower[w..].find("so that")
    });
    if found.is_none() {
        out.push(
            doc.finding(
                "story/not-user-story",
                (doc.split.body_line, 1),
                format!("{} has no user-story sentence", doc.name()),
            )
            .hint("open the body with `As a <role>, I want <goal>, so that <benefit>.`"),
        );
    }
}
