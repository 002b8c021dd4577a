//! Bad input: one clear message with path:line and a hint, exit 2, nothing written.

use crate::harness::Test;

fn assert_untouched(t: &Test, args: &[&str], stderr: &[&str]) {
    let before = t.snapshot();
    let mut run = t.pm(args).code(2);
    for s in stderr {
        run = run.stderr_has(s);
    }
    assert!(run.stderr.contains("hint:"), "no hint in {:?}", run.stderr);
    assert_eq!(t.snapshot(), before, "pm {args:?} changed files");
}

#[test]
fn unknown_status_priority_and_points_off_the_scale() {
    let t = Test::with_example();
    assert_untouched(
        &t,
        &["story", "set", "S-10", "status=doing"],
        &["unknown story status `doing`", "allowed: draft, ready"],
    );
    assert_untouched(&t, &["story", "set", "S-10", "status=redy"], &["did you mean `ready`?"]);
    assert_untouched(&t, &["story", "add", "X", "--priority", "urgent"], &["unknown priority `urgent`"]);
    assert_untouched(
        &t,
        &["story", "add", "X", "--points", "4"],
        &["4 points is not on the scale", "the nearest is 3"],
    );
}

#[test]
fn unknown_ids_suggest_the_closest() {
    let t = Test::with_example();
    assert_untouched(&t, &["story", "set", "S-300", "status=ready"], &["no story with ID S-300", "did you mean S-30?"]);
    assert_untouched(&t, &["story", "add", "X", "--epic", "E-9"], &["no epic with ID E-9"]);
    assert_untouched(&t, &["story", "add", "X", "--epic", "S-1"], &["`S-1` is not an epic ID (S-1 is a story)"]);
    assert_untouched(&t, &["rank", "S-99", "--top"], &["no story with ID S-99"]);
}

#[test]
fn empty_title_and_repeated_flags() {
    let t = Test::with_example();
    assert_untouched(&t, &["story", "add", "  "], &["the title is empty"]);
    let before = t.snapshot();
    t.pm(&["story", "add", "X", "--epic", "E-1", "--epic", "E-2"]).code(2).stderr_has("cannot be used multiple times");
    t.pm(&["story", "set", "S-10", "points=3", "points=5"]).code(2).stderr_has("`points` is given twice");
    t.pm(&["rank", "S-10", "--top", "--bottom"]).code(2);
    assert_eq!(t.snapshot(), before);
}

#[test]
fn malformed_front_matter_names_the_file_and_line() {
    let t = Test::with_example();
    t.write("product/stories/S-31-broken.md", "---\nid: S-31\ntitle: Broken\nstatus: [ready\n---\nBody\n");
    let before = t.snapshot();
    t.pm(&["story", "list"]).code(2).stderr_has("product/stories/S-31-broken.md:").stderr_has("invalid YAML");
    t.pm(&["story", "set", "S-31", "status=ready"]).code(2).stderr_has("product/stories/S-31-broken.md:");
    assert_eq!(t.snapshot(), before);

    t.write("product/stories/S-31-broken.md", "No front matter here\n");
    t.pm(&["backlog"]).code(2).stderr_has("product/stories/S-31-broken.md:1: no front matter").stderr_has("hint:");
    t.write("product/stories/S-31-broken.md", "---\ntitle: No id\nstatus: draft\n---\n");
    t.pm(&["backlog"]).code(2).stderr_has("missing required field `id`").stderr_has("add a line `id: S-31`");
    t.write("product/stories/S-31-broken.md", "---\nid: S-31\ntitle: Unterminated\n");
    t.pm(&["backlog"]).code(2).stderr_has("unterminated front matter");
}

#[test]
fn wrong_types_point_at_the_key_line() {
    let t = Test::with_example();
    t.write("product/stories/S-31-types.md", "---\nid: S-31\ntitle: Types\nstatus: draft\npoints: lots\n---\n");
    t.pm(&["story", "list"])
        .code(2)
        .stderr_has("product/stories/S-31-types.md:5: `points` must be a whole number, 0 or more");
}

#[test]
fn bad_settings_in_pm_yaml() {
    let t = Test::initialized();
    t.write("product/pm.yaml", "name: x\nprioritys: [a]\n");
    t.pm(&["backlog"]).code(2).stderr_has("product/pm.yaml:2:").stderr_has("unknown field `prioritys`");
}

