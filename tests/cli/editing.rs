//! `set`, `done`, `drop`, `edit`: byte-exact edits. Each case is a before/after fixture.

use crate::harness::{Test, changed_lines};

const HAND_EDITED: &str = "---\r\nid: S-1\r\n# Estimated in planning, 2026-11-02\r\ntitle: 'Hand-written: keep my quotes'\r\nstatus: ready   # waiting on design\r\nepic: E-1\r\npoints: 3\r\njira: TND-482\r\nlabels:\r\n  - auth\r\n  - email\r\npriority: high\r\n---\r\nBody with *Markdown*.\r\n\r\n## Acceptance criteria\r\n\r\n- [ ] AC-1: Given x, when y, then z.\r\n";

fn hand_edited() -> Test {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Accounts", "--vision", "V-1"]).success();
    t.write("product/stories/S-1-hand-written.md", HAND_EDITED);
    t.write("product/backlog.md", "# Backlog\n\n- [S-1](stories/S-1-hand-written.md) Hand-written: keep my quotes\n");
    t
}

#[test]
fn set_status_changes_exactly_one_line_and_keeps_crlf_comments_and_unknown_keys() {
    let t = hand_edited();
    t.pm(&["story", "set", "S-1", "status=in-progress"]).success().stdout_has("status: ready -> in-progress");
    let after = t.read("product/stories/S-1-hand-written.md");
    assert_eq!(
        after,
        HAND_EDITED.replace("status: ready   # waiting on design", "status: in-progress   # waiting on design")
    );
    let (old, new) = changed_lines(HAND_EDITED, &after);
    assert_eq!((old.len(), new.len()), (1, 1));
}

#[test]
fn set_several_fields_including_a_new_one_and_a_block_list() {
    let t = hand_edited();
    t.pm(&["story", "set", "S-1", "points=5", "owner=maya", "labels=auth,security"]).success();
    let after = t.read("product/stories/S-1-hand-written.md");
    let expected = HAND_EDITED
        .replace("points: 3", "points: 5")
        .replace("  - email\r\n", "  - security\r\n")
        .replace("priority: high\r\n", "priority: high\r\nowner: maya\r\n");
    assert_eq!(after, expected);
}

#[test]
fn an_empty_value_removes_an_optional_field() {
    let t = hand_edited();
    t.pm(&["story", "set", "S-1", "jira="]).success().stdout_has("jira: TND-482 -> (removed)");
    assert_eq!(t.read("product/stories/S-1-hand-written.md"), HAND_EDITED.replace("jira: TND-482\r\n", ""));
}

#[test]
fn done_sets_the_status_and_leaves_the_backlog_in_one_step() {
    let t = hand_edited();
    t.pm(&["story", "done", "S-1"]).success().stderr_has("1 of 1 acceptance criteria unchecked");
    assert!(t.read("product/stories/S-1-hand-written.md").contains("status: done   # waiting on design\r\n"));
    assert_eq!(t.read("product/backlog.md"), "# Backlog\n\n");
    // Reopening puts it back at the bottom.
    t.pm(&["story", "set", "S-1", "status=ready"]).success();
    assert!(
        t.read("product/backlog.md").ends_with("- [S-1](stories/S-1-hand-written.md) Hand-written: keep my quotes\n")
    );
}

#[test]
fn drop_an_epic_takes_it_off_the_roadmap() {
    let t = hand_edited();
    assert!(t.read("product/roadmap.md").contains("[E-1]"));
    // Its story is open: refused, unless forced.
    t.pm(&["epic", "drop", "E-1"]).code(2).stderr_has("E-1 has 1 open story: S-1");
    assert!(t.read("product/roadmap.md").contains("[E-1]"));
    t.pm(&["epic", "drop", "E-1", "--force"]).success();
    assert!(!t.read("product/roadmap.md").contains("[E-1]"));
}

