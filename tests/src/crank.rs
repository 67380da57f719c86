//! The epoch crank driven the way a keeper drives it: finalise every quorate record,
//! settle, credit every payout, collect, sweep expired epochs, close what nothing needs.
//! The runtime cannot list accounts, so callers name the epoch's miners and models.
use deepnode::constants::MAX_FINALISE_RECORDS;
use deepnode::events::EpochSettled;
use deepnode::state::{
    Domain, Epoch, EpochBook, EpochStatus, Model, ModelEpoch, Validator, WorkRecord,
};
use deepnode_sdk::crank::role_paid;
use deepnode_sdk::ix::{self, ClaimLine, CreditLine, SettleKeys};
use deepnode_sdk::pda;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

use crate::fixtures::{DomainFx, Protocol};
use crate::Env;

/// Credit lines per legacy transaction the harness sends: five lines of four accounts
/// fit a legacy transaction whatever their roles (the compute benchmark measures the
/// most).
pub const CREDIT_LINES_PER_TX: usize = 5;

/// Who may have something to claim in an epoch of a domain.
#[derive(Clone, Debug, Default)]
pub struct Participants {
    /// Miners' keys.
    pub miners: Vec<Pubkey>,
    /// Validators' keys.
    pub validators: Vec<Pubkey>,
    /// Models.
    pub models: Vec<Pubkey>,
}

impl Env {
    /// The work records of `miners` (their keys) in `epoch` that exist:
    /// (miner, record address, record).
    pub async fn work_records(
        &mut self,
        d: &DomainFx,
        epoch: u64,
        miners: &[Pubkey],
    ) -> Vec<(Pubkey, Pubkey, WorkRecord)> {
        let mut out = Vec::new();
        for m in miners {
            let key = pda::work_record(&pda::miner(&d.keys.domain, m), epoch);
            if self.account(key).await.is_some() {
                let record: WorkRecord = self.get(key).await;
                out.push((*m, key, record));
            }
        }
        out
    }

    /// Finalises every record of `miners` in closed epoch `epoch` that reached quorum
    /// and is not finalised yet, in full batches; returns how many.
    pub async fn finalise_all(&mut self, d: &DomainFx, epoch: u64, miners: &[Pubkey]) -> usize {
        let state: Epoch = self.get(pda::epoch(&d.keys.domain, epoch)).await;
        let quorum = usize::from(state.settings.quorum);
        let pending: Vec<Pubkey> = self
            .work_records(d, epoch, miners)
            .await
            .into_iter()
            .filter(|(_, _, r)| !r.finalised && usize::from(r.count) >= quorum)
            .map(|(_, k, _)| k)
            .collect();
        let payer = self.payer().pubkey();
        for batch in pending.chunks(MAX_FINALISE_RECORDS) {
            let ix = ix::finalise_work(payer, d.keys.domain, epoch, batch);
            self.ok(&[ix], &[]).await;
        }
        pending.len()
    }

    /// The settle keys of `epoch` (its cap period).
    pub async fn settle_keys(&mut self, d: &DomainFx, epoch: u64) -> SettleKeys {
        let state: Epoch = self.get(pda::epoch(&d.keys.domain, epoch)).await;
        // An epoch still open has no period yet (tests of refusals settle one): any
        // period will do, the program refuses the open epoch first.
        SettleKeys::of(&state).unwrap_or(SettleKeys { epoch, period: 0 })
    }

    /// Moves the pool shares of every shard of closed `epoch` not collected yet into the
    /// reward vault (up to 8 shards a transaction).
    pub async fn collect_all_pools(&mut self, d: &DomainFx, epoch: u64) {
        let mut pending = Vec::new();
        for shard in 0..d.shards {
            let counter: deepnode::state::EpochShard = self
                .get(pda::epoch_shard(&d.keys.domain, epoch, shard))
                .await;
            if !counter.collected {
                pending.push(shard);
            }
        }
        let payer = self.payer().pubkey();
        for batch in pending.chunks(8) {
            let ix = ix::fund_reward_vault(payer, &d.keys, epoch, batch);
            self.ok(&[ix], &[]).await;
        }
    }

    /// Collects every shard's pool share of `epoch`, settles it as `keeper` and returns
    /// the settlement's event.
    pub async fn settle(
        &mut self,
        p: &Protocol,
        d: &DomainFx,
        epoch: u64,
        keeper: &Keypair,
    ) -> EpochSettled {
        self.collect_all_pools(d, epoch).await;
        let k = self.settle_keys(d, epoch).await;
        let ix = ix::settle_epoch(keeper.pubkey(), &d.keys, &p.dn, k);
        self.ok_event(&[ix], &[keeper]).await
    }

