//! One item file as the checker sees it: what [`crate::model::item::read()`] could read of it
//! (so the other rules can run on a file without an `id` or with a wrong-typed field), and as
//! findings the reader's diagnostics, those of the per-file rules
//! ([`crate::model::item::rules`]) and those about its `pm-allow` silences. Only a file whose
//! front matter cannot be read at all yields no document.

use crate::check::{Finding, allow};
use crate::model::config::Config;
use crate::model::item::read::{Diagnostic, ItemFile, read};
use crate::model::item::rules;
use crate::model::layout;
use crate::store::files::{Content, File, Files};

/// An item file as far as the item reader could read it (an [`ItemFile`], reached through
/// `Deref`), with the path findings show and its silences.
#[derive(Debug)]
pub(crate) struct Doc<'a> {
    /// Path shown in findings.
    pub path: &'a str,
    pub file: ItemFile<'a>,
    /// `pm-allow` entries with a reason: (rule, reason).
    pub allow: Vec<(String, String)>,
}

impl<'a> std::ops::Deref for Doc<'a> {
    type Target = ItemFile<'a>;

    fn deref(&self) -> &ItemFile<'a> {
        &self.file
    }
}

impl Doc<'_> {
    /// A finding located in this file.
    pub fn finding(&self, rule: &'static str, (line, col): (usize, usize), message: impl Into<String>) -> Finding {
        Finding::new(rule, self.path, line, col, message).id(self.id_text())
    }
}

/// Load one candidate file: the document (when its front matter can be read) and its findings.
pub(crate) fn load<'a>(_snapshot: &'a Files, file: &'a File, config: &Config) -> (Option<Doc<'a>>, Vec<Finding>) {
    let text = match &file.content {
        Content::Text(text) if text.len() as u64 > config.item_size_limit => {
            let message = crate::store::product::too_large_message(text.len() as u64, config.item_size_limit);
            let f = Finding::new("parse/front-matter", &file.path, 1, 1, message)
                .hint(crate::store::product::TOO_LARGE_HINT);
            return (None, vec![f]);
        }
        Content::Text(text) => text,
        Content::NotUtf8(bad) => {
            let f = Finding::new("parse/front-matter", &file.path, bad.line, bad.column, bad.message())
                .hint(crate::store::product::BadUtf8::HINT);
            return (None, vec![f]);
        }
        Content::NameNotUtf8 { .. } => {
            let f = Finding::new("parse/front-matter", &file.path, 1, 1, layout::NAME_NOT_UTF8)
                .hint(layout::NAME_NOT_UTF8_HINT);
            return (None, vec![f]);
        }
    };
    let (reading, diagnostics) = read(text, &file.rel, config);
    let id = reading.as_ref().and_then(|r| r.id.as_ref()).map(ToString::to_string);
    let finding =
        |d: Diagnostic| Finding::new(d.code, &file.path, d.line, d.column, d.message).hint(d.hint).id(id.clone());
    let mut findings: Vec<Finding> = diagnostics.into_iter().map(finding).collect();
    let Some(reading) = reading else { return (None, findings) };
    let mut doc = Doc { path: &file.path, file: ItemFile { rel: &file.rel, text, reading }, allow: Vec::new() };
    findings.extend(rules::check(&doc.file, config).into_iter().map(finding));
    allow::read(&mut doc, &mut findings);
    (Some(doc), findings)
}

/// The finding for a list file that still has git's conflict markers (item files get theirs
/// from the item reader).
pub(crate) fn conflict_markers(path: &str, line: usize) -> Finding {
    use crate::model::merge::{CONFLICT_HINT, CONFLICT_MESSAGE};
    Finding::new("file/conflict-markers", path, line, 1, CONFLICT_MESSAGE).hint(CONFLICT_HINT)
}
