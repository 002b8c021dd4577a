//! The product's domain model: IDs, settings, items, acceptance criteria and ordered lists.
//! Nothing here touches the file system.

pub mod config;
pub mod criteria;
pub mod fields;
pub mod id;
pub mod item;
pub mod listfile;
pub mod severity;
pub mod simple_criteria;
