//! The documentation cannot rot: the README's tour runs, and the files it shows are the
//! files the tour produces.

use crate::harness::Test;

/// Split a command line the way a POSIX shell would for the simple quoting the docs use.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, ' ') => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The fenced block of `lang` that follows the first line containing `marker`.
fn block_after(text: &str, marker: &str, lang: &str) -> String {
    let start = text.find(marker).unwrap_or_else(|| panic!("README lacks {marker:?}"));
    let rest = &text[start..];
    // A block that shows a fence (a Mermaid block) is fenced with four backticks.
    let at = rest.find(&format!("```{lang}\n")).unwrap();
    let fence = if rest[..at].ends_with('`') { "````" } else { "```" };
    let open = at + lang.len() + 4;
    let close = rest[open..].find(&format!("\n{fence}\n")).unwrap();
    format!("{}\n", &rest[open..open + close])
}

#[test]
fn the_readme_tour_runs_and_shows_real_files() {
    let text = readme();
    let t = Test::new();
    let tour = block_after(&text, "## A quick tour", "console");
    let mut count = 0;
    for line in tour.lines().filter_map(|l| l.strip_prefix("$ ")) {
        let words = shell_words(line);
        assert_eq!(words[0], "pm", "{line}");
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        t.pm(&args).success();
        count += 1;
    }
    assert!(count >= 10, "the tour has {count} commands");
    let story = block_after(&text, "What the files look like", "markdown");
    assert_eq!(t.read("product/stories/S-1-split-an-expense-equally.md"), story);
    let backlog = block_after(&text, "and `product/backlog.md`", "markdown");
    assert_eq!(t.read("product/backlog.md"), backlog);
}

#[test]
fn the_readme_example_command_runs() {
    let text = readme();
    assert!(text.contains("cargo run --release -- -C examples/tandem backlog"));
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tandem");
    let t = Test::new();
    t.pm(&["-C", dir, "backlog"]).success().stdout_has("S-16");
}

