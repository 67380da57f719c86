//! An epoch's emission budget, its pools per role and each recipient's payout
//! (PROTOCOL.md §6 and §12).
//!
//! Roles are indexed by the `*_ROLE` constants so that the program, the scenario runner
//! and the simulator store and print pools in the same order.

use crate::{mul_div_floor, MathError, BPS_DENOMINATOR, PRICE_SCALE};

/// The foundation's fixed share of every emission (bps).
pub const FOUNDATION_BPS: u16 = 100;

/// The five roles' shares summed (foundation excluded); five u16 cannot overflow a u64.
pub fn roles_bps_sum(bps: [u16; ROLES - 1]) -> u64 {
    bps.iter()
        .fold(0u64, |acc, b| acc.saturating_add(u64::from(*b)))
}

/// Whether the five roles' shares and the foundation's fixed 100 bps make exactly
/// 10,000, as §6 requires of every domain's split.
pub fn split_is_whole(bps: [u16; ROLES - 1]) -> bool {
    roles_bps_sum(bps).checked_add(u64::from(FOUNDATION_BPS)) == Some(BPS_DENOMINATOR)
}

/// Number of paid roles, the foundation included.
pub const ROLES: usize = 6;
/// Miners, paid by verified work units.
pub const MINERS_ROLE: usize = 0;
/// Stakers, paid by stake active for the whole epoch.
pub const STAKERS_ROLE: usize = 1;
/// Validators, paid by agreeing attestations.
pub const VALIDATORS_ROLE: usize = 2;
/// The domain owner, paid directly.
pub const DOMAIN_OWNER_ROLE: usize = 3;
/// Model owners, paid by the epoch's revenue per model.
pub const MODEL_OWNERS_ROLE: usize = 4;
/// The foundation: what the five shares leave (100 bps plus the rounding).
pub const FOUNDATION_ROLE: usize = 5;
/// Role names in index order, as the scenario output spells them.
pub const ROLE_NAMES: [&str; ROLES] = [
    "miners",
    "stakers",
    "validators",
    "domain_owner",
    "model_owners",
    "foundation",
];

/// Who can be paid in an epoch (§6: a role with nobody to pay gets no pool, its DN is
/// withheld and its revenue rolls over): miners when work was verified, stakers when
/// stake was active, validators when an attestation agreed, model owners when there was
/// revenue; the domain owner and the foundation always.
pub fn payable_roles(
    verified: u128,
    active_stake: u64,
    agreeing: u64,
    revenue: u64,
) -> [bool; ROLES] {
    let mut payable = [true; ROLES];
    payable[MINERS_ROLE] = verified > 0;
    payable[STAKERS_ROLE] = active_stake > 0;
    payable[VALIDATORS_ROLE] = agreeing > 0;
    payable[MODEL_OWNERS_ROLE] = revenue > 0;
    payable
}

/// Everything settlement needs to size an epoch's DN budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetInput {
    /// Epoch revenue `R` (revenue-mint base units).
    pub revenue: u64,
    /// DN base units per revenue unit, times 1e9.
    pub emission_rate_e9: u64,
    /// Floor (applies only with verified work).
    pub floor: u64,
    /// Ceiling.
    pub ceiling: u64,
    /// Whether the epoch had any verified work.
    pub has_work: bool,
    /// What the global per-period cap still allows.
    pub cap_room: u64,
    /// What the max supply still allows (`None`: no max supply).
    pub supply_room: Option<u64>,
    /// §13 emission value guard, from [`emission_value_cap`] (`None`: no guard).
    pub value_cap: Option<u64>,
}

/// `floor(revenue * rate_e9 / 1e9)`, saturating at `u64::MAX` (the ceiling then binds).
pub fn raw_budget(revenue: u64, emission_rate_e9: u64) -> Result<u64, MathError> {
    let product = u128::from(revenue)
        .checked_mul(u128::from(emission_rate_e9))
        .ok_or(MathError::Overflow)?;
    let raw = product
        .checked_div(u128::from(PRICE_SCALE))
        .ok_or(MathError::DivisionByZero)?;
    Ok(u64::try_from(raw).unwrap_or(u64::MAX))
}

