//! `pm history`, `pm diff` and `--at`: repositories built commit by commit with known
//! histories, and the exact changes reported.

use std::process::Command;

use crate::harness::Test;

/// Commit everything as `who` at `date` (author and committer date).
fn commit_as(t: &Test, msg: &str, who: &str, date: &str) {
    t.git(&["add", "-A"]);
    let out = Command::new("git")
        .args(["commit", "-qm", msg, "--allow-empty"])
        .current_dir(t.root())
        .env("GIT_AUTHOR_NAME", who)
        .env("GIT_AUTHOR_EMAIL", format!("{}@example.com", who.to_lowercase()))
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `pm history ARGS --format json` as "DATE AUTHOR ID sentence" lines.
fn history(t: &Test, args: &[&str]) -> Vec<String> {
    history_in(t, "", args)
}

/// The same, run in a sub-folder of the test's directory.
fn history_in(t: &Test, sub: &str, args: &[&str]) -> Vec<String> {
    let mut all = vec!["history"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let run = t.pm_in(sub, &all).success();
    run.json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                &c["date"].as_str().unwrap()[..10],
                c["author"].as_str().unwrap(),
                c["description"].as_str().unwrap()
            )
        })
        .collect()
}

/// A product with three stories in the backlog (S-1, S-2, S-3), committed by Maya.
fn three_stories() -> Test {
    let t = Test::initialized();
    for (title, prio) in [("Sign up", "high"), ("Reset password", "medium"), ("Export data", "low")] {
        t.pm(&["story", "add", title, "--priority", prio, "--ac", "Given a, when b, then c"]).success();
    }
    commit_as(&t, "Three stories", "Maya", "2024-01-10T09:00:00Z");
    t
}

/// [`three_stories`], then S-3 ranked first by Priya and S-2 ranked first by Sam, a day apart.
fn reranked_twice() -> Test {
    let t = three_stories();
    t.pm(&["rank", "S-3", "--top"]).success();
    commit_as(&t, "Export first", "Priya", "2024-01-11T09:00:00Z");
    t.pm(&["rank", "S-2", "--top"]).success();
    commit_as(&t, "Reset first", "Sam", "2024-01-12T09:00:00Z");
    t
}

#[test]
fn priority_history_reports_rank_moves_and_priority_changes() {
    let t = three_stories();
    t.pm(&["rank", "S-3", "--top"]).success();
    commit_as(&t, "Export first", "Priya", "2024-01-11T09:00:00Z");
    t.pm(&["story", "set", "S-2", "priority=critical", "status=ready"]).success();
    commit_as(&t, "Reset is urgent", "Sam", "2024-01-12T09:00:00Z");
    t.pm(&["story", "done", "S-3"]).success();
    commit_as(&t, "Export shipped", "Priya", "2024-01-13T09:00:00Z");
    assert_eq!(
        history(&t, &[]),
        [
            "2024-01-10 Maya S-1 entered the backlog at 1st",
            "2024-01-10 Maya S-2 entered the backlog at 2nd",
            "2024-01-10 Maya S-3 entered the backlog at 3rd",
            "2024-01-11 Priya S-3 moved from 3rd to 1st",
            "2024-01-12 Sam S-2 priority: medium -> critical",
            "2024-01-13 Priya S-3 left the backlog as done (was 1st)",
        ]
    );
    assert_eq!(
        history(&t, &["S-2"]),
        [
            "2024-01-10 Maya S-2 created: Reset password",
            "2024-01-10 Maya S-2 entered the backlog at 2nd",
            "2024-01-12 Sam S-2 status: draft -> ready",
            "2024-01-12 Sam S-2 priority: medium -> critical",
        ]
    );
    assert_eq!(
        history(&t, &["--field", "status"]),
        ["2024-01-12 Sam S-2 status: draft -> ready", "2024-01-13 Priya S-3 status: draft -> done"]
    );
    assert_eq!(history(&t, &["--author", "sam"]), ["2024-01-12 Sam S-2 priority: medium -> critical"]);
    assert_eq!(
        history(&t, &["--since", "2024-01-11", "--until", "2024-01-12"]),
        ["2024-01-11 Priya S-3 moved from 3rd to 1st", "2024-01-12 Sam S-2 priority: medium -> critical"]
    );
    assert_eq!(history(&t, &["--since", "HEAD~1"]), ["2024-01-13 Priya S-3 left the backlog as done (was 1st)"]);
    // The table names date, commit and author.
    let run = t.pm(&["history", "S-3", "--field", "rank"]).success();
    assert!(run.lines()[0].starts_with("DATE"), "{}", run.stdout);
    assert!(
        run.stdout.contains("2024-01-11")
            && run.stdout.contains("Priya")
            && run.stdout.contains("moved from 3rd to 1st")
    );
    let csv = t.pm(&["history", "--format", "csv", "--field", "priority"]).success();
    assert!(
        csv.stdout.contains(
            ",,Sam,S-2,Reset password,priority,medium,critical,priority: medium -> critical,Reset is urgent\n"
        ),
        "{}",
        csv.stdout
    );
    t.pm(&["history", "S-9"]).code(2).stderr_has("S-9 does not appear in the history");
    t.pm(&["history", "nope"]).code(2).stderr_has("is not an ID");
}

