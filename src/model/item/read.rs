//! The one reader of item files: what `pm show`, the loaders, the history walk and `pm check`
//! all read an item with.
//!
//! It is tolerant: it reads whatever can be read and returns [`Diagnostic`]s (rule code,
//! position, message, hint) for the rest, so a file without an `id` or with a wrong-typed
//! field still yields a [`Reading`] that `pm check` can go on with. [`super::Item::parse`] is
//! this reader with its first diagnostic as the error. Only a file whose front matter cannot
//! be read at all yields no reading. The rules here are those about the structure of one file
//! (front matter, the identity fields, field types); rules about allowed values, file names,
//! criteria and links are `pm check`'s.

use serde_yaml::Value;

use crate::model::config::Config;
use crate::model::criteria::Criteria;
use crate::model::fields::Fields;
use crate::model::frontmatter::{self, Split};
use crate::model::id::{ItemId, Kind, id_hint};
use crate::model::item::{is_scalar, scalar_string};

/// One problem of an item file, with the rule code `pm check` reports it under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: String,
}

impl Diagnostic {
    /// The same diagnostic with a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = hint.into();
        self
    }
}

/// What could be read of an item file.
#[derive(Debug, Clone)]
pub struct Reading {
    pub split: Split,
    pub fields: Fields,
    /// The kind, from the ID's prefix or else from the folder.
    pub kind: Option<Kind>,
    /// The ID, when the `id` field holds a valid one with a known prefix.
    pub id: Option<ItemId>,
    pub title: Option<String>,
    pub status: Option<String>,
    /// The acceptance criteria, for a story.
    pub criteria: Criteria,
}

/// The hint for YAML that does not parse.
pub const YAML_HINT: &str =
    "fix the YAML between the `---` lines; quote values that contain `: ` or start with a special character";

/// When the front matter that does not parse holds a Markdown heading (`## Acceptance
/// criteria`), its closing `---` is most likely missing and a `---` rule in the body closed it:
/// how to fix that, naming that line.
fn unclosed_into_body(text: &str, split: &Split) -> Option<String> {
    let yaml = text.get(split.yaml.clone())?;
    let first = text[..split.yaml.start].matches('\n').count() + 1;
    let heading = yaml.lines().position(|l| l.starts_with("## ") || l.starts_with("# "))?;
    let closing = first + yaml.matches('\n').count();
    Some(format!(
        "the front matter runs into the body (line {} is a heading): its closing `---` is missing, and the `---` on line {closing} closed it; add a `---` line after the last field",
        first + heading
    ))
}

