//! Merges with real `git merge` and pm's merge driver: two branches x {rank, add, done, drop,
//! priority, new field, new criterion, renumber}, every pair, each compared with doing both
//! changes one after the other on one branch; the merged backlogs are written out in
//! tests/fixtures/merges/pairs.txt (PM_UPDATE_DOCS=1 rewrites it). Then the cases where both
//! branches touch one story, and the property that random rank moves on two branches keep
//! every move that does not conflict.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;

use crate::harness::{Test, walk};

const OPS: [&str; 8] = ["rank", "add", "done", "drop", "priority", "field", "criterion", "renumber"];

/// Apply one operation on the current branch; `side` (a or b) picks the story it targets.
fn apply(t: &Test, op: &str, side: &str) {
    let (story, to, field, top) = match side {
        "a" => ("S-2", "S-40", "owner=ana", "--top"),
        _ => ("S-6", "S-41", "points=5", "--bottom"),
    };
    let title = format!("Added on {side}");
    let ac = format!("Given branch {side}, when it merges, then this criterion is kept");
    let args: Vec<&str> = match op {
        "rank" => vec!["rank", story, top],
        "add" => vec!["story", "add", &title, "--ac", &ac],
        "done" => vec!["story", "done", story],
        "drop" => vec!["story", "drop", story],
        "priority" => vec!["story", "set", story, "priority=high"],
        "field" => vec!["story", "set", story, field],
        "criterion" => vec!["ac", "add", story, &ac],
        "renumber" => vec!["renumber", story, to],
        _ => unreachable!(),
    };
    t.pm(&args).success();
    t.commit(&format!("{op} on {side}"));
}

/// The base product: `n` open stories, each with two criteria, committed on main.
fn base_with(n: usize) -> Test {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Payments", "--vision", "V-1", "--horizon", "now"]).success();
    for i in 1..=n {
        let title = format!("Story number {i}");
        let ac = ["--ac", "Given one, then two", "--ac", "Given three, then four"];
        let mut args = vec!["story", "add", &title, "--epic", "E-1", "--priority", "medium"];
        args.extend(ac);
        t.pm(&args).success();
    }
    t.commit("base");
    t
}

fn base() -> Test {
    base_with(8)
}

/// Every file under product/, by path.
fn product_files(t: &Test) -> BTreeMap<String, String> {
    walk(&t.path("product"))
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(t.root()).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn backlog_ids(t: &Test) -> String {
    t.read("product/backlog.md")
        .lines()
        .filter_map(|l| l.strip_prefix("- [").and_then(|r| r.split(']').next()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_pair_of_changes_on_two_branches_merges_as_if_made_one_after_the_other() {
    let mut written = String::from(
        "# Backlog after merging branch b into branch a, for each pair of changes.\n# a targets S-2, b targets S-6; base: S-1 .. S-8.\n",
    );
    for op_a in OPS {
        for op_b in OPS {
            let t = base();
            t.git(&["checkout", "-q", "-b", "a"]);
            apply(&t, op_a, "a");
            // The oracle: both changes on one branch, a's first (deleted before b is made,
            // so that b's new IDs are the ones the oracle got).
            t.git(&["checkout", "-q", "-b", "both", "a"]);
            apply(&t, op_b, "b");
            let expected = product_files(&t);
            t.git(&["checkout", "-q", "-b", "b", "main"]);
            t.git(&["branch", "-q", "-D", "both"]);
            apply(&t, op_b, "b");
            t.git(&["checkout", "-q", "a"]);
            let merge = t.git_try(&["merge", "--no-edit", "-q", "b"]);
            assert_eq!(merge.code, 0, "{op_a} x {op_b}: the merge conflicts\n{}{}", merge.stdout, merge.stderr);
            let got = product_files(&t);
            for (path, text) in &expected {
                assert_eq!(got.get(path), Some(text), "{op_a} x {op_b}: {path} differs");
            }
            assert_eq!(got.len(), expected.len(), "{op_a} x {op_b}: other files: {:?}", got.keys());
            t.pm(&["check"]).success();
            written.push_str(&format!("{op_a:>9} x {op_b:<9} {}\n", backlog_ids(&t)));
        }
    }
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merges/pairs.txt");
    if std::env::var_os("PM_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &written).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&golden).unwrap_or_default(), written, "tests/fixtures/merges/pairs.txt");
}

/// A base with stories S-1 .. S-4, then branch `a` made by `on_a` and branch `b` by `on_b`,
/// both from main; returns the repository on `a` and the result of merging `b` into it.
fn two_branches(on_a: impl Fn(&Test), on_b: impl Fn(&Test)) -> (Test, crate::harness::Run) {
    let t = base_with(4);
    // Dated an hour apart after the base, b first, so the history's order never hangs on
    // whether the clock's second turned between them.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    t.git(&["checkout", "-q", "-b", "b"]);
    on_b(&t);
    t.commit_dated("on b", &format!("@{} +0000", now + 3600), &[]);
    t.git(&["checkout", "-q", "-b", "a", "main"]);
    on_a(&t);
    t.commit_dated("on a", &format!("@{} +0000", now + 7200), &[]);
    let merge = t.git_try(&["merge", "--no-edit", "-q", "b"]);
    (t, merge)
}

const S3: &str = "product/stories/S-3-story-number-3.md";

#[test]
fn both_branches_moving_one_story_keep_ours_and_say_how_to_apply_theirs() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["rank", "S-3", "--top"]).success();
        },
        |t| {
            t.pm(&["rank", "S-3", "--bottom"]).success();
            t.pm(&["rank", "S-1", "--after", "S-2"]).success();
        },
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    assert_eq!(
        merge.stderr,
        "pm merge-file: product/backlog.md: S-3 cannot keep its place from both branches: it is at the top; the other branch put it after S-4. To use that place: pm rank S-3 --after S-4\n"
    );
    // Theirs' other move is kept, and the command gives theirs' order.
    assert_eq!(backlog_ids(&t), "S-3 S-2 S-1 S-4");
    t.pm(&["rank", "S-3", "--after", "S-4"]).success();
    assert_eq!(backlog_ids(&t), "S-2 S-1 S-4 S-3");
}

#[test]
fn different_and_new_fields_of_one_story_merge_line_by_line() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["story", "set", "S-3", "priority=high", "owner=ana"]).success();
        },
        |t| {
            t.pm(&["story", "set", "S-3", "status=ready", "points=5"]).success();
        },
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    assert_eq!(merge.stderr, "");
    assert_eq!(
        t.read(S3),
        "---\nid: S-3\ntitle: Story number 3\nstatus: ready\nepic: E-1\npriority: high\nowner: ana\npoints: 5\n---\n\n## Acceptance criteria\n\n- [ ] AC-1: Given one, then two\n- [ ] AC-2: Given three, then four\n"
    );
    t.pm(&["check"]).success();
}

