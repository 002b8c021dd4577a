//! Prioritisation scores: the `scoring:` settings of `pm.yaml`, the models (RICE, WSJF,
//! value/effort, or a formula over numeric fields), and an item's score from its fields.
//!
//! Every model is an arithmetic expression over named fields; the built-in ones are written as
//! formulas too, so one small evaluator serves them all (numbers, field names, `+ - * /`,
//! parentheses: no functions, no scripting).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::fields::Fields;
use crate::model::item::scalar_string;

/// `scoring:` in `pm.yaml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ScoringSettings {
    /// `rice`, `wsjf`, `value-effort` or `formula`; none: no scores.
    pub model: Option<ModelName>,
    /// With `model: formula`: the expression, like `(value + urgency) / effort`.
    pub formula: Option<String>,
    /// The values each input may take; an input not listed takes any number from 0 up.
    /// Replaces the model's own scales for the inputs it names.
    pub scales: BTreeMap<String, Vec<f64>>,
    /// A story without its own `reach` takes the weighted count of the feedback that supports
    /// it (`pm feedback`).
    pub reach_from_feedback: bool,
}

/// The input [`ScoringSettings::reach_from_feedback`] derives.
pub const REACH: &str = "reach";

/// The scoring models.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ModelName {
    Rice,
    Wsjf,
    ValueEffort,
    Formula,
}

impl ModelName {
    pub fn name(self) -> &'static str {
        match self {
            ModelName::Rice => "rice",
            ModelName::Wsjf => "wsjf",
            ModelName::ValueEffort => "value-effort",
            ModelName::Formula => "formula",
        }
    }
}

/// RICE's impact scale (Intercom's: minimal to massive).
pub const RICE_IMPACT: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 3.0];
/// SAFe's modified Fibonacci scale for WSJF's four inputs.
pub const WSJF_SCALE: [f64; 7] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0];

/// A scoring model ready to score items.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: ModelName,
    /// The formula, as written (the built-in models' own).
    pub formula: String,
    expr: Expr,
    /// The input fields, in the order the formula names them first.
    pub inputs: Vec<String>,
    /// Allowed values per input (inputs not here: any number from 0 up).
    pub scales: BTreeMap<String, Vec<f64>>,
    /// The input a story without it takes from its feedback ([`REACH`], when set).
    pub from_feedback: Option<String>,
}

/// What keeps an item from having a score.
#[derive(Debug, Clone, PartialEq)]
pub enum NoScore {
    /// Inputs without a value.
    Missing(Vec<String>),
    /// An input whose value is not a number from 0 up, or outside its scale: (field, value).
    Invalid(String, String),
    /// A division by zero: the field (or expression) that is 0.
    DividesByZero(String),
}

impl NoScore {
    /// The field the problem is at: an input off its scale, or the one the score divides by
    /// (for a missing input, none).
    pub fn field(&self) -> Option<&str> {
        match self {
            NoScore::Invalid(field, _) | NoScore::DividesByZero(field) => Some(field),
            NoScore::Missing(_) => None,
        }
    }

    /// A short phrase for a table cell or a message.
    pub fn describe(&self) -> String {
        match self {
            NoScore::Missing(fields) => format!("missing {}", fields.join(", ")),
            NoScore::Invalid(field, value) => format!("`{field}: {value}` is off its scale"),
            NoScore::DividesByZero(what) => format!("{what} is 0"),
        }
    }
}

