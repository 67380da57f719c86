//! Claiming everything one user can claim in one domain: the credited balance, matured
//! unstake tickets, staker rewards and the revenue of the models it owns. The CLI's
//! `claim` and the scenario runner both claim through [`plan_claims`] and
//! [`claim_planned`].
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use deepnode::state::{Model, RewardBalance, StakePosition, UnstakeTicket};
use solana_sdk::signature::{Keypair, Signature};

use crate::cluster::{read, Cluster, ClusterError, NOTHING_YET};
use crate::ix::{self, ClaimLine, DnKeys, DomainKeys, StakerKeys, TicketKeys};
use crate::pda;

/// What one claim was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimKind {
    /// The credited balance (miner, validator, domain owner, foundation payouts).
    Balance,
    /// An unstake ticket: its rewards credited to the position, its principal withdrawn
    /// once unbonded.
    Unstake {
        /// The ticket's request epoch.
        epoch: u64,
    },
    /// Staker rewards of the position.
    StakerRewards,
    /// A model's owner share, from every shard.
    ModelRevenue {
        /// The model account.
        model: Pubkey,
        /// The model's id.
        id: u64,
    },
}

/// One claim made, with what it paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// What was claimed.
    pub kind: ClaimKind,
    /// DN paid out (for an unstake: principal withdrawn).
    pub dn: u64,
    /// Revenue tokens paid out.
    pub revenue: u64,
    /// The transactions that did it.
    pub signatures: Vec<Signature>,
}

/// Where a user's claims are paid, and instructions each transaction carries first (for
/// instance idempotent creations of those accounts).
#[derive(Clone, Debug)]
pub struct ClaimTo {
    /// The user's DN account: needed when [`ClaimPlan::needs_dn`] says so.
    pub dn: Option<Pubkey>,
    /// The user's revenue-mint account.
    pub revenue: Pubkey,
    /// Instructions put before each claim.
    pub setup: Vec<Instruction>,
}

/// The user, the domain and what to look at: the models to consider (any list; only
/// those in the domain owned by the user with something claimable count) and the request
/// epochs of the user's unstake tickets.
pub struct ClaimScope<'a> {
    /// The domain's keys.
    pub domain: DomainKeys,
    /// The domain's shard count.
    pub shards: u8,
    /// The DN mint and its token program.
    pub dn: DnKeys,
    /// The claiming user (signs every claim).
    pub owner: Pubkey,
    /// Models to consider, decoded.
    pub models: &'a [(Pubkey, Model)],
    /// Request epochs of unstake tickets to consider.
    pub tickets: &'a [u64],
}

/// What a user may claim, read from the cluster: nothing is sent.
#[derive(Clone, Debug, Default)]
pub struct ClaimPlan {
    /// The credited balance, when anything is owed.
    pub balance: Option<RewardBalance>,
    /// The stake position, when there is one (its rewards may still be zero).
    pub position: Option<StakePosition>,
    /// Tickets to withdraw or credit: request epoch and ticket.
    pub tickets: Vec<(u64, UnstakeTicket)>,
    /// Owned models with revenue to claim.
    pub models: Vec<(Pubkey, Model)>,
}

impl ClaimPlan {
    /// Whether there is nothing to try.
    pub fn is_empty(&self) -> bool {
        self.balance.is_none()
            && self.position.is_none()
            && self.tickets.is_empty()
            && self.models.is_empty()
    }

    /// Whether a claim pays DN (the balance, a ticket, staker rewards), so that the user
    /// needs a DN account.
    pub fn needs_dn(&self) -> bool {
        self.balance.is_some() || self.position.is_some()
    }
}

/// Reads what the user of `scope` may claim: the balance when anything is owed, the
/// position, each ticket of `scope.tickets` that is unbonded or still has rewards to
/// credit, each model of `scope.models` in the domain, owned by the user, with revenue.
pub async fn plan_claims(
    c: &mut impl Cluster,
    scope: &ClaimScope<'_>,
) -> Result<ClaimPlan, ClusterError> {
    let domain = scope.domain.domain;
    let owner = scope.owner;
    let balance: Option<RewardBalance> = read(c, &pda::reward(&domain, &owner)).await?;
    let position_key = pda::stake_position(&domain, &owner);
    let position: Option<StakePosition> = read(c, &position_key).await?;
    let mut tickets = Vec::new();
    if position.is_some() {
        for &epoch in scope.tickets {
            let key = pda::unstake_ticket(&position_key, epoch);
            if let Some(t) = read::<UnstakeTicket>(c, &key).await? {
                let unbonded = scope.domain.epoch >= t.withdrawable_epoch;
                if unbonded || !t.rewards_credited {
                    tickets.push((epoch, t));
                }
            }
        }
    }
    let models = scope
        .models
        .iter()
        .filter(|(_, m)| m.domain == domain && m.owner == owner && m.claimable > 0)
        .cloned()
        .collect();
    Ok(ClaimPlan {
        balance: balance.filter(|b| b.dn_owed > 0 || b.rev_owed > 0),
        position,
        tickets,
        models,
    })
}

