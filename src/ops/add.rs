//! Creating a vision, epic or story: a new file with the next free ID, and its line in the
//! backlog or roadmap, written together.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::model::frontmatter::{self, FieldValue, yaml_flow_list, yaml_scalar};
use crate::model::id::{ItemId, Kind, slug};
use crate::model::item::Item;
use crate::ops::{Placement, sync_lists, values};
use crate::store::ids;
use crate::store::product::Product;
use crate::store::transaction::{CommitError, Transaction};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    pub title: String,
    pub status: Option<String>,
    pub owner: Option<String>,
    pub labels: Vec<String>,
    pub epic: Option<String>,
    pub vision: Option<String>,
    pub priority: Option<String>,
    pub points: Option<String>,
    pub depends_on: Vec<String>,
    /// Acceptance criteria texts (stories).
    pub criteria: Vec<String>,
    /// The user-story sentence parts: role, goal, benefit.
    pub user_story: Option<(String, String, Option<String>)>,
    pub placement: Option<Placement>,
    /// Roadmap horizon for a new epic.
    pub horizon: Option<String>,
    /// The sprint a new story joins.
    pub sprint: Option<String>,
    /// A new sprint's dates (checked YYYY-MM-DD), capacity and goal.
    pub start: Option<String>,
    pub end: Option<String>,
    pub capacity: Option<u64>,
    pub goal: Option<String>,
    /// A new epic's target date (checked YYYY-MM-DD).
    pub target: Option<String>,
    /// A feedback item's own fields: who said it, when, where, what it supports, its weight,
    /// and its body (the quote).
    pub from: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    pub stories: Vec<String>,
    pub epics: Vec<String>,
    pub weight: Option<u64>,
    /// The body, when it is given whole (feedback's quote, an imported story's description).
    pub body: Option<String>,
    /// Fields pm has no flag for, as YAML scalars (an import's `jira_sprint`).
    pub extra: Vec<(String, String)>,
}

/// The result of a successful add.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: ItemId,
    pub path: PathBuf,
    pub item: Item,
}

/// A hook that may rewrite a new item's text before it is saved (the editor).
pub type EditHook<'a> = &'a dyn Fn(&str) -> Result<String>;

/// A new item checked and, with an editor, edited: ready to be created by [`Prepared::create`].
#[derive(Debug)]
pub struct Prepared {
    kind: Kind,
    prefix: String,
    /// The text to write, with the ID it was drafted with (provisional until created).
    text: Option<String>,
    provisional: Option<u64>,
    title: String,
    status: String,
    points: Option<u64>,
    horizon: &'static str,
    new: NewItem,
}

