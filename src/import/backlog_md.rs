//! A Backlog.md folder (`backlog/`): its tasks (`tasks/`, `completed/` and `drafts/`; not
//! `archive/`), each a Markdown file with front matter (`id`, `title`, `status`, `assignee`,
//! `labels`, `dependencies`, `parent_task_id`, `ordinal`, `priority`), and the statuses of its
//! `config.yml`. A task that is another's parent becomes an epic, every other task a story;
//! `ordinal` is the backlog order; `- [ ] #1 text` under `## Acceptance Criteria` (between its
//! `AC:BEGIN` and `AC:END` markers) becomes criterion AC-1.

use serde_yaml::Value;

use crate::import::{BadInput, CriteriaStyle, Incoming, Plan, State, one_line, story_body};
use crate::model::id::Kind;
use crate::model::item::scalar_string;

/// One file of the folder: its path inside `backlog/` and its text.
pub struct File {
    pub rel: String,
    pub text: String,
}

/// The `source` of a task.
pub fn task_key(id: &str) -> String {
    format!("backlog-md:{}", id.trim().to_ascii_lowercase())
}

/// The statuses of `config.yml`, in workflow order (Backlog.md's own when it has none).
pub fn statuses(config: Option<&str>) -> Result<Vec<String>, BadInput> {
    let default = || vec!["To Do".to_string(), "In Progress".to_string(), "Done".to_string()];
    let Some(text) = config else { return Ok(default()) };
    let value: Value = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        BadInput { file: Some("config.yml".into()), ..BadInput::new(line, e.to_string(), "fix the YAML of config.yml") }
    })?;
    match value.get("statuses") {
        Some(Value::Sequence(list)) => Ok(list.iter().filter_map(scalar_string).map(|s| one_line(&s)).collect()),
        _ => Ok(default()),
    }
}

/// A task's front matter and body.
struct Task {
    rel: String,
    id: String,
    fields: Value,
    body: String,
    draft: bool,
}

fn split(file: &File) -> Result<Task, BadInput> {
    let bad = |line: usize, message: String, hint: &str| BadInput {
        file: Some(file.rel.clone()),
        ..BadInput::new(line, message, hint)
    };
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text).replace("\r\n", "\n");
    let rest = text
        .strip_prefix("---\n")
        .ok_or_else(|| bad(1, "the task has no front matter".into(), "a Backlog.md task starts with a `---` line"))?;
    let (yaml, body) = match rest.find("\n---\n") {
        Some(end) => (&rest[..end], &rest[end + 5..]),
        None => match rest.strip_suffix("\n---") {
            Some(yaml) => (yaml, ""),
            None => return Err(bad(1, "the front matter has no closing `---`".into(), "add a `---` line after it")),
        },
    };
    let fields: Value = serde_yaml::from_str(yaml).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line()) + 1;
        let message = e.to_string();
        bad(
            line,
            message.split(" at line ").next().unwrap_or(&message).to_string(),
            crate::model::item::read::YAML_HINT,
        )
    })?;
    let id = fields.get("id").and_then(scalar_string).map(|s| s.trim().to_string()).unwrap_or_default();
    if id.is_empty() {
        return Err(bad(2, "the task has no `id`".into(), "a Backlog.md task has an id, like `id: task-12`"));
    }
    Ok(Task { rel: file.rel.clone(), id, fields, body: body.to_string(), draft: file.rel.starts_with("drafts/") })
}

fn text(fields: &Value, key: &str) -> Option<String> {
    fields.get(key).and_then(scalar_string).map(|s| one_line(&s)).filter(|s| !s.is_empty())
}

