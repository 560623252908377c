//! The annual evaluation on the platform: runs on the demo's approved data, publishes,
//! reproduces bit for bit, explains, exports, and refuses bad schemes.

use crate::common;

use common::{login, spawn_app};
use nengji_store::{evaluations, Actor};
use nengji_web::evaluation::service;

#[tokio::test]
async fn the_demo_evaluation_ranks_publishes_and_reproduces() {
    let app = spawn_app().await;
    service::demo(&app.db).await.unwrap();
    let runs = evaluations::runs(&app.db).await.unwrap();
    assert_eq!(runs.iter().map(|r| (r.year, r.published)).collect::<Vec<_>>(), [(2019, true), (2018, true)]);
    let (y2019, y2018) = (&runs[0], &runs[1]);
    // 2019 knows 2018's ranks: rank change = previous − current for every zone.
    for (i, u) in y2019.outcome.units.iter().enumerate() {
        let before = y2018.outcome.ranks[y2018.outcome.unit_index(&u.code).unwrap()].unwrap() as i64;
        assert_eq!(y2019.outcome.rank_change[i], Some(before - y2019.outcome.ranks[i].unwrap() as i64), "{}", u.code);
    }
    // The plan's consequences: the last two are criticised, the first three supported.
    let labels = |code: &str| y2019.outcome.consequences.iter().filter(|c| c.rule == code).count();
    assert_eq!((labels("criticise"), labels("support")), (2, 3));
    // Most improved: the two biggest moves forward, ties included.
    let mut moves: Vec<i64> = y2019.outcome.rank_change.iter().flatten().copied().filter(|c| *c > 0).collect();
    moves.sort_unstable_by(|a, b| b.cmp(a));
    let improved: Vec<&String> = y2019.outcome.consequences.iter().filter(|c| c.rule == "improved").map(|c| &c.unit).collect();
    assert_eq!(improved.len(), moves.iter().filter(|m| **m >= moves[1]).count());
    for u in improved {
        assert!(y2019.outcome.rank_change[y2019.outcome.unit_index(u).unwrap()].unwrap() >= moves[1]);
    }
    // 大城经开区's three eco-inspection issues cost 6 points, with the evidence attached.
    let i = y2019.outcome.unit_index("dacheng_etdz").unwrap();
    assert_eq!(y2019.outcome.adjustment_total[i], -6.0);
    assert!(y2019.outcome.adjustments[i][0].evidence[0].contains("中央环保督察"));
    // Robustness bands for every zone, and the nominal rank inside its own band's range of ranks.
    let mc = y2019.mc.as_ref().unwrap();
    assert_eq!((mc.replications, mc.stats.len()), (200, 15));
    assert!(mc.stats.iter().all(|s| s.q5.unwrap() <= s.median.unwrap() && s.median.unwrap() <= s.q95.unwrap()));
    // A published run is reproduced bit for bit from its frozen scheme, inputs and context.
    assert!(service::reproduces(&app.db, y2019.id).await.unwrap());
    assert!(service::reproduces(&app.db, y2018.id).await.unwrap());
    assert!(evaluations::publish(&app.db, &Actor::system("t"), y2019.id).await.unwrap_err().to_string().contains("已发布"));
}

