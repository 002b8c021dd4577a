//! Charts as Mermaid `xychart-beta` diagrams in a fenced block, which GitHub renders in
//! Markdown: one diagram per panel, each series a line. Mermaid has no stacked areas, so a
//! cumulative flow is drawn as the top edge of each band (the running total, the boundaries a
//! flow diagram shows); it has no bump chart and no gaps in a line, so the priorities chart is
//! refused before this is called and a line chart keeps the days every series has a value on.
//! Labels are escaped with Mermaid's entity codes.

use crate::chart::{Chart, Lines, Panel, nice_top, number, sample};
use crate::model::escape::mermaid as esc;

/// Points of a diagram at most: Mermaid prints every label of the x axis.
const POINTS: usize = 16;

/// The chart as Markdown: a fenced `mermaid` block per panel, or the sentence saying why there
/// is nothing to draw. `None` for a chart Mermaid cannot express (a bump chart).
pub fn render(chart: &Chart) -> Option<String> {
    if chart.panels.iter().any(|p| matches!(p, Panel::Bump(_))) {
        return None;
    }
    if let Some(why) = &chart.empty {
        return Some(format!(
            "{}\n\n{}\n",
            crate::model::escape::markdown(&chart.title),
            crate::model::escape::markdown(why)
        ));
    }
    let mut out = String::new();
    for panel in &chart.panels {
        let Panel::Lines(l) = panel else { continue };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&diagram(chart, l));
    }
    Some(out)
}

fn diagram(chart: &Chart, l: &Lines) -> String {
    // A series with no value at all (a metric without a target) is left out: Mermaid draws
    // only the days every line has a value on.
    let kept: Vec<&crate::chart::Series> = l.series.iter().filter(|s| s.values.iter().any(Option::is_some)).collect();
    let l = &Lines { series: kept.into_iter().cloned().collect(), ..l.clone() };
    // Mermaid's line charts have no legend: the title names the lines, in order.
    // The running totals of a stacked chart, else the series as they are.
    let values: Vec<Vec<Option<f64>>> = if l.stacked {
        let mut sum = vec![0.0; l.days.len()];
        l.series
            .iter()
            .map(|s| {
                s.values
                    .iter()
                    .enumerate()
                    .map(|(d, v)| {
                        sum[d] += v.unwrap_or(0.0);
                        Some(sum[d])
                    })
                    .collect()
            })
            .collect()
    } else {
        l.series.iter().map(|s| s.values.clone()).collect()
    };
    let full: Vec<usize> = (0..l.days.len()).filter(|&d| values.iter().all(|v| v[d].is_some())).collect();
    let shown: Vec<usize> = sample(full.len(), POINTS).into_iter().map(|i| full[i]).collect();
    let names: Vec<String> = l
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let what = if l.stacked && i > 0 { format!("{} and below", s.name) } else { s.name.clone() };
            format!("{what} ({})", crate::history::changes::ordinal(i + 1))
        })
        .collect();
    let title = if l.title.is_empty() { chart.title.clone() } else { format!("{}: {}", chart.title, l.title) };
    let mut out = String::from("```mermaid\nxychart-beta\n");
    out.push_str(&format!("  title \"{}\"\n", esc(&format!("{title}. Lines: {}", names.join(", ")))));
    let labels: Vec<String> = shown.iter().map(|&d| format!("\"{}\"", l.days[d])).collect();
    out.push_str(&format!("  x-axis [{}]\n", labels.join(", ")));
    let max = shown.iter().flat_map(|&d| values.iter().filter_map(move |v| v[d])).fold(0.0, f64::max);
    let unit = if l.unit.is_empty() { "value" } else { &l.unit };
    out.push_str(&format!("  y-axis \"{}\" 0 --> {}\n", esc(unit), number(nice_top(max))));
    for v in &values {
        let points: Vec<String> = shown.iter().map(|&d| number(v[d].unwrap_or(0.0))).collect();
        out.push_str(&format!("  line [{}]\n", points.join(", ")));
    }
    out.push_str("```\n");
    out
}
