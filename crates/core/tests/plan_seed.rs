//! The seed plan (廊坊市《关于推进开发区提升能级打造高质量发展新平台的实施方案(征求意见稿)》, as
//! published for comment on 2018-09-04; copied into docs/plan/) parsed into its ledger, with
//! every heading, every task and every target written out.

use nengji_core::plan::{self, Comparator, NodeKind, Registry, Resolution};

const SEED: &str = include_str!("../../../docs/plan/langfang-2018.txt");

fn ink(s: &str) -> String {
    s.chars().filter(|c| !plan::text::is_space(*c)).collect()
}

#[test]
fn the_full_outline() {
    let p = plan::parse(SEED);
    let got: Vec<(&str, &str)> = p.outline.iter().map(|n| (n.path.as_str(), n.title.as_str())).collect();
    let want: &[(&str, &str)] = &[
        ("一", "总体要求"),
        ("一/(一)", "指导思想"),
        ("一/(二)", "基本原则"),
        ("一/(二)/坚持创新驱动发展", "坚持创新驱动发展"),
        ("一/(二)/坚持开放带动发展", "坚持开放带动发展"),
        ("一/(二)/坚持改革促动发展", "坚持改革促动发展"),
        ("一/(二)/坚持集约绿色发展", "坚持集约绿色发展"),
        ("一/(三)", "工作目标"),
        ("一/(三)/1", "承载高端高新项目能力明显提升"),
        ("一/(三)/2", "创新能力明显提升"),
        ("一/(三)/3", "开放水平明显提升"),
        ("一/(三)/4", "集约绿色发展水平明显提升"),
        ("一/(三)/5", "对全市经济贡献率明显提升"),
        ("二", "围绕京津冀协同发展,做大做强一批战略平台"),
        ("二/(一)", "构建与雄安新区发展相配套的重大开放平台"),
        ("二/(二)", "构建对接北京城市副中心的重要合作平台"),
        ("二/(三)", "构建对接北京新机场的重要合作平台"),
        ("三", "优化产业布局,加快产业转型升级"),
        ("三/(一)", "发展壮大战略性新兴产业"),
        ("三/(一)/加快发展大数据产业", "加快发展大数据产业"),
        ("三/(一)/加快发展人工智能与智能制造产业", "加快发展人工智能与智能制造产业"),
        ("三/(一)/加快发展新型显示产业", "加快发展新型显示产业"),
        ("三/(一)/加快发展新材料产业", "加快发展新材料产业"),
        ("三/(一)/加快发展新能源与新能源汽车产业", "加快发展新能源与新能源汽车产业"),
        ("三/(一)/加快发展数字文化创意产业", "加快发展数字文化创意产业"),
        ("三/(一)/加快发展先进环保产业、生物医药健康产业", "加快发展先进环保产业、生物医药健康产业"),
        ("三/(一)/加快发展未来产业", "加快发展未来产业"),
        ("三/(二)", "改造提升传统优势产业"),
        ("三/(二)/推进装备制造业转型升级", "推进装备制造业转型升级"),
        ("三/(二)/坚定不移推进钢铁去产能", "坚定不移推进钢铁去产能"),
        ("三/(二)/推动食品加工业转型升级", "推动食品加工业转型升级"),
        ("四", "加快发展高新技术企业,提升科技创新能力"),
        ("四/(一)", "加快培育壮大创新主体"),
        ("四/(一)/实施高新技术企业后备培育工程", "实施高新技术企业后备培育工程"),
        ("四/(一)/加快引进一批高新技术企业", "加快引进一批高新技术企业"),
        ("四/(一)/推进科技型中小企业成长计划", "推进科技型中小企业成长计划"),
        ("四/(二)", "加快建设科技创新平台"),
        ("四/(二)/支持开发区优势企业“走出去”", "支持开发区优势企业“走出去”"),
        ("四/(二)/推进孵化平台升级提质", "推进孵化平台升级提质"),
        ("四/(二)/推进技术转移服务机构发展壮大", "推进技术转移服务机构发展壮大"),
        ("四/(二)/建设产业鲜明的协同创新基地", "建设产业鲜明的协同创新基地"),
        ("四/(三)", "大力引进培养创新型人才"),
        ("四/(三)/加强“区校合作”", "加强“区校合作”"),
        ("四/(三)/进一步完善人才政策", "进一步完善人才政策"),
        ("四/(三)/持续推进科技英才“双百双千”工程", "持续推进科技英才“双百双千”工程"),
        ("五", "以开发区为主体大力推进精准招商,加快高新高端项目建设"),
        ("五/(一)", "精准推进重点项目招商引资"),
        ("五/(二)", "推动开发区利用外资重点突破"),
        ("五/(三)", "创新精准招商方式"),
        ("五/(四)", "打造特色产业园和合作共建产业园"),
        ("五/(五)", "优化营商投资环境"),
        ("六", "推进开发区高效用地,提升集约绿色发展水平"),
        ("六/(一)", "强化市级以下园区建设管理"),
        ("六/(二)", "全面清理闲置土地"),
        ("六/(三)", "提高土地集约利用水平"),
        ("六/(四)", "推动绿色低碳循环发展"),
        ("七", "深化开发区体制机制改革,增强发展动力活力"),
        ("七/(一)", "深化行政审批制度改革"),
        ("七/(二)", "深化人事薪酬制度改革"),
        ("七/(三)", "完善财政管理体制"),
        ("七/(四)", "加强投融资平台建设"),
        ("七/(五)", "探索开发区拓展用地空间机制"),
        ("八", "加强组织领导,促进各项任务目标落到实处"),
        ("八/(一)", "加强统筹协调"),
        ("八/(二)", "落实主体责任"),
        ("八/(三)", "选优配强干部"),
        ("八/(四)", "科学制定规划"),
        ("八/(五)", "推进重点任务"),
        ("八/(六)", "落实要素保障"),
        ("八/(七)", "加强督导考核"),
        ("八/(八)", "强化宣传引导"),
    ];
    assert_eq!(got, want);
    // Eight chapters; 三(一) has eight unnumbered sub-headings; 一(二) has one sub-heading whose
    // dash was lost and three — bullets, all at the same level.
    let count = |k: NodeKind| p.outline.iter().filter(|n| n.kind == k).count();
    assert_eq!((count(NodeKind::Chapter), count(NodeKind::Section), count(NodeKind::Item)), (8, 33, 5));
    assert_eq!((count(NodeKind::Bullet), count(NodeKind::Subheading)), (3, 22));
    let seventh = p.node("七/(二)").unwrap();
    assert_eq!((seventh.marker.as_str(), seventh.number), ("()", Some(2)));
    assert_eq!(p.node("一/(三)/1").unwrap().marker, "1");
    // What the parser had to repair is said, with the line.
    let warnings: Vec<String> = p.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings, ["第61行：编号“1”后缺少标点，按第1条处理", "第171行：编号“()”缺少序号，按上下文视为“(二)”"]);
    // The web page around the plan stays in the preamble, nothing is lost.
    assert_eq!(p.preamble.first().unwrap().text, "规范性文件草案征集意见");
    assert_eq!(p.preamble.last().unwrap().text, "为深入贯彻党的十九大精神和省委九届五次、六次、七次全会精神,认真落实《省委办公厅省政府办公厅关于推进开发区提升能级打造高质量发展新平台的实施意见》,结合河北省开发区改革发展领导小组《关于印发落实<关于推动开发区提升能级打造高质量发展新平台的实施意见〉重点任务分解落实方案的通知》的要求,推进全市省级以上开发区(包括经济开发区、高新技术产业开发区以及海关特殊监管区)加快转型升级、创新发展,着力提升能级水平,打造新时代高质量发展新平台,提出如下实施方案。");
    assert_eq!(ink(&p.source_text()), ink(SEED));
}

