//! `pm fmt [--check]`: canonical backlog and roadmap, file names in line with IDs.

use crate::cli::Ctx;
use crate::error::{ExitCode, Result};
use crate::ops::fmt;

/// Put the backlog and roadmap in canonical form and file names in line with IDs
///
/// Titles and links refreshed, repeated lines removed (the first is kept), missing open items
/// appended, closed ones removed, files renamed to start with their ID. Only those bytes change. A
/// file that cannot be parsed is reported and left alone.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm fmt\n  pm fmt --check     # in CI: exit 1 and list what would change")]
pub struct Args {
    /// Change nothing: list what would change and exit 1 if anything would
    #[arg(long)]
    check: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<ExitCode> {
    let product = ctx.product()?;
    // Held from planning to writing, so an add in between cannot lose its backlog line.
    let mut tx = if a.check { None } else { Some(ctx.transaction(&product)?) };
    let plan = fmt::plan(&product)?;
    for e in &plan.skipped {
        ctx.warn(&format!("left alone: {e}"));
    }
    let at = |c: &fmt::Change| match c.line {
        Some(l) => format!("{}:{l}", c.path.display()),
        None => c.path.display().to_string(),
    };
    for n in &plan.notes {
        ctx.warn(&format!("{}: {}", at(n), n.what));
    }
    let mut out = String::new();
    let verb = if a.check { "would " } else { "" };
    for c in &plan.changes {
        out.push_str(&format!("{}: {verb}{}\n", at(c), c.what));
    }
    let changed = !plan.changes.is_empty();
    let noted = !plan.notes.is_empty() || !plan.skipped.is_empty();
    if a.check {
        crate::cli::output::print(&out)?;
        return Ok(if changed { ExitCode::Findings } else { ExitCode::Success });
    }
    if let Some(tx) = &mut tx {
        plan.apply(tx)?;
    }
    if changed {
        if !ctx.quiet {
            crate::cli::output::print(&out)?;
        }
    } else if !noted {
        ctx.say("Already formatted.")?;
    } else {
        ctx.say("Nothing changed; the lines above were left as they are.")?;
    }
    Ok(ExitCode::Success)
}
