//! The GitHub Actions format: one workflow command per finding, so each appears as an
//! annotation on the pull request's line (`::error file=...,line=...,col=...,title=RULE::...`).

use std::fmt::Write;

use crate::check::Report;
use crate::model::severity::Severity;

/// Escape a command's message (GitHub's `escapeData`).
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a command's property value (GitHub's `escapeProperty`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let level = if f.severity == Severity::Error { "error" } else { "warning" };
        let mut message = f.message.clone();
        if let Some(h) = &f.hint {
            message.push_str("\nhint: ");
            message.push_str(h);
        }
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            property(&f.path),
            f.line,
            f.column,
            property(f.rule),
            data(&message)
        );
    }
    out
}
