//! Account types, one per file, each with its `invariant()` check.
pub mod auction;
pub mod commitment;
pub mod config;
pub mod domain;
pub mod epoch;
pub mod model;
pub mod reward;
pub mod stake;
pub mod vault_shard;
pub mod work;

pub use auction::*;
pub use commitment::*;
pub use config::*;
pub use domain::*;
pub use epoch::*;
pub use model::*;
pub use reward::*;
pub use stake::*;
pub use vault_shard::*;
pub use work::*;

use anchor_lang::prelude::*;

use crate::errors::OrOverflow;

/// Adds `dn` and `rev` to a pair of owed balances (a reward balance's, a stake
/// position's), failing on overflow.
pub fn add_owed_pair(dn_owed: &mut u64, rev_owed: &mut u64, dn: u64, rev: u64) -> Result<()> {
    *dn_owed = dn_owed.checked_add(dn).or_overflow()?;
    *rev_owed = rev_owed.checked_add(rev).or_overflow()?;
    Ok(())
}
