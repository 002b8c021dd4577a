//! Rendering for the terminal and for machines: tables (bordered on a terminal, plain when
//! piped), CSV, JSON, and one writer for stdout that honours the colour choice. Machine
//! formats never contain colour or prose.

use std::io::Write;

use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets};

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::store::product::parallel_map;

/// Output formats of listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table: bordered on a terminal, aligned plain text when piped
    Table,
    /// A JSON array of objects
    Json,
    /// Comma-separated values with a header row
    Csv,
    /// One ID per line
    Ids,
}

/// Output formats of `show` and `roadmap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    Text,
    Json,
}

fn io(e: std::io::Error) -> Error {
    Error::io(std::path::Path::new("<stdout>"), e)
}

/// Write text to stdout (colour stripped unless enabled).
pub fn print(text: &str) -> Result<()> {
    write_out(anstream::stdout().lock(), text)
}

/// In GitHub Actions (`GITHUB_STEP_SUMMARY` names a file), add `markdown` to the job's summary
/// page. A summary that cannot be written is a warning: the command's own result stands.
pub fn step_summary(ctx: &Ctx, markdown: &str) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else { return };
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut f| f.write_all(format!("{markdown}\n").as_bytes()));
    if let Err(e) = written {
        ctx.warn(&format!("cannot add to the job summary {}: {e}", std::path::Path::new(&path).display()));
    }
}

/// Print a JSON value, pretty, with a final newline. JSON escapes every control character
/// but DEL, which it keeps as data, so it goes to stdout as it is, without the colour filter
/// (which would drop a DEL from a title).
pub fn print_json(value: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    print_raw(&text)
}

/// Write a machine format (JSON, SARIF) to stdout byte for byte.
pub fn print_raw(text: &str) -> Result<()> {
    write_out(std::io::stdout().lock(), text)
}

fn write_out(mut out: impl Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes()).map_err(io)?;
    out.flush().map_err(io)
}

/// Print a JSON array of `to_json` of each item, pretty: the same bytes as pretty-printing the
/// whole array. Elements are made and rendered on all cores a chunk at a time and written in
/// order, so 10,000 items never exist as JSON at once. As with [`print_json`], the bytes go to
/// stdout as they are.
pub fn print_json_array<T: Sync, J: serde::Serialize>(items: &[T], to_json: impl Fn(&T) -> J + Sync) -> Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    write_json_array(&mut out, items, to_json).and_then(|()| out.flush()).map_err(io)
}

fn write_json_array<T: Sync, J: serde::Serialize>(
    out: &mut impl Write,
    items: &[T],
    to_json: impl Fn(&T) -> J + Sync,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (n, chunk) in items.chunks(1024).enumerate() {
        let texts = parallel_map(chunk, |item| element_text(&to_json(item)));
        for (i, text) in texts.iter().enumerate() {
            out.write_all(if n == 0 && i == 0 { b"\n" } else { b",\n" })?;
            out.write_all(text.as_bytes())?;
        }
    }
    out.write_all(if items.is_empty() { b"]\n" } else { b"\n]\n" })
}

/// One element of a pretty-printed array: its pretty text, every line indented two spaces.
fn element_text(v: &impl serde::Serialize) -> String {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (j, line) in text.lines().enumerate() {
        if j > 0 {
            out.push('\n');
        }
        out.push_str("  ");
        out.push_str(line);
    }
    out
}

/// A table of rows under a header, rendered for the terminal or a pipe.
pub fn table(header: &[&str], rows: &[Vec<String>], tty: bool) -> String {
    if !tty {
        return plain_table(header, rows);
    }
    let mut t = Table::new();
    if tty {
        t.load_style(presets::UTF8_HORIZONTAL_ONLY).set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        t.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Disabled);
    }
    t.set_header(header.to_vec());
    for r in rows {
        t.add_row(r.clone());
    }
    let mut out = String::new();
    for line in t.to_string().lines() {
        let line = if tty { line } else { line.strip_prefix(' ').unwrap_or(line) };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Columns padded with spaces to align, two spaces apart, no trailing spaces: for pipes.
fn plain_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(width(c));
        }
    }
    let mut out = String::with_capacity((rows.len() + 1) * widths.iter().sum::<usize>());
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let start = out.len();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(c);
            for _ in width(c)..widths[i] {
                out.push(' ');
            }
        }
        let end = out[start..].trim_end().len() + start;
        out.truncate(end);
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for r in rows {
        line(&mut r.iter().map(String::as_str));
    }
    out
}

/// CSV with a header row; fields quoted when they need it.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    };
    let mut out = header.iter().map(|h| field(h)).collect::<Vec<_>>().join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&r.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// Print rows in the chosen list format. `json` gives each row's JSON object; `ids` the ID.
pub fn print_rows(
    format: ListFormat,
    tty: bool,
    header: &[&str],
    rows: &[Vec<String>],
    json: &[serde_json::Value],
    ids: &[String],
) -> Result<()> {
    match format {
        ListFormat::Table => {
            if rows.is_empty() {
                return Ok(());
            }
            print(&table(header, rows, tty))
        }
        ListFormat::Csv => print(&csv(header, rows)),
        ListFormat::Json => print_json_array(&json.iter().collect::<Vec<_>>(), |v| *v),
        ListFormat::Ids => print(&ids.iter().map(|i| format!("{i}\n")).collect::<String>()),
    }
}

/// A bold style for headings in text output.
/// `1 story`, `2 stories`: a count with its noun.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn bold() -> anstyle::Style {
    anstyle::Style::new().bold()
}

/// A dimmed style for secondary text.
pub fn dim() -> anstyle::Style {
    anstyle::Style::new().dimmed()
}

/// The style of an item ID.
pub fn id_style() -> anstyle::Style {
    anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Cyan.into())).bold()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        let out = csv(&["a", "b"], &[vec!["x, y".into(), "say \"hi\"".into()]]);
        assert_eq!(out, "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n");
    }

    #[test]
    fn plain_tables_have_no_trailing_spaces() {
        let out =
            table(&["ID", "TITLE"], &[vec!["S-1".into(), "A".into()], vec!["S-10".into(), "Long title".into()]], false);
        assert!(out.lines().all(|l| !l.ends_with(' ')), "{out:?}");
        assert!(out.starts_with("ID"), "{out:?}");
    }

    #[test]
    fn streamed_json_arrays_match_pretty_printing() {
        let items = vec![serde_json::json!({"a": [1, 2], "b": {"c": "x\ny"}}), serde_json::json!({})];
        let expected = serde_json::to_string_pretty(&serde_json::Value::Array(items.clone())).unwrap();
        let text = |items: &[serde_json::Value]| {
            let mut out = Vec::new();
            write_json_array(&mut out, items, |v| v.clone()).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(&items), format!("{expected}\n"));
        assert_eq!(text(&[]), "[]\n");
    }
}
