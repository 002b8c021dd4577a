//! Jira's CSV export (Filters > Export > CSV, all or current fields). Issues of type Epic
//! become epics; every other issue a story, with its epic from the Epic Link (or Parent)
//! column, its points from Story Points (or Story point estimate), its labels from every
//! Labels column, its owner from Assignee, and its criteria from an Acceptance Criteria column
//! when there is one. Statuses and priorities are Jira's words, mapped through pm.yaml.
//! Jira's CSV has no sprint dates, which a pm sprint needs: the last Sprint column is kept as
//! the field `jira_sprint`.
//!
//! Columns are found by name (Jira repeats a name for each value of a multi-valued field), in
//! any case, with or without the `Custom field (...)` wrapping.

use std::collections::HashMap;

use crate::import::{BadInput, CriteriaStyle, Incoming, Plan, State, one_line, story_body};
use crate::model::id::Kind;

/// The `source` of an issue.
pub fn issue_key(key: &str) -> String {
    format!("jira:{key}")
}

/// A header name as compared: lower case, without `Custom field (...)`.
fn column_name(header: &str) -> String {
    let h = header.trim().trim_start_matches('\u{feff}');
    let lower = h.to_ascii_lowercase();
    match lower.strip_prefix("custom field (").and_then(|r| r.strip_suffix(')')) {
        Some(inner) => inner.trim().to_string(),
        None => lower,
    }
}

struct Columns {
    by_name: HashMap<String, Vec<usize>>,
}

impl Columns {
    fn first<'r>(&self, row: &'r csv::StringRecord, names: &[&str]) -> Option<&'r str> {
        names
            .iter()
            .flat_map(|n| self.by_name.get(*n).into_iter().flatten())
            .filter_map(|&i| row.get(i))
            .map(str::trim)
            .find(|v| !v.is_empty())
    }

    fn all<'r>(&self, row: &'r csv::StringRecord, name: &str) -> Vec<&'r str> {
        (self.by_name.get(name).into_iter().flatten())
            .filter_map(|&i| row.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn has(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }
}

const EPIC_LINK: &[&str] = &["epic link", "parent key", "parent"];
const POINTS: &[&str] = &["story points", "story point estimate"];
const CRITERIA: &[&str] = &["acceptance criteria"];

fn bad_csv(e: &csv::Error) -> BadInput {
    let line = e.position().map_or(1, |p| p.line() as usize);
    let (message, hint) = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => (
            format!("this row has {len} fields where the header has {expected_len}"),
            "a quote is most likely unclosed or a field holds an unquoted comma; export the CSV from Jira again",
        ),
        csv::ErrorKind::Utf8 { .. } => (
            "the file is not UTF-8".to_string(),
            "export it from Jira as CSV (UTF-8), or convert it: iconv -f latin1 -t utf-8",
        ),
        _ => (e.to_string(), "export the CSV from Jira again"),
    };
    BadInput::new(line, message, hint)
}

