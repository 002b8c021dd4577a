//! Front matter: finding it in a file, reading it, and editing it without touching other bytes.
//!
//! Reading goes through serde (`serde_yaml`) for meaning. Writing never re-serialises: it edits
//! a lossless `yaml-edit` document, so comments, key order, quoting, unknown keys, line endings
//! and the Markdown body stay exactly as they were. Flat front matter is read by the faster
//! [`fast`] reader, which declines everything outside its small subset.

pub mod fast;

use std::ops::Range;
use std::str::FromStr;

use serde_yaml::Value;

use crate::model::fields::Fields;

/// Where the parts of an item file are, as byte ranges into its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The YAML between the `---` lines, including its last line ending.
    pub yaml: Range<usize>,
    /// Everything after the closing `---` line.
    pub body: Range<usize>,
    /// 1-based line number of the first line of the body.
    pub body_line: usize,
}

/// Why a file has no usable front matter; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub line: usize,
    pub message: &'static str,
    pub hint: &'static str,
}

/// The line ending a file uses, judged by its first line.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Find the front matter: the file must open with a `---` line and a later `---` line closes it
/// (either may end in spaces).
pub fn split(text: &str) -> Result<Split, SplitError> {
    let text_nobom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = text.len() - text_nobom.len();
    let first_end = text_nobom.find('\n').map(|i| i + 1).unwrap_or(text_nobom.len());
    if text_nobom.starts_with("---\r") && !text_nobom.starts_with("---\r\n") {
        return Err(SplitError {
            line: 1,
            message: "the lines end in a carriage return (CR) alone, as on classic Mac OS: pm reads LF or CRLF line ends",
            hint: "save the file with LF (or CRLF) line ends, e.g. `tr '\\r' '\\n'` or your editor's line-ending setting",
        });
    }
    if text_nobom[..first_end].trim_end() != "---" {
        return Err(SplitError {
            line: 1,
            message: "no front matter: the file must start with a `---` line",
            hint: "put the item's fields between two `---` lines at the top, e.g. `---`, `id: S-1`, `title: ...`, `status: draft`, `---`",
        });
    }
    let yaml_start = offset + first_end;
    let mut pos = yaml_start;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map(|i| pos + i + 1).unwrap_or(text.len());
        // Trailing spaces are allowed, as on the opening line (an editor may leave them).
        let content = text[pos..end].trim_end_matches(['\n', '\r']).trim_end_matches([' ', '\t']);
        if content == "---" || content == "..." {
            return Ok(Split { yaml: yaml_start..pos, body: end..text.len(), body_line: line + 1 });
        }
        pos = end;
        line += 1;
    }
    Err(SplitError {
        line: 1,
        message: "unterminated front matter: no closing `---` line",
        hint: "add a line `---` after the last field",
    })
}

/// A YAML error inside front matter, with its 1-based line in the whole file.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub line: usize,
    /// 1-based, in characters; 1 where YAML names no column.
    pub column: usize,
    pub message: String,
    /// How to fix this particular mistake, where pm knows one better than the general advice.
    pub hint: Option<&'static str>,
}

impl YamlError {
    fn at(line: usize, message: String) -> YamlError {
        YamlError { line, column: 1, message, hint: None }
    }
}

