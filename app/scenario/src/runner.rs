//! Drives a scenario on the in-process runtime: set-up, a genesis boundary per domain,
//! then per epoch the actors' actions, the keeper's crank (close, finalise, settle,
//! credit), everybody's claims, and the keeper's sweeps and closes.
use std::collections::{BTreeMap, BTreeSet};

use deepnode::instructions::InitializeArgs;
use deepnode::state::{
    Auction, Bounds, Domain, DomainSettings, Epoch, EpochBook, Model, RewardBalance, SplitBps,
    StakePool, StakePosition, UnstakeTicket, Validator, VaultShard, WorkRecord,
};
use deepnode_keeper::{Action, Keeper, Options, Outcome};
use deepnode_sdk::cluster::all;
use deepnode_sdk::ix::{self, Attestation, DnKeys, StakerKeys, TicketKeys};
use deepnode_sdk::pda;
use deepnode_tests::cluster::InProcess;
use deepnode_tests::fixtures::{default_bounds, DomainFx, DomainIds, Protocol};
use deepnode_tests::tokens::{MintExt, TOKEN, TOKEN_2022};
use deepnode_tests::{custom_code, Env};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

use crate::report::{EpochReport, FinalReport, GuardReport, Report};
use crate::spec::{DomainSpec, Scenario};
use crate::{EpochDone, ScenarioError};

/// The keeper actor's name.
const KEEPER: &str = "keeper";
/// The foundation actor's name.
const FOUNDATION: &str = "foundation";
/// The DN symbol.
const DN: &str = "DN";
/// One keeper pass (pushing payouts when `push`); any refused step is an error.
async fn keeper_pass(cluster: &mut InProcess, push: bool) -> Result<(), ScenarioError> {
    let mut failed = Vec::new();
    let mut emit = |a: &Action| {
        if let Outcome::Failed { error } = &a.outcome {
            failed.push(format!(
                "{} of epoch {} in domain {}: {error}",
                a.step, a.epoch, a.domain
            ));
        }
    };
    let options = Options {
        push,
        dry_run: false,
        // The in-process bank stays in one slot, so a table's addresses would never
        // become usable here; the keeper's tables are measured by its own tests.
        lookup_tables: false,
    };
    Keeper::pass(cluster, options, &mut emit)
        .await
        .map_err(|e| ScenarioError::Invalid(format!("keeper: {e}")))?;
    match failed.first() {
        Some(first) => Err(ScenarioError::Invalid(format!("keeper: {first}"))),
        None => Ok(()),
    }
}

/// Every reward balance's lifetime credits: (domain, recipient) → (DN, revenue).
async fn credited(
    cluster: &mut InProcess,
) -> Result<BTreeMap<(Pubkey, Pubkey), (u64, u64)>, ScenarioError> {
    let balances = all::<RewardBalance>(cluster)
        .await
        .map_err(|e| ScenarioError::Invalid(format!("reading balances: {e}")))?;
    Ok(balances
        .into_iter()
        .map(|(_, b)| ((b.domain, b.recipient), (b.dn_credited, b.rev_credited)))
        .collect())
}

/// Errors that mean "nothing to do yet" for an actor's claim or withdrawal.
const NOTHING: [deepnode::errors::DeepNodeError; 3] = [
    deepnode::errors::DeepNodeError::NothingToClaim,
    deepnode::errors::DeepNodeError::NothingToWithdraw,
    deepnode::errors::DeepNodeError::TicketRewardsUnsettled,
];

fn program_of(name: &str) -> Result<Pubkey, ScenarioError> {
    match name {
        "token" => Ok(TOKEN),
        "token-2022" => Ok(TOKEN_2022),
        other => Err(ScenarioError::Invalid(format!(
            "token_program must be \"token\" or \"token-2022\", not \"{other}\""
        ))),
    }
}

/// One domain as the runner tracks it.
struct Dom {
    name: String,
    symbol: String,
    fx: DomainFx,
    /// On-chain index of scenario epoch 0.
    base: u64,
    miners: Vec<(String, Pubkey)>,
    validators: Vec<(String, Pubkey)>,
    models: Vec<(String, Pubkey)>,
    stakers: BTreeSet<String>,
    /// Unstake tickets not withdrawn yet: (staker, request epoch).
    tickets: Vec<(String, u64)>,
}

