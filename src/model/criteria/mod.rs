//! Acceptance criteria: the task-list items under a story's `## Acceptance criteria` heading.
//!
//! The body is parsed as Markdown (pulldown-cmark), never with regexes, so a criterion-looking
//! line inside a code block or under another heading is not a criterion. Bodies made only of
//! plain lines are read by the faster [`fast`] scanner, which declines
//! everything else. This module also owns the byte-level edits of criteria (check, uncheck, add,
//! remove); each changes only its line.

pub mod fast;

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The heading criteria live under (matched case-insensitively).
pub const HEADING: &str = "Acceptance criteria";

/// One acceptance criterion, with byte ranges into the body it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Criterion {
    /// `n` of `AC-n`, or `None` for a task item without an ID.
    pub number: Option<u32>,
    pub checked: bool,
    /// The text after `AC-n:`, on one line.
    pub text: String,
    /// 0-based line of the item within the body.
    #[serde(skip)]
    pub body_line: usize,
    #[serde(skip)]
    pub(crate) lines: Range<usize>,
    #[serde(skip)]
    pub(crate) marker: Range<usize>,
}

impl Criterion {
    pub fn label(&self) -> String {
        match self.number {
            Some(n) => format!("AC-{n}"),
            None => "AC-?".into(),
        }
    }
}

/// The criteria section of a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    /// Byte range of the whole section (heading to the next heading of the same or higher level).
    pub section: Option<Range<usize>>,
    /// 0-based body line of the heading.
    pub heading_line: Option<usize>,
    /// End of the heading line (byte offset after its line ending).
    pub(crate) heading_end: usize,
    pub items: Vec<Criterion>,
}

/// A heading that reads like the criteria heading but is not it (`## Acceptance criteria:`,
/// `##Acceptance criteria`, `## Acceptance Criteria (draft)` is not one): its 0-based body line
/// and text. Only looked for when a body has no criteria heading.
pub fn near_heading(body: &str) -> Option<(usize, &str)> {
    body.lines().enumerate().find_map(|(i, line)| {
        let t = line.trim();
        let level = t.len() - t.trim_start_matches('#').len();
        let name = t[level..].trim().trim_end_matches([':', '.']).trim();
        ((1..=6).contains(&level) && name.eq_ignore_ascii_case(HEADING)).then_some((i, t))
    })
}

/// Whether a line looks like a criterion but is no task-list item as Markdown reads one:
/// `-[ ] AC-4: ...`, `- [] AC-4`, `-[x] ...` (a missing space, an empty box).
pub fn looks_like_criterion(line: &str) -> bool {
    let t = line.trim_start();
    let Some(rest) = t.strip_prefix(['-', '*', '+']) else { return false };
    let spaced = rest.starts_with(' ');
    let Some(inside) = rest.trim_start().strip_prefix('[') else { return false };
    let Some(close) = inside.find(']') else { return false };
    let boxed = matches!(&inside[..close], "" | " " | "x" | "X");
    let after = &inside[close + 1..];
    boxed && (!spaced || inside[..close].is_empty() || !after.starts_with(' '))
}

impl Criteria {
    /// Parse the criteria of a Markdown body.
    pub fn parse(body: &str) -> Criteria {
        fast::parse(body).unwrap_or_else(|| Criteria::parse_markdown(body))
    }

