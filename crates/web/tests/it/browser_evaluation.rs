//! The annual evaluation as the office clicks through it, in real headless Chromium over
//! WebDriver (chromedriver), on the demo's published 2018 and 2019 rankings: a bad scheme edit is
//! refused with its reason and saves nothing, the fixed edit saves version 2; the 2020 run shows
//! ranks and rank changes, a zone's score card, the rank-interval chart; leaders cannot publish and
//! zone reporters cannot reach it; the office publishes, sees the consequences, re-runs the
//! published evaluation to check it, and downloads the xlsx.
//! The HTTP tests (tests/it/evaluation.rs) cover each refusal and status code; this one is the flow.
//! `scripts/test` sets NENGJI_REQUIRE_BROWSER=1, so there a missing browser fails the suite.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::browser::{browser, click_to_next_page, log_in, log_out, shot};
use common::{spawn_app, spawn_app_on, App};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};
use nengji_store::evaluations;
use nengji_web::evaluation::service;

/// Selects `target` inside the one place `context` occurs in the scheme editor and types
/// `replacement` over it, as a user selecting a number and typing would.
async fn edit_scheme(b: &Client, context: &str, target: &str, replacement: &str) -> Result<(), CmdError> {
    let area = b.find(Locator::Id("scheme-text")).await?;
    let text = area.prop("value").await?.unwrap_or_default();
    assert_eq!(text.matches(context).count(), 1, "“{context}” once in the editor:\n{text}");
    let at = text.find(context).unwrap() + context.find(target).expect("target inside its context");
    // The textarea counts UTF-16 code units.
    let start = text[..at].encode_utf16().count();
    let end = start + target.encode_utf16().count();
    let arg = serde_json::to_value(&area).unwrap();
    b.execute("arguments[0].focus(); arguments[0].setSelectionRange(arguments[1], arguments[2]);", vec![arg, start.into(), end.into()]).await?;
    area.send_keys(replacement).await?;
    let now = area.prop("value").await?.unwrap_or_default();
    assert_eq!(now, format!("{}{replacement}{}", &text[..at], &text[at + target.len()..]), "the edit landed where meant");
    Ok(())
}

/// The cell texts of every body row of a table.
async fn rows(b: &Client, table: &str) -> Result<Vec<Vec<String>>, CmdError> {
    let mut out = Vec::new();
    for tr in b.find_all(Locator::Css(&format!("#{table} tbody tr"))).await? {
        let mut cells = Vec::new();
        for td in tr.find_all(Locator::Css("td, th")).await? {
            cells.push(td.text().await?);
        }
        out.push(cells);
    }
    Ok(out)
}

async fn versions(b: &Client) -> Result<Vec<String>, CmdError> {
    Ok(rows(b, "scheme-versions").await?.into_iter().map(|r| r[1].clone()).collect())
}

/// Zone code from a results-table link `/evaluations/{id}/zones/{code}`.
async fn zone_of(a: &Element) -> Result<String, CmdError> {
    Ok(a.attr("href").await?.unwrap_or_default().rsplit('/').next().unwrap().to_string())
}

fn num(s: &str) -> f64 {
    s.trim_end_matches('%').parse().unwrap_or_else(|_| panic!("“{s}” is a number"))
}

#[tokio::test]
async fn the_office_edits_the_scheme_runs_publishes_and_checks_the_2020_evaluation_on_sqlite() {
    flow(spawn_app().await).await;
}

/// The same on PostgreSQL (frozen runs are re-read from its TEXT columns for the re-run check).
#[tokio::test]
async fn the_office_edits_the_scheme_runs_publishes_and_checks_the_2020_evaluation_on_postgres() {
    let Some(db) = common::pg_db().await else { return };
    flow(spawn_app_on(db, None).await).await;
}

