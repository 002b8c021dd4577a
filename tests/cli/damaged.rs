//! A damaged repository (a pack index pointing past its pack, bytes flipped in a pack, a
//! truncated loose object) is an error on every command that reads git: exit 3, the object's
//! ID, and `git fsck` as the hint. Never a crash, never a pass, never an empty result.

use crate::harness::Test;

/// The hint every damaged-repository error carries.
const FSCK: &str =
    "run `git fsck` to see which objects are damaged or missing; a fresh clone or `git fetch` may restore them";

/// A committed product with two stories, packed into one pack without loose objects.
pub(crate) fn packed() -> Test {
    let t = Test::initialized();
    t.pm(&["story", "add", "First story", "--ac", "Given a, when b, then c"]).success();
    t.pm(&["story", "add", "Second story", "--ac", "Given d, when e, then f"]).success();
    t.commit("two stories");
    t.pm(&["rank", "S-2", "--top"]).success();
    t.commit("rank");
    t.git(&["repack", "-adq"]);
    t.git(&["prune-packed"]);
    t
}

pub(crate) fn pack_files(t: &Test) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = t.path(".git/objects/pack");
    let idx = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    (idx.with_extension("pack"), idx)
}

/// Replace the bytes of a file git keeps read-only.
pub(crate) fn overwrite(path: &std::path::Path, bytes: &[u8]) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Point the pack index's entry of `oid` past the end of the pack.
pub(crate) fn break_offset(t: &Test, oid: &str) {
    break_offset_by(t, oid, 1000);
}

/// Point the pack index's entry of `oid` `distance` bytes past the end of the pack.
fn break_offset_by(t: &Test, oid: &str, distance: u32) {
    let (pack, idx) = pack_files(t);
    let mut bytes = std::fs::read(&idx).unwrap();
    let count = u32::from_be_bytes(bytes[8 + 255 * 4..8 + 256 * 4].try_into().unwrap()) as usize;
    let ids = 8 + 256 * 4;
    let want: Vec<u8> = (0..20).map(|i| u8::from_str_radix(&oid[2 * i..2 * i + 2], 16).unwrap()).collect();
    let pos = (0..count).find(|&k| bytes[ids + 20 * k..ids + 20 * k + 20] == want[..]).expect("object in the pack");
    let offsets = ids + 20 * count + 4 * count;
    let past = std::fs::metadata(&pack).unwrap().len() as u32 + distance;
    bytes[offsets + 4 * pos..offsets + 4 * pos + 4].copy_from_slice(&past.to_be_bytes());
    overwrite(&idx, &bytes);
}

/// Every command that reads the product from git fails on it with exit 3, naming the object.
fn every_reader_refuses(t: &Test, oid: &str) {
    let runs: [&[&str]; 6] = [
        &["history"],
        &["history", "S-1"],
        &["diff", "HEAD~1", "HEAD"],
        &["check", "--rev", "HEAD"],
        &["backlog", "--at", "HEAD"],
        &["story", "show", "S-1", "--at", "HEAD"],
    ];
    for args in runs {
        let run = t.pm(args).code(3);
        assert_eq!(
            run.stderr,
            format!("error: git: object {oid} cannot be read: the repository is damaged\n  hint: {}\n", FSCK),
            "pm {args:?}"
        );
        assert_eq!(run.stdout, "", "pm {args:?}");
    }
}

#[test]
fn a_blob_whose_index_offset_is_past_the_pack_is_an_error_everywhere() {
    let t = packed();
    let oid = t.git(&["rev-parse", "HEAD:product/stories/S-1-first-story.md"]).trim().to_string();
    break_offset(&t, &oid);
    every_reader_refuses(&t, &oid);
}

#[test]
fn a_backlog_whose_index_offset_is_past_the_pack_is_an_error_everywhere() {
    let t = packed();
    let oid = t.git(&["rev-parse", "HEAD:product/backlog.md"]).trim().to_string();
    break_offset(&t, &oid);
    every_reader_refuses(&t, &oid);
}

