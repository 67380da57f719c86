//! The program's one random-sequence engine. Two domains at once, one paid in DN and one
//! in a Token-2022 stablecoin with a transfer fee, driven through every instruction
//! that exists: payments (single and batch, both shards), model revenue claims, fee
//! withdrawals, buyback collections and purchases, settings changes that take effect when
//! epochs close, pause and unpause, staking (stake, unstake tickets, withdrawals, reward
//! claims), validator registrations, attestations (new and revised), and the whole crank:
//! epoch closing, finalising records, settling, crediting every role, collecting
//! balances, sweeping, and clock moves. Its own model (`model.rs`, written from PROTOCOL.md, not from the
//! program) predicts every outcome, success or the exact error; the ledgers, tickets,
//! work records and each epoch's validator stake are compared with the model's after
//! every instruction, and so are every settled epoch's budget, pools and credits, every
//! credited balance, and the invariants of §11 (1, 2 with equality where nothing may be
//! stranded, 3, 4, 5 through the predicted refusals, 6 and 7). A run fails when any kind
//! of operation never succeeded.
//!
//! `DEEPNODE_SEQUENCES` sets the number of sequences (default 6), each of
//! `DEEPNODE_SEQUENCE_OPS` operations (default 200: long enough for epochs of both
//! domains to go through the whole crank).
mod model;

use deepnode::errors::DeepNodeError as E;
use deepnode::events::{BatchSettled, EpochSettled, PaymentRouted, RewardCredited, RoutedLine};
use deepnode::state::{
    Auction, Epoch, EpochBook, EpochStatus, RewardBalance, StakePool, VaultShard, WorkRecord,
};
use deepnode_sdk::ix::{Attestation, CollectLine, CreditLine, Line, TicketKeys};
use deepnode_tests::fixtures::*;
use deepnode_tests::staking::StakerFx;
use deepnode_tests::tokens::{MintExt, TOKEN, TOKEN_2022};
use deepnode_tests::*;
use model::*;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;
use std::collections::BTreeMap;

/// Both domains' settings: the defaults with a claim window of three epochs, so that
/// random sequences credit, collect and sweep within it.
fn engine_settings() -> deepnode::state::DomainSettings {
    deepnode::state::DomainSettings {
        claim_window_epochs: model::WINDOW as u16,
        ..default_settings()
    }
}

/// The stablecoin's transfer fee: 0.5%, at most 5,000 units per transfer.
const FEE_BPS: u16 = 50;
const FEE_MAX: u64 = 5_000;
/// Buyback auction parameters of the stablecoin domain.
const AUCTION: (u32, u64, u64) = (600, 1_000_000, 3_000_000_000);

/// One domain's keys and participants.
struct Side {
    d: DomainFx,
    /// (model, owner, owner's revenue account).
    models: Vec<(Pubkey, Keypair, Pubkey)>,
    consumer: (Keypair, Pubkey),
    processor_token: Pubkey,
    fee_dest: Pubkey,
    stakers: Vec<StakerFx>,
    miners: Vec<Keypair>,
    /// Each miner's (DN, revenue) accounts.
    miner_accounts: Vec<(Pubkey, Pubkey)>,
    /// Each model owner's DN account (its revenue account is `models[j].2`).
    owner_dn: Vec<Pubkey>,
    /// The domain owner's (DN, revenue) accounts.
    domain_owner_accounts: (Pubkey, Pubkey),
    /// The foundation owner's revenue account (its DN account is the config's).
    foundation_rev: Pubkey,
    /// The keeper's (DN, revenue) accounts.
    keeper_accounts: (Pubkey, Pubkey),
    /// The model of this domain.
    m: DomainModel,
}

/// The whole world of one sequence.
struct Engine {
    env: Env,
    p: Protocol,
    sides: Vec<Side>,
    buyer: (Keypair, Pubkey, Pubkey),
    /// Settles epochs (earns the tips) and pushes credits.
    keeper: Keypair,
    /// Owner of the foundation's DN account.
    foundation_owner: Pubkey,
    paused: bool,
    succeeded: BTreeMap<&'static str, u32>,
    ctx: String,
}

