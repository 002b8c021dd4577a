//! The command line: argument definitions (clap derive; the `///` comments are the help),
//! the resolved context every command runs in, and the dispatch. Commands live one per file.

mod ac;
mod add;
mod agents;
mod backlog;
mod chart;
mod check;
mod completions;
mod diff;
mod edit;
mod editor;
mod feedback;
mod flow;
mod fmt;
mod forecast;
mod history;
mod import;
mod init;
mod list;
mod man;
mod mcp;
mod merge_file;
mod output;
mod publish;
mod rank;
mod refine;
mod renumber;
mod report;
pub(crate) mod review;
mod roadmap;
mod schema;
mod score;
mod set;
mod setup;
mod show;
mod sprint;
pub(crate) mod trace;
mod velocity;
mod view;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{Error, ExitCode, Result};
use crate::model::id::Kind;
use crate::store::product::Product;
use crate::store::transaction::Transaction;

/// Product management kept as plain text in git.
///
/// pm keeps a product's vision, epics, user stories and their acceptance criteria as Markdown
/// files with YAML front matter under product/, with an ordered backlog and a roadmap. It edits
/// them without touching bytes you did not ask to change.
#[derive(Debug, Parser)]
#[command(name = "pm", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Examples:
  pm init --name \"Tandem\"
  pm story add \"Reset password by email\" --epic E-2 --priority high --points 3 \\
      --as \"member\" --want \"to reset my password by email\" --so-that \"I can get back in\" \\
      --ac \"Given a registered email, when I ask for a reset, then a link is sent\"
  pm backlog
  pm rank S-10 --top
  pm ac check S-10 AC-1
  pm roadmap")]
pub struct Cli {
    /// Run as if pm was started in DIR
    #[arg(short = 'C', global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// When to use colour (NO_COLOR and CLICOLOR_FORCE are honoured with auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
    /// Print only errors and requested data, no confirmations
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::Args),
    /// Visions: the why of the product, with metrics
    #[command(subcommand)]
    Vision(VisionCommand),
    /// Epics: large bodies of work under a vision, placed on the roadmap
    #[command(subcommand)]
    Epic(EpicCommand),
    /// User stories: the backlog's items, with acceptance criteria
    #[command(subcommand)]
    Story(StoryCommand),
    /// Sprints: time boxes the team plans stories into, to capacity
    #[command(subcommand)]
    Sprint(SprintCommand),
    /// Feedback: what customers and stakeholders said, linked to the stories and epics it supports
    #[command(subcommand)]
    Feedback(FeedbackCommand),
    /// Acceptance criteria of stories (AC-1, AC-2, ...)
    #[command(subcommand)]
    Ac(ac::Command),
    Rank(rank::Args),
    Backlog(backlog::Args),
    Score(score::Args),
    Refine(refine::Args),
    Import(import::Args),
    Roadmap(roadmap::Args),
    Check(check::Args),
    Fmt(fmt::Args),
    Renumber(renumber::Args),
    Diff(diff::Args),
    History(history::Args),
    Velocity(velocity::Args),
    Flow(flow::Args),
    Forecast(forecast::Args),
    /// Charts of how priorities and progress moved: in the terminal, as SVG or as Mermaid
    #[command(subcommand)]
    Chart(chart::Command),
    Report(report::Args),
    Publish(publish::Args),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(completions::Args),
    /// Print the man page, or write one per command with --out DIR
    Man(man::Args),
    /// Print the JSON Schema of a kind's front matter or of pm.yaml (for editors)
    Schema(schema::Args),
    Trace(trace::Args),
    Review(review::Args),
    Setup(setup::Args),
    Mcp(mcp::Args),
    Agents(agents::Args),
    MergeFile(merge_file::Args),
}

