//! Regression tests, each named for the bug it guards (found in review and by new users).

use crate::harness::Test;

fn spawn_all(t: &Test, runs: Vec<Vec<String>>) {
    let children: Vec<_> = runs
        .into_iter()
        .map(|args| {
            std::process::Command::new(env!("CARGO_BIN_EXE_pm"))
                .args(&args)
                .current_dir(t.root())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        assert!(c.wait_with_output().unwrap().status.success());
    }
}

#[test]
fn criteria_ending_in_non_ascii_do_not_panic() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Émoji"]).success();
    t.pm(&["ac", "add", "S-1", "more 🎉 é"]).success();
    t.pm(&["ac", "check", "S-1", "AC-1"]).success();
    t.pm(&["story", "set", "S-1", "status=ready"]).success();
    t.pm(&["check"]).stdout_lacks("panicked");
    assert!(t.read("product/stories/S-1-moji.md").ends_with("- [x] AC-1: more 🎉 é\n"));
}

#[test]
fn parallel_adds_of_closed_stories_with_links_get_distinct_ids() {
    let t = Test::initialized();
    t.pm(&["epic", "add", "E"]).success();
    let runs = (0..12).map(|i| {
        ["story", "add", &format!("Done {i}"), "--epic", "E-1", "--status", "done"].map(String::from).to_vec()
    });
    spawn_all(&t, runs.collect());
    let names: Vec<String> = crate::harness::walk(&t.path("product/stories"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().split('-').take(2).collect::<Vec<_>>().join("-"))
        .collect();
    let unique: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!((names.len(), unique.len()), (12, 12), "{names:?}");
}

#[test]
fn parallel_edits_of_one_story_lose_nothing() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Busy"]).success();
    let mut runs: Vec<Vec<String>> =
        (0..8).map(|i| ["ac", "add", "S-1", &format!("Criterion {i}")].map(String::from).to_vec()).collect();
    runs.extend((0..6).map(|i| ["story", "set", "S-1", &format!("f{i}=v"), "--force"].map(String::from).to_vec()));
    spawn_all(&t, runs);
    let text = t.read("product/stories/S-1-busy.md");
    assert_eq!(text.matches("- [ ] AC-").count(), 8, "{text}");
    assert_eq!((0..6).filter(|i| text.contains(&format!("f{i}: v\n"))).count(), 6, "{text}");
}

#[test]
fn rank_of_the_only_story_does_not_move_its_line_below_notes() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Only"]).success();
    let backlog = "# Backlog\n\n- [S-1](stories/S-1-only.md) Only\n\n## Notes\n\nSome prose.\n";
    t.write("product/backlog.md", backlog);
    t.pm(&["rank", "S-1", "--top"]).success().stdout_has("stays at rank 1");
    assert_eq!(t.read("product/backlog.md"), backlog);
}

#[test]
fn roadmap_move_keeps_the_line_as_written() {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Alpha"]).success();
    t.write(
        "product/roadmap.md",
        "# Roadmap\n\n## Now\n\n## Next\n\n## Later\n\n* [E-1](epics/E-1-alpha.md) Alpha  <!-- owner: ann -->\n",
    );
    t.pm(&["roadmap", "move", "E-1", "now"]).success();
    assert_eq!(
        t.read("product/roadmap.md"),
        "# Roadmap\n\n## Now\n\n* [E-1](epics/E-1-alpha.md) Alpha  <!-- owner: ann -->\n\n## Next\n\n## Later\n\n"
    );
}

#[test]
fn unknown_fields_keep_their_quotes() {
    let t = Test::initialized();
    t.write("product/stories/S-1-q.md", "---\nid: S-1\ntitle: Q\nstatus: draft\njira: \"TND-1\"\n---\n");
    t.pm(&["story", "set", "S-1", "jira=TND-2"]).success();
    assert_eq!(t.read("product/stories/S-1-q.md"), "---\nid: S-1\ntitle: Q\nstatus: draft\njira: \"TND-2\"\n---\n");
}

#[test]
fn renumber_refuses_an_id_taken_on_another_branch() {
    let t = Test::initialized();
    t.pm(&["story", "add", "One", "--ac", "Given a, when b, then c"]).success();
    t.commit("one");
    t.git(&["checkout", "-q", "-b", "other"]);
    t.pm(&["story", "add", "Two"]).success().stdout_has("S-2");
    t.commit("two");
    t.git(&["checkout", "-q", "main"]);
    let before = t.snapshot();
    t.pm(&["renumber", "S-1", "S-2"]).code(2).stderr_has("S-2 is already in use");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn a_huge_id_is_an_error_not_a_wrap_around() {
    let t = Test::initialized();
    t.write(
        "product/stories/S-18446744073709551615-big.md",
        "---\nid: S-18446744073709551615\ntitle: Big\nstatus: draft\n---\n",
    );
    let before = t.snapshot();
    t.pm(&["story", "add", "Next"]).code(2).stderr_has("no story number is left");
    assert_eq!(t.snapshot(), before);
}

/// `pm story show`, `pm story list` and `pm check` read an item with one reader: a problem in
/// a file is told in the same words at the same line by each.
#[test]
fn show_list_and_check_word_a_problem_the_same() {
    let cases = [
        ("title: ''", 3, "required field `title` is empty", "give it a value, such as `title: A short title`"),
        (
            "id: S-01",
            2,
            "`S-01` is not an ID",
            "did you mean `S-1`? an ID is a prefix, a dash and a number without leading zeros, like S-12",
        ),
        ("points: lots", 5, "`points` must be a whole number, 0 or more", "write it as `points: 3`"),
        ("labels: {a: b}", 5, "`labels` must be a list of single values", "write it as `labels: [a, b]`"),
    ];
    for (line, at, message, hint) in cases {
        let t = Test::initialized();
        let mut text = "---\nid: S-1\ntitle: A story\nstatus: draft\n---\n".to_string();
        let key = line.split(':').next().unwrap();
        match text.lines().position(|l| l.starts_with(&format!("{key}:"))) {
            Some(i) => {
                let old = text.lines().nth(i).unwrap().to_string();
                text = text.replacen(&old, line, 1);
            }
            None => text = text.replacen("status: draft\n", &format!("status: draft\n{line}\n"), 1),
        }
        t.write("product/stories/S-1-a-story.md", &text);
        let expected = format!("error: product/stories/S-1-a-story.md:{at}: {message}\n  hint: {hint}\n");
        assert_eq!(t.pm(&["story", "list"]).code(2).stderr, expected, "{line}");
        if !line.starts_with("id:") {
            assert_eq!(t.pm(&["story", "show", "S-1"]).code(2).stderr, expected, "{line}");
        }
        let json = t.pm(&["check", "--format", "json"]).code(1).json();
        let found: Vec<_> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["message"] == message)
            .map(|f| (f["line"].as_u64().unwrap(), f["hint"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(found, [(at as u64, hint.to_string())], "{line}");
    }
}