/// The runner's state.
pub(crate) struct Runner {
    env: Env,
    p: Protocol,
    actors: BTreeMap<String, Keypair>,
    /// (actor, symbol) → token account.
    accounts: BTreeMap<(String, String), Pubkey>,
    /// symbol → (mint, token program, mint authority for revenue mints).
    mints: BTreeMap<String, (Pubkey, Pubkey, Option<Keypair>)>,
    names: BTreeMap<Pubkey, String>,
    domains: Vec<Dom>,
    models: BTreeMap<String, (usize, Pubkey)>,
    miners: BTreeMap<String, usize>,
}

impl Runner {
    /// Runs the whole scenario.
    pub(crate) async fn run(
        s: &Scenario,
        progress: &mut dyn FnMut(&EpochDone),
    ) -> Result<Report, ScenarioError> {
        validate(s)?;
        let mut r = Runner::setup(s).await?;
        for dom in 0..r.domains.len() {
            r.genesis(s, dom).await?;
        }
        let mut epochs = Vec::new();
        for (k, spec) in s.epochs.iter().enumerate() {
            r.apply(spec).await?;
            r.pass_time().await;
            let mut reports = r.crank(k as u64).await?;
            for (dom, report) in reports.iter_mut().enumerate() {
                r.claims(dom, report).await;
            }
            epochs.extend(reports);
            let done = EpochDone {
                index: k,
                dn_supply: r.env.supply(r.p.dn.mint).await,
                dn_burned: r.dn_burned().await,
            };
            progress(&done);
        }
        let final_state = r.final_state(s).await;
        Ok(Report {
            epochs,
            final_state,
        })
    }

    async fn setup(s: &Scenario) -> Result<Runner, ScenarioError> {
        let mut env = Env::start().await;
        let dn_program = program_of(&s.dn.token_program)?;
        let temp = Keypair::new();
        let dn_mint = env
            .create_mint(dn_program, s.dn.decimals, &temp.pubkey())
            .await;
        let gov = Keypair::new();
        let mut r = Runner {
            env,
            p: Protocol {
                gov,
                dn: DnKeys {
                    mint: dn_mint,
                    token_program: dn_program,
                },
                dn_decimals: s.dn.decimals,
                dn_holder: Keypair::new(),
                dn_holder_account: Pubkey::default(),
                foundation: Pubkey::default(),
            },
            actors: BTreeMap::new(),
            accounts: BTreeMap::new(),
            mints: BTreeMap::new(),
            names: BTreeMap::new(),
            domains: Vec::new(),
            models: BTreeMap::new(),
            miners: BTreeMap::new(),
        };
        r.mints.insert(DN.into(), (dn_mint, dn_program, None));
        // Every DN balance and validator stake is minted before the hand-over.
        let mut dn_funds: BTreeMap<String, u64> = BTreeMap::new();
        for (actor, wallet) in &s.balances {
            if let Some(v) = wallet.get(DN) {
                *dn_funds.entry(actor.clone()).or_default() += v;
            }
        }
        for v in &s.validators {
            *dn_funds.entry(v.name.clone()).or_default() += v.stake;
        }
        for (actor, amount) in &dn_funds {
            let account = r.account(actor, DN).await;
            r.env.mint_to(&dn_mint, &account, &temp, *amount).await;
        }
        r.p.foundation = r.account(FOUNDATION, DN).await;
        r.account(KEEPER, DN).await;
        r.env
            .set_mint_authority(&dn_mint, &temp, &pda::mint_authority())
            .await;
        let payer = r.env.payer().pubkey();
        let upgrade = r.env.upgrade.insecure_clone();
        let init = ix::initialize(
            payer,
            upgrade.pubkey(),
            dn_mint,
            r.p.foundation,
            dn_program,
            InitializeArgs {
                authority: r.p.gov.pubkey(),
                bounds: bounds_for(s),
                max_supply: s.dn.max_supply,
            },
        );
        r.env.ok(&[init], &[&upgrade]).await;

        for spec in &s.domains {
            r.create_domain(s, spec).await?;
        }
        for m in &s.models {
            let dom = r.domain_index(&m.domain)?;
            let owner = r.actor(&m.owner).await;
            let domain = r.domains[dom].fx.keys.domain;
            let state: Domain = r.env.get(domain).await;
            let ix = ix::mint_model(owner.pubkey(), domain, state.model_count, m.owner_share_bps);
            r.env.ok(&[ix], &[&owner]).await;
            let key = pda::model(&domain, state.model_count);
            r.models.insert(m.name.clone(), (dom, key));
            r.domains[dom].models.push((m.name.clone(), key));
            r.recipient_accounts(&m.owner, dom).await;
        }
        for m in &s.miners {
            let dom = r.domain_index(&m.domain)?;
            let kp = r.actor(&m.name).await;
            let domain = r.domains[dom].fx.keys.domain;
            r.env
                .ok(&[ix::register_miner(kp.pubkey(), domain)], &[&kp])
                .await;
            r.miners.insert(m.name.clone(), dom);
            r.domains[dom].miners.push((m.name.clone(), kp.pubkey()));
            r.recipient_accounts(&m.name, dom).await;
        }
        // Revenue balances (DN ones were minted above).
        for (actor, wallet) in &s.balances {
            for (symbol, amount) in wallet {
                if symbol == DN {
                    continue;
                }
                let (mint, _, authority) =
                    r.mints.get(symbol).ok_or_else(|| ScenarioError::Unknown {
                        kind: "symbol",
                        name: symbol.clone(),
                    })?;
                let (mint, authority) = (*mint, authority.as_ref().map(|k| k.insecure_clone()));
                let account = r.account(actor, symbol).await;
                let authority = authority.expect("revenue mints have an authority");
                r.env.mint_to(&mint, &account, &authority, *amount).await;
            }
        }
        Ok(r)
    }

