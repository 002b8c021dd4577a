//! The bad-input suite: one table of the kinds of bad input a user, a hostile pull request or
//! a damaged clone can bring, each run against the same small product. Every kind asserts the
//! exit code, that the message names the file (and line) where there is one, and that no file
//! changed; the whole output of every run is kept in `tests/fixtures/bad-input.txt`, and the
//! table in `docs/reliability.md` is made from the same cases (`PM_UPDATE_DOCS=1 cargo test`
//! rewrites both).

use crate::damaged::{forge_loose, hex_bytes, overwrite};
use crate::harness::Test;

const S1: &str = "product/stories/S-1-split-equally.md";
const S2: &str = "product/stories/S-2-split-by-percent.md";
const BACKLOG: &str = "product/backlog.md";
const ROADMAP: &str = "product/roadmap.md";
const CONFIG: &str = "product/pm.yaml";

/// How a case's command runs.
#[derive(Clone, Copy, PartialEq)]
enum How {
    /// As the test's user.
    Plain,
    /// As a user who is not root (`setpriv` to `nobody` when the tests run as root), so that
    /// permissions apply.
    NotRoot,
    /// With `product/stories` on a tiny file system filled to the last byte (a mount namespace
    /// of its own); the files there are compared before and after inside it.
    FullDisk,
}

struct Case {
    kind: &'static str,
    setup: fn(&Test),
    args: &'static [&'static str],
    code: i32,
    /// What the output must name: the file, with its line where there is one ("" when the bad
    /// input is not in a file: an argument, the repository).
    names: &'static str,
    how: How,
}

const fn case(
    kind: &'static str,
    setup: fn(&Test),
    args: &'static [&'static str],
    code: i32,
    names: &'static str,
) -> Case {
    Case { kind, setup, args, code, names, how: How::Plain }
}

fn edit(t: &Test, rel: &str, f: impl Fn(String) -> String) {
    t.write(rel, &f(t.read(rel)));
}

fn append(t: &Test, rel: &str, text: &str) {
    edit(t, rel, |s| s + text);
}

/// Put `line` into S-1's front matter after its `status` line.
fn front(t: &Test, line: &str) {
    edit(t, S1, |s| s.replacen("status: draft\n", &format!("status: draft\n{line}\n"), 1));
}

fn bytes(t: &Test, rel: &str, f: impl Fn(Vec<u8>) -> Vec<u8>) {
    let old = std::fs::read(t.path(rel)).unwrap();
    t.write_bytes(rel, &f(old));
}

fn commit(t: &Test, message: &str) {
    t.commit_dated(message, "2026-11-03T10:00:00Z", &[]);
}

fn rev(t: &Test, what: &str) -> String {
    t.git(&["rev-parse", what]).trim().to_string()
}

/// Pack everything, leaving no loose object.
fn pack(t: &Test) {
    t.git(&["repack", "-adq"]);
    t.git(&["prune-packed"]);
}

#[cfg(unix)]
fn link(target: &str, at: &std::path::Path) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

