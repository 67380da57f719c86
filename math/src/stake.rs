//! The stakers' reward-per-share accumulator (PROTOCOL.md §9 and §12).
//!
//! Each settled epoch adds `floor(pool * ACC_SCALE / active_stake)` to the domain's
//! accumulator; a position of `w` accrues `floor(w * (acc_now - acc_checkpoint) /
//! ACC_SCALE)` since its checkpoint. With `ACC_SCALE = 2^64`, above any u64 stake, one
//! epoch pays a position the §12 amount `floor(pool * w / active_stake)` or one unit
//! less, and never more; summed over positions, never more than the pool.
//!
//! The accumulator wraps (modulo 2^128) and differences are taken with wrapping
//! subtraction, as Uniswap v3's fee growth does, so advancing it can never fail and
//! never stalls settlement, even with a dust active stake and a large pool. A difference
//! is exact as long as the true growth between a checkpoint and now is below 2^128,
//! which holds for every position that earned anything: a weight `w >= 1` that earned
//! over that span received `w * growth / 2^64` units, at most every pool paid in that
//! span, which is below 2^64.

use crate::MathError;

/// Scale of the accumulator: `2^64`, so `w / ACC_SCALE < 1` for every u64 stake and the
/// rounding of an increment costs a position less than one unit per epoch.
pub const ACC_SCALE: u128 = 1u128 << 64;

/// Accumulator increment for an epoch whose stakers' pool is `pool`, shared by
/// `active_stake`: `floor(pool * 2^64 / active_stake)`. Zero stake is an error: a pool
/// with nobody to pay is withheld or rolled over by the caller, never accumulated.
pub fn acc_increment(pool: u64, active_stake: u64) -> Result<u128, MathError> {
    if active_stake == 0 {
        return Err(MathError::DivisionByZero);
    }
    // pool < 2^64, so pool * 2^64 < 2^128: the shift cannot overflow.
    let scaled = u128::from(pool)
        .checked_mul(ACC_SCALE)
        .ok_or(MathError::Overflow)?;
    scaled
        .checked_div(u128::from(active_stake))
        .ok_or(MathError::DivisionByZero)
}

/// Advances an accumulator by one epoch's increment, wrapping modulo 2^128 (see the
/// module's documentation): it fails only when `active_stake` is zero.
pub fn acc_advance(acc: u128, pool: u64, active_stake: u64) -> Result<u128, MathError> {
    Ok(acc.wrapping_add(acc_increment(pool, active_stake)?))
}

/// How much of an epoch's stakers' `pool` the positions can ever accrue, carried
/// exactly across epochs: the increment `inc = floor(pool * 2^64 / active_stake)` pays
/// the positions together at most `active_stake * inc / 2^64` (a real number just below
/// the pool), and a position holding across epochs may collect the fractions of several
/// epochs at once. So each epoch funds the whole units of that real amount plus the
/// fraction carried from earlier epochs (`carry`, in units of 2^-64), and carries the new
/// fraction on. Summed over epochs, what is funded is `floor(sum of active * inc / 2^64)`,
/// which bounds every sum of claims; the rest of each pool (below one unit) is dust for
/// the sweep. Returns `(funded, carry)`.
pub fn acc_fund(pool: u64, active_stake: u64, carry: u64) -> Result<(u64, u64), MathError> {
    let inc = acc_increment(pool, active_stake)?;
    // active * inc <= pool * 2^64 < 2^128; adding a carry below 2^64 stays below 2^128.
    let exact = u128::from(active_stake)
        .checked_mul(inc)
        .and_then(|v| v.checked_add(u128::from(carry)))
        .ok_or(MathError::Overflow)?;
    let funded = u64::try_from(exact.checked_shr(64).ok_or(MathError::Overflow)?)
        .map_err(|_| MathError::Overflow)?;
    let mask = ACC_SCALE.checked_sub(1).ok_or(MathError::Overflow)?;
    let carry = u64::try_from(exact & mask).map_err(|_| MathError::Overflow)?;
    Ok((funded, carry))
}

/// What a position of `weight` earned between accumulator values `from` and `to`:
/// `floor(weight * (to - from) / 2^64)` with the difference taken modulo 2^128, rounded
/// down, computed exactly without a 256-bit product by splitting the difference into
/// its high and low 64 bits. Fails only when the result exceeds u64.
pub fn accrued(weight: u64, from: u128, to: u128) -> Result<u64, MathError> {
    accrued_frac(weight, from, to).map(|(units, _)| units)
}

