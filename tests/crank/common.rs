//! A world for the crank's tests: one protocol, domains with validators, miners, a
//! model and a consumer, and every invariant of PROTOCOL.md §11 checked after each
//! instruction sent through [`World::ok`] or [`World::fails`].
use deepnode::state::{Config, DomainSettings, EmissionPeriod, Epoch, EpochBook, EpochStatus};
use deepnode_sdk::ix::{self, Attestation, ClaimLine};
use deepnode_tests::crank::Participants;
use deepnode_tests::fixtures::*;
use deepnode_tests::staking::StakerFx;
use deepnode_tests::tokens::MintExt;
use deepnode_tests::*;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// One domain of the world with its participants.
pub struct Dom {
    pub d: DomainFx,
    /// Settings every epoch of the domain opens with (invariant 7).
    pub settings: DomainSettings,
    pub validators: Vec<StakerFx>,
    pub miners: Vec<Keypair>,
    /// (model, owner).
    pub models: Vec<(Pubkey, Keypair)>,
    /// A consumer and its revenue account.
    pub consumer: (Keypair, Pubkey),
}

impl Dom {
    pub fn who(&self) -> Participants {
        Participants {
            miners: self.miners.iter().map(|m| m.pubkey()).collect(),
            validators: self.validators.iter().map(|v| v.key()).collect(),
            models: self.models.iter().map(|m| m.0).collect(),
        }
    }
}

/// A buyer of the auction: a funded wallet with DN and a revenue account in domain 0.
pub struct Buyer {
    /// The buyer's wallet.
    pub kp: Keypair,
    /// Its DN account, holding 100,000 DN.
    pub dn: Pubkey,
    /// Its account of domain 0's revenue token.
    pub revenue: Pubkey,
}

impl Buyer {
    /// The purchase of `quantity` of domain 0's stock at `max_price_e9` at most.
    pub fn buy_ix(&self, w: &World, quantity: u64, max_price_e9: u64) -> Instruction {
        ix::buy_back(
            &w.doms[0].d.keys,
            &w.p.dn,
            self.kp.pubkey(),
            self.dn,
            self.revenue,
            quantity,
            max_price_e9,
        )
    }
}

pub struct World {
    pub env: Env,
    pub p: Protocol,
    pub doms: Vec<Dom>,
    pub keeper: Keypair,
}

/// Settings of a test domain: the defaults with `quorum` and the given split.
pub fn settings(quorum: u16) -> DomainSettings {
    DomainSettings {
        quorum,
        ..default_settings()
    }
}

impl World {
    /// A new buyer of domain 0's auction: 1 SOL, 100,000 DN (6 decimals), an empty
    /// revenue account.
    pub async fn buyer(&mut self) -> Buyer {
        let kp = Keypair::new();
        self.env.airdrop(&kp.pubkey(), 1_000_000_000).await;
        let dn = self
            .env
            .dn_account(&self.p, &kp.pubkey(), 100_000_000_000)
            .await;
        let revenue = self
            .env
            .revenue_account(&self.p, &self.doms[0].d, &kp.pubkey(), 0)
            .await;
        Buyer { kp, dn, revenue }
    }

    /// A protocol with an optional max supply and `bounds` (or the defaults), and no
    /// domain yet.
    pub async fn new(max_supply: Option<u64>, bounds: Option<deepnode::state::Bounds>) -> World {
        let mut env = Env::start().await;
        let p = env
            .init_protocol_with(deepnode_tests::tokens::TOKEN, max_supply)
            .await;
        let gov = p.gov.insecure_clone();
        if let Some(b) = bounds {
            env.ok(&[ix::update_bounds(gov.pubkey(), b)], &[&gov]).await;
        }
        let keeper = Keypair::new();
        env.airdrop(&keeper.pubkey(), 10_000_000_000).await;
        World {
            env,
            p,
            doms: Vec::new(),
            keeper,
        }
    }

    /// Adds a domain (revenue mint of `program` with `exts`, or DN when `dn`), with `n`
    /// validators of `stake` each (voting in the open epoch), `m` miners and one model
    /// (owner share 20%). Returns its index. Every epoch closed on the way is settled.
    pub async fn domain(
        &mut self,
        dn: bool,
        program: Pubkey,
        exts: &[MintExt],
        settings: DomainSettings,
        n: usize,
        stake: u64,
        m: usize,
    ) -> usize {
        let mut d = if dn {
            self.env
                .domain_on_mint(
                    &self.p,
                    self.p.dn.mint,
                    program,
                    Keypair::new(),
                    2,
                    settings,
                )
                .await
        } else {
            self.env
                .domain_with(&self.p, program, exts, 2, settings)
                .await
        };
        let validators = self.env.validators(&self.p, &mut d, n, stake).await;
        let mut miners = Vec::new();
        for _ in 0..m {
            miners.push(self.env.miner(&d).await);
        }
        let model = self.env.model(&d, 2_000).await;
        let consumer = Keypair::new();
        self.env.airdrop(&consumer.pubkey(), 1_000_000_000).await;
        let account = self
            .env
            .revenue_account(&self.p, &d, &consumer.pubkey(), 500_000_000_000)
            .await;
        let keeper = self.keeper.insecure_clone();
        self.env.settle_pending(&self.p, &d, &keeper).await;
        self.doms.push(Dom {
            d,
            settings,
            validators,
            miners,
            models: vec![model],
            consumer: (consumer, account),
        });
        self.doms.len() - 1
    }