/// Claims what `plan` lists, in this order: the credited balance, each ticket, staker
/// rewards, each model's revenue from every shard; into `to`, signed by the cluster's
/// payer and `signers` (the owner's keypair when it is not the payer). A claim the program
/// answers with "nothing yet" ([`NOTHING_YET`]) is skipped; any other refusal stops here
/// with its error. Returns the claims that paid or moved something, with their amounts
/// read from the accounts before and after.
pub async fn claim_planned(
    c: &mut impl Cluster,
    scope: &ClaimScope<'_>,
    plan: &ClaimPlan,
    to: &ClaimTo,
    signers: &[&Keypair],
) -> Result<Vec<Claimed>, ClusterError> {
    let domain = scope.domain.domain;
    let owner = scope.owner;
    let mut done = Vec::new();
    let dn_account = match (plan.needs_dn(), to.dn) {
        (false, _) => Pubkey::default(),
        (true, Some(a)) => a,
        (true, None) => {
            return Err(ClusterError::Usage(
                "these claims pay DN: the claimant's DN account is needed".into(),
            ))
        }
    };
    if let Some(b) = &plan.balance {
        let line = ClaimLine {
            recipient: owner,
            dn_account,
            revenue_account: to.revenue,
        };
        let claim = ix::claim_rewards(owner, &scope.domain, &scope.dn, &[line]);
        if let Some(sig) = attempt(c, to, claim, signers).await? {
            done.push(Claimed {
                kind: ClaimKind::Balance,
                dn: b.dn_owed,
                revenue: b.rev_owed,
                signatures: vec![sig],
            });
        }
    }
    if let Some(position) = &plan.position {
        let staker = StakerKeys {
            owner,
            owner_dn: dn_account,
            change_epoch: position.change_epoch,
        };
        let position_key = pda::stake_position(&domain, &owner);
        for (epoch, ticket) in &plan.tickets {
            let t = TicketKeys {
                epoch: *epoch,
                pending_epoch: ticket.pending_epoch,
            };
            let claim = ix::withdraw_stake(domain, &scope.dn, &staker, t);
            if let Some(sig) = attempt(c, to, claim, signers).await? {
                let ticket_key = pda::unstake_ticket(&position_key, *epoch);
                let left = read::<UnstakeTicket>(c, &ticket_key)
                    .await?
                    .map_or(0, |t| t.principal);
                done.push(Claimed {
                    kind: ClaimKind::Unstake { epoch: *epoch },
                    dn: ticket.principal - left,
                    revenue: 0,
                    signatures: vec![sig],
                });
            }
        }
        // Read again: a withdrawal may have credited the position.
        let before: StakePosition = read(c, &position_key)
            .await?
            .unwrap_or_else(|| position.clone());
        let claim = ix::claim_stake_rewards(&scope.domain, &scope.dn, &staker, to.revenue);
        if let Some(sig) = attempt(c, to, claim, signers).await? {
            let after: StakePosition = read(c, &position_key)
                .await?
                .unwrap_or_else(|| before.clone());
            done.push(Claimed {
                kind: ClaimKind::StakerRewards,
                dn: after.dn_claimed - before.dn_claimed,
                revenue: after.rev_claimed - before.rev_claimed,
                signatures: vec![sig],
            });
        }
    }
    for (model, m) in &plan.models {
        let mut signatures = Vec::new();
        for shard in 0..scope.shards {
            let claim = ix::claim_model_revenue(&scope.domain, owner, *model, to.revenue, shard);
            signatures.extend(attempt(c, to, claim, signers).await?);
        }
        if !signatures.is_empty() {
            let after: Model = read(c, model).await?.unwrap_or_else(|| m.clone());
            done.push(Claimed {
                kind: ClaimKind::ModelRevenue {
                    model: *model,
                    id: m.id,
                },
                dn: 0,
                revenue: m.claimable - after.claimable,
                signatures,
            });
        }
    }
    Ok(done)
}

/// Sends `to.setup` then `claim`: its signature, or `None` when the program answers that
/// there is nothing yet.
async fn attempt(
    c: &mut impl Cluster,
    to: &ClaimTo,
    claim: Instruction,
    signers: &[&Keypair],
) -> Result<Option<Signature>, ClusterError> {
    let mut ixs = to.setup.clone();
    ixs.push(claim);
    match c.send(&ixs, signers).await {
        Ok(sig) => Ok(Some(sig)),
        Err(e) if e.is_any(&NOTHING_YET) => Ok(None),
        Err(e) => Err(e),
    }
}