    async fn create_domain(
        &mut self,
        s: &Scenario,
        spec: &DomainSpec,
    ) -> Result<(), ScenarioError> {
        let symbol = spec.revenue_mint.symbol.clone();
        let (mint, program, authority) = if symbol == DN {
            if spec.revenue_mint.decimals != s.dn.decimals {
                return Err(ScenarioError::Invalid(format!(
                    "domain {}: a DN revenue mint has DN's decimals ({})",
                    spec.name, s.dn.decimals
                )));
            }
            (self.p.dn.mint, self.p.dn.token_program, Keypair::new())
        } else if let Some((mint, program, authority)) = self.mints.get(&symbol) {
            let authority = authority.as_ref().expect("revenue mint").insecure_clone();
            (*mint, *program, authority)
        } else {
            let program = program_of(&spec.revenue_mint.token_program)?;
            let authority = Keypair::new();
            let exts: Vec<MintExt> = match spec.revenue_mint.transfer_fee_bps {
                Some(bps) => vec![MintExt::TransferFee {
                    bps,
                    max: spec.revenue_mint.transfer_fee_max.unwrap_or(u64::MAX),
                }],
                None => Vec::new(),
            };
            let mint = self
                .env
                .create_mint_full(
                    program,
                    spec.revenue_mint.decimals,
                    &authority.pubkey(),
                    None,
                    &exts,
                )
                .await;
            self.mints.insert(
                symbol.clone(),
                (mint, program, Some(authority.insecure_clone())),
            );
            (mint, program, authority)
        };
        let owner = self.actor(&spec.owner).await;
        // The owner is also the domain's fee authority.
        let ids = DomainIds {
            mint,
            program,
            mint_authority: authority,
            fee_authority: owner.insecure_clone(),
            owner,
        };
        let fx = self
            .env
            .domain_owned_by(&self.p, ids, spec.shards, settings_of(spec))
            .await;
        if let Some(a) = spec.auction {
            let payer = self.env.payer().pubkey();
            let ix = ix::set_auction_params(
                payer,
                self.p.gov.pubkey(),
                fx.keys.domain,
                a.duration_secs,
                a.floor_price_e9,
                a.reference_price_e9,
            );
            let gov = self.p.gov.insecure_clone();
            self.env.ok(&[ix], &[&gov]).await;
        }
        self.domains.push(Dom {
            name: spec.name.clone(),
            symbol,
            fx,
            base: 0,
            miners: Vec::new(),
            validators: Vec::new(),
            models: Vec::new(),
            stakers: BTreeSet::new(),
            tickets: Vec::new(),
        });
        let dom = self.domains.len() - 1;
        self.recipient_accounts(&spec.owner, dom).await;
        self.recipient_accounts(KEEPER, dom).await;
        self.recipient_accounts(FOUNDATION, dom).await;
        Ok(())
    }

