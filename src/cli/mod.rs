//! The command line: argument definitions (clap derive; the `///` comments are the help),
//! the resolved context every command runs in, and the dispatch. Commands live one per file.

mod ac;
mod add;
mod backlog;
mod diff;
mod edit;
mod editor;
mod history;
mod init;
mod list;
mod output;
mod rank;
mod roadmap;
mod set;
mod show;
mod view;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{Error, ExitCode, Result};
use crate::model::id::Kind;
use crate::store::product::Product;

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
  pm rank S-12 --top
  pm ac check S-12 AC-1
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
    /// Create product/ with a vision, an empty backlog and roadmap, and pm.yaml
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
    /// Acceptance criteria of stories (AC-1, AC-2, ...)
    #[command(subcommand)]
    Ac(ac::Command),
    /// Move a story in the backlog
    Rank(rank::Args),
    /// Show the ordered backlog of open stories
    Backlog(backlog::Args),
    /// Show the roadmap, or move an epic between horizons
    Roadmap(roadmap::Args),
    /// Show what changed in the product between two states (a pull request's changes)
    Diff(diff::Args),
    /// Show how the product changed over time, commit by commit
    History(history::Args),
}

#[derive(Debug, Subcommand)]
enum VisionCommand {
    /// Create a vision
    Add(add::VisionArgs),
    /// List visions
    List(list::Args),
    /// Show a vision with its metrics and epics
    Show(show::Args),
    /// Set fields: pm vision set V-1 owner=maya
    Set(set::Args),
    /// Edit a vision's file in $VISUAL or $EDITOR
    Edit(edit::Args),
}

#[derive(Debug, Subcommand)]
enum EpicCommand {
    /// Create an epic and put it on the roadmap
    Add(add::EpicArgs),
    /// List epics
    List(list::Args),
    /// Show an epic with its vision and stories
    Show(show::Args),
    /// Set fields: pm epic set E-2 status=active
    Set(set::Args),
    /// Edit an epic's file in $VISUAL or $EDITOR
    Edit(edit::Args),
    /// Mark an epic done and take it off the roadmap
    Done(set::StatusArgs),
    /// Mark an epic dropped and take it off the roadmap
    Drop(set::StatusArgs),
}

#[derive(Debug, Subcommand)]
enum StoryCommand {
    /// Create a story and add it to the backlog
    Add(add::StoryArgs),
    /// List stories, in backlog order
    List(list::Args),
    /// Show a story with its acceptance criteria, epic and vision
    Show(show::Args),
    /// Set fields: pm story set S-12 status=ready points=5
    Set(set::Args),
    /// Edit a story's file in $VISUAL or $EDITOR
    Edit(edit::Args),
    /// Mark a story done and take it off the backlog
    Done(set::StatusArgs),
    /// Mark a story dropped and take it off the backlog
    Drop(set::StatusArgs),
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

    /// A warning on stderr.
    pub fn warn(&self, text: &str) {
        let style = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Yellow.into())).bold();
        let _ = writeln!(anstream::stderr(), "{style}warning{style:#}: {text}");
    }
}

/// Run `pm` with the process's arguments; returns the exit code.
pub fn main() -> ExitCode {
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
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => ExitCode::Success,
        Err(e) => {
            report(&e);
            e.exit_code()
        }
    }
}

fn report(e: &Error) {
    let red = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into())).bold();
    let cyan = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Cyan.into())).bold();
    let mut err = anstream::stderr();
    let _ = writeln!(err, "{red}error{red:#}: {e}");
    if let Some(hint) = e.hint() {
        let _ = writeln!(err, "  {cyan}hint{cyan:#}: {hint}");
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
                return Err(Error::bad_argument(format!("-C {}: no such directory", d.display())));
            }
            d.canonicalize().unwrap_or(d)
        }
        None => here,
    };
    let ctx = Ctx { cwd, quiet: cli.quiet, stdout_tty: std::io::IsTerminal::is_terminal(&std::io::stdout()) };
    match cli.command {
        Command::Init(a) => init::run(&ctx, a),
        Command::Vision(c) => match c {
            VisionCommand::Add(a) => add::run_vision(&ctx, a),
            VisionCommand::List(a) => list::run(&ctx, Kind::Vision, a),
            VisionCommand::Show(a) => show::run(&ctx, Kind::Vision, a),
            VisionCommand::Set(a) => set::run(&ctx, Kind::Vision, a),
            VisionCommand::Edit(a) => edit::run(&ctx, Kind::Vision, a),
        },
        Command::Epic(c) => match c {
            EpicCommand::Add(a) => add::run_epic(&ctx, a),
            EpicCommand::List(a) => list::run(&ctx, Kind::Epic, a),
            EpicCommand::Show(a) => show::run(&ctx, Kind::Epic, a),
            EpicCommand::Set(a) => set::run(&ctx, Kind::Epic, a),
            EpicCommand::Edit(a) => edit::run(&ctx, Kind::Epic, a),
            EpicCommand::Done(a) => set::run_status(&ctx, Kind::Epic, a, "done"),
            EpicCommand::Drop(a) => set::run_status(&ctx, Kind::Epic, a, "dropped"),
        },
        Command::Story(c) => match c {
            StoryCommand::Add(a) => add::run_story(&ctx, a),
            StoryCommand::List(a) => list::run(&ctx, Kind::Story, a),
            StoryCommand::Show(a) => show::run(&ctx, Kind::Story, a),
            StoryCommand::Set(a) => set::run(&ctx, Kind::Story, a),
            StoryCommand::Edit(a) => edit::run(&ctx, Kind::Story, a),
            StoryCommand::Done(a) => set::run_status(&ctx, Kind::Story, a, "done"),
            StoryCommand::Drop(a) => set::run_status(&ctx, Kind::Story, a, "dropped"),
        },
        Command::Ac(c) => ac::run(&ctx, c),
        Command::Rank(a) => rank::run(&ctx, a),
        Command::Backlog(a) => backlog::run(&ctx, a),
        Command::Roadmap(a) => roadmap::run(&ctx, a),
        Command::Diff(a) => diff::run(&ctx, a),
        Command::History(a) => history::run(&ctx, a),
    }?;
    Ok(ExitCode::Success)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
