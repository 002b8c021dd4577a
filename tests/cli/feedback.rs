//! Feedback: `pm feedback add|list|show|link|unlink|set`, the feedback column of `pm backlog`
//! and `pm story list`, `pm story show`'s links, `scoring.reach_from_feedback`, the agenda's
//! "no feedback", and what `pm check` says of feedback files.

use crate::harness::Test;

fn story(id: &str, title: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nstatus: ready\npoints: 3\n{extra}---\nBody.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n"
    )
}

/// Three stories under one epic, in the backlog; scoring as given.
fn product(settings: &str) -> Test {
    let t = Test::new();
    t.write("product/pm.yaml", settings)
        .write("product/visions/V-1-v.md", "---\nid: V-1\ntitle: Vision\nstatus: active\n---\n")
        .write("product/epics/E-1-e.md", "---\nid: E-1\ntitle: Epic\nstatus: active\nvision: V-1\n---\n")
        .write("product/stories/S-1-a.md", &story("S-1", "Alpha", "epic: E-1\nimpact: 1\nconfidence: 100\neffort: 1\n"))
        .write("product/stories/S-2-b.md", &story("S-2", "Bravo", "epic: E-1\nimpact: 2\nconfidence: 50\neffort: 1\n"))
        .write("product/stories/S-3-c.md", &story("S-3", "Charlie", "epic: E-1\nreach: 10\nimpact: 1\nconfidence: 100\neffort: 5\n"))
        .write(
            "product/backlog.md",
            "# Backlog\n\n- [S-1](stories/S-1-a.md) Alpha\n- [S-2](stories/S-2-b.md) Bravo\n- [S-3](stories/S-3-c.md) Charlie\n",
        )
        .write("product/roadmap.md", "# Roadmap\n\n## Now\n\n- [E-1](epics/E-1-e.md) Epic\n\n## Next\n\n## Later\n");
    t.commit("product");
    t
}

#[test]
fn add_writes_the_quote_as_the_body_and_links_what_it_supports() {
    let t = product("");
    t.pm(&[
        "feedback",
        "add",
        "We reconcile by hand every Friday. A CSV export would save us an hour.",
        "--from",
        "Acme Corp",
        "--story",
        "s-2",
        "--epic",
        "E-1",
        "--source",
        "https://support.example.com/t/4411",
        "--weight",
        "3",
        "--date",
        "2026-11-02",
    ])
    .success()
    .stdout_is("Created F-1 product/feedback/F-1-we-reconcile-by-hand-every-friday.md\n");
    assert_eq!(
        t.read("product/feedback/F-1-we-reconcile-by-hand-every-friday.md"),
        "---\nid: F-1\ntitle: We reconcile by hand every Friday\nstatus: new\nfrom: Acme Corp\ndate: 2026-11-02\nsource: https://support.example.com/t/4411\nstories: [S-2]\nepics: [E-1]\nweight: 3\n---\n\nWe reconcile by hand every Friday. A CSV export would save us an hour.\n"
    );
    // A long first sentence is cut at a word, and the title says so.
    t.pm(&[
        "feedback",
        "add",
        "Splitting the rent by the size of each room is the first thing every flatmate asks us about",
        "--from",
        "Sales",
        "--date",
        "2026-11-03",
    ])
    .success();
    t.pm(&["feedback", "list"]).success().stdout_is(
        "ID   FROM       DATE        WEIGHT  SUPPORTS  STATUS  TITLE
F-1  Acme Corp  2026-11-02  3       S-2, E-1  new     We reconcile by hand every Friday
F-2  Sales      2026-11-03                    new     Splitting the rent by the size of each room is the first...
",
    );
    t.pm(&["feedback", "list", "--story", "S-2", "--format", "ids"]).success().stdout_is("F-1\n");
    t.pm(&["feedback", "list", "--from", "acme", "--format", "ids"]).success().stdout_is("F-1\n");
    t.pm(&["feedback", "list", "--unlinked", "--format", "ids"]).success().stdout_is("F-2\n");
    t.pm(&["feedback", "list", "--epic", "E-1", "--format", "ids"]).success().stdout_is("F-1\n");
    t.pm(&["check"]).success();
}

