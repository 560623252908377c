//! The example schemes the office starts from (DOMAIN.md §2–3). They are data: the office edits
//! them and saves new versions; these constructors only seed the first version.

use super::intensive::{Direction, IdealItem, IntensiveScheme, TypeRule};
use super::mujun::{Adjustment, Band, Benchmark, Consequence, Item, Metric, Missing, MujunScheme, RankScope, Segment};

fn item(metric: Metric, weight: f64, value: f64) -> Item {
    Item { metric, weight, benchmark: Benchmark::Constant { value }, missing: Missing::Zero }
}

/// The common percentile bands (淮安: A 前20 %, B 20–60 %, C 60–95 %, D 后5 %).
fn bands() -> Vec<Band> {
    vec![
        Band { class: "A".into(), name: "优先发展类".into(), upto: 0.20 },
        Band { class: "B".into(), name: "提升发展类".into(), upto: 0.60 },
        Band { class: "C".into(), name: "调控帮扶类".into(), upto: 0.95 },
        Band { class: "D".into(), name: "倒逼整治类".into(), upto: 1.0 },
    ]
}

/// 台州市黄岩区, benchmarks published for the 2022 results (DOMAIN.md §3.1). Missing emission data
/// scores the 规上 average item score. The bands and the 瑞安 2018 price items are examples to be
/// replaced by the local document's.
pub fn huangyan_2022() -> MujunScheme {
    let mut emission = item(Metric::ValueAddedPerEmission, 10.0, 4929.81);
    emission.missing = Missing::SegmentAverage;
    MujunScheme {
        code: "huangyan".into(),
        name: "黄岩区亩均效益评价（2022年结果基准）".into(),
        description: "规上：亩均税收/B1×30 + 亩均增加值/B2×20 + 单位能耗增加值/B3×20 + 单位排放增加值/B4×10 + 全员劳动生产率/B5×10 + R&D占比/B6×10；规下：亩均税收/B×50 + 单位电耗税收/B'×50。基准值每年公布。档次比例与价格政策为示例（瑞安2018），须按本地文件调整。".into(),
        rank_scope: RankScope::All,
        segments: vec![
            Segment {
                code: "above".into(),
                name: "规上".into(),
                above_scale: true,
                min_land_mu: 0.0,
                items: vec![
                    item(Metric::TaxPerMu, 30.0, 24.097),
                    item(Metric::ValueAddedPerMu, 20.0, 136.16),
                    item(Metric::ValueAddedPerEnergy, 20.0, 2.694),
                    emission,
                    item(Metric::LabourProductivity, 10.0, 18.14),
                    item(Metric::RdShare, 10.0, 0.0302),
                ],
            },
            Segment {
                code: "below".into(),
                name: "规下".into(),
                above_scale: false,
                min_land_mu: 0.0,
                items: vec![item(Metric::TaxPerMu, 50.0, 11.5932), item(Metric::TaxPerElectricity, 50.0, 0.2352)],
            },
        ],
        bands: bands(),
        adjustments: vec![],
        consequences: vec![
            Consequence { class: "C".into(), item: "差别化水价".into(), amounts: vec![15.0], unit: "%".into(), note: "瑞安2018：C类企业用水加价15%".into() },
            Consequence { class: "D".into(), item: "差别化电价".into(), amounts: vec![0.15], unit: "元/千瓦时".into(), note: "瑞安2018：末档由0.10提高至0.15元/千瓦时".into() },
            Consequence { class: "D".into(), item: "差别化水价".into(), amounts: vec![30.0], unit: "%".into(), note: "瑞安2018：用水加价30%".into() },
        ],
        publicity_days: 3,
    }
}

