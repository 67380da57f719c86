//! The engine's own model of one domain, written from PROTOCOL.md (§4, §7, §9, §12) and
//! the Token-2022 transfer-fee rule, never by calling the program or the math crate: the
//! payment split, the shard ledgers, model balances, the buyback vault, stake positions
//! with their unstake tickets and reward-per-share accumulators, validators and their
//! votes. The engine compares the chain with it after every instruction.
use std::collections::HashMap;

/// 2^64, the accumulator's scale.
const SCALE: u128 = 1 << 64;

/// One attestation: (validator index, units, the validator's weight in the epoch).
pub type Vote = (u32, u64, u64);

/// One payment's split (§12), on what arrived.
#[derive(Clone, Copy, Debug)]
pub struct Split {
    pub received: u64,
    pub owner: u64,
    pub fee: u64,
    pub buyback: u64,
    pub pool: u64,
}

/// What one shard owes, by destination.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ledger {
    pub model_owed: u64,
    pub fee_owed: u64,
    pub buyback_owed: u64,
    pub pool_owed: u64,
}

impl Ledger {
    /// Everything the shard's vault must hold.
    pub fn total(&self) -> u64 {
        self.model_owed + self.fee_owed + self.buyback_owed + self.pool_owed
    }
}

/// One unstake ticket.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub epoch: u64,
    pub principal: u64,
    pub withdrawable: u64,
    pub settled_part: u64,
    pub checkpoint: (u128, u128),
    pub pending_part: u64,
    pub pending_epoch: u64,
}

/// One staker's position.
#[derive(Clone, Debug, Default)]
pub struct Staker {
    pub weight: u64,
    pub pending: u64,
    pub change_epoch: u64,
    pub requested: u64,
    pub requested_epoch: u64,
    pub checkpoint: (u128, u128),
    pub owed: (u64, u64),
    pub tickets: Vec<Ticket>,
    /// DN in the staker's wallet.
    pub wallet: u64,
    pub dn_claimed: u64,
    /// Exact pro-rata DN payouts scaled by 2^64 (an upper bound on what it may get).
    pub exact_scaled: u128,
    /// Validator index and registration epoch, once registered.
    pub validator: Option<(u32, u64)>,
    /// Stake active in each epoch, fixed when the epoch opens.
    pub active: HashMap<u64, u64>,
}

/// `floor(w * delta / 2^64)` exactly, `delta` taken modulo 2^128.
fn accrue(w: u64, from: u128, to: u128) -> u64 {
    let delta = to.wrapping_sub(from);
    let w = u128::from(w);
    let total = w * (delta >> 64) + ((w * (delta & (SCALE - 1))) >> 64);
    u64::try_from(total).expect("accrual fits u64")
}

impl Staker {
    pub fn has_change(&self) -> bool {
        self.pending > 0
    }
    /// Stake that may be requested out and counts for eligibility in open epoch `e`.
    pub fn eligible(&self, e: u64) -> u64 {
        if self.pending > 0 && self.change_epoch < e {
            self.weight + self.pending
        } else {
            self.weight
        }
    }
    /// The validator's weight in the open epoch `e`: requests made in it still count.
    pub fn stake_in(&self, e: u64) -> u64 {
        self.eligible(e)
            + if self.requested_epoch == e {
                self.requested
            } else {
                0
            }
    }
    /// Stake active in the next epoch.
    pub fn next_stake(&self) -> u64 {
        self.weight + self.pending
    }
    pub fn ticket(&self, epoch: u64) -> Option<&Ticket> {
        self.tickets.iter().find(|t| t.epoch == epoch)
    }
    fn credit(&mut self, w: u64, to: (u128, u128)) {
        self.owed.0 += accrue(w, self.checkpoint.0, to.0);
        self.owed.1 += accrue(w, self.checkpoint.1, to.1);
        self.checkpoint = to;
    }
    /// The position's checkpoint step (§9): apply stake added in an epoch whose rewards
    /// are recorded, then credit up to the pool's accumulators.
    fn sync(&mut self, recorded: &HashMap<u64, (u128, u128)>, acc: (u128, u128)) {
        if self.has_change() {
            if let Some(at) = recorded.get(&self.change_epoch) {
                self.credit(self.weight, *at);
                self.weight += self.pending;
                self.pending = 0;
            }
        }
        self.credit(self.weight, acc);
    }
}

