//! The GitHub Action (`action.yml` and `action/*.sh`): each step's script is run here as the
//! runner would run it (its `env` with the expressions filled in, the GITHUB_* files, `pm` on
//! PATH), with a recording `gh` and `cargo` standing in for the network.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::Test;

fn action() -> serde_yaml::Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    serde_yaml::from_str(&text).expect("action.yml is YAML")
}

fn steps() -> Vec<serde_yaml::Value> {
    action()["runs"]["steps"].as_sequence().expect("steps").clone()
}

fn step(name: &str) -> serde_yaml::Value {
    steps().into_iter().find(|s| s["name"].as_str() == Some(name)).unwrap_or_else(|| panic!("no step {name}"))
}

/// What a step printed, its exit code, and the files the runner reads afterwards.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
    output: String,
    summary: String,
    path: String,
}

/// A runner: the repository, the inputs given, the `github` context, and a folder of
/// stand-in programs put first on PATH.
struct Runner<'a> {
    t: &'a Test,
    inputs: HashMap<&'static str, String>,
    github: HashMap<&'static str, String>,
    fakes: PathBuf,
}

impl<'a> Runner<'a> {
    fn new(t: &'a Test) -> Runner<'a> {
        let fakes = t.path(".fakes");
        std::fs::create_dir_all(&fakes).unwrap();
        std::fs::create_dir_all(t.path(".runner")).unwrap();
        Runner { t, inputs: HashMap::new(), github: HashMap::new(), fakes }
    }

    fn input(mut self, k: &'static str, v: &str) -> Self {
        self.inputs.insert(k, v.into());
        self
    }

    fn github(mut self, k: &'static str, v: &str) -> Self {
        self.github.insert(k, v.into());
        self
    }

    /// A stand-in program: a bash script.
    fn fake(self, name: &str, script: &str) -> Self {
        let path = self.fakes.join(name);
        std::fs::write(&path, format!("#!/usr/bin/env bash\n{script}")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        self
    }

    /// `${{ X }}` as the runner evaluates it for this test.
    fn expression(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closed expression") + start;
            let expr = rest[start + 3..end].trim();
            let value = if let Some(name) = expr.strip_prefix("inputs.") {
                self.inputs.get(name).cloned().unwrap_or_else(|| {
                    action()["inputs"][name]["default"]
                        .as_str()
                        .unwrap_or_else(|| panic!("no input {name}"))
                        .to_string()
                })
            } else if let Some(name) = expr.strip_prefix("github.") {
                self.github.get(name).cloned().unwrap_or_default()
            } else if expr == "runner.temp" {
                self.t.path(".runner").display().to_string()
            } else {
                self.github.get(expr).cloned().unwrap_or_default()
            };
            out.push_str(&value);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn run(&self, name: &str) -> Ran {
        let s = step(name);
        assert_eq!(s["shell"].as_str(), Some("bash"), "{name}: every script step runs in bash");
        let script = s["run"].as_str().expect("a run step");
        assert!(!script.contains("${{"), "{name}: values reach the script through env, never spliced into it");
        let dir = s["working-directory"].as_str().map(|w| self.expression(w)).unwrap_or_else(|| ".".into());
        let runner = self.t.path(".runner");
        let files = |f: &str| runner.join(f);
        for f in ["output", "summary", "path"] {
            std::fs::write(files(f), "").unwrap();
        }
        let bin = Path::new(env!("CARGO_BIN_EXE_pm")).parent().unwrap().to_path_buf();
        let path = std::env::join_paths(
            [self.fakes.clone(), bin].into_iter().chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg("-c").arg(script).current_dir(self.t.root().join(dir));
        for k in crate::harness::HOST_ENV {
            cmd.env_remove(k);
        }
        cmd.env("PATH", path)
            .env("NO_COLOR", "1")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
            .env("GITHUB_OUTPUT", files("output"))
            .env("GITHUB_STEP_SUMMARY", files("summary"))
            .env("GITHUB_PATH", files("path"))
            .env("RUNNER_TEMP", &runner)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("HOME", self.t.path(".home"));
        if let Some(env) = s["env"].as_mapping() {
            for (k, v) in env {
                cmd.env(k.as_str().unwrap(), self.expression(v.as_str().unwrap_or("")));
            }
        }
        let out = cmd.output().expect("bash runs");
        let read = |f: &str| std::fs::read_to_string(files(f)).unwrap();
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
            output: read("output"),
            summary: read("summary"),
            path: read("path"),
        }
    }
}

/// A product with one story without acceptance criteria, committed on main.
fn product_with_a_finding() -> Test {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Bank data", "--vision", "V-1"]).success();
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
    t.commit("first story");
    t.pm(&["story", "add", "Import a bank statement", "--epic", "E-1"]).success();
    t.commit("second story");
    t
}

#[test]
fn every_script_step_parses_and_every_input_it_reads_is_declared() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let declared =
        action()["inputs"].as_mapping().unwrap().keys().map(|k| k.as_str().unwrap().to_string()).collect::<Vec<_>>();
    for used in text.split("inputs.").skip(1) {
        let name: String = used.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        assert!(declared.contains(&name), "inputs.{name} is not declared");
    }
    let mut scripts = 0;
    for s in steps() {
        let Some(run) = s["run"].as_str() else { continue };
        for word in run.split_whitespace() {
            if let Some(file) = word.trim_matches('"').strip_prefix("$GITHUB_ACTION_PATH/") {
                let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
                let ok = Command::new("bash").arg("-n").arg(&file).status().unwrap().success();
                assert!(ok, "{} does not parse", file.display());
                scripts += 1;
            }
        }
    }
    assert_eq!(scripts, 4, "cache-key, install, check and comment");
}

#[test]
fn the_check_step_annotates_summarises_and_reports_its_status_without_failing_early() {
    let t = product_with_a_finding();
    let ran = Runner::new(&t).input("sarif", "true").run("Check the product");
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert_eq!(
        ran.stdout,
        "::error file=product/stories/S-2-import-a-bank-statement.md,line=8,col=1,title=story/no-acceptance-criteria::\
         S-2 has an acceptance-criteria heading but no criteria under it%0Ahint: add criteria under \
         `## Acceptance criteria`, like `- [ ] AC-1: Given ..., when ..., then ...` (`pm ac add S-2 TEXT`)\n"
    );
    assert_eq!(ran.output, "status=1\n");
    assert_eq!(
        ran.summary,
        "**pm check**: 1 error, 0 warnings in 1 file (7 files checked).\n\n\
         | | Rule | Where | Finding | Hint |\n|---|---|---|---|---|\n\
         | error | `story/no-acceptance-criteria` | product/stories/S-2-import-a-bank-statement.md:8 | \
         S-2 has an acceptance-criteria heading but no criteria under it | add criteria under \
         \\`## Acceptance criteria\\`, like \\`- \\[ \\] AC-1: Given ..., when ..., then ...\\` \
         (\\`pm ac add S-2 TEXT\\`) |\n\n"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path(".runner/pm.sarif")).unwrap()).expect("SARIF is JSON");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    // The last step turns the status into the job's result, after the comment was posted.
    let fail = Runner::new(&t).github("steps.check.outputs.status", "1").run("Fail on the check's findings");
    assert_eq!(fail.code, 1);
    let clean = Runner::new(&t).github("steps.check.outputs.status", "0").run("Fail on the check's findings");
    assert_eq!(clean.code, 0);
}

#[test]
fn changed_only_reports_what_the_pull_request_touched() {
    let t = product_with_a_finding();
    t.git(&["branch", "-q", "--copy", "origin/main"]);
    // (A local branch stands in for the remote-tracking one the checkout fetches.)
    t.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    t.git(&["checkout", "-qb", "feature"]);
    t.pm(&["story", "add", "Undo a split", "--epic", "E-1"]).success();
    t.commit("a story without criteria on the branch");
    let ran = Runner::new(&t).input("changed-only", "true").github("base_ref", "main").run("Check the product");
    assert_eq!(ran.output, "status=1\n");
    assert_eq!(ran.stdout.lines().count(), 1, "{}", ran.stdout);
    assert!(ran.stdout.contains("file=product/stories/S-3-undo-a-split.md"), "{}", ran.stdout);
    // The summary says the check judged only what changed: an old finding elsewhere is not news.
    let human = t.pm(&["check", "--changed-since", "origin/main"]).code(1).stdout;
    assert!(
        human.ends_with(
            "1 error, 0 warnings in 1 file (8 files checked; findings only in what changed since origin/main)\n"
        ),
        "{human}"
    );
}

#[test]
fn the_comment_is_posted_once_then_edited_in_place() {
    let t = product_with_a_finding();
    let base = t.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let head = t.git(&["rev-parse", "HEAD"]).trim().to_string();
    std::fs::create_dir_all(t.path(".runner")).unwrap();
    let log = t.path(".runner/gh.log");
    // The stand-in gh: lists the comments in $COMMENTS, records every write with its body.
    let gh = format!(
        r#"log={log}
if [ "$1 $2" = "api user" ]; then echo "HTTP 403: Resource not accessible by integration" >&2; exit 1; fi
if [ "$1 $2" = "api repos/owner/repo/issues/7/comments" ]; then cat "${{COMMENTS:-/dev/null}}"; exit 0; fi
for a in "$@"; do case $a in body=@*) body=${{a#body=@}};; esac; done
echo "gh $*" >> "$log"
cat "$body" >> "$log"
"#,
        log = log.display()
    );
    let runner = |comments: &str| {
        std::fs::write(t.path(".runner/comments"), comments).unwrap();
        Runner::new(&t)
            .fake("gh", &gh)
            .github("repository", "owner/repo")
            .github("event.pull_request.number", "7")
            .github("event.pull_request.base.sha", &base)
            .github("event.pull_request.head.sha", &head)
    };
    let body = format!(
        "<!-- pm diff -->\n**Product changes** from {b} (merge-base of {b} and {h}) to {h}: 1 new item.\n\n\
         ### New\n\n- S-2 Import a bank statement (story, draft, E-1, backlog 2nd)\n",
        b = &base[..7],
        h = &head[..7],
    );
    let first = runner("").github("COMMENTS", "").run("Comment on the pull request");
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert_eq!(first.stdout, "posted the product-changes comment\n");
    let posted = std::fs::read_to_string(&log).unwrap();
    let body_file = t.path(".runner/pm-diff-comment.md").display().to_string();
    assert_eq!(posted, format!("gh api --method POST repos/owner/repo/issues/7/comments -F body=@{body_file}\n{body}"));
    // The job summary has the same changes, without the marker.
    assert!(first.summary.starts_with("**Product changes** from"), "{}", first.summary);

    std::fs::remove_file(&log).unwrap();
    let second = runner("")
        .github("COMMENTS", &t.path(".runner/comments").display().to_string())
        .fake("gh", &gh.replace("cat \"${COMMENTS:-/dev/null}\"", "echo 4242"))
        .run("Comment on the pull request");
    assert_eq!(second.stdout, "updated the product-changes comment 4242\n", "{}", second.stderr);
    let edited = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        edited,
        format!("gh api --method PATCH repos/owner/repo/issues/comments/4242 -F body=@{body_file}\n{body}")
    );

    // A read-only token (a fork's pull request) warns; the job goes on.
    let denied = runner("")
        .fake("gh", "echo 'gh: Resource not accessible by integration (HTTP 403)' >&2\nexit 1")
        .run("Comment on the pull request");
    assert_eq!(denied.code, 0);
    assert_eq!(
        denied.stdout,
        "::warning title=pm::cannot comment on the pull request (the token is read-only); the job summary has the changes\n"
    );
    // Any other failure of the API fails the step, saying what gh said.
    let down =
        runner("").fake("gh", "echo 'gh: Server Error (HTTP 502)' >&2\nexit 1").run("Comment on the pull request");
    assert_eq!(down.code, 1);
    assert_eq!(down.stderr, "gh: Server Error (HTTP 502)\n");
}

#[test]
fn install_uses_the_cache_then_a_release_then_the_actions_own_source() {
    let t = Test::initialized();
    let bin = t.path(".home/.pm-action/bin");
    let log = t.path(".runner/install.log");
    let cargo = format!(
        "echo \"cargo $*\" >> {}\nmkdir -p \"$6/bin\" && printf '#!/bin/sh\\necho pm 0.1.0\\n' > \"$6/bin/pm\" && chmod +x \"$6/bin/pm\"\n",
        log.display()
    );
    let no_release = format!("echo \"gh $*\" >> {}\nexit 1\n", log.display());
    let key = Runner::new(&t).run("Key the cache by pm's source");
    assert_eq!(key.code, 0, "{}", key.stderr);
    assert!(
        key.output.starts_with("key=pm-Linux-X64-") && key.output.len() == "key=pm-Linux-X64-".len() + 21,
        "{}",
        key.output
    );

    let built = Runner::new(&t)
        .fake("cargo", &cargo)
        .fake("gh", &no_release)
        .github("action_ref", "v0.2.0")
        .github("action_repository", "owner/pm")
        .run("Install pm");
    assert_eq!(built.code, 0, "{}{}", built.stdout, built.stderr);
    let manifest = env!("CARGO_MANIFEST_DIR");
    let arch = String::from_utf8(Command::new("uname").arg("-m").output().unwrap().stdout).unwrap();
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!(
            "gh release download v0.2.0 --repo owner/pm --pattern pm-{}-unknown-linux-gnu.tar.gz --dir {}\n\
             cargo install --locked --path {manifest} --root {}/.. --force\n",
            arch.trim(),
            t.path(".runner").display(),
            bin.display()
        )
    );
    assert_eq!(built.path, format!("{}\n", bin.display()));
    assert!(built.stdout.ends_with("pm built: pm 0.1.0\n"), "{}", built.stdout);