#[test]
fn criteria_added_on_both_branches_are_both_kept_with_distinct_numbers() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["ac", "add", "S-3", "Given ours, then kept"]).success();
        },
        |t| {
            t.pm(&["ac", "add", "S-3", "Given theirs, then kept too"]).success();
            t.pm(&["ac", "check", "S-3", "AC-1"]).success();
        },
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    assert_eq!(
        merge.stderr,
        format!(
            "pm merge-file: {S3}: the other branch's new criterion AC-3 collided with one added here; it is AC-4 after the merge\n"
        )
    );
    assert!(
        t.read(S3).ends_with(
            "- [x] AC-1: Given one, then two\n- [ ] AC-2: Given three, then four\n- [ ] AC-3: Given ours, then kept\n- [ ] AC-4: Given theirs, then kept too\n"
        ),
        "{}",
        t.read(S3)
    );
    t.pm(&["check"]).success();
}

#[test]
fn a_tick_on_one_branch_and_a_rewording_on_the_other_are_both_kept() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["ac", "check", "S-3", "AC-2"]).success();
        },
        |t| {
            let text = t.read(S3).replace("Given three, then four", "Given three, then exactly four");
            t.write(S3, &text);
        },
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    assert!(t.read(S3).ends_with("- [ ] AC-1: Given one, then two\n- [x] AC-2: Given three, then exactly four\n"));
}

#[test]
fn one_field_changed_both_ways_is_a_conflict_on_that_line_and_check_names_it() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["story", "set", "S-3", "priority=high"]).success();
        },
        |t| {
            t.pm(&["story", "set", "S-3", "priority=low", "owner=bob"]).success();
        },
    );
    assert_eq!(merge.code, 1, "{}", merge.stdout);
    assert_eq!(
        t.read(S3),
        "---\nid: S-3\ntitle: Story number 3\nstatus: draft\nepic: E-1\n<<<<<<< HEAD\npriority: high\n=======\npriority: low\n>>>>>>> b\nowner: bob\n---\n\n## Acceptance criteria\n\n- [ ] AC-1: Given one, then two\n- [ ] AC-2: Given three, then four\n"
    );
    // Only the markers are reported: nothing about S-3's backlog line or its fields.
    t.pm(&["check"]).code(1).stdout_is(&format!(
        "error[file/conflict-markers]: the file has unresolved merge conflict markers\n --> {S3}:6:1\n  |\n6 | <<<<<<< HEAD\n  | ^\n  = hint: resolve the merge: keep the right lines, delete the <<<<<<<, ======= and >>>>>>> lines, then `git add` the file\n\n1 error, 0 warnings in 1 file (9 files checked)\n"
    ));
    // Every command that reads the story says the same, and none advises dropping its line.
    let conflict = format!(
        "error: {S3}:6: the file has unresolved merge conflict markers\n  hint: resolve the merge: keep the right lines, delete the <<<<<<<, ======= and >>>>>>> lines, then `git add` the file\n"
    );
    assert_eq!(t.pm(&["story", "show", "S-3"]).code(2).stderr, conflict);
    let backlog = t.pm(&["backlog"]);
    assert_eq!(backlog.stderr, conflict);
    assert!(!backlog.stdout.contains("S-3"), "{}", backlog.stdout);
}

#[test]
fn roadmap_moves_and_additions_from_both_branches_are_kept() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["roadmap", "move", "E-1", "next"]).success();
        },
        |t| {
            t.pm(&["epic", "add", "Reports", "--vision", "V-1", "--horizon", "now"]).success();
        },
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    assert_eq!(
        t.read("product/roadmap.md"),
        "# Roadmap\n\n<!-- Epics by horizon, most important first. Move with `pm roadmap move`. -->\n\n## Now\n\n- [E-2](epics/E-2-reports.md) Reports\n\n## Next\n\n- [E-1](epics/E-1-payments.md) Payments\n\n## Later\n"
    );
    t.pm(&["check"]).success();
}

