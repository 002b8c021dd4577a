//! Charts: how priorities and progress moved, as data first and drawings second.
//!
//! - [`build`] reads one walk of history (its backlog moves, or the story timelines of
//!   [`crate::history::flow`]) and returns a [`Chart`]: the days or steps and the values on them;
//! - [`text`], [`svg`] and [`mermaid`] draw a chart for a terminal, a standalone image, or a
//!   Markdown page that GitHub renders. `--format json` is the chart's serde form.
//!
//! A chart is one or more panels (the metrics chart has one per metric). Nothing here reads a
//! file or prints: the CLI gives the history and writes what comes back.

pub mod build;
pub mod mermaid;
pub mod svg;
pub mod text;

use jiff::civil::Date;
use serde::Serialize;

/// A chart: what it shows, and its panels. `empty` is the sentence shown instead of a drawing
/// when there is nothing to draw (no history yet, nothing in the window).
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// `priorities`, `burnup`, `burndown`, `flow` or `metrics`.
    pub chart: &'static str,
    pub title: String,
    /// The days the chart covers, first and last (none when it is empty).
    pub from: Option<Date>,
    pub to: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty: Option<String>,
    pub panels: Vec<Panel>,
}

/// One drawing of a chart.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Panel {
    Bump(Bump),
    Lines(Lines),
}

/// Values over days: a burnup, a burndown, a cumulative flow (stacked), one metric.
#[derive(Debug, Clone, Serialize)]
pub struct Lines {
    pub title: String,
    /// What the values count: `points`, `stories`, or empty for a metric.
    pub unit: String,
    pub days: Vec<Date>,
    pub series: Vec<Series>,
    /// The series are bands stacked in order, the first at the bottom (cumulative flow).
    pub stacked: bool,
    /// A value holds until the next one (a count at the end of each day): drawn as steps.
    /// A burndown joins its points instead.
    pub steps: bool,
}

/// One line (or band) of a [`Lines`] panel: a value per day, `None` where it has none (before
/// a metric was first recorded, after today in a sprint).
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: String,
    pub style: Style,
    pub values: Vec<Option<f64>>,
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// The measured value.
    Solid,
    /// A reference to compare with: the ideal burndown, a metric's target, a burnup's scope.
    Dashed,
}

/// A bump chart: backlog ranks of some stories over the steps that changed them.
#[derive(Debug, Clone, Serialize)]
pub struct Bump {
    pub title: String,
    /// The top of the backlog the chart follows; ranks below it are drawn as "lower".
    pub top: usize,
    pub steps: Vec<Step>,
    pub lines: Vec<BumpLine>,
}

/// A point of a bump chart's time axis: the state after one commit (or after the last of
/// several, when there were too many to draw one by one), or the start of the window.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub day: Date,
    /// The commit (short ID) whose state this is; `None` for the state the window starts from.
    pub commit: Option<String>,
    pub author: String,
    pub summary: String,
    /// How many commits the step stands for.
    pub commits: usize,
}

/// One story's ranks, a value per step (`None`: not in the backlog then).
#[derive(Debug, Clone, Serialize)]
pub struct BumpLine {
    pub id: String,
    pub title: String,
    pub ranks: Vec<Option<usize>>,
    /// Whether the story was moved (or entered the backlog) at that step, rather than shifted
    /// by the moves of others.
    pub moved: Vec<bool>,
}

impl Chart {
    /// A chart with nothing to draw, and the sentence that says why.
    pub fn empty(chart: &'static str, title: String, why: impl Into<String>) -> Chart {
        Chart { chart, title, from: None, to: None, empty: Some(why.into()), panels: Vec::new() }
    }
}

/// A number as a chart shows it: whole numbers without a fraction, others to two places at most.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A round top for an axis holding values up to `max`: 1, 2 or 5 times a power of ten, at
/// least 1.
pub fn nice_top(max: f64) -> f64 {
    if !max.is_finite() || max <= 1.0 {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * power >= max {
            return m * power;
        }
    }
    10.0 * power
}

/// Which of `len` points to show when at most `max` fit: all of them, else every week (every
/// few weeks) counted back from the last, so the latest always shows. Ascending indices.
pub fn sample(len: usize, max: usize) -> Vec<usize> {
    if len <= max || max == 0 {
        return (0..len).collect();
    }
    let weeks = len.div_ceil(7 * max).max(1);
    let step = if len <= 7 * max { 7 } else { 7 * weeks };
    let mut out: Vec<usize> = (0..len).rev().step_by(step).collect();
    out.reverse();
    out
}

/// A title cut to `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_axes_and_samples() {
        assert_eq!([number(3.0), number(2.5), number(1.0 / 3.0), number(-4.0)], ["3", "2.5", "0.33", "-4"]);
        assert_eq!(
            [nice_top(0.0), nice_top(7.0), nice_top(13.0), nice_top(20000.0), nice_top(21.0)],
            [1.0, 10.0, 20.0, 20000.0, 25.0]
        );
        assert_eq!(sample(5, 10), vec![0, 1, 2, 3, 4]);
        assert_eq!(sample(30, 10), vec![1, 8, 15, 22, 29]);
        assert_eq!(sample(200, 10).len(), 10);
        assert_eq!(*sample(200, 10).last().unwrap(), 199);
        assert_eq!(shorten("Connect a bank account", 10), "Connect a…");
    }
}