    /// Sends and checks every invariant after it.
    pub async fn ok(&mut self, ixs: &[Instruction], signers: &[&Keypair]) {
        self.env.ok(ixs, signers).await;
        self.check().await;
    }

    /// Sends, expects exactly `code`, and checks the invariants (nothing changed).
    pub async fn fails(&mut self, ixs: &[Instruction], signers: &[&Keypair], code: u32) {
        self.env.fails_with(ixs, signers, code).await;
        self.check().await;
    }

    /// The consumer of domain `k` pays `amount` for its model through `shard`.
    pub async fn pay(&mut self, k: usize, amount: u64, shard: u8) {
        let dom = &self.doms[k];
        let (c, account) = (dom.consumer.0.insecure_clone(), dom.consumer.1);
        let ix = ix::pay(
            &dom.d.keys,
            c.pubkey(),
            account,
            dom.models[0].0,
            shard,
            amount,
            1,
        );
        self.ok(&[ix], &[&c]).await;
    }

    /// Validator `v` of domain `k` attests `units` for miner `m` in the open epoch.
    pub async fn attest(&mut self, k: usize, v: usize, m: usize, units: u64) {
        let dom = &self.doms[k];
        let line = Attestation {
            miner: dom.miners[m].pubkey(),
            units,
            revise: false,
        };
        let kp = dom.validators[v].kp.insecure_clone();
        let ix = ix::attest(kp.pubkey(), dom.d.keys.domain, dom.d.keys.epoch, &[line]);
        self.ok(&[ix], &[&kp]).await;
    }

    /// Moves the clock past domain `k`'s open epoch and closes it (returns the closed
    /// epoch's index).
    pub async fn close(&mut self, k: usize) -> u64 {
        self.env.close_epoch(&mut self.doms[k].d).await;
        self.check().await;
        self.doms[k].d.keys.epoch - 1
    }

    /// Finalises every quorate record of closed epoch `e` of domain `k` (one call).
    pub async fn finalise(&mut self, k: usize, e: u64) {
        let dom = &self.doms[k];
        let who = dom.who();
        let records: Vec<Pubkey> = self
            .env
            .work_records(&dom.d, e, &who.miners)
            .await
            .into_iter()
            .filter(|(_, _, r)| u16::from(r.count) >= dom.settings.quorum && !r.finalised)
            .map(|(_, k, _)| k)
            .collect();
        if records.is_empty() {
            return;
        }
        let payer = self.env.payer().pubkey();
        let domain = self.doms[k].d.keys.domain;
        self.ok(&[ix::finalise_work(payer, domain, e, &records)], &[])
            .await;
    }

    /// Collects both shards' pools of `e` and settles it as the keeper; returns the
    /// settlement's event.
    pub async fn settle(&mut self, k: usize, e: u64) -> deepnode::events::EpochSettled {
        let keys = self.doms[k].d.keys;
        let payer = self.env.payer().pubkey();
        self.ok(&[ix::fund_reward_vault(payer, &keys, e, &[0, 1])], &[])
            .await;
        let sk = self.env.settle_keys(&self.doms[k].d, e).await;
        let keeper = self.keeper.insecure_clone();
        let settle = ix::settle_epoch(keeper.pubkey(), &keys, &self.p.dn, sk);
        let ev = self.env.ok_event(&[settle], &[&keeper]).await;
        self.check().await;
        ev
    }

    /// Close, finalise and settle domain `k`'s open epoch.
    pub async fn crank(&mut self, k: usize) -> deepnode::events::EpochSettled {
        let e = self.close(k).await;
        self.finalise(k, e).await;
        self.settle(k, e).await
    }

