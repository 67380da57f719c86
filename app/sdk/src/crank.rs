//! What the epoch crank has left to do, planned from decoded program state: which epochs
//! are due to close, which records to finalise, which shards to collect, which epochs to
//! settle, credit, sweep, and which accounts to close. The keeper fires these; the tests
//! check them against the program. Pure: no cluster access.
use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use deepnode::state::*;
use deepnode_math::{claim_window_open, close_time, DOMAIN_OWNER_ROLE, FOUNDATION_ROLE};

use crate::accounts::{read_account, ProgramAccount};
use crate::ix::CreditLine;
use crate::pda;

/// Every program account, decoded and indexed for planning.
#[derive(Default)]
pub struct Snapshot {
    /// The protocol's configuration, once initialised.
    pub config: Option<Config>,
    /// Domains by key.
    pub domains: BTreeMap<Pubkey, Domain>,
    /// Epochs by (domain, index).
    pub epochs: BTreeMap<(Pubkey, u64), Epoch>,
    /// Epoch books by (domain, index).
    pub books: BTreeMap<(Pubkey, u64), EpochBook>,
    /// Shard counters by (domain, epoch): (key, counter).
    pub shards: BTreeMap<(Pubkey, u64), Vec<(Pubkey, EpochShard)>>,
    /// Work records by key.
    pub records: BTreeMap<Pubkey, WorkRecord>,
    /// Miners per domain.
    pub miners: BTreeMap<Pubkey, Vec<Miner>>,
    /// Validators per domain.
    pub validators: BTreeMap<Pubkey, Vec<Validator>>,
    /// Models by key.
    pub models: BTreeMap<Pubkey, Model>,
    /// Model epoch records by (domain, epoch): (key, record).
    pub model_epochs: BTreeMap<(Pubkey, u64), Vec<(Pubkey, ModelEpoch)>>,
    /// Commit-reveal commitments by (domain, epoch): (key, commitment).
    pub commitments: BTreeMap<(Pubkey, u64), Vec<(Pubkey, Commitment)>>,
}

impl Snapshot {
    /// Indexes `accounts` (key, data) of the program; accounts of no program type are
    /// ignored, an account that carries a type's discriminator but does not decode is
    /// an error naming it.
    pub fn from_accounts<'a>(
        accounts: impl IntoIterator<Item = (Pubkey, &'a [u8])>,
    ) -> Result<Self, (Pubkey, String)> {
        let mut s = Snapshot::default();
        for (key, data) in accounts {
            let Some(decoded) = read_account(data) else {
                continue;
            };
            match decoded.map_err(|e| (key, e.to_string()))? {
                ProgramAccount::Config(c) => s.config = Some(c),
                ProgramAccount::Domain(d) => {
                    s.domains.insert(key, d);
                }
                ProgramAccount::Epoch(e) => {
                    s.epochs.insert((e.domain, e.index), e);
                }
                ProgramAccount::EpochBook(b) => {
                    s.books.insert((b.domain, b.epoch), b);
                }
                ProgramAccount::EpochShard(c) => {
                    s.shards
                        .entry((c.domain, c.epoch))
                        .or_default()
                        .push((key, c));
                }
                ProgramAccount::WorkRecord(r) => {
                    s.records.insert(key, r);
                }
                ProgramAccount::Miner(m) => s.miners.entry(m.domain).or_default().push(m),
                ProgramAccount::Validator(v) => s.validators.entry(v.domain).or_default().push(v),
                ProgramAccount::Model(m) => {
                    s.models.insert(key, m);
                }
                ProgramAccount::ModelEpoch(m) => {
                    s.model_epochs
                        .entry((m.domain, m.epoch))
                        .or_default()
                        .push((key, m));
                }
                ProgramAccount::Commitment(c) => {
                    s.commitments
                        .entry((c.domain, c.epoch))
                        .or_default()
                        .push((key, c));
                }
                _ => {}
            }
        }
        for list in s.shards.values_mut() {
            list.sort_by_key(|(_, c)| c.shard);
        }
        for list in s.model_epochs.values_mut() {
            list.sort_by_key(|(k, _)| *k);
        }
        for list in s.commitments.values_mut() {
            list.sort_by_key(|(k, _)| *k);
        }
        Ok(s)
    }

