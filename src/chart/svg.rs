//! Charts as standalone SVG images: no script, no external font or stylesheet, colours from
//! the Okabe-Ito palette (told apart by readers with any common colour-vision deficiency, and
//! by dash patterns besides), a dark variant under `prefers-color-scheme: dark`, a `<title>`
//! and `<desc>` for screen readers, and a `<title>` tooltip on every point of a bump chart.
//!
//! Written by hand rather than with plotters: its SVG backend writes fixed colours into each
//! element (no dark mode through CSS), has no `<title>`/`<desc>`, and its axis layout measures
//! text through a font backend (`ttf`: font-kit and the system's fontconfig). A bump chart's
//! labels at both ends are not among its series either. The output is byte-stable: the same
//! chart gives the same bytes.

use std::fmt::Write;

use crate::chart::{Bump, Chart, Lines, Panel, Style, nice_top, number, shorten};
use crate::history::changes::ordinal;
use crate::model::escape::xml;

const WIDTH: f64 = 760.0;
const PANEL: f64 = 300.0;
/// Room for the chart's title above the panels.
const HEAD: f64 = 44.0;

/// Light and dark colours of the series, in order (Okabe-Ito; yellow only on dark).
const LIGHT: [&str; 8] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D00", "#555555"];
const DARK: [&str; 8] = ["#56B4E9", "#E69F00", "#2BC4A0", "#E09CC4", "#F0E442", "#3A9AD9", "#F07F3C", "#BBBBBB"];
/// Dash patterns for series beyond the colours, and for reference lines.
const DASHES: [&str; 3] = ["", "6 4", "2 3"];

pub fn render(chart: &Chart) -> String {
    let heights: Vec<f64> = chart.panels.iter().map(panel_height).collect();
    let height = HEAD + heights.iter().sum::<f64>().max(if chart.empty.is_some() { 60.0 } else { 0.0 });
    let width = chart.panels.iter().map(panel_width).fold(WIDTH, f64::max);
    let id = format!("pm-{}", chart.chart);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"12\">",
        w = f(width),
        h = f(height)
    );
    let _ = writeln!(out, "<title id=\"{id}-title\">{}</title>", xml(&chart.title));
    let _ = writeln!(out, "<desc id=\"{id}-desc\">{}</desc>", xml(&describe(chart)));
    out.push_str(&style());
    let _ = writeln!(out, "<rect class=\"bg\" width=\"100%\" height=\"100%\"/>");
    let _ = writeln!(out, "<text x=\"16\" y=\"26\" font-size=\"16\" font-weight=\"600\">{}</text>", xml(&chart.title));
    if let Some(why) = &chart.empty {
        let _ = writeln!(out, "<text class=\"muted\" x=\"16\" y=\"{}\">{}</text>", f(HEAD + 24.0), xml(why));
    }
    let mut top = HEAD;
    for (panel, h) in chart.panels.iter().zip(&heights) {
        match panel {
            Panel::Lines(l) => lines(&mut out, l, top, *h, width),
            Panel::Bump(b) => bump(&mut out, b, top),
        }
        top += h;
    }
    out.push_str("</svg>\n");
    out
}

/// Coordinates to one decimal: the same chart gives the same bytes.
fn f(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(String::from).unwrap_or(s)
}

fn style() -> String {
    let mut s = String::from("<style>\n");
    let vars =
        |colours: &[&str; 8]| colours.iter().enumerate().map(|(i, c)| format!("--c{i}:{c};")).collect::<String>();
    let _ = writeln!(s, "svg{{--fg:#1f2328;--muted:#59636e;--grid:#d1d9e0;--bg:#ffffff;{}}}", vars(&LIGHT));
    let _ = writeln!(
        s,
        "@media (prefers-color-scheme: dark){{svg{{--fg:#e6edf3;--muted:#9198a1;--grid:#3d444d;--bg:#0d1117;{}}}}}",
        vars(&DARK)
    );
    s.push_str(".bg{fill:var(--bg)}text{fill:var(--fg)}.muted{fill:var(--muted)}.grid{stroke:var(--grid);stroke-width:1}.axis{stroke:var(--muted);stroke-width:1}.line{fill:none;stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}.dot{stroke:var(--bg);stroke-width:1.5}\n");
    for i in 0..LIGHT.len() {
        let _ = writeln!(s, ".s{i}{{stroke:var(--c{i})}}.f{i}{{fill:var(--c{i})}}");
    }
    s.push_str("</style>\n");
    s
}

