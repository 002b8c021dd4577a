//! A fluent harness: a temporary git repository, `pm` runs in it, and assertions on exit
//! code, stdout, stderr and the files afterwards.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Variables of the machine running the tests that pm reads: removed from every run.
pub const HOST_ENV: [&str; 6] = ["CI", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "PM_TODAY", "VISUAL"];

/// A temporary repository to run `pm` in.
pub struct Test {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    /// `TMPDIR` of every `pm` run: what pm leaves there (an edit kept after a failure) goes
    /// with the test, and is outside the snapshot of the repository.
    tmp: tempfile::TempDir,
}

/// The outcome of one `pm` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    args: String,
}

/// The merge driver as `pm init` and `pm setup` register it, for this build's `pm`.
pub fn driver_command() -> String {
    format!(
        "{} merge-file %O %A %B %P --marker-size %L --labels %X %Y || {{ s=$?; [ $s -ne 1 ] && git merge-file -L %X -L base -L %Y --marker-size=%L %A %O %B; }}",
        env!("CARGO_BIN_EXE_pm")
    )
}

/// A copy of the repository `examples/tandem-history.sh` builds, in `tandem/` of a new test
/// (no git at its root). The script runs once per test binary; each test gets its own copy.
pub fn with_tandem_history() -> Test {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let template = BUILT.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tandem-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tandem-history.sh"))
            .arg(&dir)
            .env("PM", env!("CARGO_BIN_EXE_pm"))
            .env("TZ", "UTC")
            .output()
            .expect("bash");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        dir
    });
    let t = Test::without_git();
    copy_dir(template, &t.path("tandem"));
    t
}

/// [`with_tandem_history`] with `PM_TODAY` set to `today` and `TZ=UTC`, as the docs show it.
pub fn tandem_history_on(today: &str) -> Test {
    let mut t = with_tandem_history();
    t.set_env("PM_TODAY", today);
    t.set_env("TZ", "UTC");
    t
}

/// Compare output with a golden file of the repository, or (PM_UPDATE_DOCS=1) write it.
pub fn golden(rel: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    if std::env::var_os("PM_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e} (PM_UPDATE_DOCS=1 writes it)"));
    assert_eq!(actual, expected, "{rel} differs (PM_UPDATE_DOCS=1 cargo test rewrites it)");
}

pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tandem/product")
}

impl Test {
    /// An empty git repository with a committer configured.
    pub fn new() -> Test {
        let t = Test {
            dir: tempfile::tempdir().expect("tempdir"),
            env: Vec::new(),
            tmp: tempfile::tempdir().expect("tempdir"),
        };
        t.git(&["init", "-q", "-b", "main"]);
        t.git(&["config", "user.name", "Test User"]);
        t.git(&["config", "user.email", "test@example.com"]);
        t.git(&["config", "commit.gpgsign", "false"]);
        // As after `pm init` or `pm setup`: git merges product files with pm.
        t.git(&["config", "merge.pm.driver", &driver_command()]);
        t.write(".gitattributes", "product/**/*.md merge=pm\n");
        t
    }

    /// An empty git repository as a fresh clone has it: no merge driver, no .gitattributes.
    pub fn without_merge_setup() -> Test {
        let t = Test::new();
        t.git(&["config", "--unset", "merge.pm.driver"]);
        std::fs::remove_file(t.path(".gitattributes")).unwrap();
        t
    }

    /// git, finding this build's `pm` first on PATH (the merge driver runs it).
    pub fn git_command(&self, sub: &str) -> Command {
        let bin = Path::new(env!("CARGO_BIN_EXE_pm")).parent().unwrap().to_path_buf();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![bin];
        dirs.extend(std::env::split_paths(&path));
        let mut c = Command::new("git");
        c.current_dir(self.path(sub)).env("PATH", std::env::join_paths(dirs).unwrap());
        // A test's GIT_* settings (commit dates, for stable commit IDs) apply to its git too.
        for (k, v) in self.env.iter().filter(|(k, _)| k.starts_with("GIT_")) {
            c.env(k, v);
        }
        c
    }

    /// Run git and return its exit code, stdout and stderr, whatever the outcome (a merge).
    pub fn git_try(&self, args: &[&str]) -> Run {
        let out = self.git_command("").args(args).output().expect("git runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            args: format!("(git) {}", args.join(" ")),
        }
    }

    /// A directory that is not a git repository.
    pub fn without_git() -> Test {
        Test { dir: tempfile::tempdir().expect("tempdir"), env: Vec::new(), tmp: tempfile::tempdir().expect("tempdir") }
    }

    /// A repository holding a copy of the bundled example product, committed.
    pub fn with_example() -> Test {
        let t = Test::new();
        copy_dir(&example_dir(), &t.path("product"));
        t.git(&["add", "-A"]);
        t.git(&["commit", "-qm", "example product"]);
        t
    }

