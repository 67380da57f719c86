//! Stateful random sequences on the real program: payments, batches, claims, fee
//! withdrawals, buyback collections and purchases, settings changes and clock moves in
//! random order, with invariants 1, 2 and 6 and the conservation of the revenue token
//! (every unit ever minted is in exactly one known account) checked after every
//! instruction. Deterministic seeds; DEEPNODE_SEQUENCES raises the count.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::{BatchSettled, PaymentRouted};
use deepnode::state::Auction;
use deepnode_sdk::ix::Line;
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::{TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Seq {
    w: World,
    models: Vec<(Pubkey, Keypair, Pubkey)>,
    consumers: Vec<(Keypair, Pubkey)>,
    processor: (Keypair, Pubkey),
    fee_dest: Pubkey,
    buyer: (Keypair, Pubkey, Pubkey),
    revenue_accounts: Vec<Pubkey>,
    minted: u64,
}

impl Seq {
    async fn new(program: Pubkey) -> Seq {
        let mut w = world_with(program, &[]).await;
        let gov = w.p.gov.insecure_clone();
        let payer = w.env.payer();
        let domain = w.d.keys.domain;
        w.env
            .ok(
                &[ix::set_auction_params(
                    payer.pubkey(),
                    gov.pubkey(),
                    domain,
                    600,
                    1_000_000,
                    3_000_000_000,
                )],
                &[&gov],
            )
            .await;
        let mut revenue_accounts = vec![w.consumer_token];
        let first_owner = w.model_owner.insecure_clone();
        let first_dest = w.revenue_account(&first_owner.pubkey()).await;
        let mut models = vec![(w.model, first_owner, first_dest)];
        for x in [0u16, 5_000] {
            let (m, owner) = w.env.model(&w.d, x).await;
            let dest = w.revenue_account(&owner.pubkey()).await;
            models.push((m, owner, dest));
        }
        revenue_accounts.extend(models.iter().map(|m| m.2));
        let (c2, c2_token) = w.env.consumer(&w.d, 1_000_000_000).await;
        revenue_accounts.push(c2_token);
        let consumers = vec![
            (w.consumer.insecure_clone(), w.consumer_token),
            (c2, c2_token),
        ];
        let fee = w.d.fee_authority.insecure_clone();
        let authority = w.d.mint_authority.insecure_clone();
        let mint = w.d.keys.revenue_mint;
        let proc_token = w
            .env
            .funded_account(&fee.pubkey(), &mint, &authority, 1_000_000_000)
            .await;
        let fee_dest = w.revenue_account(&fee.pubkey()).await;
        revenue_accounts.extend([proc_token, fee_dest]);
        let buyer = Keypair::new();
        let holder = w.p.dn_holder.insecure_clone();
        let dn_mint = w.p.dn.mint;
        let buyer_dn = w.env.create_token_account(&buyer.pubkey(), &dn_mint).await;
        let from = w.p.dn_holder_account;
        w.env
            .transfer(&dn_mint, &from, &buyer_dn, &holder, 100_000_000_000, 6)
            .await;
        let buyer_rev = w.revenue_account(&buyer.pubkey()).await;
        revenue_accounts.push(buyer_rev);
        for s in 0..w.d.shards {
            revenue_accounts.push(pda::vault(&domain, s));
        }
        revenue_accounts.push(pda::buyback_vault(&domain));
        Seq {
            w,
            models,
            consumers,
            processor: (fee, proc_token),
            fee_dest,
            buyer: (buyer, buyer_dn, buyer_rev),
            revenue_accounts,
            minted: 3_000_000_000,
        }
    }

    async fn check(&mut self) {
        let models: Vec<Pubkey> = self.models.iter().map(|m| m.0).collect();
        self.w.env.check_vaults(&self.w.d, &models).await;
        self.w
            .env
            .check_dn_supply(self.w.p.dn.mint, &[&self.w.d])
            .await;
        let mut total = 0u64;
        for a in self.revenue_accounts.clone() {
            total += self.w.env.balance(a).await;
        }
        assert_eq!(
            total, self.minted,
            "every revenue unit is in a known account"
        );
        assert_eq!(
            self.w.env.supply(self.w.d.keys.revenue_mint).await,
            self.minted
        );
    }

    /// Sends `ix`; succeeds or fails with one of `allowed` (each is a legitimate outcome).
    async fn attempt(
        &mut self,
        ix: solana_sdk::instruction::Instruction,
        signers: &[&Keypair],
        allowed: &[E],
    ) -> bool {
        match self.w.env.send(&[ix], signers).await {
            Ok(()) => true,
            Err(e) => {
                let c = custom_code(&e);
                assert!(
                    allowed.iter().any(|a| Some(code(*a)) == c),
                    "unexpected failure {e:?}"
                );
                false
            }
        }
    }

    async fn step(&mut self, rng: &mut Rng) {
        let keys = self.w.d.keys;
        match rng.below(9) {
            0 | 1 => {
                let (c, t) = &self.consumers[rng.below(2) as usize];
                let (c, t) = (c.insecure_clone(), *t);
                let m = self.models[rng.below(3) as usize].0;
                let amount = 100 + rng.below(5_000_000);
                let ix = ix::pay(
                    &keys,
                    c.pubkey(),
                    t,
                    m,
                    rng.below(2) as u8,
                    amount,
                    rng.below(10),
                );
                let ev: PaymentRouted = self.w.env.ok_event(&[ix], &[&c]).await;
                deepnode_tests::invariants::check_line(&ev.line);
                assert_eq!(ev.line.received, amount);
            }
            2 => {
                let n = 1 + rng.below(5) as usize;
                let lines: Vec<Line> = (0..n)
                    .map(|_| Line {
                        model: self.models[rng.below(3) as usize].0,
                        amount: 100 + rng.below(1_000_000),
                        usage_units: 1,
                    })
                    .collect();
                let (p, t) = (self.processor.0.insecure_clone(), self.processor.1);
                let ix = ix::settle_batch(&keys, p.pubkey(), t, rng.below(2) as u8, &lines);
                let ev: BatchSettled = self.w.env.ok_event(&[ix], &[&p]).await;
                for l in &ev.lines {
                    deepnode_tests::invariants::check_line(l);
                }
            }
            3 => {
                let i = rng.below(3) as usize;
                let (m, owner, dest) = (
                    self.models[i].0,
                    self.models[i].1.insecure_clone(),
                    self.models[i].2,
                );
                let ix =
                    ix::claim_model_revenue(&keys, owner.pubkey(), m, dest, rng.below(2) as u8);
                self.attempt(ix, &[&owner], &[E::NothingToClaim]).await;
            }
            4 => {
                let fee = self.processor.0.insecure_clone();
                let ix = ix::withdraw_fees(&keys, fee.pubkey(), self.fee_dest, rng.below(2) as u8);
                self.attempt(ix, &[&fee], &[E::NothingToWithdraw]).await;
            }
            5 => {
                let ix = ix::collect_buyback(&keys, rng.below(2) as u8);
                self.attempt(ix, &[], &[E::NothingToCollect]).await;
            }
            6 => {
                let auction: Auction = self.w.env.get(pda::auction(&keys.domain)).await;
                let q = 1 + rng.below(auction.available.max(1));
                let (b, dn, rev) = (self.buyer.0.insecure_clone(), self.buyer.1, self.buyer.2);
                let dn_keys = self.w.p.dn;
                let ix = ix::buy_back(&keys, &dn_keys, b.pubkey(), dn, rev, q, u64::MAX);
                self.attempt(ix, &[&b], &[E::BuybackVaultEmpty]).await;
            }
            7 => {
                self.w.env.advance(1 + rng.below(900) as i64).await;
            }
            _ => {
                let mut s = default_settings();
                s.fee_bps = rng.below(2_001) as u16;
                let owner = self.w.d.owner.insecure_clone();
                let ix = ix::update_domain_settings(owner.pubkey(), keys.domain, s);
                // x = 5000 was minted: a fee above 4900 must be refused.
                self.attempt(ix, &[&owner], &[E::FeeConflictsWithMintedModel])
                    .await;
            }
        }
        self.check().await;
    }
}

#[tokio::test]
async fn random_sequences_keep_every_invariant() {
    let sequences: u64 = std::env::var("DEEPNODE_SEQUENCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let ops = 50;
    for seed in 0..sequences {
        let program = if seed % 2 == 0 { TOKEN } else { TOKEN_2022 };
        let mut seq = Seq::new(program).await;
        seq.check().await;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (seed + 1));
        for _ in 0..ops {
            seq.step(&mut rng).await;
        }
    }
}
