//! Per-domain epochs and their per-shard revenue counters.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::MAX_ATTESTATIONS;
use crate::errors::{math, DeepNodeError};
use crate::state::DomainSettings;
use deepnode_math::{payout, MINERS_ROLE, MODEL_OWNERS_ROLE, ROLES, VALIDATORS_ROLE};

/// Where an epoch is in its life (PROTOCOL.md §5).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum EpochStatus {
    /// Payments and attestations are recorded into it.
    Open,
    /// Ended; records are being finalised.
    Closed,
    /// Every record finalised; totals known.
    Finalised,
    /// Budget minted and pools fixed.
    Settled,
}

/// One epoch of one domain. Seeds: `[EPOCH_SEED, domain, index.to_le_bytes()]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Epoch {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain this epoch belongs to.
    pub domain: Pubkey,
    /// Epoch index within the domain.
    pub index: u64,
    /// Life-cycle state.
    pub status: EpochStatus,
    /// Unix time the epoch opened (Clock sysvar).
    pub start_ts: i64,
    /// Unix time after which the epoch may be closed.
    pub end_ts: i64,
    /// Settings the epoch opened with; later changes never touch them (invariant 7).
    pub settings: DomainSettings,
    /// Number of shard counters of this epoch (the domain's shard count).
    pub shard_count: u8,
    /// Stake active during this epoch (the stakers' weight), fixed when it opens.
    pub active_stake: u64,
    /// Work records created in this epoch (the crank finalises this many).
    pub work_records: u64,
    /// Whether the stakers' rewards of this epoch are in the accumulators.
    pub stake_rewards_recorded: bool,
    /// Stake pool's DN accumulator after this epoch's rewards (valid once recorded).
    pub stake_acc_dn: u128,
    /// Stake pool's revenue accumulator after this epoch's rewards (valid once recorded).
    pub stake_acc_rev: u128,
    /// Validator stake `W_e`: the summed weights of the validators that vote in this
    /// epoch (registered when it opened), fixed when it opens (PROTOCOL.md §7).
    pub validator_stake: u64,
    /// What settlement takes from governance and the auction, fixed when the epoch
    /// closed (zero while it is open).
    pub closed_with: ClosedWith,
    /// Room for the crank's totals without migration.
    pub reserved: [u8; 105],
}

/// What settlement takes from governance and the domain's auction, recorded when the
/// epoch closes, so that nothing changed afterwards alters its settlement (§5, §13, F8).
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct ClosedWith {
    /// Keeper tip ceiling (DN base units).
    pub keeper_tip_max: u64,
    /// Global emission cap per period (DN base units).
    pub global_cap_per_period: u64,
    /// Length of the cap's period (seconds).
    pub period_secs: u32,
    /// §13: epochs in the guard price's window.
    pub guard_price_epochs: u16,
    /// §13: the auction's reference price (times 1e9; 0 with no auction), the guard
    /// price before any clearing price counted.
    pub reference_price_e9: u64,
}

