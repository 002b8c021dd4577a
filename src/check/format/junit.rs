//! JUnit XML for CI systems that show test reports: one test case per checked file. A file
//! fails when it has an error (or, under `--strict`, a warning); its findings are the failure's
//! text. Warnings of a passing file go to its `system-out`.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::check::{Finding, Report};
use crate::model::escape::xml;
use crate::model::severity::Severity;

fn line(f: &Finding) -> String {
    let mut s = format!("{}[{}] {}:{}:{}: {}", f.severity, f.rule, f.path, f.line, f.column, f.message);
    if let Some(h) = &f.hint {
        s.push_str(&format!("\n  hint: {h}"));
    }
    s
}

pub fn junit(report: &Report, strict: bool) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = report.files.iter().map(|p| (p.as_str(), Vec::new())).collect();
    for f in &report.findings {
        by_file.entry(f.path.as_str()).or_default().push(f);
    }
    let fails = |f: &Finding| f.severity == Severity::Error || (strict && f.severity == Severity::Warning);
    let failures = by_file.values().filter(|fs| fs.iter().any(|f| fails(f))).count();
    let tests = by_file.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"pm check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">");
    let _ = writeln!(
        out,
        "  <testsuite name=\"pm check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for (path, findings) in &by_file {
        let name = xml(path);
        if findings.is_empty() {
            let _ = writeln!(out, "    <testcase classname=\"pm check\" name=\"{name}\"/>");
            continue;
        }
        let _ = writeln!(out, "    <testcase classname=\"pm check\" name=\"{name}\">");
        let text = findings.iter().map(|f| line(f)).collect::<Vec<_>>().join("\n");
        if let Some(first) = findings.iter().find(|f| fails(f)) {
            let failing = findings.iter().filter(|f| fails(f)).count();
            let more = if failing > 1 { format!(" (and {} more)", failing - 1) } else { String::new() };
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}{}\">{}</failure>",
                xml(first.rule),
                xml(&first.message),
                xml(&more),
                xml(&text)
            );
        } else {
            let _ = writeln!(out, "      <system-out>{}</system-out>", xml(&text));
        }
        let _ = writeln!(out, "    </testcase>");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
