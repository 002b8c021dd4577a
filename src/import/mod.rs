//! Reading the backlogs of the tools teams leave: a GitHub issues export (`gh issue list
//! --json`), Jira's CSV export and a Backlog.md folder, each into one [`Plan`] of the items it
//! holds, in the source's order and with the source's words for statuses and priorities.
//!
//! This module owns what an imported item is, the `source` key that matches it again on the
//! next import, and how a description becomes a body with acceptance criteria. It is pure: the
//! command reads the files, [`crate::ops::import`] writes the items.

pub mod backlog_md;
pub mod github;
pub mod jira;

use crate::model::config::Config;
use crate::model::id::Kind;

/// The tools pm imports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Github,
    Jira,
    BacklogMd,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Github => "github",
            Tool::Jira => "jira",
            Tool::BacklogMd => "backlog-md",
        }
    }

    /// Whether a `source` key is one this tool's import writes.
    pub fn owns(self, key: &str) -> bool {
        match self {
            Tool::Github => key.starts_with("github#") || key.starts_with("github-milestone"),
            Tool::Jira => key.starts_with("jira:"),
            Tool::BacklogMd => key.starts_with("backlog-md:"),
        }
    }
}

/// How the source says an item stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Open, with no word for how far along (a GitHub issue): the kind's default status.
    Open,
    /// Closed as completed (the first finished status) or as not planned (dropped).
    Closed { dropped: bool },
    /// The source's own status word, mapped through `import.statuses` in pm.yaml.
    Named(String),
}

/// One item of the source.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Incoming {
    pub kind: Option<Kind>,
    /// What the item's `source` field says: `github#12`, `jira:TND-4`, `backlog-md:task-7`.
    pub key: String,
    pub title: String,
    pub state: Option<State>,
    /// The source's word for the priority, mapped through `import.priorities`.
    pub priority: Option<String>,
    /// Story points as the source writes them.
    pub points: Option<String>,
    pub labels: Vec<String>,
    pub owner: Option<String>,
    /// The key of the epic a story belongs to.
    pub epic: Option<String>,
    /// The key of the sprint a story is in.
    pub sprint: Option<String>,
    /// The keys of the stories a story depends on.
    pub depends_on: Vec<String>,
    /// The Markdown body, its criteria written as pm writes them (`- [ ] AC-1: ...`).
    pub body: String,
    /// Dates: a sprint's start and end, an epic's target.
    pub start: Option<jiff::civil::Date>,
    pub end: Option<jiff::civil::Date>,
    pub target: Option<jiff::civil::Date>,
    /// Fields kept as they are, for what pm has no field for (a Jira sprint's name).
    pub extra: Vec<(String, String)>,
    /// Where in the input it was read: the line, for messages.
    pub line: usize,
}

/// Everything one source holds: epics, sprints and stories, each in the source's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub items: Vec<Incoming>,
    /// What the source says that the plan leaves out, and why (a dependency on a task the
    /// folder does not hold).
    pub notes: Vec<String>,
}

/// A problem with the input: the line (and column, where known) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput {
    /// The file the problem is in, when the input is a folder of files.
    pub file: Option<String>,
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
    pub hint: String,
}

impl BadInput {
    pub fn new(line: usize, message: impl Into<String>, hint: impl Into<String>) -> BadInput {
        BadInput { file: None, line: line.max(1), column: None, message: message.into(), hint: hint.into() }
    }
}