/// One domain.
pub struct DomainModel {
    pub is_dn: bool,
    /// Transfer fee (bps, maximum) of the revenue mint.
    pub transfer_fee: Option<(u16, u64)>,
    pub epoch: u64,
    pub fee_bps: u16,
    pub pending_fee: Option<u16>,
    pub shares: Vec<u16>,
    pub claimable: Vec<u64>,
    pub shards: [Ledger; 2],
    pub auction_available: u64,
    pub min_validator_stake: u64,
    pub stakers: Vec<Staker>,
    next_index: u32,
    /// Accumulators (DN, revenue) and the values each recorded epoch reached.
    acc: (u128, u128),
    recorded: HashMap<u64, (u128, u128)>,
    pub settled_next: u64,
    /// Work records of the open epoch: (miner, epoch) -> votes in order.
    records: HashMap<(usize, u64), Vec<Vote>>,
}

impl DomainModel {
    pub fn new(
        is_dn: bool,
        transfer_fee: Option<(u16, u64)>,
        fee_bps: u16,
        shares: Vec<u16>,
        stakers: usize,
    ) -> DomainModel {
        let n = shares.len();
        let mut all = vec![Staker::default(); stakers];
        for s in &mut all {
            s.wallet = 10_000;
        }
        DomainModel {
            is_dn,
            transfer_fee,
            epoch: 0,
            fee_bps,
            pending_fee: None,
            shares,
            claimable: vec![0; n],
            shards: [Ledger::default(); 2],
            auction_available: 0,
            min_validator_stake: 1_000,
            stakers: all,
            next_index: 0,
            acc: (0, 0),
            recorded: HashMap::new(),
            settled_next: 0,
            records: HashMap::new(),
        }
    }

    /// What arrives of a transfer of `amount` (Token-2022: `ceil(amount * bps / 10^4)`,
    /// at most the maximum, stays behind as the transfer fee).
    pub fn arrives(&self, amount: u64) -> u64 {
        match self.transfer_fee {
            None => amount,
            Some((bps, max)) => {
                let fee = (u128::from(amount) * u128::from(bps)).div_ceil(10_000);
                amount - u64::try_from(fee).unwrap().min(max)
            }
        }
    }

    /// The §12 split of a payment of `amount` to model `j`, or None below the minimum.
    pub fn split(&self, j: usize, amount: u64) -> Option<Split> {
        if amount < 100 {
            return None;
        }
        let r = self.arrives(amount);
        if r < 100 {
            return None;
        }
        let part = |bps: u16| (u128::from(r) * u128::from(bps) / 10_000) as u64;
        let (owner, fee, buyback) = (part(self.shares[j]), part(self.fee_bps), r / 100);
        Some(Split {
            received: r,
            owner,
            fee,
            buyback,
            pool: r - owner - fee - buyback,
        })
    }

    /// Books a payment on shard `shard` (a DN domain burns the buyback share at once).
    pub fn credit(&mut self, j: usize, shard: u8, s: &Split) {
        let l = &mut self.shards[usize::from(shard)];
        self.claimable[j] += s.owner;
        l.model_owed += s.owner;
        l.fee_owed += s.fee;
        l.pool_owed += s.pool;
        if !self.is_dn {
            l.buyback_owed += s.buyback;
        }
    }

    /// What a claim of model `j` from `shard` pays (before the transfer fee).
    pub fn model_claim(&self, j: usize, shard: u8) -> u64 {
        self.claimable[j].min(self.shards[usize::from(shard)].model_owed)
    }

    pub fn apply_model_claim(&mut self, j: usize, shard: u8, amount: u64) {
        self.claimable[j] -= amount;
        self.shards[usize::from(shard)].model_owed -= amount;
    }

    fn sync(&mut self, i: usize) {
        let (recorded, acc) = (&self.recorded, self.acc);
        self.stakers[i].sync(recorded, acc);
    }

