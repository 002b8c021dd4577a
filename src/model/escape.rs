//! Escaping user text for the sinks pm writes to that give characters a meaning: each function
//! takes text from a product file and returns it as that sink shows it literally.

/// User text for Markdown: the characters that would start emphasis, code, links, HTML, an
/// entity (`&lt;`) or a table cell are backslash-escaped, and line breaks become spaces, so a title renders as
/// the text it is.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            // `@name` would notify that GitHub user from a bot's comment: a zero-width space
            // after the `@` keeps the text and drops the mention.
            '@' => out.push_str("@\u{200B}"),
            _ => out.push(c),
        }
    }
    out
}

/// User text as one CSV cell (RFC 4180), neutralised as OWASP advises against formula
/// injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would
/// be run as a formula by a spreadsheet, so it gets a leading `'`, and is quoted. Quotes are
/// doubled; a cell with a comma, quote or line break is quoted.
pub fn csv_cell(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula {
        return format!("\"'{}\"", text.replace('"', "\"\""));
    }
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

/// [`terminal`] for text of several lines (a body): line feeds and tabs stay as they are,
/// every other control character (a carriage return too) is made visible.
pub fn terminal_lines(text: &str) -> std::borrow::Cow<'_, str> {
    // Most text has none: one scan, no copy (every page pm prints goes through here).
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    let escaped = text
        .split('\n')
        .map(|line| line.split('\t').map(terminal).collect::<Vec<_>>().join("\t"))
        .collect::<Vec<_>>()
        .join("\n");
    std::borrow::Cow::Owned(escaped)
}

/// User text for a terminal: control characters (escape sequences, bell, backspace, carriage
/// returns, tabs) become visible `\u{1b}`-style text, so a title can neither move the cursor,
/// recolour the screen nor break a table's columns. Other text is unchanged.
pub fn terminal(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// User text for XML and HTML (element content and quoted attributes): `&`, `<`, `>`, `"` and
/// `'` become entities, and the characters XML 1.0 cannot hold (control characters other than
/// line feed, tab and carriage return; U+FFFE, U+FFFF) are dropped. `</svg>` or `<script>` in
/// a title stays text.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// User text inside a quoted Mermaid label: Mermaid's entity codes (`#quot;`, `#35;`) stand for
/// the characters that would end the label, start an entity, a comment or HTML, or close the
/// Markdown fence around the diagram; control characters become spaces.
pub fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '%' => out.push_str("#37;"),
            ';' => out.push_str("#59;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A path inside a Markdown link target `(...)`: every byte outside the characters a URL
/// path keeps as they are is percent-encoded, so a `)`, a space or `<` in a file name cannot
/// end the link or start HTML.
pub fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_shows_control_characters_and_keeps_the_rest() {
        assert_eq!(terminal("evil \u{1b}[31mRED\u{7}\tx"), "evil \\u{1b}[31mRED\\u{7}\\u{9}x");
        assert_eq!(terminal("家計簿 🍕"), "家計簿 🍕");
        assert_eq!(terminal_lines("a\tb\n\u{1b}]0;x\u{7}\r\n"), "a\tb\n\\u{1b}]0;x\\u{7}\\u{d}\n");
    }

    #[test]
    fn link_paths_cannot_end_the_link() {
        assert_eq!(url_path("product/stories/S-1-a (b).md"), "product/stories/S-1-a%20%28b%29.md");
        assert_eq!(url_path("é"), "%C3%A9");
    }

    #[test]
    fn csv_cells_never_run_as_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_cell("-> ready"), "\"'-> ready\"");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("S-1"), "S-1");
        assert_eq!(csv_cell("Export = done"), "Export = done");
    }

    #[test]
    fn markdown_text_never_formats_or_mentions() {
        assert_eq!(markdown("*Export* [x](y) | @maya"), "\\*Export\\* \\[x\\](y) \\| @\u{200B}maya");
        assert_eq!(markdown("&lt;!-- a -> b"), "\\&lt;!-- a -> b");
    }
}
