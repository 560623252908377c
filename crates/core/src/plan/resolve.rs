//! Resolving written unit names against the units registry: aliases (国土局 → 市国土局) and
//! collectives expanded to their members (各县(市、区)政府 → the ten county governments).
//!
//! Names are compared after normalising what people vary without meaning to: spaces,
//! full- and half-width brackets, `人民政府` for `政府`, and the city's name in front
//! (`廊坊市发改委` = `市发改委`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::masterdata::{Collective, Unit};

use super::text::is_space;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution {
    /// One unit, by its registry code and official name.
    Unit { code: String, name: String },
    /// A collective name and the unit codes it stands for.
    Collective { code: String, name: String, members: Vec<String> },
    /// Not in the registry; `suggestions` are registry names that contain it or that it contains.
    Unknown { suggestions: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub written: String,
    pub resolution: Resolution,
}

impl Resolved {
    /// The unit codes this name stands for (none when unknown).
    pub fn unit_codes(&self) -> Vec<String> {
        match &self.resolution {
            Resolution::Unit { code, .. } => vec![code.clone()],
            Resolution::Collective { members, .. } => members.clone(),
            Resolution::Unknown { .. } => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    Unit(usize),
    Collective(usize),
}

/// The units and collectives of the registry, indexed by normalised name and alias.
#[derive(Debug, Clone)]
pub struct Registry {
    units: Vec<Unit>,
    collectives: Vec<Collective>,
    index: HashMap<String, Entry>,
}

/// The city's own name, which may stand in front of a city unit (`廊坊市商务局`).
const CITY: &str = "廊坊市";

/// Spaces removed, brackets half-width, `人民政府` → `政府`.
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !is_space(*c))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '［' | '【' | '〔' => '[',
            '］' | '】' | '〕' => ']',
            '、' | '，' | ',' => '、',
            _ => c,
        })
        .collect::<String>()
        .replace("人民政府", "政府")
}

impl Registry {
    pub fn new(units: Vec<Unit>, collectives: Vec<Collective>) -> Registry {
        let mut index = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            for n in std::iter::once(&u.name).chain(&u.aliases) {
                index.entry(normalize(n)).or_insert(Entry::Unit(i));
            }
        }
        for (i, c) in collectives.iter().enumerate() {
            index.entry(normalize(&c.name)).or_insert(Entry::Collective(i));
        }
        Registry { units, collectives, index }
    }

    /// The plan's registry from the catalogue.
    pub fn builtin() -> Registry {
        Registry::new(crate::catalog::units(), crate::catalog::collectives())
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    fn lookup(&self, written: &str) -> Option<Entry> {
        let n = normalize(written);
        if let Some(e) = self.index.get(&n) {
            return Some(*e);
        }
        // 廊坊市发改委 → 市发改委; 发改委 → 市发改委 (when the registry has no such alias).
        let bare = n.strip_prefix(CITY).unwrap_or(&n);
        [format!("市{bare}"), bare.to_string()].iter().find_map(|k| self.index.get(k).copied())
    }

    pub fn resolve(&self, written: &str) -> Resolved {
        let resolution = match self.lookup(written) {
            Some(Entry::Unit(i)) => Resolution::Unit { code: self.units[i].code.clone(), name: self.units[i].name.clone() },
            Some(Entry::Collective(i)) => {
                let c = &self.collectives[i];
                Resolution::Collective { code: c.code.clone(), name: c.name.clone(), members: c.members.clone() }
            }
            None => Resolution::Unknown { suggestions: self.suggest(written) },
        };
        Resolved { written: written.to_string(), resolution }
    }

    pub fn resolve_all(&self, written: &[String]) -> Vec<Resolved> {
        written.iter().map(|w| self.resolve(w)).collect()
    }

    /// Unit codes for a list of written names, collectives expanded, duplicates removed in
    /// order of first mention; and the names that are not in the registry.
    pub fn expand(&self, written: &[String]) -> (Vec<String>, Vec<String>) {
        let mut codes: Vec<String> = Vec::new();
        let mut unknown = Vec::new();
        for r in self.resolve_all(written) {
            if matches!(r.resolution, Resolution::Unknown { .. }) {
                unknown.push(r.written.clone());
            }
            for c in r.unit_codes() {
                if !codes.contains(&c) {
                    codes.push(c);
                }
            }
        }
        (codes, unknown)
    }

    /// The official name of a unit code.
    pub fn name_of(&self, code: &str) -> Option<&str> {
        self.units.iter().find(|u| u.code == code).map(|u| u.name.as_str())
    }

    fn suggest(&self, written: &str) -> Vec<String> {
        let n = normalize(written);
        let n = n.strip_prefix(CITY).unwrap_or(&n).trim_start_matches('市');
        if n.chars().count() < 2 {
            return Vec::new();
        }
        let mut out: Vec<String> = self
            .units
            .iter()
            .map(|u| &u.name)
            .chain(self.collectives.iter().map(|c| &c.name))
            .filter(|name| {
                let k = normalize(name);
                k.contains(n) || n.contains(k.trim_start_matches('市'))
            })
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out.truncate(5);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(r: &Resolved) -> &str {
        match &r.resolution {
            Resolution::Unit { code, .. } => code,
            other => panic!("{}: {other:?}", r.written),
        }
    }

    #[test]
    fn aliases_and_variants() {
        let reg = Registry::builtin();
        assert_eq!(unit(&reg.resolve("国土局")), "gtj");
        assert_eq!(unit(&reg.resolve("市国土局")), "gtj");
        assert_eq!(unit(&reg.resolve("市国土资源局")), "gtj");
        assert_eq!(unit(&reg.resolve("廊坊市商务局")), "swj");
        assert_eq!(unit(&reg.resolve("廊坊市发改委")), "fgw");
        assert_eq!(unit(&reg.resolve(" 市 人社局 ")), "rsj");
        assert_eq!(unit(&reg.resolve("霸州市人民政府")), "gov_131081");
        assert_eq!(unit(&reg.resolve("大厂回族自治县政府")), "gov_131028");
        assert_eq!(unit(&reg.resolve("廊坊经开区管委会")), "kfqgwh");
        assert_eq!(unit(&reg.resolve("市金融办")), "jrb");
    }

    #[test]
    fn collectives_expand_to_members() {
        let reg = Registry::builtin();
        for w in ["各县(市、区)政府", "各县（市、区）政府", "各县(市,区)人民政府"] {
            let r = reg.resolve(w);
            let Resolution::Collective { code, members, .. } = &r.resolution else { panic!("{w}: {r:?}") };
            assert_eq!(code, "all_county_gov");
            assert_eq!(members.len(), 10);
            assert!(members.iter().all(|m| m.starts_with("gov_131")));
        }
        let (codes, unknown) = reg.expand(&["市商务局".into(), "各县(市、区)党委".into(), "三河市党委".into(), "市督查局".into()]);
        assert_eq!(codes.len(), 11, "三河市党委 is one of the ten, counted once");
        assert_eq!(codes[0], "swj");
        assert_eq!(unknown, ["市督查局"]);
    }

    #[test]
    fn unknown_names_get_suggestions() {
        let reg = Registry::builtin();
        let r = reg.resolve("督查室");
        let Resolution::Unknown { suggestions } = &r.resolution else { panic!("{r:?}") };
        assert_eq!(suggestions, &["市委督查室", "市政府督查室"]);
        assert!(matches!(reg.resolve("市气象局").resolution, Resolution::Unknown { .. }));
    }
}
