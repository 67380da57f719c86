//! Offset emissions (PROTOCOL.md §14, §8): part of an epoch's revenue-reward pool becomes
//! stock in the domain's auction, the DN buyers pay for it accumulates in the domain's
//! offset reserve, and settlement pays the roles from that reserve before minting.
//!
//! Rounding: the offset stock is floored (the roles keep the rest); a purchase takes
//! `floor(q * offset_available / available)` of the offset stock and the rest of the
//! buyback stock, and its DN goes `floor(cost * offset_part / q)` to the reserve, the rest
//! burned. Both splits are exact (the parts add up to the whole), so nothing is created or
//! lost over any sequence of purchases, and the offset stock left never exceeds what is
//! left for sale.

use crate::{mul_div_floor, MathError, BPS_DENOMINATOR};

/// The offset stock of an epoch whose revenue-reward pool is `pool`:
/// `floor(pool * offset_bps / 10000)`.
pub fn offset_stock(pool: u64, offset_bps: u16) -> Result<u64, MathError> {
    if u64::from(offset_bps) > BPS_DENOMINATOR {
        return Err(MathError::InvalidBps);
    }
    mul_div_floor(pool, u64::from(offset_bps), BPS_DENOMINATOR)
}

/// How one purchase divides between the two stocks and where its DN goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PurchaseSplit {
    /// Units of offset stock bought.
    pub offset_quantity: u64,
    /// Units of buyback stock bought (`quantity - offset_quantity`).
    pub buyback_quantity: u64,
    /// DN paid into the offset reserve.
    pub reserve_dn: u64,
    /// DN burned (`cost - reserve_dn`).
    pub burned_dn: u64,
}

/// Splits a purchase of `quantity` out of `available` units for sale, of which
/// `offset_available` are offset stock, that costs `cost` DN: the offset part is
/// `floor(quantity * offset_available / available)`, its DN `floor(cost * offset_part /
/// quantity)`. Needs `0 < quantity <= available` and `offset_available <= available`.
pub fn split_purchase(
    quantity: u64,
    available: u64,
    offset_available: u64,
    cost: u64,
) -> Result<PurchaseSplit, MathError> {
    if quantity == 0 || quantity > available || offset_available > available {
        return Err(MathError::Overflow);
    }
    let offset_quantity = mul_div_floor(quantity, offset_available, available)?;
    let buyback_quantity = quantity
        .checked_sub(offset_quantity)
        .ok_or(MathError::Overflow)?;
    let reserve_dn = mul_div_floor(cost, offset_quantity, quantity)?;
    let burned_dn = cost.checked_sub(reserve_dn).ok_or(MathError::Overflow)?;
    Ok(PurchaseSplit {
        offset_quantity,
        buyback_quantity,
        reserve_dn,
        burned_dn,
    })
}

/// What settlement takes from the offset reserve holding `reserve` for a DN payout of
/// `due` (`budget - withheld`, the tip included), and what it mints:
/// `(min(reserve, due), due - that)`.
pub fn reserve_payout(reserve: u64, due: u64) -> (u64, u64) {
    let from_reserve = reserve.min(due);
    (from_reserve, due.saturating_sub(from_reserve))
}