    /// The genesis boundary of domain `dom`: validators stake in the first epoch and
    /// register in the second, so their stake is active and they vote from scenario
    /// epoch 0. Both genesis epochs are closed and settled (nothing happens in them).
    async fn genesis(&mut self, s: &Scenario, dom: usize) -> Result<(), ScenarioError> {
        let name = self.domains[dom].name.clone();
        let validators: Vec<_> = s.validators.iter().filter(|v| v.domain == name).collect();
        for v in &validators {
            self.stake(&v.name, dom, v.stake).await;
        }
        self.close_and_settle(dom).await;
        for v in &validators {
            let kp = self.actor(&v.name).await;
            let domain = self.domains[dom].fx.keys.domain;
            self.env
                .ok(&[ix::register_validator(kp.pubkey(), domain)], &[&kp])
                .await;
            self.domains[dom]
                .validators
                .push((v.name.clone(), kp.pubkey()));
        }
        self.close_and_settle(dom).await;
        self.domains[dom].base = self.domains[dom].fx.keys.epoch;
        Ok(())
    }

    async fn close_and_settle(&mut self, dom: usize) {
        let keeper = self.actor(KEEPER).await;
        let d = &mut self.domains[dom].fx;
        self.env.close_epoch(d).await;
        let closed = d.keys.epoch - 1;
        self.env
            .settle(&self.p, &self.domains[dom].fx, closed, &keeper)
            .await;
    }

    /// Stakes `amount` of `staker`'s DN in domain `dom` (opening its position first).
    async fn stake(&mut self, staker: &str, dom: usize, amount: u64) {
        let kp = self.actor(staker).await;
        let domain = self.domains[dom].fx.keys.domain;
        let position_key = pda::stake_position(&domain, &kp.pubkey());
        if self.env.account(position_key).await.is_none() {
            self.env
                .ok(&[ix::open_stake_position(kp.pubkey(), domain)], &[&kp])
                .await;
        }
        self.recipient_accounts(staker, dom).await;
        self.domains[dom].stakers.insert(staker.to_string());
        let keys = self.staker_keys(staker, dom).await;
        self.env
            .ok(&[ix::stake(domain, &self.p.dn, &keys, amount)], &[&kp])
            .await;
    }

    async fn staker_keys(&mut self, staker: &str, dom: usize) -> StakerKeys {
        let kp = self.actor(staker).await;
        let domain = self.domains[dom].fx.keys.domain;
        let position: StakePosition = self
            .env
            .get(pda::stake_position(&domain, &kp.pubkey()))
            .await;
        StakerKeys {
            owner: kp.pubkey(),
            owner_dn: self.account(staker, DN).await,
            change_epoch: position.change_epoch,
        }
    }

    /// Applies one epoch's actions in order: stakes, unstakes, payments, attestations.
    async fn apply(&mut self, e: &crate::spec::EpochSpec) -> Result<(), ScenarioError> {
        for st in &e.stakes {
            let dom = self.domain_index(&st.domain)?;
            self.stake(&st.staker, dom, st.amount).await;
        }
        for st in &e.unstakes {
            let dom = self.domain_index(&st.domain)?;
            let kp = self.actor(&st.staker).await;
            let keys = self.staker_keys(&st.staker, dom).await;
            let d = self.domains[dom].fx.keys;
            let ix = ix::request_unstake(d.domain, &keys, d.epoch, st.amount);
            self.env.ok(&[ix], &[&kp]).await;
            let ticket = (st.staker.clone(), d.epoch);
            if !self.domains[dom].tickets.contains(&ticket) {
                self.domains[dom].tickets.push(ticket);
            }
        }
        for pay in &e.payments {
            let (dom, model) =
                *self
                    .models
                    .get(&pay.model)
                    .ok_or_else(|| ScenarioError::Unknown {
                        kind: "model",
                        name: pay.model.clone(),
                    })?;
            let kp = self.actor(&pay.payer).await;
            let symbol = self.domains[dom].symbol.clone();
            let from = self.account(&pay.payer, &symbol).await;
            let d = self.domains[dom].fx.keys;
            let ix = ix::pay(
                &d,
                kp.pubkey(),
                from,
                model,
                pay.shard,
                pay.amount,
                pay.units,
            );
            self.env.ok(&[ix], &[&kp]).await;
        }
        // One attest per validator and domain (in chunks of a legacy transaction's most),
        // its lines sorted by the SDK.
        let mut by_validator: BTreeMap<(String, usize), Vec<Attestation>> = BTreeMap::new();
        for a in &e.attestations {
            let dom = *self
                .miners
                .get(&a.miner)
                .ok_or_else(|| ScenarioError::Unknown {
                    kind: "miner",
                    name: a.miner.clone(),
                })?;
            let miner = self.actor(&a.miner).await.pubkey();
            by_validator
                .entry((a.validator.clone(), dom))
                .or_default()
                .push(Attestation {
                    miner,
                    units: a.units,
                    revise: false,
                });
        }
        for ((validator, dom), lines) in by_validator {
            let kp = self.actor(&validator).await;
            let d = self.domains[dom].fx.keys;
            for chunk in lines.chunks(deepnode_sdk::limits::ATTEST_LINES_LEGACY) {
                let ix = ix::attest(kp.pubkey(), d.domain, d.epoch, chunk);
                self.env.ok(&[ix], &[&kp]).await;
            }
        }
        Ok(())
    }

