//! Suspect links and `pm review`: a story whose epic changed in substance after it waits for a
//! review; `pm review ID` records one line; `pm check --suspect` reports the rest.

use crate::harness::{Test, changed_lines};

const DAY: &[(&str, &str)] = &[("PM_TODAY", "2026-12-02")];

/// An epic with two stories and a closed one, committed on 2026-11-28; then, on 2026-11-30,
/// the epic's title changes.
fn changed_epic() -> Test {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Splitting", "--vision", "V-1"]).success();
    t.pm(&["story", "add", "Split equally", "--epic", "E-1", "--ac", "Given 10.00 and 3, then 3.34, 3.33, 3.33"])
        .success();
    t.pm(&["story", "add", "Split by percent", "--epic", "E-1", "--ac", "Given 60/40, then shares follow it"])
        .success();
    t.pm(&["story", "add", "Split evenly (old)", "--epic", "E-1", "--ac", "Given two, then halves"]).success();
    t.pm(&["story", "drop", "S-3"]).success();
    t.commit_dated("Splitting, two stories", "2026-11-28T10:00:00Z", &[]);
    t.pm(&["epic", "set", "E-1", "title=Splitting and rounding"]).success();
    t.commit_dated("E-1 covers rounding", "2026-11-30T10:00:00Z", &[]);
    t
}

fn short(t: &Test, rev: &str) -> String {
    t.git(&["rev-parse", "--short=7", rev]).trim().to_string()
}

#[test]
fn review_lists_the_stories_whose_epic_changed_after_them() {
    let t = changed_epic();
    let c = short(&t, "HEAD");
    t.pm(&["review"]).success().stdout_is(&format!(
        "2 items waiting for a review:\n\
         ID   TITLE             PARENT  CHANGED                             WHAT CHANGED\n\
         S-1  Split equally     E-1     in {c} (2026-11-30, Test User)  title: Splitting -> Splitting and rounding\n\
         S-2  Split by percent  E-1     in {c} (2026-11-30, Test User)  title: Splitting -> Splitting and rounding\n\
         \n\
         Read each against its parent, then record it: pm review ID (or pm review --epic EPIC).\n"
    ));
    let json = t.pm(&["review", "--format", "json"]).success().json();
    assert_eq!(json["suspects"][0]["id"], "S-1");
    assert_eq!(json["suspects"][0]["commit"]["summary"], "E-1 covers rounding");
    assert_eq!(json["suspects"][0]["commit"]["date"], "2026-11-30T10:00:00+00:00");
    assert_eq!(json["suspects"][0]["stale_review"], serde_json::Value::Null);
}

#[test]
fn review_writes_one_line_and_clears_the_story_until_the_epic_changes_again() {
    let t = changed_epic();
    let before = t.read("product/stories/S-1-split-equally.md");
    let run = t.pm_env(&["review", "S-1"], DAY).success();
    let after = t.read("product/stories/S-1-split-equally.md");
    let (gone, added) = changed_lines(&before, &after);
    assert!(gone.is_empty(), "{gone:?}");
    assert_eq!(added.len(), 1);
    let mark = added[0].trim_end().strip_prefix("reviewed: 2026-12-02 E-1@").expect("the mark").to_string();
    assert!(mark.len() == 8 && mark.bytes().all(|b| b.is_ascii_hexdigit()), "{mark}");
    run.stdout_is(&format!("S-1 reviewed against E-1: reviewed: 2026-12-02 E-1@{mark}\n"));
    // Reviewing again changes nothing.
    t.pm_env(&["review", "S-1"], &[("PM_TODAY", "2026-12-09")])
        .success()
        .stdout_is("S-1 was already reviewed against E-1 as it is; unchanged\n");
    assert_eq!(t.read("product/stories/S-1-split-equally.md"), after);
    // A closed story is never suspect: reviewing it writes nothing.
    let before = t.snapshot();
    t.pm(&["review", "S-3"]).success().stdout_is("S-3 is dropped: a closed story is never suspect; unchanged\n");
    assert_eq!(t.snapshot(), before);
    t.commit_dated("S-1 reviewed", "2026-12-01T10:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    let ids: Vec<&str> = json["suspects"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S-2"]);
    // A status change, a rank move and a ticked box are not substance; a reworded prose is.
    t.pm(&["epic", "set", "E-1", "status=active"]).success();
    t.commit_dated("E-1 started", "2026-12-02T09:00:00Z", &[]);
    assert_eq!(t.pm(&["review", "--format", "json"]).success().json()["suspects"].as_array().unwrap().len(), 1);
    let epic = t.find("product/epics", "E-1");
    let text = t.read(&epic);
    t.write(&epic, &format!("{text}\nRounding follows the largest remainder.\n"));
    t.commit_dated("E-1: rounding rule", "2026-12-02T10:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    assert_eq!(json["suspects"][0]["id"], "S-1");
    assert_eq!(json["suspects"][0]["changed"], serde_json::json!(["description edited"]));
    assert_eq!(json["suspects"][0]["stale_review"], format!("2026-12-02 E-1@{mark}"));
}