/// Parse the front matter's fields. An empty front matter has no fields.
pub fn parse(text: &str, split: &Split) -> Result<Fields, YamlError> {
    let yaml = &text[split.yaml.clone()];
    if yaml.trim().is_empty() {
        return Ok(Fields::default());
    }
    if let Some(m) = fast::parse(yaml) {
        return Ok(m);
    }
    // After the fast reader, which reads no flow brackets nested at all.
    if let Some(at) = too_deep(yaml) {
        // The YAML starts on the file's second line.
        return Err(YamlError {
            column: 1,
            hint: None,
            line: 2 + yaml[..at].matches('\n').count(),
            message: format!("invalid YAML in front matter: brackets nested deeper than {MAX_DEPTH} levels"),
        });
    }
    match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(m)) => Ok(m.into()),
        Ok(Value::Null) => Ok(Fields::default()),
        Ok(_) => Err(YamlError::at(2, "front matter must be a mapping of `key: value` lines".into())),
        Err(e) => {
            // An error found at the end of the YAML (an unclosed bracket) belongs to its last line.
            let last = split.body_line.saturating_sub(2).max(2);
            let line = (e.location().map(|l| l.line()).unwrap_or(1) + 1).min(last);
            let (message, known) = explain(&e.to_string());
            if let Some(k) = known {
                let message = format!("invalid YAML in front matter: {message}");
                return Err(YamlError { line: k.line + 1, column: k.column, message, hint: Some(k.hint) });
            }
            // A reader error (a control character) comes with a byte offset instead of a line.
            let (line, message) = match message.rsplit_once(" at position ").map(|(m, n)| (m, n.parse::<usize>())) {
                Some((m, Ok(at))) => {
                    let at = at.min(yaml.len());
                    let before = &yaml.as_bytes()[..at];
                    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
                    let what = yaml.get(at..).and_then(|r| r.chars().next()).map(|c| format!("U+{:04X} ", c as u32));
                    let line = 2 + before.iter().filter(|&&b| b == b'\n').count();
                    (line, format!("{m} ({}at column {column})", what.unwrap_or_default()))
                }
                _ => (line, message),
            };
            // A repeated key: point at its second occurrence, not the start of the mapping.
            let line = match message.strip_prefix("duplicate entry with key ") {
                Some(key) => {
                    let key = key.trim_matches('"');
                    let yaml_lines: Vec<&str> = yaml.split('\n').collect();
                    yaml_lines
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
                        .nth(1)
                        .map(|(i, _)| i + 2)
                        .unwrap_or(line)
                }
                None => line,
            };
            let hint = message
                .starts_with("duplicate entry with key ")
                .then_some("a field may appear once: keep one of the two lines and remove the other");
            Err(YamlError { hint, ..YamlError::at(line, format!("invalid YAML in front matter: {message}")) })
        }
    }
}

/// Where a YAML mistake pm can name better than the parser is, and how to fix it.
struct Known {
    /// 1-based line of the YAML text.
    line: usize,
    column: usize,
    hint: &'static str,
}

/// The parser's message without its " at line L column C" (the caller prints pm's own
/// location) and, for mistakes whose cause is elsewhere than where the parser stopped, the
/// cause: an unclosed bracket or quote is found lines later, at the next key, but the fix is
/// where it opened.
fn explain(full: &str) -> (String, Option<Known>) {
    let (problem, context) = match full.split_once(", while ") {
        Some((p, c)) => (p, Some(c)),
        None => (full, None),
    };
    let bare = |m: &str| m.find(" at line ").map_or(m, |i| &m[..i]).to_string();
    let mark = |m: &str| -> Option<(usize, usize)> {
        let (_, at) = m.rsplit_once(" at line ")?;
        let (line, column) = at.split_once(" column ")?;
        Some((line.parse().ok()?, column.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()?))
    };
    let opened = || {
        let context = context?;
        let (line, column) = mark(context)?;
        let name = [
            ("parsing a flow sequence", "`[`"),
            ("parsing a flow mapping", "`{`"),
            ("scanning a quoted scalar", "quote"),
        ]
        .into_iter()
        .find(|(c, _)| context.starts_with(c))?
        .1;
        Some((line, column, name))
    };
    if let Some((line, column, name)) = opened() {
        let message = format!("the {name} at column {column} is never closed ({})", bare(problem));
        let hint = if name == "quote" {
            "end the value with the same quote on that line (a `\"` inside a double-quoted value is written `\\\"`)"
        } else {
            "close it on the same line, or put the whole value in quotes"
        };
        return (message, Some(Known { line, column, hint }));
    }
    if problem.starts_with("found a tab character")
        && let Some((line, column)) = mark(problem)
    {
        let message = "a tab character indents this line; YAML indents with spaces".to_string();
        return (message, Some(Known { line, column, hint: "replace the tab with spaces" }));
    }
    (bare(problem), None)
}

