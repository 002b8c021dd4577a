//! `pm fmt [--check]`: canonical backlog and roadmap, file names in line with IDs, and only
//! the bytes that must change.

use crate::harness::Test;

fn story(id: &str, title: &str, status: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nstatus: {status}\nepic: E-1\n---\nBody.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n"
    )
}

fn product() -> Test {
    let t = Test::new();
    t.write("product/epics/E-1-e.md", "---\nid: E-1\ntitle: Epic\nstatus: active\n---\n")
        .write("product/epics/E-2-f.md", "---\nid: E-2\ntitle: Other epic\nstatus: proposed\n---\n")
        .write("product/stories/S-1-a.md", &story("S-1", "Story A", "ready"))
        .write("product/stories/S-2-b.md", &story("S-2", "Story B", "done"))
        .write("product/stories/notes-on-c.md", &story("S-3", "Story C", "draft"))
        .write("product/stories/S-4-d.md", &story("S-4", "Story D", "ready"))
        .write(
            "product/backlog.md",
            "# Backlog\n\n<!-- keep me -->\n\n- [S-1](stories/S-1-a.md) Old title\n- [S-2](stories/S-2-b.md) Story B\n- [S-1](stories/S-1-a.md) Story A\n- [S-3](stories/notes-on-c.md) Story C\n",
        )
        .write("product/roadmap.md", "# Roadmap\n\n## Now\n\n- [E-1](epics/E-1-e.md) Epic\n\n## Next\n\n## Later\n");
    t.commit("messy product");
    t
}

#[test]
fn check_lists_changes_and_writes_nothing() {
    let t = product();
    let before = t.snapshot();
    t.pm(&["fmt", "--check"]).code(1).stdout_is(
        "product/stories/notes-on-c.md: would rename to product/stories/S-3-story-c.md
product/backlog.md:5: would refresh the line of S-1
product/backlog.md:6: would remove S-2 (done)
product/backlog.md:7: would remove S-1 (listed twice; kept line 5; to keep this place instead: pm rank S-1 --top)
product/backlog.md:8: would refresh the line of S-3
product/backlog.md: would add S-4 (ready)
product/roadmap.md: would add E-2 (proposed)
",
    );
    assert_eq!(t.snapshot(), before);
}

#[test]
fn formats_lists_and_file_names_then_is_idempotent() {
    let t = product();
    t.pm(&["fmt"]).success();
    assert_eq!(
        t.read("product/backlog.md"),
        "# Backlog\n\n<!-- keep me -->\n\n- [S-1](stories/S-1-a.md) Story A\n- [S-3](stories/S-3-story-c.md) Story C\n- [S-4](stories/S-4-d.md) Story D\n"
    );
    assert_eq!(
        t.read("product/roadmap.md"),
        "# Roadmap\n\n## Now\n\n- [E-1](epics/E-1-e.md) Epic\n\n## Next\n\n## Later\n\n- [E-2](epics/E-2-f.md) Other epic\n"
    );
    assert!(!t.exists("product/stories/notes-on-c.md"));
    assert_eq!(t.read("product/stories/S-3-story-c.md"), story("S-3", "Story C", "draft"));
    t.pm(&["fmt", "--check"]).success().stdout_is("");
    t.pm(&["fmt"]).success().stdout_is("Already formatted.\n");
    // What pm fmt fixes, pm check no longer reports.
    t.pm(&["check"]).stdout_lacks("backlog/").stdout_lacks("roadmap/").stdout_lacks("id/filename-mismatch");
}

#[test]
fn an_unparsable_file_is_reported_and_left_alone() {
    let t = product();
    t.write("product/stories/S-5-e.md", "---\nid: S-5\ntitle: [broken\n---\n");
    let broken = t.read("product/stories/S-5-e.md");
    t.pm(&["fmt"]).success().stderr_has("left alone: product/stories/S-5-e.md:");
    assert_eq!(t.read("product/stories/S-5-e.md"), broken);
    // The rest was still formatted; a line naming no story is kept while a file is unreadable.
    assert!(t.read("product/backlog.md").contains("- [S-4](stories/S-4-d.md) Story D\n"));
}

#[test]
fn only_changed_lines_change_and_crlf_is_kept() {
    let t = product();
    let crlf = "# Backlog\r\n\r\n- [S-1](stories/S-1-a.md) Old title\r\n- [S-4](stories/S-4-d.md) Story D\r\n* [S-3](stories/notes-on-c.md) Story C\r\n";
    t.write("product/backlog.md", crlf);
    t.pm(&["fmt"]).success();
    assert_eq!(
        t.read("product/backlog.md"),
        "# Backlog\r\n\r\n- [S-1](stories/S-1-a.md) Story A\r\n- [S-4](stories/S-4-d.md) Story D\r\n* [S-3](stories/S-3-story-c.md) Story C\r\n"
    );
}

#[test]
fn a_mistyped_id_is_left_alone_and_a_meant_one_is_followed() {
    let t = product();
    t.pm(&["fmt"]).success();
    t.commit("formatted");
    t.write("product/stories/S-4-d.md", &story("S-44", "Story D", "ready"));
    let before = t.snapshot();
    let said = "warning: product/backlog.md:7: left alone: S-4's file stories/S-4-d.md says `id: S-44`, though its name \
                and this line say S-4; if S-44 is a typo, write `id: S-4` back in that file; to give it S-44, change \
                this line to S-44 as well, then run `pm fmt`\n";
    t.pm(&["fmt", "--check"]).success().stdout_is("").stderr_is(said);
    t.pm(&["fmt"]).success().stdout_is("Nothing changed; the lines above were left as they are.\n").stderr_is(said);
    assert_eq!(t.snapshot(), before);
    // The line changed too: the new ID is meant, so the file is renamed and the line follows.
    let backlog = t.read("product/backlog.md").replace("- [S-4](", "- [S-44](");
    t.write("product/backlog.md", &backlog);
    t.pm(&["fmt"]).success().stdout_is(
        "product/stories/S-4-d.md: rename to product/stories/S-44-story-d.md\nproduct/backlog.md:7: refresh the line of S-44\n",
    );
    assert!(t.read("product/backlog.md").ends_with("- [S-44](stories/S-44-story-d.md) Story D\n"));
}

#[test]
fn a_damaged_line_keeps_its_story_from_being_added_again() {
    let t = product();
    t.pm(&["fmt"]).success();
    let backlog = t.read("product/backlog.md").replace("- [S-3](stories/S-3-story-c.md) Story C", "- S-3 Story C");
    t.write("product/backlog.md", &backlog);
    t.pm(&["fmt"]).success().stderr_is(
        "warning: product/backlog.md:6: this line looks like the entry of S-3 but does not read as one; left as it is, \
         and S-3 is not added again (`pm check` shows how to write it)\n",
    );
    assert_eq!(t.read("product/backlog.md"), backlog);
    t.pm(&["backlog"]).success().stderr_is(
        "warning: product/backlog.md:6: this line looks like the entry of S-3 but does not read as one, so it is left \
         out; `pm check` shows how to write it\n",
    );
}