#[test]
fn acceptance_criteria_edits_are_reported_by_ac_id() {
    let t = three_stories();
    t.pm(&["ac", "add", "S-1", "Given an email, when I sign up, then I get a link"]).success();
    t.pm(&["ac", "check", "S-1", "AC-1"]).success();
    commit_as(&t, "Criteria", "Maya", "2024-01-11T09:00:00Z");
    let path = t.find("product/stories", "S-1-");
    let text =
        t.read(&path).replace("then c.", "then c!").replace("Given a, when b, then c", "Given x, when y, then z");
    t.write(&path, &text);
    t.pm(&["ac", "rm", "S-1", "AC-2"]).success();
    t.pm(&["ac", "uncheck", "S-1", "AC-1"]).success();
    commit_as(&t, "Reword", "Maya", "2024-01-12T09:00:00Z");
    assert_eq!(
        history(&t, &["S-1", "--field", "ac"]),
        [
            "2024-01-11 Maya S-1 AC-1 checked",
            "2024-01-11 Maya S-1 gained AC-2: Given an email, when I sign up, then I get a link",
            "2024-01-12 Maya S-1 lost AC-2: Given an email, when I sign up, then I get a link",
            "2024-01-12 Maya S-1 AC-1 reworded: \"Given a, when b, then c\" -> \"Given x, when y, then z\"",
            "2024-01-12 Maya S-1 AC-1 unchecked",
        ]
    );
}

#[test]
fn a_renamed_file_is_the_same_item() {
    let t = three_stories();
    let old = t.find("product/stories", "S-2-");
    t.git(&["mv", &old, "product/stories/S-2-reset.md"]);
    commit_as(&t, "Rename", "Sam", "2024-01-11T09:00:00Z");
    assert_eq!(
        history(&t, &["S-2"])[2..],
        ["2024-01-11 Sam S-2 file renamed: product/stories/S-2-reset-password.md -> product/stories/S-2-reset.md"]
    );
    t.pm(&["diff", "HEAD~1", "HEAD"])
        .success()
        .stdout_has("S-2 file renamed: product/stories/S-2-reset-password.md -> product/stories/S-2-reset.md")
        .stdout_lacks("created")
        .stdout_lacks("deleted");
}

#[test]
fn changes_are_credited_to_the_commit_that_made_them_and_the_merge_that_brought_them() {
    let t = three_stories();
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.pm(&["rank", "S-2", "--top"]).success();
    commit_as(&t, "Reset first", "Priya", "2024-01-11T09:00:00Z");
    t.git(&["checkout", "-q", "main"]);
    t.pm(&["story", "set", "S-1", "priority=low"]).success();
    commit_as(&t, "Sign-up can wait", "Maya", "2024-01-12T09:00:00Z");
    let out = Command::new("git")
        .args(["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"])
        .current_dir(t.root())
        .env("GIT_AUTHOR_NAME", "Sam")
        .env("GIT_AUTHOR_DATE", "2024-01-13T09:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-13T09:00:00Z")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recent =
        |args: &[&str]| history(&t, args).into_iter().filter(|l| !l.starts_with("2024-01-10")).collect::<Vec<_>>();
    // Priya's move is hers, on her day, though Sam merged it.
    let credited = ["2024-01-11 Priya S-2 moved from 2nd to 1st", "2024-01-12 Maya S-1 priority: high -> low"];
    assert_eq!(recent(&[]), credited);
    assert_eq!(recent(&["--all-parents"]), credited);
    let json = t.pm(&["history", "--format", "json"]).success().json();
    let merge = t.git(&["rev-parse", "HEAD"]);
    let vias: Vec<(&str, Option<&str>)> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["date"].as_str().unwrap().starts_with("2024-01-10"))
        .map(|c| (c["author"].as_str().unwrap(), c["via"].as_str()))
        .collect();
    assert_eq!(vias, [("Priya", Some(merge.trim())), ("Maya", None)]);
    // --first-parent: a merged branch is its merge, by whoever merged.
    assert_eq!(
        recent(&["--first-parent"]),
        ["2024-01-12 Maya S-1 priority: high -> low", "2024-01-13 Sam S-2 moved from 2nd to 1st"]
    );
    let table = t.pm(&["history", "S-2", "--field", "rank"]).success();
    let three = t.git(&["log", "--format=%h", "--abbrev=7", "--grep=^Three stories$"]).trim().to_string();
    assert_eq!(
        table.lines()[..2],
        [
            "DATE        COMMIT   AUTHOR  ID   TITLE           CHANGE                      WHY".to_string(),
            format!("2024-01-10  {three}  Maya    S-2  Reset password  entered the backlog at 2nd  Three stories")
        ]
    );
    assert!(
        table.lines()[2].ends_with("Priya   S-2  Reset password  moved from 2nd to 1st       Reset first"),
        "{}",
        table.stdout
    );
}

