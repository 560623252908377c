//! The parser on small documents written for each numbering and annotation form, and a
//! property test on arbitrary input.

use proptest::prelude::*;

use super::*;

fn paths(p: &Plan) -> Vec<&str> {
    p.outline.iter().map(|n| n.path.as_str()).collect()
}

fn v(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

/// (path, lead, responsible, cooperating)
type TaskUnits<'a> = (&'a str, Vec<String>, Vec<String>, Vec<String>);

fn units(p: &Plan) -> Vec<TaskUnits<'_>> {
    p.tasks.iter().map(|t| (t.path.as_str(), t.lead.clone(), t.responsible.clone(), t.cooperating.clone())).collect()
}

const FULL_WIDTH: &str = "关于推进某某工作的实施方案

为贯彻落实有关要求，制定本方案。
一、总体目标
（一）发展目标
1．到2020年，开发区高新技术企业数量突破500家。
2.税收收入控制在100亿元以内。
(二) 重点任务
3、推进招商引资（市商务局、市科技局牵头，各县（市、区）政府按职责分工负责）。
4、加强要素保障。【牵头单位：市国土局；责任单位：市财政局，廊坊开发区党工委、管委会；责任领导：王副市长；完成时限：2019年底】
（1）优化审批。〔责任单位：市行政审批局〕
(2)强化服务。
①建立台账。
②定期调度。
二、保障措施
——加强组织领导。成立工作专班。
——强化督导考核。每季度通报一次。
牵头单位：市委督查室
责任单位：市直有关部门
配合单位：市财政局、市统计局等
完成时限：长期坚持
";

