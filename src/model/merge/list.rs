//! Merging `backlog.md` and `roadmap.md`: every line is a piece, entries keyed by their item's ID
//! and other lines (headings, comments, blank lines) by their text and place, so a move between
//! roadmap horizons is a move past a heading.

use std::collections::{HashMap, HashSet};

use super::seq::{self, Piece, Side, Text};
use super::{LineKeys, Note, Outcome, Sides, key_id, lines, unique};
use crate::model::listfile::entry_id;

/// Which list a file is: it decides the command a note offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Backlog,
    Roadmap,
}

fn pieces(text: &str, eol: &str) -> Vec<Piece> {
    let mut keys = LineKeys::new();
    let mut seen = HashMap::new();
    lines(text)
        .map(|line| {
            let text = if line.ends_with('\n') { line.to_string() } else { format!("{line}{eol}") };
            match entry_id(line.trim_end_matches(['\n', '\r'])) {
                Some(id) => Piece { key: unique(id, &mut seen), text },
                None => Piece { key: keys.key(line), text },
            }
        })
        .collect()
}

/// A line a side renumbered (`pm renumber S-4 S-40`: the old ID's line gone, a new ID's line
/// linking to the same file name after the ID) keeps the old line's key, so that the other
/// side's move of S-4 moves S-40.
fn follow_renumbers(base: &[Piece], side: &mut [Piece]) {
    let link_tail = |p: &Piece| -> Option<String> {
        let line = p.text.trim_end_matches(['\n', '\r']);
        let id = entry_id(line)?;
        let link = line.split_once("](")?.1.split_once(')')?.0;
        let (dir, name) = link.rsplit_once('/').unwrap_or(("", link));
        // `S-4-reset-password.md`: the slug after the ID is what says "the same file".
        let slug = name.strip_prefix(id)?.strip_prefix('-').filter(|s| s.len() > ".md".len())?;
        Some(format!("{dir}/{slug}"))
    };
    let in_side: HashSet<&str> = side.iter().map(|p| p.key.as_str()).collect();
    let in_base: HashSet<&str> = base.iter().map(|p| p.key.as_str()).collect();
    let mut gone: HashMap<String, Vec<&str>> = HashMap::new();
    for p in base.iter().filter(|p| is_entry(&p.key) && !in_side.contains(p.key.as_str())) {
        if let Some(t) = link_tail(p) {
            gone.entry(t).or_default().push(&p.key);
        }
    }
    let mut new: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in side.iter().enumerate().filter(|(_, p)| is_entry(&p.key) && !in_base.contains(p.key.as_str())) {
        if let Some(t) = link_tail(p) {
            new.entry(t).or_default().push(i);
        }
    }
    let renames: Vec<(usize, String)> = new
        .into_iter()
        .filter_map(|(tail, at)| match (at.as_slice(), gone.get(&tail).map(Vec::as_slice)) {
            ([i], Some([old])) => Some((*i, old.to_string())),
            _ => None,
        })
        .collect();
    for (i, old) in renames {
        side[i].key = old;
    }
}

fn is_entry(key: &str) -> bool {
    !key.starts_with('\u{0}')
}