#[test]
fn a_damaged_tree_stops_a_new_id_instead_of_reusing_one() {
    let t = packed();
    t.git(&["checkout", "-q", "-b", "other"]);
    t.pm(&["story", "add", "Only on the branch"]).success();
    t.commit("branch story");
    t.git(&["checkout", "-q", "main"]);
    t.git(&["repack", "-adq"]);
    t.git(&["prune-packed"]);
    let oid = t.git(&["rev-parse", "other:product/stories"]).trim().to_string();
    break_offset(&t, &oid);
    let before = t.snapshot();
    let run = t.pm(&["story", "add", "New"]).code(3);
    assert!(run.stderr.starts_with(&format!("error: git: object {oid} cannot be read")), "{}", run.stderr);
    assert_eq!(t.snapshot(), before, "nothing was written");
}

#[test]
fn a_loose_object_cut_short_is_an_error() {
    let t = packed();
    t.write(
        "product/stories/S-1-first-story.md",
        &t.read("product/stories/S-1-first-story.md").replace("First", "1st"),
    );
    t.commit("loose change");
    let oid = t.git(&["rev-parse", "HEAD:product/stories/S-1-first-story.md"]).trim().to_string();
    let path = t.path(&format!(".git/objects/{}/{}", &oid[..2], &oid[2..]));
    let bytes = std::fs::read(&path).unwrap();
    overwrite(&path, &bytes[..bytes.len() / 2]);
    let run = t.pm(&["check", "--rev", "HEAD"]).code(3);
    assert!(run.stderr.starts_with(&format!("error: git: object {oid} cannot be read")), "{}", run.stderr);
    assert!(run.stderr.contains("hint: run `git fsck`"), "{}", run.stderr);
}

/// A commit: `pm history` reads the first-parent line itself and names the commit it cannot
/// read; where libgit2 fails to resolve a revision (`HEAD~1`) without saying which object it
/// could not read, the first-parent line names it too, never the revision's name.
#[test]
fn a_commit_whose_index_offset_is_past_the_pack_is_an_error() {
    let t = packed();
    let oid = t.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    break_offset(&t, &oid);
    let hint = FSCK;
    let runs: [&[&str]; 6] = [
        &["history"],
        &["diff", "HEAD~1", "HEAD"],
        &["check", "--rev", "HEAD~1"],
        &["check", "--changed-since", "HEAD~1"],
        &["backlog", "--at", "HEAD~1"],
        &["backlog", "--at", "2000-01-01"],
    ];
    for args in runs {
        let run = t.pm(args).code(3);
        assert_eq!(
            run.stderr,
            format!("error: git: object {oid} cannot be read: the repository is damaged\n  hint: {hint}\n"),
            "pm {args:?}"
        );
    }
}

/// A branch whose tip cannot be read stops every command that reads the branches (the scan of
/// new IDs, `pm diff`'s default base, `--changed-since`) with exit 3; it is never left out.
#[test]
fn a_branch_tip_that_cannot_be_read_is_an_error_not_a_branch_left_out() {
    let t = packed();
    t.git(&["checkout", "-q", "-b", "feature"]);
    t.git(&["checkout", "-q", "main"]);
    t.pm(&["story", "add", "Only on main"]).success();
    t.commit("main moves on");
    t.git(&["checkout", "-q", "feature"]);
    t.git(&["repack", "-adq"]);
    t.git(&["prune-packed"]);
    let oid = t.git(&["rev-parse", "main"]).trim().to_string();
    break_offset(&t, &oid);
    let before = t.snapshot();
    let runs: [&[&str]; 3] = [&["story", "add", "New"], &["diff"], &["check", "--changed-since", "main"]];
    for args in runs {
        let run = t.pm(args).code(3);
        assert_eq!(
            run.stderr,
            format!("error: git: object {oid} cannot be read: the repository is damaged\n  hint: {}\n", FSCK),
            "pm {args:?}"
        );
        assert_eq!(run.stdout, "", "pm {args:?}");
    }
    assert_eq!(t.snapshot(), before, "nothing was written");
}

/// The exact error for an object that cannot be read.
fn cannot_be_read(oid: &str) -> String {
    format!("error: git: object {oid} cannot be read: the repository is damaged\n  hint: {FSCK}\n")
}