impl Engine {
    async fn new() -> Engine {
        let mut env = Env::start().await;
        let p = env.init_protocol(TOKEN).await;
        let dn_domain = env
            .domain_on_mint(&p, p.dn.mint, TOKEN, Keypair::new(), 2, engine_settings())
            .await;
        let fee = [MintExt::TransferFee {
            bps: FEE_BPS,
            max: FEE_MAX,
        }];
        let stable = env
            .domain_with(&p, TOKEN_2022, &fee, 2, engine_settings())
            .await;
        let gov = p.gov.insecure_clone();
        let payer = env.payer().pubkey();
        let (duration, floor, reference) = AUCTION;
        env.ok(
            &[ix::set_auction_params(
                payer,
                gov.pubkey(),
                stable.keys.domain,
                duration,
                floor,
                reference,
            )],
            &[&gov],
        )
        .await;
        let keeper = Keypair::new();
        env.airdrop(&keeper.pubkey(), 10_000_000_000).await;
        let mut sides = Vec::new();
        for d in [dn_domain, stable] {
            let transfer_fee = (!d.keys.is_dn).then_some((FEE_BPS, FEE_MAX));
            let mut models = Vec::new();
            let mut model_shares = Vec::new();
            for x in [2_500u16, 0, 5_000] {
                let (m, owner) = env.model(&d, x).await;
                let dest = env.revenue_account(&p, &d, &owner.pubkey(), 0).await;
                models.push((m, owner, dest));
                model_shares.push(x);
            }
            let consumer = Keypair::new();
            env.airdrop(&consumer.pubkey(), 1_000_000_000).await;
            let consumer_token = env
                .revenue_account(&p, &d, &consumer.pubkey(), 100_000_000_000)
                .await;
            let fee_key = d.fee_authority.pubkey();
            let processor_token = env.revenue_account(&p, &d, &fee_key, 100_000_000_000).await;
            let fee_dest = env.revenue_account(&p, &d, &fee_key, 0).await;
            let mut stakers = Vec::new();
            for _ in 0..3 {
                stakers.push(env.staker(&p, &d, 10_000).await);
            }
            let miners = vec![env.miner(&d).await, env.miner(&d).await];
            let mut miner_accounts = Vec::new();
            for m in &miners {
                let dn = env.dn_account(&p, &m.pubkey(), 0).await;
                let rev = env.revenue_account(&p, &d, &m.pubkey(), 0).await;
                miner_accounts.push((dn, rev));
            }
            let mut owner_dn = Vec::new();
            for (_, owner, _) in &models {
                owner_dn.push(env.dn_account(&p, &owner.pubkey(), 0).await);
            }
            let owner_key = d.owner.pubkey();
            let domain_owner_accounts = (
                env.dn_account(&p, &owner_key, 0).await,
                env.revenue_account(&p, &d, &owner_key, 0).await,
            );
            let foundation_owner = env.token_owner(p.foundation).await;
            let foundation_rev = if d.keys.is_dn {
                p.foundation
            } else {
                env.revenue_account(&p, &d, &foundation_owner, 0).await
            };
            let keeper_accounts = (
                env.dn_account(&p, &keeper.pubkey(), 0).await,
                env.revenue_account(&p, &d, &keeper.pubkey(), 0).await,
            );
            let m = DomainModel::new(
                d.keys.is_dn,
                transfer_fee,
                engine_settings().fee_bps,
                model_shares,
                stakers.len(),
            );
            sides.push(Side {
                d,
                models,
                consumer: (consumer, consumer_token),
                processor_token,
                fee_dest,
                stakers,
                miners,
                miner_accounts,
                owner_dn,
                domain_owner_accounts,
                foundation_rev,
                keeper_accounts,
                m,
            });
        }
        let buyer = Keypair::new();
        env.airdrop(&buyer.pubkey(), 1_000_000_000).await;
        let buyer_dn = env.dn_account(&p, &buyer.pubkey(), 100_000_000_000).await;
        let buyer_rev = env
            .revenue_account(&p, &sides[1].d, &buyer.pubkey(), 0)
            .await;
        let foundation_owner = env.token_owner(p.foundation).await;
        let mut e = Engine {
            env,
            p,
            sides,
            buyer: (buyer, buyer_dn, buyer_rev),
            keeper,
            foundation_owner,
            paused: false,
            succeeded: BTreeMap::new(),
            ctx: String::new(),
        };
        // Every staker starts with 1,500 staked in epoch 0, active from epoch 1.
        // Stakers 0 and 1 register as validators in epoch 1 and vote from epoch 2 on.
        for k in 0..2 {
            for i in 0..3 {
                e.stake(k, i, 1_500).await;
            }
            e.close(k).await;
            for i in 0..2 {
                let kp = e.sides[k].stakers[i].kp.insecure_clone();
                let domain = e.sides[k].d.keys.domain;
                e.env
                    .ok(&[ix::register_validator(kp.pubkey(), domain)], &[&kp])
                    .await;
                e.sides[k].m.register(i);
            }
            e.close(k).await;
            // The two set-up epochs are settled (nothing happened in them).
            for epoch in 0..2 {
                let payer = e.env.payer();
                let ix = ix::collect_pools(payer.pubkey(), &e.sides[k].d.keys, epoch, &[0, 1]);
                e.env.ok(&[ix], &[]).await;
                e.sides[k].m.apply_collect_pools(epoch, &[0, 1], 0);
                let keys = e.env.settle_keys(&e.sides[k].d, epoch).await;
                let keeper = e.keeper.insecure_clone();
                let ix = ix::settle_epoch(keeper.pubkey(), &e.sides[k].d.keys, &e.p.dn, keys);
                e.env.ok(&[ix], &[&keeper]).await;
                let settled = e.sides[k].m.settle_outcome(epoch).expect("set-up epoch");
                e.sides[k].m.apply_settle(epoch, settled);
            }
        }
        e.check().await;
        e.succeeded.clear();
        e
    }

    fn ok_count(&mut self, kind: &'static str) {
        *self.succeeded.entry(kind).or_default() += 1;
    }

    /// Sends `ixs`, expecting `expected` (None: success).
    async fn expect(&mut self, ixs: &[Instruction], signers: &[&Keypair], expected: Option<u32>) {
        match expected {
            None => self.env.ok(ixs, signers).await,
            Some(code) => self.env.fails_with(ixs, signers, code).await,
        }
    }

    /// Runs one random operation and checks everything after it.
    async fn step(&mut self, rng: &mut Rng) {
        let k = rng.below(2) as usize;
        // Weighted so that short sequences still run epochs through the whole crank.
        let op = rng.below(48);
        self.ctx = format!("{} op {op} side {k}", self.ctx);
        match op {
            0..=2 => self.pay(k, rng).await,
            3 => self.batch(k, rng).await,
            4 => self.claim_model(k, rng).await,
            5 => self.withdraw_fees(k, rng).await,
            6 => self.collect(rng).await,
            7 => self.buy_back(rng).await,
            8 => self.change_settings(k, rng).await,
            9 => self.toggle_pause(rng).await,
            10 => {
                let i = rng.below(3) as usize;
                let amount = 1 + rng.below(3_000);
                self.stake(k, i, amount).await
            }
            11 => self.unstake(k, rng).await,
            12 | 13 => self.withdraw_stake(k, rng).await,
            14 | 15 => self.claim_stake(k, rng).await,
            16 => self.register(k, rng).await,
            17..=22 => self.attest(k, rng).await,
            23 | 24 | 47 => self.close(k).await,
            25 | 26 => self.collect_pools(k, rng).await,
            27..=29 => self.finalise(k, rng).await,
            30..=33 => self.settle(k, rng).await,
            34..=37 => self.credit(k, rng).await,
            38 | 39 => self.collect_balance(k, rng).await,
            40 | 41 => self.sweep(k, rng).await,
            44..=46 => self.collect_pools(k, rng).await,
            _ => {
                self.env.advance(1 + rng.below(3_600) as i64).await;
                self.ok_count("advance");
            }
        }
        self.check().await;
    }

    /// Checks a routed line against the model's prediction and invariant 1.
    fn check_line(&self, line: &RoutedLine, expected: &Split) {
        invariants::check_line(line);
        assert_eq!(
            (line.received, line.owner, line.fee, line.buyback, line.pool),
            (
                expected.received,
                expected.owner,
                expected.fee,
                expected.buyback,
                expected.pool
            ),
            "{}: the §12 split of what arrived",
            self.ctx
        );
    }

