//! `credit_payouts`: credits settled payouts to their recipients' balances (PROTOCOL.md §5, §12),
//! each exactly once, within the claim window. A recipient claims its own line; a keeper
//! pushes many lines of any roles in one transaction, with the same once-only guarantee:
//! a miner's work record and a model's epoch record are closed by their credit (rent back
//! to whoever paid it), so they cannot be claimed twice; validators, the domain owner and
//! the foundation are flagged on the epoch. Payouts are `floor(pool * w / sum_w)`:
//! miners by verified units, validators by agreeing attestations, model owners by the
//! epoch's revenue per model; the domain owner and the foundation take their pools.
//! Nothing leaves a vault here (`claim_rewards` pays out). Never paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use deepnode_math::{
    DOMAIN_OWNER_ROLE, FOUNDATION_ROLE, MINERS_ROLE, MODEL_OWNERS_ROLE, VALIDATORS_ROLE,
};

use crate::constants::*;
use crate::create::load_state;
use crate::errors::DeepNodeError;
use crate::events::{CreditRole, CreditedLine, PayoutsCredited};
use crate::layouts;
use crate::state::{
    Config, Domain, Epoch, EpochBook, Miner, Model, ModelEpoch, Validator, WorkRecord,
};
use crate::token_util::token_owner;