/// The crank's book of one epoch: its validators' weights and scores, the totals of its
/// finalised records, its collected revenue, what rolled into its pool and its
/// settlement. Kept apart from [`Epoch`] so that payments and claims, which read the
/// epoch on every call, do not pay to deserialise it. Seeds:
/// `[EPOCH_BOOK_SEED, domain, epoch.to_le_bytes()]`; created with its epoch.
#[account]
#[derive(InitSpace, Debug)]
pub struct EpochBook {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Epoch index.
    pub epoch: u64,
    /// Work records that reached quorum (each must be finalised before settlement).
    pub quorate_records: u64,
    /// Quorate records finalised so far.
    pub finalised_records: u64,
    /// Verified work units of the finalised records (miners' total weight).
    pub total_verified: u128,
    /// Agreeing attestations of the finalised records (validators' total weight).
    pub total_agreeing: u64,
    /// The validators that attested in this epoch: each one's weight (its stake active
    /// in the epoch, recorded by its first attestation) and, once records are
    /// finalised, its agreeing attestations. At most `MAX_ATTESTATIONS` vote.
    pub voters: [Voter; MAX_ATTESTATIONS as usize],
    /// Revenue rolled into this epoch's revenue-reward pool (unpayable roles of the
    /// previous epoch, sweeps of expired epochs); held in the reward vault.
    pub rolled_in: u64,
    /// Shards whose pool share has been moved into the reward vault (`fund_reward_vault`).
    pub shards_collected: u8,
    /// Revenue `R` summed over the collected shards.
    pub revenue_collected: u64,
    /// What the reward vault received of the collected shards' pool shares.
    pub pool_received: u64,
    /// What settlement fixed (zero until settled).
    pub settlement: Settlement,
    /// §13: DN paid for the domain's auction stock while this epoch was open.
    pub bought_dn: u128,
    /// §13: revenue units bought from the auction while this epoch was open.
    pub bought_quantity: u128,
    /// Stock this epoch added to the auction: the buyback shares of its payments (summed
    /// by `fund_reward_vault`; none when paid in DN, whose share is burned at once).
    pub stock_added: u64,
    /// §13: the stock the previous epoch added (its settlement writes it here): this
    /// epoch's purchases count toward the guard price only if they bought half of it.
    pub previous_stock: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 32],
}

impl EpochBook {
    /// Checks the book is coherent: no more records finalised than quorate, and no
    /// role credited more than its pool (§11.3).
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.finalised_records <= self.quorate_records,
            DeepNodeError::InvariantBroken
        );
        let s = &self.settlement;
        for role in 0..ROLES {
            require!(
                s.dn_credited[role] <= s.dn_pools[role]
                    && s.rev_credited[role] <= s.rev_pools[role],
                DeepNodeError::InvariantBroken
            );
        }
        Ok(())
    }

    /// What the settled epoch pays a miner with `units` verified units (§12:
    /// `floor(pool * units / total_verified)` of each token): `(dn, revenue)`. The program
    /// credits it and the keeper plans with it, so the two cannot differ.
    pub fn miner_payout(&self, units: u64) -> Result<(u64, u64)> {
        self.weighted(MINERS_ROLE, units, self.total_verified)
    }

    /// What the settled epoch pays a validator with `agreeing` agreeing attestations, of
    /// the epoch's total: `(dn, revenue)`.
    pub fn validator_payout(&self, agreeing: u64) -> Result<(u64, u64)> {
        self.weighted(VALIDATORS_ROLE, agreeing, u128::from(self.total_agreeing))
    }

    /// What the settled epoch pays a model's owner for the model's `revenue` of the
    /// epoch's: `(dn, revenue)`.
    pub fn model_owner_payout(&self, revenue: u64) -> Result<(u64, u64)> {
        let total = u128::from(self.settlement.revenue);
        self.weighted(MODEL_OWNERS_ROLE, revenue, total)
    }

    /// `floor(pool * w / total)` of `role`'s DN and revenue pools.
    fn weighted(&self, role: usize, w: u64, total: u128) -> Result<(u64, u64)> {
        let s = &self.settlement;
        Ok((
            math(payout(s.dn_pools[role], w, total))?,
            math(payout(s.rev_pools[role], w, total))?,
        ))
    }

    /// A new epoch's empty book.
    pub fn open(bump: u8, domain: Pubkey, epoch: u64) -> Self {
        EpochBook {
            version: crate::constants::ACCOUNT_VERSION,
            bump,
            domain,
            epoch,
            quorate_records: 0,
            finalised_records: 0,
            total_verified: 0,
            total_agreeing: 0,
            voters: [Voter::default(); MAX_ATTESTATIONS as usize],
            rolled_in: 0,
            shards_collected: 0,
            revenue_collected: 0,
            pool_received: 0,
            settlement: Settlement::default(),
            bought_dn: 0,
            bought_quantity: 0,
            stock_added: 0,
            previous_stock: 0,
            reserved: [0; 32],
        }
    }

    /// Fails once the epoch has been swept (nothing more is credited from it).
    pub fn require_not_swept(&self) -> Result<()> {
        require!(!self.settlement.swept, DeepNodeError::EpochAlreadySwept);
        Ok(())
    }

    /// The voter slot of validator `index`, if it attested in this epoch.
    pub fn voter(&self, index: u32) -> Option<usize> {
        self.voters
            .iter()
            .position(|v| v.weight > 0 && v.validator == index)
    }

    /// Records validator `index` as a voter of weight `weight` (its first attestation
    /// in the epoch); returns its slot. Its weight is fixed for the epoch.
    pub fn add_voter(&mut self, index: u32, weight: u64) -> Result<usize> {
        if let Some(slot) = self.voter(index) {
            return Ok(slot);
        }
        require!(weight > 0, DeepNodeError::ValidatorStakeTooLow);
        let slot = self
            .voters
            .iter()
            .position(|v| v.weight == 0)
            .ok_or(DeepNodeError::ScoreTableFull)?;
        self.voters[slot] = Voter {
            validator: index,
            weight,
            agreeing: 0,
            credited: false,
        };
        Ok(slot)
    }

    /// Adds one agreeing attestation to validator `index`'s score.
    pub fn add_agreeing(&mut self, index: u32) -> Result<()> {
        let slot = self.voter(index).ok_or(DeepNodeError::NoValidatorScore)?;
        let voter = &mut self.voters[slot];
        voter.agreeing = voter.agreeing.checked_add(1).or_overflow()?;
        self.total_agreeing = self.total_agreeing.checked_add(1).or_overflow()?;
        Ok(())
    }
}

