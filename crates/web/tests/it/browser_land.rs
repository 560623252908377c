//! The land user flows in real headless Chromium (chromedriver).
//! 1. Idle land: the office imports a parcel file with one bad row, reads the located Chinese
//!    error, fixes the file, commits, and sees the dashboard's counts change; then opens a
//!    parcel from the ledger, records the next step of its procedure and downloads its document.
//! 2. 亩均: the office grades a year, reads the results per zone and per firm, opens the 公示
//!    window and finalises.
//! `scripts/test` sets NENGJI_REQUIRE_BROWSER=1, so there a missing browser fails the suite.

use crate::common;

use chrono::{Duration, Utc};
use common::browser::{browser, click_to_next_page, log_in, shot};
use common::{login, pg_db, spawn_app, spawn_app_on, App};
use fantoccini::{Client, Locator};
use nengji_core::land::procedure::Step;
use nengji_store::land;
use nengji_store::landuse::{self, RunStatus};

type R<T> = Result<T, fantoccini::error::CmdError>;

/// The texts of the cells of the dashboard's 合计 row.
async fn totals(b: &Client) -> R<Vec<String>> {
    let mut out = Vec::new();
    for td in b.find_all(Locator::Css("#totals td")).await? {
        out.push(td.text().await?);
    }
    Ok(out)
}

/// Waits (up to 10 s) for the element `id` to read `want`, as after a form's redirect.
async fn text_becomes(b: &Client, id: &str, want: &str) -> R<()> {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = b.find(Locator::Id(id)).await {
            last = e.text().await.unwrap_or_default();
            if last == want {
                return Ok(());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("#{id} reads “{last}”, not “{want}”");
}

/// Sets a form field's value from script (date inputs take typed keys in the locale's order).
async fn set_value(b: &Client, css: &str, value: &str) -> R<()> {
    b.execute("document.querySelector(arguments[0]).value = arguments[1];", vec![css.into(), value.into()]).await?;
    Ok(())
}

/// Fetches `url` with the browser's own session: (status, content type, bytes).
async fn fetch(b: &Client, url: &str) -> R<(u64, String, Vec<u8>)> {
    let v = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer().then(buf => done([r.status, r.headers.get('content-type') || '', Array.from(new Uint8Array(buf))])));",
            vec![url.into()],
        )
        .await?;
    let status = v[0].as_u64().unwrap_or(0);
    let kind = v[1].as_str().unwrap_or("").to_string();
    let bytes = v[2].as_array().map(|a| a.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect()).unwrap_or_default();
    Ok((status, kind, bytes))
}

/// Each flow runs on SQLite and, when NENGJI_TEST_PG_URL is set, on PostgreSQL.
async fn apps() -> Vec<App> {
    let mut apps = vec![spawn_app().await];
    if let Some(db) = pg_db().await {
        apps.push(spawn_app_on(db, None).await);
    }
    apps
}

#[tokio::test]
async fn the_office_imports_parcels_fixes_a_bad_row_and_advances_a_procedure() {
    for app in apps().await {
        import_and_procedure(app).await;
    }
}

#[tokio::test]
async fn the_office_grades_a_year_publishes_it_and_finalises() {
    for app in apps().await {
        grade_publish_finalise(app).await;
    }
}

