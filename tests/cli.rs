//! The one integration-test binary: every module drives the built `pm` in temporary
//! repositories through the fluent harness in `cli/harness.rs`.

#[path = "cli/harness.rs"]
mod harness;

#[path = "cli/authoring.rs"]
mod authoring;

#[path = "cli/generator.rs"]
mod generator;