    /// Moves the clock past every domain's open epoch (and its grace window).
    async fn pass_time(&mut self) {
        let mut due = i64::MIN;
        for dom in &self.domains {
            let epoch: Epoch = self
                .env
                .get(pda::epoch(&dom.fx.keys.domain, dom.fx.keys.epoch))
                .await;
            due = due.max(epoch.end_ts + deepnode::constants::CLOSE_GRACE_SECS);
        }
        let now = self.env.clock().await.unix_timestamp;
        if now < due {
            self.env.advance(due - now).await;
        }
    }

    /// The keeper bot (`deepnode-keeper`'s library, on this runtime as the `keeper`
    /// actor) cranks scenario epoch `k` of every domain: a first pass closes, finalises
    /// and settles it (and sweeps and closes what expired); the report reads the
    /// settlement and the finalised records; a second pass pushes every payout. The
    /// payouts are each balance's credited amounts (the keeper's tip included), after
    /// the second pass minus before the first.
    async fn crank(&mut self, k: u64) -> Result<Vec<EpochReport>, ScenarioError> {
        let keeper = self.actor(KEEPER).await;
        let mut cluster = self.env.cluster(&keeper);
        // The records of each domain's epoch about to close: (miner, record).
        let mut recorded = Vec::new();
        for d in &self.domains {
            let (domain, index) = (d.fx.keys.domain, d.fx.keys.epoch);
            let mut list = Vec::new();
            for (name, key) in &d.miners {
                let record = pda::work_record(&pda::miner(&domain, key), index);
                if self.env.account(record).await.is_some() {
                    list.push((name.clone(), record));
                }
            }
            recorded.push(list);
        }
        // Settling credits the keeper's tip: balances are read before the first pass.
        let before = credited(&mut cluster).await?;
        keeper_pass(&mut cluster, false).await?;
        let mut reports = Vec::new();
        for (dom, records) in recorded.iter().enumerate() {
            let domain = self.domains[dom].fx.keys.domain;
            let state: Domain = self.env.get(domain).await;
            self.domains[dom].fx.keys.epoch = state.current_epoch;
            let index = state.current_epoch - 1;
            let book: EpochBook = self.env.get(pda::epoch_book(&domain, index)).await;
            let s = &book.settlement;
            let mut report = EpochReport {
                domain: self.domains[dom].name.clone(),
                index: k,
                revenue: s.revenue,
                budget: s.budget,
                value_guard: s.value_guard.map(|g| GuardReport {
                    price_e9: g.price_e9,
                    max_value_bps: g.max_value_bps,
                    cap: g.cap,
                }),
                minted: s.minted,
                withheld: s.withheld,
                dn_pools: s.dn_pools.into(),
                rev_pools: s.rev_pools.into(),
                ..EpochReport::default()
            };
            // A record below quorum was closed by the pass: it verified nothing.
            for (name, key) in records {
                let verified = match self.env.account(*key).await {
                    Some(_) => self.env.get::<WorkRecord>(*key).await.verified_units,
                    None => 0,
                };
                report.verified_work.insert(name.clone(), verified);
            }
            for (name, key) in self.domains[dom].validators.clone() {
                let v: Validator = self.env.get(pda::validator(&domain, &key)).await;
                if let Some(score) = book
                    .voters
                    .iter()
                    .find(|s| s.agreeing > 0 && s.validator == v.index)
                {
                    report.agreeing.insert(name, u64::from(score.agreeing));
                }
            }
            reports.push(report);
        }
        keeper_pass(&mut cluster, true).await?;
        let after = credited(&mut cluster).await?;
        for ((domain, recipient), (dn, rev)) in after {
            let (dn0, rev0) = before.get(&(domain, recipient)).copied().unwrap_or((0, 0));
            if (dn, rev) == (dn0, rev0) {
                continue;
            }
            let dom = self
                .domains
                .iter()
                .position(|d| d.fx.keys.domain == domain)
                .expect("a balance of a scenario domain");
            let name = self.names[&recipient].clone();
            let report = &mut reports[dom];
            self.add_payout(report, dom, &name, dn - dn0, rev - rev0);
        }
        Ok(reports)
    }

