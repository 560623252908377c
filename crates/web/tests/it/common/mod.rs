//! Test harness: the real app on a random port over a fresh SQLite database with the plan's
//! master data, the demo values and one account per role (password `PASSWORD`).

#![allow(dead_code)]

pub mod browser;

use nengji_core::auth::Role;
use nengji_store::users::{self, NewUser};
use nengji_store::{seed, Actor, Db};

pub const PASSWORD: &str = "测试密码-secret-1";

pub struct App {
    pub url: String,
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
    }
}

pub async fn spawn_app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(dir.path().join("web.db").to_str().unwrap()).await.unwrap();
    spawn_app_on(db, Some(dir)).await
}

/// A new, empty PostgreSQL database on the server of `NENGJI_TEST_PG_URL`; `None` when that is
/// not set (and a panic when `NENGJI_REQUIRE_PG=1`, as `scripts/test` sets).
pub async fn pg_db() -> Option<Db> {
    let Ok(admin) = std::env::var("NENGJI_TEST_PG_URL") else {
        assert_ne!(std::env::var("NENGJI_REQUIRE_PG").as_deref(), Ok("1"), "NENGJI_REQUIRE_PG=1 but NENGJI_TEST_PG_URL is not set");
        eprintln!("NENGJI_TEST_PG_URL not set: the PostgreSQL run is skipped (scripts/test runs it)");
        return None;
    };
    let name = format!("nengji_w_{}", &nengji_store::sessions::random_secret()[..12].to_lowercase());
    let server = sqlx::PgPool::connect(&admin).await.expect("PostgreSQL from NENGJI_TEST_PG_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&server).await.unwrap();
    server.close().await;
    let (base, _) = admin.rsplit_once('/').unwrap();
    Some(Db::connect(&format!("{base}/{name}")).await.unwrap())
}

/// The app over `db` (migrated, empty), with master data, demo values and the test accounts.
pub async fn spawn_app_on(db: Db, dir: Option<tempfile::TempDir>) -> App {
    let actor = Actor::system("test");
    seed::master_data(&db, &actor).await.unwrap();
    seed::demo_values(&db, &actor).await.unwrap();
    let accounts = [
        ("admin", Role::Admin, None, vec![]),
        ("leader", Role::Reviewer, None, vec![]),
        ("yanjiao", Role::ZoneReporter, None, vec!["yanjiao_htz".to_string()]),
        ("kejiju", Role::DeptReporter, Some("kjj".to_string()), vec![]),
        ("viewer", Role::Viewer, None, vec![]),
    ];
    for (name, role, unit, zones) in accounts {
        let u = NewUser { username: name.into(), display_name: format!("{name}（测试）"), password: PASSWORD.into(), role, unit, zones, email: Some(format!("{name}@example.cn")) };
        users::create(&db, &actor, u).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = nengji_web::AppState::new(db.clone(), nengji_web::WebConfig::default());
    tokio::spawn(async move {
        nengji_web::serve(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    App { url, db, _dir: dir, shutdown: Some(tx) }
}

/// A client with its own cookie jar that does not follow redirects (so tests can see them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The value of the first hidden `csrf` field in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("page has a CSRF field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Logs in through the login form; returns the client and the session's CSRF token.
pub async fn login(app: &App, username: &str) -> (reqwest::Client, String) {
    let c = client();
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let res = c
        .post(format!("{}/login", app.url))
        .form(&[("username", username), ("password", PASSWORD), ("csrf", &csrf_of(&page)), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "login of {username} should redirect");
    let home = c.get(format!("{}/", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&home);
    (c, csrf)
}
