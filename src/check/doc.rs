//! One item file as the checker sees it: what [`crate::model::item::read`] could read of it
//! (so the other rules can run on a file without an `id` or with a wrong-typed field), and the
//! reader's diagnostics as findings. Only a file whose front matter cannot be read at all
//! yields no document.

use serde_yaml::Value;

use crate::check::{Finding, items};
use crate::model::config::Config;
use crate::model::frontmatter;
use crate::model::item::read::{Positions, Reading, read};
use crate::model::item::scalar_string;
use crate::store::files::{File, Files};

/// An item file as far as the item reader could read it (its [`Reading`], reached through
/// `Deref`), with where it is and its silences.
#[derive(Debug)]
pub(crate) struct Doc<'a> {
    /// Path inside `product/`.
    pub rel: &'a str,
    /// Path shown in findings.
    pub path: &'a str,
    pub text: &'a str,
    pub reading: Reading,
    /// `pm-allow` entries with a reason: (rule, reason).
    pub allow: Vec<(String, String)>,
}

impl std::ops::Deref for Doc<'_> {
    type Target = Reading;

    fn deref(&self) -> &Reading {
        &self.reading
    }
}

impl<'a> Doc<'a> {
    fn positions(&self) -> Positions<'a, '_> {
        Positions { text: self.text, split: &self.split }
    }

    /// The 1-based file line of a top-level key.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        frontmatter::key_line(self.text, &self.split, key)
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

    /// A finding located in this file.
    pub fn finding(&self, rule: &'static str, (line, col): (usize, usize), message: impl Into<String>) -> Finding {
        Finding::new(rule, self.path, line, col, message).id(self.id_text())
    }

    /// What to call the item in messages: its ID, or its file.
    pub fn name(&self) -> String {
        self.id_text().unwrap_or_else(|| self.rel.to_string())
    }
}

/// Byte offset of `needle` in `text` at or after `from`, standing as a whole word (not inside a
/// longer ID: `S-1` does not match in `S-12`).
pub(crate) fn find_word(text: &str, needle: &str, from: usize) -> Option<usize> {
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

/// Load one candidate file: the document (when its front matter can be read) and its findings.
pub(crate) fn load<'a>(_snapshot: &'a Files, file: &'a File, config: &Config) -> (Option<Doc<'a>>, Vec<Finding>) {
    let Some(text) = file.text() else {
        let f = Finding::new("parse/front-matter", &file.path, 1, 1, "the file is not UTF-8 text")
            .hint("save the file as UTF-8");
        return (None, vec![f]);
    };
    let (reading, diagnostics) = read(text, &file.rel, config);
    let id = reading.as_ref().and_then(|r| r.id.as_ref()).map(ToString::to_string);
    let mut findings: Vec<Finding> = diagnostics
        .into_iter()
        .map(|d| Finding::new(d.code, &file.path, d.line, d.column, d.message).hint(d.hint).id(id.clone()))
        .collect();
    let Some(r) = reading else { return (None, findings) };
    let mut doc = Doc { rel: &file.rel, path: &file.path, text, reading: r, allow: Vec::new() };
    items::check(&mut doc, config, &mut findings);
    (Some(doc), findings)
}
