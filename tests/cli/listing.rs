//! `list`, `show`, `backlog`, `roadmap` on the bundled example, in every format.

use crate::harness::Test;

#[test]
fn backlog_lists_open_stories_in_order_with_vital_signs() {
    let t = Test::with_example();
    t.pm(&["backlog", "--limit", "3"]).success().stdout_is(
        "\
RANK  ID    TITLE                                         PRIORITY  POINTS  STATUS       EPIC  SPRINT  AC   FEEDBACK
1     S-16  Connect a bank account via Open Banking       critical  13      in-progress  E-3   SP-3    2/5
2     S-8   Split an expense by custom percentages        high      5       in-progress  E-2   SP-3    2/4  1
3     S-17  Detect duplicate transactions across imports  high      5       in-progress  E-3   SP-3    2/4  1 (2)
",
    );
}

#[test]
fn backlog_json_and_csv() {
    let t = Test::with_example();
    let json = t.pm(&["backlog", "--format", "json"]).success().json();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 21);
    assert_eq!(items[0]["id"], "S-16");
    assert_eq!(items[0]["rank"], 1);
    assert_eq!(items[0]["criteria"]["total"], 5);
    assert_eq!(items[0]["fields"]["jira"], "TND-482");
    let csv = t.pm(&["backlog", "--format", "csv", "--limit", "1"]).success();
    csv.stdout_is(
        "RANK,ID,TITLE,PRIORITY,POINTS,STATUS,EPIC,SPRINT,AC,FEEDBACK\n1,S-16,Connect a bank account via Open Banking,critical,13,in-progress,E-3,SP-3,2 of 5,\n",
    );
}

#[test]
fn story_list_filters_and_orders_by_backlog() {
    let t = Test::with_example();
    let ids = t.pm(&["story", "list", "--status", "in-progress", "--format", "ids"]).success();
    assert_eq!(ids.stdout, "S-16\nS-8\nS-17\nS-9\n");
    let done = t.pm(&["story", "list", "--status", "done", "--format", "ids"]).success();
    assert_eq!(done.lines().len(), 8);
    let open = t.pm(&["story", "list", "--open", "--format", "ids"]).success();
    assert_eq!(open.lines().len(), 21);
    let e1 = t.pm(&["story", "list", "--epic", "E-1", "--format", "json"]).success().json();
    assert!(e1.as_array().unwrap().iter().all(|s| s["epic"] == "E-1" && s["rank"].is_null()));
    t.pm(&["story", "list", "--priority", "urgent"]).code(2).stderr_has("unknown priority");
}

#[test]
fn show_prints_fields_criteria_and_links_both_ways() {
    let t = Test::with_example();
    t.pm(&["story", "show", "S-16"])
        .success()
        .stdout_has("S-16 Connect a bank account via Open Banking")
        .stdout_has("jira:       TND-482")
        .stdout_has("rank:       1 in backlog")
        .stdout_has("epic        E-3 Bank sync and transaction import (active)")
        .stdout_has("vision      V-1")
        .stdout_has("needed by   S-17")
        .stdout_has("Acceptance criteria (2/5 accepted)")
        .stdout_has("  [x] AC-1: Given I tap");
    let json = t.pm(&["epic", "show", "E-3", "--format", "json"]).success().json();
    assert_eq!(json["horizon"], "Now");
    assert_eq!(json["links"]["up"][0]["id"], "V-1");
    assert!(json["links"]["down"].as_array().unwrap().iter().any(|l| l["id"] == "S-16"));
    t.pm(&["vision", "show", "V-1"]).success().stdout_has("Metrics").stdout_has("target");
}

