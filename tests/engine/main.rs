//! The program's one random-sequence engine. Two domains at once, one paid in DN and one
//! in a Token-2022 stablecoin with a transfer fee (which takes attestations by commit and
//! reveal), driven through every instruction that exists: payments (single and batch,
//! both shards), model revenue claims, fee withdrawals, buyback collections and
//! purchases (dust, ladders of restarts in one transaction, counted volume, price
//! limits), settings changes that take effect when epochs close, governance's bounds
//! changed between close and settle, pause and unpause, staking (stake, unstake
//! tickets, withdrawals, reward claims), validator registrations (with displacement
//! when the set is full) and deregistrations, attestations (new, revised, zero units on
//! an idle miner), commitments and reveals (right, wrong, early and late), and the whole
//! crank: epoch closing, finalising records, settling (with §13's guard price and value
//! cap and the global cap), crediting every role, collecting balances, sweeping, and
//! clock moves. Its own model (`model.rs`, written from PROTOCOL.md, not from the
//! program) predicts every outcome, success or the exact error; the ledgers, tickets,
//! work records, each epoch's validator stake, purchases and stock, what each closed
//! epoch recorded and the auction's curve and guard price are compared with the model's
//! after every instruction, and so are every settled epoch's budget, pools, clearing and
//! guard prices and credits, every credited balance, and the invariants of §11 (1, 2
//! with equality where nothing may be stranded, 3, 4, 5 through the predicted refusals,
//! 6 and 7). A run fails when any kind of operation never succeeded or any refusal the
//! consensus rules add was never predicted.
//!
//! `DEEPNODE_SEQUENCES` sets the number of sequences (default 8), each of
//! `DEEPNODE_SEQUENCE_OPS` operations (default 250: long enough for epochs of both
//! domains to go through the whole crank).
mod model;

use deepnode::errors::DeepNodeError as E;
use deepnode::events::{BatchPaid, EpochSettled, PaymentRouted, PayoutsCredited, RoutedLine};
use deepnode::state::{
    Auction, Epoch, EpochBook, EpochStatus, RewardBalance, StakePool, VaultShard, WorkRecord,
};
use deepnode_sdk::commit::Batches;
use deepnode_sdk::ix::{Attestation, ClaimLine, CreditLine, Line, TicketKeys};
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

/// Side `k`'s settings: the defaults with a claim window of three epochs (so that random
/// sequences credit, collect and sweep within it), two validators at most (so that a
/// third registers only by displacing one, §7) and §13's value guard; the stablecoin
/// domain (side 1) takes attestations by commit and reveal.
fn engine_settings(k: usize) -> deepnode::state::DomainSettings {
    deepnode::state::DomainSettings {
        claim_window_epochs: model::WINDOW as u16,
        max_validators: MAX_VALIDATORS,
        max_emission_value_bps: GUARD_BPS[k],
        commit_reveal: k == 1,
        offset_bps: OFFSET_BPS[k],
        ..default_settings()
    }
}

/// Validators each domain may have at once.
const MAX_VALIDATORS: u16 = 2;
/// §13's `max_emission_value_bps` of each side: 250% of the revenue's value in DN (a DN
/// domain: binding only below the floor); 200% at the stablecoin's guard price.
const GUARD_BPS: [u16; 2] = [25_000, 20_000];
/// §14's `offset_bps` of each side: the stablecoin domain sells 30% of each epoch's
/// revenue-reward pool for DN that pays its roles before any mint (a DN domain may not).
const OFFSET_BPS: [u16; 2] = [0, 3_000];
/// Miners of each domain; the last one never works (validators attest 0 units for it).
const MINERS: usize = 3;

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
    /// Governance's bounds now (epochs record some of them when they close).
    bounds: deepnode::state::Bounds,
    /// DN minted in each cap period (both domains share the periods).
    periods: BTreeMap<u64, u64>,
    /// Each commitment's batches: (side, staker, epoch) -> batches.
    batches: BTreeMap<(usize, usize, u64), Batches>,
    succeeded: BTreeMap<&'static str, u32>,
    /// Refusals, by error code.
    refused: BTreeMap<u32, u32>,
    ctx: String,
}