/// The sentence a screen reader gives for the whole chart.
fn describe(chart: &Chart) -> String {
    if let Some(why) = &chart.empty {
        return why.clone();
    }
    let span = match (chart.from, chart.to) {
        (Some(a), Some(b)) if a != b => format!(" from {a} to {b}"),
        (Some(a), _) => format!(" on {a}"),
        _ => String::new(),
    };
    let parts: Vec<String> = chart
        .panels
        .iter()
        .map(|p| match p {
            Panel::Bump(b) => format!(
                "ranks of {} over {}",
                count(b.lines.len(), "story", "stories"),
                count(b.steps.len(), "step", "steps")
            ),
            Panel::Lines(l) => {
                let last = |s: &crate::chart::Series| s.values.iter().rev().find_map(|v| *v).map(number);
                let now: Vec<String> =
                    l.series.iter().filter_map(|s| last(s).map(|v| format!("{} {v}", s.name))).collect();
                let name = if l.title.is_empty() { String::new() } else { format!("{}: ", l.title) };
                format!("{name}{}, last {}", count(l.days.len(), "day", "days"), now.join(", "))
            }
        })
        .collect();
    format!("{}{span}; {}.", chart.title, parts.join("; "))
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn panel_height(p: &Panel) -> f64 {
    match p {
        Panel::Lines(_) => PANEL,
        Panel::Bump(b) => 60.0 + lanes(b) as f64 * LANE + 50.0,
    }
}

fn panel_width(p: &Panel) -> f64 {
    match p {
        Panel::Lines(_) => WIDTH,
        Panel::Bump(b) => 2.0 * LABELS + (b.steps.len().max(2) - 1) as f64 * step_gap(b),
    }
}

/// Colour class and dash pattern of series `i`.
fn look(i: usize, style: Style) -> (usize, &'static str) {
    let dash = if style == Style::Dashed { DASHES[1] } else { DASHES[(i / LIGHT.len()) % DASHES.len()] };
    (i % LIGHT.len(), dash)
}

/// An SVG path through points, the pen lifted over gaps (`None`); with `steps`, each value
/// holds until the next point (across, then up or down).
fn polyline(points: impl Iterator<Item = Option<(f64, f64)>>, steps: bool) -> String {
    let mut d = String::new();
    let mut pen = false;
    for point in points {
        match point {
            Some((px, py)) if pen && steps => {
                let _ = write!(d, " H{} V{}", f(px), f(py));
            }
            Some((px, py)) => {
                let _ = write!(
                    d,
                    "{}{} {}",
                    if pen {
                        " L"
                    } else if d.is_empty() {
                        "M"
                    } else {
                        " M"
                    },
                    f(px),
                    f(py)
                );
                pen = true;
            }
            None => pen = false,
        }
    }
    d
}

fn dash_attr(dash: &str) -> String {
    if dash.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{dash}\"") }
}

