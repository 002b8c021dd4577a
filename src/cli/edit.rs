//! `pm ... edit ID`: edit an item's file in the user's editor, checked before it is saved.

use crate::cli::{Ctx, editor};
use crate::error::{Error, Result};
use crate::model::id::Kind;
use crate::ops::set::{repair_text, replace_text};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  EDITOR=nano pm story edit S-10")]
pub struct Args {
    /// The item's ID
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::item_ids))]
    id: String,
}

pub fn run(ctx: &Ctx, kind: Kind, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let item = match product.get(&a.id, kind) {
        Ok(item) => item,
        // A file that holds bad input opens to be repaired; one pm may not read does not.
        Err(e) => match product.broken_file(&a.id, &e).filter(|_| matches!(e, crate::error::Error::BadFile { .. })) {
            Some(path) => return repair(ctx, &product, &a.id, &path, e),
            None => return Err(e),
        },
    };
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
        return Err(editor::keep_on_error(session, changed_meanwhile(&product, &item.path)));
    }
    match replace_text(&mut tx, item, text) {
        Ok(_) => ctx.say(&format!("Updated {id}")),
        Err(e) => Err(editor::keep_on_error(session, e)),
    }
}

/// Edit the file of an item that does not read (`points: lots`, a broken YAML line): the
/// editor is the way to repair it, so it opens on the file as it is, after the reason; what
/// is saved must read.
fn repair(
    ctx: &Ctx,
    product: &crate::store::product::Product,
    id: &str,
    path: &std::path::Path,
    why: Error,
) -> Result<()> {
    let text = product.read_product_text(path)?;
    ctx.warn(&format!("{why}; opening the file to repair it"));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let (session, edited) = editor::edit(&text, &name)?;
    if edited == text {
        return Err(why);
    }
    let mut tx = ctx.transaction(product)?;
    if product.read_product_text(path).ok().as_ref() != Some(&text) {
        return Err(editor::keep_on_error(session, changed_meanwhile(product, path)));
    }
    match repair_text(&mut tx, path, id, edited) {
        Ok(item) => ctx.say(&format!("Repaired {}", item.id)),
        Err(e) => Err(editor::keep_on_error(session, e)),
    }
}

/// The file changed between the editor's opening and the save: the save would undo that.
fn changed_meanwhile(product: &crate::store::product::Product, path: &std::path::Path) -> Error {
    Error::bad_argument(format!("{} changed while you were editing it", product.shown(path).display()))
        .with_hint("run the edit again on the new version")
}
