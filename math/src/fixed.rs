//! Fixed-point helpers: `a * b / c` in `u128`, floored or ceiled, narrowed with `try_from`.

use crate::MathError;

/// Parts of ten thousand: 10,000 bps is the whole.
pub const BPS_DENOMINATOR: u64 = 10_000;

/// Scale of prices and rates quoted "times 1e9" (`emission_rate_e9`, `price_e9`).
pub const PRICE_SCALE: u64 = 1_000_000_000;

/// `floor(a * b / c)` computed in `u128`; errors on `c == 0` or a result above `u64::MAX`.
pub fn mul_div_floor(a: u64, b: u64, c: u64) -> Result<u64, MathError> {
    if c == 0 {
        return Err(MathError::DivisionByZero);
    }
    let product = u128::from(a)
        .checked_mul(u128::from(b))
        .ok_or(MathError::Overflow)?;
    let quotient = product
        .checked_div(u128::from(c))
        .ok_or(MathError::DivisionByZero)?;
    u64::try_from(quotient).map_err(|_| MathError::Overflow)
}

/// `ceil(a * b / c)` computed in `u128`; errors on `c == 0` or a result above `u64::MAX`.
pub fn mul_div_ceil(a: u64, b: u64, c: u64) -> Result<u64, MathError> {
    if c == 0 {
        return Err(MathError::DivisionByZero);
    }
    let product = u128::from(a)
        .checked_mul(u128::from(b))
        .ok_or(MathError::Overflow)?;
    let divisor = u128::from(c);
    let quotient = product
        .checked_div(divisor)
        .ok_or(MathError::DivisionByZero)?;
    let remainder = product
        .checked_rem(divisor)
        .ok_or(MathError::DivisionByZero)?;
    let rounded = if remainder == 0 {
        quotient
    } else {
        quotient.checked_add(1).ok_or(MathError::Overflow)?
    };
    u64::try_from(rounded).map_err(|_| MathError::Overflow)
}

#[cfg(test)]
// Test oracles compute exact values in u128 where they cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_and_rounded_cases() {
        assert_eq!(mul_div_floor(10, 3, 4), Ok(7));
        assert_eq!(mul_div_ceil(10, 3, 4), Ok(8));
        assert_eq!(mul_div_ceil(8, 3, 4), Ok(6));
        assert_eq!(mul_div_floor(1, 1, 0), Err(MathError::DivisionByZero));
        assert_eq!(mul_div_ceil(1, 1, 0), Err(MathError::DivisionByZero));
        assert_eq!(mul_div_floor(u64::MAX, u64::MAX, u64::MAX), Ok(u64::MAX));
        assert_eq!(mul_div_floor(u64::MAX, 2, 1), Err(MathError::Overflow));
        assert_eq!(mul_div_ceil(u64::MAX, 2, 1), Err(MathError::Overflow));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn floor_and_ceil_bracket_the_exact_quotient(a: u64, b: u64, c in 1u64..) {
            let exact = u128::from(a) * u128::from(b);
            match (mul_div_floor(a, b, c), mul_div_ceil(a, b, c)) {
                (Ok(f), Ok(ce)) => {
                    prop_assert!(u128::from(f) * u128::from(c) <= exact);
                    prop_assert!(u128::from(ce) * u128::from(c) >= exact);
                    prop_assert!(ce - f <= 1);
                    prop_assert_eq!(ce == f, exact % u128::from(c) == 0);
                }
                (Err(MathError::Overflow), _) => prop_assert!(exact / u128::from(c) > u128::from(u64::MAX)),
                (Ok(f), Err(MathError::Overflow)) => prop_assert_eq!(f, u64::MAX),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
