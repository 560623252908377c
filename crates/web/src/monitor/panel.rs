//! Approved values of every zone up to a month, and what the monitoring pages compute from
//! them: a zone's or the city's figure (累计/期末, 当月, 同比 or 百分点), league tables and ranks.
//! City totals are sums over zones; ratios are recomputed from the sums by the indicator's
//! formula (core's `SumOfZones`), never averaged; rates that cannot be summed have no total.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use nengji_core::expr::{self, Env, Expr, Formulas, Scope};
use nengji_core::indicator::{Direction, Indicator, IndicatorKind};
use nengji_core::period::Month;
use nengji_core::series::{self, MonthlyValue, SumOfZones, YoyBasis};
use nengji_store::observations::{self, Cell, Filter, Months};
use nengji_store::{masterdata, Db};

use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct ZoneRef {
    pub code: String,
    pub name: String,
}

/// Every zone's approved values up to `to`.
pub struct Panel {
    pub zones: Vec<ZoneRef>,
    pub indicators: Vec<Indicator>,
    pub to: Month,
    groups: HashMap<String, Vec<String>>,
    formulas: Formulas,
    values: HashMap<(String, String, Month), (f64, Option<f64>)>,
    /// Some shown value is 示例数据.
    pub demo: bool,
    /// Leagues computed so far (a cached panel serves many requests).
    leagues: Mutex<HashMap<(String, Month), Arc<League>>>,
}

/// Panels of [`Panel::at`], newest last: (database, data version, month) → panel.
type CacheKey = (String, (i64, String), Month);
static CACHE: Mutex<Vec<(CacheKey, Arc<Panel>)>> = Mutex::new(Vec::new());
/// At most this many panels are kept (each holds three months of every zone and indicator).
const CACHED_PANELS: usize = 4;

/// The master data a panel needs besides values.
struct Meta {
    zones: Vec<ZoneRef>,
    indicators: Vec<Indicator>,
    groups: HashMap<String, Vec<String>>,
    formulas: Formulas,
}

async fn meta(db: &Db) -> Result<Meta, AppError> {
    let stored = masterdata::list_zones(db).await?;
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    for z in &stored {
        for g in &z.zone.groups {
            groups.entry(g.clone()).or_default().push(z.zone.code.clone());
        }
    }
    let zones = stored.into_iter().map(|z| ZoneRef { code: z.zone.code, name: z.zone.short_name }).collect();
    let indicators: Vec<Indicator> = masterdata::list_indicators(db).await?.into_iter().map(|i| i.indicator).collect();
    let defs: Vec<(String, String)> =
        indicators.iter().filter_map(|i| i.formula.as_ref().map(|f| (i.code.clone(), f.clone()))).collect();
    let formulas = Formulas::new(&defs).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(Meta { zones, indicators, groups, formulas })
}

/// Formulas that read other months (`ytd()`, `offset()`) need more than the months asked for.
fn reads_other_months(indicators: &[Indicator]) -> bool {
    indicators.iter().filter_map(|i| i.formula.as_deref()).any(|f| f.contains("ytd") || f.contains("offset"))
}