/// Run the ```console session after `heading` in a doc: each `$ pm ...` (or `$ git ...`) line,
/// with what follows it up to the next command as its expected output (stdout, then stderr).
/// With PM_UPDATE_DOCS=1 the doc's session is rewritten with the real output instead.
fn doc_session(t: &Test, sub: &str, doc: &str, heading: &str) -> usize {
    let path = format!("{}/{doc}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let session = block_after(&text, heading, "console");
    let update = std::env::var_os("PM_UPDATE_DOCS").is_some();
    let mut lines = session.lines().peekable();
    let (mut count, mut actual) = (0, String::new());
    while let Some(line) = lines.next() {
        let command = line.strip_prefix("$ ").unwrap_or_else(|| panic!("not a command: {line:?}"));
        let mut expected = String::new();
        while let Some(next) = lines.peek().filter(|l| !l.starts_with("$ ")) {
            expected.push_str(next);
            expected.push('\n');
            lines.next();
        }
        let words = shell_words(command);
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let run = match words[0].as_str() {
            "pm" => t.pm_in(sub, &args),
            "git" if sub.is_empty() => t.git_try(&args),
            _ => panic!("not a pm or git command: {command}"),
        };
        // `pm check` exits 1 with findings: a doc may show that.
        let findings = command.starts_with("pm check") && run.code == 1;
        assert!(run.code == 0 || findings, "{command}: exit {}: {}", run.code, run.stderr);
        let got = format!("{}{}", run.stdout, run.stderr);
        if !update {
            assert_eq!(got, expected, "{command} (PM_UPDATE_DOCS=1 cargo test rewrites {doc})");
        }
        actual.push_str(&format!("{line}\n{got}"));
        count += 1;
    }
    if update && actual != session {
        let at = text.find(heading).unwrap();
        let fixed = format!("{}{}", &text[..at], text[at..].replacen(&session, &actual, 1));
        std::fs::write(&path, fixed).unwrap();
    }
    count
}

#[test]
fn the_sprints_doc_session_is_real_output() {
    let mut t = Test::new();
    t.set_env("PM_TODAY", "2026-12-02");
    assert!(doc_session(&t, "", "docs/sprints.md", "## A sprint from planning to close") >= 14);
}

#[test]
fn the_sprints_doc_history_session_is_real_output() {
    let mut t = Test::without_git();
    t.set_env("PM_TODAY", "2024-04-10");
    t.set_env("TZ", "UTC");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tandem-history.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .arg(t.path("tandem"))
        .env("PM", env!("CARGO_BIN_EXE_pm"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(doc_session(&t, "tandem", "docs/sprints.md", "## What history says"), 6);
}

#[test]
fn the_charts_doc_sessions_are_real_output() {
    let mut t = crate::harness::with_tandem_history();
    t.set_env("PM_TODAY", "2024-05-03");
    t.set_env("TZ", "UTC");
    for heading in [
        "## Priorities: a bump chart of the backlog",
        "## Burnup",
        "## Burndown",
        "## Cumulative flow",
        "## Metrics",
        "## In Markdown, with Mermaid",
        "## The stakeholder report",
        "`--since 1d` is the stand-up view",
    ] {
        assert_eq!(doc_session(&t, "tandem", "docs/charts.md", heading), 1, "{heading}");
    }
    // The Mermaid block is shown as output, and then as itself, for GitHub to render.
    let mermaid = t.pm_in("tandem", &["chart", "burnup", "--format", "mermaid"]).success().stdout;
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/charts.md")).unwrap();
    assert_eq!(doc.matches(&mermaid).count(), 2, "docs/charts.md shows the Mermaid block twice");
}

#[test]
fn the_merging_doc_session_is_real_output() {
    let t = Test::without_merge_setup();
    assert!(doc_session(&t, "", "docs/format.md", "## Merging") >= 15);
}

#[test]
fn the_trace_doc_sessions_are_real_output() {
    let t = Test::new();
    crate::harness::copy_dir(&crate::harness::example_dir().join(".."), t.root());
    t.commit("the example product with its code and tests");
    assert_eq!(doc_session(&t, "", "docs/trace.md", "## In the example product"), 1);
    assert_eq!(doc_session(&t, "", "docs/trace.md", "### One story's trace"), 1);
    assert_eq!(doc_session(&t, "", "docs/trace.md", "## In `pm check`"), 2);
}

#[test]
fn the_suspect_doc_session_is_real_output() {
    let mut t = Test::new();
    crate::harness::copy_dir(&crate::harness::example_dir().join(".."), t.root());
    t.commit_dated("the example product", "2026-11-20T10:00:00Z", &[]);
    for (k, v) in [("GIT_AUTHOR_DATE", "2026-11-30T10:00:00Z"), ("GIT_COMMITTER_DATE", "2026-11-30T10:00:00Z")] {
        t.set_env(k, v);
    }
    t.set_env("PM_TODAY", "2026-12-02");
    assert_eq!(doc_session(&t, "", "docs/trace.md", "## Suspect links and `pm review`"), 5);
}

#[test]
fn the_prioritise_doc_session_is_real_output() {
    let t = Test::new();
    crate::harness::copy_dir(&crate::harness::example_dir().join(".."), t.root());
    t.commit("the example product");
    assert_eq!(doc_session(&t, "", "docs/prioritise.md", "## In the example product"), 3);
    assert_eq!(doc_session(&t, "", "docs/prioritise.md", "## A refinement agenda"), 1);
    assert_eq!(doc_session(&t, "", "docs/prioritise.md", "## Customer feedback"), 3);
}

/// A new product with the exports of tests/fixtures/import beside it, as docs/import.md names them.
fn import_product() -> Test {
    let t = Test::initialized();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");
    std::fs::copy(format!("{fixtures}/github-issues.json"), t.path("issues.json")).unwrap();
    std::fs::copy(format!("{fixtures}/jira-export.csv"), t.path("jira.csv")).unwrap();
    crate::harness::copy_dir(std::path::Path::new(&format!("{fixtures}/backlog-md/backlog")), &t.path("backlog"));
    t.commit("a new product and the exports");
    t
}

#[test]
fn the_import_doc_sessions_are_real_output() {
    assert_eq!(doc_session(&import_product(), "", "docs/import.md", "## GitHub issues"), 3);
    assert_eq!(doc_session(&import_product(), "", "docs/import.md", "## Jira"), 1);
    assert_eq!(doc_session(&import_product(), "", "docs/import.md", "## Backlog.md"), 2);
}