#[test]
fn a_broken_item_on_one_side_falls_back_to_gits_own_conflict() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["story", "set", "S-3", "priority=high"]).success();
        },
        |t| {
            let text = t.read(S3).replace("priority: medium", "priority: [unclosed");
            t.write(S3, &text);
        },
    );
    assert_eq!(merge.code, 1);
    assert!(
        t.read(S3).contains("<<<<<<< HEAD\npriority: high\n=======\npriority: [unclosed\n>>>>>>> b\n"),
        "{}",
        t.read(S3)
    );
}

#[test]
fn merge_file_with_a_missing_argument_exits_2_and_leaves_the_file() {
    let t = Test::new();
    t.write("ours.md", "ours\n").write("theirs.md", "theirs\n");
    t.pm(&["merge-file", "missing.md", "ours.md", "theirs.md", "product/backlog.md"])
        .code(2)
        .stderr_has("cannot read missing.md");
    assert_eq!(t.read("ours.md"), "ours\n");
    t.pm(&["merge-file", "ours.md", "theirs.md"]).code(2);
    assert_eq!(t.read("ours.md"), "ours\n");
}

#[test]
fn a_fresh_clone_is_told_to_run_setup_and_setup_registers_the_driver() {
    let origin = Test::initialized();
    origin.commit("init");
    let t = Test::without_merge_setup();
    t.git(&["pull", "-q", origin.root().to_str().unwrap(), "main"]);
    t.pm(&["check"]).code(0).stdout_is(
        "warning[git/merge-setup]: this clone does not define pm's merge driver, so git merges product files line by line\n --> .git/config:1:1\n  = hint: run `pm setup` once in this clone\n\n0 errors, 1 warning in 1 file (4 files checked)\n",
    );
    t.pm(&["setup"])
        .success()
        .stdout_is(&format!("Registered the merge driver in .git/config: {}\n", crate::harness::driver_command()));
    t.pm(&["check"]).success().stdout_is("0 errors, 0 warnings (4 files checked)\n");
    t.pm(&["setup"]).success().stdout_is("Already set up: git merges the backlog, roadmap and items with pm\n");
    // A repository set up by an older pm (union lines) gets the driver's line instead.
    t.write(".gitattributes", "*.png binary\nproduct/backlog.md merge=union\nproduct/roadmap.md merge=union\n");
    t.pm(&["setup"]).success().stdout_is(
        "Wrote `product/**/*.md merge=pm` to .gitattributes (commit it, so every clone merges the same way)\n",
    );
    assert_eq!(t.read(".gitattributes"), "*.png binary\nproduct/**/*.md merge=pm\n");
}

/// One side's changes to a list of keys: moves (which key, where to), removals, additions.
#[derive(Debug, Clone)]
struct Edits {
    moves: Vec<(usize, usize)>,
    removals: Vec<usize>,
    additions: Vec<usize>,
}

fn edits() -> impl Strategy<Value = Edits> {
    (
        proptest::collection::vec((0..40usize, 0..40usize), 0..4),
        proptest::collection::vec(0..40usize, 0..2),
        proptest::collection::vec(0..40usize, 0..2),
    )
        .prop_map(|(moves, removals, additions)| Edits { moves, removals, additions })
}