#[test]
fn no_product_folder() {
    let t = Test::new();
    t.pm(&["backlog"]).code(2).stderr_has("no product folder found").stderr_has("pm init");
}

#[test]
fn id_and_cross_kind_fields_cannot_be_set() {
    let t = Test::with_example();
    assert_untouched(&t, &["story", "set", "S-10", "id=S-99"], &["cannot be changed with `set`"]);
    assert_untouched(&t, &["epic", "set", "E-2", "points=3"], &["`points` is a story field"]);
    assert_untouched(&t, &["story", "set", "S-10", "title="], &["`title` is required"]);
    assert_untouched(&t, &["story", "set", "S-10", "depends_on=S-10"], &["cannot depend on itself"]);
}

#[test]
fn a_bad_file_does_not_hide_the_rest_but_still_fails() {
    let t = Test::with_example();
    t.write("product/stories/S-31-broken.md", "---\nid: S-31\ntitle: Broken\nstatus: [ready\n---\n");
    t.pm(&["backlog", "--format", "ids", "--limit", "2"])
        .code(2)
        .stdout_is("S-16\nS-8\n")
        .stderr_has("product/stories/S-31-broken.md:4: invalid YAML");
    t.pm(&["story", "show", "S-16"]).code(2).stdout_has("Connect a bank account").stderr_has("S-31-broken.md");
}

#[test]
fn duplicate_ids_and_unlisted_open_stories_are_warned_about() {
    let t = Test::with_example();
    let s6 = t.find("product/stories", "S-6-");
    let text = t.read(&s6).replace("id: S-6\n", "id: S-1\n");
    t.write(&s6, &text);
    t.pm(&["story", "list", "--format", "ids"]).success().stderr_has("S-1 is the ID of 2 files");
    t.pm(&["story", "show", "S-6"]).code(2).stderr_has("though a file name says so");
    let backlog = t.read("product/backlog.md");
    let line = backlog.lines().find(|l| l.contains("[S-10]")).unwrap().to_string();
    t.write("product/backlog.md", &backlog.replace(&format!("{line}\n"), ""));
    t.pm(&["backlog"])
        .success()
        .stderr_has("S-10 is open but not in product/backlog.md; `pm rank S-10 --bottom` adds it");
}

#[test]
fn an_edit_is_held_to_the_same_rules_as_set() {
    let t = Test::with_example();
    let script = t.path("editor.sh");
    std::fs::write(&script, "#!/bin/sh\nsed -i 's/^status: ready/status: redy/' \"$1\"\n").unwrap();
    let t = t.env("EDITOR", &format!("sh {}", script.display()));
    let before = t.snapshot();
    let run = t
        .pm(&["story", "edit", "S-10"])
        .code(2)
        .stderr_has("unknown story status `redy`")
        .stderr_has("did you mean `ready`?");
    assert!(run.stderr.contains("pm-edit-") && run.stderr.contains(":4: unknown"), "{}", run.stderr);
    assert_eq!(t.snapshot(), before);
}

#[test]
fn filters_that_name_nothing_or_do_not_apply_are_errors() {
    let t = Test::with_example();
    t.pm(&["story", "list", "--epic", "E-9"]).code(2).stderr_has("no epic with ID E-9");
    t.pm(&["epic", "list", "--priority", "high"]).code(2).stderr_has("--priority filters stories");
    t.pm(&["story", "list", "--label", "nothing-has-this"]).success().stdout_is("No story matches.\n");
}

/// A field pm does not know, the item does not have and pm.yaml does not declare is a likely
/// typo: refused with a suggestion; a declared custom field, an existing one, or --force passes.
#[test]
fn setting_an_unknown_field_is_refused_unless_declared_or_forced() {
    let t = Test::with_example();
    assert_eq!(
        t.pm(&["story", "set", "S-10", "priorty=high"]).code(2).stderr,
        "error: S-10 has no field `priorty`\n  hint: did you mean priority? To add `priorty` anyway, list it in pm.yaml custom_fields or pass --force\n"
    );
    t.pm(&["story", "set", "S-16", "jira=TND-500"]).success();
    t.pm(&["story", "set", "S-10", "estimate=3d", "--force"]).success();
    assert!(t.read("product/stories/S-10-show-the-change-history-of-an-expense.md").contains("\nestimate: 3d\n"));
}

