//! `pm man [--out DIR]`: man pages generated from the command definitions (clap_mangen): the
//! page of `pm` on stdout, or one page per command and subcommand written to a folder.

use std::path::PathBuf;

use clap::CommandFactory;

use crate::cli::{Cli, Ctx};
use crate::error::{Error, Result};

/// Print the man page of pm, or write the pages of every command to a folder.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm man | man -l -\n  pm man --out ~/.local/share/man/man1")]
pub struct Args {
    /// Write pm.1 and a page per subcommand (pm-story-add.1, ...) into this folder
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let cmd = Cli::command();
    let Some(dir) = a.out else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page).map_err(|e| Error::io(std::path::Path::new("-"), e))?;
        return crate::cli::output::print_raw(&String::from_utf8_lossy(&page));
    };
    let dir = ctx.cwd.join(dir);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    clap_mangen::generate_to(cmd, &dir).map_err(|e| Error::io(&dir, e))?;
    let count = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).filter(|e| e.path().extension().is_some_and(|x| x == "1")).count())
        .unwrap_or(0);
    ctx.say(&format!("Wrote {count} man pages to {}", dir.display()))
}
