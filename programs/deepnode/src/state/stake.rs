//! Staking: a domain's stake pool (its accumulator and stake totals) and each staker's
//! position. Stake changes take effect at the next epoch boundary (PROTOCOL.md §9): new
//! stake earns from the next epoch, a request to unstake still earns for the epoch it is
//! made in. The accumulator is advanced, in epoch order, by the settlement of each epoch
//! ([`StakePool::record_epoch_rewards`]); each epoch keeps the value it reached, so a
//! position converts its in-flight change with the value of its change epoch and a claim
//! costs the same however many epochs passed.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use deepnode_math::{acc_advance, acc_fund, accrued, accrued_frac};

use crate::errors::{math, DeepNodeError};
use crate::state::Epoch;

/// A domain's stake pool. Seeds: `[STAKE_POOL_SEED, domain]`. Principal and DN rewards
/// sit in the stake vault `[STAKE_VAULT_SEED, domain]` (DN); revenue-token rewards in
/// the reward vault `[STAKE_REWARD_VAULT_SEED, domain]` (the domain's revenue mint); the
/// domain's vault authority owns both.
#[account]
#[derive(InitSpace, Debug)]
pub struct StakePool {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Canonical bump of the DN stake vault.
    pub vault_bump: u8,
    /// Canonical bump of the revenue reward vault.
    pub reward_vault_bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Principal of every position held in the stake vault (DN base units).
    pub total_staked: u64,
    /// Stake active in the open epoch (the stakers' weight this epoch).
    pub active: u64,
    /// Stake added during the open epoch; active from the next one.
    pub activating: u64,
    /// Stake requested out during the open epoch; inactive from the next one.
    pub deactivating: u64,
    /// DN reward per unit of stake, scaled by 2^64, through `next_settle_epoch - 1`.
    pub acc_dn: u128,
    /// Revenue-token reward per unit of stake, scaled by 2^64, likewise.
    pub acc_rev: u128,
    /// First epoch whose rewards are not yet in the accumulators (settled in order).
    pub next_settle_epoch: u64,
    /// DN rewards paid into the stake vault, lifetime.
    pub dn_funded: u64,
    /// DN rewards claimed, lifetime (never above `dn_funded`).
    pub dn_claimed: u64,
    /// Revenue rewards paid into the reward vault, lifetime.
    pub rev_funded: u64,
    /// Revenue rewards claimed, lifetime (never above `rev_funded`).
    pub rev_claimed: u64,
    /// Validator stake of the next epoch: the sum of the stake registered validators
    /// will have active then (PROTOCOL.md §7), kept up to date by registrations,
    /// deregistrations, stakes and unstake requests; it becomes the next epoch's `W_e`.
    pub validator_stake_next: u64,
    /// The DN stake vault's address (stored so that claims compare it, not derive it).
    pub stake_vault: Pubkey,
    /// The revenue reward vault's address (likewise).
    pub reward_vault: Pubkey,
    /// DN in the stake vault owed to the other roles: settled pools not yet credited or
    /// swept (stakers' dust included), keeper tips and credited balances not yet
    /// collected.
    pub dn_roles_owed: u64,
    /// Revenue tokens in the reward vault owed to the other roles (likewise), plus
    /// revenue rolled into epochs not yet settled.
    pub rev_roles_owed: u64,
    /// DN burned by sweeps, lifetime.
    pub dn_burned: u64,
    /// Fraction (units of 2^-64) of the stakers' DN pools not funded yet, carried from
    /// epoch to epoch (`deepnode_math::acc_fund`).
    pub dn_carry: u64,
    /// The same for the revenue pools.
    pub rev_carry: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 16],
}

impl StakePool {
    /// DN the stake vault owes: principal plus unclaimed DN rewards. The lifetime
    /// funded and claimed counters wrap, so settlement never stalls on them; their
    /// difference is what is still owed.
    pub fn dn_owed(&self) -> Result<u64> {
        let rewards = self.dn_funded.wrapping_sub(self.dn_claimed);
        self.total_staked
            .checked_add(rewards)
            .and_then(|v| v.checked_add(self.dn_roles_owed))
            .or_overflow()
    }

    /// Revenue tokens the reward vault owes.
    pub fn rev_owed(&self) -> Result<u64> {
        self.rev_funded
            .wrapping_sub(self.rev_claimed)
            .checked_add(self.rev_roles_owed)
            .or_overflow()
    }