/// IDs typed in lower case are the IDs they name (`s-10` is S-10), and files get them as files
/// write them.
#[test]
fn ids_are_taken_in_any_case_on_the_command_line() {
    let t = Test::with_example();
    assert!(
        t.pm(&["story", "show", "s-16"]).success().stdout.starts_with("S-16 Connect a bank account via Open Banking\n")
    );
    t.pm(&["rank", "s-10", "--before", "s-16"]).success().stdout_is("S-10 moved from rank 5 to 1\n");
    assert!(t.read("product/backlog.md").contains("\n- [S-10](stories/S-10-show-the-change-history-of-an-expense.md)"));
    assert!(!t.read("product/backlog.md").contains("[s-10]"));
    assert!(t.pm(&["sprint", "show", "sp-3"]).success().stdout.starts_with("SP-3 Sprint 3 (active)\n"));
}

#[test]
fn an_id_without_its_dash_gets_did_you_mean() {
    let t = crate::harness::Test::with_example();
    t.pm(&["story", "show", "s16"]).code(2).stderr_is("error: `s16` is not an ID\n  hint: did you mean S-16?\n");
}

/// A write that fails halfway (here: the file-size limit, as a full disk would) names the file
/// being written, changes nothing and leaves no temporary file behind.
#[test]
fn a_failed_write_leaves_every_file_as_it_was_and_no_temp_file() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given 10.00 and 3, then 3.34"]).success();
    let story = t.find("product/stories", "S-1");
    t.write(&story, &format!("{}{}\n", t.read(&story), "A long note. ".repeat(100)));
    let before = t.snapshot();
    let out = std::process::Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" story set S-1 priority=high", env!("CARGO_BIN_EXE_pm")])
        .current_dir(t.root())
        .env_remove("CI")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        format!("error: {story}: the file is larger than this system lets pm write (File too large, os error 27)\n"),
        "the path is shown relative to where pm was run"
    );
    assert_eq!(t.snapshot(), before, "a failed write changes no file and leaves no temporary file");
}

/// Brackets nested 100,000 deep took the YAML scanner half a minute: the depth is counted
/// first, and the file is refused at its line (no time is asserted: the suite would hang).
#[test]
fn front_matter_nested_too_deep_is_refused_at_its_line() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given 10.00 and 3, then 3.34"]).success();
    let story = t.find("product/stories", "S-1");
    let deep = format!("flow: {}x{}\n", "[".repeat(100_000), "]".repeat(100_000));
    t.write(&story, &t.read(&story).replacen("title:", &format!("note: '#'\n{deep}title:"), 1));
    t.pm(&["story", "show", "S-1"]).code(2).stderr_is(&format!(
        "error: {story}:4: invalid YAML in front matter: brackets nested deeper than 64 levels\n  \
         hint: fix the YAML between the `---` lines; quote values that contain `: ` or start with a special character\n"
    ));
    // 64 levels still read.
    let ok = format!("flow: {}x{}\n", "[".repeat(64), "]".repeat(64));
    t.write(&story, &t.read(&story).replace(&deep, &ok));
    t.pm(&["story", "show", "S-1"]).success();
}

/// A title, a field, a criterion or the body with escape sequences (OSC 0 retitles the
/// window, OSC 8 hides a link, CSI 2J clears the screen) shows them as text in `pm story show`.
#[test]
fn story_show_prints_no_control_character_from_the_file() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given 10.00 and 3, then 3.34"]).success();
    let story = t.find("product/stories", "S-1");
    let evil = "A\u{1b}]0;pwned\u{7}B\u{1b}[2JC\u{9b}31mD";
    let yaml = "A\\x1b]0;pwned\\x07B\\x1b[2JC\\u009b31mD";
    let text = t
        .read(&story)
        .replace("title: Split equally", &format!("title: \"{yaml}\"\nowner: \"{yaml}\""))
        .replace("then 3.34", &format!("then 3.34 {evil}"));
    t.write(
        &story,
        &text.replace("## Acceptance criteria", &format!("Notes {evil}\r\n\tindented\n\n## Acceptance criteria")),
    );
    let out = t.pm(&["story", "show", "S-1"]).success().stdout;
    assert!(!out.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{out:?}");
    let shown = "A\\u{1b}]0;pwned\\u{7}B\\u{1b}[2JC\\u{9b}31mD";
    assert!(out.starts_with(&format!("S-1 {shown}\n")), "{out}");
    assert!(out.contains(&format!("  owner:      {shown}\n")), "{out}");
    assert!(out.contains(&format!("then 3.34 {shown}\n")), "{out}");
    assert!(out.contains(&format!("Notes {shown}\n\tindented\n")), "{out:?}");
}

