//! `pm check`: validate the product folder (or a commit of it) and report findings.

use clap::ValueEnum;

use crate::check::{self, changed, format};
use crate::cli::Ctx;
use crate::cli::output::{print, print_raw, print_styled, step_summary};
use crate::error::{Error, ExitCode, Location, Result};
use crate::model::config::Config;
use crate::model::layout::CONFIG_FILE;
use crate::store::files::Files;
use crate::store::repo::Repo;
use crate::store::setup;

/// Check the product for problems (read-only; for CI and pull requests)
///
/// Missing acceptance criteria, broken links, dependency cycles,
/// duplicate IDs, a backlog out of step with the stories, and more (docs/check.md lists every
/// rule). Never writes a product file; in GitHub Actions, a summary of the findings is added to
/// the job's summary page ($GITHUB_STEP_SUMMARY).
///
/// Exit status: 0 when clean (warnings allowed unless --strict), 1 when a finding has error
/// severity, 2 on a usage error or an unreadable repository.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm check\n  pm check --format github --changed-since origin/main\n  pm check --rev HEAD~1 --format json"
)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    format: CheckFormat,
    /// Fail on warnings too
    #[arg(long)]
    strict: bool,
    /// Check the product as it is in this commit, or at this date (read from git objects, no checkout)
    #[arg(long, value_name = "REV|DATE")]
    rev: Option<String>,
    /// Report only findings in items added or changed since the merge-base with REV (or a date)
    #[arg(long, value_name = "REV|DATE")]
    changed_since: Option<String>,
    /// JUnit XML reports of a test run: an accepted criterion whose test failed is an error
    /// (trace/failing); repeat for several
    #[arg(long, value_name = "FILE")]
    junit: Vec<std::path::PathBuf>,
    /// Report open stories (and epics) whose epic (vision) changed in substance after them
    /// (link/suspect: a warning, unless pm.yaml makes it an error); pm review clears them
    #[arg(long)]
    suspect: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// rustc-style diagnostics grouped by file, with a summary
    Human,
    /// A JSON object with a summary and the findings
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request)
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// JUnit XML, one test case per file
    Junit,
    /// A summary and a table of findings, for a pull-request comment
    Markdown,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<ExitCode> {
    let strict = a.strict;
    let format = a.format;
    let report = report(ctx, a).map_err(|e| unreadable(e.shown_from(&ctx.cwd)))?;
    let text = match format {
        CheckFormat::Human => format::human(&report),
        CheckFormat::Json => format::json(&report),
        CheckFormat::Github => format::github(&report),
        CheckFormat::Sarif => format::sarif(&report),
        CheckFormat::Junit => format::junit(&report, strict),
        CheckFormat::Markdown => format::markdown(&report),
    };
    step_summary(ctx, &format::markdown(&report));
    // JSON and SARIF are data: written byte for byte (the colour filter would drop a DEL).
    match format {
        CheckFormat::Json | CheckFormat::Sarif => print_raw(&text)?,
        // Human text carries pm's styles and escapes each value itself; GitHub annotations and
        // Markdown quote values as they are, so their control characters are escaped here.
        CheckFormat::Human | CheckFormat::Junit => print_styled(&text)?,
        CheckFormat::Github | CheckFormat::Markdown => print(&text)?,
    }
    Ok(if report.fails(strict) { ExitCode::Findings } else { ExitCode::Success })
}

/// `pm check` exits 2 when the repository cannot be read, so CI can tell "the check could not
/// run" (2) from "the check found problems" (1).
fn unreadable(e: Error) -> Error {
    match e {
        Error::Io { path, source } => {
            let what = if path.is_dir() { "folder" } else { "file" };
            Error::bad_file(Location::file(path), format!("cannot read: {source}"))
                .with_hint(format!("check the {what}'s permissions"))
        }
        Error::Git { message, hint } => Error::BadArgument { message: format!("git: {message}"), hint },
        other => other,
    }
}

/// Suspect links, each with the line its finding points at, and where a shallow clone cuts the
/// history: found on a thread of their own while the checker runs.
type Suspects = Result<(Vec<(crate::history::suspect::Suspect, usize)>, Option<String>)>;

/// Whether `link/suspect` is on for this run, and at what severity.
fn suspect_severity(a: &Args, config: &Config) -> crate::model::severity::Severity {
    use crate::model::severity::Severity;
    match check::severity(config, crate::model::config::SUSPECT_RULE) {
        Severity::Off if a.suspect => Severity::Warning,
        s => s,
    }
}

