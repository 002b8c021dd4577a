//! A GitHub issues export: the JSON array `gh issue list --state all --json
//! number,title,body,labels,state,stateReason,milestone,assignees,createdAt,closedAt,url` prints. Issues
//! become stories (closed ones done, or dropped when closed as not planned), labels carry over,
//! the first assignee owns the story, and each milestone becomes an epic or a sprint.

use serde::Deserialize;

use crate::import::{BadInput, CriteriaStyle, Incoming, Plan, State, one_line, story_body};
use crate::model::id::Kind;

/// What a milestone becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilestonesAs {
    Epics,
    Sprints,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    state_reason: Option<String>,
    #[serde(default)]
    milestone: Option<Milestone>,
    #[serde(default)]
    assignees: Vec<Assignee>,
}

#[derive(Debug, Deserialize)]
struct Label {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Assignee {
    login: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Milestone {
    #[serde(default)]
    number: Option<u64>,
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    due_on: Option<String>,
}

/// The `source` of an issue.
pub fn issue_key(number: u64) -> String {
    format!("github#{number}")
}

/// Read an export. `sprint_days` is the length a sprint made of a milestone is given, ending
/// on its due date (a milestone has no start).
pub fn parse(text: &str, milestones: MilestonesAs, sprint_days: i32) -> Result<Plan, BadInput> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let issues: Vec<Issue> = serde_json::from_str(text).map_err(|e| {
        let hint = if e.is_data() {
            "the file should be what `gh issue list --state all --json number,title,body,labels,state,stateReason,milestone,assignees,createdAt,closedAt,url --limit 10000` prints: an array of issues, each with a number and a title"
        } else {
            "the file is not JSON as `gh issue list --json ...` writes it; export it again"
        };
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        // A file that is not JSON at all (a CSV, an HTML error page) is told as that.
        let first = text.trim_start_matches('\u{feff}').trim_start().chars().next();
        let message = match first {
            Some(c) if c != '[' && c != '{' => format!("this is not JSON: it starts with `{c}`, not `[`"),
            None => "the file is empty".to_string(),
            _ => message,
        };
        BadInput { file: None, line: e.line().max(1), column: Some(e.column()).filter(|c| *c > 0), message, hint: hint.into() }
    })?;
    let lines = issue_lines(text);
    let mut plan = Plan::default();
    let mut milestones_seen: Vec<String> = Vec::new();
    for (i, issue) in issues.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(1);
        let title = one_line(&issue.title);
        if title.is_empty() {
            return Err(BadInput::new(
                line,
                format!("issue #{} has an empty title", issue.number),
                "give it a title on GitHub and export again",
            ));
        }
        if let Some(m) = issue.milestone.as_ref().filter(|m| one_line(&m.title).is_empty()) {
            return Err(BadInput::new(
                line,
                format!(
                    "issue #{} has a milestone without a title{}",
                    issue.number,
                    m.number.map(|n| format!(" (#{n})")).unwrap_or_default()
                ),
                "give the milestone a title on GitHub and export again",
            ));
        }
        let milestone = issue.milestone.as_ref().map(|m| {
            let key = milestone_key(m);
            if !milestones_seen.contains(&key) {
                milestones_seen.push(key.clone());
                plan.items.push(milestone_item(m, &key, milestones, sprint_days, line));
            }
            key
        });
        let state = match issue.state.as_deref().map(str::to_ascii_uppercase).as_deref() {
            Some("CLOSED") => State::Closed { dropped: issue.state_reason.as_deref() == Some("NOT_PLANNED") },
            Some("OPEN") | None => State::Open,
            Some(other) => {
                return Err(BadInput::new(
                    line,
                    format!("issue #{} has the state `{other}`", issue.number),
                    "an issue's state is OPEN or CLOSED, as gh writes it",
                ));
            }
        };
        let (epic, sprint) = match milestones {
            MilestonesAs::Epics => (milestone, None),
            MilestonesAs::Sprints => (None, milestone),
        };
        plan.items.push(Incoming {
            kind: Some(Kind::Story),
            key: issue_key(issue.number),
            title,
            state: Some(state),
            labels: issue.labels.iter().map(|l| one_line(&l.name)).filter(|l| !l.is_empty()).collect(),
            owner: issue.assignees.first().map(|a| one_line(&a.login)),
            epic,
            sprint,
            body: story_body(issue.body.as_deref().unwrap_or("").replace("\r\n", "\n").trim(), CriteriaStyle::Tasks),
            line,
            ..Incoming::default()
        });
    }
    Ok(plan)
}

