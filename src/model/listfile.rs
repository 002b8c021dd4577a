//! `backlog.md` and `roadmap.md`: ordered Markdown lists of item links, one item per line.
//!
//! The files are line-oriented on purpose: one item is one line, so a move is a one-line
//! move in `git diff` and git's `union` merge driver can combine two branches' additions.
//! Every line that is not an entry (headings, comments, prose) is kept as it is.

/// The roadmap's horizons, in order.
pub const HORIZONS: [&str; 3] = ["Now", "Next", "Later"];

/// One `- [ID](link) title` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub link: String,
    pub title: String,
    /// 0-based line index in the file.
    pub line: usize,
    /// The `## ` heading the entry stands under, if any.
    pub section: Option<String>,
}

impl Entry {
    /// Whether the entry stands under a horizon heading (Now, Next, Later; any case).
    pub fn on_horizon(&self) -> bool {
        self.section.as_deref().is_some_and(|s| HORIZONS.iter().any(|h| h.eq_ignore_ascii_case(s)))
    }
}

/// A list file, kept as lines with their own line endings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFile {
    lines: Vec<String>,
    eol: &'static str,
}

impl ListFile {
    pub fn parse(text: &str) -> ListFile {
        let eol = crate::model::frontmatter::line_ending(text);
        let lines = text.split_inclusive('\n').map(str::to_string).collect();
        ListFile { lines, eol }
    }

    /// A new backlog file with its heading and comment.
    pub fn new_backlog() -> String {
        "# Backlog\n\n<!-- Ordered: most important first. One open story per line. Reorder with `pm rank`. -->\n\n"
            .into()
    }

    /// A new roadmap file with the three horizon headings.
    pub fn new_roadmap() -> String {
        "# Roadmap\n\n<!-- Epics by horizon, most important first. Move with `pm roadmap move`. -->\n\n## Now\n\n## Next\n\n## Later\n".into()
    }

    pub fn text(&self) -> String {
        self.lines.concat()
    }

    /// The entry line for an item.
    pub fn entry_line(id: &str, link: &str, title: &str) -> String {
        format!("- [{id}]({link}) {title}")
    }

