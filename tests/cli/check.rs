//! `pm check`: every rule triggered by a fixture and silent on the clean one, golden output
//! for every format, planted defects in the example, SARIF structure, --rev, --changed-since,
//! severities, silences and exit codes.

use crate::harness::{Test, copy_dir, example_dir};

const VISION: &str = "---\nid: V-1\ntitle: Vision\nstatus: active\n---\nWhy.\n";
const EPIC: &str = "---\nid: E-1\ntitle: Epic\nstatus: active\nvision: V-1\n---\nWhat.\n";
// Lines: 1 ---, 2 id, 3 title, 4 status, 5 epic, 6 priority, 7 points, 8 ---, 9 sentence,
// 10 blank, 11 heading, 12 blank, 13 AC-1.
const S1: &str = "---\nid: S-1\ntitle: Story A\nstatus: ready\nepic: E-1\npriority: high\npoints: 3\n---\nAs a user, I want a, so that b.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n";
const S2: &str = "---\nid: S-2\ntitle: Story B\nstatus: ready\nepic: E-1\ndepends_on: [S-1]\n---\nAs a user, I want c, so that d.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n";
const BACKLOG: &str = "# Backlog\n\n- [S-1](stories/S-1-a.md) Story A\n- [S-2](stories/S-2-b.md) Story B\n";
// Lines: 1 heading, 3 Now, 5 E-1, 7 Next, 9 Later.
const ROADMAP: &str = "# Roadmap\n\n## Now\n\n- [E-1](epics/E-1-e.md) Epic\n\n## Next\n\n## Later\n";

/// A small product with no findings at all, committed.
fn clean() -> Test {
    let t = Test::new();
    t.write("product/visions/V-1-v.md", VISION)
        .write("product/epics/E-1-e.md", EPIC)
        .write("product/stories/S-1-a.md", S1)
        .write("product/stories/S-2-b.md", S2)
        .write("product/backlog.md", BACKLOG)
        .write("product/roadmap.md", ROADMAP);
    t.commit("clean product");
    t
}

/// Replace `from` with `to` in a file of the test repository (the text must be there).
fn edit(t: &Test, rel: &str, from: &str, to: &str) {
    let text = t.read(rel);
    assert!(text.contains(from), "{rel} lacks {from:?}");
    t.write(rel, &text.replacen(from, to, 1));
}

/// (rule, path, line) of every finding, from the JSON format.
fn findings(t: &Test, extra: &[&str]) -> Vec<(String, String, u64)> {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let run = t.pm(&args);
    assert!(run.code == 0 || run.code == 1, "exit {}: {}", run.code, run.stderr);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A sprint file. Lines: 1 ---, 2 id, 3 title, 4 status, 5 start, 6 end, 7 capacity, 8 ---.
fn sprint(id: &str, status: &str, start: &str, end: &str, capacity: u64) -> String {
    format!("---\nid: {id}\ntitle: Sprint\nstatus: {status}\nstart: {start}\nend: {end}\ncapacity: {capacity}\n---\n")
}

fn story(id: &str, title: &str, status: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nstatus: {status}\nepic: E-1\n---\nAs a user, I want x, so that y.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given x, when y, then z.\n"
    )
}

#[test]
fn clean_fixture_has_no_findings_even_strict() {
    let t = clean();
    t.pm(&["check", "--strict"]).success().stdout_is("0 errors, 0 warnings (6 files checked)\n");
    assert!(findings(&t, &[]).is_empty());
}

#[test]
fn bundled_example_is_clean() {
    let t = Test::with_example();
    let before = t.snapshot();
    t.pm(&["check", "--strict"]).success().stdout_is("0 errors, 0 warnings (50 files checked)\n");
    assert_eq!(t.snapshot(), before, "pm check never writes");
}