fn cases() -> Vec<Case> {
    let mut cases = vec![
        // Encodings and line ends.
        case(
            "a UTF-8 byte-order mark before the front matter",
            |t| bytes(t, S1, |b| [&b"\xef\xbb\xbf"[..], &b].concat()),
            &["story", "show", "S-1"],
            0,
            "",
        ),
        case("CRLF line ends", |t| edit(t, S1, |s| s.replace('\n', "\r\n")), &["story", "show", "S-1"], 0, ""),
        case("CR-only line ends", |t| edit(t, S1, |s| s.replace('\n', "\r")), &["story", "show", "S-1"], 2, S1),
        case(
            "a story that is not UTF-8",
            |t| bytes(t, S1, |b| [&b[..20], &b"\xff\xfe"[..], &b[20..]].concat()),
            &["story", "show", "S-1"],
            2,
            ":3:",
        ),
        case(
            "a file name that is not UTF-8",
            |t| {
                use std::os::unix::ffi::OsStrExt;
                let name = std::ffi::OsStr::from_bytes(b"S-3-caf\xe9.md");
                std::fs::write(t.path("product/stories").join(name), "---\nid: S-3\ntitle: Cafe\n---\n").unwrap();
            },
            &["check"],
            1,
            "product/stories/S-3-caf",
        ),
        case("a NUL byte in the body", |t| append(t, S1, "A \0 note.\n"), &["story", "show", "S-1"], 0, ""),
        case("a NUL byte in the front matter", |t| front(t, "owner: a\0b"), &["story", "show", "S-1"], 2, ":5:"),
        case(
            "a bare CR in a front-matter comment",
            |t| front(t, "# reviewed\rstatus: done"),
            &["story", "show", "S-1"],
            2,
            ":5:",
        ),
        case(
            "a bare CR inside a list, then a field set",
            |t| front(t, "tags: [a,\rb]"),
            &["story", "set", "S-1", "priority=high"],
            2,
            ":5:",
        ),
        case("a line of only tabs in the front matter", |t| front(t, "\t\t"), &["check"], 1, ":5:"),
        case("a key indented with a tab", |t| front(t, "\tpriority: high"), &["story", "show", "S-1"], 2, ":5:"),
        // Front matter.
        case("a duplicate key", |t| front(t, "status: done"), &["story", "show", "S-1"], 2, ":5:"),
        case(
            "a YAML alias bomb",
            |t| {
                let mut lines = vec!["a0: &a0 [x, x, x, x, x, x, x, x, x, x]".to_string()];
                for i in 1..9 {
                    let p = i - 1;
                    lines.push(format!(
                        "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
                    ));
                }
                front(t, &lines.join("\n"));
            },
            &["story", "show", "S-1"],
            2,
            S1,
        ),
        case(
            "flow YAML nested 100,000 deep",
            |t| front(t, &format!("flow: {}{}", "[".repeat(100_000), "]".repeat(100_000))),
            &["story", "show", "S-1"],
            2,
            ":5:",
        ),
        case(
            "front matter with 50,000 keys",
            |t| {
                front(t, &(0..50_000).map(|i| format!("k{i}: v")).collect::<Vec<_>>().join("\n"));
            },
            &["check"],
            0,
            ":5:",
        ),
        case(
            "front matter never closed",
            |t| edit(t, S1, |s| s.replacen("\n---\n", "\n", 1)),
            &["story", "show", "S-1"],
            2,
            ":1:",
        ),
        case(
            "front matter that is a list",
            |t| {
                t.write(S1, "---\n- id: S-1\n---\nBody.\n");
            },
            &["check"],
            1,
            ":2:",
        ),
        case("a story without an id", |t| edit(t, S1, |s| s.replacen("id: S-1\n", "", 1)), &["check"], 1, S1),
        case(
            "an id that disagrees with the file name",
            |t| edit(t, S1, |s| s.replacen("id: S-1\n", "id: S-9\n", 1)),
            &["check"],
            1,
            "says `id: S-9`",
        ),
        case(
            "an id mistyped inside a listed file, then pm fmt",
            |t| edit(t, S1, |s| s.replacen("id: S-1\n", "id: S-9\n", 1)),
            &["fmt"],
            0,
            "product/backlog.md:5",
        ),
        case(
            "an id mistyped inside a listed file, then pm backlog",
            |t| edit(t, S1, |s| s.replacen("id: S-1\n", "id: S-9\n", 1)),
            &["backlog"],
            0,
            "product/backlog.md:5",
        ),
        case(
            "an unknown status",
            |t| edit(t, S1, |s| s.replacen("status: draft", "status: finito", 1)),
            &["check"],
            1,
            ":4:",
        ),
        case("points that are not a number", |t| front(t, "points: lots"), &["check"], 1, ":5:"),
        case("points below zero", |t| front(t, "points: -3"), &["check"], 1, ":5:"),
        case("labels without brackets", |t| front(t, "labels: billing, mobile"), &["check"], 1, ":5:"),
        case(
            "a misspelt status key, then pm backlog",
            |t| edit(t, S1, |s| s.replacen("status: draft", "stauts: draft", 1)),
            &["backlog"],
            2,
            "rename `stauts` to `status`",
        ),
        case(
            "merge-conflict markers in pm.yaml",
            |t| edit(t, CONFIG, |s| format!("<<<<<<< HEAD\n{s}=======\nname: Other\n>>>>>>> feature\n")),
            &["backlog"],
            2,
            "product/pm.yaml:1",
        ),
        case(
            "a backlog line whose ID is mistyped, then pm fmt",
            |t| edit(t, BACKLOG, |s| s.replacen("- [S-2]", "- [E-2]", 1)),
            &["fmt"],
            0,
            "product/backlog.md:6",
        ),
        case(
            "notes with front matter of their own, then pm backlog",
            |t| {
                t.write("product/notes/2026-12-01.md", "---\ntags: [retro]\ndate: 2026-12-01\n---\nNotes.\n");
                t.write("product/stories/README.md", "How we write stories.\n");
            },
            &["backlog"],
            0,
            "",
        ),
        case(
            "a numbered backlog line, then pm fmt",
            |t| edit(t, BACKLOG, |s| s.replacen("- [S-2]", "1. [S-2]", 1)),
            &["fmt"],
            0,
            "product/backlog.md:6",
        ),
        case(
            "a done story still in the backlog, then pm backlog",
            |t| edit(t, S1, |s| s.replacen("status: draft", "status: done", 1)),
            &["backlog"],
            0,
            "product/backlog.md:5",
        ),
        case(
            "no backlog.md, then pm backlog",
            |t| std::fs::remove_file(t.path(BACKLOG)).unwrap(),
            &["backlog"],
            0,
            "product/backlog.md does not exist",
        ),
        case(
            "a date that is not a date",
            |t| {
                t.pm(&["sprint", "add", "Sprint one", "--start", "2026-11-02", "--end", "2026-11-13"]).success();
                edit(t, "product/sprints/SP-1-sprint-one.md", |s| s.replacen("end: 2026-11-13", "end: next friday", 1));
            },
            &["check"],
            1,
            "product/sprints/SP-1-sprint-one.md:6",
        ),
        case("a priority not in the list", |t| front(t, "priority: urgentest"), &["check"], 1, ":5:"),
        case(
            "an epic that does not exist",
            |t| edit(t, S1, |s| s.replacen("epic: E-1", "epic: E-42", 1)),
            &["check"],
            1,
            ":5:",
        ),
        case(
            "stories that depend on each other",
            |t| {
                front(t, "depends_on: [S-2]");
                edit(t, S2, |s| s.replacen("status: draft\n", "status: draft\ndepends_on: [S-1]\n", 1));
            },
            &["check"],
            1,
            S1,
        ),
        case(
            "merge-conflict markers in a story",
            |t| {
                edit(t, S1, |s| {
                    s.replacen(
                        "status: draft\n",
                        "<<<<<<< HEAD\nstatus: ready\n=======\nstatus: draft\n>>>>>>> feature\n",
                        1,
                    )
                })
            },
            &["story", "show", "S-1"],
            2,
            ":4:",
        ),
        case(
            "a title with escape sequences in the file",
            |t| edit(t, S1, |s| s.replacen("title: Split equally", "title: \"Split \\e]0;PWNED\\a\\e[2Jequally\"", 1)),
            &["story", "show", "S-1"],
            0,
            "",
        ),
        // Sizes.
        case(
            "a 10 MB title",
            |t| edit(t, S1, |s| s.replacen("title: Split equally", &format!("title: {}", "x".repeat(10 << 20)), 1)),
            &["story", "list"],
            2,
            S1,
        ),
        case(
            "a 10 MB story",
            |t| append(t, S1, &"A long note.\n".repeat(10 << 20 >> 4)),
            &["story", "show", "S-1"],
            2,
            S1,
        ),
        case(
            "a 100 MB story",
            |t| append(t, S1, &"A long note.\n".repeat(100 << 20 >> 4)),
            &["story", "set", "S-1", "priority=high"],
            2,
            S1,
        ),
        case(
            "an empty story file",
            |t| {
                t.write(S1, "");
            },
            &["story", "show", "S-1"],
            2,
            S1,
        ),
        // Folders and names.
        case(
            "a folder named like a story",
            |t| std::fs::create_dir(t.path("product/stories/S-3-folder.md")).unwrap(),
            &["check"],
            0,
            "",
        ),
        case("an ID with a slash", |_| {}, &["story", "show", "S-1/../S-2"], 2, ""),
        case("an ID that is `..`", |_| {}, &["story", "show", ".."], 2, ""),
        case("an ID with Unicode digits", |_| {}, &["story", "show", "S-\u{661}"], 2, ""),
        case("an ID of 30 digits", |_| {}, &["story", "show", "S-123456789012345678901234567890"], 2, ""),
        case(
            "a file with an ID of 30 digits",
            |t| {
                t.write(
                    "product/stories/S-123456789012345678901234567890-x.md",
                    "---\nid: S-123456789012345678901234567890\ntitle: Huge\nstatus: draft\n---\n",
                );
            },
            &["check"],
            1,
            "S-123456789012345678901234567890-x.md",
        ),
        // Lists.
        case("a malformed backlog line", |t| append(t, BACKLOG, "-[S-2](y)\n"), &["check"], 0, "product/backlog.md:7"),
        case(
            "a malformed backlog line, then pm backlog",
            |t| append(t, BACKLOG, "-[S-2](y)\n"),
            &["backlog"],
            0,
            "product/backlog.md:7",
        ),
        case(
            "a malformed backlog line, then pm fmt",
            |t| append(t, BACKLOG, "-[S-2](y)\n"),
            &["fmt", "--check"],
            0,
            "product/backlog.md:7",
        ),
        case(
            "a backlog line without its link, then pm fmt",
            |t| edit(t, BACKLOG, |s| s.replacen("- [S-2](stories/S-2-split-by-percent.md)", "- S-2", 1)),
            &["fmt"],
            0,
            "product/backlog.md:6",
        ),
        case(
            "a backlog line with its bracket unclosed, then pm fmt",
            |t| edit(t, BACKLOG, |s| s.replacen("- [S-2]", "- [S-2", 1)),
            &["fmt"],
            0,
            "product/backlog.md:6",
        ),
        case(
            "a backlog of 100,000 lines naming no story",
            |t| {
                append(
                    t,
                    BACKLOG,
                    &(100..100_100).map(|i| format!("- [S-{i}](stories/S-{i}.md) Gone\n")).collect::<String>(),
                )
            },
            &["check"],
            1,
            "product/backlog.md:7",
        ),
        case(
            "a story twice in the backlog",
            |t| append(t, BACKLOG, "- [S-1](stories/S-1-split-equally.md) Split equally\n"),
            &["backlog"],
            0,
            "product/backlog.md:7",
        ),
        case(
            "merge-conflict markers in the backlog",
            |t| edit(t, BACKLOG, |s| s.replacen("- [S-1]", "<<<<<<< HEAD\n- [S-1]", 1) + "=======\n>>>>>>> feature\n"),
            &["backlog"],
            2,
            "product/backlog.md:5",
        ),
        case(
            "an epic under a heading that is no horizon",
            |t| edit(t, ROADMAP, |s| s.replace("## Now", "## Someday")),
            &["check"],
            0,
            "product/roadmap.md:",
        ),
        case(
            "an epic under a heading that is no horizon, then pm roadmap",
            |t| edit(t, ROADMAP, |s| s.replace("## Now", "## Someday")),
            &["roadmap"],
            0,
            "product/roadmap.md:",
        ),
        case("a malformed roadmap line", |t| append(t, ROADMAP, "-[E-2](x)\n"), &["check"], 0, "product/roadmap.md:"),
        case(
            "a roadmap heading one # too many, then pm roadmap",
            |t| edit(t, ROADMAP, |s| s.replacen("## Next", "### Next", 1)),
            &["roadmap"],
            0,
            "product/roadmap.md:",
        ),
        case(
            "a criterion without the space after its dash",
            |t| edit(t, S1, |s| s.replacen("- [ ] AC-1", "-[ ] AC-1", 1)),
            &["check"],
            1,
            S1,
        ),
        case(
            "a criteria heading with a colon, then pm ac add",
            |t| edit(t, S1, |s| s.replacen("## Acceptance criteria", "## Acceptance criteria:", 1)),
            &["ac", "add", "S-1", "Given a, when b, then c"],
            2,
            S1,
        ),
        case(
            "a malformed roadmap line, then pm roadmap",
            |t| append(t, ROADMAP, "-[E-2](x)\n"),
            &["roadmap"],
            0,
            "product/roadmap.md:",
        ),
        // Settings.
        case(
            "pm.yaml of the wrong types",
            |t| edit(t, CONFIG, |s| s.replacen("item_size_limit: 1048576", "item_size_limit: lots", 1)),
            &["backlog"],
            2,
            "product/pm.yaml:",
        ),
        case(
            "pm.yaml that is not YAML",
            |t| {
                t.write(CONFIG, "name: Demo\nstatuses: [draft, done\n");
            },
            &["backlog"],
            2,
            "product/pm.yaml:",
        ),
        case(
            "a folder where pm.yaml belongs",
            |t| {
                std::fs::remove_file(t.path(CONFIG)).unwrap();
                std::fs::create_dir(t.path(CONFIG)).unwrap();
            },
            &["backlog"],
            3,
            "product/pm.yaml",
        ),
        case(
            "a folder where backlog.md belongs",
            |t| {
                std::fs::remove_file(t.path(BACKLOG)).unwrap();
                std::fs::create_dir(t.path(BACKLOG)).unwrap();
            },
            &["backlog"],
            3,
            "product/backlog.md",
        ),
        // Links and leftovers.
        case(
            "a symbolic link to a story outside the product",
            |t| link("/etc/hostname", &t.path("product/stories/S-3-linked.md")),
            &["story", "list"],
            2,
            "product/stories/S-3-linked.md",
        ),
        case(
            "a symbolic link that points to itself",
            |t| link("S-3-loop.md", &t.path("product/stories/S-3-loop.md")),
            &["check"],
            1,
            "product/stories/S-3-loop.md",
        ),
        case(
            "a product folder that is a link out of the repository",
            |t| {
                let away = t.tmp_dir().join("away");
                std::fs::rename(t.path("product"), &away).unwrap();
                link(away.to_str().unwrap(), &t.path("product"));
            },
            &["backlog"],
            2,
            "product",
        ),
        case(
            "a linked pm.yaml",
            |t| {
                std::fs::remove_file(t.path(CONFIG)).unwrap();
                link("/etc/hostname", &t.path(CONFIG));
            },
            &["backlog"],
            2,
            "product/pm.yaml",
        ),
        case(
            "a temporary file left by a killed pm",
            |t| {
                t.write("product/stories/.S-1-split-equally.md.pm-999999-1.tmp", "half");
            },
            &["check"],
            0,
            ".S-1-split-equally.md.pm-999999-1.tmp",
        ),
        // Values on the command line.
        case("a title with a line break", |_| {}, &["story", "add", "Split\nequally"], 2, ""),
        case("a value with an escape sequence", |_| {}, &["story", "set", "S-1", "owner=\u{1b}[2Jmallory"], 2, ""),
        case("a value with a paragraph separator", |_| {}, &["story", "set", "S-1", "owner=Ana\u{2029}   Lima"], 2, ""),
        case("an unknown field value", |_| {}, &["story", "set", "S-1", "status=finito"], 2, ""),
        // Revisions.
        case("an unknown revision", |_| {}, &["backlog", "--at", "no-such-branch"], 2, ""),
        case("a date before the first commit", |_| {}, &["backlog", "--at", "2000-01-01"], 2, ""),
        case("a revision that is not a date nor a name", |_| {}, &["history", "--since", "the day after"], 2, ""),
    ];
    cases.extend(repository_cases());
    cases.extend(permission_cases());
    cases
}

