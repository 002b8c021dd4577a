//! IDs never collide: parallel adds, other branches, files made behind pm's back.

use crate::harness::Test;

#[test]
fn eight_parallel_adds_make_eight_ids_and_eight_backlog_lines() {
    let t = Test::initialized();
    let children: Vec<_> = (0..8)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_pm"))
                .args(["story", "add", &format!("Parallel story {i}")])
                .current_dir(t.root())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        assert!(c.wait_with_output().unwrap().status.success());
    }
    let ids = t.pm(&["backlog", "--format", "ids"]).success();
    let mut ids: Vec<u32> = ids.lines().iter().map(|l| l.trim_start_matches("S-").parse().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=8).collect::<Vec<_>>());
    assert_eq!(crate::harness::walk(&t.path("product/stories")).len(), 8);
}

#[test]
fn ids_in_other_branches_are_never_reused() {
    let t = Test::initialized();
    t.commit("init");
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.pm(&["story", "add", "On the feature branch"]).success().stdout_has("Created S-1");
    t.pm(&["story", "add", "Another"]).success().stdout_has("Created S-2");
    t.commit("feature stories");
    t.git(&["checkout", "-q", "main"]);
    assert!(!t.exists("product/stories/S-1-on-the-feature-branch.md"));
    t.pm(&["story", "add", "On main"]).success().stdout_has("Created S-3");
}

#[test]
fn remote_tracking_branches_count_too() {
    let origin = Test::initialized();
    origin.commit("init");
    origin.pm(&["story", "add", "Upstream"]).success();
    origin.commit("upstream story");
    let t = Test::without_merge_setup();
    t.git(&["remote", "add", "origin", origin.root().to_str().unwrap()]);
    t.git(&["fetch", "-q", "origin"]);
    t.git(&["checkout", "-q", "-b", "main", "origin/main"]);
    t.git(&["checkout", "-q", "-b", "mine"]);
    t.git(&["branch", "-D", "main"]);
    t.git(&["rm", "-q", "product/stories/S-1-upstream.md"]);
    t.write("product/backlog.md", "# Backlog\n\n");
    t.commit("drop it here");
    t.pm(&["story", "add", "Mine"]).success().stdout_has("Created S-2");
}

#[test]
fn a_file_created_behind_pms_back_is_never_overwritten() {
    let t = Test::initialized();
    t.write("product/stories/notes-S-1.md", "---\nid: S-1\ntitle: Named oddly\nstatus: draft\n---\n");
    t.pm(&["story", "add", "Next"]).success().stdout_has("Created S-2");
    assert!(t.read("product/stories/notes-S-1.md").contains("Named oddly"));
}

#[test]
fn works_outside_a_git_repository() {
    let t = Test::without_git();
    t.pm(&["init", "--name", "Loose"]).success();
    assert!(!t.exists(".git"));
    t.pm(&["story", "add", "Plain folder"]).success().stdout_has("Created S-1");
    t.pm(&["backlog", "--format", "ids"]).success().stdout_is("S-1\n");
}

#[test]
fn merging_two_branches_adding_stories_does_not_conflict() {
    let t = Test::initialized();
    t.commit("init");
    t.git(&["checkout", "-q", "-b", "a"]);
    t.pm(&["story", "add", "From A"]).success();
    t.commit("a");
    t.git(&["checkout", "-q", "main"]);
    t.git(&["checkout", "-q", "-b", "b"]);
    t.pm(&["story", "add", "From B"]).success().stdout_has("Created S-2");
    t.commit("b");
    t.git(&["merge", "-q", "--no-edit", "a"]);
    let backlog = t.read("product/backlog.md");
    assert!(backlog.contains("[S-1]") && backlog.contains("[S-2]") && !backlog.contains("<<<<"), "{backlog}");
}

#[test]
fn the_branch_id_cache_never_changes_the_answer() {
    let t = Test::initialized();
    t.commit("init");
    t.git(&["checkout", "-q", "-b", "feature"]);
    for title in ["One", "Two", "Three"] {
        t.pm(&["story", "add", title]).success();
    }
    t.commit("feature");
    t.git(&["checkout", "-q", "main"]);
    let undo = || {
        t.git(&["checkout", "-q", "--", "."]);
        t.git(&["clean", "-qfd", "product"]);
    };
    t.pm(&["story", "add", "On main"]).success().stdout_has("Created S-4");
    undo();
    let cache = t.path(".git/pm/ids-S.cache");
    let text = std::fs::read_to_string(&cache).expect("the cache is written");
    // Warm: the same answer.
    t.pm(&["story", "add", "On main"]).success().stdout_has("Created S-4");
    undo();
    // Damaged (every tree's number changed to 0, checksum left as it was): ignored, rebuilt.
    let zeroed: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { format!("{l}\n") } else { format!("{} 0\n", l.split(' ').next().unwrap()) })
        .collect();
    std::fs::write(&cache, zeroed).unwrap();
    t.pm(&["story", "add", "On main"]).success().stdout_has("Created S-4");
    undo();
    std::fs::remove_file(&cache).unwrap();
    t.pm(&["story", "add", "On main"]).success().stdout_has("Created S-4");
}

#[test]
fn a_command_waits_for_the_lock_another_process_holds_and_says_so() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Locked out"]).success();
    // Another process holds the product folder's lock until its stdin closes.
    let mut holder = std::process::Command::new("flock")
        .args(["product", "sh", "-c", "echo held; read _; true"])
        .current_dir(t.root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()), &mut line).unwrap();
    assert_eq!(line, "held\n");
    let pm = std::process::Command::new(env!("CARGO_BIN_EXE_pm"))
        .args(["story", "set", "S-1", "points=3"])
        .current_dir(t.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // It cannot finish while the lock is held: the file is unchanged.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!t.read("product/stories/S-1-locked-out.md").contains("points"));
    drop(holder.stdin.take());
    assert!(holder.wait().unwrap().success());
    let out = pm.wait_with_output().unwrap();
    assert!(out.status.success());
    let product = t.root().join("product").canonicalize().unwrap();
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("pm: waiting for another pm command to finish with {}\n", product.display())
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Updated S-1 (points: (none) -> 3)\n");
    assert!(t.read("product/stories/S-1-locked-out.md").contains("points: 3\n"));
}
