//! Escaping user text for the sinks pm writes to that give characters a meaning: each function
//! takes text from a product file and returns it as that sink shows it literally.

/// User text for Markdown: the characters that would start emphasis, code, links, HTML or a
/// table cell are backslash-escaped, and line breaks become spaces, so a title renders as
/// the text it is.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '~' => {
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

/// User text for a terminal: control characters (escape sequences, bell, backspace, carriage
/// returns, tabs) become visible `\u{1b}`-style text, so a title can neither move the cursor,
/// recolour the screen nor break a table's columns. Other text is unchanged.
/// [`terminal`] for text of several lines (a body): line feeds and tabs stay as they are,
/// every other control character (a carriage return too) is made visible.
pub fn terminal_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| line.split('\t').map(terminal).collect::<Vec<_>>().join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

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
    fn markdown_text_never_formats_or_mentions() {
        assert_eq!(markdown("*Export* [x](y) | @maya"), "\\*Export\\* \\[x\\](y) \\| @\u{200B}maya");
    }
}