    async fn pay(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        let j = rng.below(3) as usize;
        let shard = rng.below(2) as u8;
        let amount = if rng.below(10) == 0 {
            rng.below(110)
        } else {
            100 + rng.below(5_000_000)
        };
        let usage = if rng.below(8) == 0 {
            u64::MAX
        } else {
            rng.below(10)
        };
        let (consumer, token) = (s.consumer.0.insecure_clone(), s.consumer.1);
        let ix = ix::pay(
            &s.d.keys,
            consumer.pubkey(),
            token,
            s.models[j].0,
            shard,
            amount,
            usage,
        );
        let predicted = if self.paused {
            Err(code(E::ProtocolPaused))
        } else {
            s.m.split(j, amount).ok_or(code(E::PaymentTooSmall))
        };
        match predicted {
            Err(c) => self.env.fails_with(&[ix], &[&consumer], c).await,
            Ok(split) => {
                let ev: PaymentRouted = self.env.ok_event(&[ix], &[&consumer]).await;
                self.check_line(&ev.line, &split);
                self.sides[k].m.credit(j, shard, &split);
                self.ok_count("pay");
            }
        }
    }

    async fn batch(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        let shard = rng.below(2) as u8;
        let n = 1 + rng.below(5) as usize;
        let picks: Vec<(usize, u64)> = (0..n)
            .map(|_| (rng.below(3) as usize, 100 + rng.below(1_000_000)))
            .collect();
        let lines: Vec<Line> = picks
            .iter()
            .map(|(j, amount)| Line {
                model: s.models[*j].0,
                amount: *amount,
                usage_units: 1,
            })
            .collect();
        let processor = s.d.fee_authority.insecure_clone();
        let ix = ix::settle_batch(
            &s.d.keys,
            processor.pubkey(),
            s.processor_token,
            shard,
            &lines,
        );
        let splits: Option<Vec<Split>> = picks.iter().map(|(j, a)| s.m.split(*j, *a)).collect();
        let predicted = if self.paused {
            Err(code(E::ProtocolPaused))
        } else {
            splits.ok_or(code(E::PaymentTooSmall))
        };
        match predicted {
            Err(c) => self.env.fails_with(&[ix], &[&processor], c).await,
            Ok(splits) => {
                let ev: BatchSettled = self.env.ok_event(&[ix], &[&processor]).await;
                assert_eq!(ev.lines.len(), splits.len());
                for ((line, split), (j, _)) in ev.lines.iter().zip(&splits).zip(&picks) {
                    self.check_line(line, split);
                    self.sides[k].m.credit(*j, shard, split);
                }
                self.ok_count("batch");
            }
        }
    }

    async fn claim_model(&mut self, k: usize, rng: &mut Rng) {
        let j = rng.below(3) as usize;
        let shard = rng.below(2) as u8;
        let s = &self.sides[k];
        let (model, owner, dest) = (s.models[j].0, s.models[j].1.insecure_clone(), s.models[j].2);
        let ix = ix::claim_model_revenue(&s.d.keys, owner.pubkey(), model, dest, shard);
        let amount = s.m.model_claim(j, shard);
        if amount == 0 {
            self.env
                .fails_with(&[ix], &[&owner], code(E::NothingToClaim))
                .await;
            return;
        }
        let before = self.env.balance(dest).await;
        self.env.ok(&[ix], &[&owner]).await;
        let got = self.env.balance(dest).await - before;
        assert_eq!(got, self.sides[k].m.arrives(amount), "{}: claim", self.ctx);
        self.sides[k].m.apply_model_claim(j, shard, amount);
        self.ok_count("claim_model_revenue");
    }

    async fn withdraw_fees(&mut self, k: usize, rng: &mut Rng) {
        let shard = rng.below(2) as u8;
        let s = &self.sides[k];
        let fee = s.d.fee_authority.insecure_clone();
        let ix = ix::withdraw_fees(&s.d.keys, fee.pubkey(), s.fee_dest, shard);
        let owed = s.m.shards[usize::from(shard)].fee_owed;
        if owed == 0 {
            self.env
                .fails_with(&[ix], &[&fee], code(E::NothingToWithdraw))
                .await;
            return;
        }
        self.env.ok(&[ix], &[&fee]).await;
        self.sides[k].m.shards[usize::from(shard)].fee_owed = 0;
        self.ok_count("withdraw_fees");
    }

    async fn collect(&mut self, rng: &mut Rng) {
        let shard = rng.below(2) as u8;
        let s = &self.sides[1];
        let ix = ix::collect_buyback(&s.d.keys, shard);
        let owed = s.m.shards[usize::from(shard)].buyback_owed;
        if owed == 0 {
            self.env
                .fails_with(&[ix], &[], code(E::NothingToCollect))
                .await;
            return;
        }
        self.env.ok(&[ix], &[]).await;
        let m = &mut self.sides[1].m;
        m.shards[usize::from(shard)].buyback_owed = 0;
        // What arrives in the buyback vault is what is for sale.
        m.auction_available += m.arrives(owed);
        self.ok_count("collect_buyback");
    }

    async fn buy_back(&mut self, rng: &mut Rng) {
        let s = &self.sides[1];
        let available = s.m.auction_available;
        let q = 1 + rng.below(available.max(1));
        let (b, dn, rev) = (self.buyer.0.insecure_clone(), self.buyer.1, self.buyer.2);
        let ix = ix::buy_back(&s.d.keys, &self.p.dn, b.pubkey(), dn, rev, q, u64::MAX);
        let expected = if self.paused {
            Some(code(E::ProtocolPaused))
        } else if available == 0 {
            Some(code(E::BuybackVaultEmpty))
        } else {
            None
        };
        self.expect(&[ix], &[&b], expected).await;
        if expected.is_none() {
            self.sides[1].m.auction_available -= q;
            self.ok_count("buy_back");
        }
    }

    async fn change_settings(&mut self, k: usize, rng: &mut Rng) {
        let fee = rng.below(3_300) as u16;
        let s = &self.sides[k];
        let settings = deepnode::state::DomainSettings {
            fee_bps: fee,
            ..engine_settings()
        };
        let owner = s.d.owner.insecure_clone();
        let ix = ix::update_domain_settings(owner.pubkey(), s.d.keys.domain, settings);
        let expected = (fee > default_bounds().max_fee_bps).then(|| code(E::FeeBpsOutOfBounds));
        self.expect(&[ix], &[&owner], expected).await;
        if expected.is_none() {
            // Queued: the open epoch keeps its fee (invariant 7).
            self.sides[k].m.pending_fee = Some(fee);
            self.ok_count("update_domain_settings");
        }
    }