    pub fn entries(&self) -> Vec<Entry> {
        let mut section = None;
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let content = line.trim_end_matches(['\n', '\r']);
            if let Some(h) = content.strip_prefix("## ") {
                section = Some(h.trim().to_string());
                continue;
            }
            if let Some((id, link, title)) = parse_entry(content) {
                out.push(Entry { id, link, title, line: i, section: section.clone() });
            }
        }
        out
    }

    /// 0-based indexes of the lines that look like entries of items whose IDs start with
    /// `prefix` and do not read as one (see [`looks_like_entry`]): `pm check` reports them,
    /// `pm backlog` and `pm roadmap` warn.
    pub fn malformed_lines(&self, prefix: &str) -> Vec<usize> {
        self.malformed(prefix).into_iter().map(|(i, _)| i).collect()
    }

    /// The lines that look like entries and do not read as one, each with the ID it names
    /// when that is a well-formed ID (`- S-22 Title` names S-22): `pm fmt` does not add such
    /// an item again at the bottom, as its damaged line is still there.
    pub fn malformed(&self, prefix: &str) -> Vec<(usize, Option<String>)> {
        (self.lines.iter().enumerate())
            .filter_map(|(i, l)| {
                let content = l.trim_end_matches(['\n', '\r']);
                if parse_entry(content).is_some() {
                    return None;
                }
                let token = attempted_id(content, prefix)?;
                // A token that is no ID (`[S8]`) may still link to the item's file, whose name
                // says which it is.
                let id = match crate::model::id::ItemId::is_valid(token) {
                    true => Some(token.to_string()),
                    false => linked_id(content).filter(|id| id.prefix == prefix).map(|id| id.to_string()),
                };
                Some((i, id))
            })
            .collect()
    }

    /// Headings of a roadmap that are not what they seem, each with what to say of it: one
    /// that reads like a horizon but is not `## Now` (`##Next`, `### Next`, `# Later`), so the
    /// epics below it count under the heading before; and a horizon's second heading, whose
    /// epics join the first's. 0-based lines.
    pub fn odd_headings(&self) -> Vec<(usize, String)> {
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let content = line.trim_end_matches(['\n', '\r']);
            if let Some(h) = content.strip_prefix("## ") {
                let h = h.trim();
                if let Some(horizon) = HORIZONS.iter().find(|x| x.eq_ignore_ascii_case(h)) {
                    if seen.iter().any(|s| s == horizon) {
                        out.push((
                            i,
                            format!(
                                "a second `## {horizon}` heading: the epics below it count as the first's, in one list"
                            ),
                        ));
                    }
                    seen.push(horizon.to_string());
                }
                continue;
            }
            let t = content.trim();
            let level = t.len() - t.trim_start_matches('#').len();
            let name = t[level..].trim().trim_end_matches(':').trim();
            if let Some(horizon) =
                HORIZONS.iter().find(|x| x.eq_ignore_ascii_case(name)).filter(|_| (1..=6).contains(&level))
            {
                out.push((
                    i,
                    format!("`{t}` looks like the horizon heading `## {horizon}` but is not one, so the epics below it count under the heading before it; write it as `## {horizon}`"),
                ));
            }
        }
        out
    }

    /// Entries under the horizon heading `name` (case-insensitive).
    pub fn section_entries(&self, name: &str) -> Vec<Entry> {
        self.entries()
            .into_iter()
            .filter(|e| e.section.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(name)))
            .collect()
    }

    /// Remove every line naming `id`. Returns how many were removed.
    pub fn remove(&mut self, id: &str) -> usize {
        let lines: Vec<usize> = self.entries().iter().filter(|e| e.id == id).map(|e| e.line).collect();
        for &i in lines.iter().rev() {
            self.lines.remove(i);
            // Emptying a section would leave two blank lines in a row: keep one.
            let blank = |l: Option<&String>| l.is_some_and(|l| l.trim().is_empty());
            if i > 0 && blank(self.lines.get(i - 1)) && blank(self.lines.get(i)) {
                self.lines.remove(i);
            }
        }
        lines.len()
    }

    /// The first line naming `id`, without its line ending.
    pub fn entry_text(&self, id: &str) -> Option<String> {
        let e = self.entries().into_iter().find(|e| e.id == id)?;
        Some(self.lines[e.line].trim_end_matches(['\n', '\r']).to_string())
    }

    /// Take out every line naming `id`, for a move: other lines (blank ones too) stay as they
    /// are. Returns the first such line without its line ending, to be put back elsewhere.
    pub fn take(&mut self, id: &str) -> Option<String> {
        let lines: Vec<usize> = self.entries().iter().filter(|e| e.id == id).map(|e| e.line).collect();
        let first = lines.first().map(|&i| self.lines[i].trim_end_matches(['\n', '\r']).to_string());
        for &i in lines.iter().rev() {
            self.lines.remove(i);
        }
        first
    }

    /// Put the entries in `order` (indexes into [`ListFile::entries`], each once): entry line
    /// `k` gets the text of entry `order[k]`, with its own line ending; every other line stays.
    pub fn reorder_entries(&mut self, order: &[usize]) {
        let slots: Vec<usize> = self.entries().iter().map(|e| e.line).collect();
        assert_eq!(order.len(), slots.len(), "an order of every entry");
        let texts: Vec<String> =
            slots.iter().map(|&l| self.lines[l].trim_end_matches(['\n', '\r']).to_string()).collect();
        for (&slot, &from) in slots.iter().zip(order) {
            let old = &self.lines[slot];
            let ending = old[old.trim_end_matches(['\n', '\r']).len()..].to_string();
            self.lines[slot] = format!("{}{ending}", texts[from]);
        }
    }

    /// Replace the line of the first entry naming `id` (for a refreshed title or link).
    pub fn replace(&mut self, id: &str, link: &str, title: &str) -> bool {
        let Some(e) = self.entries().into_iter().find(|e| e.id == id) else {
            return false;
        };
        let old = &self.lines[e.line];
        let ending = &old[old.trim_end_matches(['\n', '\r']).len()..];
        let indent_len = old.len() - old.trim_start().len();
        let marker_len = 2; // "- " or "* "
        let prefix = old[..indent_len + marker_len].to_string();
        self.lines[e.line] = format!("{prefix}[{id}]({link}) {title}{ending}");
        true
    }

    /// Insert an entry line so that it becomes entry number `index` (0-based) among `within`
    /// (the entries of the list or section it joins), or after the last when `index` is past
    /// the end. With no entries to stand beside, it goes after `anchor_line` (a heading),
    /// or at the end of the file.
    fn insert_among(&mut self, within: &[Entry], index: usize, line: String, anchor_line: Option<usize>) {
        let line = format!("{line}{}", self.eol);
        if let Some(e) = within.get(index) {
            self.lines.insert(e.line, line);
        } else if let Some(last) = within.last() {
            self.ensure_terminated(last.line);
            self.lines.insert(last.line + 1, line);
        } else if let Some(h) = anchor_line {
            self.ensure_terminated(h);
            let mut at = h + 1;
            if self.lines.get(at).is_some_and(|l| l.trim().is_empty()) {
                at += 1;
            } else {
                self.lines.insert(at, self.eol.to_string());
                at += 1;
            }
            self.lines.insert(at, line);
            if self.lines.get(at + 1).is_some_and(|l| !l.trim().is_empty()) {
                self.lines.insert(at + 1, self.eol.to_string());
            }
        } else {
            if let Some(last) = self.lines.len().checked_sub(1) {
                self.ensure_terminated(last);
                if !self.lines[last].trim().is_empty() {
                    self.lines.push(self.eol.to_string());
                }
            }
            self.lines.push(line);
        }
    }

    fn ensure_terminated(&mut self, i: usize) {
        if !self.lines[i].ends_with('\n') {
            self.lines[i].push_str(self.eol);
        }
    }

    /// Put an entry at 0-based position `index` of the whole list (past the end: last).
    pub fn insert_at(&mut self, index: usize, line: String) {
        let entries = self.entries();
        self.insert_among(&entries, index, line, None);
    }

    /// In one pass: drop the entry lines of `leave`, and write the entry lines of `retitle`
    /// (ID to the new line) in their place; every other line stays.
    pub fn rewrite_entries(
        &mut self,
        leave: &std::collections::HashSet<String>,
        retitle: &std::collections::HashMap<String, String>,
    ) {
        let entries = self.entries();
        let at: std::collections::HashMap<usize, &str> = entries.iter().map(|e| (e.line, e.id.as_str())).collect();
        let eol = self.eol;
        let lines = std::mem::take(&mut self.lines);
        for (i, line) in lines.into_iter().enumerate() {
            match at.get(&i) {
                Some(id) if leave.contains(*id) => {}
                Some(id) => match retitle.get(*id) {
                    Some(new) => self.lines.push(format!("{new}{eol}")),
                    None => self.lines.push(line),
                },
                None => self.lines.push(line),
            }
        }
    }

    /// Put entries after the last one, in order (under the horizon heading `section`, for a
    /// roadmap), reading the list twice however many there are: `insert_at` for each of an
    /// import's 10,000 stories would read it 10,000 times.
    pub fn append_entries(&mut self, section: Option<&str>, lines: &[String]) {
        let Some((first, rest)) = lines.split_first() else { return };
        match section {
            Some(s) => self.insert_in_section(s, usize::MAX, first.clone()),
            None => self.insert_at(usize::MAX, first.clone()),
        }
        let entries = match section {
            Some(s) => self.section_entries(s),
            None => self.entries(),
        };
        let at = entries
            .iter()
            .rfind(|e| self.lines[e.line].trim_end() == first.as_str())
            .map_or(self.lines.len(), |e| e.line + 1);
        let eol = self.eol;
        self.lines.splice(at..at, rest.iter().map(|l| format!("{l}{eol}")));
    }

    /// Put an entry at 0-based position `index` under the horizon heading `section`.
    /// A missing heading is added at the end of the file.
    pub fn insert_in_section(&mut self, section: &str, index: usize, line: String) {
        let heading = self.heading_line(section).unwrap_or_else(|| {
            let last = self.lines.len().checked_sub(1);
            if let Some(last) = last {
                self.ensure_terminated(last);
                if !self.lines[last].trim().is_empty() {
                    self.lines.push(self.eol.to_string());
                }
            }
            self.lines.push(format!("## {section}{}", self.eol));
            self.lines.len() - 1
        });
        let within = self.section_entries(section);
        self.insert_among(&within, index, line, Some(heading));
    }

    fn heading_line(&self, section: &str) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| l.trim_end().strip_prefix("## ").is_some_and(|h| h.trim().eq_ignore_ascii_case(section)))
    }
}

