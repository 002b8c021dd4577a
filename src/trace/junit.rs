//! JUnit XML test reports (cargo-nextest, pytest, Jest, Maven, gotestsum): each test case's
//! name, class name, `verifies` properties and outcome.

use quick_xml::events::{BytesStart, Event};

/// How a test case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Skipped,
    Failed,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// One `<testcase>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    pub name: String,
    pub classname: String,
    /// Values of `<property name="verifies" value="..."/>` (also `requirement`, `covers`).
    pub verifies: Vec<String>,
    pub outcome: Outcome,
}

/// A report that is not JUnit XML: the 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadReport {
    pub line: usize,
    pub message: String,
}

fn line_at(text: &str, offset: u64) -> usize {
    let end = (offset as usize).min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// An attribute's value; a malformed attribute or value (an unknown entity) is an error, never
/// an empty name (which would tie a failure to no criterion).
fn attr(e: &BytesStart, key: &str) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|e| format!("a malformed attribute: {e}"))?;
        if a.key.as_ref() == key {
            let v = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| format!("`{key}`: {e}"))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn case_of(e: &BytesStart) -> Result<TestCase, String> {
    Ok(TestCase {
        name: attr(e, "name")?.unwrap_or_default(),
        classname: attr(e, "classname")?.unwrap_or_default(),
        verifies: Vec::new(),
        outcome: Outcome::Passed,
    })
}

/// Whether a file's text is a JUnit report (a committed or left-over one is results, never
/// references to criteria).
pub fn looks_like_report(text: &str) -> bool {
    let head = &text[..text.len().min(1024)];
    head.trim_start().starts_with('<') && (head.contains("<testsuites") || head.contains("<testsuite"))
}

/// Every test case of a report, in order.
pub fn parse(text: &str) -> Result<Vec<TestCase>, BadReport> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut cases = Vec::new();
    let mut current: Option<TestCase> = None;
    let mut saw_root = false;
    // Elements open at the end: a report cut off by a killed run must not pass for complete.
    let mut open = 0usize;
    let bad = |at: u64, message: String| BadReport { line: line_at(text, at), message };
    loop {
        let event = reader.read_event().map_err(|e| BadReport {
            line: line_at(text, reader.error_position()),
            message: format!("not valid XML: {e}"),
        })?;
        match &event {
            Event::Start(_) => open += 1,
            Event::End(_) => open = open.saturating_sub(1),
            Event::Eof if open > 0 => {
                return Err(BadReport {
                    line: line_at(text, reader.buffer_position()),
                    message: "the report ends before its elements close: the test run was cut off while writing it"
                        .into(),
                });
            }
            _ => {}
        }
        match event {
            Event::Start(e) | Event::Empty(e) if !saw_root => {
                saw_root = true;
                let name = e.local_name();
                if !matches!(name.as_ref(), "testsuites" | "testsuite") {
                    return Err(BadReport {
                        line: line_at(text, reader.buffer_position()),
                        message: format!(
                            "not a JUnit report: the root element is <{}>, not <testsuites> or <testsuite>",
                            name.as_ref()
                        ),
                    });
                }
            }
            // `<testcase/>` has no children: it passed, and is done.
            Event::Empty(e) if e.local_name().as_ref() == "testcase" => {
                cases.push(case_of(&e).map_err(|m| bad(reader.buffer_position(), m))?)
            }
            Event::Start(e) if e.local_name().as_ref() == "testcase" => {
                cases.extend(current.take());
                current = Some(case_of(&e).map_err(|m| bad(reader.buffer_position(), m))?);
            }
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "failure" | "error" => {
                    if let Some(c) = current.as_mut() {
                        c.outcome = Outcome::Failed;
                    }
                }
                "skipped" => {
                    if let Some(c) = current.as_mut().filter(|c| c.outcome != Outcome::Failed) {
                        c.outcome = Outcome::Skipped;
                    }
                }
                "property" => {
                    let at = reader.buffer_position();
                    let key = attr(&e, "name").map_err(|m| bad(at, m))?.unwrap_or_default();
                    if let (Some(c), true) =
                        (current.as_mut(), matches!(key.as_str(), "verifies" | "requirement" | "covers"))
                    {
                        c.verifies.extend(attr(&e, "value").map_err(|m| bad(at, m))?);
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "testcase" => {
                if let Some(done) = current.take() {
                    cases.push(done);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(BadReport {
            line: 1,
            message: "not a JUnit report: no <testsuites> or <testsuite> element".into(),
        });
    }
    cases.extend(current);
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_outcomes_and_properties() {
        let xml = r#"<?xml version="1.0"?>
<testsuites><testsuite name="t">
  <properties><property name="verifies" value="S-9/AC-9"/></properties>
  <testcase name="s_1_ac_1_splits" classname="split"/>
  <testcase name="rounding" classname="split"><properties><property name="verifies" value="S-1/AC-2"/></properties>
    <failure message="off by one">1 != 2</failure></testcase>
  <testcase name="later"><skipped/></testcase>
</testsuite></testsuites>"#;
        let cases = parse(xml).unwrap();
        let got: Vec<(&str, Vec<String>, Outcome)> =
            cases.iter().map(|c| (c.name.as_str(), c.verifies.clone(), c.outcome)).collect();
        assert_eq!(
            got,
            [
                ("s_1_ac_1_splits", vec![], Outcome::Passed),
                ("rounding", vec!["S-1/AC-2".to_string()], Outcome::Failed),
                ("later", vec![], Outcome::Skipped),
            ]
        );
        assert_eq!(parse("<testsuite>\n<testcase name='a'>\n</wrong>").unwrap_err().line, 3);
        assert_eq!(
            parse("<html/>").unwrap_err().message,
            "not a JUnit report: the root element is <html>, not <testsuites> or <testsuite>"
        );
    }
}
