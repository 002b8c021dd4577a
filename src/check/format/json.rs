//! The JSON format: `{"version": 1, "summary": {...}, "findings": [...]}`, documented in
//! docs/check.md. Fields are only ever added, never renamed or removed.

use serde_json::json;

use crate::check::Report;

pub fn json(report: &Report) -> String {
    let findings: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "severity": f.severity.name(),
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "id": f.id,
                "message": f.message,
                "hint": f.hint,
                "related": f.related,
            })
        })
        .collect();
    let value = json!({
        "version": 1,
        "summary": {
            "errors": report.errors(),
            "warnings": report.warnings(),
            "files_with_findings": report.files_with_findings(),
            "files_checked": report.checked(),
        },
        "findings": findings,
    });
    format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
}