    /// Whether the open epoch of `domain` may be closed at `now` (its end plus its grace
    /// window has passed: `deepnode_math::close_time`, as the program checks it).
    pub fn close_due(&self, domain: &Pubkey, now: i64) -> bool {
        let Some(d) = self.domains.get(domain) else {
            return false;
        };
        d.is_ready()
            && self
                .epochs
                .get(&(*domain, d.current_epoch))
                .is_some_and(|e| {
                    e.status == EpochStatus::Open
                        && close_time(e.end_ts, e.settings.close_grace_secs)
                            .is_ok_and(|at| now >= at)
                })
    }

    /// The work records of `epoch` in `domain`: (miner authority, record key, record),
    /// in record key order.
    pub fn work_records(&self, domain: &Pubkey, epoch: u64) -> Vec<(Pubkey, Pubkey, &WorkRecord)> {
        let mut out: Vec<_> = self
            .miners
            .get(domain)
            .into_iter()
            .flatten()
            .filter_map(|m| {
                let key = pda::work_record(&pda::miner(domain, &m.authority), epoch);
                self.records.get(&key).map(|r| (m.authority, key, r))
            })
            .collect();
        out.sort_by_key(|(_, k, _)| *k);
        out
    }

    /// Closed epochs of `domain` not settled yet, oldest first.
    pub fn unsettled(&self, domain: &Pubkey) -> Vec<u64> {
        self.epochs
            .range((*domain, 0)..=(*domain, u64::MAX))
            .filter(|(_, e)| matches!(e.status, EpochStatus::Closed | EpochStatus::Finalised))
            .map(|((_, i), _)| *i)
            .collect()
    }

    /// Settled epochs of `domain`, oldest first.
    pub fn settled(&self, domain: &Pubkey) -> Vec<u64> {
        self.epochs
            .range((*domain, 0)..=(*domain, u64::MAX))
            .filter(|(_, e)| e.status == EpochStatus::Settled)
            .map(|((_, i), _)| *i)
            .collect()
    }

    /// Records of closed `epoch` that reached quorum and are not finalised yet.
    pub fn to_finalise(&self, domain: &Pubkey, epoch: u64) -> Vec<Pubkey> {
        let Some(e) = self.epochs.get(&(*domain, epoch)) else {
            return Vec::new();
        };
        self.work_records(domain, epoch)
            .into_iter()
            .filter(|(_, _, r)| !r.finalised && u16::from(r.count) >= e.settings.quorum)
            .map(|(_, k, _)| k)
            .collect()
    }

    /// Shards of `epoch` whose pool share is not collected yet.
    pub fn shards_to_collect(&self, domain: &Pubkey, epoch: u64) -> Vec<u8> {
        self.shards
            .get(&(*domain, epoch))
            .into_iter()
            .flatten()
            .filter(|(_, c)| !c.collected)
            .map(|(_, c)| c.shard)
            .collect()
    }

    /// Whether settled `epoch` is past its claim window (sweepable; nothing more is
    /// credited): `deepnode_math::claim_window_open`, as the program checks it. A
    /// snapshot reads each account type in its own scan, so another keeper may settle the
    /// epoch between them: a book read before its settlement (no settler recorded, its
    /// window not set) says nothing about the window, and the epoch is not expired.
    pub fn expired(&self, domain: &Pubkey, epoch: u64) -> bool {
        let key = (*domain, epoch);
        match (
            self.domains.get(domain),
            self.epochs.get(&key),
            self.books.get(&key),
        ) {
            (Some(d), Some(e), Some(b))
                if e.status == EpochStatus::Settled
                    && b.settlement.settled_by != Pubkey::default() =>
            {
                claim_window_open(
                    d.current_epoch,
                    b.settlement.window_from,
                    e.settings.claim_window_epochs,
                ) == Ok(false)
            }
            _ => false,
        }
    }

