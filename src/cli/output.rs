//! Rendering for the terminal and for machines: tables (bordered on a terminal, plain when
//! piped), CSV, JSON, and one writer for stdout that honours the colour choice. Machine
//! formats never contain colour or prose.

use std::io::Write;

use clap::ValueEnum;
use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle};
use unicode_width::UnicodeWidthStr;

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::model::escape::{terminal, terminal_lines};
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

/// Write text for people to stdout: control characters from user data (escape sequences,
/// carriage returns) are shown as `\u{1b}`-style text ([`terminal_lines`]), whatever
/// `--color` says; line feeds and tabs stay.
pub fn print(text: &str) -> Result<()> {
    write_out(anstream::stdout().lock(), &terminal_lines(text))
}

/// Write text that carries pm's own styles to stdout (colour stripped unless enabled): the
/// caller has escaped every piece of user data in it with [`terminal`].
pub fn print_styled(text: &str) -> Result<()> {
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

/// A progress callback `(done, total)` for a long task: after a second, a bar on stderr
/// (indicatif) when stderr is a terminal; nothing otherwise, and nothing for a task that
/// finishes within the second. The bar is cleared when the task is done.
pub fn progress(what: &'static str, unit: &'static str) -> impl FnMut(usize, usize) {
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let start = std::time::Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    move |done, total| {
        if !tty {
            return;
        }
        if bar.is_none() && done < total && start.elapsed() >= std::time::Duration::from_secs(1) {
            let b =
                indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr())
                    // Cleared however the task ends, an error too, so nothing is drawn over.
                    .with_finish(indicatif::ProgressFinish::AndClear);
            let style = format!("{what} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{eta}} left");
            if let Ok(style) = indicatif::ProgressStyle::with_template(&style) {
                b.set_style(style.progress_chars("#>."));
            }
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done as u64);
            if done >= total {
                b.finish_and_clear();
                bar = None;
            }
        }
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

/// Print a serializable value as pretty JSON, streamed to stdout (no `serde_json::Value` of it
/// is built: `pm trace --format json` of 30,000 criteria spent half its time building one).
/// Keys come in the order of the struct's fields.
pub fn print_json_streamed(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| io(std::io::Error::from(e)))?;
    out.write_all(b"\n").and_then(|()| out.flush()).map_err(io)
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
    // Cells are user text: no control character reaches the terminal or breaks a column.
    let escaped: Vec<Vec<String>>;
    let rows = if rows.iter().flatten().any(|c| c.chars().any(char::is_control)) {
        escaped = rows.iter().map(|r| r.iter().map(|c| terminal(c).into_owned()).collect()).collect();
        &escaped
    } else {
        rows
    };
    if !tty {
        return plain_table(header, rows);
    }
    terminal_table(header, rows, terminal_width())
}

/// The terminal's width in columns: `COLUMNS` when it is a number (as shells and `ls` use it),
/// else what the terminal reports; `None` when neither says.
fn terminal_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()) {
        return Some(n);
    }
    Table::new().width().map(usize::from).filter(|w| *w > 0)
}

/// Below this width a table's columns cannot be laid out readably: plain rows instead.
const NARROWEST_TABLE: usize = 60;

/// Columns this narrow (IDs, ranks, statuses, dates) are never wrapped.
const KEEP_WHOLE: usize = 16;

/// The terminal form: the header underlined, no lines between rows, columns by display width
/// (CJK and emoji take two). Short columns are never wrapped and the long ones wrap at word
/// boundaries to fit `width`; when the terminal is narrower than 60 columns, says no width,
/// or cannot fit the table, the plain aligned rows of a pipe.
fn terminal_table(header: &[&str], rows: &[Vec<String>], width: Option<usize>) -> String {
    let Some(width) = width.filter(|w| *w >= NARROWEST_TABLE) else { return plain_table(header, rows) };
    let widths = column_widths(header, rows);
    let mut t = Table::new();
    t.load_style(TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─')));
    t.set_header(header.to_vec());
    for r in rows {
        t.add_row(r.clone());
    }
    // Two spaces between columns (a space of padding and the blank column line), as in a pipe.
    for i in 0..widths.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_padding((0, 1));
        }
    }
    let natural: usize = widths.iter().map(|w| w + 2).sum::<usize>() - 2;
    if natural <= width {
        t.set_content_arrangement(ContentArrangement::Disabled);
    } else {
        let fixed: usize = widths.iter().filter(|w| **w <= KEEP_WHOLE).map(|w| w + 2).sum::<usize>();
        let wrapped = widths.iter().filter(|w| **w > KEEP_WHOLE).count();
        // Each wrapped column keeps room for a few words.
        if wrapped == 0 || fixed + wrapped * (KEEP_WHOLE + 2) > width {
            return plain_table(header, rows);
        }
        t.set_width(width as u16).set_content_arrangement(ContentArrangement::Dynamic);
        for (i, w) in widths.iter().enumerate() {
            if *w <= KEEP_WHOLE
                && let Some(c) = t.column_mut(i)
            {
                c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
            }
        }
    }
    let mut out = String::new();
    for line in t.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The display width of each column: its widest cell or header.
