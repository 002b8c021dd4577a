//! The registry of `pm check` rules: stable codes, default severities and one-line summaries.
//!
//! Codes are part of the public contract (they appear in `pm.yaml`, `pm-allow` and every output
//! format), so a code is never renamed or reused. `docs/check.md` describes each rule.

use crate::model::severity::Severity::{self, Error, Off, Warning};

/// One rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub default: Severity,
    pub summary: &'static str,
}

const fn rule(code: &'static str, default: Severity, summary: &'static str) -> Rule {
    Rule { code, default, summary }
}

/// Every rule, in the order `docs/check.md` describes them.
pub const RULES: &[Rule] = &[
    rule("file/conflict-markers", Error, "A file still has git's merge conflict markers"),
    rule("file/symlink", Error, "A symbolic link in the product folder (pm follows none)"),
    rule("file/unreadable", Error, "A file pm may not read, or a folder it may not list (its permissions)"),
    rule("file/leftover-temp", Warning, "A temporary file a stopped pm command left in the product folder"),
    rule("git/merge-setup", Warning, "The repository does not route product files to pm's merge driver"),
    rule("parse/front-matter", Error, "The front matter is missing, unterminated or not valid YAML"),
    rule("parse/unknown-field", Warning, "A front-matter field is neither known nor declared in custom_fields"),
    rule("field/required", Error, "A required field (id, title, status, or one pm.yaml requires) is missing"),
    rule("field/invalid-value", Error, "A field's value is outside the configured values or of the wrong type"),
    rule("id/format", Error, "The id is not a prefix, a dash and a number with a configured prefix"),
    rule("id/duplicate", Error, "Two or more files carry the same ID"),
    rule("id/filename-mismatch", Error, "The file name does not start with the item's ID"),
    rule("link/dangling", Error, "epic, vision or depends_on names no item"),
    rule("link/wrong-kind", Error, "A link names an item of the wrong kind"),
    rule("link/cycle", Error, "Stories depend on each other in a cycle"),
    rule("story/no-acceptance-criteria", Error, "A story has no acceptance criteria"),
    rule(
        "import/no-acceptance-criteria",
        Warning,
        "A story imported from another tool (it has a `source`) came without acceptance criteria",
    ),
    rule("ac/empty", Error, "An acceptance criterion has no text"),
    rule("ac/duplicate-id", Error, "Two acceptance criteria of a story share an AC ID"),
    rule("ac/missing-id", Error, "A task-list item under the criteria heading has no AC-n: ID"),
    rule(
        "ac/malformed-line",
        Warning,
        "A line under the criteria heading looks like a criterion but is no task-list item",
    ),
    rule("story/no-epic", Warning, "An open story belongs to no epic"),
    rule("epic/no-stories", Warning, "An open epic has no stories"),
    rule("epic/no-vision", Warning, "An epic belongs to no vision"),
    rule("backlog/missing", Error, "An open story is not listed in backlog.md"),
    rule("backlog/unknown", Error, "A backlog.md line names no story"),
    rule("backlog/duplicate", Error, "A story is listed twice in backlog.md"),
    rule("backlog/closed", Error, "A done or dropped story is still listed in backlog.md"),
    rule("backlog/stale-title", Warning, "A backlog.md line's title or link differs from the story's"),
    rule("backlog/malformed-line", Warning, "A backlog.md line looks like an entry but does not read as one"),
    rule("roadmap/missing", Error, "An open epic is not listed in roadmap.md"),
    rule("roadmap/unknown", Error, "A roadmap.md line names no epic"),
    rule("roadmap/duplicate", Error, "An epic is listed twice in roadmap.md"),
    rule("roadmap/closed", Error, "A done or dropped epic is still listed in roadmap.md"),
    rule("roadmap/stale-title", Warning, "A roadmap.md line's title or link differs from the epic's"),
    rule("roadmap/malformed-line", Warning, "A roadmap.md line looks like an entry but does not read as one"),
    rule("roadmap/unknown-heading", Warning, "An epic in roadmap.md stands under no Now, Next or Later heading"),
    rule("status/inconsistent", Warning, "An epic is closed while some of its stories are open"),
    rule("sprint/unknown", Error, "A story's sprint names no sprint"),
    rule("sprint/bad-dates", Error, "A sprint has no start or end date, or ends before it starts"),
    rule("sprint/overlap", Warning, "Two sprints share days"),
    rule("sprint/over-capacity", Warning, "An open sprint's committed points exceed its capacity"),
    rule("sprint/closed-open-stories", Warning, "A closed sprint still holds unfinished stories"),
    rule("sprint/multiple-active", Warning, "More than one sprint is active"),
    rule("epic/past-target", Warning, "An open epic's target date has passed"),
    rule("score/missing-input", Warning, "An open story lacks an input of the scoring model (scoring: in pm.yaml)"),
    rule("score/out-of-scale", Error, "A scoring input is not a number on its scale, or its score divides by 0"),
    rule("story/not-user-story", Off, "A story has no \"As a ..., I want ..., so that ...\" sentence"),
    rule("allow/no-reason", Error, "A pm-allow entry gives no reason"),
    rule("allow/unknown-rule", Warning, "A pm-allow entry names no rule"),
    rule("trace/unknown-reference", Error, "A file outside product/ names a story or criterion that does not exist"),
    rule("trace/removed-criterion", Error, "A file names a criterion that was removed from its story"),
    rule("trace/accepted-untested", Off, "An accepted criterion is named by no file or test"),
    rule("trace/failing", Error, "An accepted criterion's test failed (pm check --junit)"),
    rule("review/mismatch", Warning, "A reviewed mark names another item than the parent, or a day still to come"),
    rule(
        "link/suspect",
        Off,
        "An open story's epic (an epic's vision) changed in substance after it (pm check --suspect)",
    ),
];

/// The rule with this code.
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "{} twice", r.code);
            let (family, name) = r.code.split_once('/').unwrap();
            assert!(!family.is_empty() && !name.is_empty());
            assert!(r.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'/' || b == b'-'));
        }
    }
}