/// Which figures: one zone, or the sum over zones (the city, or a group).
#[derive(Debug, Clone)]
pub enum Over<'a> {
    Zone(&'a str),
    Sum(&'a [String]),
}

/// A computed figure at a month.
#[derive(Debug, Clone, Default)]
pub struct Fig {
    /// 1–N月累计 (flows), the level (stocks) or the ratio (formulas).
    pub value: Option<f64>,
    /// 当月 of a flow (1–2月 combined when January is missing).
    pub month: Option<MonthlyValue>,
    /// The base of 同比: 上年同期可比数 when reported, else last year's value.
    pub base: Option<f64>,
    pub yoy: Option<f64>,
    pub basis: Option<YoyBasis>,
    /// Change of a rate against the same month last year, in 百分点.
    pub pp: Option<f64>,
}

impl Fig {
    /// The growth measure used for ranking: 同比 % for amounts, 百分点 for rates.
    pub fn change(&self) -> Option<f64> {
        self.yoy.or(self.pp)
    }
}

/// Amounts and counts add up over zones; rates (%, formulas) do not.
pub fn additive(i: &Indicator) -> bool {
    i.kind != IndicatorKind::Formula && i.unit != "%"
}

/// Rates change in 百分点, not %.
pub fn is_rate(i: &Indicator) -> bool {
    i.kind == IndicatorKind::Formula || i.unit == "%"
}

impl Env for Panel {
    fn value(&self, indicator: &str, period: Month, scope: &Scope) -> Option<f64> {
        match scope {
            Scope::Zone(z) => self.values.get(&(z.clone(), indicator.to_string(), period)).map(|v| v.0),
            _ => None,
        }
    }
    fn group_zones(&self, group: &str) -> Option<Vec<String>> {
        self.groups.get(group).cloned()
    }
}

impl Panel {
    /// Loads approved values (analytics never use drafts) of all zones up to `to`.
    pub async fn load(db: &Db, to: Month) -> Result<Panel, AppError> {
        let meta = meta(db).await?;
        let rows = observations::query(db, &Filter { to: Some(to), approved_only: true, ..Filter::default() }).await?;
        let demo = rows.iter().any(|o| o.is_demo);
        let values = rows
            .into_iter()
            .filter_map(|o| {
                let m: Month = o.period.parse().ok()?;
                Some(((o.zone, o.indicator, m), (o.value, o.prior_comparable)))
            })
            .collect();
        Ok(Panel::assemble(meta, to, values, demo))
    }

    fn assemble(meta: Meta, to: Month, values: HashMap<(String, String, Month), (f64, Option<f64>)>, demo: bool) -> Panel {
        let Meta { zones, indicators, groups, formulas } = meta;
        Panel { zones, indicators, to, groups, formulas, values, demo, leagues: Mutex::new(HashMap::new()) }
    }

    fn cells(cells: Vec<Cell>) -> HashMap<(String, String, Month), (f64, Option<f64>)> {
        cells.into_iter().map(|c| ((c.zone, c.indicator, c.period), (c.value, c.prior_comparable))).collect()
    }

    /// Every zone's approved values of every indicator for the figures at `to` only: the month,
    /// the month before and the same month a year before (what [`Panel::figure`] and
    /// [`Panel::league`] read at `to`). Not for trends. Shared between requests until the data
    /// change (keyed by the audit chain's head, which every write moves).
    pub async fn at(db: &Db, to: Month) -> Result<Arc<Panel>, AppError> {
        let key: CacheKey = (crate::page_cache::db_identity(db), observations::data_version(db).await?, to);
        if let Some((_, p)) = CACHE.lock().unwrap().iter().find(|(k, _)| *k == key) {
            return Ok(p.clone());
        }
        let meta = meta(db).await?;
        let months = if reads_other_months(&meta.indicators) { Months::UpTo(to) } else { Months::In(vec![to.prior_year(), to.offset(-1), to]) };
        let values = Panel::cells(observations::approved_cells(db, None, None, &months).await?);
        let demo = observations::approved_demo_until(db, to).await?;
        let panel = Arc::new(Panel::assemble(meta, to, values, demo));
        let mut cache = CACHE.lock().unwrap();
        cache.retain(|(k, _)| k.0 != key.0 || k.1 == key.1);
        cache.push((key, panel.clone()));
        if cache.len() > CACHED_PANELS {
            cache.remove(0);
        }
        Ok(panel)
    }

    /// One zone's approved values up to `to` of what indicator `ind` needs (its formula's
    /// inputs, the numerators and denominators of its targets), with this panel's master data:
    /// for the zone's trend charts and target path.
    pub async fn for_zone(&self, db: &Db, zone: &str, ind: &Indicator) -> Result<Panel, AppError> {
        let mut need: BTreeSet<String> = BTreeSet::from([ind.code.clone()]);
        for t in nengji_core::target::plan_targets().into_iter().filter(|t| t.indicator == ind.code) {
            if let nengji_core::target::TargetKind::Share { numerator, denominator } = &t.kind {
                need.insert(numerator.clone());
                need.insert(denominator.clone());
            }
        }
        let mut other_zones = false;
        loop {
            let before = need.len();
            for code in need.clone() {
                if let Some(f) = self.formulas.get(&code) {
                    need.extend(f.references());
                    other_zones |= !f.groups().is_empty();
                }
            }
            if need.len() == before {
                break;
            }
        }
        let need: Vec<String> = need.into_iter().collect();
        let cells = observations::approved_cells(db, (!other_zones).then_some(zone), Some(&need), &Months::UpTo(self.to)).await?;
        let meta = Meta { zones: self.zones.clone(), indicators: self.indicators.clone(), groups: self.groups.clone(), formulas: self.formulas.clone() };
        Ok(Panel::assemble(meta, self.to, Panel::cells(cells), self.demo))
    }

    pub fn zone_codes(&self) -> Vec<String> {
        self.zones.iter().map(|z| z.code.clone()).collect()
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn zone(&self, code: &str) -> Option<&ZoneRef> {
        self.zones.iter().find(|z| z.code == code)
    }

    pub fn group_members(&self, group: &str) -> Option<&[String]> {
        self.groups.get(group).map(Vec::as_slice)
    }

    /// The zone values with formula indicators computed per zone.
    pub fn env(&self) -> expr::WithFormulas<'_, Panel> {
        self.formulas.over(self)
    }

    fn formula(&self, code: &str) -> Option<&Expr> {
        self.formulas.get(code)
    }

    /// The value of an indicator over a scope at a month (see the module docs for sums).
    pub fn value(&self, ind: &Indicator, over: &Over, m: Month) -> Option<f64> {
        if m > self.to {
            return None;
        }
        match over {
            Over::Zone(z) => self.env().value(&ind.code, m, &Scope::Zone(z.to_string())),
            Over::Sum(zones) => match self.formula(&ind.code) {
                Some(f) => expr::eval_number(f, &self.formulas.over(&SumOfZones { base: self, zones }), m, &Scope::City),
                None if additive(ind) => series::sum_amounts(zones.iter().map(|z| self.value(ind, &Over::Zone(z), m))),
                None => None,
            },
        }
    }

    fn comparable(&self, zone: &str, ind: &str, m: Month) -> Option<f64> {
        self.values.get(&(zone.to_string(), ind.to_string(), m)).and_then(|v| v.1)
    }

    /// The figure of an indicator over a scope at a month.
    pub fn figure(&self, ind: &Indicator, over: &Over, m: Month) -> Fig {
        let value = self.value(ind, over, m);
        let Some(v) = value else { return Fig::default() };
        let mut fig = Fig { value, ..Fig::default() };
        if ind.kind == IndicatorKind::Flow {
            let prev = if m.month() > 1 { self.value(ind, over, m.offset(-1)) } else { None };
            fig.month = series::monthly_value(m.month(), v, prev);
        }
        let last_year = self.value(ind, over, m.prior_year());
        if is_rate(ind) {
            fig.pp = last_year.map(|b| series::pp_change(v, b));
            return fig;
        }
        match over {
            Over::Zone(z) => {
                if let Some(y) = series::yoy(v, self.comparable(z, &ind.code, m), last_year) {
                    fig.yoy = Some(y.pct);
                    fig.basis = Some(y.basis);
                }
                fig.base = self.comparable(z, &ind.code, m).or(last_year);
            }
            Over::Sum(zones) => {
                // Each zone's comparable figure where reported, else its value a year before.
                let bases = zones.iter().map(|z| {
                    self.comparable(z, &ind.code, m).or_else(|| self.value(ind, &Over::Zone(z), m.prior_year()))
                });
                fig.base = series::sum_amounts(bases);
                fig.yoy = series::growth_pct(v, fig.base);
                let all_comparable = zones.iter().all(|z| self.comparable(z, &ind.code, m).is_some());
                fig.basis = fig.yoy.map(|_| if all_comparable { YoyBasis::Comparable } else { YoyBasis::LastYear });
            }
        }
        fig
    }

    /// Every zone's figure for an indicator at a month, ranked by value and by growth.
    pub fn league(&self, ind: &Indicator, m: Month) -> Arc<League> {
        let key = (ind.code.clone(), m);
        if let Some(l) = self.leagues.lock().unwrap().get(&key) {
            return l.clone();
        }
        let league = Arc::new(self.compute_league(ind, m));
        self.leagues.lock().unwrap().insert(key, league.clone());
        league
    }

    fn compute_league(&self, ind: &Indicator, m: Month) -> League {
        let figs: Vec<Fig> = self.zones.iter().map(|z| self.figure(ind, &Over::Zone(&z.code), m)).collect();
        let higher = ind.direction == Direction::Higher;
        let by_value = ranks(&figs.iter().map(|f| f.value).collect::<Vec<_>>(), higher);
        let by_growth = ranks(&figs.iter().map(|f| f.change()).collect::<Vec<_>>(), higher);
        let codes = self.zone_codes();
        let total = self.figure(ind, &Over::Sum(&codes), m);
        let mut rows: Vec<LeagueRow> = self
            .zones
            .iter()
            .zip(figs)
            .enumerate()
            .map(|(i, (z, fig))| LeagueRow {
                zone: z.clone(),
                share: match (fig.value, total.value) {
                    (Some(v), Some(t)) if additive(ind) => series::share_pct(v, t),
                    _ => None,
                },
                fig,
                rank: by_value[i],
                growth_rank: by_growth[i],
            })
            .collect();
        // Ranked zones first, in rank order; the rest keep the catalogue order.
        rows.sort_by_key(|r| r.rank.unwrap_or(usize::MAX));
        League { indicator: ind.clone(), period: m, rows, total, ranked: by_value.iter().flatten().count(), charts: Mutex::new(HashMap::new()) }
    }
}

pub struct LeagueRow {
    pub zone: ZoneRef,
    pub fig: Fig,
    /// 位次 by value (1 = best), `None` without a value.
    pub rank: Option<usize>,
    /// 位次 by 同比 (or by the 百分点 change of a rate).
    pub growth_rank: Option<usize>,
    /// 占全市开发区合计的比重, %.
    pub share: Option<f64>,
}

pub struct League {
    pub indicator: Indicator,
    pub period: Month,
    pub rows: Vec<LeagueRow>,
    pub total: Fig,
    /// How many zones have a value (the denominator of “第3位/15”).
    pub ranked: usize,
    /// Charts of every zone drawn so far (value: false, growth: true), for people who read all.
    charts: Mutex<HashMap<bool, String>>,
}

impl League {
    /// The chart of every zone (growth or value), drawn once per league.
    pub fn chart_of_all(&self, growth: bool, draw: impl FnOnce() -> String) -> String {
        if let Some(c) = self.charts.lock().unwrap().get(&growth) {
            return c.clone();
        }
        let c = draw();
        self.charts.lock().unwrap().insert(growth, c.clone());
        c
    }

    pub fn row(&self, zone: &str) -> Option<&LeagueRow> {
        self.rows.iter().find(|r| r.zone.code == zone)
    }
}

/// Competition ranking (1, 2, 2, 4): equal values share a place. Missing values are unranked.
/// Values within a relative 1e-9 count as equal. O(n log n): "o is better than v" holds for
/// every o beyond a threshold (o − v − 1e-9·max(|o|,|v|,1) grows with o), so a binary search
/// over the sorted values counts the better ones.
pub fn ranks(values: &[Option<f64>], higher_is_better: bool) -> Vec<Option<usize>> {
    let better = |o: f64, v: f64| {
        let same = (o - v).abs() <= 1e-9 * o.abs().max(v.abs()).max(1.0);
        !same && if higher_is_better { o > v } else { o < v }
    };
    // Best first.
    let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
    sorted.sort_by(|a, b| if higher_is_better { b.total_cmp(a) } else { a.total_cmp(b) });
    values.iter().map(|v| v.map(|v| sorted.partition_point(|o| better(*o, v)) + 1)).collect()
}

/// Display helpers shared by pages and downloads.
pub mod show {
    use super::*;

    pub fn value(ind: &Indicator, v: Option<f64>) -> String {
        v.map(|v| ind.format(v)).unwrap_or_else(|| "—".into())
    }

    pub fn month(ind: &Indicator, m: Option<MonthlyValue>) -> String {
        match m {
            Some(mv @ MonthlyValue::JanFeb { .. }) => format!("{}（1-2月合计）", ind.format(mv.value())),
            Some(mv) => ind.format(mv.value()),
            None => "—".into(),
        }
    }

    /// 同比 as `12.3%`, or a rate's change as `提高2.2个百分点`.
    pub fn change(fig: &Fig) -> String {
        match (fig.yoy, fig.pp) {
            (Some(g), _) => series::format_growth(Some(g)),
            (None, Some(pp)) => series::format_pp(pp),
            _ => "—".into(),
        }
    }

    /// `up` / `down` / empty, for colouring (red for growth, green for decline, as in Chinese reports).
    pub fn trend(fig: &Fig) -> &'static str {
        match fig.change() {
            Some(v) if v > 0.05 => "up",
            Some(v) if v < -0.05 => "down",
            _ => "",
        }
    }

    pub fn rank(r: Option<usize>, of: usize) -> String {
        r.map(|r| format!("{r}/{of}")).unwrap_or_else(|| "—".into())
    }

    pub fn pct(v: Option<f64>) -> String {
        v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_place_and_gaps_are_unranked() {
        let v = [Some(10.0), Some(30.0), None, Some(30.0), Some(5.0)];
        assert_eq!(ranks(&v, true), [Some(3), Some(1), None, Some(1), Some(4)]);
        assert_eq!(ranks(&v, false), [Some(2), Some(3), None, Some(3), Some(1)]);
        assert_eq!(ranks(&[], true), Vec::<Option<usize>>::new());
    }
}