/// §13 guard: `floor(floor(revenue * price_e9 / 1e9) * max_value_bps / 10000)`, the most
/// DN an epoch may mint for `revenue` when one revenue unit is worth `price_e9 / 1e9` DN.
/// The revenue's DN value saturates at `u64::MAX` (the other bounds then bind).
pub fn emission_value_cap(
    revenue: u64,
    price_e9: u64,
    max_value_bps: u16,
) -> Result<u64, MathError> {
    let value = raw_budget(revenue, price_e9)?;
    let capped = u128::from(value)
        .checked_mul(u128::from(max_value_bps))
        .ok_or(MathError::Overflow)?
        .checked_div(u128::from(BPS_DENOMINATOR))
        .ok_or(MathError::DivisionByZero)?;
    Ok(u64::try_from(capped).unwrap_or(u64::MAX))
}

/// §12 budget: 0 without verified work; otherwise `min(max(raw, floor), ceiling)`, then
/// the §13 value cap (which may go below the floor), then the cap's and the max supply's
/// room.
pub fn epoch_budget(input: &BudgetInput) -> Result<u64, MathError> {
    if !input.has_work {
        return Ok(0);
    }
    let raw = raw_budget(input.revenue, input.emission_rate_e9)?;
    let clamped = raw.max(input.floor).min(input.ceiling);
    let guarded = match input.value_cap {
        Some(cap) => clamped.min(cap),
        None => clamped,
    };
    let capped = guarded.min(input.cap_room);
    Ok(match input.supply_room {
        Some(room) => capped.min(room),
        None => capped,
    })
}

/// What a cap of `cap` leaves after `used` (never negative).
pub fn room(cap: u64, used: u64) -> u64 {
    cap.saturating_sub(used)
}

/// Splits `amount` by the five roles' bps (in role order, foundation excluded):
/// `pool_r = floor(amount * bps_r / 10000)`, the foundation taking what is left.
pub fn split_roles(amount: u64, bps: [u16; ROLES - 1]) -> Result<[u64; ROLES], MathError> {
    let total_bps = bps.iter().try_fold(0u64, |acc, b| {
        acc.checked_add(u64::from(*b)).ok_or(MathError::Overflow)
    })?;
    if total_bps > BPS_DENOMINATOR {
        return Err(MathError::InvalidBps);
    }
    let mut pools = [0u64; ROLES];
    let mut sum = 0u64;
    for (pool, b) in pools.iter_mut().zip(bps.iter()) {
        *pool = mul_div_floor(amount, u64::from(*b), BPS_DENOMINATOR)?;
        sum = sum.checked_add(*pool).ok_or(MathError::Overflow)?;
    }
    pools[FOUNDATION_ROLE] = amount.checked_sub(sum).ok_or(MathError::Overflow)?;
    Ok(pools)
}

/// An epoch's DN outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnPools {
    /// The keeper tip taken from the budget before the split.
    pub tip: u64,
    /// Each role's funded pool (0 for a role with nobody to pay).
    pub pools: [u64; ROLES],
    /// Budget not minted: unpayable roles and the stakers' cap.
    pub withheld: u64,
    /// `budget - withheld` (the tip included).
    pub minted: u64,
}

/// §12 DN pools: the tip `min(tip_max, budget)` comes off first; the rest splits by
/// `bps`; a role with `payable[r] == false` is withheld, and the stakers' pool is capped
/// at `staker_cap` (`floor(active_stake * yield_bps / 10000)`), the excess withheld.
pub fn dn_pools(
    budget: u64,
    tip_max: u64,
    bps: [u16; ROLES - 1],
    payable: [bool; ROLES],
    staker_cap: u64,
) -> Result<DnPools, MathError> {
    let tip = tip_max.min(budget);
    let rest = budget.checked_sub(tip).ok_or(MathError::Overflow)?;
    let mut pools = split_roles(rest, bps)?;
    let mut withheld = 0u64;
    for (pool, ok) in pools.iter_mut().zip(payable.iter()) {
        if !ok {
            withheld = withheld.checked_add(*pool).ok_or(MathError::Overflow)?;
            *pool = 0;
        }
    }
    let stakers = pools[STAKERS_ROLE];
    if stakers > staker_cap {
        let excess = stakers.checked_sub(staker_cap).ok_or(MathError::Overflow)?;
        withheld = withheld.checked_add(excess).ok_or(MathError::Overflow)?;
        pools[STAKERS_ROLE] = staker_cap;
    }
    let minted = budget.checked_sub(withheld).ok_or(MathError::Overflow)?;
    Ok(DnPools {
        tip,
        pools,
        withheld,
        minted,
    })
}

