//! `pm completions SHELL`: the shell's registration of pm's completions. The script calls
//! back into pm (`PM_COMPLETE=SHELL pm -- WORDS`) at each TAB, so commands and flags always
//! match this binary, and item IDs come from the product in the current folder
//! (`pm story show S-<TAB>` offers the stories, with their titles where the shell shows them).

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::Shells;

use crate::cli::{Cli, Ctx};
use crate::error::{Error, Result};
use crate::model::id::Kind;

/// The variable that asks pm for completions instead of running a command.
const VAR: &str = "PM_COMPLETE";

/// Print the shell's completion registration (bash, zsh, fish, powershell, elvish)
///
/// Source it from the shell's start-up file, so it always matches the installed pm. At each
/// TAB the shell asks pm for the candidates: commands, flags, values, and the IDs of the
/// product's items.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm completions bash   # in ~/.bashrc: source <(pm completions bash)\n  pm completions zsh    # in ~/.zshrc: source <(pm completions zsh)\n  pm completions fish > ~/.config/fish/completions/pm.fish"
)]
pub struct Args {
    /// bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(_ctx: &Ctx, a: Args) -> Result<()> {
    let name = a.shell.to_string();
    let shells = Shells::builtins();
    let shell = shells.completer(&name).ok_or_else(|| Error::bad_argument(format!("no completions for {name}")))?;
    let mut out = Vec::new();
    shell
        .write_registration(VAR, "pm", "pm", "pm", &mut out)
        .map_err(|e| Error::bad_argument(format!("cannot write the script: {e}")))?;
    crate::cli::output::print_raw(&String::from_utf8(out).map_err(|_| Error::bad_argument("the script is not UTF-8"))?)
}

/// When the shell asks for completions (`PM_COMPLETE` set), answer and exit; else return.
pub fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command).var(VAR).complete();
}

/// The IDs of the product's items of `kinds` (all when empty), each with its title.
fn ids_of(kinds: &[Kind]) -> Vec<CompletionCandidate> {
    let Ok(cwd) = std::env::current_dir() else { return Vec::new() };
    let Ok(product) = crate::store::product::Product::locate(&cwd) else { return Vec::new() };
    let (items, _) = product.load_all_lenient();
    items
        .all
        .iter()
        .filter(|i| kinds.is_empty() || kinds.contains(&i.kind))
        .map(|i| CompletionCandidate::new(i.id.to_string()).help(Some(i.title.clone().into())))
        .collect()
}

/// Candidates for an argument that names any item.
pub fn item_ids() -> Vec<CompletionCandidate> {
    ids_of(&[])
}

/// Candidates for an argument that names a story.
pub fn story_ids() -> Vec<CompletionCandidate> {
    ids_of(&[Kind::Story])
}

/// Candidates for an argument that names a sprint.
pub fn sprint_ids() -> Vec<CompletionCandidate> {
    ids_of(&[Kind::Sprint])
}