#[test]
fn all_37_bracketed_annotations_with_their_units() {
    let p = plan::parse(SEED);
    assert_eq!(SEED.matches('[').count(), 37);
    assert_eq!(p.tasks.len(), 37);
    assert!(p.tasks.iter().all(|t| t.source.starts_with('[') && t.source.ends_with(']')));
    assert!(p.tasks.iter().all(|t| t.cooperating.is_empty() && t.fields.is_empty()));
    let got: Vec<(&str, Vec<&str>, Vec<&str>)> = p
        .tasks
        .iter()
        .map(|t| (t.path.as_str(), t.lead.iter().map(String::as_str).collect(), t.responsible.iter().map(String::as_str).collect()))
        .collect();
    let want: &[(&str, &[&str], &[&str])] = &[
        ("二/(一)", &["市商务局", "市科技局", "霸州市政府", "文安县政府", "大城县政府"], &["市发改委", "市规划局", "市国土局", "市工信局", "市环保局", "市交通局"]),  // 1
        ("二/(二)", &["市商务局", "市科技局", "三河市政府", "大厂县政府", "香河县政府", "广阳区政府", "安次区政府", "永清县政府", "廊坊开发区管委会"], &["市发改委", "市工信局"]),  // 2
        ("二/(三)", &["市商务局", "市科技局", "廊坊海关", "廊坊开发区管委会", "固安县政府", "安次区政府", "永清县政府", "霸州市政府"], &["市发改委", "市工信局"]),  // 3
        ("三/(一)", &["市培育和发展战略性新兴产业领导小组办公室"], &["市工信局", "市商务局", "市科技局", "各县(市、区)政府"]),  // 4
        ("三/(二)", &["市发改委", "市工信局"], &["市商务局", "市科技局", "各县(市、区)政府"]),  // 5
        ("四/(一)", &["市科技局"], &["市商务局", "各县(市、区)政府", "廊坊开发区管委会"]),  // 6
        ("四/(二)", &["市科技局"], &["市商务局", "市发改委", "市工信局", "各县(市、区)政府", "廊坊开发区管委会"]),  // 7
        ("四/(三)", &["市人社局", "市科技局"], &["市商务局", "市教育局", "各县(市、区)政府", "廊坊开发区管委会"]),  // 8
        ("五/(一)", &["市商务局", "市科技局"], &["市发改委", "市工信局", "各县(市、区)政府"]),  // 9
        ("五/(二)", &["市商务局", "市科技局"], &["各县(市、区)政府"]),  // 10
        ("五/(三)", &["市商务局", "市科技局"], &["市发改委", "市工信局", "各县(市、区)政府"]),  // 11
        ("五/(四)", &["市商务局", "市科技局"], &["各县(市、区)政府"]),  // 12
        ("五/(五)", &["市商务局", "市科技局"], &["市发改委", "各县(市、区)政府"]),  // 13
        ("六/(一)", &["市商务局", "市科技局"], &["市发改委", "市国土局", "市工信局", "市规划局", "市环保局", "各县(市、区)政府"]),  // 14
        ("六/(二)", &["市国土局"], &["市商务局", "市科技局", "各县(市、区)政府"]),  // 15
        ("六/(三)", &["市国土局"], &["市商务局", "市科技局", "各县(市、区)政府"]),  // 16
        ("六/(四)", &["市环保局", "各县(市、区)政府"], &["市商务局", "市科技局"]),  // 17
        ("六/(四)", &["市工信局", "各县(市、区)政府"], &["市商务局", "市科技局"]),  // 18
        ("六/(四)", &["市发改委", "各县(市、区)政府"], &["市商务局", "市科技局"]),  // 19
        ("七/(一)", &[], &["市直有关部门", "各县(市、区)政府"]),  // 20
        ("七/(一)", &["市政务办", "市行政审批局", "各县(市、区)政府"], &["市直有关部门"]),  // 21
        ("七/(一)", &["市编办", "各县(市、区)政府"], &[]),  // 22
        ("七/(二)", &["市人社局", "各县(市、区)政府"], &["市商务局", "市科技局"]),  // 23
        ("七/(三)", &["市财政局", "各县(市、区)政府"], &["市商务局", "市科技局"]),  // 24
        ("七/(四)", &["市商务局", "市科技局", "各县(市、区)政府"], &["市政府金融办", "市财政局"]),  // 25
        ("七/(五)", &[], &["各县(市、区)政府", "市直有关部门"]),  // 26
        ("八/(一)", &["市开发区改革发展领导小组办公室"], &["市开发区改革发展领导小组成员单位", "各县(市、区)政府"]),  // 27
        ("八/(二)", &[], &["各县(市、区)党委", "各县(市、区)政府"]),  // 28
        ("八/(三)", &[], &["市委组织部", "市人社局", "各县(市、区)党委", "各县(市、区)政府", "廊坊开发区党工委", "廊坊开发区管委会"]),  // 29
        ("八/(四)", &["市商务局"], &["市直有关部门", "各县(市、区)政府"]),  // 30
        ("八/(四)", &[], &["各县(市、区)党委", "各县(市、区)政府"]),  // 31
        ("八/(五)", &["各县(市、区)政府"], &["市直有关部门"]),  // 32
        ("八/(六)", &["各县(市、区)政府"], &["市国土局"]),  // 33
        ("八/(六)", &["市商务局", "市财政局"], &["市科技局", "各县(市、区)政府"]),  // 34
        ("八/(七)", &["市委督查室", "市政府督查室"], &["市直有关部门", "各县(市、区)党委", "各县(市、区)政府"]),  // 35
        ("八/(七)", &["市委组织部", "市开发区改革发展领导小组办公室"], &["市直有关部门"]),  // 36
        ("八/(八)", &[], &["市委宣传部", "市直有关部门", "各县(市、区)党委", "各县(市、区)政府"]),  // 37
    ];
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0, g.1.as_slice(), g.2.as_slice()), *w);
    }
    // Three brackets in one paragraph of 六(四), each covering its own sentences.
    let six4: Vec<&str> = p.tasks.iter().filter(|t| t.path == "六/(四)").map(|t| t.text.as_str()).collect();
    assert_eq!(six4, [
        "推动绿色低碳循环发展。加大对环保基础设施的投入,提升装备技术水平,健全污水、垃圾、烟粉尘、废弃物处理设施,确保所有开发区实现污水集中处理并安装自动在线监控装置,积极创建生态工业示范园区。",
        "推进绿色园区、绿色工厂建设,实现厂房集约化、原料无害化、生产洁净化、废物资源化、能源低碳化。",
        "按照循环经济理念,推动企业循环式生产、产业循环式组合,促进废物交换利用、能量梯级利用、水的分类利用和循环利用,积极创建循环化改造示范试点园区。到2020年,推动8个开发区实施循环化改造。",
    ]);
    // The bracket after 三(一)'s eight sub-headings covers all of (一).
    assert_eq!(p.tasks[3].title, "发展壮大战略性新兴产业");
    assert!(p.tasks[3].text.starts_with("发展壮大战略性新兴产业。建设总投资额362亿元的21项重大项目"));
}