    /// Parse the criteria with the full Markdown parser (what [`Criteria::parse`] falls back to;
    /// public so a property test can compare the two readers).
    pub fn parse_markdown(body: &str) -> Criteria {
        let mut out = Criteria::default();
        let parser = Parser::new_ext(body, Options::ENABLE_TASKLISTS).into_offset_iter();
        let mut in_heading: Option<(HeadingLevel, usize, String)> = None;
        let mut section_level: Option<HeadingLevel> = None;
        let mut list_depth = 0usize;
        let mut current_item: Option<Range<usize>> = None;
        for (event, range) in parser {
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    if let Some(l) = section_level
                        && level <= l
                    {
                        if let Some(s) = &mut out.section
                            && s.end == body.len()
                        {
                            s.end = range.start;
                        }
                        section_level = None;
                    }
                    in_heading = Some((level, range.start, String::new()));
                }
                Event::Text(t) | Event::Code(t) if in_heading.is_some() => {
                    if let Some((_, _, text)) = &mut in_heading {
                        text.push_str(&t);
                    }
                }
                Event::End(TagEnd::Heading(_)) => {
                    // Criteria under every such heading count (a hand edit may add a second
                    // one); the first heading is where a new section's items go.
                    if let Some((level, start, text)) = in_heading.take()
                        && text.trim().eq_ignore_ascii_case(HEADING)
                    {
                        section_level = Some(level);
                        if out.section.is_none() {
                            out.section = Some(start..body.len());
                            out.heading_line = Some(line_of(body, start));
                            out.heading_end = line_end(body, range.end.saturating_sub(1));
                        }
                    }
                }
                Event::Start(Tag::List(_)) if section_level.is_some() => list_depth += 1,
                Event::End(TagEnd::List(_)) if section_level.is_some() => list_depth = list_depth.saturating_sub(1),
                Event::Start(Tag::Item) if section_level.is_some() && list_depth == 1 => {
                    current_item = Some(range);
                }
                Event::End(TagEnd::Item) if list_depth == 1 => current_item = None,
                Event::TaskListMarker(checked) if section_level.is_some() && list_depth == 1 => {
                    if let Some(item) = current_item.take() {
                        let body_line = line_of(body, item.start);
                        out.items.push(criterion(body, item, range, checked, body_line));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// One more than the highest `AC-n` present (IDs are never reused while present), for
    /// hints; a new criterion's number is [`Criteria::free_number`].
    pub fn next_number(&self) -> u32 {
        self.items.iter().filter_map(|c| c.number).max().unwrap_or(0).saturating_add(1)
    }

    pub fn find(&self, number: u32) -> Option<&Criterion> {
        self.items.iter().find(|c| c.number == Some(number))
    }

    pub fn accepted(&self) -> usize {
        self.items.iter().filter(|c| c.checked).count()
    }

    /// The body with criterion `number` checked or unchecked: one line changes.
    pub fn set_checked(&self, body: &str, number: u32, checked: bool) -> Option<String> {
        let c = self.find(number)?;
        let mark = if checked { "[x]" } else { "[ ]" };
        Some(format!("{}{}{}", &body[..c.marker.start], mark, &body[c.marker.end..]))
    }

    /// The body without criterion `number`: its lines are removed, nothing else.
    pub fn remove(&self, body: &str, number: u32) -> Option<String> {
        let c = self.find(number)?;
        Some(format!("{}{}", &body[..c.lines.start], &body[c.lines.end..]))
    }

    /// The number a new criterion takes: the lowest above the highest present that `named`
    /// (numbers that code or tests still name) does not hold, so a reference never starts
    /// pointing at a criterion it was not written for. `None` when no number is left.
    pub fn free_number(&self, named: &std::collections::BTreeSet<u32>) -> Option<u32> {
        let mut n = self.items.iter().filter_map(|c| c.number).max().unwrap_or(0).checked_add(1)?;
        while named.contains(&n) {
            n = n.checked_add(1)?;
        }
        Some(n)
    }

    /// The body with a new criterion `AC-n: text` after the last one (or a new section); `n`
    /// comes from [`Criteria::free_number`] (or [`Criteria::next_number`]).
    pub fn add(&self, body: &str, text: &str, eol: &str, n: u32) -> (u32, String) {
        if let Some(last) = self.items.last() {
            let line_start = last.lines.start;
            let prefix = &body[line_start..last.marker.start];
            let new_line = format!("{prefix}[ ] AC-{n}: {text}{eol}");
            let at = last.lines.end;
            let needs_eol = at == body.len() && !body.ends_with('\n');
            let glue = if needs_eol { eol } else { "" };
            return (n, format!("{}{glue}{new_line}{}", &body[..at], &body[at..]));
        }
        let new_line = format!("- [ ] AC-{n}: {text}{eol}");
        if self.section.is_some() {
            let mut at = self.heading_end;
            let glue = if at == body.len() && !body.ends_with('\n') { eol } else { "" };
            // Keep one blank line after the heading, and one before what follows.
            let blank = body[at..].find('\n').filter(|&i| body[at..at + i].trim().is_empty());
            let (before, after) = match blank {
                Some(i) => {
                    at += i + 1;
                    let next_blank = body[at..].find('\n').is_none_or(|j| body[at..at + j].trim().is_empty());
                    ("", if next_blank || at == body.len() { "" } else { eol })
                }
                None => (eol, if at == body.len() { "" } else { eol }),
            };
            return (n, format!("{}{glue}{before}{new_line}{after}{}", &body[..at], &body[at..]));
        }
        let mut out = body.to_string();
        if !out.is_empty() {
            if !out.ends_with('\n') {
                out.push_str(eol);
            }
            if !out.trim_end().is_empty() && !out.ends_with(&format!("{eol}{eol}")) {
                out.push_str(eol);
            }
        }
        out.push_str(&format!("## {HEADING}{eol}{eol}{new_line}"));
        (n, out)
    }
}

/// The criterion of a task item: `item` is its byte range in the body (from the start of its
/// line), `marker` the range of its `[ ]`, `body_line` the 0-based line it starts on.
pub(crate) fn criterion(
    body: &str,
    item: Range<usize>,
    marker: Range<usize>,
    checked: bool,
    body_line: usize,
) -> Criterion {
    // The item's own lines: from the start of its first line to the end of its last
    // non-blank line (a loose list's item range also covers the blank lines after it).
    let start = body[..item.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let content = body[item.clone()].trim_end();
    let end = line_end(body, item.start + content.len().saturating_sub(1));
    let raw = body[marker.end..item.end].trim();
    // A criterion wrapped over several lines (or with runs of spaces) reads as one line. The
    // ID cannot hold whitespace, so splitting it off first changes nothing and copies once.
    let (number, text) = split_id(raw);
    let spread = [b'\n', b'\t', b'\r'].iter().any(|b| raw.as_bytes().contains(b)) || raw.contains("  ");
    let text = if spread { text.split_whitespace().collect::<Vec<_>>().join(" ") } else { text.to_string() };
    Criterion { number, checked, text, body_line, lines: start..end, marker }
}

/// `AC-3: Given ...` -> (Some(3), "Given ...").
fn split_id(raw: &str) -> (Option<u32>, &str) {
    if let Some((head, rest)) = raw.split_once(':')
        && let Some(n) = crate::model::id::parse_ac_id(head.trim())
    {
        return (Some(n), rest.trim());
    }
    (None, raw)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count()
}

/// The offset just after the line ending of the line holding `offset`.
/// Works on bytes: `offset` may fall inside a multi-byte character (a newline byte never does).
fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    match text.as_bytes()[offset..].iter().position(|b| *b == b'\n') {
        Some(i) => offset + i + 1,
        None => text.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "As a user, I want x, so that y.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given a, when b, then c.\n- [x] AC-3: Done one\n  continued\n- [ ] no id here\n\n## Notes\n\n```text\n- [ ] AC-9: not a criterion\n```\n- [ ] AC-7: under notes\n";

    #[test]
    fn parses_only_items_under_the_heading() {
        let c = Criteria::parse(BODY);
        let labels: Vec<_> = c.items.iter().map(|i| (i.number, i.checked)).collect();
        assert_eq!(labels, vec![(Some(1), false), (Some(3), true), (None, false)]);
        assert_eq!(c.items[1].text, "Done one continued");
        assert_eq!(c.items[0].body_line, 4);
        assert_eq!(c.next_number(), 4);
    }

    #[test]
    fn edits_change_only_their_lines() {
        let c = Criteria::parse(BODY);
        let checked = c.set_checked(BODY, 1, true).unwrap();
        assert_eq!(checked, BODY.replacen("- [ ] AC-1", "- [x] AC-1", 1));
        let removed = c.remove(BODY, 3).unwrap();
        assert_eq!(removed, BODY.replace("- [x] AC-3: Done one\n  continued\n", ""));
        let (n, added) = c.add(BODY, "New", "\n", c.next_number());
        assert_eq!(n, 4);
        assert_eq!(added, BODY.replace("- [ ] no id here\n", "- [ ] no id here\n- [ ] AC-4: New\n"));
    }

    #[test]
    fn add_creates_the_section() {
        let c = Criteria::parse("Text.\n");
        assert_eq!(
            c.add("Text.\n", "A", "\n", c.next_number()).1,
            "Text.\n\n## Acceptance criteria\n\n- [ ] AC-1: A\n"
        );
        let c = Criteria::parse("");
        assert_eq!(c.add("", "A", "\n", c.next_number()).1, "## Acceptance criteria\n\n- [ ] AC-1: A\n");
        let b = "## Acceptance criteria\n\n## Notes\n";
        let c = Criteria::parse(b);
        assert_eq!(c.add(b, "A", "\n", c.next_number()).1, "## Acceptance criteria\n\n- [ ] AC-1: A\n\n## Notes\n");
    }

    #[test]
    fn criteria_under_a_second_heading_count_and_numbers_continue() {
        let b = "## Acceptance criteria\n\nAs a user, I want x.\n\n## Acceptance criteria\n\n- [ ] AC-1: One\n";
        let c = Criteria::parse(b);
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.next_number(), 2);
    }

    #[test]
    fn adding_to_an_empty_section_adds_one_line() {
        let b = "Story.\n\n## Acceptance criteria\n\n";
        let c = Criteria::parse(b);
        assert_eq!(c.add(b, "A", "\n", c.next_number()).1, "Story.\n\n## Acceptance criteria\n\n- [ ] AC-1: A\n");
    }

    #[test]
    fn non_ascii_at_the_end_of_a_criterion_or_heading() {
        let b = "## Acceptance criteria\u{a0}\n\n- [ ] AC-1: more \u{1f389} \u{e9}";
        let c = Criteria::parse(b);
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.set_checked(b, 1, true).unwrap(), b.replace("[ ]", "[x]"));
        assert_eq!(c.add(b, "\u{e9}t\u{e9}", "\n", c.next_number()).1, format!("{b}\n- [ ] AC-2: \u{e9}t\u{e9}\n"));
    }
}
