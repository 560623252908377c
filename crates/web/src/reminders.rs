//! Due-soon and overdue reports: shown in the app, and e-mailed through SMTP when configured.

use chrono::NaiveDate;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use nengji_core::auth::Role;
use nengji_core::calendar::{due_soon, WindowState};
use nengji_core::period::Month;
use nengji_store::collection::{self, Calendar, Status};
use nengji_store::{masterdata, reminders, seed, users, Db};

/// Days before the due date a reminder starts.
pub const DUE_SOON_DAYS: u32 = 3;

/// SMTP relay settings. The binary has no TLS: this is the intranet relay the office runs.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub from: String,
}

/// A report a reporter still owes.
#[derive(Clone, Debug, PartialEq)]
pub struct Due {
    pub username: String,
    pub email: Option<String>,
    pub zone: String,
    pub zone_name: String,
    pub period: Month,
    pub overdue: bool,
    pub due: NaiveDate,
    pub locks: NaiveDate,
}

impl Due {
    pub fn subject(&self) -> String {
        format!("【能级】{}{}主要经济指标{}", self.zone_name, self.period.label(), if self.overdue { "已逾期，请尽快报送" } else { "即将截止" })
    }
    pub fn body(&self) -> String {
        format!(
            "{}：\n\n{}{}的主要经济指标报表尚未报送。截止日期：{}；{} 后填报期锁定。\n请登录能级平台“数据填报”页面填报并报送。\n\n（本邮件由系统自动发送）",
            self.username,
            self.zone_name,
            self.period.label(),
            self.due,
            self.locks
        )
    }
    fn key(&self, today: NaiveDate) -> String {
        format!("{}/{}/{}/{}/{}", self.username, self.zone, self.period, if self.overdue { "overdue" } else { "due_soon" }, today)
    }
}

/// Every zone reporter's reports that are due within `DUE_SOON_DAYS` or overdue and not yet submitted.
pub async fn due_reports(db: &Db, today: NaiveDate) -> nengji_store::Result<Vec<Due>> {
    let ds = collection::dataset(db, seed::MONTHLY).await?;
    let cal = Calendar::load(db, &ds).await?;
    let periods = cal.open_periods(today, Month::of_date(today).offset(-1));
    let subs = collection::submissions(db, &ds, Some(&periods)).await?;
    let zones = masterdata::list_zones(db).await?;
    let mut out = Vec::new();
    for u in users::list(db).await?.into_iter().filter(|u| u.active && u.role == Role::ZoneReporter) {
        for z in &u.zones {
            for p in &periods {
                let w = cal.window(Some(z), *p);
                let pending = subs.iter().find(|s| &s.zone == z && s.period == p.to_string()).is_none_or(|s| s.status == Status::Draft);
                let overdue = w.state(today) == WindowState::Overdue;
                if pending && (overdue || due_soon(&w, today, DUE_SOON_DAYS)) {
                    out.push(Due {
                        username: u.username.clone(),
                        email: u.email.clone(),
                        zone: z.clone(),
                        zone_name: zones.iter().find(|x| &x.zone.code == z).map(|x| x.zone.short_name.clone()).unwrap_or_else(|| z.clone()),
                        period: *p,
                        overdue,
                        due: w.due,
                        locks: w.locks,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Sends today's reminders by e-mail, each at most once a day. Returns how many were sent.
pub async fn send(db: &Db, smtp: &SmtpConfig, today: NaiveDate) -> anyhow::Result<usize> {
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host).port(smtp.port).build();
    let mut sent = 0;
    for d in due_reports(db, today).await? {
        let Some(to) = d.email.as_deref() else { continue };
        let key = d.key(today);
        if reminders::already_sent(db, &key).await? {
            continue;
        }
        let msg = Message::builder()
            .from(smtp.from.parse()?)
            .to(to.parse()?)
            .subject(d.subject())
            .header(ContentType::TEXT_PLAIN)
            .body(d.body())?;
        mailer.send(msg).await?;
        reminders::record(db, &key, &d.username, "email").await?;
        sent += 1;
    }
    Ok(sent)
}