#[test]
fn every_unit_resolves_against_the_registry() {
    let p = plan::parse(SEED);
    let reg = Registry::builtin();
    for t in &p.tasks {
        let (_, unknown) = reg.expand(&[t.lead.clone(), t.responsible.clone()].concat());
        assert!(unknown.is_empty(), "任务{}：{unknown:?}", t.seq);
    }
    let r = reg.resolve("各县(市、区)政府");
    let Resolution::Collective { members, .. } = &r.resolution else { panic!("{r:?}") };
    assert_eq!(members.len(), 10);
    // 八(三): two departments, ten county party committees, ten county governments, and the
    // zone's 党工委 and 管委会.
    let (codes, _) = reg.expand(&p.tasks[28].responsible);
    assert_eq!(codes.len(), 24);
    assert_eq!(&codes[..2], ["zzb", "rsj"]);
    assert_eq!(&codes[22..], ["kfqdgw", "kfqgwh"]);
}

enum Year {
    Stated(i32),
    Inferred(i32),
    Unstated,
}
use Year::*;

struct T {
    path: &'static str,
    year: Year,
    indicator: &'static str,
    value: u32,
    unit: &'static str,
    cmp: &'static str,
    per_year: bool,
    task: Option<usize>,
}

#[test]
fn targets_of_the_work_goals_and_sections_three_to_six() {
    let p = plan::parse(SEED);
    let want: &[T] = &[
        T { path: "一/(三)/1", year: Stated(2020), indicator: "主营业务收入千亿元以上开发区", value: 4, unit: "家", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/2", year: Stated(2020), indicator: "开发区高新技术企业数量", value: 400, unit: "家", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/2", year: Stated(2020), indicator: "高新技术产业增加值占规模以上工业增加值比重", value: 35, unit: "%", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/2", year: Stated(2020), indicator: "战略性新兴产业增加值占开发区地区生产总值比重", value: 25, unit: "%", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/3", year: Inferred(2020), indicator: "创建中外合作产业园", value: 2, unit: "个", cmp: "=", per_year: false, task: None },
        T { path: "一/(三)/3", year: Inferred(2020), indicator: "创建省际合作共建园", value: 2, unit: "个", cmp: "=", per_year: false, task: None },
        T { path: "一/(三)/3", year: Stated(2020), indicator: "开发区实际利用外资年均增长", value: 15, unit: "%", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/3", year: Stated(2020), indicator: "开发区外贸进出口年均增长", value: 10, unit: "%", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/4", year: Inferred(2020), indicator: "污水集中处理率", value: 100, unit: "%", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/5", year: Stated(2020), indicator: "全市开发区地区生产总值年均增长", value: 10, unit: "%", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/5", year: Stated(2020), indicator: "全市开发区税收收入年均增长", value: 10, unit: "%", cmp: ">=", per_year: false, task: None },
        T { path: "一/(三)/5", year: Stated(2020), indicator: "地区生产总值占全市比重", value: 55, unit: "%", cmp: ">=", per_year: false, task: None },
        T { path: "三/(一)", year: Unstated, indicator: "建设总投资额362亿元的重大项目", value: 21, unit: "项", cmp: "=", per_year: false, task: Some(4) },
        T { path: "三/(一)", year: Unstated, indicator: "引进重点项目", value: 35, unit: "项", cmp: ">=", per_year: true, task: Some(4) },
        T { path: "四/(一)", year: Stated(2020), indicator: "全市高新技术企业数量", value: 600, unit: "家", cmp: ">=", per_year: false, task: Some(6) },
        T { path: "四/(一)", year: Stated(2020), indicator: "开发区内高新技术企业数量", value: 400, unit: "家", cmp: ">=", per_year: false, task: Some(6) },
        T { path: "四/(一)", year: Stated(2020), indicator: "科技型中小企业", value: 9100, unit: "家", cmp: ">=", per_year: false, task: Some(6) },
        T { path: "四/(一)", year: Stated(2020), indicator: "开发区内科技型中小企业", value: 6000, unit: "家", cmp: ">=", per_year: false, task: Some(6) },
        T { path: "四/(二)", year: Stated(2020), indicator: "新增省级以上创新平台", value: 21, unit: "个", cmp: "=", per_year: false, task: Some(7) },
        T { path: "四/(二)", year: Stated(2020), indicator: "市级以上研发平台年增速", value: 10, unit: "%", cmp: ">=", per_year: false, task: Some(7) },
        T { path: "四/(二)", year: Stated(2020), indicator: "市级以上研发平台总数", value: 660, unit: "家", cmp: ">=", per_year: false, task: Some(7) },
        T { path: "四/(二)/支持开发区优势企业“走出去”", year: Stated(2020), indicator: "引进国际国内重大科研成果", value: 30, unit: "项", cmp: "=", per_year: false, task: Some(7) },
        T { path: "四/(二)/推进孵化平台升级提质", year: Inferred(2020), indicator: "支持每个县(市、区)建设众创空间", value: 2, unit: "家", cmp: ">=", per_year: false, task: Some(7) },
        T { path: "四/(二)/推进孵化平台升级提质", year: Stated(2020), indicator: "新增省级以上孵化器", value: 6, unit: "个", cmp: "=", per_year: false, task: Some(7) },
        T { path: "四/(二)/推进孵化平台升级提质", year: Stated(2020), indicator: "新增省级以上众创空间", value: 12, unit: "个", cmp: "=", per_year: false, task: Some(7) },
        T { path: "四/(二)/推进孵化平台升级提质", year: Stated(2020), indicator: "市级以上孵化器、众创空间", value: 100, unit: "家", cmp: ">=", per_year: false, task: Some(7) },
        T { path: "四/(二)/推进孵化平台升级提质", year: Stated(2020), indicator: "吸纳入孵企业和创业团队", value: 3000, unit: "家", cmp: ">=", per_year: false, task: Some(7) },
        T { path: "四/(二)/推进技术转移服务机构发展壮大", year: Stated(2020), indicator: "省级以上技术转移服务机构", value: 16, unit: "家", cmp: ">=", per_year: false, task: Some(7) },
        T { path: "四/(二)/建设产业鲜明的协同创新基地", year: Stated(2020), indicator: "建设省级以上国际科技合作基地", value: 13, unit: "个", cmp: "=", per_year: false, task: Some(7) },
        T { path: "四/(二)/建设产业鲜明的协同创新基地", year: Stated(2020), indicator: "再引进转化京津科技成果", value: 300, unit: "项", cmp: ">=", per_year: false, task: Some(7) },
        T { path: "四/(三)/持续推进科技英才“双百双千”工程", year: Stated(2020), indicator: "支持引进高层次产业创新创业团队", value: 6, unit: "个", cmp: "=", per_year: false, task: Some(8) },
        T { path: "四/(三)/持续推进科技英才“双百双千”工程", year: Stated(2020), indicator: "支持引进科技型中小企业创新英才", value: 60, unit: "名", cmp: "=", per_year: false, task: Some(8) },
        T { path: "四/(三)/持续推进科技英才“双百双千”工程", year: Stated(2020), indicator: "新建院士工作站", value: 9, unit: "家", cmp: "=", per_year: false, task: Some(8) },
        T { path: "五/(一)", year: Stated(2020), indicator: "全市重点推进招商项目", value: 105, unit: "项", cmp: "=", per_year: false, task: Some(9) },
        T { path: "五/(二)", year: Inferred(2020), indicator: "实际利用外资超1亿美元以上开发区", value: 3, unit: "家", cmp: ">=", per_year: false, task: Some(10) },
        T { path: "五/(二)", year: Inferred(2020), indicator: "实际利用外资超5000万美元以上开发区", value: 1, unit: "家", cmp: ">=", per_year: false, task: Some(10) },
        T { path: "五/(二)", year: Inferred(2020), indicator: "推动实际利用外资为零的开发区实现突破", value: 2, unit: "家", cmp: ">=", per_year: false, task: Some(10) },
        T { path: "五/(四)", year: Inferred(2020), indicator: "打造适宜特定国别(地区)高端要素聚集的特色产业园", value: 23, unit: "个", cmp: "=", per_year: false, task: Some(12) },
        T { path: "六/(四)", year: Stated(2020), indicator: "推动开发区实施循环化改造", value: 8, unit: "个", cmp: "=", per_year: false, task: Some(19) },
    ];
    assert_eq!(p.targets.len(), want.len());
    for (g, w) in p.targets.iter().zip(want) {
        let year = match w.year {
            Stated(y) => (Some(y), false),
            Inferred(y) => (Some(y), true),
            Unstated => (None, false),
        };
        assert_eq!(
            (g.path.as_str(), (g.year, g.year_inferred), g.indicator.as_str(), g.value, g.unit.as_str(), g.comparator.symbol(), g.per_year, g.task),
            (w.path, year, w.indicator, f64::from(w.value), w.unit, w.cmp, w.per_year, w.task),
        );
    }
    // 工作目标 1–5 are all there: 12 targets, and the ones the catalogue measures are linked.
    let goals: Vec<_> = p.targets.iter().filter(|t| t.path.starts_with("一/(三)/")).collect();
    assert_eq!(goals.len(), 12);
    let codes: Vec<Option<&str>> = goals.iter().map(|t| t.indicator_code.as_deref()).collect();
    assert_eq!(codes, [
        None,
        Some("hitech_ent"),
        Some("hitech_share"),
        Some("sei_share"),
        None,
        None,
        Some("fdi"),
        Some("trade"),
        Some("sewage_rate"),
        Some("gdp"),
        Some("tax"),
        None,
    ]);
    assert_eq!(goals[6].from_year, Some(2018));
    assert_eq!(goals[1].text, "开发区高新技术企业数量达400家以上");
    assert!(p.targets.iter().all(|t| t.comparator != Comparator::Approx));
}