/// Apply edits to `base`; returns the side's order and the keys it moved, added and removed.
fn side_of(base: &[String], e: &Edits, name: &str) -> (Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
    let mut order = base.to_vec();
    let mut moved = Vec::new();
    let mut removed = Vec::new();
    for &r in &e.removals {
        if order.len() > 1 {
            removed.push(order.remove(r % order.len()));
        }
    }
    for &(from, to) in &e.moves {
        let k = order.remove(from % order.len());
        order.insert(to % (order.len() + 1), k.clone());
        moved.push(k);
    }
    // A move that put the key back among the same keys (of those never moved) is no move.
    let subjects = moved.clone();
    let before = |s: &[String], k: &str| -> std::collections::BTreeSet<String> {
        let at = s.iter().position(|x| x == k).unwrap();
        s[..at].iter().filter(|x| order.contains(x) && base.contains(x) && !subjects.contains(x)).cloned().collect()
    };
    moved.retain(|k| before(&order, k) != before(base, k));
    moved.sort();
    moved.dedup();
    let mut added = Vec::new();
    for (i, &at) in e.additions.iter().enumerate() {
        let k = format!("{name}{i}");
        order.insert(at % (order.len() + 1), k.clone());
        added.push(k);
    }
    (order, moved, added, removed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// For random rank moves, removals and additions on two branches, the merged order has
    /// every surviving key once, and every move or addition is kept relative to the keys
    /// neither branch moved, unless the merge names keys it could not place.
    #[test]
    fn merged_orders_keep_every_move_or_name_it(n in 2..20usize, a in edits(), b in edits()) {
        use pm::model::merge::seq::{Piece, merge};
        let base: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
        let (ours, moved_o, added_o, removed_o) = side_of(&base, &a, "o");
        let (theirs, moved_t, added_t, removed_t) = side_of(&base, &b, "t");
        let pieces = |s: &[String]| s.iter().map(|k| Piece::new(k.clone(), k.clone())).collect::<Vec<_>>();
        let m = merge(&pieces(&base), &pieces(&ours), &pieces(&theirs));
        let result: Vec<String> = m.pieces.iter().map(|(k, _)| k.clone()).collect();
        let gone = |k: &str| removed_o.iter().chain(&removed_t).any(|r| r == k);
        let mut expected: Vec<String> = base.iter().filter(|k| !gone(k)).cloned().chain(added_o.clone()).chain(added_t.clone()).collect();
        expected.sort();
        let mut got = result.clone();
        got.sort();
        prop_assert_eq!(got, expected, "every surviving key once");
        if theirs == base {
            prop_assert_eq!(&result, &ours);
        }
        if ours == base {
            prop_assert_eq!(&result, &theirs);
        }
        // Snapshots show the fewest moves that explain them; when a branch made more (moved two
        // keys down where moving one up gives the same list), no merge can know which, so the
        // pair orders are checked when each branch made the fewest moves its list shows.
        let common: Vec<&String> = base.iter().filter(|k| ours.contains(k) && theirs.contains(k)).collect();
        let fewest = |side: &[String]| {
            let seq: Vec<usize> = side.iter().filter_map(|k| common.iter().position(|c| *c == k)).collect();
            let mut best = vec![1usize; seq.len()];
            for i in 0..seq.len() {
                for j in 0..i {
                    if seq[j] < seq[i] {
                        best[i] = best[i].max(best[j] + 1);
                    }
                }
            }
            seq.len() - best.iter().copied().max().unwrap_or(0)
        };
        // The moves made are a fewest-moves reading: as many as the fewest, and what they left
        // in place kept the base's order.
        let reading = |side: &[String], moved: &[String]| {
            let made = moved.iter().filter(|k| common.contains(k)).count();
            let kept: Vec<usize> = side
                .iter()
                .filter(|k| !moved.contains(k))
                .filter_map(|k| common.iter().position(|c| *c == k))
                .collect();
            made == fewest(side) && kept.windows(2).all(|w| w[0] < w[1])
        };
        let minimal = reading(&ours, &moved_o) && reading(&theirs, &moved_t);
        let touched = |k: &str| moved_o.iter().chain(&moved_t).chain(&added_o).chain(&added_t).any(|x| x == k);
        let lost = |k: &str| m.lost.iter().any(|l| l.key == k);
        let pos = |s: &[String], k: &str| s.iter().position(|x| x == k);
        let order = |s: &[String], k: &str, u: &str| Some(pos(s, k)? < pos(s, u)?);
        let keys: Vec<&String> = moved_o.iter().chain(&added_o).chain(&moved_t).chain(&added_t).collect();
        for k in keys {
            if gone(k) {
                continue;
            }
            // Each key neither side moved stays on the side of k that the branch which changed
            // that pair's order gave it (the base's when neither did), or the merge says so.
            for u in base.iter().filter(|u| !touched(u) && !gone(u)) {
                let (b, o, t) = (order(&base, k, u), order(&ours, k, u), order(&theirs, k, u));
                let want = if o.is_some() && o != b { o } else if t.is_some() && t != b { t } else { b };
                let got = order(&result, k, u);
                prop_assert!(
                    want == got || !minimal || lost(k) || lost(u),
                    "{} lost its place next to {}: ours {:?} theirs {:?} result {:?} lost {:?}", k, u, ours, theirs, result, m.lost
                );
            }
        }
    }
}

/// Two clones each created S-2 (simulated: the other branch hidden while one is made); merged,
/// both files carry S-2 until one is renumbered.
fn colliding_ids() -> Test {
    colliding_ids_merged(&["merge", "-q", "--no-edit", "bob"])
}

fn colliding_ids_merged(merge_args: &[&str]) -> Test {
    let t = base_with(1);
    t.git(&["checkout", "-q", "-b", "bob"]);
    t.pm(&["story", "add", "Bob's story", "--ac", "Given b, then c"]).success();
    t.git(&["add", "-A"]);
    t.git(&["-c", "user.name=Bob", "commit", "-qm", "Bob adds a story"]);
    let bob = t.git(&["rev-parse", "HEAD"]);
    t.git(&["checkout", "-q", "main"]);
    t.git(&["update-ref", "-d", "refs/heads/bob"]);
    t.pm(&["story", "add", "Ann's story", "--ac", "Given d, then e"]).success();
    t.commit("Ann adds a story");
    t.git(&["update-ref", "refs/heads/bob", bob.trim()]);
    let merge = t.git_try(merge_args);
    assert_eq!(
        merge.stderr.replace("Automatic merge went well; stopped before committing as requested\n", ""),
        "pm merge-file: product/backlog.md: S-2 was added on both branches as different items; both are kept. Give one a new ID: pm renumber S-2 <NEW-ID> --file <its file>\n"
    );
    t
}

#[test]
fn a_renumber_after_a_merge_is_told_as_a_renumber_and_followed() {
    for (file, title) in [("S-2-bob-s-story.md", "Bob's story"), ("S-2-ann-s-story.md", "Ann's story")] {
        let t = colliding_ids();
        t.pm(&["renumber", "S-2", "S-3", "--file", &format!("product/stories/{file}")]).success();
        t.commit("Renumber the second S-2");
        t.pm(&["diff", "HEAD~1", "HEAD", "--format", "json"]).success();
        let diff = t.pm(&["diff", "HEAD~1", "HEAD"]).success();
        assert_eq!(diff.lines()[1..], ["  S-3 renumbered from S-2"], "{file}");
        let json = t.pm(&["diff", "HEAD~1", "HEAD", "--format", "json"]).success().json();
        let change = &json["changes"][0];
        assert_eq!(
            (change["type"].as_str(), change["from"].as_str(), change["to"].as_str()),
            (Some("renumbered"), Some("S-2"), Some("S-3"))
        );
        assert_eq!(change["title"], title);
        // Its life before the renumber is the file's, not the other S-2's.
        let lines = authored_history(&t, &["history", "S-3"]);
        let by = if title.starts_with("Bob") { "Bob" } else { "Test User" };
        assert_eq!(lines, life_renumbered_to_s3(by, title), "{file}");
    }
}

#[test]
fn a_plain_renumber_is_one_change_and_history_follows_it() {
    let t = base_with(3);
    t.pm(&["story", "set", "S-2", "priority=high"]).success();
    t.commit("S-2 matters");
    t.pm(&["renumber", "S-2", "S-9"]).success();
    t.commit("Renumber");
    let diff = t.pm(&["diff", "HEAD~1", "HEAD"]).success();
    assert_eq!(diff.lines()[1..], ["  S-9 renumbered from S-2"]);
    let history = t.pm(&["history", "S-9", "--all-fields", "--format", "json"]).success().json();
    let changes: Vec<&str> =
        history["changes"].as_array().unwrap().iter().map(|c| c["description"].as_str().unwrap()).collect();
    assert_eq!(
        changes,
        [
            "S-2 created: Story number 2",
            "S-2 entered the backlog at 2nd",
            "S-2 priority: medium -> high",
            "S-9 renumbered from S-2"
        ]
    );
}

/// A line merge for the property test: conflict markers around both whole versions.
struct Marked;
impl pm::model::merge::LineMerge for Marked {
    fn merge_lines(&mut self, sides: pm::model::merge::Sides<'_>) -> pm::model::merge::Lines {
        let text = format!("<<<<<<< ours\n{}=======\n{}>>>>>>> theirs\n", sides.ours, sides.theirs);
        pm::model::merge::Lines { text, conflicted: true }
    }
}

/// One side's edits of an item file: fields set (key index, value) and criteria added.
fn item_edits() -> impl Strategy<Value = (Vec<(usize, String)>, Vec<String>, bool)> {
    (
        proptest::collection::vec((0..5usize, "x[a-z]{0,5}"), 0..4),
        proptest::collection::vec("[A-Za-z ,]{1,20}", 0..3),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]
    /// Merging two edited versions of a story keeps every field one side changed and every
    /// criterion either side added, conflicts exactly on a field both set differently, and
    /// leaves a result that reads as a story.
    #[test]
    fn item_merges_keep_each_sides_fields_and_criteria(
        crlf in any::<bool>(), a in item_edits(), b in item_edits()
    ) {
        use pm::model::criteria::Criteria;
        use pm::model::frontmatter::{FieldValue, edit_fields, parse, split};
        use pm::model::merge::item::{Markers, merge};
        const KEYS: [&str; 5] = ["priority", "owner", "points", "jira", "team"];
        let eol = if crlf { "\r\n" } else { "\n" };
        let base = ["---", "id: S-1", "title: A story", "status: draft", "priority: medium", "---", "", "## Acceptance criteria", "", "- [ ] AC-1: Given one, then two", ""].join(eol);
        // (Criteria texts are marked with their side: the same criterion added on both sides is
        // one criterion.)
        let edit = |side: &str, (fields, criteria, tick): &(Vec<(usize, String)>, Vec<String>, bool)| {
            let mut text = base.clone();
            for (k, v) in fields {
                let s = split(&text).unwrap();
                text = edit_fields(&text, &s, &[(KEYS[*k].to_string(), FieldValue::Scalar(v.clone()))]).unwrap();
            }
            for c in criteria {
                let s = split(&text).unwrap();
                let body = text[s.body.clone()].to_string();
                let criteria = Criteria::parse(&body);
                let n = criteria.next_number();
                let (_, new_body) = criteria.add(&body, &format!("{side} {}", c.trim()), eol, n);
                text = format!("{}{new_body}", &text[..s.body.start]);
            }
            if *tick {
                let s = split(&text).unwrap();
                let body = text[s.body.clone()].to_string();
                let new_body = Criteria::parse(&body).set_checked(&body, 1, true).unwrap();
                text = format!("{}{new_body}", &text[..s.body.start]);
            }
            text
        };
        let (ours, theirs) = (edit("ours", &a), edit("theirs", &b));
        let markers = Markers { ours: "ours", theirs: "theirs", size: 7 };
        let sides = pm::model::merge::Sides { base: &base, ours: &ours, theirs: &theirs };
        let out = merge(sides, markers, &mut Marked).expect("all three are stories");
        let last = |fields: &[(usize, String)], k: usize| fields.iter().rev().find(|(i, _)| *i == k).map(|(_, v)| v.clone());
        let base_value = |k: usize| if k == 0 { Some("medium".to_string()) } else { None };
        let mut clash = false;
        for k in 0..KEYS.len() {
            let (o, t) = (last(&a.0, k).or(base_value(k)), last(&b.0, k).or(base_value(k)));
            if o != t && o != base_value(k) && t != base_value(k) {
                clash = true;
            }
        }
        prop_assert_eq!(out.conflicted, clash, "{}", out.text);
        if !clash {
            let s = split(&out.text).unwrap();
            let fields = parse(&out.text, &s).unwrap();
            for (k, key) in KEYS.iter().enumerate() {
                let want = last(&b.0, k).filter(|v| Some(v) != base_value(k).as_ref()).or(last(&a.0, k)).or(base_value(k));
                let got = fields.get(key).and_then(pm::model::item::scalar_string);
                prop_assert_eq!(got, want, "{}: {}", key, out.text);
            }
            let criteria = Criteria::parse(&out.text[s.body.clone()]);
            prop_assert_eq!(criteria.items.len(), 1 + a.1.len() + b.1.len(), "{}", out.text);
            prop_assert_eq!(criteria.items[0].checked, a.2 || b.2);
            let mut numbers: Vec<u32> = criteria.items.iter().filter_map(|c| c.number).collect();
            numbers.dedup();
            prop_assert_eq!(numbers.len(), criteria.items.len(), "distinct AC numbers: {}", out.text);
        }
    }
}

/// A line of a hand-edited list file: an entry, a heading, prose, a blank line, odd endings.
fn list_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (1..12u32).prop_map(|n| format!("- [S-{n}](stories/S-{n}.md) Story {n}\n")),
        (1..12u32).prop_map(|n| format!("* [S-{n}](x) other bullet\r\n")),
        Just("## Now\n".to_string()),
        Just("\n".to_string()),
        Just("<!-- note -->\n".to_string()),
        "[ -~]{0,12}".prop_map(|s| format!("{s}\n")),
        "[ -~é]{0,6}".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]
    /// Any three list files (repeats, missing line endings, prose) merge without a panic, and
    /// an item in both sides' lists is in the result.
    #[test]
    fn list_merges_never_panic_and_keep_what_both_list(
        base in proptest::collection::vec(list_line(), 0..12),
        ours in proptest::collection::vec(list_line(), 0..12),
        theirs in proptest::collection::vec(list_line(), 0..12),
    ) {
        use pm::model::merge::list::{List, merge};
        let (b, o, t) = (base.concat(), ours.concat(), theirs.concat());
        let out = merge(List::Backlog, pm::model::merge::Sides { base: &b, ours: &o, theirs: &t });
        let ids = |text: &str| -> std::collections::BTreeSet<String> {
            pm::model::listfile::ListFile::parse(text).entries().into_iter().map(|e| e.id).collect()
        };
        let (ib, io, it, got) = (ids(&b), ids(&o), ids(&t), ids(&out.text));
        for id in io.intersection(&it) {
            prop_assert!(got.contains(id), "{id} lost:\n{}", out.text);
        }
        for id in io.union(&it) {
            if !ib.contains(id) {
                prop_assert!(got.contains(id), "new {id} lost:\n{}", out.text);
            }
        }
    }
}

