//! `pm chart`: each chart of the example history in each format against its golden file, the
//! SVG read back as XML, the bump chart's replayed ranks against the backlog read at each
//! commit, user text escaped in every sink, and what bad input gets.

use crate::harness::{Test, golden, tandem_history_on};

/// The day the example charts end on: the last commit of `examples/tandem-history.sh`.
const TODAY: &str = "2024-05-03";

fn tandem() -> Test {
    tandem_history_on(TODAY)
}

/// The charts of docs/charts.md: name, and the arguments after `pm chart`.
const CHARTS: [(&str, &[&str]); 5] = [
    ("priorities", &["priorities"]),
    ("burnup", &["burnup"]),
    ("burndown", &["burndown", "--sprint", "SP-2"]),
    ("flow", &["flow"]),
    ("metrics", &["metrics"]),
];

/// Text content of every element of an SVG document, which must parse as XML (entities
/// resolved: a text is what a reader sees).
fn svg_texts(svg: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut texts, mut text) = (Vec::new(), String::new());
    let mut depth = 0i32;
    let mut flush = |text: &mut String| {
        if !text.trim().is_empty() {
            texts.push(std::mem::take(text));
        }
        text.clear();
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                flush(&mut text);
                depth += 1
            }
            Ok(Event::End(_)) => {
                flush(&mut text);
                depth -= 1
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => match r.resolve_char_ref().unwrap() {
                Some(c) => text.push(c),
                None => text.push(match r.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("unknown entity &{other};"),
                }),
            },
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the SVG is not XML at {}: {e}\n{svg}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unbalanced SVG");
    texts
}

#[test]
fn every_chart_of_the_example_history_matches_its_golden_files() {
    let t = tandem();
    for (name, args) in CHARTS {
        let run = |format: &str| {
            let mut all: Vec<&str> = vec!["chart"];
            all.extend(args);
            all.extend(["--format", format]);
            t.pm_in("tandem", &all).success().stdout
        };
        golden(&format!("tests/fixtures/charts/{name}.txt"), &run("text"));
        golden(&format!("tests/fixtures/charts/{name}.json"), &run("json"));
        let svg = run("svg");
        golden(&format!("docs/img/{name}.svg"), &svg);
        if name != "priorities" {
            golden(&format!("tests/fixtures/charts/{name}.md"), &run("mermaid"));
        }
        // The SVG is XML, and names every story and series it draws.
        let texts = svg_texts(&svg).join("\n");
        let data: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
        for panel in data["panels"].as_array().unwrap() {
            for line in panel["lines"].as_array().into_iter().flatten() {
                let id = line["id"].as_str().unwrap();
                assert!(
                    texts.contains(&format!("{id} {}", line["title"].as_str().unwrap())),
                    "{name}: no label of {id}"
                );
            }
            for series in panel["series"].as_array().into_iter().flatten() {
                assert!(texts.contains(series["name"].as_str().unwrap()), "{name}: no legend of {series}");
            }
        }
    }
}

/// At every step of a bump chart, each line's rank is the story's place in the backlog that
/// `pm backlog --at` reads at that step's commit.
fn assert_ranks_are_the_backlog(t: &Test, sub: &str, bump: &serde_json::Value) {
    for (s, step) in bump["steps"].as_array().unwrap().iter().enumerate() {
        let commit = step["commit"].as_str().unwrap();
        let backlog = t.pm_in(sub, &["backlog", "--at", commit, "--format", "json"]).success().json();
        let order: Vec<&str> = backlog.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
        for line in bump["lines"].as_array().unwrap() {
            let id = line["id"].as_str().unwrap();
            let expected = order.iter().position(|x| *x == id).map(|p| p + 1);
            assert_eq!(line["ranks"][s].as_u64().map(|r| r as usize), expected, "{id} at {commit}");
        }
    }
}

/// The bump chart replays the walk's rank changes instead of reading each commit's backlog:
/// at every step, the ranks it shows are those `pm backlog --at` reads at that commit.
#[test]
fn bump_chart_ranks_are_the_backlog_at_each_commit() {
    let t = tandem();
    let data = t.pm_in("tandem", &["chart", "priorities", "--top", "50", "--format", "json"]).success().json();
    let bump = &data["panels"][0];
    let steps = bump["steps"].as_array().unwrap();
    assert!(steps.len() >= 10, "{} steps", steps.len());
    assert_ranks_are_the_backlog(&t, "tandem", bump);
}

