//! `pm renumber OLD NEW`: the ID, the file name and every reference change; nothing else does.

use crate::harness::Test;

fn product() -> Test {
    let t = Test::new();
    t.write("product/visions/V-1-v.md", "---\nid: V-1\ntitle: Vision\nstatus: active\n---\n")
        .write("product/epics/E-1-e.md", "---\nid: E-1\ntitle: Epic\nstatus: active\nvision: V-1\n---\n")
        .write(
            "product/stories/S-1-a.md",
            "---\nid: S-1 # keep\ntitle: Story A\nstatus: ready\nepic: E-1\n---\nSee S-1/AC-1.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n",
        )
        .write(
            "product/stories/S-2-b.md",
            "---\nid: S-2\ntitle: Story B\nstatus: ready\nepic: E-1\ndepends_on:\n  - S-1\n  - S-12\n---\nAfter S-1/AC-1, not XS-1/AC-1 or S-12/AC-1.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n",
        )
        .write(
            "product/stories/S-12-l.md",
            "---\nid: S-12\ntitle: Story L\nstatus: done\nepic: E-1\n---\n## Acceptance criteria\n\n- [x] AC-1: Given x, when y, then z.\n",
        )
        .write("product/notes.md", "# Notes\n\nS-1/AC-1 is the hard one.\n")
        .write("product/backlog.md", "# Backlog\n\n- [S-2](stories/S-2-b.md) Story B\n- [S-1](stories/S-1-a.md) Story A\n")
        .write("product/roadmap.md", "# Roadmap\n\n## Now\n\n- [E-1](epics/E-1-e.md) Epic\n\n## Next\n\n## Later\n");
    t.commit("product");
    t
}

#[test]
fn renumbers_a_story_and_every_reference() {
    let t = product();
    t.pm(&["renumber", "S-1", "S-7"]).success().stdout_has("S-1 is now S-7");
    assert!(!t.exists("product/stories/S-1-a.md"));
    assert_eq!(
        t.read("product/stories/S-7-a.md"),
        "---\nid: S-7 # keep\ntitle: Story A\nstatus: ready\nepic: E-1\n---\nSee S-7/AC-1.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n"
    );
    assert_eq!(
        t.read("product/stories/S-2-b.md"),
        "---\nid: S-2\ntitle: Story B\nstatus: ready\nepic: E-1\ndepends_on:\n  - S-7\n  - S-12\n---\nAfter S-7/AC-1, not XS-1/AC-1 or S-12/AC-1.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n"
    );
    assert_eq!(t.read("product/notes.md"), "# Notes\n\nS-7/AC-1 is the hard one.\n");
    assert_eq!(
        t.read("product/backlog.md"),
        "# Backlog\n\n- [S-2](stories/S-2-b.md) Story B\n- [S-7](stories/S-7-a.md) Story A\n"
    );
    t.pm(&["check", "--strict"]).success();
}

#[test]
fn renumbers_an_epic_and_its_links() {
    let t = product();
    t.pm(&["renumber", "E-1", "E-4"]).success();
    assert!(t.read("product/stories/S-1-a.md").contains("\nepic: E-4\n"));
    assert!(t.read("product/roadmap.md").contains("- [E-4](epics/E-4-e.md) Epic\n"));
    t.pm(&["check", "--strict"]).success();
}

#[test]
fn cures_a_duplicate_id_with_file() {
    let t = product();
    t.write(
        "product/stories/S-1-other.md",
        "---\nid: S-1\ntitle: Other\nstatus: ready\nepic: E-1\n---\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n",
    );
    let b = t.read("product/backlog.md");
    t.write("product/backlog.md", &format!("{b}- [S-1](stories/S-1-other.md) Other\n"));
    t.pm(&["check"]).code(1).stdout_has("id/duplicate");
    t.pm(&["renumber", "S-1", "S-8"]).code(2).stderr_has("S-1 is the ID of 2 files").stderr_has("--file");
    t.pm(&["renumber", "S-1", "S-8", "--file", "product/stories/S-1-other.md"]).success();
    assert!(t.exists("product/stories/S-8-other.md"));
    // The other S-1 and references by ID are untouched; the moved file's backlog line follows it.
    assert!(t.read("product/stories/S-2-b.md").contains("  - S-1\n"));
    assert!(
        t.read("product/backlog.md")
            .ends_with("- [S-1](stories/S-1-a.md) Story A\n- [S-8](stories/S-8-other.md) Other\n")
    );
    t.pm(&["check", "--strict"]).success();
}

#[test]
fn refuses_bad_requests_and_writes_nothing() {
    let t = product();
    let before = t.snapshot();
    t.pm(&["renumber", "S-1", "S-2"]).code(2).stderr_has("S-2 is already in use").stderr_has("such as S-13");
    t.pm(&["renumber", "S-1", "E-9"]).code(2).stderr_has("E-9 is not a story ID");
    t.pm(&["renumber", "S-9", "S-10"]).code(2).stderr_has("no story with ID S-9");
    t.pm(&["renumber", "S-1", "S-01"]).code(2).stderr_has("is not an ID");
    assert_eq!(t.snapshot(), before);
}
