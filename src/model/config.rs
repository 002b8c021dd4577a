//! The product's settings, read from `product/pm.yaml`; every setting has a default.
//!
//! This module owns the meaning of the settings and the commented file `pm init` writes.
//! It does not read files: the store hands it the text.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Location, Result};
use crate::model::id::{ItemId, Kind};
use crate::model::severity::Severity;

/// Settings of one product. Unknown keys in `pm.yaml` are an error, so typos do not pass silently.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The product's name.
    pub name: Option<String>,
    pub prefixes: Prefixes,
    pub statuses: Statuses,
    /// Statuses that close an item: a closed story leaves the backlog, a closed epic the roadmap.
    pub closed: Vec<String>,
    pub default_status: DefaultStatus,
    /// Story priorities, most urgent first.
    pub priorities: Vec<String>,
    /// Allowed story points.
    pub points: Vec<u64>,
    /// Extra front-matter fields the team uses; `pm check` accepts them without a warning.
    pub custom_fields: Vec<String>,
    /// Severity overrides of `pm check` rules, by rule code (`story/no-epic: error`).
    pub rules: BTreeMap<String, Severity>,
    /// Fields `pm check` requires beyond `id`, `title` and `status`, per kind of item.
    pub required_fields: RequiredFields,
    /// The length of a new sprint when `pm sprint add` is given no --end: `2w`, `10d`.
    pub sprint_length: String,
    /// Story statuses that count as started (cycle time starts at the first of them).
    pub started: Vec<String>,
    /// Story statuses that count as finished (a sprint's completed points, throughput).
    pub finished: Vec<String>,
    /// The days of the week a team works (`mon` ... `sun`): a sprint's burndown days.
    pub working_days: Vec<String>,
    /// Refuse `pm story add` without an acceptance criterion (by default it warns).
    pub require_ac_on_add: bool,
    /// The bodies of new items; empty means pm's own layout.
    pub templates: Templates,
    /// Which files `pm trace` and `pm check` read for references to criteria.
    pub trace: TraceSettings,
    /// The severity of `link/suspect` on every `pm check` (a shorthand for `rules:`; `off`
    /// leaves it to `pm check --suspect`).
    pub suspect: Option<Severity>,
    /// The largest item file `pm` reads, in bytes: past it, a clear error at once instead of
    /// seconds and gigabytes (docs/format.md, Limits).
    pub item_size_limit: u64,
    /// Prioritisation scores (`pm score`): the model and the scales of its inputs.
    pub scoring: crate::model::score::ScoringSettings,
    /// The backlog-refinement agenda (`pm refine`).
    pub refine: RefineSettings,
    /// How `pm import` maps another tool's statuses and priorities to this product's.
    pub import: ImportSettings,
    /// The model `scoring` chooses, checked when the settings are read.
    #[serde(skip)]
    pub score_model: Option<crate::model::score::Model>,
}

/// `import:` in `pm.yaml`, which the first `pm import` that meets statuses or priorities
/// writes: the source's word to this product's (`"In Progress": in-progress`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImportSettings {
    pub statuses: BTreeMap<String, String>,
    pub priorities: BTreeMap<String, String>,
}

/// `refine:` in `pm.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RefineSettings {
    /// A story whose file no commit changed for this long (`6w`, `30d`) is due a look.
    pub stale_after: String,
}

impl Default for RefineSettings {
    fn default() -> Self {
        Self { stale_after: "6w".into() }
    }
}

/// The files beside `product/` that traceability reads: globs from the folder that holds
/// `product/` (the repository's root, unless the product lives in a sub-folder).
/// Empty `include` means every file git does not ignore.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TraceSettings {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// JUnit reports `pm trace` and `pm story show` read when given no `--junit` (globs; the
    /// folder before a pattern's first wildcard is where they are looked for).
    pub junit: Vec<String>,
}

