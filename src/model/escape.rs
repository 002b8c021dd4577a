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
            _ => out.push(c),
        }
    }
    out
}