#[derive(Debug, Subcommand)]
enum VisionCommand {
    /// Create a vision
    ///
    /// A vision is the why of the product: who it is for, the problem, and what success looks
    /// like, with metrics (`metrics:` in its front matter, each a name, a target and the current
    /// value). It starts with status active (`default_status.vision` in pm.yaml); add its metrics
    /// with `pm vision edit`, and epics point at it with `vision: V-1`.
    #[command(mut_arg("status", |a| a.help("Initial status (default from pm.yaml: active)")))]
    Add(add::VisionArgs),
    /// List visions
    #[command(mut_arg("epic", |a| a.hide(true)), mut_arg("priority", |a| a.hide(true)), mut_arg("sprint", |a| a.hide(true)), mut_arg("story", |a| a.hide(true)), mut_arg("from", |a| a.hide(true)), mut_arg("unlinked", |a| a.hide(true)))]
    #[command(after_help = "Examples:\n  pm vision list\n  pm vision list --status active --format json")]
    List(list::Args),
    /// Show a vision with its metrics and epics
    ///
    /// Fields (unknown ones too), the body, acceptance criteria with their state, and links up
    /// (story -> epic -> vision) and down (children, dependents).
    #[command(after_help = "Examples:\n  pm vision show V-1\n  pm vision show V-1 --format json")]
    Show(show::Args),
    /// Set fields: pm vision set V-1 owner=maya
    ///
    /// Only the lines of those fields change; comments, key order, unknown fields and the body
    /// stay as they are. An empty value removes a field. A status that closes the item takes it
    /// off the backlog or roadmap (and back on when reopened); a new title is refreshed there.
    #[command(
        after_help = "Examples:\n  pm vision set V-1 owner=maya\n  pm vision set V-1 \"metric.Weekly active households=9100\""
    )]
    Set(set::Args),
    /// Edit a vision's file in $VISUAL or $EDITOR
    ///
    /// The result is checked (front matter, ID unchanged) before it replaces the file; if it is
    /// not valid the file is left as it was and your text is kept in a temporary file.
    #[command(after_help = "Example:\n  EDITOR=nano pm vision edit V-1")]
    Edit(edit::Args),
}

#[derive(Debug, Subcommand)]
enum EpicCommand {
    /// Create an epic and put it on the roadmap
    #[command(mut_arg("status", |a| a.help("Initial status (default from pm.yaml: proposed)")))]
    Add(add::EpicArgs),
    /// List epics
    #[command(mut_arg("epic", |a| a.hide(true)), mut_arg("priority", |a| a.hide(true)), mut_arg("sprint", |a| a.hide(true)), mut_arg("story", |a| a.hide(true)), mut_arg("from", |a| a.hide(true)), mut_arg("unlinked", |a| a.hide(true)))]
    #[command(after_help = "Examples:\n  pm epic list --open\n  pm epic list --owner maya --format csv")]
    List(list::Args),
    /// Show an epic with its vision and stories
    ///
    /// Fields (unknown ones too), the body, acceptance criteria with their state, and links up
    /// (story -> epic -> vision) and down (children, dependents).
    #[command(after_help = "Example:\n  pm epic show E-2")]
    Show(show::Args),
    /// Set fields: pm epic set E-2 status=active
    ///
    /// Only the lines of those fields change; comments, key order, unknown fields and the body
    /// stay as they are. An empty value removes a field. A status that closes the item takes it
    /// off the backlog or roadmap (and back on when reopened); a new title is refreshed there.
    #[command(after_help = "Examples:\n  pm epic set E-2 status=active\n  pm epic set E-2 target=2026-12-18")]
    Set(set::Args),
    /// Edit an epic's file in $VISUAL or $EDITOR
    ///
    /// The result is checked (front matter, ID unchanged) before it replaces the file; if it is
    /// not valid the file is left as it was and your text is kept in a temporary file.
    #[command(after_help = "Example:\n  EDITOR=nano pm epic edit E-2")]
    Edit(edit::Args),
    /// Mark an epic done and take it off the roadmap
    #[command(after_help = "Examples:\n  pm epic done E-1\n  pm epic done E-2 --force   # with stories still open")]
    Done(set::StatusArgs),
    /// Mark an epic dropped and take it off the roadmap
    #[command(after_help = "Example:\n  pm epic drop E-5 --force --reason \"Budgets wait until bank sync has users\"")]
    Drop(set::StatusArgs),
}

