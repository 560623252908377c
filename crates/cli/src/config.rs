//! Configuration: flags and `NENGJI_*` environment variables win over the optional TOML file,
//! which wins over defaults. The database password never reaches the logs (`Debug` redacts it).

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

pub const DEFAULT_DATABASE: &str = "./nengji-data/nengji.db";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    secure_cookies: Option<bool>,
    session_hours: Option<i64>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_from: Option<String>,
}

pub struct Config {
    pub database_url: String,
    pub listen: Option<String>,
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// SMTP relay for e-mail reminders; none means in-app reminders only.
    pub smtp: Option<nengji_web::reminders::SmtpConfig>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &nengji_store::redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("session_hours", &self.session_hours)
            .field("smtp", &self.smtp)
            .finish()
    }
}

impl Config {
    /// Flags and env win over the file; SMTP comes from `NENGJI_SMTP_HOST/PORT/FROM` or the file.
    pub fn load(file: Option<&Path>, database_url: Option<String>) -> Result<Config> {
        let fc: FileConfig = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("无法读取配置文件 {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("配置文件 {} 格式错误", p.display()))?
            }
            None => FileConfig::default(),
        };
        let cfg = Config {
            database_url: database_url.or(fc.database_url).unwrap_or_else(|| DEFAULT_DATABASE.into()),
            listen: fc.listen,
            secure_cookies: fc.secure_cookies.unwrap_or(false),
            session_hours: fc.session_hours.unwrap_or(8).clamp(1, 24 * 30),
            smtp: std::env::var("NENGJI_SMTP_HOST").ok().or(fc.smtp_host).filter(|h| !h.is_empty()).map(|host| nengji_web::reminders::SmtpConfig {
                host,
                port: std::env::var("NENGJI_SMTP_PORT").ok().and_then(|p| p.parse().ok()).or(fc.smtp_port).unwrap_or(25),
                from: std::env::var("NENGJI_SMTP_FROM").ok().or(fc.smtp_from).unwrap_or_else(|| "能级平台 <nengji@localhost>".into()),
            }),
        };
        tracing::debug!(config = ?cfg, "configuration");
        Ok(cfg)
    }

    pub async fn connect(&self) -> Result<nengji_store::Db> {
        nengji_store::Db::connect(&self.database_url)
            .await
            .with_context(|| format!("无法打开数据库 {}", nengji_store::redact_url(&self.database_url)))
    }

    pub fn web(&self) -> nengji_web::WebConfig {
        nengji_web::WebConfig { secure_cookies: self.secure_cookies, session_hours: self.session_hours }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_file_and_debug_redacts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nengji.toml");
        std::fs::write(&p, "database_url = \"postgres://u:pw@h/db\"\nlisten = \"0.0.0.0:9000\"\nsession_hours = 4\n").unwrap();
        let c = Config::load(Some(&p), None).unwrap();
        assert_eq!(c.listen.as_deref(), Some("0.0.0.0:9000"));
        assert_eq!(c.session_hours, 4);
        let dbg = format!("{c:?}");
        assert!(dbg.contains("postgres://u:***@h/db") && !dbg.contains("pw"), "{dbg}");
        let c = Config::load(Some(&p), Some("x.db".into())).unwrap();
        assert_eq!(c.database_url, "x.db");
        assert_eq!(Config::load(None, None).unwrap().database_url, DEFAULT_DATABASE);
        std::fs::write(&p, "databse_url = 1\n").unwrap();
        assert!(Config::load(Some(&p), None).is_err(), "typos in the file are errors");
    }
}
