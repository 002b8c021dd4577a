//! `pm ... edit ID`: edit an item's file in the user's editor, checked before it is saved.

use crate::cli::{Ctx, editor};
use crate::error::{Error, Result};
use crate::model::id::Kind;
use crate::ops::set::replace_text;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  EDITOR=nano pm story edit S-10")]
pub struct Args {
    /// The item's ID
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::item_ids))]
    id: String,
}

pub fn run(ctx: &Ctx, kind: Kind, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let item = product.get(&a.id, kind)?;
    let name = item.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let (session, text) = editor::edit(&item.text, &name)?;
    if text == item.text {
        return ctx.say(&format!("{} unchanged", item.id));
    }
    let id = item.id.clone();
    // The editor ran without the lock (it may stay open for minutes); take it now and make
    // sure nobody changed the file meanwhile.
    let mut tx = ctx.transaction(&product)?;
    let current = std::fs::read_to_string(&item.path).unwrap_or_default();
    if current != item.text {
        let e =
            Error::bad_argument(format!("{} changed while you were editing it", product.shown(&item.path).display()))
                .with_hint("run the edit again on the new version");
        return Err(editor::keep_on_error(session, e));
    }
    match replace_text(&mut tx, item, text) {
        Ok(_) => ctx.say(&format!("Updated {id}")),
        Err(e) => Err(editor::keep_on_error(session, e)),
    }
}