    async fn toggle_pause(&mut self, rng: &mut Rng) {
        let gov = self.p.gov.insecure_clone();
        // Pausing is rare and short: while paused, mostly unpause; otherwise mostly
        // try the same state again (refused), sometimes pause.
        let same = if self.paused {
            rng.below(4) == 0
        } else {
            rng.below(3) > 0
        };
        let target = if same { self.paused } else { !self.paused };
        let ix = ix::set_paused(gov.pubkey(), target);
        let expected = same.then(|| code(E::PauseUnchanged));
        self.expect(&[ix], &[&gov], expected).await;
        if !same {
            self.paused = target;
            self.ok_count("set_paused");
        }
    }

    async fn stake(&mut self, k: usize, i: usize, amount: u64) {
        let s = &self.sides[k];
        let keys = self.env.staker_keys(&s.d, &s.stakers[i]).await;
        let ix = ix::stake(s.d.keys.domain, &self.p.dn, &keys, amount);
        let kp = s.stakers[i].kp.insecure_clone();
        // The program checks the pause, then the position after its checkpoint step,
        // then moves the tokens.
        let st = s.m.synced(i);
        let expected = if self.paused {
            Some(code(E::ProtocolPaused))
        } else if st.has_change() && st.change_epoch != s.m.epoch {
            Some(code(E::PreviousStakeChangeUnsettled))
        } else if amount > st.wallet {
            // The token program refuses the transfer: InsufficientFunds (1).
            Some(1)
        } else {
            None
        };
        self.expect(&[ix], &[&kp], expected).await;
        if expected.is_none() {
            self.sides[k].m.stake(i, amount);
            self.ok_count("stake");
        }
    }

    async fn unstake(&mut self, k: usize, rng: &mut Rng) {
        let i = rng.below(3) as usize;
        let s = &self.sides[k];
        let eligible = s.m.synced(i).eligible(s.m.epoch);
        let amount = 1 + rng.below(eligible.max(1) + 500);
        let keys = self.env.staker_keys(&s.d, &s.stakers[i]).await;
        let ix = ix::request_unstake(s.d.keys.domain, &keys, s.d.keys.epoch, amount);
        let kp = s.stakers[i].kp.insecure_clone();
        // Never paused, never waits for settlement (§9).
        let expected = (amount > eligible).then(|| code(E::InsufficientActiveStake));
        self.expect(&[ix], &[&kp], expected).await;
        if expected.is_some() {
            return;
        }
        self.sides[k].m.request(i, amount);
        self.ok_count("request_unstake");
        let s = &self.sides[k];
        let position = pda::stake_position(&s.d.keys.domain, &s.stakers[i].key());
        let epoch = s.m.epoch;
        let on_chain: deepnode::state::UnstakeTicket =
            self.env.get(pda::unstake_ticket(&position, epoch)).await;
        let t = s.m.stakers[i].ticket(epoch).expect("model ticket");
        assert_eq!(
            (
                on_chain.principal,
                on_chain.settled_part,
                on_chain.pending_part,
                on_chain.pending_epoch,
                on_chain.checkpoint_dn,
                on_chain.checkpoint_rev
            ),
            (
                t.principal,
                t.settled_part,
                t.pending_part,
                t.pending_epoch,
                t.checkpoint.0,
                t.checkpoint.1
            ),
            "{}: ticket",
            self.ctx
        );
    }

    async fn withdraw_stake(&mut self, k: usize, rng: &mut Rng) {
        // Mostly a staker holding tickets, sometimes anyone (maybe without one).
        let holders: Vec<usize> = (0..3)
            .filter(|i| !self.sides[k].m.stakers[*i].tickets.is_empty())
            .collect();
        let i = if holders.is_empty() || rng.below(4) == 0 {
            rng.below(3) as usize
        } else {
            holders[rng.below(holders.len() as u64) as usize]
        };
        let s = &self.sides[k];
        let keys = self.env.staker_keys(&s.d, &s.stakers[i]).await;
        let kp = s.stakers[i].kp.insecure_clone();
        let st = &s.m.stakers[i];
        let epoch = s.m.epoch;
        if st.tickets.is_empty() {
            // No ticket: its account does not exist.
            let t = TicketKeys {
                epoch,
                pending_epoch: epoch,
            };
            let ix = ix::withdraw_stake(s.d.keys.domain, &self.p.dn, &keys, t);
            self.env
                .fails_with(&[ix], &[&kp], anchor_code::NOT_INITIALIZED)
                .await;
            return;
        }
        let t = st.tickets[rng.below(st.tickets.len() as u64) as usize].clone();
        let keys_t = TicketKeys {
            epoch: t.epoch,
            pending_epoch: t.pending_epoch,
        };
        let ix = ix::withdraw_stake(s.d.keys.domain, &self.p.dn, &keys, keys_t);
        let ready = s.m.ticket_ready(&t);
        let position = pda::stake_position(&s.d.keys.domain, &s.stakers[i].key());
        let expected = if epoch < t.withdrawable {
            Some(code(E::StakeStillUnbonding))
        } else if t.principal == 0 && !ready {
            Some(code(E::TicketRewardsUnsettled))
        } else {
            None
        };
        self.expect(&[ix], &[&kp], expected).await;
        if expected.is_some() {
            return;
        }
        let closed = self
            .env
            .account(pda::unstake_ticket(&position, t.epoch))
            .await
            .is_none();
        assert_eq!(closed, ready, "{}: a ticket closes once credited", self.ctx);
        self.sides[k].m.withdraw(i, t.epoch, ready);
        self.ok_count("withdraw_stake");
    }

    async fn claim_stake(&mut self, k: usize, rng: &mut Rng) {
        let i = rng.below(3) as usize;
        let s = &self.sides[k];
        let keys = self.env.staker_keys(&s.d, &s.stakers[i]).await;
        let staker = &s.stakers[i];
        let kp = staker.kp.insecure_clone();
        let (dn_account, rev_account) = (staker.dn_account, staker.revenue_account);
        let ix = ix::claim_stake_rewards(&s.d.keys, &self.p.dn, &keys, rev_account);
        let (dn, rev) = self.sides[k].m.claim(i);
        if (dn, rev) == (0, 0) {
            self.env
                .fails_with(&[ix], &[&kp], code(E::NothingToClaim))
                .await;
            return;
        }
        let before = (
            self.env.balance(dn_account).await,
            self.env.balance(rev_account).await,
        );
        self.env.ok(&[ix], &[&kp]).await;
        let after = (
            self.env.balance(dn_account).await,
            self.env.balance(rev_account).await,
        );
        let m = &self.sides[k].m;
        assert_eq!(
            (after.0 - before.0, after.1 - before.1),
            (dn, m.arrives(rev)),
            "{}: claim pays exactly the accrued rewards",
            self.ctx
        );
        let st = &m.stakers[i];
        assert!(
            u128::from(st.dn_claimed) * (1u128 << 64) <= st.exact_scaled,
            "{}: never more than pro rata",
            self.ctx
        );
        self.ok_count("claim_stake_rewards");
    }

