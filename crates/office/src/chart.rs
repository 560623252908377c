//! Server-side charts as plain SVG strings: no JavaScript, no fonts embedded, no extra crates.
//! The same SVG is inlined in web pages and later rendered into the bulletin.
//!
//! Axes use round tick steps (1, 2 or 5 × 10^k); a missing value leaves a gap in a line and no bar;
//! every point and bar carries a `<title>` so hovering shows its label and value; all text is
//! XML-escaped; the root has `role="img"` and an `aria-label`.

use std::fmt::Write as _;

/// The font stack for Chinese text on Linux servers (Noto, `fonts-noto-cjk`) and Windows desktops.
pub const FONT_FAMILY: &str = "Noto Sans CJK SC, Microsoft YaHei, sans-serif";

const DEFAULT_WIDTH: u32 = 720;
const DEFAULT_HEIGHT: u32 = 360;
/// Top of the plot area: room for the title and the unit line.
const PLOT_TOP: f64 = 52.0;
const PLOT_RIGHT_PAD: f64 = 16.0;
const PALETTE: [&str; 8] = ["#1f5fa8", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"];
const BAR_FILL: &str = "#5b8ff9";
const BAR_HIGHLIGHT: &str = "#e8684a";

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub name: String,
    /// One value per x label; `None` (or a non-finite number) leaves a gap.
    pub values: Vec<Option<f64>>,
    /// Drawn dashed, e.g. the target path (目标路径).
    pub dashed: bool,
}

/// A line chart over labelled x positions (usually months). `width`/`height` 0 mean 720×360.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineChart {
    pub title: String,
    /// 计量单位, shown as “单位：…” and after each value in the hover text.
    pub unit: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub width: u32,
    pub height: u32,
}

/// A vertical bar chart, one bar per label (e.g. the 15 zones). `width`/`height` 0 mean 720×360.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarChart {
    pub title: String,
    pub unit: String,
    pub labels: Vec<String>,
    /// One value per label; `None` draws no bar (shown as “—”).
    pub values: Vec<Option<f64>>,
    /// Index of the bar drawn in the highlight colour (e.g. the zone being viewed).
    pub highlight: Option<usize>,
    pub width: u32,
    pub height: u32,
}

/// A value axis: from `lo` to `hi` in steps of `step` (both multiples of `step`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
}

impl Axis {
    /// The tick values from `lo` to `hi`, both included.
    pub fn ticks(&self) -> Vec<f64> {
        let n = ((self.hi - self.lo) / self.step).round() as usize;
        (0..=n).map(|i| clean(self.lo + i as f64 * self.step)).collect()
    }

    /// Decimals needed to print the ticks (0 for steps ≥ 1, 1 for 0.5, 2 for 0.02 …).
    pub fn decimals(&self) -> usize {
        (-self.step.log10().floor()).max(0.0) as usize
    }
}

/// Rounds away float noise such as 0.30000000000000004 so tick values print cleanly.
fn clean(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(12 - v.abs().log10().ceil() as i32);
    (v * scale).round() / scale
}

/// A round step (1, 2 or 5 × 10^k) giving about `target_ticks` intervals over `span`.
pub fn nice_step(span: f64, target_ticks: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / target_ticks.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let m = if norm <= 1.0 + 1e-9 {
        1.0
    } else if norm <= 2.0 + 1e-9 {
        2.0
    } else if norm <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    clean(m * mag)
}

