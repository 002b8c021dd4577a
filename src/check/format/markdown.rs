//! The Markdown format: a summary line and a table of findings, for a pull-request comment or
//! a CI job's summary page. Every piece of user text is escaped for Markdown.

use std::fmt::Write;

use crate::check::Report;
use crate::model::escape::markdown as esc;
use crate::model::severity::Severity;

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// `**pm check**: N errors, M warnings ...`, then one table row per finding.
pub fn markdown(report: &Report) -> String {
    let checked = esc(&report.checked_note());
    if report.findings.is_empty() {
        return format!("**pm check**: 0 errors, 0 warnings ({checked}).\n");
    }
    let mut out = format!(
        "**pm check**: {}, {} in {} ({checked}).\n\n| | Rule | Where | Finding | Hint |\n|---|---|---|---|---|\n",
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning"),
        plural(report.files_with_findings(), "file"),
    );
    for f in &report.findings {
        let level = if f.severity == Severity::Error { "error" } else { "warning" };
        let _ = writeln!(
            out,
            "| {level} | `{}` | {}:{} | {} | {} |",
            f.rule,
            esc(&f.path),
            f.line,
            esc(&f.message),
            f.hint.as_deref().map(esc).unwrap_or_default()
        );
    }
    out
}