#[derive(Debug, Subcommand)]
enum StoryCommand {
    /// Create a story and add it to the backlog
    #[command(mut_arg("status", |a| a.help("Initial status (default from pm.yaml: draft)")))]
    Add(add::StoryArgs),
    /// List stories, in backlog order
    #[command(mut_arg("story", |a| a.hide(true)), mut_arg("from", |a| a.hide(true)), mut_arg("unlinked", |a| a.hide(true)))]
    List(list::Args),
    /// Show a story with its acceptance criteria, epic and vision
    ///
    /// Fields (unknown ones too), the body, acceptance criteria with their state, and links up
    /// (story -> epic -> vision) and down (children, dependents).
    Show(show::Args),
    /// Set fields: pm story set S-12 status=ready points=5
    ///
    /// Only the lines of those fields change; comments, key order, unknown fields and the body
    /// stay as they are. An empty value removes a field. A status that closes the item takes it
    /// off the backlog or roadmap (and back on when reopened); a new title is refreshed there.
    /// A field whose value has the wrong type (`points: lots`) can be set to a good one.
    Set(set::Args),
    /// Edit a story's file in $VISUAL or $EDITOR
    ///
    /// The result is checked (front matter, ID unchanged) before it replaces the file; if it is
    /// not valid the file is left as it was and your text is kept in a temporary file. A file
    /// that does not read (broken YAML, `points: lots`) opens as it is, to be repaired.
    Edit(edit::Args),
    /// Mark a story done and take it off the backlog
    #[command(after_help = "Examples:\n  pm story done S-10\n  pm story done S-10 S-11 S-13")]
    Done(set::StatusArgs),
    /// Mark a story dropped and take it off the backlog
    #[command(after_help = "Example:\n  pm story drop S-9 --reason \"Duplicate of S-4\"")]
    Drop(set::StatusArgs),
}

#[derive(Debug, Subcommand)]
enum SprintCommand {
    Add(sprint::AddArgs),
    /// List sprints with their dates and points
    #[command(mut_arg("epic", |a| a.hide(true)), mut_arg("priority", |a| a.hide(true)), mut_arg("sprint", |a| a.hide(true)), mut_arg("story", |a| a.hide(true)), mut_arg("from", |a| a.hide(true)), mut_arg("unlinked", |a| a.hide(true)))]
    #[command(after_help = "Examples:\n  pm sprint list\n  pm sprint list --status closed --format json")]
    List(list::Args),
    Show(sprint::ShowArgs),
    Plan(sprint::PlanArgs),
    /// Start a sprint
    Start(sprint::StartArgs),
    Close(sprint::CloseArgs),
    /// Set fields: pm sprint set SP-3 capacity=18 goal="Settle up in the app"
    ///
    /// Only the lines of those fields change; comments, key order, unknown fields and the body
    /// stay as they are. An empty value removes a field.
    #[command(after_help = "Example:\n  pm sprint set SP-3 capacity=18")]
    Set(set::Args),
    /// Edit a sprint's file (its notes, review, retrospective) in $VISUAL or $EDITOR
    ///
    /// The result is checked (front matter, ID unchanged) before it replaces the file; if it is
    /// not valid the file is left as it was and your text is kept in a temporary file.
    #[command(after_help = "Example:\n  EDITOR=nano pm sprint edit SP-3")]
    Edit(edit::Args),
}

#[derive(Debug, Subcommand)]
enum FeedbackCommand {
    /// Record what a customer or stakeholder said
    ///
    /// The quote becomes the body of product/feedback/F-N-<slug>.md, its first words the
    /// title. Link it to the stories and epics it supports (--story, --epic, or later with
    /// `pm feedback link`): `pm story show` lists it, `pm backlog` counts it, and with
    /// `scoring.reach_from_feedback: true` in pm.yaml it is a story's reach.
    Add(feedback::AddArgs),
    /// List feedback, by ID
    #[command(mut_arg("priority", |a| a.hide(true)), mut_arg("sprint", |a| a.hide(true)))]
    #[command(mut_arg("epic", |a| a.help("Only feedback that supports this epic")))]
    #[command(
        after_help = "Examples:\n  pm feedback list --story S-12\n  pm feedback list --from acme\n  pm feedback list --unlinked"
    )]
    List(list::Args),
    /// Show one feedback item: who said it, what it supports, the quote
    Show(show::Args),
    /// Link feedback to the stories and epics it supports
    Link(feedback::LinkArgs),
    /// Take stories or epics off what feedback supports
    Unlink(feedback::LinkArgs),
    /// Set fields: pm feedback set F-3 weight=3 status=processed
    ///
    /// Only the lines of those fields change. An empty value removes a field.
    #[command(after_help = "Example:\n  pm feedback set F-3 weight=3 from=\"Acme Corp\"")]
    Set(set::Args),
    /// Edit a feedback item's file in $VISUAL or $EDITOR
    #[command(after_help = "Example:\n  EDITOR=nano pm feedback edit F-3")]
    Edit(edit::Args),
}