/// An axis covering `min..=max` with a round step and about `target_ticks` intervals.
pub fn nice_axis(min: f64, max: f64, target_ticks: usize) -> Axis {
    let (mut lo, mut hi) = (min.min(max), max.max(min));
    if !(lo.is_finite() && hi.is_finite()) {
        return Axis { lo: 0.0, hi: 1.0, step: 0.2 };
    }
    if lo == hi {
        if lo == 0.0 {
            hi = 1.0;
        } else {
            let d = lo.abs() * 0.1;
            lo -= d;
            hi += d;
        }
    }
    let step = nice_step(hi - lo, target_ticks);
    Axis { lo: clean((lo / step + 1e-9).floor() * step), hi: clean((hi / step - 1e-9).ceil() * step), step }
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A value for hover text and bar labels: integers plainly, else up to 2 decimals (more for tiny values).
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let decimals = if v.abs() >= 0.01 { 2 } else { 6 };
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Approximate rendered width of text in pixels (CJK and full-width ≈ 1 em, others ≈ 0.6 em).
fn text_px(s: &str, font_size: f64) -> f64 {
    s.chars().map(|c| if (c as u32) < 0x1100 { 0.6 * font_size } else { font_size }).sum()
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn size(w: u32, h: u32) -> (f64, f64) {
    (if w == 0 { DEFAULT_WIDTH } else { w } as f64, if h == 0 { DEFAULT_HEIGHT } else { h } as f64)
}

fn open_svg(out: &mut String, w: f64, h: f64, title: &str, unit: &str) {
    let aria = if unit.is_empty() { title.to_string() } else { format!("{title}（单位：{unit}）") };
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{}" font-family="{FONT_FAMILY}" font-size="12" style="max-width:100%;height:auto"><title>{}</title><rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>"##,
        escape(&aria),
        escape(title)
    );
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="24" text-anchor="middle" font-size="16" font-weight="bold" fill="#222">{}</text>"##,
        w / 2.0,
        escape(title)
    );
}

/// Draws the value axis (grid lines and tick labels) and returns the value → y mapping.
fn value_axis(out: &mut String, axis: &Axis, left: f64, right: f64, top: f64, bottom: f64, unit: &str) -> impl Fn(f64) -> f64 + use<> {
    let (lo, hi) = (axis.lo, axis.hi);
    let y = move |v: f64| bottom - (v - lo) / (hi - lo) * (bottom - top);
    if !unit.is_empty() {
        let _ = write!(out, r##"<text x="{left:.1}" y="44" fill="#555">单位：{}</text>"##, escape(unit));
    }
    let d = axis.decimals();
    for t in axis.ticks() {
        let ty = y(t);
        let stroke = if t == 0.0 { "#888" } else { "#e5e5e5" };
        let _ = write!(
            out,
            r##"<line class="grid" x1="{left:.1}" y1="{ty:.1}" x2="{right:.1}" y2="{ty:.1}" stroke="{stroke}" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{t:.d$}</text>"##,
            left - 6.0,
            ty + 4.0
        );
    }
    y
}

fn axis_label_room(axis: &Axis) -> f64 {
    let d = axis.decimals();
    let widest = axis.ticks().iter().map(|t| text_px(&format!("{t:.d$}"), 12.0)).fold(0.0, f64::max);
    (widest + 14.0).max(40.0)
}

fn no_data(out: &mut String, left: f64, right: f64, top: f64, bottom: f64) {
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#999" font-size="14">暂无数据</text>"##,
        (left + right) / 2.0,
        (top + bottom) / 2.0
    );
}