#[test]
fn done_and_drop_take_several_ids_and_change_all_or_none() {
    let t = Test::initialized();
    for title in ["One", "Two", "Three"] {
        t.pm(&["story", "add", title, "--ac", "Given a, then b"]).success();
    }
    let before = t.snapshot();
    t.pm(&["story", "done", "S-1", "S-9"]).code(2).stderr_has("no story with ID S-9");
    assert_eq!(t.snapshot(), before, "nothing changed when one ID is wrong");
    t.pm(&["story", "done", "S-1", "S-3"]).success();
    assert_eq!(t.pm(&["backlog", "--format", "ids"]).success().stdout, "S-2\n");
    assert!(t.read(&t.find("product/stories", "S-3-")).contains("status: done\n"));
}

#[test]
fn a_title_change_refreshes_the_backlog_line_but_keeps_the_file_name() {
    let t = hand_edited();
    t.pm(&["story", "set", "S-1", "title=Reset: by email"]).success();
    let after = t.read("product/stories/S-1-hand-written.md");
    assert!(after.contains("title: \"Reset: by email\"\r\n"), "{after}");
    assert_eq!(t.read("product/backlog.md"), "# Backlog\n\n- [S-1](stories/S-1-hand-written.md) Reset: by email\n");
}

#[test]
fn setting_the_same_value_writes_nothing() {
    let t = hand_edited();
    let before = t.snapshot();
    t.pm(&["story", "set", "S-1", "points=3"]).success().stdout_has("S-1 unchanged");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn edit_runs_the_editor_and_checks_the_result() {
    let t = hand_edited();
    let script = t.path("editor.sh");
    std::fs::write(&script, "#!/bin/sh\nsed -i 's/Body with/Body now with/' \"$1\"\n").unwrap();
    let t = t.env("EDITOR", &format!("sh {}", script.display()));
    t.pm(&["story", "edit", "S-1"]).success().stdout_has("Updated S-1");
    assert_eq!(t.read("product/stories/S-1-hand-written.md"), HAND_EDITED.replace("Body with", "Body now with"));
}

#[test]
fn an_edit_that_breaks_the_front_matter_changes_nothing_and_keeps_the_text() {
    let t = hand_edited();
    let script = t.path("editor.sh");
    std::fs::write(&script, "#!/bin/sh\nsed -i 's/^points: 3/points: [3/' \"$1\"\n").unwrap();
    let t = t.env("EDITOR", &format!("sh {}", script.display()));
    let before = t.snapshot();
    let run = t.pm(&["story", "edit", "S-1"]).code(2).stderr_has("invalid YAML").stderr_has("your text is kept in");
    assert_eq!(t.snapshot(), before);
    let saved = run.stderr.split("kept in ").nth(1).unwrap().trim();
    assert!(std::fs::read_to_string(saved).unwrap().contains("points: [3"));
    let _ = std::fs::remove_file(saved);
}

#[test]
fn a_bad_value_is_repaired_by_setting_that_field_or_in_the_editor() {
    // `points: lots` makes every command refuse the story; the commands that replace the
    // value must still reach it, or pm cannot fix what it reports.
    let t = hand_edited();
    let path = "product/stories/S-1-hand-written.md";
    let broken = HAND_EDITED.replace("points: 3", "points: lots");
    t.write(path, &broken);
    let before = t.snapshot();
    t.pm(&["story", "set", "S-1", "title=Other"])
        .code(2)
        .stderr_is("error: product/stories/S-1-hand-written.md:7: `points` must be a whole number, 0 or more\n  hint: write it as `points: 3`\n");
    assert_eq!(t.snapshot(), before);
    t.pm(&["story", "set", "S-1", "points=5"]).success().stdout_is("Updated S-1 (points: lots -> 5)\n");
    assert_eq!(t.read(path), HAND_EDITED.replace("points: 3", "points: 5"));
    // In the editor: it opens on the file as it is; what is saved must read.
    t.write(path, &broken);
    let script = t.path("editor.sh");
    std::fs::write(&script, "#!/bin/sh\nsed -i 's/^points: lots/points: many/' \"$1\"\n").unwrap();
    let t = t.env("EDITOR", &format!("sh {}", script.display()));
    let before = t.snapshot();
    let run = t.pm(&["story", "edit", "S-1"]).code(2).stderr_has("`points` must be a whole number, 0 or more");
    assert_eq!(t.snapshot(), before);
    let saved = run.stderr.split("kept in ").nth(1).unwrap().trim();
    let _ = std::fs::remove_file(saved);
    std::fs::write(&script, "#!/bin/sh\nsed -i 's/^points: lots/points: 8/' \"$1\"\n").unwrap();
    t.pm(&["story", "edit", "S-1"])
        .success()
        .stdout_is("Repaired S-1\n")
        .stderr_is(
            "warning: product/stories/S-1-hand-written.md:7: `points` must be a whole number, 0 or more; opening the file to repair it\n",
        );
    assert_eq!(t.read(path), HAND_EDITED.replace("points: 3", "points: 8"));
}

#[test]
fn story_add_edit_opens_the_new_file_before_saving() {
    let t = Test::initialized();
    let script = t.path("editor.sh");
    std::fs::write(&script, "#!/bin/sh\nprintf -- '- [ ] AC-1: written in the editor\\n' >> \"$1\"\n").unwrap();
    let t = t.env("VISUAL", &format!("sh {}", script.display()));
    t.pm(&["story", "add", "From the editor", "--edit"]).success();
    assert!(
        t.read("product/stories/S-1-from-the-editor.md")
            .ends_with("## Acceptance criteria\n\n- [ ] AC-1: written in the editor\n")
    );
}

#[test]
fn story_add_edit_that_changes_the_id_is_refused_and_names_the_id_to_keep() {
    let t = Test::initialized();
    let script = t.path("editor.sh");
    std::fs::write(&script, "#!/bin/sh\nsed -i 's/^id: S-1$/id: S-7/' \"$1\"\n").unwrap();
    let t = t.env("VISUAL", &format!("sh {}", script.display()));
    let before = t.snapshot();
    let run = t.pm(&["story", "add", "Renamed in the editor", "--edit"]).code(2);
    let (head, saved) = run.stderr.split_once(" your text is kept in ").unwrap();
    assert_eq!(
        head,
        "error: the edited file changed the ID to S-7\n  \
         hint: keep `id: S-1`; pm allocates IDs so they never collide; nothing was changed;"
    );
    assert!(std::fs::read_to_string(saved.trim()).unwrap().contains("id: S-7\n"));
    let _ = std::fs::remove_file(saved.trim());
    assert_eq!(t.snapshot(), before);
}

#[test]
fn a_failing_editor_creates_nothing() {
    let t = Test::initialized();
    let before = t.snapshot();
    t.pm(&["story", "add", "Never", "--edit"]).code(3).stderr_has("exited with");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn setting_an_unrelated_field_never_touches_the_backlog() {
    let t = hand_edited();
    t.write("product/backlog.md", "# Backlog\n\n");
    t.pm(&["story", "set", "S-1", "owner=kim"]).success();
    assert_eq!(t.read("product/backlog.md"), "# Backlog\n\n");
}

#[test]
fn a_dependency_that_closes_a_cycle_is_refused_with_the_cycle() {
    let t = Test::initialized();
    for title in ["One", "Two", "Three"] {
        t.pm(&["story", "add", title, "--ac", "Given a, then b"]).success();
    }
    t.pm(&["story", "set", "S-2", "depends_on=S-1"]).success();
    t.pm(&["story", "set", "S-3", "depends_on=S-2"]).success();
    let before = t.snapshot();
    t.pm(&["story", "set", "S-1", "depends_on=S-3"]).code(2).stderr_is(
        "error: S-1 would depend on itself: S-1 -> S-3 -> S-2 -> S-1\n  hint: a story cannot wait for one that waits for it; drop one of the links\n",
    );
    assert_eq!(t.snapshot(), before);
    t.pm(&["story", "set", "S-1", "depends_on="]).success();
}

const VISION: &str = "---\nid: V-1\ntitle: Shared money\nstatus: active\nmetrics:\n  - name: Weekly active households  # from the warehouse\n    target: 20000\n    current: 8400\n  - name: Median minutes to settle up\n    target: 5\n---\nWhy.\n";

#[test]
fn a_vision_metric_is_set_by_name_as_one_line_and_history_tells_that_metric() {
    let t = Test::initialized();
    t.write("product/visions/V-1-demo.md", VISION);
    t.commit("vision");
    t.pm(&["vision", "set", "V-1", "metric.weekly active households=9100"])
        .success()
        .stdout_is("Updated V-1 (metric Weekly active households: 8400 (target 20000) -> 9100 (target 20000))\n");
    assert_eq!(t.read("product/visions/V-1-demo.md"), VISION.replace("current: 8400", "current: 9100"));
    t.pm(&[
        "vision",
        "set",
        "V-1",
        "metric.Median minutes to settle up=12",
        "metric.Median minutes to settle up.target=4.5",
    ])
    .success();
    assert_eq!(
        t.read("product/visions/V-1-demo.md"),
        VISION
            .replace("current: 8400", "current: 9100")
            .replace("    target: 5\n", "    target: 4.5\n    current: 12\n")
    );
    t.commit("numbers of the week");
    t.pm(&["diff", "HEAD~1", "HEAD"]).success().stdout_has(
        "  V-1 metric Weekly active households: 8400 (target 20000) -> 9100 (target 20000)\n  \
         V-1 metric Median minutes to settle up: target 5 -> 12 (target 4.5)\n",
    );
    // A name it does not have, a story, an empty target, one metric twice: refused, nothing
    // written.
    let files = t.snapshot();
    t.pm(&["vision", "set", "V-1", "metric.Median minutes to settle up=3", "metric.median minutes to settle up=4"])
        .code(2)
        .stderr_has("metric `Median minutes to settle up` (current) is given twice");
    t.pm(&["vision", "set", "V-1", "metric.Weekly users=1"]).code(2).stderr_is(
        "error: V-1 has no metric `Weekly users`\n  hint: its metrics: \"Weekly active households\", \"Median minutes to settle up\"\n",
    );
    t.pm(&["vision", "set", "V-1", "metric.Median minutes to settle up.target="])
        .code(2)
        .stderr_has("a metric needs a target");
    assert_eq!(t.snapshot(), files);
}

#[test]
fn drop_with_a_reason_records_it_beside_the_status() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Export to CSV", "--ac", "Given x, when y, then z"]).success();
    let before = t.read("product/stories/S-1-export-to-csv.md");
    t.pm(&["story", "drop", "S-1", "--reason", "Duplicate of S-4: the same export"])
        .success()
        .stdout_is("Updated S-1 (status: draft -> dropped; reason: (none) -> Duplicate of S-4: the same export)\n");
    let after = t.read("product/stories/S-1-export-to-csv.md");
    assert_eq!(
        changed_lines(&before, &after),
        (
            vec!["status: draft\n".to_string()],
            vec!["status: dropped\n".to_string(), "reason: \"Duplicate of S-4: the same export\"\n".to_string()]
        )
    );
    t.pm(&["story", "show", "S-1"]).success().stdout_has("  reason:     Duplicate of S-4: the same export\n");
    t.pm(&["check"]).success();
    let files = t.snapshot();
    t.pm(&["story", "drop", "S-1", "--reason", " "]).code(2).stderr_has("--reason is empty");
    assert_eq!(t.snapshot(), files);
}

#[test]
fn a_story_template_shapes_new_stories_and_edit_opens_it_with_placeholders() {
    let t = Test::initialized();
    let config = t.read("product/pm.yaml").replace(
        "templates:\n  story: \"\"\n",
        "templates:\n  story: |\n    {user_story}\n\n    ## Acceptance criteria\n\n    {criteria}\n\n    ## Design notes\n",
    );
    t.write("product/pm.yaml", &config);
    t.pm(&["story", "add", "Export to CSV", "--as", "treasurer", "--want", "a CSV", "--ac", "Given x, when y, then z"])
        .success();
    assert_eq!(
        t.read("product/stories/S-1-export-to-csv.md"),
        "---\nid: S-1\ntitle: Export to CSV\nstatus: draft\n---\n\nAs a treasurer, I want a CSV.\n\n\
         ## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z\n\n## Design notes\n"
    );
    // A value is text, never searched for placeholders.
    t.pm(&[
        "story",
        "add",
        "Braces",
        "--as",
        "writer",
        "--want",
        "the {criteria} token",
        "--ac",
        "Given x, when y, then z",
    ])
    .success();
    assert!(t.read("product/stories/S-2-braces.md").contains("I want the {criteria} token.\n"));
    t.pm(&["renumber", "S-2", "S-9"]).success();
    std::fs::remove_file(t.path("product/stories/S-9-braces.md")).unwrap();
    t.pm(&["fmt"]).success();
    // Without the flags, the placeholders' lines go.
    t.pm(&["story", "add", "Undo"]).success();
    assert_eq!(
        t.read("product/stories/S-2-undo.md"),
        "---\nid: S-2\ntitle: Undo\nstatus: draft\n---\n\n## Acceptance criteria\n\n## Design notes\n"
    );
    // --edit opens it with lines to fill in; the ones left as they are are not saved.
    let script = t.path("editor.sh");
    let opened = t.path("opened.md");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncp \"$1\" {}\nsed -i 's/^As a <role>.*/As a member, I want undo./' \"$1\"\n",
            opened.display()
        ),
    )
    .unwrap();
    let t = t.env("VISUAL", &format!("sh {}", script.display()));
    t.pm(&["story", "add", "Redo", "--edit"]).success();
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap(),
        "---\nid: S-3\ntitle: Redo\nstatus: draft\n---\n\nAs a <role>, I want <goal>, so that <benefit>.\n\n\
         ## Acceptance criteria\n\n- [ ] AC-1: Given <context>, when <action>, then <outcome>\n\n## Design notes\n"
    );
    assert_eq!(
        t.read("product/stories/S-3-redo.md"),
        "---\nid: S-3\ntitle: Redo\nstatus: draft\n---\n\nAs a member, I want undo.\n\n\
         ## Acceptance criteria\n\n## Design notes\n"
    );
}