/// What every command runs with: resolved once, before any command logic.
pub struct Ctx {
    pub cwd: PathBuf,
    pub quiet: bool,
    /// Whether stdout is a terminal (tables get borders and wrapping there).
    pub stdout_tty: bool,
}

impl Ctx {
    pub fn product(&self) -> Result<Product> {
        Product::locate(&self.cwd)
    }

    /// A confirmation on stdout, unless --quiet.
    pub fn say(&self, text: &str) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        output::print(&format!("{text}\n"))
    }

    /// Read every item for a read-only command. Files that cannot be read are skipped so the
    /// rest can still be shown; [`Ctx::finish`] then reports them and fails. IDs carried by
    /// two files are warned about.
    pub fn load(&self, product: &Product) -> (crate::store::product::Items, Vec<Error>) {
        let (items, errors) = product.load_all_lenient();
        self.warn_duplicates(&items);
        (items, errors)
    }

    /// Warn about IDs carried by more than one file (`pm check` reports them as errors).
    pub fn warn_duplicates(&self, items: &crate::store::product::Items) {
        let duplicates = items.duplicates();
        // The lists are read once for all the hints, and only when there is one to give.
        let product = if duplicates.is_empty() { None } else { self.product().ok() };
        let listed = product.as_ref().map(Product::listed_lines).unwrap_or_default();
        for (id, files) in duplicates {
            let names: Vec<String> =
                files.iter().map(|i| format!("{}:{}", i.shown.display(), i.line_of("id").unwrap_or(1))).collect();
            let rels: Vec<&str> = files.iter().map(|i| i.rel.as_str()).collect();
            let copy = match (&product, files.first()) {
                (Some(product), Some(first)) => {
                    files[product.to_renumber(&first.id, &rels, &listed)].shown.display().to_string()
                }
                _ => "PATH".to_string(),
            };
            self.warn(&format!(
                "{id} is the ID of {} files: {}; `pm renumber {id} NEW --file {copy}` gives one a new ID",
                names.len(),
                names.join(", ")
            ));
        }
    }

    /// End a read-only command: the files it had to skip make it fail with exit code 2.
    pub fn finish(&self, errors: Vec<Error>) -> Result<()> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.into_iter().next().expect("one error")),
            _ => Err(Error::Many(errors)),
        }
    }

    /// Start a write transaction on `product`: take its lock, saying on stderr when another
    /// `pm` holds it and this one waits.
    pub fn transaction<'p>(&self, product: &'p Product) -> Result<Transaction<'p>> {
        Transaction::start(product, &mut |path| {
            let _ =
                writeln!(anstream::stderr(), "pm: waiting for another pm command to finish with {}", path.display());
        })
    }

    /// A warning on stderr.
    pub fn warn(&self, text: &str) {
        let style = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Yellow.into())).bold();
        let text = crate::model::escape::terminal_lines(text);
        let _ = writeln!(anstream::stderr(), "{style}warning{style:#}: {text}");
    }
}

/// Run `pm` with the process's arguments; returns the exit code.
pub fn main() -> ExitCode {
    completions::answer_if_asked();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::Success,
                _ => ExitCode::Usage,
            };
        }
    };
    // A panic is a bug in pm, never the user's fault: say so, and exit with the internal code.
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error in pm {}: {info}\n  hint: nothing was half-written (writes are atomic); please report this with the command you ran",
            env!("CARGO_PKG_VERSION")
        );
    }));
    let outcome = match std::panic::catch_unwind(|| run(cli)) {
        Ok(outcome) => outcome,
        Err(_) => return ExitCode::Internal,
    };
    match outcome {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => ExitCode::Success,
        Err(e) => {
            report(&e);
            e.exit_code()
        }
    }
}