/// Read an export.
pub fn parse(text: &str) -> Result<Plan, BadInput> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| bad_csv(&e))?.clone();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        by_name.entry(column_name(h)).or_default().push(i);
    }
    let cols = Columns { by_name };
    for needed in ["issue key", "summary", "status"] {
        if !cols.has(needed) {
            return Err(BadInput::new(
                1,
                format!("the header has no `{}` column", title_case(needed)),
                "export the issues from Jira as CSV with all fields (or at least Issue key, Summary and Status)",
            ));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad_csv(&e))?;
        let line = record.position().map_or(1, |p| p.line() as usize);
        rows.push((line, record));
    }
    // The Parent column may hold the parent's Issue id rather than its key.
    let key_of_id: HashMap<&str, &str> = rows
        .iter()
        .filter_map(|(_, r)| Some((cols.first(r, &["issue id"])?, cols.first(r, &["issue key"])?)))
        .collect();
    let epics: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|(_, r)| cols.first(r, &["issue type"]).is_some_and(|t| t.eq_ignore_ascii_case("epic")))
        .filter_map(|(_, r)| cols.first(r, &["issue key"]))
        .collect();
    let mut plan = Plan::default();
    for (line, row) in &rows {
        let line = *line;
        let Some(key) = cols.first(row, &["issue key"]) else {
            return Err(BadInput::new(
                line,
                "this row has no Issue key",
                "every issue Jira exports has a key, like TND-12",
            ));
        };
        let title = one_line(cols.first(row, &["summary"]).unwrap_or(""));
        if title.is_empty() {
            return Err(BadInput::new(
                line,
                format!("{key} has no Summary"),
                "give it a summary in Jira and export again",
            ));
        }
        let status = cols.first(row, &["status"]).map(one_line).unwrap_or_default();
        if status.is_empty() {
            return Err(BadInput::new(line, format!("{key} has no Status"), "export the Status column"));
        }
        let is_epic = epics.contains(key);
        let description = cols.first(row, &["description"]).unwrap_or("").replace("\r\n", "\n");
        let mut item = Incoming {
            kind: Some(if is_epic { Kind::Epic } else { Kind::Story }),
            key: issue_key(key),
            title,
            state: Some(State::Named(status)),
            labels: cols.all(row, "labels").into_iter().map(one_line).collect(),
            owner: cols.first(row, &["assignee"]).map(one_line),
            line,
            ..Incoming::default()
        };
        if is_epic {
            item.body = if description.trim().is_empty() { String::new() } else { format!("{}\n", description.trim()) };
        } else {
            item.priority = cols.first(row, &["priority"]).map(one_line);
            item.points = cols.first(row, POINTS).map(str::to_string);
            let parent = cols.first(row, EPIC_LINK).map(|p| key_of_id.get(p).copied().unwrap_or(p));
            match parent {
                Some(p) if epics.contains(p) => item.epic = Some(issue_key(p)),
                Some(p) => {
                    plan.notes.push(format!("{key}: its epic link {p} names no epic in the file; it has no epic"))
                }
                None => {}
            }
            let mut body = description.trim().to_string();
            if let Some(criteria) = cols.first(row, CRITERIA) {
                let lines: Vec<String> = criteria
                    .lines()
                    .map(|l| l.trim().trim_start_matches(['*', '-', '#', '•']).trim())
                    .map(|l| l.strip_prefix("[ ]").or_else(|| l.strip_prefix("[]")).unwrap_or(l).trim())
                    .filter(|l| !l.is_empty())
                    .map(|l| format!("- [ ] {}", one_line(l)))
                    .collect();
                if !lines.is_empty() {
                    body = format!("{body}\n\n## Acceptance criteria\n\n{}", lines.join("\n"));
                }
            }
            item.body = story_body(body.trim(), CriteriaStyle::Tasks);
            if let Some(sprint) = cols.all(row, "sprint").last() {
                item.extra.push(("jira_sprint".into(), one_line(sprint)));
            }
        }
        plan.items.push(item);
    }
    Ok(plan)
}

fn title_case(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epics_stories_and_repeated_columns() {
        let csv = "Summary,Issue key,Issue id,Issue Type,Status,Priority,Assignee,Labels,Labels,Sprint,Sprint,Custom field (Story Points),Custom field (Epic Link),Description\n\
Bank sync,TND-1,100,Epic,In Progress,Medium,,,,,,,,The bank part\n\
\"Import a CSV, quickly\",TND-2,101,Story,To Do,High,sam,bank,import,Sprint 1,Sprint 2,5.0,TND-1,\"Line one\nLine two\"\n";
        let plan = parse(csv).unwrap();
        assert_eq!(plan.items.len(), 2);
        let (epic, story) = (&plan.items[0], &plan.items[1]);
        assert_eq!((epic.kind, epic.key.as_str()), (Some(Kind::Epic), "jira:TND-1"));
        assert_eq!(story.title, "Import a CSV, quickly");
        assert_eq!(story.labels, ["bank", "import"]);
        assert_eq!(story.epic.as_deref(), Some("jira:TND-1"));
        assert_eq!(story.points.as_deref(), Some("5.0"));
        assert_eq!(story.extra, [("jira_sprint".to_string(), "Sprint 2".to_string())]);
        assert_eq!(story.body, "Line one\nLine two\n\n## Acceptance criteria\n");
        assert_eq!(story.line, 3);
    }

    #[test]
    fn a_ragged_row_names_its_line() {
        let e = parse("Summary,Issue key,Status\na,TND-1,To Do\n\"b,TND-2,To Do\nc,TND-3\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse("Summary,Key\n").unwrap_err();
        assert_eq!(e.message, "the header has no `Issue Key` column");
    }
}
