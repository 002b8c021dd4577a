//! `pm completions SHELL`: the shell completion script, generated from the command definitions
//! (clap_complete), so it always matches the commands and flags of this binary.

use clap::CommandFactory;

use crate::cli::{Cli, Ctx};
use crate::error::{Error, Result};

/// Print the completion script for a shell.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm completions bash > ~/.local/share/bash-completion/completions/pm\n  pm completions zsh > \"${fpath[1]}/_pm\"\n  pm completions fish > ~/.config/fish/completions/pm.fish"
)]
pub struct Args {
    /// bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(_ctx: &Ctx, a: Args) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "pm", &mut out);
    crate::cli::output::print_raw(&String::from_utf8(out).map_err(|_| Error::bad_argument("the script is not UTF-8"))?)
}
