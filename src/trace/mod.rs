//! Traceability: which files and tests outside `product/` name each acceptance criterion, and
//! how those tests last ended. The domain only: the scan of the files is the store's
//! ([`crate::store::sources`]), reading JUnit files and printing are the CLI's.
//!
//! A reference to a criterion the story lacks is a problem: *removed* when its number is below
//! the story's highest (criteria keep their numbers, so a gap is a criterion taken out), else
//! *unknown*; so is a reference to a story that does not exist.

pub mod junit;
pub mod refs;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::did_you_mean_id;
use crate::model::config::Config;
use crate::model::id::Kind;
use crate::store::product::Items;
use junit::{Outcome, TestCase};

/// A place in a file: its path from the repository root and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    pub path: String,
    pub line: usize,
    /// 1-based, in characters (0 when unknown).
    #[serde(skip)]
    pub column: usize,
}

/// A reference found in a file.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: String,
    pub reference: refs::Ref,
}

/// A test case's result, tied to a criterion.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// `classname::name` (or the name alone).
    pub test: String,
    /// The JUnit file it came from.
    pub report: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionTrace {
    pub ac: String,
    /// Its 1-based line in the story's file.
    pub line: usize,
    pub text: String,
    pub checked: bool,
    pub references: Vec<Place>,
    pub tests: Vec<TestResult>,
}

impl CriterionTrace {
    /// What its tests say together: failed if one failed, else passed if one passed, else
    /// skipped if one was skipped; None when no test names it.
    pub fn result(&self) -> Option<Outcome> {
        let has = |o: Outcome| self.tests.iter().any(|t| t.outcome == o);
        [Outcome::Failed, Outcome::Passed, Outcome::Skipped].into_iter().find(|o| has(*o))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StoryTrace {
    pub id: String,
    pub title: String,
    pub status: String,
    pub epic: Option<String>,
    /// References to the whole story (`S-12` without a criterion).
    pub references: Vec<Place>,
    pub criteria: Vec<CriterionTrace>,
}

/// What a reference that names nothing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    Unknown,
    Removed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub place: Place,
    /// The reference as pm reads it: `S-12/AC-9`, `S-99`.
    pub reference: String,
    pub message: String,
    pub hint: Option<String>,
}

/// Criteria counted: all, traced (named by a file or by a test), with a passing test (and no
/// failing one), with a failing test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub criteria: usize,
    pub referenced: usize,
    pub passing: usize,
    pub failing: usize,
}

impl Coverage {
    pub fn of<'a>(stories: impl IntoIterator<Item = &'a StoryTrace>) -> Coverage {
        let mut c = Coverage::default();
        for ac in stories.into_iter().flat_map(|s| &s.criteria) {
            c.criteria += 1;
            c.referenced += usize::from(!ac.references.is_empty() || !ac.tests.is_empty());
            match ac.result() {
                Some(Outcome::Passed) => c.passing += 1,
                Some(Outcome::Failed) => c.failing += 1,
                _ => {}
            }
        }
        c
    }
}

/// The trace of a product: each story that is not dropped, and the references that name
/// nothing.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub stories: Vec<StoryTrace>,
    pub problems: Vec<Problem>,
}