/// A list line whose ID names no item while the file it links to says another ID. Either the
/// file's name agrees with the line (`[S-19](stories/S-19-a.md)`, the file saying `id: S-91`):
/// most likely a mistyped `id:`; or the file's name agrees with the file (`[E-2](stories/
/// S-10-a.md)`, the file saying `id: S-10`): a mistyped line. Treating either as an ID changed
/// on purpose (rename the file, drop the line, add the file's ID at the bottom) would lose the
/// item's place, so `pm fmt` leaves both alone and `pm check` and `pm backlog` say what happened.
#[derive(Debug)]
pub struct Relabelled<'e> {
    pub entry: &'e Entry,
    /// The ID the file says.
    pub says: String,
    /// Whether another item carries that ID already (then it cannot be meant).
    pub says_taken: bool,
    /// Whether the line is the odd one out (the file's name and its `id:` agree).
    pub line_typo: bool,
}

impl Relabelled<'_> {
    /// What happened, said of the line.
    pub fn message(&self) -> String {
        let Entry { id, link, .. } = self.entry;
        let says = &self.says;
        if self.line_typo {
            return format!("this line says {id} but links to {says}'s file {link}");
        }
        format!("{id}'s file {link} says `id: {says}`, though its name and this line say {id}")
    }

    /// How to mend it (either way, when both are open).
    pub fn hint(&self) -> String {
        let (id, says) = (&self.entry.id, &self.says);
        if self.line_typo {
            return format!("if {id} is a typo, write {says} in this line (`pm fmt` then refreshes it)");
        }
        if self.says_taken {
            return format!("{says} is another item's ID: write `id: {id}` back in that file");
        }
        format!(
            "if {says} is a typo, write `id: {id}` back in that file; to give it {says}, change this line to {says} as well, then run `pm fmt`"
        )
    }
}

