//! The engine's own model of one domain, written from PROTOCOL.md (§4, §7, §9, §12) and
//! the Token-2022 transfer-fee rule, never by calling the program or the math crate: the
//! payment split, the shard ledgers, model balances, the buyback vault, stake positions
//! with their unstake tickets and reward-per-share accumulators, validators and their
//! votes, and the crank (§5, §6, §7, §12): each epoch's revenue, records, medians,
//! budget, pools, credits, balances and sweep. The engine compares the chain with it
//! after every instruction.
use std::collections::{BTreeMap, HashMap};

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
    /// Whether its earnings have been credited to the position.
    pub credited: bool,
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
    /// Validator index and registration epoch, once it has a validator account.
    pub validator: Option<(u32, u64)>,
    /// Whether its validator account is registered (not displaced).
    pub validator_active: bool,
    /// The last epoch it votes in after being displaced (None: it votes on).
    pub votes_until: Option<u64>,
    /// Stake active in each epoch, fixed when the epoch opens.
    pub active: HashMap<u64, u64>,
    /// Fractions of a unit (DN, revenue; 2^-64 units) its tickets earned beyond whole
    /// units, which the position's next credit completes (§12: one floor per epoch).
    pub carry: (u64, u64),
}

/// `floor(w * delta / 2^64)` exactly, `delta` taken modulo 2^128, and the fraction it
/// dropped: `w * delta = units * 2^64 + fraction`.
fn accrue_frac(w: u64, from: u128, to: u128) -> (u64, u64) {
    let delta = to.wrapping_sub(from);
    let w = u128::from(w);
    let low = w * (delta & (SCALE - 1));
    let total = w * (delta >> 64) + (low >> 64);
    (
        u64::try_from(total).expect("accrual fits u64"),
        (low & (SCALE - 1)) as u64,
    )
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
    /// Credits weight `w` up to `to`: each token's whole units, plus one when the carried
    /// ticket fraction and this credit's own fraction make a unit (the carry is then
    /// spent; the position's own fraction is never carried).
    fn credit(&mut self, w: u64, to: (u128, u128)) {
        let dn = accrue_frac(w, self.checkpoint.0, to.0);
        let rev = accrue_frac(w, self.checkpoint.1, to.1);
        let spend = |carry: &mut u64, own: u64| -> u64 {
            if u128::from(own) + u128::from(*carry) >= SCALE {
                *carry = 0;
                1
            } else {
                0
            }
        };
        self.owed.0 += dn.0 + spend(&mut self.carry.0, dn.1);
        self.owed.1 += rev.0 + spend(&mut self.carry.1, rev.1);
        self.checkpoint = to;
    }

    /// Adds a ticket's earnings: whole units now, fractions to the carry (a unit the
    /// carry completes is paid now).
    fn add_ticket_earnings(&mut self, dn: (u64, u64), rev: (u64, u64)) {
        for ((owed, carry), (units, frac)) in [
            (&mut self.owed.0, &mut self.carry.0),
            (&mut self.owed.1, &mut self.carry.1),
        ]
        .into_iter()
        .zip([dn, rev])
        {
            let sum = u128::from(*carry) + u128::from(frac);
            *owed += units + (sum >> 64) as u64;
            *carry = (sum & (SCALE - 1)) as u64;
        }
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
    /// Each epoch's book, from its opening.
    pub books: BTreeMap<u64, Book>,
    /// Credited balances not yet collected, by recipient: (DN, revenue).
    pub balances: BTreeMap<Recipient, (u64, u64)>,
    /// DN burned by sweeps.
    pub swept_dn: u64,
    /// The stakers' carried fractions (DN, revenue), units of 2^-64.
    pub carry: (u64, u64),
    /// §7: attestations are committed and revealed.
    pub commit_reveal: bool,
    /// §13: the domain's `max_emission_value_bps` (0: no guard).
    pub guard_bps: u16,
    /// §14: the domain's `offset_bps`.
    pub offset_bps: u16,
    /// The buyback auction (a domain not paid in DN).
    pub auction: Option<AuctionModel>,
    /// Commitments of the open and past epochs: (staker, epoch) -> each batch's lines
    /// (miner, units).
    pub commitments: HashMap<(usize, u64), Vec<Batch>>,
}

/// One purchase: (price, DN cost, DN into the offset reserve).
pub type Purchase = (u64, u64, u64);

/// One committed batch's lines: (miner, units).
pub type Batch = Vec<(usize, u64)>;

/// Governance values an epoch records when it closes (§5, §13).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClosedWith {
    pub tip_max: u64,
    pub cap: u64,
    pub period_secs: u32,
    pub window: u16,
    pub reference: u64,
}

/// The buyback auction (§8) and its guard price (§13).
#[derive(Clone, Debug, Default)]
pub struct AuctionModel {
    pub start_e9: u64,
    pub floor_e9: u64,
    pub duration: u64,
    pub start_ts: i64,
    pub reference: u64,
    /// Counted clearing prices: (epoch, price).
    pub counted: Vec<(u64, u64)>,
    /// The guard price once one counted (0 before).
    pub guard: u64,
    /// §14: the offset stock among what is for sale, and the offset reserve's DN.
    pub offset_available: u64,
    pub reserve: u64,
}

