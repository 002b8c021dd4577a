//! `pm renumber OLD NEW`: change an item's ID, rename its file to match, and rewrite every
//! reference to it: `epic`, `vision`, `depends_on` and `reviewed` fields, backlog and roadmap lines, and
//! `OLD/AC-n` mentions in product files. All in one atomic transaction.
//!
//! It is the cure for the duplicate IDs two branches can create. When several files carry OLD,
//! `file` picks the one to renumber; references by ID are then ambiguous and stay as they are,
//! except the backlog or roadmap line that links to the chosen file.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, did_you_mean_id};
use crate::model::frontmatter::{self, FieldValue};
use crate::model::id::ItemId;
use crate::model::item::Item;
use crate::store::ids;
use crate::store::product::Product;
use crate::store::transaction::Transaction;

/// What a renumbering did.
#[derive(Debug, Clone)]
pub struct Renumbered {
    pub old: ItemId,
    pub new: ItemId,
    /// The item's file before and after.
    pub from: PathBuf,
    pub to: PathBuf,
    /// Other files whose references were rewritten.
    pub updated: Vec<PathBuf>,
    /// Items whose links name the old ID, left as they were because another file carries it
    /// too (which of the two they mean, only their author knows): file and field.
    pub ambiguous: Vec<(PathBuf, String)>,
}

pub fn renumber(tx: &mut Transaction, old: &str, new: &str, file: Option<&Path>) -> Result<Renumbered> {
    let product = tx.product();
    let parse = |text: &str| {
        product.config.id_from_input(text).ok_or_else(|| {
            Error::bad_argument(crate::model::id::not_an_id(text))
                .with_hint(crate::model::id::id_hint(&product.config.prefixes.story))
        })
    };
    let (old_id, new_id) = (parse(old)?, parse(new)?);
    let kind = product.config.kind_of(&old_id).ok_or_else(|| {
        Error::bad_argument(format!("`{old_id}` has no known prefix")).with_hint("prefixes are set in pm.yaml")
    })?;
    if product.config.kind_of(&new_id) != Some(kind) {
        return Err(Error::bad_argument(format!("{new_id} is not {} ID", kind.with_article()))
            .with_hint(format!("renumbering keeps the kind: {kind} IDs start with {}-", product.config.prefix(kind))));
    }
    let (items, errors) = product.load_all_lenient();
    let next = || ids::highest_in_use(product, kind).map(|h| ItemId::new(&new_id.prefix, h + 1));
    if new_id == old_id
        || items.all.iter().any(|i| i.id == new_id)
        || product.known_ids(kind).iter().any(|i| *i == new_id.to_string())
        || ids::numbers_in_branches(product, &new_id.prefix)?.contains(&new_id.number)
    {
        return Err(Error::bad_argument(format!("{new_id} is already in use"))
            .with_hint(format!("pick a free ID, such as {}", next()?)));
    }
    let carriers: Vec<&Item> = items.all.iter().filter(|i| i.id == old_id).collect();
    let target = match (carriers.len(), file) {
        (0, _) => {
            // Its file is there but does not read: say why, not that it does not exist.
            if let Some(e) = errors.into_iter().find(|e| product.broken_file(&old_id.to_string(), e).is_some()) {
                return Err(e);
            }
            let known: Vec<String> = items.of_kind(kind).map(|i| i.id.to_string()).collect();
            return Err(Error::UnknownId {
                kind: kind.name().into(),
                id: old_id.to_string(),
                suggestion: did_you_mean_id(old, known.iter().map(String::as_str)),
            });
        }
        (_, Some(f)) => {
            let want = product.cwd.join(f);
            let want = want.canonicalize().unwrap_or(want);
            carriers
                .iter()
                .copied()
                .find(|i| i.path.canonicalize().unwrap_or_else(|_| i.path.clone()) == want)
                .ok_or_else(|| {
                    Error::bad_argument(format!("{} does not carry {old_id}", f.display()))
                        .with_hint(format!("files with {old_id}: {}", files(product, &carriers)))
                })?
        }
        (1, None) => carriers[0],
        (_, None) => {
            return Err(Error::bad_argument(format!("{old_id} is the ID of {} files", carriers.len()))
                .with_hint(format!("say which one to renumber with --file: {}", files(product, &carriers))));
        }
    };
    let ambiguous = carriers.len() > 1;
    let (old_s, new_s) = (old_id.to_string(), new_id.to_string());

    // The item itself: its id field, its file name, and mentions of its criteria.
    let text = edit_item(target, &[("id".into(), FieldValue::Scalar(new_s.clone()))])?;
    let text = replace_mentions_in_body(&text, &old_s, &new_s);
    let name = target.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let new_name = match ItemId::from_file_name(name) {
        Some(id) if id == old_id => format!("{new_s}{}", &name[old_s.len()..]),
        _ => crate::ops::add::file_name(&new_id, &target.title),
    };
    let to = target.path.with_file_name(new_name);
    tx.write(&target.path, text);
    if to != target.path {
        tx.rename(&target.path, &to);
    }
    let old_rel = target.rel.clone();
    let new_rel = product.rel(&to);

    // Every other file: links and mentions.
    let mut updated = Vec::new();
    let mut left = Vec::new();
    for item in &items.all {
        if std::ptr::eq(item, target) {
            continue;
        }
        let mut edits = Vec::new();
        if ambiguous {
            for key in ["epic", "vision"] {
                if item.get(key).as_deref() == Some(old_s.as_str()) {
                    left.push((product.shown(&item.path), key.to_string()));
                }
            }
            if item.depends_on().contains(&old_s) {
                left.push((product.shown(&item.path), "depends_on".to_string()));
            }
        } else {
            for key in ["epic", "vision"] {
                if item.get(key).as_deref() == Some(old_s.as_str()) {
                    edits.push((key.to_string(), FieldValue::Scalar(new_s.clone())));
                }
            }
            let deps = item.depends_on();
            if deps.contains(&old_s) {
                let deps = deps.into_iter().map(|d| if d == old_s { new_s.clone() } else { d }).collect();
                edits.push(("depends_on".to_string(), FieldValue::List(deps)));
            }
            // A review against the old ID is one against the new: the fingerprint is of the
            // parent's substance, which an ID does not change.
            let field = crate::model::review::FIELD;
            if let Some(mut mark) = item.get(field).and_then(|t| crate::model::review::Review::parse(&t))
                && let Some((parent, _)) = mark.against.as_mut()
                && *parent == old_s
            {
                *parent = new_s.clone();
                edits.push((
                    field.to_string(),
                    FieldValue::Scalar(crate::model::frontmatter::yaml_scalar(&mark.text())),
                ));
            }
        }
        let mut text = if edits.is_empty() { item.text.clone() } else { edit_item(item, &edits)? };
        if !ambiguous {
            text = replace_mentions_in_body(&text, &old_s, &new_s);
        }
        if text != item.text {
            tx.write(&item.path, text);
            updated.push(product.shown(&item.path));
        }
    }
    if !ambiguous {
        // Markdown files that are not items (notes): criterion mentions only.
        let item_paths: std::collections::HashSet<&std::path::Path> =
            items.all.iter().map(|i| i.path.as_path()).collect();
        for path in product.item_files() {
            if item_paths.contains(path.as_path()) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else { continue };
            if text.trim_start().starts_with("---") {
                continue; // an unreadable item: left alone
            }
            let new_text = replace_mentions(&text, &old_s, &new_s);
            if new_text != text {
                tx.write(path, new_text);
                updated.push(product.shown(path));
            }
        }
    }
    for list in [product.backlog_path(), product.roadmap_path()] {
        let text = product.read_list_text(&list)?;
        let parsed = crate::model::listfile::ListFile::parse(&text);
        let lines: Vec<usize> = parsed
            .entries()
            .iter()
            .filter(|e| e.id == old_s && (!ambiguous || e.link == old_rel))
            .map(|e| e.line)
            .collect();
        if lines.is_empty() {
            continue;
        }
        let new_text: String = text
            .split_inclusive('\n')
            .enumerate()
            .map(|(i, l)| if lines.contains(&i) { rewrite_entry(l, &new_s, &old_rel, &new_rel) } else { l.to_string() })
            .collect();
        tx.write(&list, new_text);
        updated.push(product.shown(&list));
    }
    let from = product.shown(&target.path);
    tx.commit()?;
    Ok(Renumbered { old: old_id, new: new_id, from, to: product.shown(&to), updated, ambiguous: left })
}