    /// Every credit line of settled `epoch` with something left to pay: each line's
    /// payout is the program's own (`EpochBook::miner_payout` and its siblings), and a line that would pay nothing in both tokens is
    /// left out (the program refuses it). `foundation` is the config's foundation account
    /// and its owner, when known.
    pub fn credit_lines(
        &self,
        domain: &Pubkey,
        epoch: u64,
        foundation: Option<(Pubkey, Pubkey)>,
    ) -> Vec<CreditLine> {
        let (Some(d), Some(book)) = (self.domains.get(domain), self.books.get(&(*domain, epoch)))
        else {
            return Vec::new();
        };
        let s = &book.settlement;
        // Whether a line paying `(dn, revenue)` pays anything.
        let pays = |p: anchor_lang::Result<(u64, u64)>| p.is_ok_and(|(dn, rev)| dn > 0 || rev > 0);
        let mut lines = Vec::new();
        for (authority, _, r) in self.work_records(domain, epoch) {
            if r.finalised && pays(book.miner_payout(r.verified_units)) {
                lines.push(CreditLine::Miner {
                    authority,
                    rent_payer: r.rent_payer,
                });
            }
        }
        for v in self.validators.get(domain).into_iter().flatten() {
            let owed = book.voters.iter().any(|x| {
                x.validator == v.index && !x.credited && pays(book.validator_payout(x.agreeing))
            });
            if owed {
                lines.push(CreditLine::Validator {
                    authority: v.authority,
                });
            }
        }
        for (_, record) in self
            .model_epochs
            .get(&(*domain, epoch))
            .into_iter()
            .flatten()
        {
            let Some(model) = self.models.get(&record.model) else {
                continue;
            };
            if pays(book.model_owner_payout(record.revenue)) {
                lines.push(CreditLine::ModelOwner {
                    model: record.model,
                    owner: model.owner,
                    rent_payer: record.rent_payer,
                });
            }
        }
        if !s.domain_owner_credited && role_paid(s, DOMAIN_OWNER_ROLE) {
            lines.push(CreditLine::DomainOwner { owner: d.owner });
        }
        if let Some((account, owner)) = foundation {
            if !s.foundation_credited && role_paid(s, FOUNDATION_ROLE) {
                lines.push(CreditLine::Foundation { account, owner });
            }
        }
        lines
    }

    /// Accounts of settled `epoch` that nothing needs any more, with their rent payers:
    /// the shard counters and commit-reveal commitments; records below quorum; after the
    /// sweep, every other record and model epoch record left.
    pub fn closable(&self, domain: &Pubkey, epoch: u64) -> Vec<(Pubkey, Pubkey)> {
        let swept = self
            .books
            .get(&(*domain, epoch))
            .is_some_and(|b| b.settlement.swept);
        let mut out: Vec<(Pubkey, Pubkey)> = self
            .shards
            .get(&(*domain, epoch))
            .into_iter()
            .flatten()
            .map(|(k, c)| (*k, c.rent_payer))
            .collect();
        for (key, c) in self
            .commitments
            .get(&(*domain, epoch))
            .into_iter()
            .flatten()
        {
            out.push((*key, c.rent_payer));
        }
        for (_, key, r) in self.work_records(domain, epoch) {
            if !r.finalised || swept {
                out.push((key, r.rent_payer));
            }
        }
        if swept {
            for (key, r) in self
                .model_epochs
                .get(&(*domain, epoch))
                .into_iter()
                .flatten()
            {
                out.push((*key, r.rent_payer));
            }
        }
        out
    }
}

/// Whether `role` has a funded pool (DN or revenue) in settlement `s`: only then has a
/// credit line of that role something to pay.
pub fn role_paid(s: &Settlement, role: usize) -> bool {
    s.dn_pools[role] > 0 || s.rev_pools[role] > 0
}