/// Three-way merge of a list file. Never conflicts: a line both changed keeps ours (it only
/// mirrors the item's title), an item one side removed is removed, and every decision that
/// could surprise is in the notes.
pub fn merge(list: List, sides: Sides<'_>) -> Outcome {
    let eol = crate::model::frontmatter::line_ending(sides.ours);
    let (base, mut ours, mut theirs) = (pieces(sides.base, eol), pieces(sides.ours, eol), pieces(sides.theirs, eol));
    follow_renumbers(&base, &mut ours);
    follow_renumbers(&base, &mut theirs);
    let merged = seq::merge(&base, &ours, &theirs);
    let mut notes = Vec::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for (key, text) in merged.pieces {
        match text {
            Text::Clean(t) => out.push((key, t)),
            Text::Conflict { base, ours: Some(o), theirs: Some(t) } => {
                if !is_entry(&key) {
                    out.push((key, o));
                } else if base.is_none() {
                    notes.push(Note::AddedOnBoth { id: key_id(&key).to_string() });
                    out.push((key.clone(), o));
                    out.push((format!("{key}\u{0}theirs"), t));
                } else {
                    notes.push(Note::LineDiffers { id: key_id(&key).to_string() });
                    out.push((key, o));
                }
            }
            // Removed on one side, changed on the other: the item left the list.
            Text::Conflict { .. } => {}
        }
    }
    // Where each entry stands: in the result, and on each side among what the result kept.
    let kept: HashSet<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
    let now = places(out.iter().map(|(k, t)| (k.as_str(), t.as_str())), &|_| true);
    let in_result = |k: &str| kept.contains(k);
    let had_ours = places(ours.iter().map(|p| (p.key.as_str(), p.text.as_str())), &in_result);
    let had_theirs = places(theirs.iter().map(|p| (p.key.as_str(), p.text.as_str())), &in_result);
    let mut said = Vec::new();
    let mut quiet = Vec::new();
    for lost in merged.lost.iter().filter(|l| is_entry(&l.key) && kept.contains(l.key.as_str())) {
        let had = if lost.side == Side::Ours { &had_ours } else { &had_theirs };
        let note = moved(list, lost, &now, had);
        // Where the result has it after what that side had it after, its own place was kept.
        if matches!(&note, Note::Moved { now, had, .. } if now == had) {
            quiet.push(note);
        } else {
            said.push(note);
        }
    }
    // Orders the merge could not both keep, though each item kept the neighbour its branch gave
    // it: still said, once.
    if said.is_empty() && !quiet.is_empty() {
        let ids = quiet.iter().filter_map(|n| if let Note::Moved { id, .. } = n { Some(id.clone()) } else { None });
        let view = if list == List::Roadmap { "pm roadmap" } else { "pm backlog" };
        said.push(Note::Review { ids: ids.collect(), view });
    }
    notes.extend(said);
    let runs_allowed = [sides.ours, sides.theirs].iter().any(|t| t.contains("\n\n\n") || t.contains("\r\n\r\n\r\n"));
    let mut text: String = tidy(&out, runs_allowed, Style::of(sides.ours), eol);
    if !sides.ours.ends_with('\n') && !sides.ours.is_empty() && text.ends_with('\n') {
        text.truncate(text.trim_end_matches(['\n', '\r']).len());
    }
    Outcome { text, conflicted: false, notes }
}

/// Whether a list file keeps a blank line after its headings and before them.
#[derive(Debug, Clone, Copy)]
struct Style {
    after_heading: bool,
    before_heading: bool,
}

impl Style {
    /// The file's own habit: every heading followed (preceded) by a blank line, or not.
    fn of(text: &str) -> Style {
        let lines: Vec<&str> = text.lines().collect();
        let blank = |i: usize| lines.get(i).is_none_or(|l| l.trim().is_empty());
        let headings: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with('#')).collect();
        Style {
            after_heading: headings.iter().all(|&i| blank(i + 1)),
            before_heading: headings.iter().all(|&i| i == 0 || blank(i - 1)),
        }
    }
}

/// The merged lines, with the blank line the list keeps between entries and a heading when
/// its own style has one (one side may have removed it when a section emptied, the other
/// added to that section), and without runs of blank lines neither side had.
fn tidy(lines: &[(String, String)], runs_allowed: bool, style: Style, eol: &str) -> String {
    let blank = |t: &str| t.trim().is_empty();
    let heading = |t: &str| t.starts_with('#');
    let mut out = String::new();
    let mut prev: Option<&str> = None;
    for (key, text) in lines {
        if let Some(p) = prev {
            let joins = (style.after_heading && is_entry(key) && heading(p))
                || (style.before_heading && heading(text) && !blank(p) && !heading(p));
            if joins {
                out.push_str(eol);
            }
            if blank(p) && blank(text) && !runs_allowed {
                continue;
            }
        }
        out.push_str(text);
        prev = Some(text);
    }
    out
}

/// Where each entry of a sequence stands: the entry before it (of those `keep` admits) and
/// the section heading above it. One pass.
fn places<'a>(
    seq: impl Iterator<Item = (&'a str, &'a str)>,
    keep: &dyn Fn(&str) -> bool,
) -> HashMap<&'a str, (Option<String>, Option<String>)> {
    let mut out = HashMap::new();
    let mut after: Option<String> = None;
    let mut section: Option<String> = None;
    for (key, text) in seq {
        let line = text.trim_end_matches(['\n', '\r']);
        if let Some(h) = line.strip_prefix("## ") {
            section = Some(h.trim().to_string());
            after = None;
        } else if is_entry(key) {
            out.insert(key, (after.clone(), section.clone()));
            if keep(key) {
                after = Some(key_id(key).to_string());
            }
        }
    }
    out
}

type Places<'a> = HashMap<&'a str, (Option<String>, Option<String>)>;