fn files(product: &Product, items: &[&Item]) -> String {
    items.iter().map(|i| product.shown(&i.path).display().to_string()).collect::<Vec<_>>().join(", ")
}

fn edit_item(item: &Item, edits: &[(String, FieldValue)]) -> Result<String> {
    item.edited(edits)
}

/// `OLD/AC-n` -> `NEW/AC-n` in the body of an item's text (the front matter is left as it is).
fn replace_mentions_in_body(text: &str, old: &str, new: &str) -> String {
    match frontmatter::split(text) {
        Ok(s) => format!("{}{}", &text[..s.body.start], replace_mentions(&text[s.body.clone()], old, new)),
        Err(_) => text.to_string(),
    }
}

/// `OLD/AC-n` -> `NEW/AC-n` where OLD stands as a whole ID (not the end of a longer word).
pub fn replace_mentions(text: &str, old: &str, new: &str) -> String {
    let needle = format!("{old}/AC-");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let before = rest[..i].chars().next_back().or_else(|| out.chars().next_back());
        out.push_str(&rest[..i]);
        if before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_') {
            out.push_str(&needle);
        } else {
            out.push_str(new);
            out.push_str("/AC-");
        }
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// `- [OLD](old-link) Title` -> `- [NEW](new-link) Title`, keeping the rest of the line.
fn rewrite_entry(line: &str, new_id: &str, old_rel: &str, new_rel: &str) -> String {
    let (Some(open), Some(mid)) = (line.find('['), line.find("](")) else { return line.to_string() };
    let Some(close) = line[mid + 2..].find(')').map(|i| mid + 2 + i) else { return line.to_string() };
    let link = &line[mid + 2..close];
    let link = if link == old_rel { new_rel } else { link };
    format!("{}[{new_id}]({link}){}", &line[..open], &line[close + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_whole_ids_only() {
        assert_eq!(
            replace_mentions("see S-1/AC-2, XS-1/AC-1 and S-12/AC-1", "S-1", "S-9"),
            "see S-9/AC-2, XS-1/AC-1 and S-12/AC-1"
        );
        assert_eq!(
            rewrite_entry("- [S-1](stories/S-1-a.md) A\n", "S-9", "stories/S-1-a.md", "stories/S-9-a.md"),
            "- [S-9](stories/S-9-a.md) A\n"
        );
    }
}
