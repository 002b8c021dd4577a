//! The product folder on disk and in git: locating it and reading its items
//! ([`product::Product`]), reading any commit of it ([`repo::Repo`], the one git reader, over
//! the pack reader [`odb`]), its files as one snapshot ([`files::Files`]), new IDs that never
//! collide across branches ([`ids`]), the lock and the write transaction
//! ([`transaction::Transaction`]) that keeps every byte nobody asked to change, and the cache
//! files under the git directory ([`cache`]). Nothing here prints.

pub mod cache;
pub mod files;
pub mod ids;
pub mod lock;
pub mod odb;
pub mod product;
pub mod repo;
pub mod setup;
pub mod sources;
pub mod transaction;