#[test]
fn a_shallow_clone_is_marked_truncated() {
    let t = reranked_twice();
    let clone = Test::without_git();
    let url = format!("file://{}", t.root().display());
    let dest = clone.path("c");
    let out = Command::new("git").args(["clone", "-q", "--depth", "2", &url, dest.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = clone.pm_in("c", &["history", "--format", "json"]).success();
    assert!(run.stderr.contains("truncated") && run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    let json = run.json();
    assert!(json["truncated_at"].is_string());
    let changes: Vec<&str> =
        json["changes"].as_array().unwrap().iter().map(|c| c["description"].as_str().unwrap()).collect();
    assert_eq!(changes, ["S-2 moved from 3rd to 1st"]);
    // What the clone left out is named as such, never as a wrong ID, date or revision.
    let hint =
        "  hint: fetch the full history: `git fetch --unshallow`; in CI, e.g. actions/checkout with fetch-depth: 0\n";
    let boundary = clone.git_in("c", &["rev-parse", "--short=7", "HEAD~1"]);
    let cases = [
        (
            &["history", "S-1"][..],
            format!("S-1 does not appear in the history of HEAD, which this shallow clone cuts at {}", boundary.trim()),
        ),
        (
            &["backlog", "--at", "2024-01-10"][..],
            format!(
                "no commit at or before 2024-01-10 in this shallow clone: its history starts at {}",
                boundary.trim()
            ),
        ),
        (
            &["diff", "HEAD~2"][..],
            "unknown revision `HEAD~2` in this shallow clone (it may be in the history the clone left out)".to_string(),
        ),
    ];
    for (args, message) in cases {
        assert_eq!(clone.pm_in("c", args).code(2).stderr, format!("error: {message}\n{hint}"), "pm {args:?}");
    }
}

/// A clone made shallow after a full walk was cached: the cache does not hide the truncation.
#[test]
fn a_clone_made_shallow_after_a_cached_walk_is_still_marked_truncated() {
    let t = reranked_twice();
    let clone = Test::without_git();
    let url = format!("file://{}", t.root().display());
    let dest = clone.path("c");
    let out = Command::new("git").args(["clone", "-q", &url, dest.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        clone.pm_in("c", &["history", "--format", "json"]).success().json()["changes"].as_array().unwrap().len(),
        5
    );
    let out = Command::new("git").args(["fetch", "-q", "--depth", "2", "origin"]).current_dir(&dest).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = clone.pm_in("c", &["history", "--format", "json"]).success();
    assert!(run.stderr.contains("truncated"), "{}", run.stderr);
    let json = run.json();
    let changes: Vec<&str> =
        json["changes"].as_array().unwrap().iter().map(|c| c["description"].as_str().unwrap()).collect();
    assert_eq!(changes, ["S-2 moved from 3rd to 1st"]);
}

/// `pm diff` in a shallow clone whose history does not reach the default branch's merge-base:
/// a usage error with the way out, not a bare git error.
#[test]
fn pm_diff_in_a_shallow_clone_without_a_merge_base_says_how_to_fetch_it() {
    let t = three_stories();
    t.git(&["checkout", "-q", "-b", "feat"]);
    t.pm(&["rank", "S-3", "--top"]).success();
    commit_as(&t, "Export first", "Priya", "2024-01-11T09:00:00Z");
    t.git(&["checkout", "-q", "main"]);
    t.pm(&["rank", "S-2", "--top"]).success();
    commit_as(&t, "Reset first", "Sam", "2024-01-12T09:00:00Z");
    let clone = Test::without_git();
    let url = format!("file://{}", t.root().display());
    let dest = clone.path("c");
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(clone.root()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["clone", "-q", "--depth", "1", "--no-single-branch", &url, dest.to_str().unwrap()]);
    git(&["-C", "c", "checkout", "-q", "feat"]);
    let run = clone.pm_in("c", &["diff"]).code(2);
    assert_eq!(
        run.stderr,
        "error: HEAD and origin/HEAD have no common ancestor here\n  hint: pm diff compares with the merge-base; \
         fetch the full history (`git fetch --unshallow`) or name the base: pm diff BASE\n"
    );
    // CI passes commit IDs: one the shallow clone never fetched is not damage, and a branch
    // it never fetched is not a typo.
    let first = t.git(&["rev-parse", "main~1"]).trim().to_string();
    let run = clone.pm_in("c", &["diff", &format!("{first}...HEAD")]).code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: `{first}` names no commit in this shallow clone (only part of the history was fetched)\n  \
             hint: {UNSHALLOW}\n"
        )
    );
    clone.pm_in("c", &["check", "--changed-since", "origin/develop"]).code(2).stderr_is(&format!(
        "error: `origin/develop` names no commit in this shallow clone (only part of the history was fetched)\n  \
         hint: {UNSHALLOW}\n"
    ));
}

const UNSHALLOW: &str =
    "fetch the full history: `git fetch --unshallow`; in CI, e.g. actions/checkout with fetch-depth: 0";

/// A field no item has is a typo, said so; a date that cannot be is not a valid date; and
/// `pm check --rev` takes a date as `--at` does.
#[test]
fn typos_in_fields_and_dates_are_errors_not_empty_answers() {
    let t = reranked_twice();
    assert_eq!(
        t.pm(&["history", "--field", "prority"]).code(2).stderr,
        "error: no item has a field `prority`\n  hint: did you mean priority?\n"
    );
    assert_eq!(
        t.pm(&["backlog", "--at", "2024-02-30"]).code(2).stderr,
        "error: `2024-02-30` is not a valid date\n  hint: a date is YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], today, yesterday or N days ago\n"
    );
    let by_date = t.pm(&["check", "--rev", "2024-01-11", "--format", "json"]).stdout;
    assert_eq!(by_date, t.pm(&["check", "--rev", "HEAD~1", "--format", "json"]).stdout);
    assert_eq!(t.pm(&["history", "--since", "yesterday"]).success().stdout, "No matching changes.\n");
}

#[test]
fn outside_git_history_fails_with_a_hint_and_the_rest_works() {
    let t = Test::without_git();
    t.pm(&["init", "--name", "Demo"]).success();
    t.pm(&["story", "add", "A"]).success();
    t.pm(&["history"]).code(2).stderr_has("not in a git repository").stderr_has("hint:");
    t.pm(&["diff"]).code(2).stderr_has("not in a git repository");
    t.pm(&["backlog", "--at", "HEAD"]).code(2).stderr_has("not in a git repository");
    t.pm(&["backlog"]).success().stdout_has("S-1");
}

#[test]
fn no_commits_yet() {
    let t = Test::initialized();
    t.pm(&["history"]).success().stdout_has("No history yet: the repository has no commits.");
    t.pm(&["diff"]).code(2).stderr_has("no commits yet").stderr_has("hint:");
}

#[test]
fn product_created_partway_through_history() {
    let t = Test::new();
    t.write("README.md", "# App\n");
    commit_as(&t, "Start", "Sam", "2024-01-01T09:00:00Z");
    t.pm(&["init", "--name", "Demo"]).success();
    t.pm(&["story", "add", "A"]).success();
    commit_as(&t, "Product", "Maya", "2024-01-05T09:00:00Z");
    assert_eq!(
        history(&t, &["S-1"]),
        ["2024-01-05 Maya S-1 created: A", "2024-01-05 Maya S-1 entered the backlog at 1st"]
    );
    t.pm(&["backlog", "--at", "2024-01-02"]).code(2).stderr_has("did not exist at 2024-01-02");
    t.pm(&["backlog", "--at", "2023-12-31"]).code(2).stderr_has("no commit at or before 2023-12-31");
}

#[test]
fn a_malformed_file_is_reported_and_skipped_at_its_commit() {
    let t = three_stories();
    let path = t.find("product/stories", "S-1-");
    let good = t.read(&path);
    t.write(&path, "---\nid: S-1\ntitle: [unclosed\n---\n");
    commit_as(&t, "Oops", "Sam", "2024-01-11T09:00:00Z");
    t.write(&path, &good.replace("priority: high", "priority: low"));
    commit_as(&t, "Fix", "Sam", "2024-01-12T09:00:00Z");
    let run = t.pm(&["history", "S-1", "--format", "json"]).success();
    assert!(
        run.stderr.contains("product/stories/S-1-sign-up.md") && run.stderr.contains("skipped at that commit"),
        "{}",
        run.stderr
    );
    assert_eq!(
        history(&t, &["S-1"]),
        [
            "2024-01-10 Maya S-1 created: Sign up",
            "2024-01-10 Maya S-1 entered the backlog at 1st",
            "2024-01-12 Sam S-1 priority: high -> low",
        ]
    );
    // The same from a cold cache that starts after the bad commit.
    std::fs::remove_dir_all(t.path(".git/pm")).unwrap();
    assert_eq!(history(&t, &["S-1", "--since", "2024-01-12"]), ["2024-01-12 Sam S-1 priority: high -> low"]);
}

#[test]
fn the_cache_changes_no_output() {
    let t = three_stories();
    for (i, s) in ["S-3", "S-2", "S-1", "S-3"].iter().enumerate() {
        t.pm(&["rank", s, "--top"]).success();
        commit_as(&t, &format!("move {i}"), "Maya", &format!("2024-01-1{}T09:00:00Z", i + 1));
    }
    let first = t.pm(&["history", "--all-fields"]).success().stdout;
    let dir = t.path(".git/pm");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(t.pm(&["history", "--all-fields"]).success().stdout, first);
    // Damage it: a flipped byte, then garbage, then nothing at all.
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&files[0], &bytes).unwrap();
    assert_eq!(t.pm(&["history", "--all-fields"]).success().stdout, first);
    std::fs::write(&files[0], "garbage").unwrap();
    assert_eq!(t.pm(&["history", "--all-fields"]).success().stdout, first);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(t.pm(&["history", "--all-fields"]).success().stdout, first);
    assert_eq!(t.pm(&["history", "--all-fields", "--no-cache"]).success().stdout, first);
    // A new commit on top of a warm cache.
    t.pm(&["story", "set", "S-2", "points=5"]).success();
    commit_as(&t, "estimate", "Sam", "2024-01-20T09:00:00Z");
    let warm = t.pm(&["history", "--all-fields"]).success().stdout;
    assert!(warm.starts_with(&first[..first.len() - 1]) || warm.contains("points set to 5"), "{warm}");
    assert_eq!(t.pm(&["history", "--all-fields", "--no-cache"]).success().stdout, warm);
}

#[test]
fn at_shows_a_past_state() {
    let t = three_stories();
    t.pm(&["rank", "S-3", "--top"]).success();
    t.pm(&["story", "set", "S-1", "status=ready"]).success();
    t.pm(&["epic", "add", "Accounts", "--horizon", "now"]).success();
    commit_as(&t, "Later", "Maya", "2024-02-01T09:00:00Z");
    let ids = |args: &[&str]| t.pm(args).success().stdout.lines().map(String::from).collect::<Vec<_>>();
    assert_eq!(ids(&["story", "list", "--format", "ids"]), ["S-3", "S-1", "S-2"]);
    assert_eq!(ids(&["story", "list", "--format", "ids", "--at", "2024-01-15"]), ["S-1", "S-2", "S-3"]);
    assert_eq!(ids(&["story", "list", "--format", "ids", "--at", "HEAD~1"]), ["S-1", "S-2", "S-3"]);
    t.pm(&["backlog", "--at", "2024-01-10T09:00:00Z"]).success().stdout_has("1     S-1");
    t.pm(&["story", "show", "S-1", "--at", "HEAD~1"]).success().stdout_has("status:     draft");
    t.pm(&["story", "show", "S-1"]).success().stdout_has("status:     ready");
    t.pm(&["roadmap", "--at", "HEAD~1"]).success().stdout_lacks("Accounts");
    t.pm(&["roadmap"]).success().stdout_has("Accounts");
    t.pm(&["epic", "show", "E-1", "--at", "HEAD~1"]).code(2).stderr_has("no epic with ID E-1");
    t.pm(&["backlog", "--at", "nope"]).code(2).stderr_has("unknown revision `nope`");
}

#[test]
fn diff_against_the_default_branch_as_markdown() {
    let t = three_stories();
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.pm(&["story", "add", "Dark mode", "--priority", "low", "--ac", "Given night, when I open it, then it is dark"])
        .success();
    t.pm(&["rank", "S-3", "--top"]).success();
    t.pm(&["story", "set", "S-1", "status=in-progress"]).success();
    t.pm(&["ac", "check", "S-2", "AC-1"]).success();
    commit_as(&t, "Feature work", "Priya", "2024-01-11T09:00:00Z");
    let path = t.find("product/stories", "S-2-");
    std::fs::remove_file(t.path(&path)).unwrap();
    // Without a URL to link to, IDs are plain text (a relative link breaks in a PR comment).
    let md = t.pm(&["diff", "--format", "markdown"]).success().stdout;
    let expected = "\
### New

- S-4 Dark mode (story, draft, low, backlog 4th)
  - [ ] AC-1: Given night, when I open it, then it is dark

### Reprioritised

- S-3 Export data: moved from 3rd to 1st

### Status changes

- S-1 Sign up: status: draft -> in-progress

### Removed

- S-2 Reset password
";
    assert!(md.starts_with("**Product changes** from "), "{md}");
    assert!(md.contains("(merge-base with main) to the working tree: 1 new item, 1 priority change, 1 status change, 1 removed item."), "{md}");
    assert!(md.ends_with(expected), "{md}");
    // In GitHub Actions, links go to the files at the head commit; --link-base sets the prefix.
    let md = t
        .pm_env(
            &["diff", "--format", "markdown"],
            &[("GITHUB_SERVER_URL", "https://github.com"), ("GITHUB_REPOSITORY", "team/app"), ("GITHUB_SHA", "abc123")],
        )
        .success()
        .stdout;
    assert!(
        md.contains("- [S-4](https://github.com/team/app/blob/abc123/product/stories/S-4-dark-mode.md) Dark mode"),
        "{md}"
    );
    assert!(md.contains("- S-2 Reset password\n"), "a removed item links nowhere: {md}");
    let md = t.pm(&["diff", "--format", "markdown", "--link-base", "https://example.com/x"]).success().stdout;
    assert!(md.contains("- [S-3](https://example.com/x/product/stories/S-3-export-data.md) Export data"), "{md}");
    t.pm(&["diff", "main", "HEAD"]).success().stdout_has("  S-2 AC-1 checked\n").stdout_lacks("S-2 deleted");
    let json = t.pm(&["diff", "main", "HEAD", "--format", "json"]).success().json();
    let types: Vec<&str> = json["changes"].as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["field", "ac_checked", "rank", "created", "rank"]);
    t.pm(&["diff", "HEAD", "HEAD"]).success().stdout_has("No product changes");
}

