//! `pm ac ...`: criteria keep their IDs, code blocks are never misread, one line per edit.

use crate::harness::{Test, changed_lines};

const STORY: &str = "---\nid: S-1\ntitle: Criteria\nstatus: ready\n---\nAs a user, I want x, so that y.\n\n## Acceptance criteria\n\n- [ ] AC-1: First\n- [x] AC-2: Second\n- [ ] AC-4: Fourth\n\n## Notes\n\n```text\n- [ ] AC-9: not a criterion\n```\n";

fn story() -> Test {
    let t = Test::initialized();
    t.write("product/stories/S-1-criteria.md", STORY);
    t.write("product/backlog.md", "# Backlog\n\n- [S-1](stories/S-1-criteria.md) Criteria\n");
    t
}

#[test]
fn check_and_uncheck_change_one_line() {
    let t = story();
    t.pm(&["ac", "check", "S-1", "AC-1"]).success().stdout_has("Checked S-1/AC-1");
    let after = t.read("product/stories/S-1-criteria.md");
    assert_eq!(after, STORY.replace("- [ ] AC-1", "- [x] AC-1"));
    assert_eq!(changed_lines(STORY, &after).0.len(), 1);
    t.pm(&["ac", "uncheck", "S-1/AC-2"]).success().stdout_has("Unchecked S-1/AC-2");
    t.pm(&["ac", "uncheck", "S-1/AC-2"]).success().stdout_has("Already unchecked");
    assert_eq!(
        t.read("product/stories/S-1-criteria.md"),
        STORY.replace("- [ ] AC-1", "- [x] AC-1").replace("- [x] AC-2", "- [ ] AC-2")
    );
}

#[test]
fn add_takes_one_more_than_the_highest_and_remove_never_renumbers() {
    let t = story();
    t.pm(&["ac", "add", "S-1", "Fifth"]).success().stdout_has("Added S-1/AC-5");
    t.pm(&["ac", "rm", "S-1", "AC-1"]).success();
    assert_eq!(
        t.read("product/stories/S-1-criteria.md"),
        STORY
            .replace("- [ ] AC-1: First\n", "")
            .replace("- [ ] AC-4: Fourth\n", "- [ ] AC-4: Fourth\n- [ ] AC-5: Fifth\n")
    );
    t.pm(&["ac", "add", "S-1", "Sixth"]).success().stdout_has("S-1/AC-6");
}

#[test]
fn code_blocks_and_other_headings_are_not_criteria() {
    let t = story();
    t.pm(&["ac", "list", "S-1", "--format", "ids"]).success().stdout_is("S-1/AC-1\nS-1/AC-2\nS-1/AC-4\n");
    let before = t.snapshot();
    t.pm(&["ac", "check", "S-1", "AC-9"]).code(2).stderr_has("S-1 has no AC-9").stderr_has("S-1 has AC-1, AC-2, AC-4");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn add_creates_the_section_when_missing() {
    let t = Test::initialized();
    t.write("product/stories/S-1-bare.md", "---\nid: S-1\ntitle: Bare\nstatus: draft\n---\nJust prose.\n");
    t.pm(&["ac", "add", "S-1", "Given a, when b, then c"]).success();
    assert_eq!(
        t.read("product/stories/S-1-bare.md"),
        "---\nid: S-1\ntitle: Bare\nstatus: draft\n---\nJust prose.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given a, when b, then c\n"
    );
}

#[test]
fn list_all_criteria_as_json_and_only_unchecked() {
    let t = story();
    let json = t.pm(&["ac", "list", "--format", "json"]).success().json();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert_eq!(json[1]["id"], "S-1/AC-2");
    assert_eq!(json[1]["checked"], true);
    t.pm(&["ac", "list", "--unchecked", "--format", "ids"]).success().stdout_is("S-1/AC-1\nS-1/AC-4\n");
}

/// Two criteria with one number (a bad merge, a hand edit): which one is meant is not known,
/// so neither is changed.
#[test]
fn a_criterion_number_given_twice_is_refused_not_guessed() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Twice", "--ac", "Given a, when b, then c", "--ac", "Given d, when e, then f"]).success();
    let path = "product/stories/S-1-twice.md";
    t.write(path, &t.read(path).replace("AC-2:", "AC-1:"));
    let before = t.snapshot();
    for action in ["check", "uncheck", "rm"] {
        assert_eq!(
            t.pm(&["ac", action, "S-1", "AC-1"]).code(2).stderr,
            "error: S-1 has 2 criteria numbered AC-1 (lines 9, 10)\n  hint: give each its own number first: pm story edit S-1 (pm check reports it as ac/duplicate-id)\n",
            "pm ac {action}"
        );
    }
    assert_eq!(t.snapshot(), before);
}