/// Each rule: a change to the clean fixture that triggers it, and where it must be reported.
#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    type Setup = fn(&Test);
    let cases: &[(&str, Setup, &str, u64)] = &[
        (
            "parse/front-matter",
            |t| {
                t.write("product/stories/S-3-c.md", "no front matter\n");
            },
            "product/stories/S-3-c.md",
            1,
        ),
        (
            "parse/unknown-field",
            |t| edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\nstauts: x\n"),
            "product/stories/S-1-a.md",
            8,
        ),
        (
            "field/required",
            |t| edit(t, "product/stories/S-1-a.md", "title: Story A\n", ""),
            "product/stories/S-1-a.md",
            1,
        ),
        (
            "field/invalid-value",
            |t| edit(t, "product/stories/S-1-a.md", "priority: high", "priority: hihg"),
            "product/stories/S-1-a.md",
            6,
        ),
        (
            "id/format",
            |t| {
                t.write("product/stories/S-3-c.md", &story("S-03", "C", "dropped"));
            },
            "product/stories/S-3-c.md",
            2,
        ),
        (
            "id/duplicate",
            |t| {
                t.write("product/stories/S-1-dup.md", &story("S-1", "Story A", "ready"));
            },
            "product/stories/S-1-a.md",
            2,
        ),
        (
            "id/filename-mismatch",
            |t| {
                t.write("product/stories/S-3-c.md", &story("S-4", "C", "dropped"));
            },
            "product/stories/S-3-c.md",
            2,
        ),
        (
            "link/dangling",
            |t| edit(t, "product/stories/S-1-a.md", "epic: E-1", "epic: E-9"),
            "product/stories/S-1-a.md",
            5,
        ),
        (
            "link/wrong-kind",
            |t| edit(t, "product/stories/S-1-a.md", "epic: E-1", "epic: S-2"),
            "product/stories/S-1-a.md",
            5,
        ),
        (
            "review/mismatch",
            |t| edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\nreviewed: 2026-12-01 V-1@5e1f0c2a\n"),
            "product/stories/S-1-a.md",
            8,
        ),
        (
            "link/cycle",
            |t| edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\ndepends_on: [S-2]\n"),
            "product/stories/S-1-a.md",
            8,
        ),
        (
            "story/no-acceptance-criteria",
            |t| edit(t, "product/stories/S-1-a.md", "- [ ] AC-1: Given x, when y, then z.\n", ""),
            "product/stories/S-1-a.md",
            11,
        ),
        (
            "import/no-acceptance-criteria",
            |t| {
                let text = t.read("product/stories/S-1-a.md").replace("- [ ] AC-1: Given x, when y, then z.\n", "");
                t.write("product/stories/S-1-a.md", &text.replacen("points: 3\n", "points: 3\nsource: github#12\n", 1));
            },
            "product/stories/S-1-a.md",
            12,
        ),
        (
            "ac/empty",
            |t| edit(t, "product/stories/S-1-a.md", "AC-1: Given x, when y, then z.", "AC-1:"),
            "product/stories/S-1-a.md",
            13,
        ),
        (
            "ac/duplicate-id",
            |t| edit(t, "product/stories/S-1-a.md", "then z.\n", "then z.\n- [ ] AC-1: Again.\n"),
            "product/stories/S-1-a.md",
            14,
        ),
        (
            "ac/missing-id",
            |t| edit(t, "product/stories/S-1-a.md", "then z.\n", "then z.\n- [ ] No ID here.\n"),
            "product/stories/S-1-a.md",
            14,
        ),
        (
            "ac/malformed-line",
            |t| edit(t, "product/stories/S-1-a.md", "then z.\n", "then z.\n-[ ] AC-2: Given a, when b, then c.\n"),
            "product/stories/S-1-a.md",
            14,
        ),
        ("story/no-epic", |t| edit(t, "product/stories/S-1-a.md", "epic: E-1\n", ""), "product/stories/S-1-a.md", 1),
        (
            "epic/no-stories",
            |t| {
                t.write("product/epics/E-2-f.md", "---\nid: E-2\ntitle: F\nstatus: active\nvision: V-1\n---\n");
                edit(t, "product/roadmap.md", "## Next\n", "## Next\n\n- [E-2](epics/E-2-f.md) F\n");
            },
            "product/epics/E-2-f.md",
            1,
        ),
        ("epic/no-vision", |t| edit(t, "product/epics/E-1-e.md", "vision: V-1\n", ""), "product/epics/E-1-e.md", 1),
        (
            "backlog/missing",
            |t| edit(t, "product/backlog.md", "- [S-2](stories/S-2-b.md) Story B\n", ""),
            "product/stories/S-2-b.md",
            4,
        ),
        (
            "backlog/unknown",
            |t| edit(t, "product/backlog.md", "Story B\n", "Story B\n- [S-9](stories/S-9.md) Ghost\n"),
            "product/backlog.md",
            5,
        ),
        (
            "backlog/duplicate",
            |t| edit(t, "product/backlog.md", "Story B\n", "Story B\n- [S-1](stories/S-1-a.md) Story A\n"),
            "product/backlog.md",
            5,
        ),
        (
            "backlog/closed",
            |t| edit(t, "product/stories/S-2-b.md", "status: ready", "status: done"),
            "product/backlog.md",
            4,
        ),
        ("backlog/stale-title", |t| edit(t, "product/backlog.md", ") Story A", ") Old title"), "product/backlog.md", 3),
        (
            "backlog/malformed-line",
            |t| {
                t.write(
                    "product/backlog.md",
                    &format!("{}-[S-9](stories/S-9.md) Typo\n", t.read("product/backlog.md")),
                );
            },
            "product/backlog.md",
            5,
        ),
        (
            "roadmap/malformed-line",
            |t| {
                t.write("product/roadmap.md", &format!("{}- [E9](epics/E-9.md) Typo\n", t.read("product/roadmap.md")));
            },
            "product/roadmap.md",
            10,
        ),
        (
            "roadmap/missing",
            |t| edit(t, "product/roadmap.md", "- [E-1](epics/E-1-e.md) Epic\n", ""),
            "product/epics/E-1-e.md",
            4,
        ),
        (
            "roadmap/unknown",
            |t| edit(t, "product/roadmap.md", "## Later\n", "## Later\n\n- [E-7](epics/E-7.md) Ghost\n"),
            "product/roadmap.md",
            11,
        ),
        (
            "roadmap/unknown-heading",
            |t| edit(t, "product/roadmap.md", "## Now\n", "## Someday\n"),
            "product/roadmap.md",
            5,
        ),
        (
            "roadmap/duplicate",
            |t| edit(t, "product/roadmap.md", "## Next\n", "## Next\n\n- [E-1](epics/E-1-e.md) Epic\n"),
            "product/roadmap.md",
            9,
        ),
        (
            "roadmap/closed",
            |t| edit(t, "product/epics/E-1-e.md", "status: active", "status: dropped"),
            "product/roadmap.md",
            5,
        ),
        ("roadmap/stale-title", |t| edit(t, "product/roadmap.md", ") Epic", ") Old epic"), "product/roadmap.md", 5),
        (
            "file/symlink",
            |t| {
                std::os::unix::fs::symlink(t.path("product/stories/S-1-a.md"), t.path("product/stories/S-9-link.md"))
                    .unwrap();
            },
            "product/stories/S-9-link.md",
            1,
        ),
        (
            "file/leftover-temp",
            |t| {
                t.write("product/stories/.S-1-a.md.pm-999999-0.tmp", "half");
            },
            "product/stories/.S-1-a.md.pm-999999-0.tmp",
            1,
        ),
        (
            "file/conflict-markers",
            |t| {
                edit(
                    t,
                    "product/stories/S-1-a.md",
                    "points: 3\n",
                    "<<<<<<< ours\npoints: 3\n=======\npoints: 5\n>>>>>>> theirs\n",
                )
            },
            "product/stories/S-1-a.md",
            7,
        ),
        (
            "git/merge-setup",
            |t| {
                t.write(".gitattributes", "*.png binary\n");
                t.commit("attributes of an older pm");
            },
            ".gitattributes",
            1,
        ),
        (
            "status/inconsistent",
            |t| edit(t, "product/epics/E-1-e.md", "status: active", "status: done"),
            "product/epics/E-1-e.md",
            4,
        ),
        (
            "sprint/unknown",
            |t| edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\nsprint: SP-9\n"),
            "product/stories/S-1-a.md",
            8,
        ),
        (
            "sprint/bad-dates",
            |t| {
                t.write("product/sprints/SP-1-s.md", &sprint("SP-1", "planned", "2026-11-30", "2026-11-20", 8));
            },
            "product/sprints/SP-1-s.md",
            6,
        ),
        (
            "sprint/overlap",
            |t| {
                t.write("product/sprints/SP-1-s.md", &sprint("SP-1", "active", "2026-11-30", "2026-12-11", 8));
                t.write("product/sprints/SP-2-s.md", &sprint("SP-2", "planned", "2026-12-07", "2026-12-18", 8));
            },
            "product/sprints/SP-2-s.md",
            5,
        ),
        (
            "sprint/over-capacity",
            |t| {
                t.write("product/sprints/SP-1-s.md", &sprint("SP-1", "active", "2026-11-30", "2026-12-11", 2));
                edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\nsprint: SP-1\n");
            },
            "product/sprints/SP-1-s.md",
            7,
        ),
        (
            "sprint/closed-open-stories",
            |t| {
                t.write("product/sprints/SP-1-s.md", &sprint("SP-1", "closed", "2026-11-30", "2026-12-11", 8));
                edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\nsprint: SP-1\n");
            },
            "product/sprints/SP-1-s.md",
            4,
        ),
        (
            "sprint/multiple-active",
            |t| {
                t.write("product/sprints/SP-1-s.md", &sprint("SP-1", "active", "2026-11-16", "2026-11-27", 8));
                t.write("product/sprints/SP-2-s.md", &sprint("SP-2", "active", "2026-11-30", "2026-12-11", 8));
            },
            "product/sprints/SP-2-s.md",
            4,
        ),
        (
            "epic/past-target",
            |t| edit(t, "product/epics/E-1-e.md", "vision: V-1\n", "vision: V-1\ntarget: 2020-01-31\n"),
            "product/epics/E-1-e.md",
            6,
        ),
        (
            "score/missing-input",
            |t| {
                t.write("product/pm.yaml", "scoring:\n  model: value-effort\n");
                edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\nvalue: 8\neffort: 2\n");
            },
            "product/stories/S-2-b.md",
            1,
        ),
        (
            "score/out-of-scale",
            |t| {
                t.write("product/pm.yaml", "scoring:\n  model: rice\n");
                let s1 = "points: 3\nreach: 100\nimpact: 5\nconfidence: 80\neffort: 1\n";
                edit(t, "product/stories/S-1-a.md", "points: 3\n", s1);
                let s2 = "depends_on: [S-1]\nreach: 10\nimpact: 1\nconfidence: 50\neffort: 1\n";
                edit(t, "product/stories/S-2-b.md", "depends_on: [S-1]\n", s2);
            },
            "product/stories/S-1-a.md",
            9,
        ),
        (
            "story/not-user-story",
            |t| {
                t.write("product/pm.yaml", "rules:\n  story/not-user-story: warning\n");
                edit(t, "product/stories/S-1-a.md", "As a user, I want a, so that b.", "Some text.");
            },
            "product/stories/S-1-a.md",
            9,
        ),
        (
            "allow/no-reason",
            |t| edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\npm-allow: [story/no-epic]\n"),
            "product/stories/S-1-a.md",
            8,
        ),
        (
            "allow/unknown-rule",
            |t| edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\npm-allow: {story/no-epik: \"spike\"}\n"),
            "product/stories/S-1-a.md",
            8,
        ),
        (
            "trace/unknown-reference",
            |t| {
                t.write("src/split.rs", "// Shares in pence.\n// S-9/AC-1: the payer takes the remainder\n");
            },
            "src/split.rs",
            2,
        ),
        (
            "trace/removed-criterion",
            |t| {
                edit(
                    t,
                    "product/stories/S-1-a.md",
                    "- [ ] AC-1: Given x, when y, then z.\n",
                    "- [ ] AC-2: Given x, when y, then z.\n- [ ] AC-3: More.\n",
                );
                t.write("tests/split.rs", "#[test]\nfn s_1_ac_2_splits() {}\n// S-1/AC-1 was the old rule\n");
            },
            "tests/split.rs",
            3,
        ),
        (
            "trace/accepted-untested",
            |t| {
                t.write("product/pm.yaml", "rules:\n  trace/accepted-untested: warning\n");
                edit(t, "product/stories/S-2-b.md", "- [ ] AC-1", "- [x] AC-1");
                t.write("tests/a.rs", "// S-1/AC-1\n");
            },
            "product/stories/S-2-b.md",
            12,
        ),
    ];
    let mut covered: Vec<&str> = Vec::new();
    // trace/failing needs the run's report.
    {
        let t = clean();
        edit(&t, "product/stories/S-1-a.md", "- [ ] AC-1", "- [x] AC-1");
        t.write("junit.xml", "<testsuite><testcase name=\"s_1_ac_1_works\"><failure/></testcase></testsuite>\n");
        let got = findings(&t, &["--junit", "junit.xml"]);
        let hits: Vec<_> = got.iter().filter(|(r, _, _)| r == "trace/failing").collect();
        assert_eq!(hits.len(), 1, "trace/failing: {got:?}");
        assert_eq!((hits[0].1.as_str(), hits[0].2), ("product/stories/S-1-a.md", 13));
        covered.push("trace/failing");
    }
    // link/suspect reads history: the epic's title changes in a later commit.
    {
        let t = clean();
        edit(&t, "product/epics/E-1-e.md", "What.", "What, and why.");
        edit(&t, "product/stories/S-2-b.md", "I want c,", "I want c and e,");
        t.commit("E-1 says why; S-2 follows it");
        let got = findings(&t, &["--suspect"]);
        let hits: Vec<_> = got.iter().filter(|(r, _, _)| r == "link/suspect").collect();
        assert_eq!(hits.len(), 1, "link/suspect: {got:?}");
        assert_eq!((hits[0].1.as_str(), hits[0].2), ("product/stories/S-1-a.md", 5));
        covered.push("link/suspect");
    }
    {
        // Permissions bind a user who is not root: as root, the file is read as `nobody`.
        let t = clean();
        let file = t.path("product/stories/S-2-b.md");
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
        let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout == b"0\n");
        let run = if root {
            let owner = |who: &str| {
                let status =
                    std::process::Command::new("chown").args(["-R", who]).arg(t.root()).arg(t.tmp_dir()).status();
                assert!(status.is_ok_and(|s| s.success()), "chown {who}");
            };
            owner("65534:65534");
            let run = t.pm_under(
                &["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
                &["check", "--format", "json"],
                &[],
            );
            owner("0:0");
            run
        } else {
            t.pm(&["check", "--format", "json"])
        };
        assert_eq!(run.code, 1, "{}", run.stderr);
        let hits: Vec<_> = run.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "file/unreadable")
            .map(|f| (f["path"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
            .collect();
        assert_eq!(hits, [("product/stories/S-2-b.md".to_string(), 1)], "{}", run.stdout);
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        covered.push("file/unreadable");
    }
    for (rule, setup, path, line) in cases {
        let t = clean();
        setup(&t);
        let got = findings(&t, &[]);
        let hits: Vec<_> = got.iter().filter(|(r, _, _)| r == rule).collect();
        assert_eq!(hits.len(), 1, "{rule}: expected one finding, got {got:?}");
        assert_eq!((hits[0].1.as_str(), hits[0].2), (*path, *line), "{rule}: wrong place in {got:?}");
        covered.push(rule);
    }
    for rule in pm::check::rules::RULES {
        assert!(covered.contains(&rule.code), "rule {} has no triggering fixture", rule.code);
    }
}

/// Near misses: changes that look like a rule's trigger but must not fire it.
#[test]
fn near_misses_do_not_trigger_rules() {
    type Setup = fn(&Test);
    let cases: &[(&str, Setup)] = &[
        ("a declared custom field", |t| {
            t.write("product/pm.yaml", "custom_fields: [jira]\n");
            edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\njira: X-1\n");
        }),
        ("a closed story off the backlog, without an epic", |t| {
            t.write("product/stories/S-3-c.md", &story("S-3", "C", "dropped").replace("epic: E-1\n", ""));
        }),
        ("a criterion-looking line in a code block under another heading", |t| {
            edit(
                t,
                "product/stories/S-1-a.md",
                "then z.\n",
                "then z.\n\n## Notes\n\n```\n- [ ] not a criterion\n```\n",
            );
        }),
        ("a silence with a reason", |t| {
            edit(t, "product/stories/S-1-a.md", "epic: E-1\n", "pm-allow: {story/no-epic: \"a spike\"}\n");
        }),
        ("a rule turned off in pm.yaml", |t| {
            t.write("product/pm.yaml", "rules: {epic/no-vision: off}\n");
            edit(t, "product/epics/E-1-e.md", "vision: V-1\n", "");
        }),
        ("task boxes and prose with links in the backlog", |t| {
            let notes = "\n- [ ] ask finance about [fees](https://x)\n- see [S-1](stories/S-1-a.md) first\n\
                         - [Team wiki](https://wiki.example.com)\n- [x] (done) groomed\n* [Design doc] (draft)\n";
            t.write("product/backlog.md", &format!("{}{notes}", t.read("product/backlog.md")));
        }),
        ("a notes file without front matter", |t| {
            t.write("product/notes.md", "# Notes\n\n- [ ] AC-1: nothing\n");
        }),
        ("a dependency chain without a cycle", |t| {
            t.write(
                "product/stories/S-3-c.md",
                &story("S-3", "C", "ready").replace("epic: E-1\n", "epic: E-1\ndepends_on:\n  - S-2\n  - S-1\n"),
            );
            edit(t, "product/backlog.md", "Story B\n", "Story B\n- [S-3](stories/S-3-c.md) C\n");
        }),
        ("an epic whose target is ahead", |t| {
            edit(t, "product/epics/E-1-e.md", "vision: V-1\n", "vision: V-1\ntarget: 2999-12-31\n");
        }),
        ("back-to-back sprints, a full one, a closed one with its stories done or dropped", |t| {
            t.write("product/sprints/SP-1-s.md", &sprint("SP-1", "closed", "2026-11-16", "2026-11-27", 3));
            t.write("product/sprints/SP-2-s.md", &sprint("SP-2", "active", "2026-11-28", "2026-12-11", 3));
            edit(t, "product/stories/S-1-a.md", "points: 3\n", "points: 3\nsprint: SP-2\n");
            t.write(
                "product/stories/S-3-c.md",
                &story("S-3", "C", "done").replace("epic: E-1\n", "epic: E-1\nsprint: SP-1\npoints: 3\n"),
            );
            t.write(
                "product/stories/S-4-d.md",
                &story("S-4", "D", "dropped").replace("epic: E-1\n", "epic: E-1\nsprint: SP-1\npoints: 8\n"),
            );
        }),
    ];
    for (what, setup) in cases {
        let t = clean();
        setup(&t);
        let got = findings(&t, &["--strict"]);
        assert!(got.is_empty(), "{what}: {got:?}");
    }
}

#[test]
fn pm_yaml_can_require_fields_and_change_severities() {
    let t = clean();
    t.write("product/pm.yaml", "required_fields:\n  story: [owner]\nrules:\n  story/no-epic: error\n");
    edit(&t, "product/stories/S-2-b.md", "epic: E-1\n", "owner: kim\n");
    let got = findings(&t, &[]);
    assert_eq!(
        got,
        vec![
            ("field/required".into(), "product/stories/S-1-a.md".into(), 1),
            ("story/no-epic".into(), "product/stories/S-2-b.md".into(), 1),
        ]
    );
    t.pm(&["check"]).code(1).stdout_has("error[story/no-epic]").stdout_has("which pm.yaml requires for a story");
}

#[test]
fn warnings_fail_only_under_strict() {
    let t = clean();
    edit(&t, "product/epics/E-1-e.md", "vision: V-1\n", "");
    t.pm(&["check"]).success().stdout_has("warning[epic/no-vision]");
    t.pm(&["check", "--strict"]).code(1);
}

#[test]
fn usage_errors_exit_2() {
    let t = clean();
    t.write("product/pm.yaml", "rules:\n  story/no-epik: error\n");
    t.pm(&["check"]).code(2).stderr_has("names no rule `story/no-epik`").stderr_has("did you mean `story/no-epic`");
    let t = clean();
    t.pm(&["check", "--rev", "no-such-branch"]).code(2).stderr_has("`no-such-branch` names no commit");
    t.pm(&["check", "--format", "xml"]).code(2);
    Test::new().pm(&["check"]).code(2).stderr_has("no product folder");
}

#[test]
fn a_broken_file_does_not_stop_the_check() {
    let t = clean();
    t.write("product/stories/S-3-c.md", "---\nid: S-3\ntitle: [unclosed\n---\n");
    edit(&t, "product/stories/S-1-a.md", "epic: E-1", "epic: E-9");
    let got = findings(&t, &[]);
    assert_eq!(
        got,
        vec![
            ("link/dangling".into(), "product/stories/S-1-a.md".into(), 5),
            ("parse/front-matter".into(), "product/stories/S-3-c.md".into(), 3),
        ]
    );
}

/// The planted-defects fixture for the golden tests: two findings in two files.
fn two_defects() -> Test {
    let t = clean();
    edit(&t, "product/stories/S-1-a.md", "epic: E-1", "epic: E-11");
    edit(&t, "product/epics/E-1-e.md", "vision: V-1\n", "");
    t
}

#[test]
fn golden_human() {
    two_defects().pm(&["check"]).code(1).stdout_is(
        "warning[epic/no-vision]: E-1 belongs to no vision
 --> product/epics/E-1-e.md:1:1
  |
1 | ---
  | ^
  = hint: set one: `pm epic set E-1 vision=V-1`

error[link/dangling]: `epic: E-11` names no item
 --> product/stories/S-1-a.md:5:7
  |
5 | epic: E-11
  |       ^
  = hint: did you mean E-1?

1 error, 1 warning in 2 files (6 files checked)
",
    );
}

#[test]
fn golden_human_in_colour() {
    let run = two_defects().pm(&["check", "--color", "always"]).code(1);
    assert!(run.stdout.starts_with("\u{1b}[1m\u{1b}[33mwarning[epic/no-vision]\u{1b}[0m"), "{:?}", run.stdout);
}

#[test]
fn golden_json() {
    two_defects().pm(&["check", "--format", "json"]).code(1).stdout_is(
        r#"{
  "findings": [
    {
      "column": 1,
      "hint": "set one: `pm epic set E-1 vision=V-1`",
      "id": "E-1",
      "line": 1,
      "message": "E-1 belongs to no vision",
      "path": "product/epics/E-1-e.md",
      "related": [],
      "rule": "epic/no-vision",
      "severity": "warning"
    },
    {
      "column": 7,
      "hint": "did you mean E-1?",
      "id": "S-1",
      "line": 5,
      "message": "`epic: E-11` names no item",
      "path": "product/stories/S-1-a.md",
      "related": [],
      "rule": "link/dangling",
      "severity": "error"
    }
  ],
  "summary": {
    "errors": 1,
    "files_checked": 6,
    "files_with_findings": 2,
    "warnings": 1
  },
  "version": 1
}
"#,
    );
}