/// The stakers' yield cap: `floor(active_stake * yield_bps / 10000)`.
pub fn staker_cap(active_stake: u64, yield_bps: u16) -> Result<u64, MathError> {
    mul_div_floor(active_stake, u64::from(yield_bps), BPS_DENOMINATOR)
}

/// §12 revenue-reward pools of `pool` (the epoch's emission-pool revenue plus what
/// rolled in): split with the same bps, no cap; a role with nobody to pay gets 0 and
/// its share rolls into the next epoch. Returns the funded pools and the roll-over.
pub fn rev_pools(
    pool: u64,
    bps: [u16; ROLES - 1],
    payable: [bool; ROLES],
) -> Result<([u64; ROLES], u64), MathError> {
    let mut pools = split_roles(pool, bps)?;
    let mut rolled = 0u64;
    for (p, ok) in pools.iter_mut().zip(payable.iter()) {
        if !ok {
            rolled = rolled.checked_add(*p).ok_or(MathError::Overflow)?;
            *p = 0;
        }
    }
    Ok((pools, rolled))
}

/// A recipient's payout: `floor(pool * weight / total_weight)` in u128 (the total may
/// exceed u64, as an epoch's verified work can). A zero total pays nothing.
pub fn payout(pool: u64, weight: u64, total_weight: u128) -> Result<u64, MathError> {
    if total_weight == 0 {
        return Ok(0);
    }
    if u128::from(weight) > total_weight {
        return Err(MathError::Overflow);
    }
    let product = u128::from(pool)
        .checked_mul(u128::from(weight))
        .ok_or(MathError::Overflow)?;
    let q = product
        .checked_div(total_weight)
        .ok_or(MathError::DivisionByZero)?;
    u64::try_from(q).map_err(|_| MathError::Overflow)
}