    /// Staker `i` as the program sees it after its checkpoint step, without changing
    /// the model (a failed instruction changes nothing).
    pub fn synced(&self, i: usize) -> Staker {
        let mut s = self.stakers[i].clone();
        s.sync(&self.recorded, self.acc);
        s
    }

    pub fn stake(&mut self, i: usize, amount: u64) {
        self.sync(i);
        let epoch = self.epoch;
        let s = &mut self.stakers[i];
        s.pending += amount;
        s.change_epoch = epoch;
        s.wallet -= amount;
    }

    pub fn request(&mut self, i: usize, amount: u64) {
        self.sync(i);
        let epoch = self.epoch;
        let unbonding = u64::from(deepnode_tests::fixtures::default_settings().unbonding_epochs);
        let s = &mut self.stakers[i];
        let from_weight = amount.min(s.weight);
        let from_pending = amount - from_weight;
        s.weight -= from_weight;
        s.pending -= from_pending;
        if s.requested_epoch == epoch {
            s.requested += amount;
        } else {
            (s.requested, s.requested_epoch) = (amount, epoch);
        }
        let (checkpoint, change_epoch) = (s.checkpoint, s.change_epoch);
        let mut merged = (0, 0);
        match s.tickets.iter_mut().find(|t| t.epoch == epoch) {
            Some(t) => {
                // Bring the settled part up to the position's checkpoint first.
                merged.0 = accrue(t.settled_part, t.checkpoint.0, checkpoint.0);
                merged.1 = accrue(t.settled_part, t.checkpoint.1, checkpoint.1);
                t.checkpoint = checkpoint;
                t.principal += amount;
                t.settled_part += from_weight;
                if from_pending > 0 {
                    t.pending_part += from_pending;
                    t.pending_epoch = change_epoch;
                }
            }
            None => s.tickets.push(Ticket {
                epoch,
                principal: amount,
                withdrawable: epoch + 1 + unbonding,
                settled_part: from_weight,
                checkpoint,
                pending_part: from_pending,
                pending_epoch: if from_pending > 0 {
                    change_epoch
                } else {
                    epoch
                },
            }),
        }
        s.owed.0 += merged.0;
        s.owed.1 += merged.1;
    }

    /// Whether a ticket's earnings can be credited (its epochs' rewards are recorded).
    pub fn ticket_ready(&self, t: &Ticket) -> bool {
        self.recorded.contains_key(&t.epoch)
            && (t.pending_part == 0 || self.recorded.contains_key(&t.pending_epoch))
    }

    pub fn withdraw(&mut self, i: usize, epoch: u64, ready: bool) {
        let recorded = &self.recorded;
        let s = &mut self.stakers[i];
        let k = s.tickets.iter().position(|t| t.epoch == epoch).unwrap();
        let t = s.tickets[k].clone();
        s.wallet += t.principal;
        s.tickets[k].principal = 0;
        if ready {
            let end = recorded[&t.epoch];
            let start = recorded.get(&t.pending_epoch).copied().unwrap_or(end);
            s.owed.0 += accrue(t.settled_part, t.checkpoint.0, end.0)
                + accrue(t.pending_part, start.0, end.0);
            s.owed.1 += accrue(t.settled_part, t.checkpoint.1, end.1)
                + accrue(t.pending_part, start.1, end.1);
            s.tickets.remove(k);
        }
    }

    /// What a claim pays (DN, revenue); (0, 0) means the program answers NothingToClaim
    /// and nothing changes. Otherwise the position is synced and paid.
    pub fn claim(&mut self, i: usize) -> (u64, u64) {
        let mut s = self.synced(i);
        let owed = s.owed;
        if owed == (0, 0) {
            return owed;
        }
        s.owed = (0, 0);
        s.dn_claimed += owed.0;
        s.wallet += owed.0;
        self.stakers[i] = s;
        owed
    }

    pub fn register(&mut self, i: usize) {
        let epoch = self.epoch;
        self.stakers[i].validator = Some((self.next_index, epoch));
        self.next_index += 1;
    }