/// Join the product's stories with the references found in files and the test results.
/// `unread` are the stories whose files do not read (their error is told where they were
/// loaded): a reference to one is not judged, since what it names cannot be known. `None`:
/// a folder could not be listed, so any story may be unread and no reference names nothing.
pub fn build(
    items: &Items,
    config: &Config,
    found: &[Found],
    tests: &[(String, TestCase)],
    unread: Option<&std::collections::HashSet<String>>,
) -> Trace {
    let prefix = config.prefix(Kind::Story);
    // Tests tied to (story, criterion), from their names, class names and `verifies`.
    let mut by_ac: HashMap<(String, u32), Vec<TestResult>> = HashMap::new();
    for (report, case) in tests {
        let test =
            if case.classname.is_empty() { case.name.clone() } else { format!("{}::{}", case.classname, case.name) };
        let mut named: Vec<(String, u32)> = Vec::new();
        for text in [&case.name, &case.classname].into_iter().chain(&case.verifies) {
            for r in refs::find(text, prefix) {
                if let Some(ac) = r.ac
                    && !named.contains(&(r.story.clone(), ac))
                {
                    named.push((r.story, ac));
                }
            }
        }
        for key in named {
            by_ac.entry(key).or_default().push(TestResult {
                test: test.clone(),
                report: report.clone(),
                outcome: case.outcome,
            });
        }
    }
    let mut places: HashMap<(String, Option<u32>), Vec<Place>> = HashMap::new();
    for f in found {
        let place = Place { path: f.path.clone(), line: f.reference.line, column: f.reference.column };
        places.entry((f.reference.story.clone(), f.reference.ac)).or_default().push(place);
    }
    let mut trace = Trace::default();
    let mut stories: BTreeMap<u64, StoryTrace> = BTreeMap::new();
    for item in items.of_kind(Kind::Story) {
        let id = item.id.to_string();
        let criteria = item
            .criteria
            .items
            .iter()
            .map(|c| {
                let mut references =
                    c.number.and_then(|n| places.get(&(id.clone(), Some(n)))).cloned().unwrap_or_default();
                references.sort();
                let tests = c.number.and_then(|n| by_ac.get(&(id.clone(), n))).cloned().unwrap_or_default();
                let line = item.split.body_line + c.body_line;
                CriterionTrace { ac: c.label(), line, text: c.text.clone(), checked: c.checked, references, tests }
            })
            .collect();
        let dropped = config.is_closed(&item.status) && !config.is_finished(&item.status);
        if !dropped {
            let mut references = places.get(&(id.clone(), None)).cloned().unwrap_or_default();
            references.sort();
            stories.insert(
                item.id.number,
                StoryTrace {
                    id: id.clone(),
                    title: item.title.clone(),
                    status: item.status.clone(),
                    epic: item.epic(),
                    references,
                    criteria,
                },
            );
        }
    }
    // References that name nothing.
    let by_id: HashMap<String, &crate::model::item::Item> =
        items.of_kind(Kind::Story).map(|i| (i.id.to_string(), i)).collect();
    // A did-you-mean among a few hundred IDs helps; among 10,000 it costs more than it tells.
    let suggest = by_id.len() <= 500;
    // In ID order, so a tie between two suggestions is decided the same way every run.
    let ids: Vec<String> = items.of_kind(Kind::Story).map(|i| i.id.to_string()).collect();
    for f in found {
        let r = &f.reference;
        let written = match r.ac {
            Some(n) => format!("{}/AC-{n}", r.story),
            None => r.story.clone(),
        };
        let place = Place { path: f.path.clone(), line: r.line, column: r.column };
        if unread.is_some_and(|u| u.contains(&r.story)) {
            continue;
        }
        let Some(story) = by_id.get(&r.story) else {
            if unread.is_none() {
                continue; // the story may be in the folder that could not be listed
            }
            let hint = suggest
                .then(|| did_you_mean_id(&r.story, ids.iter().map(String::as_str)))
                .flatten()
                .map(|s| format!("did you mean {s}?"));
            trace.problems.push(Problem {
                kind: ProblemKind::Unknown,
                place,
                message: format!("`{written}` names no story"),
                reference: written,
                hint: hint.or_else(|| {
                    Some(
                        "`pm story list` shows the stories; text that only looks like an ID: trace.exclude in pm.yaml"
                            .into(),
                    )
                }),
            });
            continue;
        };
        let Some(n) = r.ac else { continue };
        if story.criteria.items.iter().any(|c| c.number == Some(n)) {
            continue;
        }
        let highest = story.criteria.items.iter().filter_map(|c| c.number).max().unwrap_or(0);
        let have: Vec<String> = story.criteria.items.iter().map(|c| c.label()).collect();
        let (kind, message) = if n < highest {
            (ProblemKind::Removed, format!("`{written}` names a criterion removed from {}", r.story))
        } else {
            (ProblemKind::Unknown, format!("`{written}` names no criterion of {}", r.story))
        };
        let hint = if have.is_empty() {
            format!("{} has no criteria; point the reference at the story or add the criterion", r.story)
        } else {
            format!("{} has {}; point the reference at one of them, or remove it", r.story, have.join(", "))
        };
        trace.problems.push(Problem { kind, place, reference: written, message, hint: Some(hint) });
    }
    trace.problems.sort_by(|a, b| a.place.cmp(&b.place));
    trace.stories = stories.into_values().collect();
    trace
}