impl AuctionModel {
    /// The price at `now`: linear from the start price down to the floor over the
    /// duration, the floor after it.
    pub fn price(&self, now: i64) -> u64 {
        let elapsed = u64::try_from(now - self.start_ts).unwrap_or(0);
        if self.start_e9 <= self.floor_e9 || elapsed >= self.duration {
            return self.floor_e9;
        }
        let span = u128::from(self.start_e9 - self.floor_e9);
        self.start_e9 - (span * u128::from(elapsed) / u128::from(self.duration)) as u64
    }

    /// One purchase of `q` out of `available` at `now`: its (price, DN cost rounded up,
    /// DN into the offset reserve). It takes `floor(q * offset / available)` units of
    /// offset stock, whose DN `floor(cost * part / q)` goes to the reserve; the rest is
    /// burned (§8, §14). Buying at least half of what is for sale restarts at twice the
    /// price.
    fn buy(&mut self, available: &mut u64, q: u64, now: i64) -> Purchase {
        let price = self.price(now);
        let cost =
            u64::try_from((u128::from(q) * u128::from(price)).div_ceil(1_000_000_000)).unwrap();
        let part =
            (u128::from(q) * u128::from(self.offset_available) / u128::from(*available)) as u64;
        let to_reserve = (u128::from(cost) * u128::from(part) / u128::from(q)) as u64;
        if 2 * u128::from(q) >= u128::from(*available) {
            self.start_e9 = price.saturating_mul(2).max(self.floor_e9);
            self.start_ts = now;
        }
        *available -= q;
        self.offset_available -= part;
        self.reserve += to_reserve;
        (price, cost, to_reserve)
    }
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
            books: BTreeMap::from([(0, Book::default())]),
            balances: BTreeMap::new(),
            swept_dn: 0,
            carry: (0, 0),
            commit_reveal: false,
            guard_bps: 0,
            offset_bps: 0,
            auction: None,
            commitments: HashMap::new(),
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
        let book = self.books.get_mut(&self.epoch).expect("open epoch");
        book.revenue += s.received;
        book.shard_revenue[usize::from(shard)] += s.received;
        book.shard_pool[usize::from(shard)] += s.pool;
        *book.model_revenue.entry(j).or_default() += s.received;
        let l = &mut self.shards[usize::from(shard)];
        self.claimable[j] += s.owner;
        l.model_owed += s.owner;
        l.fee_owed += s.fee;
        l.pool_owed += s.pool;
        if !self.is_dn {
            l.buyback_owed += s.buyback;
            // §13: the stock this epoch adds to the auction.
            book.stock[usize::from(shard)] += s.buyback;
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
        let mut merged = ((0, 0), (0, 0));
        match s.tickets.iter_mut().find(|t| t.epoch == epoch) {
            Some(t) => {
                // Bring the settled part up to the position's checkpoint first.
                merged.0 = accrue_frac(t.settled_part, t.checkpoint.0, checkpoint.0);
                merged.1 = accrue_frac(t.settled_part, t.checkpoint.1, checkpoint.1);
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
                credited: false,
            }),
        }
        s.add_ticket_earnings(merged.0, merged.1);
    }

    /// Whether a ticket's earnings can be credited (its epochs' rewards are recorded).
    pub fn ticket_ready(&self, t: &Ticket) -> bool {
        self.recorded.contains_key(&t.epoch)
            && (t.pending_part == 0 || self.recorded.contains_key(&t.pending_epoch))
    }

    /// A withdrawal of ticket `epoch`: its principal when `unbonded`, its earnings when
    /// `ready` and not yet credited; it closes once both are done.
    pub fn withdraw(&mut self, i: usize, epoch: u64, ready: bool, unbonded: bool) {
        let recorded = &self.recorded;
        let s = &mut self.stakers[i];
        let k = s.tickets.iter().position(|t| t.epoch == epoch).unwrap();
        let t = s.tickets[k].clone();
        if unbonded {
            s.wallet += t.principal;
            s.tickets[k].principal = 0;
        }
        if ready && !t.credited {
            let end = recorded[&t.epoch];
            let start = recorded.get(&t.pending_epoch).copied().unwrap_or(end);
            // The two parts' earnings summed exactly, their fractions carried over.
            let sum = |a: (u64, u64), b: (u64, u64)| {
                let f = u128::from(a.1) + u128::from(b.1);
                (a.0 + b.0 + (f >> 64) as u64, (f & (SCALE - 1)) as u64)
            };
            let dn = sum(
                accrue_frac(t.settled_part, t.checkpoint.0, end.0),
                accrue_frac(t.pending_part, start.0, end.0),
            );
            let rev = sum(
                accrue_frac(t.settled_part, t.checkpoint.1, end.1),
                accrue_frac(t.pending_part, start.1, end.1),
            );
            s.add_ticket_earnings(dn, rev);
            s.tickets[k].credited = true;
        }
        if s.tickets[k].credited && s.tickets[k].principal == 0 {
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

    /// Validators registered now.
    pub fn validators_active(&self) -> u16 {
        self.stakers.iter().filter(|s| s.validator_active).count() as u16
    }

    /// The outcome of staker `i` registering as a validator, displacing staker
    /// `displaced` when named (§7: when the set of `max` is full, only a candidate whose
    /// next-epoch stake is strictly greater than the displaced one's registers).
    pub fn register_outcome(
        &self,
        i: usize,
        displaced: Option<usize>,
        max: u16,
        paused: bool,
    ) -> Result<(), u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let s = &self.stakers[i];
        if paused {
            return Err(code(E::ProtocolPaused));
        }
        if s.eligible(self.epoch) < self.min_validator_stake {
            return Err(code(E::ValidatorStakeTooLow));
        }
        let full = self.validators_active() >= max;
        match (full, displaced) {
            (false, None) => {}
            (false, Some(_)) => return Err(code(E::DisplacementNotNeeded)),
            (true, None) => return Err(code(E::ValidatorCapReached)),
            (true, Some(d)) => {
                if !self.stakers[d].validator_active {
                    return Err(code(E::DisplacedNotRegistered));
                }
                if s.next_stake() <= self.stakers[d].next_stake() {
                    return Err(code(E::StakeNotAboveDisplaced));
                }
            }
        }
        if s.validator_active {
            return Err(code(E::ValidatorAlreadyRegistered));
        }
        Ok(())
    }

    /// Registers staker `i` (after displacing `displaced`, which stops voting after the
    /// open epoch). A returning validator keeps its index; one returning in the epoch it
    /// left never stopped voting.
    pub fn register(&mut self, i: usize, displaced: Option<usize>) {
        let epoch = self.epoch;
        if let Some(d) = displaced {
            self.leave(d);
        }
        let s = &mut self.stakers[i];
        match s.validator {
            None => {
                s.validator = Some((self.next_index, epoch));
                self.next_index += 1;
            }
            Some((index, registered)) => {
                let registered = if s.votes_until == Some(epoch) {
                    registered
                } else {
                    epoch
                };
                s.validator = Some((index, registered));
            }
        }
        s.validator_active = true;
        s.votes_until = None;
    }

    /// Whether staker `i` may vote in the open epoch.
    pub fn votes_now(&self, i: usize) -> bool {
        self.stakers[i].validator.is_some() && self.voting_refusal(i).is_none()
    }

    /// Validator `i` leaves (deregistered or displaced): it votes through the open
    /// epoch, not after it (§7).
    pub fn leave(&mut self, i: usize) {
        let epoch = self.epoch;
        let s = &mut self.stakers[i];
        s.validator_active = false;
        s.votes_until = Some(epoch);
    }

    /// The outcome of deregistering validator `i`, by itself or by anyone else (who may
    /// only when its stake fell below the minimum).
    pub fn deregister_outcome(&self, i: usize, by_itself: bool) -> Result<(), u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::{anchor_code, code};
        let s = &self.stakers[i];
        if s.validator.is_none() {
            return Err(anchor_code::NOT_INITIALIZED);
        }
        if !s.validator_active {
            return Err(code(E::ValidatorNotRegistered));
        }
        if !by_itself && s.eligible(self.epoch) >= self.min_validator_stake {
            return Err(code(E::ValidatorStillEligible));
        }
        Ok(())
    }

    /// The first refusal of validator `i` voting in the open epoch (an attestation, a
    /// commitment or a reveal), in the program's order: registered before the epoch,
    /// still voting in it (§7), with the minimum stake.
    fn voting_refusal(&self, i: usize) -> Option<u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let s = &self.stakers[i];
        let (_, registered) = s.validator?;
        if registered >= self.epoch {
            return Some(code(E::ValidatorNotYetVoting));
        }
        if s.votes_until.is_some_and(|u| self.epoch > u) {
            return Some(code(E::ValidatorNotRegistered));
        }
        if s.stake_in(self.epoch) < self.min_validator_stake {
            return Some(code(E::ValidatorStakeTooLow));
        }
        None
    }

    /// The outcome of validator `i` attesting `lines` (miner, units, revise; in the
    /// order the program processes them: by miner PDA) in the open epoch: each line's
    /// miner and the vote to record (with the slot of the vote it revises), or the first
    /// refusal: the batch's checks first, then each line's.
    #[allow(clippy::type_complexity)]
    pub fn attest_outcome(
        &self,
        i: usize,
        lines: &[(usize, u64, bool)],
        paused: bool,
    ) -> Result<Vec<(usize, (Option<usize>, Vote))>, u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::{anchor_code, code};
        let s = &self.stakers[i];
        let weight = s.stake_in(self.epoch);
        let Some((index, _)) = s.validator else {
            // No validator account.
            return Err(anchor_code::NOT_INITIALIZED);
        };
        if self.commit_reveal {
            return Err(code(E::CommitRevealRequired));
        }
        if paused {
            return Err(code(E::ProtocolPaused));
        }
        if let Some(refusal) = self.voting_refusal(i) {
            return Err(refusal);
        }
        if lines
            .iter()
            .any(|(_, units, _)| *units > deepnode::constants::MAX_ATTESTED_UNITS)
        {
            return Err(code(E::UnitsAboveMaximum));
        }
        let mut out = Vec::new();
        for (j, units, revise) in lines {
            let record = self.records.get(&(*j, self.epoch));
            let mine = record.and_then(|r| r.iter().position(|(v, _, _)| *v == index));
            match (mine, revise) {
                (Some(_), false) => return Err(code(E::AlreadyAttested)),
                (None, true) => return Err(code(E::NothingToRevise)),
                (k, _) => out.push((*j, (k, (index, *units, weight)))),
            }
        }
        Ok(out)
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
        let count = record.len();
        let book = self.books.get_mut(&self.epoch).expect("open epoch");
        if !book.voters.iter().any(|v| v.0 == vote.0) {
            book.voters.push((vote.0, vote.2, 0, false));
        }
        if slot.is_none() && count == usize::from(QUORUM) {
            book.quorate += 1;
        }
    }

    pub fn record(&self, j: usize, epoch: u64) -> Vec<Vote> {
        self.records.get(&(j, epoch)).cloned().unwrap_or_default()
    }

    /// Closes the open epoch: the queued fee applies, stake active in the new epoch is
    /// fixed.
    pub fn open_next(&mut self, now: i64, closed_with: ClosedWith) {
        if let Some(fee) = self.pending_fee.take() {
            self.fee_bps = fee;
        }
        self.epoch += 1;
        let e = self.epoch;
        for s in &mut self.stakers {
            let next = s.next_stake();
            s.active.insert(e, next);
        }
        let w_e = self.validator_stake();
        let active = self.active_stake(e);
        if let Some(closed) = self.books.get_mut(&(e - 1)) {
            closed.status = Status::Closed;
            closed.closed_with = Some(closed_with);
        }
        self.books.insert(
            e,
            Book {
                w_e,
                active,
                end_ts: now + EPOCH_SECS,
                ..Book::default()
            },
        );
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
            .filter(|s| s.validator_active)
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

/// The engine domains' crank settings (fixtures' `default_settings` and
/// `default_bounds`, with the engine's claim window), written out here as numbers.
pub const QUORUM: u16 = 2;
const TOLERANCE_BPS: u128 = 1_000;
const RATE_E9: u128 = 2_000_000_000;
const FLOOR: u64 = 1_000_000;
const CEILING: u64 = 100_000_000;
const YIELD_BPS: u128 = 100;
/// Each epoch's length (seconds).
pub const EPOCH_SECS: i64 = 86_400;
/// Miners, stakers, validators, domain owner, model owners (bps); the foundation takes
/// the rest.
const SPLIT: [u128; 5] = [5_000, 2_000, 1_500, 500, 900];
/// The engine's claim window (epochs).
pub const WINDOW: u64 = 3;
/// Role indices, as the program orders its pools.
pub const MINERS: usize = 0;
pub const STAKERS: usize = 1;
pub const VALIDATORS: usize = 2;
pub const DOMAIN_OWNER: usize = 3;
pub const MODEL_OWNERS: usize = 4;
pub const FOUNDATION: usize = 5;

/// Where an epoch is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Open,
    Closed,
    Settled,
}

