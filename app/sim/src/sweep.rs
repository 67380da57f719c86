//! Parameter sweeps: a grid of configurations derived from a base by setting values at
//! dotted paths, run in parallel across cores (rayon), one summary per regime each.
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{compare, wash_analysis, Draws, SimConfig, SimError, Summary, WashReport};

/// One axis of the grid: a dotted path into the configuration ("" for the whole of it)
/// and its values. An object value is merged into the object at the path, recursively;
/// anything else replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Dotted path, e.g. `deepnode.emission_rate_e9` or `market`.
    pub path: String,
    /// Values to take.
    pub values: Vec<Value>,
    /// Names of the values for tables (default: the values as JSON).
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    /// The axis's name for tables (default: its path).
    #[serde(default)]
    pub name: Option<String>,
}

impl Axis {
    /// The name of value `i` for people.
    pub fn label(&self, i: usize) -> String {
        match &self.labels {
            Some(l) if i < l.len() => l[i].clone(),
            _ => match self.values.get(i) {
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            },
        }
    }

    /// The axis's name for people.
    pub fn title(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.path)
    }
}

/// A grid: the cartesian product of its axes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// The axes, first varying slowest.
    pub axes: Vec<Axis>,
}

/// One configuration's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepRow {
    /// The axis values of this configuration, in axis order.
    pub values: Vec<Value>,
    /// Index of each value in its axis.
    #[serde(skip)]
    pub at: Vec<usize>,
    /// Fixed-split summary.
    pub fixed_split: Summary,
    /// DeepNode summary.
    pub deepnode: Summary,
    /// §13, when the configuration has a wash agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wash: Option<WashReport>,
}

