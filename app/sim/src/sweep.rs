//! Parameter sweeps: a grid of configurations derived from a base by setting values at
//! dotted paths, run in parallel across cores (rayon), one summary per regime each.
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{compare, SimConfig, SimError, Summary};

/// One axis of the grid: a dotted path into the configuration and its values. An object
/// value is merged into the object at the path; anything else replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Dotted path, e.g. `deepnode.emission_rate_e9` or `market`.
    pub path: String,
    /// Values to take.
    pub values: Vec<Value>,
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
    /// Fixed-split summary.
    pub fixed_split: Summary,
    /// DeepNode summary.
    pub deepnode: Summary,
}

/// Sets `value` at `path` in `doc` (objects created as needed; objects merged).
fn set(doc: &mut Value, path: &str, value: &Value) -> Result<(), SimError> {
    let mut at = doc;
    for key in path.split('.') {
        let obj = at.as_object_mut().ok_or_else(|| {
            SimError::Config(format!("sweep path {path}: {key} is not inside an object"))
        })?;
        at = obj
            .entry(key.to_string())
            .or_insert(Value::Object(Default::default()));
    }
    match (at, value) {
        (Value::Object(target), Value::Object(patch)) => {
            for (k, v) in patch {
                target.insert(k.clone(), v.clone());
            }
        }
        (target, v) => *target = v.clone(),
    }
    Ok(())
}

/// Every configuration of `grid` over `base`, with its axis values.
pub fn expand(base: &SimConfig, grid: &Grid) -> Result<Vec<(Vec<Value>, SimConfig)>, SimError> {
    let base = serde_json::to_value(base).map_err(|e| SimError::Config(e.to_string()))?;
    let mut out = vec![(Vec::new(), base)];
    for axis in &grid.axes {
        if axis.values.is_empty() {
            return Err(SimError::Config(format!(
                "sweep axis {} has no values",
                axis.path
            )));
        }
        let mut next = Vec::with_capacity(out.len() * axis.values.len());
        for (values, doc) in &out {
            for v in &axis.values {
                let mut d = doc.clone();
                set(&mut d, &axis.path, v)?;
                let mut vs = values.clone();
                vs.push(v.clone());
                next.push((vs, d));
            }
        }
        out = next;
    }
    out.into_iter()
        .map(|(values, doc)| {
            let c: SimConfig = serde_json::from_value(doc).map_err(|e| {
                SimError::Config(format!(
                    "sweep values {}: {e}",
                    Value::Array(values.clone())
                ))
            })?;
            c.validate()?;
            Ok((values, c))
        })
        .collect()
}

/// Runs every configuration of `grid` over `base` in parallel; `done` is called after
/// each (from any thread). Rows come back in grid order.
pub fn sweep(
    base: &SimConfig,
    grid: &Grid,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<SweepRow>, SimError> {
    let configs = expand(base, grid)?;
    configs
        .par_iter()
        .map(|(values, c)| {
            let (fixed_split, deepnode) = compare(c).map_err(|e| match e {
                SimError::Config(m) => SimError::Config(m),
                other => SimError::Config(format!(
                    "sweep values {}: {other}",
                    Value::Array(values.clone())
                )),
            })?;
            done();
            Ok(SweepRow {
                values: values.clone(),
                fixed_split,
                deepnode,
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
        let bad: Grid =
            serde_json::from_str(r#"{"axes": [{"path": "market.pool_dn", "values": ["x"]}]}"#)
                .unwrap();
        assert!(matches!(expand(&base, &bad), Err(SimError::Config(m)) if m.contains("\"x\"")));
    }
}