/// How deep `[` and `{` may nest in front matter (docs/format.md, "Limits").
pub const MAX_DEPTH: usize = 64;

/// The byte offset where flow brackets first nest deeper than [`MAX_DEPTH`], if they do. The
/// YAML scanner reads a whole flow collection before its depth limit applies, and that costs
/// quadratic time in the depth (100,000 levels: half a minute), so the depth is counted first.
/// Outside brackets, a `[` or `{` opens one only where a value or an item starts (after the
/// indentation, `: ` or a leading `- `): elsewhere it is a character of a plain value (`title: a[[b`),
/// which the fast reader reads too, so both readers agree on every file
/// (fuzz/corpus/field_edit/regression-brackets-in-a-plain-title). Inside brackets, quotes
/// are not told apart: 64 unclosed brackets inside a quoted item are refused too.
fn too_deep(yaml: &str) -> Option<usize> {
    let mut depth = 0usize;
    // Outside brackets: whether a bracket here would open a collection, and whether the last
    // byte was a `:` or an item's `-` that a space makes an indicator.
    let (mut opens, mut indicator) = (true, false);
    for (i, b) in yaml.bytes().enumerate() {
        if depth > 0 {
            match b {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth -= 1,
                _ => {}
            }
            (opens, indicator) = (false, false);
            if depth > MAX_DEPTH {
                return Some(i);
            }
            continue;
        }
        match b {
            b'[' | b'{' if opens => depth = 1,
            b'\n' => (opens, indicator) = (true, false),
            b' ' | b'\t' => opens |= std::mem::take(&mut indicator),
            b':' => (opens, indicator) = (false, true),
            b'-' => (opens, indicator) = (false, opens),
            _ => (opens, indicator) = (false, false),
        }
    }
    None
}

/// The 1-based file line of a top-level key in the front matter, if present.
pub fn key_line(text: &str, split: &Split, key: &str) -> Option<usize> {
    let yaml = &text[split.yaml.clone()];
    yaml.split_inclusive('\n').enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?;
        rest.starts_with(':').then_some(i + 2)
    })
}

/// [`key_line`] of every top-level key at once (the first line of each), for a caller that
/// looks up many: one pass over the front matter instead of one per key (`pm check` of a file
/// with 50,000 unknown fields, docs/reliability.md).
pub fn key_lines<'t>(text: &'t str, split: &Split) -> std::collections::HashMap<&'t str, usize> {
    let mut out = std::collections::HashMap::new();
    for (i, line) in text[split.yaml.clone()].split_inclusive('\n').enumerate() {
        if let Some(colon) = line.find(':') {
            out.entry(&line[..colon]).or_insert(i + 2);
        }
    }
    out
}

/// A value to write into a field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// YAML text of a scalar, already rendered (see [`yaml_scalar`]).
    Scalar(String),
    /// A list of strings; written in the style the field already has (flow when new).
    List(Vec<String>),
    /// Raw YAML for the value, already checked to parse.
    Raw(String),
    /// Remove the field.
    Remove,
}

/// Render a string as a YAML scalar: plain when it reads back as the same string, else quoted.
pub fn yaml_scalar(s: &str) -> String {
    if plain_ok(s, false) { s.to_string() } else { double_quoted(s) }
}

fn yaml_flow_scalar(s: &str) -> String {
    if plain_ok(s, true) { s.to_string() } else { double_quoted(s) }
}