/// Accounts of [`credit_payouts`](crate::deepnode::credit_payouts). Remaining accounts, per line:
/// - `Miner`: work record (w), miner, reward balance (w), the record's rent payer (w);
/// - `Validator`: validator, reward balance (w);
/// - `ModelOwner`: model epoch record (w), model, reward balance (w), its rent payer (w);
/// - `DomainOwner`: reward balance (w);
/// - `Foundation`: the foundation's DN account, reward balance (w).
#[event_cpi]
#[derive(Accounts)]
pub struct CreditPayouts<'info> {
    /// Anyone; pays the rent of reward balances it creates.
    #[account(mut)]
    pub caller: Signer<'info>,
    /// The config (foundation account).
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The settled epoch.
    #[account(constraint = epoch.domain == domain.key() @ DeepNodeError::EpochWrongDomain)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// Its book (pools, credits, voters).
    #[account(mut, constraint = book.domain == domain.key() && book.epoch == epoch.index
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`credit_payouts`](crate::deepnode::credit_payouts).
pub fn handler<'info>(
    mut ctx: Context<'info, CreditPayouts<'info>>,
    lines: Vec<CreditRole>,
) -> Result<()> {
    let a = &mut ctx.accounts;
    a.epoch.require_settled()?;
    a.book.require_not_swept()?;
    require!(
        a.epoch.window_open(&a.book, a.domain.current_epoch)?,
        DeepNodeError::ClaimWindowClosed
    );
    require!(!lines.is_empty(), DeepNodeError::BatchEmpty);
    require!(
        lines.len() <= layouts::CREDIT_MINER.max_items,
        DeepNodeError::BatchTooLarge
    );
    let needed = lines
        .iter()
        .try_fold(0usize, |acc, r| {
            acc.checked_add(layouts::credit(*r).accounts())
        })
        .or_overflow()?;
    require!(
        ctx.remaining_accounts.len() == needed,
        DeepNodeError::CreditAccountsMismatch
    );
    let domain_key = a.domain.key();
    let payer = a.caller.to_account_info();
    let system = a.system_program.to_account_info();
    let index = a.epoch.index;
    let epoch = &mut a.book;
    let s = epoch.settlement;
    let mut out = Vec::with_capacity(lines.len());
    let mut rest = ctx.remaining_accounts;
    // Records are checked in increasing address order per kind (F3: none repeats).
    let (mut last_record, mut last_model) = (None, None);
    for role in lines {
        let (accounts, tail) = rest.split_at(layouts::credit(role).accounts());
        rest = tail;
        let (source, recipient, dn, rev, reward, rent_returned) = match role {
            CreditRole::Miner => {
                let (record_info, miner_info) = (&accounts[0], &accounts[1]);
                super::require_increasing(&mut last_record, record_info.key())?;
                require!(!record_info.data_is_empty(), DeepNodeError::AlreadyCredited);
                let record: WorkRecord = load_state(record_info)?;
                require_keys_eq!(
                    record.domain,
                    domain_key,
                    DeepNodeError::WorkRecordWrongDomain
                );
                require!(record.epoch == index, DeepNodeError::WorkRecordWrongEpoch);
                // The record's address ties it to its miner.
                let expected = Pubkey::create_program_address(
                    &[
                        WORK_RECORD_SEED,
                        miner_info.key().as_ref(),
                        &index.to_le_bytes(),
                        &[record.bump],
                    ],
                    &crate::ID,
                )
                .map_err(|_| DeepNodeError::WorkRecordMismatch)?;
                require_keys_eq!(
                    record_info.key(),
                    expected,
                    DeepNodeError::WorkRecordMismatch
                );
                let miner: Miner = load_state(miner_info)?;
                require!(
                    record.finalised && record.verified_units > 0,
                    DeepNodeError::NothingToClaim
                );
                let (dn, rev) = epoch.miner_payout(record.verified_units)?;
                epoch.settlement.credit(MINERS_ROLE, dn, rev)?;
                require_keys_eq!(
                    accounts[3].key(),
                    record.rent_payer,
                    DeepNodeError::RentPayerMismatch
                );
                let rent = super::close_program_account(record_info, &accounts[3])?;
                (
                    miner_info.key(),
                    miner.authority,
                    dn,
                    rev,
                    &accounts[2],
                    rent,
                )
            }
            CreditRole::Validator => {
                let validator: Validator = load_state(&accounts[0])?;
                require_keys_eq!(
                    validator.domain,
                    domain_key,
                    DeepNodeError::ValidatorWrongDomain
                );
                let slot = epoch
                    .voter(validator.index)
                    .filter(|slot| epoch.voters[*slot].agreeing > 0)
                    .ok_or(DeepNodeError::NoValidatorScore)?;
                require!(!epoch.voters[slot].credited, DeepNodeError::AlreadyCredited);
                epoch.voters[slot].credited = true;
                let (dn, rev) = epoch.validator_payout(epoch.voters[slot].agreeing)?;
                epoch.settlement.credit(VALIDATORS_ROLE, dn, rev)?;
                (
                    accounts[0].key(),
                    validator.authority,
                    dn,
                    rev,
                    &accounts[1],
                    0,
                )
            }
            CreditRole::ModelOwner => {
                let (record_info, model_info) = (&accounts[0], &accounts[1]);
                super::require_increasing(&mut last_model, record_info.key())?;
                require!(!record_info.data_is_empty(), DeepNodeError::AlreadyCredited);
                let record: ModelEpoch = load_state(record_info)?;
                require!(
                    record.domain == domain_key && record.epoch == index,
                    DeepNodeError::ModelEpochMismatch
                );
                require_keys_eq!(
                    record.model,
                    model_info.key(),
                    DeepNodeError::ModelEpochMismatch
                );
                let model: Model = load_state(model_info)?;
                let (dn, rev) = epoch.model_owner_payout(record.revenue)?;
                epoch.settlement.credit(MODEL_OWNERS_ROLE, dn, rev)?;
                require_keys_eq!(
                    accounts[3].key(),
                    record.rent_payer,
                    DeepNodeError::RentPayerMismatch
                );
                let rent = super::close_program_account(record_info, &accounts[3])?;
                (model_info.key(), model.owner, dn, rev, &accounts[2], rent)
            }
            CreditRole::DomainOwner => {
                require!(
                    !epoch.settlement.domain_owner_credited,
                    DeepNodeError::AlreadyCredited
                );
                epoch.settlement.domain_owner_credited = true;
                let (dn, rev) = (
                    s.dn_pools[DOMAIN_OWNER_ROLE],
                    s.rev_pools[DOMAIN_OWNER_ROLE],
                );
                epoch.settlement.credit(DOMAIN_OWNER_ROLE, dn, rev)?;
                (domain_key, a.domain.owner, dn, rev, &accounts[0], 0)
            }
            CreditRole::Foundation => {
                require_keys_eq!(
                    accounts[0].key(),
                    a.config.foundation,
                    DeepNodeError::FoundationMismatch
                );
                require!(
                    !epoch.settlement.foundation_credited,
                    DeepNodeError::AlreadyCredited
                );
                epoch.settlement.foundation_credited = true;
                let owner = token_owner(&accounts[0])?;
                let (dn, rev) = (s.dn_pools[FOUNDATION_ROLE], s.rev_pools[FOUNDATION_ROLE]);
                epoch.settlement.credit(FOUNDATION_ROLE, dn, rev)?;
                (accounts[0].key(), owner, dn, rev, &accounts[1], 0)
            }
        };
        // A line with nothing to pay fails (its record stays for the sweep and close).
        require!(dn > 0 || rev > 0, DeepNodeError::NothingToClaim);
        super::credit_recipient(reward, &domain_key, &recipient, &payer, &system, dn, rev)?;
        out.push(CreditedLine {
            role,
            source,
            recipient,
            dn,
            rev,
            rent_returned,
        });
    }
    a.book.invariant()?;
    let event = PayoutsCredited {
        domain: domain_key,
        epoch: a.epoch.index,
        caller: a.caller.key(),
        lines: out,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