/// Check what the user asked for and, when `edit` is given, run it (an editor) on the new
/// file's text with the ID the item would get now. Takes no lock: an editor may stay open for
/// minutes. The ID is allocated for real by [`Prepared::create`], under the transaction.
pub fn prepare(product: &Product, kind: Kind, new: &NewItem, edit: Option<EditHook>) -> Result<Prepared> {
    let title = values::title(&new.title)?;
    let status = new.status.clone().unwrap_or_else(|| product.config.default_status(kind).to_string());
    values::status(product, kind, &status)?;
    if let Some(p) = &new.priority {
        values::priority(product, p)?;
    }
    let points = new.points.as_deref().map(|p| values::points(product, p)).transpose()?;
    if let Some(e) = &new.epic {
        values::link(product, e, Kind::Epic)?;
    }
    if let Some(v) = &new.vision {
        values::link(product, v, Kind::Vision)?;
    }
    if let Some(s) = &new.sprint {
        values::open_sprint(product, s)?;
    }
    if let Some(g) = &new.goal {
        values::one_line("the sprint goal", g)
            .map_err(|e| e.with_hint("a goal is one line of plain text; write the details in the body"))?;
    }
    if let Some(o) = &new.owner {
        values::one_line("the owner", o)?;
    }
    for (what, text) in [("who it is from", &new.from), ("the source", &new.source)] {
        if let Some(t) = text {
            values::one_line(what, t)?;
        }
    }
    values::links(product, &new.stories, Kind::Story)?;
    values::links(product, &new.epics, Kind::Epic)?;
    if let Some((role, want, benefit)) = &new.user_story {
        for part in [Some(role), Some(want), benefit.as_ref()].into_iter().flatten() {
            values::one_line("the user story", part)?;
        }
    }
    let mut seen = std::collections::HashSet::new();
    for d in &new.depends_on {
        if !seen.insert(d) {
            return Err(
                Error::bad_argument(format!("--depends-on {d} is given twice")).with_hint("name each story once")
            );
        }
        values::link(product, d, Kind::Story)?;
    }
    for c in &new.criteria {
        if c.trim().is_empty() || c.contains('\n') {
            return Err(Error::bad_argument("an acceptance criterion must be one non-empty line")
                .with_hint("e.g. --ac \"Given a registered email, when I ask for a reset, then a link is sent\""));
        }
        values::one_line("the acceptance criterion", c)?;
    }
    for l in &new.labels {
        if l.trim().is_empty() {
            return Err(Error::bad_argument("a label is empty")
                .with_hint("e.g. --label auth --label email, or --label auth,email"));
        }
        values::one_line("the label", l)?;
    }
    let horizon = match &new.horizon {
        Some(h) => super::horizon_name(h)
            .ok_or_else(|| Error::bad_argument(format!("unknown horizon `{h}`")).with_hint("use now, next or later"))?,
        None => "Later",
    };

    let prefix = product.config.prefix(kind).to_string();
    let (mut text, mut provisional) = (None, None);
    if let Some(edit) = edit {
        // Reading every branch's IDs is the costly part of an add, so it is done twice only
        // with --edit.
        let number = next_number(kind, &prefix, ids::highest_in_use(product, kind)?)?;
        let draft = render(&product.config, kind, &ItemId::new(&prefix, number), &title, &status, points, new, true);
        text = Some(without_placeholders(&edit(&draft)?));
        provisional = Some(number);
    }
    Ok(Prepared { kind, prefix, text, provisional, title, status, points, horizon, new: new.clone() })
}

/// The number after `highest`, or an error when there is none.
fn next_number(kind: Kind, prefix: &str, highest: u64) -> Result<u64> {
    highest.checked_add(1).ok_or_else(|| {
        Error::bad_argument(format!("no {kind} number is left after {prefix}-{highest}"))
            .with_hint(format!("`pm renumber` the item with the huge number to a small one ({prefix}-{highest})"))
    })
}

impl Prepared {
    /// Create the item with the next free ID: its file and its backlog or roadmap line, in one
    /// commit of `tx`.
    pub fn create(self, tx: &mut Transaction) -> Result<Created> {
        let product = tx.product();
        let Prepared { kind, prefix, text, provisional, title, status, points, horizon, new } = self;
        let edited = provisional.is_some();
        let mut number = next_number(kind, &prefix, ids::highest_in_use(product, kind)?)?;
        let mut text = text.unwrap_or_else(|| {
            render(&product.config, kind, &ItemId::new(&prefix, number), &title, &status, points, &new, false)
        });
        let placement = new.placement.clone().unwrap_or(Placement::Bottom);
        let parse_draft = |text: &str| {
            Item::parse(text.to_string(), PathBuf::new(), String::new(), PathBuf::from("(new item)"), &product.config)
        };
        if let Some(provisional) = provisional.map(|n| ItemId::new(&prefix, n)) {
            let draft = parse_draft(&text)?;
            if draft.id != provisional {
                return Err(Error::bad_argument(format!("the edited file changed the ID to {}", draft.id))
                    .with_hint(format!("keep `id: {provisional}`; pm allocates IDs so they never collide")));
            }
        }
        for _attempt in 0..1000 {
            let id = ItemId::new(&prefix, number);
            let draft = parse_draft(&text)?;
            if draft.id != id {
                text =
                    frontmatter::edit_fields(&text, &draft.split, &[("id".into(), FieldValue::Scalar(id.to_string()))])
                        .map_err(Error::bad_argument)?;
            }
            let path = product.root.join(kind.folder()).join(file_name(&id, &draft.title));
            let item =
                Item::parse(text.clone(), path.clone(), product.rel(&path), product.shown(&path), &product.config)?;
            if edited {
                values::check_item(product, &item)?;
            }
            if kind == Kind::Story && product.config.require_ac_on_add && item.criteria.items.is_empty() {
                return Err(Error::bad_argument(format!(
                    "{} needs an acceptance criterion (require_ac_on_add in pm.yaml)",
                    id
                ))
                .with_hint("add one: --ac \"Given ..., when ..., then ...\""));
            }
            tx.create(&path, text.clone());
            sync_lists(tx, &item, Some((placement.clone(), horizon)))?;
            match tx.commit() {
                Ok(()) => return Ok(Created { id, path, item }),
                // Someone made that file behind our back: take the next number.
                Err(CommitError::Exists(_)) => number = next_number(kind, &prefix, number)?,
                Err(CommitError::Other(e)) => return Err(e),
            }
        }
        Err(Error::bad_argument("could not find a free file name for the new item")
            .with_hint(format!("check the files in {}", product.shown(&product.root.join(kind.folder())).display())))
    }
}