/// [`accrued`] with the fraction of a unit it rounded away, in units of 2^-64:
/// `weight * (to - from) = units * 2^64 + fraction`, exactly.
pub fn accrued_frac(weight: u64, from: u128, to: u128) -> Result<(u64, u64), MathError> {
    let delta = to.wrapping_sub(from);
    let high = delta.checked_shr(64).ok_or(MathError::Overflow)?;
    let low = delta & (ACC_SCALE.checked_sub(1).ok_or(MathError::Overflow)?);
    let w = u128::from(weight);
    // weight * high: both below 2^64, so the product fits u128.
    let whole = w.checked_mul(high).ok_or(MathError::Overflow)?;
    let low_product = w.checked_mul(low).ok_or(MathError::Overflow)?;
    let part = low_product.checked_shr(64).ok_or(MathError::Overflow)?;
    let fraction =
        u64::try_from(low_product & (ACC_SCALE.checked_sub(1).ok_or(MathError::Overflow)?))
            .map_err(|_| MathError::Overflow)?;
    let total = whole.checked_add(part).ok_or(MathError::Overflow)?;
    Ok((
        u64::try_from(total).map_err(|_| MathError::Overflow)?,
        fraction,
    ))
}

#[cfg(test)]
// Test oracles compute exact values in u128 where they cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_epoch_examples() {
        let inc = acc_increment(1_000, 3).unwrap();
        // 1000/3 = 333.33: each of three equal stakers gets 333, one unit of dust left.
        assert_eq!(accrued(1, 0, inc).unwrap(), 333);
        assert_eq!(accrued(3, 0, inc).unwrap(), 999);
        assert_eq!(acc_increment(5, 0), Err(MathError::DivisionByZero));
        assert_eq!(accrued(u64::MAX, 0, ACC_SCALE).unwrap(), u64::MAX);
        assert_eq!(
            accrued(u64::MAX, 0, ACC_SCALE * 2),
            Err(MathError::Overflow)
        );
        // The largest single increment (pool = u64::MAX over stake 1) fits u128.
        assert_eq!(acc_increment(u64::MAX, 1), Ok(u128::from(u64::MAX) << 64));
    }

    /// The fraction is exactly what the floor dropped: one epoch's 1,000 over 3 of stake
    /// pays one unit of weight 333 and 1/3 of a unit (in 2^-64) besides.
    #[test]
    fn the_fraction_is_what_the_floor_drops() {
        let inc = acc_increment(1_000, 3).unwrap();
        let (units, frac) = accrued_frac(1, 0, inc).unwrap();
        assert_eq!(units, 333);
        assert_eq!(u128::from(units) * ACC_SCALE + u128::from(frac), inc);
        let (units, frac) = accrued_frac(2, 0, inc).unwrap();
        assert_eq!(u128::from(units) * ACC_SCALE + u128::from(frac), 2 * inc);
        assert_eq!(accrued_frac(0, 0, inc), Ok((0, 0)));
    }

    /// A dust active stake and the largest pools, epoch after epoch: the accumulator
    /// wraps instead of failing, and the differences stay exact across the wrap.
    #[test]
    fn accumulator_never_stalls() {
        let mut acc: u128 = u128::MAX - 5;
        for _ in 0..3 {
            let before = acc;
            acc = acc_advance(acc, u64::MAX, 1).unwrap();
            // One epoch's share for the sole staker of weight 1 is the whole pool.
            assert_eq!(accrued(1, before, acc), Ok(u64::MAX));
        }
        // Growth that wrapped past 2^128 is still measured exactly: 7 units of pool
        // over 2 of stake from just below the wrap point pay the whole stake 7 and
        // half of it 3 (3.5 rounded down).
        let start = u128::MAX - 1;
        let end = acc_advance(start, 7, 2).unwrap();
        assert!(end < start);
        assert_eq!(accrued(2, start, end), Ok(7));
        assert_eq!(accrued(1, start, end), Ok(3));
    }

    /// The v1 vector's epoch 1: a staker pool of 1,100 over 110,000 active stake pays
    /// dave (10,001) 100 and v2 (39,998) 399, as the expected output says.
    #[test]
    fn v1_vector_staker_payouts() {
        // What the accumulator can pay: epoch 0 funds 998 of 999 (a fraction just below
        // one unit is carried); epoch 1's 1,100 plus that fraction funds all 1,100.
        let (funded0, carry0) = acc_fund(999, 99_999, 0).unwrap();
        assert_eq!(funded0, 998);
        assert_eq!(acc_fund(1_100, 110_000, carry0).unwrap().0, 1_100);
        assert_eq!(acc_fund(1_280_000, 99_999, 0).unwrap().0, 1_279_999);
        let inc = acc_increment(1_100, 110_000).unwrap();
        assert_eq!(accrued(10_001, 0, inc).unwrap(), 100);
        assert_eq!(accrued(39_998, 0, inc).unwrap(), 399);
    }

    /// Exact value of `weight * (to - from) / 2^64`, via a 256-bit product in two halves.
    fn exact_floor(weight: u64, delta: u128) -> u128 {
        let w = u128::from(weight);
        (w * (delta >> 64)) + ((w * (delta & (ACC_SCALE - 1))) >> 64)
    }

    /// One epoch: a list of stakes and a pool.
    fn epoch() -> impl Strategy<Value = (u64, Vec<u64>)> {
        (
            any::<u64>(),
            prop::collection::vec(1u64..=u64::MAX / 64, 1..8),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// `accrued` is the exact floor for any weight and difference that fit, from any
        /// starting point (the difference wraps modulo 2^128).
        #[test]
        fn accrued_is_exact(weight: u64, delta in 0u128..(u128::MAX / 2), from: u128) {
            let expected = exact_floor(weight, delta);
            match accrued(weight, from, from.wrapping_add(delta)) {
                Ok(v) => prop_assert_eq!(u128::from(v), expected),
                Err(e) => {
                    prop_assert_eq!(e, MathError::Overflow);
                    prop_assert!(expected > u128::from(u64::MAX));
                }
            }
        }

        /// One epoch (§12): each staker gets `floor(pool * w / total)` or one unit less,
        /// never more, and the stakers together never get more than the pool.
        #[test]
        fn one_epoch_within_one_unit((pool, stakes) in epoch()) {
            let total: u64 = stakes.iter().sum();
            let inc = acc_increment(pool, total).unwrap();
            let mut paid: u128 = 0;
            for w in &stakes {
                let got = accrued(*w, 0, inc).unwrap();
                let rule = (u128::from(pool) * u128::from(*w) / u128::from(total)) as u64;
                prop_assert!(got <= rule);
                prop_assert!(got + 1 >= rule);
                paid += u128::from(got);
            }
            prop_assert!(paid <= u128::from(pool));
        }

        /// Many epochs with stake changes between them: a claim at any point pays a
        /// staker at most the exact pro-rata value of every epoch it was active in (never
        /// more than the rule), at least the per-epoch §12 payouts minus one unit per
        /// epoch, and all stakers together never more than the pools.
        #[test]
        fn many_epochs_bounds(
            epochs in prop::collection::vec(
                (0u64..1_000_000_000, prop::collection::vec(0u64..1_000_000, 3)),
                1..40),
        ) {
            // Three stakers; each epoch gives everybody's active stake for that epoch.
            let mut acc: u128 = 0;
            let (mut funded, mut carry) = (0u128, 0u64);
            let mut checkpoint = [0u128; 3];
            let mut weight = [0u64; 3];
            let mut owed = [0u128; 3];
            // The rule per epoch (sum of floors) and the exact pro-rata value scaled by
            // 2^64 (sum of floors of the scaled quotients, itself at most the exact sum).
            let mut rule_floor = [0u128; 3];
            let mut exact_scaled = [0u128; 3];
            let mut pools: u128 = 0;
            for (pool, stakes) in &epochs {
                // Stake changes take effect at the boundary: checkpoint, then reweight.
                for i in 0..3 {
                    owed[i] += u128::from(accrued(weight[i], checkpoint[i], acc).unwrap());
                    checkpoint[i] = acc;
                    weight[i] = stakes[i];
                }
                let total: u64 = weight.iter().sum();
                if total == 0 {
                    continue; // nobody to pay: withheld, not accumulated
                }
                acc = acc_advance(acc, *pool, total).unwrap();
                let (f, c) = acc_fund(*pool, total, carry).unwrap();
                funded += u128::from(f);
                carry = c;
                pools += u128::from(*pool);
                for i in 0..3 {
                    let num = u128::from(*pool) * u128::from(weight[i]);
                    rule_floor[i] += num / u128::from(total);
                    // num < 2^50 here, so num * 2^64 fits u128.
                    exact_scaled[i] += num * ACC_SCALE / u128::from(total);
                }
            }
            let mut paid: u128 = 0;
            for i in 0..3 {
                owed[i] += u128::from(accrued(weight[i], checkpoint[i], acc).unwrap());
                let epochs_count = epochs.len() as u128;
                prop_assert!(owed[i] * ACC_SCALE <= exact_scaled[i]);
                prop_assert!(owed[i] + epochs_count >= rule_floor[i]);
                paid += owed[i];
            }
            prop_assert!(paid <= pools);
            // What settlement funds covers every claim, and never exceeds the pools.
            prop_assert!(paid <= funded && funded <= pools);
        }

        /// E5: splitting a stake into k positions gains less than k base units over one
        /// epoch, and never gains over the unsplit position by more than k - 1.
        #[test]
        fn splitting_gains_less_than_k(pool: u64, other in 1u64..u64::MAX / 4, parts in prop::collection::vec(1u64..u64::MAX / 64, 1..10)) {
            let whole: u64 = parts.iter().sum();
            let total = whole + other;
            let inc = acc_increment(pool, total).unwrap();
            let unsplit = u128::from(accrued(whole, 0, inc).unwrap());
            let split: u128 = parts.iter().map(|w| u128::from(accrued(*w, 0, inc).unwrap())).sum();
            let k = parts.len() as u128;
            prop_assert!(split < unsplit + k);
            prop_assert!(split <= unsplit);
        }
    }
}
