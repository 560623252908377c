//! Roles and what each may see. The web layer asks these questions; it never decides itself.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 市开发区办管理员: configures everything.
    Admin,
    /// 审核人/领导: reads everything, approves.
    Reviewer,
    /// 开发区填报员: only its own zone(s).
    ZoneReporter,
    /// 部门填报员: only its own unit's tasks; reads zone data.
    DeptReporter,
    /// 只读用户.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Reviewer, Role::ZoneReporter, Role::DeptReporter, Role::Viewer];
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::ZoneReporter => "zone_reporter",
            Role::DeptReporter => "dept_reporter",
            Role::Viewer => "viewer",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "市开发区办管理员",
            Role::Reviewer => "审核人/领导",
            Role::ZoneReporter => "开发区填报员",
            Role::DeptReporter => "部门填报员",
            Role::Viewer => "只读用户",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL.into_iter().find(|r| r.code() == s || r.label() == s)
    }
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

/// Who is asking: role plus the zones a zone reporter is scoped to.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Zone codes of a zone reporter; empty for other roles.
    pub zones: Vec<String>,
    /// Unit code of a department reporter.
    pub unit: Option<String>,
}

impl Principal {
    /// May this principal read a zone's figures and entry pages?
    pub fn can_read_zone(&self, zone_code: &str) -> bool {
        match self.role {
            Role::ZoneReporter => self.zones.iter().any(|z| z == zone_code),
            _ => true,
        }
    }
    /// Narrows a requested set of zones to the readable ones.
    pub fn readable_zones<'a>(&self, all: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        all.into_iter().filter(|z| self.can_read_zone(z)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, zones: &[&str]) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            zones: zones.iter().map(|s| s.to_string()).collect(),
            unit: None,
        }
    }

    #[test]
    fn zone_reporters_are_scoped() {
        let r = who(Role::ZoneReporter, &["LFETDZ"]);
        assert!(r.can_read_zone("LFETDZ"));
        assert!(!r.can_read_zone("YJHTZ"));
        assert_eq!(r.readable_zones(["LFETDZ", "YJHTZ"]), ["LFETDZ"]);
        assert!(who(Role::Viewer, &[]).can_read_zone("YJHTZ"));
        assert!(who(Role::Admin, &[]).can_read_zone("YJHTZ"));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
            assert_eq!(Role::parse(r.label()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