impl ScoringSettings {
    /// The model these settings choose, or why they choose none that works (an error to show at
    /// `pm.yaml`). `Ok(None)`: no scoring.
    pub fn model(&self) -> Result<Option<Model>, String> {
        let Some(name) = self.model else {
            if self.formula.is_some() {
                return Err("scoring.formula is set but scoring.model is not: add `model: formula`".into());
            }
            return Ok(None);
        };
        let (formula, mut scales): (String, BTreeMap<String, Vec<f64>>) = match name {
            ModelName::Rice => {
                ("reach * impact * confidence / effort".into(), BTreeMap::from([("impact".into(), RICE_IMPACT.to_vec())]))
            }
            ModelName::Wsjf => (
                "(value + time_criticality + risk_reduction) / job_size".into(),
                ["value", "time_criticality", "risk_reduction", "job_size"]
                    .into_iter()
                    .map(|k| (k.to_string(), WSJF_SCALE.to_vec()))
                    .collect(),
            ),
            ModelName::ValueEffort => ("value / effort".into(), BTreeMap::new()),
            ModelName::Formula => match &self.formula {
                Some(f) if !f.trim().is_empty() => (f.clone(), BTreeMap::new()),
                _ => return Err("scoring.model is formula but scoring.formula is empty: write one, like `formula: (value + urgency) / effort`".into()),
            },
        };
        if name != ModelName::Formula && self.formula.is_some() {
            return Err(format!(
                "scoring.formula is only for `model: formula`; the {} model has its own: {formula}",
                name.name()
            ));
        }
        let expr = parse(&formula).map_err(|e| format!("scoring.formula: {e}"))?;
        let mut inputs = Vec::new();
        expr.fields(&mut inputs);
        // pm's own fields hold text or IDs, but for `points`: no number to score with.
        let own = (crate::model::item::COMMON_FIELDS.iter())
            .chain(crate::model::item::STORY_FIELDS)
            .chain(crate::model::item::EPIC_FIELDS)
            .find(|f| **f != "points" && inputs.iter().any(|i| i == *f));
        if let Some(field) = own {
            return Err(format!("scoring.formula names `{field}`, one of pm's own fields, which holds no number"));
        }
        for (field, values) in &self.scales {
            if !inputs.contains(field) {
                return Err(format!(
                    "scoring.scales names `{field}`, which the {} model does not use (its inputs: {})",
                    name.name(),
                    inputs.join(", ")
                ));
            }
            if values.is_empty() || values.iter().any(|v| !v.is_finite() || *v < 0.0) {
                return Err(format!("scoring.scales.{field} must list numbers from 0 up"));
            }
            scales.insert(field.clone(), values.clone());
        }
        let from_feedback = match self.reach_from_feedback {
            true if !inputs.iter().any(|i| i == REACH) => {
                return Err(format!(
                    "scoring.reach_from_feedback is true, but the {} model has no `reach` input (its inputs: {})",
                    name.name(),
                    inputs.join(", ")
                ));
            }
            true => Some(REACH.to_string()),
            false => None,
        };
        Ok(Some(Model { name, formula, expr, inputs, scales, from_feedback }))
    }
}

impl Model {
    /// An input's value in an item: `None` when the field is absent or empty; `Err` when it is
    /// not a number from 0 up, or off its scale.
    pub fn input(&self, fields: &Fields, field: &str) -> Result<Option<f64>, NoScore> {
        let Some(value) = fields.get(field).filter(|v| !v.is_null()) else { return Ok(None) };
        let Some(text) = scalar_string(value) else {
            return Err(NoScore::Invalid(field.to_string(), crate::model::item::value_text(value)));
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        self.value(field, &text).map(Some)
    }

    /// The number `text` stands for as input `field` (a RICE confidence of 80 is 0.8), or
    /// `Err` when it is not a number from 0 up on the input's scale.
    pub fn value(&self, field: &str, text: &str) -> Result<f64, NoScore> {
        let invalid = || NoScore::Invalid(field.to_string(), text.trim().to_string());
        let number = parse_number(text).filter(|n| *n >= 0.0).ok_or_else(invalid)?;
        if let Some(scale) = self.scales.get(field)
            && !scale.iter().any(|s| (s - number).abs() < 1e-9)
        {
            return Err(invalid());
        }
        if self.name == ModelName::Rice && field == "confidence" {
            // A percentage (80) or a fraction (0.8); over 100% is no confidence level.
            return match number {
                n if n <= 1.0 => Ok(n),
                n if n <= 100.0 => Ok(n / 100.0),
                _ => Err(invalid()),
            };
        }
        Ok(number)
    }

    /// What is wrong with a value that [`Model::value`] refuses.
    pub fn off_scale(&self, field: &str, value: &str) -> String {
        format!("`{field}: {value}` is not on the scale of `{field}`: {}", self.scale_text(field))
    }

    /// Why an item has no score, for a table cell or a message.
    pub fn explain(&self, why: &NoScore) -> String {
        match why {
            NoScore::Invalid(field, value) => self.off_scale(field, value),
            other => other.describe(),
        }
    }

    /// Whether the formula divides by 0 when `field` is `value` and every other input is 1:
    /// a value no item can be scored with (RICE's `effort: 0`).
    pub fn divides_by_zero_at(&self, field: &str, value: f64) -> bool {
        let values: BTreeMap<&str, f64> =
            self.inputs.iter().map(|i| (i.as_str(), if i == field { value } else { 1.0 })).collect();
        matches!(self.expr.eval(&values), Err(NoScore::DividesByZero(_)))
    }

    /// Whether `field` is the input an item without it takes from its feedback.
    pub fn derives(&self, field: &str) -> bool {
        self.from_feedback.as_deref() == Some(field)
    }

    /// The score of an item with these front-matter fields, or what keeps it from one;
    /// `feedback` is the weighted count of the feedback that supports it (its reach, with
    /// `reach_from_feedback`, when it has no `reach` of its own).
    pub fn score(&self, fields: &Fields, feedback: u64) -> Result<f64, NoScore> {
        let mut values = BTreeMap::new();
        let mut missing = Vec::new();
        for field in &self.inputs {
            let derived = self.derives(field).then_some(feedback as f64);
            match self.input(fields, field)?.or(derived) {
                Some(v) => {
                    values.insert(field.as_str(), v);
                }
                None => missing.push(field.clone()),
            }
        }
        if !missing.is_empty() {
            return Err(NoScore::Missing(missing));
        }
        self.expr.eval(&values)
    }

    /// The scale an input takes, for messages: `0.25, 0.5, 1, 2, 3` or `a number from 0 up`.
    pub fn scale_text(&self, field: &str) -> String {
        match self.scales.get(field) {
            Some(s) => s.iter().map(|v| format_score(*v)).collect::<Vec<_>>().join(", "),
            None if self.name == ModelName::Rice && field == "confidence" => {
                "a percentage (0 to 100) or a fraction (0 to 1)".into()
            }
            None => "a number from 0 up".into(),
        }
    }
}

/// The order scores suggest for items in their current order: the scored ones first, highest
/// score first (ties keep their current order), then the ones without a score in their current
/// order. Returns indexes into `scores`.
pub fn order<E>(scores: &[Result<f64, E>]) -> Vec<usize> {
    let mut scored: Vec<usize> = (0..scores.len()).filter(|&i| scores[i].is_ok()).collect();
    let value = |i: usize| scores[i].as_ref().map_or(0.0, |v| *v);
    scored.sort_by(|&a, &b| value(b).total_cmp(&value(a)));
    scored.extend((0..scores.len()).filter(|&i| scores[i].is_err()));
    scored
}

/// A score as shown: whole numbers without decimals, others with up to two.
pub fn format_score(score: f64) -> String {
    let rounded = (score * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A plain decimal number (`3`, `0.25`, `-1`): no exponents, infinities or hex.
fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && digits.bytes().any(|b| b.is_ascii_digit());
    if ok { t.parse().ok() } else { None }
}

/// A formula's syntax tree.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Number(f64),
    Field(String),
    Neg(Box<Expr>),
    Binary(char, Box<Expr>, Box<Expr>),
}

impl Expr {
    fn fields(&self, out: &mut Vec<String>) {
        match self {
            Expr::Number(_) => {}
            Expr::Field(f) => {
                if !out.contains(f) {
                    out.push(f.clone());
                }
            }
            Expr::Neg(e) => e.fields(out),
            Expr::Binary(_, a, b) => {
                a.fields(out);
                b.fields(out);
            }
        }
    }

