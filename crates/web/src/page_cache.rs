//! Rendered page bodies shared between requests until the data change.
//!
//! A zone profile or an indicator's league table is the same for everyone allowed to read it,
//! and it changes only when data are written. Each body is kept under the database's data
//! version — the audit chain's head, which every write moves in its own transaction — so the
//! first request after any write renders afresh and later ones reuse it. The layout around the
//! body (user name, CSRF token) is still rendered per request, and access is checked before
//! the cache is asked.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use nengji_store::{observations, Db};

use crate::error::AppError;

/// Bodies kept per database: a few hundred pages of 50–200 KiB.
const MAX_PAGES: usize = 256;

struct Pages {
    version: (i64, String),
    bodies: HashMap<String, Arc<str>>,
}

static CACHE: Mutex<Option<HashMap<String, Pages>>> = Mutex::new(None);

/// Which database this is (tests run many in one process).
pub fn db_identity(db: &Db) -> String {
    match db {
        Db::Sqlite(p) => format!("sqlite {:?}", p.connect_options()),
        Db::Postgres(p) => format!("pg {:?}", p.connect_options()),
    }
}

/// The body under `key` at the current data version, rendered by `render` when it is not kept.
/// The version is read before rendering, so a kept body is never older than its version.
pub async fn body<F>(db: &Db, key: String, render: F) -> Result<Arc<str>, AppError>
where
    F: Future<Output = Result<String, AppError>>,
{
    let identity = db_identity(db);
    let version = observations::data_version(db).await?;
    {
        let cache = CACHE.lock().unwrap();
        if let Some(b) = cache.as_ref().and_then(|c| c.get(&identity)).filter(|p| p.version == version).and_then(|p| p.bodies.get(&key)) {
            return Ok(b.clone());
        }
    }
    let rendered: Arc<str> = Arc::from(render.await?);
    let mut cache = CACHE.lock().unwrap();
    let pages = cache.get_or_insert_with(HashMap::new).entry(identity).or_insert_with(|| Pages { version: version.clone(), bodies: HashMap::new() });
    if pages.version != version {
        // Only the newest version is worth keeping; a slower request of an older one drops out.
        if pages.version.0 > version.0 {
            return Ok(rendered);
        }
        *pages = Pages { version, bodies: HashMap::new() };
    }
    if pages.bodies.len() >= MAX_PAGES {
        pages.bodies.clear();
    }
    pages.bodies.insert(key, rendered.clone());
    Ok(rendered)
}
