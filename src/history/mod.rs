//! History: what changed in the product between two states, and over time.
//!
//! - [`snapshot`]: the product at one point (items by ID, backlog order, roadmap), built from
//!   file texts wherever they come from;
//! - [`changes`]: the semantic change model comparing two snapshots by ID;
//! - [`read`]: snapshots of the product at a commit, read through [`crate::store::repo::Repo`];
//! - [`walk`]: the commits that touched `product/` and what each changed;
//! - [`cache`]: per-commit results kept under the git directory;
//! - [`suspect`]: children whose parent changed in substance after them;
//! - [`flow`]: each story's timeline, and what it gives: cycle and lead times, throughput,
//!   a sprint's burndown and velocity;
//!
//! This module prints nothing; the CLI renders what it returns.

pub mod cache;
pub mod changes;
pub mod flow;
pub mod read;
pub mod snapshot;
pub mod suspect;
pub mod walk;

use crate::error::Result;
use crate::model::listfile::ListFile;
use crate::store::product::{Items, Product};

/// The product as the listing commands read it: settings, items, backlog and roadmap, either
/// from the working tree or, with `at`, from git objects at a revision or date.
pub struct View {
    pub product: Product,
    pub items: Items,
    pub backlog: ListFile,
    pub roadmap: ListFile,
    /// With `at`: the commit read, and the files that could not be read there (left out).
    pub at: Option<(String, Vec<crate::error::Error>)>,
    /// Without `at`: working-tree files that could not be read (left out; the command fails
    /// after showing the rest).
    pub errors: Vec<crate::error::Error>,
}

impl View {
    /// Read the product now (`at` = None: the working tree; unreadable files are left out and
    /// listed in `errors`) or at a revision/date.
    pub fn load(product: Product, at: Option<&str>) -> Result<View> {
        let Some(at) = at else {
            let (items, errors) = product.load_all_lenient();
            let backlog = product.read_list(&product.backlog_path())?;
            let roadmap = product.read_list(&product.roadmap_path())?;
            return Ok(View { product, items, backlog, roadmap, at: None, errors });
        };
        use read::ReadProduct;
        let git = crate::store::repo::Repo::open(&product)?;
        let commit = git.resolve_at(at)?;
        let state = git.state_at(&product, &commit, at)?;
        let short = commit.as_object().short_id().ok().and_then(|b| b.as_str().ok().map(String::from));
        let short = short.unwrap_or_else(|| commit.id().to_string());
        Ok(View {
            product: state.product,
            items: state.items,
            backlog: state.backlog,
            roadmap: state.roadmap,
            at: Some((short, state.errors)),
            errors: Vec::new(),
        })
    }
}