/// Values with control characters are refused where they come in, with the reason; nothing
/// is written.
#[test]
fn values_with_control_characters_are_refused_at_add_and_set() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally"]).success();
    t.pm(&["sprint", "add", "Sprint 1", "--start", "2026-12-07", "--end", "2026-12-18"]).success();
    let esc = "A\u{1b}]0;pwned\u{7}B";
    let owner = format!("owner={esc}");
    let refused: [(Vec<&str>, &str); 8] = [
        (vec!["story", "add", esc], "error: the title has a control character (U+001B, character 2 of the value)"),
        (vec!["story", "add", "Fine", "--owner", esc], "error: the owner has a control character (U+001B"),
        (vec!["story", "add", "Fine", "--label", "a\tb"], "error: the label has a control character (U+0009"),
        (
            vec!["story", "add", "Fine", "--ac", "Given \u{9b}2J"],
            "error: the acceptance criterion has a control character (U+009B",
        ),
        (
            vec!["ac", "add", "S-1", "Given \u{1b}[2J"],
            "error: the acceptance criterion has a control character (U+001B",
        ),
        (vec!["story", "set", "S-1", &owner], "error: `owner` has a control character (U+001B"),
        (vec!["story", "set", "S-1", "title=a\rb"], "error: `title` has a line break"),
        (vec!["sprint", "set", "SP-1", "goal=x\u{7f}"], "error: `goal` has a control character (U+007F"),
    ];
    for (args, message) in &refused {
        let before = t.snapshot();
        let run = t.pm(args).code(2);
        assert!(run.stderr.starts_with(message), "pm {args:?}: {}", run.stderr);
        assert!(run.stderr.contains("hint: "), "pm {args:?}: {}", run.stderr);
        assert!(!run.stderr.contains('\u{1b}'), "the error shows the value as text: {:?}", run.stderr);
        assert_eq!(t.snapshot(), before, "pm {args:?} changed files");
    }
}

/// Text from files edited by hand reaches no terminal raw: `pm diff`, `pm sprint show`, the
/// confirmation of `set`, warnings and errors show control characters as `\u{..}` text.
#[test]
fn diff_sprint_show_and_confirmations_print_no_control_character() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--points", "3"]).success();
    t.pm(&["sprint", "add", "Sprint 1", "--start", "2026-12-07", "--end", "2026-12-18"]).success();
    t.pm(&["sprint", "plan", "SP-1", "S-1"]).success();
    t.commit("start");
    let story = t.find("product/stories", "S-1");
    let evil = "A\\e]0;pwned\\aB\\e[2JC";
    let shown = "A\\u{1b}]0;pwned\\u{7}B\\u{1b}[2JC";
    t.write(&story, &t.read(&story).replace("title: Split equally", &format!("title: \"{evil}\"\nowner: \"{evil}\"")));
    let sprint = t.find("product/sprints", "SP-1");
    t.write(&sprint, &t.read(&sprint).replace("title: Sprint 1", &format!("title: \"{evil}\"")));
    t.commit("evil");
    let no_controls = |out: &str| !out.chars().any(|c| c.is_control() && c != '\n');
    let diff = t.pm(&["diff", "HEAD~1", "HEAD"]).success().stdout;
    assert!(no_controls(&diff) && diff.contains(shown), "{diff:?}");
    let show = t.pm(&["--color", "always", "sprint", "show", "SP-1"]).success().stdout;
    let plain: String = show.replace("\u{1b}[0m", "").replace("\u{1b}[1m", "").replace("\u{1b}[2m", "");
    let plain = plain.replace("\u{1b}[36m", "").replace("\u{1b}[1m\u{1b}[36m", "");
    assert!(!plain.contains("\u{1b}]") && !plain.contains("\u{1b}[2J") && show.contains(shown), "{show:?}");
    let set = t.pm(&["story", "set", "S-1", "owner=bob"]).success().stdout;
    assert!(no_controls(&set) && set.contains(shown), "{set:?}");
    let err = t.pm(&["story", "set", "S-1", "status=nope\u{1b}"]).code(2).stderr;
    assert!(no_controls(&err), "{err:?}");
}

