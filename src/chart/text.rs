//! Charts drawn for a terminal with Unicode: a row per day (or week) of bars and markers for
//! values over time, a table of ranks with the moves marked for a bump chart. Fixed widths, so
//! the drawing is the same in a pipe, a test and a terminal. User text is escaped for the
//! terminal.

use crate::chart::{Bump, Chart, Lines, Panel, Style, number, sample, shorten};
use crate::model::escape::terminal;

/// Columns of a bar at its longest.
const BAR: usize = 40;
/// Rows of a chart over days at most.
const ROWS: usize = 24;
/// Steps of a bump chart at most.
const STEPS: usize = 12;

/// Glyphs of the bands of a stacked chart, bottom first.
const BANDS: [char; 6] = ['█', '▓', '▒', '░', '▚', '·'];
/// Markers of the series after the first of a line chart.
const MARKS: [char; 4] = ['│', '◆', '┆', '○'];

pub fn render(chart: &Chart) -> String {
    let mut out = format!("{}\n", terminal(&chart.title));
    if let Some(why) = &chart.empty {
        out.push_str(&format!("\n{}\n", terminal(why)));
        return out;
    }
    for panel in &chart.panels {
        out.push('\n');
        match panel {
            Panel::Lines(l) => out.push_str(&lines(l)),
            Panel::Bump(b) => out.push_str(&bump(b)),
        }
    }
    out
}

fn lines(l: &Lines) -> String {
    let mut out = String::new();
    if !l.title.is_empty() {
        out.push_str(&format!("{}\n", terminal(&l.title)));
    }
    let glyph = |i: usize| {
        if l.stacked {
            BANDS[i.min(BANDS.len() - 1)]
        } else if i == 0 {
            '█'
        } else {
            MARKS[(i - 1) % MARKS.len()]
        }
    };
    let legend: Vec<String> = l
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let dashed = if s.style == Style::Dashed && !l.stacked { " (reference)" } else { "" };
            format!("{} {}{dashed}", glyph(i), terminal(&s.name))
        })
        .collect();
    out.push_str(&format!("  {}\n", legend.join("   ")));
    let value = |s: usize, d: usize| l.series[s].values.get(d).copied().flatten();
    let top = (0..l.days.len())
        .map(|d| {
            if l.stacked {
                (0..l.series.len()).filter_map(|s| value(s, d)).sum::<f64>()
            } else {
                (0..l.series.len()).filter_map(|s| value(s, d)).fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let top = crate::chart::nice_top(top);
    let cols = |v: f64| ((v / top * BAR as f64).round() as usize).min(BAR);
    // Values that hold from day to day: the days on which one changed, with the first and
    // the last, say it all when they fit; else every week (or few).
    let changed: Vec<usize> = (0..l.days.len())
        .filter(|&d| d == 0 || d + 1 == l.days.len() || (0..l.series.len()).any(|s| value(s, d) != value(s, d - 1)))
        .collect();
    let (shown, how) = if l.steps && changed.len() <= ROWS {
        (changed, "the days on which a value changed".to_string())
    } else {
        let shown = sample(l.days.len(), ROWS);
        let how = format!("every {} days", gap(&shown));
        (shown, how)
    };
    if shown.len() < l.days.len() {
        out.push_str(&format!("  ({how}, and the last: {})\n", l.days[l.days.len() - 1]));
    }
    for &d in &shown {
        let mut row: Vec<char> = vec![' '; BAR + 1];
        if l.stacked {
            let mut at = 0usize;
            let mut sum = 0.0;
            for s in 0..l.series.len() {
                sum += value(s, d).unwrap_or(0.0);
                let end = cols(sum);
                for c in row.iter_mut().take(end).skip(at) {
                    *c = glyph(s);
                }
                at = at.max(end);
            }
        } else {
            if let Some(v) = value(0, d) {
                for c in row.iter_mut().take(cols(v)) {
                    *c = '█';
                }
            }
            for s in 1..l.series.len() {
                if let Some(v) = value(s, d) {
                    let at = cols(v).min(BAR);
                    row[at] = glyph(s);
                }
            }
        }
        let numbers: Vec<String> =
            (0..l.series.len()).map(|s| value(s, d).map(number).unwrap_or_else(|| "-".into())).collect();
        let row: String = row.into_iter().collect();
        out.push_str(&format!("  {} {} {}\n", l.days[d], row, numbers.join(" / ")));
    }
    let unit = if l.unit.is_empty() { String::new() } else { format!(" {}", l.unit) };
    out.push_str(&format!("  {:10} 0{}{}{unit}\n", "", " ".repeat(BAR.saturating_sub(number(top).len())), number(top)));
    out
}

/// Days between the rows shown.
fn gap(shown: &[usize]) -> usize {
    match shown {
        [a, b, ..] => b - a,
        _ => 1,
    }
}

fn bump(b: &Bump) -> String {
    let mut out = String::new();
    // Steps shown: all when they fit, else evenly chosen with the first and the last.
    let n = b.steps.len();
    let shown: Vec<usize> = if n <= STEPS {
        (0..n).collect()
    } else {
        let mut s: Vec<usize> = (0..STEPS).map(|k| k * (n - 1) / (STEPS - 1)).collect();
        s.dedup();
        s
    };
    if shown.len() < n {
        out.push_str(&format!("  ({} of {} steps shown; --format svg draws them all)\n", shown.len(), n));
    }
    let mut header = format!("  {:<7}{:<28}", "ID", "TITLE");
    for &s in &shown {
        header.push_str(&format!(" {:>6}", b.steps[s].day.strftime("%m-%d").to_string()));
    }
    out.push_str(header.trim_end());
    out.push('\n');
    // Lines by their rank at the end (stories out of the backlog then last, by ID).
    let mut order: Vec<usize> = (0..b.lines.len()).collect();
    let last = |i: usize| b.lines[i].ranks.last().copied().flatten().unwrap_or(usize::MAX);
    order.sort_by_key(|&i| (last(i), i));
    for i in order {
        let line = &b.lines[i];
        let mut row = format!("  {:<7}{:<28}", terminal(&shorten(&line.id, 6)), terminal(&shorten(&line.title, 27)));
        let mut before: Option<usize> = None;
        for &s in &shown {
            let cell = match line.ranks[s] {
                None => "·".to_string(),
                Some(r) => {
                    let mark = match (line.moved[s], before) {
                        (true, Some(p)) if r < p => "▲",
                        (true, Some(p)) if r > p => "▼",
                        (true, None) => "▶",
                        _ => "",
                    };
                    let rank = if r > b.top { format!(">{}", b.top) } else { r.to_string() };
                    format!("{mark}{rank}")
                }
            };
            row.push_str(&format!(" {cell:>6}"));
            before = line.ranks[s];
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "  ▲▼ moved up or down, ▶ entered the backlog, · not in it, >{} below the top {}\n",
        b.top, b.top
    ));
    out
}