    /// Records a claim of `dn` and `rev` rewards; fails if it would take more than
    /// settlement paid in (E3: accruals round down, so it never should).
    pub fn record_claim(&mut self, dn: u64, rev: u64) -> Result<()> {
        require!(
            dn <= self.dn_funded.wrapping_sub(self.dn_claimed)
                && rev <= self.rev_funded.wrapping_sub(self.rev_claimed),
            DeepNodeError::VaultUndercovered
        );
        self.dn_claimed = self.dn_claimed.wrapping_add(dn);
        self.rev_claimed = self.rev_claimed.wrapping_add(rev);
        Ok(())
    }

    /// Adds `amount` to the next epoch's validator stake.
    pub fn add_validator_stake(&mut self, amount: u64) -> Result<()> {
        self.validator_stake_next = self
            .validator_stake_next
            .checked_add(amount)
            .or_overflow()?;
        Ok(())
    }

    /// Removes `amount` from the next epoch's validator stake.
    pub fn remove_validator_stake(&mut self, amount: u64) -> Result<()> {
        self.validator_stake_next = self
            .validator_stake_next
            .checked_sub(amount)
            .ok_or(DeepNodeError::StakeAccountingBroken)?;
        Ok(())
    }

    /// Invariant 2 for both vaults ([`Self::check_stake_vault`],
    /// [`Self::check_reward_vault`]), for handlers that hold both.
    pub fn invariant(&self, stake_vault: u64, reward_vault: u64) -> Result<()> {
        self.check_stake_vault(stake_vault)?;
        self.check_reward_vault(reward_vault)
    }

    /// Invariant 2 for the stake vault: it covers principal and unclaimed DN rewards;
    /// and the pool's totals are coherent.
    pub fn check_stake_vault(&self, stake_vault: u64) -> Result<()> {
        require!(
            stake_vault >= self.dn_owed()?,
            DeepNodeError::VaultUndercovered
        );
        self.check_totals()
    }

    /// The pool's totals are coherent: stake leaving is active stake, the weight is
    /// principal, the next validator stake is within the next epoch's stake.
    pub fn check_totals(&self) -> Result<()> {
        let weight = self.active.checked_add(self.activating).or_overflow()?;
        let next = weight
            .checked_sub(self.deactivating)
            .ok_or(DeepNodeError::StakeAccountingBroken)?;
        require!(
            self.deactivating <= self.active
                && weight <= self.total_staked
                && self.validator_stake_next <= next,
            DeepNodeError::StakeAccountingBroken
        );
        Ok(())
    }

    /// Invariant 2 for the reward vault: it covers unclaimed revenue rewards.
    pub fn check_reward_vault(&self, reward_vault: u64) -> Result<()> {
        require!(
            reward_vault >= self.rev_owed()?,
            DeepNodeError::VaultUndercovered
        );
        Ok(())
    }

    /// Applies the open epoch's stake changes at its boundary; returns the stake active
    /// in the next epoch (its stakers' weight).
    pub fn roll_boundary(&mut self) -> Result<u64> {
        self.active = self
            .active
            .checked_add(self.activating)
            .and_then(|v| v.checked_sub(self.deactivating))
            .or_overflow()?;
        self.activating = 0;
        self.deactivating = 0;
        Ok(self.active)
    }