#[test]
fn story_and_epic_show_the_feedback_behind_them_and_lists_count_it() {
    let t = product("");
    t.pm(&[
        "feedback",
        "add",
        "Need this",
        "--from",
        "Acme",
        "--story",
        "S-2",
        "--weight",
        "3",
        "--date",
        "2026-11-02",
    ])
    .success();
    t.pm(&["feedback", "add", "Me too", "--story", "S-2", "--story", "S-3", "--date", "2026-11-03"]).success();
    let show = t.pm(&["story", "show", "S-2"]).success();
    let links: Vec<&str> = show.lines().into_iter().skip_while(|l| *l != "Links down").take(3).collect();
    assert_eq!(links, ["Links down", "  feedback    F-1 Acme: Need this (new)", "  feedback    F-2 Me too (new)"]);
    let json = t.pm(&["story", "show", "S-2", "--format", "json"]).success().json();
    assert_eq!(json["feedback"], serde_json::json!({"count": 2, "weight": 4}));
    t.pm(&["backlog"]).success().stdout_is(
        "RANK  ID   TITLE    PRIORITY  POINTS  STATUS  EPIC  AC   FEEDBACK
1     S-1  Alpha              3       ready   E-1   0/1
2     S-2  Bravo              3       ready   E-1   0/1  2 (4)
3     S-3  Charlie            3       ready   E-1   0/1  1
",
    );
    t.pm(&["story", "list", "--format", "csv"]).success().stdout_is(
        "RANK,ID,TITLE,PRIORITY,POINTS,STATUS,EPIC,OWNER,AC,FEEDBACK
1,S-1,Alpha,,3,ready,E-1,,0 of 1,
2,S-2,Bravo,,3,ready,E-1,,0 of 1,2 (4)
3,S-3,Charlie,,3,ready,E-1,,0 of 1,1
",
    );
    let show = t.pm(&["feedback", "show", "F-2"]).success();
    let up: Vec<&str> = show.lines().into_iter().skip_while(|l| *l != "Links up").take(3).collect();
    assert_eq!(up, ["Links up", "  supports    S-2 Bravo (ready)", "  supports    S-3 Charlie (ready)"]);
}

#[test]
fn link_and_unlink_change_one_line_and_refuse_what_is_not_there() {
    let t = product("");
    t.pm(&["feedback", "add", "Need this", "--story", "S-1", "--date", "2026-11-02"]).success();
    t.commit("feedback");
    let path = "product/feedback/F-1-need-this.md";
    t.pm(&["feedback", "link", "F-1", "S-3", "e-1"])
        .success()
        .stdout_is("Updated F-1 (stories: [S-1] -> [S-1, S-3]; epics: (none) -> [E-1])\n");
    assert_eq!(
        t.read(path),
        "---\nid: F-1\ntitle: Need this\nstatus: new\ndate: 2026-11-02\nstories: [S-1, S-3]\nepics: [E-1]\n---\n\nNeed this\n"
    );
    t.pm(&["feedback", "link", "F-1", "S-3"]).success().stdout_is("F-1 unchanged: it is linked to each already\n");
    let before = t.snapshot();
    t.pm(&["feedback", "link", "F-1", "S-9"]).code(2).stderr_has("no story with ID S-9");
    t.pm(&["feedback", "link", "F-1", "V-1"]).code(2).stderr_has("`V-1` is not a story or epic ID");
    t.pm(&["feedback", "unlink", "F-1", "S-2"]).code(2).stderr_has("F-1 is not linked to S-2");
    assert_eq!(t.snapshot(), before, "a refused link changes nothing");
    t.pm(&["feedback", "unlink", "F-1", "S-1", "S-3"]).success();
    assert_eq!(
        t.read(path),
        "---\nid: F-1\ntitle: Need this\nstatus: new\ndate: 2026-11-02\nepics: [E-1]\n---\n\nNeed this\n"
    );
}