    /// Credits every payout of settled `e` of domain `k`, pushed by the keeper.
    pub async fn credit_all(&mut self, k: usize, e: u64) -> usize {
        let who = self.doms[k].who();
        let lines = self
            .env
            .credit_lines(&self.p, &self.doms[k].d, e, &who)
            .await;
        let keeper = self.keeper.insecure_clone();
        let domain = self.doms[k].d.keys.domain;
        for batch in lines.chunks(deepnode_tests::crank::CREDIT_LINES_PER_TX) {
            self.ok(
                &[ix::credit_payouts(keeper.pubkey(), domain, e, batch)],
                &[&keeper],
            )
            .await;
        }
        lines.len()
    }

    /// `recipient` collects its balance in domain `k` into new token accounts of its
    /// own; returns (DN, revenue) received.
    pub async fn collect(&mut self, k: usize, recipient: &Keypair) -> (u64, u64) {
        let dn_account = self.env.dn_account(&self.p, &recipient.pubkey(), 0).await;
        let d = &self.doms[k].d;
        let rev_account = if d.keys.is_dn {
            dn_account
        } else {
            self.env
                .revenue_account(&self.p, d, &recipient.pubkey(), 0)
                .await
        };
        let line = ClaimLine {
            recipient: recipient.pubkey(),
            dn_account,
            revenue_account: rev_account,
        };
        let keys = self.doms[k].d.keys;
        let ix = ix::claim_rewards(recipient.pubkey(), &keys, &self.p.dn, &[line]);
        self.ok(&[ix], &[recipient]).await;
        let dn = self.env.balance(dn_account).await;
        if dn_account == rev_account {
            return (dn, 0);
        }
        (dn, self.env.balance(rev_account).await)
    }

    /// The book of epoch `e` of domain `k`.
    pub async fn book(&mut self, k: usize, e: u64) -> EpochBook {
        let domain = self.doms[k].d.keys.domain;
        self.env.get(pda::epoch_book(&domain, e)).await
    }

    /// Every invariant of §11 this world can observe, on every domain.
    pub async fn check(&mut self) {
        let config: Config = self.env.get(pda::config()).await;
        let mut domains = Vec::new();
        for k in 0..self.doms.len() {
            let d = &self.doms[k].d;
            let models: Vec<Pubkey> = self.doms[k].models.iter().map(|m| m.0).collect();
            // Invariant 2: shard vaults, stake vault, reward vault cover what they owe.
            self.env.check_vaults(d, &models).await;
            let stakers: Vec<Pubkey> = self.doms[k].validators.iter().map(|v| v.key()).collect();
            self.env.check_stake(d, &stakers).await;
            let domain = d.keys.domain;
            let open = d.keys.epoch;
            let settings = self.doms[k].settings;
            for e in 0..=open {
                let epoch: Epoch = self.env.get(pda::epoch(&domain, e)).await;
                // Invariant 7: no epoch's settings ever change (none is queued here).
                assert_eq!(epoch.settings, settings, "invariant 7, epoch {e}");
                if epoch.status != EpochStatus::Settled {
                    continue;
                }
                let book: EpochBook = self.env.get(pda::epoch_book(&domain, e)).await;
                let s = book.settlement;
                // Invariant 3.
                // Invariant 3, with §14: what the roles are paid is minted or comes out of
                // the offset reserve.
                let pools: u64 = s.dn_pools.iter().sum();
                assert_eq!(
                    s.minted + s.from_reserve,
                    pools + s.tip,
                    "invariant 3: minted + from the reserve == pools"
                );
                assert_eq!(
                    s.withheld + s.minted + s.from_reserve,
                    s.budget,
                    "invariant 3: withheld + minted + from the reserve"
                );
                for r in 0..6 {
                    assert!(
                        s.dn_credited[r] <= s.dn_pools[r] && s.rev_credited[r] <= s.rev_pools[r],
                        "invariant 3: credits within their pool"
                    );
                }
                // Invariant 4: within [floor, ceiling] with work (unless a cap bound it).
                if book.total_verified == 0 {
                    assert_eq!(s.budget, 0, "invariant 4: no work, no budget");
                } else {
                    assert!(s.budget <= settings.ceiling, "invariant 4: ceiling");
                }
                // The cap and period in force when the epoch closed (§5).
                let closed = epoch.closed_with;
                let period_index = epoch.end_ts as u64 / u64::from(closed.period_secs);
                let period: EmissionPeriod = self.env.get(pda::period(period_index)).await;
                assert!(
                    period.minted <= closed.global_cap_per_period,
                    "invariant 4: the global cap"
                );
            }
            domains.push(k);
        }
        if let Some(max) = config.max_supply {
            let supply = self.env.supply(self.p.dn.mint).await;
            assert!(supply <= max, "invariant 4: max supply");
        }
        // Invariant 6 over every domain.
        let ds: Vec<&DomainFx> = self.doms.iter().map(|d| &d.d).collect();
        self.env.check_dn_supply(self.p.dn.mint, &ds).await;
    }
}