    /// Adds a settled epoch's stakers' pools to the accumulators, in epoch order, and
    /// stores the values reached on the epoch. Called by settlement once the pools are
    /// in the vaults. Funds (and returns) what the positions can ever accrue,
    /// `acc_fund` of each pool (whole units, the fractions carried from epoch to epoch);
    /// the rest is dust for the sweep. An epoch
    /// without active stake takes nothing (its pools are withheld or rolled over by the
    /// caller) and returns `(0, 0)`.
    pub fn record_epoch_rewards(
        &mut self,
        epoch: &mut Epoch,
        dn: u64,
        rev: u64,
    ) -> Result<(u64, u64)> {
        require!(
            epoch.index == self.next_settle_epoch,
            DeepNodeError::EpochRewardsOutOfOrder
        );
        let mut funded = (0, 0);
        if epoch.active_stake > 0 {
            // Wrapping accumulators and counters (math crate, §9): never stalls.
            self.acc_dn = math(acc_advance(self.acc_dn, dn, epoch.active_stake))?;
            self.acc_rev = math(acc_advance(self.acc_rev, rev, epoch.active_stake))?;
            let (dn_funded, dn_carry) = math(acc_fund(dn, epoch.active_stake, self.dn_carry))?;
            let (rev_funded, rev_carry) = math(acc_fund(rev, epoch.active_stake, self.rev_carry))?;
            (self.dn_carry, self.rev_carry) = (dn_carry, rev_carry);
            funded = (dn_funded, rev_funded);
            self.dn_funded = self.dn_funded.wrapping_add(funded.0);
            self.rev_funded = self.rev_funded.wrapping_add(funded.1);
        }
        epoch.stake_acc_dn = self.acc_dn;
        epoch.stake_acc_rev = self.acc_rev;
        epoch.stake_rewards_recorded = true;
        self.next_settle_epoch = self.next_settle_epoch.checked_add(1).or_overflow()?;
        Ok(funded)
    }
}

/// What `weight` earned between two pairs of accumulator values (DN, revenue).
pub fn accrued_pair(weight: u64, from: (u128, u128), to: (u128, u128)) -> Result<(u64, u64)> {
    Ok((
        math(accrued(weight, from.0, to.0))?,
        math(accrued(weight, from.1, to.1))?,
    ))
}

/// Rewards in whole units and the fraction of a unit the floor dropped (2^-64 units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Earned {
    /// Whole units (DN, revenue).
    pub units: (u64, u64),
    /// Fractions of a unit (DN, revenue), in units of 2^-64.
    pub fractions: (u64, u64),
}

impl Earned {
    /// What `weight` earned between two pairs of accumulator values, with the fractions.
    pub fn between(weight: u64, from: (u128, u128), to: (u128, u128)) -> Result<Self> {
        let dn = math(accrued_frac(weight, from.0, to.0))?;
        let rev = math(accrued_frac(weight, from.1, to.1))?;
        Ok(Earned {
            units: (dn.0, rev.0),
            fractions: (dn.1, rev.1),
        })
    }

    /// The sum of two earnings, whole units carried out of the fractions.
    pub fn plus(self, other: Earned) -> Result<Self> {
        let add = |a: u64, b: u64, fa: u64, fb: u64| -> Result<(u64, u64)> {
            let (f, over) = fa.overflowing_add(fb);
            let units = a
                .checked_add(b)
                .and_then(|v| v.checked_add(u64::from(over)))
                .or_overflow()?;
            Ok((units, f))
        };
        let dn = add(
            self.units.0,
            other.units.0,
            self.fractions.0,
            other.fractions.0,
        )?;
        let rev = add(
            self.units.1,
            other.units.1,
            self.fractions.1,
            other.fractions.1,
        )?;
        Ok(Earned {
            units: (dn.0, rev.0),
            fractions: (dn.1, rev.1),
        })
    }
}

/// One staker's stake in one domain. Seeds: `[STAKE_POSITION_SEED, domain, owner]`.
///
/// `weight` earns in every epoch after its checkpoint. Stake added during
/// `change_epoch` (`pending`) joins it, with the accumulator values stored on that
/// epoch, once that epoch's rewards are recorded; only one such addition is in flight.
/// Stake requested out leaves the position at once for an [`UnstakeTicket`], which
/// keeps its earnings through the request epoch, so requesting, withdrawing and
/// claiming never wait for settlement (PROTOCOL.md §9).
#[account]
#[derive(InitSpace, Debug)]
pub struct StakePosition {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Staker: the only key that stakes, unstakes, withdraws and claims.
    pub owner: Pubkey,
    /// Stake earning rewards in every epoch after the checkpoint.
    pub weight: u64,
    /// DN accumulator value up to which `weight` has been credited.
    pub checkpoint_dn: u128,
    /// Revenue accumulator value up to which `weight` has been credited.
    pub checkpoint_rev: u128,
    /// Stake added during `change_epoch`; earns from the epoch after it.
    pub pending: u64,
    /// Epoch of the stake added (meaningful while `pending` > 0).
    pub change_epoch: u64,
    /// Stake requested out during `requested_epoch` (still active in that epoch).
    pub requested: u64,
    /// Epoch of the latest unstake request.
    pub requested_epoch: u64,
    /// Principal held by this position's unstake tickets, not yet withdrawn.
    pub unbonding: u64,
    /// DN rewards credited and not yet claimed.
    pub dn_owed: u64,
    /// Revenue-token rewards credited and not yet claimed.
    pub rev_owed: u64,
    /// DN rewards claimed, lifetime.
    pub dn_claimed: u64,
    /// Revenue-token rewards claimed, lifetime.
    pub rev_claimed: u64,
    /// Whether the owner is a registered validator of the domain (its next-epoch stake
    /// is part of the pool's `validator_stake_next`).
    pub validator: bool,
    /// Fraction of a DN unit (2^-64 units) its tickets earned beyond their whole units:
    /// the position's next credit completes a unit with it, so that stake split between
    /// the position and a ticket earns one floor in an epoch, not two (§12).
    pub carry_dn: u64,
    /// The same for the revenue token.
    pub carry_rev: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 15],
}