#[test]
fn a_story_edited_after_its_epic_changed_is_not_suspect() {
    let t = changed_epic();
    t.pm(&["ac", "add", "S-1", "Given a remainder, then the payer takes the penny"]).success();
    t.commit_dated("S-1 says who takes the penny", "2026-12-01T10:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    let ids: Vec<&str> = json["suspects"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S-2"]);
}

#[test]
fn a_hand_written_day_counts_from_the_commit_that_wrote_it() {
    let t = changed_epic();
    let path = "product/stories/S-2-split-by-percent.md";
    let text = t.read(path).replacen("status: draft\n", "status: draft\nreviewed: 2026-12-01\n", 1);
    t.write(path, &text);
    t.commit_dated("S-2 read again", "2026-12-01T10:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    let ids: Vec<&str> = json["suspects"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S-1"]);
}

#[test]
fn review_epic_reviews_its_open_stories_in_one_write() {
    let t = changed_epic();
    t.pm_env(&["review", "--epic", "E-1"], DAY).success();
    let run = t.pm(&["review"]).success();
    run.stdout_is("Nothing to review: no open story or epic has a parent that changed after it.\n");
    assert!(!t.read("product/stories/S-3-split-evenly-old.md").contains("reviewed"));
    let status = t.git(&["status", "--porcelain"]);
    assert_eq!(status, " M product/stories/S-1-split-equally.md\n M product/stories/S-2-split-by-percent.md\n");
}

#[test]
fn an_uncommitted_edit_of_the_epic_makes_its_stories_suspect_now() {
    let t = changed_epic();
    t.pm_env(&["review", "--epic", "E-1"], DAY).success();
    t.commit_dated("reviewed", "2026-12-01T10:00:00Z", &[]);
    let mark = t
        .read("product/stories/S-1-split-equally.md")
        .lines()
        .find_map(|l| l.strip_prefix("reviewed: ").map(String::from))
        .unwrap();
    t.pm(&["epic", "set", "E-1", "title=Splitting, rounding, currencies"]).success();
    let run = t.pm(&["check", "--suspect"]).success();
    assert!(run.stdout.starts_with(&format!(
        "warning[link/suspect]: S-1 is suspect: its epic E-1 changed in the working tree: title: Splitting and rounding -> Splitting, rounding, currencies (reviewed: {mark} no longer matches)\n"
    )), "{}", run.stdout);
    assert!(run.stdout.contains(" --> product/stories/S-1-split-equally.md:6:1\n"), "{}", run.stdout);
    assert!(run.stdout.contains("  = hint: read S-1 again against E-1, then record it: pm review S-1\n"));
    assert!(run.stdout.ends_with("0 errors, 2 warnings in 2 files (8 files checked)\n"), "{}", run.stdout);
    t.pm(&["check", "--suspect", "--strict"]).code(1);
}

#[test]
fn check_reports_suspects_only_when_asked_or_configured() {
    let t = changed_epic();
    t.pm(&["check"]).success().stdout_lacks("link/suspect");
    let run = t.pm(&["check", "--suspect", "--format", "json"]).success().json();
    let found: Vec<String> = run["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {}:{}", f["severity"], f["rule"], f["path"], f["line"]))
        .collect();
    assert_eq!(
        found,
        [
            "\"warning\" \"link/suspect\" \"product/stories/S-1-split-equally.md\":5",
            "\"warning\" \"link/suspect\" \"product/stories/S-2-split-by-percent.md\":5",
        ]
    );
    let config = t.read("product/pm.yaml").replace("suspect: off", "suspect: error");
    t.write("product/pm.yaml", &config);
    t.pm(&["check"]).code(1).stdout_has("error[link/suspect]: S-2 is suspect: its epic E-1 changed in ");
    // `warn` reads as warning; pm-allow silences one story.
    t.write("product/pm.yaml", &config.replace("suspect: error", "suspect: warn"));
    let path = "product/stories/S-1-split-equally.md";
    t.write(
        path,
        &t.read(path).replacen("status: draft\n", "status: draft\npm-allow: {link/suspect: read in planning}\n", 1),
    );
    let run = t.pm(&["check", "--format", "json"]).success().json();
    let ids: Vec<&str> = run["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S-2"]);
    t.pm(&["check", "--suspect", "--rev", "HEAD"])
        .code(2)
        .stderr_has("--suspect reads the history up to the working tree; it does not go with --rev");
}