#[cfg(test)]
// Test oracles compute exact values in u128 where they cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn offset_stock_floors_its_share_of_the_pool() {
        assert_eq!(offset_stock(1_000_001, 5_000), Ok(500_000));
        assert_eq!(offset_stock(999, 3_333), Ok(332));
        assert_eq!(offset_stock(7, 0), Ok(0));
        assert_eq!(offset_stock(7, 10_000), Ok(7));
        assert_eq!(offset_stock(u64::MAX, 10_000), Ok(u64::MAX));
        assert_eq!(offset_stock(1, 10_001), Err(MathError::InvalidBps));
    }

    #[test]
    fn purchases_split_in_proportion_with_the_rounding_stated() {
        // 7 of 10 for sale are offset stock; 3 bought for 100 DN: floor(3 * 7 / 10) = 2
        // offset units, floor(100 * 2 / 3) = 66 DN to the reserve, 34 burned.
        assert_eq!(
            split_purchase(3, 10, 7, 100),
            Ok(PurchaseSplit {
                offset_quantity: 2,
                buyback_quantity: 1,
                reserve_dn: 66,
                burned_dn: 34
            })
        );
        // Only buyback stock: all burned; only offset stock: all to the reserve.
        assert_eq!(split_purchase(5, 9, 0, 11).map(|s| s.burned_dn), Ok(11));
        assert_eq!(split_purchase(5, 9, 9, 11).map(|s| s.reserve_dn), Ok(11));
        // Everything for sale takes all the offset stock.
        assert_eq!(
            split_purchase(9, 9, 4, 13).map(|s| s.offset_quantity),
            Ok(4)
        );
        assert_eq!(split_purchase(0, 9, 4, 13), Err(MathError::Overflow));
        assert_eq!(split_purchase(10, 9, 4, 13), Err(MathError::Overflow));
        assert_eq!(split_purchase(1, 9, 10, 13), Err(MathError::Overflow));
    }

    #[test]
    fn the_reserve_pays_first_and_the_rest_is_minted() {
        assert_eq!(reserve_payout(0, 500), (0, 500));
        assert_eq!(reserve_payout(200, 500), (200, 300));
        assert_eq!(reserve_payout(500, 500), (500, 0));
        assert_eq!(reserve_payout(900, 500), (500, 0));
        assert_eq!(reserve_payout(900, 0), (0, 0));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// Over any sequence of purchases, the parts of each add up to the whole (no unit
        /// or DN created or lost), the offset stock left never exceeds what is for sale,
        /// and buying everything leaves no offset stock.
        #[test]
        fn purchase_sequences_conserve_units_and_dn(
            available in 1u64..1_000_000_000,
            offset_share in 0u64..=10_000,
            buys in prop::collection::vec((1u64..=10_000, 1u64..5_000_000_000), 1..20),
        ) {
            let mut left = available;
            let mut offset_left = mul_div_floor(available, offset_share, 10_000).unwrap();
            let (mut reserve, mut burned, mut paid) = (0u128, 0u128, 0u128);
            for (per_10k, price) in buys {
                if left == 0 {
                    break;
                }
                let q = (u128::from(left) * u128::from(per_10k) / 10_000).max(1) as u64;
                let cost = (u128::from(q) * u128::from(price)).div_ceil(1_000_000_000) as u64;
                let s = split_purchase(q, left, offset_left, cost).unwrap();
                prop_assert_eq!(s.offset_quantity + s.buyback_quantity, q);
                prop_assert_eq!(s.reserve_dn + s.burned_dn, cost);
                prop_assert!(s.offset_quantity <= offset_left);
                // In proportion, floored: the exact share minus less than one unit.
                let exact = u128::from(q) * u128::from(offset_left);
                prop_assert!(u128::from(s.offset_quantity) * u128::from(left) <= exact);
                prop_assert!(exact < (u128::from(s.offset_quantity) + 1) * u128::from(left));
                left -= q;
                offset_left -= s.offset_quantity;
                prop_assert!(offset_left <= left);
                reserve += u128::from(s.reserve_dn);
                burned += u128::from(s.burned_dn);
                paid += u128::from(cost);
            }
            prop_assert_eq!(reserve + burned, paid);
            if left == 0 {
                prop_assert_eq!(offset_left, 0);
            }
        }

        /// The reserve never pays more than it holds or than is due, and what it pays
        /// plus what is minted is exactly what is due.
        #[test]
        fn reserve_and_mint_make_the_payout(reserve in any::<u64>(), due in any::<u64>()) {
            let (from_reserve, minted) = reserve_payout(reserve, due);
            prop_assert!(from_reserve <= reserve && from_reserve <= due);
            prop_assert_eq!(u128::from(from_reserve) + u128::from(minted), u128::from(due));
        }
    }
}
