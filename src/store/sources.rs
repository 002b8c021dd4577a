//! The repository's files outside `product/` (its code, tests, docs), for traceability: walked
//! in parallel with the `ignore` crate (what `.gitignore` leaves out is left out, hidden files
//! and folders too), filtered by `pm.yaml`'s `trace.include` / `trace.exclude` globs. Binary,
//! huge and non-UTF-8 files are skipped and counted, never an error.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::error::{Error, Location, Result};
use crate::store::files::product_dir_from_top;
use crate::store::product::Product;

/// Files larger than this are not read (a generated bundle, a data file).
const HUGE: u64 = 4 << 20;

/// What a scan read and what it left out.
#[derive(Debug, Default)]
pub struct Scan<T> {
    pub found: Vec<T>,
    /// Files read.
    pub read: usize,
    /// Files skipped as binary, huge or not UTF-8.
    pub skipped: usize,
}

fn globs(patterns: &[String], key: &str) -> Result<Option<GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| {
            Error::bad_file(
                Location::file(PathBuf::from("product/pm.yaml")),
                format!("{key}: `{p}` is not a glob: {e}"),
            )
            .with_hint("globs look like src/**/*.rs or tests/**")
        })?;
        b.add(glob);
    }
    b.build().map(Some).map_err(|e| Error::bad_argument(format!("{key}: {e}")))
}

/// Run `each(path, text)` on every text file beside the product folder (under the folder that
/// holds `product/`, which is the repository's root unless the product lives in a sub-folder
/// of a larger repository), on all cores; collect what it returns. Paths are from the
/// repository root, `/`-separated, as everywhere in pm.
pub fn scan<T: Send>(
    product: &Product,
    skip: &[PathBuf],
    each: impl Fn(&str, &str) -> Vec<T> + Sync,
) -> Result<Scan<T>> {
    let (root, top) = root_and_top(product);
    let skip: Vec<PathBuf> = skip.iter().map(|p| p.canonicalize().unwrap_or_else(|_| p.clone())).collect();
    let include = globs(&product.config.trace.include, "trace.include")?;
    let exclude = globs(&product.config.trace.exclude, "trace.exclude")?;
    let out = Mutex::new(Scan { found: Vec::new(), read: 0, skipped: 0 });
    let beside = root.parent().unwrap_or(&root).to_path_buf();
    let walker = ignore::WalkBuilder::new(&beside).require_git(false).build_parallel();
    walker.run(|| {
        let (out, each, include, exclude, root, top, beside, skip) =
            (&out, &each, &include, &exclude, &root, &top, &beside, &skip);
        Box::new(move |entry| {
            let Ok(entry) = entry else { return ignore::WalkState::Continue };
            let path = entry.path();
            if path == root.as_path() || path.starts_with(root) {
                return ignore::WalkState::Skip;
            }
            // Another product's folder (one with a pm.yaml) is its own product, not references.
            if entry.file_type().is_some_and(|t| t.is_dir()) && path.join("pm.yaml").is_file() {
                return ignore::WalkState::Skip;
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) || skip.iter().any(|s| s == path) {
                return ignore::WalkState::Continue;
            }
            // The globs are from the folder that holds product/; the paths shown from the top.
            let near = relative(path, beside);
            if include.as_ref().is_some_and(|g| !g.is_match(&near))
                || exclude.as_ref().is_some_and(|g| g.is_match(&near))
            {
                return ignore::WalkState::Continue;
            }
            let rel = relative(path, top);
            // Read and matched outside the lock; the lock only adds the result.
            let found = read_text(path).map(|text| each(&rel, &text));
            let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
            match found {
                Some(found) => {
                    o.read += 1;
                    o.found.extend(found);
                }
                None => o.skipped += 1,
            }
            ignore::WalkState::Continue
        })
    });
    Ok(out.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// The JUnit reports `trace.junit` names, sorted: each pattern is matched from the folder that
/// holds `product/`, walking only the folder before its first wildcard (`test-results/*.xml`
/// looks in `test-results/`; git's ignore rules do not apply: reports are usually ignored).
pub fn reports(product: &Product) -> Result<Vec<PathBuf>> {
    let Some(set) = globs(&product.config.trace.junit, "trace.junit")? else { return Ok(Vec::new()) };
    let (root, _) = root_and_top(product);
    let beside = root.parent().unwrap_or(&root).to_path_buf();
    let mut out = std::collections::BTreeSet::new();
    for pattern in &product.config.trace.junit {
        let literal: Vec<&str> = pattern.split('/').take_while(|part| !part.contains(['*', '?', '[', '{'])).collect();
        let start = beside.join(literal.join("/"));
        // Hidden folders (.git) are not walked.
        let walk = walkdir::WalkDir::new(&start)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk.filter_map(|e| e.ok()) {
            if entry.file_type().is_file() && set.is_match(relative(entry.path(), &beside)) {
                out.insert(entry.path().to_path_buf());
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// The product folder (canonical) and the top its paths are shown from.
fn root_and_top(product: &Product) -> (PathBuf, PathBuf) {
    let (root, dir) = product_dir_from_top(&product.root);
    let top = if dir.is_empty() {
        root.clone()
    } else {
        root.ancestors().nth(dir.split('/').count()).unwrap_or(&root).to_path_buf()
    };
    (root, top)
}

/// A file's path as pm shows it: from the repository root (canonical paths compared).
pub fn shown(product: &Product, path: &Path) -> String {
    let (_, top) = root_and_top(product);
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    relative(&path, &top)
}

fn relative(path: &Path, top: &Path) -> String {
    match path.strip_prefix(top) {
        Ok(rel) => rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
        // Outside the repository (a report in /tmp): as it is.
        Err(_) => path.to_string_lossy().into_owned(),
    }
}

/// The file's text, or None when it is huge, binary (a NUL in its first 8 KiB) or not UTF-8.
fn read_text(path: &Path) -> Option<String> {
    if std::fs::metadata(path).ok()?.len() > HUGE {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return None;
    }
    String::from_utf8(bytes).ok()
}
