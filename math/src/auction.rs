//! The descending-price buyback auction of PROTOCOL.md §8 and §12.
//!
//! Prices are DN base units per revenue base unit, scaled by [`PRICE_SCALE`] (1e9).

use crate::fixed::{mul_div_ceil, mul_div_floor, PRICE_SCALE};
use crate::MathError;

/// Current price: linear from `start_e9` at `elapsed = 0` to `floor_e9` at
/// `elapsed >= duration`, then flat at the floor. The decayed amount is floored, so the
/// price is rounded up (in the protocol's favour). A start at or below the floor, or a
/// zero duration, gives the floor.
pub fn auction_price(
    start_e9: u64,
    floor_e9: u64,
    elapsed: u64,
    duration: u64,
) -> Result<u64, MathError> {
    if start_e9 <= floor_e9 || duration == 0 || elapsed >= duration {
        return Ok(floor_e9);
    }
    let span = start_e9.checked_sub(floor_e9).ok_or(MathError::Overflow)?;
    let decayed = mul_div_floor(span, elapsed, duration)?;
    start_e9.checked_sub(decayed).ok_or(MathError::Overflow)
}

/// DN owed for `quantity` revenue units at `price_e9`: `ceil(quantity * price / 1e9)`,
/// so rounding never favours the buyer.
pub fn auction_cost(quantity: u64, price_e9: u64) -> Result<u64, MathError> {
    mul_div_ceil(quantity, price_e9, PRICE_SCALE)
}

/// Start price after a sale at `clearing_e9`: twice the clearing price, saturating at
/// `u64::MAX` (a price that high simply decays for longer; it cannot wrap).
pub fn restart_price(clearing_e9: u64) -> u64 {
    clearing_e9.saturating_mul(2)
}

/// Whether a purchase of `quantity` out of the `available` units for sale restarts the
/// auction (§8): only when it buys at least half of them (`2 * quantity >= available`),
/// so that dust purchases cannot hold the price up.
pub fn restarts_auction(quantity: u64, available: u64) -> Result<bool, MathError> {
    let doubled = u128::from(quantity)
        .checked_mul(2)
        .ok_or(MathError::Overflow)?;
    Ok(doubled >= u128::from(available))
}

#[cfg(test)]
// Test oracles compute exact values in u128 where they cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn restart_needs_half_the_vault() {
        assert_eq!(restarts_auction(1, 1_000), Ok(false));
        assert_eq!(restarts_auction(499, 1_000), Ok(false));
        assert_eq!(restarts_auction(500, 1_000), Ok(true));
        assert_eq!(restarts_auction(1_000, 1_000), Ok(true));
        // Odd balances: 3 of 7 is below half, 4 of 7 above.
        assert_eq!(restarts_auction(3, 7), Ok(false));
        assert_eq!(restarts_auction(4, 7), Ok(true));
        assert_eq!(restarts_auction(u64::MAX, u64::MAX), Ok(true));
        assert_eq!(restarts_auction(u64::MAX / 2, u64::MAX), Ok(false));
    }

    #[test]
    fn linear_decay_examples() {
        assert_eq!(auction_price(1_000, 100, 0, 900), Ok(1_000));
        assert_eq!(auction_price(1_000, 100, 450, 900), Ok(550));
        assert_eq!(auction_price(1_000, 100, 900, 900), Ok(100));
        assert_eq!(auction_price(1_000, 100, 10_000, 900), Ok(100));
        // 900 * 1 / 7 = 128.57: decay floors to 128, price rounds up to 872.
        assert_eq!(auction_price(1_000, 100, 1, 7), Ok(872));
        assert_eq!(auction_price(50, 100, 0, 900), Ok(100));
        assert_eq!(auction_cost(3, 333_333_333), Ok(1));
        assert_eq!(auction_cost(1_000_000, 1_500_000_000), Ok(1_500_000));
        assert_eq!(auction_cost(1, 1), Ok(1));
        assert_eq!(restart_price(7), 14);
        assert_eq!(restart_price(u64::MAX), u64::MAX);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// The price never rises as time passes.
        #[test]
        fn monotone_non_increasing(start: u64, floor: u64, t1: u64, dt: u64, duration: u64) {
            let t2 = t1.saturating_add(dt);
            let p1 = auction_price(start, floor, t1, duration).unwrap();
            let p2 = auction_price(start, floor, t2, duration).unwrap();
            prop_assert!(p2 <= p1);
        }

        /// The price stays within [floor, max(start, floor)].
        #[test]
        fn within_floor_and_start(start: u64, floor: u64, t: u64, duration: u64) {
            let p = auction_price(start, floor, t, duration).unwrap();
            prop_assert!(p >= floor);
            prop_assert!(p <= start.max(floor));
        }

        /// The buyer pays at least the exact value `q * p / 1e9`, and less than one unit more.
        #[test]
        fn cost_rounds_up(q: u64, p: u64) {
            let exact = u128::from(q) * u128::from(p);
            match auction_cost(q, p) {
                Ok(c) => {
                    prop_assert!(u128::from(c) * 1_000_000_000 >= exact);
                    prop_assert!(u128::from(c) * 1_000_000_000 < exact + 1_000_000_000);
                }
                Err(e) => {
                    prop_assert_eq!(e, MathError::Overflow);
                    prop_assert!(exact / 1_000_000_000 >= u128::from(u64::MAX));
                }
            }
        }

        /// Any positive quantity at a positive price costs at least one DN base unit.
        #[test]
        fn never_free(q in 1u64.., p in 1u64..) {
            if let Ok(c) = auction_cost(q, p) { prop_assert!(c >= 1); }
        }
    }
}
