//! A fast reader for the criteria of bodies made only of plain lines: blank lines, `#` headings
//! with plain words, `- [ ] text` task items and text lines that start with a letter.
//!
//! It exists for speed (the Markdown parser was a quarter of the cost of reading 10,000 stories)
//! and never decides anything the Markdown parser would decide differently: whenever a line is
//! outside that small subset (indentation, code fences, other list markers, HTML, a heading with
//! markup, a `\r`, form feed or vertical tab) it returns `None` and
//! [`super::Criteria::parse`] uses pulldown-cmark. A property test checks the
//! two agree.

use super::{Criteria, HEADING, criterion};

/// One line of a body, as far as the criteria are concerned.
enum Line<'a> {
    Blank,
    /// An ATX heading: its level and its text.
    Heading(usize, &'a str),
    /// `- [ ] ...` or `- [x] ...`.
    Task {
        checked: bool,
    },
    /// A paragraph line (or the lazy continuation of a task item).
    Text,
}

/// The criteria of a simple body, or `None` to ask the Markdown parser.
pub fn parse(body: &str) -> Option<Criteria> {
    // CommonMark's white space also has `\r`, form feed and vertical tab; this reader knows
    // only spaces, tabs and `\n`, so a body with any of the others goes to the Markdown parser.
    if memchr::memchr3(b'\r', 0x0b, 0x0c, body.as_bytes()).is_some() {
        return None;
    }
    let mut out = Criteria::default();
    let mut section_level: Option<usize> = None;
    // The task item being read: (start, end, checked, line); a text line right below extends it.
    let mut open: Option<(usize, usize, bool, usize)> = None;
    let close = |open: &mut Option<(usize, usize, bool, usize)>, out: &mut Criteria| {
        if let Some((start, end, checked, line)) = open.take() {
            out.items.push(criterion(body, start..end, start + 2..start + 5, checked, line));
        }
    };
    let mut pos = 0;
    let mut line_no = 0;
    while pos < body.len() {
        let end = body[pos..].find('\n').map_or(body.len(), |i| pos + i + 1);
        let content = body[pos..end].strip_suffix('\n').unwrap_or(&body[pos..end]);
        match classify(content)? {
            Line::Blank => close(&mut open, &mut out),
            Line::Text => {
                if let Some(item) = &mut open {
                    item.1 = end;
                }
            }
            Line::Task { checked } => {
                close(&mut open, &mut out);
                if section_level.is_some() {
                    open = Some((pos, end, checked, line_no));
                }
            }
            Line::Heading(level, text) => {
                close(&mut open, &mut out);
                if section_level.is_some_and(|l| level <= l) {
                    if let Some(s) = &mut out.section
                        && s.end == body.len()
                    {
                        s.end = pos;
                    }
                    section_level = None;
                }
                // Criteria under every such heading count; the first is where new items go.
                if text.eq_ignore_ascii_case(HEADING) {
                    section_level = Some(level);
                    if out.section.is_none() {
                        out.section = Some(pos..body.len());
                        out.heading_line = Some(line_no);
                        out.heading_end = end;
                    }
                }
            }
        }
        pos = end;
        line_no += 1;
    }
    close(&mut open, &mut out);
    Some(out)
}

/// What a line is, or `None` when it is outside the simple subset.
fn classify(line: &str) -> Option<Line<'_>> {
    let bytes = line.as_bytes();
    let first = match bytes.first() {
        None => return Some(Line::Blank),
        Some(b) => *b,
    };
    if first.is_ascii_alphabetic() {
        return Some(Line::Text);
    }
    if bytes.iter().all(|b| matches!(b, b' ' | b'\t')) {
        return Some(Line::Blank);
    }
    if first == b'#' {
        let level = bytes.iter().take_while(|b| **b == b'#').count();
        let rest = &line[level..];
        if level > 6 || !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        let plain = |b: u8| b.is_ascii_alphanumeric() || b" ,.:;?()'\"/-".contains(&b);
        return rest.bytes().all(plain).then(|| Line::Heading(level, rest.trim_matches(' ')));
    }
    match bytes {
        [b'-', b' ', b'[', mark @ (b' ' | b'x' | b'X'), b']', b' ', next, ..] if !matches!(next, b' ' | b'\t') => {
            Some(Line::Task { checked: *mark != b' ' })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_story_body_and_declines_the_rest() {
        let usual = "As a user, I want x.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given a, then b.\n- [x] AC-2: Two\nlazy\n\n## Notes\n\nMore.\n";
        let fast = parse(usual).expect("a plain body is read without the Markdown parser");
        assert_eq!(fast, Criteria::parse_markdown(usual));
        assert_eq!(fast.items.len(), 2);
        for declined in [
            "```\n- [ ] AC-1: x\n```\n",
            "## Acceptance criteria\n\n  - [ ] AC-1: indented\n",
            "## Acceptance *criteria*\n",
            "* [ ] AC-1: star\n",
            "Title\n---\n",
            "<div>\n",
            "a\r\n",
            "## Acceptance criteria\n- [ ] \x0c\nText\n",
            "## Acceptance criteria\n- [ ] AC-1: a\x0bb\n",
        ] {
            assert_eq!(parse(declined), None, "{declined:?}");
        }
    }
}
