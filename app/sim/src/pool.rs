//! A constant-product pool of DN against the revenue token (`dn * rev = k`), with a fee
//! on the input kept in the pool. Integer arithmetic in base units: rounding always
//! favours the pool, so `k` never decreases.
use serde::Serialize;

use crate::SimError;

/// The pool's reserves and fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pool {
    /// DN reserve.
    pub dn: u64,
    /// Revenue-token reserve.
    pub rev: u64,
    /// Fee on the input (bps).
    pub fee_bps: u16,
}

/// `floor(a * b / c)` in u128; `None` on a zero divisor or a result above u64.
fn mul_div(a: u64, b: u64, c: u128) -> Option<u64> {
    if c == 0 {
        return None;
    }
    let q = u128::from(a).checked_mul(u128::from(b))?.checked_div(c)?;
    u64::try_from(q).ok()
}

impl Pool {
    /// The invariant `dn * rev`.
    pub fn k(&self) -> u128 {
        u128::from(self.dn) * u128::from(self.rev)
    }

    /// Revenue tokens per DN (the DN price, as a float for reports).
    pub fn price(&self) -> f64 {
        self.rev as f64 / self.dn as f64
    }

    /// DN per revenue unit × 1e9 (the auction's unit), floored.
    pub fn dn_per_rev_e9(&self) -> u64 {
        mul_div(self.dn, 1_000_000_000, u128::from(self.rev)).unwrap_or(u64::MAX)
    }

    /// The revenue-token value of `dn` at the pool's current price, floored.
    pub fn value(&self, dn: u64) -> u64 {
        mul_div(dn, self.rev, u128::from(self.dn)).unwrap_or(u64::MAX)
    }

    /// What `input` buys out of `reserve_out` against `reserve_in`, after the fee.
    fn out(&self, input: u64, reserve_in: u64, reserve_out: u64) -> Result<u64, SimError> {
        let net = mul_div(input, u64::from(10_000 - self.fee_bps.min(10_000)), 10_000)
            .ok_or(SimError::Overflow("swap input"))?;
        let denom = u128::from(reserve_in) + u128::from(net);
        mul_div(reserve_out, net, denom).ok_or(SimError::Overflow("swap output"))
    }

    /// Smallest input that buys at least `output` (which must be below `reserve_out`).
    fn input_for(&self, output: u64, reserve_in: u64, reserve_out: u64) -> Result<u64, SimError> {
        if output >= reserve_out {
            return Err(SimError::Overflow("output above the reserve"));
        }
        let left = u128::from(reserve_out - output);
        let net = (u128::from(reserve_in) * u128::from(output)).div_ceil(left);
        let keep = u128::from(10_000 - self.fee_bps.min(9_999));
        let gross = (net * 10_000).div_ceil(keep);
        let mut input = u64::try_from(gross).map_err(|_| SimError::Overflow("swap input"))?;
        // The fee's floor can leave the net input one unit short: top up until it buys.
        while self.out(input, reserve_in, reserve_out)? < output {
            input = input
                .checked_add(1)
                .ok_or(SimError::Overflow("swap input"))?;
        }
        Ok(input)
    }

    /// Sells `dn` for revenue tokens; returns what it received.
    pub fn sell_dn(&mut self, dn: u64) -> Result<u64, SimError> {
        let out = self.out(dn, self.dn, self.rev)?;
        self.dn = self
            .dn
            .checked_add(dn)
            .ok_or(SimError::Overflow("pool DN"))?;
        self.rev -= out;
        Ok(out)
    }

    /// Buys DN with `rev` revenue tokens; returns the DN received.
    pub fn buy_dn(&mut self, rev: u64) -> Result<u64, SimError> {
        let out = self.out(rev, self.rev, self.dn)?;
        self.rev = self
            .rev
            .checked_add(rev)
            .ok_or(SimError::Overflow("pool revenue"))?;
        self.dn -= out;
        Ok(out)
    }

    /// DN to sell for at least `rev` revenue tokens.
    pub fn dn_for_rev(&self, rev: u64) -> Result<u64, SimError> {
        self.input_for(rev, self.dn, self.rev)
    }

    /// Revenue tokens to spend for at least `dn` DN.
    pub fn rev_for_dn(&self, dn: u64) -> Result<u64, SimError> {
        self.input_for(dn, self.rev, self.dn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1,000 / 1,000, no fee: selling 1,000 DN doubles the DN reserve and halves the
    /// revenue one: out = floor(1000 * 1000 / 2000) = 500.
    #[test]
    fn constant_product_by_hand() {
        let mut p = Pool {
            dn: 1_000,
            rev: 1_000,
            fee_bps: 0,
        };
        assert_eq!(p.sell_dn(1_000), Ok(500));
        assert_eq!((p.dn, p.rev), (2_000, 500));
        // 30 bps: 997 net of 1,000 buys floor(2000 * 997 / 1497) = 1,331 DN.
        let mut q = Pool {
            dn: 2_000,
            rev: 500,
            fee_bps: 30,
        };
        assert_eq!(q.buy_dn(1_000), Ok(1_331));
        assert!(q.k() >= 2_000 * 500);
    }

    /// The exact-input helpers buy at least what they promise, and one unit less would
    /// not.
    #[test]
    fn inputs_are_minimal() {
        let p = Pool {
            dn: 7_777_777,
            rev: 3_333_333,
            fee_bps: 30,
        };
        for want in [1u64, 17, 1_000, 999_999, 3_000_000] {
            let dn = p.dn_for_rev(want).unwrap();
            assert!(p.clone().sell_dn(dn).unwrap() >= want);
            assert!(p.clone().sell_dn(dn - 1).unwrap() < want, "{want}");
            let rev = p.rev_for_dn(want).unwrap();
            assert!(p.clone().buy_dn(rev).unwrap() >= want);
            assert!(p.clone().buy_dn(rev - 1).unwrap() < want, "{want}");
        }
        assert!(p.dn_for_rev(3_333_333).is_err());
    }
}
