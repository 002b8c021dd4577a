//! A fast reader for the front matter most items have: flat `key: value` lines whose values
//! are plain words or flow lists of plain words, with whole-line comments.
//!
//! It exists for speed (the full YAML parser is most of the cost of reading 10,000 items) and
//! never decides anything the full parser would decide differently: whenever a line is
//! outside that small subset (quotes, block lists, nesting, inline comments, anything that
//! could be a number other than a plain integer, a date or a boolean spelling) it returns
//! `None` and the caller uses the full parser. A property test checks the two agree.

use serde_yaml::{Number, Value};

use crate::model::fields::Fields;

/// The fields of a simple front matter, or `None` to ask the full parser.
pub fn parse(yaml: &str) -> Option<Fields> {
    let lines = yaml.bytes().filter(|b| *b == b'\n').count() + 1;
    // Fields are a list, each new key checked against those before it: fine for the dozen an
    // item has, quadratic for 50,000 (13 s). Long front matter goes to the hashed parser.
    if lines > 256 {
        return None;
    }
    let mut map = Fields::with_capacity(lines);
    // Most front matter has none of the bytes those breaks start with: look per line only then.
    // (0xEF leads U+FEFF, U+FFFE and U+FFFF.)
    let may_break = memchr::memchr3(b'\r', 0xC2, 0xE2, yaml.as_bytes()).is_some()
        || memchr::memchr(0xEF, yaml.as_bytes()).is_some();
    for line in yaml.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if may_break && has_other_line_break(line) {
            return None;
        }
        // A key line starts with a letter; anything else is blank, a comment, or not simple.
        if !line.as_bytes().first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
            // A control byte (a tab too) in a blank or comment line is the parser's to judge:
            // it refuses some and reads others as indentation.
            if (line.trim_start_matches(' ').is_empty() || line.starts_with('#'))
                && !line.bytes().any(|b| b < 0x20 || b == 0x7f)
            {
                continue;
            }
            return None;
        }
        let colon = line.find(':')?;
        let key = &line[..colon];
        if !is_key(key) {
            return None;
        }
        let rest = &line[colon + 1..];
        let value = if rest.bytes().all(|b| b == b' ') {
            Value::Null
        } else {
            let v = rest.strip_prefix(' ')?.trim_end_matches(' ');
            if v.starts_with(' ') || v.contains('\t') {
                return None;
            }
            if let Some(inner) = v.strip_prefix('[') {
                let inner = inner.strip_suffix(']')?;
                // Items are trimmed, and Rust's trim takes control bytes (a form feed) that the
                // parser refuses.
                if inner.bytes().any(|b| b < 0x20 || b == 0x7f) {
                    return None;
                }
                let mut items = Vec::new();
                if !inner.trim_matches(' ').is_empty() {
                    for part in inner.split(',') {
                        // Spaces only: Rust's `trim` also takes Unicode spaces (U+2006), which
                        // YAML keeps as part of the item.
                        items.push(scalar(part.trim_matches(' '), true)?);
                    }
                }
                Value::Sequence(items)
            } else {
                scalar(v, false)?
            }
        };
        if !map.insert_new(key, value) {
            return None;
        }
    }
    Some(map)
}

/// Whether a line holds a character the YAML parser takes as a line break where this reader
/// splits only at `\n`: a bare `\r`, NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR. Inside a
/// comment such a character ends the comment for the parser, and what follows is a key. C1
/// controls (U+0080 to U+009F, which share NEL's leading byte) and the characters YAML does
/// not print (U+FFFE, U+FFFF; and U+FEFF, a byte-order mark, which it treats apart) are the
/// parser's to refuse.
fn has_other_line_break(line: &str) -> bool {
    line.contains(|c: char| {
        matches!(c, '\r' | '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
    })
}

fn is_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        // `true: x` has a boolean key for the parser, not a string one.
        && !(key.len() <= 5 && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(key)))
}

/// Plain words the parser reads as something other than a string (or may, in YAML 1.1).
const RESERVED: [&str; 11] = ["null", "true", "false", "y", "n", "yes", "no", "on", "off", "nan", "inf"];