#[test]
fn diff_tells_a_copied_story_as_a_copy_not_a_new_item() {
    let t = three_stories();
    let path = t.find("product/stories", "S-2-");
    t.write("product/stories/S-9-copy.md", &t.read(&path));
    let short = t.git(&["rev-parse", "--short=7", "HEAD"]).trim().to_string();
    t.pm(&["diff", "HEAD"]).success().stdout_is(&format!(
        "Product changes from {short} (HEAD) to the working tree: 1 copied item.\n  S-2 is copied into a second file, product/stories/S-9-copy.md (pm check: id/duplicate)\n"
    ));
    let json = t.pm(&["diff", "HEAD", "--format", "json"]).success().json();
    assert_eq!(json["copied"][0]["path"], "product/stories/S-9-copy.md");
    assert_eq!(json["changes"], serde_json::json!([]));
}

#[test]
fn diff_names_a_file_that_stopped_reading() {
    // A pull request that breaks a story's front matter is not "no changes".
    let t = three_stories();
    let path = t.find("product/stories", "S-2-");
    let text = t.read(&path).replace("title: Reset password", "title: [Reset password");
    t.write(&path, &text);
    commit_as(&t, "Broken", "Sam", "2024-01-11T09:00:00Z");
    let run = t.pm(&["diff", "HEAD~1", "HEAD"]).success();
    let short = |rev: &str| t.git(&["rev-parse", "--short=7", rev]).trim().to_string();
    assert_eq!(
        run.stdout,
        format!(
            "Product changes from {} (HEAD~1) to {} (HEAD): 1 file that cannot be read.\n  cannot read {path}:3: \
             invalid YAML in front matter: the `[` at column 8 is never closed (did not find expected ',' or ']')\n",
            short("HEAD~1"),
            short("HEAD")
        )
    );
    assert_eq!(run.stderr, "");
    let md = t.pm(&["diff", "HEAD~1", "HEAD", "--format", "markdown"]).success().stdout;
    assert!(
        md.ends_with(&format!(
            "### Cannot be read\n\n- {path}:3: invalid YAML in front matter: the \\`\\[\\` at column 8 is never closed \
             (did not find expected ',' or '\\]')\n\n\
             What these files change is not shown; `pm check` says how to fix them.\n"
        )),
        "{md}"
    );
    let json = t.pm(&["diff", "HEAD~1", "HEAD", "--format", "json"]).success().json();
    assert_eq!(json["unreadable"][0]["path"], path.as_str());
    assert_eq!(json["summary"], "1 file that cannot be read");
    // Still broken a commit later: nothing new to tell.
    t.write("product/backlog.md", &t.read("product/backlog.md"));
    t.pm(&["diff", "HEAD"]).success().stdout_has("No product changes");
    // Repaired: the story is not new.
    t.write(&path, &text.replace("title: [Reset password", "title: Reset password"));
    let run = t.pm(&["diff", "HEAD"]).success();
    assert_eq!(
        run.stdout,
        format!(
            "Product changes from {} (HEAD) to the working tree: 1 file that reads again.\n  S-2 reads again: {path} did \
             not read before\n",
            short("HEAD")
        )
    );
    let md = t.pm(&["diff", "HEAD", "--format", "markdown"]).success().stdout;
    assert!(
        md.ends_with(&format!(
            "### Readable again\n\n- S-2 Reset password ({})\n\nThese files did not read before: what the repair \
             changed is not shown.\n",
            path.replace('_', "\\_")
        )),
        "{md}"
    );
    let json = t.pm(&["diff", "HEAD", "--format", "json"]).success().json();
    assert_eq!(json["repaired"][0]["id"], "S-2");
    assert_eq!(json["changes"], serde_json::json!([]));
}