fn plain_ok(s: &str, in_flow: bool) -> bool {
    if s.is_empty() || s.trim() != s || s.contains(['\n', '\r', '\t']) || s.contains(" #") {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    let probe = if in_flow { format!("k: [{s}]") } else { format!("k: {s}") };
    let Ok(Value::Mapping(m)) = serde_yaml::from_str::<Value>(&probe) else {
        return false;
    };
    let v = m.get("k");
    let v = if in_flow {
        match v {
            Some(Value::Sequence(items)) if items.len() == 1 => items.first(),
            _ => None,
        }
    } else {
        v
    };
    matches!(v, Some(Value::String(got)) if got == s)
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // YAML 1.1 reads the line and paragraph separators as line breaks, and folds a
            // break and the spaces after it into one space (found by fuzzing).
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Render a list of strings as a YAML flow sequence: `[a, b]`.
pub fn yaml_flow_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| yaml_flow_scalar(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// Set (or remove) top-level fields of an item file, returning the new text.
///
/// Only the lines of the changed fields change. A field that does not exist yet is added
/// after the last field. The body is never touched.
/// The file line of the first carriage return in the front matter that does not end its line.
/// A bare CR is a line break to YAML but not to the splitter or to yaml-edit's idea of a line:
/// an edit next to one could end a line with CR and turn a `---` into a second document
/// (fuzz/corpus/field_edit/regression-bare-cr-in-a-value), so edits refuse such front matter.
pub fn bare_cr_line(text: &str, split: &Split) -> Option<usize> {
    let bytes = &text.as_bytes()[split.yaml.clone()];
    let at = memchr::memchr_iter(b'\r', bytes).find(|&i| bytes.get(i + 1) != Some(&b'\n'))?;
    Some(text[..split.yaml.start + at].matches('\n').count() + 1)
}

pub const BARE_CR: &str =
    "a carriage return (CR) here does not end its line, so pm cannot edit this front matter safely";

pub fn edit_fields(text: &str, split: &Split, edits: &[(String, FieldValue)]) -> Result<String, String> {
    let yaml = &text[split.yaml.clone()];
    if let Some(line) = bare_cr_line(text, split) {
        return Err(format!("line {line}: {BARE_CR}"));
    }
    let eol = line_ending(text);
    let mut new_yaml = if yaml.trim().is_empty() { String::new() } else { yaml.to_string() };
    for (key, value) in edits {
        new_yaml = edit_one(&new_yaml, key, value, eol)?;
    }
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..split.yaml.start]);
    out.push_str(&new_yaml);
    out.push_str(&text[split.yaml.end..]);
    verify_edit(text, split, &out, edits)?;
    Ok(out)
}

/// `edits` made to a YAML file of top-level keys (`pm.yaml`) as [`edit_fields`] makes them to
/// front matter: only the lines of those keys change.
pub fn edit_yaml_file(text: &str, edits: &[(String, FieldValue)]) -> Result<String, String> {
    if text.lines().any(|l| matches!(l.trim_end(), "---" | "...")) {
        return Err("the file has a YAML document marker (`---` or `...`) line".into());
    }
    let eol = line_ending(text);
    let open = format!("---{eol}");
    let end = if text.is_empty() || text.ends_with('\n') { "" } else { eol };
    let wrapped = format!("{open}{text}{end}{open}");
    let s = split(&wrapped).map_err(|e| e.message.to_string())?;
    let edited = edit_fields(&wrapped, &s, edits)?;
    let inner =
        edited.strip_prefix(&open).and_then(|r| r.strip_suffix(&open)).ok_or("the edit moved the file's end")?;
    Ok(inner.to_string())
}

/// The edited text reads as the old one with exactly `edits` made, or the edit is refused:
/// yaml-edit places a new key by the lines around it, and odd front matter (a key whose
/// value runs on over indented lines) can swallow it, or turn a `---` into a second document
/// (fuzz/corpus/field_edit/regression-*). Nothing is written then. Front matter that did not
/// read before is not compared.
fn verify_edit(before: &str, split: &Split, after: &str, edits: &[(String, FieldValue)]) -> Result<(), String> {
    const UNSAFE: &str = "pm cannot edit this front matter safely (the edited file would read differently \
         than asked); edit the file by hand, or simplify its front matter";
    let Ok(old) = parse(before, split) else { return Ok(()) };
    let split_after = self::split(after).map_err(|_| UNSAFE)?;
    let new = parse(after, &split_after).map_err(|_| UNSAFE)?;
    if after[split_after.body.clone()] != before[split.body.clone()] {
        return Err(UNSAFE.into());
    }
    let (mut old, mut new) = (old.to_mapping(), new.to_mapping());
    for (key, value) in edits {
        old.remove(key.as_str());
        let got = new.remove(key.as_str());
        let same = match (value, &got) {
            (FieldValue::Remove, got) => got.is_none(),
            (FieldValue::Scalar(raw) | FieldValue::Raw(raw), Some(got)) => {
                serde_yaml::from_str::<Value>(raw).is_ok_and(|want| want == *got)
            }
            (FieldValue::List(items), Some(Value::Sequence(got))) => {
                let text = |v: &Value| match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => format!("{other:?}"),
                };
                got.len() == items.len() && got.iter().zip(items).all(|(g, i)| text(g) == *i)
            }
            (FieldValue::List(items), None) => items.is_empty(),
            _ => false,
        };
        if !same {
            return Err(UNSAFE.into());
        }
    }
    if old != new {
        return Err(UNSAFE.into());
    }
    Ok(())
}