/// When front matter does not parse because of a character YAML takes for a line break but an
/// editor shows inside a line (a bare CR, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR): the first
/// one, with its line and column (lines counted by `\n`) and its name. The parser's own line
/// number counts those breaks, so it does not point at the cause. Such a character is the
/// cause when the front matter parses with every one of them made a space.
fn odd_line_break(text: &str, split: &Split) -> Option<((usize, usize), &'static str)> {
    let range = split.yaml.clone();
    let yaml = text.get(range.clone())?;
    let odd = |(i, c): &(usize, char)| match c {
        '\r' => yaml.as_bytes().get(i + 1) != Some(&b'\n'),
        '\u{85}' | '\u{2028}' | '\u{2029}' => true,
        _ => false,
    };
    let (at, c) = yaml.char_indices().find(odd)?;
    let mut spaced = String::with_capacity(text.len());
    spaced.push_str(&text[..range.start]);
    for (i, c) in yaml.char_indices() {
        match odd(&(i, c)) {
            true => spaced.extend(std::iter::repeat_n(' ', c.len_utf8())),
            false => spaced.push(c),
        }
    }
    spaced.push_str(&text[range.end..]);
    frontmatter::parse(&spaced, split).ok()?;
    let before = &text[..range.start + at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let name = match c {
        '\r' => "a carriage return (CR) not followed by a line feed",
        '\u{85}' => "U+0085 NEXT LINE",
        '\u{2028}' => "U+2028 LINE SEPARATOR",
        _ => "U+2029 PARAGRAPH SEPARATOR",
    };
    Some(((line, column), name))
}

/// Read the item file at `rel` (inside `product/`) holding `text`.
pub fn read(text: &str, rel: &str, config: &Config) -> (Option<Reading>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    if let Some(line) = crate::model::merge::conflict_line(text) {
        // A file in the middle of a merge: its fields are not its own yet, so nothing else is said.
        let (message, hint) = (crate::model::merge::CONFLICT_MESSAGE, crate::model::merge::CONFLICT_HINT);
        out.push(diagnostic("file/conflict-markers", (line, 1), message, hint));
        return (None, out);
    }
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(e) => {
            out.push(diagnostic("parse/front-matter", (e.line, 1), e.message, e.hint));
            return (None, out);
        }
    };
    let fields = match frontmatter::parse(text, &split) {
        Ok(m) => m,
        Err(e) => {
            out.push(match odd_line_break(text, &split) {
                Some((at, name)) => diagnostic(
                    "parse/front-matter",
                    at,
                    format!("invalid YAML in front matter: {name} here ends the line, as YAML reads it"),
                    "put the value in double quotes, or remove the character",
                ),
                None => match unclosed_into_body(text, &split) {
                    Some(hint) => diagnostic("parse/front-matter", (e.line, e.column), e.message, hint),
                    None => {
                        diagnostic("parse/front-matter", (e.line, e.column), e.message, e.hint.unwrap_or(YAML_HINT))
                    }
                },
            });
            return (None, out);
        }
    };
    let mut r = Reading {
        split,
        fields,
        kind: Kind::of_folder_path(rel),
        id: None,
        title: None,
        status: None,
        criteria: Criteria::default(),
    };
    let at = Positions { text, split: &r.split };
    // The ID the file's name carries: what a missing or mistyped `id` most likely was.
    let named = ItemId::from_file_name(rel.rsplit('/').next().unwrap_or(rel)).map(|i| i.to_string());
    let example = named.as_deref().unwrap_or("<an ID no other file has; a note needs no front matter>");
    if let Some(id_text) = required(&r.fields, &at, "id", example, &mut out) {
        match ItemId::parse(&id_text) {
            None => out.push(diagnostic(
                "id/format",
                at.value_pos("id"),
                crate::model::id::not_an_id(&id_text),
                match loose_id(&id_text, config) {
                    Some(id) => format!("did you mean `{id}`? {}", id_hint(&config.prefixes.story)),
                    None => id_hint(&config.prefixes.story),
                },
            )),
            Some(id) => match config.kind_of(&id) {
                None => out.push(diagnostic(
                    "id/format",
                    at.value_pos("id"),
                    format!("`{id}` has no known prefix"),
                    format!(
                        "{}prefixes are {} (vision), {} (epic), {} (story); set them in pm.yaml",
                        loose_id(&id_text, config).map(|i| format!("did you mean `{i}`? ")).unwrap_or_default(),
                        config.prefixes.vision,
                        config.prefixes.epic,
                        config.prefixes.story
                    ),
                )),
                Some(kind) => {
                    r.kind = Some(kind);
                    r.id = Some(id);
                }
            },
        }
    }
    r.title = required(&r.fields, &at, "title", "A short title", &mut out);
    let example = r.kind.map(|k| config.default_status(k)).unwrap_or("draft");
    r.status = match r.kind {
        // Feedback is triaged, not worked on: without a status it is new.
        Some(Kind::Feedback) if r.fields.get("status").is_none() => Some(example.to_string()),
        _ => required(&r.fields, &at, "status", example, &mut out),
    };
    if let Some(kind) = r.kind {
        types(&r.fields, &at, kind, &mut out);
    }
    if r.kind == Some(Kind::Story) {
        r.criteria = Criteria::parse(&text[r.split.body.clone()]);
    }
    (Some(r), out)
}

/// An ID written loosely, as pm writes it: `S8`, `s-8`, `S-08` and `S 8` are `S-8` when `S` is
/// a configured prefix (in any case).
fn loose_id(text: &str, config: &Config) -> Option<String> {
    let t = text.trim();
    let letters = t.len() - t.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
    let number = t[letters..].trim_start_matches(['-', ' ', '_']);
    if letters == 0 || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u64 = number.parse().ok()?;
    let kind = Kind::ALL.into_iter().find(|k| config.prefix(*k).eq_ignore_ascii_case(&t[..letters]))?;
    Some(ItemId::new(config.prefix(kind), number).to_string())
}

fn diagnostic(
    code: &'static str,
    (line, column): (usize, usize),
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    Diagnostic { code, line: line.max(1), column: column.max(1), message: message.into(), hint: hint.into() }
}

