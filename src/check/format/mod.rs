//! Renderers of a [`Report`](crate::check::Report): one function per output format, each
//! returning the whole text. The human format carries ANSI styles, which the CLI's writer
//! strips when colour is off; the machine formats never contain colour or prose.

mod github;
mod human;
mod json;
mod junit;
mod markdown;
mod sarif;

pub use github::github;
pub use human::human;
pub use json::json;
pub use junit::junit;
pub use markdown::markdown;
pub use sarif::sarif;