fn report(e: &Error) {
    if let Error::Many(errors) = e {
        errors.iter().for_each(report);
        return;
    }
    let red = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into())).bold();
    let cyan = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Cyan.into())).bold();
    let mut err = anstream::stderr();
    // Messages quote user data (a value, a path): shown, never obeyed, by the terminal.
    let text = |t: &str| crate::model::escape::terminal_lines(t).into_owned();
    let _ = writeln!(err, "{red}error{red:#}: {}", text(&e.to_string()));
    if let Some(hint) = e.hint() {
        let _ = writeln!(err, "  {cyan}hint{cyan:#}: {}", text(&hint));
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let here = std::env::current_dir().map_err(|e| Error::io(std::path::Path::new("."), e))?;
    let cwd = match &cli.dir {
        Some(d) => {
            let d = here.join(d);
            if !d.is_dir() {
                return Err(Error::bad_argument(format!("-C {}: no such directory", d.display()))
                    .with_hint("-C takes an existing directory, as git -C does"));
            }
            d.canonicalize().unwrap_or(d)
        }
        None => here,
    };
    let ctx = Ctx { cwd, quiet: cli.quiet, stdout_tty: std::io::IsTerminal::is_terminal(&std::io::stdout()) };
    dispatch(&ctx, cli.command).map_err(|e| in_shallow_clone(&ctx, e).shown_from(&ctx.cwd))
}

/// An object missing from a shallow clone (CI's default checkout) is not damage: say that the
/// history is cut, and how to fetch it. Damage is found wherever an object is read, so this is
/// decided once, here; an unfetched branch is told by `Repo::commit_of` itself.
fn in_shallow_clone(ctx: &Ctx, e: Error) -> Error {
    let shallow = || git2::Repository::discover(&ctx.cwd).is_ok_and(|r| r.is_shallow());
    match e {
        Error::Damaged { message } if shallow() => Error::BadArgument {
            message: format!("{message}; this clone is shallow (only part of the history was fetched)"),
            hint: Some(crate::store::repo::UNSHALLOW_HINT.into()),
        },
        other => other,
    }
}

