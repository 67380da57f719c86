//! Pure integer arithmetic of the DeepNode protocol (PROTOCOL.md §12).
//!
//! No Solana types: the on-chain program, the keeper, the CLI and the simulator all
//! call these functions, so any two of them agree to the base unit. Every step is
//! checked and returns [`MathError`] instead of wrapping or panicking; products are
//! taken in `u128`; every division rounds in the protocol's favour (payouts down,
//! amounts owed to the protocol up).
#![deny(clippy::arithmetic_side_effects)]
#![deny(missing_docs)]

pub mod auction;
pub mod emission;
pub mod fixed;
pub mod guard;
pub mod median;
pub mod offset;
pub mod split;
pub mod stake;
pub mod timing;

pub use auction::{auction_cost, auction_price, restart_price, restarts_auction};
pub use emission::{
    dn_pools, emission_value_cap, epoch_budget, payable_roles, payout, raw_budget, rev_pools,
    roles_bps_sum, room, split_is_whole, split_roles, staker_cap, BudgetInput, DnPools,
    DOMAIN_OWNER_ROLE, FOUNDATION_BPS, FOUNDATION_ROLE, MINERS_ROLE, MODEL_OWNERS_ROLE, ROLES,
    ROLE_NAMES, STAKERS_ROLE, VALIDATORS_ROLE,
};
pub use fixed::{mul_div_ceil, mul_div_floor, BPS_DENOMINATOR, PRICE_SCALE};
pub use guard::{clearing_price, guard_price, purchases_count, MAX_GUARD_EPOCHS};
pub use median::{
    agrees, finalise_votes, median_in_place, stake_weighted_median, verified_units, Verdict, Vote,
    MAX_ATTESTED_UNITS,
};
pub use offset::{offset_stock, reserve_payout, split_purchase, PurchaseSplit};
pub use split::{shares_fit, split_payment, PaymentSplit, BUYBACK_BPS, MIN_PAYMENT};
pub use stake::{acc_advance, acc_fund, acc_increment, accrued, accrued_frac, ACC_SCALE};
pub use timing::{cap_period, claim_window_open, close_time};

/// Why a computation could not produce a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathError {
    /// An intermediate or the result does not fit its type.
    Overflow,
    /// A division by zero was requested.
    DivisionByZero,
    /// Basis points above 10,000, or shares that together exceed 10,000.
    InvalidBps,
    /// Attestations weigh more than the epoch's whole validator stake.
    VotesAboveTotal,
}

impl core::fmt::Display for MathError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MathError::Overflow => write!(f, "arithmetic overflow"),
            MathError::DivisionByZero => write!(f, "division by zero"),
            MathError::InvalidBps => write!(f, "basis points out of range"),
            MathError::VotesAboveTotal => {
                write!(f, "attestations weigh more than the validator stake")
            }
        }
    }
}

impl std::error::Error for MathError {}