/// Read the history and the items and find the suspects (run beside the checker: it reads
/// the history cache while the checker parses the product).
fn find_suspects(product: crate::store::product::Product) -> Suspects {
    let (items, _) = product.load_all_lenient();
    let found = crate::cli::review::suspects(&product, &items)?;
    let lines = found
        .list
        .into_iter()
        .map(|s| {
            let field = crate::model::review::parent_field(s.kind).unwrap_or("epic");
            let item = items.get(&s.id);
            let line = item.and_then(|i| i.line_of(crate::model::review::FIELD).or_else(|| i.line_of(field)));
            (s, line.unwrap_or(1))
        })
        .collect();
    Ok((lines, found.truncated_at))
}

fn report(ctx: &Ctx, a: Args) -> Result<check::Report> {
    if a.rev.is_some() && a.suspect {
        return Err(Error::bad_argument(
            "--suspect reads the history up to the working tree; it does not go with --rev",
        )
        .with_hint("check it out and run pm check --suspect there, or drop --rev"));
    }
    let mut suspects = None;
    let (snapshot, config, repo) = match &a.rev {
        Some(rev) => {
            let (repo, commit) = Repo::at_rev(&ctx.cwd, rev)?;
            let snapshot = repo.files_at(commit)?;
            let config = match snapshot.get(CONFIG_FILE) {
                Some(f) => Config::parse(f.text().unwrap_or(""), std::path::Path::new(&f.path))?,
                None => Config::default(),
            };
            (snapshot, config, Some(repo))
        }
        None => {
            let product = ctx.product()?;
            if suspect_severity(&a, &product.config) != crate::model::severity::Severity::Off {
                let product = product.clone();
                suspects = Some(std::thread::spawn(move || find_suspects(product)));
            }
            let snapshot = Files::work_tree(&product.root)?;
            // (Outside git, no repository; with --changed-since, one is required.)
            let repo = match &a.changed_since {
                Some(_) => Some(Repo::open(&product).map_err(|e| {
                    e.with_hint("--rev and --changed-since read git history; run pm inside a git repository")
                })?),
                None => Repo::discover(&product),
            };
            (snapshot, product.config, repo)
        }
    };
    let config_path = snapshot.get(CONFIG_FILE).map(|f| f.path.clone()).unwrap_or_else(|| CONFIG_FILE.into());
    check::validate_config(&config, &config_path)?;
    let mut report = check::check(&snapshot, &config);
    if a.rev.is_some() && !a.junit.is_empty() {
        return Err(Error::bad_argument("--junit checks the working tree's tests; it does not go with --rev")
            .with_hint("run the tests at that revision and check it out, or drop --rev"));
    }
    // The clone's merge setup, for the working tree (a revision has no clone to set up).
    if a.rev.is_none()
        && let Some(repo) = &repo
    {
        let missing = setup::missing(repo);
        let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        let shown = match repo.dir.rsplit_once('/') {
            Some((parent, _)) => format!("{parent}/.gitattributes"),
            None => ".gitattributes".to_string(),
        };
        let gone = missing.program.as_deref().filter(|_| !in_ci);
        check::add_merge_setup(&mut report, &config, &shown, missing.attributes, missing.driver && !in_ci, gone);
    }
    let mut changes = None;
    if let (Some(since), Some(repo)) = (&a.changed_since, &repo) {
        let c = changed::since(repo, &snapshot, a.rev.as_deref(), since)?;
        changed::filter(&mut report, &c);
        report.scope = Some(format!("what changed since {since}"));
        changes = Some(c);
    }
    // Traceability reads the working tree's other files: not for a revision, and not at all
    // when every trace rule is off and no test report is given.
    let rules_on = ["trace/unknown-reference", "trace/removed-criterion", "trace/accepted-untested", "trace/failing"]
        .iter()
        .any(|r| check::severity(&config, r) != crate::model::severity::Severity::Off);
    if a.rev.is_none()
        && (rules_on || !a.junit.is_empty())
        && let Ok(product) = ctx.product()
    {
        let (items, _) = product.load_all_lenient();
        let traced = crate::cli::trace::traced(&product, &items, &a.junit, &ctx.cwd)?;
        let mut found = check::Report { items: report.items.clone(), ..Default::default() };
        add_trace(&mut found, &config, &traced.trace);
        // With --changed-since: a failing test always counts (results are never old); a
        // reference only in a file changed since the merge-base; an untested criterion only
        // in a story that changed.
        for f in found.findings {
            let keep = match (&changes, f.rule) {
                (None, _) | (_, "trace/failing") => true,
                (Some(c), "trace/accepted-untested") => c.files.contains(&f.path),
                (Some(c), _) => match (repo.as_ref(), c.base) {
                    (Some(r), Some(base)) => r.file_changed_since(base, &f.path).unwrap_or(true),
                    _ => true,
                },
            };
            if keep {
                report.findings.push(f);
            }
        }
    }
    if let Some(pending) = suspects {
        let found = pending.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        add_suspects(ctx, suspect_severity(&a, &config), found, &snapshot, &mut report, changes.as_ref());
    }
    report.findings.sort_by(|a, b| (&a.path, a.line, a.column, a.rule).cmp(&(&b.path, b.line, b.column, b.rule)));
    Ok(report)
}

