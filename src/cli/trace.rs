//! `pm trace [S-12 ...] [--junit FILE ...]`: each acceptance criterion with the places in the
//! repository that name it and the tests that prove it, and the coverage per epic and overall.

use std::path::{Path, PathBuf};

use crate::cli::Ctx;
use crate::cli::output::{print, print_json_streamed, table};
use crate::error::{Error, Location, Result};
use crate::model::escape::markdown as md;
use crate::model::id::Kind;
use crate::store::product::{Items, Product};
use crate::store::sources;
use crate::trace::junit::{self, TestCase};
use crate::trace::{self, Coverage, Found, StoryTrace, Trace, refs};

/// Show which files and tests prove each acceptance criterion, and the coverage
///
/// Any file outside product/ that git does not ignore may name a criterion as `S-12/AC-2` (a
/// comment, a string, an attribute) or, in a test's name, as `s_12_ac_2`; `S-12` names the
/// whole story. With --junit, the test reports of a run (cargo-nextest, pytest, Jest, Maven,
/// gotestsum write JUnit XML) give each criterion passed, failed or skipped: a test case names
/// a criterion in its name, its class name or a `verifies` property. `pm.yaml`'s
/// `trace.include` and `trace.exclude` choose the files. References that name no story or
/// criterion are warnings here and errors in `pm check`. `trace.junit` in pm.yaml names the
/// reports read when --junit is not given.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm trace\n  pm trace S-7 --format json\n  pm trace --junit test-results/junit.xml --format markdown"
)]
pub struct Args {
    /// Only these stories, or criteria (S-12/AC-2) (default: every story that is not dropped)
    #[arg(value_name = "STORY", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    stories: Vec<String>,
    /// JUnit XML reports of a test run; repeat for several (default: pm.yaml's trace.junit)
    #[arg(long, value_name = "FILE")]
    junit: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TraceFormat::Table)]
    format: TraceFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceFormat {
    /// One row per criterion, then the coverage
    Table,
    /// The whole trace as JSON
    Json,
    /// A summary and a table, for a pull-request comment or $GITHUB_STEP_SUMMARY
    Markdown,
}

/// The trace of the product: the files scanned, the reports read. Also what `pm check` uses.
pub struct Traced {
    pub trace: Trace,
    pub read: usize,
    pub skipped: usize,
}

/// Every reference in the repository's files outside `product/`. The reports (`reports`, and
/// any file that looks like one) are results, not references: they are not scanned.
pub fn references(product: &Product, reports: &[PathBuf]) -> Result<sources::Scan<Found>> {
    let prefix = product.config.prefix(Kind::Story).to_string();
    sources::scan(product, reports, |path, text| {
        if junit::looks_like_report(text) {
            return Vec::new();
        }
        refs::find(text, &prefix).into_iter().map(|reference| Found { path: path.to_string(), reference }).collect()
    })
}

/// Scan the repository and read the reports, for the product's `items`.
pub fn traced(product: &Product, items: &Items, junit_files: &[PathBuf], cwd: &Path) -> Result<Traced> {
    let reports: Vec<PathBuf> = junit_files.iter().map(|f| cwd.join(f)).collect();
    let scan = references(product, &reports)?;
    let mut tests: Vec<(String, TestCase)> = Vec::new();
    for file in junit_files {
        let path = cwd.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::bad_file(Location::file(file.clone()), format!("cannot read the test report: {e}"))
                .with_hint("--junit takes the JUnit XML file a test run wrote; run the tests first")
        })?;
        let cases = junit::parse(&text).map_err(|bad| {
            Error::bad_file(Location::new(file.clone(), bad.line), bad.message)
                .with_hint("--junit reads JUnit XML, as cargo nextest, pytest --junitxml or jest-junit write it")
        })?;
        tests.extend(cases.into_iter().map(|c| (sources::shown(product, &path), c)));
    }
    Ok(Traced {
        trace: trace::build(
            items,
            &product.config,
            &scan.found,
            &tests,
            product.fully_listed().then(|| unread_stories(product, items)).as_ref(),
        ),
        read: scan.read,
        skipped: scan.skipped,
    })
}

/// The stories whose files do not read: an item file under the stories' folder, its name
/// carrying a story ID, that `items` has no item for.
fn unread_stories(product: &Product, items: &Items) -> std::collections::HashSet<String> {
    let loaded: std::collections::HashSet<&Path> = items.all.iter().map(|i| i.path.as_path()).collect();
    product
        .item_files()
        .iter()
        .filter(|p| !loaded.contains(p.as_path()))
        .filter_map(|p| crate::model::id::ItemId::from_file_name(&p.file_name()?.to_string_lossy()))
        .filter(|id| product.config.kind_of(id) == Some(Kind::Story))
        .map(|id| id.to_string())
        // A broken copy beside a story that reads does not hide the story's references.
        .filter(|id| items.get(id).is_none())
        .collect()
}