#[test]
fn golden_github() {
    two_defects().pm(&["check", "--format", "github"]).code(1).stdout_is(
        "::warning file=product/epics/E-1-e.md,line=1,col=1,title=epic/no-vision::E-1 belongs to no vision%0Ahint: set one: `pm epic set E-1 vision=V-1`
::error file=product/stories/S-1-a.md,line=5,col=7,title=link/dangling::`epic: E-11` names no item%0Ahint: did you mean E-1?
",
    );
}

#[test]
fn golden_junit() {
    two_defects().pm(&["check", "--format", "junit"]).code(1).stdout_is(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="pm check" tests="6" failures="1" errors="0">
  <testsuite name="pm check" tests="6" failures="1" errors="0" skipped="0">
    <testcase classname="pm check" name="product/backlog.md"/>
    <testcase classname="pm check" name="product/epics/E-1-e.md">
      <system-out>warning[epic/no-vision] product/epics/E-1-e.md:1:1: E-1 belongs to no vision
  hint: set one: `pm epic set E-1 vision=V-1`</system-out>
    </testcase>
    <testcase classname="pm check" name="product/roadmap.md"/>
    <testcase classname="pm check" name="product/stories/S-1-a.md">
      <failure type="link/dangling" message="`epic: E-11` names no item">error[link/dangling] product/stories/S-1-a.md:5:7: `epic: E-11` names no item
  hint: did you mean E-1?</failure>
    </testcase>
    <testcase classname="pm check" name="product/stories/S-2-b.md"/>
    <testcase classname="pm check" name="product/visions/V-1-v.md"/>
  </testsuite>
</testsuites>
"#,
    );
}

