//! Helpers shared by this binary's modules.
use deepnode::state::{StakePool, StakePosition, UnstakeTicket};
use deepnode_sdk::ix::{Attestation, StakerKeys, TicketKeys};
use deepnode_tests::fixtures::*;
use deepnode_tests::staking::StakerFx;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// A protocol and one default domain (SPL Token revenue mint, 2 shards).
pub struct World {
    pub env: Env,
    pub p: Protocol,
    pub d: DomainFx,
    /// A model (owner share 0) and a funded consumer, made on the first payment.
    pub shop: Option<(Pubkey, Keypair, Pubkey)>,
}

pub async fn world() -> World {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env.default_domain(&p).await;
    World {
        env,
        p,
        d,
        shop: None,
    }
}

impl World {
    /// A staker holding `dn` DN with an open position.
    pub async fn staker(&mut self, dn: u64) -> StakerFx {
        self.env.staker(&self.p, &self.d, dn).await
    }

    /// The staker's SDK keys (current change epoch).
    pub async fn keys(&mut self, s: &StakerFx) -> StakerKeys {
        self.env.staker_keys(&self.d, s).await
    }

    pub async fn stake_ix(&mut self, s: &StakerFx, amount: u64) -> Instruction {
        let k = self.keys(s).await;
        ix::stake(self.d.keys.domain, &self.p.dn, &k, amount)
    }

    /// Requests `amount` out in the open epoch (into its ticket).
    pub async fn unstake_ix(&mut self, s: &StakerFx, amount: u64) -> Instruction {
        let k = self.keys(s).await;
        ix::request_unstake(self.d.keys.domain, &k, self.d.keys.epoch, amount)
    }

    /// The ticket of `s`'s request in `epoch`.
    pub async fn ticket(&mut self, s: &StakerFx, epoch: u64) -> UnstakeTicket {
        let position = pda::stake_position(&self.d.keys.domain, &s.key());
        self.env.get(pda::unstake_ticket(&position, epoch)).await
    }

    /// Withdraws the ticket of `s`'s request in `epoch` (reads the ticket's epochs).
    pub async fn withdraw_ix(&mut self, s: &StakerFx, epoch: u64) -> Instruction {
        let k = self.keys(s).await;
        let t = self.ticket(s, epoch).await;
        let keys = TicketKeys {
            epoch: t.epoch,
            pending_epoch: t.pending_epoch,
        };
        ix::withdraw_stake(self.d.keys.domain, &self.p.dn, &k, keys)
    }

    pub async fn claim_ix(&mut self, s: &StakerFx) -> Instruction {
        let k = self.keys(s).await;
        ix::claim_stake_rewards(&self.d.keys, &self.p.dn, &k, s.revenue_account)
    }

    pub async fn position(&mut self, s: &StakerFx) -> StakePosition {
        self.env
            .get(pda::stake_position(&self.d.keys.domain, &s.key()))
            .await
    }

    /// The position of `owner` in this world's domain.
    pub async fn position_of(&mut self, owner: &Pubkey) -> StakePosition {
        self.env
            .get(pda::stake_position(&self.d.keys.domain, owner))
            .await
    }

    pub async fn pool(&mut self) -> StakePool {
        self.env.get(pda::stake_pool(&self.d.keys.domain)).await
    }

    pub async fn close(&mut self) {
        self.env.close_epoch(&mut self.d).await;
    }

    /// Pays `amount` for a model (owner share 0) in the open epoch: its emission-pool
    /// share feeds the epoch's revenue-reward pools, the stakers' among them.
    pub async fn pay(&mut self, amount: u64) {
        if self.shop.is_none() {
            let (model, _) = self.env.model(&self.d, 0).await;
            let (consumer, account) = self.env.consumer(&self.d, 1_000_000_000_000).await;
            self.shop = Some((model, consumer, account));
        }
        let (model, consumer, account) = self.shop.as_ref().expect("shop");
        let (model, consumer, account) = (*model, consumer.insecure_clone(), *account);
        let ix = ix::pay(
            &self.d.keys,
            consumer.pubkey(),
            account,
            model,
            0,
            amount,
            0,
        );
        self.env.ok(&[ix], &[&consumer]).await;
    }

    /// Settles closed epoch `e` with the program's crank (nothing to finalise: these
    /// worlds attest nothing) and returns the stakers' (DN, revenue) pools it funded.
    pub async fn settle(&mut self, e: u64) -> (u64, u64) {
        let keeper = self.env.payer();
        let ev = self.env.settle(&self.p, &self.d, e, &keeper).await;
        (
            ev.dn_pools[deepnode_math::STAKERS_ROLE],
            ev.rev_pools[deepnode_math::STAKERS_ROLE],
        )
    }

    /// `n` validators staked `amount` each, active and registered, voting in the open
    /// epoch (two epochs closed: one activates the stake, one opens their first vote).
    pub async fn validators(&mut self, n: usize, amount: u64) -> Vec<StakerFx> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let s = self.staker(amount).await;
            let ix = self.stake_ix(&s, amount).await;
            self.env.ok(&[ix], &[&s.kp]).await;
            out.push(s);
        }
        self.close().await;
        for s in &out {
            self.env
                .ok(
                    &[ix::register_validator(s.key(), self.d.keys.domain)],
                    &[&s.kp],
                )
                .await;
        }
        self.close().await;
        out
    }

    /// A registered miner.
    pub async fn miner(&mut self) -> Keypair {
        self.env.miner(&self.d).await
    }

    /// One attestation instruction of `v` for the open epoch.
    pub fn attest_ix(&self, v: &StakerFx, lines: &[Attestation]) -> Instruction {
        ix::attest(v.key(), self.d.keys.domain, self.d.keys.epoch, lines)
    }

    /// Invariants 2 and 6 for this world's domain and the given stakers.
    pub async fn check(&mut self, stakers: &[&StakerFx]) {
        let keys: Vec<Pubkey> = stakers.iter().map(|s| s.key()).collect();
        self.env.check_stake(&self.d, &keys).await;
        self.env.check_vaults(&self.d, &[]).await;
        self.env.check_dn_supply(self.p.dn.mint, &[&self.d]).await;
    }
}

/// A new line.
pub fn line(miner: &Keypair, units: u64) -> Attestation {
    Attestation {
        miner: miner.pubkey(),
        units,
        revise: false,
    }
}

/// A revision line.
pub fn revision(miner: &Keypair, units: u64) -> Attestation {
    Attestation {
        miner: miner.pubkey(),
        units,
        revise: true,
    }
}