#[test]
fn roadmap_groups_epics_by_horizon_with_progress() {
    let t = Test::with_example();
    let run = t.pm(&["roadmap"]).success();
    assert!(run.stdout.starts_with("Now\n  E-2 "), "{}", run.stdout);
    assert!(run.stdout.contains("\nNext\n  E-4 "));
    let json = t.pm(&["roadmap", "--format", "json"]).success().json();
    assert_eq!(json[0]["horizon"], "Now");
    assert_eq!(json[0]["epics"][0]["id"], "E-2");
    assert!(json[0]["epics"][0]["stories"]["total"].as_u64().unwrap() > 0);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let t = Test::with_example();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{} story list | head -1", env!("CARGO_BIN_EXE_pm")))
        .current_dir(t.root())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("RANK"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn works_from_a_subdirectory_and_with_dash_c() {
    let t = Test::with_example();
    std::fs::create_dir_all(t.path("src/deep")).unwrap();
    t.pm_in("src/deep", &["backlog", "--format", "ids", "--limit", "1"]).success().stdout_is("S-16\n");
    t.pm_in("product/stories", &["backlog", "--format", "ids", "--limit", "1"]).success().stdout_is("S-16\n");
    let other = Test::new();
    other
        .pm(&["-C", t.root().to_str().unwrap(), "backlog", "--format", "ids", "--limit", "1"])
        .success()
        .stdout_is("S-16\n");
}

#[test]
fn colour_is_off_when_piped_and_on_when_forced() {
    let t = Test::with_example();
    t.pm(&["story", "show", "S-1"]).success().stdout_lacks("\u{1b}[");
    let t = t.env("NO_COLOR", "");
    t.pm(&["--color", "always", "story", "show", "S-1"]).success().stdout_has("\u{1b}[");
}

#[test]
fn quiet_suppresses_confirmations() {
    let t = Test::with_example();
    t.pm(&["-q", "rank", "S-30", "--top"]).success().stdout_is("");
}

/// JSON is data: a DEL in a title (which JSON does not escape) reaches stdout in every JSON
/// output, where the terminal colour filter used to drop it from some of them.
#[test]
fn json_outputs_keep_every_character_of_a_title() {
    let t = Test::with_example();
    let rel = t.find("product/stories", "S-16-");
    let text = t.read(&rel).replace(
        "title: Connect a bank account via Open Banking",
        "title: \"Connect a\\x7fbank account via Open Banking\"",
    );
    t.write(&rel, &text);
    let title = "Connect a\u{7f}bank account via Open Banking";
    assert_eq!(t.pm(&["story", "show", "S-16", "--format", "json"]).success().json()["title"], title);
    assert_eq!(t.pm(&["story", "list", "--format", "json"]).success().json()[0]["title"], title);
    assert_eq!(t.pm(&["backlog", "--format", "json"]).success().json()[0]["title"], title);
}

#[test]
fn story_list_limit_keeps_the_first_in_backlog_order() {
    let t = crate::harness::Test::with_example();
    let all = t.pm(&["story", "list", "--format", "ids"]).success().stdout;
    let first: String = all.lines().take(3).map(|l| format!("{l}\n")).collect();
    t.pm(&["story", "list", "--format", "ids", "--limit", "3"]).success().stdout_is(&first);
    t.pm(&["epic", "list", "--format", "ids", "--limit", "1"]).success().stdout_is("E-1\n");
}

#[test]
fn json_paths_are_from_the_repository_root_wherever_pm_runs_as_in_check_and_diff() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Export to CSV"]).success();
    let path = "product/stories/S-1-export-to-csv.md";
    for dir in ["", "product", "product/stories"] {
        let shown = t.pm_in(dir, &["story", "show", "S-1", "--format", "json"]).success().json();
        assert_eq!(shown["path"], path, "from {dir:?}");
        let listed = t.pm_in(dir, &["story", "list", "--format", "json"]).success().json();
        assert_eq!(listed[0]["path"], path, "from {dir:?}");
        let checked = t.pm_in(dir, &["check", "--format", "json"]).code(1).json();
        assert_eq!(checked["findings"][0]["path"], path, "from {dir:?}");
    }
}

/// `pm backlog` in a real terminal (a pty from `script`): a terminal that reports no width or
/// fewer than 60 columns gets the aligned rows of a pipe, never a column per letter; a wide
/// one gets the header underlined and no line between rows.
#[test]
fn tables_in_a_terminal_fit_its_width_or_fall_back_to_plain_rows() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Connect a bank account via Open Banking", "--ac", "Given x, when y, then z"]).success();
    t.pm(&["story", "add", "Split by percentages", "--ac", "Given x, when y, then z"]).success();
    let in_terminal = |columns: &str| {
        let out = std::process::Command::new("script")
            .args(["-qec", &format!("{} backlog --color never", env!("CARGO_BIN_EXE_pm")), "/dev/null"])
            .current_dir(t.root())
            .env("COLUMNS", columns)
            .env("NO_COLOR", "1")
            .output()
            .expect("script (util-linux) runs");
        String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n")
    };
    let piped = t.pm(&["backlog"]).success().stdout;
    assert_eq!(
        piped,
        "RANK  ID   TITLE                                    PRIORITY  POINTS  STATUS  EPIC  AC\n\
         1     S-1  Connect a bank account via Open Banking                    draft         0/1\n\
         2     S-2  Split by percentages                                       draft         0/1\n"
    );
    assert_eq!(in_terminal("0"), piped);
    assert_eq!(in_terminal("59"), piped);
    let wide = in_terminal("120");
    let lines: Vec<&str> = wide.lines().collect();
    assert_eq!(lines.len(), 4, "{wide}");
    assert_eq!(lines[0], piped.lines().next().unwrap());
    assert!(lines[1].chars().all(|c| c == '─'), "{wide}");
    assert_eq!(lines[2..], piped.lines().collect::<Vec<_>>()[1..]);
}

/// A title with control characters (an escape sequence, a bell, a tab) is shown as visible
/// text in tables, piped or not: it can neither recolour the terminal nor break the columns.
#[test]
fn control_characters_in_titles_are_shown_not_sent_to_the_terminal() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Plain", "--ac", "Given x, when y, then z"]).success();
    t.write(
        "product/stories/S-2-evil.md",
        "---\nid: S-2\ntitle: \"evil \\e[31mRED\\a\\tend\"\nstatus: draft\n---\n\n## Acceptance criteria\n\n- [ ] AC-1: x\n",
    );
    t.pm(&["fmt"]).success();
    let out = t.pm(&["story", "list", "--format", "table"]).success().stdout;
    assert_eq!(
        out,
        "RANK  ID   TITLE                            PRIORITY  POINTS  STATUS  EPIC  OWNER  AC\n\
         1     S-1  Plain                                              draft                0/1\n\
         2     S-2  evil \\u{1b}[31mRED\\u{7}\\u{9}end                    draft                0/1\n"
    );
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\t'));
}