/// Shapes of repository: shallow, empty, bare, unborn, detached, worktrees, submodules, and
/// damage.
fn repository_cases() -> Vec<Case> {
    vec![
        case(
            "a shallow clone",
            |t| {
                let url = format!("file://{}", t.root().display());
                let shallow = t.tmp_dir().join("shallow");
                t.git(&["clone", "-q", "--depth", "1", &url, shallow.to_str().unwrap()]);
                std::fs::rename(t.path(".git"), t.tmp_dir().join("full.git")).unwrap();
                std::fs::rename(shallow.join(".git"), t.path(".git")).unwrap();
            },
            &["history", "S-1"],
            2,
            "",
        ),
        case(
            "an empty repository",
            |t| {
                std::fs::remove_dir_all(t.path(".git")).unwrap();
                t.git(&["init", "-q", "-b", "main"]);
            },
            &["backlog", "--at", "HEAD"],
            2,
            "",
        ),
        case(
            "an empty repository's history",
            |t| {
                std::fs::remove_dir_all(t.path(".git")).unwrap();
                t.git(&["init", "-q", "-b", "main"]);
            },
            &["history"],
            0,
            "",
        ),
        case(
            "a bare repository",
            |t| {
                t.git(&["clone", "-q", "--bare", ".", t.tmp_dir().join("bare.git").to_str().unwrap()]);
            },
            &["-C", "$TMP/bare.git", "backlog"],
            2,
            "",
        ),
        case(
            "an unborn branch",
            |t| {
                t.git(&["checkout", "-q", "--orphan", "fresh"]);
            },
            &["history"],
            0,
            "",
        ),
        case(
            "a detached HEAD",
            |t| {
                t.git(&["checkout", "-q", "--detach", "HEAD~1"]);
            },
            &["history", "--first-parent"],
            0,
            "",
        ),
        case(
            "a linked worktree",
            |t| {
                t.git(&["worktree", "add", "-q", "wt", "HEAD~1"]);
            },
            &["-C", "wt", "backlog"],
            0,
            "",
        ),
        case(
            "a product in a submodule",
            |t| {
                t.git(&["init", "-q", "outer"]);
                let url = format!("file://{}", t.root().display());
                t.git_in("outer", &["-c", "protocol.file.allow=always", "submodule", "add", "-q", &url, "inner"]);
            },
            &["-C", "outer/inner", "backlog"],
            0,
            "",
        ),
        case(
            "a .git file pointing nowhere",
            |t| {
                std::fs::rename(t.path(".git"), t.tmp_dir().join("moved.git")).unwrap();
                t.write(".git", "gitdir: /nonexistent/repo.git\n");
            },
            &["history"],
            2,
            ".git points to /nonexistent/repo.git",
        ),
        case(
            "a pack index offset past the pack",
            |t| {
                pack(t);
                crate::damaged::break_offset(t, &rev(t, &format!("HEAD:{S1}")));
            },
            &["history"],
            3,
            "",
        ),
        case(
            "a missing object",
            |t| {
                let blob = rev(t, &format!("HEAD:{S1}"));
                std::fs::remove_file(t.path(&format!(".git/objects/{}/{}", &blob[..2], &blob[2..]))).unwrap();
            },
            &["backlog", "--at", "HEAD"],
            3,
            "",
        ),
        case(
            "a loose object cut short",
            |t| {
                let blob = rev(t, &format!("HEAD:{S1}"));
                let path = t.path(&format!(".git/objects/{}/{}", &blob[..2], &blob[2..]));
                let bytes = std::fs::read(&path).unwrap();
                overwrite(&path, &bytes[..bytes.len() - 4]);
            },
            &["check", "--rev", "HEAD"],
            3,
            "",
        ),
        case(
            "a tree that holds itself",
            |t| {
                let stories = rev(t, "HEAD:product/stories");
                let mut body = b"40000 deeper\0".to_vec();
                body.extend(hex_bytes(&stories));
                forge_loose(t, &stories, "tree", &body);
            },
            &["backlog", "--at", "HEAD"],
            3,
            "",
        ),
        case(
            "trees that double at every level",
            |t| {
                let mut tree = rev(t, "HEAD:product/stories");
                for _ in 0..22 {
                    tree = t
                        .git_stdin(&["mktree"], &format!("040000 tree {tree}\ta\n040000 tree {tree}\tb\n"))
                        .trim()
                        .to_string();
                }
                let product: String = t
                    .git(&["ls-tree", "HEAD:product"])
                    .lines()
                    .map(|l| {
                        if l.ends_with("\tstories") {
                            format!("040000 tree {tree}\tstories\n")
                        } else {
                            format!("{l}\n")
                        }
                    })
                    .collect();
                let product = t.git_stdin(&["mktree"], &product);
                let root: String = t
                    .git(&["ls-tree", "HEAD"])
                    .lines()
                    .map(|l| {
                        if l.ends_with("\tproduct") {
                            format!("040000 tree {}\tproduct\n", product.trim())
                        } else {
                            format!("{l}\n")
                        }
                    })
                    .collect();
                let root = t.git_stdin(&["mktree"], &root);
                let commit = t.git(&["commit-tree", root.trim(), "-p", "HEAD", "-m", "doubled"]);
                t.git(&["update-ref", "refs/heads/doubled", commit.trim()]);
            },
            &["check", "--rev", "doubled"],
            3,
            "",
        ),
        case(
            "a commit that is its own ancestor",
            |t| {
                let (head, parent) = (rev(t, "HEAD"), rev(t, "HEAD~1"));
                let tree = rev(t, "HEAD~1^{tree}");
                let body =
                    format!("tree {tree}\nparent {head}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nloop\n");
                forge_loose(t, &parent, "commit", body.as_bytes());
            },
            &["history"],
            3,
            "",
        ),
        case(
            "a story over the size limit in history",
            |t| {
                append(t, S1, &"A long note.\n".repeat(100_000));
                commit(t, "a long note");
                edit(t, S1, |s| s.split("A long note.\n").next().unwrap().to_string());
            },
            &["backlog", "--at", "HEAD"],
            0,
            S1,
        ),
    ]
}

