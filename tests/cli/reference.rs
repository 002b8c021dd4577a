//! docs/commands.md carries the help of every command, generated from the clap definitions;
//! this test fails when they drift. Run with PM_UPDATE_DOCS=1 to regenerate.

use crate::harness::Test;

const START: &str = "<!-- generated reference: start -->\n";
const END: &str = "<!-- generated reference: end -->\n";

#[test]
fn commands_md_matches_the_help() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/commands.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let (head, rest) = doc.split_once(START).expect("start marker");
    let (_, tail) = rest.split_once(END).expect("end marker");
    let fresh = format!("{head}{START}\n{}{END}{tail}", pm::cli::reference_markdown());
    if std::env::var_os("PM_UPDATE_DOCS").is_some() {
        std::fs::write(path, &fresh).unwrap();
    } else {
        assert!(doc == fresh, "docs/commands.md is stale: run `PM_UPDATE_DOCS=1 cargo test --test cli reference`");
    }
}

/// The bash registration loads in bash; at TAB it asks this pm for commands and for the IDs
/// of the product in the current folder (with titles for the shells that show them).
#[test]
fn bash_completion_completes_commands_and_the_products_ids() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Export to CSV"]).success();
    t.pm(&["story", "add", "Import a statement"]).success();
    t.pm(&["sprint", "add", "Sprint 1"]).success();
    let script = t.pm(&["completions", "bash"]).success().stdout;
    t.write("pm.bash", &script);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_pm")).parent().unwrap().to_path_buf();
    let path =
        std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())))
            .unwrap();
    let complete = |words: &str| {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source ./pm.bash && COMP_WORDS=({words}) && COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)) && \
                 _clap_complete_pm pm \"${{COMP_WORDS[COMP_CWORD]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\""
            ))
            .current_dir(t.root())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("pm spr"), "sprint\n");
    assert_eq!(complete("pm story show S-"), "S-1\nS-2\n");
    assert_eq!(complete("pm rank S"), "S-1\nS-2\n", "rank offers stories, not SP-1");
    assert_eq!(complete("pm sprint show SP"), "SP-1\n");
    t.pm(&["epic", "add", "Exports", "--vision", "V-1"]).success();
    t.pm(&["ac", "add", "S-1", "Given an expense, when I export, then it is a row"]).success();
    assert_eq!(complete("pm epic show E"), "E-1\n", "the kind the command is about");
    assert_eq!(complete("pm story add x --epic E"), "E-1\n");
    assert_eq!(complete("pm ac check S-1 A"), "AC-1\n", "the named story's criteria");
    assert_eq!(complete("pm roadmap move E-1 n"), "now\nnext\n");
    let other = Test::initialized();
    other.pm(&["story", "add", "Elsewhere"]).success();
    let dir = other.root().display().to_string();
    assert_eq!(complete(&format!("pm -C {dir} story show S-")), "S-1\n", "-C names the product");
    let fish = t.pm_env(&["--", "pm", "story", "show", "S-"], &[("PM_COMPLETE", "fish")]).success().stdout;
    assert_eq!(fish, "S-1\tExport to CSV\nS-2\tImport a statement\n");
}

