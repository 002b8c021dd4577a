//! Sprints: `pm sprint add|plan|start|show|close|list`, from planning to close, with the exact
//! output and the bytes of the files they write; bad input changes nothing.

use crate::harness::Test;

/// A product whose backlog holds five stories of 3, 2, no, 5 and 1 points (S-1 ... S-5), in
/// that order, with today set to Wednesday 2026-12-02.
fn backlog() -> Test {
    let mut t = Test::initialized();
    t.set_env("PM_TODAY", "2026-12-02");
    for (title, points) in
        [("Split a bill", "3"), ("Invite by link", "2"), ("Export CSV", ""), ("Bank sync", "5"), ("Dark mode", "1")]
    {
        let mut args = vec!["story", "add", title, "--ac", "Given a, when b, then c"];
        if !points.is_empty() {
            args.extend(["--points", points]);
        }
        t.pm(&args).success();
    }
    t
}

#[test]
fn a_two_week_sprint_runs_from_planning_to_close() {
    let t = backlog();
    t.pm(&[
        "sprint",
        "add",
        "Sprint 1",
        "--start",
        "2026-11-30",
        "--capacity",
        "8",
        "--goal",
        "Flatmates can settle up",
    ])
    .success()
    .stdout_is("Created SP-1 product/sprints/SP-1-sprint-1.md\n");
    assert_eq!(
        t.read("product/sprints/SP-1-sprint-1.md"),
        "---\nid: SP-1\ntitle: Sprint 1\nstatus: planned\nstart: 2026-11-30\nend: 2026-12-13\ncapacity: 8\ngoal: Flatmates can settle up\n---\n\n## Notes\n\n## Review\n\n## Retrospective\n"
    );
    // The next sprint follows: the working day after the 13th (a Sunday), two weeks long.
    t.pm(&["sprint", "add", "Sprint 2", "--capacity", "8"]).success();
    assert!(t.read("product/sprints/SP-2-sprint-2.md").contains("start: 2026-12-14\nend: 2026-12-27\n"));

    let backlog_before = t.read("product/backlog.md");
    let run = t.pm(&["sprint", "plan", "SP-1", "--fill"]).success();
    assert_eq!(run.stdout, "Planned S-1, S-2 into SP-1\nSP-1: 5 points committed of 8 in 2 stories\n");
    assert_eq!(run.stderr, "warning: skipped 1 story without points: S-3\n");
    assert_eq!(t.read("product/backlog.md"), backlog_before, "planning never reorders the backlog");
    let s1 = t.read("product/stories/S-1-split-a-bill.md");
    assert!(s1.starts_with("---\nid: S-1\ntitle: Split a bill\nstatus: draft\npoints: 3\nsprint: SP-1\n---\n"), "{s1}");
    // By hand, over capacity: a warning, not a refusal.
    let run = t.pm(&["sprint", "plan", "SP-1", "S-4"]).success();
    assert_eq!(run.stdout, "Planned S-4 into SP-1\nSP-1: 10 points committed of 8 in 3 stories\n");
    assert_eq!(run.stderr, "warning: SP-1 is over capacity: 10 of 8 points committed\n");
    t.pm(&["sprint", "plan", "SP-1", "--remove", "S-4"])
        .success()
        .stdout_is("Took S-4 out of SP-1\nSP-1: 5 points committed of 8 in 2 stories\n");

    t.pm(&["sprint", "start", "SP-1"]).success().stdout_is("Started SP-1 Sprint 1 (2026-11-30 to 2026-12-13)\n");
    t.pm(&["story", "set", "S-1", "status=done"]).success();
    t.pm(&["ac", "check", "S-1", "AC-1"]).success();
    t.pm(&["sprint", "show"]).success().stdout_is(
        "\
SP-1 Sprint 1 (active)
  goal:       Flatmates can settle up
  dates:      2026-11-30 to 2026-12-13, 8 of 10 working days left
  points:     3 of 5 completed, capacity 8
  file:       product/sprints/SP-1-sprint-1.md

Stories (2)
  S-2    draft         2 pt  AC 0/1  Invite by link
  S-1    done          3 pt  AC 1/1  Split a bill
",
    );
    let json = t.pm(&["sprint", "show", "SP-1", "--format", "json"]).success().json();
    assert_eq!((json["committed"].as_u64(), json["completed"].as_u64()), (Some(5), Some(3)));
    assert_eq!(json["working_days_left"].as_u64(), Some(8));
    t.pm(&["check"]).success();

    t.pm(&["sprint", "close", "SP-1", "--carry-to", "SP-2"])
        .success()
        .stdout_is("Closed SP-1: 3 of 5 points completed (capacity 8)\nCarried 1 story (2 points) to SP-2: S-2\n");
    assert!(t.read("product/stories/S-2-invite-by-link.md").contains("\nsprint: SP-2\n"));
    // The backlog shows each story's sprint once the product has sprints, and filters by it.
    t.pm(&["backlog", "--limit", "3"]).success().stdout_is(
        "\
RANK  ID   TITLE           PRIORITY  POINTS  STATUS  EPIC  SPRINT  AC
1     S-2  Invite by link            2       draft         SP-2    0/1
2     S-3  Export CSV                        draft                 0/1
3     S-4  Bank sync                 5       draft                 0/1
",
    );
    t.pm(&["backlog", "--sprint", "SP-2", "--format", "ids"]).success().stdout_is("S-2\n");
    // Filtered, the backlog keeps each story's real rank.
    t.pm(&["backlog", "--sprint", "none", "--limit", "1"]).success().stdout_is(
        "RANK  ID   TITLE       PRIORITY  POINTS  STATUS  EPIC  SPRINT  AC\n2     S-3  Export CSV                    draft                 0/1\n",
    );
    t.pm(&["story", "list", "--sprint", "none", "--open", "--format", "ids"]).success().stdout_is("S-3\nS-4\nS-5\n");
    assert!(t.read("product/sprints/SP-1-sprint-1.md").contains("\nstatus: closed\n"));
    t.pm(&["sprint", "list"]).success().stdout_is(
        "\
ID    TITLE     STATUS   START       END         CAPACITY  COMMITTED  COMPLETED  CARRIED
SP-1  Sprint 1  closed   2026-11-30  2026-12-13  8         -          3          -
SP-2  Sprint 2  planned  2026-12-14  2026-12-27  8         2          0          0
",
    );
    // Closing twice, or starting a closed sprint: exit 2, nothing written.
    let before = t.snapshot();
    assert_eq!(
        t.pm(&["sprint", "close", "SP-1"]).code(2).stderr,
        "error: SP-1 is already closed\n  hint: reopen it first if you must: pm sprint set SP-1 status=active\n"
    );
    t.pm(&["sprint", "start", "SP-1"]).code(2);
    assert_eq!(t.snapshot(), before);
    // Dates stay in order, checked on the result of a set; a story moved from another sprint
    // is said to be moved; a new sprint over an old one's days is warned about.
    assert_eq!(
        t.pm(&["sprint", "set", "SP-2", "end=2026-12-01"]).code(2).stderr,
        "error: SP-2 would end (2026-12-01) before it starts (2026-12-14)\n  hint: a sprint's end is its last day, on or after its start; set both: start=... end=...\n"
    );
    t.pm(&["sprint", "set", "SP-2", "start=2027-01-04", "end=2027-01-15"]).success();
    t.pm(&["sprint", "set", "SP-2", "start=2026-12-14", "end=2026-12-27"]).success();
    assert_eq!(
        t.pm(&["sprint", "add", "Sprint 3", "--start", "2026-12-21"]).success().stderr,
        "warning: the new sprint (2026-12-21 to 2027-01-03) overlaps SP-2 (2026-12-14 to 2026-12-27)\n"
    );
    let run = t.pm(&["sprint", "plan", "SP-3", "S-2"]).success();
    assert_eq!(run.stderr, "warning: moved S-2 from SP-2 into SP-3\n");
    t.pm(&["sprint", "plan", "SP-2", "S-2"]).success();
    // Without --carry-to, unfinished stories leave every sprint and keep their backlog place.
    t.pm(&["sprint", "start", "SP-2"]).success();
    t.pm(&["sprint", "close", "SP-2"]).success().stdout_is(
        "Closed SP-2: 0 of 2 points completed (capacity 8)\nCarried 1 story (2 points) back to the backlog: S-2\n",
    );
    assert!(!t.read("product/stories/S-2-invite-by-link.md").contains("sprint:"));
}

