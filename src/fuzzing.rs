//! The invariants the fuzz targets under `fuzz/` check, one function per target, so that the
//! targets (cargo-fuzz, nightly) and the replay of their corpora by `cargo test` (stable) run
//! the same code. Each function takes any bytes and panics only when an invariant breaks:
//! a panic is a bug, whatever the input.
//!
//! Not a public API: it exists for `fuzz/` and `tests/`.

use serde_yaml::Value;

use crate::model::criteria::Criteria;
use crate::model::frontmatter::{self, FieldValue};
use crate::model::listfile::ListFile;

/// The fast front-matter reader agrees with the full YAML parser whenever it answers, and
/// reading a whole item file never panics.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(fast) = frontmatter::fast::parse(text) {
        match serde_yaml::from_str::<Value>(text) {
            Ok(Value::Mapping(full)) => {
                assert_eq!(fast.to_mapping(), full, "fast and full readers disagree on {text:?}")
            }
            // An empty or comment-only document is no mapping, and has no fields.
            Ok(Value::Null) => assert!(fast.to_mapping().is_empty(), "fields from nothing in {text:?}"),
            other => panic!("the fast reader accepted {text:?}, the full parser gives {other:?}"),
        }
    }
    if let Ok(split) = frontmatter::split(text) {
        let _ = frontmatter::parse(text, &split);
    }
}

/// The fast criteria reader agrees with the Markdown parser whenever it answers.
pub fn criteria(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let full = Criteria::parse_markdown(body);
    if let Some(fast) = crate::model::criteria::fast::parse(body) {
        assert_eq!(fast, full, "fast and Markdown criteria readers disagree on {body:?}");
    }
    // Every criterion's ranges lie in the body, on character boundaries.
    for c in &full.items {
        assert!(body.get(c.lines.clone()).is_some() && body.get(c.marker.clone()).is_some(), "{body:?}");
    }
}

/// A backlog or roadmap file prints back byte for byte, and every entry it finds is on a line
/// of it.
pub fn list_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let list = ListFile::parse(text);
    assert_eq!(list.text(), text, "the list file does not print back as it was");
    for e in list.entries() {
        assert!(text.contains(&e.id), "entry {} is not in {text:?}", e.id);
    }
}

/// Setting a field of any item file that reads: the new value reads back, the other fields
/// keep their values, and the body is untouched. The first line of the input is the value,
/// the rest the file.
pub fn field_edit(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (value, text) = input.split_once('\n').unwrap_or(("", input));
    let Ok(split) = frontmatter::split(text) else { return };
    let Ok(before) = frontmatter::parse(text, &split) else { return };
    let rendered = frontmatter::yaml_scalar(value);
    let Ok(after_text) = frontmatter::edit_fields(text, &split, &[("owner".into(), FieldValue::Scalar(rendered))])
    else {
        return;
    };
    let split_after = frontmatter::split(&after_text).expect("an edited file keeps its front matter");
    let after = frontmatter::parse(&after_text, &split_after)
        .unwrap_or_else(|e| panic!("the edit made {text:?} unreadable: {}\n{after_text:?}", e.message));
    assert_eq!(
        &after_text[split_after.body.clone()],
        &text[split.body.clone()],
        "the body changed setting owner in {text:?}"
    );
    let got = after.get("owner").map(crate::model::item::value_text);
    // The value exactly, spaces and all (`pm set` trims; the edit itself must not).
    let want = if value.trim().is_empty() { None } else { Some(value.to_string()) };
    if want.is_some() {
        assert_eq!(got.as_deref(), want.as_deref(), "owner does not read back from {after_text:?}");
    }
    let (mut before, mut after) = (before.to_mapping(), after.to_mapping());
    before.remove("owner");
    after.remove("owner");
    assert_eq!(before, after, "other fields changed setting owner in {text:?}");
}

/// The pack and object reader on any bytes: an answer or an error, never a panic, and never a
/// crash in libgit2 behind it. The first byte chooses the shape: even, a pack index and a pack
/// (the next two bytes, little-endian, give the index's length; the rest is the pack); odd, a
/// loose object (the rest is the file). Every object the index names, and one fixed ID, are
/// read after the check of the packs.
pub fn object_reader(data: &[u8]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static ROUND: AtomicU64 = AtomicU64::new(0);
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let Some((&mode, rest)) = data.split_first() else { return };
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("pm-fuzz-odb-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        git2::Repository::init_bare(&dir).expect("a scratch repository");
        dir
    });
    let objects = dir.join("objects");
    let pack_dir = objects.join("pack");
    // A name per round: libgit2 keeps packs it opened by name.
    let round = ROUND.fetch_add(1, Ordering::Relaxed);
    for entry in std::fs::read_dir(&pack_dir).into_iter().flatten().flatten() {
        let _ = std::fs::remove_file(entry.path());
    }
    let fixed = git2::Oid::from_str("4b825dc642cb6eb9a060e54bf8d69288fbee4904").expect("an ID");
    let loose = objects.join("4b").join("825dc642cb6eb9a060e54bf8d69288fbee4904");
    let _ = std::fs::remove_file(&loose);
    let mut ids = vec![fixed];
    if mode % 2 == 0 {
        let Some((len, rest)) = rest.split_first_chunk::<2>() else { return };
        let cut = usize::from(u16::from_le_bytes(*len)).min(rest.len());
        let (idx, pack) = rest.split_at(cut);
        let _ = std::fs::create_dir_all(&pack_dir);
        let base = pack_dir.join(format!("pack-{round:040}"));
        std::fs::write(base.with_extension("idx"), idx).expect("write the index");
        std::fs::write(base.with_extension("pack"), pack).expect("write the pack");
        // The names the index holds, if it is shaped like one.
        if idx.len() >= 8 + 1024 {
            let count = u32::from_be_bytes([idx[1028], idx[1029], idx[1030], idx[1031]]) as usize;
            for k in 0..count.min(64) {
                let at = 1032 + k * 20;
                if let Some(Ok(oid)) = idx.get(at..at + 20).map(git2::Oid::from_bytes) {
                    ids.push(oid);
                }
            }
        }
    } else {
        let _ = std::fs::create_dir_all(loose.parent().expect("a folder"));
        std::fs::write(&loose, rest).expect("write the object");
    }
    let repo = git2::Repository::open_bare(dir).expect("the scratch repository");
    let mut odb = crate::store::odb::Odb::open(&repo);
    let _ = odb.check_packs();
    for oid in ids {
        let _ = odb.read(&repo, oid);
        let _ = odb.contains(&repo, oid);
    }
}