#[cfg(test)]
// Test oracles compute exact values in u128 where they cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const V1_SPLIT: [u16; 5] = [5_000, 2_000, 1_500, 500, 900];

    /// The v1 vector's epoch 0, by hand from §12: R = 10,000,000 at 2.0 DN per unit
    /// gives 20,000,000 (inside [1,000,000, 100,000,000]); the tip takes 1,000; the
    /// stakers' 3,999,800 is capped at 99,999 * 100 / 10,000 = 999.
    #[test]
    fn v1_epoch_zero() {
        let budget = epoch_budget(&BudgetInput {
            revenue: 10_000_000,
            emission_rate_e9: 2_000_000_000,
            floor: 1_000_000,
            ceiling: 100_000_000,
            has_work: true,
            cap_room: 1_000_000_000_000,
            supply_room: None,
            value_cap: None,
        })
        .unwrap();
        assert_eq!(budget, 20_000_000);
        let cap = staker_cap(99_999, 100).unwrap();
        assert_eq!(cap, 999);
        let out = dn_pools(budget, 1_000, V1_SPLIT, [true; ROLES], cap).unwrap();
        assert_eq!(
            out.pools,
            [9_999_500, 999, 2_999_850, 999_950, 1_799_910, 199_990]
        );
        assert_eq!(out.withheld, 3_998_801);
        assert_eq!(out.minted, 16_001_199);
        assert_eq!(out.tip, 1_000);
        let (rev, rolled) = rev_pools(6_400_000, V1_SPLIT, [true; ROLES]).unwrap();
        assert_eq!(
            rev,
            [3_200_000, 1_280_000, 960_000, 320_000, 576_000, 64_000]
        );
        assert_eq!(rolled, 0);
    }

    /// Idle, floor, ceiling, cap and supply each bind in turn.
    #[test]
    fn budget_bounds() {
        let base = BudgetInput {
            revenue: 1_000,
            emission_rate_e9: 1_000_000_000,
            floor: 5_000,
            ceiling: 50_000,
            has_work: true,
            cap_room: u64::MAX,
            supply_room: None,
            value_cap: None,
        };
        assert_eq!(epoch_budget(&base), Ok(5_000), "floor");
        let idle = BudgetInput {
            has_work: false,
            ..base
        };
        assert_eq!(epoch_budget(&idle), Ok(0), "no work mints nothing");
        let spike = BudgetInput {
            revenue: 1_000_000,
            ..base
        };
        assert_eq!(epoch_budget(&spike), Ok(50_000), "ceiling");
        let capped = BudgetInput {
            cap_room: 7_000,
            ..spike
        };
        assert_eq!(epoch_budget(&capped), Ok(7_000), "global cap");
        let supply = BudgetInput {
            supply_room: Some(6_000),
            ..capped
        };
        assert_eq!(epoch_budget(&supply), Ok(6_000), "max supply");
        let huge = BudgetInput {
            revenue: u64::MAX,
            emission_rate_e9: u64::MAX,
            ceiling: u64::MAX,
            ..base
        };
        assert_eq!(epoch_budget(&huge), Ok(u64::MAX), "raw saturates");
        // §13: 1,000,000 revenue units at 0.25 DN each are worth 250,000 DN; a guard of
        // 5,000 bps allows 125,000, below the ceiling of 50,000,000 here.
        assert_eq!(
            emission_value_cap(1_000_000, 250_000_000, 5_000),
            Ok(125_000)
        );
        let guarded = BudgetInput {
            ceiling: 50_000_000,
            value_cap: Some(125_000),
            ..spike
        };
        assert_eq!(epoch_budget(&guarded), Ok(125_000), "value guard");
        // The guard goes below the floor (the floor is a subsidy too): 1,000 units at
        // 1 DN each, 3,000 bps: 300 < floor 5,000.
        let below = BudgetInput {
            value_cap: Some(emission_value_cap(1_000, 1_000_000_000, 3_000).unwrap()),
            ..base
        };
        assert_eq!(epoch_budget(&below), Ok(300), "guard below the floor");
        // The global cap still binds under a looser guard.
        let loose = BudgetInput {
            value_cap: Some(40_000),
            ..capped
        };
        assert_eq!(epoch_budget(&loose), Ok(7_000), "cap after guard");
        // Rounding: floor(3 * 0.333333333) = 0 DN of value, so nothing is allowed.
        assert_eq!(emission_value_cap(3, 333_333_333, 10_000), Ok(0));
        assert_eq!(emission_value_cap(10, 1_000_000_000, 3_333), Ok(3));
        assert_eq!(emission_value_cap(u64::MAX, u64::MAX, 65_535), Ok(u64::MAX));
        assert_eq!(room(10, 4), 6);
        assert_eq!(room(4, 10), 0);
    }

    /// §6: the five shares and the foundation's 100 make 10,000, no more, no less.
    #[test]
    fn a_split_is_whole_at_9900() {
        assert!(split_is_whole(V1_SPLIT));
        assert_eq!(roles_bps_sum(V1_SPLIT), 9_900);
        assert!(!split_is_whole([5_000, 2_000, 1_500, 500, 1_000]));
        assert!(!split_is_whole([5_000, 2_000, 1_500, 500, 899]));
        assert!(!split_is_whole([u16::MAX; 5]));
        assert_eq!(roles_bps_sum([u16::MAX; 5]), 5 * 65_535);
    }

    /// Each role is payable exactly when it has someone to pay.
    #[test]
    fn payable_roles_follow_who_can_be_paid() {
        assert_eq!(payable_roles(1, 1, 1, 1), [true; ROLES]);
        assert_eq!(
            payable_roles(0, 0, 0, 0),
            [false, false, false, true, false, true]
        );
        assert_eq!(
            payable_roles(5, 0, 0, 3),
            [true, false, false, true, true, true]
        );
        assert_eq!(
            payable_roles(0, 7, 2, 0),
            [false, true, true, true, false, true]
        );
    }

    /// Unpayable roles: their DN is withheld, their revenue rolls over.
    #[test]
    fn unpayable_roles() {
        let payable = [false, true, false, true, true, true];
        let out = dn_pools(10_000, 0, V1_SPLIT, payable, u64::MAX).unwrap();
        assert_eq!(out.pools, [0, 2_000, 0, 500, 900, 100]);
        assert_eq!(out.withheld, 6_500);
        assert_eq!(out.minted, 3_500);
        let (rev, rolled) = rev_pools(6_403, V1_SPLIT, payable).unwrap();
        // The v1 vector's epoch 2: 6,402 of payments plus 1 unit swept from epoch 0.
        assert_eq!(rev, [0, 1_280, 0, 320, 576, 66]);
        assert_eq!(rolled, 3_201 + 960);
        assert_eq!(payout(10, 1, 0), Ok(0));
        assert_eq!(payout(10, 2, 1), Err(MathError::Overflow));
        assert_eq!(
            split_roles(1, [5_000, 5_000, 1, 0, 0]),
            Err(MathError::InvalidBps)
        );
    }

    fn bps() -> impl Strategy<Value = [u16; 5]> {
        // Five cut points in [0, 9,900], sorted: their gaps sum to at most 9,900.
        prop::array::uniform5(0u16..=9_900).prop_map(|mut cuts| {
            cuts.sort_unstable();
            let mut prev = 0;
            cuts.map(|c| {
                let share = c - prev;
                prev = c;
                share
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// withheld + minted == budget; the pools sum to minted - tip; the budget stays
        /// within the cap's and the supply's room; the floor holds with work unless a cap
        /// binds; no work, no budget.
        #[test]
        fn budget_and_pools(revenue: u64, rate in 0u64..10_000_000_000, floor: u64,
                            ceiling: u64, has_work: bool, cap_room: u64,
                            supply_room: Option<u64>, tip_max: u64, split in bps(),
                            payable: [bool; 6], cap: u64, guard: Option<(u64, u16)>) {
            let value_cap = guard
                .map(|(price, bps)| emission_value_cap(revenue, price, bps).unwrap());
            let input = BudgetInput { revenue, emission_rate_e9: rate, floor, ceiling,
                                      has_work, cap_room, supply_room, value_cap };
            let budget = epoch_budget(&input).unwrap();
            prop_assert!(budget <= cap_room);
            if let Some(r) = supply_room { prop_assert!(budget <= r); }
            if !has_work { prop_assert_eq!(budget, 0); }
            if let Some(v) = value_cap { prop_assert!(budget <= v); }
            let limit = cap_room.min(supply_room.unwrap_or(u64::MAX)).min(ceiling)
                .min(value_cap.unwrap_or(u64::MAX));
            if has_work && floor <= ceiling { prop_assert!(budget >= floor.min(limit)); }
            let out = dn_pools(budget, tip_max, split, payable, cap).unwrap();
            prop_assert_eq!(out.withheld + out.minted, budget);
            let sum: u128 = out.pools.iter().map(|p| u128::from(*p)).sum();
            prop_assert_eq!(sum + u128::from(out.tip), u128::from(out.minted));
            prop_assert!(out.pools[STAKERS_ROLE] <= cap);
            for (p, ok) in out.pools.iter().zip(payable.iter()) {
                if !ok { prop_assert_eq!(*p, 0); }
            }
            let (rev, rolled) = rev_pools(revenue, split, payable).unwrap();
            let rsum: u128 = rev.iter().map(|p| u128::from(*p)).sum();
            prop_assert_eq!(rsum + u128::from(rolled), u128::from(revenue));
        }

        /// Payouts never exceed their pool, and the dust is below the number of
        /// recipients.
        #[test]
        fn payouts_within_pool(pool: u64, weights in prop::collection::vec(0u64..u64::MAX / 64, 1..50)) {
            let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
            let paid: u128 = weights.iter()
                .map(|w| u128::from(payout(pool, *w, total).unwrap()))
                .sum();
            if total > 0 {
                prop_assert!(paid <= u128::from(pool));
                prop_assert!(u128::from(pool) - paid < weights.len() as u128);
            } else {
                prop_assert_eq!(paid, 0);
            }
        }
    }
}