/// The findings of `link/suspect` (not for a revision). With `--changed-since`, a suspect
/// counts when its file or its parent's changed.
fn add_suspects(
    ctx: &Ctx,
    severity: crate::model::severity::Severity,
    (found, truncated_at): (Vec<(crate::history::suspect::Suspect, usize)>, Option<String>),
    snapshot: &Files,
    report: &mut check::Report,
    changes: Option<&changed::Changes>,
) {
    if let Some(at) = &truncated_at {
        ctx.warn(&format!(
            "this shallow clone's history starts at {}: a parent changed before it is not seen (check out with fetch-depth: 0)",
            &at[..7]
        ));
    }
    for (s, line) in found {
        let Some(path) = report.items.get(&s.id).cloned() else { continue };
        let parent_path = report.items.get(&s.parent).cloned();
        if let Some(c) = changes
            && !c.files.contains(&path)
            && !parent_path.as_ref().is_some_and(|p| c.files.contains(p))
        {
            continue;
        }
        let mut f = check::Finding::new(
            crate::model::config::SUSPECT_RULE,
            &path,
            line,
            1,
            format!("{} is suspect: {}", s.id, crate::cli::review::sentence(&s)),
        );
        f.id = Some(s.id.clone());
        f.severity = severity;
        f.hint = Some(format!("read {} again against {}, then record it: pm review {}", s.id, s.parent, s.id));
        if let Some(p) = parent_path {
            f.related.push(check::Related { path: p, line: 1 });
        }
        report.add(f, snapshot);
    }
}

/// The findings of traceability (the check layer does not read code or tests; the CLI joins
/// the two): references that name nothing, accepted criteria no file or test names (when that
/// rule is on), and accepted criteria whose test failed.
fn add_trace(report: &mut check::Report, config: &Config, trace: &crate::trace::Trace) {
    use crate::trace::ProblemKind;
    for p in &trace.problems {
        let rule = match p.kind {
            ProblemKind::Unknown => "trace/unknown-reference",
            ProblemKind::Removed => "trace/removed-criterion",
        };
        let mut f = check::Finding::new(rule, &p.place.path, p.place.line, p.place.column.max(1), p.message.clone());
        f.hint = p.hint.clone();
        f.severity = check::severity(config, rule);
        if f.severity != crate::model::severity::Severity::Off {
            report.findings.push(f);
        }
    }
    for story in &trace.stories {
        let Some(path) = report.items.get(&story.id).cloned() else { continue };
        for ac in story.criteria.iter().filter(|c| c.checked) {
            let (rule, message, hint) = if ac.result() == Some(crate::trace::junit::Outcome::Failed) {
                let failed: Vec<&str> = ac
                    .tests
                    .iter()
                    .filter(|t| t.outcome == crate::trace::junit::Outcome::Failed)
                    .map(|t| t.test.as_str())
                    .collect();
                (
                    "trace/failing",
                    format!("{}/{} is accepted but its test failed: {}", story.id, ac.ac, failed.join(", ")),
                    format!("fix the code or the test, or uncheck it: pm ac uncheck {} {}", story.id, ac.ac),
                )
            } else if ac.references.is_empty() && ac.tests.is_empty() {
                (
                    "trace/accepted-untested",
                    format!("{}/{} is accepted, but no file or test names it", story.id, ac.ac),
                    format!(
                        "name it in the test that proves it: `{}/{}` in a comment, or in the test's name",
                        story.id, ac.ac
                    ),
                )
            } else {
                continue;
            };
            let mut f = check::Finding::new(rule, &path, ac.line, 1, message).hint(hint);
            f.id = Some(story.id.clone());
            f.severity = check::severity(config, rule);
            if f.severity != crate::model::severity::Severity::Off {
                report.findings.push(f);
            }
        }
    }
    report.findings.sort_by(|a, b| (&a.path, a.line, a.column, a.rule).cmp(&(&b.path, b.line, b.column, b.rule)));
}