/// Orders shuffled by hand, commit after commit: moves that leave some stories at their place
/// out of the longest run that kept its order (which the rank changes do not name) are
/// replayed exactly too.
#[test]
fn bump_chart_ranks_follow_shuffled_backlogs() {
    let t = Test::new();
    t.pm(&["init", "--name", "Shuffle"]).success();
    for n in 1..=8 {
        t.pm(&["story", "add", &format!("Story {n}")]).success();
    }
    t.commit("Eight stories");
    let lines: Vec<String> = t.read("product/backlog.md").lines().map(String::from).collect();
    let (head, mut entries): (Vec<String>, Vec<String>) = lines.into_iter().partition(|l| !l.starts_with("- ["));
    let mut seed = 7u64;
    for round in 0..12 {
        // A fixed pseudo-random shuffle (the same on every run).
        for i in (1..entries.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            entries.swap(i, (seed >> 33) as usize % (i + 1));
        }
        t.write("product/backlog.md", &format!("{}\n{}\n", head.join("\n"), entries.join("\n")));
        t.commit(&format!("Shuffle {round}"));
    }
    let data = t.pm(&["chart", "priorities", "--format", "json"]).success().json();
    let bump = &data["panels"][0];
    let steps = bump["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 13);
    assert_ranks_are_the_backlog(&t, "", bump);
}

#[test]
fn a_bump_chart_follows_given_stories_or_an_epics_ranks() {
    let t = tandem();
    let out = t.pm_in("tandem", &["chart", "priorities", "S-3", "S-6"]).success().stdout;
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("  S-")).collect();
    assert_eq!(rows.len(), 2, "{out}");
    // Among E-1's stories, S-3 was 3rd when the backlog began, and 1st once S-1 and S-2 left it.
    let data = t.pm_in("tandem", &["chart", "priorities", "--epic", "E-1", "--format", "json"]).success().json();
    assert_eq!(data["title"], "Backlog rank of the top 10 of E-1's stories");
    let lines = data["panels"][0]["lines"].as_array().unwrap();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S-1", "S-2", "S-3", "S-4"]);
    let s3 = &lines[2]["ranks"];
    assert_eq!(s3[0], 3);
    assert!(s3.as_array().unwrap().iter().any(|r| r == 1), "{s3}");
    t.pm_in("tandem", &["chart", "priorities", "S-99"])
        .success()
        .stderr_is("warning: S-99 has no backlog rank on record in that time\n");
    t.pm_in("tandem", &["chart", "priorities", "--format", "mermaid"])
        .code(2)
        .stderr_has("error: Mermaid has no chart of the priorities kind");
}

#[test]
fn a_window_and_a_sprint_narrow_the_charts() {
    let t = tandem();
    let data =
        t.pm_in("tandem", &["chart", "priorities", "--since", "2024-03-01", "--format", "json"]).success().json();
    let steps = data["panels"][0]["steps"].as_array().unwrap();
    assert_eq!(steps[0]["summary"], "before the window");
    assert_eq!(steps[0]["day"], "2024-03-01");
    assert_eq!(steps[1]["day"], "2024-03-04");
    let data =
        t.pm_in("tandem", &["chart", "burnup", "--sprint", "SP-1", "--count", "--format", "json"]).success().json();
    let series = &data["panels"][0]["series"];
    let days = data["panels"][0]["days"].as_array().unwrap();
    let at = |day: &str, s: usize| {
        let i = days.iter().position(|d| d == day).unwrap();
        series[s]["values"][i].as_f64().unwrap()
    };
    // Sprint 1 held three stories; two were done when it closed, and one was carried out.
    assert_eq!((at("2024-03-20", 0), at("2024-03-20", 1)), (2.0, 3.0));
    assert_eq!((at("2024-03-25", 0), at("2024-03-25", 1)), (2.0, 2.0));
    assert_eq!(data["title"], "Burnup of SP-1's stories (stories)");
}