/// The entries of `entries` that are [`Relabelled`]: `names_item` says whether an ID names an
/// item of the list's kind, `says` gives the ID the item file at a link says, if one does, and
/// `elsewhere(id, link)` whether a file other than the one at `link` carries `id`.
pub fn relabelled<'e>(
    entries: &'e [Entry],
    names_item: impl Fn(&str) -> bool,
    says: impl Fn(&str) -> Option<String>,
    elsewhere: impl Fn(&str, &str) -> bool,
) -> Vec<Relabelled<'e>> {
    (entries.iter())
        .filter(|e| !names_item(&e.id))
        .filter_map(|e| {
            let name = e.link.rsplit('/').next()?;
            let named = crate::model::id::ItemId::from_file_name(name)?.to_string();
            let says = says(&e.link)?;
            let says_taken = elsewhere(&says, &e.link);
            let line_typo = named == says;
            ((named == e.id || line_typo) && says != e.id).then_some(Relabelled {
                entry: e,
                says,
                says_taken,
                line_typo,
            })
        })
        .collect()
}

/// Of the files (paths inside `product/`) that carry `id`, the one to give a new ID: one no line
/// names with `id` (`listed(id, rel)`, a copy), and of those one whose name says another ID (a
/// mistyped `id:`); else the last. The item keeps the ID its lines and links know.
pub fn to_renumber(id: &str, rels: &[&str], listed: impl Fn(&str, &str) -> bool) -> usize {
    let misnamed = |rel: &str| {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        crate::model::id::ItemId::from_file_name(name).is_none_or(|n| n.to_string() != id)
    };
    let unlisted = |k: &usize| !listed(id, rels[*k]);
    let last = rels.len().saturating_sub(1);
    ((0..rels.len()).rev().filter(unlisted).find(|&k| misnamed(rels[k])))
        .or_else(|| (0..rels.len()).rev().find(unlisted))
        .unwrap_or(last)
}

/// The ID of an entry line (`- [ID](link) title`), borrowed: what `entries` reads as its ID.
pub fn entry_id(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")).or_else(|| t.strip_prefix("+ "))?;
    let t = t.strip_prefix('[')?;
    let (id, rest) = t.split_once("](")?;
    rest.find(')')?;
    crate::model::id::ItemId::is_valid(id).then_some(id)
}