    std::fs::remove_file(&log).unwrap();
    let cached =
        Runner::new(&t).fake("cargo", &cargo).github("steps.cache.outputs.cache-hit", "true").run("Install pm");
    assert_eq!(cached.stdout, "pm from the cache: pm 0.1.0\n");
    assert!(!log.exists(), "nothing is built or downloaded on a cache hit");
}
#[test]
fn the_example_workflows_use_the_action_at_one_pinned_commit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut refs = Vec::new();
    for file in ["examples/ci/pm-check.yml", "examples/ci/product-diff.yml"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let uses: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- uses: ").or(l.trim().strip_prefix("uses: ")))
            .collect();
        let pm: Vec<&&str> = uses.iter().filter(|u| u.contains("/pm@")).collect();
        assert_eq!(pm.len(), 1, "{file} uses the pm Action once: {uses:?}");
        let pinned = pm[0].split('@').nth(1).unwrap().split_whitespace().next().unwrap().to_string();
        assert!(pinned.len() == 40 && pinned.chars().all(|c| c.is_ascii_hexdigit()), "{file} pins a commit: {pinned}");
        refs.push(pinned);
    }
    assert_eq!(refs[0], refs[1], "both workflows install pm the same way");
    // The pinned commit has the Action (where this checkout has the history to tell).
    let has =
        Command::new("git").args(["cat-file", "-e", &format!("{}:action.yml", refs[0])]).current_dir(root).status();
    let shallow = Command::new("git").args(["rev-parse", "--is-shallow-repository"]).current_dir(root).output();
    if let (Ok(has), Ok(shallow)) = (has, shallow)
        && String::from_utf8_lossy(&shallow.stdout).trim() == "false"
    {
        assert!(has.success(), "commit {} has no action.yml", refs[0]);
    }
}