#[test]
fn bad_sprint_input_is_refused_and_changes_nothing() {
    let t = backlog();
    t.pm(&["sprint", "add", "Sprint 1", "--start", "2026-11-30"]).success();
    let before = t.snapshot();
    let cases: [(&[&str], &str); 7] = [
        (
            &["sprint", "add", "X", "--capacity", "-3"],
            "error: capacity `-3` is not a whole number of points\n  hint: give the points the team can take on, e.g. --capacity 20\n",
        ),
        (
            &["sprint", "add", "X", "--start", "2026-13-01"],
            "error: --start `2026-13-01` is not a date\n  hint: write a date as YYYY-MM-DD, e.g. 2026-12-07\n",
        ),
        (
            &["sprint", "add", "X", "--start", "2026-12-10", "--end", "2026-12-01"],
            "error: the sprint would end (2026-12-01) before it starts (2026-12-10)\n  hint: give an --end on or after --start\n",
        ),
        (
            &["sprint", "plan", "SP-1", "SP-1"],
            "error: `SP-1` is not a story ID (SP-1 is a sprint)\n  hint: story IDs start with S-\n",
        ),
        (
            &["sprint", "plan", "S-1", "S-2"],
            "error: `S-1` is not a sprint ID (S-1 is a story)\n  hint: sprint IDs start with SP-\n",
        ),
        (
            &["sprint", "plan", "SP-1", "--fill"],
            "error: SP-1 has no capacity to fill to\n  hint: set one: pm sprint set SP-1 capacity=20\n",
        ),
        (
            &["story", "set", "S-1", "sprint=SP-7"],
            "error: no sprint with ID SP-7\n  hint: `pm sprint list` shows the IDs in use\n",
        ),
    ];
    for (args, stderr) in cases {
        assert_eq!(t.pm(args).code(2).stderr, stderr, "pm {args:?}");
    }
    assert_eq!(t.snapshot(), before);
}

