//! The payment split of PROTOCOL.md §4 and §12.

use crate::fixed::{mul_div_floor, BPS_DENOMINATOR};
use crate::MathError;

/// The fixed buyback-and-burn share: 1% of every payment.
pub const BUYBACK_BPS: u16 = 100;

/// Smallest payment accepted: below it the 1% buyback share would floor to zero, so a
/// payer could split a payment into dust to dodge the burn (SECURITY.md E3).
pub const MIN_PAYMENT: u64 = BPS_DENOMINATOR / BUYBACK_BPS as u64;

/// The four parts of one payment; they always sum to the amount split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PaymentSplit {
    /// Model owner's share, `floor(A * x / 10000)`.
    pub owner: u64,
    /// Fee share for the domain's fee authority, `floor(A * y / 10000)`.
    pub fee: u64,
    /// Buyback-and-burn share, `floor(A * 100 / 10000)`.
    pub buyback: u64,
    /// Emission-pool share: the remainder, so the parts sum to `A` exactly.
    pub pool: u64,
}

impl PaymentSplit {
    /// Sum of the four parts (checked).
    pub fn total(&self) -> Result<u64, MathError> {
        self.owner
            .checked_add(self.fee)
            .and_then(|s| s.checked_add(self.buyback))
            .and_then(|s| s.checked_add(self.pool))
            .ok_or(MathError::Overflow)
    }
}

/// Whether a model owner's share `owner_bps` (x), a fee `fee_bps` (y) and the 1% buyback
/// fit one payment (§4: `x + y + 100 <= 10000`), so that the pool's share is not negative.
pub fn shares_fit(owner_bps: u16, fee_bps: u16) -> bool {
    // Three u16 cannot overflow a u64.
    u64::from(owner_bps)
        .saturating_add(u64::from(fee_bps))
        .saturating_add(u64::from(BUYBACK_BPS))
        <= BPS_DENOMINATOR
}

/// Splits `amount` (what the vault actually received) by the model owner's share
/// `owner_bps` (x) and the domain's fee `fee_bps` (y). Each share floors; the pool takes
/// the remainder (at most 3 units of rounding), so the protocol never pays out more than
/// it received. Errors when `x + y + 100 > 10000`.
pub fn split_payment(amount: u64, owner_bps: u16, fee_bps: u16) -> Result<PaymentSplit, MathError> {
    if !shares_fit(owner_bps, fee_bps) {
        return Err(MathError::InvalidBps);
    }
    let owner = mul_div_floor(amount, u64::from(owner_bps), BPS_DENOMINATOR)?;
    let fee = mul_div_floor(amount, u64::from(fee_bps), BPS_DENOMINATOR)?;
    let buyback = mul_div_floor(amount, u64::from(BUYBACK_BPS), BPS_DENOMINATOR)?;
    let pool = amount
        .checked_sub(owner)
        .and_then(|r| r.checked_sub(fee))
        .and_then(|r| r.checked_sub(buyback))
        .ok_or(MathError::Overflow)?;
    Ok(PaymentSplit {
        owner,
        fee,
        buyback,
        pool,
    })
}

#[cfg(test)]
// Test oracles compute exact values in u128 where they cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_example_from_the_vectors() {
        // v1-basic: 10,000,000 at x = 2500, y = 1000.
        let s = split_payment(10_000_000, 2500, 1000).unwrap();
        assert_eq!(
            s,
            PaymentSplit {
                owner: 2_500_000,
                fee: 1_000_000,
                buyback: 100_000,
                pool: 6_400_000
            }
        );
        // 333,333: every share floors and the pool absorbs the dust.
        let s = split_payment(333_333, 2500, 1000).unwrap();
        assert_eq!(
            (s.owner, s.fee, s.buyback, s.pool),
            (83_333, 33_333, 3_333, 213_334)
        );
    }

    /// The three payments of shared/spec/vectors/v1-basic.json (x = 2500, y = 1000) add up
    /// to the vector's lifetime totals: fees 1,034,332, model revenue 2,585,832, buyback
    /// vault 103,432.
    #[test]
    fn payments_of_the_v1_vector_match_its_totals() {
        let parts: Vec<PaymentSplit> = [10_000_000u64, 333_333, 9_999]
            .iter()
            .map(|a| split_payment(*a, 2500, 1000).unwrap())
            .collect();
        let fees: u64 = parts.iter().map(|s| s.fee).sum();
        let owner: u64 = parts.iter().map(|s| s.owner).sum();
        let buyback: u64 = parts.iter().map(|s| s.buyback).sum();
        assert_eq!((fees, owner, buyback), (1_034_332, 2_585_832, 103_432));
    }

    /// `x + y + 100 <= 10000`, exactly at the boundary, and no wrap at the largest values.
    #[test]
    fn shares_fit_up_to_the_whole() {
        assert!(shares_fit(9_000, 900));
        assert!(!shares_fit(9_000, 901));
        assert!(!shares_fit(901, 9_000));
        assert!(shares_fit(0, 0));
        assert!(!shares_fit(u16::MAX, u16::MAX));
    }

    #[test]
    fn refuses_shares_above_the_whole() {
        assert_eq!(split_payment(1_000, 9_000, 901), Err(MathError::InvalidBps));
        assert!(split_payment(1_000, 9_000, 900).is_ok());
        assert_eq!(MIN_PAYMENT, 100);
        assert_eq!(split_payment(MIN_PAYMENT, 0, 0).unwrap().buyback, 1);
    }

    fn valid_shares() -> impl Strategy<Value = (u16, u16)> {
        (0u16..=9_900).prop_flat_map(|x| (Just(x), 0u16..=(9_900 - x)))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// Invariant 1: the four parts sum to the amount, always.
        #[test]
        fn parts_sum_to_the_amount(amount: u64, (x, y) in valid_shares()) {
            let s = split_payment(amount, x, y).unwrap();
            prop_assert_eq!(s.total().unwrap(), amount);
        }

        /// Each share is the floor of its exact value; the pool's rounding gain is below 3 units.
        #[test]
        fn each_share_floors(amount: u64, (x, y) in valid_shares()) {
            let s = split_payment(amount, x, y).unwrap();
            let a = u128::from(amount);
            for (part, bps) in [(s.owner, x), (s.fee, y), (s.buyback, BUYBACK_BPS)] {
                let exact_times = a * u128::from(bps);
                prop_assert!(u128::from(part) * 10_000 <= exact_times);
                prop_assert!((u128::from(part) + 1) * 10_000 > exact_times);
            }
            let z = 10_000 - u128::from(x) - u128::from(y) - 100;
            let pool_exact_floor = a * z / 10_000;
            prop_assert!(u128::from(s.pool) >= pool_exact_floor);
            prop_assert!(u128::from(s.pool) <= pool_exact_floor + 3);
        }

        /// x is the model's fixed share: the owner part depends on x and A only, never on y.
        #[test]
        fn owner_share_ignores_the_fee(amount: u64, x in 0u16..=4_900, y1 in 0u16..=5_000, y2 in 0u16..=5_000) {
            let a = split_payment(amount, x, y1).unwrap();
            let b = split_payment(amount, x, y2).unwrap();
            prop_assert_eq!(a.owner, b.owner);
            prop_assert_eq!(a.buyback, b.buyback);
        }

        /// Payments of at least MIN_PAYMENT always burn something.
        #[test]
        fn minimum_payment_always_burns(amount in MIN_PAYMENT.., (x, y) in valid_shares()) {
            prop_assert!(split_payment(amount, x, y).unwrap().buyback >= 1);
        }
    }
}