/// What `--edit` opens where a flag gave nothing: lines to fill in, dropped when left as
/// they are.
const USER_STORY_PLACEHOLDER: &str = "As a <role>, I want <goal>, so that <benefit>.";
const CRITERION_PLACEHOLDER: &str = "- [ ] AC-1: Given <context>, when <action>, then <outcome>";

/// pm's own layout of a story's body (the template when pm.yaml has none).
const STORY_LAYOUT: &str = "{user_story}\n\n## Acceptance criteria\n\n{criteria}";

/// The edited text without the placeholder lines the user left untouched.
fn without_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == USER_STORY_PLACEHOLDER || bare == CRITERION_PLACEHOLDER {
            // Its blank line goes with it: the sentence's after it, the criterion's when it
            // stood between two blank lines.
            let blank_before = out.is_empty() || out.ends_with("\n\n") || out.ends_with("\n\r\n");
            if (bare == USER_STORY_PLACEHOLDER || blank_before) && lines.peek().is_some_and(|l| l.trim().is_empty()) {
                lines.next();
            }
            continue;
        }
        out.push_str(line);
    }
    out
}

/// A body template filled in: each `{name}` replaced by its value in one left-to-right pass
/// (a value is never searched for placeholders). A line that was only a placeholder with
/// nothing to say goes, with a blank line after it when one stands before it; the body starts
/// at its first line of text. Every other line is the template's.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut dropped_after_blank = false;
    for line in template.split_inclusive('\n') {
        if dropped_after_blank && line.trim().is_empty() {
            dropped_after_blank = false;
            continue;
        }
        dropped_after_blank = false;
        let mut filled = String::with_capacity(line.len());
        let mut rest = line;
        let mut only_empty = false;
        while let Some(open) = rest.find('{') {
            let hit = values.iter().find(|(name, _)| rest[open + 1..].starts_with(&format!("{name}}}")));
            match hit {
                Some((name, value)) => {
                    filled.push_str(&rest[..open]);
                    filled.push_str(value);
                    only_empty = value.is_empty() && line.trim() == format!("{{{name}}}");
                    rest = &rest[open + name.len() + 2..];
                }
                None => {
                    filled.push_str(&rest[..=open]);
                    rest = &rest[open + 1..];
                }
            }
        }
        filled.push_str(rest);
        if only_empty {
            dropped_after_blank = out.is_empty() || out.ends_with("\n\n");
            continue;
        }
        out.push_str(&filled);
    }
    let out = out.trim_start_matches('\n');
    if out.is_empty() || out.ends_with('\n') { out.to_string() } else { format!("{out}\n") }
}