/// Who a credited balance belongs to, as the engine names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recipient {
    Miner(usize),
    Validator(usize),
    ModelOwner(usize),
    DomainOwner,
    Foundation,
    Keeper,
}

/// A role's line in a credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    Miner(usize),
    /// A staker index (validators are stakers 0 and 1).
    Validator(usize),
    ModelOwner(usize),
    DomainOwner,
    Foundation,
}

/// One epoch's book.
#[derive(Clone, Debug, Default)]
pub struct Book {
    pub status: Status,
    pub w_e: u64,
    pub active: u64,
    pub revenue: u64,
    pub shard_revenue: [u64; 2],
    pub shard_pool: [u64; 2],
    /// Shards whose pool share moved to the reward vault, and what it received.
    pub collected: [bool; 2],
    pub pool_received: u64,
    pub model_revenue: BTreeMap<usize, u64>,
    pub rolled_in: u64,
    pub quorate: u64,
    /// Finalised records: miner → verified units.
    pub verified: BTreeMap<usize, u64>,
    /// (validator index, weight, agreeing, credited), in first-attestation order.
    pub voters: Vec<(u32, u64, u32, bool)>,
    pub total_agreeing: u64,
    pub s: Option<Settled>,
    /// §13: DN paid and units bought while the epoch was open.
    pub bought_dn: u128,
    pub bought_q: u128,
    /// §13: the buyback share its payments added to each shard, and what collection
    /// booked of it.
    pub stock: [u64; 2],
    pub stock_added: u64,
    /// The stock the previous epoch added (known when that one settled).
    pub previous_stock: u64,
    /// What it recorded when it closed.
    pub closed_with: Option<ClosedWith>,
    /// When it ends.
    pub end_ts: i64,
}