fn moved(list: List, lost: &seq::Lost, now: &Places, had: &Places) -> Note {
    let (id, side) = (lost.key.as_str(), lost.side);
    let (ours_after, ours_section) = now.get(id).cloned().unwrap_or_default();
    let (theirs_after, theirs_section) = had.get(id).cloned().unwrap_or_default();
    let describe = |after: &Option<String>, section: &Option<String>| match (list, after, section) {
        (List::Roadmap, Some(a), Some(s)) => format!("in {s} after {a}"),
        (List::Roadmap, None, Some(s)) => format!("at the top of {s}"),
        (_, Some(a), _) => format!("after {a}"),
        (_, None, _) => "at the top".to_string(),
    };
    let id = key_id(id).to_string();
    let command = match (list, &theirs_after, &theirs_section) {
        (List::Roadmap, after, Some(s)) => {
            let at = after.as_ref().map_or("--top".to_string(), |a| format!("--after {a}"));
            format!("pm roadmap move {id} {} {at}", s.to_lowercase())
        }
        (_, Some(a), _) => format!("pm rank {id} --after {a}"),
        (_, None, _) => format!("pm rank {id} --top"),
    };
    Note::Moved {
        now: describe(&ours_after, &ours_section),
        by: side,
        both: lost.both,
        had: describe(&theirs_after, &theirs_section),
        command,
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backlog(ids: &str) -> String {
        let mut s = "# Backlog\n\n<!-- Ordered -->\n\n".to_string();
        for id in ids.split_whitespace() {
            s.push_str(&format!("- [{id}](stories/{id}.md) Story {id}\n"));
        }
        s
    }

    #[test]
    fn merges_two_rank_moves() {
        let base = backlog("S-1 S-2 S-3 S-4 S-5 S-6 S-10");
        let ours = backlog("S-10 S-1 S-2 S-3 S-4 S-5 S-6");
        let theirs = backlog("S-1 S-2 S-10 S-3 S-4 S-5 S-6");
        let out = merge(List::Backlog, Sides { base: &base, ours: &ours, theirs: &theirs });
        // S-10 moved on both branches (ours to the top, theirs below S-2).
        assert_eq!(out.text, backlog("S-10 S-1 S-2 S-3 S-4 S-5 S-6"));
        assert_eq!(
            out.notes,
            vec![Note::Moved {
                id: "S-10".into(),
                now: "at the top".into(),
                by: Side::Theirs,
                both: true,
                had: "after S-2".into(),
                command: "pm rank S-10 --after S-2".into()
            }]
        );
    }

    #[test]
    fn roadmap_moves_between_horizons() {
        let base = "# Roadmap\n\n## Now\n\n- [E-1](e) One\n\n## Next\n\n- [E-2](e) Two\n- [E-3](e) Three\n\n## Later\n\n- [E-4](e) Four\n";
        let ours = "# Roadmap\n\n## Now\n\n- [E-1](e) One\n- [E-3](e) Three\n\n## Next\n\n- [E-2](e) Two\n\n## Later\n\n- [E-4](e) Four\n";
        let theirs = "# Roadmap\n\n## Now\n\n- [E-1](e) One\n\n## Next\n\n- [E-4](e) Four\n- [E-2](e) Two\n- [E-3](e) Three\n\n## Later\n";
        let out = merge(List::Roadmap, Sides { base, ours, theirs });
        assert_eq!(
            out.text,
            "# Roadmap\n\n## Now\n\n- [E-1](e) One\n- [E-3](e) Three\n\n## Next\n\n- [E-4](e) Four\n- [E-2](e) Two\n\n## Later\n"
        );
        assert!(out.notes.is_empty(), "{:?}", out.notes);
    }

    /// Bare entry lines, no heading.
    fn entry_lines(ids: &str) -> String {
        ids.split_whitespace().map(|id| format!("- [{id}](s/{id}.md) {id}\n")).collect()
    }

    #[test]
    fn a_move_next_to_a_key_the_other_side_swapped_is_kept_or_named() {
        let out = merge(
            List::Backlog,
            Sides {
                base: &entry_lines("S-1 S-2 S-3 S-4"),
                ours: &entry_lines("S-2 S-1 S-3 S-4"),
                theirs: &entry_lines("S-1 S-4 S-2 S-3"),
            },
        );
        assert_eq!(out.text, entry_lines("S-2 S-1 S-4 S-3"));
        assert_eq!(out.notes, vec![Note::Review { ids: vec!["S-4".into()], view: "pm backlog" }]);
    }

    #[test]
    fn two_far_moves_to_the_same_rank_need_no_note() {
        let out = merge(
            List::Backlog,
            Sides {
                base: &entry_lines("S-1 S-2 S-3 S-4 S-5 S-6"),
                ours: &entry_lines("S-2 S-3 S-1 S-4 S-5 S-6"),
                theirs: &entry_lines("S-1 S-2 S-6 S-3 S-4 S-5"),
            },
        );
        assert_eq!(out.text, entry_lines("S-2 S-6 S-3 S-1 S-4 S-5"));
        assert_eq!(out.notes, vec![]);
    }
}