    fn add_payout(&self, report: &mut EpochReport, dom: usize, actor: &str, dn: u64, rev: u64) {
        let symbol = self.domains[dom].symbol.clone();
        let entry = report.payouts.entry(actor.to_string()).or_default();
        *entry.entry(DN.into()).or_default() += dn;
        *entry.entry(symbol).or_default() += rev;
    }

    /// Everybody claims what is claimable in `dom`: credited balances, staker rewards,
    /// model owners' revenue, matured unstakes.
    async fn claims(&mut self, dom: usize, report: &mut EpochReport) {
        let symbol = self.domains[dom].symbol.clone();
        let fx_keys = self.domains[dom].fx.keys;
        let domain = fx_keys.domain;
        let actors: Vec<String> = self.actors.keys().cloned().collect();
        for name in &actors {
            let kp = self.actor(name).await;
            let balance = pda::reward(&domain, &kp.pubkey());
            if self.env.account(balance).await.is_none() {
                continue;
            }
            let b: deepnode::state::RewardBalance = self.env.get(balance).await;
            if b.dn_owed == 0 && b.rev_owed == 0 {
                continue;
            }
            let dn_account = self.account(name, DN).await;
            let rev_account = self.account(name, &symbol).await;
            let fx = &self.domains[dom].fx;
            self.env
                .collect_own(&self.p, fx, &kp, dn_account, rev_account)
                .await;
        }
        // Matured unstakes are withdrawn (their rewards credited to the position).
        let tickets = self.domains[dom].tickets.clone();
        for (staker, epoch) in tickets {
            let kp = self.actor(&staker).await;
            let position = pda::stake_position(&domain, &kp.pubkey());
            let ticket: UnstakeTicket = self.env.get(pda::unstake_ticket(&position, epoch)).await;
            if fx_keys.epoch < ticket.withdrawable_epoch {
                continue;
            }
            let keys = self.staker_keys(&staker, dom).await;
            let t = TicketKeys {
                epoch,
                pending_epoch: ticket.pending_epoch,
            };
            let ix = ix::withdraw_stake(domain, &self.p.dn, &keys, t);
            if self.try_send(&ix, &kp).await {
                let still = self
                    .env
                    .account(pda::unstake_ticket(&position, epoch))
                    .await
                    .is_some();
                if !still {
                    self.domains[dom]
                        .tickets
                        .retain(|x| x != &(staker.clone(), epoch));
                }
            }
        }
        let stakers: Vec<String> = self.domains[dom].stakers.iter().cloned().collect();
        for staker in stakers {
            let kp = self.actor(&staker).await;
            let position_key = pda::stake_position(&domain, &kp.pubkey());
            let before: StakePosition = self.env.get(position_key).await;
            let keys = self.staker_keys(&staker, dom).await;
            let rev_account = self.account(&staker, &symbol).await;
            let ix = ix::claim_stake_rewards(&fx_keys, &self.p.dn, &keys, rev_account);
            if !self.try_send(&ix, &kp).await {
                continue;
            }
            // What this claim paid: the position's lifetime claims, after minus before.
            let after: StakePosition = self.env.get(position_key).await;
            let dn = after.dn_claimed - before.dn_claimed;
            let rev = after.rev_claimed - before.rev_claimed;
            self.add_payout(report, dom, &staker, dn, rev);
        }
        // Model owners claim their owner share from every shard.
        let models = self.domains[dom].models.clone();
        for (_, model) in models {
            let state: Model = self.env.get(model).await;
            if state.claimable == 0 {
                continue;
            }
            let owner_name = self.names[&state.owner].clone();
            let kp = self.actor(&owner_name).await;
            let to = self.account(&owner_name, &symbol).await;
            for shard in 0..self.domains[dom].fx.shards {
                let ix = ix::claim_model_revenue(&fx_keys, state.owner, model, to, shard);
                self.try_send(&ix, &kp).await;
            }
        }
    }