fn lines(out: &mut String, l: &Lines, top: f64, height: f64, width: f64) {
    let (x0, x1) = (64.0, width - 180.0);
    let (y0, y1) = (top + if l.title.is_empty() { 16.0 } else { 40.0 }, top + height - 44.0);
    if !l.title.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"16\" y=\"{}\" font-size=\"14\" font-weight=\"600\">{}</text>",
            f(top + 22.0),
            xml(&l.title)
        );
    }
    let n = l.days.len();
    let value = |s: usize, d: usize| l.series[s].values.get(d).copied().flatten();
    let max = (0..n)
        .map(|d| {
            let vals = (0..l.series.len()).filter_map(|s| value(s, d));
            if l.stacked { vals.sum::<f64>() } else { vals.fold(0.0, f64::max) }
        })
        .fold(0.0, f64::max);
    let peak = nice_top(max);
    let x = |d: usize| if n <= 1 { (x0 + x1) / 2.0 } else { x0 + d as f64 * (x1 - x0) / (n - 1) as f64 };
    let y = |v: f64| y1 - v / peak * (y1 - y0);
    // Grid and axes.
    for k in 0..=5 {
        let v = peak * f64::from(k) / 5.0;
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\"/>",
            f(x0),
            f(x1),
            yy = f(y(v))
        );
        let _ = writeln!(
            out,
            "<text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            f(x0 - 8.0),
            f(y(v) + 4.0),
            number(v)
        );
    }
    if !l.unit.is_empty() {
        let _ = writeln!(
            out,
            "<text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"start\">{}</text>",
            f(x0 - 48.0),
            f(y0 - 8.0),
            xml(&l.unit)
        );
    }
    let _ = writeln!(out, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", f(x0), f(y1), f(x1), f(y1));
    for &d in &ticks(n, x1 - x0) {
        let _ = writeln!(
            out,
            "<text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            f(x(d)),
            f(y1 + 18.0),
            l.days[d]
        );
    }
    // Bands (stacked, the first at the bottom) or lines.
    if l.stacked {
        let mut below = vec![0.0; n];
        for s in 0..l.series.len() {
            let above: Vec<f64> = (0..n).map(|d| below[d] + value(s, d).unwrap_or(0.0)).collect();
            let mut d_attr = String::new();
            for d in 0..n {
                if d == 0 {
                    let _ = write!(d_attr, "M{} {}", f(x(0)), f(y(above[0])));
                } else {
                    let _ = write!(d_attr, " H{} V{}", f(x(d)), f(y(above[d])));
                }
            }
            let _ = write!(d_attr, " H{} V{}", f(x(n - 1)), f(y(below[n - 1])));
            for d in (0..n.saturating_sub(1)).rev() {
                let _ = write!(d_attr, " V{} H{}", f(y(below[d])), f(x(d)));
            }
            let (c, _) = look(s, Style::Solid);
            let _ = writeln!(
                out,
                "<path class=\"f{c}\" fill-opacity=\"0.85\" d=\"{d_attr} Z\"><title>{}</title></path>",
                xml(&l.series[s].name)
            );
            below = above;
        }
    } else {
        // The first series (the measured one) is drawn last, on top of the references.
        for (s, series) in l.series.iter().enumerate().rev() {
            // A value holds until the next day's: drawn as a step, unless the panel joins its
            // points (a burndown).
            let d_attr = polyline((0..n).map(|d| value(s, d).map(|v| (x(d), y(v)))), l.steps);
            if d_attr.is_empty() {
                continue;
            }
            let (c, dash) = look(s, series.style);
            let _ = writeln!(
                out,
                "<path class=\"line s{c}\"{} d=\"{d_attr}\"><title>{}</title></path>",
                dash_attr(dash),
                xml(&series.name)
            );
        }
    }
    // Legend: each series with its last value.
    for (s, series) in l
        .series
        .iter()
        .enumerate()
        .rev()
        .filter(|_| l.stacked)
        .chain(l.series.iter().enumerate().filter(|_| !l.stacked))
    {
        let row = if l.stacked { l.series.len() - 1 - s } else { s };
        let ly = y0 + 6.0 + row as f64 * 20.0;
        let (c, dash) = look(s, series.style);
        let lx = x1 + 20.0;
        if l.stacked {
            let _ = writeln!(
                out,
                "<rect class=\"f{c}\" x=\"{}\" y=\"{}\" width=\"18\" height=\"10\"/>",
                f(lx),
                f(ly - 9.0)
            );
        } else {
            let _ = writeln!(
                out,
                "<line class=\"line s{c}\"{} x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
                dash_attr(dash),
                f(lx),
                f(ly - 4.0),
                f(lx + 18.0),
                f(ly - 4.0)
            );
        }
        let last = series.values.iter().rev().find_map(|v| *v).map(|v| format!(" {}", number(v))).unwrap_or_default();
        let _ = writeln!(out, "<text x=\"{}\" y=\"{}\">{}{last}</text>", f(lx + 26.0), f(ly), xml(&series.name));
    }
}

/// The days labelled under a plot `width` wide: about one per 100 pixels, counted back from the
/// last day, which always has its label.
fn ticks(n: usize, width: f64) -> Vec<usize> {
    let most = ((width / 100.0) as usize).max(2);
    if n <= most {
        return (0..n).collect();
    }
    let stride = (n - 1).div_ceil(most - 1);
    let mut t: Vec<usize> = (0..n).rev().step_by(stride).collect();
    t.reverse();
    t
}

const LANE: f64 = 28.0;
const LABELS: f64 = 300.0;

/// Lanes of a bump chart: one per rank of its top, and one for "lower" when a story fell below.
fn lanes(b: &Bump) -> usize {
    let lower = b.lines.iter().any(|l| l.ranks.iter().flatten().any(|r| *r > b.top));
    let deepest = b.lines.iter().flat_map(|l| l.ranks.iter().flatten()).copied().max().unwrap_or(1).min(b.top);
    deepest + usize::from(lower)
}

fn step_gap(b: &Bump) -> f64 {
    let n = b.steps.len().max(2) - 1;
    (900.0 / n as f64).clamp(28.0, 90.0)
}