/// HEAD's own commit: libgit2's "cannot be peeled" does not say why, so it is never the message.
#[test]
fn a_head_commit_that_cannot_be_read_is_named() {
    let t = packed();
    let oid = t.git(&["rev-parse", "HEAD"]).trim().to_string();
    break_offset(&t, &oid);
    let runs: [&[&str]; 5] = [
        &["history"],
        &["history", "--all-parents"],
        &["diff"],
        &["backlog", "--at", "2000-01-01"],
        &["story", "add", "X"],
    ];
    for args in runs {
        let run = t.pm(args).code(3);
        assert_eq!(run.stderr, cannot_be_read(&oid), "pm {args:?}");
    }
}

/// The second parent of a merge: off the first-parent line, reached by libgit2's walks and
/// revision parser, which name no object; never a walk that leaves the commit out.
#[test]
fn a_merged_commit_that_cannot_be_read_is_named() {
    let t = packed();
    t.git(&["checkout", "-q", "-b", "side"]);
    t.pm(&["story", "add", "From the side"]).success();
    t.commit("side story");
    t.git(&["checkout", "-q", "main"]);
    t.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let oid = t.git(&["rev-parse", "side"]).trim().to_string();
    t.git(&["branch", "-q", "-D", "side"]);
    t.git(&["repack", "-adq"]);
    t.git(&["prune-packed"]);
    break_offset(&t, &oid);
    let runs: [&[&str]; 5] = [
        &["history", "--until", "HEAD"],
        &["history", "--all-parents"],
        &["check", "--rev", "HEAD^2"],
        &["diff", "HEAD^2", "HEAD"],
        &["check", "--rev", &oid],
    ];
    for args in runs {
        let run = t.pm(args).code(3);
        assert_eq!(run.stderr, cannot_be_read(&oid), "pm {args:?}");
    }
}

/// A branch whose stories folder is a tree that ends inside an entry: the scan of new IDs
/// stops, as every other reader of that tree does, instead of taking the numbers it could read.
#[test]
fn a_malformed_tree_on_a_branch_stops_a_new_id() {
    let t = packed();
    let stories = t.git(&["rev-parse", "HEAD:product/stories"]).trim().to_string();
    let raw = t.git_bytes(&["cat-file", "tree", &stories]);
    t.write_bytes("bad-tree", &raw[..raw.len() - 7]);
    let bad = t.git(&["hash-object", "-t", "tree", "--literally", "-w", "bad-tree"]).trim().to_string();
    std::fs::remove_file(t.path("bad-tree")).unwrap();
    let swap = |tree: &str, name: &str, oid: &str| {
        let listing = t.git(&["ls-tree", tree]);
        let lines: Vec<String> = listing
            .lines()
            .map(|l| {
                let (meta, n) = l.split_once('\t').unwrap();
                if n == name { format!("040000 tree {oid}\t{n}") } else { format!("{meta}\t{n}") }
            })
            .collect();
        t.git_stdin(&["mktree", "--missing"], &(lines.join("\n") + "\n")).trim().to_string()
    };
    let product = swap("HEAD:product", "stories", &bad);
    let root = swap("HEAD", "product", &product);
    let commit = t.git(&["commit-tree", &root, "-p", "HEAD", "-m", "bad tree"]).trim().to_string();
    t.git(&["branch", "bad", &commit]);
    let before = t.snapshot();
    let run = t.pm(&["story", "add", "New"]).code(3);
    assert_eq!(run.stderr, format!("error: git: tree {bad} is malformed: the repository is damaged\n  hint: {FSCK}\n"));
    assert_eq!(t.snapshot(), before, "nothing was written");
}