/// Permissions (as a user who is not root) and a full disk.
fn permission_cases() -> Vec<Case> {
    vec![
        Case {
            how: How::NotRoot,
            ..case("a read-only story", |t| set_mode(t, S1, 0o444), &["story", "set", "S-1", "priority=high"], 3, S1)
        },
        Case {
            how: How::NotRoot,
            ..case(
                "a read-only stories folder",
                |t| set_mode(t, "product/stories", 0o555),
                &["story", "add", "Split by shares"],
                3,
                "product/stories",
            )
        },
        Case {
            how: How::NotRoot,
            ..case("an unreadable story", |t| set_mode(t, S1, 0o000), &["story", "list"], 3, S1)
        },
        Case {
            how: How::NotRoot,
            ..case("an unreadable story, then pm backlog", |t| set_mode(t, S1, 0o000), &["backlog"], 3, S1)
        },
        Case {
            how: How::NotRoot,
            ..case("an unreadable story, then pm check", |t| set_mode(t, S1, 0o000), &["check"], 1, S1)
        },
        Case {
            how: How::NotRoot,
            ..case(
                "an unreadable story, then pm check --format json",
                |t| set_mode(t, S1, 0o000),
                &["check", "--format", "json"],
                1,
                "\"rule\": \"file/unreadable\"",
            )
        },
        Case {
            how: How::NotRoot,
            ..case("an unreadable story, then pm diff", |t| set_mode(t, S1, 0o000), &["diff", "HEAD"], 0, S1)
        },
        Case {
            how: How::NotRoot,
            ..case(
                "an unreadable story, then pm renumber",
                |t| set_mode(t, S1, 0o000),
                &["renumber", "S-1", "S-7"],
                3,
                S1,
            )
        },
        Case {
            how: How::NotRoot,
            ..case("an unreadable backlog, then pm check", |t| set_mode(t, BACKLOG, 0o000), &["check"], 1, BACKLOG)
        },
        Case {
            how: How::NotRoot,
            ..case(
                "an unlistable stories folder, then pm check",
                |t| set_mode(t, "product/stories", 0o300),
                &["check"],
                1,
                "product/stories:1:1",
            )
        },
        Case {
            how: How::NotRoot,
            ..case("an unreadable product folder", |t| set_mode(t, "product", 0o000), &["backlog"], 3, "product")
        },
        Case {
            how: How::NotRoot,
            ..case(
                "an unlistable stories folder, then pm fmt",
                |t| set_mode(t, "product/stories", 0o300),
                &["fmt"],
                0,
                "left alone: product/stories: permission denied",
            )
        },
        Case {
            how: How::NotRoot,
            ..case(
                "an unlistable stories folder, then pm backlog",
                |t| set_mode(t, "product/stories", 0o300),
                &["backlog"],
                3,
                "product/stories",
            )
        },
        Case {
            how: How::FullDisk,
            ..case(
                "a full disk",
                |_| {},
                &["story", "set", "S-1", "title=Split the bill equally between everyone at the table"],
                3,
                S1,
            )
        },
    ]
}