    async fn register(&mut self, k: usize, rng: &mut Rng) {
        let i = rng.below(3) as usize;
        let s = &self.sides[k];
        let kp = s.stakers[i].kp.insecure_clone();
        let ix = ix::register_validator(kp.pubkey(), s.d.keys.domain);
        let st = &s.m.stakers[i];
        let expected = if self.paused {
            Some(code(E::ProtocolPaused))
        } else if st.eligible(s.m.epoch) < s.m.min_validator_stake {
            Some(code(E::ValidatorStakeTooLow))
        } else if st.validator.is_some() {
            Some(code(E::ValidatorAlreadyRegistered))
        } else {
            None
        };
        self.expect(&[ix], &[&kp], expected).await;
        if expected.is_none() {
            self.sides[k].m.register(i);
            self.ok_count("register_validator");
        }
    }

    async fn attest(&mut self, k: usize, rng: &mut Rng) {
        // Mostly the two validators (so that records reach quorum), sometimes staker 2.
        let i = if rng.below(5) == 0 {
            2
        } else {
            rng.below(2) as usize
        };
        let j = rng.below(2) as usize;
        let units = if rng.below(20) == 0 {
            deepnode::constants::MAX_ATTESTED_UNITS + 1
        } else {
            rng.below(1_000)
        };
        let s = &self.sides[k];
        // Mostly revise an attestation that exists, sometimes one that does not.
        let revise = if s.m.has_vote(i, j) {
            rng.below(2) == 0
        } else {
            rng.below(6) == 0
        };
        let kp = s.stakers[i].kp.insecure_clone();
        let miner = s.miners[j].pubkey();
        let a = Attestation {
            miner,
            units,
            revise,
        };
        let ix = ix::attest(kp.pubkey(), s.d.keys.domain, s.m.epoch, &[a]);
        let predicted = s.m.attest_outcome(i, j, units, revise, self.paused);
        match predicted {
            Ok(vote) => {
                self.env.ok(&[ix], &[&kp]).await;
                self.sides[k].m.record_vote(j, vote);
                let kind = if revise {
                    "attest_revise"
                } else {
                    "attest_new"
                };
                self.ok_count(kind);
            }
            Err(code) => self.env.fails_with(&[ix], &[&kp], code).await,
        }
        // The record on chain holds exactly the model's attestations.
        let s = &self.sides[k];
        let epoch = s.m.epoch;
        let expected = s.m.record(j, epoch);
        if !expected.is_empty() {
            let miner_pda = pda::miner(&s.d.keys.domain, &miner);
            let on_chain: WorkRecord = self.env.get(pda::work_record(&miner_pda, epoch)).await;
            let state: EpochBook = self.env.get(pda::epoch_book(&s.d.keys.domain, epoch)).await;
            let weight = |index: u32| {
                let slot = state.voter(index).expect("every attester is a voter");
                state.voters[slot].weight
            };
            let got: Vec<Vote> = on_chain
                .recorded()
                .iter()
                .map(|a| (a.validator, a.units, weight(a.validator)))
                .collect();
            assert_eq!(got, expected, "{}: work record", self.ctx);
        }
    }

    async fn close(&mut self, k: usize) {
        self.ok_count("close_epoch");
        let side = &mut self.sides[k];
        self.env.close_epoch(&mut side.d).await;
        side.m.open_next();
        // The new epoch's snapshot: the queued fee and the validator stake W_e.
        let opened = side.m.epoch;
        let epoch: Epoch = self.env.get(pda::epoch(&side.d.keys.domain, opened)).await;
        assert_eq!(
            (
                epoch.settings.fee_bps,
                epoch.validator_stake,
                epoch.active_stake
            ),
            (
                side.m.fee_bps,
                side.m.validator_stake(),
                side.m.active_stake(opened)
            ),
            "{}: the opened epoch's fee, W_e and active stake",
            self.ctx
        );
    }

    /// Finalises one record of a past or open epoch (mostly one that waits for it).
    async fn finalise(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        let waiting: Vec<(u64, usize)> =
            s.m.books
                .keys()
                .flat_map(|e| s.m.to_finalise(*e).into_iter().map(move |j| (*e, j)))
                .filter(|(e, _)| s.m.books[e].status == Status::Closed)
                .collect();
        let (e, j) = if waiting.is_empty() || rng.below(4) == 0 {
            (rng.below(s.m.epoch + 1), rng.below(2) as usize)
        } else {
            waiting[rng.below(waiting.len() as u64) as usize]
        };
        let record = pda::work_record(&pda::miner(&s.d.keys.domain, &s.miners[j].pubkey()), e);
        let payer = self.env.payer();
        let ix = ix::finalise_work(payer.pubkey(), s.d.keys.domain, e, &[record]);
        match s.m.finalise_outcome(e, j) {
            Err(c) => self.env.fails_with(&[ix], &[], c).await,
            Ok(outcome) => {
                self.env.ok(&[ix], &[]).await;
                let on_chain: WorkRecord = self.env.get(record).await;
                assert_eq!(
                    (on_chain.finalised, on_chain.verified_units),
                    (true, outcome.0),
                    "{}: the stake-weighted median",
                    self.ctx
                );
                self.sides[k].m.apply_finalise(e, j, outcome);
                self.ok_count("finalise_work");
            }
        }
    }

    /// Collects one or both shards' pool shares of a closed epoch (mostly the next to
    /// settle).
    async fn collect_pools(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        let e = if rng.below(4) == 0 {
            rng.below(s.m.epoch + 1)
        } else {
            s.m.settled_next.min(s.m.epoch)
        };
        let shards: Vec<usize> = match rng.below(4) {
            0 => vec![0],
            1 => vec![1],
            _ => vec![0, 1],
        };
        let wanted: Vec<u8> = shards.iter().map(|x| *x as u8).collect();
        let payer = self.env.payer();
        let ix = ix::collect_pools(payer.pubkey(), &s.d.keys, e, &wanted);
        match s.m.collect_pools_outcome(e, &shards) {
            Err(c) => self.env.fails_with(&[ix], &[], c).await,
            Ok(received) => {
                let vault = pda::stake_reward_vault(&s.d.keys.domain);
                let before = self.env.balance(vault).await;
                self.env.ok(&[ix], &[]).await;
                let got = self.env.balance(vault).await - before;
                assert_eq!(got, received, "{}: pool shares received", self.ctx);
                self.sides[k].m.apply_collect_pools(e, &shards, received);
                self.ok_count("collect_pools");
            }
        }
    }