async fn import_and_procedure(app: App) {
    land::load_demo(&app.db, Utc::now()).await.unwrap();
    let Some((_driver, b)) = browser().await else { return };
    // The import file: two new parcels shaped like a demo one (as exported), the second with a
    // 统一社会信用代码 of three characters.
    let (admin, _) = login(&app, "admin").await;
    let xlsx = admin.get(format!("{}/land/export.xlsx", app.url)).send().await.unwrap().bytes().await.unwrap();
    let t = nengji_office::read_tables("land.xlsx", &xlsx).unwrap().remove(0);
    let col = |name: &str| t.header.iter().position(|h| h == name).unwrap();
    let row = |code: &str, uscc: &str| {
        let mut r = t.rows[1].clone();
        r[0] = code.into();
        r[col("统一社会信用代码")] = uscc.into();
        r[col("版本")] = String::new();
        r
    };
    let good_uscc = t.rows[1][col("统一社会信用代码")].clone();
    let sheet = |rows: Vec<Vec<String>>| {
        let t = nengji_core::masterdata::Table { sheet: nengji_core::land::sheet::SHEET.into(), header: nengji_core::land::sheet::header(), rows };
        nengji_office::write_xlsx(&[t]).unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("新增宗地.xlsx");
    std::fs::write(&path, sheet(vec![row("新增-001", &good_uscc), row("新增-002", "123")])).unwrap();
    let before = land::parcels(&app.db, None).await.unwrap().len();
    // The parcel whose procedure stands at 发现疑似闲置: the next step is the investigation notice.
    let suspected = land::ledger(&app.db, None, nengji_web::collect::today()).await.unwrap().into_iter().find(|e| e.current == Some(Step::Suspected)).unwrap().parcel;
    let today = nengji_web::collect::today().to_string();

    let run = async {
        log_in(&b, &app, "admin").await?;
        b.goto(&format!("{}/land", app.url)).await?;
        let first = totals(&b).await?;
        let n = first.len();
        // 合计 row: two cells per status group, then all parcels (count, 亩), then idle ones.
        assert_eq!(first[n - 3], before.to_string(), "{first:?}");

        // The dry run refuses the whole file and says where and why, in Chinese.
        b.find(Locator::LinkText("导入台账")).await?.click().await?;
        b.wait().for_element(Locator::Id("file")).await?.send_keys(path.to_str().unwrap()).await?;
        b.find(Locator::Id("upload")).await?.click().await?;
        let error = b.wait().for_element(Locator::Id("import-error")).await?.text().await?;
        assert!(error.contains("新增宗地.xlsx") && error.contains("1 处问题"), "{error}");
        let problems = b.find(Locator::Id("problems")).await?.text().await?;
        assert!(problems.contains("闲置土地台账 第3行第D列"), "{problems}");
        assert!(problems.contains("统一社会信用代码应为18位，实际为3位"), "{problems}");
        assert!(b.find_all(Locator::Id("commit")).await?.is_empty(), "nothing to commit");
        shot(&b, "land-import-error.png").await;
        assert_eq!(land::parcels(&app.db, None).await.unwrap().len(), before, "nothing written");

        // Fixed: the dry run passes, and the commit lands both parcels.
        std::fs::write(&path, sheet(vec![row("新增-001", &good_uscc), row("新增-002", &good_uscc)])).unwrap();
        b.find(Locator::Id("file")).await?.send_keys(path.to_str().unwrap()).await?;
        b.find(Locator::Id("upload")).await?.click().await?;
        let dry = b.wait().for_element(Locator::Id("dry-run")).await?.text().await?;
        assert!(dry.contains("共 2 行，没有发现问题"), "{dry}");
        assert_eq!(b.find_all(Locator::Css("#staged tbody tr")).await?.len(), 2);
        b.find(Locator::Id("commit")).await?.click().await?;
        let result = b.wait().for_element(Locator::Id("import-result")).await?.text().await?;
        assert!(result.contains("新增 2 宗"), "{result}");

        // The dashboard counts them.
        b.find(Locator::LinkText("返回总览")).await?.click().await?;
        b.wait().for_element(Locator::Id("totals")).await?;
        let after = totals(&b).await?;
        assert_eq!(after[n - 3], (before + 2).to_string(), "{after:?}");
        shot(&b, "land-dashboard.png").await;

        // A parcel from the ledger: record the investigation notice, then fetch the notice.
        b.goto(&format!("{}/land/parcels", app.url)).await?;
        let parcel = b.wait().for_element(Locator::LinkText(&suspected.parcel.code)).await?;
        click_to_next_page(&b, parcel).await?;
        let status = b.wait().for_element(Locator::Id("status")).await?.text().await?;
        assert_eq!(status, Step::Suspected.label());
        b.find(Locator::Css("#step-form select[name=step]")).await?.select_by_value("notice").await?;
        set_value(&b, "#step-form input[name=on]", &today).await?;
        b.find(Locator::Css("#step-form input[name=doc_no]")).await?.send_keys("廊国土闲调〔2026〕7号").await?;
        b.find(Locator::Css("#step-form button[type=submit]")).await?.click().await?;
        text_becomes(&b, "status", Step::Notice.label()).await?;
        let link = b.find(Locator::Css("#docs a[href$='investigation.docx']")).await?;
        let href = link.attr("href").await?.unwrap_or_default();
        let (status, kind, docx) = fetch(&b, &href).await?;
        assert_eq!(status, 200);
        assert!(kind.contains("wordprocessingml"), "{kind}");
        let text = nengji_office::docx_text::docx_paragraphs("n.docx", &docx).unwrap().join("\n");
        for s in ["闲置土地调查通知书", "廊国土闲调〔2026〕7号", suspected.parcel.holder.as_str(), &format!("宗地编号{}", suspected.parcel.code)] {
            assert!(text.contains(s), "{s} not in {text}");
        }
        shot(&b, "land-parcel.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    b.close().await.ok();
    result.unwrap();
    // What the pages did is what the store holds.
    assert!(land::parcel_by_code(&app.db, "新增-002").await.unwrap().is_some());
    let e = land::ledger(&app.db, None, nengji_web::collect::today()).await.unwrap().into_iter().find(|e| e.parcel.id == suspected.id).unwrap();
    assert_eq!(e.current, Some(Step::Notice));
}

async fn grade_publish_finalise(app: App) {
    nengji_web::landuse::service::demo(&app.db).await.unwrap();
    let Some((_driver, b)) = browser().await else { return };
    let today = nengji_web::collect::today();
    // 2018 has figures but no grading yet; 黄岩区 needs no earlier year.
    assert!(landuse::runs(&app.db).await.unwrap().iter().all(|r| r.year != 2018));
    let firms_2018 = landuse::figures(&app.db, 2018, None).await.unwrap().len();

    let run = async {
        log_in(&b, &app, "admin").await?;
        b.goto(&format!("{}/mujun", app.url)).await?;
        let form = b.wait().for_element(Locator::Id("grade-form")).await?;
        for o in form.find_all(Locator::Css("select[name=scheme] option")).await? {
            if o.text().await?.contains("黄岩区") {
                o.click().await?;
            }
        }
        form.find(Locator::Css("select[name=year]")).await?.select_by_value("2018").await?;
        form.find(Locator::Css("button[type=submit]")).await?.click().await?;
        let status = b.wait().for_element(Locator::Id("run-status")).await?.text().await?;
        assert_eq!(status, "草稿");

        // Per class, per zone and per firm.
        let mut by_class = 0;
        for r in b.find_all(Locator::Css("#classes tbody tr td.num")).await? {
            by_class += r.text().await?.parse::<usize>().unwrap();
        }
        assert_eq!(by_class, firms_2018);
        let zones = b.find_all(Locator::Css("#zone-summary tbody tr")).await?;
        assert!(zones.len() > 1, "one row per zone");
        let mut by_zone = 0;
        for z in &zones {
            let cells = z.find_all(Locator::Css("td.num")).await?;
            // The class counts, then 参评企业 and 亩均税收.
            for c in &cells[..cells.len() - 2] {
                by_zone += c.text().await?.parse::<usize>().unwrap();
            }
        }
        assert_eq!(by_zone, firms_2018);
        let first = b.find(Locator::Css("#results tbody tr")).await?;
        let cells = first.find_all(Locator::Css("td")).await?;
        let (score, class) = (cells[4].text().await?, cells[5].text().await?);
        assert!(["A", "B", "C", "D"].contains(&class.as_str()), "{class}");
        shot(&b, "mujun-run.png").await;
        click_to_next_page(&b, cells[3].find(Locator::Css("a")).await?).await?;
        assert_eq!(b.wait().for_element(Locator::Id("score")).await?.text().await?, score);
        assert!(b.find(Locator::Id("class")).await?.text().await?.starts_with(&class));
        assert!(b.find_all(Locator::Css("#trail tbody tr")).await?.len() >= 2, "the arithmetic of each item");
        shot(&b, "mujun-card.png").await;
        b.back().await?;

        // The 公示 window (a past one, so that it is over and the run can be finalised).
        b.wait().for_element(Locator::Id("publicity-form")).await?;
        set_value(&b, "#publicity-form input[name=start]", &(today - Duration::days(7)).to_string()).await?;
        set_value(&b, "#publicity-form input[name=end]", &(today - Duration::days(1)).to_string()).await?;
        b.find(Locator::Css("#publicity-form button[type=submit]")).await?.click().await?;
        text_becomes(&b, "run-status", "公示中").await?;
        let window = b.find(Locator::Id("window")).await?.text().await?;
        assert!(window.contains(&(today - Duration::days(7)).to_string()) && window.contains(&(today - Duration::days(1)).to_string()), "{window}");
        b.find(Locator::Id("finalise")).await?.click().await?;
        text_becomes(&b, "run-status", "已定稿").await?;
        assert!(b.find_all(Locator::Id("finalise")).await?.is_empty(), "nothing left to finalise");
        shot(&b, "mujun-final.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    b.close().await.ok();
    result.unwrap();
    let runs = landuse::runs(&app.db).await.unwrap();
    let r = runs.iter().find(|r| r.year == 2018).expect("the run the pages made");
    assert_eq!((r.status, r.publicity_end), (RunStatus::Final, Some(today - Duration::days(1))));
    assert_eq!(r.outcome.results.len(), firms_2018);
}