/// A title is user text: escaped in the SVG (which stays XML), the Mermaid labels, the text
/// drawing and the JSON, wherever it appears.
#[test]
fn user_text_is_escaped_in_every_format() {
    let t = Test::new();
    t.pm(&["init", "--name", "Tandem"]).success();
    let title = "\u{7}Fix </svg><script>alert(\"x\")</script> & more";
    // Typed by hand: pm refuses a control character in a title it is given.
    t.pm(&["story", "add", "Placeholder", "--points", "3"]).success();
    let file = t.find("product/stories", "S-1-");
    let text =
        t.read(&file).replace("title: Placeholder", "title: \"\\aFix </svg><script>alert(\\\"x\\\")</script> & more\"");
    t.write(&file, &text);
    t.commit("A story with markup in its title");
    t.pm(&["story", "add", "Second", "--top"]).success();
    t.commit("Another on top");
    let svg = t.pm(&["chart", "priorities", "--format", "svg"]).success().stdout;
    assert!(!svg.contains("<script") && !svg.contains('\u{7}'), "{svg}");
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|x| x == "S-1 Fix </svg><script>alert(\"x\")</script> & more"), "{texts:?}");
    let text = t.pm(&["chart", "priorities"]).success().stdout;
    assert!(text.contains("\\u{7}Fix </svg><script>") && !text.contains('\u{7}'), "{text}");
    let json = t.pm(&["chart", "priorities", "--format", "json"]).success().json();
    assert_eq!(json["panels"][0]["lines"][0]["title"], title);
    t.pm(&["sprint", "add", "Sprint \"1\" # ; `x` <b>", "--start", "2024-03-11", "--capacity", "8"]).success();
    t.pm(&["sprint", "plan", "SP-1", "S-1"]).success();
    t.commit("A sprint with markup in its title");
    let md = t
        .pm_env(&["chart", "burndown", "--sprint", "SP-1", "--format", "mermaid"], &[("PM_TODAY", "2024-03-12")])
        .success()
        .stdout;
    let first = md.lines().nth(2).unwrap();
    assert_eq!(
        first,
        "  title \"Burndown of SP-1 Sprint #quot;1#quot; #35; #59; #96;x#96; #lt;b#gt; (points). Lines: remaining (1st), ideal (2nd), scope (3rd)\""
    );
    let svg = t
        .pm_env(&["chart", "burndown", "--sprint", "SP-1", "--format", "svg"], &[("PM_TODAY", "2024-03-12")])
        .success()
        .stdout;
    assert!(svg_texts(&svg).iter().any(|x| x == "Burndown of SP-1 Sprint \"1\" # ; `x` <b> (points)"), "{svg}");
}

#[test]
fn an_empty_history_gives_an_empty_chart_with_a_sentence() {
    let t = Test::new();
    t.pm(&["init", "--name", "Tandem"]).success();
    t.pm(&["chart", "priorities"]).success().stdout_is(
        "Backlog rank of the top 10 of the backlog\n\nNo commit has touched the product yet: the chart starts with the first one.\n",
    );
    t.pm(&["chart", "flow"]).success().stdout_has("No story is on record in that time");
    let svg = t.pm(&["chart", "burnup", "--format", "svg"]).success().stdout;
    assert!(svg_texts(&svg).iter().any(|x| x.starts_with("No story is on record")), "{svg}");
    t.pm(&["chart", "metrics", "--format", "mermaid"])
        .success()
        .stdout_is("Metrics of the vision\n\nNo vision metric is on record: give the vision \\`metrics\\` with a name and a target.\n");
    let t = Test::without_git();
    t.pm(&["init", "--name", "Tandem"]).success();
    t.pm(&["chart", "flow"]).code(2).stderr_has("error: charts are drawn from git history, and there is none here");
}

