//! Merging an item file: front matter field by field, acceptance criteria by `AC-n`, and the rest
//! of the body line by line. Bytes no side changed are kept as they are; a field or criterion
//! both sides changed differently gets git's conflict markers around just that field.

use std::collections::{HashMap, HashSet};

use super::seq::{self, Piece, Text};
use super::{LineMerge, Lines, Note, Outcome, Sides, conflict_block, lines, unique};
use crate::model::criteria::Criteria;
use crate::model::frontmatter::{self, line_ending};

/// How conflict markers are written: git's labels for the two sides and its marker size.
#[derive(Debug, Clone, Copy)]
pub struct Markers<'a> {
    pub ours: &'a str,
    pub theirs: &'a str,
    pub size: usize,
}

/// Merge the three versions of an item file, or `None` when one of them has no front matter
/// made of plain `key: value` blocks (the caller then merges the whole file line by line).
pub fn merge(sides: Sides<'_>, markers: Markers<'_>, prose: &mut dyn LineMerge) -> Option<Outcome> {
    let eol = line_ending(sides.ours);
    let split = |t: &str| frontmatter::split(t).ok();
    let (sb, so, st) = (split(sides.base)?, split(sides.ours)?, split(sides.theirs)?);
    let fields = |t: &str, s: &frontmatter::Split| blocks(&t[s.yaml.clone()], eol);
    let (fb, fo, ft) = (fields(sides.base, &sb)?, fields(sides.ours, &so)?, fields(sides.theirs, &st)?);
    let mut conflicted = false;
    let mut notes = Vec::new();
    let mut yaml = String::new();
    for (_, text) in seq::merge(&fb, &fo, &ft).pieces {
        match text {
            Text::Clean(t) => yaml.push_str(&t),
            Text::Conflict { ours, theirs, .. } => {
                conflicted = true;
                let (o, t) = (ours.unwrap_or_default(), theirs.unwrap_or_default());
                yaml.push_str(&conflict_block(&o, &t, (markers.ours, markers.theirs), markers.size, eol));
            }
        }
    }
    if !conflicted
        && !yaml.trim().is_empty()
        && !matches!(serde_yaml::from_str::<serde_yaml::Value>(&yaml), Ok(serde_yaml::Value::Mapping(_)))
    {
        // Each side's fields were fine but together they are not YAML: let git show it.
        return None;
    }
    let bodies = Sides {
        base: &sides.base[sb.body.clone()],
        ours: &sides.ours[so.body.clone()],
        theirs: &sides.theirs[st.body.clone()],
    };
    let body = merge_body(bodies, markers, prose, eol, &mut notes);
    let mut text = String::with_capacity(sides.ours.len() + 64);
    text.push_str(&sides.ours[..so.yaml.start]);
    text.push_str(&yaml);
    text.push_str(&sides.ours[so.yaml.end..so.body.start]);
    text.push_str(&body.text);
    Some(Outcome { text, conflicted: conflicted || body.conflicted, notes })
}

/// The front matter as one piece per top-level key (its line and the indented, list, comment
/// and blank lines under it); what comes before the first key is one more piece.
fn blocks(yaml: &str, eol: &str) -> Option<Vec<Piece>> {
    let mut out: Vec<Piece> = Vec::new();
    let mut seen = HashSet::new();
    for line in lines(yaml) {
        let text = if line.ends_with('\n') { line.to_string() } else { format!("{line}{eol}") };
        let first = line.chars().next().unwrap_or(' ');
        let continues = line.trim().is_empty() || matches!(first, ' ' | '\t' | '#' | '-');
        if continues {
            match out.last_mut() {
                Some(p) => p.text.push_str(&text),
                None => out.push(Piece::new("\u{0}head", text)),
            }
            continue;
        }
        let key = top_key(line)?;
        if !seen.insert(key.clone()) {
            return None;
        }
        out.push(Piece::new(key, text));
    }
    Some(out)
}

/// The key of a `key: value` line at the top level (plain or quoted), or `None`.
fn top_key(line: &str) -> Option<String> {
    let line = line.trim_end_matches(['\n', '\r']);
    if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = line[1..].find(q)? + 1;
        let rest = &line[end + 1..];
        return rest.starts_with(':').then(|| line[1..end].to_string());
    }
    let colon = line.find(": ").or_else(|| line.ends_with(':').then(|| line.len() - 1))?;
    let key = &line[..colon];
    let plain = !key.is_empty() && !key.starts_with(['?', '&', '*', '!', '{', '[', '|', '>', '%', '@', '`']);
    plain.then(|| key.to_string())
}