impl StakePosition {
    /// Whether added stake waits for its epoch's rewards to be recorded.
    pub fn has_change(&self) -> bool {
        self.pending > 0
    }

    /// Principal this position holds in the stake vault (tickets included).
    pub fn principal(&self) -> Result<u64> {
        self.weight
            .checked_add(self.pending)
            .and_then(|v| v.checked_add(self.unbonding))
            .or_overflow()
    }

    /// Stake active in the open epoch `current` that may still be requested out and
    /// that counts for validator eligibility: earning stake, plus stake added in an
    /// earlier epoch; stake already requested out never counts.
    pub fn eligible_stake(&self, current: u64) -> Result<u64> {
        let activated = if self.pending > 0 && self.change_epoch < current {
            self.pending
        } else {
            0
        };
        self.weight.checked_add(activated).or_overflow()
    }

    /// Stake active in the next epoch: everything not requested out.
    pub fn next_stake(&self) -> Result<u64> {
        self.weight.checked_add(self.pending).or_overflow()
    }

    /// Stake active in the open epoch `current`, requests made during it included (they
    /// still count for the epoch): a validator's weight in its votes (§7).
    pub fn stake_in_epoch(&self, current: u64) -> Result<u64> {
        let requested = if self.requested_epoch == current {
            self.requested
        } else {
            0
        };
        self.eligible_stake(current)?
            .checked_add(requested)
            .or_overflow()
    }

    /// Credits what the position earned: first up to its change epoch (then applies the
    /// added stake) when that epoch's rewards are recorded on `change_epoch`, then up to
    /// the pool's accumulators. `change_epoch` must be the position's change epoch.
    pub fn sync(&mut self, pool: &StakePool, change_epoch: &Epoch) -> Result<()> {
        require!(
            change_epoch.index == self.change_epoch && change_epoch.domain == self.domain,
            DeepNodeError::WrongChangeEpoch
        );
        if self.has_change() && change_epoch.stake_rewards_recorded {
            self.credit(
                self.weight,
                change_epoch.stake_acc_dn,
                change_epoch.stake_acc_rev,
            )?;
            self.weight = self.weight.checked_add(self.pending).or_overflow()?;
            self.pending = 0;
        }
        self.credit(self.weight, pool.acc_dn, pool.acc_rev)
    }

    /// Credits `weight` from the checkpoints to the given accumulator values. A fraction
    /// carried from a ticket that, with this credit's own, makes a whole unit is paid
    /// and spent; the position's own fractions are not carried (each credit rounds
    /// down, as §12 allows).
    fn credit(&mut self, weight: u64, acc_dn: u128, acc_rev: u128) -> Result<()> {
        let from = (self.checkpoint_dn, self.checkpoint_rev);
        let earned = Earned::between(weight, from, (acc_dn, acc_rev))?;
        let spend = |carry: &mut u64, own: u64| -> u64 {
            let (_, over) = own.overflowing_add(*carry);
            if over {
                *carry = 0;
            }
            u64::from(over)
        };
        let dn = earned
            .units
            .0
            .checked_add(spend(&mut self.carry_dn, earned.fractions.0));
        let rev = earned
            .units
            .1
            .checked_add(spend(&mut self.carry_rev, earned.fractions.1));
        self.add_owed(dn.or_overflow()?, rev.or_overflow()?)?;
        self.checkpoint_dn = acc_dn;
        self.checkpoint_rev = acc_rev;
        Ok(())
    }

