//! `pm rank` and `pm roadmap move`: a move is one line moved.

use crate::harness::Test;

fn backlog_ids(t: &Test) -> Vec<String> {
    t.pm(&["backlog", "--format", "ids"]).success().stdout.lines().map(String::from).collect()
}

#[test]
fn rank_moves_one_line() {
    let t = Test::with_example();
    let before = t.read("product/backlog.md");
    let ids = backlog_ids(&t);
    let last = ids.last().unwrap().clone();
    t.pm(&["rank", &last, "--top"]).success().stdout_has(&format!("{last} moved from rank 21 to 1"));
    let after = t.read("product/backlog.md");
    let moved_line = before.lines().find(|l| l.contains(&format!("[{last}]"))).unwrap();
    let expected: Vec<&str> = {
        let mut v: Vec<&str> = before.lines().filter(|l| *l != moved_line).collect();
        let first = v.iter().position(|l| l.starts_with("- [")).unwrap();
        v.insert(first, moved_line);
        v
    };
    assert_eq!(after, expected.join("\n") + "\n");
}

#[test]
fn rank_before_after_to_and_bottom() {
    let t = Test::with_example();
    let ids = backlog_ids(&t);
    t.pm(&["rank", &ids[0], "--after", &ids[2]]).success().stdout_has("moved from rank 1 to 3");
    assert_eq!(backlog_ids(&t)[..3], [ids[1].clone(), ids[2].clone(), ids[0].clone()]);
    t.pm(&["rank", &ids[0], "--before", &ids[1]]).success();
    assert_eq!(backlog_ids(&t), ids);
    t.pm(&["rank", &ids[0], "--to", "5"]).success();
    assert_eq!(backlog_ids(&t)[4], ids[0]);
    t.pm(&["rank", &ids[0], "--bottom"]).success();
    assert_eq!(backlog_ids(&t).last().unwrap(), &ids[0]);
    t.pm(&["rank", &ids[0], "--before", "S-1"]).code(2).stderr_has("S-1 is not in the backlog");
    t.pm(&["rank", "S-1", "--top"]).code(2).stderr_has("closed stories are not in the backlog");
}

#[test]
fn story_add_top_and_bottom() {
    let t = Test::with_example();
    t.pm(&["story", "add", "Urgent thing", "--top", "--ac", "Given a, when b, then c"])
        .success()
        .stdout_has("Created S-31");
    assert_eq!(backlog_ids(&t)[0], "S-31");
    t.pm(&["story", "add", "Later thing"]).success().stdout_has("Created S-32");
    assert_eq!(backlog_ids(&t).last().unwrap(), "S-32");
}

#[test]
fn roadmap_move_between_horizons() {
    let t = Test::with_example();
    t.pm(&["roadmap", "move", "E-5", "now", "--before", "E-3"])
        .success()
        .stdout_has("E-5 moved from Later #1 to Now #2");
    let json = t.pm(&["roadmap", "--format", "json"]).success().json();
    let now: Vec<_> =
        json[0]["epics"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(now, ["E-2", "E-5", "E-3"]);
    assert!(json[2]["epics"].as_array().unwrap().is_empty());
    t.pm(&["roadmap", "move", "E-5", "someday"]).code(2).stderr_has("unknown horizon");
    t.pm(&["roadmap", "move", "E-1", "now"]).code(2).stderr_has("closed epics are not on the roadmap");
}

#[test]
fn story_add_takes_before_after_and_to() {
    let t = crate::harness::Test::initialized();
    for title in ["One", "Two", "Three"] {
        t.pm(&["story", "add", title, "--ac", "Given a, then b"]).success();
    }
    t.pm(&["story", "add", "Four", "--ac", "Given a, then b", "--after", "s-1"]).success();
    t.pm(&["story", "add", "Five", "--ac", "Given a, then b", "--before", "S-3"]).success();
    t.pm(&["story", "add", "Six", "--ac", "Given a, then b", "--to", "1"]).success();
    t.pm(&["backlog", "--format", "ids"]).success().stdout_is("S-6\nS-1\nS-4\nS-2\nS-5\nS-3\n");
    let before = t.snapshot();
    t.pm(&["story", "add", "Seven", "--ac", "Given a, then b", "--before", "S-9"])
        .code(2)
        .stderr_has("S-9 is not in the backlog");
    assert_eq!(t.snapshot(), before, "nothing is created when the place is wrong");
}
