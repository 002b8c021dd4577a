//! The product's domain model and its text formats: IDs, settings, items and the one reader of
//! item files, acceptance criteria, front matter, ordered lists, the layout of `product/`, and
//! dates. Nothing here touches the file system or git, and nothing here uses the store.

pub mod config;
pub mod criteria;
pub mod date;
pub mod escape;
pub mod feedback;
pub mod fields;
pub mod frontmatter;
pub mod id;
pub mod item;
pub mod layout;
pub mod listfile;
pub mod merge;
pub mod review;
pub mod score;
pub mod severity;
pub mod sprint;