fn dispatch(ctx: &Ctx, command: Command) -> Result<ExitCode> {
    match command {
        Command::Init(a) => init::run(ctx, a),
        Command::Vision(c) => match c {
            VisionCommand::Add(a) => add::run_vision(ctx, a),
            VisionCommand::List(a) => list::run(ctx, Kind::Vision, a),
            VisionCommand::Show(a) => show::run(ctx, Kind::Vision, a),
            VisionCommand::Set(a) => set::run(ctx, Kind::Vision, a),
            VisionCommand::Edit(a) => edit::run(ctx, Kind::Vision, a),
        },
        Command::Epic(c) => match c {
            EpicCommand::Add(a) => add::run_epic(ctx, a),
            EpicCommand::List(a) => list::run(ctx, Kind::Epic, a),
            EpicCommand::Show(a) => show::run(ctx, Kind::Epic, a),
            EpicCommand::Set(a) => set::run(ctx, Kind::Epic, a),
            EpicCommand::Edit(a) => edit::run(ctx, Kind::Epic, a),
            EpicCommand::Done(a) => set::run_status(ctx, Kind::Epic, a, "done"),
            EpicCommand::Drop(a) => set::run_status(ctx, Kind::Epic, a, "dropped"),
        },
        Command::Story(c) => match c {
            StoryCommand::Add(a) => add::run_story(ctx, a),
            StoryCommand::List(a) => list::run(ctx, Kind::Story, a),
            StoryCommand::Show(a) => show::run(ctx, Kind::Story, a),
            StoryCommand::Set(a) => set::run(ctx, Kind::Story, a),
            StoryCommand::Edit(a) => edit::run(ctx, Kind::Story, a),
            StoryCommand::Done(a) => set::run_status(ctx, Kind::Story, a, "done"),
            StoryCommand::Drop(a) => set::run_status(ctx, Kind::Story, a, "dropped"),
        },
        Command::Sprint(c) => match c {
            SprintCommand::Add(a) => sprint::run_add(ctx, a),
            SprintCommand::List(a) => list::run(ctx, Kind::Sprint, a),
            SprintCommand::Show(a) => sprint::run_show(ctx, a),
            SprintCommand::Plan(a) => sprint::run_plan(ctx, a),
            SprintCommand::Start(a) => sprint::run_start(ctx, a),
            SprintCommand::Close(a) => sprint::run_close(ctx, a),
            SprintCommand::Set(a) => set::run(ctx, Kind::Sprint, a),
            SprintCommand::Edit(a) => edit::run(ctx, Kind::Sprint, a),
        },
        Command::Feedback(c) => match c {
            FeedbackCommand::Add(a) => feedback::run_add(ctx, a),
            FeedbackCommand::List(a) => list::run(ctx, Kind::Feedback, a),
            FeedbackCommand::Show(a) => show::run(ctx, Kind::Feedback, a),
            FeedbackCommand::Link(a) => feedback::run_link(ctx, a, false),
            FeedbackCommand::Unlink(a) => feedback::run_link(ctx, a, true),
            FeedbackCommand::Set(a) => set::run(ctx, Kind::Feedback, a),
            FeedbackCommand::Edit(a) => edit::run(ctx, Kind::Feedback, a),
        },
        Command::Ac(c) => ac::run(ctx, c),
        Command::Rank(a) => rank::run(ctx, a),
        Command::Backlog(a) => backlog::run(ctx, a),
        Command::Score(a) => score::run(ctx, a),
        Command::Refine(a) => refine::run(ctx, a),
        Command::Import(a) => import::run(ctx, a),
        Command::Roadmap(a) => roadmap::run(ctx, a),
        Command::Check(a) => return check::run(ctx, a),
        Command::Fmt(a) => return fmt::run(ctx, a),
        Command::Renumber(a) => renumber::run(ctx, a),
        Command::Diff(a) => diff::run(ctx, a),
        Command::History(a) => history::run(ctx, a),
        Command::Velocity(a) => velocity::run(ctx, a),
        Command::Flow(a) => flow::run(ctx, a),
        Command::Chart(c) => chart::run(ctx, c),
        Command::Report(a) => report::run(ctx, a),
        Command::Publish(a) => publish::run(ctx, a),
        Command::Forecast(a) => forecast::run(ctx, a),
        Command::Completions(a) => completions::run(ctx, a),
        Command::Man(a) => man::run(ctx, a),
        Command::Schema(a) => schema::run(ctx, a),
        Command::Trace(a) => trace::run(ctx, a),
        Command::Review(a) => review::run(ctx, a),
        Command::Setup(a) => setup::run(ctx, a),
        Command::Mcp(a) => mcp::run(ctx, a),
        Command::Agents(a) => agents::run(ctx, a),
        Command::MergeFile(a) => return merge_file::run(a),
    }?;
    Ok(ExitCode::Success)
}

/// The command reference in Markdown, generated from the clap definitions (the same source
/// as `--help`), for `docs/commands.md`.
/// The command definitions (for tests and tools that walk the commands).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
}

pub fn reference_markdown() -> String {
    use clap::CommandFactory;
    fn walk(cmd: &mut clap::Command, path: &str, out: &mut String) {
        let name = if path.is_empty() { cmd.get_name().to_string() } else { format!("{path} {}", cmd.get_name()) };
        let help = cmd.render_long_help().to_string();
        out.push_str(&format!("### `{name}`\n\n```text\n{}\n```\n\n", help.trim_end()));
        let mut subs: Vec<clap::Command> = cmd.get_subcommands().cloned().collect();
        for sub in &mut subs {
            if sub.get_name() != "help" {
                walk(sub, &name, out);
            }
        }
    }
    let mut cmd = Cli::command().term_width(100);
    cmd.build();
    let mut out = String::new();
    walk(&mut cmd, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