/// A one-line text for a title or a field: control characters and line breaks as spaces,
/// runs of spaces as one.
pub fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() || c == '\u{2028}' { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The status words and priority words of a plan, each once, in the order first met.
pub fn words(plan: &Plan) -> (Vec<String>, Vec<String>) {
    let (mut statuses, mut priorities): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for item in &plan.items {
        if let Some(State::Named(s)) = &item.state
            && !statuses.contains(s)
        {
            statuses.push(s.clone());
        }
        if let Some(p) = &item.priority
            && !priorities.contains(p)
        {
            priorities.push(p.clone());
        }
    }
    (statuses, priorities)
}

/// The story status a source's status word most likely means, among this product's statuses:
/// the same word; a common name of Jira's, GitHub's or Backlog.md's (`To Do`, `In Review`,
/// `Won't Do`); or, for a word in the source's own ordered `workflow`, its place there (the
/// first is the default status, the last finished, those between started).
pub fn guess_status(word: &str, config: &Config, workflow: &[String]) -> Option<String> {
    let statuses = config.statuses(Kind::Story);
    let has = |s: &str| statuses.iter().find(|x| x.eq_ignore_ascii_case(s)).cloned();
    if let Some(same) = has(word) {
        return Some(same);
    }
    let plain: String = word.to_ascii_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    let finished = config.finished.first().cloned();
    let started = config.started.first().cloned();
    let default = Some(config.default_status(Kind::Story).to_string());
    let dropped = statuses.iter().find(|s| config.is_closed(s) && !config.is_finished(s)).cloned();
    let named = match plain.as_str() {
        "todo" | "open" | "new" | "backlog" | "triage" | "idea" | "proposed" => default.clone(),
        "ready" | "selectedfordevelopment" | "readyfordevelopment" | "refined" => has("ready").or(default.clone()),
        "inprogress" | "doing" | "started" | "inreview" | "review" | "codereview" | "inqa" | "qa" | "testing"
        | "intest" | "blocked" => started.clone(),
        "done" | "closed" | "resolved" | "complete" | "completed" | "shipped" | "released" => finished.clone(),
        "wontdo" | "wontfix" | "cancelled" | "canceled" | "rejected" | "duplicate" | "dropped" | "obsolete" => dropped,
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let at = workflow.iter().position(|w| w.eq_ignore_ascii_case(word))?;
    match at {
        0 => default,
        i if i + 1 == workflow.len() => finished,
        _ => started,
    }
}

/// The priority a source's priority word most likely means, among this product's priorities.
pub fn guess_priority(word: &str, config: &Config) -> Option<String> {
    let has = |p: &str| config.priorities.iter().find(|x| x.eq_ignore_ascii_case(p)).cloned();
    if let Some(same) = has(word) {
        return Some(same);
    }
    let plain: String = word.to_ascii_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
    match plain.as_str() {
        "highest" | "blocker" | "urgent" | "p0" | "p1" => has("critical"),
        "major" | "p2" => has("high"),
        "normal" | "p3" => has("medium"),
        "lowest" | "minor" | "trivial" | "p4" | "p5" => has("low"),
        _ => None,
    }
}

/// How a source writes its task-list criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriteriaStyle {
    /// `- [ ] text` under an "Acceptance criteria" heading (GitHub): numbered in order.
    Tasks,
    /// `- [ ] #3 text` (Backlog.md): the number is the criterion's.
    Numbered,
}

/// A description as a story's body: the task-list items under its "Acceptance criteria"
/// heading written as criteria (`- [ ] AC-1: text`), every other line as it was. A description
/// without that heading gets an empty one at its end, where `pm ac add` adds criteria.
pub fn story_body(description: &str, style: CriteriaStyle) -> String {
    let mut out = String::with_capacity(description.len() + 32);
    let mut section: Option<usize> = None;
    let mut seen_heading = false;
    let mut fence: Option<&str> = None;
    let mut next = 1u32;
    let mut used: std::collections::HashSet<u32> = std::collections::HashSet::new();
    for line in description.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some(level) = heading_level(trimmed) {
            let words = trimmed[level..].trim().trim_end_matches(':').trim().to_ascii_lowercase();
            if words == "acceptance criteria" {
                section = Some(level);
                seen_heading = true;
            } else if section.is_some_and(|l| level <= l) {
                section = None;
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if section.is_some()
            && let Some((indent, checked, text)) = task_item(line)
        {
            let (number, text) = match style {
                CriteriaStyle::Numbered => match numbered(text) {
                    Some((n, rest)) if !used.contains(&n) => (n, rest),
                    _ => (0, text),
                },
                CriteriaStyle::Tasks => (0, text),
            };
            let (number, text) = match already_labelled(text) {
                Some((n, rest)) if number == 0 && !used.contains(&n) => (n, rest),
                Some((_, rest)) => (number, rest),
                None => (number, text),
            };
            let number = if number > 0 { number } else { free(&mut next, &used) };
            used.insert(number);
            out.push_str(&format!("{indent}- [{}] AC-{number}: {}\n", if checked { "x" } else { " " }, text.trim()));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let mut out = out.trim_matches('\n').to_string();
    if !seen_heading {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str("## Acceptance criteria");
    }
    out.push('\n');
    out
}

/// The level of an ATX heading line (`## Title` is 2), if it is one.
fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with([' ', '\t'])).then_some(hashes)
}

/// A task-list line: its indent, whether it is ticked, and its text.
fn task_item(line: &str) -> Option<(&str, bool, &str)> {
    let indent = &line[..line.len() - line.trim_start().len()];
    let rest = line.trim_start();
    let rest = rest.strip_prefix(['-', '*', '+'])?.strip_prefix(' ')?.trim_start();
    let checked = match rest.get(..3)? {
        "[ ]" => false,
        "[x]" | "[X]" => true,
        _ => return None,
    };
    Some((indent, checked, rest[3..].trim_start()))
}

/// `#3 text` as 3 and `text`.
fn numbered(text: &str) -> Option<(u32, &str)> {
    let rest = text.strip_prefix('#')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let n = rest[..digits].parse().ok().filter(|n| *n > 0)?;
    Some((n, rest[digits..].trim_start()))
}

/// A criterion text that already says `AC-2:`: its number and the text after it.
fn already_labelled(text: &str) -> Option<(u32, &str)> {
    let rest = text.strip_prefix("AC-")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let n = rest[..digits].parse().ok().filter(|n| *n > 0)?;
    Some((n, rest[digits..].strip_prefix(':')?.trim_start()))
}

/// The lowest criterion number from `next` up not used yet.
fn free(next: &mut u32, used: &std::collections::HashSet<u32>) -> u32 {
    while used.contains(next) {
        *next += 1;
    }
    *next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_items_under_the_heading_become_criteria_and_nothing_else_changes() {
        let description = "Intro.\n\n### Acceptance Criteria:\n- [ ] Given a, then b\n- [x] AC-7: Already one\n  - [ ] nested\n\nProse stays.\n\n## Notes\n- [ ] a task, not a criterion\n```\n- [ ] code\n```\n";
        assert_eq!(
            story_body(description, CriteriaStyle::Tasks),
            "Intro.\n\n### Acceptance Criteria:\n- [ ] AC-1: Given a, then b\n- [x] AC-7: Already one\n  - [ ] AC-2: nested\n\nProse stays.\n\n## Notes\n- [ ] a task, not a criterion\n```\n- [ ] code\n```\n"
        );
        assert_eq!(story_body("", CriteriaStyle::Tasks), "## Acceptance criteria\n");
        assert_eq!(story_body("Body\n", CriteriaStyle::Tasks), "Body\n\n## Acceptance criteria\n");
    }

    #[test]
    fn numbered_criteria_keep_their_numbers() {
        let d = "## Acceptance Criteria\n- [ ] #2 Second\n- [x] #1 First\n- [ ] #2 Again\n- [ ] Plain\n";
        assert_eq!(
            story_body(d, CriteriaStyle::Numbered),
            "## Acceptance Criteria\n- [ ] AC-2: Second\n- [x] AC-1: First\n- [ ] AC-3: #2 Again\n- [ ] AC-4: Plain\n"
        );
    }

    #[test]
    fn one_line_makes_a_title_of_anything() {
        assert_eq!(one_line("  a\tb\r\nc\u{7}  d "), "a b c d");
    }
}