    /// Sends one instruction signed by `kp`; `false` when it reports nothing to do.
    async fn try_send(&mut self, ix: &solana_sdk::instruction::Instruction, kp: &Keypair) -> bool {
        match self.env.send(std::slice::from_ref(ix), &[kp]).await {
            Ok(()) => true,
            Err(e) if is_nothing(&e) => false,
            Err(e) => panic!("{e:?}{}", deepnode_tests::explain(&e)),
        }
    }

    async fn final_state(&mut self, s: &Scenario) -> FinalReport {
        let mut f = FinalReport {
            dn_supply: self.env.supply(self.p.dn.mint).await,
            dn_burned: self.dn_burned().await,
            ..FinalReport::default()
        };
        for dom in 0..self.domains.len() {
            let domain = self.domains[dom].fx.keys.domain;
            let name = self.domains[dom].name.clone();
            let (mut fees, mut buyback) = (0u64, 0u64);
            for shard in 0..self.domains[dom].fx.shards {
                let ledger: VaultShard = self.env.get(pda::vault_shard(&domain, shard)).await;
                fees += ledger.lifetime_fees;
                buyback += ledger.buyback_owed;
            }
            let vault = pda::buyback_vault(&domain);
            if self.env.account(vault).await.is_some() {
                buyback += self.env.balance(vault).await;
            }
            f.fees.insert(name.clone(), fees);
            f.buyback_vault.insert(name, buyback);
        }
        for m in &s.models {
            let (_, key) = self.models[&m.name];
            let model: Model = self.env.get(key).await;
            f.model_revenue
                .insert(m.name.clone(), model.lifetime_owner_share);
        }
        let accounts: Vec<((String, String), Pubkey)> =
            self.accounts.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for ((actor, symbol), account) in accounts {
            let amount = self.env.balance(account).await;
            f.balances.entry(actor).or_default().insert(symbol, amount);
        }
        f
    }

    /// All DN burned so far: payments in DN, auctions, and the stakers' and sweeps' dust.
    async fn dn_burned(&mut self) -> u64 {
        let mut burned = 0u64;
        for dom in 0..self.domains.len() {
            let domain = self.domains[dom].fx.keys.domain;
            for shard in 0..self.domains[dom].fx.shards {
                let ledger: VaultShard = self.env.get(pda::vault_shard(&domain, shard)).await;
                burned += ledger.dn_burned;
            }
            if self.env.account(pda::auction(&domain)).await.is_some() {
                let auction: Auction = self.env.get(pda::auction(&domain)).await;
                burned += auction.dn_burned;
            }
            let pool: StakePool = self.env.get(pda::stake_pool(&domain)).await;
            burned += pool.dn_burned;
        }
        burned
    }

    /// The actor's keypair (created and funded with SOL on first use).
    async fn actor(&mut self, name: &str) -> Keypair {
        if let Some(kp) = self.actors.get(name) {
            return kp.insecure_clone();
        }
        let kp = Keypair::new();
        self.env.airdrop(&kp.pubkey(), 10_000_000_000).await;
        self.names.insert(kp.pubkey(), name.to_string());
        self.actors.insert(name.to_string(), kp.insecure_clone());
        kp
    }

    /// The actor's token account for `symbol` (created on first use).
    async fn account(&mut self, actor: &str, symbol: &str) -> Pubkey {
        let key = (actor.to_string(), symbol.to_string());
        if let Some(a) = self.accounts.get(&key) {
            return *a;
        }
        let owner = self.actor(actor).await.pubkey();
        let mint = self.mints[symbol].0;
        let account = self.env.create_token_account(&owner, &mint).await;
        self.accounts.insert(key, account);
        account
    }

    /// A recipient of domain `dom` holds DN and the domain's revenue symbol.
    async fn recipient_accounts(&mut self, actor: &str, dom: usize) {
        let symbol = self.domains[dom].symbol.clone();
        self.account(actor, DN).await;
        self.account(actor, &symbol).await;
    }

    fn domain_index(&self, name: &str) -> Result<usize, ScenarioError> {
        self.domains
            .iter()
            .position(|d| d.name == name)
            .ok_or_else(|| ScenarioError::Unknown {
                kind: "domain",
                name: name.to_string(),
            })
    }
}