impl Grid {
    /// The values at indices `at`, for messages.
    pub fn describe(&self, at: &[usize]) -> String {
        self.axes
            .iter()
            .zip(at)
            .map(|(a, i)| format!("{} = {}", a.title(), a.label(*i)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How a sweep's configurations came out, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Configurations run.
    pub configs: usize,
    /// DeepNode ended at a higher price than the fixed split.
    pub deepnode_price_higher: usize,
    /// DeepNode ended with more miners than the fixed split.
    pub deepnode_more_miners: usize,
    /// DeepNode earned honest participants more than the fixed split.
    pub deepnode_more_income: usize,
    /// Fixed split: DN sold at most what was bought, over the run.
    pub fixed_sells_within_buys: usize,
    /// DeepNode: DN sold at most what was bought, over the run.
    pub deepnode_sells_within_buys: usize,
    /// Fixed split ended at or above its start price.
    pub fixed_price_held: usize,
    /// DeepNode ended at or above its start price.
    pub deepnode_price_held: usize,
}

impl Tally {
    /// Counts `rows`.
    pub fn of(rows: &[SweepRow]) -> Tally {
        let count = |f: &dyn Fn(&SweepRow) -> bool| rows.iter().filter(|r| f(r)).count();
        let within = |s: &Summary| s.sold_value <= s.bought_value;
        let held = |s: &Summary| s.final_price >= s.start_price;
        Tally {
            configs: rows.len(),
            deepnode_price_higher: count(&|r| r.deepnode.final_price > r.fixed_split.final_price),
            deepnode_more_miners: count(&|r| r.deepnode.final_miners > r.fixed_split.final_miners),
            deepnode_more_income: count(&|r| {
                r.deepnode.honest_income > r.fixed_split.honest_income
            }),
            fixed_sells_within_buys: count(&|r| within(&r.fixed_split)),
            deepnode_sells_within_buys: count(&|r| within(&r.deepnode)),
            fixed_price_held: count(&|r| held(&r.fixed_split)),
            deepnode_price_held: count(&|r| held(&r.deepnode)),
        }
    }
}

/// Merges `patch` into `target`: objects key by key, recursively; anything else
/// replaces.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// Merges `value` at `path` in `doc` (objects created as needed; the empty path is the
/// whole configuration).
fn set(doc: &mut Value, path: &str, value: &Value) -> Result<(), SimError> {
    let mut at = doc;
    for key in path.split('.').filter(|k| !k.is_empty()) {
        let obj = at.as_object_mut().ok_or_else(|| {
            SimError::Config(format!("sweep path {path}: {key} is not inside an object"))
        })?;
        at = obj
            .entry(key.to_string())
            .or_insert(Value::Object(Default::default()));
    }
    merge(at, value);
    Ok(())
}

/// Every configuration of `grid` over `base`, with its axis values.
pub fn expand(base: &SimConfig, grid: &Grid) -> Result<Vec<(Vec<usize>, SimConfig)>, SimError> {
    let base = serde_json::to_value(base).map_err(|e| SimError::Config(e.to_string()))?;
    let mut out: Vec<(Vec<usize>, Value)> = vec![(Vec::new(), base)];
    for axis in &grid.axes {
        if axis.values.is_empty() {
            return Err(SimError::Config(format!(
                "sweep axis {} has no values",
                axis.path
            )));
        }
        let mut next = Vec::with_capacity(out.len() * axis.values.len());
        for (at, doc) in &out {
            for (i, v) in axis.values.iter().enumerate() {
                let mut d = doc.clone();
                set(&mut d, &axis.path, v)?;
                let mut at = at.clone();
                at.push(i);
                next.push((at, d));
            }
        }
        out = next;
    }
    out.into_iter()
        .map(|(at, doc)| {
            let c: SimConfig = serde_json::from_value(doc)
                .map_err(|e| SimError::Config(format!("sweep {}: {e}", grid.describe(&at))))?;
            c.validate()?;
            Ok((at, c))
        })
        .collect()
}

/// Runs every configuration of `grid` over `base` in parallel (with a wash agent, its
/// §13 analysis too); `done` is called after each (from any thread). Rows come back in
/// grid order.
pub fn sweep(
    base: &SimConfig,
    grid: &Grid,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<SweepRow>, SimError> {
    let configs = expand(base, grid)?;
    configs
        .par_iter()
        .map(|(at, c)| {
            let failed =
                |e: SimError| SimError::Config(format!("sweep {}: {e}", grid.describe(at)));
            let (fixed_split, deepnode) = compare(c).map_err(failed)?;
            let wash = match &c.wash {
                Some(_) => Some(wash_analysis(c, &Draws::new(c)).map_err(failed)?),
                None => None,
            };
            done();
            Ok(SweepRow {
                values: grid
                    .axes
                    .iter()
                    .zip(at)
                    .map(|(a, i)| a.values[*i].clone())
                    .collect(),
                at: at.clone(),
                fixed_split,
                deepnode,
                wash,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two axes of 2 and 3 values give 6 configurations in order; an object value is
    /// merged, a scalar replaces.
    #[test]
    fn grids_expand_in_order() {
        let grid: Grid = serde_json::from_str(
            r#"{"axes": [
                {"path": "market", "values": [{"pool_dn": 5}, {"pool_dn": 7, "pool_rev": 9}]},
                {"path": "deepnode.emission_rate_e9", "values": [1, 2, 3]}
            ]}"#,
        )
        .unwrap();
        let base = SimConfig::default();
        let all = expand(&base, &grid).unwrap();
        assert_eq!(all.len(), 6);
        let got: Vec<(u64, u64, u64)> = all
            .iter()
            .map(|(_, c)| {
                (
                    c.market.pool_dn,
                    c.market.pool_rev,
                    c.deepnode.emission_rate_e9,
                )
            })
            .collect();
        let rev = base.market.pool_rev;
        assert_eq!(
            got,
            [
                (5, rev, 1),
                (5, rev, 2),
                (5, rev, 3),
                (7, 9, 1),
                (7, 9, 2),
                (7, 9, 3)
            ]
        );
        // The root path merges deeply: one axis can move two sections together.
        let both: Grid = serde_json::from_str(
            r#"{"axes": [{"path": "", "values": [{"deepnode": {"floor": 3}, "fixed": {"emission_per_epoch": 4}}]}]}"#,
        )
        .unwrap();
        let (_, c) = &expand(&base, &both).unwrap()[0];
        assert_eq!((c.deepnode.floor, c.fixed.emission_per_epoch), (3, 4));
        assert_eq!(c.deepnode.ceiling, base.deepnode.ceiling, "the rest kept");
        let bad: Grid =
            serde_json::from_str(r#"{"axes": [{"path": "market.pool_dn", "values": ["x"]}]}"#)
                .unwrap();
        assert!(
            matches!(expand(&base, &bad), Err(SimError::Config(m)) if m.contains("sweep market.pool_dn = x: invalid type"))
        );
    }
}
