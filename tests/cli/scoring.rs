//! Prioritisation scores: `scoring:` in pm.yaml, `pm score`, `pm backlog --by score`,
//! `pm rank --by score`, the values `pm story set` takes, and what history counts.

use crate::harness::Test;

fn story(id: &str, title: &str, inputs: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nstatus: ready\n{inputs}---\nBody.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n"
    )
}

/// Four stories in the backlog, three with value and effort; value-effort scores them.
fn product(scoring: &str) -> Test {
    let t = Test::new();
    t.write("product/pm.yaml", scoring)
        .write("product/stories/S-1-a.md", &story("S-1", "Alpha", "value: 2\neffort: 4\n"))
        .write("product/stories/S-2-b.md", &story("S-2", "Bravo", "value: 9\neffort: 3\n"))
        .write("product/stories/S-3-c.md", &story("S-3", "Charlie", "value: 5\n"))
        .write("product/stories/S-4-d.md", &story("S-4", "Delta", "value: 8\neffort: 2\n"))
        .write(
            "product/backlog.md",
            "# Backlog\n\n- [S-1](stories/S-1-a.md) Alpha\n- [S-2](stories/S-2-b.md) Bravo\n<!-- a note stays -->\n- [S-3](stories/S-3-c.md) Charlie\n- [S-4](stories/S-4-d.md) Delta\n",
        );
    t.commit("scored product");
    t
}

const VALUE_EFFORT: &str = "scoring:\n  model: value-effort\n";

#[test]
fn score_lists_scores_highest_first_with_what_is_missing() {
    let t = product(VALUE_EFFORT);
    t.pm(&["score"]).success().stdout_is(
        "#  SCORE  RANK  ID   TITLE    VALUE  EFFORT  NOTE
1  4      4     S-4  Delta    8      2
2  3      2     S-2  Bravo    9      3
3  0.5    1     S-1  Alpha    2      4
-  -      3     S-3  Charlie  5              missing effort
",
    );
    let json = t.pm(&["score", "S-3", "--format", "json"]).success().json();
    assert_eq!(
        json,
        serde_json::json!([{
            "id": "S-3", "title": "Charlie", "rank": 3, "score": null, "model": "value-effort", "feedback": 0, "from_feedback": [],
            "inputs": {"value": 5, "effort": null}, "missing": ["effort"], "problem": null
        }])
    );
    t.pm(&["score", "S-9"]).code(2).stderr_has("no story with ID S-9");
}

#[test]
fn backlog_by_score_shows_the_suggested_order_beside_the_rank() {
    let t = product(VALUE_EFFORT);
    t.pm(&["backlog", "--by", "score", "--limit", "3"]).success().stdout_is(
        "RANK  SCORE  ID   TITLE  PRIORITY  POINTS  STATUS  EPIC  AC
4     4      S-4  Delta                    ready         0/1
2     3      S-2  Bravo                    ready         0/1
1     0.5    S-1  Alpha                    ready         0/1
",
    );
}

#[test]
fn rank_by_score_reorders_the_entry_lines_and_nothing_else() {
    let t = product(VALUE_EFFORT);
    let before = t.snapshot();
    t.pm(&["rank", "--by", "score", "--dry-run"]).success().stdout_is(
        "S-4 would move from rank 4 to 1\nS-1 would move from rank 1 to 3\nS-3 would move from rank 3 to 4\n",
    );
    assert_eq!(t.snapshot(), before, "a dry run writes nothing");
    t.pm(&["rank", "--by", "score"]).success();
    assert_eq!(
        t.read("product/backlog.md"),
        "# Backlog\n\n- [S-4](stories/S-4-d.md) Delta\n- [S-2](stories/S-2-b.md) Bravo\n<!-- a note stays -->\n- [S-1](stories/S-1-a.md) Alpha\n- [S-3](stories/S-3-c.md) Charlie\n"
    );
    t.pm(&["rank", "--by", "score"]).success().stdout_is("The backlog is already in score order.\n");
    // A value off its scale is a mistake to fix, not a story to sink: nothing moves.
    t.write("product/stories/S-2-b.md", &t.read("product/stories/S-2-b.md").replace("value: 9", "value: 9,5"));
    let before = t.snapshot();
    t.pm(&["rank", "--by", "score"]).code(2).stderr_is(
        "error: 1 open story cannot be scored as written:\n  product/stories/S-2-b.md:5: `value: 9,5` is not on the scale of `value`: a number from 0 up\n  \
         hint: fix these values (pm check lists them as score/out-of-scale), then rank again\n",
    );
    assert_eq!(t.snapshot(), before);
    t.pm(&["rank", "S-1", "--by", "score"]).code(2);
}

