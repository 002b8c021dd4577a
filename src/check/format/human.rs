//! The human format: rustc-style diagnostics grouped by file, then a summary line.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::check::{Finding, Report};
use crate::model::severity::Severity;

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// Every finding as a diagnostic, and `N errors, M warnings in K files (F files checked)`.
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        diagnostic(&mut out, f);
    }
    let bold = Style::new().bold();
    let checked = report.checked_note();
    if report.findings.is_empty() {
        let _ = writeln!(out, "{bold}0 errors, 0 warnings{bold:#} ({checked})");
    } else {
        let _ = writeln!(
            out,
            "{bold}{}, {} in {}{bold:#} ({checked})",
            plural(report.errors(), "error"),
            plural(report.warnings(), "warning"),
            plural(report.files_with_findings(), "file")
        );
    }
    out
}

/// One finding. User text (titles in messages, the source line, paths) has its control
/// characters shown as `\u{..}`: an escape sequence in a title never reaches the terminal.
fn diagnostic(out: &mut String, f: &Finding) {
    use crate::model::escape::terminal;
    let (label, colour) = match f.severity {
        Severity::Error => ("error", AnsiColor::Red),
        _ => ("warning", AnsiColor::Yellow),
    };
    let head = Style::new().fg_color(Some(colour.into())).bold();
    let bold = Style::new().bold();
    let blue = Style::new().fg_color(Some(AnsiColor::Blue.into())).bold();
    let _ = writeln!(out, "{head}{label}[{}]{head:#}{bold}: {}{bold:#}", f.rule, terminal(&f.message));
    let gutter = f.line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}{blue}-->{blue:#} {}:{}:{}", terminal(&f.path), f.line, f.column);
    if let Some(src) = &f.source_line {
        let caret_at: usize = src.chars().take(f.column.saturating_sub(1)).map(|c| if c == '\t' { 4 } else { 1 }).sum();
        let src = terminal(&src.replace('\t', "    ")).into_owned();
        let _ = writeln!(out, "{pad} {blue}|{blue:#}");
        let _ = writeln!(out, "{blue}{}{blue:#} {blue}|{blue:#} {src}", f.line);
        let _ = writeln!(out, "{pad} {blue}|{blue:#} {}{head}^{head:#}", " ".repeat(caret_at));
    }
    for r in &f.related {
        let _ = writeln!(out, "{pad} {blue}={blue:#} {bold}see{bold:#}: {}:{}", terminal(&r.path), r.line);
    }
    if let Some(hint) = &f.hint {
        let _ = writeln!(out, "{pad} {blue}={blue:#} {bold}hint{bold:#}: {}", terminal(hint));
    }
    out.push('\n');
}