#[test]
fn with_changed_since_a_suspect_counts_when_its_story_or_its_epic_changed() {
    let t = changed_epic();
    t.git(&["branch", "base", "HEAD~1"]);
    let run = t.pm(&["check", "--suspect", "--changed-since", "base", "--format", "json"]).success().json();
    assert_eq!(run["findings"].as_array().unwrap().len(), 2, "{run}");
    let run = t.pm(&["check", "--suspect", "--changed-since", "HEAD", "--format", "json"]).success().json();
    assert_eq!(run["findings"].as_array().unwrap().len(), 0, "{run}");
}

/// A branch reviews S-1 while main changes the epic again: after the merge, the review (made
/// against the old epic) no longer matches, and S-1 is suspect.
#[test]
fn a_review_merged_from_a_branch_does_not_hide_a_later_change_on_main() {
    let t = changed_epic();
    t.git(&["checkout", "-qb", "review"]);
    t.pm_env(&["review", "S-1"], DAY).success();
    t.commit_dated("S-1 reviewed", "2026-12-01T10:00:00Z", &[]);
    t.git(&["checkout", "-q", "main"]);
    t.pm(&["epic", "set", "E-1", "title=Splitting and currencies"]).success();
    t.commit_dated("E-1 covers currencies", "2026-12-01T11:00:00Z", &[]);
    t.git(&["merge", "-q", "--no-edit", "review"]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    let ids: Vec<&str> = json["suspects"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S-1", "S-2"]);
    assert_eq!(json["suspects"][0]["commit"]["summary"], "E-1 covers currencies");
    // S-1's reviewer read the rounding title: only the change after it is told. S-2 was never
    // reviewed: both changes are.
    assert_eq!(
        json["suspects"][0]["changed"],
        serde_json::json!(["title: Splitting and rounding -> Splitting and currencies"])
    );
    assert_eq!(
        json["suspects"][1]["changed"],
        serde_json::json!([
            "title: Splitting -> Splitting and rounding",
            "title: Splitting and rounding -> Splitting and currencies"
        ])
    );
}

/// The reviewer read the epic as it was created: every change since is told, also one that
/// main made before the review was merged.
#[test]
fn a_review_of_the_epic_as_created_tells_every_change_after_it() {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Splitting", "--vision", "V-1"]).success();
    t.pm(&["story", "add", "Split equally", "--epic", "E-1", "--ac", "Given 10.00 and 3, then 3.34"]).success();
    t.commit_dated("Splitting", "2026-11-28T10:00:00Z", &[]);
    t.git(&["checkout", "-qb", "review"]);
    t.pm_env(&["review", "S-1"], DAY).success();
    t.commit_dated("S-1 reviewed", "2026-11-29T10:00:00Z", &[]);
    t.git(&["checkout", "-q", "main"]);
    t.pm(&["epic", "set", "E-1", "title=Splitting two"]).success();
    t.commit_dated("E-1 two", "2026-11-30T10:00:00Z", &[]);
    t.git(&["merge", "-q", "--no-edit", "review"]);
    t.pm(&["epic", "set", "E-1", "title=Splitting three"]).success();
    t.commit_dated("E-1 three", "2026-12-01T10:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    assert_eq!(
        json["suspects"][0]["changed"],
        serde_json::json!(["title: Splitting -> Splitting two", "title: Splitting two -> Splitting three"])
    );
}

#[test]
fn show_tells_whether_the_story_is_suspect() {
    let t = changed_epic();
    let c = short(&t, "HEAD");
    t.pm(&["story", "show", "S-1"]).success().stdout_has(&format!(
        "  suspect:    its epic E-1 changed in {c} (2026-11-30, Test User): title: Splitting -> Splitting and rounding; once read again: pm review S-1\n"
    ));
    let json = t.pm(&["story", "show", "S-1", "--format", "json"]).success().json();
    assert_eq!(json["suspect"]["parent"], "E-1");
    t.pm_env(&["review", "S-1"], DAY).success();
    t.pm(&["story", "show", "S-1"]).success().stdout_lacks("suspect:");
    assert_eq!(
        t.pm(&["story", "show", "S-1", "--format", "json"]).success().json()["suspect"],
        serde_json::Value::Null
    );
}

#[test]
fn outside_git_only_a_fingerprint_that_no_longer_matches_counts() {
    let t = Test::without_git();
    t.pm(&["init", "--name", "Demo"]).success();
    t.pm(&["epic", "add", "Splitting", "--vision", "V-1"]).success();
    t.pm(&["story", "add", "Split equally", "--epic", "E-1", "--ac", "Given 10.00 and 3, then 3.34"]).success();
    const OUTSIDE: &str = "No git history here (not a repository, or no commit yet): only `reviewed` \
                           fingerprints were compared (an item without one is never suspect here).\n";
    t.pm(&["review"])
        .success()
        .stdout_is(&format!("Nothing to review: no open story or epic has a parent that changed after it.\n{OUTSIDE}"));
    t.pm_env(&["review", "S-1"], DAY).success();
    t.pm(&["epic", "set", "E-1", "title=Splitting and rounding"]).success();
    let json = t.pm(&["review", "--format", "json"]).success().json();
    assert_eq!(json["suspects"][0]["id"], "S-1");
    assert_eq!(json["suspects"][0]["commit"], serde_json::Value::Null);
    t.pm(&["review"]).success().stdout_is(&format!(
        "1 item waiting for a review:\n\
         ID   TITLE          PARENT  CHANGED           WHAT CHANGED\n\
         S-1  Split equally  E-1     since its review  review of 2026-12-02 no longer matches\n\
         \n\
         Read each against its parent, then record it: pm review ID (or pm review --epic EPIC).\n\
         {OUTSIDE}"
    ));
}

#[test]
fn bad_review_input_is_refused_with_a_way_out() {
    let t = changed_epic();
    t.pm(&["story", "add", "Orphan", "--ac", "a"]).success();
    let before = t.snapshot();
    t.pm(&["review", "S-1", "S-4"])
        .code(2)
        .stderr_has("S-4 has no epic: there is nothing to review it against")
        .stderr_has("pm story set S-4 epic=...");
    assert_eq!(t.snapshot(), before, "a refused review writes nothing");
    t.pm(&["review", "V-1"]).code(2).stderr_has("V-1 is neither a story nor an epic");
    t.pm(&["review", "S-99"]).code(2);
    t.pm(&["review", "--epic", "E-9"]).code(2);
    let path = "product/stories/S-1-split-equally.md";
    t.write(path, &t.read(path).replacen("status: draft\n", "status: draft\nreviewed: last tuesday\n", 1));
    t.pm_env(&["check"], &[("PM_TODAY", "2026-12-05")])
        .code(1)
        .stdout_has("error[field/invalid-value]: `reviewed: last tuesday` is neither a day nor a day and a fingerprint (2026-12-05 E-1@5e1f0c2a)\n --> product/stories/S-1-split-equally.md:5:11\n")
        .stdout_has("= hint: write it as `reviewed: 2026-12-05`, or remove it: pm review S-1 writes it\n");
    // A mark against another item than the epic, or from a day still to come, is a warning.
    for (mark, message, hint) in [
        (
            "2026-12-01 E-9@5e1f0c2a",
            "`reviewed` names E-9, but S-1's epic is E-1: it is no review of E-1",
            "read S-1 against E-1, then record it: pm review S-1 writes it (or remove the line)",
        ),
        (
            "2027-01-04",
            "`reviewed: 2027-01-04` is a day still to come",
            "write the day S-1 was read (today is 2026-12-05), or remove it: pm review S-1 writes it",
        ),
    ] {
        let story = t.read(path).replace("reviewed: last tuesday", &format!("reviewed: {mark}"));
        t.write(path, &story);
        let json = t.pm_env(&["check", "--format", "json"], &[("PM_TODAY", "2026-12-05")]).success().json();
        let found: Vec<_> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "review/mismatch")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap(),
                    f["message"].as_str().unwrap(),
                    f["hint"].as_str().unwrap(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(found, [("warning", message, hint, 5)]);
        t.write(path, &story.replace(&format!("reviewed: {mark}"), "reviewed: last tuesday"));
    }
    // Tomorrow is a day of slack (time zones), and a closed story's mark no longer matters.
    let mismatches = |t: &Test| {
        let json = t.pm_env(&["check", "--format", "json"], &[("PM_TODAY", "2026-12-05")]).json();
        json["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "review/mismatch").count()
    };
    let story = t.read(path);
    t.write(path, &story.replace("reviewed: last tuesday", "reviewed: 2026-12-06"));
    assert_eq!(mismatches(&t), 0);
    t.write(path, &story.replace("reviewed: last tuesday", "reviewed: 2026-12-01 E-9@5e1f0c2a"));
    assert_eq!(mismatches(&t), 1);
    t.write(path, &t.read(path).replace("status: draft", "status: done"));
    assert_eq!(mismatches(&t), 0);
    t.write(path, &story);
    // A bad mark is only a finding: the story shows, and pm review writes a good one over it.
    t.pm(&["story", "show", "S-1"]).success();
    let before = t.read(path);
    t.pm_env(&["review", "S-1"], DAY).success();
    let (gone, added) = changed_lines(&before, &t.read(path));
    assert_eq!(gone, ["reviewed: last tuesday\n"]);
    assert!(added[0].starts_with("reviewed: 2026-12-02 E-1@"), "{added:?}");
}

#[test]
fn renumbering_the_epic_or_the_story_neither_hides_nor_makes_a_suspect() {
    let t = changed_epic();
    t.pm(&["renumber", "E-1", "E-5"]).success();
    t.commit_dated("E-1 is E-5", "2026-12-01T10:00:00Z", &[]);
    t.pm(&["renumber", "S-1", "S-7"]).success();
    t.commit_dated("S-1 is S-7", "2026-12-01T11:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    let ids: Vec<(&str, &str)> = json["suspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["parent"].as_str().unwrap()))
        .collect();
    assert_eq!(ids, [("S-2", "E-5"), ("S-7", "E-5")]);
    assert_eq!(json["suspects"][0]["commit"]["summary"], "E-1 covers rounding");
}

#[test]
fn renumbering_the_epic_keeps_the_reviews_against_it() {
    let t = changed_epic();
    t.pm_env(&["review", "S-2"], DAY).success();
    let path = "product/stories/S-2-split-by-percent.md";
    let before = t.read(path);
    t.pm(&["renumber", "E-1", "E-5"]).success();
    let (gone, added) = changed_lines(&before, &t.read(path));
    assert_eq!(gone.len(), 2, "{gone:?}");
    assert_eq!(added, [gone[0].replace("E-1", "E-5"), gone[1].replace("E-1@", "E-5@")]);
    let json = t.pm(&["check", "--format", "json"]).success().json();
    assert!(json["findings"].as_array().unwrap().iter().all(|f| f["rule"] != "review/mismatch"), "{json}");
    // Before and after the renumber is committed: S-1 is still suspect, S-2 still reviewed.
    for _ in 0..2 {
        let json = t.pm(&["review", "--format", "json"]).success().json();
        let ids: Vec<&str> = json["suspects"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["S-1"]);
        t.commit_dated("E-1 is E-5", "2026-12-01T10:00:00Z", &[]);
    }
}

#[test]
fn a_moved_and_retitled_epic_in_the_working_tree_is_one_change_of_substance() {
    let t = changed_epic();
    t.pm(&["ac", "add", "S-1", "Given a remainder, then the payer takes the penny"]).success();
    t.commit_dated("S-1 follows E-1", "2026-12-01T10:00:00Z", &[]);
    t.git(&["mv", "product/epics/E-1-splitting.md", "product/epics/E-1-splitting-and-rounding.md"]);
    let epic = "product/epics/E-1-splitting-and-rounding.md";
    t.write(epic, &t.read(epic).replace("title: Splitting and rounding", "title: Splitting, rounding, currencies"));
    let json = t.pm(&["review", "--format", "json"]).success().json();
    let got: Vec<(&str, bool, &serde_json::Value)> = json["suspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["uncommitted"].as_bool().unwrap(), &s["changed"]))
        .collect();
    // S-1 read E-1 after its first retitling; S-2 never did, and is told both.
    let changed = serde_json::json!(["title: Splitting and rounding -> Splitting, rounding, currencies"]);
    let both = serde_json::json!([
        "title: Splitting -> Splitting and rounding",
        "title: Splitting and rounding -> Splitting, rounding, currencies"
    ]);
    assert_eq!(got, [("S-1", true, &changed), ("S-2", true, &both)]);
}

#[test]
fn an_epic_is_reviewed_against_its_vision() {
    let t = changed_epic();
    let vision = t.find("product/visions", "V-1");
    t.write(&vision, &format!("{}\nFor households of any size.\n", t.read(&vision)));
    t.commit_dated("V-1 widens", "2026-12-01T10:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    assert_eq!(json["suspects"][0]["id"], "E-1");
    assert_eq!(json["suspects"][0]["kind"], "epic");
    assert_eq!(json["suspects"][0]["parent"], "V-1");
    t.pm_env(&["review", "E-1"], DAY).success().stdout_has("E-1 reviewed against V-1: reviewed: 2026-12-02 V-1@");
    let json = t.pm(&["review", "--format", "json"]).success().json();
    assert_eq!(json["suspects"][0]["id"], "S-1");
}

#[test]
fn line_endings_alone_are_not_a_change_of_substance() {
    let t = changed_epic();
    t.pm(&["review", "--epic", "E-1"]).success();
    t.commit_dated("reviewed", "2026-12-01T10:00:00Z", &[]);
    let epic = t.find("product/epics", "E-1");
    t.write(&epic, &t.read(&epic).replace('\n', "\r\n"));
    t.pm(&["review"])
        .success()
        .stdout_is("Nothing to review: no open story or epic has a parent that changed after it.\n");
    t.commit_dated("E-1 in CRLF", "2026-12-01T11:00:00Z", &[]);
    // Without its mark, S-2 is suspect for the title change, not for the CRLF commit: the
    // history sees no description edit there.
    let s2 = "product/stories/S-2-split-by-percent.md";
    let text: String = t.read(s2).lines().filter(|l| !l.starts_with("reviewed:")).map(|l| format!("{l}\n")).collect();
    t.write(s2, &text);
    t.commit_dated("S-2 unreviewed", "2026-12-01T12:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    assert_eq!(json["suspects"].as_array().unwrap().len(), 1);
    assert_eq!(json["suspects"][0]["commit"]["summary"], "E-1 covers rounding");
}

#[test]
fn a_task_of_the_epic_ticked_is_not_a_change_of_substance() {
    let t = changed_epic();
    let epic = t.find("product/epics", "E-1");
    t.write(&epic, &format!("{}\n## Tasks\n\n- [ ] Ask the bank about rounding\n", t.read(&epic)));
    t.pm(&["review", "--epic", "E-1"]).success();
    t.commit_dated("E-1 tasks, reviewed", "2026-12-01T10:00:00Z", &[]);
    t.write(&epic, &t.read(&epic).replace("- [ ] Ask", "- [x] Ask"));
    t.pm(&["review"])
        .success()
        .stdout_is("Nothing to review: no open story or epic has a parent that changed after it.\n");
    t.commit_dated("Asked the bank", "2026-12-01T11:00:00Z", &[]);
    // Without its mark, S-2 is suspect for the tasks written, not for the one ticked.
    let s2 = "product/stories/S-2-split-by-percent.md";
    let text: String = t.read(s2).lines().filter(|l| !l.starts_with("reviewed:")).map(|l| format!("{l}\n")).collect();
    t.write(s2, &text);
    t.commit_dated("S-2 unreviewed", "2026-12-01T12:00:00Z", &[]);
    let json = t.pm(&["review", "--format", "json"]).success().json();
    assert_eq!(json["suspects"].as_array().unwrap().len(), 1);
    assert_eq!(json["suspects"][0]["commit"]["summary"], "E-1 tasks, reviewed");
    // Rewording the task is a change.
    t.write(&epic, &t.read(&epic).replace("about rounding", "about rounding and fees"));
    t.pm(&["review"]).success().stdout_has("S-1  Split equally");
}

#[test]
fn control_characters_in_titles_never_reach_the_terminal_from_check() {
    let t = changed_epic();
    // `pm epic set` refuses such a title; a file edited by hand can hold one.
    let epic = t.find("product/epics", "E-1");
    t.write(&epic, &t.read(&epic).replace("title: Splitting and rounding", "title: \"Evil \\e[2J epic\""));
    let out = t.pm(&["check", "--suspect"]).success().stdout;
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(out.contains("Evil \\u{1b}[2J epic"), "{out}");
}