fn column_widths(header: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    widen(&mut widths, rows.iter().map(|r| r.as_slice()));
    widths
}

/// Widen `widths` to the display width of each row's cells (CJK and emoji take two columns).
pub fn widen<'a>(widths: &mut [usize], rows: impl Iterator<Item = &'a [String]>) {
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
}

/// The spaces that pad `cell` to `width` display columns.
pub fn padding(cell: &str, width: usize) -> String {
    " ".repeat(width.saturating_sub(cell.width()))
}

/// Columns padded with spaces to align (by display width), two spaces apart, no trailing
/// spaces: for pipes and narrow terminals.
fn plain_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths = column_widths(header, rows);
    let mut out = String::with_capacity((rows.len() + 1) * widths.iter().sum::<usize>());
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let start = out.len();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(c);
            out.push_str(&padding(c, widths[i]));
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
    let field = crate::model::escape::csv_cell;
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
        ListFormat::Csv => {
            // `2/5` criteria accepted would be read as the 2nd of May by a spreadsheet.
            match header.iter().position(|h| *h == "AC") {
                Some(col) => {
                    let rows: Vec<Vec<String>> = (rows.iter())
                        .map(|r| {
                            let mut r = r.clone();
                            if let Some((done, all)) = r.get(col).and_then(|c| c.split_once('/')) {
                                r[col] = format!("{done} of {all}");
                            }
                            r
                        })
                        .collect();
                    print(&csv(header, &rows))
                }
                None => print(&csv(header, rows)),
            }
        }
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

    fn rows(cells: &[[&str; 3]]) -> Vec<Vec<String>> {
        cells.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn columns_align_by_display_width_with_cjk_and_emoji() {
        let r = rows(&[["S-1", "家計簿を共有する", "ready"], ["S-2", "Split 🍕 bills", "draft"]]);
        let expected = "ID   TITLE             STATUS\nS-1  家計簿を共有する  ready\nS-2  Split 🍕 bills    draft\n";
        assert_eq!(plain_table(&["ID", "TITLE", "STATUS"], &r), expected);
        let wide = terminal_table(&["ID", "TITLE", "STATUS"], &r, Some(80));
        assert_eq!(
            wide,
            "ID   TITLE             STATUS\n──────────────────────────────\nS-1  家計簿を共有する  ready\nS-2  Split 🍕 bills    draft\n"
        );
    }

    #[test]
    fn a_narrow_or_unknown_terminal_gets_plain_rows_and_a_wide_one_wraps_words_only() {
        let title = "Connect a bank account via Open Banking and import the last ninety days";
        let r = rows(&[["S-16", title, "in-progress"], ["S-8", "Split by percentages", "ready"]]);
        let header = ["ID", "TITLE", "STATUS"];
        for width in [None, Some(0), Some(40), Some(59)] {
            assert_eq!(terminal_table(&header, &r, width), plain_table(&header, &r), "{width:?}");
        }
        let out = terminal_table(&header, &r, Some(60));
        assert_eq!(
            out,
            "ID    TITLE                                     STATUS\n\
             ────────────────────────────────────────────────────────────\n\
             S-16  Connect a bank account via Open Banking   in-progress\n\
             \x20     and import the last ninety days\n\
             S-8   Split by percentages                      ready\n"
        );
        // Every line fits, no word is cut, and no line separates two rows.
        assert!(out.lines().all(|l| l.width() <= 60), "{out}");
        for word in title.split(' ') {
            assert!(out.split_whitespace().any(|w| w == word), "{word} cut in {out}");
        }
        assert_eq!(out.lines().filter(|l| l.starts_with('─')).count(), 1);
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