#[test]
fn with_the_runs_reports_the_check_fails_on_a_failing_accepted_criterion_and_the_comment_traces() {
    let t = product_with_a_finding();
    t.pm(&["ac", "check", "S-1", "AC-1"]).success();
    t.write("tests/export.rs", "#[test]\nfn s_1_ac_1_exports_a_row() {}\n");
    t.write(
        "junit.xml",
        "<testsuite><testcase name=\"s_1_ac_1_exports_a_row\" classname=\"export\"><failure/></testcase></testsuite>\n",
    );
    t.commit("a test for S-1/AC-1");
    let ran = Runner::new(&t).input("junit", "junit.xml").run("Check the product");
    assert_eq!(ran.output, "status=1\n");
    assert!(
        ran.stdout
            .contains("title=trace/failing::S-1/AC-1 is accepted but its test failed: export::s_1_ac_1_exports_a_row"),
        "{}",
        ran.stdout
    );
    std::fs::create_dir_all(t.path(".runner")).unwrap();
    let log = t.path(".runner/gh.log");
    let head = t.git(&["rev-parse", "HEAD"]).trim().to_string();
    let base = t.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let comment = Runner::new(&t)
        .input("junit", "junit.xml")
        .fake(
            "gh",
            &format!(
                "case \"$*\" in *--method*) for a in \"$@\"; do case $a in body=@*) cat \"${{a#body=@}}\" > {};; esac; done;; esac\n",
                log.display()
            ),
        )
        .github("repository", "owner/repo")
        .github("event.pull_request.number", "7")
        .github("event.pull_request.base.sha", &base)
        .github("event.pull_request.head.sha", &head)
        .run("Comment on the pull request");
    assert_eq!(comment.code, 0, "{}", comment.stderr);
    let body = std::fs::read_to_string(&log).unwrap();
    assert!(
        body.contains("\n**pm trace**: 1 of 1 criteria traced (100%), 0 with a passing test (0%), 1 failing.\n"),
        "{body}"
    );
}