/// The text of a new item file; with `placeholders`, what `--edit` opens.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render(
    config: &crate::model::config::Config,
    kind: Kind,
    id: &ItemId,
    title: &str,
    status: &str,
    points: Option<u64>,
    new: &NewItem,
    placeholders: bool,
) -> String {
    let mut fm = String::new();
    let mut field = |k: &str, v: String| fm.push_str(&format!("{k}: {v}\n"));
    field("id", id.to_string());
    field("title", yaml_scalar(title));
    field("status", yaml_scalar(status));
    if let Some(v) = &new.vision {
        field("vision", yaml_scalar(v));
    }
    if let Some(e) = &new.epic {
        field("epic", yaml_scalar(e));
    }
    if let Some(p) = &new.priority {
        field("priority", yaml_scalar(p));
    }
    if let Some(s) = &new.sprint {
        field("sprint", yaml_scalar(s));
    }
    if let Some(s) = &new.start {
        field("start", s.clone());
    }
    if let Some(e) = &new.end {
        field("end", e.clone());
    }
    if let Some(c) = new.capacity {
        field("capacity", c.to_string());
    }
    if let Some(g) = &new.goal {
        field("goal", yaml_scalar(g.trim()));
    }
    if let Some(t) = &new.target {
        field("target", t.clone());
    }
    if let Some(f) = &new.from {
        field("from", yaml_scalar(f.trim()));
    }
    if let Some(d) = &new.date {
        field("date", d.clone());
    }
    if let Some(s) = &new.source {
        field("source", yaml_scalar(s.trim()));
    }
    if !new.stories.is_empty() {
        field("stories", yaml_flow_list(&new.stories));
    }
    if !new.epics.is_empty() {
        field("epics", yaml_flow_list(&new.epics));
    }
    if let Some(w) = new.weight {
        field("weight", w.to_string());
    }
    for (key, value) in &new.extra {
        field(key, yaml_scalar(value));
    }
    if let Some(p) = points {
        field("points", p.to_string());
    }
    if let Some(o) = &new.owner {
        field("owner", yaml_scalar(o));
    }
    if !new.labels.is_empty() {
        field("labels", yaml_flow_list(&new.labels));
    }
    if !new.depends_on.is_empty() {
        field("depends_on", yaml_flow_list(&new.depends_on));
    }
    let mut sentence = String::new();
    if let Some((role, goal, benefit)) = &new.user_story {
        let article = if role.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
        sentence.push_str(&format!("As {article} {role}, I want {goal}"));
        if let Some(b) = benefit {
            sentence.push_str(&format!(", so that {b}"));
        }
        sentence.push('.');
    } else if placeholders && kind == Kind::Story {
        sentence.push_str(USER_STORY_PLACEHOLDER);
    }
    let mut criteria = String::new();
    for (i, c) in new.criteria.iter().enumerate() {
        criteria.push_str(&format!("- [ ] AC-{}: {}\n", i + 1, c.trim()));
    }
    if criteria.is_empty() && placeholders {
        criteria.push_str(CRITERION_PLACEHOLDER);
    }
    let criteria = criteria.trim_end_matches('\n');
    let template = |t: &str, default: &str| if t.trim().is_empty() { default.to_string() } else { t.to_string() };
    let body = match kind {
        Kind::Story | Kind::Epic if new.body.is_some() => new.body.clone().unwrap_or_default(),
        Kind::Story => {
            fill(&template(&config.templates.story, STORY_LAYOUT), &[("user_story", &sentence), ("criteria", criteria)])
        }
        Kind::Epic => fill(&template(&config.templates.epic, ""), &[]),
        Kind::Sprint => match new.body.as_deref().filter(|b| !b.trim().is_empty()) {
            Some(b) => format!("{}\n\n## Notes\n\n## Review\n\n## Retrospective\n", b.trim_end()),
            None => "## Notes\n\n## Review\n\n## Retrospective\n".to_string(),
        },
        Kind::Feedback => new.body.clone().unwrap_or_default(),
        Kind::Vision => String::new(),
    };
    format!("---\n{fm}---\n{}{body}", if body.is_empty() { "" } else { "\n" })
}

/// `S-12-reset-password.md`, or `S-12.md` when the title has no letters or digits.
pub fn file_name(id: &ItemId, title: &str) -> String {
    let s = slug(title);
    if s.is_empty() { format!("{id}.md") } else { format!("{id}-{s}.md") }
}
