//! `pm`: product management kept as plain text in git.
//!
//! The crate is in layers; each uses only the layers below it:
//!
//! ```text
//!   cli                       arguments, the resolved context, rendering; the only place that prints
//!    |               chart          a chart's data from one walk of history, drawn as text, SVG, Mermaid
//!    |                 |
//!   ops   check   history   trace   authoring operations (on a locked Transaction) | validation
//!    |      |       |        |      rules over a Files snapshot | the change model and the walk
//!    +------+-------+--------+      over commits | criteria traced to code, tests and results
//!           |
//!         store               the product on disk and in git: Product (working tree), Repo (git:
//!           |                 the one reader of trees and blobs), Files, Transaction, caches, IDs
//!         model               the domain and its text formats, pure: items and their one reader,
//!                             front matter, criteria, lists, settings, the layout of product/, dates
//! ```
//!
//! - [`model`] owns what a product is and how its files are written; it reads no file.
//! - [`store`] owns where the files are: the working tree, git objects, locks, atomic writes.
//! - [`ops`], [`check`] and [`history`] are what the commands do, each reading through the
//!   store: `ops` writes in a [`store::transaction::Transaction`], `check` reads a
//!   [`store::files::Files`], `history` reads a [`store::repo::Repo`].
//! - [`import`] reads other tools' exports (GitHub, Jira, Backlog.md) into a plan of items; it
//!   is pure, like `model`, and [`ops::import`] writes the plan.
//! - [`chart`] turns one walk of history into the data of a chart and draws it (text, SVG,
//!   Mermaid); it prints nothing, like `history`.
//! - [`cli`] parses arguments, calls the layers above and renders; nothing else prints.
//!
//! `docs/architecture.md` shows where a new item kind, a new command or a new reader goes.

pub mod chart;
pub mod check;
pub mod cli;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod import;
pub mod model;
pub mod ops;
pub mod publish;
pub mod report;
pub mod store;
pub mod trace;

pub use error::{Error, ExitCode, Result};