    /// Closes the open epoch of `d` (clock moved past its end), finalises it and settles
    /// it as `keeper`.
    pub async fn crank(
        &mut self,
        p: &Protocol,
        d: &mut DomainFx,
        miners: &[Pubkey],
        keeper: &Keypair,
    ) -> EpochSettled {
        self.close_epoch(d).await;
        let closed = d.keys.epoch - 1;
        self.finalise_all(d, closed, miners).await;
        self.settle(p, d, closed, keeper).await
    }

    /// Settles every closed epoch of `d` that is not settled yet, in order (nothing to
    /// finalise: callers whose epochs had attestations use [`Env::crank`]).
    pub async fn settle_pending(&mut self, p: &Protocol, d: &DomainFx, keeper: &Keypair) {
        let domain: Domain = self.get(d.keys.domain).await;
        for e in 0..domain.current_epoch {
            let state: Epoch = self.get(pda::epoch(&d.keys.domain, e)).await;
            if state.status != EpochStatus::Settled {
                self.settle(p, d, e, keeper).await;
            }
        }
    }

    /// Every credit line that has something to pay in settled `epoch`.
    pub async fn credit_lines(
        &mut self,
        p: &Protocol,
        d: &DomainFx,
        epoch: u64,
        who: &Participants,
    ) -> Vec<CreditLine> {
        let state: EpochBook = self.get(pda::epoch_book(&d.keys.domain, epoch)).await;
        let s = state.settlement;
        let mut lines = Vec::new();
        for (authority, _, r) in self.work_records(d, epoch, &who.miners).await {
            if r.finalised && r.verified_units > 0 && role_paid(&s, deepnode_math::MINERS_ROLE) {
                lines.push(CreditLine::Miner {
                    authority,
                    rent_payer: r.rent_payer,
                });
            }
        }
        for v in &who.validators {
            let validator: Validator = self.get(pda::validator(&d.keys.domain, v)).await;
            let scored = state
                .voters
                .iter()
                .any(|x| x.agreeing > 0 && x.validator == validator.index && !x.credited);
            if scored && role_paid(&s, deepnode_math::VALIDATORS_ROLE) {
                lines.push(CreditLine::Validator { authority: *v });
            }
        }
        for m in &who.models {
            let key = pda::model_epoch(m, epoch);
            if self.account(key).await.is_none() {
                continue;
            }
            let record: ModelEpoch = self.get(key).await;
            let model: Model = self.get(*m).await;
            if role_paid(&s, deepnode_math::MODEL_OWNERS_ROLE) {
                lines.push(CreditLine::ModelOwner {
                    model: *m,
                    owner: model.owner,
                    rent_payer: record.rent_payer,
                });
            }
        }
        if !s.domain_owner_credited && role_paid(&s, deepnode_math::DOMAIN_OWNER_ROLE) {
            lines.push(CreditLine::DomainOwner {
                owner: d.owner.pubkey(),
            });
        }
        if !s.foundation_credited && role_paid(&s, deepnode_math::FOUNDATION_ROLE) {
            let owner = self.token_owner(p.foundation).await;
            lines.push(CreditLine::Foundation {
                account: p.foundation,
                owner,
            });
        }
        lines
    }

    /// Credits every payout of settled `epoch` in full batches (as `caller`).
    pub async fn credit_all(
        &mut self,
        p: &Protocol,
        d: &DomainFx,
        epoch: u64,
        who: &Participants,
        caller: &Keypair,
    ) -> usize {
        let lines = self.credit_lines(p, d, epoch, who).await;
        for batch in lines.chunks(CREDIT_LINES_PER_TX) {
            let ix = ix::credit_payouts(caller.pubkey(), d.keys.domain, epoch, batch);
            self.ok(&[ix], &[caller]).await;
        }
        lines.len()
    }

    /// `recipient` collects its whole balance in `d` into the given accounts.
    pub async fn collect_own(
        &mut self,
        p: &Protocol,
        d: &DomainFx,
        recipient: &Keypair,
        dn_account: Pubkey,
        revenue_account: Pubkey,
    ) {
        let line = ClaimLine {
            recipient: recipient.pubkey(),
            dn_account,
            revenue_account,
        };
        let ix = ix::claim_rewards(recipient.pubkey(), &d.keys, &p.dn, &[line]);
        self.ok(&[ix], &[recipient]).await;
    }

    /// Sweeps settled `epoch` of `d` into the open epoch.
    pub async fn sweep(&mut self, p: &Protocol, d: &DomainFx, epoch: u64) {
        let payer = self.payer().pubkey();
        let ix = ix::sweep_epoch(payer, &d.keys, &p.dn, epoch);
        self.ok(&[ix], &[]).await;
    }

    /// The owner field of a token account.
    pub async fn token_owner(&mut self, account: Pubkey) -> Pubkey {
        let data = self.account(account).await.expect("token account").data;
        deepnode_sdk::tokens::owner(&account, &data).expect("token account")
    }
}
