//! The product's domain model: IDs, settings, items, acceptance criteria and ordered lists.
//! Nothing here touches the file system.

pub mod config;
pub mod criteria;
pub mod date;
pub mod fields;
pub mod frontmatter;
pub mod id;
pub mod item;
pub mod layout;
pub mod listfile;
pub mod severity;