/// A validator that attested in an epoch (a slot is in use when `weight > 0`: a
/// validator's weight is at least the domain's minimum stake, itself at least 1).
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct Voter {
    /// Validator index in the domain.
    pub validator: u32,
    /// Its weight in the epoch's medians.
    pub weight: u64,
    /// Agreeing attestations (its weight in the validators' pool; a u64, so that no
    /// number of records can overflow it).
    pub agreeing: u64,
    /// Whether its payout has been credited.
    pub credited: bool,
}

/// An epoch's settlement: budget, pools and what has been credited out of them.
/// Pools are indexed by role (`deepnode_math::MINERS_ROLE`...).
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct Settlement {
    /// Epoch revenue `R` (sum of the shard counters).
    pub revenue: u64,
    /// Revenue-reward pool: what the reward vault received from the shards plus
    /// `rolled_in`.
    pub rev_pool: u64,
    /// DN budget (§12).
    pub budget: u64,
    /// §13: the DN price of a revenue unit (times 1e9) the guard used, and the cap it
    /// gave (`None`: the epoch had no guard).
    pub value_guard: Option<ValueGuard>,
    /// Keeper tip, credited to the settling caller.
    pub tip: u64,
    /// DN minted: `budget - withheld` (the tip included) less what the offset reserve
    /// paid (§14).
    pub minted: u64,
    /// DN not minted: unpayable roles and the stakers' cap.
    pub withheld: u64,
    /// Revenue rolled into the next epoch (unpayable roles).
    pub rolled_out: u64,
    /// DN pool funded per role.
    pub dn_pools: [u64; ROLES],
    /// Revenue pool funded per role.
    pub rev_pools: [u64; ROLES],
    /// DN credited per role (stakers: what the accumulator can pay, at settlement).
    pub dn_credited: [u64; ROLES],
    /// Revenue credited per role (likewise).
    pub rev_credited: [u64; ROLES],
    /// Whether the domain owner's payout has been credited.
    pub domain_owner_credited: bool,
    /// Whether the foundation's payout has been credited.
    pub foundation_credited: bool,
    /// Whether the epoch has been swept (nothing is credited after).
    pub swept: bool,
    /// Who settled the epoch (received the tip).
    pub settled_by: Pubkey,
    /// The domain's last closed epoch when this one was settled: the claim window counts
    /// from it (§5), so a late settlement never shortens the window.
    pub window_from: u64,
    /// §13: the volume-weighted price of the purchases made while the epoch was open
    /// (times 1e9; 0 with none).
    pub clearing_e9: u64,
    /// §13: whether that price counted (they bought half of the previous epoch's stock).
    pub clearing_counted: bool,
    /// §13: the guard price after this epoch (times 1e9; 0 with no auction).
    pub guard_price_e9: u64,
    /// §14: the revenue of the pool turned into offset stock in the auction.
    pub offset_stock: u64,
    /// §14: DN paid to the roles out of the offset reserve (`minted + from_reserve ==
    /// budget - withheld`).
    pub from_reserve: u64,
}