/// Renders a line chart as an SVG document fragment (`<svg>…</svg>`).
pub fn line_chart(c: &LineChart) -> String {
    let (w, h) = size(c.width, c.height);
    let n = c.x_labels.len().max(c.series.iter().map(|s| s.values.len()).max().unwrap_or(0));
    let values: Vec<f64> = c.series.iter().flat_map(|s| s.values.iter().filter_map(|v| finite(*v))).collect();
    let (min, max) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    // Like Excel: start at zero unless the values sit in a narrow band far from it.
    let axis = if values.is_empty() {
        nice_axis(0.0, 1.0, 5)
    } else if min >= 0.0 && max - min > max / 6.0 {
        nice_axis(0.0, max, 5)
    } else if max <= 0.0 && max - min > -min / 6.0 {
        nice_axis(min, 0.0, 5)
    } else {
        nice_axis(min, max, 5)
    };

    let mut out = String::new();
    open_svg(&mut out, w, h, &c.title, &c.unit);
    let left = axis_label_room(&axis);
    let right = w - PLOT_RIGHT_PAD;
    let legend = !c.series.is_empty();
    let bottom = h - if legend { 52.0 } else { 30.0 };
    let y = value_axis(&mut out, &axis, left, right, PLOT_TOP, bottom, &c.unit);
    let band = if n == 0 { 0.0 } else { (right - left) / n as f64 };
    let x = |i: usize| left + (i as f64 + 0.5) * band;

    // X labels, thinned to every k-th when they would overlap; counted from the end so the
    // latest period is always labelled.
    let widest = c.x_labels.iter().map(|l| text_px(l, 12.0)).fold(0.0, f64::max);
    let stride = if band > 0.0 { ((widest + 8.0) / band).ceil().max(1.0) as usize } else { 1 };
    let last = c.x_labels.len().saturating_sub(1);
    for (i, l) in c.x_labels.iter().enumerate() {
        if (last - i) % stride == 0 {
            let _ = write!(out, r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">{}</text>"##, x(i), bottom + 18.0, escape(l));
        }
    }
    if values.is_empty() {
        no_data(&mut out, left, right, PLOT_TOP, bottom);
    }

    for (si, s) in c.series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
        let dash = if s.dashed { r#" stroke-dasharray="6 4""# } else { "" };
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().enumerate() {
            match finite(*v) {
                Some(v) => {
                    let _ = write!(d, "{}{:.1} {:.1} ", if pen_down { "L" } else { "M" }, x(i), y(v));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            out,
            r##"<g class="series" data-series="{si}"><path d="{}" fill="none" stroke="{color}" stroke-width="2"{dash} stroke-linejoin="round"/>"##,
            d.trim_end()
        );
        for (i, v) in s.values.iter().enumerate() {
            if let Some(v) = finite(*v) {
                let label = c.x_labels.get(i).map(String::as_str).unwrap_or("");
                let tip = format!("{} {label}：{}{}", s.name, format_value(v), c.unit);
                let _ = write!(
                    out,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}" stroke="{color}" stroke-width="1.5"><title>{}</title></circle>"##,
                    x(i),
                    y(v),
                    if s.dashed { "#ffffff" } else { color },
                    escape(&tip)
                );
            }
        }
        out.push_str("</g>");
    }

    if legend {
        let ly = h - 14.0;
        let mut lx = left;
        out.push_str(r#"<g class="legend">"#);
        for (si, s) in c.series.iter().enumerate() {
            let color = PALETTE[si % PALETTE.len()];
            let dash = if s.dashed { r#" stroke-dasharray="6 4""# } else { "" };
            let _ = write!(
                out,
                r##"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="2"{dash}/><text x="{:.1}" y="{ly:.1}" fill="#333">{}</text>"##,
                ly - 4.0,
                lx + 24.0,
                ly - 4.0,
                lx + 30.0,
                escape(&s.name)
            );
            lx += 30.0 + text_px(&s.name, 12.0) + 18.0;
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// Renders a vertical bar chart as an SVG document fragment (`<svg>…</svg>`).
pub fn bar_chart(c: &BarChart) -> String {
    let (w, h) = size(c.width, c.height);
    let n = c.labels.len().max(c.values.len());
    let values: Vec<f64> = c.values.iter().filter_map(|v| finite(*v)).collect();
    // Bars grow from zero, so the axis always includes it.
    let min = values.iter().copied().fold(0.0, f64::min);
    let max = values.iter().copied().fold(0.0, f64::max);
    let axis = nice_axis(min, max, 5);

    let mut out = String::new();
    open_svg(&mut out, w, h, &c.title, &c.unit);
    let mut left = axis_label_room(&axis);
    let right = w - PLOT_RIGHT_PAD;
    let mut band = if n == 0 { 0.0 } else { (right - left) / n as f64 };
    let widest = c.labels.iter().map(|l| text_px(l, 12.0)).fold(0.0, f64::max);
    // Long labels (zone names) are turned 35° when they do not fit under their bar.
    let rotate = widest > band - 4.0;
    if rotate {
        // Keep the first turned label inside the picture (cos 35° ≈ 0.819).
        let first = c.labels.first().map(|l| text_px(l, 12.0)).unwrap_or(0.0);
        left = left.max(first * 0.819 - band * 0.5 + 4.0).min(w / 3.0);
        band = (right - left) / n as f64;
    }
    let label_room = if rotate { (widest * 0.574 + 22.0).min(h / 2.0) } else { 30.0 };
    let bottom = h - label_room;
    let y = value_axis(&mut out, &axis, left, right, PLOT_TOP, bottom, &c.unit);
    let y0 = y(0.0);

    for i in 0..n {
        let label = c.labels.get(i).map(String::as_str).unwrap_or("");
        let cx = left + (i as f64 + 0.5) * band;
        let hl = c.highlight == Some(i);
        let weight = if hl { r#" font-weight="bold""# } else { "" };
        if rotate {
            let ly = bottom + 14.0;
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{ly:.1}" text-anchor="end" transform="rotate(-35 {:.1} {ly:.1})" fill="#333"{weight}>{}</text>"##,
                cx + 4.0,
                cx + 4.0,
                escape(label)
            );
        } else {
            let _ = write!(out, r##"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#333"{weight}>{}</text>"##, bottom + 18.0, escape(label));
        }
        match c.values.get(i).copied().and_then(finite) {
            Some(v) => {
                let (top, height) = if v >= 0.0 { (y(v), y0 - y(v)) } else { (y0, y(v) - y0) };
                let tip = format!("{label}：{}{}", format_value(v), c.unit);
                let _ = write!(
                    out,
                    r##"<rect class="bar" x="{:.1}" y="{top:.1}" width="{:.1}" height="{height:.1}" fill="{}"><title>{}</title></rect>"##,
                    cx - band * 0.3,
                    band * 0.6,
                    if hl { BAR_HIGHLIGHT } else { BAR_FILL },
                    escape(&tip)
                );
                let ty = if v >= 0.0 { top - 4.0 } else { top + height + 13.0 };
                if band >= 24.0 {
                    let _ = write!(
                        out,
                        r##"<text x="{cx:.1}" y="{ty:.1}" text-anchor="middle" font-size="11" fill="#333"{weight}>{}</text>"##,
                        escape(&format_value(v))
                    );
                }
            }
            None => {
                let _ = write!(
                    out,
                    r##"<text class="missing" x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#999">—<title>{}：无数据</title></text>"##,
                    y0 - 4.0,
                    escape(label)
                );
            }
        }
    }
    if values.is_empty() {
        no_data(&mut out, left, right, PLOT_TOP, bottom);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny well-formedness check: balanced tags, quoted attributes, only known entities.
    fn assert_well_formed(svg: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            check_text(&rest[..start]);
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "'<' inside a tag: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().unwrap_or_else(|| panic!("close </{name}> without open"));
                assert_eq!(open, name, "mismatched tags");
            } else {
                let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
                assert!(!name.is_empty(), "empty tag name");
                assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in <{tag}>");
                check_text(tag);
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
            rest = &rest[end + 1..];
        }
        check_text(rest);
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    }

    fn check_text(t: &str) {
        assert!(!t.contains('>') || t.is_empty(), "raw '>' in text: {t}");
        for (i, _) in t.match_indices('&') {
            let ent = &t[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"].iter().any(|e| ent.starts_with(e)),
                "raw '&' at {ent}"
            );
        }
    }

    /// Attribute `name` of every element that starts with `prefix`.
    fn attrs(svg: &str, prefix: &str, name: &str) -> Vec<f64> {
        svg.match_indices(prefix)
            .map(|(i, _)| {
                let tag = &svg[i..i + svg[i..].find('>').unwrap()];
                let key = format!(" {name}=\"");
                let v = tag.split(&key).nth(1).unwrap().split('"').next().unwrap();
                v.parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn tick_steps_by_hand() {
        // span / 5 ticks → raw step → round up to 1, 2, 5 × 10^k.
        assert_eq!(nice_step(100.0, 5), 20.0); // raw 20 → 2×10
        assert_eq!(nice_step(87.0, 5), 20.0); // raw 17.4 → 2×10
        assert_eq!(nice_step(1234.0, 5), 500.0); // raw 246.8 → 5×100
        assert_eq!(nice_step(0.37, 4), 0.1); // raw 0.0925 → 10×0.01
        assert_eq!(nice_step(5.0, 5), 1.0); // raw 1 → 1
        assert_eq!(nice_step(3.0, 5), 1.0); // raw 0.6 → 1×1 (10×0.1)
        assert_eq!(nice_step(0.0, 5), 1.0);

        // 3..97: step 20, axis 0..100.
        let a = nice_axis(3.0, 97.0, 5);
        assert_eq!((a.lo, a.hi, a.step), (0.0, 100.0, 20.0));
        assert_eq!(a.ticks(), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        // −12..37: span 49, raw 9.8 → 10; axis −20..40.
        let a = nice_axis(-12.0, 37.0, 5);
        assert_eq!((a.lo, a.hi, a.step), (-20.0, 40.0, 10.0));
        // 0.3..0.9: span 0.6, raw 0.12 → 0.2; 0.2..1.0 with clean ticks, printed with 1 decimal.
        let a = nice_axis(0.3, 0.9, 5);
        assert_eq!((a.lo, a.hi, a.step), (0.2, 1.0, 0.2));
        assert_eq!(a.ticks(), [0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(a.decimals(), 1);
        // A single value gets a ±10% band: 45..55, span 10, raw 2 → step 2; 45 and 55 round out
        // to the multiples 44 and 56.
        let a = nice_axis(50.0, 50.0, 5);
        assert_eq!((a.lo, a.hi, a.step), (44.0, 56.0, 2.0));
        // Exact multiples stay on the boundary: 0..100 → step 20, 0..100.
        let a = nice_axis(0.0, 100.0, 5);
        assert_eq!((a.lo, a.hi), (0.0, 100.0));
        assert_eq!(nice_axis(0.0, 0.0, 5).hi, 1.0);
    }

    #[test]
    fn values_print_plainly() {
        assert_eq!(format_value(412.0), "412");
        assert_eq!(format_value(123.456), "123.46");
        assert_eq!(format_value(12.5), "12.5");
        assert_eq!(format_value(0.000123), "0.000123");
        assert_eq!(format_value(-3.0), "-3");
        assert_eq!(escape(r#"A&B <c> "d" 'e'"#), "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos;");
    }

    fn line() -> LineChart {
        LineChart {
            title: "燕郊高新区 主营业务收入 <1–N月累计> & 目标".into(),
            unit: "亿元".into(),
            x_labels: (1..=6).map(|m| format!("2019-{m:02}")).collect(),
            series: vec![
                Series { name: "实际".into(), values: vec![Some(10.0), Some(25.0), None, Some(52.0), Some(66.0), Some(80.0)], dashed: false },
                Series { name: "目标路径 \"年增15%\"".into(), values: (1..=6).map(|m| Some(m as f64 * 14.0)).collect(), dashed: true },
            ],
            width: 640,
            height: 320,
        }
    }

    #[test]
    fn line_chart_is_well_formed_and_labelled() {
        let svg = line_chart(&line());
        assert_well_formed(&svg);
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-label="燕郊高新区 主营业务收入 &lt;1–N月累计&gt; &amp; 目标（单位：亿元）""#));
        assert!(svg.contains(r#"font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif""#));
        assert!(svg.contains("单位：亿元"));
        assert!(svg.contains("目标路径 &quot;年增15%&quot;"), "legend escaped");
        assert!(svg.contains("<title>实际 2019-02：25亿元</title>"), "hover text");
        assert!(svg.contains(r#"stroke-dasharray="6 4""#), "target path dashed");
        // Values 10..84 (≥ 0, wide band) → axis from 0 with step 20.
        for t in ["0", "20", "40", "60", "80", "100"] {
            assert!(svg.contains(&format!(r##"fill="#555">{t}</text>"##)), "tick {t}");
        }
    }

    #[test]
    fn missing_values_leave_gaps() {
        let svg = line_chart(&line());
        let first = svg.split(r#"data-series="0""#).nth(1).unwrap().split("</g>").next().unwrap();
        let d = first.split(r#"d=""#).nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(d.matches('M').count(), 2, "the path restarts after the gap: {d}");
        assert_eq!(d.matches('L').count(), 3);
        assert_eq!(first.matches("<circle").count(), 5, "no point for the missing month");
        assert!(!first.contains("2019-03："));
        let dashed = svg.split(r#"data-series="1""#).nth(1).unwrap().split("</g>").next().unwrap();
        assert_eq!(dashed.matches("<circle").count(), 6);

        let bars = bar_chart(&BarChart {
            title: "t".into(),
            labels: vec!["甲".into(), "乙".into(), "丙".into()],
            values: vec![Some(1.0), None, Some(f64::NAN)],
            ..BarChart::default()
        });
        assert_well_formed(&bars);
        assert_eq!(bars.matches("<rect class=\"bar\"").count(), 1);
        assert_eq!(bars.matches("无数据</title>").count(), 2);
    }

    #[test]
    fn bar_heights_are_proportional() {
        let c = BarChart {
            title: "各开发区税收收入 2019年1-6月".into(),
            unit: "亿元".into(),
            labels: vec!["燕郊高新区".into(), "廊坊经开区".into(), "三河经开区".into(), "A&B区".into()],
            values: vec![Some(100.0), Some(50.0), Some(25.0), Some(75.0)],
            highlight: Some(1),
            width: 600,
            height: 300,
        };
        let svg = bar_chart(&c);
        assert_well_formed(&svg);
        let hs = attrs(&svg, "<rect class=\"bar\"", "height");
        let ys = attrs(&svg, "<rect class=\"bar\"", "y");
        assert_eq!(hs.len(), 4);
        // Axis 0..100 (step 20): the 100 bar spans the whole plot, from PLOT_TOP to the zero line.
        assert_eq!(ys[0], PLOT_TOP);
        let zero = ys[0] + hs[0];
        for (h, v) in hs.iter().zip([100.0, 50.0, 25.0, 75.0]) {
            assert!((h / hs[0] - v / 100.0).abs() < 0.01, "{h} for {v}");
        }
        assert!((ys[1] + hs[1] - zero).abs() < 0.11, "bars stand on the zero line");
        assert!(svg.contains(&format!(r#"fill="{BAR_HIGHLIGHT}"><title>廊坊经开区：50亿元</title>"#)));
        assert_eq!(svg.matches(BAR_HIGHLIGHT).count(), 1);
        assert!(svg.contains("A&amp;B区"));
        // 300 high, labels fit under 4 bars (band ≈ 130 px): 30 px of label room, so the zero line is at 270.
        assert!((zero - 270.0).abs() < 0.11, "zero line at {zero}");
    }

    #[test]
    fn negative_bars_hang_below_zero_and_crowded_labels_turn() {
        let names = ["燕郊高新区", "廊坊经济技术开发区", "固安经济开发区", "永清经济开发区", "香河经济开发区", "大厂高新技术产业开发区"];
        let svg = bar_chart(&BarChart {
            title: "同比增长".into(),
            unit: "%".into(),
            labels: names.iter().map(|s| s.to_string()).collect(),
            values: vec![Some(12.0), Some(-8.0), Some(3.5), Some(0.0), Some(20.0), Some(-1.0)],
            highlight: None,
            width: 400,
            height: 300,
        });
        assert_well_formed(&svg);
        assert!(svg.contains("rotate(-35"));
        let ys = attrs(&svg, "<rect class=\"bar\"", "y");
        let hs = attrs(&svg, "<rect class=\"bar\"", "height");
        // Axis −10..20: the negative bar starts at the zero line, where the positive one ends.
        assert!((ys[1] - (ys[0] + hs[0])).abs() < 0.11);
        assert!((hs[1] / hs[0] - 8.0 / 12.0).abs() < 0.01);
        assert!(svg.contains("<title>廊坊经济技术开发区：-8%</title>"));
    }

    #[test]
    fn empty_charts_say_so() {
        let l = line_chart(&LineChart { title: "空".into(), ..LineChart::default() });
        assert_well_formed(&l);
        assert!(l.contains("暂无数据"));
        assert!(l.contains(r#"width="720" height="360""#));
        let b = bar_chart(&BarChart { title: "空".into(), labels: vec!["甲".into()], values: vec![None], ..BarChart::default() });
        assert_well_formed(&b);
        assert!(b.contains("暂无数据"));
    }
}