#[test]
fn every_numbering_form_and_annotation_form_full_width() {
    let p = parse(FULL_WIDTH);
    assert_eq!(p.preamble.iter().map(|l| l.line).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(paths(&p), [
        "一",
        "一/（一）",
        "一/（一）/1",
        "一/（一）/2",
        "一/(二)",
        "一/(二)/3",
        "一/(二)/4",
        "一/(二)/4/（1）",
        "一/(二)/4/(2)",
        "一/(二)/4/(2)/①",
        "一/(二)/4/(2)/②",
        "二",
        "二/加强组织领导",
        "二/强化督导考核",
    ]);
    let kinds: Vec<NodeKind> = p.outline.iter().map(|n| n.kind).collect();
    use NodeKind::*;
    assert_eq!(kinds, [Chapter, Section, Item, Item, Section, Item, Item, SubItem, SubItem, Circled, Circled, Chapter, Bullet, Bullet]);
    assert_eq!(p.outline[2].marker, "1．");
    assert_eq!(p.outline[2].title, "到2020年，开发区高新技术企业数量突破500家");
    assert_eq!(p.outline[6].title, "加强要素保障");

    assert_eq!(units(&p), [
        ("一/(二)/3", v(&["市商务局", "市科技局"]), v(&["各县（市、区）政府"]), v(&[])),
        ("一/(二)/4", v(&["市国土局"]), v(&["市财政局", "廊坊开发区党工委", "廊坊开发区管委会"]), v(&[])),
        ("一/(二)/4/（1）", v(&[]), v(&["市行政审批局"]), v(&[])),
        // Lines of their own after the only bullets of 二 cover all of 二.
        ("二", v(&["市委督查室"]), v(&["市直有关部门"]), v(&["市财政局", "市统计局"])),
    ]);
    let t = &p.tasks[1];
    assert_eq!(t.fields.get("责任领导").map(String::as_str), Some("王副市长"));
    assert_eq!(t.fields.get("完成时限").map(String::as_str), Some("2019年底"));
    assert_eq!(t.text, "加强要素保障。");
    assert_eq!(t.source, "【牵头单位：市国土局；责任单位：市财政局，廊坊开发区党工委、管委会；责任领导：王副市长；完成时限：2019年底】");
    assert_eq!(p.tasks[0].text, "推进招商引资。");
    let last = &p.tasks[3];
    assert_eq!(last.fields.get("完成时限").map(String::as_str), Some("长期坚持"));
    assert_eq!(last.source, "牵头单位：市委督查室\n责任单位：市直有关部门\n配合单位：市财政局、市统计局等\n完成时限：长期坚持");
    assert_eq!((last.line, last.title.as_str(), last.text.as_str()), (18, "保障措施", "保障措施"));

    let targets: Vec<_> = p.targets.iter().map(|t| (t.path.as_str(), t.year, t.year_inferred, t.indicator.as_str(), t.value, t.unit.as_str(), t.comparator, t.indicator_code.as_deref())).collect();
    assert_eq!(targets, [
        ("一/（一）/1", Some(2020), false, "开发区高新技术企业数量", 500.0, "家", Comparator::Gt, Some("hitech_ent")),
        ("一/（一）/2", Some(2020), true, "税收收入", 100.0, "亿元", Comparator::Le, Some("tax")),
    ]);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

const HALF_WIDTH: &str = "一、重点任务
(一)招商引资
1.精准招商。到2020年引进项目50个以上。[牵头单位:市商务局]
2.利用外资。[牵头单位:市商务局;责任单位:各县(市、区)政府]
(二)科技创新
3.培育企业。(市科技局牵头,市财政局配合)
4.建设平台。推进A,新建平台3个。[责任单位:市科技局]推进B,新增企业20家。[责任单位:市工信局]
10大工程同步推进。
二、保障
(1)加强领导。
()强化考核。
";

#[test]
fn half_width_continuing_items_and_several_annotations_in_a_paragraph() {
    let p = parse(HALF_WIDTH);
    // Items 3 and 4 continue the numbering of (一) under (二); `()` becomes (2) from (1).
    assert_eq!(paths(&p), ["一", "一/(一)", "一/(一)/1", "一/(一)/2", "一/(二)", "一/(二)/3", "一/(二)/4", "二", "二/(1)", "二/(2)"]);
    assert_eq!(p.outline[9].marker, "()");
    assert_eq!(p.outline[9].number, Some(2));
    // `10大工程…` is not item 10: nothing around it says so.
    assert_eq!(p.outline[6].paragraphs.len(), 2);
    assert_eq!(units(&p), [
        ("一/(一)/1", v(&["市商务局"]), v(&[]), v(&[])),
        ("一/(一)/2", v(&["市商务局"]), v(&["各县(市、区)政府"]), v(&[])),
        ("一/(二)/3", v(&["市科技局"]), v(&[]), v(&["市财政局"])),
        ("一/(二)/4", v(&[]), v(&["市科技局"]), v(&[])),
        ("一/(二)/4", v(&[]), v(&["市工信局"]), v(&[])),
    ]);
    assert_eq!(p.tasks[3].text, "建设平台。推进A,新建平台3个。");
    assert_eq!(p.tasks[4].text, "推进B,新增企业20家。");
    let targets: Vec<_> = p.targets.iter().map(|t| (t.indicator.as_str(), t.value, t.comparator, t.task)).collect();
    assert_eq!(targets, [
        ("引进项目", 50.0, Comparator::Ge, Some(1)),
        ("新建平台", 3.0, Comparator::Eq, Some(4)),
        ("新增企业", 20.0, Comparator::Eq, Some(5)),
    ]);
    assert_eq!(p.warnings, [Warning { line: 11, message: "编号“()”缺少序号，按上下文视为“(2)”".into() }]);
}

#[test]
fn each_sub_heading_with_its_own_annotation_keeps_it() {
    let p = parse(
        "一、产业\n(一)新兴产业\n发展大数据。内容。\n[牵头单位:市工信局]\n发展人工智能。内容。\n[牵头单位:市科技局]\n(二)传统产业\n（牵头单位：市发改委）\n改造提升钢铁、建材等产业,推动转型。\n",
    );
    assert_eq!(units(&p), [
        ("一/(一)/发展大数据", v(&["市工信局"]), v(&[]), v(&[])),
        ("一/(一)/发展人工智能", v(&["市科技局"]), v(&[]), v(&[])),
        ("一/(二)", v(&["市发改委"]), v(&[]), v(&[])),
    ]);
    assert_eq!(p.tasks[2].text, "传统产业\n改造提升钢铁、建材等产业,推动转型。");
}

#[test]
fn a_lost_item_punctuation_is_repaired_only_when_the_next_item_agrees() {
    let p = parse("(三)工作目标\n 1承载能力明显提升。到2020年达到4家以上。\n2、创新能力明显提升。\n");
    assert_eq!(paths(&p), ["(三)", "(三)/1", "(三)/2"]);
    assert_eq!(p.outline[1].marker, "1");
    assert_eq!(p.warnings.len(), 1);
    let p = parse("(三)工作目标\n1承载能力明显提升。\n(四)其他\n");
    assert_eq!(paths(&p), ["(三)", "(四)"]);
}

#[test]
fn brackets_that_look_like_annotations_are_reported() {
    let p = parse("一、任务\n推进工作。[牵头单位]\n");
    assert!(p.tasks.is_empty());
    assert_eq!(p.warnings.len(), 1);
    assert!(p.warnings[0].to_string().starts_with("第2行：“[牵头单位]”像是单位标注"), "{}", p.warnings[0]);
}

#[test]
fn crlf_and_docx_paragraphs_count_lines_alike() {
    let a = parse("一、任务\r\n(一)推进\r\n\r\n[牵头单位:市商务局]\r\n");
    let b = parse_paragraphs(&["一、任务", "(一)推进", "", "[牵头单位:市商务局]"], &crate::catalog::indicators());
    assert_eq!(a, b);
    assert_eq!(a.tasks[0].line, 4);
}

#[test]
fn json_shape() {
    let p = parse("三、产业\n(一)发展。到2020年,开发区高新技术企业数量达400家以上。[牵头单位:市科技局;完成时限:2020年]\n");
    let t = &p.targets[0];
    assert_eq!((t.value, t.comparator.symbol()), (400.0, ">="));
    let task = &p.tasks[0];
    assert_eq!(task.fields.get("完成时限").map(String::as_str), Some("2020年"));
    assert_eq!(task.path, "三/(一)");
}

/// Whitespace-free characters, in order.
fn ink(s: &str) -> String {
    s.chars().filter(|c| !text::is_space(*c)).collect()
}

/// What "never loses text" means: the source the plan keeps (preamble, then every node's
/// marker and paragraphs in document order) has exactly the input's non-whitespace characters
/// in the input's order; and every task, title and target points at text that is there.
fn check(input: &str) {
    let p = parse(input);
    assert_eq!(ink(&p.source_text()), ink(input));
    let kept = p.source_text();
    for (i, n) in p.outline.iter().enumerate() {
        assert!(n.paragraphs[0].text.starts_with(&n.title), "{n:?}");
        assert!(n.parent.is_none_or(|q| q < i && p.outline[q].depth + 1 == n.depth));
        assert!(n.path.ends_with(&n.label));
    }
    for (i, t) in p.tasks.iter().enumerate() {
        assert_eq!(t.seq, i + 1);
        assert_eq!(t.path, t.node.map(|n| p.outline[n].path.clone()).unwrap_or_default());
        for part in t.source.split('\n') {
            assert!(kept.contains(part), "{part}");
        }
    }
    for t in &p.targets {
        assert!(kept.contains(&t.text), "{}", t.text);
        assert!(t.task.is_none_or(|s| s >= 1 && s <= p.tasks.len()));
        assert!(t.value.is_finite());
    }
}

fn plan_like() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "一、", "二、", "十、", "(一)", "（二）", "()", "（）", "1.", "2、", "3．", "1", "(1)", "（2）", "3)", "①", "⑵", "——", "—", "•",
        "[", "]", "【", "】", "〔", "〕", "(", ")", "（", "）", "“", "”", "《", "〉", "牵头单位", "责任单位", "配合单位", "完成时限",
        "责任领导", ":", "：", ";", "；", ",", "，", "、", "。", "及", "等", "各县(市、区)", "党委", "政府", "管委会", "党工委",
        "市商务局", "市科技局", "牵头", "负责", "配合", "由", "2020年", "2018年到", "到", "达到", "达", "以上", "或以上", "以内",
        "左右", "突破", "不少于", "控制在", "年均增长", "每年", "新增", "建设", "400", "15%", "1,000", "2.5", "１２", "家", "个",
        "亿元", "其中", "的", "和", "\n", "\n", "\r\n", " ", "\u{a0}", "\u{3000}", "加快发展", "产业", "总数", "x", "9",
    ]);
    prop::collection::vec(atoms, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_never_loses_text_on_plan_like_input(s in plan_like()) {
        check(&s);
    }

    #[test]
    fn never_panics_and_never_loses_text_on_any_input(s in any::<String>()) {
        check(&s);
    }
}