    /// After `pm init`.
    pub fn initialized() -> Test {
        let t = Test::new();
        t.pm(&["init", "--name", "Demo"]).success();
        t
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Set (or replace) an environment variable for the next runs.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    pub fn write(&self, rel: &str, contents: &str) -> &Test {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// The one file under `dir` whose name starts with `prefix` (e.g. "S-3-").
    pub fn find(&self, dir: &str, prefix: &str) -> String {
        let mut found: Vec<String> = walk(&self.path(dir))
            .into_iter()
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .map(|p| p.strip_prefix(self.root()).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found.len(), 1, "files starting with {prefix} under {dir}: {found:?}");
        found.remove(0)
    }

    /// Every file under the repository (but .git) with its bytes; a symbolic link with its
    /// target (never followed).
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let bytes = |p: &Path| match std::fs::read_link(p) {
            Ok(target) => format!("symbolic link to {}", target.display()).into_bytes(),
            Err(_) => std::fs::read(p).unwrap(),
        };
        walk(self.root())
            .into_iter()
            .filter(|p| !p.strip_prefix(self.root()).unwrap().starts_with(".git"))
            .map(|p| (p.strip_prefix(self.root()).unwrap().to_path_buf(), bytes(&p)))
            .collect()
    }

    pub fn git(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.git_bytes(args)).into_owned()
    }

    /// Run git in a sub-directory (a clone made inside the test's directory).
    pub fn git_in(&self, sub: &str, args: &[&str]) -> String {
        let out = self.git_command(sub).args(args).output().expect("git runs");
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run git in the repository; its standard output as bytes.
    pub fn git_bytes(&self, args: &[&str]) -> Vec<u8> {
        let out = self.git_command("").args(args).output().expect("git runs");
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    /// Run git in the repository with `input` on its standard input.
    pub fn git_stdin(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = self
            .git_command("")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("git runs");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("git reads");
        let out = child.wait_with_output().expect("git runs");
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Write bytes to a file in the repository.
    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        std::fs::write(self.path(rel), bytes).unwrap();
    }

    /// Commit everything with a message.
    /// Commit everything with this author and committer date (`@EPOCH +0000` or RFC 3339) and
    /// these `-c KEY=VALUE` settings.
    pub fn commit_dated(&self, message: &str, date: &str, config: &[&str]) {
        self.git(&["add", "-A"]);
        let mut c = self.git_command("");
        for setting in config {
            c.args(["-c", setting]);
        }
        let out = c
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .args(["commit", "-qm", message, "--allow-empty"])
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git commit: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn commit(&self, message: &str) -> &Test {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-qm", message, "--allow-empty"]);
        self
    }

    /// Run `pm` with `args` in the repository's root.
    pub fn pm(&self, args: &[&str]) -> Run {
        self.pm_in("", args)
    }

    /// Run `pm` with `args` and these environment variables set for this run only.
    pub fn pm_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.pm_with("", args, env)
    }

    /// Run `pm` with `args` in a sub-directory.
    pub fn pm_in(&self, sub: &str, args: &[&str]) -> Run {
        self.pm_with(sub, args, &[])
    }

    /// Run `pm` under a wrapper (`setpriv ...`, `unshare ...`): the wrapper's words, then pm's
    /// path, then `args`; the environment is every run's, and `extra`.
    pub fn pm_under(&self, wrapper: &[&str], args: &[&str], extra: &[(&str, &str)]) -> Run {
        let mut words: Vec<&str> = wrapper[1..].to_vec();
        words.push(env!("CARGO_BIN_EXE_pm"));
        words.extend_from_slice(args);
        self.run_with(Command::new(wrapper[0]), "", &words, args, extra)
    }

    /// The directory `pm` runs get as `TMPDIR`.
    pub fn tmp_dir(&self) -> &Path {
        self.tmp.path()
    }

    fn pm_with(&self, sub: &str, args: &[&str], extra: &[(&str, &str)]) -> Run {
        self.run_with(Command::new(env!("CARGO_BIN_EXE_pm")), sub, args, args, extra)
    }

    fn run_with(&self, mut cmd: Command, sub: &str, words: &[&str], args: &[&str], extra: &[(&str, &str)]) -> Run {
        cmd.args(words).current_dir(self.path(sub)).env("NO_COLOR", "1").env("EDITOR", "false");
        cmd.env("TMPDIR", self.tmp.path());
        // The machine's CI variables would change what pm says (merge setup, diff links);
        // a test that wants them sets them itself.
        for k in HOST_ENV {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = run_bounded(cmd, &args.join(" "));
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            args: args.join(" "),
        }
    }
}

/// The longest a `pm` run may take before the test fails as a hang (generous: the machine is
/// shared, and debug builds are slow).
const HANG: std::time::Duration = std::time::Duration::from_secs(120);

/// Run a command to its end, or kill it and fail the test when it takes longer than [`HANG`]:
/// a hang is a bug to report, not a test that never ends.
fn run_bounded(mut cmd: Command, args: &str) -> std::process::Output {
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("pm runs");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            pipe.read_to_end(&mut buf).map(|_| buf).unwrap_or_default()
        })
    };
    let out = read(Box::new(child.stdout.take().expect("stdout")));
    let err = read(Box::new(child.stderr.take().expect("stderr")));
    // A watchdog kills it at the deadline unless told it ended.
    let (ended, told) = std::sync::mpsc::channel::<()>();
    let pid = child.id().to_string();
    let dog = std::thread::spawn(move || {
        let late = matches!(told.recv_timeout(HANG), Err(std::sync::mpsc::RecvTimeoutError::Timeout));
        if late {
            let _ = Command::new("kill").args(["-9", &pid]).status();
        }
        late
    });
    let status = child.wait().expect("pm waits");
    let _ = ended.send(());
    if dog.join().expect("watchdog") {
        panic!("pm {args}: still running after {} s: a hang", HANG.as_secs());
    }
    std::process::Output { status, stdout: out.join().expect("stdout"), stderr: err.join().expect("stderr") }
}

