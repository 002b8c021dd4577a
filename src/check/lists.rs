//! Rules about `backlog.md` and `roadmap.md`: every open story (epic) listed once, no line
//! naming an unknown or closed item, and titles and links in step with the items.

use std::collections::{HashMap, HashSet};

use crate::check::doc::Doc;
use crate::check::links::Index;
use crate::check::{Finding, Related};
use crate::model::config::Config;
use crate::model::id::Kind;
use crate::model::layout::{BACKLOG_FILE, ROADMAP_FILE};
use crate::model::listfile::{Entry, ListFile, Relabelled};
use crate::store::files::Files;

struct Codes {
    missing: &'static str,
    unknown: &'static str,
    duplicate: &'static str,
    closed: &'static str,
    stale: &'static str,
    malformed: &'static str,
}

const BACKLOG: Codes = Codes {
    missing: "backlog/missing",
    unknown: "backlog/unknown",
    duplicate: "backlog/duplicate",
    closed: "backlog/closed",
    stale: "backlog/stale-title",
    malformed: "backlog/malformed-line",
};

const ROADMAP: Codes = Codes {
    missing: "roadmap/missing",
    unknown: "roadmap/unknown",
    duplicate: "roadmap/duplicate",
    closed: "roadmap/closed",
    stale: "roadmap/stale-title",
    malformed: "roadmap/malformed-line",
};

/// Findings of both lists, and the paths of item files whose `id:` a list line shows to be
/// mistyped ([`Relabelled`]): the line's finding says what happened, so the file's own
/// `id/filename-mismatch` (whose hint, a rename, would lose the item's place) is dropped.
pub(crate) fn check<'d>(
    snapshot: &Files,
    docs: &[Doc<'d>],
    index: &Index,
    config: &Config,
) -> (Vec<Finding>, HashSet<&'d str>) {
    let mut out = Vec::new();
    let mut relabelled = HashSet::new();
    for (name, kind, codes) in [(BACKLOG_FILE, Kind::Story, &BACKLOG), (ROADMAP_FILE, Kind::Epic, &ROADMAP)] {
        let file = snapshot.get(name);
        let text = file.and_then(|f| f.text()).unwrap_or("");
        let path = file.map(|f| f.path.clone()).unwrap_or_else(|| {
            if snapshot.product_dir.is_empty() { name.to_string() } else { format!("{}/{name}", snapshot.product_dir) }
        });
        // A list pm may not read has its own `file/unreadable`: judging its "" would call
        // every open item unlisted.
        if snapshot.unreadable.iter().any(|u| u.path == path) {
            continue;
        }
        match crate::model::merge::conflict_line(text) {
            Some(line) => out.push(crate::check::doc::conflict_markers(&path, line)),
            None => one_list(&path, name, text, kind, codes, docs, index, config, (&mut out, &mut relabelled)),
        }
    }
    (out, relabelled)
}

