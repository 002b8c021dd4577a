//! The one integration-test binary: every module drives the built `pm` in temporary
//! repositories through the fluent harness in `cli/harness.rs`.

#[path = "cli/harness.rs"]
mod harness;

#[path = "cli/authoring.rs"]
mod authoring;
#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/concurrency.rs"]
mod concurrency;
#[path = "cli/criteria.rs"]
mod criteria;
#[path = "cli/damaged.rs"]
mod damaged;
#[path = "cli/docs.rs"]
mod docs;
#[path = "cli/editing.rs"]
mod editing;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/listing.rs"]
mod listing;
#[path = "cli/properties.rs"]
mod properties;
#[path = "cli/ranking.rs"]
mod ranking;
#[path = "cli/reference.rs"]
mod reference;
#[path = "cli/sprints.rs"]
mod sprints;

#[path = "cli/chart.rs"]
mod chart;

#[path = "cli/check.rs"]
mod check;

#[path = "cli/fmt.rs"]
mod fmt;

#[path = "cli/publish.rs"]
mod publish;

#[path = "cli/report.rs"]
mod report;

#[path = "cli/renumber.rs"]
mod renumber;

#[path = "cli/review.rs"]
mod review;

#[path = "cli/scoring.rs"]
mod scoring;

#[path = "cli/feedback.rs"]
mod feedback;

#[path = "cli/import.rs"]
mod import;

#[path = "cli/history.rs"]
mod history;
#[path = "cli/regressions.rs"]
mod regressions;

#[path = "cli/action.rs"]
mod action;
#[path = "cli/fuzz.rs"]
mod fuzz;
#[path = "cli/generator.rs"]
mod generator;
#[path = "cli/mcp.rs"]
mod mcp;
#[path = "cli/merges.rs"]
mod merges;
#[path = "cli/schema.rs"]
mod schema;
#[path = "cli/trace.rs"]
mod trace;
