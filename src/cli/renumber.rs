//! `pm renumber OLD NEW`: change an ID and every reference to it.

use std::path::PathBuf;

use crate::cli::Ctx;
use crate::error::Result;
use crate::ops::renumber::renumber;

/// Change an ID and every reference to it
///
/// The item's file is renamed to match, and every reference is rewritten (epic, vision and
/// depends_on fields, backlog and roadmap lines, OLD/AC-n mentions in product files). The cure for
/// duplicate IDs from two branches: with several files carrying OLD, --file picks the one to
/// renumber.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm renumber S-12 S-31\n  pm renumber S-12 S-31 --file product/stories/S-12-split-expenses-in-proportion-to-income.md"
)]
pub struct Args {
    /// The current ID
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::item_ids))]
    old: String,
    /// The new ID (same kind, not in use)
    new: String,
    /// When several files carry OLD: the one to renumber
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let r = renumber(&mut ctx.transaction(&product)?, &a.old, &a.new, a.file.as_deref())?;
    let mut text = format!("{} is now {}: {} -> {}", r.old, r.new, r.from.display(), r.to.display());
    for u in &r.updated {
        text.push_str(&format!("\n  updated {}", u.display()));
    }
    for (path, field) in &r.ambiguous {
        ctx.warn(&format!(
            "{}: {field} names {} and was left as it is (another file carried {} too): if it meant this item, set it to {}",
            path.display(),
            r.old,
            r.old,
            r.new
        ));
    }
    ctx.say(&text)
}
