//! `pm check`: read-only validation of a product folder, with stable rule codes.
//!
//! The checker works on a [`Files`] snapshot (the files of `product/` read from the working
//! tree or from a git commit), so it never touches the file system itself and never writes.
//! Each item file is read by the one item reader ([`crate::model::item::read()`]) and checked
//! by the per-file rules ([`crate::model::item::rules`]); their diagnostics are findings. The
//! rules here are those that need the whole product (links, cycles, duplicate IDs, the backlog
//! and roadmap), and `pm-allow` silences. It is tolerant: a file that cannot be parsed yields a `parse/front-matter`
//! finding and every other file is still checked. The work is one pass over the files (parsed
//! in parallel) plus hash-map lookups for the rules that relate items, so it stays fast on
//! large products.
//!
//! Renderers for the output formats live in [`mod@format`]; the rule registry in [`rules`].

mod allow;
pub mod changed;
mod doc;
pub mod format;
mod links;
mod lists;
pub mod rules;
pub mod schema;
mod sprints;

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::error::{Error, Location, Result, did_you_mean};
use crate::model::config::Config;
use crate::model::id::ItemId;
use crate::model::layout::{BACKLOG_FILE, CONFIG_FILE, ROADMAP_FILE};
use crate::model::listfile::ListFile;
use crate::model::severity::Severity;
use crate::store::product::parallel_map;

use crate::store::files::{self, Files};
use doc::Doc;

/// Another place a finding concerns (the other files of a duplicate ID, a cycle's members).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Related {
    pub path: String,
    pub line: usize,
}

/// One problem found by `pm check`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The rule's stable code, such as `link/dangling`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Path from the repository root (or the folder holding `product/` outside git), `/`-separated.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The item the finding is about, when there is one.
    pub id: Option<String>,
    pub message: String,
    pub hint: Option<String>,
    /// Other places the finding concerns.
    pub related: Vec<Related>,
    /// The text of the offending line (for the human format).
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Finding {
    pub(crate) fn new(rule: &'static str, path: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: Severity::Error,
            path: path.to_string(),
            line: line.max(1),
            column: column.max(1),
            id: None,
            message: message.into(),
            hint: None,
            related: Vec::new(),
            source_line: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn id(mut self, id: Option<impl ToString>) -> Self {
        self.id = id.map(|i| i.to_string());
        self
    }

    pub(crate) fn related(mut self, related: Vec<Related>) -> Self {
        self.related = related;
        self
    }
}

/// The outcome of a check.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Findings sorted by path, line, column and rule.
    pub findings: Vec<Finding>,
    /// Shown paths of the files checked (items, the backlog and roadmap, `pm.yaml`), sorted.
    pub files: Vec<String>,
    /// The file of each item ID (the first, for a duplicate), as shown in findings.
    pub items: HashMap<String, String>,
    /// When only part of the product was judged (`--changed-since REV`): what, for the summary.
    pub scope: Option<String>,
    /// The rules each item file silences (`pm-allow`), by shown path.
    pub allowed: HashMap<String, Vec<String>>,
}

impl Report {
    /// Add a finding made beside the checker (one that reads history or other files), as the
    /// checker adds its own: silenced by the file's `pm-allow`, dropped when its rule is off,
    /// with its source line from `snapshot`.
    pub fn add(&mut self, mut f: Finding, snapshot: &Files) {
        if f.severity == Severity::Off || self.allowed.get(&f.path).is_some_and(|a| a.iter().any(|r| r == f.rule)) {
            return;
        }
        f.source_line = snapshot.line_at(&f.path, f.line);
        self.findings.push(f);
    }

    /// How many files were checked.
    pub fn checked(&self) -> usize {
        self.files.len()
    }

    /// The summary's note of what was checked: `7 files checked`, and the scope if any.
    pub fn checked_note(&self) -> String {
        let n = self.checked();
        let files = if n == 1 { "1 file".to_string() } else { format!("{n} files") };
        match &self.scope {
            Some(scope) => format!("{files} checked; findings only in {scope}"),
            None => format!("{files} checked"),
        }
    }

    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }

    /// How many distinct files have findings.
    pub fn files_with_findings(&self) -> usize {
        self.findings.iter().map(|f| f.path.as_str()).collect::<BTreeSet<_>>().len()
    }

    /// Whether the check fails: an error, or a warning under `--strict`.
    pub fn fails(&self, strict: bool) -> bool {
        self.errors() > 0 || (strict && self.warnings() > 0)
    }
}

