//! §13's guard price (PROTOCOL.md §13, amended): what one revenue unit is worth in DN
//! when an epoch's emissions are capped by their value, read from the domain's own
//! buyback auction without letting a single purchase move it.
//!
//! Each epoch's clearing price is volume-weighted over the purchases made while it was
//! open, and counts only if they bought at least half of the stock the previous epoch
//! added to the auction (a threshold set by revenue, not by whoever collects or buys).
//! The guard price of epoch `e` is the least counted price of the last `window` epochs up
//! to `e`; with none counted in that window it stays where it was.

use crate::{MathError, PRICE_SCALE};

/// Most epochs a guard window may span (a governance bound at most this).
pub const MAX_GUARD_EPOCHS: u16 = 16;

/// The volume-weighted clearing price of an epoch's purchases, DN per revenue unit
/// times 1e9: `floor(dn_paid * 1e9 / quantity)`, saturating at `u64::MAX`; `None` when
/// nothing was bought.
pub fn clearing_price(dn_paid: u128, quantity: u128) -> Result<Option<u64>, MathError> {
    if quantity == 0 {
        return Ok(None);
    }
    let scaled = dn_paid
        .checked_mul(u128::from(PRICE_SCALE))
        .ok_or(MathError::Overflow)?;
    let price = scaled
        .checked_div(quantity)
        .ok_or(MathError::DivisionByZero)?;
    Ok(Some(u64::try_from(price).unwrap_or(u64::MAX)))
}

/// Whether an epoch's purchases of `quantity` revenue units count toward the guard
/// price: the previous epoch added stock (`previous_stock > 0`) and they bought at least
/// half of it (`2 * quantity >= previous_stock`).
pub fn purchases_count(quantity: u128, previous_stock: u64) -> bool {
    previous_stock > 0
        && quantity
            .checked_mul(2)
            .is_none_or(|twice| twice >= u128::from(previous_stock))
}

/// The guard price of epoch `epoch`: the least of the `counted` prices `(epoch, price)`
/// whose epoch lies in the last `window` epochs up to `epoch` (`epoch - window <
/// counted_epoch <= epoch`); `carried` (the previous epoch's guard price) when none does.
/// A window of 0 is taken as 1.
pub fn guard_price(
    counted: impl IntoIterator<Item = (u64, u64)>,
    epoch: u64,
    window: u16,
    carried: u64,
) -> u64 {
    let window = u64::from(window.max(1));
    counted
        .into_iter()
        .filter(|(e, _)| *e <= epoch && epoch.saturating_sub(*e) < window)
        .map(|(_, price)| price)
        .min()
        .unwrap_or(carried)
}

#[cfg(test)]
// Test oracles compute exact values in u128 where they cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn clearing_prices_are_volume_weighted_and_floored() {
        // 1,000 units for 2,000 DN, then 3,000 for 3,000: 5,000 DN for 4,000 units.
        assert_eq!(clearing_price(5_000, 4_000), Ok(Some(1_250_000_000)));
        assert_eq!(clearing_price(1, 3), Ok(Some(333_333_333)));
        assert_eq!(clearing_price(7, 0), Ok(None));
        assert_eq!(clearing_price(u128::MAX, 1), Err(MathError::Overflow));
        assert_eq!(clearing_price(u128::from(u64::MAX), 1), Ok(Some(u64::MAX)));
    }

    #[test]
    fn purchases_count_from_half_of_the_previous_stock() {
        assert!(!purchases_count(1_000, 0), "no stock: nothing counts");
        assert!(!purchases_count(499, 1_000));
        assert!(purchases_count(500, 1_000));
        assert!(purchases_count(500, 999));
        assert!(!purchases_count(499, 999));
        assert!(purchases_count(1, 1));
        assert!(!purchases_count(0, 1));
        assert!(purchases_count(u128::MAX, u64::MAX));
    }

    #[test]
    fn the_guard_is_the_least_counted_price_of_the_window() {
        let counted = [(3, 200), (5, 400), (6, 300)];
        // Window 1: only the epoch itself.
        assert_eq!(guard_price(counted, 6, 1, 9), 300);
        assert_eq!(guard_price(counted, 7, 1, 9), 9, "none counted: carried");
        // Window 3 at epoch 6: epochs 4..=6.
        assert_eq!(guard_price(counted, 6, 3, 9), 300);
        // Window 4 at epoch 6: epochs 3..=6.
        assert_eq!(guard_price(counted, 6, 4, 9), 200);
        // Epochs after the one settled never count.
        assert_eq!(guard_price(counted, 4, 16, 9), 200);
        assert_eq!(guard_price(counted, 2, 16, 9), 9);
        assert_eq!(guard_price(counted, 6, 0, 9), 300, "a window of 0 is 1");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// Raising the guard price takes overpaying in every epoch of the window: the
        /// guard is never above any price counted in the window, and a price above the
        /// carried one changes nothing unless it counted.
        #[test]
        fn the_guard_never_exceeds_a_counted_price_of_its_window(
            counted in prop::collection::vec((0u64..40, 1u64..1_000_000), 0..20),
            epoch in 0u64..40,
            window in 1u16..=MAX_GUARD_EPOCHS,
            carried in 1u64..1_000_000,
        ) {
            let g = guard_price(counted.iter().copied(), epoch, window, carried);
            let inside: Vec<u64> = counted
                .iter()
                .filter(|(e, _)| *e <= epoch && epoch - *e < u64::from(window))
                .map(|(_, p)| *p)
                .collect();
            match inside.iter().min() {
                Some(least) => {
                    prop_assert_eq!(g, *least);
                    prop_assert!(inside.iter().all(|p| g <= *p));
                }
                None => prop_assert_eq!(g, carried),
            }
        }

        /// The clearing price is exact: `price * quantity <= dn * 1e9 < (price + 1) *
        /// quantity` whenever it fits a u64.
        #[test]
        fn clearing_price_is_the_floor(dn in 0u128..(1 << 64), q in 1u128..(1 << 64)) {
            let p = clearing_price(dn, q).unwrap().unwrap();
            let scaled = dn * 1_000_000_000;
            if p < u64::MAX {
                prop_assert!(u128::from(p) * q <= scaled);
                prop_assert!(scaled < (u128::from(p) + 1) * q);
            } else {
                prop_assert!(scaled / q >= u128::from(u64::MAX));
            }
        }
    }
}