async fn flow(app: App) {
    service::demo(&app.db).await.unwrap();
    // 2019's published ranks, for the rank change the 2020 page must show.
    let runs = evaluations::runs(&app.db).await.unwrap();
    let ranks_of = |year: i32| -> BTreeMap<String, u32> {
        let r = runs.iter().find(|r| r.year == year && r.published).unwrap();
        r.outcome.units.iter().zip(&r.outcome.ranks).map(|(u, k)| (u.code.clone(), k.unwrap())).collect()
    };
    let (ranks_2018, ranks_2019) = (ranks_of(2018), ranks_of(2019));
    let Some((_driver, b)) = browser().await else { return };
    let run = async {
        log_in(&b, &app, "admin").await?;
        click_to_next_page(&b, b.find(Locator::LinkText("综合考核")).await?).await?;
        let listed = rows(&b, "runs").await?;
        assert_eq!(listed.iter().map(|r| (r[0].as_str(), r[2].as_str())).collect::<Vec<_>>(), [("2019年", "已发布"), ("2018年", "已发布")]);

        // The scheme editor: 经济规模 40 → 45 makes the top level sum to 105 of a declared 100.
        click_to_next_page(&b, b.find(Locator::LinkText("编辑考核方案")).await?).await?;
        b.wait().for_element(Locator::Id("scheme-text")).await?;
        assert_eq!(versions(&b).await?, ["1"]);
        edit_scheme(&b, "name = \"经济规模\"\nparent = \"total\"\nweight = 40.0", "40.0", "45").await?;
        click_to_next_page(&b, b.find(Locator::Id("save-scheme")).await?).await?;
        let error = b.wait().for_element(Locator::Id("error")).await?.text().await?;
        assert_eq!(error, "考核方案有误：“综合得分（total）”下各项权重之和为 105，应为 100");
        assert_eq!(versions(&b).await?, ["1"], "nothing saved");
        // The refused text stays in the editor for the user to fix.
        assert!(b.find(Locator::Id("scheme-text")).await?.prop("value").await?.unwrap().contains("weight = 45\n"));
        shot(&b, "evaluation-scheme-error.png").await;

        // Fixed to 35/35/30, but with a typo in a data column: an indicator the platform lacks.
        edit_scheme(&b, "name = \"经济规模\"\nparent = \"total\"\nweight = 45", "45", "35").await?;
        edit_scheme(&b, "name = \"发展速度\"\nparent = \"total\"\nweight = 30.0", "30.0", "35").await?;
        edit_scheme(&b, "name = \"主营业务收入增长\"\ncolumn = \"revenue\"", "\"revenue\"", "\"revenu\"").await?;
        click_to_next_page(&b, b.find(Locator::Id("save-scheme")).await?).await?;
        let error = b.wait().for_element(Locator::Id("error")).await?.text().await?;
        assert_eq!(error, "指标“主营业务收入增长”的数据列“revenu”在平台数据中不存在");
        assert_eq!(versions(&b).await?, ["1"], "nothing saved");

        // The typo fixed: saved as version 2, which the editor now shows.
        edit_scheme(&b, "column = \"revenu\"", "revenu", "revenue").await?;
        click_to_next_page(&b, b.find(Locator::Id("save-scheme")).await?).await?;
        let message = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert_eq!(message, "已保存“开发区年度综合发展水平评价（示例方案）”的新版本");
        assert_eq!(versions(&b).await?, ["2", "1"]);
        let shown = b.find(Locator::Id("scheme-text")).await?.prop("value").await?.unwrap();
        assert!(shown.contains("name = \"经济规模\"\nparent = \"total\"\nweight = 35.0") && shown.contains("name = \"发展速度\"\nparent = \"total\"\nweight = 35.0"), "{shown}");

        // Run 2020 with version 2.
        click_to_next_page(&b, b.find(Locator::LinkText("综合考核")).await?).await?;
        let select = b.wait().for_element(Locator::Css("select[name=scheme]")).await?;
        let mut v2 = None;
        for o in select.find_all(Locator::Css("option")).await? {
            if o.text().await?.ends_with("（第2版）") {
                v2 = o.attr("value").await?;
            }
        }
        select.select_by_value(&v2.expect("version 2 offered")).await?;
        let year = b.find(Locator::Css("input[name=year]")).await?;
        year.clear().await?;
        year.send_keys("2020").await?;
        click_to_next_page(&b, b.find(Locator::Id("run")).await?).await?;
        let title = b.wait().for_element(Locator::Css("main h1")).await?.text().await?;
        assert!(title.starts_with("2020年开发区综合考核结果") && title.contains("（第2版）") && title.contains("示例数据"), "{title}");
        assert_eq!(b.find(Locator::Id("run-status")).await?.text().await?, "草稿");
        let run_url = b.current_url().await?;
        let run_id: i64 = run_url.path().rsplit('/').next().unwrap().parse().unwrap();

        // Ranks 1…15 by score, and each rank change = 2019's rank − 2020's, as 进n / 退n / —.
        let table = rows(&b, "results").await?;
        assert_eq!(table.len(), 15);
        let links = b.find_all(Locator::Css("#results tbody td a")).await?;
        let mut codes = Vec::new();
        for a in &links {
            codes.push(zone_of(a).await?);
        }
        let mut last = (0u32, f64::INFINITY);
        let mut ranks_2020 = BTreeMap::new();
        for (row, code) in table.iter().zip(&codes) {
            let (rank, score): (u32, f64) = (row[0].parse().unwrap(), num(&row[5]));
            assert!(rank >= last.0 && score <= last.1, "rows in rank order: {row:?}");
            assert_eq!(rank == last.0, score == last.1, "competition ranking: ties share a rank");
            last = (rank, score);
            ranks_2020.insert(code.clone(), rank);
            let change = ranks_2019[code] as i64 - rank as i64;
            let shown = match change {
                c if c > 0 => format!("进{c}"),
                c if c < 0 => format!("退{}", -c),
                _ => "—".into(),
            };
            assert_eq!(row[6], shown, "{}: 2019 rank {}, 2020 rank {rank}", row[1], ranks_2019[code]);
        }
        assert_eq!(table[0][0], "1");
        assert!(!b.find_all(Locator::Css("#results .up")).await?.is_empty() && !b.find_all(Locator::Css("#results .down")).await?.is_empty());

        // The uncertainty chart: one interval per zone, each at the rank the table shows.
        let chart = b.find(Locator::Css("#band-chart svg")).await?;
        assert_eq!(chart.attr("aria-label").await?.as_deref(), Some("排名不确定性：5%–95%区间"));
        let bands = chart.find_all(Locator::Css("g > title")).await?;
        assert_eq!(bands.len(), 15);
        for (t, row) in bands.iter().zip(&table) {
            let tip = t.prop("textContent").await?.unwrap_or_default();
            assert!(tip.starts_with(&format!("{}：名义第{}名，中位数", row[1], row[0])), "{tip} vs {row:?}");
        }
        assert_eq!(chart.find_all(Locator::Css("line")).await?.len(), 15);
        shot(&b, "evaluation-results.png").await;

        // The biggest mover's score card: its rank and move, the new weights, and contributions that add up.
        let k = (0..table.len()).max_by_key(|&i| (ranks_2019[&codes[i]] as i64 - ranks_2020[&codes[i]] as i64).abs()).unwrap();
        let (zone, row) = (&codes[k], &table[k]);
        click_to_next_page(&b, links[k].clone()).await?;
        let heading = b.wait().for_element(Locator::Css("main h1")).await?.text().await?;
        assert_eq!(heading, format!("{} · 2020年考核得分卡", row[1]));
        let summary = b.find(Locator::Css("main p:nth-of-type(2)")).await?.text().await?;
        let change = ranks_2019[zone] as i64 - ranks_2020[zone] as i64;
        assert_ne!(change, 0, "2020 moves someone");
        let moved = if change > 0 { format!("较上年进{change}位") } else { format!("较上年退{}位", -change) };
        assert!(summary.contains(&format!("第 {} 名", row[0])) && summary.contains(&moved) && summary.contains(&format!("综合指数 {}", row[3])), "{summary}");
        assert_eq!(b.find(Locator::Id("card-score")).await?.text().await?, row[5]);
        let card = rows(&b, "card").await?;
        let pillars: Vec<&Vec<String>> = card.iter().filter(|r| ["经济规模", "发展速度", "创新与绿色"].contains(&r[0].as_str())).collect();
        assert_eq!(pillars.iter().map(|r| r[3].as_str()).collect::<Vec<_>>(), ["35.0%", "35.0%", "30.0%"]);
        let to_index: f64 = pillars.iter().map(|r| num(&r[4])).sum();
        assert!((to_index - num(&row[3])).abs() <= 0.02, "pillar contributions {to_index} add up to the index {}", row[3]);
        // Read top-down: the total, then each pillar followed by its indicators, which add up to it.
        let names: Vec<&str> = card.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names[..4], ["综合得分", "经济规模", "主营业务收入", "税收收入"], "{card:?}");
        assert_eq!(num(&card[0][4]), num(&row[3]));
        let pos = |name: &str| names.iter().position(|n| *n == name).unwrap();
        for (pillar, next) in [("经济规模", pos("发展速度")), ("发展速度", pos("创新与绿色")), ("创新与绿色", card.len())] {
            let parts: f64 = card[pos(pillar) + 1..next].iter().map(|r| num(&r[4])).sum();
            assert!((parts - num(&card[pos(pillar)][4])).abs() <= 0.02, "{pillar}: {card:?}");
        }
        // Indented by depth below the index: the total flush, a pillar in, its indicators further.
        let indent = |row: usize| b.execute("return parseFloat(getComputedStyle(document.querySelectorAll('#card tbody th')[arguments[0]]).paddingLeft)", vec![row.into()]);
        let (total, pillar, indicator) = (indent(0).await?, indent(pos("经济规模")).await?, indent(pos("主营业务收入")).await?);
        let px = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
        assert!(px(&total) < px(&pillar) && px(&pillar) < px(&indicator), "indents {total} {pillar} {indicator}");
        // The total and each pillar with its change since 2019.
        for name in ["综合得分", "经济规模", "发展速度", "创新与绿色"] {
            assert!(card[pos(name)][5].starts_with(['+', '-']), "{name}: {card:?}");
        }
        shot(&b, "evaluation-card.png").await;
        click_to_next_page(&b, b.find(Locator::LinkText("返回考核结果")).await?).await?;
        b.wait().for_element(Locator::Id("results")).await?;
        log_out(&b).await?;

        // A leader reads the draft but can neither publish nor edit the scheme.
        log_in(&b, &app, "leader").await?;
        click_to_next_page(&b, b.find(Locator::LinkText("综合考核")).await?).await?;
        b.wait().for_element(Locator::Id("runs")).await?;
        assert!(b.find_all(Locator::Id("run")).await?.is_empty() && b.find_all(Locator::LinkText("编辑考核方案")).await?.is_empty());
        click_to_next_page(&b, b.find(Locator::LinkText("2020年")).await?).await?;
        b.wait().for_element(Locator::Id("results")).await?;
        assert!(b.find_all(Locator::Id("publish")).await?.is_empty(), "no publish button for a leader");
        b.goto(&format!("{}/evaluations/schemes", app.url)).await?;
        assert_eq!(b.find(Locator::Css("p.error")).await?.text().await?, "您没有权限访问此页面或数据");
        b.goto(&format!("{}/", app.url)).await?;
        log_out(&b).await?;

        // A zone reporter has no menu entry, and neither results nor the editor open.
        log_in(&b, &app, "yanjiao").await?;
        assert!(b.find_all(Locator::LinkText("综合考核")).await?.is_empty());
        for path in [format!("/evaluations/{run_id}"), "/evaluations/schemes".to_string()] {
            b.goto(&format!("{}{path}", app.url)).await?;
            assert_eq!(b.find(Locator::Css("p.error")).await?.text().await?, "您没有权限访问此页面或数据", "{path}");
        }
        b.goto(&format!("{}/", app.url)).await?;
        log_out(&b).await?;

        // The office publishes: the run is frozen and the plan's consequences are listed.
        log_in(&b, &app, "admin").await?;
        b.goto(run_url.as_str()).await?;
        click_to_next_page(&b, b.find(Locator::Id("publish")).await?).await?;
        let message = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert_eq!(message, "考核结果已发布，输入与方案已冻结");
        assert_eq!(b.find(Locator::Id("run-status")).await?.text().await?, "已发布");
        assert!(b.find_all(Locator::Id("publish")).await?.is_empty());
        let consequences = rows(&b, "consequences").await?;
        let who = |label: &str| -> BTreeSet<String> { consequences.iter().filter(|r| r[0] == label).map(|r| r[1].clone()).collect() };
        let names_at = |pick: &dyn Fn(u32) -> bool| -> BTreeSet<String> { table.iter().filter(|r| pick(r[0].parse().unwrap())).map(|r| r[1].clone()).collect() };
        assert_eq!(who("通报批评"), names_at(&|r| r >= 14), "the last two are criticised");
        assert_eq!(who("项目、资金、土地和扩区升级倾斜支持"), names_at(&|r| r <= 3), "the first three are supported");
        // 预警约谈: in the bottom two now and at least once in 2018 or 2019.
        let bottom = |ranks: &BTreeMap<String, u32>, code: &str| ranks[code] >= 14;
        let warned: BTreeSet<String> = codes
            .iter()
            .zip(&table)
            .filter(|(c, _)| bottom(&ranks_2020, c) && (bottom(&ranks_2019, c) || bottom(&ranks_2018, c)))
            .map(|(_, r)| r[1].clone())
            .collect();
        assert_eq!(who("预警约谈"), warned);
        for r in consequences.iter().filter(|r| r[0] == "通报批评") {
            assert!(r[2].contains("共 15 个单位，位列后 2 名"), "{r:?}");
        }
        shot(&b, "evaluation-published.png").await;

        // The published evaluation re-run from its frozen scheme and inputs: identical.
        click_to_next_page(&b, b.find(Locator::Id("verify")).await?).await?;
        let message = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert_eq!(message, "复算核对：按冻结的方案与输入重新计算，结果与发布结果逐位一致");
        assert!(b.find_all(Locator::Id("error")).await?.is_empty());

        // The xlsx behind the page's link, with the browser's session: the same ranks and consequences.
        let href = b.find(Locator::LinkText("导出 Excel")).await?.attr("href").await?.unwrap();
        let cookies: Vec<String> = b.get_all_cookies().await?.iter().map(|c| format!("{}={}", c.name(), c.value())).collect();
        let res = reqwest::Client::new().get(format!("{}{href}", app.url)).header("Cookie", cookies.join("; ")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("evaluation-2020.xlsx"));
        let xlsx = res.bytes().await.unwrap();
        let t = &nengji_office::read_tables("results.xlsx", &xlsx).unwrap()[0];
        assert_eq!((t.sheet.as_str(), t.rows.len()), ("2020年考核结果", 15));
        let col = |h: &str| t.header.iter().position(|x| x == h).unwrap_or_else(|| panic!("column {h} in {:?}", t.header));
        for r in &t.rows {
            let code = &r[col("单位代码")];
            assert_eq!(r[col("排名")].parse::<u32>().unwrap(), ranks_2020[code], "{code}");
            assert_eq!(r[col("位次变化")].parse::<i64>().unwrap(), ranks_2019[code] as i64 - ranks_2020[code] as i64, "{code}");
            assert_eq!(r[col("处理")].contains("通报批评"), ranks_2020[code] >= 14, "{code}");
            assert!(!r[col("排名中位数")].is_empty() && !r[col("排名5%分位")].is_empty(), "{code}");
        }
        Ok::<_, CmdError>(())
    };
    let result = run.await;
    let _ = b.close().await;
    result.unwrap();
}