/// The body: the criteria by number when all three versions have them, the prose around them
/// (and a body without criteria) line by line.
fn merge_body(
    sides: Sides<'_>,
    markers: Markers<'_>,
    prose: &mut dyn LineMerge,
    eol: &str,
    notes: &mut Vec<Note>,
) -> Lines {
    let parse = |t: &str| Criteria::parse(t);
    let (cb, co, ct) = (parse(sides.base), parse(sides.ours), parse(sides.theirs));
    if cb.items.is_empty() || co.items.is_empty() || ct.items.is_empty() {
        return text3(sides, prose);
    }
    fn cut<'a>(t: &'a str, c: &Criteria, eol: &str) -> (&'a str, Vec<Piece>, &'a str) {
        let first = c.items[0].lines.start;
        let last = c.items[c.items.len() - 1].lines.end;
        let mut seen = HashMap::new();
        let items = c
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let end = c.items.get(i + 1).map_or(last, |n| n.lines.start);
                let mut text = t[item.lines.start..end].to_string();
                if !text.ends_with('\n') {
                    text.push_str(eol);
                }
                let key = match item.number {
                    Some(n) => unique(&format!("AC-{n}"), &mut seen),
                    None => unique(&format!("\u{0}{}", item.text), &mut seen),
                };
                Piece { key, text }
            })
            .collect();
        (&t[..first], items, &t[last..])
    }
    let (pre_b, items_b, post_b) = cut(sides.base, &cb, eol);
    let (pre_o, items_o, post_o) = cut(sides.ours, &co, eol);
    let (pre_t, mut items_t, post_t) = cut(sides.theirs, &ct, eol);
    // Both added AC-n as different criteria: theirs takes the next free number.
    let numbers = cb.items.iter().chain(&co.items).chain(&ct.items).filter_map(|c| c.number);
    let mut next = numbers.max().unwrap_or(0);
    let in_base: HashSet<&str> = items_b.iter().map(|p| p.key.as_str()).collect();
    for p in items_t.iter_mut() {
        let clash = !in_base.contains(p.key.as_str())
            && items_o.iter().any(|o| o.key == p.key && o.text != p.text)
            && !p.key.starts_with('\u{0}');
        if clash {
            next += 1;
            let to = format!("AC-{next}");
            if let Some(at) = p.text.find(&format!("{}:", p.key)) {
                p.text.replace_range(at..at + p.key.len(), &to);
                notes.push(Note::Renumbered { from: p.key.clone(), to: to.clone() });
                p.key = to;
            }
        }
    }
    let mut conflicted = false;
    let mut out = String::new();
    let pre = text3(Sides { base: pre_b, ours: pre_o, theirs: pre_t }, prose);
    conflicted |= pre.conflicted;
    out.push_str(&pre.text);
    for (_, text) in seq::merge(&items_b, &items_o, &items_t).pieces {
        match text {
            Text::Clean(t) => out.push_str(&t),
            Text::Conflict { base, ours, theirs } => {
                match tick_and_text(base.as_deref(), ours.as_deref(), theirs.as_deref()) {
                    Some(t) => out.push_str(&t),
                    None => {
                        conflicted = true;
                        let (o, t) = (ours.unwrap_or_default(), theirs.unwrap_or_default());
                        out.push_str(&conflict_block(&o, &t, (markers.ours, markers.theirs), markers.size, eol));
                    }
                }
            }
        }
    }
    let post = text3(Sides { base: post_b, ours: post_o, theirs: post_t }, prose);
    conflicted |= post.conflicted;
    // A criterion list that ended the file without a line ending keeps ending that way.
    if post.text.is_empty() && !sides.ours.ends_with('\n') && out.ends_with('\n') {
        out.truncate(out.trim_end_matches(['\n', '\r']).len());
    }
    out.push_str(&post.text);
    Lines { text: out, conflicted }
}

/// A criterion one side ticked and the other reworded is both.
fn tick_and_text(base: Option<&str>, ours: Option<&str>, theirs: Option<&str>) -> Option<String> {
    // (the box as written, the line with the box replaced by a placeholder)
    let split = |t: &str| -> Option<(String, String)> {
        let at = ["[ ]", "[x]", "[X]"].iter().filter_map(|m| t.find(m)).min()?;
        Some((t[at..at + 3].to_string(), format!("{}\u{0}{}", &t[..at], &t[at + 3..])))
    };
    let (b, o, t) = (split(base?)?, split(ours?)?, split(theirs?)?);
    let checked = |m: &str| m != "[ ]";
    let mark = match (checked(&b.0), checked(&o.0), checked(&t.0)) {
        (x, y, z) if y == z || x == z => o.0,
        _ => t.0,
    };
    let rest = trivial(&b.1, &o.1, &t.1)?;
    Some(rest.replacen('\u{0}', &mark, 1))
}

