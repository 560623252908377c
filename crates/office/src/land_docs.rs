//! The idle-land procedure's documents as .docx, written from the parcel's data: 《闲置土地调查
//! 通知书》(contents per Art. 6), 《闲置土地认定书》(Art. 10), and the decisions of Art. 16 —
//! 《征缴土地闲置费决定书》 and 《收回国有建设用地使用权决定书》.

use std::io::Cursor;

use docx_rs::{AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts};
use nengji_core::land::parcel::{mu, supply_label, wan, yuan, Parcel};
use nengji_core::land::rules::{Assessment, Consequence, Thresholds};
use nengji_core::land::NaiveDate;

use crate::OfficeError;

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const HEADING_FONT: &str = "黑体";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// 闲置土地调查通知书.
    Investigation,
    /// 闲置土地认定书.
    Determination,
    /// 征缴土地闲置费决定书.
    FeeDecision,
    /// 收回国有建设用地使用权决定书.
    RecoveryDecision,
}

impl DocKind {
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Investigation => "investigation",
            DocKind::Determination => "determination",
            DocKind::FeeDecision => "fee",
            DocKind::RecoveryDecision => "recovery",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            DocKind::Investigation => "闲置土地调查通知书",
            DocKind::Determination => "闲置土地认定书",
            DocKind::FeeDecision => "征缴土地闲置费决定书",
            DocKind::RecoveryDecision => "收回国有建设用地使用权决定书",
        }
    }
    pub fn parse(s: &str) -> Option<DocKind> {
        [DocKind::Investigation, DocKind::Determination, DocKind::FeeDecision, DocKind::RecoveryDecision].into_iter().find(|k| k.code() == s)
    }
}

/// What a document is written from.
pub struct DocInput<'a> {
    pub kind: DocKind,
    /// The issuing body (市、县国土资源主管部门).
    pub issuer: &'a str,
    /// 文号, e.g. 廊国土闲调〔2019〕3号.
    pub doc_no: &'a str,
    pub date: NaiveDate,
    pub parcel: &'a Parcel,
    pub zone_name: &'a str,
    /// The rules as of `date`.
    pub assessment: &'a Assessment,
    pub thresholds: &'a Thresholds,
    /// Investigation: the last day for the holder's materials (30 days from service, Art. 5).
    pub reply_due: Option<NaiveDate>,
    /// Decisions: the last day to pay / return the certificate (30 days from service, Art. 17).
    pub comply_due: Option<NaiveDate>,
    /// 示例数据: marked on the document.
    pub demo: bool,
}

fn chinese_date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

fn run(text: &str, font: &str, half_points: usize) -> Run {
    Run::new().add_text(text).size(half_points).fonts(RunFonts::new().east_asia(font).ascii("Times New Roman").hi_ansi("Times New Roman"))
}

fn para(text: &str, font: &str, half_points: usize) -> Paragraph {
    Paragraph::new().add_run(run(text, font, half_points)).line_spacing(LineSpacing::new().line(560))
}

fn body(text: &str) -> Paragraph {
    para(text, BODY_FONT, 32).indent(None, Some(docx_rs::SpecialIndentType::FirstLine(640)), None, None)
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(chinese_date).unwrap_or_else(|| "（未记载）".into())
}

/// The parcel's facts as one paragraph.
fn parcel_facts(i: &DocInput) -> String {
    let p = i.parcel;
    format!(
        "宗地编号{}，位于{}，土地用途为{}，面积{:.2}平方米（合{:.2}亩），供地方式为{}，供地日期{}，土地价款{}万元；交地确认书日期{}，约定动工开发日期{}，约定竣工日期{}。",
        p.code,
        i.zone_name,
        p.land_use,
        p.area_m2,
        mu(p.area_m2),
        supply_label(p.supply),
        opt_date(p.supply_date),
        wan(p.price_fen),
        opt_date(p.handover),
        opt_date(p.contract_start),
        opt_date(p.contract_completion),
    )
}

fn development_facts(i: &DocInput) -> String {
    let p = i.parcel;
    let a = i.assessment;
    let due = a.start_due.map(chinese_date).unwrap_or_else(|| "（无法确定）".into());
    let due_note = if a.default_start { "（合同未约定动工开发日期，依《闲置土地处置办法》第二十二条以交地确认书日期后一年为动工开发日期）" } else { "" };
    match p.started {
        None => format!("该宗地应于{due}{due_note}动工开发，截至{}尚未动工开发。", chinese_date(i.date)),
        Some(s) => format!(
            "该宗地于{}动工开发（{}），应开发面积{:.2}平方米，已开发面积{:.2}平方米；计划总投资{}万元，已投资{}万元（不含土地价款和向国家缴纳的相关税费）{}。",
            chinese_date(s),
            p.start_evidence.map(|e| e.label()).unwrap_or("动工依据未记载"),
            p.to_develop_m2,
            p.developed_m2,
            wan(p.planned_fen),
            wan(p.invested_fen),
            p.halted.map(|h| format!("，自{}起中止开发建设", chinese_date(h))).unwrap_or_default()
        ),
    }
}

