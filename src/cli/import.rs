//! `pm import github|jira|backlog-md`: bring a backlog from the tool a team leaves, in one
//! transaction, and again later for what changed there (items are matched by `source`).

use std::path::{Path, PathBuf};

use crate::cli::Ctx;
use crate::error::{Error, Location, Result};
use crate::import::{BadInput, Plan, Tool, backlog_md, github, jira};
use crate::model::escape::terminal;
use crate::model::layout::CONFIG_FILE;

/// Import a backlog from GitHub issues, Jira or Backlog.md
///
/// New items are created with the next free IDs (open stories at the bottom of the backlog,
/// in the source's order; open epics on the roadmap); each records where it came from in
/// `source` (github#12, jira:TND-4, backlog-md:task-7). Run it again on a newer export: the
/// items it made before get the fields the source changed (title, status, owner, labels,
/// epic, sprint, priority, points), each a one-line edit, and what is new is created. Bodies
/// are left as they are after the first import. Statuses and priorities are mapped through
/// `import:` in pm.yaml, which the first import that meets them writes. One import is all or
/// nothing; --dry-run writes nothing. docs/import.md has more.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    from: From,
}

#[derive(Debug, clap::Subcommand)]
enum From {
    /// Import `gh issue list --state all --json ...` output: issues become stories
    #[command(
        after_help = "Examples:\n  gh issue list --state all --limit 10000 \\\n    --json number,title,body,labels,state,stateReason,milestone,assignees,createdAt,closedAt,url > issues.json\n  pm import github issues.json --dry-run\n  pm import github issues.json --milestones-as sprints"
    )]
    Github {
        /// The JSON file gh wrote
        file: PathBuf,
        /// What each milestone becomes: an epic (with its due date as target) or a sprint
        /// (ending on its due date, sprint_length long)
        #[arg(long, value_enum, default_value_t = MilestonesAs::Epics)]
        milestones_as: MilestonesAs,
        #[command(flatten)]
        common: Common,
    },
    /// Import Jira's CSV export: epics become epics, other issues stories
    #[command(after_help = "Example:\n  pm import jira \"Jira Export.csv\" --dry-run")]
    Jira {
        /// The CSV file Jira exported
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Import a Backlog.md folder: parent tasks become epics, the rest stories
    #[command(name = "backlog-md", after_help = "Example:\n  pm import backlog-md backlog --dry-run")]
    BacklogMd {
        /// The backlog/ folder (holding tasks/ and config.yml)
        #[arg(value_name = "DIR")]
        folder: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MilestonesAs {
    Epics,
    Sprints,
}

#[derive(Debug, clap::Args)]
struct Common {
    /// Print what would be created and updated, and write nothing
    #[arg(long)]
    dry_run: bool,
}

/// An input file's text, or an error naming it as `shown` (the path as given).
fn read(shown: &Path, path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::bad_argument(format!("{}: no such file", shown.display()))
            .with_hint("give the path of the exported file"),
        std::io::ErrorKind::IsADirectory => {
            Error::bad_argument(format!("{}: is a folder, not a file", shown.display()))
                .with_hint("give the exported file itself")
        }
        _ => Error::io(shown, e),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        Error::bad_file(Location::new(shown, line), "the file is not UTF-8 text")
            .with_hint("export it again as UTF-8 (or convert it: iconv -f latin1 -t utf-8)")
    })
}

/// A problem in an input file as pm's error, at its file and line.
fn bad(path: &Path, e: BadInput) -> Error {
    let file = match &e.file {
        Some(f) => path.join(f),
        None => path.to_path_buf(),
    };
    let message = match e.column {
        Some(c) => format!("{} (column {c})", e.message),
        None => e.message,
    };
    Error::bad_file(Location::new(file, e.line), message).with_hint(e.hint)
}

