//! `pm setup`: register what this clone needs so that git merges product files by meaning
//! (the merge driver in `.git/config`, and the `.gitattributes` line if it is missing).

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::store::repo::Repo;
use crate::store::setup;
use crate::store::transaction::Changes;

/// Register pm's merge driver in this clone (once per clone; pm init does it)
///
/// A clone gets pm's merge driver in its .git/config, which git does not copy on clone; the
/// .gitattributes line is in the repository. `pm check` says when a clone lacks it.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  git clone https://example.com/team/product.git && cd product && pm setup")]
pub struct Args {}

pub fn run(ctx: &Ctx, _a: Args) -> Result<()> {
    let product = ctx.product()?;
    let repo = Repo::discover(&product).ok_or_else(|| {
        Error::bad_argument(format!("{} is not in a git repository", product.root.display()))
            .with_hint("run `git init` first, then `pm setup`")
    })?;
    let mut said = Vec::new();
    let attributes = setup::attributes_path(&product.root);
    let current = std::fs::read_to_string(&attributes).unwrap_or_default();
    if let Some(text) = setup::attributes_with_driver(&current) {
        let mut tx = Changes::new();
        tx.write(&attributes, text);
        tx.commit()?;
        said.push(format!(
            "Wrote `{}` to {} (commit it, so every clone merges the same way)",
            setup::attribute_line(),
            product.shown(&attributes).display()
        ));
    }
    if setup::register_driver(&repo)? {
        said.push(format!("Registered the merge driver in .git/config: {}", setup::command()));
    }
    if said.is_empty() {
        said.push("Already set up: git merges the backlog, roadmap and items with pm".into());
    }
    ctx.say(&said.join("\n"))
}