/// A required single-valued field; reports it missing, empty or not a single value.
fn required(fields: &Fields, at: &Positions, key: &str, example: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    match fields.get(key) {
        None => {
            // A key one slip away (`stauts:`) is most likely this one, misspelt.
            let keys: Vec<String> = fields.keys().filter_map(scalar_string).collect();
            let near = crate::error::did_you_mean(key, keys.iter().map(String::as_str)).filter(|k| k != key);
            let hint = match near {
                Some(k) => format!("rename `{k}` to `{key}`: the front matter has no `{key}`"),
                None => format!("add a line `{key}: {example}` to the front matter"),
            };
            out.push(diagnostic("field/required", (1, 1), format!("missing required field `{key}`"), hint));
            None
        }
        Some(v) => match scalar_string(v) {
            Some(s) if !s.trim().is_empty() => Some(s),
            Some(_) => {
                out.push(diagnostic(
                    "field/required",
                    at.value_pos(key),
                    format!("required field `{key}` is empty"),
                    format!("give it a value, such as `{key}: {example}`"),
                ));
                None
            }
            None => {
                out.push(not_single(at, key));
                None
            }
        },
    }
}

fn not_single(at: &Positions, key: &str) -> Diagnostic {
    diagnostic(
        "field/invalid-value",
        at.value_pos(key),
        format!("`{key}` must be a single value, not a list or mapping"),
        format!("write it as `{key}: value`"),
    )
}

/// The types of the known fields of an item of `kind`: single values, whole numbers, lists.
fn types(fields: &Fields, at: &Positions, kind: Kind, out: &mut Vec<Diagnostic>) {
    let scalars: &[&str] = match kind {
        Kind::Story => &["owner", "epic", "priority", "sprint", "reviewed"],
        Kind::Epic => &["owner", "vision", "target", "reviewed"],
        Kind::Vision => &["owner"],
        Kind::Sprint => &["owner", "start", "end", "goal"],
        Kind::Feedback => &["owner", "from", "date", "weight"],
    };
    for key in scalars {
        if fields.get(key).is_some_and(|v| !is_scalar(v)) {
            out.push(not_single(at, key));
        }
    }
    let number = match kind {
        Kind::Story => Some("points"),
        Kind::Sprint => Some("capacity"),
        Kind::Feedback => Some("weight"),
        _ => None,
    };
    if let Some(key) = number {
        match fields.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.as_u64().is_some() => {}
            Some(v) => {
                let (message, hint) = not_a_count(key, v);
                out.push(diagnostic("field/invalid-value", at.value_pos(key), message, hint));
            }
        }
    }
    let dates: &[&str] = match kind {
        Kind::Sprint => &["start", "end"],
        Kind::Epic => &["target"],
        Kind::Feedback => &["date"],
        _ => &[],
    };
    for key in dates {
        let text = fields.get(key).and_then(scalar_string);
        if let Some(text) = text.filter(|t| !t.is_empty())
            && crate::model::sprint::parse_date(&text).is_none()
        {
            out.push(diagnostic(
                "field/invalid-value",
                at.value_pos(key),
                format!("`{key}: {text}` is not a date"),
                format!("write it as `{key}: 2026-12-07` (YYYY-MM-DD)"),
            ));
        }
    }
    let quoted = |(line, column): (usize, usize)| {
        at.line_text(line).chars().nth(column.saturating_sub(1)).is_some_and(|c| c == '"' || c == '\'')
    };
    for key in ["labels", "depends_on", "stories", "epics"] {
        let own = match key {
            "depends_on" => kind == Kind::Story,
            "stories" | "epics" => kind == Kind::Feedback,
            _ => true,
        };
        if !own {
            continue;
        }
        let bad = match fields.get(key) {
            Some(Value::Sequence(items)) => items.iter().any(|v| !is_scalar(v)),
            Some(Value::Mapping(_)) => true,
            // `labels: a, b` is the one label `a, b`: almost always meant as two.
            // A quoted value (`"Smith, John"`) is one on purpose.
            Some(Value::String(text)) if text.contains(',') && !quoted(at.value_pos(key)) => {
                let parts: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
                let one = if key == "labels" { "one label" } else { "one ID" };
                out.push(diagnostic(
                    "field/invalid-value",
                    at.value_pos(key),
                    format!("`{key}: {text}` is {one}, `{text}`, as written without brackets"),
                    format!("for a list, write `{key}: [{}]`", parts.join(", ")),
                ));
                false
            }
            _ => false,
        };
        if bad {
            out.push(diagnostic(
                "field/invalid-value",
                at.value_pos(key),
                format!("`{key}` must be a list of single values"),
                format!("write it as `{key}: [a, b]`"),
            ));
        }
    }
}

