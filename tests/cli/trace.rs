//! `pm trace` and the trace rules of `pm check`: references in the repository's files and test
//! results tied to criteria, coverage, and references that name nothing.

use crate::harness::Test;

const JUNIT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="unit">
    <testcase name="s_1_ac_2_rounds_down" classname="app::tests"><failure message="2 != 3"/></testcase>
    <testcase name="exports a row"><properties><property name="verifies" value="S-2/AC-1"/></properties></testcase>
  </testsuite>
</testsuites>
"#;

/// Three stories (S-3 lost its AC-2), code and tests that name them, a binary file, an
/// ignored folder and a mention inside product/ that do not count.
fn traced_repo() -> Test {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Splitting", "--vision", "V-1"]).success();
    t.pm(&[
        "story",
        "add",
        "Split equally",
        "--epic",
        "E-1",
        "--ac",
        "Given 10.00 and 3, then 3.34, 3.33, 3.33",
        "--ac",
        "Given a remainder, then the payer takes it",
    ])
    .success();
    t.pm(&["ac", "check", "S-1", "AC-1"]).success();
    t.pm(&[
        "story",
        "add",
        "Export to CSV",
        "--epic",
        "E-1",
        "--ac",
        "Given an expense, when I export, then it is a row",
    ])
    .success();
    t.pm(&["ac", "check", "S-2", "AC-1"]).success();
    t.pm(&["story", "add", "Undo", "--ac", "a", "--ac", "b", "--ac", "c"]).success();
    t.pm(&["ac", "rm", "S-3", "AC-2"]).success();
    t.write(
        "src/split.rs",
        "/// Shares in pence.\n// S-1/AC-1: the extra penny goes to the payer\npub fn split() {}\n",
    );
    t.write(
        "tests/split.rs",
        "#[test]\n// see S-1\nfn s_1_ac_2_rounds_down() {}\n// S-9/AC-1 and S-3/AC-2 and S-1/AC-7\n",
    );
    std::fs::create_dir_all(t.path("assets")).unwrap();
    t.write_bytes("assets/logo.png", b"\x89PNG\0\0S-1/AC-1");
    t.write(".gitignore", "ignored/\n");
    t.write("ignored/old.rs", "// S-1/AC-1\n");
    t.write("junit.xml", JUNIT);
    t
}

#[test]
fn trace_shows_each_criterion_with_its_places_and_tests() {
    let t = traced_repo();
    let run = t.pm(&["trace", "--junit", "junit.xml"]).success();
    assert_eq!(
        run.stdout,
        "CRITERION  ACCEPTED  REFS  TESTS    WHERE\n\
         S-1/AC-1   yes       1     not run  src/split.rs:2\n\
         S-1/AC-2   no        1     failed   tests/split.rs:3\n\
         S-2/AC-1   yes       0     passed   -\n\
         S-3/AC-1   no        0     not run  -\n\
         S-3/AC-3   no        0     not run  -\n\
         \n\
         Coverage: 3 of 5 criteria traced (60%), 1 with a passing test (20%), 1 failing\n  \
         (no epic): 0 of 2 criteria traced (0%), 0 with a passing test (0%), 0 failing\n  \
         E-1: 3 of 3 criteria traced (100%), 1 with a passing test (33%), 1 failing\n\
         2 files read, 1 skipped (binary, over 4 MiB or not UTF-8)\n"
    );
    assert_eq!(
        run.stderr,
        "warning: tests/split.rs:4: `S-9/AC-1` names no story (`pm story list` shows the stories; text that only looks like an ID: trace.exclude in pm.yaml)\n\
         warning: tests/split.rs:4: `S-3/AC-2` names a criterion removed from S-3 (S-3 has AC-1, AC-3; point the reference at one of them, or remove it)\n\
         warning: tests/split.rs:4: `S-1/AC-7` names no criterion of S-1 (S-1 has AC-1, AC-2; point the reference at one of them, or remove it)\n"
    );
}

/// A JUnit report in the tree is results, never references, whether or not it is given.
#[test]
fn a_report_in_the_tree_is_never_a_reference() {
    let t = traced_repo();
    let plain = t.pm(&["trace", "S-1"]).success().stdout;
    assert!(plain.contains("S-1/AC-2   no        1     -      tests/split.rs:3\n"), "{plain}");
    assert!(plain.ends_with("3 files read, 1 skipped (binary, over 4 MiB or not UTF-8)\n"), "{plain}");
}

