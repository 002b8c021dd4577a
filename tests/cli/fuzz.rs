//! The fuzz corpora replayed on stable: every input kept under `fuzz/corpus/TARGET/` (seeds,
//! what the fuzzers found interesting, and every crash once fixed) goes through the same
//! `pm::fuzzing` function its target calls, so CI guards what fuzzing found.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{}: the corpus has no inputs", dir.display());
    for file in files {
        let data = std::fs::read(&file).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            let why = panic.downcast_ref::<String>().cloned().unwrap_or_default();
            panic!("{} fails its invariant: {why}", file.display());
        }
    }
}

#[test]
fn front_matter_corpus() {
    replay("front_matter", pm::fuzzing::front_matter);
}

#[test]
fn criteria_corpus() {
    replay("criteria", pm::fuzzing::criteria);
}

#[test]
fn list_file_corpus() {
    replay("list_file", pm::fuzzing::list_file);
}

#[test]
fn field_edit_corpus() {
    replay("field_edit", pm::fuzzing::field_edit);
}

#[test]
fn object_reader_corpus() {
    replay("object_reader", pm::fuzzing::object_reader);
}