/// Cells that a spreadsheet would run as formulas get a leading `'` in every CSV (OWASP).
#[test]
fn csv_cells_are_neutralised_against_formulas() {
    let t = Test::initialized();
    t.pm(&["story", "add", "=HYPERLINK(\"http://x\",\"y\")"]).success();
    t.pm(&["story", "add", "@SUM(1+1)", "--owner", "+cmd"]).success();
    let out = t.pm(&["story", "list", "--format", "csv"]).success().stdout;
    assert_eq!(
        out,
        "RANK,ID,TITLE,PRIORITY,POINTS,STATUS,EPIC,OWNER,AC\n\
         1,S-1,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",,,draft,,,0 of 0\n\
         2,S-2,\"'@SUM(1+1)\",,,draft,,\"'+cmd\",0 of 0\n"
    );
}

/// A title or a file name in `pm diff --format markdown` (a pull request comment) is shown as
/// text: an HTML comment, an entity, a mention or a `)` in a path cannot change the comment.
#[test]
fn markdown_diff_shows_titles_and_paths_as_text() {
    let t = Test::initialized();
    t.commit("start");
    t.pm(&["story", "add", "&lt;!-- hide @maya </details> ![x](http://e/x.png)"]).success();
    let story = t.find("product/stories", "S-1");
    let moved = t.path("product/stories/S-1-a (b).md");
    std::fs::rename(t.path(&story), &moved).unwrap();
    let md = t.pm(&["diff", "HEAD", "--format", "markdown", "--link-base", "https://e.com/blob/x"]).success().stdout;
    let line = md.lines().find(|l| l.starts_with("- [S-1]")).unwrap_or_default().to_string();
    assert_eq!(
        line,
        "- [S-1](https://e.com/blob/x/product/stories/S-1-a%20%28b%29.md) \\&lt;!-- hide @\u{200B}maya \\</details> \
         !\\[x\\](http://e/x.png) (story, draft, backlog 1st)"
    );
}

/// Temporary files a killed `pm` left: `pm check` reports them, the next write in the folder
/// removes those older than a minute whose process is gone, and none of a running process.
#[test]
fn temporary_files_left_by_a_killed_pm_are_reported_then_removed() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given 10.00 and 3, then 3.34"]).success();
    let dir = "product/stories";
    let old = format!("{dir}/.S-1-split-equally.md.pm-999999-0.tmp");
    let new = format!("{dir}/.S-1-split-equally.md.pm-999998-1.tmp");
    let live = format!("{dir}/.S-1-split-equally.md.pm-1-0.tmp");
    for f in [&old, &new, &live] {
        t.write(f, "half a story");
    }
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for f in [&old, &live] {
        std::fs::File::options().write(true).open(t.path(f)).unwrap().set_modified(hour_ago).unwrap();
    }
    let run = t.pm(&["check"]).success();
    for f in [&new, &old] {
        let finding = format!(
            "warning[file/leftover-temp]: a temporary file left by a pm command that was stopped mid-write\n \
             --> {f}:1:1\n  = hint: the next pm command that writes in this folder removes it after a minute; \
             or delete it\n"
        );
        assert!(run.stdout.contains(&finding), "{}", run.stdout);
    }
    assert!(!run.stdout.contains("pm-1-0"), "a running process's file is not a leftover: {}", run.stdout);
    t.pm(&["story", "set", "S-1", "priority=high"]).success();
    assert!(!t.path(&old).exists(), "the old leftover is removed");
    assert!(t.path(&new).exists() && t.path(&live).exists(), "a recent one and a live process's one stay");
}

