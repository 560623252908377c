//! Reminders: in-app on the home page, and e-mail through SMTP against a local sink.

use crate::common;

use chrono::Duration;
use common::{login, spawn_app};
use nengji_core::calendar::Window;
use nengji_core::period::Month;
use nengji_store::{collection, seed, Actor};
use nengji_web::reminders::{self, SmtpConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server that accepts every message and hands back the raw DATA of each.
async fn smtp_sink() -> (u16, tokio::sync::mpsc::UnboundedReceiver<(Vec<String>, String)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            tx.send((std::mem::take(&mut rcpt), std::mem::take(&mut data))).unwrap();
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push_str("\r\n");
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn due_soon_reports_are_shown_and_mailed_once_a_day() {
    let app = spawn_app().await;
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    let today = nengji_web::collect::today();
    let w = Window { period: Month::JANUARY_2021, opens: today - Duration::days(5), due: today + Duration::days(2), locks: today + Duration::days(20) };
    collection::set_period_window(&app.db, &Actor::system("test"), &ds, Month::JANUARY_2021, w).await.unwrap();

    let due = reminders::due_reports(&app.db, today).await.unwrap();
    assert_eq!(due.len(), 1, "only the zone reporter of 燕郊 owes 2021-01: {due:?}");
    assert_eq!((due[0].username.as_str(), due[0].overdue), ("yanjiao", false));

    let (c, _) = login(&app, "yanjiao").await;
    let home = c.get(format!("{}/", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("id=\"reminders\"") && home.contains("燕郊高新区2021年1月主要经济指标即将截止"), "{home}");

    let (port, mut inbox) = smtp_sink().await;
    let smtp = SmtpConfig { host: "127.0.0.1".into(), port, from: "能级平台 <nengji@example.cn>".into() };
    assert_eq!(reminders::send(&app.db, &smtp, today).await.unwrap(), 1);
    let (rcpt, raw) = inbox.recv().await.unwrap();
    assert_eq!(rcpt, ["yanjiao@example.cn"]);
    let msg = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(msg.subject(), Some("【能级】燕郊高新区2021年1月主要经济指标即将截止"));
    let body = msg.body_text(0).unwrap();
    assert!(body.contains(&format!("截止日期：{}", w.due)), "{body}");
    assert_eq!(reminders::send(&app.db, &smtp, today).await.unwrap(), 0, "not twice on one day");

    // Overdue tomorrow-and-after: a different reminder.
    let later = w.due + Duration::days(1);
    let due = reminders::due_reports(&app.db, later).await.unwrap();
    assert!(due[0].overdue && due[0].subject().contains("已逾期"));
}