/// What is wrong with a count (`points`, `capacity`) that is not one, and how to write it.
pub fn not_a_count(key: &str, value: &Value) -> (String, String) {
    let example = match key {
        "points" => 3,
        "weight" => 2,
        _ => 20,
    };
    let message = format!("`{key}` must be a whole number, 0 or more");
    // `points: "5"`: the number is there, in quotes that make it text.
    match scalar_string(value).filter(|t| t.trim().parse::<u64>().is_ok()) {
        Some(n) => (message, format!("remove the quotes: `{key}: {}`", n.trim())),
        None => (message, format!("write it as `{key}: {example}`")),
    }
}

/// An item file and what the reader read of it (reached through `Deref`), with the positions
/// rules point at.
#[derive(Debug)]
pub struct ItemFile<'a> {
    /// Path inside `product/`.
    pub rel: &'a str,
    pub text: &'a str,
    pub reading: Reading,
}

impl std::ops::Deref for ItemFile<'_> {
    type Target = Reading;

    fn deref(&self) -> &Reading {
        &self.reading
    }
}

impl<'a> ItemFile<'a> {
    fn positions(&self) -> Positions<'a, '_> {
        Positions { text: self.text, split: &self.reading.split }
    }

    /// The 1-based file line of every top-level key (see [`frontmatter::key_lines`]).
    pub fn key_lines(&self) -> std::collections::HashMap<&'a str, usize> {
        frontmatter::key_lines(self.text, &self.reading.split)
    }

    /// A diagnostic at `(line, column)` of this file (add a hint with [`Diagnostic::hint`]).
    pub fn finding(&self, code: &'static str, pos: (usize, usize), message: impl Into<String>) -> Diagnostic {
        diagnostic(code, pos, message, "")
    }

    /// The 1-based file line of a top-level key.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        self.positions().key_line(key)
    }

    /// Line and column of a key's value (the key's line, column after `key: `), or 1:1.
    pub fn value_pos(&self, key: &str) -> (usize, usize) {
        self.positions().value_pos(key)
    }

    /// Line and column of `needle` inside a key's value (which may continue on the lines below,
    /// as a block list does); the key's position when it is not found.
    pub fn needle_pos(&self, key: &str, needle: &str) -> (usize, usize) {
        let Some(start) = self.key_line(key) else { return (1, 1) };
        let last = self.split.body_line.saturating_sub(2);
        for line in start..=last.max(start) {
            let text = self.line_text(line);
            if line > start && !text.starts_with([' ', '\t', '-']) {
                break;
            }
            let from = if line == start { key.len() + 1 } else { 0 };
            if let Some(i) = find_word(text, needle, from) {
                return (line, text[..i].chars().count() + 1);
            }
        }
        (start, 1)
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &'a str {
        self.positions().line_text(line)
    }

    /// A single-valued, non-empty field as text.
    pub fn scalar(&self, key: &str) -> Option<String> {
        self.fields.get(key).and_then(scalar_string).filter(|s| !s.trim().is_empty())
    }

    /// A list field read leniently: a single value is a one-item list, non-scalars are skipped.
    pub fn list(&self, key: &str) -> Vec<String> {
        match self.fields.get(key) {
            Some(Value::Sequence(items)) => items.iter().filter_map(scalar_string).filter(|s| !s.is_empty()).collect(),
            Some(v) => scalar_string(v).filter(|s| !s.is_empty()).into_iter().collect(),
            None => Vec::new(),
        }
    }

    pub fn id_text(&self) -> Option<String> {
        self.id.as_ref().map(ToString::to_string)
    }

    /// Whether the item is open (has a status that does not close it).
    pub fn is_open(&self, config: &Config) -> bool {
        self.status.as_deref().is_some_and(|s| !config.is_closed(s))
    }

    pub fn is_closed(&self, config: &Config) -> bool {
        self.status.as_deref().is_some_and(|s| config.is_closed(s))
    }

    /// What to call the item in messages: its ID, or its file.
    pub fn name(&self) -> String {
        self.id_text().unwrap_or_else(|| self.rel.to_string())
    }
}

/// Byte offset of `needle` in `text` at or after `from`, standing as a whole word (not inside a
/// longer ID: `S-1` does not match in `S-12`).
pub fn find_word(text: &str, needle: &str, from: usize) -> Option<usize> {
    let mut start = from.min(text.len());
    while let Some(i) = text.get(start..)?.find(needle) {
        let at = start + i;
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !word(before) && !word(after) {
            return Some(at);
        }
        start = at + needle.len();
    }
    None
}

/// Positions in an item file's text.
pub struct Positions<'t, 's> {
    pub text: &'t str,
    pub split: &'s Split,
}

