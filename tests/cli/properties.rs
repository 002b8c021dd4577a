//! Property tests for the editing invariants, over generated hand-written-looking files:
//! an untouched file round-trips byte for byte, and setting one field changes one line.

use proptest::prelude::*;

use crate::harness::{Test, changed_lines};
use pm::model::criteria::Criteria;
use pm::model::frontmatter::{FieldValue, edit_fields, parse, split, yaml_scalar};

/// One front-matter line in one of the styles people write by hand.
fn scalar_line() -> impl Strategy<Value = (String, String)> {
    let key = prop_oneof![Just("owner"), Just("priority"), Just("jira"), Just("team"), Just("estimate_note")];
    let word = "[a-z][a-z0-9-]{0,10}";
    let style = 0..4u8;
    let comment = proptest::option::of("[a-z ]{1,12}");
    (key, word, style, comment).prop_map(|(k, v, style, comment)| {
        let value = match style {
            0 => v.clone(),
            1 => format!("'{v}'"),
            2 => format!("\"{v}\""),
            _ => format!("{v}   "),
        };
        let comment = comment.map(|c| format!(" # {c}")).unwrap_or_default();
        (k.to_string(), format!("{k}: {value}{comment}"))
    })
}

fn document() -> impl Strategy<Value = String> {
    let lines = proptest::collection::vec(scalar_line(), 0..6);
    let comments = proptest::collection::vec(proptest::option::of("# [a-z ]{0,20}"), 6);
    let block_list = any::<bool>();
    let crlf = any::<bool>();
    let body = proptest::collection::vec("[A-Za-z ,.*`#-]{0,30}", 0..5);
    (lines, comments, block_list, crlf, body).prop_map(|(lines, comments, block, crlf, body)| {
        let mut fm = vec!["id: S-7".to_string(), "title: A title".to_string(), "status: ready".to_string()];
        let mut seen = std::collections::HashSet::new();
        for (i, (k, l)) in lines.into_iter().enumerate() {
            if seen.insert(k) {
                fm.push(l);
            }
            if let Some(Some(c)) = comments.get(i) {
                fm.push(c.clone());
            }
        }
        if block {
            fm.push("labels:\n  - one\n  - two".into());
        } else {
            fm.push("labels: [one, two]".into());
        }
        let eol = if crlf { "\r\n" } else { "\n" };
        let text = format!("---\n{}\n---\n{}\n", fm.join("\n"), body.join("\n"));
        text.replace('\n', eol)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_edit_is_byte_identical(doc in document()) {
        let s = split(&doc).unwrap();
        prop_assert_eq!(edit_fields(&doc, &s, &[]).unwrap(), doc.clone());
        let c = Criteria::parse(&doc[s.body.clone()]);
        prop_assert!(c.items.is_empty());
    }

    #[test]
    fn setting_one_field_changes_one_line(doc in document(), value in "[a-z][a-z0-9]{0,8}", key in prop_oneof![Just("status"), Just("owner"), Just("jira"), Just("points")]) {
        let s = split(&doc).unwrap();
        let before = parse(&doc, &s).unwrap();
        let raw = if key == "points" { "5".to_string() } else { yaml_scalar(&value) };
        let out = edit_fields(&doc, &s, &[(key.to_string(), FieldValue::Scalar(raw))]).unwrap();
        let (old, new) = changed_lines(&doc, &out);
        if out == doc {
            // Setting a field to the value it has changes nothing at all.
            let again = parse(&out, &split(&out).unwrap()).unwrap();
            prop_assert!(before.contains_key(key), "{:?} -> {:?}", doc, out);
            prop_assert_eq!(again.get(key), before.get(key));
            return Ok(());
        }
        if before.contains_key(key) {
            prop_assert_eq!(old.len(), 1, "{:?} -> {:?}", doc, out);
        } else {
            prop_assert_eq!(old.len(), 0, "{:?} -> {:?}", doc, out);
        }
        prop_assert_eq!(new.len(), 1);
        let eol = if doc.contains("\r\n") { "\r\n" } else { "\n" };
        prop_assert!(new[0].ends_with(eol));
        // Every other field reads back the same; the body is untouched.
        let s2 = split(&out).unwrap();
        let after = parse(&out, &s2).unwrap();
        for (k, v) in &before {
            let k = k.as_str().expect("generated keys are strings");
            if k != key {
                prop_assert_eq!(after.get(k), Some(v));
            }
        }
        prop_assert_eq!(&out[s2.body.clone()], &doc[s.body.clone()]);
    }

    #[test]
    fn checking_a_criterion_changes_one_line(n in 1usize..6, pick in 0usize..6, crlf in any::<bool>()) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let items: Vec<String> = (1..=n).map(|i| format!("- [ ] AC-{i}: criterion {i}")).collect();
        let body = format!("Story.{eol}{eol}## Acceptance criteria{eol}{eol}{}{eol}{eol}## Notes{eol}- [ ] AC-99: not one{eol}", items.join(eol));
        let c = Criteria::parse(&body);
        prop_assert_eq!(c.items.len(), n);
        let target = (pick % n) as u32 + 1;
        let out = c.set_checked(&body, target, true).unwrap();
        let (old, new) = changed_lines(&body, &out);
        prop_assert_eq!(old.len(), 1);
        prop_assert_eq!(new[0].clone(), format!("- [x] AC-{target}: criterion {target}{eol}"));
    }
}

/// The same invariant through the binary, on a few generated files.
#[test]
fn the_binary_changes_one_line_of_generated_files() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(8));
    let t = Test::initialized();
    let n = std::cell::Cell::new(0);
    runner
        .run(&document(), |doc| {
            n.set(n.get() + 1);
            let path = "product/stories/S-7-a-title.md";
            t.write(path, &doc);
            t.pm(&["story", "list"]).success();
            assert_eq!(t.read(path), doc, "reading changed the file");
            t.pm(&["story", "set", "S-7", "status=done"]).success();
            let (old, new) = changed_lines(&doc, &t.read(path));
            assert_eq!((old.len(), new.len()), (1, 1), "run {}", n.get());
            Ok(())
        })
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The fast front-matter reader agrees with the full YAML parser whenever it answers.
    #[test]
    fn the_fast_reader_agrees_with_the_yaml_parser(
        lines in proptest::collection::vec(
            ("[a-z_][a-z0-9_-]{0,6}", prop_oneof![
                "[ -~]{0,12}",
                "[a-zA-Z0-9 ,.:#'\"\\[\\]-]{0,12}",
                "\\[[a-z0-9 ,]{0,10}\\]",
                "[0-9]{1,4}",
                "[a-z #:\r\u{85}\u{2028}\u{2029}]{0,12}",
                "[a-z \t#:\u{1}-\u{1f}\u{7f}-\u{9f}]{0,8}",
            ]),
            1..6,
        ),
        // A blank, comment or indented line (tabs, control bytes) among the keys.
        other in "[\t #\u{1}-\u{1f}\u{7f}-\u{9f}a-z:]{0,8}",
        at in 0usize..6,
    ) {
        let mut yaml: Vec<String> = lines.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        yaml.insert(at.min(yaml.len()), format!("{other}\n"));
        let yaml: String = yaml.concat();
        if let Some(fast) = pm::model::frontmatter::fast::parse(&yaml) {
            let full = serde_yaml::from_str::<serde_yaml::Value>(&yaml);
            prop_assert!(full.is_ok(), "fast accepted what YAML rejects: {:?}", yaml);
            prop_assert_eq!(serde_yaml::Value::Mapping(fast.to_mapping()), full.unwrap(), "{:?}", yaml);
        }
    }
}