/// Commit everything at `date` (noon UTC).
fn commit_on(t: &Test, date: &str, message: &str) {
    t.git(&["add", "-A"]);
    let when = format!("{date}T12:00:00+00:00");
    let out = std::process::Command::new("git")
        .args(["commit", "-qm", message])
        .current_dir(t.root())
        .env("GIT_AUTHOR_DATE", &when)
        .env("GIT_COMMITTER_DATE", &when)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A story reopened and finished again counts its last finish, and flow says so; a forecast
/// without 3 weeks of finished work refuses, and the history commands need git.
#[test]
fn flow_counts_the_last_finish_and_forecasts_refuse_thin_history() {
    let mut t = backlog();
    t.set_env("TZ", "UTC");
    t.set_env("PM_TODAY", "2026-12-09");
    commit_on(&t, "2026-11-23", "backlog");
    t.pm(&["story", "set", "S-1", "status=in-progress"]).success();
    commit_on(&t, "2026-11-24", "start S-1");
    t.pm(&["story", "set", "S-1", "status=done"]).success();
    commit_on(&t, "2026-11-26", "S-1 done");
    t.pm(&["story", "set", "S-1", "status=in-progress"]).success();
    commit_on(&t, "2026-11-30", "S-1 reopened: the split rounds wrongly");
    t.pm(&["story", "set", "S-1", "status=done"]).success();
    commit_on(&t, "2026-12-01", "S-1 done again");
    let json = t.pm(&["flow", "--format", "json"]).success().json();
    let finished = &json["finished"][0];
    assert_eq!(
        (finished["id"].as_str(), finished["finished"].as_str(), finished["reopened"].as_u64()),
        (Some("S-1"), Some("2026-12-01"), Some(1))
    );
    assert_eq!((finished["cycle_days"].as_f64(), finished["lead_days"].as_f64()), (Some(7.0), Some(8.0)));
    assert_eq!(json["throughput"].as_array().unwrap().len(), 2, "the weeks of 30 Nov and 7 Dec");
    assert_eq!(
        t.pm(&["forecast", "--count", "2"]).code(2).stderr,
        "error: a forecast needs at least 3 weeks with finished work; the 2 weeks from 2026-11-23 have 1\n  \
         hint: wait for more history, or widen the window with --since\n"
    );
    assert_eq!(
        t.pm(&["flow", "--since", "last tuesday"]).code(2).stderr,
        "error: --since `last tuesday` is not a date\n  hint: a date is YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], today, yesterday or N days ago\n"
    );
    let outside = Test::without_git();
    outside.pm(&["init", "--name", "Demo"]).success();
    assert_eq!(
        outside.pm(&["velocity"]).code(2).stderr,
        "error: velocity is read from git history, and there is none here\n  \
         hint: commit the product folder in a git repository; each sprint's changes are then on record\n"
    );
}

/// Settings that would make sprint numbers wrong are refused; custom story statuses without
/// `finished` count their first closed status as finished.
#[test]
fn sprint_settings_are_checked_and_custom_statuses_count() {
    let t = backlog();
    let bad: [(&str, &str); 3] = [
        ("statuses:\n  sprint: [open, closed]\n", "must list at least three different statuses"),
        ("finished: [shipped]\n", "finished: \"shipped\" is not one of statuses.story"),
        ("sprint_length: 2\u{e9}\n", "sprint_length \"2\u{e9}\" is not a length"),
    ];
    for (yaml, message) in bad {
        t.write("product/pm.yaml", yaml);
        let run = t.pm(&["sprint", "list"]).code(2);
        assert!(run.stderr.contains(message), "{yaml}: {}", run.stderr);
    }
    t.write(
        "product/pm.yaml",
        "statuses:\n  story: [todo, doing, shipped, wontdo]\nclosed: [shipped, wontdo, closed]\ndefault_status:\n  story: todo\n",
    );
    for id in ["S-1", "S-2", "S-3", "S-4", "S-5"] {
        let file = std::fs::read_dir(t.path("product/stories"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{id}-")))
            .unwrap();
        let text = std::fs::read_to_string(&file).unwrap().replace("status: draft", "status: todo");
        std::fs::write(&file, text).unwrap();
    }
    t.pm(&["sprint", "add", "Sprint 1", "--start", "2026-11-30", "--capacity", "20"]).success();
    t.pm(&["sprint", "plan", "SP-1", "S-1", "S-2"]).success();
    t.pm(&["story", "set", "S-1", "status=shipped"]).success();
    t.pm(&["sprint", "list"]).success().stdout_is(
        "ID    TITLE     STATUS   START       END         CAPACITY  COMMITTED  COMPLETED  CARRIED\nSP-1  Sprint 1  planned  2026-11-30  2026-12-13  20        5          3          0\n",
    );
}

/// --fill never takes a closed story (one left in backlog.md by hand), and huge points do not
/// overflow.
#[test]
fn fill_takes_open_stories_only_and_points_never_overflow() {
    let t = backlog();
    let s1 = "product/stories/S-1-split-a-bill.md";
    t.write(s1, &t.read(s1).replace("status: draft", "status: done"));
    t.pm(&["sprint", "add", "Sprint 1", "--start", "2026-11-30", "--capacity", "4"]).success();
    t.pm(&["sprint", "plan", "SP-1", "--fill"])
        .success()
        .stdout_is("Planned S-2 into SP-1\nSP-1: 2 points committed of 4 in 1 story\n");
    let s4 = "product/stories/S-4-bank-sync.md";
    t.write(s4, &t.read(s4).replace("points: 5", "points: 18446744073709551615"));
    t.pm(&["sprint", "plan", "SP-1", "S-4"]).success();
    t.pm(&["sprint", "list"]).success();
    t.pm(&["sprint", "show"]).success();
    t.pm(&["check"]).code(1);
}

/// Velocity counts what a sprint had finished when it closed, as the close said, whatever
/// happens to those stories later (reopened in the next sprint).
#[test]
fn velocity_is_what_the_close_said_and_stays_so() {
    let mut t = backlog();
    t.set_env("TZ", "UTC");
    t.set_env("PM_TODAY", "2026-12-16");
    t.pm(&["sprint", "add", "Sprint 1", "--start", "2026-11-30", "--end", "2026-12-11", "--capacity", "8"]).success();
    t.pm(&["sprint", "plan", "SP-1", "S-1", "S-2"]).success();
    t.pm(&["sprint", "start", "SP-1"]).success();
    commit_on(&t, "2026-11-30", "sprint 1 starts");
    t.pm(&["story", "set", "S-1", "status=done"]).success();
    commit_on(&t, "2026-12-02", "S-1 done");
    // Finished after the last day but before the close: the close counts it, and so does velocity.
    t.pm(&["story", "set", "S-2", "status=done"]).success();
    commit_on(&t, "2026-12-14", "S-2 done");
    let close = t.pm(&["sprint", "close", "SP-1"]).success().stdout;
    assert_eq!(close, "Closed SP-1: 5 of 5 points completed (capacity 8)\n");
    commit_on(&t, "2026-12-14", "close sprint 1");
    t.pm(&["story", "set", "S-1", "status=in-progress"]).success();
    commit_on(&t, "2026-12-15", "S-1 reopened");
    // A renumbered story keeps its life under its new ID.
    t.pm(&["renumber", "S-2", "S-9"]).success();
    commit_on(&t, "2026-12-16", "S-2 is S-9");
    t.pm(&["velocity"]).success().stdout_is(
        "\
SPRINT  TITLE     START       END         CAPACITY  COMMITTED  FINAL  COMPLETED
SP-1    Sprint 1  2026-11-30  2026-12-11  8         5          5      5

Velocity over the last 1 closed sprint: 5.0 points (range 5-5)
",
    );
    t.pm(&["sprint", "list"]).success().stdout_is(
        "\
ID    TITLE     STATUS  START       END         CAPACITY  COMMITTED  COMPLETED  CARRIED
SP-1  Sprint 1  closed  2026-11-30  2026-12-11  8         5          5          0
",
    );
    let flow = t.pm(&["flow", "--format", "json"]).success().json();
    let s9 = flow["finished"].as_array().unwrap().iter().find(|f| f["id"] == "S-9").cloned().unwrap();
    assert_eq!((s9["finished"].as_str(), s9["lead_days"].as_f64()), (Some("2026-12-14"), Some(14.0)));
}

/// A real git merge of two branches that both planned the sprint: one planned S-1, the other
/// started the sprint, re-estimated S-2 and planned S-3; the merge keeps every change.
#[test]
fn a_merge_of_two_sprint_plans_keeps_both_sides() {
    let t = backlog();
    t.pm(&["sprint", "add", "Sprint 1", "--start", "2026-11-30", "--capacity", "20"]).success();
    t.commit("backlog and a sprint");
    t.git(&["checkout", "-q", "-b", "maya"]);
    t.pm(&["sprint", "plan", "SP-1", "S-1"]).success();
    t.commit("plan S-1");
    t.git(&["checkout", "-q", "main"]);
    t.pm(&["story", "set", "S-2", "points=3"]).success();
    t.pm(&["sprint", "plan", "SP-1", "S-4"]).success();
    t.pm(&["sprint", "start", "SP-1"]).success();
    t.commit("start with S-4");
    t.git(&["merge", "-q", "--no-edit", "maya"]);
    t.pm(&["backlog", "--sprint", "SP-1", "--format", "ids"]).success().stdout_is("S-1\nS-4\n");
    let json = t.pm(&["sprint", "show", "--format", "json"]).success().json();
    assert_eq!((json["status"].as_str(), json["committed"].as_u64()), (Some("active"), Some(8)));
    assert!(t.read("product/stories/S-2-invite-by-link.md").contains("\npoints: 3\n"));
    t.pm(&["check"]).success();
}