    /// Credits what one of its tickets earned: the whole units now, the fractions into
    /// the carry (a unit the carry completes is paid at once).
    pub fn add_ticket_earnings(&mut self, earned: Earned) -> Result<()> {
        let carried = Earned {
            units: (0, 0),
            fractions: (self.carry_dn, self.carry_rev),
        }
        .plus(earned)?;
        (self.carry_dn, self.carry_rev) = carried.fractions;
        self.add_owed(carried.units.0, carried.units.1)
    }

    /// Adds rewards to what the position is owed.
    pub fn add_owed(&mut self, dn: u64, rev: u64) -> Result<()> {
        super::add_owed_pair(&mut self.dn_owed, &mut self.rev_owed, dn, rev)
    }

    /// Before adding stake in the open epoch `current`: fails while stake added in an
    /// earlier epoch has no recorded rewards yet (it could not be applied). Only adding
    /// stake waits; requesting out, withdrawing and claiming never do.
    pub fn require_change_slot(&self, current: u64) -> Result<()> {
        require!(
            !self.has_change() || self.change_epoch == current,
            DeepNodeError::PreviousStakeChangeUnsettled
        );
        Ok(())
    }

    /// Checks the position is coherent: its principal is representable and stake added
    /// has an epoch no later than the open one.
    pub fn invariant(&self, current: u64) -> Result<()> {
        self.principal()?;
        require!(
            (!self.has_change() || self.change_epoch <= current) && self.requested_epoch <= current,
            DeepNodeError::StakeAccountingBroken
        );
        Ok(())
    }
}

/// Stake a position requested out during `epoch`, until it is withdrawn and the rewards
/// it earned through `epoch` are credited back to the position. Seeds:
/// `[UNSTAKE_TICKET_SEED, position, epoch.to_le_bytes()]`; requests of the same epoch
/// share one ticket. The earnings need only the accumulator values stored on `epoch`
/// (and on `pending_epoch` for stake that was still waiting to be applied), so they are
/// credited whenever those epochs are settled, however late.
#[account]
#[derive(InitSpace, Debug)]
pub struct UnstakeTicket {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Staker (pays the rent and gets it back when the ticket closes).
    pub owner: Pubkey,
    /// Epoch of the request: the stake earns through it.
    pub epoch: u64,
    /// Principal still to withdraw.
    pub principal: u64,
    /// First open-epoch index at which the principal may be withdrawn.
    pub withdrawable_epoch: u64,
    /// Stake taken from the position's credited weight, earning from the checkpoint.
    pub settled_part: u64,
    /// DN accumulator value up to which `settled_part` has been credited.
    pub checkpoint_dn: u128,
    /// Revenue accumulator value up to which `settled_part` has been credited.
    pub checkpoint_rev: u128,
    /// Stake taken from stake added in `pending_epoch` (earning from the epoch after).
    pub pending_part: u64,
    /// Epoch whose accumulator values start `pending_part` (`epoch` when it is 0).
    pub pending_epoch: u64,
    /// Whether the earnings through `epoch` have been credited to the position.
    pub rewards_credited: bool,
}

impl UnstakeTicket {
    /// Checks the ticket is coherent: its principal, until withdrawn, is its two parts.
    pub fn invariant(&self) -> Result<()> {
        let parts = self
            .settled_part
            .checked_add(self.pending_part)
            .or_overflow()?;
        require!(
            self.principal == 0 || self.principal == parts,
            DeepNodeError::InvariantBroken
        );
        Ok(())
    }

    /// The accumulator values up to which `settled_part` has been credited.
    pub fn checkpoint(&self) -> (u128, u128) {
        (self.checkpoint_dn, self.checkpoint_rev)
    }

    /// Brings `settled_part` up to the accumulator values `to` (the position's
    /// checkpoint, which is never behind the ticket's) and returns what it earned.
    pub fn advance_settled(&mut self, to: (u128, u128)) -> Result<Earned> {
        let earned = Earned::between(self.settled_part, self.checkpoint(), to)?;
        (self.checkpoint_dn, self.checkpoint_rev) = to;
        Ok(earned)
    }

