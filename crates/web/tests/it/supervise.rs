//! HTTP tests of the supervision pages (督办): every route for every role and scope, CSRF on
//! every POST, the report → light flow, review and adoption with a revision diff, the
//! 任务分解表 round trip, urges, escalations and instructions. Refused writes leave no trace.

use crate::common;

use chrono::Utc;
use common::{client, login, spawn_app, App};
use nengji_core::supervision::Light;
use nengji_store::supervision as sv;
use nengji_store::{audit, Db};
use reqwest::multipart::{Form, Part};
use reqwest::Client;

async fn demo(app: &App) {
    sv::load_demo(&app.db, Utc::now()).await.unwrap();
}

async fn task_id(db: &Db, seq: i64) -> i64 {
    sv::tasks(db, None).await.unwrap().into_iter().find(|t| t.seq == seq).unwrap().id
}

async fn get(c: &Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn post(c: &Client, url: String, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = r.text().await.unwrap_or_default();
    (status, if status == 303 { location } else { body })
}

fn report_form(csrf: &str, body: &str) -> Form {
    Form::new().text("csrf", csrf.to_string()).text("body", body.to_string())
}

async fn post_multipart(c: &Client, url: String, form: Form) -> (u16, String) {
    let r = c.post(url).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = r.text().await.unwrap_or_default();
    (status, if status == 303 { location } else { body })
}

async fn audits(app: &App) -> i64 {
    audit::count(&app.db).await.unwrap()
}

/// The light a task page shows.
fn light_of(page: &str) -> String {
    let at = page.find("id=\"task-light\" data-light=\"").expect("task light") + "id=\"task-light\" data-light=\"".len();
    page[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn every_page_checks_role_and_scope() {
    let app = spawn_app().await;
    demo(&app).await;
    let u = |p: &str| format!("{}{p}", app.url);
    let mine = task_id(&app.db, 6).await; // 市科技局 leads
    let other = task_id(&app.db, 28).await; // 各县(市、区)党委、政府 only
    let draft = sv::drafts(&app.db).await.unwrap()[0].id;
    let file_task = task_id(&app.db, 7).await;
    let rid = {
        let (c, csrf) = login(&app, "kejiju").await;
        let form = report_form(&csrf, "科技创新平台建设进展").part("file", Part::bytes(b"%PDF-1.4 x".to_vec()).file_name("进展.pdf").mime_str("application/pdf").unwrap());
        assert_eq!(post_multipart(&c, u(&format!("/tasks/{file_task}/reports")), form).await.0, 303);
        sv::reports(&app.db, file_task).await.unwrap()[0].id
    };

    // Anonymous: to the login page.
    let anon = client();
    let (status, location) = {
        let r = anon.get(u("/tasks")).send().await.unwrap();
        (r.status().as_u16(), r.headers().get("location").unwrap().to_str().unwrap().to_string())
    };
    assert_eq!((status, location.as_str()), (303, "/login?next=%2Ftasks"));

    let pages = [
        "/tasks".to_string(),
        "/tasks?view=section".into(),
        "/tasks?view=list&light=red".into(),
        "/tasks/my".into(),
        "/tasks/timeline".into(),
        "/tasks/deductions".into(),
        "/tasks/deductions.xlsx".into(),
        "/tasks/rules".into(),
        "/tasks/plans".into(),
        format!("/tasks/plans/{draft}"),
        "/tasks/export.xlsx".into(),
        "/tasks/import".into(),
        format!("/tasks/{mine}"),
        format!("/tasks/{other}"),
        format!("/tasks/{file_task}/reports/{rid}/file"),
    ];
    let expected: [(&str, [u16; 15]); 5] = [
        ("admin", [200, 200, 200, 303, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        ("leader", [200, 200, 200, 303, 200, 200, 200, 403, 403, 403, 200, 403, 200, 200, 200]),
        ("kejiju", [403, 403, 403, 200, 200, 403, 403, 403, 403, 403, 200, 403, 200, 403, 200]),
        ("yanjiao", [403; 15]),
        ("viewer", [403; 15]),
    ];
    for (user, statuses) in expected {
        let (c, _) = login(&app, user).await;
        for (page, want) in pages.iter().zip(statuses) {
            let (got, _) = get(&c, u(page)).await;
            assert_eq!(got, want, "{user} GET {page}");
        }
    }
    assert_eq!(get(&client(), u("/static/tasks.css")).await.0, 200);

    // A department sees its own unit's tasks only: in "my tasks", the timeline and the export.
    let (c, _) = login(&app, "kejiju").await;
    let own = sv::tasks_of_unit(&app.db, "kjj").await.unwrap();
    let (_, my) = get(&c, u("/tasks/my")).await;
    assert_eq!(my.matches("<tr id=\"my-task-").count(), own.len());
    assert!(my.contains("市科技局") && !my.contains("id=\"my-task-28\""));
    let (_, timeline) = get(&c, u("/tasks/timeline")).await;
    let chart = &timeline[timeline.find("id=\"gantt\"").unwrap()..timeline.find("</figure>").unwrap()];
    assert_eq!(chart.matches("<a href=\"/tasks/").count(), own.len(), "a bar per own task");
    let bytes = c.get(u("/tasks/export.xlsx")).send().await.unwrap().bytes().await.unwrap();
    let sheet = &nengji_office::read_tables("t.xlsx", &bytes).unwrap()[0];
    assert_eq!(sheet.rows.len(), own.len());
    assert_eq!(sheet.header, ["序号", "重点任务", "牵头单位", "责任单位", "完成时限", "进展情况"]);
    let (c, _) = login(&app, "leader").await;
    let bytes = c.get(u("/tasks/export.xlsx")).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(nengji_office::read_tables("t.xlsx", &bytes).unwrap()[0].rows.len(), 37);
}

#[tokio::test]
async fn every_write_is_for_its_roles_only_and_needs_the_csrf_token() {
    let app = spawn_app().await;
    demo(&app).await;
    let u = |p: &str| format!("{}{p}", app.url);
    let mine = task_id(&app.db, 6).await;
    let other = task_id(&app.db, 28).await;
    let six = sv::task(&app.db, mine).await.unwrap();
    let milestone = six.milestones[1].id;
    let kjj_urge = sv::urges(&app.db, None, Some("kjj")).await.unwrap()[0].id;
    let swj_urge = sv::urges(&app.db, None, Some("swj")).await.unwrap()[0].id;
    let esc = sv::escalations(&app.db, None).await.unwrap()[0].id;
    let draft = sv::drafts(&app.db).await.unwrap()[0].id;

    // Form posts: (path, fields, who may).
    type Post<'a> = (String, Vec<(&'a str, &'a str)>, &'a [&'a str]);
    let forms: Vec<Post> = vec![
        (format!("/tasks/{mine}/schedule"), vec![("starts_on", "2026-01-01"), ("deadline", "2030-12-31")], &["admin"]),
        (format!("/tasks/{mine}/milestones"), vec![("title", "中期评估"), ("due", "2030-06-30")], &["admin"]),
        (format!("/tasks/{mine}/milestones/{milestone}/delete"), vec![], &["admin"]),
        (format!("/tasks/{mine}/light"), vec![("light", "yellow"), ("reason", "领导关注")], &["admin"]),
        (format!("/tasks/{mine}/urges"), vec![("unit", "kjj"), ("channel", "phone"), ("message", "请加快进度")], &["admin"]),
        (format!("/tasks/{other}/close"), vec![("action", "close"), ("rating", "合格"), ("comment", "")], &["admin"]),
        (format!("/tasks/urges/{kjj_urge}/read"), vec![("next", "/tasks/my")], &["kejiju"]),
        (format!("/tasks/urges/{kjj_urge}/reply"), vec![("reply", "本周报送"), ("next", "/tasks/my")], &["kejiju"]),
        (format!("/tasks/escalations/{esc}/instruct"), vec![("instruction", "限期整改"), ("next", "/tasks")], &["leader", "admin"]),
        ("/tasks/rules".into(), vec![("due_soon_days", "10"), ("milestone_grace_days", "7"), ("report_cycle_days", "30"), ("alert_repeat_days", "3"), ("escalate_after_days", "5")], &["admin"]),
    ];
    for who in ["yanjiao", "viewer", "kejiju", "leader", "admin"] {
        let (c, csrf) = login(&app, who).await;
        for (path, fields, allowed) in &forms {
            // Without the token: refused whoever asks, nothing written.
            let before = audits(&app).await;
            let (status, body) = post(&c, u(path), fields).await;
            assert_eq!(status, 403, "{who} POST {path} without CSRF");
            assert!(body.contains("安全令牌（CSRF）"), "{who} {path}");
            let mut with = fields.clone();
            with.push(("csrf", "forged"));
            assert_eq!(post(&c, u(path), &with).await.0, 403, "{who} POST {path} with a forged token");
            assert_eq!(audits(&app).await, before, "{who} {path}: refused, nothing written");
            if !allowed.contains(&who) {
                let mut with = fields.clone();
                with.push(("csrf", csrf.as_str()));
                let (status, _) = post(&c, u(path), &with).await;
                assert!(status == 403 || status == 404, "{who} POST {path}: {status}");
                assert_eq!(audits(&app).await, before, "{who} {path}: not theirs, nothing written");
            }
        }
    }
    for (path, fields, allowed) in &forms {
        let (c, csrf) = login(&app, allowed[0]).await;
        let mut with = fields.clone();
        with.push(("csrf", csrf.as_str()));
        let before = audits(&app).await;
        let (status, _) = post(&c, u(path), &with).await;
        assert!(status == 303 || status == 200, "{} POST {path}: {status}", allowed[0]);
        assert!(audits(&app).await > before, "{path}: written with its audit record");
    }
    // A unit signs and replies only for itself.
    let (c, csrf) = login(&app, "kejiju").await;
    assert_eq!(post(&c, u(&format!("/tasks/urges/{swj_urge}/read")), &[("csrf", &csrf)]).await.0, 404);
    let t = sv::task(&app.db, mine).await.unwrap();
    assert_eq!(t.deadline, "2030-12-31".parse().ok());
    assert_eq!(t.manual.as_ref().map(|(l, r)| (*l, r.as_str())), Some((Light::Yellow, "领导关注")));
    assert_eq!(sv::urges(&app.db, None, Some("kjj")).await.unwrap().iter().filter(|g| g.reply.is_some()).count(), 1);
    assert_eq!(sv::escalations(&app.db, None).await.unwrap()[0].instruction.as_deref(), Some("限期整改"));
    assert_eq!(sv::rules(&app.db).await.unwrap().due_soon_days, 10);

    // Multipart posts: reports, plan uploads, sheet imports.
    let (c, csrf) = login(&app, "kejiju").await;
    let (leader, lcsrf) = login(&app, "leader").await;
    let before = audits(&app).await;
    assert_eq!(post_multipart(&c, u(&format!("/tasks/{mine}/reports")), Form::new().text("body", "无令牌")).await.0, 403);
    assert_eq!(post_multipart(&c, u(&format!("/tasks/{other}/reports")), report_form(&csrf, "不是本单位的任务")).await.0, 403);
    assert_eq!(post_multipart(&c, u("/tasks/plans"), Form::new().text("csrf", csrf.clone()).text("name", "x").text("text", "一、x")).await.0, 403);
    assert_eq!(post_multipart(&c, u("/tasks/import"), Form::new().text("csrf", csrf.clone())).await.0, 403);
    assert_eq!(post(&c, u(&format!("/tasks/plans/{draft}")), &[("csrf", &csrf), ("version", "1")]).await.0, 403);
    assert_eq!(post(&c, u("/tasks/import/1/commit"), &[("csrf", &csrf)]).await.0, 403);
    assert_eq!(post_multipart(&leader, u(&format!("/tasks/{mine}/reports")), report_form(&lcsrf, "领导不报送")).await.0, 403);
    assert_eq!(post_multipart(&leader, u("/tasks/plans"), Form::new().text("csrf", lcsrf.clone()).text("name", "x").text("text", "一、x")).await.0, 403);
    assert_eq!(audits(&app).await, before, "refused, nothing written");
    // The office may enter a report itself (代录).
    let (c, csrf) = login(&app, "admin").await;
    let county = task_id(&app.db, 31).await;
    let (status, location) = post_multipart(&c, u(&format!("/tasks/{county}/reports")), report_form(&csrf, "办公室电话了解：各县已部署")).await;
    assert_eq!((status, location), (303, format!("/tasks/{county}?done=report")));
    assert_eq!(sv::reports(&app.db, county).await.unwrap()[0].unit_name, "市开发区办（代录）");
}

#[tokio::test]
async fn a_department_files_a_report_with_an_attachment_and_the_office_sees_the_light_change() {
    let app = spawn_app().await;
    demo(&app).await;
    let u = |p: &str| format!("{}{p}", app.url);
    let id = task_id(&app.db, 6).await;
    let (office, _) = login(&app, "admin").await;
    let (_, page) = get(&office, u(&format!("/tasks/{id}"))).await;
    assert_eq!(light_of(&page), "red", "the missed milestone");
    assert!(page.contains("节点“完成高新技术企业后备库入库”"));

    let (c, csrf) = login(&app, "kejiju").await;
    let (_, my) = get(&c, u("/tasks/my")).await;
    assert!(my.contains("id=\"alerts\"") && my.contains("逾期提醒"), "alerts wait for an answer");
    assert!(my.contains("id=\"report-link-6\""));
    let (_, page) = get(&c, u(&format!("/tasks/{id}"))).await;
    let milestone = sv::task(&app.db, id).await.unwrap().milestones.iter().find(|m| m.reached.is_none() && m.title == "完成高新技术企业后备库入库").unwrap().id;
    assert!(page.contains(&format!("<option value=\"{milestone}\">")));
    assert!(!page.contains("name=\"unit\""), "a department reports for its own unit only");
    // Empty text: refused in Chinese, nothing written.
    let (status, body) = post_multipart(&c, u(&format!("/tasks/{id}/reports")), report_form(&csrf, "  ")).await;
    assert_eq!(status, 422);
    assert!(body.contains("进展情况不能为空"));
    let form = report_form(&csrf, "后备库入库工作已完成，共入库企业126家。")
        .text("milestone", milestone.to_string())
        .part("file", Part::bytes("入库名单\n".as_bytes().to_vec()).file_name("入库名单.csv").mime_str("text/csv").unwrap());
    let (status, location) = post_multipart(&c, u(&format!("/tasks/{id}/reports")), form).await;
    assert_eq!((status, location.as_str()), (303, format!("/tasks/{id}?done=report").as_str()));
    let (_, page) = get(&c, u(&format!("/tasks/{id}?done=report"))).await;
    assert!(page.contains("进展已报送"));
    let rid = sv::reports(&app.db, id).await.unwrap()[0].id;
    let r = c.get(u(&format!("/tasks/{id}/reports/{rid}/file"))).send().await.unwrap();
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), "入库名单\n".as_bytes());

    // The office sees the light change: on the task, in the overview and in the history.
    let (_, page) = get(&office, u(&format!("/tasks/{id}"))).await;
    assert_ne!(light_of(&page), "red");
    assert!(page.contains("后备库入库工作已完成") && page.contains("入库名单.csv"));
    assert!(page.contains("红灯 → "), "the change is in the task's history");
    let (_, list) = get(&office, u("/tasks?view=list&unit=kjj")).await;
    let row = &list[list.find("<tr id=\"task-6\">").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(!row.contains("light-red"), "{row}");
    // The alerts for that milestone are answered.
    assert!(sv::alerts(&app.db, Some(id), Some("kjj"), true).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_office_reviews_edits_and_adopts_a_plan_and_a_revision_shows_its_diff() {
    let app = spawn_app().await;
    let u = |p: &str| format!("{}{p}", app.url);
    let (c, csrf) = login(&app, "admin").await;
    let (_, page) = get(&c, u("/tasks")).await;
    assert!(page.contains("尚未采用任务分解"));
    let text = "关于开发区工作的实施方案\n一、重点任务\n(一)精准招商。开展精准招商，到2027年引进项目30个以上。[牵头单位:市商务局;责任单位:督查室]\n(二)清理闲置土地。全面清理闲置土地。[牵头单位:市国土局;完成时限:2027年6月底]\n";
    let form = Form::new().text("csrf", csrf.clone()).text("name", "").part("file", Part::bytes(text.as_bytes().to_vec()).file_name("工作方案.txt"));
    let (status, location) = post_multipart(&c, u("/tasks/plans"), form).await;
    assert_eq!(status, 303);
    let (_, review) = get(&c, u(&location)).await;
    assert!(review.contains("审核：工作方案"), "named after the file");
    assert!(review.contains("<li id=\"L3\">(一)精准招商。"), "the source beside the ledger");
    assert!(review.contains("“督查室”不在单位名录中，是否为：市委督查室、市政府督查室"));
    assert!(review.contains("value=\"2027年6月底\""));
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let d = sv::draft(&app.db, id).await.unwrap();

    // Every field is editable; adoption is refused while a problem remains.
    let fields = |resp: &str, include_second: bool, version: i64| {
        let mut f: Vec<(String, String)> = vec![("csrf".into(), csrf.clone()), ("version".into(), version.to_string())];
        for (i, t) in d.ledger.tasks.iter().enumerate() {
            if i == 1 && !include_second {
            } else {
                f.push((format!("t{i}_include"), "1".into()));
            }
            f.push((format!("t{i}_path"), t.path.clone()));
            f.push((format!("t{i}_title"), if i == 0 { "精准招商引资".into() } else { t.title.clone() }));
            f.push((format!("t{i}_text"), t.text.clone()));
            f.push((format!("t{i}_lead"), t.lead.join("、")));
            f.push((format!("t{i}_responsible"), if i == 0 { resp.to_string() } else { t.responsible.join("、") }));
            f.push((format!("t{i}_cooperating"), String::new()));
            f.push((format!("t{i}_deadline"), if i == 0 { "2027年底".into() } else { t.deadline.clone() }));
            f.push((format!("t{i}_fields"), "责任领导：王副市长".into()));
        }
        for (i, g) in d.ledger.targets.iter().enumerate() {
            f.push((format!("g{i}_include"), "1".into()));
            f.push((format!("g{i}_text"), g.text.clone()));
            f.push((format!("g{i}_year"), "2027".into()));
            f.push((format!("g{i}_indicator"), g.indicator.clone()));
            f.push((format!("g{i}_value"), "35".into()));
            f.push((format!("g{i}_unit"), g.unit.clone()));
            f.push((format!("g{i}_comparator"), ">=".into()));
        }
        f
    };
    let mut f = fields("督查室", true, d.version);
    f.push(("action".into(), "adopt".into()));
    let r = c.post(u(&location)).form(&f).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("有 1 处问题，未采用"), "{}", &body[body.find("role=\"alert\"").unwrap_or(0)..][..300.min(body.len())]);
    assert!(sv::plans(&app.db).await.unwrap().is_empty());
    let mut f = fields("市政府督查室、各县(市、区)政府", true, d.version + 1);
    f.push(("action".into(), "adopt".into()));
    let r = c.post(u(&location)).form(&f).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("已采用：新增任务 2 项"));
    let tasks = sv::tasks(&app.db, None).await.unwrap();
    assert_eq!((tasks[0].title.as_str(), tasks[0].deadline_text.as_str()), ("精准招商引资", "2027年底"));
    assert_eq!(tasks[0].responsible, ["市政府督查室", "各县(市、区)政府"]);
    assert_eq!(tasks[0].units.len(), 12);
    assert_eq!(tasks[0].fields.get("责任领导").map(String::as_str), Some("王副市长"));
    let plan = sv::plans(&app.db).await.unwrap()[0].clone();
    assert_eq!(plan.targets, 1);
    let (_, overview) = get(&c, u("/tasks?view=section")).await;
    assert!(overview.contains("一、重点任务"), "sections titled from the adopted text");

    // A revision: the review page lists what adopting it would change.
    let revised = text.replace("[牵头单位:市国土局;", "[牵头单位:市国土局、市规划局;");
    let form = Form::new().text("csrf", csrf.clone()).text("name", "工作方案（修订）").text("revises", plan.id.to_string()).text("text", revised);
    let (_, location) = post_multipart(&c, u("/tasks/plans"), form).await;
    let (_, review) = get(&c, u(&location)).await;
    assert!(review.contains("id=\"diff\""));
    assert!(review.contains("<strong>修改</strong> 任务 一/(二) 清理闲置土地"), "{}", &review[review.find("id=\"diff\"").unwrap()..][..800]);
    assert!(review.contains("牵头单位：<del>市国土局</del> → <ins>市国土局、市规划局</ins>"));
    assert!(review.contains("重点任务：<del>精准招商引资</del> → <ins>精准招商</ins>"), "the office's edit shows as changed back");
}

#[tokio::test]
async fn the_task_sheet_is_exported_checked_and_imported_whole() {
    let app = spawn_app().await;
    demo(&app).await;
    let u = |p: &str| format!("{}{p}", app.url);
    let (c, csrf) = login(&app, "admin").await;
    let bytes = c.get(u("/tasks/export.xlsx")).send().await.unwrap().bytes().await.unwrap();
    let mut table = nengji_office::read_tables("t.xlsx", &bytes).unwrap().remove(0);
    assert_eq!(table.sheet, "任务分解表");
    assert_eq!(table.rows.len(), 37);
    table.rows[1][4] = "下个月".into();
    table.rows[2][2] = "市督查局".into();
    let upload = |t: &nengji_core::masterdata::Table| {
        let bytes = nengji_office::write_xlsx(std::slice::from_ref(t)).unwrap();
        Form::new().text("csrf", csrf.clone()).part("file", Part::bytes(bytes).file_name("任务分解表.xlsx"))
    };
    let before = sv::tasks(&app.db, None).await.unwrap();
    let (status, page) = post_multipart(&c, u("/tasks/import"), upload(&table)).await;
    assert_eq!(status, 422);
    assert!(page.contains("有 2 处问题，未导入任何内容"));
    assert!(page.contains("任务分解表 第3行第E列") && page.contains("无法识别的完成时限“下个月”"));
    assert!(page.contains("任务分解表 第4行第C列") && page.contains("“市督查局”不在单位名录中"));
    assert_eq!(sv::tasks(&app.db, None).await.unwrap(), before, "the dry run writes nothing");

    table.rows[1][4] = "2027年底".into();
    table.rows[2][2] = "市商务局、市科技局、廊坊海关".into();
    table.rows[3][5] = "12月完成阶段评估".into();
    let (status, page) = post_multipart(&c, u("/tasks/import"), upload(&table)).await;
    assert_eq!(status, 200);
    assert!(page.contains("检查通过：共 37 行"));
    let id = sv::sheet::imports(&app.db, 1).await.unwrap()[0].id;
    let (status, page) = post(&c, u(&format!("/tasks/import/{id}/commit")), &[("csrf", &csrf)]).await;
    assert_eq!(status, 200);
    assert!(page.contains("已导入：修改任务 2 项，新增任务 0 项，进展情况 1 条"), "{}", &page[page.find("<main>").unwrap()..][..600]);
    let after = sv::tasks(&app.db, None).await.unwrap();
    assert_eq!(after[1].deadline_text, "2027年底");
    assert_eq!(after[2].lead, ["市商务局", "市科技局", "廊坊海关"]);
    assert_eq!(sv::reports(&app.db, after[3].id).await.unwrap()[0].body, "12月完成阶段评估");
    let (status, page) = post(&c, u(&format!("/tasks/import/{id}/commit")), &[("csrf", &csrf)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("已处理，不能重复导入"));
}

#[tokio::test]
async fn urges_are_signed_and_answered_escalations_get_instructions_and_deductions_list_the_units() {
    let app = spawn_app().await;
    demo(&app).await;
    let u = |p: &str| format!("{}{p}", app.url);
    let id = task_id(&app.db, 7).await;
    let (office, ocsrf) = login(&app, "admin").await;
    let (status, _) = post(&office, u(&format!("/tasks/{id}/urges")), &[("csrf", &ocsrf), ("unit", "kjj"), ("channel", "document"), ("message", "请报送平台建设进展")]).await;
    assert_eq!(status, 303);
    let (status, page) = post(&office, u(&format!("/tasks/{id}/urges")), &[("csrf", &ocsrf), ("channel", "document"), ("message", "无单位")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("请选择催办的单位"));

    let (c, csrf) = login(&app, "kejiju").await;
    let (_, my) = get(&c, u("/tasks/my")).await;
    assert!(my.contains("请报送平台建设进展") && my.contains("督办通知书"));
    let g = sv::urges(&app.db, Some(id), Some("kjj")).await.unwrap()[0].id;
    assert_eq!(post(&c, u(&format!("/tasks/urges/{g}/read")), &[("csrf", &csrf), ("next", "/tasks/my")]).await, (303, "/tasks/my?done=read".to_string()));
    let (status, page) = post(&c, u(&format!("/tasks/urges/{g}/reply")), &[("csrf", &csrf), ("reply", " ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("回复内容不能为空"));
    assert_eq!(post(&c, u(&format!("/tasks/urges/{g}/reply")), &[("csrf", &csrf), ("reply", "已报送")]).await.0, 303);
    let (_, page) = get(&office, u(&format!("/tasks/{id}"))).await;
    assert!(page.contains("已报送") && page.contains("签收"));

    // The leader instructs on the escalation from the overview.
    let (leader, lcsrf) = login(&app, "leader").await;
    let (_, overview) = get(&leader, u("/tasks")).await;
    assert!(overview.contains("id=\"escalation-list\"") && overview.contains("天未回复"));
    let esc = sv::escalations(&app.db, None).await.unwrap()[0].id;
    let (status, location) = post(&leader, u(&format!("/tasks/escalations/{esc}/instruct")), &[("csrf", &lcsrf), ("instruction", "请国土局一周内拿出处置方案"), ("next", "/tasks")]).await;
    assert_eq!((status, location.as_str()), (303, "/tasks?done=instruct#escalations"));
    let (_, overview) = get(&leader, u("/tasks")).await;
    assert!(overview.contains("请国土局一周内拿出处置方案"));
    // Office-only forms are not offered to the leader.
    let (_, page) = get(&leader, u(&format!("/tasks/{id}"))).await;
    assert!(!page.contains("id=\"urge-form\"") && !page.contains("id=\"report-form\""));

    // Closing: the office rates it; the unit can no longer report.
    assert_eq!(post(&office, u(&format!("/tasks/{id}/close")), &[("csrf", &ocsrf), ("action", "close"), ("rating", "良好"), ("comment", "平台建成")]).await.0, 303);
    let (status, page) = post_multipart(&c, u(&format!("/tasks/{id}/reports")), report_form(&csrf, "补充")).await;
    assert_eq!(status, 422);
    assert!(page.contains("已销号，不能再办理"));

    // The deduction inputs: overdue 第15项 counts for 市国土局 and, through the counties, their zones.
    let year = chrono::Datelike::year(&sv::task(&app.db, task_id(&app.db, 15).await).await.unwrap().deadline.unwrap());
    let (_, page) = get(&leader, u(&format!("/tasks/deductions?year={year}"))).await;
    assert!(page.contains("id=\"deductions-units\"") && page.contains("市国土局") && page.contains("逾期未完成"));
    assert!(page.contains("id=\"deductions-zones\"") && page.contains("燕郊高新区"));
    let r = leader.get(u(&format!("/tasks/deductions.xlsx?year={year}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let sheets = nengji_office::read_tables("d.xlsx", &r.bytes().await.unwrap()).unwrap();
    assert_eq!(sheets.iter().map(|t| t.sheet.as_str()).collect::<Vec<_>>(), ["按单位", "按开发区"]);
    assert!(sheets[0].rows.iter().any(|r| r[0] == "市国土局" && r[2] == "1"));
    // The timeline draws every task.
    let (_, page) = get(&leader, u("/tasks/timeline")).await;
    assert!(page.contains("<svg") && page.contains("37 项任务"));
}