impl Engine {
    async fn new() -> Engine {
        let mut env = Env::start().await;
        let p = env.init_protocol(TOKEN).await;
        let dn_domain = env
            .domain_on_mint(&p, p.dn.mint, TOKEN, Keypair::new(), 2, engine_settings(0))
            .await;
        let fee = [MintExt::TransferFee {
            bps: FEE_BPS,
            max: FEE_MAX,
        }];
        let stable = env
            .domain_with(&p, TOKEN_2022, &fee, 2, engine_settings(1))
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
            let mut miners = Vec::new();
            for _ in 0..MINERS {
                miners.push(env.miner(&d).await);
            }
            // Indexed in the order of their PDAs, the order in which the program takes
            // attestation lines: keys are random, sequences must not depend on them.
            miners.sort_by_key(|m| pda::miner(&d.keys.domain, &m.pubkey()));
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
            let k = sides.len();
            let mut m = DomainModel::new(
                d.keys.is_dn,
                transfer_fee,
                engine_settings(k).fee_bps,
                model_shares,
                stakers.len(),
            );
            m.commit_reveal = engine_settings(k).commit_reveal;
            m.guard_bps = GUARD_BPS[k];
            m.offset_bps = OFFSET_BPS[k];
            let now = env.clock().await.unix_timestamp;
            let first: Epoch = env.get(pda::epoch(&d.keys.domain, 0)).await;
            m.books.get_mut(&0).expect("epoch 0").end_ts = first.end_ts;
            if !d.keys.is_dn {
                // Set just now: the auction starts at the reference price.
                m.auction = Some(model::AuctionModel {
                    start_e9: reference,
                    floor_e9: floor,
                    duration: u64::from(duration),
                    start_ts: now,
                    reference,
                    ..Default::default()
                });
            }
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
            bounds: default_bounds(),
            periods: BTreeMap::new(),
            batches: BTreeMap::new(),
            succeeded: BTreeMap::new(),
            refused: BTreeMap::new(),
            ctx: String::new(),
        };
        // Every staker starts with 1,500 staked in epoch 0, active from epoch 1.
        // Stakers 0 and 1 register as validators in epoch 1 and vote from epoch 2 on.
        for k in 0..2 {
            for i in 0..3 {
                e.stake(k, i, 1_500).await;
            }
            e.close_now(k).await;
            for i in 0..2 {
                let kp = e.sides[k].stakers[i].kp.insecure_clone();
                let domain = e.sides[k].d.keys.domain;
                e.env
                    .ok(&[ix::register_validator(kp.pubkey(), domain)], &[&kp])
                    .await;
                e.sides[k].m.register(i, None);
            }
            e.close_now(k).await;
            // The two set-up epochs are settled (nothing happened in them).
            for epoch in 0..2 {
                let payer = e.env.payer();
                let ix = ix::fund_reward_vault(payer.pubkey(), &e.sides[k].d.keys, epoch, &[0, 1]);
                e.env.ok(&[ix], &[]).await;
                e.sides[k].m.apply_fund_reward_vault(epoch, &[0, 1], 0);
                let keys = e.env.settle_keys(&e.sides[k].d, epoch).await;
                let keeper = e.keeper.insecure_clone();
                let ix = ix::settle_epoch(keeper.pubkey(), &e.sides[k].d.keys, &e.p.dn, keys);
                e.env.ok(&[ix], &[&keeper]).await;
                let settled = e.sides[k]
                    .m
                    .settle_outcome(epoch, &e.periods)
                    .expect("set-up epoch");
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

    /// Sends `ixs`, which must fail with exactly `code`, and counts the refusal.
    async fn refuse(&mut self, ixs: &[Instruction], signers: &[&Keypair], code: u32) {
        self.env.fails_with(ixs, signers, code).await;
        *self.refused.entry(code).or_default() += 1;
    }

    /// Sends `ixs`, expecting `expected` (None: success).
    async fn expect(&mut self, ixs: &[Instruction], signers: &[&Keypair], expected: Option<u32>) {
        match expected {
            None => self.env.ok(ixs, signers).await,
            Some(code) => self.refuse(ixs, signers, code).await,
        }
    }

    /// Runs one random operation and checks everything after it.
    async fn step(&mut self, rng: &mut Rng) {
        let k = rng.below(2) as usize;
        // Weighted so that short sequences still run epochs through the whole crank.
        let op = rng.below(56);
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
            // A commit-reveal domain mostly commits; now and then each side tries the
            // other way (refused).
            17..=22 if (k == 1) != (rng.below(8) == 0) => self.commit(k, rng).await,
            17..=22 => self.attest(k, rng).await,
            23 | 24 | 47 => self.close(k).await,
            25 | 26 => self.fund_reward_vault(k, rng).await,
            27..=29 => self.finalise(k, rng).await,
            30..=33 => self.settle(k, rng).await,
            34..=37 => self.credit(k, rng).await,
            38 | 39 => self.collect_balance(k, rng).await,
            40 | 41 => self.sweep(k, rng).await,
            44..=46 => self.fund_reward_vault(k, rng).await,
            48..=51 => self.reveal(k, rng).await,
            52 => self.buy_back(rng).await,
            53 => self.change_bounds(rng).await,
            54 if rng.below(3) == 0 => self.deregister(k, rng).await,
            55 => self.crank_pass(k).await,
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
            Err(c) => self.refuse(&[ix], &[&consumer], c).await,
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
        let ix = ix::pay_batch(
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
            Err(c) => self.refuse(&[ix], &[&processor], c).await,
            Ok(splits) => {
                let ev: BatchPaid = self.env.ok_event(&[ix], &[&processor]).await;
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
            self.refuse(&[ix], &[&owner], code(E::NothingToClaim)).await;
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
            self.refuse(&[ix], &[&fee], code(E::NothingToWithdraw))
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
        let ix = ix::fund_auction(&s.d.keys, shard);
        let owed = s.m.shards[usize::from(shard)].buyback_owed;
        if owed == 0 {
            self.refuse(&[ix], &[], code(E::NothingToFund)).await;
            return;
        }
        self.env.ok(&[ix], &[]).await;
        let m = &mut self.sides[1].m;
        m.shards[usize::from(shard)].buyback_owed = 0;
        // What arrives in the buyback vault is what is for sale.
        m.auction_available += m.arrives(owed);
        self.ok_count("fund_auction");
    }

    /// Buys from the stablecoin domain's auction (§8): one unit (dust), a random
    /// quantity, a ladder of purchases of half of what is left (each restarts the
    /// auction) in one transaction, or more than is for sale; now and then with a price
    /// limit below the price. Every purchase's cost and the open epoch's tally (§13) are
    /// the model's.
    async fn buy_back(&mut self, rng: &mut Rng) {
        let s = &self.sides[1];
        let available = s.m.auction_available;
        let (kind, quantities): (&'static str, Vec<u64>) = match rng.below(5) {
            0 => ("buy_back_dust", vec![1]),
            1 => {
                // Each rung buys half of what the rungs before it left.
                let mut left = available;
                let mut rungs = Vec::new();
                for _ in 0..2 + rng.below(3) {
                    let q = left.div_ceil(2).max(1);
                    rungs.push(q);
                    left = left.saturating_sub(q);
                }
                ("buy_back_ladder", rungs)
            }
            2 if rng.below(3) == 0 => ("buy_back", vec![available + 1]),
            _ => ("buy_back", vec![1 + rng.below(available.max(1))]),
        };
        let now = self.env.clock().await.unix_timestamp;
        let price = s.m.auction.as_ref().expect("auction").price(now);
        let max_price = if rng.below(8) == 0 {
            price.saturating_sub(1)
        } else {
            u64::MAX
        };
        let (b, dn, rev) = (self.buyer.0.insecure_clone(), self.buyer.1, self.buyer.2);
        let ixs: Vec<Instruction> = quantities
            .iter()
            .map(|q| ix::buy_back(&s.d.keys, &self.p.dn, b.pubkey(), dn, rev, *q, max_price))
            .collect();
        match s.m.buy_outcome(&quantities, max_price, now, self.paused) {
            Err(c) => self.refuse(&ixs, &[&b], c).await,
            Ok(predicted) => {
                let before = (self.env.balance(dn).await, self.env.balance(rev).await);
                self.env.ok(&ixs, &[&b]).await;
                let after = (self.env.balance(dn).await, self.env.balance(rev).await);
                let m = &mut self.sides[1].m;
                let bought = m.apply_buy(&quantities, now);
                assert_eq!(bought, predicted, "{}: purchases", self.ctx);
                let cost: u64 = bought.iter().map(|b| b.1).sum();
                let got: u64 = quantities.iter().map(|q| m.arrives(*q)).sum();
                if bought.iter().any(|b| b.2 > 0) {
                    self.ok_count("bought_offset_stock");
                }
                assert_eq!(
                    (before.0 - after.0, after.1 - before.1),
                    (cost, got),
                    "{}: DN paid and revenue received by the buyer",
                    self.ctx
                );
                self.ok_count(kind);
            }
        }
    }

    async fn change_settings(&mut self, k: usize, rng: &mut Rng) {
        let fee = rng.below(3_300) as u16;
        let s = &self.sides[k];
        let settings = deepnode::state::DomainSettings {
            fee_bps: fee,
            ..engine_settings(k)
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
            self.refuse(&[ix], &[&kp], anchor_code::NOT_INITIALIZED)
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
        // §9: the principal waits for the unbonding, the earnings only for their epochs.
        let unbonded = epoch >= t.withdrawable;
        let credits = ready && !t.credited;
        let expected = if (unbonded && t.principal > 0) || credits {
            None
        } else if unbonded {
            Some(code(E::TicketRewardsUnsettled))
        } else {
            Some(code(E::StakeStillUnbonding))
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
        let done = (credits || t.credited) && (unbonded || t.principal == 0);
        assert_eq!(
            closed, done,
            "{}: a ticket closes once paid and credited",
            self.ctx
        );
        self.sides[k].m.withdraw(i, t.epoch, ready, unbonded);
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
            self.refuse(&[ix], &[&kp], code(E::NothingToClaim)).await;
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

    /// A staker registers as a validator; when the set is full it names one to displace
    /// (§7: the weakest, or now and then another), and sometimes names one when the set
    /// is not full (refused).
    async fn register(&mut self, k: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        // Mostly a staker that is not registered.
        let outside: Vec<usize> = (0..3)
            .filter(|i| !s.m.stakers[*i].validator_active)
            .collect();
        let i = if outside.is_empty() || rng.below(4) == 0 {
            rng.below(3) as usize
        } else {
            outside[rng.below(outside.len() as u64) as usize]
        };
        let kp = s.stakers[i].kp.insecure_clone();
        let full = s.m.validators_active() >= MAX_VALIDATORS;
        let displaced = if (full && rng.below(6) > 0) || (!full && rng.below(2) == 0) {
            let active: Vec<usize> = (0..3)
                .filter(|d| *d != i && s.m.stakers[*d].validator_active)
                .collect();
            let weakest = active
                .iter()
                .copied()
                .min_by_key(|d| (s.m.stakers[*d].next_stake(), *d));
            // Never itself: the runtime refuses the same position twice.
            match weakest {
                Some(d) if rng.below(4) > 0 => Some(d),
                _ => Some((i + 1 + rng.below(2) as usize) % 3),
            }
        } else {
            None
        };
        let ix = ix::register_validator_displacing(
            kp.pubkey(),
            s.d.keys.domain,
            displaced.map(|d| s.stakers[d].key()),
        );
        let expected = match displaced {
            // The displaced validator's account must exist before anything is checked.
            Some(d) if s.m.stakers[d].validator.is_none() => Err(anchor_code::NOT_INITIALIZED),
            _ => {
                s.m.register_outcome(i, displaced, MAX_VALIDATORS, self.paused)
            }
        };
        self.expect(&[ix], &[&kp], expected.err()).await;
        if expected.is_ok() {
            self.sides[k].m.register(i, displaced);
            self.ok_count(if displaced.is_some() {
                "register_displacing"
            } else {
                "register_validator"
            });
        }
    }

    /// A validator (mostly one voting now) attests a batch for some miners: new
    /// attestations and revisions (mostly of ones that exist, sometimes of none), zero
    /// units for the idle miner.
    async fn attest(&mut self, k: usize, rng: &mut Rng) {
        let i = self.voter(k, rng);
        let s = &self.sides[k];
        let domain = s.d.keys.domain;
        // The lines in the program's order: by miner PDA.
        let mut miners: Vec<usize> = (0..MINERS).filter(|_| rng.below(2) == 0).collect();
        if miners.is_empty() {
            miners.push(rng.below(MINERS as u64) as usize);
        }
        miners.sort_by_key(|j| pda::miner(&domain, &s.miners[*j].pubkey()));
        let mut lines = Vec::new();
        let mut attestations = Vec::new();
        for j in miners {
            let units = random_units(j, rng);
            let revise = if s.m.has_vote(i, j) {
                rng.below(2) == 0
            } else {
                rng.below(6) == 0
            };
            lines.push((j, units, revise));
            attestations.push(Attestation {
                miner: s.miners[j].pubkey(),
                units,
                revise,
            });
        }
        let kp = s.stakers[i].kp.insecure_clone();
        let ix = ix::attest(kp.pubkey(), domain, s.m.epoch, &attestations);
        match s.m.attest_outcome(i, &lines, self.paused) {
            Ok(votes) => {
                self.env.ok(&[ix], &[&kp]).await;
                for (j, vote) in votes {
                    self.sides[k].m.record_vote(j, vote);
                }
                for (_, units, revise) in &lines {
                    let kind = match (revise, units) {
                        (_, 0) => "attest_zero",
                        (true, _) => "attest_revise",
                        (false, _) => "attest_new",
                    };
                    self.ok_count(kind);
                }
            }
            Err(code) => self.refuse(&[ix], &[&kp], code).await,
        }
        for (j, _, _) in lines {
            self.check_record(k, j).await;
        }
    }

    /// A staker to vote: mostly one voting in side `k`'s open epoch, sometimes any.
    fn voter(&self, k: usize, rng: &mut Rng) -> usize {
        let m = &self.sides[k].m;
        let voting: Vec<usize> = (0..3).filter(|i| m.votes_now(*i)).collect();
        if voting.is_empty() || rng.below(5) == 0 {
            rng.below(3) as usize
        } else {
            voting[rng.below(voting.len() as u64) as usize]
        }
    }

    /// A validator (mostly one of the registered) commits to batches of attestations
    /// for the open epoch (§7): one to three miners, cut into batches of one or two
    /// lines; committing again replaces the commitment.
    async fn commit(&mut self, k: usize, rng: &mut Rng) {
        // Half the time every validator voting now commits (a round), else one.
        let m = &self.sides[k].m;
        let voting: Vec<usize> = (0..3).filter(|i| m.votes_now(*i)).collect();
        if !voting.is_empty() && rng.below(2) == 0 {
            for i in voting {
                self.commit_one(k, i, rng).await;
            }
        } else {
            let i = self.voter(k, rng);
            self.commit_one(k, i, rng).await;
        }
    }

    /// Staker `i` commits a random batch set for side `k`'s open epoch.
    async fn commit_one(&mut self, k: usize, i: usize, rng: &mut Rng) {
        let s = &self.sides[k];
        let epoch = s.m.epoch;
        let kp = s.stakers[i].kp.insecure_clone();
        let mut lines = Vec::new();
        for j in 0..MINERS {
            if rng.below(3) > 0 {
                lines.push(Attestation {
                    miner: s.miners[j].pubkey(),
                    units: random_units(j, rng),
                    revise: false,
                });
            }
        }
        if lines.is_empty() {
            lines.push(Attestation {
                miner: s.miners[0].pubkey(),
                units: random_units(0, rng),
                revise: false,
            });
        }
        let per_batch = 1 + rng.below(2) as usize;
        let mut seed = rng.next();
        let batches = Batches::new(
            s.d.keys.domain,
            kp.pubkey(),
            epoch,
            &lines,
            per_batch,
            || {
                seed = seed.rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15;
                let mut salt = [0u8; 32];
                salt[..8].copy_from_slice(&seed.to_le_bytes());
                salt
            },
        );
        let (root, n) = batches.commitment();
        let ix = ix::commit_attestations(kp.pubkey(), s.d.keys.domain, epoch, root, n);
        let now = self.env.clock().await.unix_timestamp;
        match s.m.commit_outcome(i, now, self.paused) {
            Err(c) => self.refuse(&[ix], &[&kp], c).await,
            Ok(()) => {
                self.env.ok(&[ix], &[&kp]).await;
                // The model's batches: each line's miner index and units, in the
                // batches' order.
                let index_of = |miner: &Pubkey| {
                    (0..MINERS)
                        .find(|j| pda::miner(&s.d.keys.domain, &s.miners[*j].pubkey()) == *miner)
                        .expect("one of the side's miners")
                };
                let model: Vec<model::Batch> = batches
                    .lines
                    .iter()
                    .map(|b| b.iter().map(|(m, u)| (index_of(m), *u)).collect())
                    .collect();
                self.sides[k].m.commitments.insert((i, epoch), model);
                self.batches.insert((k, i, epoch), batches);
                self.ok_count("commit");
            }
        }
    }

    /// The keeper reveals one committed batch (mostly of the open epoch, sometimes of a
    /// closed one: late), now and then with one line's units changed (a mismatch).
    async fn reveal(&mut self, k: usize, rng: &mut Rng) {
        let open = self.sides[k].m.epoch;
        // In a fixed order before the generator picks: a sequence never depends on a
        // hash map's order.
        let mut all: Vec<(usize, usize, u64)> = self.batches.keys().copied().collect();
        all.sort_unstable();
        let keys: Vec<(usize, usize, u64)> = all
            .into_iter()
            .filter(|(side, _, e)| *side == k && (*e == open || rng.below(4) == 0))
            .collect();
        if keys.is_empty() {
            return;
        }
        let (_, i, e) = keys[rng.below(keys.len() as u64) as usize];
        let count = self.batches[&(k, i, e)].lines.len();
        let b = rng.below(count as u64) as usize;
        let wrong = rng.below(4) == 0;
        self.send_reveal(k, i, e, b, wrong, "reveal").await;
    }

    /// The keeper reveals batch `b` of staker `i`'s commitment for epoch `e` of side `k`
    /// (with one line's units changed when `wrong`), as the model predicts; counts a
    /// success as `kind`.
    async fn send_reveal(
        &mut self,
        k: usize,
        i: usize,
        e: u64,
        b: usize,
        wrong: bool,
        kind: &'static str,
    ) {
        let mut r = self.batches[&(k, i, e)].reveals().swap_remove(b);
        if wrong {
            r.lines[0].1 ^= 1;
        }
        let s = &self.sides[k];
        let keeper = self.keeper.insecure_clone();
        let ix =
            ix::reveal_attestations(keeper.pubkey(), s.d.keys.domain, s.stakers[i].key(), e, &r);
        let now = self.env.clock().await.unix_timestamp;
        let units: Vec<u64> = r.lines.iter().map(|(_, u)| *u).collect();
        match s.m.reveal_outcome(i, e, b, &units, now, self.paused) {
            Err(c) => self.refuse(&[ix], &[&keeper], c).await,
            Ok(votes) => {
                self.env.ok(&[ix], &[&keeper]).await;
                for (j, vote) in &votes {
                    self.sides[k].m.record_vote(*j, (None, *vote));
                }
                for (j, _) in votes {
                    self.check_record(k, j).await;
                }
                self.ok_count(kind);
            }
        }
    }

    /// A validator deregisters itself, or the keeper tries (allowed only below the
    /// minimum stake).
    async fn deregister(&mut self, k: usize, rng: &mut Rng) {
        let i = rng.below(3) as usize;
        let by_itself = rng.below(4) > 0;
        let s = &self.sides[k];
        let signer = if by_itself {
            s.stakers[i].kp.insecure_clone()
        } else {
            self.keeper.insecure_clone()
        };
        let ix = ix::deregister_validator(signer.pubkey(), s.d.keys.domain, s.stakers[i].key());
        match s.m.deregister_outcome(i, by_itself) {
            Err(c) => self.refuse(&[ix], &[&signer], c).await,
            Ok(()) => {
                self.env.ok(&[ix], &[&signer]).await;
                self.sides[k].m.leave(i);
                self.ok_count("deregister_validator");
            }
        }
    }

    /// Governance changes the bounds that closed epochs record (keeper tip, global cap,
    /// its period, the guard's window): an epoch closed before settles with the values
    /// it recorded (§5, §13).
    async fn change_bounds(&mut self, rng: &mut Rng) {
        let mut b = self.bounds;
        match rng.below(4) {
            0 => b.keeper_tip_max = [0, 1_000, 3_000_000][rng.below(3) as usize],
            1 => {
                b.global_cap_per_period =
                    [1_000_000_000_000, 40_000_000, 2_000_000][rng.below(3) as usize]
            }
            2 => b.period_secs = [86_400, 3_600, 7 * 86_400][rng.below(3) as usize],
            _ => b.guard_price_epochs = [1, 2, 3, 16][rng.below(4) as usize],
        }
        let gov = self.p.gov.insecure_clone();
        self.env
            .ok(&[ix::update_bounds(gov.pubkey(), b)], &[&gov])
            .await;
        self.bounds = b;
        self.ok_count("update_bounds");
    }

    /// The open epoch's record of miner `j` on chain holds exactly the model's
    /// attestations.
    async fn check_record(&mut self, k: usize, j: usize) {
        let s = &self.sides[k];
        let miner = s.miners[j].pubkey();
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

    /// Closes side `k`'s open epoch; on a commit-reveal domain whose epoch has not ended,
    /// first moves the clock to its end (reveals go in between, §7).
    async fn close(&mut self, k: usize) {
        let now = self.env.clock().await.unix_timestamp;
        let end = self.sides[k].m.end_ts();
        if self.sides[k].m.commit_reveal && now < end {
            self.env.advance(end - now).await;
            self.ok_count("reach_end");
            // The keeper reveals every batch committed for the epoch, as it does for the
            // validators whose files it holds (each predicted: some are refused).
            let open = self.sides[k].m.epoch;
            let mut pending: Vec<(usize, usize)> = self
                .batches
                .iter()
                .filter(|((side, _, e), _)| *side == k && *e == open)
                .flat_map(|((_, i, _), b)| (0..b.lines.len()).map(move |n| (*i, n)))
                .collect();
            pending.sort_unstable();
            for (i, b) in pending {
                self.send_reveal(k, i, open, b, false, "reveal_by_keeper")
                    .await;
            }
            return;
        }
        self.close_now(k).await;
    }

    /// Closes side `k`'s open epoch (the clock moves to its close time if before it);
    /// the closed epoch records governance's values (§5, §13).
    async fn close_now(&mut self, k: usize) {
        self.ok_count("close_epoch");
        let b = &self.bounds;
        let closed_with = model::ClosedWith {
            tip_max: b.keeper_tip_max,
            cap: b.global_cap_per_period,
            period_secs: b.period_secs,
            window: b.guard_price_epochs,
            reference: self.sides[k].m.auction.as_ref().map_or(0, |a| a.reference),
        };
        let side = &mut self.sides[k];
        self.env.close_epoch(&mut side.d).await;
        let now = self.env.clock().await.unix_timestamp;
        let closed = side.m.epoch;
        side.m.open_next(now, closed_with);
        let on_chain: Epoch = self.env.get(pda::epoch(&side.d.keys.domain, closed)).await;
        let c = on_chain.closed_with;
        assert_eq!(
            (
                c.keeper_tip_max,
                c.global_cap_per_period,
                c.period_secs,
                c.guard_price_epochs,
                c.reference_price_e9
            ),
            (
                closed_with.tip_max,
                closed_with.cap,
                closed_with.period_secs,
                closed_with.window,
                closed_with.reference
            ),
            "{}: what the closed epoch recorded",
            self.ctx
        );
        let side = &self.sides[k];
        // The new epoch's snapshot: the queued fee and the validator stake W_e.
        let opened = side.m.epoch;
        let epoch: Epoch = self.env.get(pda::epoch(&side.d.keys.domain, opened)).await;
        assert_eq!(
            (
                epoch.settings.fee_bps,
                epoch.validator_stake,
                epoch.active_stake,
                epoch.end_ts
            ),
            (
                side.m.fee_bps,
                side.m.validator_stake(),
                side.m.active_stake(opened),
                side.m.end_ts()
            ),
            "{}: the opened epoch's fee, W_e, active stake and end",
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
            (rng.below(s.m.epoch + 1), rng.below(MINERS as u64) as usize)
        } else {
            waiting[rng.below(waiting.len() as u64) as usize]
        };
        self.finalise_at(k, e, j).await;
    }

    /// Finalises miner `j`'s record of epoch `e` of side `k`, as the model predicts.
    async fn finalise_at(&mut self, k: usize, e: u64, j: usize) {
        let s = &self.sides[k];
        let record = pda::work_record(&pda::miner(&s.d.keys.domain, &s.miners[j].pubkey()), e);
        let payer = self.env.payer();
        let ix = ix::finalise_work(payer.pubkey(), s.d.keys.domain, e, &[record]);
        match s.m.finalise_outcome(e, j) {
            Err(c) => self.refuse(&[ix], &[], c).await,
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
    async fn fund_reward_vault(&mut self, k: usize, rng: &mut Rng) {
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
        self.fund_reward_vault_at(k, e, shards).await;
    }

    /// Collects the pool shares of `shards` of epoch `e` of side `k`, as predicted.
    async fn fund_reward_vault_at(&mut self, k: usize, e: u64, shards: Vec<usize>) {
        let s = &self.sides[k];
        let wanted: Vec<u8> = shards.iter().map(|x| *x as u8).collect();
        let payer = self.env.payer();
        let ix = ix::fund_reward_vault(payer.pubkey(), &s.d.keys, e, &wanted);
        match s.m.fund_reward_vault_outcome(e, &shards) {
            Err(c) => self.refuse(&[ix], &[], c).await,
            Ok(received) => {
                let vault = pda::stake_reward_vault(&s.d.keys.domain);
                let before = self.env.balance(vault).await;
                self.env.ok(&[ix], &[]).await;
                let got = self.env.balance(vault).await - before;
                assert_eq!(got, received, "{}: pool shares received", self.ctx);
                self.sides[k]
                    .m
                    .apply_fund_reward_vault(e, &shards, received);
                self.ok_count("fund_reward_vault");
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
        self.settle_at(k, e).await;
    }

    /// A keeper's pass over side `k`'s next epoch to settle, once it is closed: every
    /// record that waits finalised, the shards' pools collected, the epoch settled (each
    /// step predicted by the model).
    async fn crank_pass(&mut self, k: usize) {
        let e = self.sides[k].m.settled_next;
        if self.sides[k].m.books[&e].status != Status::Closed {
            return;
        }
        for j in self.sides[k].m.to_finalise(e) {
            self.finalise_at(k, e, j).await;
        }
        let book = &self.sides[k].m.books[&e];
        let shards: Vec<usize> = (0..2).filter(|s| !book.collected[*s]).collect();
        if !shards.is_empty() {
            self.fund_reward_vault_at(k, e, shards).await;
        }
        self.settle_at(k, e).await;
    }

    /// Settles epoch `e` of side `k`, as predicted.
    async fn settle_at(&mut self, k: usize, e: u64) {
        let s = &self.sides[k];
        let keys = self.env.settle_keys(&s.d, e).await;
        let keeper = self.keeper.insecure_clone();
        let ix = ix::settle_epoch(keeper.pubkey(), &s.d.keys, &self.p.dn, keys);
        match s.m.settle_outcome(e, &self.periods) {
            Err(c) => self.refuse(&[ix], &[&keeper], c).await,
            Ok(predicted) => {
                let ev: EpochSettled = self.env.ok_event(&[ix], &[&keeper]).await;
                let book: EpochBook = self.env.get(pda::epoch_book(&s.d.keys.domain, e)).await;
                let c = book.settlement;
                assert_eq!(
                    (
                        c.clearing_e9,
                        c.clearing_counted,
                        c.guard_price_e9,
                        c.value_guard.map(|g| g.cap),
                        ev.offset_stock,
                        ev.from_reserve
                    ),
                    (
                        predicted.clearing_e9,
                        predicted.counted,
                        predicted.guard_price,
                        predicted.value_cap,
                        predicted.offset,
                        predicted.from_reserve
                    ),
                    "{}: epoch {e}'s clearing price, guard price and value cap",
                    self.ctx
                );
                *self.periods.entry(predicted.period).or_default() += predicted.minted;
                if predicted.from_reserve > 0 {
                    self.ok_count("paid_from_reserve");
                }
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
            0 | 1 => model::Line::Miner(rng.below(MINERS as u64) as usize),
            2 => model::Line::Validator(rng.below(3) as usize),
            3 => model::Line::ModelOwner(rng.below(3) as usize),
            4 => model::Line::DomainOwner,
            _ => model::Line::Foundation,
        };
        let predicted = s.m.credit_outcome(e, line);
        let sdk_line = self.credit_line(k, e, line).await;
        let keeper = self.keeper.insecure_clone();
        let domain = self.sides[k].d.keys.domain;
        let ix = ix::credit_payouts(keeper.pubkey(), domain, e, &[sdk_line]);
        match predicted {
            Err(c) => self.refuse(&[ix], &[&keeper], c).await,
            Ok(outcome) => {
                let ev: PayoutsCredited = self.env.ok_event(&[ix], &[&keeper]).await;
                assert_eq!(
                    (ev.lines[0].dn, ev.lines[0].rev),
                    (outcome.1, outcome.2),
                    "{}: credit of {line:?} in epoch {e}",
                    self.ctx
                );
                self.sides[k].m.apply_credit(e, line, outcome);
                self.ok_count("credit_payouts");
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
                0 => Recipient::Miner(rng.below(MINERS as u64) as usize),
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
        let line = ClaimLine {
            recipient,
            dn_account,
            revenue_account: rev_account,
        };
        let ix = ix::claim_rewards(signer.pubkey(), &s.d.keys, &self.p.dn, &[line]);
        let pushed = signer.pubkey() != recipient;
        match predicted {
            // A push of an empty balance pays nothing and keeps nothing: it succeeds.
            Err(c) if !(pushed && c == code(E::NothingToClaim)) => {
                self.refuse(&[ix], &[&signer], c).await
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
                self.ok_count("claim_rewards");
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
            Err(c) => self.refuse(&[ix], &[], c).await,
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
            // §13's inputs: the purchases made while it was open, the stock it added and
            // the stock the previous one added.
            assert_eq!(
                (
                    book.bought_dn,
                    book.bought_quantity,
                    book.stock_added,
                    book.previous_stock
                ),
                (
                    model.bought_dn,
                    model.bought_q,
                    model.stock_added,
                    model.previous_stock
                ),
                "{}: epoch {e} purchases and stock",
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
            // §14: what the roles are paid is minted or comes out of the offset reserve.
            let pools: u64 = c.dn_pools.iter().sum();
            assert_eq!(
                c.minted + c.from_reserve,
                pools + c.tip,
                "{}: invariant 3",
                self.ctx
            );
            assert_eq!(
                c.withheld + c.minted + c.from_reserve,
                c.budget,
                "{}: invariant 3",
                self.ctx
            );
            for r in 0..6 {
                assert!(c.dn_credited[r] <= c.dn_pools[r] && c.rev_credited[r] <= c.rev_pools[r]);
            }
            let settings = engine_settings(k);
            if book.total_verified > 0 {
                // Below the floor only under §13's value cap or the global cap's room.
                let lowest = [Some(settings.floor), m.value_cap, Some(m.room)]
                    .into_iter()
                    .flatten()
                    .min()
                    .expect("the floor");
                assert!(
                    c.budget >= lowest && c.budget <= settings.ceiling,
                    "{}: invariant 4",
                    self.ctx
                );
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
                let a = s.m.auction.as_ref().expect("auction");
                assert_eq!(
                    (
                        auction.start_price_e9,
                        auction.start_ts,
                        auction.guard_price_e9,
                        auction.offset_available,
                        auction.reserve_in - auction.reserve_out
                    ),
                    (
                        a.start_e9,
                        a.start_ts,
                        a.guard,
                        a.offset_available,
                        a.reserve
                    ),
                    "{}: the auction's curve, guard price, offset stock and reserve",
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

/// Units a validator attests for miner `j`: always 0 for the idle last miner (§7: zero
/// votes agree with nothing), otherwise mostly up to 999, sometimes 0, sometimes above
/// the maximum (refused).
fn random_units(j: usize, rng: &mut Rng) -> u64 {
    if j == MINERS - 1 || rng.below(8) == 0 {
        0
    } else if rng.below(20) == 0 {
        deepnode::constants::MAX_ATTESTED_UNITS + 1
    } else {
        rng.below(1_000)
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
    let sequences = env_u64("DEEPNODE_SEQUENCES", 8);
    let ops = env_u64("DEEPNODE_SEQUENCE_OPS", 250);
    let start = std::time::Instant::now();
    let mut total: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut refused: BTreeMap<u32, u32> = BTreeMap::new();
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
        for (c, n) in e.refused {
            *refused.entry(c).or_default() += n;
        }
    }
    if let Some(path) = trace_path {
        std::fs::write(&path, trace.join("\n") + "\n").expect("write the trace");
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{sequences} sequences x {ops} operations in {secs:.1} s ({:.0} operations a minute); successes: {total:?}; refusals by code: {refused:?}",
        (sequences * ops) as f64 * 60.0 / secs
    );
    // Every kind of operation must have succeeded at least once.
    for kind in [
        "pay",
        "batch",
        "claim_model_revenue",
        "withdraw_fees",
        "fund_auction",
        "buy_back",
        "update_domain_settings",
        "set_paused",
        "stake",
        "request_unstake",
        "withdraw_stake",
        "claim_stake_rewards",
        "register_validator",
        "register_displacing",
        "deregister_validator",
        "attest_new",
        "attest_revise",
        "attest_zero",
        "commit",
        "reach_end",
        "reveal",
        "reveal_by_keeper",
        "buy_back_dust",
        "buy_back_ladder",
        "update_bounds",
        "bought_offset_stock",
        "paid_from_reserve",
        "close_epoch",
        "finalise_work",
        "fund_reward_vault",
        "settle_epoch",
        "credit_payouts",
        "claim_rewards",
        "sweep_epoch",
        "advance",
    ] {
        assert!(
            total.get(kind).copied().unwrap_or(0) > 0,
            "operation {kind} never succeeded"
        );
    }
    // Every refusal the consensus rules add was predicted at least once.
    for e in [
        E::StakeNotAboveDisplaced,
        E::ValidatorCapReached,
        E::ValidatorStillEligible,
        E::DisplacementNotNeeded,
        E::CommitRevealRequired,
        E::CommitRevealOff,
        E::CommitAfterEnd,
        E::RevealBeforeEnd,
        E::RevealAfterClose,
        E::RevealMismatch,
        E::ValidatorNotRegistered,
        E::QuantityAboveBalance,
        E::PriceAboveLimit,
    ] {
        assert!(
            refused.get(&code(e)).copied().unwrap_or(0) > 0,
            "refusal {e:?} never predicted"
        );
    }
}
