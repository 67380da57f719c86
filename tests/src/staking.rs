//! Staking and verified-work helpers: stakers with DN, validators and miners, epoch
//! closing.
use deepnode::state::{Domain, Epoch, StakePool, StakePosition};
use deepnode_runtime::keys::keypair;
use deepnode_sdk::ix::{self, StakerKeys};
use deepnode_sdk::pda;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

use crate::fixtures::{DomainFx, Protocol};
use crate::Env;

/// A staker of one domain with a DN account and an open position.
pub struct StakerFx {
    /// The staker's key.
    pub kp: Keypair,
    /// Its DN token account.
    pub dn_account: Pubkey,
    /// Its revenue-mint token account (for reward claims).
    pub revenue_account: Pubkey,
}

impl StakerFx {
    /// The staker's key.
    pub fn key(&self) -> Pubkey {
        self.kp.pubkey()
    }
}

impl Env {
    /// A new key holding `dn` DN (from the DN holder), with an open position in `d`.
    pub async fn staker(&mut self, p: &Protocol, d: &DomainFx, dn: u64) -> StakerFx {
        let kp = keypair();
        self.airdrop(&kp.pubkey(), 1_000_000_000).await;
        let dn_account = self.create_token_account(&kp.pubkey(), &p.dn.mint).await;
        if dn > 0 {
            let holder = p.dn_holder.insecure_clone();
            self.transfer(
                &p.dn.mint,
                &p.dn_holder_account,
                &dn_account,
                &holder,
                dn,
                p.dn_decimals,
            )
            .await;
        }
        let revenue_account = self
            .create_token_account(&kp.pubkey(), &d.keys.revenue_mint)
            .await;
        self.ok(
            &[ix::open_stake_position(kp.pubkey(), d.keys.domain)],
            &[&kp],
        )
        .await;
        StakerFx {
            kp,
            dn_account,
            revenue_account,
        }
    }

    /// The staker's keys as the SDK wants them (reads the position's change epoch).
    pub async fn staker_keys(&mut self, d: &DomainFx, s: &StakerFx) -> StakerKeys {
        let position: StakePosition = self
            .get(pda::stake_position(&d.keys.domain, &s.key()))
            .await;
        StakerKeys {
            owner: s.key(),
            owner_dn: s.dn_account,
            change_epoch: position.change_epoch,
        }
    }

    /// Stakes `amount` for `s`.
    pub async fn stake(&mut self, p: &Protocol, d: &DomainFx, s: &StakerFx, amount: u64) {
        let keys = self.staker_keys(d, s).await;
        self.ok(&[ix::stake(d.keys.domain, &p.dn, &keys, amount)], &[&s.kp])
            .await;
    }

    /// A staker with `amount` staked and active, registered as a validator of `d` and
    /// voting in the open epoch (two epochs closed: one activates the stake, the next
    /// opens the first epoch the validator votes in).
    pub async fn validator(&mut self, p: &Protocol, d: &mut DomainFx, amount: u64) -> StakerFx {
        let s = self.staker(p, d, amount).await;
        self.stake(p, d, &s, amount).await;
        self.close_epoch(d).await;
        self.ok(&[ix::register_validator(s.key(), d.keys.domain)], &[&s.kp])
            .await;
        self.close_epoch(d).await;
        s
    }

    /// `n` stakers with `amount` staked each, registered as validators of `d` and voting
    /// in the open epoch (two epochs closed, as for [`Env::validator`]).
    pub async fn validators(
        &mut self,
        p: &Protocol,
        d: &mut DomainFx,
        n: usize,
        amount: u64,
    ) -> Vec<StakerFx> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let s = self.staker(p, d, amount).await;
            self.stake(p, d, &s, amount).await;
            out.push(s);
        }
        self.close_epoch(d).await;
        for s in &out {
            self.ok(&[ix::register_validator(s.key(), d.keys.domain)], &[&s.kp])
                .await;
        }
        self.close_epoch(d).await;
        out
    }

    /// A registered miner of `d`.
    pub async fn miner(&mut self, d: &DomainFx) -> Keypair {
        let kp = keypair();
        self.airdrop(&kp.pubkey(), 1_000_000_000).await;
        self.ok(&[ix::register_miner(kp.pubkey(), d.keys.domain)], &[&kp])
            .await;
        kp
    }

    /// Moves the clock past the open epoch's end and grace window, closes it and
    /// updates `d`'s open epoch.
    pub async fn close_epoch(&mut self, d: &mut DomainFx) {
        let epoch: Epoch = self.get(pda::epoch(&d.keys.domain, d.keys.epoch)).await;
        let now = self.clock().await.unix_timestamp;
        let due = epoch.closes_at().expect("close time");
        if now < due {
            self.advance(due - now).await;
        }
        let domain: Domain = self.get(d.keys.domain).await;
        let payer = self.payer();
        let ix = ix::close_epoch(payer.pubkey(), &d.keys, domain.shards_ready);
        self.ok(&[ix], &[]).await;
        d.keys.epoch += 1;
    }

    /// Invariant 2 for the stake vault and the reward vault of `d`, and the pool's
    /// totals against the positions of `stakers`: principal adds up, and every position's
    /// unclaimed rewards fit in what the pool still owes.
    pub async fn check_stake(&mut self, d: &DomainFx, stakers: &[Pubkey]) {
        let pool: StakePool = self.get(pda::stake_pool(&d.keys.domain)).await;
        let stake_vault = self.balance(pda::stake_vault(&d.keys.domain)).await;
        let reward_vault = self.balance(pda::stake_reward_vault(&d.keys.domain)).await;
        // The stake vault holds principal, the stakers' unclaimed DN rewards and the DN
        // owed to the other roles (settled pools not yet credited or swept, credited
        // balances not yet collected); the reward vault likewise for revenue tokens.
        let dn_rewards = pool.dn_funded.wrapping_sub(pool.dn_claimed);
        assert!(
            stake_vault >= pool.total_staked + dn_rewards + pool.dn_roles_owed,
            "invariant 2: stake vault {stake_vault} < staked {} + rewards {dn_rewards} + roles {}",
            pool.total_staked,
            pool.dn_roles_owed
        );
        let rev_rewards = pool.rev_funded.wrapping_sub(pool.rev_claimed);
        assert!(
            reward_vault >= rev_rewards + pool.rev_roles_owed,
            "invariant 2: reward vault {reward_vault} < rewards {rev_rewards} + roles {}",
            pool.rev_roles_owed
        );
        let (mut principal, mut dn_owed, mut rev_owed) = (0u64, 0u64, 0u64);
        let mut validator_stake = 0u64;
        for owner in stakers {
            let key = pda::stake_position(&d.keys.domain, owner);
            if self.account(key).await.is_none() {
                continue;
            }
            let position: StakePosition = self.get(key).await;
            principal += position.principal().expect("principal");
            if position.validator {
                validator_stake += position.weight + position.pending;
            }
            dn_owed += position.dn_owed;
            rev_owed += position.rev_owed;
        }
        assert_eq!(principal, pool.total_staked, "principal adds up");
        assert_eq!(
            validator_stake, pool.validator_stake_next,
            "the next epoch's validator stake is the sum of its validators' stake"
        );
        assert!(dn_owed <= dn_rewards && rev_owed <= rev_rewards);
    }
}