#[test]
fn trace_json_and_markdown_carry_the_same_trace() {
    let t = traced_repo();
    let json = t.pm(&["trace", "S-1", "--junit", "junit.xml", "--format", "json"]).success().json();
    assert_eq!(json["stories"].as_array().unwrap().len(), 1);
    let s1 = &json["stories"][0];
    assert_eq!(s1["references"], serde_json::json!([{"path": "tests/split.rs", "line": 2}]));
    assert_eq!(
        s1["criteria"][1],
        serde_json::json!({"ac": "AC-2", "line": 11, "text": "Given a remainder, then the payer takes it", "checked": false,
            "references": [{"path": "tests/split.rs", "line": 3}],
            "tests": [{"test": "app::tests::s_1_ac_2_rounds_down", "report": "junit.xml", "outcome": "failed"}]})
    );
    assert_eq!(json["coverage"]["criteria"], 2);
    assert_eq!(json["files"], serde_json::json!({"read": 2, "skipped": 1}));
    assert_eq!(json["problems"].as_array().unwrap().len(), 3);
    let md = t.pm(&["trace", "S-1", "S-2", "--junit", "junit.xml", "--format", "markdown"]).success().stdout;
    assert_eq!(
        md,
        "**pm trace**: 3 of 3 criteria traced (100%), 1 with a passing test (33%), 1 failing.\n\n\
         | Criterion | Accepted | Tests | Referenced in |\n|---|---|---|---|\n\
         | S-1/AC-1 Given 10.00 and 3, then 3.34, 3.33, 3.33 | yes | not run | src/split.rs:2 |\n\
         | S-1/AC-2 Given a remainder, then the payer takes it | no | failed | tests/split.rs:3 |\n\
         | S-2/AC-1 Given an expense, when I export, then it is a row | yes | passed | - |\n"
    );
}

#[test]
fn trace_of_one_criterion_and_coverage_without_an_epic() {
    let t = traced_repo();
    t.pm(&["trace", "S-1/AC-2", "--junit", "junit.xml"]).success().stdout_is(
        "CRITERION  ACCEPTED  REFS  TESTS   WHERE\n\
         S-1/AC-2   no        1     failed  tests/split.rs:3\n\
         \n\
         Coverage: 1 of 1 criteria traced (100%), 0 with a passing test (0%), 1 failing\n  \
         E-1: 1 of 1 criteria traced (100%), 0 with a passing test (0%), 1 failing\n\
         2 files read, 1 skipped (binary, over 4 MiB or not UTF-8)\n",
    );
    // The story asked for whole as well: all of it.
    let json = t.pm(&["trace", "S-1/AC-2", "S-1", "S-3", "--format", "json"]).success().json();
    assert_eq!(json["stories"][0]["criteria"].as_array().unwrap().len(), 2);
    assert_eq!(
        json["coverage"]["epics"].as_array().unwrap().iter().map(|e| e["epic"].clone()).collect::<Vec<_>>(),
        [serde_json::Value::Null, serde_json::json!("E-1")],
        "a story without an epic is under null, as the story's own `epic`"
    );
    assert_eq!(json["stories"][1]["epic"], serde_json::Value::Null);
    t.pm(&["trace", "S-1/AC-9"]).code(2).stderr_is("error: S-1 has no AC-9\n  hint: S-1 has AC-1, AC-2\n");
}

#[test]
fn check_fails_on_references_that_name_nothing_and_on_accepted_criteria_whose_test_failed() {
    let t = traced_repo();
    let run = t.pm(&["check", "--format", "json"]).code(1).json();
    let found: Vec<String> = run["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "story/no-epic product/stories/S-3-undo.md:1 S-3 belongs to no epic",
            "trace/unknown-reference tests/split.rs:4 `S-9/AC-1` names no story",
            "trace/removed-criterion tests/split.rs:4 `S-3/AC-2` names a criterion removed from S-3",
            "trace/unknown-reference tests/split.rs:4 `S-1/AC-7` names no criterion of S-1",
        ]
    );
    // With the run's report, an accepted criterion whose test failed is an error too.
    t.write("junit.xml", &JUNIT.replace("s_1_ac_2_rounds_down", "s_1_ac_1_rounds_down"));
    let run = t.pm(&["check", "--junit", "junit.xml"]).code(1).stdout;
    assert!(
        run.contains("error[trace/failing]: S-1/AC-1 is accepted but its test failed: app::tests::s_1_ac_1_rounds_down\n  --> product/stories/S-1-split-equally.md:10:1\n"),
        "{run}"
    );
    // Accepted but named by nothing: off by default, on from pm.yaml.
    assert!(!run.contains("trace/accepted-untested"));
    let config = t.read("product/pm.yaml").replace("rules: {}", "rules:\n  trace/accepted-untested: warning");
    t.write("product/pm.yaml", &config);
    t.pm(&["ac", "check", "S-3", "AC-1"]).success();
    let run = t.pm(&["check", "--junit", "junit.xml"]).code(1).stdout;
    assert!(
        run.contains("warning[trace/accepted-untested]: S-3/AC-1 is accepted, but no file or test names it"),
        "{run}"
    );
    assert!(!run.contains("S-2/AC-1 is accepted, but"), "a passing test names S-2/AC-1");
    t.write("junit.xml", JUNIT);
}