#[allow(clippy::too_many_arguments)]
fn one_list<'d>(
    path: &str,
    name: &str,
    text: &str,
    kind: Kind,
    codes: &Codes,
    docs: &[Doc<'d>],
    index: &Index,
    config: &Config,
    (out, relabelled_paths): (&mut Vec<Finding>, &mut HashSet<&'d str>),
) {
    let list = ListFile::parse(text);
    let lines: Vec<&str> = text.split('\n').collect();
    let entries = list.entries();
    let example =
        if kind == Kind::Story { "- [S-2](stories/S-2-title.md) Title" } else { "- [E-2](epics/E-2-title.md) Title" };
    // Damaged lines by the ID they hold: such an item is not listed, but `pm fmt` leaves it to
    // its line rather than appending it, so its finding says to mend the line.
    let mut damaged: HashMap<String, usize> = HashMap::new();
    for (n, id) in list.malformed(config.prefix(kind)) {
        if let Some(id) = id {
            damaged.entry(id).or_insert(n + 1);
        }
        let col = lines[n].len() - lines[n].trim_start().len() + 1;
        out.push(
            Finding::new(codes.malformed, path, n + 1, col, format!("this line looks like an entry of {name} but does not read as one"))
                .hint(format!("write it as `{example}` (a dash, a space, the ID in brackets, the link in parentheses); `pm fmt` then refreshes it")),
        );
    }
    if kind == Kind::Epic {
        for (n, message) in list.odd_headings() {
            out.push(
                Finding::new("roadmap/unknown-heading", path, n + 1, 1, message)
                    .hint("the horizons are `## Now`, `## Next` and `## Later`, one heading each"),
            );
        }
    }
    let by_rel: HashMap<&str, usize> = docs.iter().enumerate().map(|(i, d)| (d.rel, i)).collect();
    let of_kind = |i: &usize| docs[*i].kind == Some(kind);
    let relabelled: HashMap<&str, Relabelled> = crate::model::listfile::relabelled(
        &entries,
        |id| index.get(id).is_some_and(|i| of_kind(&i)),
        |link| by_rel.get(link).filter(|i| of_kind(i)).and_then(|&i| docs[i].id_text()),
        |id, link| index.all(id).iter().any(|&i| docs[i].rel != link),
    )
    .into_iter()
    .map(|r| (r.entry.id.as_str(), r))
    .collect();
    let mut listed: HashMap<String, usize> = HashMap::new();
    // Lines of an ID two files carry, by link: each file's own line is no repeat.
    let mut listed_links: HashMap<(String, String), usize> = HashMap::new();
    for e in &entries {
        let line = e.line + 1;
        let line_text = lines.get(e.line).copied().unwrap_or("");
        let col = line_text.find('[').map(|i| line_text[..i].chars().count() + 2).unwrap_or(1);
        let at = |rule, message: String| Finding::new(rule, path, line, col, message).id(Some(&e.id));
        let carriers = index.all(&e.id);
        let own_file = carriers.len() > 1 && carriers.iter().any(|&i| docs[i].rel == e.link);
        let repeat = if own_file {
            listed_links.get(&(e.id.clone(), e.link.clone())).copied()
        } else {
            listed.get(&e.id).copied()
        };
        listed_links.entry((e.id.clone(), e.link.clone())).or_insert(line);
        if let Some(first) = repeat.as_ref() {
            out.push(
                at(codes.duplicate, format!("{} is listed twice in {name} (first on line {first})", e.id))
                    .hint("remove this line (`pm fmt` removes repeats, keeping the first)")
                    .related(vec![Related { path: path.to_string(), line: *first }]),
            );
            continue;
        }
        listed.entry(e.id.clone()).or_insert(line);
        if kind == Kind::Epic && !e.on_horizon() {
            out.push(off_horizon(path, &lines, e, col));
        }
        // Of two files with this ID, the one this line links to.
        let found = carriers
            .iter()
            .copied()
            .find(|&i| own_file && docs[i].rel == e.link)
            .or_else(|| index.get(&e.id))
            .filter(|&i| docs[i].kind == Some(kind));
        let Some(i) = found else {
            if index.unreadable(&e.id).is_some() {
                continue; // the file's own finding says what is wrong with it
            }
            if let Some(r) = relabelled.get(e.id.as_str()) {
                let file = &docs[by_rel[e.link.as_str()]];
                relabelled_paths.insert(file.path);
                listed.entry(r.says.clone()).or_insert(line);
                let related = vec![Related { path: file.path.to_string(), line: file.key_line("id").unwrap_or(1) }];
                out.push(at(codes.unknown, r.message()).hint(r.hint()).related(related));
                continue;
            }
            let other =
                index.get(&e.id).and_then(|i| docs[i].kind).map(|k| format!(" ({} is {})", e.id, k.with_article()));
            let hint = match index.suggest(&e.id, kind) {
                Some(s) => format!("did you mean {s}? Otherwise remove the line"),
                None => "remove the line, or restore the item's file".into(),
            };
            out.push(at(codes.unknown, format!("{} names no {kind}{}", e.id, other.unwrap_or_default())).hint(hint));
            continue;
        };
        let d = &docs[i];
        if d.is_closed(config) {
            out.push(
                at(codes.closed, format!("{} is {} but still listed", e.id, d.status.as_deref().unwrap_or("")))
                    .hint("remove the line (`pm fmt` removes closed items)"),
            );
            continue;
        }
        let Some(title) = d.title.as_deref() else { continue };
        if e.title != title || e.link != d.rel {
            let message = if e.title != title {
                format!("the line's title differs from {}'s title `{title}`", e.id)
            } else {
                format!("the line's link `{}` is not {}'s file `{}`", e.link, e.id, d.rel)
            };
            out.push(at(codes.stale, message).hint("run `pm fmt` to refresh the line"));
        }
    }
    for (i, d) in docs.iter().enumerate() {
        if d.kind != Some(kind) || !d.is_open(config) {
            continue;
        }
        let id = d.name();
        if d.id.is_none() || index.get(&id) != Some(i) || listed.contains_key(&id) {
            continue;
        }
        let status = d.status.as_deref().unwrap_or("");
        let line = ListFile::entry_line(&id, d.rel, d.title.as_deref().unwrap_or(""));
        let hint = match damaged.get(&id) {
            Some(n) => format!("line {n} of {name} names {id} but does not read as an entry: write it as `{line}`"),
            None => format!("add a line `{line}` to {name} (`pm fmt` appends it)"),
        };
        out.push(
            d.finding(codes.missing, d.value_pos("status"), format!("{id} is {status} but not listed in {name}"))
                .hint(hint),
        );
    }
}

/// A roadmap entry under a heading that is no horizon (`## Someday`), or under none: listed,
/// so no other rule sees it, yet `pm roadmap` shows it on no horizon.
fn off_horizon(path: &str, lines: &[&str], e: &Entry, col: usize) -> Finding {
    let heading = lines[..e.line].iter().rposition(|l| l.trim_end_matches('\r').starts_with("## "));
    let (message, related) = match (&e.section, heading) {
        (Some(section), Some(at)) => (
            format!("{} stands under `## {section}`, which is not a horizon (Now, Next, Later)", e.id),
            vec![Related { path: path.to_string(), line: at + 1 }],
        ),
        _ => (format!("{} stands under no horizon heading (Now, Next, Later)", e.id), Vec::new()),
    };
    Finding::new("roadmap/unknown-heading", path, e.line + 1, col, message)
        .id(Some(&e.id))
        .hint(format!(
            "`pm roadmap` shows it on no horizon: move it with `pm roadmap move {} later` (or now, next), or rename the heading",
            e.id
        ))
        .related(related)
}