/// Parse `- [ID](link) title` (also `*` or `+` bullets, any indentation).
fn parse_entry(line: &str) -> Option<(String, String, String)> {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")).or_else(|| t.strip_prefix("+ "))?;
    let t = t.strip_prefix('[')?;
    let (id, rest) = t.split_once("](")?;
    crate::model::id::ItemId::parse(id)?;
    let (link, title) = rest.split_once(')')?;
    Some((id.to_string(), link.to_string(), title.trim().to_string()))
}

/// A line that tries to be an entry of an item whose ID starts with `prefix` and does not read
/// as one: a list marker (`-`, `*`, `+`, or a number as in `1.`), then in brackets a token
/// shaped like an ID (`S-2`, `S2`, `s-02`) followed by `]` or `(` (`-[S-2](y)`, `- [S2](y) x`,
/// `- [S-2] (y)`, `- [S-2(y) x`, `1. [S-2](y) x`), or, not indented, the ID itself without
/// brackets (`- S-22 Title`). Task boxes (`- [ ] note`), links to pages (`- [Q3 goals](q.md)`),
/// sub-bullets (`  - S-3 must land first`) and prose (`- COVID-19 rules`) are not.
pub fn looks_like_entry(line: &str, prefix: &str) -> bool {
    parse_entry(line).is_none() && attempted_id(line, prefix).is_some()
}

/// The ID the file name of a line's link carries (`(stories/S-8-split.md)`), if any.
fn linked_id(line: &str) -> Option<crate::model::id::ItemId> {
    let open = line.find('(')?;
    let inside = &line[open + 1..];
    let link = &inside[..inside.find(')')?];
    crate::model::id::ItemId::from_file_name(link.rsplit('/').next()?)
}

/// What to say of a line [`looks_like_entry`] finds, naming the ID it holds when there is one.
pub fn malformed_message(id: Option<&str>) -> String {
    match id {
        Some(id) => format!("this line looks like the entry of {id} but does not read as one"),
        None => "this line looks like an entry but does not read as one".to_string(),
    }
}