#[test]
fn bad_reports_are_refused_with_their_line_and_the_files_are_chosen_by_pm_yaml() {
    let t = traced_repo();
    t.write("broken.xml", "<testsuites>\n  <testcase name='a'>\n</testsuite>\n");
    t.pm(&["trace", "--junit", "broken.xml"]).code(2).stderr_has("error: broken.xml:3: not valid XML");
    t.pm(&["check", "--junit", "missing.xml"]).code(2).stderr_has("missing.xml: cannot read");
    let config = t.read("product/pm.yaml").replace("  include: []\n", "  include: [\"src/**\"]\n");
    t.write("product/pm.yaml", &config);
    let run = t.pm(&["trace", "S-1"]).success();
    assert!(run.stdout.contains("S-1/AC-2   no        0     -      -\n"), "{}", run.stdout);
    assert_eq!(run.stderr, "", "tests/ is not read now");
    let config = t.read("product/pm.yaml").replace("  exclude: []\n", "  exclude: [\"src/**\"]\n");
    t.write("product/pm.yaml", &config);
    assert!(t.pm(&["trace"]).success().stdout.ends_with("0 files read\n"));
    let config = t.read("product/pm.yaml").replace("  exclude: [\"src/**\"]\n", "  exclude: [\"src/[\"]\n");
    t.write("product/pm.yaml", &config);
    t.pm(&["trace"]).code(2).stderr_has("trace.exclude: `src/[` is not a glob");
}

/// `pm check --changed-since` (the Action's changed-only) judges a reference in a file the
/// branch changed, ignores old ones elsewhere, and always counts a failing test.
#[test]
fn changed_since_keeps_new_bad_references_and_failing_tests() {
    let t = traced_repo();
    t.write("tests/split.rs", "#[test]\nfn s_1_ac_2_rounds_down() {}\n");
    t.write("docs/old.md", "The S-77 story was dropped long ago.\n");
    t.commit("base");
    t.git(&["branch", "base"]);
    t.write("src/split.rs", &format!("{}// S-88/AC-1 is the new rule\n", t.read("src/split.rs")));
    t.commit("a reference to a story that is not there");
    let found = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["check", "--format", "json", "--changed-since", "base"];
        args.extend_from_slice(extra);
        let run = t.pm(&args);
        assert!(run.code <= 1, "{}", run.stderr);
        run.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}:{}", f["rule"].as_str().unwrap(), f["path"].as_str().unwrap(), f["line"]))
            .collect()
    };
    assert_eq!(found(&[]), ["trace/unknown-reference src/split.rs:4"]);
    t.pm(&["check"]).code(1).stdout_has("`S-77` names no story");
    // The branch touched no story, but the accepted S-1/AC-1's test failed in this run.
    t.write("junit.xml", &JUNIT.replace("s_1_ac_2_rounds_down", "s_1_ac_1_rounds_down"));
    assert_eq!(
        found(&["--junit", "junit.xml"]),
        ["trace/failing product/stories/S-1-split-equally.md:10", "trace/unknown-reference src/split.rs:4"]
    );
}

#[test]
fn a_report_cut_off_by_a_killed_run_is_refused() {
    let t = traced_repo();
    t.write("cut.xml", "<testsuite><testcase name=\"s_1_ac_1\"><failure/></testcase>\n");
    t.pm(&["trace", "--junit", "cut.xml"])
        .code(2)
        .stderr_has("cut.xml:2: the report ends before its elements close: the test run was cut off while writing it");
}