    /// Settles the next epoch in order (sometimes another one).
    async fn settle(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        let e = if rng.below(4) == 0 {
            rng.below(s.m.epoch + 1)
        } else {
            s.m.settled_next
        };
        let keys = self.env.settle_keys(&s.d, e).await;
        let keeper = self.keeper.insecure_clone();
        let ix = ix::settle_epoch(keeper.pubkey(), &s.d.keys, &self.p.dn, keys);
        match s.m.settle_outcome(e) {
            Err(c) => self.env.fails_with(&[ix], &[&keeper], c).await,
            Ok(predicted) => {
                let ev: EpochSettled = self.env.ok_event(&[ix], &[&keeper]).await;
                assert_eq!(
                    (
                        ev.budget,
                        ev.tip,
                        ev.minted,
                        ev.withheld,
                        ev.rolled_out,
                        ev.rev_pool,
                        ev.dn_pools,
                        ev.rev_pools,
                        ev.stakers_dn_funded,
                        ev.stakers_rev_funded
                    ),
                    (
                        predicted.budget,
                        predicted.tip,
                        predicted.minted,
                        predicted.withheld,
                        predicted.rolled_out,
                        predicted.rev_pool,
                        predicted.dn_pools,
                        predicted.rev_pools,
                        predicted.dn_credited[STAKERS],
                        predicted.rev_credited[STAKERS]
                    ),
                    "{}: settlement of epoch {e}",
                    self.ctx
                );
                self.sides[k].m.apply_settle(e, predicted);
                self.ok_count("settle_epoch");
            }
        }
    }

    /// The SDK line for a model line of side `k`.
    async fn credit_line(&mut self, k: usize, e: u64, line: model::Line) -> CreditLine {
        let s = &self.sides[k];
        match line {
            model::Line::Miner(j) => {
                let authority = s.miners[j].pubkey();
                let record = pda::work_record(&pda::miner(&s.d.keys.domain, &authority), e);
                // The rent payer is the first attesting validator; any key when the
                // record does not exist (the program refuses first).
                let rent_payer = match self.env.account(record).await {
                    Some(_) => self.env.get::<WorkRecord>(record).await.rent_payer,
                    None => authority,
                };
                CreditLine::Miner {
                    authority,
                    rent_payer,
                }
            }
            model::Line::Validator(i) => CreditLine::Validator {
                authority: s.stakers[i].key(),
            },
            model::Line::ModelOwner(j) => {
                let (model, owner) = (s.models[j].0, s.models[j].1.pubkey());
                let key = pda::model_epoch(&model, e);
                let rent_payer = match self.env.account(key).await {
                    Some(_) => {
                        self.env
                            .get::<deepnode::state::ModelEpoch>(key)
                            .await
                            .rent_payer
                    }
                    None => owner,
                };
                CreditLine::ModelOwner {
                    model,
                    owner,
                    rent_payer,
                }
            }
            model::Line::DomainOwner => CreditLine::DomainOwner {
                owner: s.d.owner.pubkey(),
            },
            model::Line::Foundation => CreditLine::Foundation {
                account: self.p.foundation,
                owner: self.foundation_owner,
            },
        }
    }

    /// Credits one payout of a settled epoch, pushed by the keeper.
    async fn credit(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        // Mostly a settled epoch whose claim window is open, sometimes any recent one.
        let open: Vec<u64> =
            s.m.books
                .iter()
                .filter(|(e, b)| b.s.is_some() && s.m.epoch <= **e + model::WINDOW)
                .map(|(e, _)| *e)
                .collect();
        let e = if open.is_empty() || rng.below(4) == 0 {
            s.m.epoch.saturating_sub(1 + rng.below(3))
        } else {
            open[rng.below(open.len() as u64) as usize]
        };
        let line = match rng.below(6) {
            0 | 1 => model::Line::Miner(rng.below(2) as usize),
            2 => model::Line::Validator(rng.below(3) as usize),
            3 => model::Line::ModelOwner(rng.below(3) as usize),
            4 => model::Line::DomainOwner,
            _ => model::Line::Foundation,
        };
        let predicted = s.m.credit_outcome(e, line);
        let sdk_line = self.credit_line(k, e, line).await;
        let keeper = self.keeper.insecure_clone();
        let domain = self.sides[k].d.keys.domain;
        let ix = ix::credit(keeper.pubkey(), domain, e, &[sdk_line]);
        match predicted {
            Err(c) => self.env.fails_with(&[ix], &[&keeper], c).await,
            Ok(outcome) => {
                let ev: RewardCredited = self.env.ok_event(&[ix], &[&keeper]).await;
                assert_eq!(
                    (ev.lines[0].dn, ev.lines[0].rev),
                    (outcome.1, outcome.2),
                    "{}: credit of {line:?} in epoch {e}",
                    self.ctx
                );
                self.sides[k].m.apply_credit(e, line, outcome);
                self.ok_count("credit");
            }
        }
    }