/// The ID-shaped token a line that tries to be an entry starts with (see [`looks_like_entry`]).
fn attempted_id<'l>(line: &'l str, prefix: &str) -> Option<&'l str> {
    let indented = line.starts_with([' ', '\t']);
    let t = line.trim_start();
    let numbered = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = if numbered > 0 { t[numbered..].strip_prefix(['.', ')'])? } else { t.strip_prefix(['-', '*', '+'])? };
    let rest = rest.trim_start();
    let (bracket, rest) = match rest.strip_prefix('[') {
        Some(inside) => (true, inside.trim_start()),
        None => (false, rest),
    };
    let letters = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
    let after_letters = &rest[letters..];
    let dash = after_letters.starts_with('-');
    let digits_from = &after_letters[usize::from(dash)..];
    let digits = digits_from.len() - digits_from.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let token = &rest[..letters + usize::from(dash) + digits];
    let next = digits_from[digits..].chars().next();
    let shaped = letters > 0 && digits > 0;
    let attempt = if bracket {
        // `[S-2]`, `[S-2(`: the brackets hold the ID alone, as an entry's do.
        shaped && matches!(next, Some(']' | '('))
    } else {
        // Without brackets, only this list's own IDs at the start of a top-level line.
        let ends = next.is_none_or(|c| c.is_whitespace() || matches!(c, ':' | ','));
        shaped && dash && ends && !indented && token[..letters] == *prefix
    };
    attempt.then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_and_keeps_other_lines() {
        let text =
            "# Backlog\n\n<!-- c -->\n\n- [S-2](stories/S-2-b.md) B\n* [S-1](stories/S-1-a.md) A\n- not an entry\n";
        let f = ListFile::parse(text);
        let ids: Vec<_> = f.entries().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["S-2", "S-1"]);
        let fast: Vec<_> = text.lines().filter_map(entry_id).collect();
        assert_eq!(fast, ["S-2", "S-1"]);
        for bad in ["- [S-01](a) x", "- [S-1](a x", "- [S1](a) x", "- [S-99999999999999999999](a) x", "-[S-1](a) x"] {
            assert_eq!(entry_id(bad), None, "{bad}");
            assert!(ListFile::parse(bad).entries().is_empty(), "{bad}");
        }
        assert_eq!(f.text(), text);
    }

    #[test]
    fn tells_damaged_entries_from_prose() {
        let damaged = [
            ("-[S-2](y) x", Some("S-2")),
            ("- [S2](y) x", None),
            ("- [S8](stories/S-8-split.md) Split", Some("S-8")),
            ("- [S-2] (y) x", Some("S-2")),
            ("- [S-18(stories/S-18-a.md) A", Some("S-18")),
            ("- S-22 Title", Some("S-22")),
            ("* S-22: Title", Some("S-22")),
            ("- [s-02](y) x", None),
            ("- [S-2]", Some("S-2")),
            ("1. [S-17](stories/S-17-a.md) A", Some("S-17")),
            ("12) [S-17](y) A", Some("S-17")),
            ("  - [S-2](y x", Some("S-2")),
        ];
        for (line, id) in damaged {
            assert!(looks_like_entry(line, "S"), "{line}");
            assert_eq!(ListFile::parse(line).malformed("S"), vec![(0, id.map(str::to_string))], "{line}");
        }
        let prose = [
            "- [ ] task",
            "- [x] done",
            "- [Notes](notes.md)",
            "- [Q3 goals](notes/q3.md)",
            "- [v2 migration plan](notes/v2.md)",
            "- Q3 goals",
            "- E-mail support",
            "- S-2x",
            "S-2 x",
            "- [S-2](y) x",
            "  - S-3 must land first",
            "- COVID-19 rules apply",
            "- JIRA-123: legacy ticket",
            "1. First, rank by value",
            "2024. A year",
        ];
        for line in prose {
            assert!(!looks_like_entry(line, "S"), "{line}");
        }
    }

    #[test]
    fn odd_headings_are_named() {
        let f = ListFile::parse("# Roadmap\n\n## Now\n\n##Next\n\n### Later\n\n## Now\n\n## Later:\n\n## Someday\n");
        let lines: Vec<usize> = f.odd_headings().into_iter().map(|(l, _)| l).collect();
        assert_eq!(lines, [4, 6, 8]);
        assert!(f.odd_headings()[0].1.starts_with("`##Next` looks like the horizon heading `## Next`"));
        assert!(ListFile::parse(&ListFile::new_roadmap()).odd_headings().is_empty());
    }

    #[test]
    fn moves_are_one_line() {
        let text = "# B\n\n- [S-1](a) A\n- [S-2](b) B\n- [S-3](c) C\n";
        let mut f = ListFile::parse(text);
        f.remove("S-3");
        f.insert_at(0, ListFile::entry_line("S-3", "c", "C"));
        assert_eq!(f.text(), "# B\n\n- [S-3](c) C\n- [S-1](a) A\n- [S-2](b) B\n");
        f.insert_at(99, ListFile::entry_line("S-4", "d", "D"));
        assert!(f.text().ends_with("- [S-2](b) B\n- [S-4](d) D\n"));
    }

    #[test]
    fn appends_to_an_empty_backlog() {
        let mut f = ListFile::parse(&ListFile::new_backlog());
        f.insert_at(0, ListFile::entry_line("S-1", "a", "A"));
        assert_eq!(f.text(), format!("{}- [S-1](a) A\n", ListFile::new_backlog()));
    }

    #[test]
    fn inserts_into_empty_and_full_sections() {
        let mut f = ListFile::parse(&ListFile::new_roadmap());
        f.insert_in_section("Next", 0, ListFile::entry_line("E-1", "a", "A"));
        assert!(f.text().contains("## Next\n\n- [E-1](a) A\n\n## Later\n"), "{}", f.text());
        f.insert_in_section("Later", 0, ListFile::entry_line("E-2", "b", "B"));
        assert!(f.text().ends_with("## Later\n\n- [E-2](b) B\n"), "{}", f.text());
        f.insert_in_section("Next", 0, ListFile::entry_line("E-3", "c", "C"));
        assert!(f.text().contains("## Next\n\n- [E-3](c) C\n- [E-1](a) A\n\n## Later"));
        assert_eq!(f.section_entries("next").len(), 2);
    }
}