#[test]
fn trace_json_into_a_closed_pipe_is_not_an_error() {
    let t = traced_repo();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pm"))
        .args(["trace", "--format", "json"])
        .current_dir(t.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn removing_a_criterion_that_files_still_name_warns_with_the_places() {
    let t = traced_repo();
    // AC-2 is S-1's highest: while a test names it, its number is not given again (AC-7, which
    // the test names though S-1 never had it, is no reason to skip AC-3 to AC-6).
    t.pm(&["ac", "rm", "S-1", "AC-2"]).success().stdout_is("Removed S-1/AC-2\n").stderr_is(
        "warning: S-1/AC-2 is still named in tests/split.rs:3; change or remove those references: \
         pm check reports them (trace/removed-criterion)\n",
    );
    t.pm(&["ac", "add", "S-1", "Given a new rule"])
        .success()
        .stdout_is("Added S-1/AC-3\nSkipped AC-2: still named in tests/split.rs:3\n")
        .stderr_is_empty();
    // AC-1 is below the highest (the ignored folder and the binary file do not count).
    t.pm(&["ac", "rm", "S-1", "AC-1"]).success().stdout_is("Removed S-1/AC-1\n").stderr_is(
        "warning: S-1/AC-1 is still named in src/split.rs:2; change or remove those references: \
         pm check reports them (trace/removed-criterion)\n",
    );
    // Nothing names S-2/AC-1: no warning.
    t.pm(&["ac", "rm", "S-2", "AC-1"]).success().stderr_is_empty();
}

#[test]
fn a_story_whose_file_does_not_read_is_told_once_not_at_every_reference() {
    let t = traced_repo();
    let s1 = t.find("product/stories", "S-1");
    t.write(&s1, &t.read(&s1).replace("title: Split equally", "title: [Split equally"));
    // The others are traced; what S-1's references name cannot be known, so none is judged.
    t.pm(&["trace"])
        .code(2)
        .stdout_is(
            "CRITERION  ACCEPTED  REFS  TESTS  WHERE\n\
             S-2/AC-1   yes       0     -      -\n\
             S-3/AC-1   no        0     -      -\n\
             S-3/AC-3   no        0     -      -\n\
             \n\
             Coverage: 0 of 3 criteria traced (0%)\n  \
             (no epic): 0 of 2 criteria traced (0%)\n  \
             E-1: 0 of 1 criteria traced (0%)\n\
             3 files read, 1 skipped (binary, over 4 MiB or not UTF-8)\n",
        )
        .stderr_is(
            "warning: tests/split.rs:4: `S-9/AC-1` names no story (`pm story list` shows the stories; text that only looks like an ID: trace.exclude in pm.yaml)\n\
             warning: tests/split.rs:4: `S-3/AC-2` names a criterion removed from S-3 (S-3 has AC-1, AC-3; \
             point the reference at one of them, or remove it)\n\
             error: product/stories/S-1-split-equally.md:3: invalid YAML in front matter: the `[` at column 8 is \
             never closed (did not find expected ',' or ']')\n  \
             hint: close it on the same line, or put the whole value in quotes\n",
        );
    let check = t.pm(&["check", "--format", "json"]).code(1).json();
    let rules: Vec<&str> = check["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        ["parse/front-matter", "story/no-epic", "trace/unknown-reference", "trace/removed-criterion"],
        "{check}"
    );
    // A broken copy beside a story that reads hides nothing: S-1/AC-7 names no criterion.
    t.write(&s1, &t.read(&s1).replace("title: [Split equally", "title: Split equally"));
    t.write("product/stories/S-1-copy.md", "---\nid: S-1\ntitle: [broken\n---\n");
    let run = t.pm(&["trace", "--format", "json"]).code(2).json();
    let problems: Vec<&str> =
        run["problems"].as_array().unwrap().iter().map(|p| p["reference"].as_str().unwrap()).collect();
    assert_eq!(problems, ["S-9/AC-1", "S-3/AC-2", "S-1/AC-7"]);
}

#[test]
fn a_story_at_the_last_criterion_number_gets_no_new_one() {
    let t = traced_repo();
    let s2 = t.find("product/stories", "S-2");
    t.write(&s2, &t.read(&s2).replace("AC-1:", "AC-4294967295:"));
    let before = t.snapshot();
    t.pm(&["ac", "add", "S-2", "Given more"]).code(2).stderr_is(
        "error: S-2 has no criterion number left above its highest\n  \
         hint: give its criteria lower numbers by hand: pm story edit S-2\n",
    );
    assert_eq!(t.snapshot(), before);
}