/// The three-way merge that needs no diff: one side unchanged, or both the same.
fn trivial(base: &str, ours: &str, theirs: &str) -> Option<String> {
    if ours == theirs || base == theirs {
        Some(ours.to_string())
    } else if base == ours {
        Some(theirs.to_string())
    } else {
        None
    }
}

/// Prose: the trivial merge, else the caller's line merge.
fn text3(sides: Sides<'_>, prose: &mut dyn LineMerge) -> Lines {
    match trivial(sides.base, sides.ours, sides.theirs) {
        Some(text) => Lines { text, conflicted: false },
        None => prose.merge_lines(sides),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoProse;
    impl LineMerge for NoProse {
        fn merge_lines(&mut self, sides: Sides<'_>) -> Lines {
            Lines { text: format!("CONFLICT({}|{})", sides.ours, sides.theirs), conflicted: true }
        }
    }

    const M: Markers<'static> = Markers { ours: "ours", theirs: "theirs", size: 7 };

    const BASE: &str = "---\nid: S-1\ntitle: Pay\nstatus: draft\n---\nAs a payer.\n\n## Acceptance criteria\n\n- [ ] AC-1: One\n- [ ] AC-2: Two\n";

    fn run(ours: &str, theirs: &str) -> Outcome {
        merge(Sides { base: BASE, ours, theirs }, M, &mut NoProse).expect("an item file")
    }

    #[test]
    fn different_fields_and_new_fields_merge() {
        let ours = BASE.replace("status: draft\n", "status: ready\npoints: 3\n");
        let theirs =
            BASE.replace("title: Pay\n", "title: Pay back\n").replace("status: draft\n", "status: draft\nowner: ana\n");
        let out = run(&ours, &theirs);
        assert!(!out.conflicted);
        assert_eq!(
            out.text,
            BASE.replace("title: Pay\nstatus: draft\n", "title: Pay back\nstatus: ready\npoints: 3\nowner: ana\n")
        );
    }

    #[test]
    fn one_field_changed_both_ways_is_a_conflict_on_that_field() {
        let out = run(&BASE.replace("draft", "ready"), &BASE.replace("draft", "dropped"));
        assert!(out.conflicted);
        assert_eq!(
            out.text,
            BASE.replace("status: draft\n", "<<<<<<< ours\nstatus: ready\n=======\nstatus: dropped\n>>>>>>> theirs\n")
        );
    }

    #[test]
    fn criteria_added_on_both_sides_are_both_kept_and_numbered_apart() {
        let out = run(&format!("{BASE}- [ ] AC-3: Ours\n"), &format!("{BASE}- [ ] AC-3: Theirs\n"));
        assert!(!out.conflicted);
        assert_eq!(out.text, format!("{BASE}- [ ] AC-3: Ours\n- [ ] AC-4: Theirs\n"));
        assert_eq!(out.notes, vec![Note::Renumbered { from: "AC-3".into(), to: "AC-4".into() }]);
    }

    #[test]
    fn a_tick_and_a_rewording_of_one_criterion_are_both_kept() {
        let out = run(&BASE.replace("- [ ] AC-1", "- [x] AC-1"), &BASE.replace("AC-1: One", "AC-1: One, exactly"));
        assert!(!out.conflicted);
        assert_eq!(out.text, BASE.replace("- [ ] AC-1: One", "- [x] AC-1: One, exactly"));
    }

    #[test]
    fn prose_both_changed_goes_to_the_line_merge() {
        let out = run(&BASE.replace("As a payer.", "As a payer, A."), &BASE.replace("As a payer.", "As a payer, B."));
        assert!(out.conflicted);
        let pre = |x: &str| format!("As a payer, {x}.\n\n## Acceptance criteria\n\n");
        assert_eq!(
            out.text,
            format!(
                "---\nid: S-1\ntitle: Pay\nstatus: draft\n---\nCONFLICT({}|{})- [ ] AC-1: One\n- [ ] AC-2: Two\n",
                pre("A"),
                pre("B")
            )
        );
    }
}