/// How the §13 emission value guard priced and capped an epoch.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct ValueGuard {
    /// DN per revenue unit, times 1e9: 1e9 for a DN-paid domain, else the epoch's guard
    /// price (the least counted clearing price of its window, carried forward when none
    /// counted, the auction's reference price before any; 0 with no auction).
    pub price_e9: u64,
    /// The guard in force (bps of the revenue's DN value).
    pub max_value_bps: u16,
    /// The cap on the budget: `floor(floor(R * price_e9 / 1e9) * bps / 10000)`.
    pub cap: u64,
}

impl Settlement {
    /// DN of the pools not credited (dust and unclaimed payouts).
    pub fn dn_uncredited(&self) -> Result<u64> {
        uncredited(&self.dn_pools, &self.dn_credited)
    }

    /// Revenue of the pools not credited.
    pub fn rev_uncredited(&self) -> Result<u64> {
        uncredited(&self.rev_pools, &self.rev_credited)
    }

    /// Records a credit of `dn` and `rev` out of role `role`'s pools; fails if it would
    /// take more than a pool holds (§11.3: sum of claims per pool <= pool).
    pub fn credit(&mut self, role: usize, dn: u64, rev: u64) -> Result<()> {
        let dn_total = self.dn_credited[role].checked_add(dn).or_overflow()?;
        let rev_total = self.rev_credited[role].checked_add(rev).or_overflow()?;
        require!(
            dn_total <= self.dn_pools[role] && rev_total <= self.rev_pools[role],
            DeepNodeError::PoolOverdrawn
        );
        self.dn_credited[role] = dn_total;
        self.rev_credited[role] = rev_total;
        Ok(())
    }
}

fn uncredited(pools: &[u64; ROLES], credited: &[u64; ROLES]) -> Result<u64> {
    pools
        .iter()
        .zip(credited.iter())
        .try_fold(0u64, |acc, (p, c)| {
            p.checked_sub(*c).and_then(|left| acc.checked_add(left))
        })
        .ok_or_else(|| error!(DeepNodeError::PoolOverdrawn))
}

/// What an epoch starts with when it opens.
pub struct EpochOpening {
    /// Canonical bump of the epoch's PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Epoch index.
    pub index: u64,
    /// Opening time (Clock sysvar).
    pub start_ts: i64,
    /// Time after which it may be closed.
    pub end_ts: i64,
    /// Settings it opens with.
    pub settings: DomainSettings,
    /// The domain's shard count.
    pub shard_count: u8,
    /// Stakers' weight in it.
    pub active_stake: u64,
    /// Validator stake `W_e`.
    pub validator_stake: u64,
}

