//! The product folder on disk: locating it, reading items, allocating IDs, locking, and
//! writing atomically while preserving every byte nobody asked to change.

pub mod cache;
pub mod files;
pub mod ids;
pub mod lock;
pub mod odb;
pub mod product;
pub mod repo;
pub mod transaction;