/// A story that is not UTF-8 is bad input in that file: exit 2, the line and column of the
/// first bad byte, and no command advises removing its backlog line.
#[test]
fn a_file_that_is_not_utf8_is_named_at_its_first_bad_byte() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given a, when b, then c"]).success();
    let story = t.find("product/stories", "S-1");
    let mut bytes = std::fs::read(t.path(&story)).unwrap();
    bytes.extend_from_slice(b"Caf\xe9 notes\n");
    std::fs::write(t.path(&story), &bytes).unwrap();
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    let error = format!(
        "error: {story}:{lines}: the file is not UTF-8 text: byte 0xE9 at column 4\n  hint: save the file as UTF-8 \
         (an editor's \"save with encoding\"; iconv -f latin1 -t utf-8)\n"
    );
    let before = t.snapshot();
    for args in [&["story", "show", "S-1"][..], &["story", "set", "S-1", "priority=high"], &["ac", "check", "S-1", "1"]]
    {
        t.pm(args).code(2).stderr_is(&error);
    }
    let run = t.pm(&["backlog"]).code(2);
    assert_eq!(run.stderr, error, "no advice to remove the line");
    let check = t.pm(&["check"]).code(1).stdout;
    assert!(
        check.contains(&format!("the file is not UTF-8 text: byte 0xE9 at column 4\n  --> {story}:{lines}:4\n")),
        "{check}"
    );
    assert_eq!(t.snapshot(), before);
}

/// A folder where `backlog.md` belongs: every command that reads the backlog says so in its
/// own words (the system's after them), with a hint, exit 3, and writes nothing.
#[test]
fn a_folder_where_the_backlog_belongs_is_named() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally"]).success();
    std::fs::remove_file(t.path("product/backlog.md")).unwrap();
    std::fs::create_dir(t.path("product/backlog.md")).unwrap();
    let before = t.snapshot();
    for args in [&["backlog"][..], &["story", "list"], &["story", "add", "More"], &["rank", "S-1", "--top"]] {
        t.pm(args).code(3).stderr_is(
            "error: product/backlog.md: is a folder where a file belongs (Is a directory, os error 21)\n  \
             hint: a folder is where pm expects a file: move it away\n",
        );
    }
    assert_eq!(t.snapshot(), before);
}

