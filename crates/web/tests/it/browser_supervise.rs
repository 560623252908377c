//! The supervision flow in real headless Chromium over WebDriver (chromedriver): a department
//! user opens "my tasks" and files a progress report; the office sees the light change.
//! `scripts/test` sets NENGJI_REQUIRE_BROWSER=1, so there a missing browser fails the suite.

use crate::common;


use common::browser::{browser, log_in, log_out, shot};
use common::spawn_app;
use fantoccini::Locator;

#[tokio::test]
async fn a_department_files_a_progress_report_and_the_office_sees_the_light_change() {
    let app = spawn_app().await;
    nengji_store::supervision::load_demo(&app.db, chrono::Utc::now()).await.unwrap();
    let Some((_driver, b)) = browser().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("进展说明.txt");
    std::fs::write(&file, "后备库入库企业126家，名单见附件。").unwrap();
    let run = async {
        // The office sees 第6项 red: a milestone of 市科技局 is 12 days overdue.
        log_in(&b, &app, "admin").await?;
        b.find(Locator::LinkText("督办")).await?.click().await?;
        b.wait().for_element(Locator::Id("by-unit")).await?;
        shot(&b, "tasks-overview.png").await;
        b.goto(&format!("{}/tasks?view=list&unit=kjj", app.url)).await?;
        let light = b.find(Locator::Css("#task-6 .light")).await?.text().await?;
        assert_eq!(light, "红灯");
        log_out(&b).await?;

        // The department opens "my tasks" and files a report that marks the milestone reached.
        log_in(&b, &app, "kejiju").await?;
        b.find(Locator::LinkText("我的任务")).await?.click().await?;
        b.wait().for_element(Locator::Id("my-tasks")).await?;
        assert!(b.find(Locator::Id("alerts")).await?.text().await?.contains("逾期提醒"));
        assert_eq!(b.find(Locator::Css("#my-task-6 .light")).await?.text().await?, "红灯");
        shot(&b, "my-tasks.png").await;
        b.find(Locator::Id("report-link-6")).await?.click().await?;
        b.wait().for_element(Locator::Id("report-form")).await?;
        b.find(Locator::Id("report-body")).await?.send_keys("高新技术企业后备库入库工作已完成，共入库企业126家。").await?;
        let select = b.find(Locator::Id("report-milestone")).await?;
        let options = select.find_all(Locator::Css("option")).await?;
        let mut value = None;
        for o in options {
            if o.text().await?.starts_with("完成高新技术企业后备库入库") {
                value = o.attr("value").await?;
            }
        }
        select.select_by_value(&value.expect("the overdue milestone is offered")).await?;
        b.find(Locator::Id("report-file")).await?.send_keys(file.to_str().unwrap()).await?;
        b.find(Locator::Id("report-submit")).await?.click().await?;
        let message = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert_eq!(message, "进展已报送");
        let reports = b.find(Locator::Id("reports")).await?.text().await?;
        assert!(reports.contains("共入库企业126家") && reports.contains("进展说明.txt"), "{reports}");
        assert_ne!(b.find(Locator::Id("task-light")).await?.text().await?, "红灯");
        log_out(&b).await?;

        // The office sees the light change, in the list and in the task's history.
        log_in(&b, &app, "admin").await?;
        b.goto(&format!("{}/tasks?view=list&unit=kjj", app.url)).await?;
        let light = b.find(Locator::Css("#task-6 .light")).await?.text().await?;
        assert_eq!(light, "绿灯");
        b.find(Locator::Css("#task-6 a")).await?.click().await?;
        let history = b.wait().for_element(Locator::Id("history")).await?.text().await?;
        assert!(history.contains("红灯 → 绿灯"), "{history}");
        assert!(history.contains("节点“完成高新技术企业后备库入库”已完成"), "{history}");
        shot(&b, "task.png").await;
        // The timeline draws the tasks as SVG.
        b.goto(&format!("{}/tasks/timeline", app.url)).await?;
        let label = b.find(Locator::Css("#gantt svg")).await?.attr("aria-label").await?.unwrap_or_default();
        assert_eq!(label, "任务时间轴");
        shot(&b, "tasks-timeline.png").await;
        // The adopted ledger beside its source text.
        b.goto(&format!("{}/tasks/plans", app.url)).await?;
        b.find(Locator::Css("#drafts tbody a")).await?.click().await?;
        b.wait().for_element(Locator::Id("source")).await?;
        assert_eq!(b.find_all(Locator::Css("#ledger-tasks tbody tr")).await?.len(), 37);
        shot(&b, "tasks-review.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    let _ = b.close().await;
    result.unwrap();
}