/// A Markdown trace longer than this folds into `<details>`; one longer than `MAX_ROWS` stops.
const FOLD_ROWS: usize = 30;
const MAX_ROWS: usize = 300;

fn percent(n: usize, of: usize) -> usize {
    (n * 100).checked_div(of).unwrap_or(0)
}

fn coverage_sentence(c: &Coverage, with_tests: bool) -> String {
    let mut s = format!("{} of {} criteria traced ({}%)", c.referenced, c.criteria, percent(c.referenced, c.criteria));
    if with_tests {
        s.push_str(&format!(
            ", {} with a passing test ({}%), {} failing",
            c.passing,
            percent(c.passing, c.criteria),
            c.failing
        ));
    }
    s
}

fn tests_word(ac: &trace::CriterionTrace, with_tests: bool) -> &'static str {
    match ac.result() {
        Some(o) => o.word(),
        None if with_tests => "not run",
        None => "-",
    }
}

fn where_text(places: &[trace::Place]) -> String {
    match places {
        [] => "-".into(),
        [one] => format!("{}:{}", one.path, one.line),
        [first, rest @ ..] => format!("{}:{} +{}", first.path, first.line, rest.len()),
    }
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    // Without --junit, the reports pm.yaml names (trace.junit), if any.
    let reports = if a.junit.is_empty() { sources::reports(&product)? } else { a.junit.clone() };
    if a.junit.is_empty()
        && reports.is_empty()
        && !product.config.trace.junit.is_empty()
        && a.format != TraceFormat::Json
    {
        ctx.warn(&format!(
            "trace.junit ({}) names no file: no test results (run the tests first, or fix the pattern in pm.yaml)",
            product.config.trace.junit.join(", ")
        ));
    }
    let (items, unread) = product.load_all_lenient();
    let Traced { mut trace, read, skipped } = traced(&product, &items, &reports, &ctx.cwd)?;
    let with_tests = !reports.is_empty();
    // Each story asked for, with the criteria asked for (`S-12/AC-2`; none: all of them).
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    for s in &a.stories {
        let (story, ac) = match crate::model::id::CriterionRef::parse(s) {
            Some(r) => (r.story.to_string(), Some(format!("AC-{}", r.number))),
            None => (s.clone(), None),
        };
        let id = crate::ops::values::id_of_kind(&product, &story, Kind::Story)?.to_string();
        let Some(traced) = trace.stories.iter().find(|t| t.id == id) else {
            product.get(&id, Kind::Story)?;
            return Err(Error::bad_argument(format!("{id} is dropped; dropped stories are not traced")));
        };
        if let Some(ac) = &ac
            && !traced.criteria.iter().any(|c| &c.ac == ac)
        {
            let have: Vec<&str> = traced.criteria.iter().map(|c| c.ac.as_str()).collect();
            return Err(Error::bad_argument(format!("{id} has no {ac}")).with_hint(if have.is_empty() {
                format!("{id} has no criteria yet")
            } else {
                format!("{id} has {}", have.join(", "))
            }));
        }
        match wanted.iter_mut().find(|(w, _)| *w == id) {
            // A whole story asked for once is asked for whole.
            Some((_, criteria)) => match ac {
                Some(ac) if !criteria.is_empty() => criteria.push(ac),
                _ => criteria.clear(),
            },
            None => wanted.push((id, ac.into_iter().collect())),
        }
    }
    for (id, criteria) in wanted.iter().filter(|(_, c)| !c.is_empty()) {
        if let Some(story) = trace.stories.iter_mut().find(|t| &t.id == id) {
            story.criteria.retain(|c| criteria.contains(&c.ac));
        }
    }
    let stories: Vec<&StoryTrace> =
        trace.stories.iter().filter(|s| wanted.is_empty() || wanted.iter().any(|(w, _)| *w == s.id)).collect();
    let overall = Coverage::of(stories.iter().copied());
    // One pass: the stories of each epic, by name (500 epics filtering 10,000 stories each was
    // a tenth of `pm trace --format json` on the benchmark's trace corpus); no epic first.
    let mut by_epic: std::collections::BTreeMap<Option<&str>, Vec<&StoryTrace>> = std::collections::BTreeMap::new();
    for s in &stories {
        by_epic.entry(s.epic.as_deref()).or_default().push(s);
    }
    let epics: Vec<(Option<&str>, Coverage)> = by_epic.into_iter().map(|(e, of)| (e, Coverage::of(of))).collect();
    if a.format != TraceFormat::Json {
        for p in &trace.problems {
            let hint = p.hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default();
            ctx.warn(&format!("{}:{}: {}{hint}", p.place.path, p.place.line, p.message));
        }
    }
    let printed = match a.format {
        TraceFormat::Json => {
            #[derive(serde::Serialize)]
            struct EpicCoverage<'a> {
                epic: Option<&'a str>,
                #[serde(flatten)]
                coverage: &'a Coverage,
            }
            #[derive(serde::Serialize)]
            struct Totals<'a> {
                #[serde(flatten)]
                overall: &'a Coverage,
                epics: Vec<EpicCoverage<'a>>,
            }
            #[derive(serde::Serialize)]
            struct Files {
                read: usize,
                skipped: usize,
            }
            #[derive(serde::Serialize)]
            struct Out<'a> {
                stories: &'a [&'a StoryTrace],
                coverage: Totals<'a>,
                problems: &'a [trace::Problem],
                files: Files,
            }
            let epics = epics.iter().map(|(epic, coverage)| EpicCoverage { epic: *epic, coverage }).collect();
            print_json_streamed(&Out {
                stories: &stories,
                coverage: Totals { overall: &overall, epics },
                problems: &trace.problems,
                files: Files { read, skipped },
            })
        }
        TraceFormat::Table => {
            let rows: Vec<Vec<String>> = stories
                .iter()
                .flat_map(|s| {
                    s.criteria.iter().map(move |ac| {
                        vec![
                            format!("{}/{}", s.id, ac.ac),
                            if ac.checked { "yes".into() } else { "no".into() },
                            ac.references.len().to_string(),
                            tests_word(ac, with_tests).into(),
                            where_text(&ac.references),
                        ]
                    })
                })
                .collect();
            let mut out = if rows.is_empty() {
                String::new()
            } else {
                table(&["CRITERION", "ACCEPTED", "REFS", "TESTS", "WHERE"], &rows, ctx.stdout_tty) + "\n"
            };
            out.push_str(&format!("Coverage: {}\n", coverage_sentence(&overall, with_tests)));
            for (epic, c) in &epics {
                out.push_str(&format!("  {}: {}\n", epic.unwrap_or("(no epic)"), coverage_sentence(c, with_tests)));
            }
            out.push_str(&crate::cli::output::plural(read, "file read", "files read"));
            if skipped > 0 {
                out.push_str(&format!(", {skipped} skipped (binary, over 4 MiB or not UTF-8)"));
            }
            out.push('\n');
            print(&out)
        }
        TraceFormat::Markdown => {
            let mut out = format!("**pm trace**: {}.\n", coverage_sentence(&overall, with_tests));
            let listed: Vec<&&StoryTrace> = stories.iter().filter(|s| !s.criteria.is_empty()).collect();
            let rows: usize = listed.iter().map(|s| s.criteria.len()).sum();
            // A pull-request comment holds 65,536 characters: a long table folds, and stops.
            let fold = rows > FOLD_ROWS;
            if fold {
                out.push_str(&format!("\n<details><summary>{rows} criteria</summary>\n"));
            }
            if !listed.is_empty() {
                out.push_str("\n| Criterion | Accepted | Tests | Referenced in |\n|---|---|---|---|\n");
                let mut shown = 0;
                'rows: for s in listed {
                    for ac in &s.criteria {
                        if shown == MAX_ROWS {
                            out.push_str(&format!("\n{} more; `pm trace --format json` has them all.\n", rows - shown));
                            break 'rows;
                        }
                        shown += 1;
                        let places: Vec<String> =
                            ac.references.iter().map(|p| format!("{}:{}", md(&p.path), p.line)).collect();
                        out.push_str(&format!(
                            "| {}/{} {} | {} | {} | {} |\n",
                            s.id,
                            ac.ac,
                            md(&ac.text),
                            if ac.checked { "yes" } else { "no" },
                            tests_word(ac, with_tests),
                            if places.is_empty() { "-".into() } else { places.join(", ") }
                        ));
                    }
                }
            }
            if fold {
                out.push_str("\n</details>\n");
            }
            crate::cli::output::step_summary(ctx, &out);
            print(&out)
        }
    };
    printed?;
    // A story file that does not read is told after the trace of the others.
    ctx.finish(unread)
}