fn milestone_key(m: &Milestone) -> String {
    match m.number {
        Some(n) => format!("github-milestone#{n}"),
        None => format!("github-milestone:{}", one_line(&m.title)),
    }
}

fn milestone_item(m: &Milestone, key: &str, milestones: MilestonesAs, sprint_days: i32, line: usize) -> Incoming {
    let due = m.due_on.as_deref().and_then(|d| d.get(..10)).and_then(crate::model::sprint::parse_date);
    let description = m.description.as_deref().unwrap_or("").replace("\r\n", "\n");
    let mut item = Incoming {
        key: key.to_string(),
        title: one_line(&m.title),
        body: if description.trim().is_empty() { String::new() } else { format!("{}\n", description.trim()) },
        line,
        ..Incoming::default()
    };
    match milestones {
        MilestonesAs::Epics => {
            item.kind = Some(Kind::Epic);
            item.target = due;
        }
        MilestonesAs::Sprints => {
            item.kind = Some(Kind::Sprint);
            item.end = due;
            item.start =
                due.and_then(|d| d.checked_sub(jiff::Span::new().days(i64::from(sprint_days.max(1) - 1))).ok());
        }
    }
    item
}

/// The line each issue's object starts on: `{` one level inside the array, for messages.
fn issue_lines(text: &str) -> Vec<usize> {
    let (mut depth, mut line, mut in_string, mut escaped) = (0usize, 1usize, false, false);
    let mut out = Vec::new();
    for b in text.bytes() {
        match b {
            b'\n' => line += 1,
            _ if in_string => match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            },
            b'"' => in_string = true,
            b'[' | b'{' => {
                if b == b'{' && depth == 1 {
                    out.push(line);
                }
                depth += 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_export_names_the_line_and_column() {
        let e = parse(
            "[\n  {\"number\": 1, \"title\": \"a\"},\n  {\"number\": 2 \"title\": \"b\"}\n]",
            MilestonesAs::Epics,
            14,
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (3, Some(16)));
        assert_eq!(e.message, "expected `,` or `}`");
        let e = parse("[{\"title\": \"a\"}]", MilestonesAs::Epics, 14).unwrap_err();
        assert_eq!(e.message, "missing field `number`");
    }

    #[test]
    fn milestones_become_epics_or_sprints_once() {
        let text = r#"[
  {"number": 2, "title": "B", "state": "OPEN", "milestone": {"number": 1, "title": "v1", "dueOn": "2026-02-13T00:00:00Z"}},
  {"number": 1, "title": "A", "state": "CLOSED", "stateReason": "NOT_PLANNED", "milestone": {"number": 1, "title": "v1", "dueOn": "2026-02-13T00:00:00Z"}}
]"#;
        let plan = parse(text, MilestonesAs::Sprints, 14).unwrap();
        let kinds: Vec<(Option<Kind>, &str, usize)> =
            plan.items.iter().map(|i| (i.kind, i.key.as_str(), i.line)).collect();
        assert_eq!(
            kinds,
            [
                (Some(Kind::Sprint), "github-milestone#1", 2),
                (Some(Kind::Story), "github#2", 2),
                (Some(Kind::Story), "github#1", 3)
            ]
        );
        assert_eq!(plan.items[0].start.map(|d| d.to_string()).as_deref(), Some("2026-01-31"));
        assert_eq!(plan.items[2].state, Some(State::Closed { dropped: true }));
        assert_eq!(plan.items[1].sprint.as_deref(), Some("github-milestone#1"));
    }
}