#[test]
fn a_story_template_without_a_place_for_criteria_is_refused_when_read() {
    let t = Test::initialized();
    let config =
        t.read("product/pm.yaml").replace("templates:\n  story: \"\"\n", "templates:\n  story: \"## Notes\\n\"\n");
    t.write("product/pm.yaml", &config);
    let files = t.snapshot();
    t.pm(&["story", "add", "Export", "--ac", "Given x, when y, then z"]).code(2).stderr_is(
        "error: product/pm.yaml: templates.story has no {criteria}: a new story's acceptance criteria would have no place\n  \
         hint: add a line `{criteria}` under the template's `## Acceptance criteria` heading\n",
    );
    assert_eq!(t.snapshot(), files);
}

#[test]
fn require_ac_on_add_refuses_a_story_without_criteria_and_writes_nothing() {
    let t = Test::initialized();
    let config = t.read("product/pm.yaml").replace("require_ac_on_add: false", "require_ac_on_add: true");
    t.write("product/pm.yaml", &config);
    let files = t.snapshot();
    t.pm(&["story", "add", "Export to CSV"]).code(2).stderr_is(
        "error: S-1 needs an acceptance criterion (require_ac_on_add in pm.yaml)\n  \
         hint: add one: --ac \"Given ..., when ..., then ...\"\n",
    );
    assert_eq!(t.snapshot(), files);
    t.pm(&["story", "add", "Export to CSV", "--ac", "Given x, when y, then z"]).success();
}