/// One policy for symbolic links in the product folder: pm follows none. A linked story is
/// reported by every command that reads it (exit 2, the link named), never replaced by a plain
/// file; a linked folder is never written through, so nothing lands outside the repository.
#[cfg(unix)]
#[test]
fn symbolic_links_are_reported_everywhere_and_never_written_through() {
    use std::os::unix::fs::symlink;
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given a, when b, then c"]).success();
    t.pm(&["story", "add", "Split by percent", "--ac", "Given a, when b, then c"]).success();
    let outside = tempfile::tempdir().unwrap();
    let story = t.find("product/stories", "S-2");
    let target = outside.path().join("S-2.md");
    std::fs::rename(t.path(&story), &target).unwrap();
    symlink(&target, t.path(&story)).unwrap();
    let error = format!(
        "error: {story}: is a symbolic link: pm follows no link in the product folder\n  hint: replace the link \
         with the file or folder it points to: git keeps the link, not the file, and a write through it would land \
         outside the product\n"
    );
    let before = t.snapshot();
    let outside_before = std::fs::read(&target).unwrap();
    for args in [&["story", "show", "S-2"][..], &["story", "set", "S-2", "priority=high"], &["rank", "S-2", "--top"]] {
        t.pm(args).code(2).stderr_is(&error);
    }
    let list = t.pm(&["story", "list"]).code(2);
    assert!(list.stdout.contains("S-1") && list.stderr == error, "{} {}", list.stdout, list.stderr);
    let check = t.pm(&["check"]).code(1).stdout;
    assert!(
        check.contains(&format!(
            "error[file/symlink]: is a symbolic link: pm follows no link in the product folder\n --> {story}:1:1\n"
        )),
        "{check}"
    );
    assert!(!check.contains("backlog/unknown"), "the link's ID is not judged: {check}");
    assert_eq!(t.snapshot(), before);
    assert!(std::fs::symlink_metadata(t.path(&story)).unwrap().file_type().is_symlink(), "the link stays a link");
    assert_eq!(std::fs::read(&target).unwrap(), outside_before, "the file outside is untouched");

    // A link's number is not given to a new story.
    let link = t.path("product/stories/S-7-linked.md");
    symlink(&target, &link).unwrap();
    t.pm(&["story", "add", "Next", "--ac", "Given a, when b, then c"]).success().stderr_is(&format!(
        "warning: {story}: is a symbolic link, which pm does not read (`pm check`: file/symlink); its number was not \
         given to S-8\nwarning: product/stories/S-7-linked.md: is a symbolic link, which pm does not read (`pm \
         check`: file/symlink); its number was not given to S-8\n"
    ));
    assert!(t.path("product/stories/S-8-next.md").exists(), "S-7 is the link's");
    std::fs::remove_file(&link).unwrap();
    std::fs::remove_file(t.path("product/stories/S-8-next.md")).unwrap();
    t.write("product/backlog.md", &t.read("product/backlog.md").replace("- [S-8](stories/S-8-next.md) Next\n", ""));

    // A linked kind folder: no write lands in it.
    std::fs::remove_file(t.path(&story)).unwrap();
    std::fs::rename(&target, t.path(&story)).unwrap();
    let epics = outside.path().join("epics");
    std::fs::create_dir(&epics).unwrap();
    symlink(&epics, t.path("product/epics")).unwrap();
    t.pm(&["epic", "add", "Splitting"]).code(2).stderr_is(
        "error: product/epics: is a symbolic link: pm follows no link in the product folder\n  hint: replace the \
         link with the file or folder it points to: git keeps the link, not the file, and a write through it would \
         land outside the product\n",
    );
    assert_eq!(std::fs::read_dir(&epics).unwrap().count(), 0, "nothing was written outside");
    std::fs::remove_file(t.path("product/epics")).unwrap();

    // A product folder that is a link out of the repository: neither read nor written.
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given a, when b, then c"]).success();
    t.commit("one");
    let elsewhere = outside.path().join("product");
    std::fs::rename(t.path("product"), &elsewhere).unwrap();
    symlink(&elsewhere, t.path("product")).unwrap();
    let before = walk_bytes(&elsewhere);
    let root = t.root().canonicalize().unwrap();
    let error = format!(
        "error: product is a symbolic link out of the repository at {}: pm reads and writes nothing outside it\n  \
         hint: move the product folder into the repository, or run pm where it really is\n",
        root.display()
    );
    for args in [&["story", "list"][..], &["story", "show", "S-1"], &["check"], &["story", "add", "Two"], &["backlog"]]
    {
        t.pm(args).code(2).stderr_is(&error);
    }
    assert_eq!(walk_bytes(&elsewhere), before, "nothing was written outside");
    // A pm.yaml that is a link is not read either.
    std::fs::remove_file(t.path("product")).unwrap();
    std::fs::rename(&elsewhere, t.path("product")).unwrap();
    std::fs::rename(t.path("product/pm.yaml"), outside.path().join("pm.yaml")).unwrap();
    symlink(outside.path().join("pm.yaml"), t.path("product/pm.yaml")).unwrap();
    t.pm(&["story", "list"]).code(2).stderr_is(
        "error: product/pm.yaml: is a symbolic link: pm follows no link in the product folder\n  hint: replace the \
         link with the file or folder it points to: git keeps the link, not the file, and a write through it would \
         land outside the product\n",
    );
}