/// An offset megabytes past the pack's end made libgit2 crash (SIGSEGV) while resolving a
/// revision or walking commits: every object is read by pm's reader first, and every pack
/// index is checked before libgit2 reads anything, so each of these is the usual error.
#[test]
fn an_index_offset_far_past_the_pack_is_an_error_not_a_crash() {
    let runs: [&[&str]; 9] = [
        &["history"],
        &["history", "--all-parents"],
        &["diff"],
        &["diff", "HEAD~1", "HEAD"],
        &["check", "--rev", "HEAD"],
        &["check", "--changed-since", "HEAD~1"],
        &["backlog", "--at", "HEAD"],
        &["story", "show", "S-1", "--at", "HEAD~1"],
        &["story", "add", "X"],
    ];
    for (object, distance) in [("HEAD", 4 << 20), ("HEAD", 1 << 28), ("HEAD~1", 16 << 20), ("HEAD:product", 1 << 24)] {
        let t = packed();
        let oid = t.git(&["rev-parse", object]).trim().to_string();
        break_offset_by(&t, &oid, distance);
        let before = t.snapshot();
        // The scan of new IDs reads the branch tips, and not the product tree again (it keeps
        // the highest number of each tree it read): it needs only HEAD's commit here.
        let needed = if object == "HEAD" { &runs[..] } else { &runs[..8] };
        for args in needed {
            let run = t.pm(args).code(3);
            assert_eq!(run.stderr, cannot_be_read(&oid), "{object} +{distance}: pm {args:?}");
        }
        assert_eq!(t.snapshot(), before, "nothing was written");
    }
}

/// Replace a loose object's bytes with `content` (a header and body as git stores them),
/// compressed: an object that no longer matches its ID, as a hostile repository can hold.
pub(crate) fn forge_loose(t: &Test, oid: &str, kind: &str, body: &[u8]) {
    use std::io::Write;
    let mut raw = format!("{kind} {}\0", body.len()).into_bytes();
    raw.extend_from_slice(body);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    overwrite(&t.path(&format!(".git/objects/{}/{}", &oid[..2], &oid[2..])), &z.finish().unwrap());
}

pub(crate) fn hex_bytes(oid: &str) -> Vec<u8> {
    (0..20).map(|i| u8::from_str_radix(&oid[2 * i..2 * i + 2], 16).unwrap()).collect()
}

/// Commits whose parents lead back to themselves (objects that do not match their IDs):
/// every walk stops with an error naming the commit, instead of running forever.
#[test]
fn commits_that_are_their_own_ancestors_are_an_error_not_a_hang() {
    let t = Test::initialized();
    t.pm(&["story", "add", "First story"]).success();
    t.commit("one");
    t.pm(&["story", "add", "Second story"]).success();
    t.commit("two");
    let (head, parent) =
        (t.git(&["rev-parse", "HEAD"]).trim().to_string(), t.git(&["rev-parse", "HEAD~1"]).trim().to_string());
    let tree = t.git(&["rev-parse", "HEAD~1^{tree}"]).trim().to_string();
    let body = format!("tree {tree}\nparent {head}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nloop\n");
    forge_loose(&t, &parent, "commit", body.as_bytes());
    let before = t.snapshot();
    for args in [
        &["history"][..],
        &["history", "--all-parents"],
        &["backlog", "--at", "2000-01-01"],
        &["diff", "HEAD~5", "HEAD"],
        &["backlog", "--at", "HEAD~99999999999"],
        &["check", "--changed-since", "HEAD~1"],
    ] {
        let run = t.pm(args).code(3);
        // libgit2, which checks the ID of what it reads, refuses the forged commit itself.
        let looped = run.stderr.starts_with("error: git: commit ") && run.stderr.contains("is its own ancestor");
        assert!(looped || run.stderr == cannot_be_read(&parent), "pm {args:?}: {}", run.stderr);
    }
    assert_eq!(t.snapshot(), before, "nothing was written");
}

/// A folder tree that holds itself: every reader of trees stops at the depth limit with an
/// error, instead of overflowing the stack.
#[test]
fn a_tree_that_holds_itself_is_an_error_not_a_crash() {
    let t = Test::initialized();
    t.pm(&["story", "add", "First story"]).success();
    t.commit("one");
    let stories = t.git(&["rev-parse", "HEAD:product/stories"]).trim().to_string();
    let mut body = b"40000 deeper\0".to_vec();
    body.extend(hex_bytes(&stories));
    forge_loose(&t, &stories, "tree", &body);
    let before = t.snapshot();
    for args in [&["check", "--rev", "HEAD"][..], &["backlog", "--at", "HEAD"], &["history"]] {
        let run = t.pm(args).code(3);
        assert!(run.stderr.contains("nested more than 256 folders deep"), "pm {args:?}: {}", run.stderr);
    }
    // The scan of new IDs too.
    let run = t.pm(&["story", "add", "Next"]).code(3);
    assert!(run.stderr.contains("nested more than 256 folders deep"), "{}", run.stderr);
    assert_eq!(t.snapshot(), before, "nothing was written");
}