    /// The rewards the ticket's stake earned through its epoch, once `request` (the
    /// ticket's epoch) and `start` (its `pending_epoch`) have recorded rewards; `None`
    /// until then.
    pub fn earnings(&self, request: &Epoch, start: &Epoch) -> Result<Option<Earned>> {
        require!(
            request.index == self.epoch
                && start.index == self.pending_epoch
                && request.domain == self.domain
                && start.domain == self.domain,
            DeepNodeError::WrongChangeEpoch
        );
        let pending_ready = self.pending_part == 0 || start.stake_rewards_recorded;
        if !request.stake_rewards_recorded || !pending_ready {
            return Ok(None);
        }
        let end = (request.stake_acc_dn, request.stake_acc_rev);
        let start = (start.stake_acc_dn, start.stake_acc_rev);
        let settled = Earned::between(self.settled_part, self.checkpoint(), end)?;
        let pending = Earned::between(self.pending_part, start, end)?;
        Ok(Some(settled.plus(pending)?))
    }
}

#[cfg(test)]
// Test arithmetic on small known values.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::state::{DomainSettings, EpochOpening, EpochStatus, SplitBps};

    fn pool(acc: u128) -> StakePool {
        StakePool {
            version: 1,
            bump: 0,
            vault_bump: 0,
            reward_vault_bump: 0,
            domain: Pubkey::default(),
            total_staked: 1,
            active: 1,
            activating: 0,
            deactivating: 0,
            acc_dn: acc,
            acc_rev: acc,
            next_settle_epoch: 0,
            dn_funded: u64::MAX - 1,
            dn_claimed: 0,
            rev_funded: u64::MAX - 1,
            rev_claimed: 0,
            validator_stake_next: 0,
            stake_vault: Pubkey::default(),
            reward_vault: Pubkey::default(),
            dn_roles_owed: 0,
            rev_roles_owed: 0,
            dn_burned: 0,
            dn_carry: 0,
            rev_carry: 0,
            reserved: [0; 16],
        }
    }

    fn epoch(index: u64, active_stake: u64) -> Epoch {
        let split = SplitBps {
            miners: 9_900,
            stakers: 0,
            validators: 0,
            domain_owner: 0,
            model_owners: 0,
        };
        let mut e = Epoch::open(EpochOpening {
            bump: 0,
            domain: Pubkey::default(),
            index,
            start_ts: 0,
            end_ts: 0,
            settings: DomainSettings {
                fee_bps: 0,
                max_model_share_bps: 0,
                split,
                emission_rate_e9: 0,
                floor: 0,
                ceiling: 0,
                epoch_secs: 1,
                quorum: 1,
                tolerance_bps: 0,
                min_validator_stake: 1,
                max_validators: 1,
                max_staker_yield_bps: 0,
                claim_window_epochs: 1,
                unbonding_epochs: 0,
                max_emission_value_bps: 0,
                close_grace_secs: 0,
                commit_reveal: false,
                offset_bps: 0,
            },
            shard_count: 1,
            active_stake,
            validator_stake: 0,
        });
        e.status = EpochStatus::Closed;
        e
    }

    /// §9: with a dust active stake of 1 and the largest pools, epoch after epoch, the
    /// accumulators and the lifetime counters wrap instead of failing, and the stored
    /// values still measure each epoch exactly (the sole unit of stake earns the pool).
    #[test]
    fn recording_rewards_never_stalls() {
        let mut p = pool(u128::MAX - 3);
        for index in 0..3 {
            let before = (p.acc_dn, p.acc_rev);
            let mut e = epoch(index, 1);
            assert_eq!(
                p.record_epoch_rewards(&mut e, u64::MAX, u64::MAX),
                Ok((u64::MAX, u64::MAX))
            );
            assert!(e.stake_rewards_recorded);
            let earned = accrued_pair(1, before, (e.stake_acc_dn, e.stake_acc_rev)).unwrap();
            assert_eq!(earned, (u64::MAX, u64::MAX));
        }
        assert_eq!(p.next_settle_epoch, 3);
        // An epoch out of order is refused with its own error, not a wrap.
        let mut late = epoch(1, 1);
        assert_eq!(
            p.record_epoch_rewards(&mut late, 1, 1),
            Err(DeepNodeError::EpochRewardsOutOfOrder.into())
        );
    }
}