/// The task files of a Backlog.md folder (tasks/, completed/, drafts/) and its config.yml.
/// `shown` is the folder as given, `dir` where it is.
fn backlog_md_files(shown: &Path, dir: &Path) -> Result<(Vec<backlog_md::File>, Option<String>)> {
    if dir.is_file() {
        return Err(Error::bad_argument(format!("{}: is a file, not a folder", shown.display()))
            .with_hint("give Backlog.md's backlog/ folder, the one holding tasks/ and config.yml"));
    }
    if !dir.is_dir() {
        return Err(Error::bad_argument(format!("{}: no such folder", shown.display()))
            .with_hint("give Backlog.md's backlog/ folder, the one holding tasks/ and config.yml"));
    }
    let mut files = Vec::new();
    for sub in ["tasks", "completed", "drafts"] {
        let folder = dir.join(sub);
        if !folder.is_dir() {
            continue;
        }
        let mut names: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| Error::io(&folder, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
            .collect();
        names.sort();
        for path in names {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let rel = format!("{sub}/{name}");
            files.push(backlog_md::File { text: read(&shown.join(&rel), &path)?, rel });
        }
    }
    if files.is_empty() && !dir.join("tasks").is_dir() {
        return Err(Error::bad_argument(format!("{} holds no tasks/ folder", shown.display()))
            .with_hint("give Backlog.md's backlog/ folder, the one holding tasks/ and config.yml"));
    }
    let config = dir.join("config.yml");
    let config = if config.is_file() { Some(read(&shown.join("config.yml"), &config)?) } else { None };
    Ok((files, config))
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    // A path as given, from where pm runs (`-C DIR` included, as `git -C` reads paths).
    let at = |p: PathBuf| if p.is_absolute() { p } else { ctx.cwd.join(p) };
    let (tool, input, common, plan, workflow): (Tool, PathBuf, Common, Plan, Vec<String>) = match a.from {
        From::Github { file, milestones_as, common } => {
            let text = read(&file, &at(file.clone()))?;
            let days = crate::model::sprint::Length::parse(&product.config.sprint_length).map_or(14, |l| l.days);
            let m = match milestones_as {
                MilestonesAs::Epics => github::MilestonesAs::Epics,
                MilestonesAs::Sprints => github::MilestonesAs::Sprints,
            };
            let plan = github::parse(&text, m, days).map_err(|e| bad(&file, e))?;
            if milestones_as == MilestonesAs::Sprints
                && let Some(undated) =
                    plan.items.iter().find(|i| i.kind == Some(crate::model::id::Kind::Sprint) && i.end.is_none())
            {
                return Err(Error::bad_file(
                    Location::new(&file, undated.line),
                    format!("the milestone `{}` has no due date, and a sprint needs its dates; nothing was imported", undated.title),
                )
                .with_hint("give it a due date on GitHub and export again, or import milestones as epics (--milestones-as epics)"));
            }
            (Tool::Github, file, common, plan, Vec::new())
        }
        From::Jira { file, common } => {
            let text = read(&file, &at(file.clone()))?;
            let plan = jira::parse(&text).map_err(|e| bad(&file, e))?;
            (Tool::Jira, file, common, plan, Vec::new())
        }
        From::BacklogMd { folder: dir, common } => {
            let (files, config) = backlog_md_files(&dir, &at(dir.clone()))?;
            let workflow = backlog_md::statuses(config.as_deref()).map_err(|e| bad(&dir, e))?;
            let plan = backlog_md::parse(&files).map_err(|e| bad(&dir, e))?;
            (Tool::BacklogMd, dir, common, plan, workflow)
        }
    };
    let mut tx = ctx.transaction(&product)?;
    let settings = product.root.join(CONFIG_FILE);
    let settings_text = if settings.exists() { product.read_product_text(&settings)? } else { String::new() };
    let mapping = crate::ops::import::mapping(&product.config, &plan, tool, &workflow, &settings_text)?;
    // Fields pm has no meaning for that the source brings (Jira's sprint name): declared in
    // custom_fields, so `pm check` knows them as intended.
    let mut declared = product.config.custom_fields.clone();
    let mut new_fields = Vec::new();
    for (key, _) in plan.items.iter().flat_map(|i| &i.extra) {
        if !declared.contains(key) && !new_fields.contains(key) {
            new_fields.push(key.clone());
        }
    }
    let mut text = settings_text.clone();
    if !new_fields.is_empty() {
        declared.extend(new_fields.iter().cloned());
        text = crate::model::frontmatter::edit_yaml_file(
            &text,
            &[("custom_fields".into(), crate::model::frontmatter::FieldValue::List(declared))],
        )
        .map_err(|e| {
            Error::bad_file(
                Location::file(product.shown(&settings)),
                format!("cannot add {} to custom_fields: {e}", new_fields.join(", ")),
            )
            .with_hint(format!("add it by hand (`custom_fields: [{}]`), then import again", new_fields.join(", ")))
        })?;
    }
    if let Some((block, _)) = &mapping.written {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(block);
    }
    if text != settings_text {
        tx.write(&settings, text);
    }
    let report = crate::ops::import::import(&mut tx, &plan, tool, &mapping, !common.dry_run)?;
    let (verb, created, updated) = if common.dry_run {
        ("Would import", "would be created", "would be updated")
    } else {
        ("Imported", "created", "updated")
    };
    let mut out = format!(
        "{verb} {} ({}): {} new, {} updated, {} unchanged.\n",
        terminal(&input.display().to_string()),
        tool.name(),
        report.created.len(),
        report.updated.len(),
        report.unchanged
    );
    for (_, id, key, title) in &report.created {
        out.push_str(&format!("  {id} {created} from {}: {}\n", terminal(key), terminal(title)));
    }
    for (id, key, changes) in &report.updated {
        out.push_str(&format!("  {id} {updated} from {}: {}\n", terminal(key), terminal(&changes.join("; "))));
    }
    if !new_fields.is_empty() {
        let verb = if common.dry_run { "would declare" } else { "declares" };
        out.push_str(&format!(
            "{} {verb} {} in custom_fields: what {} has and pm keeps as it is\n",
            product.shown(&settings).display(),
            new_fields.join(", "),
            tool.name()
        ));
    }
    if let Some((_, pairs)) = &mapping.written {
        let said: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} -> {v}")).collect();
        let verb = if common.dry_run { "would write" } else { "wrote" };
        out.push_str(&format!(
            "{} {verb} the `import:` table, how {}'s words map to this product's: {} (edit it to map them otherwise; later imports read it)\n",
            product.shown(&settings).display(),
            tool.name(),
            terminal(&said.join(", "))
        ));
    }
    ctx.say(out.trim_end())?;
    for note in plan.notes.iter().chain(&report.notes) {
        ctx.warn(&terminal(note));
    }
    if !report.without_criteria.is_empty() {
        let ids: Vec<String> = report.without_criteria.iter().take(8).map(|i| i.to_string()).collect();
        let more = report.without_criteria.len().saturating_sub(8);
        ctx.warn(&format!(
            "{} {} without acceptance criteria ({}{}); pm check reports each as import/no-acceptance-criteria until they have some",
            crate::cli::output::plural(report.without_criteria.len(), "imported story", "imported stories"),
            if common.dry_run { "would come" } else { "came" },
            ids.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    Ok(())
}