#[test]
fn set_refuses_a_value_off_the_scale_and_check_reports_one_by_hand() {
    let t = product("scoring:\n  model: rice\n");
    let before = t.snapshot();
    t.pm(&["story", "set", "S-1", "impact=4"]).code(2).stderr_is(
        "error: `impact: 4` is not on the scale of `impact`: 0.25, 0.5, 1, 2, 3\n  \
         hint: the rice model of pm.yaml takes these values (`scoring.scales` changes them)\n",
    );
    t.pm(&["story", "set", "S-1", "confidence=120"]).code(2);
    // A value on no scale but one the formula divides by: no score could come of it.
    t.pm(&["story", "set", "S-1", "effort=0"]).code(2).stderr_is(
        "error: `effort: 0` leaves no score: the formula divides by it\n  \
         hint: `effort` must be above 0 (reach * impact * confidence / effort); a very small one is, say, 0.5\n",
    );
    assert_eq!(t.snapshot(), before);
    t.pm(&["story", "set", "S-1", "reach=500", "impact=0.5", "confidence=80", "effort=1"]).success();
    t.pm(&["score", "S-1"]).success().stdout_is(
        "#  SCORE  RANK  ID   TITLE  REACH  IMPACT  CONFIDENCE  EFFORT  NOTE\n1  200    1     S-1  Alpha  500    0.5     80          1\n",
    );
    t.write("product/stories/S-1-a.md", &t.read("product/stories/S-1-a.md").replace("effort: 1", "effort: 0"));
    let run = t.pm(&["check", "--format", "json"]).code(1);
    let found: Vec<(String, u64, String)> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "product/stories/S-1-a.md" && f["rule"].as_str().unwrap().starts_with("score/"))
        .map(|f| {
            (f["rule"].as_str().unwrap().into(), f["line"].as_u64().unwrap(), f["message"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(
        found,
        [(
            "score/out-of-scale".to_string(),
            6,
            "S-1 has no score: the formula divides by effort, which is 0".to_string()
        )]
    );
}

#[test]
fn a_formula_of_your_own_scores_and_its_fields_are_known() {
    let t = product(
        "scoring:\n  model: formula\n  formula: (value + urgency * 2) / effort\n  scales:\n    urgency: [1, 2, 3]\n",
    );
    t.pm(&["story", "set", "S-2", "urgency=3"]).success();
    t.pm(&["story", "set", "S-2", "urgency=4"])
        .code(2)
        .stderr_has("`urgency: 4` is not on the scale of `urgency`: 1, 2, 3");
    t.pm(&["score", "S-2"]).success().stdout_is(
        "#  SCORE  RANK  ID   TITLE  VALUE  URGENCY  EFFORT  NOTE\n1  5      2     S-2  Bravo  9      3        3\n",
    );
    // `urgency` is the model's: no unknown-field warning.
    t.pm(&["check", "--format", "json"]).json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .for_each(|f| assert_ne!(f["rule"], "parse/unknown-field", "{f}"));
}

#[test]
fn bad_scoring_settings_are_named_at_their_line() {
    let t = product("name: x\nscoring:\n  model: formula\n  formula: (value + 1\n");
    t.pm(&["score"]).code(2).stderr_is(
        "error: product/pm.yaml:4: scoring.formula: the `(` at column 1 is never closed\n  \
         hint: docs/prioritise.md describes the scoring models and their settings\n",
    );
    let t = product("");
    t.pm(&["score"]).code(2).stderr_is(
        "error: no scoring model: pm.yaml has no `scoring:` with a `model:`\n  \
         hint: choose one in product/pm.yaml, e.g. `scoring: {model: rice}` (rice, wsjf, value-effort or formula; docs/prioritise.md)\n",
    );
    t.pm(&["rank", "--by", "score"]).code(2);
}

#[test]
fn a_changed_input_is_a_priority_change_in_history_and_diff() {
    let t = product(VALUE_EFFORT);
    t.pm(&["story", "set", "S-3", "effort=1"]).success();
    t.commit("S-3 is cheap after all");
    let history = t.pm(&["history"]).success().stdout;
    assert!(history.contains("  S-3  Charlie  effort set to 1             S-3 is cheap after all\n"), "{history}");
    t.pm(&["diff", "HEAD~1", "HEAD"]).success().stdout_has("1 priority change");
}

#[test]
fn refine_lists_the_stories_near_the_top_that_are_not_ready() {
    let mut t = Test::new();
    let full = "points: 3\nvalue: 5\neffort: 1\n";
    t.write("product/pm.yaml", "scoring:\n  model: value-effort\nrefine:\n  stale_after: 30d\n")
        .write("product/stories/S-1-a.md", &story("S-1", "Alpha", full))
        .write("product/stories/S-2-b.md", &story("S-2", "Bravo", "value: 5\n"))
        .write("product/stories/S-3-c.md", &story("S-3", "Charlie", full).replace("status: ready", "status: in-progress"))
        .write("product/stories/S-4-d.md", &story("S-4", "Delta", full))
        .write(
            "product/stories/S-5-e.md",
            "---\nid: S-5\ntitle: Echo <b>\nstatus: draft\npoints: 2\nvalue: 1\neffort: 1\n---\nNo criteria yet.\n",
        )
        .write(
            "product/backlog.md",
            "# Backlog\n\n- [S-1](stories/S-1-a.md) Alpha\n- [S-2](stories/S-2-b.md) Bravo\n- [S-3](stories/S-3-c.md) Charlie\n- [S-4](stories/S-4-d.md) Delta\n- [S-5](stories/S-5-e.md) Echo <b>\n",
        );
    t.commit_dated("the stories", "2026-09-01T10:00:00Z", &[]);
    // S-1 and S-5 are looked at again later; S-4 is not.
    t.write("product/stories/S-1-a.md", &t.read("product/stories/S-1-a.md").replace("Body.", "Body, refined."));
    t.write("product/stories/S-5-e.md", &t.read("product/stories/S-5-e.md").replace("No criteria yet.", "Still none."));
    t.commit_dated("refined", "2026-11-20T10:00:00Z", &[]);
    t.set_env("PM_TODAY", "2026-12-01");
    t.set_env("TZ", "UTC");
    t.pm(&["refine"]).success().stdout_is(
        "RANK  ID   TITLE     STATUS  NEEDS
2     S-2  Bravo     ready   no points; no effort; untouched for 91 days
4     S-4  Delta     ready   untouched for 91 days
5     S-5  Echo <b>  draft   no acceptance criteria
",
    );
    t.pm(&["refine", "--limit", "1", "--format", "markdown"]).success().stdout_is(
        "## Refinement agenda\n\n1. **S-2** Bravo (rank 2, ready): no points; no effort; untouched for 91 days\n",
    );
    let json = t.pm(&["refine", "--format", "json"]).success().json();
    assert_eq!(
        json[2],
        serde_json::json!({"rank": 5, "id": "S-5", "title": "Echo <b>", "status": "draft", "needs": ["no acceptance criteria"]})
    );
    let md = t.pm(&["refine", "--format", "markdown"]).success().stdout;
    assert!(md.ends_with("3. **S-5** Echo \\<b> (rank 5, draft): no acceptance criteria\n"), "{md}");
}