fn edit_one(yaml: &str, key: &str, value: &FieldValue, eol: &str) -> Result<String, String> {
    if yaml.trim().is_empty() {
        return Ok(match value {
            FieldValue::Remove => yaml.to_string(),
            other => format!("{key}: {}{eol}", render_new(other)),
        });
    }
    // yaml-edit wants the last line terminated to append after it.
    let terminated = yaml.ends_with('\n');
    let source = if terminated { yaml.to_string() } else { format!("{yaml}{eol}") };
    let doc = yaml_edit::Document::from_str(&source).map_err(|e| e.to_string())?;
    let mapping = doc.as_mapping().ok_or("front matter is not a mapping")?;
    match value {
        FieldValue::Remove => {
            mapping.remove(key);
        }
        FieldValue::List(items) => {
            let block = mapping
                .get(key)
                .map(|node| {
                    let t = node.to_string();
                    let t = t.trim_start();
                    !t.is_empty() && !t.starts_with('[')
                })
                .unwrap_or(false);
            let seq = if block && !items.is_empty() { mapping.get_sequence(key) } else { None };
            if let Some(seq) = seq {
                // Item by item, so the items kept keep their lines (and comments): removed
                // ones go, new ones are added at the end in the list's own indentation.
                let old: Vec<String> = seq.values().map(|v| unquote(&v.to_string())).collect();
                if old.len() == items.len() {
                    // Same length: replace in place the items that differ (a renamed ID).
                    for (i, (o, n)) in old.iter().zip(items).enumerate() {
                        if o != n {
                            seq.set(i, yaml_edit::YamlValue::scalar(n.clone()));
                        }
                    }
                    return Ok(doc.to_string());
                }
                for i in (0..old.len()).rev() {
                    if !items.contains(&old[i]) {
                        seq.remove(i);
                    }
                }
                for item in items.iter().filter(|i| !old.contains(i)) {
                    seq.push(yaml_edit::YamlValue::scalar(item.clone()));
                }
            } else {
                set_raw(&mapping, key, &yaml_flow_list(items))?;
            }
        }
        FieldValue::Scalar(raw) | FieldValue::Raw(raw) => {
            // Keep the quoting style the user chose for this field when the new text allows it.
            let old = mapping.get(key).map(|n| n.to_string()).unwrap_or_default();
            let old = old.trim_start();
            let is_plain_string = !raw.starts_with(['"', '\'']) && yaml_scalar(raw) == *raw;
            let styled = match old.chars().next() {
                Some('"') if is_plain_string => double_quoted(raw),
                Some('\'') if is_plain_string => format!("'{}'", raw.replace('\'', "''")),
                _ => raw.clone(),
            };
            set_raw(&mapping, key, &styled)?
        }
    }
    Ok(doc.to_string())
}

/// The text of a scalar node as a plain string (quotes removed) for comparing list items.
fn unquote(raw: &str) -> String {
    let t = raw.trim();
    match serde_yaml::from_str::<Value>(t) {
        Ok(v) => crate::model::item::scalar_string(&v).unwrap_or_else(|| t.to_string()),
        Err(_) => t.to_string(),
    }
}

fn render_new(value: &FieldValue) -> String {
    match value {
        FieldValue::Scalar(s) | FieldValue::Raw(s) => s.clone(),
        FieldValue::List(items) => yaml_flow_list(items),
        FieldValue::Remove => String::new(),
    }
}

