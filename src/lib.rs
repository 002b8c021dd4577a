//! `pm`: product management kept as plain text in git.
//!
//! The library owns the domain: the model of visions, epics, stories and acceptance criteria
//! ([`model`]), reading and writing the product folder without touching bytes nobody asked to
//! change ([`store`]), and the operations the commands perform ([`ops`]). The [`cli`] module is
//! the only place that parses arguments or prints.

pub mod check;
pub mod cli;
pub mod error;
pub mod history;
pub mod model;
pub mod ops;
pub mod store;

pub use error::{Error, ExitCode, Result};