#[test]
fn golden_sarif_and_its_structure() {
    let run = two_defects().pm(&["check", "--format", "sarif"]).code(1);
    let v = run.json();
    // The SARIF 2.1.0 required properties, checked structurally.
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "pm");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), pm::check::rules::RULES.len());
    for r in rules {
        assert!(r["id"].is_string() && r["shortDescription"]["text"].is_string());
        assert!(["error", "warning", "none"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = runs[0]["results"].as_array().unwrap();
    let got: Vec<_> = results
        .iter()
        .map(|r| {
            let rule = r["ruleId"].as_str().unwrap();
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], rule, "ruleIndex points at the rule");
            assert!(r["message"]["text"].is_string());
            let loc = &r["locations"][0]["physicalLocation"];
            (
                rule.to_string(),
                r["level"].as_str().unwrap().to_string(),
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
                loc["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("epic/no-vision".into(), "warning".into(), "product/epics/E-1-e.md".into(), 1, 1),
            ("link/dangling".into(), "error".into(), "product/stories/S-1-a.md".into(), 5, 7),
        ]
    );
    assert_eq!(results[1]["message"]["text"], "`epic: E-11` names no item (hint: did you mean E-1?)");
}

/// A copy of the example with one planted defect per kind of problem: each is reported once,
/// on the right line, and nothing else is.
#[test]
fn planted_defects_in_the_example_are_each_reported_once() {
    let t = Test::new();
    copy_dir(&example_dir(), &t.path("product"));
    t.commit("example");
    let s = |name: &str| t.find("product/stories", &format!("{name}-"));
    let e = |name: &str| t.find("product/epics", &format!("{name}-"));
    let (s8, s9, s13, s23, s27, e4) = (s("S-8"), s("S-9"), s("S-13"), s("S-23"), s("S-27"), e("E-4"));
    edit(&t, &s8, "epic: E-2", "epic: E-22"); // link/dangling
    edit(&t, &s9, "status: in-progress", "status: in-progres"); // field/invalid-value
    edit(&t, &s13, "owner: aisha", "ownr: aisha"); // parse/unknown-field
    edit(&t, &s23, "- [ ] AC-2:", "- [ ] AC-1:"); // ac/duplicate-id
    edit(&t, &s27, "depends_on: [S-13]", "depends_on: [S-13, S-27]"); // link/cycle (a self-dependency)
    edit(&t, &e4, "vision: V-1\n", ""); // epic/no-vision
    let backlog = t.read("product/backlog.md");
    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1;
    edit(&t, "product/backlog.md", "- [S-11]", "- [S-99]"); // backlog/unknown: the line says S-99, its link S-11
    let line = |path: &str, needle: &str| line_of(&t.read(path), needle);
    let mut want = vec![
        ("link/dangling".to_string(), s8.clone(), line(&s8, "epic: E-22")),
        ("field/invalid-value".to_string(), s9.clone(), line(&s9, "status: in-progres")),
        ("parse/unknown-field".to_string(), s13.clone(), line(&s13, "ownr:")),
        ("ac/duplicate-id".to_string(), s23.clone(), line(&s23, "AC-1: Given a settlement")),
        ("link/cycle".to_string(), s27.clone(), line(&s27, "depends_on")),
        ("epic/no-vision".to_string(), e4.clone(), 1),
        ("backlog/unknown".to_string(), "product/backlog.md".to_string(), line_of(&backlog, "- [S-11]")),
    ];
    want.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    assert_eq!(findings(&t, &[]), want);
}

#[test]
fn rev_checks_a_commit_without_touching_the_working_tree() {
    let t = clean();
    edit(&t, "product/stories/S-1-a.md", "epic: E-1", "epic: E-9");
    t.commit("break the epic link");
    edit(&t, "product/stories/S-1-a.md", "epic: E-9", "epic: E-1");
    let before = t.snapshot();
    t.pm(&["check"]).success();
    t.pm(&["check", "--rev", "HEAD"]).code(1).stdout_has("product/stories/S-1-a.md:5:7");
    t.pm(&["check", "--rev", "HEAD~1"]).success();
    assert_eq!(t.snapshot(), before);
    // From a sub-directory too; and an unreadable file in the commit is a finding, not a crash.
    t.pm_in("product/stories", &["check", "--rev", "HEAD"]).code(1).stdout_has("link/dangling");
}

#[test]
fn changed_since_reports_only_what_changed() {
    let t = clean();
    // An old defect on main.
    edit(&t, "product/epics/E-1-e.md", "vision: V-1\n", "");
    edit(&t, "product/stories/S-2-b.md", "- [ ] AC-1: Given x, when y, then z.\n", "");
    t.commit("old defects");
    t.git(&["checkout", "-q", "-b", "feature"]);
    // New work: a story without criteria, listed in the backlog.
    let s3 = story("S-3", "C", "ready").replace("- [ ] AC-1: Given x, when y, then z.\n", "");
    t.write("product/stories/S-3-c.md", &s3);
    edit(&t, "product/backlog.md", "Story B\n", "Story B\n- [S-3](stories/S-3-c.md) C\n");
    let all = findings(&t, &[]);
    assert_eq!(all.len(), 3, "{all:?}");
    let new = findings(&t, &["--changed-since", "main"]);
    assert_eq!(new, vec![("story/no-acceptance-criteria".into(), "product/stories/S-3-c.md".into(), 9)]);
    // Committed on the branch, checked at a revision: the same.
    t.commit("add S-3");
    t.git(&["checkout", "-q", "main"]);
    let at_rev = findings(&t, &["--rev", "feature", "--changed-since", "main"]);
    assert_eq!(at_rev, new);
    // A backlog line that is new is reported; the old ones are not.
    t.git(&["checkout", "-q", "feature"]);
    edit(&t, "product/backlog.md", "C\n", "C\n- [S-7](stories/S-7.md) Ghost\n");
    let got = findings(&t, &["--changed-since", "main"]);
    assert!(got.contains(&("backlog/unknown".into(), "product/backlog.md".into(), 6)), "{got:?}");
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn duplicate_ids_name_every_file_and_the_cure() {
    let t = clean();
    t.write("product/stories/S-1-other.md", &story("S-1", "Other", "ready"));
    t.pm(&["check"])
        .code(1)
        .stdout_has("S-1 is the ID of 2 files: product/stories/S-1-a.md, product/stories/S-1-other.md")
        .stdout_has("pm renumber S-1 S-3 --file product/stories/S-1-other.md");
}

#[test]
fn docs_describe_every_rule_with_its_default() {
    let docs = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check.md")).unwrap();
    for r in pm::check::rules::RULES {
        let row = format!("| `{}` | {} |", r.code, r.default);
        assert!(docs.contains(&row), "docs/check.md lacks the table row {row:?}");
        assert!(
            docs.contains(&format!("### {}", r.code)) || docs.contains(&format!(", {}", r.code)),
            "no section for {}",
            r.code
        );
    }
}

/// The SARIF output is valid against the SARIF 2.1.0 JSON schema (not only structurally).
#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let schema_text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sarif-schema-2.1.0.json"))
            .unwrap();
    // The published schema's pattern for `run.language` has a stray `]`, which the validator's
    // check of the schema itself rejects; it is replaced by the pattern it means (pm's output
    // has no `language`, so this changes nothing that is checked).
    let schema_text =
        schema_text.replace(r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for t in [two_defects(), clean()] {
        let run = t.pm(&["check", "--format", "sarif"]);
        let output = run.json();
        let errors: Vec<String> =
            validator.iter_errors(&output).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "SARIF output is not valid:\n{}", errors.join("\n"));
    }
    // The validator is not a rubber stamp: a log without `runs` is rejected.
    let mut broken = two_defects().pm(&["check", "--format", "sarif"]).json();
    broken.as_object_mut().unwrap().remove("runs");
    assert!(!validator.is_valid(&broken));
}

/// A story file whose name is not UTF-8 is reported by `pm check` (working tree and `--rev`)
/// and by the commands that list items, never passed over as if it were not there.
#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_is_reported_not_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let t = Test::initialized();
    t.pm(&["story", "add", "First story", "--ac", "Given a, when b, then c"]).success();
    let from = t.path("product/stories/S-1-first-story.md");
    let to = t.path("product/stories").join(std::ffi::OsStr::from_bytes(b"S-1-caf\xe9.md"));
    std::fs::rename(&from, &to).unwrap();
    let expected = "\
error[parse/front-matter]: the file name is not UTF-8, so pm cannot read it
 --> product/stories/S-1-caf\u{fffd}.md:1:1
  = hint: rename the file with UTF-8 characters only, for example with `git mv`

1 error, 0 warnings in 1 file (5 files checked)
";
    t.pm(&["check"]).code(1).stdout_is(expected);
    t.commit("a name that is not UTF-8");
    t.pm(&["check", "--rev", "HEAD"]).code(1).stdout_is(expected);
    let refused = "error: product/stories/S-1-caf\u{fffd}.md: the file name is not UTF-8, so pm cannot read it\n  \
         hint: rename the file with UTF-8 characters only, for example with `git mv`\n";
    assert_eq!(t.pm(&["story", "list"]).code(2).stderr, refused);
    assert_eq!(t.pm(&["story", "show", "S-1"]).code(2).stderr, refused);
    // Its ID stays taken: a new story or a renumber never makes a second S-1.
    t.pm(&["story", "add", "Another"]).success().stdout_is("Created S-2 product/stories/S-2-another.md\n");
    assert_eq!(
        t.pm(&["renumber", "S-2", "S-1"]).code(2).stderr,
        "error: S-1 is already in use\n  hint: pick a free ID, such as S-3\n"
    );
}

/// A story whose front matter does not parse is reported once, as what it is: not also as a
/// backlog line or link naming no story (whose hint, remove the line, would lose its rank).
#[test]
fn a_broken_story_is_not_also_a_dangling_backlog_line_or_link() {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Money"]).success();
    t.pm(&["story", "add", "One", "--ac", "Given a, when b, then c", "--epic", "E-1"]).success();
    t.pm(&["story", "add", "Two", "--ac", "Given a, when b, then c", "--epic", "E-1"]).success();
    t.pm(&["story", "set", "S-1", "depends_on=S-2"]).success();
    let path = "product/stories/S-2-two.md";
    t.write(path, &t.read(path).replace("title: Two", "title: Two: broken"));
    t.pm(&["check"]).code(1).stdout_is(
        "\
warning[epic/no-vision]: E-1 belongs to no vision
 --> product/epics/E-1-money.md:1:1
  |
1 | ---
  | ^
  = hint: set one: `pm epic set E-1 vision=V-1`

error[parse/front-matter]: invalid YAML in front matter: mapping values are not allowed in this context
 --> product/stories/S-2-two.md:3:1
  |
3 | title: Two: broken
  | ^
  = hint: fix the YAML between the `---` lines; quote values that contain `: ` or start with a special character

1 error, 1 warning in 2 files (7 files checked)
",
    );
    let run = t.pm(&["backlog"]).code(2);
    assert_eq!(
        run.stderr,
        "error: product/stories/S-2-two.md:3: invalid YAML in front matter: mapping values are not allowed in this context\n  \
         hint: fix the YAML between the `---` lines; quote values that contain `: ` or start with a special character\n"
    );
}

#[test]
fn a_copied_story_counts_once_in_sprint_and_epic_totals() {
    let t = Test::with_example();
    let s8 = "product/stories/S-8-split-an-expense-by-custom-percentages.md";
    let (sprint, roadmap) = (t.pm(&["sprint", "show", "SP-3"]).stdout, t.pm(&["roadmap"]).stdout);
    t.write("product/stories/S-8-zz-copy.md", &t.read(s8));
    let rules: Vec<String> = findings(&t, &[]).into_iter().map(|(r, _, _)| r).collect();
    assert!(rules.contains(&"id/duplicate".to_string()), "{rules:?}");
    assert!(!rules.contains(&"sprint/over-capacity".to_string()), "{rules:?}");
    assert_eq!(t.pm(&["sprint", "show", "SP-3"]).stdout, sprint);
    assert_eq!(t.pm(&["roadmap"]).stdout, roadmap);
}