#[test]
fn detached_head_is_named() {
    let t = three_stories();
    t.pm(&["rank", "S-3", "--top"]).success();
    commit_as(&t, "Export first", "Priya", "2024-01-11T09:00:00Z");
    t.git(&["checkout", "-q", "--detach", "HEAD~1"]);
    let run = t.pm(&["history"]).success().stderr_has("HEAD is detached at");
    assert!(!run.stdout.contains("moved"), "{}", run.stdout);
}

#[test]
fn the_bundled_example_history_tells_the_story() {
    let t = Test::without_git();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tandem-history.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(t.path("tandem"))
        .env("PM", env!("CARGO_BIN_EXE_pm"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<String> = history_in(&t, "tandem", &[]);
    for expected in [
        "2024-01-22 Maya E-2 moved from Next to Now (2nd there)",
        "2024-01-22 Maya S-5 moved from 5th to 3rd",
        "2024-02-20 Priya S-6 priority: medium -> high",
        "2024-02-20 Priya S-6 moved from 5th to 3rd",
        "2024-03-04 Maya E-3 moved from Later to Next (1st there)",
        "2024-03-04 Maya S-8 entered the backlog at 1st",
    ] {
        assert!(lines.iter().any(|l| l == expected), "missing {expected:?} in {lines:#?}");
    }
    let life = t.pm_in("tandem", &["history", "S-1", "--format", "csv"]).success().stdout;
    assert!(life.contains(",Sam,S-1,Sign up with email and password,status,draft,in-progress,"), "{life}");
    assert!(
        life.contains(",Sam,S-1,Sign up with email and password,criteria,AC-2 [ ],AC-2 [x],AC-2 checked,Sign-up done; households next\n"),
        "{life}"
    );
    assert!(life.contains(",Sam,S-1,Sign up with email and password,status,in-progress,done,"), "{life}");
    t.pm_in("tandem", &["story", "list", "--format", "ids", "--at", "2024-01-20"])
        .success()
        .stdout_is("S-1\nS-2\nS-3\nS-4\nS-5\nS-6\nS-7\n");
    t.pm_in("tandem", &["diff", "2024-02-12", "2024-03-04"])
        .success()
        .stdout_has("S-7 status: draft -> dropped")
        .stdout_has("S-8 created: Connect a bank account via Open Banking");
}

/// Every `$ pm ...` example in docs/history.md, run on the example history, prints exactly
/// what the page shows.
#[test]
fn docs_history_examples_are_real_output() {
    let t = Test::without_git();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tandem-history.sh");
    let out =
        Command::new("bash").arg(&script).arg(t.path("tandem")).env("PM", env!("CARGO_BIN_EXE_pm")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/history.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let update = std::env::var_os("PM_UPDATE_DOCS").is_some();
    let mut checked = 0;
    let mut fresh = String::new();
    let mut blocks = doc.split("```console\n");
    fresh.push_str(blocks.next().unwrap());
    for block in blocks {
        let end = block.find("```").unwrap();
        let (command, expected) = block[..end].split_once('\n').unwrap();
        let args: Vec<&str> = command.strip_prefix("$ pm ").unwrap().split_whitespace().collect();
        let run = t.pm_in("tandem", &args).success();
        if !update {
            run.stdout_is(expected);
        } else {
            fresh.push_str(&format!("```console\n{command}\n{}{}", run.stdout, &block[end..]));
        }
        checked += 1;
    }
    if update {
        std::fs::write(&path, fresh).unwrap();
    }
    assert!(checked >= 6, "only {checked} examples found");
}

/// The walk reads packed objects itself (pack index v2, offset and reference deltas) and
/// loose ones; whatever the layout, the answers are those read from loose objects.
#[test]
fn packed_repositories_read_like_loose_ones() {
    let t = Test::without_git();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tandem-history.sh");
    let out =
        Command::new("bash").arg(&script).arg(t.path("tandem")).env("PM", env!("CARGO_BIN_EXE_pm")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answers = || {
        [
            t.pm_in("tandem", &["history", "--all-fields", "--no-cache", "--format", "json"]).success().stdout,
            t.pm_in("tandem", &["diff", "2024-01-20", "HEAD", "--format", "json"]).success().stdout,
            t.pm_in("tandem", &["backlog", "--at", "2024-02-20"]).success().stdout,
        ]
    };
    let loose = answers();
    assert!(loose[0].contains("moved from"), "{}", loose[0]);
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(t.path("tandem")).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for repack in [
        &["repack", "-adfq", "--depth=50", "--window=50"][..],
        &["-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq", "--depth=50"][..],
    ] {
        git(repack);
        git(&["prune-packed"]);
        let packs: Vec<String> = std::fs::read_dir(t.path("tandem/.git/objects/pack"))
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .filter(|p| p.ends_with(".idx"))
            .collect();
        assert_eq!(packs.len(), 1, "{packs:?}");
        let verify = git(&["verify-pack", "-v", &packs[0]]);
        assert!(verify.contains("chain length = 2"), "the pack should hold delta chains: {verify}");
        assert_eq!(answers(), loose, "after git {repack:?}");
    }
}

/// A day given to `--at` and `--since` is a day of the local time zone, as git reads it: a
/// commit at 20:00 UTC on 1 March is on 2 March in Tokyo (UTC+9).
#[test]
fn a_day_is_a_day_of_the_local_time_zone() {
    let mut t = Test::initialized();
    t.pm(&["story", "add", "First"]).success();
    commit_as(&t, "first", "Maya", "2024-03-01T09:00:00Z");
    t.pm(&["story", "add", "Evening"]).success();
    commit_as(&t, "evening", "Maya", "2024-03-01T20:00:00Z");
    let mut ids = |tz: &str, args: &[&str]| {
        t.set_env("TZ", tz);
        t.pm(args).success().stdout.lines().map(String::from).collect::<Vec<_>>()
    };
    let at = ["story", "list", "--format", "ids", "--at", "2024-03-01"];
    assert_eq!(ids("UTC", &at), ["S-1", "S-2"]);
    assert_eq!(ids("Asia/Tokyo", &at), ["S-1"]);
    assert_eq!(ids("America/New_York", &at), ["S-1", "S-2"]);
    let since = ["history", "--since", "2024-03-02", "--format", "csv"];
    assert_eq!(ids("UTC", &since).len(), 1, "only the header");
    assert_eq!(ids("Asia/Tokyo", &since).len(), 2, "the evening commit is on 2 March in Tokyo");
}

/// `.git/info/grafts` gives a commit other parents; git reads history through them, and so do
/// the walk and the diff of each commit, so no change is shown twice or lost.
#[test]
fn grafted_parents_are_followed_as_git_follows_them() {
    let t = reranked_twice();
    let graft = format!("{} {}\n", t.git(&["rev-parse", "HEAD"]).trim(), t.git(&["rev-parse", "HEAD~2"]).trim());
    t.write(".git/info/grafts", &graft);
    assert_eq!(
        history(&t, &[]),
        [
            "2024-01-10 Maya S-1 entered the backlog at 1st",
            "2024-01-10 Maya S-2 entered the backlog at 2nd",
            "2024-01-10 Maya S-3 entered the backlog at 3rd",
            "2024-01-12 Sam S-1 moved from 1st to 3rd",
        ]
    );
    let at = t.pm(&["backlog", "--at", "2024-01-11"]).success().stdout;
    assert_eq!(at, t.pm(&["backlog", "--at", "2024-01-10"]).success().stdout, "the grafted-out commit is skipped");
    // The cache of the grafted walk is not the answer once the graft is gone.
    std::fs::remove_file(t.path(".git/info/grafts")).unwrap();
    assert_eq!(
        history(&t, &[]),
        [
            "2024-01-10 Maya S-1 entered the backlog at 1st",
            "2024-01-10 Maya S-2 entered the backlog at 2nd",
            "2024-01-10 Maya S-3 entered the backlog at 3rd",
            "2024-01-11 Priya S-3 moved from 3rd to 1st",
            "2024-01-12 Sam S-2 moved from 3rd to 1st",
        ]
    );
}

#[test]
fn diff_reads_revision_ranges_as_git_does() {
    let t = three_stories();
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.pm(&["rank", "S-3", "--top"]).success();
    commit_as(&t, "Export first", "Priya", "2024-01-11T09:00:00Z");
    t.git(&["checkout", "-q", "main"]);
    t.pm(&["story", "add", "On main", "--ac", "Given main, then kept"]).success();
    commit_as(&t, "Main moves on", "Sam", "2024-01-12T09:00:00Z");
    let body = |args: &[&str]| t.pm(args).success().lines()[1..].join("\n");
    // What the branch changes since it left main: only its own move.
    assert_eq!(body(&["diff", "main...feature"]), "  S-3 moved from 3rd to 1st");
    // Tree against tree, as `git diff main feature`: main's new story is not on feature.
    let two = body(&["diff", "main", "feature"]);
    assert_eq!(two, body(&["diff", "main..feature"]));
    assert_eq!(two, "  S-3 moved from 3rd to 1st\n  S-4 deleted (was: On main)\n  S-4 left the backlog (was 4th)");
    // An empty side is HEAD (main here): what main changes since feature left it.
    assert_eq!(body(&["diff", "feature..."]), "  S-4 created: On main\n  S-4 entered the backlog at 4th");
    t.pm(&["diff", "main...feature", "HEAD"]).code(2).stderr_has("`main...feature` already names both sides");
}

#[test]
fn a_description_edit_is_a_change_and_a_criterion_is_not_one() {
    let t = three_stories();
    let path = t.find("product/stories", "S-1-");
    let text = t.read(&path);
    t.write(&path, &text.replacen("---\n\n", "---\nAs a visitor, I want to sign up.\n\n", 1));
    commit_as(&t, "Describe sign-up", "Maya", "2024-01-11T09:00:00Z");
    t.pm(&["ac", "add", "S-1", "Given a used email, when I sign up, then I am told so"]).success();
    commit_as(&t, "One more criterion", "Maya", "2024-01-12T09:00:00Z");
    assert_eq!(t.pm(&["diff", "HEAD~2", "HEAD~1"]).success().lines()[1..], ["  S-1 description edited"]);
    assert_eq!(
        t.pm(&["diff", "HEAD~1", "HEAD"]).success().lines()[1..],
        ["  S-1 gained AC-2: Given a used email, when I sign up, then I am told so"]
    );
    assert_eq!(history(&t, &["S-1", "--field", "description"]), ["2024-01-11 Maya S-1 description edited"]);
}

#[test]
fn a_story_removed_and_another_added_with_its_title_is_not_a_renumber() {
    let t = three_stories();
    let path = t.find("product/stories", "S-1-");
    t.git(&["rm", "-q", &path]);
    let backlog = t.read("product/backlog.md");
    t.write(
        "product/backlog.md",
        &backlog.lines().filter(|l| !l.contains("[S-1]")).map(|l| format!("{l}\n")).collect::<String>(),
    );
    t.pm(&["story", "add", "Sign up", "--priority", "low", "--ac", "Given a new form, then it works"]).success();
    commit_as(&t, "Start sign-up again", "Maya", "2024-01-11T09:00:00Z");
    let diff = t.pm(&["diff", "HEAD~1", "HEAD"]).success();
    assert!(
        diff.stdout.contains("  S-1 deleted (was: Sign up)\n") && diff.stdout.contains("  S-4 created: Sign up\n"),
        "{}",
        diff.stdout
    );
    assert!(!diff.stdout.contains("renumbered"), "{}", diff.stdout);
}

/// Commits made in the same second (scripts, rebases, bots): the merge-base is git's, not an
/// older common ancestor found first (the review of the reader change found `pm diff` listing
/// two stories as new on a branch that main had already merged).
#[test]
fn the_merge_base_of_commits_made_in_the_same_second_is_gits() {
    let t = Test::initialized();
    let when = "2024-01-10T09:00:00Z";
    t.commit_dated("P", when, &[]);
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.pm(&["story", "add", "Q", "--ac", "Given a, when b, then c"]).success();
    t.commit_dated("Q", when, &[]);
    t.pm(&["story", "add", "X", "--ac", "Given a, when b, then c"]).success();
    t.commit_dated("X", when, &[]);
    t.git(&["checkout", "-q", "main"]);
    let out = t
        .git_command("")
        .env("GIT_AUTHOR_DATE", when)
        .env("GIT_COMMITTER_DATE", when)
        .args(["merge", "-q", "--no-ff", "feature", "-m", "merge feature"])
        .output()
        .unwrap();
    assert!(out.status.success());
    t.git(&["checkout", "-q", "feature"]);
    let base = t.git(&["merge-base", "HEAD", "main"]).trim()[..7].to_string();
    t.pm(&["diff"])
        .success()
        .stdout_is(&format!("No product changes from {base} (merge-base with main) to the working tree.\n"));
    t.pm(&["check", "--changed-since", "main"]).success();
}

/// `pm diff A B` reads only the files that differ between the two commits; the working tree
/// (checked out at B) is read whole. Both must tell the same changes, for every pair of
/// commits of a history that copies, renames, renumbers, breaks, repairs and deletes items,
/// reranks unchanged ones and carries an item in a file not named after its ID.
#[test]
fn diff_between_commits_tells_what_the_whole_products_tell() {
    let t = three_stories();
    let s2 = t.find("product/stories", "S-2-");
    let s3 = t.find("product/stories", "S-3-");
    let mut commits = vec![t.git(&["rev-parse", "HEAD"]).trim().to_string()];
    let mut step = |t: &Test, what: &dyn Fn(&Test), n: usize| {
        what(t);
        commit_as(t, &format!("step {n}"), "Sam", &format!("2024-02-{:02}T09:00:00Z", n + 1));
        commits.push(t.git(&["rev-parse", "HEAD"]).trim().to_string());
    };
    step(
        &t,
        &|t| {
            t.write("product/stories/S-2-copy.md", &t.read(&s2));
        },
        1,
    );
    step(
        &t,
        &|t| {
            t.write("product/notes/reset.md", &t.read(&s2).replace("Reset password", "Reset it"));
        },
        2,
    );
    step(
        &t,
        &|t| {
            t.pm(&["rank", "S-3", "--top"]).success();
        },
        3,
    );
    step(
        &t,
        &|t| {
            t.git(&["mv", &s3, "product/stories/S-3-export-everything.md"]);
        },
        4,
    );
    step(
        &t,
        &|t| {
            t.pm(&["renumber", "S-1", "S-7"]).success();
        },
        5,
    );
    step(
        &t,
        &|t| {
            t.write(&s2, &t.read(&s2).replace("title: Reset", "title: [Reset"));
        },
        6,
    );
    step(
        &t,
        &|t| {
            t.write(&s2, &t.read(&s2).replace("title: [Reset", "title: Reset"));
        },
        7,
    );
    step(
        &t,
        &|t| {
            t.pm(&["story", "set", "S-3", "status=done"]).success();
        },
        8,
    );
    step(
        &t,
        &|t| {
            std::fs::remove_file(t.path("product/stories/S-2-copy.md")).unwrap();
        },
        9,
    );
    let view = |json: serde_json::Value| {
        serde_json::json!([json["summary"], json["changes"], json["unreadable"], json["repaired"], json["copied"]])
    };
    for (i, a) in commits.iter().enumerate() {
        for b in &commits[i + 1..] {
            let between = view(t.pm(&["diff", a, b, "--format", "json"]).success().json());
            t.git(&["checkout", "-q", "--detach", b]);
            let whole = view(t.pm(&["diff", a, "--format", "json"]).success().json());
            assert_eq!(between, whole, "pm diff {a} {b}");
        }
    }
}