fn bump(out: &mut String, b: &Bump, top: f64) {
    let n = b.steps.len();
    let gap = step_gap(b);
    let x0 = LABELS;
    let x = |s: usize| x0 + s as f64 * gap;
    let y0 = top + 24.0;
    let deep = lanes(b);
    let lane_of = |r: usize| r.min(b.top + 1).min(deep);
    let y = |r: usize| y0 + (lane_of(r) - 1) as f64 * LANE;
    // Rank numbers and lane guides.
    for r in 1..=deep {
        let label = if r > b.top || (r == deep && deep > b.top) { "lower".to_string() } else { r.to_string() };
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke-dasharray=\"1 4\"/>",
            f(x(0)),
            f(x(n.max(1) - 1)),
            yy = f(y(r))
        );
        let _ = writeln!(
            out,
            "<text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>",
            f(x0 - 14.0),
            f(y(r) + 4.0)
        );
    }
    // Dates under the steps, as many as fit.
    let every = (70.0 / gap).ceil().max(1.0) as usize;
    let base = y0 + (deep - 1) as f64 * LANE + 30.0;
    for s in (0..n).step_by(every) {
        let _ = writeln!(
            out,
            "<text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            f(x(s)),
            f(base),
            b.steps[s].day
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"muted\" x=\"{}\" y=\"{}\">Filled dots: the story was moved in that commit; hollow: shifted by others' moves.</text>",
        f(x0),
        f(base + 22.0)
    );
    for (i, line) in b.lines.iter().enumerate() {
        let (c, dash) = look(i, Style::Solid);
        let d_attr = polyline((0..n).map(|s| line.ranks[s].map(|r| (x(s), y(r)))), false);
        let name = format!("{} {}", line.id, line.title);
        let _ = writeln!(out, "<g><title>{}</title>", xml(&name));
        if !d_attr.is_empty() {
            let _ = writeln!(out, "<path class=\"line s{c}\"{} d=\"{d_attr}\"/>", dash_attr(dash));
        }
        for s in 0..n {
            let Some(r) = line.ranks[s] else { continue };
            let step = &b.steps[s];
            let when = match &step.commit {
                Some(commit) => format!("on {} in {commit} by {}: {}", step.day, step.author, step.summary),
                None => format!("on {}, {}", step.day, step.summary),
            };
            let entered = line.moved[s] && (s == 0 || line.ranks[s - 1].is_none());
            let verb = if entered {
                "entered at"
            } else if line.moved[s] {
                "moved to"
            } else {
                "at"
            };
            let tip = format!("{} {verb} {} {when}", line.id, ordinal(r));
            let (radius, fill) = if line.moved[s] { (5.5, format!("dot f{c}")) } else { (3.5, "bg".to_string()) };
            let stroke =
                if line.moved[s] { String::new() } else { format!(" class=\"line s{c}\" stroke-width=\"1.5\"") };
            let class = if line.moved[s] { format!(" class=\"{fill}\"") } else { String::new() };
            let _ = writeln!(
                out,
                "<circle{class}{stroke} cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{}</title></circle>",
                f(x(s)),
                f(y(r)),
                f(radius),
                xml(&tip)
            );
        }
        // Labels at both ends: beside the first and the last point the story has.
        let first = line.ranks.iter().position(Option::is_some);
        let last = line.ranks.iter().rposition(Option::is_some);
        let label = xml(&format!("{} {}", line.id, shorten(&line.title, 30)));
        if let Some(s) = first {
            let r = line.ranks[s].unwrap_or(1);
            let (lx, anchor) = if s == 0 { (x(0) - 34.0, "end") } else { (x(s) - 8.0, "end") };
            let text = if s == 0 { label.clone() } else { xml(&line.id) };
            let ly = if s == 0 { y(r) + 4.0 } else { y(r) - 8.0 };
            let _ = writeln!(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{text}</text>", f(lx), f(ly));
        }
        if let Some(s) = last {
            let r = line.ranks[s].unwrap_or(1);
            let at_end = s == n - 1;
            let (lx, ly) = if at_end { (x(s) + 12.0, y(r) + 4.0) } else { (x(s) + 8.0, y(r) + 16.0) };
            let text = if at_end { label } else { xml(&line.id) };
            let _ = writeln!(out, "<text x=\"{}\" y=\"{}\">{text}</text>", f(lx), f(ly));
        }
        out.push_str("</g>\n");
    }
}
