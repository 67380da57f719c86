//! The bookkeeping of one payment, shared by `pay` and `pay_batch`: split what the
//! vault received (§12) and credit each part to its ledger. The tokens themselves move
//! once (payer to vault); the split is bookkeeping, except that the buyback share of a
//! DN-revenue payment is burned at once.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use deepnode_math::split_payment;

use crate::constants::*;
use crate::create::create_state;
use crate::errors::{math, DeepNodeError};
use crate::events::RoutedLine;
use crate::state::{EpochShard, Model, ModelEpoch, VaultShard};

/// Adds `v` to `*field`, failing on overflow.
fn add(field: &mut u64, v: u64) -> Result<()> {
    *field = field.checked_add(v).or_overflow()?;
    Ok(())
}

/// Credits one payment of `received` base units: the owner share to the model, the fee,
/// buyback and pool shares to the shard ledger, revenue and usage to the epoch and
/// model-epoch counters. `burned` says the buyback share was burned rather than kept.
#[allow(clippy::too_many_arguments)]
pub fn credit_payment(
    received: u64,
    sent: u64,
    usage_units: u64,
    fee_bps: u16,
    burned: bool,
    model_key: Pubkey,
    model: &mut Model,
    model_epoch: &mut ModelEpoch,
    epoch_shard: &mut EpochShard,
    vault_shard: &mut VaultShard,
) -> Result<RoutedLine> {
    require!(received >= MIN_PAYMENT, DeepNodeError::PaymentTooSmall);
    let split = math(split_payment(received, model.owner_share_bps, fee_bps))?;
    // Invariant 1: the parts add up to what was received, exactly.
    require!(
        math(split.total())? == received,
        DeepNodeError::VaultUndercovered
    );

    add(&mut model.claimable, split.owner)?;
    // §10: lifetime statistics never make a payment fail. These wrap (their difference,
    // what the owner is still owed, stays exact, as the stake pool's counters do).
    model.lifetime_revenue = model.lifetime_revenue.wrapping_add(received);
    model.lifetime_owner_share = model.lifetime_owner_share.wrapping_add(split.owner);

    add(&mut model_epoch.revenue, received)?;
    // §4: usage units are informational and never make a payment fail; they saturate,
    // as do the payment counts.
    model_epoch.usage_units = model_epoch.usage_units.saturating_add(usage_units);
    model_epoch.payments = model_epoch.payments.saturating_add(1);

    // §10: what settlement sums stays bounded: a shard's revenue of one epoch is at most
    // `MAX_SHARD_EPOCH_REVENUE`, so the epoch's revenue over every shard fits a u64.
    add(&mut epoch_shard.revenue, received)?;
    require!(
        epoch_shard.revenue <= MAX_SHARD_EPOCH_REVENUE,
        DeepNodeError::EpochRevenueFull
    );
    add(&mut epoch_shard.pool, split.pool)?;
    epoch_shard.usage_units = epoch_shard.usage_units.saturating_add(usage_units);
    epoch_shard.payments = epoch_shard.payments.saturating_add(1);

    add(&mut vault_shard.model_owed, split.owner)?;
    add(&mut vault_shard.fee_owed, split.fee)?;
    add(&mut vault_shard.pool_owed, split.pool)?;
    if burned {
        // A lifetime statistic: it wraps.
        vault_shard.dn_burned = vault_shard.dn_burned.wrapping_add(split.buyback);
    } else {
        add(&mut vault_shard.buyback_owed, split.buyback)?;
        // The stock this epoch adds to the auction (§13's threshold).
        add(&mut epoch_shard.buyback, split.buyback)?;
    }
    let v = vault_shard;
    v.lifetime_received = v.lifetime_received.wrapping_add(received);
    v.lifetime_fees = v.lifetime_fees.wrapping_add(split.fee);
    v.lifetime_model = v.lifetime_model.wrapping_add(split.owner);
    v.lifetime_buyback = v.lifetime_buyback.wrapping_add(split.buyback);

    model.invariant()?;
    model_epoch.invariant()?;
    epoch_shard.invariant()?;
    Ok(RoutedLine {
        model: model_key,
        sent,
        received,
        owner: split.owner,
        fee: split.fee,
        buyback: split.buyback,
        pool: split.pool,
        usage_units,
    })
}

/// Loads the model-epoch record of `model` for `epoch` at `info`, creating it at its PDA
/// (paid by `payer`) on the model's first payment of the epoch. An existing record must
/// be this program's `ModelEpoch` for that model and epoch.
pub fn load_model_epoch<'info>(
    info: &AccountInfo<'info>,
    model: &Pubkey,
    domain: &Pubkey,
    epoch: u64,
    payer: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
) -> Result<ModelEpoch> {
    require!(info.is_writable, DeepNodeError::AccountNotWritable);
    let epoch_le = epoch.to_le_bytes();
    if info.data_is_empty() {
        let (pda, bump) = Pubkey::find_program_address(
            &[MODEL_EPOCH_SEED, model.as_ref(), &epoch_le],
            &crate::ID,
        );
        require_keys_eq!(pda, info.key(), DeepNodeError::ModelEpochMismatch);
        let record = ModelEpoch {
            version: ACCOUNT_VERSION,
            bump,
            model: *model,
            domain: *domain,
            epoch,
            revenue: 0,
            usage_units: 0,
            payments: 0,
            rent_payer: payer.key(),
        };
        create_state(
            info,
            payer,
            system,
            &[MODEL_EPOCH_SEED, model.as_ref(), &epoch_le, &[bump]],
            ModelEpoch::INIT_SPACE,
            &record,
        )?;
        return Ok(record);
    }
    require_keys_eq!(
        *info.owner,
        crate::ID,
        DeepNodeError::AccountNotOwnedByProgram
    );
    let data = info.try_borrow_data()?;
    let record = ModelEpoch::try_deserialize(&mut &data[..])?;
    require!(
        record.model == *model && record.epoch == epoch,
        DeepNodeError::ModelEpochMismatch
    );
    Ok(record)
}