    fn eval(&self, values: &BTreeMap<&str, f64>) -> Result<f64, NoScore> {
        Ok(match self {
            Expr::Number(n) => *n,
            Expr::Field(f) => values[f.as_str()],
            Expr::Neg(e) => -e.eval(values)?,
            Expr::Binary(op, a, b) => {
                let (x, y) = (a.eval(values)?, b.eval(values)?);
                match op {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    _ if y == 0.0 => return Err(NoScore::DividesByZero(b.text())),
                    _ => x / y,
                }
            }
        })
    }

    /// The expression written back (for "effort is 0").
    fn text(&self) -> String {
        match self {
            Expr::Number(n) => format_score(*n),
            Expr::Field(f) => f.clone(),
            Expr::Neg(e) => format!("-{}", e.text()),
            Expr::Binary(op, a, b) => format!("({} {op} {})", a.text(), b.text()),
        }
    }
}

/// Parse a formula: `expr := term (('+'|'-') term)*`, `term := unary (('*'|'/') unary)*`,
/// `unary := '-' unary | atom`, `atom := number | field | '(' expr ')'`. Errors name the
/// 1-based column.
fn parse(text: &str) -> Result<Expr, String> {
    let mut p = Parser { chars: text.char_indices().collect(), at: 0, depth: 0 };
    let e = p.expr()?;
    p.skip_spaces();
    if let Some(&(i, c)) = p.chars.get(p.at) {
        return Err(format!("unexpected `{c}` at column {}", column(text, i)));
    }
    Ok(e)
}

fn column(text: &str, byte: usize) -> usize {
    text[..byte].chars().count() + 1
}

struct Parser {
    chars: Vec<(usize, char)>,
    at: usize,
    /// Nesting of parentheses and minus signs: bounded, so a hostile formula cannot overflow
    /// the stack.
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser {
    fn skip_spaces(&mut self) {
        while self.chars.get(self.at).is_some_and(|(_, c)| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_spaces();
        self.chars.get(self.at).map(|&(_, c)| c)
    }

    fn column(&self) -> usize {
        self.at + 1
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.term()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.at += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.at += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} deep at column {}", self.column()));
        }
        let e = if self.peek() == Some('-') {
            self.at += 1;
            Expr::Neg(Box::new(self.unary()?))
        } else {
            self.atom()?
        };
        self.depth -= 1;
        Ok(e)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let column = self.column();
        match self.peek() {
            None => Err("the formula ends where a number or a field was expected".into()),
            Some('(') => {
                self.at += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!("nested more than {MAX_DEPTH} deep at column {column}"));
                }
                let e = self.expr()?;
                self.depth -= 1;
                if self.peek() != Some(')') {
                    return Err(format!("the `(` at column {column} is never closed"));
                }
                self.at += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let start = self.at;
                while self.chars.get(self.at).is_some_and(|(_, c)| c.is_ascii_digit() || *c == '.') {
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().map(|(_, c)| c).collect();
                parse_number(&text)
                    .map(Expr::Number)
                    .ok_or_else(|| format!("`{text}` at column {column} is not a number"))
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.at;
                while self.chars.get(self.at).is_some_and(|(_, c)| c.is_ascii_alphanumeric() || *c == '_') {
                    self.at += 1;
                }
                Ok(Expr::Field(self.chars[start..self.at].iter().map(|(_, c)| c).collect()))
            }
            Some(c) => Err(format!(
                "unexpected `{c}` at column {column}; a formula holds numbers, field names, + - * / and parentheses"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(yaml: &str) -> ScoringSettings {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn formulas_follow_precedence_and_name_their_inputs() {
        let e = parse("(value + time_criticality) / job_size * 2 - -1").unwrap();
        let mut inputs = Vec::new();
        e.fields(&mut inputs);
        assert_eq!(inputs, ["value", "time_criticality", "job_size"]);
        let values = BTreeMap::from([("value", 3.0), ("time_criticality", 5.0), ("job_size", 4.0)]);
        assert_eq!(e.eval(&values), Ok(5.0));
        assert_eq!(parse("1 + 2 * 3").unwrap().eval(&BTreeMap::new()), Ok(7.0));
        let zero = BTreeMap::from([("a", 1.0), ("b", 0.0)]);
        assert_eq!(parse("a / b").unwrap().eval(&zero), Err(NoScore::DividesByZero("b".into())));
    }

    #[test]
    fn bad_formulas_name_the_column() {
        for (text, error) in [
            ("a +", "the formula ends where a number or a field was expected"),
            ("(a + b", "the `(` at column 1 is never closed"),
            ("a + b)", "unexpected `)` at column 6"),
            ("a ^ 2", "unexpected `^` at column 3"),
            ("1.2.3", "`1.2.3` at column 1 is not a number"),
            ("max(a, b)", "unexpected `(` at column 4"),
        ] {
            let got = parse(text).unwrap_err();
            assert!(got.starts_with(error), "{text}: {got}");
        }
        assert!(parse(&format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000))).unwrap_err().contains("nested"));
        assert!(parse(&format!("{}a", "-".repeat(10_000))).unwrap_err().contains("nested"));
    }

    #[test]
    fn settings_choose_a_model_or_say_why_not() {
        assert_eq!(ScoringSettings::default().model(), Ok(None));
        let rice = settings("model: rice").model().unwrap().unwrap();
        assert_eq!(rice.inputs, ["reach", "impact", "confidence", "effort"]);
        assert_eq!(rice.scale_text("impact"), "0.25, 0.5, 1, 2, 3");
        let own = settings("model: formula\nformula: value / (effort + 1)\nscales: {effort: [1, 2, 3]}");
        assert_eq!(own.model().unwrap().unwrap().scale_text("effort"), "1, 2, 3");
        for (yaml, error) in [
            ("formula: a / b", "scoring.formula is set but scoring.model is not"),
            ("model: formula", "scoring.model is formula but scoring.formula is empty"),
            ("model: rice\nformula: a", "scoring.formula is only for `model: formula`"),
            ("model: wsjf\nscales: {reach: [1]}", "scoring.scales names `reach`"),
            ("model: rice\nscales: {reach: []}", "scoring.scales.reach must list numbers"),
            ("model: formula\nformula: a +", "scoring.formula: the formula ends"),
        ] {
            let got = settings(yaml).model().unwrap_err();
            assert!(got.starts_with(error), "{yaml}: {got}");
        }
    }

    #[test]
    fn the_order_puts_high_scores_first_and_keeps_the_rest_in_place() {
        let scores: Vec<Result<f64, ()>> = vec![Err(()), Ok(2.0), Ok(5.0), Err(()), Ok(2.0), Ok(9.5)];
        assert_eq!(order(&scores), [5, 2, 1, 4, 0, 3]);
    }

    #[test]
    fn scores_are_shown_with_at_most_two_decimals() {
        assert_eq!(format_score(533.3333), "533.33");
        assert_eq!(format_score(12.0), "12");
        assert_eq!(format_score(0.5), "0.5");
        assert_eq!(parse_number("1e3"), None);
        assert_eq!(parse_number("-2.5"), Some(-2.5));
    }
}