/// `pm man --out DIR` writes a page for pm and for every command and subcommand, named as man
/// expects (pm-story-add.1), and `pm man` prints the page of pm.
#[test]
fn man_pages_cover_every_command() {
    fn names(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        let name = if prefix.is_empty() { cmd.get_name().to_string() } else { format!("{prefix}-{}", cmd.get_name()) };
        out.push(format!("{name}.1"));
        for sub in cmd.get_subcommands() {
            names(sub, &name, out);
        }
    }
    let t = Test::without_git();
    let run = t.pm(&["man", "--out", "man1"]).success();
    let mut written: Vec<String> = std::fs::read_dir(t.path("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected = Vec::new();
    names(&pm::cli::command(), "", &mut expected);
    expected.retain(|n| !n.ends_with("-help.1"));
    expected.sort();
    assert_eq!(written, expected);
    assert_eq!(run.stdout, format!("Wrote {} man pages to {}\n", expected.len(), t.path("man1").display()));
    assert!(t.pm(&["man"]).success().stdout.contains(".TH pm 1"), "a roff page");
}

/// Every command's help (docs/commands.md, which is the help) shows an example, and every
/// example runs on the bundled example product with its history: no usage error, no failure.
/// Each runs in a fresh copy. Only the `pm ...` part of a line runs (not a pipe into `man`,
/// a redirection or a `git clone` before it).
#[test]
fn every_command_has_an_example_and_every_example_runs() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/commands.md")).unwrap();
    let mut examples: Vec<(String, String)> = Vec::new();
    let mut missing = Vec::new();
    for section in doc.split("\n### `").skip(1) {
        let (name, rest) = section.split_once("`\n").unwrap();
        let help = rest.split("```text\n").nth(1).and_then(|r| r.split("\n```").next()).unwrap();
        if help.contains("\nCommands:\n") {
            continue; // a group: its commands are checked one by one
        }
        let mut lines = help.lines().skip_while(|l| !l.starts_with("Example")).skip(1).peekable();
        let mut found = 0;
        while let Some(line) = lines.next().filter(|l| l.starts_with("  ")) {
            let mut text = line.trim().to_string();
            while text.ends_with('\\') {
                text.pop();
                text.push_str(lines.next().unwrap().trim());
            }
            // The pm command of the line: its start after `VAR=value` words, or after `&&`.
            let words: Vec<&str> = text.split(' ').collect();
            let first = words.iter().position(|w| !w.contains('=')).unwrap_or(0);
            let command = match text.rfind("&& pm ") {
                Some(i) => &text[i + 3..],
                None if words.get(first) == Some(&"pm") => &text[text.find("pm ").unwrap()..],
                None => continue, // not pm's own command line (`claude mcp add ...`)
            };
            let mut command = command.to_string();
            for stop in [" | ", " > ", " >> ", " #", " && "] {
                if let Some(i) = command.find(stop) {
                    command.truncate(i);
                }
            }
            examples.push((name.to_string(), command));
            found += 1;
        }
        if found == 0 {
            missing.push(name.to_string());
        }
    }
    assert!(missing.is_empty(), "commands whose help has no example: {missing:?}");
    assert!(examples.len() > 60, "{} examples", examples.len());

    // The example product in a repository with what the examples name: the history of
    // examples/tandem-history.sh (for flow, velocity, forecast), then today's example product
    // as release v1.0, a release v1.1, a branch `feature`, and origin/main. Built once and
    // copied for each example.
    let base = Test::without_git();
    let repo = base.path("tandem");
    let made = std::process::Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tandem-history.sh"))
        .arg(&repo)
        .env("PM", env!("CARGO_BIN_EXE_pm"))
        .env("PM_TODAY", "2024-04-11")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    std::fs::remove_dir_all(repo.join("product")).unwrap();
    // The whole example: its product, and the code, tests and test report that trace to it.
    crate::harness::copy_dir(&crate::harness::example_dir().join(".."), &repo);
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_AUTHOR_DATE", "2024-04-12T09:00:00+00:00")
            .env("GIT_COMMITTER_DATE", "2024-04-12T09:00:00+00:00")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let pm = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pm")).args(args).current_dir(&repo).output().unwrap();
        assert!(out.status.success(), "pm {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    for (k, v) in [("user.name", "Maya"), ("user.email", "maya@example.com")] {
        git(&["config", k, v]);
    }
    // The exports the `pm import` examples name, under those names.
    let imports = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");
    std::fs::copy(format!("{imports}/github-issues.json"), repo.join("issues.json")).unwrap();
    std::fs::copy(format!("{imports}/jira-export.csv"), repo.join("Jira Export.csv")).unwrap();
    crate::harness::copy_dir(std::path::Path::new(&format!("{imports}/backlog-md/backlog")), &repo.join("backlog"));
    git(&["add", "-A"]);
    git(&["commit", "-qm", "Tandem as of v1.0"]);
    git(&["tag", "v1.0"]);
    pm(&["rank", "S-10", "--top"]);
    git(&["commit", "-qam", "Change history first"]);
    git(&["tag", "v1.1"]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(&["checkout", "-qb", "feature"]);
    pm(&["story", "set", "S-13", "priority=critical"]);
    git(&["commit", "-qam", "Custom categories are urgent"]);
    git(&["checkout", "-q", "main"]);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_pm")).parent().unwrap().to_path_buf();
    let path =
        std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())))
            .unwrap();
    let mut failed = Vec::new();
    for (name, command) in &examples {
        // Covered by their own tests: the MCP server talks on stdin (tests/cli/mcp.rs), and git
        // runs the merge driver with %O %A %B for files (tests/cli/merges.rs).
        if command.starts_with("pm mcp") || command.starts_with("pm merge-file") {
            continue;
        }
        let t = Test::without_git();
        crate::harness::copy_dir(&repo, &t.path("tandem"));
        // pm init makes a new product: in a new folder.
        let dir = if command.starts_with("pm init") { t.path("new") } else { t.path("tandem") };
        std::fs::create_dir_all(&dir).unwrap();
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(command)
            .current_dir(&dir)
            .env("PATH", &path)
            .env("HOME", t.path("home"))
            .env("NO_COLOR", "1")
            .env("VISUAL", "true") // the editor examples: an editor that saves as it is
            .env("PM_TODAY", "2024-04-12")
            .env("TZ", "UTC")
            .env_remove("CI")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        // 1 is a finding (pm check, pm fmt --check), not a failure of the example.
        if code > 1 {
            failed.push(format!("{name}: `{command}` exit {code}: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
    }
    assert!(failed.is_empty(), "examples that do not run:\n{}", failed.join("\n"));
}