impl Book {
    pub fn total_verified(&self) -> u128 {
        self.verified.values().map(|v| u128::from(*v)).sum()
    }
}

/// A settled epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settled {
    pub budget: u64,
    pub tip: u64,
    pub minted: u64,
    pub withheld: u64,
    pub rolled_out: u64,
    pub rev_pool: u64,
    pub dn_pools: [u64; 6],
    pub rev_pools: [u64; 6],
    pub dn_credited: [u64; 6],
    pub rev_credited: [u64; 6],
    pub miners_credited: Vec<usize>,
    pub models_credited: Vec<usize>,
    pub domain_owner_credited: bool,
    pub foundation_credited: bool,
    pub swept: bool,
    /// The stakers' carried fractions (DN, revenue) after this settlement.
    pub carry: (u64, u64),
    /// §5: the domain's last closed epoch when it was settled; the claim window counts
    /// from it.
    pub window_from: u64,
    /// §13: the epoch's clearing price (0 with no purchase), whether it counted, the
    /// guard price, the value cap (None: no guard) and the cap period.
    pub clearing_e9: u64,
    pub counted: bool,
    pub guard_price: u64,
    pub value_cap: Option<u64>,
    pub period: u64,
    /// The global cap's room left in that period.
    pub room: u64,
    /// §14: the offset stock and the DN the reserve paid.
    pub offset: u64,
    pub from_reserve: u64,
}

/// `floor(pool * bps / 10^4)` for the five roles, the foundation taking the rest.
fn split_roles(amount: u64) -> [u64; 6] {
    let mut pools = [0u64; 6];
    let mut sum = 0;
    for (pool, bps) in pools.iter_mut().zip(SPLIT) {
        *pool = (u128::from(amount) * bps / 10_000) as u64;
        sum += *pool;
    }
    pools[FOUNDATION] = amount - sum;
    pools
}