fn paragraphs(i: &DocInput) -> Vec<String> {
    let p = i.parcel;
    let a = i.assessment;
    let mut out = vec![format!("{}（统一社会信用代码：{}）：", p.holder, p.uscc)];
    match i.kind {
        DocKind::Investigation => {
            out.push(format!("经核查，你单位使用的下列国有建设用地涉嫌构成闲置土地：{}", parcel_facts(i)));
            out.push(development_facts(i));
            out.push("依据《闲置土地处置办法》（国土资源部令第53号）第二条、第五条、第六条，本机关决定对该宗地开展调查核实。".into());
            out.push(format!(
                "请你单位自收到本通知书之日起30日内（即{}前），向本机关提交土地开发利用情况、闲置原因以及相关说明等材料；因政府或者政府有关部门的行为、不可抗力造成闲置的，应当提供土地闲置原因说明材料。",
                opt_date(i.reply_due)
            ));
            out.push("调查期间，你单位有权陈述、申辩，并应当配合本机关询问、现场勘测、拍照摄像、查阅复制有关资料等调查工作，如实提供有关情况和材料。".into());
        }
        DocKind::Determination => {
            out.push(format!("经调查核实：{}", parcel_facts(i)));
            out.push(development_facts(i));
            let cause = p.cause.map(|c| c.label()).unwrap_or("尚未查明");
            let case = a.case.map(|c| c.label()).unwrap_or("不构成闲置");
            out.push(format!("闲置原因：{cause}。"));
            out.push(format!(
                "依据《闲置土地处置办法》第二条、第九条、第十条，认定该宗地为闲置土地（{case}），闲置起始日为{}。",
                opt_date(a.idle_from)
            ));
            out.push("本机关将依照第十一条在门户网站公开该闲置土地的位置、土地使用权人名称、闲置时间等信息，处置完毕后予以撤销。".into());
        }
        DocKind::FeeDecision | DocKind::RecoveryDecision => {
            out.push(format!("经调查核实：{}", parcel_facts(i)));
            out.push(development_facts(i));
            out.push(format!(
                "上述土地已由本机关认定为闲置土地，闲置原因为土地使用者自身原因，闲置起始日为{}，截至{}已闲置{}年。",
                opt_date(a.idle_from),
                chinese_date(i.date),
                a.idle_years
            ));
            out.push("本机关已依照《闲置土地处置办法》第十五条书面告知你单位有申请听证的权利。".into());
            if i.kind == DocKind::FeeDecision {
                let fee = match a.consequence {
                    Consequence::Fee { fee_fen } => fee_fen,
                    _ => nengji_core::land::rules::idle_fee(p.price_fen, i.thresholds),
                };
                out.push(format!(
                    "依据《闲置土地处置办法》第十四条第（一）项，决定按照土地出让或者划拨价款的百分之{}向你单位征缴土地闲置费，计人民币{}元（{}万元）。土地闲置费不得列入生产成本。",
                    i.thresholds.fee_percent,
                    yuan(fee),
                    wan(fee)
                ));
                out.push(format!("请你单位自本决定书送达之日起30日内（即{}前）缴纳土地闲置费。", opt_date(i.comply_due)));
            } else {
                out.push("依据《闲置土地处置办法》第十四条第（二）项、《中华人民共和国土地管理法》第三十八条、《中华人民共和国城市房地产管理法》第二十六条，经有批准权的人民政府批准，决定无偿收回该宗地的国有建设用地使用权。".into());
                out.push(format!("请你单位自本决定书送达之日起30日内（即{}前）到本机关办理国有建设用地使用权注销登记，交回土地权利证书。", opt_date(i.comply_due)));
                if !p.mortgagee.trim().is_empty() {
                    out.push(format!("本决定书抄送抵押权人：{}。", p.mortgagee.trim()));
                }
            }
            out.push("如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。逾期不申请行政复议、不提起行政诉讼、又不履行的，本机关将依法申请人民法院强制执行或者公告注销登记（第十八条）。".into());
        }
    }
    out
}