/// Set (`Some(raw)`) or remove (`None`) `key` of the entry of the block list `list` whose
/// `name` is `name` (a vision's metric), returning the new text: only that line changes, or a
/// line is added at the end of the entry.
pub fn edit_list_entry(
    text: &str,
    split: &Split,
    list: &str,
    name: &str,
    key: &str,
    raw: Option<&str>,
) -> Result<String, String> {
    let yaml = &text[split.yaml.clone()];
    let doc = yaml_edit::Document::from_str(yaml).map_err(|e| e.to_string())?;
    let mapping = doc.as_mapping().ok_or("front matter is not a mapping")?;
    let seq = mapping.get_sequence(list).ok_or_else(|| format!("`{list}` is not a list"))?;
    let entry = seq
        .values()
        .filter_map(|v| v.as_mapping().cloned())
        .find(|m| m.get("name").is_some_and(|n| unquote(&n.to_string()) == name))
        .ok_or_else(|| format!("no entry named {name:?} in `{list}`"))?;
    match raw {
        Some(raw) => set_raw(&entry, key, raw)?,
        None => {
            entry.remove(key);
        }
    }
    Ok(format!("{}{}{}", &text[..split.yaml.start], doc, &text[split.yaml.end..]))
}

fn set_raw(mapping: &yaml_edit::Mapping, key: &str, raw: &str) -> Result<(), String> {
    let holder = yaml_edit::Document::from_str(&format!("v: {raw}\n")).map_err(|e| e.to_string())?;
    let node = holder.as_mapping().and_then(|m| m.get("v")).ok_or_else(|| format!("cannot write {raw:?} as YAML"))?;
    mapping.set(key, node);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_that_would_read_differently_is_refused() {
        // yaml-edit indents the new key like the run-on value above it, which swallows it.
        let t = "---\n&s: \n\n at poima:1utitles: fraft\n---\nBody\n";
        let s = split(t).unwrap();
        let e = edit_fields(t, &s, &[("owner".into(), FieldValue::Scalar("Ana".into()))]).unwrap_err();
        assert!(e.starts_with("pm cannot edit this front matter safely"), "{e}");
    }

    #[test]
    fn the_closing_line_may_end_in_spaces_as_the_opening_one() {
        for text in
            ["--- \nid: S-1\n---\nBody\n", "---\nid: S-1\n--- \t\nBody\n", "---\r\nid: S-1\r\n---  \r\nBody\r\n"]
        {
            let s = split(text).unwrap();
            assert_eq!(text[s.yaml.clone()].trim_end(), "id: S-1", "{text:?}");
            assert_eq!(text[s.body.clone()].trim_end(), "Body", "{text:?}");
        }
        assert!(split("---\nid: S-1\n--- x\nBody\n").is_err());
    }

    #[test]
    fn an_unclosed_bracket_or_quote_is_named_where_it_opened() {
        let error = |text: &str| {
            let e = parse(text, &split(text).unwrap()).unwrap_err();
            (e.line, e.column, e.message, e.hint)
        };
        let hint = Some("close it on the same line, or put the whole value in quotes");
        let never = |what: &str, end: &str| {
            format!(
                "invalid YAML in front matter: the {what} at column 8 is never closed (did not find expected ',' or '{end}')"
            )
        };
        assert_eq!(error("---\nid: S-1\ntitle: [Rent\nstatus: done\n---\n"), (3, 8, never("`[`", "]"), hint));
        assert_eq!(error("---\nid: S-1\ntitle: {Rent\nstatus: done\n---\n"), (3, 8, never("`{`", "}"), hint));
        let quote =
            "invalid YAML in front matter: the quote at column 8 is never closed (found unexpected end of stream)";
        let end = Some(
            "end the value with the same quote on that line (a `\"` inside a double-quoted value is written `\\\"`)",
        );
        assert_eq!(error("---\nid: S-1\ntitle: \"Rent\nstatus: done\n---\n"), (3, 8, quote.to_string(), end));
    }

    #[test]
    fn brackets_count_where_a_collection_can_open() {
        let deep = |prefix: &str| too_deep(&format!("{prefix}{}\n", "[".repeat(MAX_DEPTH + 1))).is_some();
        for opens in ["k: ", "k:\t", "", "  ", "- ", "k:\n  - ", "k: [a], b: "] {
            assert!(deep(opens), "{opens:?} opens a collection");
        }
        for plain in ["k: a", "k: a- ", "k: a:", "k: a # ", "# ", "k: \"a", "k: -"] {
            assert!(!deep(plain), "{plain:?} is a plain value");
        }
        assert!(too_deep(&format!("k: [{}]\n", "a, ".repeat(10_000))).is_none());
    }

    fn set(text: &str, key: &str, value: FieldValue) -> String {
        let s = split(text).unwrap();
        edit_fields(text, &s, &[(key.to_string(), value)]).unwrap()
    }

    #[test]
    fn splits_front_matter_and_body() {
        let t = "---\nid: S-1\n---\nbody\n";
        let s = split(t).unwrap();
        assert_eq!(&t[s.yaml.clone()], "id: S-1\n");
        assert_eq!(&t[s.body.clone()], "body\n");
        assert_eq!(s.body_line, 4);
        assert_eq!(split("no\n").unwrap_err().line, 1);
        assert!(split("---\nid: 1\n").is_err());
    }

    #[test]
    fn scalar_rendering_round_trips() {
        assert_eq!(yaml_scalar("done"), "done");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("2024"), "\"2024\"");
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("x # y"), "\"x # y\"");
        assert_eq!(yaml_flow_list(&["a".into(), "b,c".into()]), "[a, \"b,c\"]");
    }

    #[test]
    fn one_field_changes_one_line() {
        let t = "---\r\nid: S-1\r\n# keep me\r\nstatus: draft # why\r\nx-y: 1\r\n---\r\nBody\r\n";
        let out = set(t, "status", FieldValue::Scalar("done".into()));
        assert_eq!(out, t.replace("status: draft", "status: done"));
    }

    #[test]
    fn new_fields_go_last_and_lists_keep_style() {
        let t = "---\nid: S-1\nlabels:\n  - a\n---\n";
        let out = set(t, "owner", FieldValue::Scalar("bo".into()));
        assert_eq!(out, "---\nid: S-1\nlabels:\n  - a\nowner: bo\n---\n");
        let out = set(t, "labels", FieldValue::List(vec!["b".into(), "c".into()]));
        assert_eq!(out, "---\nid: S-1\nlabels:\n  - b\n  - c\n---\n");
        let t = "---\nid: S-1\nlabels: [a] # c\n---\n";
        let out = set(t, "labels", FieldValue::List(vec!["b".into()]));
        assert_eq!(out, "---\nid: S-1\nlabels: [b] # c\n---\n");
        let out = set(t, "labels", FieldValue::Remove);
        assert_eq!(out, "---\nid: S-1\n---\n");
    }

    #[test]
    fn quoting_style_is_kept_when_possible() {
        let t = "---\ntitle: \"Old\"\nowner: 'ann'\npoints: 3\n---\n";
        assert_eq!(set(t, "title", FieldValue::Scalar("New".into())), t.replace("\"Old\"", "\"New\""));
        assert_eq!(set(t, "owner", FieldValue::Scalar("bo".into())), t.replace("'ann'", "'bo'"));
        assert_eq!(set(t, "points", FieldValue::Scalar("5".into())), t.replace("3", "5"));
    }

    #[test]
    fn block_list_items_keep_their_lines_and_comments() {
        let t = "---\nid: S-1\nlabels:\n- a   # first\n# between\n- b\nx: 1\n---\n";
        let out = set(t, "labels", FieldValue::List(vec!["a".into(), "c".into()]));
        assert!(out.contains("- a   # first\n"), "{out}");
        assert!(!out.contains("- b"), "{out}");
        assert!(out.contains("- c"), "{out}");
        assert!(out.ends_with("x: 1\n---\n"), "{out}");
    }
}