    /// A recipient collects its whole balance (its own pull).
    async fn collect_balance(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        // Mostly a recipient with something credited, sometimes anyone.
        let owed: Vec<Recipient> =
            s.m.balances
                .iter()
                .filter(|(_, b)| **b != (0, 0))
                .map(|(r, _)| *r)
                .collect();
        let who = if !owed.is_empty() && rng.below(3) > 0 {
            owed[rng.below(owed.len() as u64) as usize]
        } else {
            match rng.below(6) {
                0 => Recipient::Miner(rng.below(2) as usize),
                1 => Recipient::Validator(rng.below(2) as usize),
                2 => Recipient::ModelOwner(rng.below(3) as usize),
                3 => Recipient::DomainOwner,
                4 => Recipient::Foundation,
                _ => Recipient::Keeper,
            }
        };
        // The foundation's owner key is not the engine's: its balance is pushed.
        let (signer, recipient, dn_account, rev_account) = match who {
            Recipient::Miner(j) => (
                s.miners[j].insecure_clone(),
                s.miners[j].pubkey(),
                s.miner_accounts[j].0,
                s.miner_accounts[j].1,
            ),
            Recipient::Validator(i) => (
                s.stakers[i].kp.insecure_clone(),
                s.stakers[i].key(),
                s.stakers[i].dn_account,
                s.stakers[i].revenue_account,
            ),
            Recipient::ModelOwner(j) => (
                s.models[j].1.insecure_clone(),
                s.models[j].1.pubkey(),
                s.owner_dn[j],
                s.models[j].2,
            ),
            Recipient::DomainOwner => (
                s.d.owner.insecure_clone(),
                s.d.owner.pubkey(),
                s.domain_owner_accounts.0,
                s.domain_owner_accounts.1,
            ),
            Recipient::Foundation => (
                self.keeper.insecure_clone(),
                self.foundation_owner,
                self.p.foundation,
                s.foundation_rev,
            ),
            Recipient::Keeper => (
                self.keeper.insecure_clone(),
                self.keeper.pubkey(),
                s.keeper_accounts.0,
                s.keeper_accounts.1,
            ),
        };
        let predicted = s.m.collect_outcome(who);
        let line = CollectLine {
            recipient,
            dn_account,
            revenue_account: rev_account,
        };
        let ix = ix::collect(signer.pubkey(), &s.d.keys, &self.p.dn, &[line]);
        let pushed = signer.pubkey() != recipient;
        match predicted {
            // A push of an empty balance pays nothing and keeps nothing: it succeeds.
            Err(c) if !(pushed && c == code(E::NothingToClaim)) => {
                self.env.fails_with(&[ix], &[&signer], c).await
            }
            Err(_) => self.env.ok(&[ix], &[&signer]).await,
            Ok((dn, rev)) => {
                let same = dn_account == rev_account;
                let before = (
                    self.env.balance(dn_account).await,
                    self.env.balance(rev_account).await,
                );
                self.env.ok(&[ix], &[&signer]).await;
                let after = (
                    self.env.balance(dn_account).await,
                    self.env.balance(rev_account).await,
                );
                let m = &self.sides[k].m;
                if same {
                    assert_eq!(after.0 - before.0, dn + m.arrives(rev), "{}", self.ctx);
                } else {
                    assert_eq!(
                        (after.0 - before.0, after.1 - before.1),
                        (dn, m.arrives(rev)),
                        "{}: collect pays the whole balance",
                        self.ctx
                    );
                }
                self.sides[k].m.balances.insert(who, (0, 0));
                self.ok_count("collect");
            }
        }
    }

    /// Sweeps a settled epoch (mostly the oldest not swept).
    async fn sweep(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        let e = rng.below(s.m.settled_next.max(1) + 1).min(s.m.epoch);
        let payer = self.env.payer();
        let ix = ix::sweep_epoch(payer.pubkey(), &s.d.keys, &self.p.dn, e);
        match s.m.sweep_outcome(e) {
            Err(c) => self.env.fails_with(&[ix], &[], c).await,
            Ok(outcome) => {
                let supply = self.env.supply(self.p.dn.mint).await;
                self.env.ok(&[ix], &[]).await;
                let burned = supply - self.env.supply(self.p.dn.mint).await;
                assert_eq!(burned, outcome.0, "{}: the sweep burns the dust", self.ctx);
                self.sides[k].m.apply_sweep(e, outcome);
                self.ok_count("sweep_epoch");
            }
        }
    }

    /// Every epoch's settlement and every credited balance of side `k` against the model,
    /// and invariants 3 and 4 on the chain's own numbers.
    async fn check_crank(&mut self, k: usize) {
        let s = &self.sides[k];
        let domain = s.d.keys.domain;
        let books: Vec<(u64, Book)> = s.m.books.iter().map(|(e, b)| (*e, b.clone())).collect();
        for (e, model) in books {
            let epoch: Epoch = self.env.get(pda::epoch(&domain, e)).await;
            let book: EpochBook = self.env.get(pda::epoch_book(&domain, e)).await;
            assert_eq!(
                (
                    book.quorate_records,
                    book.finalised_records as usize,
                    book.total_agreeing
                ),
                (model.quorate, model.verified.len(), model.total_agreeing),
                "{}: epoch {e} totals",
                self.ctx
            );
            assert_eq!(
                book.rolled_in, model.rolled_in,
                "{}: epoch {e} rolled in",
                self.ctx
            );
            let Some(m) = model.s else {
                assert_ne!(epoch.status, EpochStatus::Settled, "{}", self.ctx);
                continue;
            };
            let c = book.settlement;
            assert_eq!(epoch.status, EpochStatus::Settled, "{}", self.ctx);
            assert_eq!(
                (
                    c.dn_pools,
                    c.rev_pools,
                    c.dn_credited,
                    c.rev_credited,
                    c.swept
                ),
                (
                    m.dn_pools,
                    m.rev_pools,
                    m.dn_credited,
                    m.rev_credited,
                    m.swept
                ),
                "{}: epoch {e} pools and credits",
                self.ctx
            );
            // Invariant 3: minted == pools + tip; withheld + minted == budget; credits
            // within their pools. Invariant 4: the budget lies in [floor, ceiling] with
            // work, is zero without.
            let pools: u64 = c.dn_pools.iter().sum();
            assert_eq!(c.minted, pools + c.tip, "{}: invariant 3", self.ctx);
            assert_eq!(c.withheld + c.minted, c.budget, "{}: invariant 3", self.ctx);
            for r in 0..6 {
                assert!(c.dn_credited[r] <= c.dn_pools[r] && c.rev_credited[r] <= c.rev_pools[r]);
            }
            let settings = engine_settings();
            if book.total_verified > 0 {
                assert!(c.budget >= settings.floor && c.budget <= settings.ceiling);
            } else {
                assert_eq!(c.budget, 0, "{}: no work, no budget", self.ctx);
            }
        }
        let balances: Vec<(Recipient, (u64, u64))> =
            s.m.balances.iter().map(|(r, b)| (*r, *b)).collect();
        for (who, owed) in balances {
            let key = match who {
                Recipient::Miner(j) => s.miners[j].pubkey(),
                Recipient::Validator(i) => s.stakers[i].key(),
                Recipient::ModelOwner(j) => s.models[j].1.pubkey(),
                Recipient::DomainOwner => s.d.owner.pubkey(),
                Recipient::Foundation => self.foundation_owner,
                Recipient::Keeper => self.keeper.pubkey(),
            };
            let b: RewardBalance = self.env.get(pda::reward(&domain, &key)).await;
            assert_eq!(
                (b.dn_owed, b.rev_owed),
                owed,
                "{}: balance of {who:?}",
                self.ctx
            );
        }
    }

