//! A Gantt-style timeline as server-drawn SVG (no JavaScript): a bar per task from its start
//! to its deadline in the colour of its light, milestones as diamonds (hollow once reached),
//! a line for today, month ticks. Each bar links to its task and carries a hover title.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use nengji_core::supervision::Light;
use nengji_office::chart::{escape, FONT_FAMILY};

pub struct Bar {
    pub label: String,
    pub href: String,
    pub start: NaiveDate,
    /// `None`: no deadline yet, drawn to the end of the chart with a dashed outline.
    pub end: Option<NaiveDate>,
    pub light: Light,
    pub closed: bool,
    /// (title, due, reached)
    pub milestones: Vec<(String, NaiveDate, Option<NaiveDate>)>,
    pub tip: String,
}

const WIDTH: f64 = 1100.0;
const LABEL: f64 = 330.0;
const ROW: f64 = 24.0;
const TOP: f64 = 52.0;

fn colour(b: &Bar) -> &'static str {
    match (b.closed, b.light) {
        (true, _) => "#98a2b3",
        (_, Light::Green) => "#067647",
        (_, Light::Yellow) => "#b54708",
        (_, Light::Red) => "#b42318",
    }
}

/// Cuts a label to about `n` characters.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).expect("valid")
}

fn next_month(d: NaiveDate) -> NaiveDate {
    if d.month() == 12 { NaiveDate::from_ymd_opt(d.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1) }.expect("valid")
}

pub fn gantt(bars: &[Bar], today: NaiveDate) -> String {
    let height = TOP + ROW * bars.len().max(1) as f64 + 16.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="任务时间轴" font-family="{FONT_FAMILY}" font-size="12"><title>任务时间轴</title><rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
    );
    if bars.is_empty() {
        let _ = write!(out, r##"<text x="{}" y="{}" text-anchor="middle" fill="#999" font-size="14">暂无任务</text></svg>"##, WIDTH / 2.0, TOP);
        return out;
    }
    let lo = bars.iter().map(|b| b.start).chain(bars.iter().flat_map(|b| b.milestones.iter().map(|m| m.1))).chain([today]).min().expect("non-empty");
    let hi = bars.iter().filter_map(|b| b.end).chain(bars.iter().flat_map(|b| b.milestones.iter().map(|m| m.1))).chain([today]).max().expect("non-empty");
    let lo = first_of_month(lo);
    let hi = next_month(hi);
    let span = (hi - lo).num_days().max(1) as f64;
    let right = WIDTH - 12.0;
    let x = |d: NaiveDate| LABEL + (d - lo).num_days() as f64 / span * (right - LABEL);
    // Month ticks, labelled sparsely enough to stay readable.
    let months = {
        let mut v = Vec::new();
        let mut m = lo;
        while m <= hi {
            v.push(m);
            m = next_month(m);
        }
        v
    };
    let every = (months.len() / 12).max(1);
    for (i, m) in months.iter().enumerate() {
        let mx = x(*m);
        let _ = write!(out, r##"<line x1="{mx:.1}" y1="{TOP}" x2="{mx:.1}" y2="{:.1}" stroke="#eef1f5" stroke-width="1"/>"##, height - 16.0);
        if i % every == 0 && *m < hi {
            let _ = write!(out, r##"<text x="{:.1}" y="{:.1}" fill="#555">{}月</text>"##, mx + 2.0, TOP - 8.0, m.month());
        }
        // The year above its first month.
        if (m.month() == 1 || i == 0) && *m < hi {
            let _ = write!(out, r##"<text x="{:.1}" y="{:.1}" fill="#1f2933" font-weight="bold">{}年</text>"##, mx + 2.0, TOP - 26.0, m.year());
        }
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let c = colour(b);
        let _ = write!(out, r##"<a href="{}"><title>{}</title>"##, escape(&b.href), escape(&b.tip));
        let _ = write!(out, r##"<text x="6" y="{:.1}" fill="#1f2933">{}</text>"##, y + 16.0, escape(&clip(&b.label, 26)));
        let (x0, x1) = (x(b.start), x(b.end.unwrap_or(hi)));
        let w = (x1 - x0).max(2.0);
        match b.end {
            Some(_) => {
                let _ = write!(out, r##"<rect x="{x0:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" rx="3" fill="{c}" fill-opacity="0.85"/>"##, y + 5.0, ROW - 10.0);
            }
            None => {
                let _ = write!(
                    out,
                    r##"<rect x="{x0:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" rx="3" fill="{c}" fill-opacity="0.2" stroke="{c}" stroke-dasharray="4 3"/>"##,
                    y + 5.0,
                    ROW - 10.0
                );
            }
        }
        for (title, due, reached) in &b.milestones {
            let (mx, my) = (x(*due), y + ROW / 2.0);
            let fill = match reached {
                Some(_) => "#ffffff",
                None if *due < today => "#b42318",
                None => "#1f2933",
            };
            let state = match reached {
                Some(d) => format!("{d} 完成"),
                None if *due < today => "逾期未完成".into(),
                None => "未到期".into(),
            };
            let _ = write!(
                out,
                r##"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{fill}" stroke="#1f2933" stroke-width="1.2"><title>{}</title></polygon>"##,
                mx, my - 7.0, mx + 7.0, my, mx, my + 7.0, mx - 7.0, my,
                escape(&format!("节点：{title}（{due}，{state}）"))
            );
        }
        out.push_str("</a>");
    }
    let tx = x(today);
    let _ = write!(
        out,
        r##"<line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="#1d4ed8" stroke-width="1.5" stroke-dasharray="5 3"/><text x="{:.1}" y="{:.1}" fill="#1d4ed8" text-anchor="middle">今天</text>"##,
        TOP - 4.0,
        height - 14.0,
        tx,
        height - 2.0
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn bars_milestones_and_today_are_drawn_and_escaped() {
        let bars = vec![
            Bar {
                label: "1. 清理<闲置>土地".into(),
                href: "/tasks/1".into(),
                start: d("2026-03-02"),
                end: Some(d("2026-06-30")),
                light: Light::Red,
                closed: false,
                milestones: vec![("完成核查".into(), d("2026-04-15"), None), ("上报".into(), d("2026-05-15"), Some(d("2026-05-10")))],
                tip: "第1项：红灯".into(),
            },
            Bar { label: "2. 长期任务".into(), href: "/tasks/2".into(), start: d("2026-03-02"), end: None, light: Light::Green, closed: false, milestones: vec![], tip: "t".into() },
        ];
        let svg = gantt(&bars, d("2026-05-01"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("清理&lt;闲置&gt;土地"));
        assert!(svg.contains(r##"fill="#b42318" fill-opacity="0.85""##), "the red bar");
        assert!(svg.contains("stroke-dasharray=\"4 3\""), "no deadline: dashed to the end");
        assert!(svg.contains("节点：完成核查（2026-04-15，逾期未完成）"));
        assert!(svg.contains("节点：上报（2026-05-15，2026-05-10 完成）"));
        assert!(svg.contains("<a href=\"/tasks/1\">"));
        assert!(svg.contains(">今天<") && svg.contains(">2026年<") && svg.contains(">3月<"));
        assert!(!svg.contains("style="), "presentation attributes only: the CSP forbids inline styles");
        assert!(gantt(&[], d("2026-05-01")).contains("暂无任务"));
    }
}