impl<'t> Positions<'t, '_> {
    /// The 1-based file line of a top-level key.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        frontmatter::key_line(self.text, self.split, key)
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &'t str {
        self.text.split('\n').nth(line.saturating_sub(1)).unwrap_or("").trim_end_matches('\r')
    }

    /// Line and column of a key's value (the key's line, column after `key: `), or 1:1.
    pub fn value_pos(&self, key: &str) -> (usize, usize) {
        let Some(line) = self.key_line(key) else { return (1, 1) };
        let text = self.line_text(line);
        let after = key.len() + 1;
        let rest = text.get(after..).unwrap_or("");
        let spaces = rest.len() - rest.trim_start().len();
        let col = if rest.trim().is_empty() { 1 } else { text[..after + spaces].chars().count() + 1 };
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, rel: &str) -> Vec<(&'static str, usize, usize, String)> {
        read(text, rel, &Config::default()).1.into_iter().map(|d| (d.code, d.line, d.column, d.message)).collect()
    }

    #[test]
    fn a_whole_item_reads_without_diagnostics() {
        let (r, d) =
            read("---\nid: S-3\ntitle: T\nstatus: draft\n---\n- [ ] AC-1: x\n", "stories/S-3.md", &Config::default());
        assert!(d.is_empty(), "{d:?}");
        let r = r.unwrap();
        assert_eq!(
            (r.kind, r.id.map(|i| i.to_string()), r.title, r.status),
            (Some(Kind::Story), Some("S-3".into()), Some("T".into()), Some("draft".into()))
        );
    }

    #[test]
    fn every_problem_is_a_diagnostic_and_the_rest_is_read() {
        let text = "---\nid: S-01\ntitle: ''\nstatus: [a]\n---\n";
        assert_eq!(
            codes(text, "stories/x.md"),
            [
                ("id/format", 2, 5, "`S-01` is not an ID".into()),
                ("field/required", 3, 8, "required field `title` is empty".into()),
                ("field/invalid-value", 4, 9, "`status` must be a single value, not a list or mapping".into()),
            ]
        );
        let (r, _) = read(text, "stories/x.md", &Config::default());
        assert_eq!(r.unwrap().kind, Some(Kind::Story), "the folder gives the kind");
        let text = "---\nid: S-2\ntitle: T\nstatus: draft\npoints: lots\nlabels: {a: b}\nowner: [x]\n---\n";
        assert_eq!(
            codes(text, "stories/S-2.md"),
            [
                ("field/invalid-value", 7, 8, "`owner` must be a single value, not a list or mapping".into()),
                ("field/invalid-value", 5, 9, "`points` must be a whole number, 0 or more".into()),
                ("field/invalid-value", 6, 9, "`labels` must be a list of single values".into()),
            ]
        );
        assert_eq!(codes("no front matter\n", "stories/S-1.md")[0].0, "parse/front-matter");
        assert_eq!(codes("---\nid: [\n---\n", "stories/S-1.md")[0].0, "parse/front-matter");
        assert_eq!(codes("---\nid: X-1\ntitle: T\nstatus: s\n---\n", "x.md")[0].3, "`X-1` has no known prefix");
    }

    /// A character YAML reads as a line break inside what an editor shows as one line is
    /// named, at its own line and column, when the YAML does not parse; quoted, it reads.
    #[test]
    fn a_line_break_only_yaml_sees_is_named_where_it_is() {
        let message = |name: &str| format!("invalid YAML in front matter: {name} here ends the line, as YAML reads it");
        for (c, name) in [
            ('\u{2028}', "U+2028 LINE SEPARATOR"),
            ('\u{85}', "U+0085 NEXT LINE"),
            ('\u{2029}', "U+2029 PARAGRAPH SEPARATOR"),
            ('\r', "a carriage return (CR) not followed by a line feed"),
        ] {
            let text = format!("---\nid: S-1\ntitle: Fir{c}st\nstatus: draft\n---\n");
            assert_eq!(codes(&text, "stories/S-1.md"), [("parse/front-matter", 3, 11, message(name))], "{c:?}");
        }
        let quoted = "---\nid: S-1\ntitle: \"Fir\u{2028}st\"\nstatus: draft\n---\n";
        assert_eq!(codes(quoted, "stories/S-1.md"), []);
        // Quoted, it is not the cause of another error, which is reported as the parser says.
        let other = "---\nid: S-1\ntitle: \"Fir\u{2028}st\"\nowner: [unclosed\n---\n";
        let found = codes(other, "stories/S-1.md");
        assert_eq!((found.len(), found[0].0), (1, "parse/front-matter"));
        assert!(!found[0].3.contains("LINE SEPARATOR"), "{found:?}");
    }
}