impl Run {
    fn fail(&self, what: &str) -> ! {
        panic!("pm {}: {what}\nexit: {}\n--- stdout\n{}--- stderr\n{}", self.args, self.code, self.stdout, self.stderr)
    }

    pub fn success(self) -> Run {
        self.code(0)
    }

    pub fn code(self, code: i32) -> Run {
        if self.code != code {
            self.fail(&format!("expected exit {code}"));
        }
        self
    }

    pub fn stdout_has(self, text: &str) -> Run {
        if !self.stdout.contains(text) {
            self.fail(&format!("stdout lacks {text:?}"));
        }
        self
    }

    pub fn stdout_lacks(self, text: &str) -> Run {
        if self.stdout.contains(text) {
            self.fail(&format!("stdout has {text:?}"));
        }
        self
    }

    pub fn stdout_is(self, text: &str) -> Run {
        if self.stdout != text {
            self.fail(&format!("stdout is not {text:?}"));
        }
        self
    }

    pub fn stderr_has(self, text: &str) -> Run {
        if !self.stderr.contains(text) {
            self.fail(&format!("stderr lacks {text:?}"));
        }
        self
    }

    pub fn stderr_is(self, text: &str) -> Run {
        if self.stderr != text {
            self.fail(&format!("stderr is not {text:?}"));
        }
        self
    }

    pub fn stderr_is_empty(self) -> Run {
        if !self.stderr.is_empty() {
            self.fail("stderr is not empty");
        }
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| self.fail(&format!("stdout is not JSON: {e}")))
    }

    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// Every file (and symbolic link, not followed) under `dir`, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

pub fn copy_dir(from: &Path, to: &Path) {
    for f in walk(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, &dest).unwrap();
    }
}

/// Lines that differ between two texts, as (old, new) pairs of changed line counts.
pub fn changed_lines(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let a: Vec<&str> = before.split_inclusive('\n').collect();
    let b: Vec<&str> = after.split_inclusive('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    (
        a[prefix..a.len() - suffix].iter().map(|s| s.to_string()).collect(),
        b[prefix..b.len() - suffix].iter().map(|s| s.to_string()).collect(),
    )
}

/// A page parsed as a browser parses it (html5ever): the parse errors (none for valid HTML5),
/// every element with its attributes in document order, and the text a reader sees.
pub struct Html {
    pub errors: Vec<String>,
    pub elements: Vec<(String, Vec<(String, String)>)>,
    pub text: String,
}

pub fn parse_html(html: &str) -> Html {
    use html5ever::tendril::TendrilSink;
    use markup5ever_rcdom::{Handle, NodeData, RcDom};
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(html);
    let mut out = Html {
        errors: dom.errors.borrow().iter().map(|e| e.to_string()).collect(),
        elements: Vec::new(),
        text: String::new(),
    };
    if dom.quirks_mode.get() != html5ever::tree_builder::QuirksMode::NoQuirks {
        out.errors.push("the page renders in quirks mode (no <!DOCTYPE html>)".into());
    }
    fn visit(node: &Handle, out: &mut Html) {
        match &node.data {
            NodeData::Element { name, attrs, .. } => {
                let attrs = attrs.borrow().iter().map(|a| (a.name.local.to_string(), a.value.to_string())).collect();
                out.elements.push((name.local.to_string(), attrs));
            }
            NodeData::Text { contents } => out.text.push_str(&contents.borrow()),
            _ => {}
        }
        for child in node.children.borrow().iter() {
            visit(child, out);
        }
    }
    visit(&dom.document, &mut out);
    out
}