#[test]
fn a_driver_that_cannot_run_falls_back_to_gits_conflict_markers_never_to_ours() {
    let (t, merge) = two_branches(
        |t| {
            t.git(&[
                "config",
                "merge.pm.driver",
                &crate::harness::driver_command().replace(env!("CARGO_BIN_EXE_pm"), "/gone/pm"),
            ]);
            t.pm(&["rank", "S-3", "--top"]).success();
        },
        |t| {
            t.pm(&["rank", "S-4", "--top"]).success();
        },
    );
    assert_eq!(merge.code, 1, "{}{}", merge.stdout, merge.stderr);
    let backlog = t.read("product/backlog.md");
    assert!(backlog.contains("<<<<<<< HEAD\n- [S-3]") && backlog.contains(">>>>>>> b\n"), "{backlog}");
    // Nothing reads or rewrites half a merge, and check says what to do.
    t.pm(&["rank", "S-1", "--top"])
        .code(2)
        .stderr_has("product/backlog.md:5: the file has unresolved merge conflict markers");
    t.pm(&["fmt"]).code(2).stderr_has("unresolved merge conflict markers");
    let check = t.pm(&["check"]).code(1);
    assert!(
        check.stdout.contains("error[file/conflict-markers]") && check.stdout.contains(" --> product/backlog.md:5:1"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("warning[git/merge-setup]: pm's merge driver runs /gone/pm, which is not there"),
        "{}",
        check.stdout
    );
    assert_eq!(t.read("product/backlog.md"), backlog);
}

#[test]
fn after_a_merge_of_colliding_ids_check_and_fmt_point_at_renumber_and_touch_nothing() {
    let t = colliding_ids();
    let check = t.pm(&["check", "--format", "json"]).code(1).json();
    let rules: Vec<&str> = check["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"id/duplicate"), "{rules:?}");
    assert!(
        !rules.iter().any(|r| r.starts_with("backlog/")),
        "each file's own line is neither a repeat nor stale: {rules:?}"
    );
    let before = t.snapshot();
    t.pm(&["fmt"]).success().stderr_has(
        "warning: product/backlog.md:6: left alone: two files carry S-2; give one a new ID first: pm renumber S-2 <NEW-ID> --file <its file>",
    );
    assert_eq!(t.snapshot(), before, "fmt changed files");
}

#[test]
fn a_renumber_made_in_the_merge_itself_is_a_renumber_at_the_merge() {
    for (file, title, by) in
        [("S-2-bob-s-story.md", "Bob's story", "Bob"), ("S-2-ann-s-story.md", "Ann's story", "Test User")]
    {
        let t = colliding_ids_merged(&["merge", "-q", "--no-commit", "bob"]);
        t.pm(&["renumber", "S-2", "S-3", "--file", &format!("product/stories/{file}")]).success();
        t.commit("Merge bob, renumbering the second S-2");
        // Against each parent: what came from the other, the renumber where it had the old ID.
        let body = |args: &[&str]| t.pm(args).success().lines()[1..].join("\n");
        let (first, second) = (body(&["diff", "HEAD^1", "HEAD"]), body(&["diff", "HEAD^2", "HEAD"]));
        if by == "Bob" {
            assert_eq!(first, "  S-3 created: Bob's story\n  S-3 entered the backlog at 3rd");
            assert_eq!(second, "  S-2 created: Ann's story\n  S-3 renumbered from S-2");
        } else {
            assert_eq!(first, "  S-2 created: Bob's story\n  S-3 renumbered from S-2");
            assert_eq!(second, "  S-3 created: Ann's story\n  S-3 entered the backlog at 2nd");
        }
        let lines = authored_history(&t, &["history", "S-3"]);
        assert_eq!(lines, life_renumbered_to_s3(by, title), "{file}");
    }
}

#[test]
fn renumbering_one_of_two_files_with_an_id_names_the_links_it_cannot_decide() {
    let t = colliding_ids();
    // A command naming the shared ID refuses to guess which file it means.
    let before = t.snapshot();
    for args in [&["rank", "S-2", "--top"][..], &["story", "done", "S-2"], &["story", "set", "S-2", "owner=z"]] {
        t.pm(args).code(2).stderr_has(
            "error: S-2 is the ID of 2 files: product/stories/S-2-ann-s-story.md, product/stories/S-2-bob-s-story.md\n  hint: give one a new ID first: pm renumber S-2 <NEW-ID> --file product/stories/S-2-bob-s-story.md",
        );
    }
    assert_eq!(t.snapshot(), before);
    t.pm(&["story", "add", "Needs Bob's", "--ac", "Given a, then b"]).success();
    let s3 = "product/stories/S-3-needs-bob-s.md";
    t.write(s3, &t.read(s3).replace("status: draft\n", "status: draft\ndepends_on: [S-2]\n"));
    t.commit("S-3 depends on S-2");
    t.pm(&["renumber", "S-2", "S-9", "--file", "product/stories/S-2-bob-s-story.md"]).success().stderr_has(
        "warning: product/stories/S-3-needs-bob-s.md: depends_on names S-2 and was left as it is (another file carried S-2 too): if it meant this item, set it to S-9",
    );
    assert!(t.read("product/stories/S-3-needs-bob-s.md").contains("depends_on: [S-2]"));
}

#[test]
fn a_conflict_resolved_in_the_merge_is_in_the_history_at_the_merge() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["story", "set", "S-3", "owner=alice"]).success();
        },
        |t| {
            t.pm(&["story", "set", "S-3", "owner=bob", "points=5"]).success();
        },
    );
    assert_eq!(merge.code, 1);
    // Resolved as this branch had it.
    let text = t.read(S3);
    let resolved = text.replace("<<<<<<< HEAD\nowner: alice\n=======\nowner: bob\n>>>>>>> b\n", "owner: alice\n");
    assert_ne!(resolved, text);
    t.write(S3, &resolved);
    t.git(&["add", "-A"]);
    // After the branches' commits (two_branches dates them in the next two hours).
    let later = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3 * 3600;
    t.commit_dated("Merge b: Alice keeps S-3", &format!("@{later} +0000"), &["user.name=Sam"]);
    let history = t.pm(&["history", "S-3", "--all-fields", "--format", "json"]).success().json();
    let lines: Vec<String> = history["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field"] == "owner" || c["field"] == "points")
        .map(|c| format!("{}: {}", c["author"].as_str().unwrap(), c["description"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [
            "Test User: S-3 owner set to bob",
            "Test User: S-3 points set to 5",
            "Test User: S-3 owner set to alice",
            "Sam: S-3 owner: bob -> alice"
        ]
    );
}

#[test]
fn items_without_criteria_merge_by_field_and_conflict_on_prose_both_changed() {
    const V1: &str = "product/visions/V-1-demo.md";
    let (t, merge) = two_branches(
        |t| {
            t.write(V1, &t.read(V1).replace("Who is Demo for", "Who is Demo for, really"));
            t.pm(&["epic", "set", "E-1", "owner=ana"]).success();
        },
        |t| {
            t.write(V1, &t.read(V1).replace("Who is Demo for", "Who exactly is Demo for"));
            t.pm(&["epic", "set", "E-1", "status=done"]).success();
        },
    );
    assert_eq!(merge.code, 1, "{}", merge.stdout);
    assert!(
        merge.stdout.contains("CONFLICT (content): Merge conflict in product/visions/V-1-demo.md"),
        "{}",
        merge.stdout
    );
    assert!(!merge.stdout.contains("Merge conflict in product/epics"), "the epic merged cleanly: {}", merge.stdout);
    let epic = t.read("product/epics/E-1-payments.md");
    assert!(epic.contains("status: done\n") && epic.contains("owner: ana\n"), "{epic}");
    assert!(t.read(V1).contains("<<<<<<< HEAD\n"));
}

#[test]
fn prose_git_cannot_merge_is_kept_both_ways_in_markers() {
    let t = Test::new();
    let story = |b: &str, c: &str| format!("---\nid: S-1\ntitle: T\nstatus: draft\n---\nA\u{0}\n{b}\n{c}\n");
    t.write("base.md", &story("B", "C")).write("ours.md", &story("B2", "C")).write("theirs.md", &story("B", "C2"));
    t.pm(&["merge-file", "base.md", "ours.md", "theirs.md", "product/stories/S-1-t.md"]).code(1);
    assert_eq!(
        t.read("ours.md"),
        "---\nid: S-1\ntitle: T\nstatus: draft\n---\n<<<<<<< ours\nA\u{0}\nB2\nC\n=======\nA\u{0}\nB\nC2\n>>>>>>> theirs\n"
    );
}

#[test]
fn a_renumber_on_one_branch_and_a_move_on_the_other_are_both_kept() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["renumber", "S-4", "S-40"]).success();
        },
        |t| {
            t.pm(&["rank", "S-4", "--top"]).success();
        },
    );
    assert_eq!((merge.code, merge.stderr.as_str()), (0, ""));
    assert_eq!(backlog_ids(&t), "S-40 S-1 S-2 S-3");
    t.pm(&["check"]).success();
}