impl Epoch {
    /// Checks the epoch is coherent: it ends after it starts and has a shard.
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.end_ts > self.start_ts && self.shard_count >= 1,
            DeepNodeError::InvariantBroken
        );
        Ok(())
    }

    /// A newly opened epoch: nothing recorded, nothing settled.
    pub fn open(o: EpochOpening) -> Self {
        Epoch {
            version: crate::constants::ACCOUNT_VERSION,
            bump: o.bump,
            domain: o.domain,
            index: o.index,
            status: EpochStatus::Open,
            start_ts: o.start_ts,
            end_ts: o.end_ts,
            settings: o.settings,
            shard_count: o.shard_count,
            active_stake: o.active_stake,
            work_records: 0,
            stake_rewards_recorded: false,
            stake_acc_dn: 0,
            stake_acc_rev: 0,
            validator_stake: o.validator_stake,
            closed_with: ClosedWith::default(),
            reserved: [0; 105],
        }
    }

    /// Fails unless the epoch is settled.
    pub fn require_settled(&self) -> Result<()> {
        require!(
            self.status == EpochStatus::Settled,
            DeepNodeError::EpochNotSettled
        );
        Ok(())
    }

    /// Whether the claim window of this settled epoch, whose book is `book`, is still
    /// open when the domain's open epoch is `current` (§5: it counts from the last
    /// closed epoch when it was settled; the epoch can be swept once it closes).
    pub fn window_open(&self, book: &EpochBook, current: u64) -> Result<bool> {
        math(deepnode_math::claim_window_open(
            current,
            book.settlement.window_from,
            self.settings.claim_window_epochs,
        ))
    }

    /// When the epoch may be closed: its end plus its grace window (§5).
    pub fn closes_at(&self) -> Result<i64> {
        math(deepnode_math::close_time(
            self.end_ts,
            self.settings.close_grace_secs,
        ))
    }

    /// Fails unless the epoch is open.
    pub fn require_open(&self) -> Result<()> {
        require!(
            self.status == EpochStatus::Open,
            DeepNodeError::EpochNotOpen
        );
        Ok(())
    }
}

/// Revenue counters of one shard for one epoch; summed when the epoch closes.
/// Seeds: `[EPOCH_SHARD_SEED, domain, epoch.to_le_bytes(), [shard]]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct EpochShard {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Epoch index.
    pub epoch: u64,
    /// Shard index.
    pub shard: u8,
    /// Sum of amounts received (`R`'s part from this shard).
    pub revenue: u64,
    /// Sum of emission-pool shares (`P`'s part from this shard).
    pub pool: u64,
    /// Usage units recorded (informational; saturates at `u64::MAX` rather than fail).
    pub usage_units: u64,
    /// Number of payments recorded (saturates: a statistic).
    pub payments: u64,
    /// Who paid the rent (gets it back when the record is closed).
    pub rent_payer: Pubkey,
    /// Whether its pool share has moved to the reward vault (`fund_reward_vault`).
    pub collected: bool,
    /// Sum of the buyback shares kept for the auction (not burned): the stock this
    /// shard's payments of the epoch add to it (§13).
    pub buyback: u64,
}

impl EpochShard {
    /// Checks the counters are coherent: the pool share never exceeds the revenue.
    pub fn invariant(&self) -> Result<()> {
        require!(self.pool <= self.revenue, DeepNodeError::VaultUndercovered);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A settled book: 3 verified units, 4 agreeing attestations, revenue 10; DN pools
    /// of 100 (miners), 50 (validators), 30 (model owners), revenue pools of 9, 8, 7.
    fn settled() -> EpochBook {
        let mut b = EpochBook::open(255, Pubkey::new_unique(), 0);
        b.total_verified = 3;
        b.total_agreeing = 4;
        b.settlement.revenue = 10;
        b.settlement.dn_pools = [100, 0, 50, 0, 30, 0];
        b.settlement.rev_pools = [9, 0, 8, 0, 7, 0];
        b
    }

    /// Each weighted role pays `floor(pool * w / total)` of each token, by its own total.
    #[test]
    fn weighted_payouts_floor_each_pool_by_the_roles_total() {
        let b = settled();
        // Miners: 100 * 1 / 3 = 33.3, 9 * 1 / 3 = 3.
        assert_eq!(b.miner_payout(1).unwrap(), (33, 3));
        assert_eq!(b.miner_payout(3).unwrap(), (100, 9));
        // Validators: 50 * 3 / 4 = 37.5, 8 * 3 / 4 = 6.
        assert_eq!(b.validator_payout(3).unwrap(), (37, 6));
        // Model owners: 30 * 7 / 10 = 21, 7 * 7 / 10 = 4.9.
        assert_eq!(b.model_owner_payout(7).unwrap(), (21, 4));
        // A weight above the total is refused, not paid beyond the pool.
        assert_eq!(
            b.miner_payout(4).unwrap_err(),
            anchor_lang::error::Error::from(DeepNodeError::MathOverflow)
        );
    }
}