/// 淮安市工业企业资源集约利用综合评价办法 (2024, DOMAIN.md §3.2): 亩均税收 45, 亩均销售收入 35,
/// 单位能(电)耗税收 20; benchmark 2 × last year's average; ranked within the county (here: zone);
/// 规下 firms from 3 亩. The price items follow 鲁发改价格〔2022〕56号 (D类 +0.05/0.10/0.15 元/千瓦时
/// by consecutive years) as an example; bonus items are set by counties.
pub fn huaian() -> MujunScheme {
    let twice = |metric: Metric, weight: f64| Item { metric, weight, benchmark: Benchmark::PriorAverage { k: 2.0 }, missing: Missing::Zero };
    MujunScheme {
        code: "huaian".into(),
        name: "淮安市工业企业资源集约利用综合评价".into(),
        description: "得分 = Σ(企业指标值/基准值)×权重 + 加(减)分；基准值 = 上年平均值×2；按县区（开发区）内排名：A 前20%，B 20–60%，C 60–95%，D 后5%；T 暂不评价。".into(),
        rank_scope: RankScope::Zone,
        segments: vec![
            Segment { code: "above".into(), name: "规上".into(), above_scale: true, min_land_mu: 0.0, items: vec![twice(Metric::TaxPerMu, 45.0), twice(Metric::RevenuePerMu, 35.0), twice(Metric::TaxPerEnergy, 20.0)] },
            Segment { code: "below".into(), name: "规下".into(), above_scale: false, min_land_mu: 3.0, items: vec![twice(Metric::TaxPerMu, 45.0), twice(Metric::RevenuePerMu, 35.0), twice(Metric::TaxPerElectricity, 20.0)] },
        ],
        bands: bands(),
        adjustments: vec![
            Adjustment { code: "safety".into(), name: "安全生产事故（每起）".into(), points: -5.0, cap: Some(10.0) },
            Adjustment { code: "energy_saving".into(), name: "节能降碳示范".into(), points: 2.0, cap: Some(4.0) },
            Adjustment { code: "innovation".into(), name: "省级以上创新平台".into(), points: 3.0, cap: Some(6.0) },
        ],
        consequences: vec![
            Consequence { class: "A".into(), item: "城镇土地使用税".into(), amounts: vec![], unit: String::new(), note: "按规定给予减免（比例由县区确定）".into() },
            Consequence { class: "D".into(), item: "差别化电价".into(), amounts: vec![0.05, 0.10, 0.15], unit: "元/千瓦时".into(), note: "连续1年、2年、3年及以上".into() },
        ],
        publicity_days: 5,
    }
}

/// The intensive-use scheme the office starts from. The 规程's ideal values and weights were not
/// found (DOMAIN.md §2, [NF]); these are placeholders for the office to replace, and the page
/// says so.
pub fn intensive_default() -> IntensiveScheme {
    let hi = |k: &str, w: f64, ideal: f64| IdealItem { indicator: k.into(), weight: w, ideal, direction: Direction::Higher, worst: None };
    let idle = |w: f64| IdealItem { indicator: "idle_rate".into(), weight: w, ideal: 0.0, direction: Direction::Lower, worst: Some(10.0) };
    IntensiveScheme {
        code: "intensive".into(),
        name: "开发区土地集约利用评价（示例理想值与权重）".into(),
        description: "类型判定与指标选取依 DOMAIN.md §2.3；理想值与权重为示例，规程原文未取得，须按省级技术规范替换。".into(),
        current_years: 2,
        type_rule: TypeRule { industrial_share_above: 30.0, residential_share_below: 25.0, industrial_name_keywords: vec!["保税".into(), "加工区".into()] },
        industrial: vec![
            hi("supply_rate", 0.10, 100.0),
            hi("built_rate", 0.10, 100.0),
            hi("industrial_rate", 0.10, 50.0),
            hi("far", 0.10, 1.2),
            hi("density", 0.05, 40.0),
            hi("ind_far", 0.10, 1.2),
            hi("ind_coverage", 0.10, 50.0),
            hi("ind_investment", 0.15, 6000.0),
            hi("ind_tax", 0.10, 450.0),
            idle(0.10),
        ],
        integrated: vec![
            hi("supply_rate", 0.15, 100.0),
            hi("built_rate", 0.15, 100.0),
            hi("far", 0.15, 1.5),
            hi("density", 0.10, 40.0),
            hi("tax_per_ha", 0.20, 600.0),
            hi("population_density", 0.10, 100.0),
            idle(0.15),
        ],
    }
}