    /// The outcome of validator `i` attesting `units` for miner `j` in the open epoch:
    /// the vote to record, or the exact error.
    pub fn attest_outcome(
        &self,
        i: usize,
        j: usize,
        units: u64,
        revise: bool,
        paused: bool,
    ) -> Result<(Option<usize>, Vote), u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::{anchor_code, code};
        let s = &self.stakers[i];
        let weight = s.stake_in(self.epoch);
        let Some((index, registered)) = s.validator else {
            // No validator account.
            return Err(anchor_code::NOT_INITIALIZED);
        };
        if paused {
            return Err(code(E::ProtocolPaused));
        }
        if registered >= self.epoch {
            return Err(code(E::ValidatorNotYetVoting));
        }
        if weight < self.min_validator_stake {
            return Err(code(E::ValidatorStakeTooLow));
        }
        if units > deepnode::constants::MAX_ATTESTED_UNITS {
            return Err(code(E::UnitsAboveMaximum));
        }
        let record = self.records.get(&(j, self.epoch));
        let mine = record.and_then(|r| r.iter().position(|(v, _, _)| *v == index));
        match (mine, revise) {
            (Some(_), false) => Err(code(E::AlreadyAttested)),
            (None, true) => Err(code(E::NothingToRevise)),
            (k, _) => Ok((k, (index, units, weight))),
        }
    }

    /// Whether validator `i` attested miner `j` in the open epoch.
    pub fn has_vote(&self, i: usize, j: usize) -> bool {
        let Some((index, _)) = self.stakers[i].validator else {
            return false;
        };
        self.records
            .get(&(j, self.epoch))
            .is_some_and(|r| r.iter().any(|(v, _, _)| *v == index))
    }

    pub fn record_vote(&mut self, j: usize, (slot, vote): (Option<usize>, Vote)) {
        let record = self.records.entry((j, self.epoch)).or_default();
        match slot {
            Some(k) => record[k] = vote,
            None => record.push(vote),
        }
    }

    pub fn record(&self, j: usize, epoch: u64) -> Vec<Vote> {
        self.records.get(&(j, epoch)).cloned().unwrap_or_default()
    }

    /// Closes the open epoch: the queued fee applies, stake active in the new epoch is
    /// fixed.
    pub fn open_next(&mut self) {
        if let Some(fee) = self.pending_fee.take() {
            self.fee_bps = fee;
        }
        self.epoch += 1;
        let e = self.epoch;
        for s in &mut self.stakers {
            let next = s.next_stake();
            s.active.insert(e, next);
        }
    }

    pub fn active_stake(&self, e: u64) -> u64 {
        self.stakers
            .iter()
            .map(|s| s.active.get(&e).copied().unwrap_or(0))
            .sum()
    }

    /// The next epoch's validator stake: registered validators' next-epoch stake. Right
    /// after a close it is the open epoch's `W_e`.
    pub fn validator_stake(&self) -> u64 {
        self.stakers
            .iter()
            .filter(|s| s.validator.is_some())
            .map(|s| s.next_stake())
            .sum()
    }

    pub fn total_staked(&self) -> u64 {
        self.stakers
            .iter()
            .map(|s| s.weight + s.pending + s.tickets.iter().map(|t| t.principal).sum::<u64>())
            .sum()
    }

    /// Records epoch `e`'s stakers' pools: the accumulators advance by
    /// `floor(pool * 2^64 / active)` (wrapping) when anybody was active.
    pub fn settle(&mut self, e: u64, dn: u64, rev: u64) {
        let active = self.active_stake(e);
        if active > 0 {
            let inc = |pool: u64| (u128::from(pool) << 64) / u128::from(active);
            self.acc = (
                self.acc.0.wrapping_add(inc(dn)),
                self.acc.1.wrapping_add(inc(rev)),
            );
            for s in &mut self.stakers {
                let w = s.active.get(&e).copied().unwrap_or(0);
                s.exact_scaled += ((u128::from(dn) * u128::from(w)) << 64) / u128::from(active);
            }
        }
        self.recorded.insert(e, self.acc);
        self.settled_next = e + 1;
    }
}