fn set_mode(t: &Test, rel: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(t.path(rel), std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The product every case starts from: two stories with criteria, committed twice on fixed
/// dates (so that object IDs, and the output that names them, are the same on every run).
fn base() -> Test {
    let t = Test::new()
        .env("PM_TODAY", "2026-11-02")
        .env("GIT_AUTHOR_DATE", "2026-11-02T09:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-02T09:00:00Z");
    t.pm(&["init", "--name", "Demo"]).success();
    t.pm(&["vision", "add", "Fair shared bills"]).success();
    t.pm(&["epic", "add", "Splitting", "--vision", "V-1", "--horizon", "now"]).success();
    t.pm(&[
        "story",
        "add",
        "Split equally",
        "--epic",
        "E-1",
        "--ac",
        "Given a bill, when split, then shares are equal",
    ])
    .success();
    commit(&t, "first story");
    t.pm(&[
        "story",
        "add",
        "Split by percent",
        "--epic",
        "E-1",
        "--ac",
        "Given a bill, when split by percent, then shares follow",
    ])
    .success();
    commit(&t, "second story");
    t
}

fn uid() -> String {
    let out = std::process::Command::new("id").arg("-u").output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Run one case; `None` when this machine cannot run it (no way to drop root, no mount).
fn run(c: &Case) -> Option<(i32, String, String, bool)> {
    let t = base();
    (c.setup)(&t);
    let before = t.snapshot();
    let home = t.tmp_dir().to_str().unwrap().to_string();
    let args: Vec<String> = c.args.iter().map(|a| a.replace("$TMP", &home)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let args = &args[..];
    let run = match c.how {
        How::Plain => t.pm(args),
        How::NotRoot if uid() != "0" => t.pm(args),
        How::NotRoot => {
            let chown = std::process::Command::new("chown")
                .args(["-R", "65534:65534"])
                .arg(t.root())
                .arg(t.tmp_dir())
                .status()
                .ok()?;
            if !chown.success() {
                return None;
            }
            set_mode_abs(t.root(), 0o755);
            set_mode_abs(t.tmp_dir(), 0o755);
            let run =
                t.pm_under(&["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], args, &[("HOME", &home)]);
            // Back to root, so that the test can read every file and remove the folders.
            std::process::Command::new("chown").args(["-R", "0:0"]).arg(t.root()).arg(t.tmp_dir()).status().ok()?;
            restore_modes(t.root());
            run
        }
        How::FullDisk => {
            let script = r#"set -e
S=product/stories
cp -a "$S" "$HOME/saved"
mount -t tmpfs -o size=64k tmpfs "$S" || exit 111
cp -a "$HOME/saved/." "$S"
cat /dev/zero > "$S/.filler" 2>/dev/null || true
list() { (cd "$S" && ls -A && cat ./*.md | cksum); }
before=$(list)
set +e
"$@"
rc=$?
[ "$before" = "$(list)" ] || echo "TEST: files changed on the full disk" >&2
exit $rc
"#;
            let run = t.pm_under(
                &["unshare", "--map-root-user", "--mount", "sh", "-c", script, "sh"],
                args,
                &[("HOME", &home)],
            );
            if run.code == 111 || run.stderr.contains("unshare failed") {
                return None;
            }
            run
        }
    };
    restore_modes(t.root());
    let unchanged = t.snapshot() == before;
    let clean = |s: &str| {
        let mut s = s.replace(t.tmp_dir().to_str().unwrap(), "$TMP").replace(t.root().to_str().unwrap(), "$REPO");
        if let Ok(real) = t.root().canonicalize() {
            s = s.replace(real.to_str().unwrap(), "$REPO");
        }
        s
    };
    Some((run.code, clean(&run.stdout), clean(&run.stderr), unchanged))
}

fn set_mode_abs(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

/// Make every folder and file under `dir` readable and writable again (a case took them away).
fn restore_modes(dir: &std::path::Path) {
    set_mode_abs(dir, 0o755);
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            restore_modes(&e.path());
        } else if kind.is_file() {
            set_mode_abs(&e.path(), 0o644);
        }
    }
}

/// The first line of what a run said: its first error or warning, or its first line of output.
fn first_line(stdout: &str, stderr: &str) -> String {
    let said = if stderr.trim().is_empty() { stdout } else { stderr };
    said.lines().find(|l| !l.trim().is_empty()).unwrap_or("(nothing)").to_string()
}

/// A Markdown table cell: pipes escaped, the text in a code span long enough for its
/// backticks, cut to a readable length.
fn cell(text: &str) -> String {
    let mut text: String = text.chars().take(160).collect();
    if text.chars().count() == 160 {
        text.push_str("...");
    }
    let text = text.replace('|', "\\|");
    let ticks = if text.contains('`') { "``" } else { "`" };
    format!("{ticks} {text} {ticks}")
}

#[test]
fn every_kind_of_bad_input_has_a_clear_answer_and_changes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} kinds", cases.len());
    // Eight at a time: the cases are independent repositories.
    let results: Vec<Option<(i32, String, String, bool)>> = std::thread::scope(|s| {
        let chunks: Vec<_> = cases.chunks(cases.len().div_ceil(8)).collect();
        let handles: Vec<_> =
            chunks.into_iter().map(|chunk| s.spawn(move || chunk.iter().map(run).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("a case panicked")).collect()
    });
    let mut failures = Vec::new();
    let mut golden = String::from("# The bad-input suite: what pm said to each kind (tests/cli/bad_input.rs)\n");
    let mut table = String::from("| # | kind | command | exit | what pm says first |\n|---|---|---|---|---|\n");
    for (i, (c, result)) in cases.iter().zip(&results).enumerate() {
        let command =
            format!("pm {}", c.args.iter().map(|a| a.escape_debug().to_string()).collect::<Vec<_>>().join(" "));
        let Some((code, stdout, stderr, unchanged)) = result else {
            eprintln!("{}: skipped, this machine cannot run it (no setpriv or no mount namespace)", c.kind);
            continue;
        };
        let said = format!("{stdout}{stderr}");
        let short: String =
            said.lines().take(8).map(|l| format!("{}\n", l.chars().take(200).collect::<String>())).collect();
        if *code != c.code {
            failures.push(format!("{}: exit {code}, expected {}\n{short}", c.kind, c.code));
        }
        if !said.contains(c.names) {
            failures.push(format!("{}: does not name {:?}\n{short}", c.kind, c.names));
        }
        if !unchanged || stderr.contains("TEST: files changed") {
            failures.push(format!("{}: files changed", c.kind));
        }
        if *code == 101 || said.contains("panicked") {
            failures.push(format!("{}: a panic\n{said}", c.kind));
        }
        golden.push_str(&format!("\n## {}. {}\n$ {command}\nexit {code}\n", i + 1, c.kind));
        for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.len() > 12 {
                let more = lines.len() - 12;
                lines.truncate(12);
                golden.push_str(&format!("--- {name} (first 12 of {} lines)\n", 12 + more));
            } else if !lines.is_empty() {
                golden.push_str(&format!("--- {name}\n"));
            }
            for l in lines {
                let l: String = l.chars().take(300).collect();
                let shown: String = l
                    .chars()
                    .map(|c| if c.is_control() && c != '\t' { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() })
                    .collect();
                golden.push_str(&format!("{shown}\n"));
            }
        }
        table.push_str(&format!(
            "| {} | {} | {} | {code} | {} |\n",
            i + 1,
            c.kind.replace('|', "\\|"),
            cell(&command),
            cell(&first_line(stdout, stderr))
        ));
    }
    assert!(failures.is_empty(), "{} of {} kinds:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
    let skipped = results.iter().any(Option::is_none);
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad-input.txt");
    let doc = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reliability.md");
    let text = std::fs::read_to_string(doc).unwrap();
    let (start, end) = ("<!-- bad-input: made by tests/cli/bad_input.rs -->\n", "<!-- end of bad-input -->");
    let (a, b) = (text.find(start).expect("the marker in reliability.md") + start.len(), text.find(end).unwrap());
    if std::env::var_os("PM_UPDATE_DOCS").is_some() {
        assert!(!skipped, "every case must run to rewrite the fixture");
        std::fs::write(fixture, &golden).unwrap();
        std::fs::write(doc, format!("{}{table}{}", &text[..a], &text[b..])).unwrap();
    } else if !skipped {
        let kept = std::fs::read_to_string(fixture).unwrap_or_default();
        assert!(
            kept == golden,
            "tests/fixtures/bad-input.txt differs (PM_UPDATE_DOCS=1 cargo test rewrites it):\n{}",
            first_difference(&kept, &golden)
        );
        assert!(
            text[a..b] == table,
            "the table in docs/reliability.md is stale (PM_UPDATE_DOCS=1 cargo test rewrites it)"
        );
    }
}

fn first_difference(kept: &str, fresh: &str) -> String {
    let (k, f): (Vec<&str>, Vec<&str>) = (kept.lines().collect(), fresh.lines().collect());
    let at = k.iter().zip(&f).position(|(a, b)| a != b).unwrap_or(k.len().min(f.len()));
    let from = at.saturating_sub(3);
    format!("kept:\n{}\nnow:\n{}", k[from..(at + 3).min(k.len())].join("\n"), f[from..(at + 3).min(f.len())].join("\n"))
}
