//! The project register in real headless Chromium (chromedriver): an xlsx with one bad row is
//! refused whole with the row, column and reason; the fixed file passes the dry run, is
//! committed, and the pipeline by stage and zone shows the new projects.
//! `scripts/test` sets NENGJI_REQUIRE_BROWSER=1, so there a missing browser fails the suite.

use crate::common;

use common::browser::{browser, log_in, shot};
use common::spawn_app;
use fantoccini::Locator;
use rust_xlsxwriter::Workbook;

const HEADER: [&str; 8] = ["项目编号", "项目名称", "所在开发区", "项目类别", "产业", "总投资（亿元）", "签约日期", "开工日期"];

fn workbook(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("项目").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_bad_row_is_refused_then_the_fixed_file_lands_and_the_pipeline_moves() {
    let app = spawn_app().await;
    let Some((_driver, b)) = browser().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let good = ["XM2020001", "燕郊新型显示模组项目", "燕郊高新区", "重点项目", "新型显示", "12.5", "2020-03-01", "2020-06-15"];
    let signed = ["XM2020002", "燕郊智能制造装备项目", "燕郊高新区", "招商项目", "人工智能与智能制造", "8", "2020-05-20", ""];
    // 开工 before 签约: the stage order is broken on the third line of the sheet.
    let bad = ["XM2020003", "三河新材料项目", "三河经开区", "重点项目", "新材料", "6", "2020-09-01", "2020-04-01"];
    let fixed = ["XM2020003", "三河新材料项目", "三河经开区", "重点项目", "新材料", "6", "2020-04-01", "2020-09-01"];
    let path = dir.path().join("项目.xlsx");
    std::fs::write(&path, workbook(&[good, signed, bad])).unwrap();

    let run = async {
        log_in(&b, &app, "admin").await?;
        b.find(Locator::LinkText("名录")).await?.click().await?;
        b.wait().for_element(Locator::Id("registers")).await?;
        b.find(Locator::Css("#register-projects a")).await?.click().await?;
        b.wait().for_element(Locator::Id("pipeline")).await?;
        assert!(b.find_all(Locator::Css("#pipeline tbody tr")).await?.is_empty(), "no projects yet");

        // The dry run refuses the whole file and says where and why.
        b.find(Locator::Id("import-link")).await?.click().await?;
        b.find(Locator::Id("file")).await?.send_keys(path.to_str().unwrap()).await?;
        b.find(Locator::Id("upload")).await?.click().await?;
        let error = b.wait().for_element(Locator::Id("import-error")).await?.text().await?;
        assert_eq!(error, "“项目.xlsx”有 1 处问题，未导入任何记录。请修改后重新上传。");
        let problems = b.find(Locator::Id("problems")).await?.text().await?;
        assert!(problems.contains("项目 第4行第H列"), "{problems}");
        assert!(problems.contains("开工日期 2020-04-01 早于签约日期 2020-09-01"), "{problems}");
        shot(&b, "registers-import-error.png").await;
        assert!(b.find_all(Locator::Id("commit")).await?.is_empty(), "nothing to commit");

        // Fixed: the dry run passes, lists what will happen, and the commit lands all three.
        std::fs::write(&path, workbook(&[good, signed, fixed])).unwrap();
        b.find(Locator::Id("file")).await?.send_keys(path.to_str().unwrap()).await?;
        b.find(Locator::Id("upload")).await?.click().await?;
        let dry = b.wait().for_element(Locator::Id("dry-run")).await?.text().await?;
        assert!(dry.contains("共 3 行，没有发现问题"), "{dry}");
        assert_eq!(b.find_all(Locator::Css("#staged tbody tr")).await?.len(), 3);
        b.find(Locator::Id("commit")).await?.click().await?;
        let result = b.wait().for_element(Locator::Id("import-result")).await?.text().await?;
        assert_eq!(result, "已导入：新增 3 条，修改 0 条，无变化 0 条。");

        // The pipeline by stage and zone: 燕郊 one 签约 and one 开工, 三河 one 开工.
        b.find(Locator::LinkText("返回项目库")).await?.click().await?;
        b.wait().for_element(Locator::Id("pipeline")).await?;
        let rows = b.find_all(Locator::Css("#pipeline tbody tr")).await?;
        let mut texts = Vec::new();
        for r in rows {
            texts.push(r.text().await?);
        }
        assert_eq!(texts, ["燕郊高新区 0 0 1 1 0 0 0 2", "三河经开区 0 0 0 1 0 0 0 1"]);
        let total = b.find(Locator::Css("#pipeline tfoot")).await?.text().await?;
        assert_eq!(total, "合计 0 0 1 2 0 0 0 3");
        shot(&b, "registers-pipeline.png").await;
        // The new project's page shows its stage and its history.
        b.find(Locator::LinkText("XM2020003")).await?.click().await?;
        let facts = b.wait().for_element(Locator::Id("facts")).await?.text().await?;
        assert!(facts.contains("当前阶段\n开工") || facts.contains("当前阶段 开工"), "{facts}");
        let history = b.find(Locator::Id("history")).await?.text().await?;
        assert!(history.contains("由“项目.xlsx”第4行导入登记"), "{history}");
        shot(&b, "registers-project.png").await;

        // With the 示例数据 loaded: the landing page's counts and targets by county, the renewal
        // list of certificates, the clean-up tally of the sub-city parks.
        nengji_store::registers::demo::load(&app.db, &nengji_store::Actor::system("test")).await.unwrap();
        b.find(Locator::LinkText("名录")).await?.click().await?;
        let counts = b.wait().for_element(Locator::Id("count-targets")).await?.text().await?;
        assert!(counts.contains("建设省级以上国际科技合作基地13个"), "{counts}");
        shot(&b, "registers.png").await;
        b.goto(&format!("{}/registers/enterprises?sort=hitech_date&desc=1&as_of=2020-10-15", app.url)).await?;
        b.wait().for_element(Locator::Id("records")).await?;
        // Valid on 2020-10-15 and ending by 2021-01-13 (90 days on): issued 2017-10-16 … 2018-01-14.
        let due = nengji_core::registers::demo::records(nengji_core::registers::RegisterKind::Enterprises)
            .iter()
            .filter(|r| r.get("hitech_date") >= "2017-10-16" && r.get("hitech_date") <= "2018-01-14")
            .count();
        assert!(due > 0);
        assert_eq!(b.find_all(Locator::Css("#expiring tbody tr")).await?.len(), due);
        shot(&b, "registers-enterprises.png").await;
        b.goto(&format!("{}/registers/parks", app.url)).await?;
        let cleanup = b.wait().for_element(Locator::Id("cleanup")).await?.text().await?;
        assert!(cleanup.contains("三河市"), "{cleanup}");
        shot(&b, "registers-parks.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    b.close().await.ok();
    result.unwrap();
}