#[tokio::test]
async fn pages_show_results_cards_and_exports_to_the_right_people() {
    let app = spawn_app().await;
    service::demo(&app.db).await.unwrap();
    let id = evaluations::runs(&app.db).await.unwrap()[0].id;
    let (c, csrf) = login(&app, "leader").await;
    let page = c.get(format!("{}/evaluations/{id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("2019年开发区综合考核结果") && page.contains("通报批评") && page.contains("id=\"band-chart\""), "{page}");
    assert_eq!(page.matches("/zones/").count(), 15);
    let card = c.get(format!("{}/evaluations/{id}/zones/dacheng_etdz", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(card.contains("环保督察问题") && card.contains("-6.00") && card.contains("经济规模"), "{card}");
    let xlsx = c.get(format!("{}/evaluations/{id}/results.xlsx", app.url)).send().await.unwrap().bytes().await.unwrap();
    let t = &nengji_office::read_tables("r.xlsx", &xlsx).unwrap()[0];
    assert_eq!((t.sheet.as_str(), t.rows.len()), ("2019年考核结果", 15));
    // Leaders read but do not run or publish; reporters do not see it at all.
    let post = c.post(format!("{}/evaluations", app.url)).form(&[("csrf", csrf.as_str()), ("scheme", "1"), ("year", "2020")]).send().await.unwrap();
    assert_eq!(post.status(), 403);
    let (z, _) = login(&app, "yanjiao").await;
    assert_eq!(z.get(format!("{}/evaluations/{id}", app.url)).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn bad_schemes_are_refused_with_a_reason_and_nothing_saved() {
    let app = spawn_app().await;
    service::demo(&app.db).await.unwrap();
    let (c, csrf) = login(&app, "admin").await;
    let before = evaluations::schemes(&app.db).await.unwrap().len();
    let post = |text: String| c.post(format!("{}/evaluations/schemes", app.url)).form(&[("csrf", csrf.clone()), ("text", text)]).send();
    let cases = [
        (service::DEMO_SCHEME.replace("weight = 40\n", "weight = 45\n"), "权重"),
        (service::DEMO_SCHEME.replace("code = \"tax\"", "code = \"taxes\""), "taxes"),
        (service::DEMO_SCHEME.replace("parent = \"total\"\nweight = 40", "parent = \"quality\"\nweight = 40").replace("code = \"quality\"\nname = \"创新与绿色\"\nparent = \"total\"", "code = \"quality\"\nname = \"创新与绿色\"\nparent = \"scale\""), "循环"),
        ("code = [".to_string(), "TOML"),
    ];
    for (text, expect) in cases {
        let res = post(text).await.unwrap();
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains(expect), "expected “{expect}”: {}", &page[page.find("id=\"error\"").unwrap_or(0)..][..300.min(page.len())]);
    }
    assert_eq!(evaluations::schemes(&app.db).await.unwrap().len(), before, "nothing saved");
    // Pillars 35/35/30 instead of 40/30/30.
    let fixed = service::DEMO_SCHEME
        .replace("name = \"经济规模\"\nparent = \"total\"\nweight = 40", "name = \"经济规模\"\nparent = \"total\"\nweight = 35")
        .replace("name = \"发展速度\"\nparent = \"total\"\nweight = 30", "name = \"发展速度\"\nparent = \"total\"\nweight = 35");
    assert_ne!(fixed, service::DEMO_SCHEME);
    let ok = post(fixed).await.unwrap();
    let page = ok.text().await.unwrap();
    assert!(page.contains("已保存"), "{page}");
    assert_eq!(evaluations::schemes(&app.db).await.unwrap().len(), before + 1, "the fixed scheme is a new version");
}

/// A scheme's 督办 deduction columns (`sv_…`) are filled from the supervision ledger: each zone
/// gets the overdue and red tasks of the units it answers for in that year, plus anything entered
/// by hand for the same column, and every task is listed as evidence.
#[tokio::test]
async fn supervision_deductions_feed_the_evaluation_with_their_evidence() {
    use nengji_core::supervision::DeductionCounts;
    let app = spawn_app().await;
    let now = chrono::Utc::now();
    nengji_store::supervision::load_demo(&app.db, now).await.unwrap();
    // The demo ledger is laid out around today: evaluate the running year, counted as of now.
    let year = chrono::Datelike::year(&now.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()));
    let expected = nengji_store::supervision::deductions(&app.db, year, now).await.unwrap();
    let hit = expected.zones.iter().find(|z| z.counts.total() > 0).expect("the demo ledger has a zone with overdue or red tasks this year");
    let (k, col) = DeductionCounts::COLUMNS.iter().enumerate().map(|(k, (c, _))| (k, *c)).find(|(k, _)| hit.counts.values()[*k] > 0).unwrap();
    let by_hand = evaluations::AdjustmentInput { zone: hit.zone.clone(), item: col.to_string(), value: 2.0, evidence: "另有两项（手工录入）".into() };
    evaluations::set_adjustment_input(&app.db, &Actor::system("t"), year, &by_hand).await.unwrap();

    let mut scheme = service::parse_scheme(service::DEMO_SCHEME).unwrap();
    let mut adj = scheme.adjustments.iter().find(|a| a.column == "overdue_tasks").unwrap().clone();
    adj.column = col.to_string();
    adj.code = "sv".into();
    scheme.adjustments.push(adj);
    let inputs = service::build_inputs(&app.db, &scheme, year).await.unwrap();
    let column = inputs.columns.iter().find(|c| c.code == col).unwrap();
    for (u, v) in inputs.units.iter().zip(&column.values) {
        let from_tasks = expected.zones.iter().find(|z| z.zone == u.code).map_or(0, |z| z.counts.values()[k]) as f64;
        let extra = if u.code == hit.zone { 2.0 } else { 0.0 };
        assert_eq!(*v, Some(from_tasks + extra), "{}", u.code);
    }
    let evidence: Vec<&str> = inputs.evidence.iter().filter(|e| e.unit == hit.zone && e.column == col).map(|e| e.text.as_str()).collect();
    assert_eq!(evidence.iter().filter(|t| t.starts_with("督办：")).count(), hit.counts.values()[k], "{evidence:?}");
    assert!(evidence.contains(&"另有两项（手工录入）"));
}
