//! Reference syntax: where a file outside `product/` names a story or one of its criteria.
//!
//! Two forms, matched as whole words with the product's story prefix (`S` below):
//! - `S-12/AC-2` (a criterion) or `S-12` (a whole story), in comments, strings, attributes;
//! - `s_12_ac_2` (any case), for names that cannot hold `-` or `/`: test functions.
//!
//! A whole word: the character before is not a letter or digit (`MS-12` is not `S-12`), and
//! the number ends where the digits end (`S-120` is not `S-12`).

/// One reference: its line and column (1-based; the column in characters), the story's ID as
/// `S-12`, and the criterion's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub line: usize,
    pub column: usize,
    pub story: String,
    pub ac: Option<u32>,
}

/// Every reference in `text`, in order. One pass: lines and columns are counted as the scan
/// moves, so a long minified line costs what its length costs.
pub fn find(text: &str, prefix: &str) -> Vec<Ref> {
    let bytes = text.as_bytes();
    let p = prefix.as_bytes();
    let mut out = Vec::new();
    // Where the line and column counts stand: at byte `counted`, line `line`, and the
    // characters of that line before it.
    let (mut counted, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let mut chars_before = 0usize;
    let mut i = 0;
    while i + p.len() < bytes.len() {
        // Cheap skip to the next byte that could start a reference.
        let Some(off) = memchr::memchr2(p[0].to_ascii_uppercase(), p[0].to_ascii_lowercase(), &bytes[i..]) else {
            break;
        };
        i += off;
        if boundary(text, i, p)
            && let Some((r, len)) = at(bytes, i, p)
        {
            for nl in memchr::memchr_iter(b'\n', &bytes[counted..i]) {
                line += 1;
                line_start = counted + nl + 1;
                chars_before = 0;
            }
            let from = counted.max(line_start);
            chars_before += text[from..i].chars().count();
            counted = i;
            out.push(Ref { line, column: chars_before + 1, story: format!("{prefix}-{}", r.0), ac: r.1 });
            i += len;
            continue;
        }
        i += 1;
    }
    out
}

/// Whether a reference may start at byte `i`: the character before is not a letter or digit
/// (any script: `éS-1` is not `S-1`); in a test name (`TestS_1_ac_1`, Go's style), a lowercase
/// letter right before the uppercase prefix is a word boundary too.
fn boundary(text: &str, i: usize, p: &[u8]) -> bool {
    let Some(before) = text.get(..i).and_then(|t| t.chars().next_back()) else { return i == 0 };
    if !before.is_alphanumeric() {
        return true;
    }
    let camel = before.is_lowercase() && text.as_bytes().get(i) == Some(&p[0].to_ascii_uppercase());
    camel && text.as_bytes().get(i + p.len()) == Some(&b'_')
}

/// A reference starting at `i`: ((story number, criterion), length), if one is there.
fn at(b: &[u8], i: usize, p: &[u8]) -> Option<((u64, Option<u32>), usize)> {
    let n = p.len();
    let head = b.get(i..i + n)?;
    let upper = head == p;
    let lower_ok = head.eq_ignore_ascii_case(p);
    match b.get(i + n)? {
        b'-' if upper => {
            let (story, digits) = number(b, i + n + 1)?;
            let mut end = i + n + 1 + digits;
            let mut ac = None;
            if b.get(end..end + 4) == Some(b"/AC-")
                && let Some((m, d)) = number(b, end + 4)
            {
                // A criterion number that cannot be one makes no reference at all.
                ac = Some(u32::try_from(m).ok()?);
                end += 4 + d;
            }
            if b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            Some(((story, ac), end - i))
        }
        b'_' if lower_ok => {
            let (story, digits) = number(b, i + n + 1)?;
            let mut end = i + n + 1 + digits;
            let tag = b.get(end..end + 4)?;
            if !tag.eq_ignore_ascii_case(b"_ac_") {
                return None;
            }
            let (m, d) = number(b, end + 4)?;
            end += 4 + d;
            if b.get(end).is_some_and(|c| c.is_ascii_digit()) {
                return None;
            }
            Some(((story, Some(u32::try_from(m).ok()?)), end - i))
        }
        _ => None,
    }
}

/// The decimal number at `i` and its digit count: as IDs are written, without leading zeros
/// (`S-012` is not `S-12`), at most 12 digits.
fn number(b: &[u8], i: usize) -> Option<(u64, usize)> {
    let digits = b.get(i..)?.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 12 || (digits > 1 && b[i] == b'0') {
        return None;
    }
    std::str::from_utf8(&b[i..i + digits]).ok()?.parse().ok().map(|v| (v, digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(text: &str) -> Vec<(usize, String, Option<u32>)> {
        find(text, "S").into_iter().map(|r| (r.line, r.story, r.ac)).collect()
    }

    #[test]
    fn whole_words_only_in_both_forms() {
        let text =
            "// verifies S-12/AC-2\nfn s_12_ac_3_splits() {}\nMS-12 S-120 S-12a S-1 x\n#[test] fn test_S_4_ac_10() {}";
        assert_eq!(
            refs(text),
            [
                (1, "S-12".into(), Some(2)),
                (2, "S-12".into(), Some(3)),
                (3, "S-120".into(), None),
                (3, "S-1".into(), None),
                (4, "S-4".into(), Some(10)),
            ]
        );
        assert_eq!(refs("s-12 SS-1 S-/AC-1 S-1/AC-"), [(1, "S-1".into(), None)]);
        // Leading zeros, a criterion number too large, a letter of another script before.
        assert_eq!(refs("S-0012/AC-1 S-1/AC-99999999999 éS-1/AC-9"), []);
        // Go's test names: `TestS_1_ac_1`.
        assert_eq!(refs("func TestS_1_ac_1(t *testing.T)"), [(1, "S-1".into(), Some(1))]);
    }

    #[test]
    fn columns_count_characters_and_a_long_line_is_linear() {
        // (ééS-3 is no reference: a letter stands right before it.)
        let found = find("é S-1/AC-2\n  ééS-3 x S-4", "S");
        let places: Vec<(usize, usize)> = found.iter().map(|r| (r.line, r.column)).collect();
        assert_eq!(places, [(1, 3), (2, 11)]);
        let long = "x=S-1;".repeat(200_000);
        let refs = find(&long, "S");
        assert_eq!(refs.len(), 200_000);
        assert_eq!(refs.last().map(|r| r.column), Some(6 * 199_999 + 3));
    }
}
