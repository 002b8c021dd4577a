//! `pm report`: the stakeholder update of the example history against golden files, the HTML
//! parsed as a browser parses it, the stand-up window, the job summary, escaping and bad input.

use crate::harness::{Test, golden, parse_html, tandem_history_on};

fn tandem() -> Test {
    tandem_history_on("2024-05-03")
}

#[test]
fn the_report_of_a_period_matches_its_golden_files() {
    let t = tandem();
    let period = ["report", "--since", "2024-01-16", "--until", "2024-04-12"];
    let run = |format: &str| {
        let mut args = period.to_vec();
        args.extend(["--format", format]);
        t.pm_in("tandem", &args).success().stdout
    };
    golden("tests/fixtures/report/period.md", &run("markdown"));
    golden("tests/fixtures/report/period.json", &run("json"));
    let html = run("html");
    golden("tests/fixtures/report/period.html", &html);
    let page = parse_html(&html);
    assert_eq!(page.errors, Vec::<String>::new());
    assert!(page.text.contains("S-8 Connect a bank account via Open Banking entered at 1st"), "{}", page.text);
    assert!(!page.elements.iter().any(|(name, _)| name == "script" || name == "link" || name == "img"));
}

/// `--since 1d`: what moved since yesterday, by whom; a period with nothing in it says so.
#[test]
fn the_stand_up_view_and_a_quiet_period() {
    let t = tandem();
    t.pm_in("tandem", &["report", "--since", "1d"]).success().stdout_is(
        "## Tandem: 2024-05-02 to 2024-05-03\n\n\
         0 stories finished (0 points), 0 stories moved in the backlog, 0 items new; 1 commit by Maya.\n\n\
         ### Metrics\n\n\
         - Weekly active households (V-1): 610 (target 2000) \u{2192} 580 (target 2500)\n\
         - Median minutes to settle up each month (V-1): 19 (target 5) \u{2192} 15 (target 5)\n",
    );
    t.pm_in("tandem", &["report", "--since", "2024-02-01", "--until", "2024-02-04"]).success().stdout_is(
        "## Tandem: 2024-02-01 to 2024-02-04\n\n\
         0 stories finished (0 points), 0 stories moved in the backlog, 0 items new; no commit.\n\n\
         Nothing was finished, moved or added in that time.\n",
    );
    // In GitHub Actions the Markdown also goes to the job's summary.
    let summary = t.path("summary.md");
    let out = t
        .pm_env(&["-C", "tandem", "report", "--since", "1w"], &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())])
        .success()
        .stdout;
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), format!("{out}\n"));
}

#[test]
fn user_text_in_a_report_is_escaped_for_its_format() {
    let t = Test::new();
    t.pm(&["init", "--name", "Shop"]).success();
    t.pm(&["story", "add", "Pay *now* <script>x</script> [link](http://e.x) @team", "--points", "2"]).success();
    t.pm(&["story", "add", "Second"]).success();
    t.commit_dated("Two stories", "2024-03-01T10:00:00Z", &[]);
    t.pm(&["rank", "S-2", "--top"]).success();
    t.commit_dated("Second <b>first</b> & *now*", "2024-03-02T10:00:00Z", &[]);
    let env = [("PM_TODAY", "2024-03-02"), ("TZ", "UTC")];
    let md = t.pm_env(&["report", "--since", "2024-03-02"], &env).success().stdout;
    assert!(
        md.contains("- **S-2** Second up from 2nd to 1st (Test User: “Second \\<b>first\\</b> \\& \\*now\\*”)"),
        "{md}"
    );
    let md = t.pm_env(&["report", "--since", "2024-03-01"], &env).success().stdout;
    assert!(
        md.contains("**S-1** Pay \\*now\\* \\<script>x\\</script> \\[link\\](http://e.x) @\u{200B}team (story"),
        "{md}"
    );
    let html = t.pm_env(&["report", "--since", "2024-03-01", "--format", "html"], &env).success().stdout;
    let page = parse_html(&html);
    assert_eq!(page.errors, Vec::<String>::new());
    assert!(!page.elements.iter().any(|(name, _)| name == "script" || name == "b"), "{html}");
    assert!(page.text.contains("S-1 Pay *now* <script>x</script> [link](http://e.x) @team"), "{}", page.text);
}

#[test]
fn bad_periods_and_no_history() {
    let t = tandem();
    t.pm_in("tandem", &["report", "--since", "soon"])
        .code(2)
        .stderr_is(
            "error: --since `soon` is not a date or a window\n  hint: 1d (yesterday on), 1w, 2w or 1m (the days ending on the last), or a date (YYYY-MM-DD, 3 weeks ago)\n",
        );
    // Not a panic on a multi-byte last character.
    t.pm_in("tandem", &["report", "--since", "3€"]).code(2).stderr_has("error: --since `3€` is not a date or a window");
    // A window counts back from --until, and 1w is seven days.
    let week =
        t.pm_in("tandem", &["report", "--until", "2024-03-20", "--since", "1w", "--format", "json"]).success().json();
    assert_eq!((week["from"].as_str(), week["to"].as_str()), (Some("2024-03-14"), Some("2024-03-20")));
    t.pm_in("tandem", &["report", "--since", "2024-04-01", "--until", "2024-03-01"])
        .code(2)
        .stderr_is("error: the period starts on 2024-04-01, after its end on 2024-03-01\n  hint: give --since a day before --until\n");
    let t = Test::new();
    t.pm(&["init", "--name", "Empty"]).success();
    t.pm(&["report"]).success().stdout_has("Nothing was finished, moved or added in that time.");
    let t = Test::without_git();
    t.pm(&["init", "--name", "Empty"]).success();
    t.pm(&["report"]).code(2).stderr_has("error: a report is read from git history, and there is none here");
}