    /// Everything checked after every instruction.
    async fn check(&mut self) {
        let mut domains = Vec::new();
        for k in 0..2 {
            let s = &self.sides[k];
            let domain = s.d.keys.domain;
            let models: Vec<Pubkey> = s.models.iter().map(|m| m.0).collect();
            // Invariant 2 (and claimable == what shards owe model owners).
            self.env.check_vaults(&s.d, &models).await;
            // The ledgers are the model's, and each vault holds exactly what it owes:
            // nothing is stranded.
            for shard in 0..2u8 {
                let ledger: VaultShard = self.env.get(pda::vault_shard(&domain, shard)).await;
                let l = &s.m.shards[usize::from(shard)];
                assert_eq!(
                    (
                        ledger.model_owed,
                        ledger.fee_owed,
                        ledger.buyback_owed,
                        ledger.pool_owed
                    ),
                    (l.model_owed, l.fee_owed, l.buyback_owed, l.pool_owed),
                    "{}: shard {shard} ledger",
                    self.ctx
                );
                let vault = self.env.balance(pda::vault(&domain, shard)).await;
                self.env.note(|| {
                    format!(
                        "side {k} shard {shard}: owed {:?} lifetime {:?} vault {vault}",
                        (
                            ledger.model_owed,
                            ledger.fee_owed,
                            ledger.buyback_owed,
                            ledger.pool_owed
                        ),
                        (ledger.lifetime_received, ledger.dn_burned)
                    )
                });
                assert_eq!(
                    vault,
                    l.total(),
                    "{}: shard {shard} vault == owed",
                    self.ctx
                );
            }
            for (j, (key, _, _)) in s.models.iter().enumerate() {
                let model: deepnode::state::Model = self.env.get(*key).await;
                assert_eq!(model.claimable, s.m.claimable[j], "{}: model {j}", self.ctx);
            }
            if !s.d.keys.is_dn {
                let auction: Auction = self.env.get(pda::auction(&domain)).await;
                let vault = self.env.balance(pda::buyback_vault(&domain)).await;
                assert_eq!(
                    (auction.available, vault),
                    (s.m.auction_available, s.m.auction_available),
                    "{}: buyback vault == for sale",
                    self.ctx
                );
            }
            let keys: Vec<Pubkey> = s.stakers.iter().map(|x| x.key()).collect();
            self.env.check_stake(&s.d, &keys).await;
            let pool: StakePool = self.env.get(pda::stake_pool(&domain)).await;
            let stake_vault = self.env.balance(pda::stake_vault(&domain)).await;
            let reward_vault = self.env.balance(pda::stake_reward_vault(&domain)).await;
            self.env.note(|| {
                format!(
                    "side {k} pool: {:?} vaults {stake_vault} {reward_vault}",
                    (
                        pool.total_staked,
                        pool.active,
                        pool.acc_dn,
                        pool.acc_rev,
                        pool.dn_funded,
                        pool.dn_claimed,
                        pool.rev_funded,
                        pool.rev_claimed,
                        pool.validator_stake_next
                    )
                )
            });
            assert_eq!(
                (stake_vault, reward_vault),
                (pool.dn_owed().unwrap(), pool.rev_owed().unwrap()),
                "{}: stake and reward vaults hold exactly what they owe",
                self.ctx
            );
            assert_eq!(
                (pool.total_staked, pool.active, pool.validator_stake_next),
                (
                    s.m.total_staked(),
                    s.m.active_stake(s.m.epoch),
                    s.m.validator_stake()
                ),
                "{}: pool totals",
                self.ctx
            );
            let epoch: Epoch = self.env.get(pda::epoch(&domain, s.m.epoch)).await;
            assert_eq!(
                epoch.settings.fee_bps, s.m.fee_bps,
                "{}: invariant 7",
                self.ctx
            );
            domains.push(k);
        }
        for k in 0..2 {
            self.check_crank(k).await;
        }
        // Invariant 6 over both domains.
        let (a, b) = (&self.sides[0].d, &self.sides[1].d);
        self.env.check_dn_supply(self.p.dn.mint, &[a, b]).await;
    }
}

/// A tiny deterministic generator (xorshift64*), so a failing sequence replays exactly.
pub struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn random_sequences_keep_every_invariant() {
    let sequences = env_u64("DEEPNODE_SEQUENCES", 6);
    let ops = env_u64("DEEPNODE_SEQUENCE_OPS", 200);
    let start = std::time::Instant::now();
    let mut total: BTreeMap<&'static str, u32> = BTreeMap::new();
    // DEEPNODE_TRACE=FILE writes every transaction's outcome and every checked ledger,
    // step by step: the same seeds natively and on the SBF build must give the same file.
    let trace_path = std::env::var("DEEPNODE_TRACE").ok();
    let mut trace = Vec::new();
    for seed in 0..sequences {
        let mut e = Engine::new().await;
        if trace_path.is_some() {
            e.env.start_trace();
        }
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (seed + 1));
        for step in 0..ops {
            e.ctx = format!("seed {seed} step {step}");
            e.step(&mut rng).await;
            if let Some(lines) = e.env.trace.as_mut() {
                for line in lines.drain(..) {
                    trace.push(format!("seed {seed} step {step}: {line}"));
                }
            }
        }
        for (kind, n) in e.succeeded {
            *total.entry(kind).or_default() += n;
        }
    }
    if let Some(path) = trace_path {
        std::fs::write(&path, trace.join("\n") + "\n").expect("write the trace");
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{sequences} sequences x {ops} operations in {secs:.1} s ({:.0} operations a minute); successes: {total:?}",
        (sequences * ops) as f64 * 60.0 / secs
    );
    // Every kind of operation must have succeeded at least once.
    for kind in [
        "pay",
        "batch",
        "claim_model_revenue",
        "withdraw_fees",
        "collect_buyback",
        "buy_back",
        "update_domain_settings",
        "set_paused",
        "stake",
        "request_unstake",
        "withdraw_stake",
        "claim_stake_rewards",
        "register_validator",
        "attest_new",
        "attest_revise",
        "close_epoch",
        "finalise_work",
        "collect_pools",
        "settle_epoch",
        "credit",
        "collect",
        "sweep_epoch",
        "advance",
    ] {
        assert!(
            total.get(kind).copied().unwrap_or(0) > 0,
            "operation {kind} never succeeded"
        );
    }
}