/// Every file under `dir` with its bytes.
fn walk_bytes(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    crate::harness::walk(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// An item file over `item_size_limit` is refused at once with its size, by every command and
/// by `pm check`; the limit is the team's to raise.
#[test]
fn an_item_file_over_the_size_limit_is_refused_with_its_size() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given a, when b, then c"]).success();
    let story = t.find("product/stories", "S-1");
    t.write(&story, &format!("{}{}", t.read(&story), "A long note.\n".repeat(100_000)));
    let size = std::fs::metadata(t.path(&story)).unwrap().len();
    let error = format!(
        "error: {story}: the file is {size} bytes, over the limit of 1048576 bytes for an item file\n  hint: split \
         it into smaller items, or raise item_size_limit (bytes) in pm.yaml\n"
    );
    t.pm(&["story", "show", "S-1"]).code(2).stderr_is(&error);
    t.pm(&["story", "set", "S-1", "priority=high"]).code(2).stderr_is(&error);
    let check = t.pm(&["check"]).code(1).stdout;
    assert!(
        check.contains(&format!("over the limit of 1048576 bytes for an item file\n --> {story}:1:1\n")),
        "{check}"
    );
    t.write(
        "product/pm.yaml",
        &t.read("product/pm.yaml").replace("item_size_limit: 1048576", "item_size_limit: 4000000"),
    );
    t.pm(&["story", "show", "S-1"]).success();
    // Read from history, the file is held to the limit of its commit's settings.
    t.commit("a long note, a higher limit");
    t.write(
        "product/pm.yaml",
        &t.read("product/pm.yaml").replace("item_size_limit: 4000000", "item_size_limit: 1048576"),
    );
    t.commit("the limit back");
    t.pm(&["backlog", "--at", "HEAD~1"]).success().stdout_has("S-1").stderr_is("");
    let head = t.git(&["rev-parse", "--short=7", "HEAD"]).trim().to_string();
    t.pm(&["backlog", "--at", "HEAD"]).success().stdout_is("").stderr_is(&format!(
        "warning: at {head}: {story}: the file is {size} bytes, over the limit of 1048576 bytes for an item file (left \
         out)\n"
    ));
}

/// `pm check --format github` and `--format markdown` quote values from files: their control
/// characters are shown as text, as in the human format.
#[test]
fn check_annotations_and_markdown_print_no_control_character() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given a, when b, then c"]).success();
    let story = t.find("product/stories", "S-1");
    t.write(&story, &t.read(&story).replace("status: draft", "status: \"dr\\e]0;PWNED\\aaft\""));
    for format in ["github", "markdown"] {
        let out = t.pm(&["--color", "always", "check", "--format", format]).code(1).stdout;
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{format}: {out:?}");
        assert!(out.contains("dr\\u{1b}") && out.contains("0;PWNED\\u{7}aft"), "{format}: {out}");
    }
}

/// A symbolic link committed to git is read as in the working tree: by no command, and
/// reported by `pm check --rev` (its blob holds a path, not a story).
#[cfg(unix)]
#[test]
fn a_symbolic_link_in_history_is_reported_not_read() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Split equally", "--ac", "Given a, when b, then c"]).success();
    std::os::unix::fs::symlink("../../README.md", t.path("product/stories/S-2-linked.md")).unwrap();
    t.commit("a link");
    std::fs::remove_file(t.path("product/stories/S-2-linked.md")).unwrap();
    let check = t.pm(&["check", "--rev", "HEAD"]).code(1).stdout;
    assert!(
        check.contains(
            "error[file/symlink]: is a symbolic link: pm follows no link in the product folder\n --> product/stories/S-2-linked.md:1:1\n"
        ),
        "{check}"
    );
    assert!(!check.contains("parse/"), "the link's blob is not read as a story: {check}");
    t.pm(&["backlog", "--at", "HEAD"]).success().stdout_lacks("S-2");
    t.pm(&["history", "S-2"]).stdout_lacks("Created");
}

#[test]
fn a_repository_git_refuses_is_named_as_such_not_as_missing() {
    // Run as another user (root can do that here), git refuses the repository for its owner:
    // pm says so, with git's way out, instead of "not in a git repository, run git init".
    let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout == b"0\n");
    let setpriv = std::process::Command::new("setpriv").arg("--version").output().is_ok_and(|o| o.status.success());
    if !root || !setpriv {
        return;
    }
    let t = Test::initialized();
    t.commit("product");
    let home = tempfile::tempdir().unwrap();
    for dir in [t.root(), home.path()] {
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let home = home.path().to_str().unwrap();
    let before = t.snapshot();
    t.pm_under(&["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], &["diff", "HEAD"], &[("HOME", home)])
        .code(2)
        .stderr_is(
            "error: git refuses the repository holding product: it belongs to another user (git's `dubious ownership`)\n  \
             hint: run pm as the repository's owner, or, if you trust it: git config --global --add safe.directory <its folder>\n",
        );
    assert_eq!(t.snapshot(), before);
}