fn list(fields: &Value, key: &str) -> Vec<String> {
    match fields.get(key) {
        Some(Value::Sequence(items)) => {
            items.iter().filter_map(scalar_string).map(|s| one_line(&s)).filter(|s| !s.is_empty()).collect()
        }
        Some(v) => scalar_string(v).map(|s| one_line(&s)).filter(|s| !s.is_empty()).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The numbers of a task ID, for ordering: `task-12` is [12], `back-355.01` [355, 1].
fn id_numbers(id: &str) -> Vec<u64> {
    id.rsplit('-').next().unwrap_or("").split('.').filter_map(|n| n.parse().ok()).collect()
}

/// The body without Backlog.md's section markers (`<!-- AC:BEGIN -->`, `<!-- SECTION:...:END -->`).
fn without_markers(body: &str) -> String {
    let marker = |l: &str| {
        let t = l.trim();
        t.starts_with("<!-- ")
            && t.ends_with(" -->")
            && (t.contains(":BEGIN") || t.contains(":END"))
            && t[5..t.len() - 4].bytes().all(|b| b.is_ascii_uppercase() || b == b':' || b == b'_')
    };
    body.lines().filter(|l| !marker(l)).map(|l| format!("{l}\n")).collect()
}

/// Read the folder's task files.
pub fn parse(files: &[File]) -> Result<Plan, BadInput> {
    let mut tasks = files.iter().map(split).collect::<Result<Vec<_>, _>>()?;
    let mut seen = std::collections::HashMap::new();
    for t in &tasks {
        if let Some(other) = seen.insert(task_key(&t.id), t.rel.clone()) {
            return Err(BadInput {
                file: Some(t.rel.clone()),
                ..BadInput::new(
                    2,
                    format!("{} is the id of {other} too", t.id),
                    "give one of them another id in Backlog.md",
                )
            });
        }
    }
    // A task that names itself as its parent has none.
    let parent_of = |t: &Task| {
        (text(&t.fields, "parent_task_id").or_else(|| text(&t.fields, "parent")))
            .filter(|p| task_key(p) != task_key(&t.id))
    };
    let parents: std::collections::HashSet<String> =
        tasks.iter().filter_map(parent_of).map(|p| task_key(&p)).filter(|k| seen.contains_key(k)).collect();
    tasks.sort_by_cached_key(|t| {
        let ordinal = t.fields.get("ordinal").and_then(Value::as_f64);
        (ordinal.is_none(), ordinal.map(|o| (o * 1000.0) as i64).unwrap_or(0), id_numbers(&t.id), t.id.clone())
    });
    let mut plan = Plan::default();
    for t in &tasks {
        let key = task_key(&t.id);
        let title = text(&t.fields, "title").unwrap_or_default();
        if title.is_empty() {
            return Err(BadInput {
                file: Some(t.rel.clone()),
                ..BadInput::new(2, format!("{} has no title", t.id), "give the task a `title`")
            });
        }
        let is_epic = parents.contains(&key);
        let state = match text(&t.fields, "status") {
            _ if t.draft => State::Open,
            Some(s) => State::Named(s),
            None => State::Open,
        };
        let body = without_markers(&t.body);
        let mut item = Incoming {
            kind: Some(if is_epic { Kind::Epic } else { Kind::Story }),
            key,
            title,
            state: Some(state),
            labels: list(&t.fields, "labels"),
            owner: list(&t.fields, "assignee").first().map(|a| a.trim_start_matches('@').to_string()),
            line: 1,
            ..Incoming::default()
        };
        if is_epic {
            item.body = if body.trim().is_empty() { String::new() } else { format!("{}\n", body.trim()) };
            if let Some(parent) = parent_of(t) {
                plan.notes.push(format!(
                    "{}: it is a parent, so an epic, and an epic holds stories, not epics: its own parent {parent} is left out",
                    t.id
                ));
            }
            if !list(&t.fields, "dependencies").is_empty() {
                plan.notes.push(format!(
                    "{}: it becomes an epic, which depends on nothing: its dependencies are left out",
                    t.id
                ));
            }
        } else {
            item.priority = text(&t.fields, "priority");
            if let Some(parent) = parent_of(t) {
                if parents.contains(&task_key(&parent)) {
                    item.epic = Some(task_key(&parent));
                } else {
                    plan.notes.push(format!("{}: its parent {parent} is not in the folder; it has no epic", t.id));
                }
            }
            for d in list(&t.fields, "dependencies") {
                let key = task_key(&d);
                if !seen.contains_key(&key) {
                    plan.notes.push(format!("{}: it depends on {d}, which is not in the folder; left out", t.id));
                } else if parents.contains(&key) {
                    plan.notes.push(format!("{}: it depends on {d}, which becomes an epic; left out", t.id));
                } else {
                    item.depends_on.push(key);
                }
            }
            item.body = story_body(body.trim(), CriteriaStyle::Numbered);
        }
        plan.items.push(item);
    }
    break_cycles(&mut plan);
    Ok(plan)
}

/// Dependency cycles among the stories (task-7 needs task-8, which needs task-7): the link
/// that closes each is left out, with a note, so the product passes `pm check`.
fn break_cycles(plan: &mut Plan) {
    let index: std::collections::HashMap<String, usize> =
        plan.items.iter().enumerate().map(|(i, item)| (item.key.clone(), i)).collect();
    // 0 unvisited, 1 on the path, 2 done.
    let mut state = vec![0u8; plan.items.len()];
    let mut notes = Vec::new();
    for root in 0..plan.items.len() {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(dep) = plan.items[node].depends_on.get(*next).cloned() else {
                state[node] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            let Some(&to) = index.get(&dep) else { continue };
            match state[to] {
                0 => {
                    state[to] = 1;
                    stack.push((to, 0));
                }
                1 => {
                    let at = *next - 1;
                    plan.items[node].depends_on.remove(at);
                    if let Some(top) = stack.last_mut() {
                        top.1 -= 1;
                    }
                    notes.push(format!(
                        "{}: its dependency on {} closes a cycle; left out",
                        plan.items[node].key.trim_start_matches("backlog-md:"),
                        dep.trim_start_matches("backlog-md:")
                    ));
                }
                _ => {}
            }
        }
    }
    plan.notes.extend(notes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: &str) -> File {
        File { rel: rel.into(), text: text.into() }
    }

    #[test]
    fn parents_become_epics_ordinals_the_order_and_numbered_criteria_keep_numbers() {
        let files = [
            file("tasks/task-1 - Parent.md", "---\nid: task-1\ntitle: Parent\nstatus: In Progress\n---\n"),
            file(
                "tasks/task-2 - Child.md",
                "---\nid: task-2\ntitle: Child\nstatus: To Do\nassignee: ['@sam']\nparent_task_id: task-1\ndependencies: [task-3]\nordinal: 2000\n---\n\n## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\nDo it.\n<!-- SECTION:DESCRIPTION:END -->\n\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [ ] #1 First\n- [x] #2 Second\n<!-- AC:END -->\n",
            ),
            file("tasks/task-3 - Other.md", "---\nid: task-3\ntitle: Other\nstatus: Done\nordinal: 1000\n---\n"),
        ];
        let plan = parse(&files).unwrap();
        let order: Vec<&str> = plan.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(order, ["backlog-md:task-3", "backlog-md:task-2", "backlog-md:task-1"]);
        let child = &plan.items[1];
        assert_eq!(child.kind, Some(Kind::Story));
        assert_eq!(child.epic.as_deref(), Some("backlog-md:task-1"));
        assert_eq!(child.owner.as_deref(), Some("sam"));
        assert_eq!(child.depends_on, ["backlog-md:task-3"]);
        assert_eq!(
            child.body,
            "## Description\n\nDo it.\n\n## Acceptance Criteria\n- [ ] AC-1: First\n- [x] AC-2: Second\n"
        );
        assert_eq!(plan.items[2].kind, Some(Kind::Epic));
    }

    #[test]
    fn a_dependency_cycle_is_broken_with_a_note() {
        let files = [
            file("tasks/task-7 - A.md", "---\nid: task-7\ntitle: A\nstatus: To Do\ndependencies: [task-8]\n---\n"),
            file(
                "tasks/task-8 - B.md",
                "---\nid: task-8\ntitle: B\nstatus: To Do\ndependencies: [task-7, task-9]\n---\n",
            ),
            file("tasks/task-9 - C.md", "---\nid: task-9\ntitle: C\nstatus: To Do\nparent_task_id: task-9\n---\n"),
        ];
        let plan = parse(&files).unwrap();
        let deps: Vec<Vec<String>> = plan.items.iter().map(|i| i.depends_on.clone()).collect();
        assert_eq!(deps, [vec!["backlog-md:task-8".to_string()], vec!["backlog-md:task-9".to_string()], vec![]]);
        assert_eq!(plan.notes, ["task-8: its dependency on task-7 closes a cycle; left out"]);
        assert_eq!(plan.items[2].kind, Some(Kind::Story), "its own parent: no parent");
    }

    #[test]
    fn a_bad_task_names_its_file_and_line() {
        let e = parse(&[file("tasks/task-1 - A.md", "---\nid: task-1\ntitle: [unclosed\n---\n")]).unwrap_err();
        // An unclosed `[` is found where the YAML ends: the closing `---` line.
        assert_eq!((e.file.as_deref(), e.line), (Some("tasks/task-1 - A.md"), 4));
    }
}
