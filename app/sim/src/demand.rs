//! The demand path: units demanded per epoch before noise.
use crate::config::{DemandConfig, DemandPath};

/// `start * (1 + g)^epochs`, capped at `max` (compounded in integers, floored).
fn grown(d: &DemandConfig, epochs: u32) -> u64 {
    let mut units = u128::from(d.start_units);
    let max = u128::from(d.max_units.max(d.start_units));
    for _ in 0..epochs {
        units = units * (10_000 + u128::from(d.growth_bps_per_epoch)) / 10_000;
        if units >= max {
            return max as u64;
        }
    }
    units as u64
}

/// Units demanded in epoch `t` under the configured path, before noise.
pub fn base_units(d: &DemandConfig, t: u32) -> u64 {
    match d.path {
        DemandPath::Flat => d.start_units,
        DemandPath::Growth => grown(d, t),
        DemandPath::Bootstrap => grown(d, t.saturating_sub(d.bootstrap_epochs)),
        DemandPath::Shock => {
            let units = grown(d, t);
            let end = d.shock_epoch.saturating_add(d.shock_epochs);
            if (d.shock_epoch..end).contains(&t) {
                (u128::from(units) * u128::from(10_000 - d.shock_depth_bps.min(10_000)) / 10_000)
                    as u64
            } else {
                units
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1,000 units growing 10% per epoch: 1,000, 1,100, 1,210, 1,331, capped at 1,300.
    #[test]
    fn paths_by_hand() {
        let d = DemandConfig {
            start_units: 1_000,
            growth_bps_per_epoch: 1_000,
            max_units: 1_300,
            bootstrap_epochs: 2,
            shock_epoch: 1,
            shock_depth_bps: 7_500,
            shock_epochs: 1,
            noise_bps: 0,
            ..DemandConfig::default()
        };
        let path = |p| {
            (0..5)
                .map(|t| {
                    base_units(
                        &DemandConfig {
                            path: p,
                            ..d.clone()
                        },
                        t,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            path(DemandPath::Growth),
            [1_000, 1_100, 1_210, 1_300, 1_300]
        );
        assert_eq!(path(DemandPath::Flat), [1_000; 5]);
        assert_eq!(
            path(DemandPath::Bootstrap),
            [1_000, 1_000, 1_000, 1_100, 1_210]
        );
        assert_eq!(path(DemandPath::Shock), [1_000, 275, 1_210, 1_300, 1_300]);
    }
}