fn is_nothing(e: &solana_sdk::transaction::TransactionError) -> bool {
    NOTHING
        .iter()
        .any(|n| custom_code(e) == Some(deepnode_tests::code(*n)))
}

/// Checks what the runner cannot honour before anything runs.
fn validate(s: &Scenario) -> Result<(), ScenarioError> {
    for d in &s.domains {
        if d.max_emission_value_bps == Some(0) {
            return Err(ScenarioError::Invalid(format!(
                "domain {}: max_emission_value_bps 0 would mint nothing; omit it for no guard",
                d.name
            )));
        }
        let s = d.split_bps;
        let split = [
            s.miners,
            s.stakers,
            s.validators,
            s.domain_owner,
            s.model_owners,
        ];
        if !deepnode_math::split_is_whole(split) {
            let sum = deepnode_math::roles_bps_sum(split);
            return Err(ScenarioError::Invalid(format!(
                "domain {}: split_bps must sum to 9900 (the foundation's 100 is implicit), not {sum}",
                d.name
            )));
        }
    }
    let names: BTreeSet<&str> = s.domains.iter().map(|d| d.name.as_str()).collect();
    for (kind, domain) in s
        .models
        .iter()
        .map(|m| ("model's domain", &m.domain))
        .chain(s.miners.iter().map(|m| ("miner's domain", &m.domain)))
        .chain(
            s.validators
                .iter()
                .map(|v| ("validator's domain", &v.domain)),
        )
    {
        if !names.contains(domain.as_str()) {
            return Err(ScenarioError::Unknown {
                kind,
                name: domain.clone(),
            });
        }
    }
    Ok(())
}

/// The settings a domain spec asks for.
fn settings_of(d: &DomainSpec) -> DomainSettings {
    DomainSettings {
        fee_bps: d.fee_bps,
        max_model_share_bps: d.max_model_share_bps,
        split: SplitBps {
            miners: d.split_bps.miners,
            stakers: d.split_bps.stakers,
            validators: d.split_bps.validators,
            domain_owner: d.split_bps.domain_owner,
            model_owners: d.split_bps.model_owners,
        },
        emission_rate_e9: d.emission_rate_e9,
        floor: d.floor,
        ceiling: d.ceiling,
        epoch_secs: d.epoch_secs,
        quorum: d.quorum,
        tolerance_bps: d.tolerance_bps,
        min_validator_stake: d.min_validator_stake,
        max_validators: d.max_validators.unwrap_or(16),
        max_staker_yield_bps: d.max_staker_yield_bps_per_epoch,
        claim_window_epochs: d.claim_window_epochs,
        unbonding_epochs: d.unbonding_epochs,
        max_emission_value_bps: d.max_emission_value_bps.unwrap_or(0),
    }
}

/// Governance bounds: the scenario's cap, period and tip, and ranges wide enough for
/// every domain it lists.
fn bounds_for(s: &Scenario) -> Bounds {
    let mut b = default_bounds();
    b.global_cap_per_period = s.governance.global_cap_per_period;
    b.period_secs = s.governance.period_secs;
    b.keeper_tip_max = s.governance.keeper_tip_max;
    for d in &s.domains {
        b.max_fee_bps = b.max_fee_bps.max(d.fee_bps);
        b.max_model_share_bps = b.max_model_share_bps.max(d.max_model_share_bps);
        b.max_emission_rate_e9 = b.max_emission_rate_e9.max(d.emission_rate_e9);
        b.max_floor = b.max_floor.max(d.floor);
        b.max_ceiling = b.max_ceiling.max(d.ceiling);
        b.min_epoch_secs = b.min_epoch_secs.min(d.epoch_secs);
        b.max_epoch_secs = b.max_epoch_secs.max(d.epoch_secs);
        b.max_tolerance_bps = b.max_tolerance_bps.max(d.tolerance_bps);
        b.max_staker_yield_bps = b.max_staker_yield_bps.max(d.max_staker_yield_bps_per_epoch);
        b.max_claim_window_epochs = b.max_claim_window_epochs.max(d.claim_window_epochs);
        b.max_unbonding_epochs = b.max_unbonding_epochs.max(d.unbonding_epochs);
        b.min_validator_stake = b.min_validator_stake.min(d.min_validator_stake.max(1));
    }
    b
}