/// A plain scalar, resolved as the full parser would, or `None` when unsure.
fn scalar(v: &str, in_flow: bool) -> Option<Value> {
    let first = v.chars().next()?;
    if matches!(
        first,
        '-' | '?'
            | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
            | '~'
            | '.'
            | '+'
    ) || first.is_whitespace()
    {
        return None;
    }
    // One pass for what would make the parser read more than a plain word: `: ` or a final
    // `:` (a mapping), ` #` (a comment), a backslash, and in a flow list its punctuation.
    let bytes = v.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let special = match b {
            // In a flow list the parser refuses some `:` inside a word (`a::b`): its to judge.
            b':' => in_flow || bytes.get(i + 1).is_none_or(|n| *n == b' '),
            b'#' => i > 0 && bytes[i - 1] == b' ',
            b'\\' => true,
            b',' | b'[' | b']' | b'{' | b'}' => in_flow,
            // Control bytes: the parser refuses most of them.
            0..0x20 | 0x7f => true,
            _ => false,
        };
        if special {
            return None;
        }
    }
    if first.is_ascii_digit() {
        // Only plain integers; dates, floats, octal-looking and huge numbers go to the parser.
        if !v.bytes().all(|b| b.is_ascii_digit()) || (v.len() > 1 && first == '0') || v.len() > 18 {
            return None;
        }
        return Some(Value::Number(Number::from(v.parse::<u64>().ok()?)));
    }
    if v.len() <= 5 && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(v)) {
        return None;
    }
    Some(Value::String(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the YAML parser sees a line break that `\n`-splitting does not, the fast reader
    /// declines (a key hidden behind a comment is not lost).
    #[test]
    fn other_line_breaks_go_to_the_full_parser() {
        for sep in ["\r", "\u{85}", "\u{2028}", "\u{2029}"] {
            let yaml = format!("# note{sep}id: S-9\ntitle: T\n");
            let full: Value = serde_yaml::from_str(&yaml).unwrap();
            match parse(&yaml) {
                None => {}
                Some(fast) => assert_eq!(Value::Mapping(fast.to_mapping()), full, "{sep:?}"),
            }
            let yaml = format!("title: a{sep}b\n");
            if let (Some(fast), Ok(full)) = (parse(&yaml), serde_yaml::from_str::<Value>(&yaml)) {
                assert_eq!(Value::Mapping(fast.to_mapping()), full, "{sep:?}");
            }
        }
        // Text with other characters of the same leading bytes still takes the fast path.
        assert!(parse("title: Plan \u{2014} and \u{a9}\n").is_some());
    }

    use serde_yaml::Mapping;

    fn full(yaml: &str) -> Option<Mapping> {
        match serde_yaml::from_str::<Value>(yaml) {
            Ok(Value::Mapping(m)) => Some(m),
            _ => None,
        }
    }

    #[test]
    fn agrees_with_the_full_parser_or_declines() {
        let cases = [
            "id: S-1\ntitle: Split a bill, fairly\nstatus: ready\npoints: 3\nlabels: [a, b-c]\n",
            "id: S-1\r\ntitle: x\r\n# comment\r\nowner:\r\n",
            "labels: []\nepic: E-2\ntitle: Use [brackets] inside\n",
            "title: 2024-01-01\n",
            "title: yes\n",
            "title: 'quoted'\n",
            "title: a # comment\n",
            "labels:\n  - a\n",
            "points: 007\n",
            "points: 3.5\n",
            "title: Why? Because: reasons\n",
            "a: b\na: c\n",
            "title: ~\n",
            "title: x:y\n",
            "title: 12345678901234567890123\n",
            "title: a\u{1}b\n",
            "title: a\u{1b}[2Jb\n",
            "labels: [a\u{7}, b]\n",
            "\t\nid: S-1\n",
            "\t\t\ntitle: x\n",
            "# note \u{1} here\ntitle: x\n",
            "owner:\t\ntitle: x\n",
            "title: a\u{7f}b\n",
        ];
        for c in cases {
            if let Some(fast) = parse(c) {
                assert_eq!(Some(fast.to_mapping()), full(c), "{c:?}");
            }
        }
        assert!(parse(cases[0]).is_some());
        assert!(parse(cases[1]).is_some());
        assert!(parse(cases[2]).is_some());
    }
}