#[test]
fn bad_feedback_input_is_refused_with_nothing_written() {
    let t = product("");
    let before = t.snapshot();
    t.pm(&["feedback", "add", "  "]).code(2).stderr_has("the quote is empty");
    t.pm(&["feedback", "add", "x", "--weight", "5"]).code(2).stderr_has("weight `5` is not 1, 2 or 3");
    t.pm(&["feedback", "add", "x", "--date", "last week"]).code(2).stderr_has("--date `last week` is not a date");
    t.pm(&["feedback", "add", "x", "--story", "S-7"]).code(2).stderr_has("no story with ID S-7");
    t.pm(&["feedback", "add", "x", "--from", "a\nb"]).code(2).stderr_has("who it is from");
    t.pm(&["feedback", "set", "F-1", "weight=2"]).code(2).stderr_has("no feedback with ID F-1");
    assert_eq!(t.snapshot(), before);
    t.pm(&["feedback", "add", "x", "--date", "2026-11-02"]).success();
    t.pm(&["feedback", "set", "F-1", "weight=4"]).code(2).stderr_has("weight `4` is not 1, 2 or 3");
    t.pm(&["feedback", "set", "F-1", "stories=S-1,S-8"]).code(2).stderr_has("no story with ID S-8");
    t.pm(&["story", "set", "S-1", "weight=2"]).code(2).stderr_has("`weight` is a feedback field");
}

#[test]
fn check_validates_feedback_links_and_values_like_every_link() {
    let t = product("");
    t.write(
        "product/feedback/F-1-hand-written.md",
        "---\nid: F-1\ntitle: Hand written\nfrom: Bob\nstories: [S-1, S-99, E-1]\nepics: E-1\nweight: 5\ndate: yesterday\n---\n\nDark mode please.\n",
    );
    t.pm(&["check", "--format", "json"]).code(1);
    let json = t.pm(&["check", "--format", "json"]).code(1).json();
    let found: Vec<(String, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains("feedback/"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("link/dangling".to_string(), 5, "`stories: S-99` names no item".to_string()),
            ("link/wrong-kind".to_string(), 5, "`stories` must name a story, but E-1 is an epic".to_string()),
            ("field/invalid-value".to_string(), 7, "`5` is not a feedback weight".to_string()),
            ("field/invalid-value".to_string(), 8, "`date: yesterday` is not a date".to_string()),
        ]
    );
}

#[test]
fn reach_from_feedback_scores_a_story_by_the_feedback_behind_it() {
    let t = product("scoring:\n  model: rice\n  reach_from_feedback: true\n");
    t.pm(&["feedback", "add", "One", "--story", "S-1", "--weight", "3", "--date", "2026-11-02"]).success();
    t.pm(&["feedback", "add", "Two", "--story", "S-1", "--story", "S-2", "--date", "2026-11-03"]).success();
    // S-1: reach 3 + 1 = 4, so 4 x 1 x 1 / 1; S-2: reach 1, 1 x 2 x 0.5 / 1; S-3 its own reach 10.
    t.pm(&["score"]).success().stdout_is(
        "#  SCORE  RANK  ID   TITLE    REACH  IMPACT  CONFIDENCE  EFFORT  NOTE
1  4      1     S-1  Alpha    4      1       100         1
2  2      3     S-3  Charlie  10     1       100         5
3  1      2     S-2  Bravo    1      2       50          1
",
    );
    let json = t.pm(&["score", "S-1", "S-3", "--format", "json"]).success().json();
    let derived: Vec<&serde_json::Value> = json.as_array().unwrap().iter().map(|s| &s["from_feedback"]).collect();
    assert_eq!(derived, [&serde_json::json!(["reach"]), &serde_json::json!([])], "S-3 has its own reach");
    // No input is missing: a story without feedback has a reach of 0.
    t.pm(&["check"]).success();
    t.pm(&["rank", "--by", "score", "--dry-run"])
        .success()
        .stdout_is("S-3 would move from rank 3 to 2\nS-2 would move from rank 2 to 3\n");
    t.write("product/pm.yaml", "scoring:\n  model: wsjf\n  reach_from_feedback: true\n");
    t.pm(&["score"]).code(2).stderr_has("scoring.reach_from_feedback is true, but the wsjf model has no `reach` input");
}

#[test]
fn the_refinement_agenda_names_stories_no_feedback_supports() {
    let t = product("");
    t.pm(&["refine", "--format", "json"]).success().stdout_is("[]\n");
    t.pm(&["feedback", "add", "Need this", "--story", "S-2", "--date", "2026-11-02"]).success();
    let json = t.pm(&["refine", "--format", "json"]).success().json();
    let needs: Vec<(String, serde_json::Value)> =
        json.as_array().unwrap().iter().map(|r| (r["id"].as_str().unwrap().to_string(), r["needs"].clone())).collect();
    assert_eq!(
        needs,
        [
            ("S-1".to_string(), serde_json::json!(["no feedback"])),
            ("S-3".to_string(), serde_json::json!(["no feedback"])),
        ]
    );
}