/// Writes one document as .docx.
pub fn write(i: &DocInput) -> Result<Vec<u8>, OfficeError> {
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(2098).bottom(1984).left(1588).right(1474))
        .add_paragraph(Paragraph::new().add_run(run(i.kind.title(), TITLE_FONT, 44)).align(AlignmentType::Center).line_spacing(LineSpacing::new().line(700)))
        .add_paragraph(para(i.doc_no, BODY_FONT, 32).align(AlignmentType::Center));
    if i.demo {
        doc = doc.add_paragraph(para("（示例数据，仅供演示）", HEADING_FONT, 28).align(AlignmentType::Center));
    }
    let paras = paragraphs(i);
    doc = doc.add_paragraph(para(&paras[0], BODY_FONT, 32));
    for text in &paras[1..] {
        doc = doc.add_paragraph(body(text));
    }
    doc = doc
        .add_paragraph(Paragraph::new())
        .add_paragraph(para(i.issuer, BODY_FONT, 32).align(AlignmentType::Right))
        .add_paragraph(para(&chinese_date(i.date), BODY_FONT, 32).align(AlignmentType::Right));
    let mut buf = Cursor::new(Vec::new());
    doc.build().pack(&mut buf).map_err(|e| OfficeError::Write(e.to_string()))?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nengji_core::land::period::RestDays;
    use nengji_core::land::rules::{assess, Cause, Supply};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn parcel() -> Parcel {
        Parcel {
            code: "GA2016-07".into(),
            zone: "guan_etdz".into(),
            holder: "固安某某新材料有限公司".into(),
            uscc: "91310110666007217T".into(),
            land_use: "工业用地".into(),
            area_m2: 20000.0,
            supply: Supply::Sale,
            supply_date: Some(d("2015-12-01")),
            contract_start: None,
            contract_completion: Some(d("2018-12-31")),
            handover: Some(d("2016-02-29")),
            price_fen: 1_234_567_800,
            planned_fen: 8_000_000_000,
            invested_fen: 0,
            to_develop_m2: 20000.0,
            developed_m2: 0.0,
            started: None,
            start_evidence: None,
            halted: None,
            cause: Some(Cause::Holder),
            mortgagee: "中国银行廊坊分行".into(),
            monitored: true,
            note: String::new(),
        }
    }

    fn text(kind: DocKind, date: &str) -> String {
        let p = parcel();
        let t = Thresholds::default();
        let a = assess(&p.facts(None), d(date), &t, &RestDays::weekends_only());
        let input = DocInput {
            kind,
            issuer: "廊坊市国土资源局",
            doc_no: "廊国土闲〔2018〕7号",
            date: d(date),
            parcel: &p,
            zone_name: "固安经济开发区",
            assessment: &a,
            thresholds: &t,
            reply_due: Some(d("2018-04-02")),
            comply_due: Some(d("2019-04-01")),
            demo: true,
        };
        let bytes = write(&input).unwrap();
        crate::docx_text::docx_paragraphs("x.docx", &bytes).unwrap().join("\n")
    }

    #[test]
    fn investigation_notice_names_the_holder_parcel_and_reply_deadline() {
        let t = text(DocKind::Investigation, "2018-03-01");
        for s in ["闲置土地调查通知书", "固安某某新材料有限公司（统一社会信用代码：91310110666007217T）", "宗地编号GA2016-07", "20000.00平方米（合30.00亩）",
            "2017年2月28日（合同未约定动工开发日期", "30日内（即2018年4月2日前）", "廊坊市国土资源局", "2018年3月1日", "示例数据"] {
            assert!(t.contains(s), "{s} not in:\n{t}");
        }
    }

    #[test]
    fn fee_decision_states_twenty_percent_of_the_price() {
        // Handover 2016-02-29 → due start 2017-02-28 → idle from 2018-03-01; fee 20 % of 12,345,678.00 元.
        let t = text(DocKind::FeeDecision, "2018-03-15");
        assert!(t.contains("计人民币2,469,135.60元（246.91356万元）"), "{t}");
        assert!(t.contains("百分之20") && t.contains("30日内（即2019年4月1日前）缴纳") && t.contains("行政复议"));
        let r = text(DocKind::RecoveryDecision, "2019-03-15");
        assert!(r.contains("无偿收回该宗地的国有建设用地使用权") && r.contains("抄送抵押权人：中国银行廊坊分行") && r.contains("已闲置2年"), "{r}");
        let c = text(DocKind::Determination, "2018-03-15");
        assert!(c.contains("闲置原因：土地使用者自身原因") && c.contains("闲置起始日为2018年3月1日"), "{c}");
    }
}