#[test]
fn history_follows_a_renumber_into_the_other_branchs_changes() {
    let (t, merge) = two_branches(
        |t| {
            t.pm(&["renumber", "S-3", "S-9"]).success();
        },
        |t| {
            t.pm(&["story", "set", "S-3", "priority=high"]).success();
            t.pm(&["rank", "S-3", "--top"]).success();
        },
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    let history = t.pm(&["history", "S-9", "--all-fields", "--format", "json"]).success().json();
    let mut lines: Vec<&str> =
        history["changes"].as_array().unwrap().iter().map(|c| c["description"].as_str().unwrap()).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "S-3 created: Story number 3",
            "S-3 entered the backlog at 3rd",
            "S-3 moved from 3rd to 1st",
            "S-3 priority: medium -> high",
            "S-9 renumbered from S-3"
        ]
    );
}

#[test]
fn a_diff_across_a_merge_of_colliding_ids_tells_each_file_apart() {
    let t = colliding_ids();
    let body = |args: &[&str]| t.pm(args).success().lines()[1..].join("\n");
    assert_eq!(body(&["diff", "HEAD^1", "HEAD"]), "  S-2 created: Bob's story");
    assert_eq!(body(&["diff", "HEAD^2", "HEAD"]), "  S-2 created: Ann's story");
    let history = t.pm(&["history", "--all-fields", "--format", "json"]).success().json();
    let mut created: Vec<String> = history["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "created" && c["id"] == "S-2")
        .map(|c| format!("{}: {}", c["author"].as_str().unwrap(), c["title"].as_str().unwrap()))
        .collect();
    created.sort();
    assert_eq!(created, ["Bob: Bob's story", "Test User: Ann's story"]);
}

#[test]
fn the_backlog_of_colliding_ids_shows_both_stories_and_points_at_renumber() {
    let t = colliding_ids();
    let run = t.pm(&["backlog", "--format", "ids"]);
    assert_eq!(run.stdout, "S-1\nS-2\nS-2\n");
    assert_eq!(
        run.stderr,
        "warning: S-2 is the ID of 2 files: product/stories/S-2-ann-s-story.md:2, product/stories/S-2-bob-s-story.md:2; `pm renumber S-2 NEW --file product/stories/S-2-bob-s-story.md` gives one a new ID\n"
    );
}

#[test]
fn prose_and_criterion_conflicts_resolved_in_the_merge_are_in_the_history_at_the_merge() {
    let (t, merge) = two_branches(
        |t| {
            let text = t.read(S3).replace("## Acceptance criteria", "For Ann.\n\n## Acceptance criteria");
            t.write(S3, &text.replace("Given one, then two", "Given one, then two (Ann)"));
        },
        |t| {
            let text = t.read(S3).replace("## Acceptance criteria", "For Bob.\n\n## Acceptance criteria");
            t.write(S3, &text.replace("Given one, then two", "Given one, then two (Bob)"));
        },
    );
    assert_eq!(merge.code, 1);
    t.git(&["checkout", "--ours", S3]);
    t.git(&["add", "-A"]);
    t.git(&["-c", "user.name=Sam", "commit", "-qm", "Merge b: Ann's words"]);
    let history = t.pm(&["history", "S-3", "--all-fields", "--format", "json"]).success().json();
    let at_merge: Vec<&str> = history["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["author"] == "Sam")
        .map(|c| c["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        at_merge,
        ["S-3 AC-1 reworded: \"Given one, then two (Bob)\" -> \"Given one, then two (Ann)\"", "S-3 description edited"]
    );
}

/// `pm history ARGS` as "author: description" lines, from its JSON.
fn authored_history(t: &Test, args: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    t.pm(&all).success().json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}: {}", c["author"].as_str().unwrap(), c["description"].as_str().unwrap()))
        .collect()
}

/// The history of S-3 after one of two S-2 stories became S-3: its own file's life, then the
/// renumber (by the test's committer).
fn life_renumbered_to_s3(by: &str, title: &str) -> Vec<String> {
    vec![
        format!("{by}: S-2 created: {title}"),
        format!("{by}: S-2 entered the backlog at 2nd"),
        "Test User: S-3 renumbered from S-2".to_string(),
    ]
}

#[test]
fn score_inputs_estimated_on_two_branches_merge_into_one_score() {
    let scored = |t: &Test| {
        let config = t.read("product/pm.yaml").replace("scoring: {}", "scoring:\n  model: rice");
        t.write("product/pm.yaml", &config);
    };
    let (t, merge) = two_branches(
        |t| {
            scored(t);
            t.pm(&["story", "set", "S-3", "reach=400", "impact=2"]).success();
        },
        |t| {
            scored(t);
            t.pm(&["story", "set", "S-3", "confidence=50", "effort=2"]).success();
            t.pm(&["story", "set", "S-1", "reach=10", "impact=1", "confidence=100", "effort=1"]).success();
            t.pm(&["rank", "--by", "score"]).success();
        },
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    let s3 = t.read(S3);
    for line in ["reach: 400\n", "impact: 2\n", "confidence: 50\n", "effort: 2\n"] {
        assert!(s3.contains(line), "{line:?} lost in the merge:\n{s3}");
    }
    t.pm(&["score", "S-3"]).success().stdout_has("200");
    t.pm(&["check"]).success();
}
