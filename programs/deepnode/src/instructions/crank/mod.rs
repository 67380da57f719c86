//! The permissionless crank that moves each domain's epochs forward (PROTOCOL.md §5):
//! close, finalise, fund the reward vault, settle, credit payouts, claim rewards, sweep,
//! close accounts.
pub mod claim_rewards;
pub mod close_accounts;
pub mod close_epoch;
pub mod credit_payouts;
pub mod finalise_work;
pub mod fund_reward_vault;
pub mod settle_epoch;
pub mod sweep_epoch;

#[allow(ambiguous_glob_reexports)]
pub use claim_rewards::*;
#[allow(ambiguous_glob_reexports)]
pub use close_accounts::*;
#[allow(ambiguous_glob_reexports)]
pub use close_epoch::*;
#[allow(ambiguous_glob_reexports)]
pub use credit_payouts::*;
#[allow(ambiguous_glob_reexports)]
pub use finalise_work::*;
#[allow(ambiguous_glob_reexports)]
pub use fund_reward_vault::*;
#[allow(ambiguous_glob_reexports)]
pub use settle_epoch::*;
#[allow(ambiguous_glob_reexports)]
pub use sweep_epoch::*;

use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_lang::system_program;

use crate::constants::{ACCOUNT_VERSION, REWARD_SEED};
use crate::create::{create_state, load_state, write_state};
use crate::errors::DeepNodeError;
use crate::state::RewardBalance;

/// Credits `dn` and `rev` to `recipient`'s balance in `domain` at `info`, creating it
/// (paid by `payer`) when it does not exist yet. An existing balance is recognised by the
/// domain and recipient it stores; a new one only at its PDA.
pub(crate) fn credit_recipient<'info>(
    info: &AccountInfo<'info>,
    domain: &Pubkey,
    recipient: &Pubkey,
    payer: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    dn: u64,
    rev: u64,
) -> Result<()> {
    if info.data_is_empty() && *info.owner == system_program::ID {
        let (expected, bump) = Pubkey::find_program_address(
            &[REWARD_SEED, domain.as_ref(), recipient.as_ref()],
            &crate::ID,
        );
        require_keys_eq!(info.key(), expected, DeepNodeError::RewardAccountMismatch);
        let mut balance = RewardBalance {
            version: ACCOUNT_VERSION,
            bump,
            domain: *domain,
            recipient: *recipient,
            dn_owed: 0,
            rev_owed: 0,
            dn_credited: 0,
            rev_credited: 0,
            rent_payer: payer.key(),
            reserved: [0; 32],
        };
        balance.credit(dn, rev)?;
        balance.invariant()?;
        return create_state(
            info,
            payer,
            system,
            &[REWARD_SEED, domain.as_ref(), recipient.as_ref(), &[bump]],
            RewardBalance::INIT_SPACE,
            &balance,
        );
    }
    let mut balance: RewardBalance = load_state(info)?;
    require!(
        balance.domain == *domain && balance.recipient == *recipient,
        DeepNodeError::RewardAccountMismatch
    );
    balance.credit(dn, rev)?;
    balance.invariant()?;
    write_state(info, &balance)
}

/// Closes a program account: its lamports go to `rent_payer`, its data is zeroed and it
/// is handed back to the system program, so it cannot be read (or claimed from) again.
/// Returns the lamports returned.
pub(crate) fn close_program_account<'info>(
    info: &AccountInfo<'info>,
    rent_payer: &AccountInfo<'info>,
) -> Result<u64> {
    require!(
        info.is_writable && rent_payer.is_writable,
        DeepNodeError::AccountNotWritable
    );
    let lamports = info.lamports();
    let total = rent_payer.lamports().checked_add(lamports).or_overflow()?;
    **rent_payer.try_borrow_mut_lamports()? = total;
    **info.try_borrow_mut_lamports()? = 0;
    info.try_borrow_mut_data()?.fill(0);
    info.assign(&system_program::ID);
    info.resize(0)?;
    Ok(lamports)
}

/// Requires the accounts' addresses to be strictly increasing (F3: none repeats).
pub(crate) fn require_increasing(previous: &mut Option<Pubkey>, key: Pubkey) -> Result<()> {
    if let Some(prev) = *previous {
        require!(key > prev, DeepNodeError::AccountsNotIncreasing);
    }
    *previous = Some(key);
    Ok(())
}
