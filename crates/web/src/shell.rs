//! What every page's layout needs: who is logged in, their CSRF token, the active menu item.

use nengji_core::auth::Role;

use crate::auth::Session;

pub struct Shell {
    pub user: String,
    pub role: String,
    pub is_admin: bool,
    pub csrf: String,
    pub active: &'static str,
    pub can_enter: bool,
    pub can_review: bool,
    /// City-wide views (cockpit): everyone but zone reporters, who see only their zones.
    pub city_wide: bool,
    /// A department reporter: "我的任务" (its unit's supervised tasks).
    pub my_tasks: bool,
    /// The idle-land pages: everyone but department reporters (as `access::LAND_READ`).
    pub reads_land: bool,
}

impl Shell {
    pub fn new(s: &Session, active: &'static str) -> Shell {
        Shell {
            user: s.who.display_name.clone(),
            role: s.who.role.label().to_string(),
            is_admin: s.who.role.is_admin(),
            csrf: s.csrf.clone(),
            active,
            can_enter: matches!(s.who.role, Role::Admin | Role::ZoneReporter),
            can_review: crate::collect::can_review(&s.who),
            city_wide: s.who.role != Role::ZoneReporter,
            my_tasks: s.who.role == Role::DeptReporter && s.who.unit.is_some(),
            reads_land: s.who.role != Role::DeptReporter,
        }
    }
}