/// Bodies of new items (`pm story add`, `pm epic add`, and what `--edit` opens). In the story
/// template, `{user_story}` is the "As a ..., I want ..., so that ..." sentence and `{criteria}`
/// the criteria lines; with `--edit` and no flags for them, each is a placeholder to fill in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Templates {
    pub story: String,
    pub epic: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequiredFields {
    pub vision: Vec<String>,
    pub epic: Vec<String>,
    pub story: Vec<String>,
    pub sprint: Vec<String>,
    pub feedback: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Prefixes {
    pub vision: String,
    pub epic: String,
    pub story: String,
    pub sprint: String,
    pub feedback: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Statuses {
    pub vision: Vec<String>,
    pub epic: Vec<String>,
    pub story: Vec<String>,
    pub sprint: Vec<String>,
    pub feedback: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DefaultStatus {
    pub vision: String,
    pub epic: String,
    pub story: String,
    pub sprint: String,
    pub feedback: String,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Default for Prefixes {
    fn default() -> Self {
        Self { vision: "V".into(), epic: "E".into(), story: "S".into(), sprint: "SP".into(), feedback: "F".into() }
    }
}

impl Default for Statuses {
    fn default() -> Self {
        Self {
            vision: strings(&["draft", "active", "retired"]),
            epic: strings(&["proposed", "active", "done", "dropped"]),
            story: strings(&["draft", "ready", "in-progress", "done", "dropped"]),
            sprint: strings(&["planned", "active", "closed"]),
            feedback: strings(&["new", "processed", "archived"]),
        }
    }
}

impl Default for DefaultStatus {
    fn default() -> Self {
        Self {
            vision: "active".into(),
            epic: "proposed".into(),
            story: "draft".into(),
            sprint: "planned".into(),
            feedback: "new".into(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            name: None,
            prefixes: Prefixes::default(),
            statuses: Statuses::default(),
            closed: strings(&["done", "dropped", "retired", "closed"]),
            default_status: DefaultStatus::default(),
            priorities: strings(&["critical", "high", "medium", "low"]),
            points: vec![0, 1, 2, 3, 5, 8, 13, 21],
            custom_fields: Vec::new(),
            rules: BTreeMap::new(),
            required_fields: RequiredFields::default(),
            sprint_length: "2w".into(),
            started: strings(&["in-progress"]),
            finished: strings(&["done"]),
            working_days: strings(&["mon", "tue", "wed", "thu", "fri"]),
            require_ac_on_add: false,
            templates: Templates::default(),
            trace: TraceSettings::default(),
            suspect: None,
            item_size_limit: DEFAULT_ITEM_SIZE_LIMIT,
            scoring: crate::model::score::ScoringSettings::default(),
            refine: RefineSettings::default(),
            import: ImportSettings::default(),
            score_model: None,
        }
    }
}

/// [`Config::item_size_limit`] unless `pm.yaml` says otherwise: 1 MiB, a hundred times the
/// largest story we have seen.
pub const DEFAULT_ITEM_SIZE_LIMIT: u64 = 1 << 20;

/// From serde's "unknown field `X`, expected one of `a`, `b`": X and the closest known key.
fn unknown_key(message: &str) -> Option<(&str, Option<String>)> {
    let rest = message.split("unknown field `").nth(1).or_else(|| message.split("unknown variant `").nth(1))?;
    let (key, expected) = rest.split_once('`')?;
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    Some((key, crate::error::did_you_mean(key, known)))
}

/// The rule `suspect:` sets.
pub const SUSPECT_RULE: &str = "link/suspect";

impl Config {
    /// Parse the text of `pm.yaml`; `shown` is the path used in messages.
    pub fn parse(text: &str, shown: &std::path::Path) -> Result<Self> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        if let Some(line) = crate::model::merge::conflict_line(text) {
            return Err(Error::bad_file(Location::new(shown, line), crate::model::merge::CONFLICT_MESSAGE)
                .with_hint(crate::model::merge::CONFLICT_HINT));
        }
        let config: Config = serde_yaml::from_str(text).map_err(|e| {
            let line = e.location().map(|l| l.line()).unwrap_or(1);
            let message = e.to_string();
            // serde_yaml appends " at line L column C"; our location says it already.
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            let text_line = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
            let hint = match unknown_key(&message) {
                Some((key, Some(known))) => format!("did you mean `{known}`? `{key}` is not one of them"),
                _ if text_line.contains('\t') => "replace the tab with spaces: YAML indents with spaces".to_string(),
                _ => "docs/format.md lists every setting of pm.yaml with its default".to_string(),
            };
            Error::bad_file(Location::new(shown, line), format!("invalid settings: {message}")).with_hint(hint)
        })?;
        let mut config = config;
        if let Some(severity) = config.suspect {
            config.rules.entry(SUSPECT_RULE.to_string()).or_insert(severity);
        }
        config.fit_story_statuses(text);
        config.fit_feedback_prefix(text);
        config.validate(shown)?;
        config.score_model = config.scoring.model().map_err(|message| {
            // At the setting the message names (`scoring.formula: ...`), else at `scoring:`.
            let key = message.split(['.', ':', ' ']).nth(1).filter(|_| message.starts_with("scoring."));
            let at = |prefix: &str| text.lines().position(|l| l.trim_start().starts_with(prefix));
            let line = key.and_then(|k| at(&format!("{k}:"))).or_else(|| at("scoring:")).map_or(1, |i| i + 1);
            Error::bad_file(Location::new(shown, line), message)
                .with_hint("docs/prioritise.md describes the scoring models and their settings")
        })?;
        Ok(config)
    }

    /// A `pm.yaml` written before feedback existed may give another kind the prefix `F`: left
    /// out, the feedback prefix is then `FB`, so the file keeps reading.
    fn fit_feedback_prefix(&mut self, text: &str) {
        let given = serde_yaml::from_str::<serde_yaml::Value>(text)
            .ok()
            .and_then(|v| v.get("prefixes").and_then(|p| p.get("feedback")).map(|_| ()))
            .is_some();
        let taken =
            |p: &str| [Kind::Vision, Kind::Epic, Kind::Story, Kind::Sprint].iter().any(|k| self.prefix(*k) == p);
        if !given && taken(&self.prefixes.feedback) {
            self.prefixes.feedback = if taken("FB") { "FBK".into() } else { "FB".into() };
        }
    }

    /// `started` and `finished` left out of a `pm.yaml` whose story statuses are not the default
    /// ones: the defaults kept where the statuses have them; else the statuses between the
    /// first and the first closed one count as started, and the first closed one as finished
    /// (`[todo, doing, shipped, wontdo]`: doing started, shipped finished).
    fn fit_story_statuses(&mut self, text: &str) {
        let given = |key: &str| {
            serde_yaml::from_str::<serde_yaml::Value>(text)
                .ok()
                .and_then(|v| v.as_mapping().map(|m| m.contains_key(key)))
                .unwrap_or(false)
        };
        let story = self.statuses.story.clone();
        let first_closed = story.iter().position(|s| self.is_closed(s));
        if !given("finished") && !self.finished.iter().all(|s| story.contains(s)) {
            self.finished = first_closed.map(|i| vec![story[i].clone()]).unwrap_or_default();
        }
        if !given("started") && !self.started.iter().all(|s| story.contains(s)) {
            let end = first_closed.unwrap_or(story.len());
            self.started = story.get(1..end).map(<[String]>::to_vec).unwrap_or_default();
        }
    }

    fn validate(&self, shown: &std::path::Path) -> Result<()> {
        let bad = |msg: String| {
            Error::bad_file(Location::file(shown), msg).with_hint("fix the setting, or delete it to use the default")
        };
        let prefixes: Vec<&str> = Kind::ALL.iter().map(|k| self.prefix(*k)).collect();
        for p in &prefixes {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(bad(format!("prefix {p:?} must be one or more ASCII letters")));
            }
        }
        if let Some((i, j)) =
            (0..prefixes.len()).flat_map(|j| (0..j).map(move |i| (i, j))).find(|&(i, j)| prefixes[i] == prefixes[j])
        {
            return Err(bad(format!(
                "the ID prefixes must differ: {} and {} both use {}",
                Kind::ALL[i],
                Kind::ALL[j],
                prefixes[i]
            )));
        }
        let sprint = &self.statuses.sprint;
        if sprint.len() < 3 || sprint.iter().enumerate().any(|(i, s)| sprint[..i].contains(s)) {
            return Err(bad(format!(
                "statuses.sprint {sprint:?} must list at least three different statuses: planned, active, ..., closed (the first is planned, the second active, the last closed)"
            )));
        }
        for (key, list) in [("finished", &self.finished), ("started", &self.started)] {
            if let Some(s) = list.iter().find(|s| !self.statuses.story.contains(s)) {
                return Err(bad(format!("{key}: {s:?} is not one of statuses.story {:?}", self.statuses.story)));
            }
        }
        let story = &self.templates.story;
        if !story.trim().is_empty() && !story.contains("{criteria}") {
            return Err(Error::bad_file(
                Location::file(shown),
                "templates.story has no {criteria}: a new story's acceptance criteria would have no place",
            )
            .with_hint("add a line `{criteria}` under the template's `## Acceptance criteria` heading"));
        }
        if crate::model::sprint::Length::parse(&self.sprint_length).is_none() {
            return Err(bad(format!(
                "sprint_length {:?} is not a length: write a number of weeks or days, like 2w or 10d",
                self.sprint_length
            )));
        }
        if crate::model::sprint::Length::parse(&self.refine.stale_after).is_none() {
            return Err(bad(format!(
                "refine.stale_after {:?} is not a length: write a number of weeks or days, like 6w or 30d",
                self.refine.stale_after
            )));
        }
        if let Err(day) = crate::model::sprint::WorkingDays::parse(&self.working_days) {
            return Err(bad(format!(
                "working_days: {day:?} is not a day of the week: use mon, tue, wed, thu, fri, sat, sun"
            )));
        }
        for kind in Kind::ALL {
            let default = self.default_status(kind);
            if !self.statuses(kind).iter().any(|s| s == default) {
                return Err(bad(format!("default_status.{kind} {default:?} is not one of statuses.{kind}")));
            }
        }
        Ok(())
    }

    /// The fields `pm.yaml` gives items beyond pm's own: `custom_fields`, then the inputs of
    /// the scoring model (for stories and epics).
    pub fn declared_fields(&self, kind: Kind) -> impl Iterator<Item = &str> {
        let inputs = self.score_model.as_ref().filter(|_| matches!(kind, Kind::Story | Kind::Epic));
        (self.custom_fields.iter().map(String::as_str))
            .chain(inputs.into_iter().flat_map(|m| m.inputs.iter().map(String::as_str)))
    }

    /// Whether `pm.yaml` declares `key` for items of `kind` (see [`Config::declared_fields`]).
    pub fn declares(&self, kind: Kind, key: &str) -> bool {
        self.declared_fields(kind).any(|f| f == key)
    }

    pub fn prefix(&self, kind: Kind) -> &str {
        match kind {
            Kind::Vision => &self.prefixes.vision,
            Kind::Epic => &self.prefixes.epic,
            Kind::Story => &self.prefixes.story,
            Kind::Sprint => &self.prefixes.sprint,
            Kind::Feedback => &self.prefixes.feedback,
        }
    }

    pub fn statuses(&self, kind: Kind) -> &[String] {
        match kind {
            Kind::Vision => &self.statuses.vision,
            Kind::Epic => &self.statuses.epic,
            Kind::Story => &self.statuses.story,
            Kind::Sprint => &self.statuses.sprint,
            Kind::Feedback => &self.statuses.feedback,
        }
    }

    pub fn default_status(&self, kind: Kind) -> &str {
        match kind {
            Kind::Vision => &self.default_status.vision,
            Kind::Epic => &self.default_status.epic,
            Kind::Story => &self.default_status.story,
            Kind::Sprint => &self.default_status.sprint,
            Kind::Feedback => &self.default_status.feedback,
        }
    }

    /// An ID typed on the command line: as [`ItemId::parse`], with a prefix in any case taken as
    /// the configured one it matches (`s-1` is `S-1`, `sp-2` is `SP-2`). Files keep the strict
    /// form: this is for input only.
    pub fn id_from_input(&self, text: &str) -> Option<ItemId> {
        let mut id = ItemId::parse(text.trim())?;
        if self.kind_of(&id).is_none()
            && let Some(kind) = Kind::ALL.into_iter().find(|k| self.prefix(*k).eq_ignore_ascii_case(&id.prefix))
        {
            id.prefix = self.prefix(kind).to_string();
        }
        Some(id)
    }

    /// The kind an ID's prefix names, if any.
    pub fn kind_of(&self, id: &ItemId) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| self.prefix(*k) == id.prefix)
    }

    /// Fields `pm.yaml` makes required for items of `kind` (beyond `id`, `title`, `status`).
    pub fn required_fields(&self, kind: Kind) -> &[String] {
        match kind {
            Kind::Vision => &self.required_fields.vision,
            Kind::Epic => &self.required_fields.epic,
            Kind::Story => &self.required_fields.story,
            Kind::Sprint => &self.required_fields.sprint,
            Kind::Feedback => &self.required_fields.feedback,
        }
    }

    pub fn is_closed(&self, status: &str) -> bool {
        self.closed.iter().any(|s| s == status)
    }

    /// The sprint statuses by their role: the first of `statuses.sprint` is planned, the
    /// second active, the last closed (`planned, active, closed` by default).
    pub fn sprint_states(&self) -> (&str, &str, &str) {
        let s = &self.statuses.sprint;
        let at = |i: usize, default: &'static str| s.get(i).map(String::as_str).unwrap_or(default);
        (at(0, "planned"), at(1, "active"), s.last().map(String::as_str).unwrap_or("closed"))
    }

    /// Whether a sprint status is its closed one (whatever `closed` lists: a `pm.yaml` written
    /// before sprints existed does not list it).
    pub fn is_sprint_closed(&self, status: &str) -> bool {
        status == self.sprint_states().2
    }

    /// Whether a story status counts as finished (`finished` in pm.yaml).
    pub fn is_finished(&self, status: &str) -> bool {
        self.finished.iter().any(|s| s == status)
    }

    /// Whether a story status counts as started (`started` in pm.yaml).
    pub fn is_started(&self, status: &str) -> bool {
        self.started.iter().any(|s| s == status)
    }

    /// The commented `pm.yaml` that `pm init` writes: every default spelled out.
    pub fn default_file(name: &str) -> String {
        let name = crate::model::frontmatter::yaml_scalar(name);
        format!(
            "\
# Settings of this product for pm. Every value below is the default: change what
# your team needs, delete what it does not. docs/format.md describes each setting.

# The product's name, shown in headings.
name: {name}

# Prefixes of item IDs (V-1, E-1, S-1, SP-1, F-1). Letters only; they must differ.
prefixes:
  vision: V
  epic: E
  story: S
  sprint: SP
  feedback: F

# The statuses each kind of item may take, in workflow order.
statuses:
  vision: [draft, active, retired]
  epic: [proposed, active, done, dropped]
  story: [draft, ready, in-progress, done, dropped]
  sprint: [planned, active, closed]
  feedback: [new, processed, archived]

# Statuses that close an item: a closed story leaves the backlog, a closed epic
# leaves the roadmap. Every other status is open.
closed: [done, dropped, retired, closed]

# The status of a new item when `add` is given no --status.
default_status:
  vision: active
  epic: proposed
  story: draft
  sprint: planned
  feedback: new

# Story priorities, most urgent first.
priorities: [critical, high, medium, low]

# The points a story may be estimated at.
points: [0, 1, 2, 3, 5, 8, 13, 21]

# Extra front-matter fields your team uses (for example jira). pm keeps unknown
# fields either way; `pm check` warns about the ones not listed here.
custom_fields: []

# Severity of `pm check` rules: error, warning or off. docs/check.md lists every
# rule with its default. For example:
#   rules:
#     story/no-epic: error
#     story/not-user-story: warning
rules: {{}}

# Fields `pm check` requires on top of id, title and status. For example:
#   required_fields:
#     story: [owner, points]
required_fields:
  vision: []
  epic: []
  story: []
  sprint: []
  feedback: []

# Sprints: the length of a new one (2w, 10d), the story statuses that count as
# started and as finished (for cycle time, burndown and velocity), and the days
# the team works (the days of a burndown).
sprint_length: 2w
started: [in-progress]
finished: [done]
working_days: [mon, tue, wed, thu, fri]

# `pm story add` without --ac warns that `pm check` will report the story; true
# refuses it instead.
require_ac_on_add: false

# The largest item file pm reads, in bytes: a larger one is refused at once.
item_size_limit: 1048576

# The bodies of new stories and epics (also what `add --edit` opens); empty is
# pm's own layout. In a story, {{user_story}} is the \"As a ..., I want ..., so that
# ...\" sentence (--as, --want, --so-that) and {{criteria}} the criteria (--ac). For
# example:
#   templates:
#     story: |
#       {{user_story}}
#
#       ## Acceptance criteria
#
#       {{criteria}}
#
#       ## Design notes
templates:
  story: \"\"
  epic: \"\"

# Traceability (pm trace): the files outside product/ that may name a criterion
# (S-12/AC-2, or s_12_ac_2 in a test's name), as globs from the folder holding product/.
# Empty include: every file git does not ignore. junit: the JUnit reports of your
# last test run that pm trace and pm story show read (pm check reads them only with
# --junit). For example:
#   trace:
#     include: [\"src/**\", \"tests/**\"]
#     exclude: [\"**/fixtures/**\"]
#     junit: [\"target/nextest/ci/junit.xml\"]
trace:
  include: []
  exclude: []
  junit: []

# Prioritisation scores (pm score, pm backlog --by score, pm rank --by score),
# from story and epic fields. model: rice (reach * impact * confidence / effort;
# impact on 0.25, 0.5, 1, 2, 3; confidence a percentage or a fraction), wsjf
# ((value + time_criticality + risk_reduction) / job_size, each on 1, 2, 3, 5, 8,
# 13, 20), value-effort (value / effort) or formula (your own, over numeric
# fields: + - * / and parentheses). scales: the values an input may take,
# replacing the model's. reach_from_feedback: true takes a story's reach from
# the feedback that supports it (pm feedback) when it has none of its own. No
# model: no scores. docs/prioritise.md has more. For example:
#   scoring:
#     model: formula
#     formula: (value + urgency) / effort
#     scales:
#       urgency: [1, 2, 3]
scoring: {{}}

# The backlog-refinement agenda (pm refine): a story no commit changed for this
# long (6w, 30d) is due a look.
refine:
  stale_after: 6w

# pm import writes `import:` the first time it meets another tool's statuses or
# priorities: how each maps to this product's (docs/import.md). For example:
#   import:
#     statuses: {{\"To Do\": draft, \"In Progress\": in-progress, Done: done}}
#     priorities: {{Highest: critical, Medium: medium}}

# Suspect links (pm review): an open story whose epic changed in substance after
# it (an epic whose vision did) waits for a review. `pm check --suspect` reports
# them; warning or error here reports them on every check.
suspect: off
"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn default_file_parses_to_defaults() {
        let c = Config::parse(&Config::default_file("Tandem: app"), Path::new("pm.yaml")).unwrap();
        let d = Config::default();
        assert_eq!(c.name.as_deref(), Some("Tandem: app"));
        assert_eq!(c.statuses.story, d.statuses.story);
        assert_eq!(c.points, d.points);
        assert_eq!(c.closed, d.closed);
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let err = Config::parse("name: x\nprioritys: [a]\n", Path::new("pm.yaml")).unwrap_err();
        assert!(err.to_string().starts_with("pm.yaml:2:"), "{err}");
    }
}
