//! The one integration-test binary: every module drives the built `pm` in temporary
//! repositories through the fluent harness in `cli/harness.rs`.

#[path = "cli/harness.rs"]
mod harness;

#[path = "cli/authoring.rs"]
mod authoring;

#[path = "cli/check.rs"]
mod check;

#[path = "cli/fmt.rs"]
mod fmt;

#[path = "cli/renumber.rs"]
mod renumber;
