//! The benchmark corpus generator (examples/gen-product.rs) makes folders and histories that
//! `pm` reads, the same ones for the same seed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::Test;

/// The generator's binary, built by `cargo test` with the other examples (built here if a
/// narrower `cargo test` invocation skipped it).
fn generator() -> PathBuf {
    let pm = PathBuf::from(env!("CARGO_BIN_EXE_pm"));
    let exe = pm.parent().unwrap().join("examples").join(format!("gen-product{}", std::env::consts::EXE_SUFFIX));
    if !exe.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--example", "gen-product"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the gen-product example failed");
    }
    exe
}

fn generate(out: &Path, args: &[&str]) {
    let out_arg = out.to_str().unwrap();
    let run = Command::new(generator()).args(args).arg(out_arg).output().expect("gen-product runs");
    assert!(run.status.success(), "gen-product {args:?} failed: {}", String::from_utf8_lossy(&run.stderr));
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(dir).output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const SMALL: [&str; 8] = ["--stories", "30", "--epics", "5", "--commits", "20", "--seed", "1"];

#[test]
fn history_is_checked_out_and_pm_reads_it() {
    let t = Test::without_git();
    let repo = t.path("corpus");
    generate(&repo, &SMALL);

    assert_eq!(git(&repo, &["rev-list", "--count", "HEAD"]).trim(), "20");
    assert_eq!(git(&repo, &["status", "--porcelain"]), "", "the working tree is HEAD, checked out once");
    let authors = git(&repo, &["log", "--format=%an"]);
    let mut distinct: Vec<&str> = authors.lines().collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(distinct.len() >= 3, "several authors: {distinct:?}");
    let dates: Vec<i64> =
        git(&repo, &["log", "--reverse", "--format=%at"]).lines().map(|l| l.parse().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "dates increase: {dates:?}");

    let stories = t.pm_in("corpus", &["story", "list", "--format", "json"]).success().json();
    let stories = stories.as_array().unwrap();
    assert_eq!(stories.len(), 30);
    for s in stories {
        assert!(s["criteria"]["total"].as_u64().unwrap() >= 1, "every story has a criterion: {s}");
    }
    let open = stories.iter().filter(|s| !matches!(s["status"].as_str(), Some("done" | "dropped"))).count();
    let backlog = t.pm_in("corpus", &["backlog"]).success();
    let listed: Vec<&str> = backlog
        .lines()
        .into_iter()
        .filter(|l| l.split_whitespace().nth(1).is_some_and(|id| id.starts_with("S-")))
        .collect();
    assert_eq!(listed.len(), open, "every open story is in the backlog once:\n{}", backlog.stdout);
    t.pm_in("corpus", &["roadmap"]).success().stdout_has("Now").stdout_has("E-");
}

#[test]
fn same_seed_same_history() {
    let t = Test::without_git();
    generate(&t.path("a"), &SMALL);
    generate(&t.path("b"), &SMALL);
    assert_eq!(git(&t.path("a"), &["rev-parse", "HEAD"]), git(&t.path("b"), &["rev-parse", "HEAD"]));
    let mut other = SMALL;
    other[7] = "2";
    generate(&t.path("c"), &other);
    assert_ne!(git(&t.path("a"), &["rev-parse", "HEAD"]), git(&t.path("c"), &["rev-parse", "HEAD"]));
}

#[test]
fn branches_each_add_one_story() {
    let t = Test::without_git();
    let repo = t.path("corpus");
    generate(&repo, &["--stories", "30", "--epics", "5", "--commits", "20", "--branches", "3"]);
    let branches = git(&repo, &["for-each-ref", "--format=%(refname:short)", "refs/heads/"]);
    assert_eq!(branches.lines().count(), 4, "{branches}");
    for b in branches.lines().filter(|b| *b != "main") {
        let added = git(&repo, &["diff", "--name-status", &format!("{b}~1"), b]);
        assert_eq!(added.lines().filter(|l| l.starts_with("A\tproduct/stories/S-")).count(), 1, "{b}: {added}");
    }
    // pm allocates past the branches' stories.
    t.pm_in("corpus", &["story", "add", "One more", "--epic", "E-1"]).success().stdout_has("S-34");
}

#[test]
fn without_commits_only_the_folder_is_written() {
    let t = Test::without_git();
    generate(&t.path("plain"), &["--stories", "30", "--epics", "5", "--commits", "0"]);
    assert!(!t.exists("plain/.git"));
    assert!(t.exists("plain/product/backlog.md") && t.exists("plain/product/roadmap.md"));
    let stories = t.pm_in("plain", &["story", "list", "--format", "json"]).success().json();
    assert_eq!(stories.as_array().unwrap().len(), 30);
}
