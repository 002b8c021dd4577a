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

/// The words being completed, as the shell passes them (`pm -- pm -C ../x story show S-`).
fn words() -> Vec<String> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--") {
        Some(i) => args[i + 1..].to_vec(),
        None => Vec::new(),
    }
}

/// The product the command line names: the folder of its `-C DIR`, else the current one.
fn product(words: &[String]) -> Option<crate::store::product::Product> {
    let here = std::env::current_dir().ok()?;
    let mut dir = here.clone();
    for (i, w) in words.iter().enumerate() {
        let given = match w.as_str() {
            "-C" => words.get(i + 1).cloned(),
            w if w.starts_with("-C") => Some(w.trim_start_matches("-C").trim_start_matches('=').to_string()),
            _ => None,
        };
        if let Some(d) = given {
            dir = here.join(d);
        }
    }
    crate::store::product::Product::locate(&dir).ok()
}

/// The kind the command line is about (`pm epic show` -> epics), if its words name one.
fn kind_in(words: &[String]) -> Option<Kind> {
    words.iter().find_map(|w| match w.as_str() {
        "story" => Some(Kind::Story),
        "epic" | "roadmap" => Some(Kind::Epic),
        "vision" => Some(Kind::Vision),
        "sprint" => Some(Kind::Sprint),
        _ => None,
    })
}

/// The IDs of the product's items of `kinds` (all when empty), each with its title.
fn ids_of(kinds: &[Kind]) -> Vec<CompletionCandidate> {
    let Some(product) = product(&words()) else { return Vec::new() };
    let (items, _) = product.load_all_lenient();
    items
        .all
        .iter()
        .filter(|i| kinds.is_empty() || kinds.contains(&i.kind))
        .map(|i| CompletionCandidate::new(i.id.to_string()).help(Some(i.title.clone().into())))
        .collect()
}

/// Candidates for an argument that names an item: of the kind the command is about.
pub fn item_ids() -> Vec<CompletionCandidate> {
    match kind_in(&words()) {
        Some(kind) => ids_of(&[kind]),
        None => ids_of(&[]),
    }
}

/// Candidates for an argument that names a story.
pub fn story_ids() -> Vec<CompletionCandidate> {
    ids_of(&[Kind::Story])
}

/// Candidates for an argument that names an epic.
pub fn epic_ids() -> Vec<CompletionCandidate> {
    ids_of(&[Kind::Epic])
}

/// Candidates for an argument that names a feedback item.
pub fn feedback_ids() -> Vec<CompletionCandidate> {
    ids_of(&[Kind::Feedback])
}

/// Candidates for an argument that names a sprint.
pub fn sprint_ids() -> Vec<CompletionCandidate> {
    ids_of(&[Kind::Sprint])
}

/// The roadmap's horizons.
pub fn horizons() -> Vec<CompletionCandidate> {
    ["now", "next", "later"].into_iter().map(CompletionCandidate::new).collect()
}

/// The criteria of the story named before the one being completed (`pm ac check S-1 <TAB>`).
pub fn criteria() -> Vec<CompletionCandidate> {
    let words = words();
    let Some(product) = product(&words) else { return Vec::new() };
    let story = words.iter().rev().skip(1).find_map(|w| product.config.id_from_input(w));
    let Some(item) = story.and_then(|id| product.get(&id.to_string(), Kind::Story).ok()) else { return Vec::new() };
    item.criteria.items.iter().map(|c| CompletionCandidate::new(c.label()).help(Some(c.text.clone().into()))).collect()
}