/// A loose commit cut short (libgit2 loops on some, libgit2#7342) or missing its zlib
/// checksum: an error naming it, from every command.
#[test]
fn a_loose_commit_cut_short_is_an_error_not_a_hang() {
    for cut in [2, 4, 1000] {
        let t = Test::initialized();
        t.pm(&["story", "add", "First story"]).success();
        t.commit("one");
        let head = t.git(&["rev-parse", "HEAD"]).trim().to_string();
        let path = t.path(&format!(".git/objects/{}/{}", &head[..2], &head[2..]));
        let bytes = std::fs::read(&path).unwrap();
        // `cut` bytes off the end: 4 is exactly the zlib checksum.
        overwrite(&path, &bytes[..bytes.len().saturating_sub(cut).max(2)]);
        for args in [
            &["history"][..],
            &["backlog", "--at", "HEAD"],
            &["check", "--rev", "HEAD"],
            &["diff"],
            &["story", "add", "X"],
        ] {
            let run = t.pm(args).code(3);
            assert_eq!(run.stderr, cannot_be_read(&head), "cut {cut}: pm {args:?}");
        }
    }
}

/// Trees that name one subtree twice at every level (22 levels: four million paths in a few
/// hundred kilobytes): every walk stops at the entry limit with an error, in well under a
/// second, instead of visiting every path.
#[test]
fn trees_that_double_at_every_level_are_an_error_not_a_hang() {
    let t = Test::initialized();
    t.pm(&["story", "add", "First story"]).success();
    t.commit("one");
    let mut tree = t.git(&["rev-parse", "HEAD:product/stories"]).trim().to_string();
    for _ in 0..22 {
        tree = t.git_stdin(&["mktree"], &format!("040000 tree {tree}\ta\n040000 tree {tree}\tb\n")).trim().to_string();
    }
    let replace = |listing: String, name: &str, oid: &str| -> String {
        let lines: Vec<String> =
            listing
                .lines()
                .map(|l| {
                    if l.ends_with(&format!("\t{name}")) { format!("040000 tree {oid}\t{name}") } else { l.to_string() }
                })
                .collect();
        lines.join("\n") + "\n"
    };
    let product = t.git_stdin(&["mktree"], &replace(t.git(&["ls-tree", "HEAD:product"]), "stories", &tree));
    let root = t.git_stdin(&["mktree"], &replace(t.git(&["ls-tree", "HEAD"]), "product", product.trim()));
    let commit = t.git(&["commit-tree", root.trim(), "-p", "HEAD", "-m", "doubled"]);
    t.git(&["update-ref", "refs/heads/doubled", commit.trim()]);
    let before = t.snapshot();
    for args in [
        &["check", "--rev", "doubled"][..],
        &["backlog", "--at", "doubled"],
        &["diff", "HEAD", "doubled"],
        &["history"],
    ] {
        if args == ["history"] {
            t.git(&["update-ref", "HEAD", commit.trim()]);
        }
        let started = std::time::Instant::now();
        let run = t.pm(args).code(3);
        assert!(
            run.stderr.contains("holds more than 1000000 files and folders")
                || run.stderr.contains("change more than 1000000 files and folders in one commit"),
            "pm {args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("hint: "), "pm {args:?}: {}", run.stderr);
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "pm {args:?} took {:?}", started.elapsed());
    }
    // The scan of new IDs reads each distinct tree once.
    t.pm(&["story", "add", "Next"]).success();
    let after = t.snapshot();
    assert_eq!(after.len(), before.len() + 1, "only the new story was written");
}