/// Check that every rule code named in `pm.yaml` exists.
pub fn validate_config(config: &Config, shown: &str) -> Result<()> {
    for code in config.rules.keys() {
        if rules::find(code).is_none() {
            let mut e = Error::bad_file(Location::file(shown), format!("`rules` names no rule `{code}`"));
            e = match did_you_mean(code, rules::RULES.iter().map(|r| r.code)) {
                Some(s) => e.with_hint(format!("did you mean `{s}`? docs/check.md lists every rule")),
                None => e.with_hint("docs/check.md lists every rule"),
            };
            return Err(e);
        }
    }
    Ok(())
}

/// The severity a rule has under these settings.
pub fn severity(config: &Config, rule: &str) -> Severity {
    config.rules.get(rule).copied().unwrap_or_else(|| rules::find(rule).map(|r| r.default).unwrap_or(Severity::Error))
}

/// What a clone lacks for git to merge product files by meaning, as findings of
/// `git/merge-setup`: the committed `.gitattributes` line (at `attributes`), and this clone's
/// driver definition (only outside CI, where nothing is merged and clones are fresh).
pub fn add_merge_setup(
    report: &mut Report,
    config: &Config,
    attributes: &str,
    lacks_line: bool,
    lacks_driver: bool,
    gone_program: Option<&str>,
) {
    let mut add = |path: &str, message: &str, hint: &str| {
        let mut f = Finding::new("git/merge-setup", path, 1, 1, message).hint(hint);
        f.severity = severity(config, f.rule);
        if f.severity != Severity::Off {
            report.findings.push(f);
        }
    };
    if lacks_line {
        add(
            attributes,
            "git does not merge product files with pm: .gitattributes lacks `product/**/*.md merge=pm`",
            "run `pm setup` and commit .gitattributes; until then git merges the backlog line by line",
        );
    } else if lacks_driver {
        add(
            ".git/config",
            "this clone does not define pm's merge driver, so git merges product files line by line",
            "run `pm setup` once in this clone",
        );
    } else if let Some(program) = gone_program {
        add(
            ".git/config",
            &format!("pm's merge driver runs {program}, which is not there, so git merges product files line by line"),
            "run `pm setup` again with the pm you use now",
        );
    }
    report.findings.sort_by(|a, b| (&a.path, a.line, a.column, a.rule).cmp(&(&b.path, b.line, b.column, b.rule)));
}