/// `floor(pool * w / total)`.
fn share(pool: u64, w: u128, total: u128) -> u64 {
    (u128::from(pool) * w)
        .checked_div(total)
        .map_or(0, |v| u64::try_from(v).expect("share fits"))
}

/// What settlement funds of the stakers' `pool` over `active`, with the fraction carried
/// from earlier epochs: the whole units of `active * floor(pool * 2^64 / active) + carry`
/// (in units of 2^-64); returns (funded, new carry).
fn fund(pool: u64, active: u64, carry: u64) -> (u64, u64) {
    if active == 0 {
        return (0, carry);
    }
    let inc = (u128::from(pool) << 64) / u128::from(active);
    let exact = u128::from(active) * inc + u128::from(carry);
    ((exact >> 64) as u64, (exact & (SCALE - 1)) as u64)
}

impl DomainModel {
    /// The outcome of finalising miner `j`'s record of epoch `e`: its verified units and
    /// agreeing validators, or the exact error.
    pub fn finalise_outcome(&self, e: u64, j: usize) -> Result<(u64, Vec<u32>), u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let book = &self.books[&e];
        if book.status != Status::Closed {
            return Err(code(E::EpochNotClosed));
        }
        let Some(votes) = self.records.get(&(j, e)) else {
            return Err(code(E::AccountNotOwnedByProgram));
        };
        if book.verified.contains_key(&j) {
            return Err(code(E::RecordAlreadyFinalised));
        }
        if votes.len() < usize::from(QUORUM) {
            return Err(code(E::RecordBelowQuorum));
        }
        // §12: sort by units; the implicit zero vote weighs W_e minus the attested weight;
        // the median is the smallest units where 2 * running >= W_e.
        let total = u128::from(book.w_e);
        let attested: u128 = votes.iter().map(|v| u128::from(v.2)).sum();
        let mut sorted: Vec<(u64, u128)> = votes.iter().map(|v| (v.1, u128::from(v.2))).collect();
        sorted.push((0, total - attested));
        sorted.sort_by_key(|v| v.0);
        let mut running = 0u128;
        let mut median = 0;
        for (units, w) in sorted {
            running += w;
            if 2 * running >= total {
                median = units;
                break;
            }
        }
        // §12: an attestation agrees only with a median above 0 (a record that verified
        // nothing pays no validator).
        let agreeing = votes
            .iter()
            .filter(|v| {
                median > 0
                    && u128::from(v.1.abs_diff(median)) * 10_000
                        <= TOLERANCE_BPS * u128::from(median)
            })
            .map(|v| v.0)
            .collect();
        Ok((median, agreeing))
    }

    pub fn apply_finalise(&mut self, e: u64, j: usize, (verified, agreeing): (u64, Vec<u32>)) {
        let book = self.books.get_mut(&e).expect("book");
        book.verified.insert(j, verified);
        for index in agreeing {
            let v = book
                .voters
                .iter_mut()
                .find(|v| v.0 == index)
                .expect("voter");
            v.2 += 1;
            book.total_agreeing += 1;
        }
    }

    /// Quorate records of `e` not finalised yet (miner indices).
    pub fn to_finalise(&self, e: u64) -> Vec<usize> {
        let book = &self.books[&e];
        (0..3)
            .filter(|j| {
                self.records
                    .get(&(*j, e))
                    .is_some_and(|r| r.len() >= usize::from(QUORUM))
                    && !book.verified.contains_key(j)
            })
            .collect()
    }

    /// The outcome of settling epoch `e`: its settlement, or the exact error.
    pub fn settle_outcome(&self, e: u64, periods: &BTreeMap<u64, u64>) -> Result<Settled, u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let book = &self.books[&e];
        match book.status {
            Status::Settled => return Err(code(E::EpochAlreadySettled)),
            Status::Open => return Err(code(E::EpochNotClosed)),
            Status::Closed => {}
        }
        if book.verified.len() as u64 != book.quorate {
            return Err(code(E::RecordsNotFinalised));
        }
        if e != self.settled_next {
            return Err(code(E::SettleOutOfOrder));
        }
        if book.collected != [true, true] {
            return Err(code(E::ShardsNotFunded));
        }
        let total_verified = book.total_verified();
        let payable = [
            total_verified > 0,
            book.active > 0,
            book.total_agreeing > 0,
            true,
            book.revenue > 0,
            true,
        ];
        let closed = book
            .closed_with
            .expect("a closed epoch recorded its values");
        let (guard_price, clearing_e9, counted) = self.guard_outcome(e, book, &closed);
        // §13: the value cap, floor(floor(R * price / 1e9) * bps / 10^4).
        let value_cap = (self.guard_bps > 0).then(|| {
            let value = u128::from(book.revenue) * u128::from(guard_price) / 1_000_000_000;
            let value = u128::from(u64::try_from(value).unwrap_or(u64::MAX));
            u64::try_from(value * u128::from(self.guard_bps) / 10_000).unwrap_or(u64::MAX)
        });
        // The global cap's room in the period holding the epoch's end, with the period
        // length and cap in force when the epoch closed.
        let period = u64::try_from(book.end_ts).unwrap() / u64::from(closed.period_secs);
        let room = closed
            .cap
            .saturating_sub(periods.get(&period).copied().unwrap_or(0));
        let budget = if total_verified == 0 {
            0
        } else {
            let raw = u64::try_from(u128::from(book.revenue) * RATE_E9 / 1_000_000_000)
                .unwrap_or(u64::MAX);
            let clamped = raw.clamp(FLOOR, CEILING);
            value_cap.map_or(clamped, |cap| clamped.min(cap)).min(room)
        };
        let tip = budget.min(closed.tip_max);
        let mut dn_pools = split_roles(budget - tip);
        let mut withheld = 0;
        for (pool, ok) in dn_pools.iter_mut().zip(payable) {
            if !ok {
                withheld += *pool;
                *pool = 0;
            }
        }
        let cap = u64::try_from(u128::from(book.active) * YIELD_BPS / 10_000).unwrap();
        if dn_pools[STAKERS] > cap {
            withheld += dn_pools[STAKERS] - cap;
            dn_pools[STAKERS] = cap;
        }
        let rev_pool = book.pool_received + book.rolled_in;
        // §14: the offset stock comes off the pool (a domain with an auction only).
        let offset = if self.auction.is_some() {
            (u128::from(rev_pool) * u128::from(self.offset_bps) / 10_000) as u64
        } else {
            0
        };
        let mut rev_pools = split_roles(rev_pool - offset);
        let mut rolled_out = 0;
        for (pool, ok) in rev_pools.iter_mut().zip(payable) {
            if !ok {
                rolled_out += *pool;
                *pool = 0;
            }
        }
        let mut dn_credited = [0; 6];
        let mut rev_credited = [0; 6];
        let (dn_funded, dn_carry) = fund(dn_pools[STAKERS], book.active, self.carry.0);
        let (rev_funded, rev_carry) = fund(rev_pools[STAKERS], book.active, self.carry.1);
        let reserve = self.auction.as_ref().map_or(0, |a| a.reserve);
        let from_reserve = reserve.min(budget - withheld);
        dn_credited[STAKERS] = dn_funded;
        rev_credited[STAKERS] = rev_funded;
        Ok(Settled {
            budget,
            tip,
            // §14: the reserve pays the roles first, the rest is minted.
            minted: budget - withheld - from_reserve,
            from_reserve,
            offset,
            withheld,
            rolled_out,
            rev_pool,
            dn_pools,
            rev_pools,
            dn_credited,
            rev_credited,
            carry: (dn_carry, rev_carry),
            window_from: self.epoch - 1,
            clearing_e9,
            counted,
            guard_price,
            value_cap,
            period,
            room,
            ..Settled::default()
        })
    }

    /// §13: the guard price epoch `e` settles with, its clearing price (0 with no
    /// purchase) and whether it counted: volume-weighted over the purchases made while it
    /// was open, counted when they bought at least half of the previous epoch's stock
    /// (and there was some); the least counted price of the window, or the price carried
    /// (the reference before any counted). A DN domain's price is 1e9; a domain without
    /// an auction has none.
    fn guard_outcome(&self, e: u64, book: &Book, closed: &ClosedWith) -> (u64, u64, bool) {
        if self.is_dn {
            return (1_000_000_000, 0, false);
        }
        let Some(a) = &self.auction else {
            return (0, 0, false);
        };
        let clearing = (book.bought_q > 0).then(|| {
            u64::try_from(book.bought_dn * 1_000_000_000 / book.bought_q).unwrap_or(u64::MAX)
        });
        let counts =
            book.previous_stock > 0 && 2 * book.bought_q >= u128::from(book.previous_stock);
        let counted = clearing.filter(|_| counts);
        let carried = if a.guard > 0 {
            a.guard
        } else {
            closed.reference
        };
        let window = u64::from(closed.window.max(1));
        let price = a
            .counted
            .iter()
            .copied()
            .chain(counted.map(|p| (e, p)))
            .filter(|(c, _)| *c <= e && e - *c < window)
            .map(|(_, p)| p)
            .min()
            .unwrap_or(carried);
        (price, clearing.unwrap_or(0), counted.is_some())
    }

    /// The outcome of buying `quantities` in one transaction at most at `max_price`, at
    /// `now` (§8): each purchase's (price, DN cost), or the first refusal.
    pub fn buy_outcome(
        &self,
        quantities: &[u64],
        max_price: u64,
        now: i64,
        paused: bool,
    ) -> Result<Vec<Purchase>, u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let mut a = self.auction.clone().expect("an auction");
        let mut available = self.auction_available;
        let mut out = Vec::new();
        for q in quantities {
            if paused {
                return Err(code(E::ProtocolPaused));
            }
            if *q == 0 {
                return Err(code(E::ZeroQuantity));
            }
            if available == 0 {
                return Err(code(E::BuybackVaultEmpty));
            }
            if *q > available {
                return Err(code(E::QuantityAboveBalance));
            }
            if a.price(now) > max_price {
                return Err(code(E::PriceAboveLimit));
            }
            out.push(a.buy(&mut available, *q, now));
        }
        Ok(out)
    }

    /// Applies purchases of `quantities` at `now`; returns each one's (price, cost).
    pub fn apply_buy(&mut self, quantities: &[u64], now: i64) -> Vec<Purchase> {
        let mut out = Vec::new();
        for q in quantities {
            let a = self.auction.as_mut().expect("an auction");
            let bought = a.buy(&mut self.auction_available, *q, now);
            let book = self.books.get_mut(&self.epoch).expect("open epoch");
            book.bought_dn += u128::from(bought.1);
            book.bought_q += u128::from(*q);
            out.push(bought);
        }
        out
    }

    /// The open epoch's end.
    pub fn end_ts(&self) -> i64 {
        self.books[&self.epoch].end_ts
    }

    /// The outcome of validator `i` committing `batches` batches at `now` (§7).
    pub fn commit_outcome(&self, i: usize, now: i64, paused: bool) -> Result<(), u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::{anchor_code, code};
        if self.stakers[i].validator.is_none() {
            return Err(anchor_code::NOT_INITIALIZED);
        }
        if paused {
            return Err(code(E::ProtocolPaused));
        }
        if !self.commit_reveal {
            return Err(code(E::CommitRevealOff));
        }
        if now >= self.end_ts() {
            return Err(code(E::CommitAfterEnd));
        }
        self.voting_refusal(i).map_or(Ok(()), Err)
    }

    /// The outcome of revealing batch `batch` of validator `i`'s commitment for epoch
    /// `e` at `now` with `units` for its lines (a mismatch unless they are the committed
    /// ones): each line's (miner, vote), or the first refusal, in the program's order.
    pub fn reveal_outcome(
        &self,
        i: usize,
        e: u64,
        batch: usize,
        units: &[u64],
        now: i64,
        paused: bool,
    ) -> Result<Vec<(usize, Vote)>, u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let book = &self.books[&e];
        if book.status != Status::Open {
            return Err(code(E::RevealAfterClose));
        }
        if now < book.end_ts {
            return Err(code(E::RevealBeforeEnd));
        }
        if paused {
            return Err(code(E::ProtocolPaused));
        }
        if let Some(refusal) = self.voting_refusal(i) {
            return Err(refusal);
        }
        let lines = &self.commitments[&(i, e)][batch];
        if units
            .iter()
            .any(|u| *u > deepnode::constants::MAX_ATTESTED_UNITS)
        {
            return Err(code(E::UnitsAboveMaximum));
        }
        if !lines.iter().map(|(_, u)| *u).eq(units.iter().copied()) {
            return Err(code(E::RevealMismatch));
        }
        let (index, _) = self.stakers[i].validator.expect("a validator");
        let weight = self.stakers[i].stake_in(e);
        let mut out = Vec::new();
        for (j, units) in lines {
            let record = self.records.get(&(*j, e));
            if record.is_some_and(|r| r.iter().any(|v| v.0 == index)) {
                return Err(code(E::AlreadyAttested));
            }
            out.push((*j, (index, *units, weight)));
        }
        Ok(out)
    }

    /// The outcome of collecting the pool shares of `shards` of epoch `e`: what the
    /// reward vault receives (each shard's share arrives net of the transfer fee).
    pub fn fund_reward_vault_outcome(&self, e: u64, shards: &[usize]) -> Result<u64, u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let book = &self.books[&e];
        if book.status != Status::Closed {
            return Err(code(E::EpochNotClosed));
        }
        if shards.iter().any(|s| book.collected[*s]) {
            return Err(code(E::ShardAlreadyFunded));
        }
        Ok(shards
            .iter()
            .filter(|s| book.shard_pool[**s] > 0)
            .map(|s| self.arrives(book.shard_pool[*s]))
            .sum())
    }

    pub fn apply_fund_reward_vault(&mut self, e: u64, shards: &[usize], received: u64) {
        for s in shards {
            let pool = self.books[&e].shard_pool[*s];
            self.shards[*s].pool_owed -= pool;
            let book = self.books.get_mut(&e).expect("book");
            book.collected[*s] = true;
            book.stock_added += book.stock[*s];
        }
        self.books.get_mut(&e).expect("book").pool_received += received;
    }

    pub fn apply_settle(&mut self, e: u64, s: Settled) {
        // §14: the offset stock moves into the auction (what arrives of it), the reserve
        // pays out; the stock counts for the next epoch's purchases.
        let arrived = self.arrives(s.offset);
        if let Some(a) = self.auction.as_mut() {
            a.offset_available += arrived;
            a.reserve -= s.from_reserve;
        }
        self.auction_available += arrived;
        self.books.get_mut(&e).expect("book").stock_added += s.offset;
        if let Some(a) = self.auction.as_mut() {
            if s.counted {
                a.counted.push((e, s.clearing_e9));
            }
            if s.counted || a.guard > 0 {
                a.guard = s.guard_price;
            }
        }
        let stock = self.books[&e].stock_added;
        self.books
            .get_mut(&(e + 1))
            .expect("next epoch")
            .previous_stock = stock;
        self.carry = s.carry;
        self.settle(e, s.dn_pools[STAKERS], s.rev_pools[STAKERS]);
        self.books.get_mut(&(e + 1)).expect("next epoch").rolled_in += s.rolled_out;
        self.balances.entry(Recipient::Keeper).or_default().0 += s.tip;
        let book = self.books.get_mut(&e).expect("book");
        book.status = Status::Settled;
        book.s = Some(s);
    }

    /// The outcome of crediting `line` of epoch `e`: (recipient, DN, revenue), or the
    /// exact error.
    pub fn credit_outcome(&self, e: u64, line: Line) -> Result<(Recipient, u64, u64), u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let book = &self.books[&e];
        let Some(s) = book.s.as_ref().filter(|_| book.status == Status::Settled) else {
            return Err(code(E::EpochNotSettled));
        };
        if s.swept {
            return Err(code(E::EpochAlreadySwept));
        }
        if self.epoch > s.window_from + WINDOW {
            return Err(code(E::ClaimWindowClosed));
        }
        let (who, dn, rev) = match line {
            Line::Miner(j) => {
                if !self.records.contains_key(&(j, e)) || s.miners_credited.contains(&j) {
                    return Err(code(E::AlreadyCredited));
                }
                let w = book.verified.get(&j).copied().unwrap_or(0);
                if w == 0 {
                    return Err(code(E::NothingToClaim));
                }
                let total = book.total_verified();
                let w = u128::from(w);
                (
                    Recipient::Miner(j),
                    share(s.dn_pools[MINERS], w, total),
                    share(s.rev_pools[MINERS], w, total),
                )
            }
            Line::Validator(i) => {
                let Some((index, _)) = self.stakers[i].validator else {
                    // No validator account: it is not the program's.
                    return Err(code(E::AccountNotOwnedByProgram));
                };
                let Some(v) = book.voters.iter().find(|v| v.0 == index && v.2 > 0) else {
                    return Err(code(E::NoValidatorScore));
                };
                if v.3 {
                    return Err(code(E::AlreadyCredited));
                }
                let (w, total) = (u128::from(v.2), u128::from(book.total_agreeing));
                (
                    Recipient::Validator(i),
                    share(s.dn_pools[VALIDATORS], w, total),
                    share(s.rev_pools[VALIDATORS], w, total),
                )
            }
            Line::ModelOwner(j) => {
                let Some(w) = book.model_revenue.get(&j) else {
                    return Err(code(E::AlreadyCredited));
                };
                if s.models_credited.contains(&j) {
                    return Err(code(E::AlreadyCredited));
                }
                let (w, total) = (u128::from(*w), u128::from(book.revenue));
                (
                    Recipient::ModelOwner(j),
                    share(s.dn_pools[MODEL_OWNERS], w, total),
                    share(s.rev_pools[MODEL_OWNERS], w, total),
                )
            }
            Line::DomainOwner => {
                if s.domain_owner_credited {
                    return Err(code(E::AlreadyCredited));
                }
                (
                    Recipient::DomainOwner,
                    s.dn_pools[DOMAIN_OWNER],
                    s.rev_pools[DOMAIN_OWNER],
                )
            }
            Line::Foundation => {
                if s.foundation_credited {
                    return Err(code(E::AlreadyCredited));
                }
                (
                    Recipient::Foundation,
                    s.dn_pools[FOUNDATION],
                    s.rev_pools[FOUNDATION],
                )
            }
        };
        if dn == 0 && rev == 0 {
            return Err(code(E::NothingToClaim));
        }
        Ok((who, dn, rev))
    }

    pub fn apply_credit(&mut self, e: u64, line: Line, (who, dn, rev): (Recipient, u64, u64)) {
        let book = self.books.get_mut(&e).expect("book");
        let role = match line {
            Line::Miner(j) => {
                // The record is closed by its credit.
                self.records.remove(&(j, e));
                MINERS
            }
            Line::Validator(_) => VALIDATORS,
            Line::ModelOwner(_) => MODEL_OWNERS,
            Line::DomainOwner => DOMAIN_OWNER,
            Line::Foundation => FOUNDATION,
        };
        let s = book.s.as_mut().expect("settled");
        s.dn_credited[role] += dn;
        s.rev_credited[role] += rev;
        match line {
            Line::Miner(j) => s.miners_credited.push(j),
            Line::Validator(i) => {
                let index = self.stakers[i].validator.expect("validator").0;
                let v = book
                    .voters
                    .iter_mut()
                    .find(|v| v.0 == index)
                    .expect("voter");
                v.3 = true;
            }
            Line::ModelOwner(j) => {
                s.models_credited.push(j);
                book.model_revenue.remove(&j);
            }
            Line::DomainOwner => s.domain_owner_credited = true,
            Line::Foundation => s.foundation_credited = true,
        }
        let b = self.balances.entry(who).or_default();
        b.0 += dn;
        b.1 += rev;
    }

    /// The outcome of sweeping epoch `e`: (DN burned, revenue rolled), or the error.
    pub fn sweep_outcome(&self, e: u64) -> Result<(u64, u64), u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        let book = &self.books[&e];
        let Some(s) = book.s.as_ref().filter(|_| book.status == Status::Settled) else {
            return Err(code(E::EpochNotSettled));
        };
        if s.swept {
            return Err(code(E::EpochAlreadySwept));
        }
        if self.epoch <= s.window_from + WINDOW {
            return Err(code(E::ClaimWindowOpen));
        }
        let dn = (0..6).map(|r| s.dn_pools[r] - s.dn_credited[r]).sum();
        let rev = (0..6).map(|r| s.rev_pools[r] - s.rev_credited[r]).sum();
        Ok((dn, rev))
    }

    pub fn apply_sweep(&mut self, e: u64, (dn, rev): (u64, u64)) {
        self.books
            .get_mut(&e)
            .expect("book")
            .s
            .as_mut()
            .expect("settled")
            .swept = true;
        let open = self.epoch;
        self.books.get_mut(&open).expect("open").rolled_in += rev;
        self.swept_dn += dn;
    }

    /// The outcome of `recipient` collecting its balance: (DN, revenue) paid, or the
    /// error (no balance account yet; or nothing on it).
    pub fn collect_outcome(&self, who: Recipient) -> Result<(u64, u64), u32> {
        use deepnode::errors::DeepNodeError as E;
        use deepnode_tests::code;
        match self.balances.get(&who) {
            None => Err(code(E::AccountNotOwnedByProgram)),
            Some((0, 0)) => Err(code(E::NothingToClaim)),
            Some(b) => Ok(*b),
        }
    }
}