/// `-o` replaces the file whole or leaves everything as it was: a missing folder is refused
/// before anything is written, a place that cannot be written fails with its path, and no
/// temporary file stays behind.
#[test]
fn writing_a_chart_to_a_file() {
    let t = tandem();
    t.pm_in("tandem", &["chart", "flow", "-o", "flow.svg"]).success().stdout_is("Wrote flow.svg\n");
    let svg = t.read("tandem/flow.svg");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    t.pm_in("tandem", &["-q", "chart", "burnup", "-o", "burnup.md"]).success().stdout_is("");
    assert!(t.read("tandem/burnup.md").starts_with("```mermaid\n"));
    t.pm_in("tandem", &["chart", "burnup", "-o", "data.json", "--count"]).success();
    assert_eq!(t.read("tandem/data.json").lines().next(), Some("{"));
    let before = t.snapshot();
    t.pm_in("tandem", &["chart", "flow", "-o", "charts/flow.svg"])
        .code(2)
        .stderr_is("error: cannot write charts/flow.svg: the folder charts does not exist\n  hint: create it first: mkdir -p charts\n");
    let run = t.pm_in("tandem", &["chart", "flow", "-o", "/proc/pm-chart.svg"]);
    assert!(run.code == 3 || run.code == 2, "{run:?}");
    assert!(run.stderr.contains("/proc/pm-chart.svg"), "{}", run.stderr);
    assert_eq!(t.snapshot(), before);
    t.pm_in("tandem", &["chart", "priorities", "--top", "0"]).code(2).stderr_has("error: --top must be at least 1");
    t.pm_in("tandem", &["chart", "burnup", "--epic", "E-9"]).code(2).stderr_has("E-9");
    t.pm_in("tandem", &["chart", "flow", "--since", "someday"])
        .code(2)
        .stderr_has("error: --since `someday` is not a date");
}

/// Many steps are grouped by day, then by week, so a long history stays readable: the last
/// state of each group is kept.
#[test]
fn a_long_history_is_grouped_into_days_then_weeks() {
    let t = Test::new();
    t.pm(&["init", "--name", "Churn"]).success();
    for n in 1..=4 {
        t.pm(&["story", "add", &format!("Story {n}")]).success();
    }
    // 70 reorders over 70 days: more steps than a chart draws one by one.
    for day in 0..70u32 {
        let id = format!("S-{}", 1 + day % 4);
        t.pm(&["rank", &id, "--top"]).success();
        let date = jiff::civil::date(2024, 1, 1).checked_add(jiff::Span::new().days(i64::from(day))).unwrap();
        t.commit_dated(&format!("Reorder {day}"), &format!("{date}T10:00:00Z"), &[]);
    }
    let data = t.pm_env(&["chart", "priorities", "--format", "json"], &[("TZ", "UTC")]).success().json();
    let steps = data["panels"][0]["steps"].as_array().unwrap();
    assert!(steps.len() <= 60 && steps.len() >= 10, "{} steps", steps.len());
    let last = steps.last().unwrap();
    assert!(last["commits"].as_u64().unwrap() > 1, "{last}");
    // The last group ends with the last reorder: S-2 on top (day 69 moved S-2).
    let lines = data["panels"][0]["lines"].as_array().unwrap();
    let s2 = lines.iter().find(|l| l["id"] == "S-2").unwrap();
    assert_eq!(s2["ranks"].as_array().unwrap().last().unwrap(), 1);
}

/// A renumbered story is one story: one line in the bump chart under its new ID, and one move
/// in the report (its rank before the period was under its old ID).
#[test]
fn a_renumbered_story_keeps_its_line_and_its_move() {
    let t = Test::new();
    t.pm(&["init", "--name", "Renumbered"]).success();
    for n in 1..=4 {
        t.pm(&["-q", "story", "add", &format!("Story {n}")]).success();
    }
    t.commit_dated("Four stories", "2024-01-01T10:00:00Z", &[]);
    t.pm(&["-q", "renumber", "S-3", "S-30"]).success();
    t.pm(&["-q", "rank", "S-30", "--top"]).success();
    t.commit_dated("S-3 is S-30 now, and first", "2024-01-02T10:00:00Z", &[]);
    let env = [("PM_TODAY", "2024-01-02"), ("TZ", "UTC")];
    let data = t.pm_env(&["chart", "priorities", "--format", "json"], &env).success().json();
    let lines = data["panels"][0]["lines"].as_array().unwrap();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S-1", "S-2", "S-30", "S-4"]);
    assert_eq!(lines[2]["ranks"], serde_json::json!([3, 1]));
    let md = t.pm_env(&["report", "--since", "2024-01-02"], &env).success().stdout;
    assert!(md.contains("- **S-30** Story 3 up from 3rd to 1st (Test User: “S-3 is S-30 now, and first”)"), "{md}");
}