/// Check a product snapshot under its settings.
pub fn check(snapshot: &Files, config: &Config) -> Report {
    let candidates: Vec<&files::File> = snapshot.item_candidates().collect();
    let parsed = parallel_map(&candidates, |f| doc::load(snapshot, f, config));
    let mut findings = Vec::new();
    let mut docs: Vec<Doc> = Vec::with_capacity(parsed.len());
    let mut files: Vec<String> = candidates.iter().map(|f| f.path.clone()).collect();
    let mut unreadable = HashMap::new();
    for ((d, mut f), file) in parsed.into_iter().zip(&candidates) {
        findings.append(&mut f);
        match d {
            Some(d) => docs.push(d),
            None => {
                let name = file.rel.rsplit('/').next().unwrap_or(&file.rel);
                if let Some(id) = ItemId::from_file_name(name) {
                    unreadable.entry(id.to_string()).or_insert_with(|| file.path.clone());
                }
            }
        }
    }
    // A file whose `id` is missing or does not read is named for its ID all the same: a line or
    // link naming that ID is not dangling (its own finding says what to fix), and the hint to
    // remove the line would lose its rank.
    for d in &docs {
        if d.id.is_none()
            && let Some(id) = d.rel.rsplit('/').next().and_then(ItemId::from_file_name)
        {
            unreadable.entry(id.to_string()).or_insert_with(|| d.path.to_string());
        }
    }
    // A symbolic link named for an item is not read: its ID is unjudged, as an unreadable file's.
    for path in &snapshot.links {
        if let Some(id) = path.rsplit('/').next().and_then(ItemId::from_file_name) {
            unreadable.entry(id.to_string()).or_insert_with(|| path.clone());
        }
    }
    // A file pm may not read holds its ID as an unreadable one does; behind a folder pm may
    // not list, any ID may be: no link or line is called dangling then.
    for u in &snapshot.unreadable {
        if let Some(id) = u.path.rsplit('/').next().and_then(ItemId::from_file_name).filter(|_| !u.folder) {
            unreadable.entry(id.to_string()).or_insert_with(|| u.path.clone());
        }
    }
    let unlisted = snapshot.unreadable.iter().find(|u| u.folder).map(|u| u.path.clone());
    let index = links::Index::new(&docs, unreadable, unlisted, config);
    let listed: HashSet<(String, String)> = [BACKLOG_FILE, ROADMAP_FILE]
        .iter()
        .filter_map(|name| snapshot.get(name)?.text())
        .flat_map(|text| ListFile::parse(text).entries().into_iter().map(|e| (e.id, e.link)))
        .collect();
    findings.extend(links::check(&docs, &index, &listed, config));
    let (list_findings, relabelled) = lists::check(snapshot, &docs, &index, config);
    findings.retain(|f| !(f.rule == "id/filename-mismatch" && relabelled.contains(f.path.as_str())));
    findings.extend(list_findings);
    findings.extend(sprints::check(&docs, &index, config));
    findings.extend(snapshot.links.iter().map(|path| {
        Finding::new("file/symlink", path, 1, 1, crate::model::layout::SYMLINK).hint(crate::model::layout::SYMLINK_HINT)
    }));
    findings.extend(snapshot.unreadable.iter().map(|u| {
        let (message, hint) = if u.folder {
            (
                format!(
                    "pm may not list this folder, so the items in it are not checked, nor is any link or line named dangling: {}",
                    u.reason
                ),
                "check the folder's permissions (`ls -ld`): pm needs to read and enter it",
            )
        } else {
            (
                format!("pm may not read this file: {}", u.reason),
                "check the file's permissions (`ls -l`): pm needs to read it",
            )
        };
        Finding::new("file/unreadable", &u.path, 1, 1, message).hint(hint)
    }));
    findings.extend(snapshot.mergetool.iter().map(|path| {
        Finding::new("file/leftover-temp", path, 1, 1, "a copy `git mergetool` left beside the file it merged")
            .hint("delete it once the merge is done (`git clean -i` offers it); pm never reads it as an item")
    }));
    findings.extend(snapshot.leftovers.iter().map(|path| {
        Finding::new(
            "file/leftover-temp",
            path,
            1,
            1,
            "a temporary file left by a pm command that was stopped mid-write",
        )
        .hint("the next pm command that writes in this folder removes it after a minute; or delete it")
    }));
    for name in [CONFIG_FILE, BACKLOG_FILE, ROADMAP_FILE] {
        if let Some(f) = snapshot.get(name) {
            files.push(f.path.clone());
        }
    }
    files.sort();

    // Silences: `pm-allow` in an item's front matter, for findings in that item's file.
    let allows: HashMap<&str, &Vec<(String, String)>> =
        docs.iter().filter(|d| !d.allow.is_empty()).map(|d| (d.path, &d.allow)).collect();
    findings.retain(|f| {
        f.rule.starts_with("allow/")
            || !allows.get(f.path.as_str()).is_some_and(|a| a.iter().any(|(rule, _)| rule == f.rule))
    });

    for f in &mut findings {
        f.severity = severity(config, f.rule);
    }
    findings.retain(|f| f.severity != Severity::Off);
    findings.sort_by(|a, b| (&a.path, a.line, a.column, a.rule).cmp(&(&b.path, b.line, b.column, b.rule)));
    // Source lines per file, in one pass each (findings are in line order within a file).
    for group in findings.chunk_by_mut(|a, b| a.path == b.path) {
        let lines: Vec<usize> = group.iter().map(|f| f.line).collect();
        let texts = snapshot.lines_at(&group[0].path, &lines);
        for (f, line) in group.iter_mut().zip(texts) {
            f.source_line = line;
        }
    }
    findings.dedup();
    let items = docs.iter().filter_map(|d| Some((d.id_text()?, d.path.to_string()))).rev().collect();
    let allowed = allows.iter().map(|(p, a)| (p.to_string(), a.iter().map(|(r, _)| r.clone()).collect())).collect();
    Report { findings, files, items, scope: None, allowed }
}