/// One line of a story body: mostly the plain shapes the fast criteria reader takes, and some
/// of the Markdown that makes it decline or that could fool a line scanner.
fn body_line() -> impl Strategy<Value = String> {
    let heading = (
        1..4usize,
        prop_oneof![
            Just("Acceptance criteria"),
            Just("acceptance CRITERIA"),
            Just("Acceptance criteria  "),
            Just("Notes"),
            Just("Acceptance *criteria*"),
            Just("Acceptance criteria ##"),
            Just(""),
        ],
    )
        .prop_map(|(level, text)| format!("{} {text}", "#".repeat(level)));
    let task = (prop_oneof![Just(' '), Just('x'), Just('X')], 0..4u32, "[A-Za-z\x0b\x0c][a-z ,.*`]{0,12}").prop_map(
        |(mark, n, text)| if n == 0 { format!("- [{mark}] {text}") } else { format!("- [{mark}] AC-{n}: {text}") },
    );
    let text = "[A-Za-z][A-Za-z ,.*`_:-]{0,15}";
    let odd = prop_oneof![
        Just("   ".to_string()),
        Just("\t".to_string()),
        Just("  continued".to_string()),
        Just("    - [ ] AC-9: code".to_string()),
        Just("  - [ ] AC-8: nested".to_string()),
        Just("- [ ]".to_string()),
        Just("- [ ]  AC-7: two spaces".to_string()),
        Just("- [x]: /url".to_string()),
        Just("* [ ] AC-6: star".to_string()),
        Just("1. [ ] AC-5: ordered".to_string()),
        Just("- plain item".to_string()),
        Just("---".to_string()),
        Just("===".to_string()),
        Just("```".to_string()),
        Just("~~~".to_string()),
        Just("<div>".to_string()),
        Just("> quote".to_string()),
        Just("#hashtag".to_string()),
        Just("####### seven".to_string()),
        Just("####### Acceptance criteria".to_string()),
        Just("- [ ] \x0c".to_string()),
        Just("- [ ] \x0b".to_string()),
        Just("- [ ] AC-4: a\x0cb".to_string()),
        Just("\x7f".to_string()),
    ];
    prop_oneof![3 => Just(String::new()), 2 => heading, 4 => task, 3 => text, 1 => odd]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The fast criteria reader agrees with the Markdown parser whenever it answers.
    #[test]
    fn the_fast_criteria_reader_agrees_with_the_markdown_parser(
        lines in proptest::collection::vec(body_line(), 0..12),
        final_eol in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let mut body = lines.join("\n");
        if final_eol {
            body.push('\n');
        }
        if crlf {
            body = body.replace('\n', "\r\n");
        }
        if let Some(fast) = pm::model::criteria::fast::parse(&body) {
            prop_assert_eq!(fast, Criteria::parse_markdown(&body), "{:?}", body);
        }
    }
}
