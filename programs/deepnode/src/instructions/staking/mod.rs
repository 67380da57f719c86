//! Staking: the stake pool, positions, unstake tickets and reward claims (PROTOCOL.md §9).
pub mod claim_stake_rewards;
pub mod init_stake_pool;
pub mod open_stake_position;
pub mod request_unstake;
pub mod stake;
pub mod withdraw_stake;

#[allow(ambiguous_glob_reexports)]
pub use claim_stake_rewards::*;
#[allow(ambiguous_glob_reexports)]
pub use init_stake_pool::*;
#[allow(ambiguous_glob_reexports)]
pub use open_stake_position::*;
#[allow(ambiguous_glob_reexports)]
pub use request_unstake::*;
#[allow(ambiguous_glob_reexports)]
pub use stake::*;
#[allow(ambiguous_glob_reexports)]
pub use withdraw_stake::*;
