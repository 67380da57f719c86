//! Drives a scenario on a [`Network`]: set-up, a genesis boundary per domain, then per
//! epoch the actors' actions, the keeper's crank (close, finalise, settle, credit),
//! everybody's claims, and the keeper's sweeps and closes. Everything is sent and read
//! through the SDK's `Cluster` trait, so the in-process runtime and a real cluster run
//! the same code.
use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::solana_program::bpf_loader_upgradeable::UpgradeableLoaderState;
use anchor_lang::AccountDeserialize;
use deepnode::instructions::{CreateDomainArgs, InitializeArgs};
use deepnode::layouts;
use deepnode::state::{
    Auction, Bounds, BpsRange, Config, Domain, DomainSettings, Epoch, EpochBook, EpochShard, Model,
    RewardBalance, SplitBps, StakePool, StakePosition, Validator, VaultShard, WorkRecord,
};
use deepnode_keeper::{Action, Keeper, Options, Outcome};
use deepnode_sdk::claims::{claim_planned, plan_claims, ClaimKind, ClaimScope, ClaimTo};
use deepnode_sdk::cluster::{all, read, Cluster};
use deepnode_sdk::commit::Batches;
use deepnode_sdk::ix::{self, Attestation, DnKeys, DomainKeys, SettleKeys, StakerKeys};
use deepnode_sdk::tokens::{self, TransferFee, TOKEN, TOKEN_2022};
use deepnode_sdk::{cluster, limits, pda};
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

use crate::network::Network;
use crate::report::{EpochReport, FinalReport, GuardReport, OffsetReport, Report};
use crate::spec::{DomainSpec, Scenario};
use crate::{EpochDone, ScenarioError};

/// The keeper actor's name.
const KEEPER: &str = "keeper";
/// The foundation actor's name.
const FOUNDATION: &str = "foundation";
/// The DN symbol.
const DN: &str = "DN";
/// Shards per fund_reward_vault transaction (the keeper's own packing measures the most).
const POOL_SHARDS_PER_TX: usize = 8;

/// Checks that `upgrade` may initialise the program on `net` (ProgramData names it),
/// before anything is spent.
async fn check_upgrade_authority<N: Network>(
    net: &mut N,
    upgrade: &Pubkey,
) -> Result<(), ScenarioError> {
    let key = pda::program_data();
    let account = net
        .client()
        .account(&key)
        .await
        .map_err(|e| ScenarioError::cluster("reading the program's ProgramData", e))?
        .ok_or_else(|| {
            ScenarioError::Invalid(format!(
                "the DeepNode program ({}) is not deployed as an upgradeable program on \
                 this cluster: deploy target/deploy/deepnode.so first (README, \"Deploying\")",
                deepnode_sdk::PROGRAM_ID
            ))
        })?;
    let meta = UpgradeableLoaderState::size_of_programdata_metadata();
    let state: Option<UpgradeableLoaderState> = account
        .data
        .get(..meta)
        .and_then(|d| bincode::deserialize(d).ok());
    match state {
        Some(UpgradeableLoaderState::ProgramData {
            upgrade_authority_address: Some(authority),
            ..
        }) if authority == *upgrade => Ok(()),
        Some(UpgradeableLoaderState::ProgramData {
            upgrade_authority_address: Some(authority),
            ..
        }) => Err(ScenarioError::Invalid(format!(
            "initialising the program needs its upgrade authority {authority}; the keypair \
             given is {upgrade}: pass --keypair with the upgrade authority"
        ))),
        Some(UpgradeableLoaderState::ProgramData { .. }) => Err(ScenarioError::Invalid(
            "the program is immutable (no upgrade authority), so nobody can initialise it".into(),
        )),
        _ => Err(ScenarioError::Invalid(format!(
            "account {key} is not the program's ProgramData"
        ))),
    }
}

/// When `epoch` may be closed: its end plus its grace window.
fn close_time(epoch: &Epoch) -> i64 {
    deepnode_math::close_time(epoch.end_ts, epoch.settings.close_grace_secs).unwrap_or(i64::MAX)
}

/// One keeper pass (pushing payouts when `push`); any refused step is an error.
async fn keeper_pass(cluster: &mut impl Cluster, push: bool) -> Result<(), ScenarioError> {
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
    cluster: &mut impl Cluster,
) -> Result<BTreeMap<(Pubkey, Pubkey), (u64, u64)>, ScenarioError> {
    let balances = all::<RewardBalance>(cluster)
        .await
        .map_err(|e| ScenarioError::cluster("reading balances", e))?;
    Ok(balances
        .into_iter()
        .map(|(_, b)| ((b.domain, b.recipient), (b.dn_credited, b.rev_credited)))
        .collect())
}

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
    keys: DomainKeys,
    shards: u8,
    /// On-chain index of scenario epoch 0.
    base: u64,
    miners: Vec<(String, Pubkey)>,
    validators: Vec<(String, Pubkey)>,
    models: Vec<(String, Pubkey)>,
    stakers: BTreeSet<String>,
    /// Unstake tickets not withdrawn yet: (staker, request epoch).
    tickets: Vec<(String, u64)>,
    /// Whether its validators commit and reveal (§7).
    commit_reveal: bool,
    /// Whether it offsets emissions (§14): its reports say what it offset.
    offset: bool,
}

/// The runner's state.
pub(crate) struct Runner<N: Network> {
    net: N,
    /// Governance.
    gov: Keypair,
    dn: DnKeys,
    foundation: Pubkey,
    actors: BTreeMap<String, Keypair>,
    /// (actor, symbol) → token account.
    accounts: BTreeMap<(String, String), Pubkey>,
    /// symbol → (mint, token program, mint authority for revenue mints).
    mints: BTreeMap<String, (Pubkey, Pubkey, Option<Keypair>)>,
    names: BTreeMap<Pubkey, String>,
    domains: Vec<Dom>,
    models: BTreeMap<String, (usize, Pubkey)>,
    miners: BTreeMap<String, usize>,
    /// Batches committed this epoch, to reveal after its end: (validator, batches).
    reveals: Vec<(String, Batches)>,
}

impl<N: Network> Runner<N> {
    /// Runs the whole scenario on `net`.
    pub(crate) async fn run(
        net: N,
        s: &Scenario,
        progress: &mut dyn FnMut(&EpochDone),
    ) -> Result<Report, ScenarioError> {
        validate(s)?;
        let mut r = Runner::setup(net, s).await?;
        for dom in 0..r.domains.len() {
            r.genesis(s, dom).await?;
        }
        let mut epochs = Vec::new();
        for (k, spec) in s.epochs.iter().enumerate() {
            r.apply(spec).await?;
            r.pass_time().await?;
            let mut reports = r.crank(k as u64).await?;
            for (dom, report) in reports.iter_mut().enumerate() {
                r.claims(dom, report).await?;
            }
            epochs.extend(reports);
            let done = EpochDone {
                index: k,
                dn_supply: r.supply(r.dn.mint).await?,
                dn_burned: r.dn_burned().await?,
            };
            progress(&done);
        }
        let final_state = r.final_state(s).await?;
        Ok(Report {
            epochs,
            final_state,
        })
    }

    /// Sends `ixs` paid by the network's payer and signed by `signers`; `what` names the
    /// step in an error.
    async fn send(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        what: &str,
    ) -> Result<(), ScenarioError> {
        self.net
            .client()
            .send(ixs, signers)
            .await
            .map(|_| ())
            .map_err(|e| ScenarioError::cluster(what, e))
    }

    /// Reads and decodes a program account that must exist.
    async fn get<T: AccountDeserialize>(&mut self, key: Pubkey) -> Result<T, ScenarioError> {
        read::<T>(self.net.client(), &key)
            .await
            .map_err(|e| ScenarioError::cluster("reading state", e))?
            .ok_or_else(|| ScenarioError::Invalid(format!("account {key} does not exist")))
    }

    /// Whether an account exists.
    async fn exists(&mut self, key: Pubkey) -> Result<bool, ScenarioError> {
        self.net
            .client()
            .account(&key)
            .await
            .map(|a| a.is_some())
            .map_err(|e| ScenarioError::cluster("reading state", e))
    }

    /// A token account's balance.
    async fn balance(&mut self, key: Pubkey) -> Result<u64, ScenarioError> {
        tokens::balance(self.net.client(), &key)
            .await
            .map_err(|e| ScenarioError::cluster("reading a balance", e))
    }

    /// A mint's supply.
    async fn supply(&mut self, mint: Pubkey) -> Result<u64, ScenarioError> {
        tokens::mint_supply(self.net.client(), &mint)
            .await
            .map_err(|e| ScenarioError::cluster("reading a supply", e))
    }

    /// Rent of an account of `len` bytes.
    async fn rent(&mut self, len: usize) -> Result<u64, ScenarioError> {
        let rent = cluster::rent(self.net.client())
            .await
            .map_err(|e| ScenarioError::cluster("reading rent", e))?;
        Ok(rent.minimum_balance(len))
    }

    /// Creates a mint of `program` with `decimals`, mint authority `authority` and an
    /// optional transfer fee.
    async fn create_mint(
        &mut self,
        program: Pubkey,
        decimals: u8,
        authority: &Pubkey,
        fee: Option<TransferFee>,
    ) -> Result<Pubkey, ScenarioError> {
        let mint = Keypair::new();
        let len = tokens::mint_len(fee).map_err(|e| ScenarioError::cluster("a mint", e))?;
        let lamports = self.rent(len).await?;
        let payer = self.net.client().payer();
        let ixs = tokens::create_mint(
            &payer,
            &mint.pubkey(),
            &program,
            decimals,
            authority,
            fee,
            lamports,
        )
        .map_err(|e| ScenarioError::cluster("a mint", e))?;
        self.send(&ixs, &[&mint], "creating a mint").await?;
        Ok(mint.pubkey())
    }

    /// Mints `amount` of `mint` into `to`, signed by the mint authority.
    async fn mint_to(
        &mut self,
        mint: &Pubkey,
        to: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) -> Result<(), ScenarioError> {
        let program = self.mint_program(mint).await?;
        let ix = tokens::mint_to(&program, mint, to, &authority.pubkey(), amount)
            .map_err(|e| ScenarioError::cluster("minting", e))?;
        self.send(&[ix], &[authority], "minting").await
    }

    /// The token program owning `mint`.
    async fn mint_program(&mut self, mint: &Pubkey) -> Result<Pubkey, ScenarioError> {
        tokens::mint_program(self.net.client(), mint)
            .await
            .map(|(program, _)| program)
            .map_err(|e| ScenarioError::cluster("reading a mint", e))
    }

    async fn setup(mut net: N, s: &Scenario) -> Result<Runner<N>, ScenarioError> {
        // The scenario initialises the protocol: it needs a fresh deployment.
        let existing = read::<Config>(net.client(), &pda::config())
            .await
            .map_err(|e| ScenarioError::cluster("reading the protocol's config", e))?;
        if existing.is_some() {
            return Err(ScenarioError::Invalid(
                "the program on this cluster is already initialised; a scenario sets up its \
                 own protocol and needs a fresh deployment (restart solana-test-validator \
                 with --reset)"
                    .into(),
            ));
        }
        let upgrade = net.upgrade_authority().pubkey();
        check_upgrade_authority(&mut net, &upgrade).await?;
        // Every actor is funded by the payer: check it can before anything is sent.
        let actors = actor_names(s).len() as u64;
        let each = net.actor_lamports();
        let payer = net.client().payer();
        let holds = net
            .client()
            .account(&payer)
            .await
            .map_err(|e| ScenarioError::cluster("reading the payer's balance", e))?
            .map_or(0, |a| a.lamports);
        let needed = actors.saturating_mul(each);
        if holds < needed {
            return Err(ScenarioError::Invalid(format!(
                "the payer {payer} holds {} SOL; the scenario's {actors} actors get {} SOL \
                 each ({} SOL), plus rent and fees: fund the payer first",
                sol(holds),
                sol(each),
                sol(needed)
            )));
        }
        let dn_program = program_of(&s.dn.token_program)?;
        let mut r = Runner {
            net,
            gov: Keypair::new(),
            dn: DnKeys {
                mint: Pubkey::default(),
                token_program: dn_program,
            },
            foundation: Pubkey::default(),
            actors: BTreeMap::new(),
            accounts: BTreeMap::new(),
            mints: BTreeMap::new(),
            names: BTreeMap::new(),
            domains: Vec::new(),
            models: BTreeMap::new(),
            miners: BTreeMap::new(),
            reveals: Vec::new(),
        };
        let temp = Keypair::new();
        let dn_mint = r
            .create_mint(dn_program, s.dn.decimals, &temp.pubkey(), None)
            .await?;
        r.dn.mint = dn_mint;
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
            let account = r.account(actor, DN).await?;
            r.mint_to(&dn_mint, &account, &temp, *amount).await?;
        }
        r.foundation = r.account(FOUNDATION, DN).await?;
        r.account(KEEPER, DN).await?;
        let hand_over = tokens::set_mint_authority(
            &dn_program,
            &dn_mint,
            &temp.pubkey(),
            &pda::mint_authority(),
        )
        .map_err(|e| ScenarioError::cluster("handing DN's mint authority over", e))?;
        r.send(&[hand_over], &[&temp], "handing DN's mint authority over")
            .await?;
        let payer = r.net.client().payer();
        let upgrade = r.net.upgrade_authority();
        let init = ix::initialize(
            payer,
            upgrade.pubkey(),
            dn_mint,
            r.foundation,
            dn_program,
            InitializeArgs {
                authority: r.gov.pubkey(),
                bounds: bounds_for(s),
                max_supply: s.dn.max_supply,
            },
        );
        r.send(&[init], &[&upgrade], "initialising the protocol")
            .await?;

        for spec in &s.domains {
            r.create_domain(s, spec).await?;
        }
        for m in &s.models {
            let dom = r.domain_index(&m.domain)?;
            let owner = r.actor(&m.owner).await?;
            let domain = r.domains[dom].keys.domain;
            let state: Domain = r.get(domain).await?;
            let ix = ix::mint_model(owner.pubkey(), domain, state.model_count, m.owner_share_bps);
            r.send(&[ix], &[&owner], "minting a model").await?;
            let key = pda::model(&domain, state.model_count);
            r.models.insert(m.name.clone(), (dom, key));
            r.domains[dom].models.push((m.name.clone(), key));
            r.recipient_accounts(&m.owner, dom).await?;
        }
        for m in &s.miners {
            let dom = r.domain_index(&m.domain)?;
            let kp = r.actor(&m.name).await?;
            let domain = r.domains[dom].keys.domain;
            r.send(
                &[ix::register_miner(kp.pubkey(), domain)],
                &[&kp],
                "registering a miner",
            )
            .await?;
            r.miners.insert(m.name.clone(), dom);
            r.domains[dom].miners.push((m.name.clone(), kp.pubkey()));
            r.recipient_accounts(&m.name, dom).await?;
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
                let mint = *mint;
                let authority = authority
                    .as_ref()
                    .expect("revenue mints have an authority")
                    .insecure_clone();
                let account = r.account(actor, symbol).await?;
                r.mint_to(&mint, &account, &authority, *amount).await?;
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
        let (mint, program) = if symbol == DN {
            if spec.revenue_mint.decimals != s.dn.decimals {
                return Err(ScenarioError::Invalid(format!(
                    "domain {}: a DN revenue mint has DN's decimals ({})",
                    spec.name, s.dn.decimals
                )));
            }
            (self.dn.mint, self.dn.token_program)
        } else if let Some((mint, program, _)) = self.mints.get(&symbol) {
            (*mint, *program)
        } else {
            let program = program_of(&spec.revenue_mint.token_program)?;
            let authority = Keypair::new();
            let fee = spec.revenue_mint.transfer_fee_bps.map(|bps| TransferFee {
                bps,
                max: spec.revenue_mint.transfer_fee_max.unwrap_or(u64::MAX),
            });
            let mint = self
                .create_mint(
                    program,
                    spec.revenue_mint.decimals,
                    &authority.pubkey(),
                    fee,
                )
                .await?;
            self.mints
                .insert(symbol.clone(), (mint, program, Some(authority)));
            (mint, program)
        };
        // The owner is also the domain's fee authority.
        let owner = self.actor(&spec.owner).await?;
        let config: Config = self.get(pda::config()).await?;
        let id = config.domain_count;
        let payer = self.net.client().payer();
        let ix = ix::create_domain(
            payer,
            owner.pubkey(),
            self.gov.pubkey(),
            id,
            mint,
            program,
            CreateDomainArgs {
                fee_authority: owner.pubkey(),
                shard_count: spec.shards,
                settings: settings_of(spec),
            },
        );
        let gov = self.gov.insecure_clone();
        self.send(&[ix], &[&owner, &gov], "creating a domain")
            .await?;
        let domain = pda::domain(id);
        let state: Domain = self.get(domain).await?;
        let keys = DomainKeys::new(domain, &state);
        let ix = ix::init_stake_pool(payer, &keys, &self.dn);
        self.send(&[ix], &[], "creating a stake pool").await?;
        for shard in 0..spec.shards {
            let ix = ix::init_shard(payer, &keys, shard);
            self.send(&[ix], &[], "creating a shard").await?;
        }
        if let Some(a) = spec.auction {
            let ix = ix::set_auction_params(
                payer,
                self.gov.pubkey(),
                domain,
                a.duration_secs,
                a.floor_price_e9,
                a.reference_price_e9,
            );
            self.send(&[ix], &[&gov], "setting auction parameters")
                .await?;
        }
        self.domains.push(Dom {
            name: spec.name.clone(),
            symbol,
            keys,
            shards: spec.shards,
            base: 0,
            miners: Vec::new(),
            validators: Vec::new(),
            models: Vec::new(),
            stakers: BTreeSet::new(),
            tickets: Vec::new(),
            commit_reveal: spec.commit_reveal,
            offset: spec.offset_bps > 0,
        });
        let dom = self.domains.len() - 1;
        self.recipient_accounts(&spec.owner, dom).await?;
        self.recipient_accounts(KEEPER, dom).await?;
        self.recipient_accounts(FOUNDATION, dom).await?;
        Ok(())
    }

    /// The genesis boundary of domain `dom`: validators stake in the first epoch and
    /// register in the second, so their stake is active and they vote from scenario
    /// epoch 0. Both genesis epochs are closed and settled (nothing happens in them).
    async fn genesis(&mut self, s: &Scenario, dom: usize) -> Result<(), ScenarioError> {
        let name = self.domains[dom].name.clone();
        let validators: Vec<_> = s.validators.iter().filter(|v| v.domain == name).collect();
        for v in &validators {
            self.stake(&v.name, dom, v.stake).await?;
        }
        self.close_and_settle(dom).await?;
        for v in &validators {
            let kp = self.actor(&v.name).await?;
            let domain = self.domains[dom].keys.domain;
            self.send(
                &[ix::register_validator(kp.pubkey(), domain)],
                &[&kp],
                "registering a validator",
            )
            .await?;
            self.domains[dom]
                .validators
                .push((v.name.clone(), kp.pubkey()));
        }
        self.close_and_settle(dom).await?;
        self.domains[dom].base = self.domains[dom].keys.epoch;
        Ok(())
    }

    /// Waits out the open epoch of `dom` (and its grace window), closes it, moves its
    /// pool shares and settles it as the keeper.
    async fn close_and_settle(&mut self, dom: usize) -> Result<(), ScenarioError> {
        let keeper = self.actor(KEEPER).await?;
        let keys = self.domains[dom].keys;
        let epoch: Epoch = self.get(pda::epoch(&keys.domain, keys.epoch)).await?;
        self.net
            .wait_until(close_time(&epoch))
            .await
            .map_err(|e| ScenarioError::cluster("waiting for the epoch's end", e))?;
        let domain: Domain = self.get(keys.domain).await?;
        let payer = self.net.client().payer();
        let ix = ix::close_epoch(payer, &keys, domain.shards_ready);
        self.send(&[ix], &[], "closing a genesis epoch").await?;
        self.domains[dom].keys.epoch += 1;
        let closed = keys.epoch;
        let shards: Vec<u8> = (0..self.domains[dom].shards).collect();
        let mut pending = Vec::new();
        for shard in shards {
            let counter: EpochShard = self
                .get(pda::epoch_shard(&keys.domain, closed, shard))
                .await?;
            if !counter.collected {
                pending.push(shard);
            }
        }
        for batch in pending.chunks(POOL_SHARDS_PER_TX) {
            let ix = ix::fund_reward_vault(payer, &keys, closed, batch);
            self.send(&[ix], &[], "funding the reward vault").await?;
        }
        let closed_epoch: Epoch = self.get(pda::epoch(&keys.domain, closed)).await?;
        let settle = SettleKeys::of(&closed_epoch)
            .map_err(|e| ScenarioError::Invalid(format!("the epoch's cap period: {e}")))?;
        let ix = ix::settle_epoch(keeper.pubkey(), &keys, &self.dn, settle);
        self.send(&[ix], &[&keeper], "settling a genesis epoch")
            .await
    }

    /// Stakes `amount` of `staker`'s DN in domain `dom` (opening its position first).
    async fn stake(&mut self, staker: &str, dom: usize, amount: u64) -> Result<(), ScenarioError> {
        let kp = self.actor(staker).await?;
        let domain = self.domains[dom].keys.domain;
        let position_key = pda::stake_position(&domain, &kp.pubkey());
        if !self.exists(position_key).await? {
            self.send(
                &[ix::open_stake_position(kp.pubkey(), domain)],
                &[&kp],
                "opening a stake position",
            )
            .await?;
        }
        self.recipient_accounts(staker, dom).await?;
        self.domains[dom].stakers.insert(staker.to_string());
        let keys = self.staker_keys(staker, dom).await?;
        let ix = ix::stake(domain, &self.dn, &keys, amount);
        self.send(&[ix], &[&kp], "staking").await
    }

    async fn staker_keys(&mut self, staker: &str, dom: usize) -> Result<StakerKeys, ScenarioError> {
        let kp = self.actor(staker).await?;
        let domain = self.domains[dom].keys.domain;
        let position: StakePosition = self.get(pda::stake_position(&domain, &kp.pubkey())).await?;
        Ok(StakerKeys {
            owner: kp.pubkey(),
            owner_dn: self.account(staker, DN).await?,
            change_epoch: position.change_epoch,
        })
    }

    /// Buys from a domain's auction (PROTOCOL.md §8) as the buyer: every shard's buyback
    /// share is moved into the auction first, then the quantity (or everything for sale)
    /// is bought at the price the program computes now, `deepnode_math::auction_price`.
    async fn buy_back(&mut self, b: &crate::spec::BuybackSpec) -> Result<(), ScenarioError> {
        let dom = self.domain_index(&b.domain)?;
        let d = self.domains[dom].keys;
        for shard in 0..self.domains[dom].shards {
            let ledger: VaultShard = self.get(pda::vault_shard(&d.domain, shard)).await?;
            if ledger.buyback_owed > 0 {
                let ix = ix::fund_auction(&d, shard);
                self.send(&[ix], &[], "funding the auction").await?;
            }
        }
        let auction: Auction = self.get(pda::auction(&d.domain)).await?;
        let quantity = match b.quantity {
            None if auction.available == 0 => return Ok(()),
            None => auction.available,
            Some(q) if q > auction.available => {
                return Err(ScenarioError::Invalid(format!(
                    "buyback of {q} in domain {}: only {} for sale",
                    b.domain, auction.available
                )))
            }
            Some(q) => q,
        };
        let now = self
            .net
            .client()
            .now()
            .await
            .map_err(|e| ScenarioError::cluster("reading the clock", e))?;
        let elapsed = u64::try_from(now.saturating_sub(auction.start_ts)).unwrap_or(0);
        let price = deepnode_math::auction_price(
            auction.start_price_e9,
            auction.floor_price_e9,
            elapsed,
            u64::from(auction.duration_secs),
        )
        .map_err(|e| ScenarioError::Invalid(format!("the auction's price: {e:?}")))?;
        let kp = self.actor(&b.buyer).await?;
        let symbol = self.domains[dom].symbol.clone();
        let dn_account = self.account(&b.buyer, DN).await?;
        let revenue = self.account(&b.buyer, &symbol).await?;
        let ix = ix::buy_back(
            &d,
            &self.dn,
            kp.pubkey(),
            dn_account,
            revenue,
            quantity,
            price,
        );
        self.send(&[ix], &[&kp], "buying back").await
    }

    /// Applies one epoch's actions in order: purchases (as the epoch begins), stakes,
    /// unstakes, payments, attestations.
    async fn apply(&mut self, e: &crate::spec::EpochSpec) -> Result<(), ScenarioError> {
        for b in &e.buybacks {
            self.buy_back(b).await?;
        }
        for st in &e.stakes {
            let dom = self.domain_index(&st.domain)?;
            self.stake(&st.staker, dom, st.amount).await?;
        }
        for st in &e.unstakes {
            let dom = self.domain_index(&st.domain)?;
            let kp = self.actor(&st.staker).await?;
            let keys = self.staker_keys(&st.staker, dom).await?;
            let d = self.domains[dom].keys;
            let ix = ix::request_unstake(d.domain, &keys, d.epoch, st.amount);
            self.send(&[ix], &[&kp], "requesting an unstake").await?;
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
            let kp = self.actor(&pay.payer).await?;
            let symbol = self.domains[dom].symbol.clone();
            let from = self.account(&pay.payer, &symbol).await?;
            let d = self.domains[dom].keys;
            let ix = ix::pay(
                &d,
                kp.pubkey(),
                from,
                model,
                pay.shard,
                pay.amount,
                pay.units,
            );
            self.send(&[ix], &[&kp], "paying").await?;
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
            let miner = self.actor(&a.miner).await?.pubkey();
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
            let kp = self.actor(&validator).await?;
            let d = self.domains[dom].keys;
            // The validator pays, as with the CLI's `attest`: one signature, so the most
            // lines fit, packed to what the cluster's transactions hold.
            let mut client = self.net.client_for(&kp);
            if self.domains[dom].commit_reveal {
                // §7: commit now, reveal in the grace window (`pass_time`).
                let batches = Batches::fitting(
                    d.domain,
                    kp.pubkey(),
                    d.epoch,
                    &lines,
                    &kp.pubkey(),
                    &client.prefix(),
                    rand::random,
                );
                let (root, count) = batches.commitment();
                let ix = ix::commit_attestations(kp.pubkey(), d.domain, d.epoch, root, count);
                client
                    .send(&[ix], &[])
                    .await
                    .map_err(|e| ScenarioError::cluster("committing attestations", e))?;
                self.reveals.push((validator.clone(), batches));
                continue;
            }
            let batches = limits::pack(
                &lines,
                layouts::ATTEST.max_items,
                deepnode_sdk::compute::ATTEST,
                &kp.pubkey(),
                &client.prefix(),
                |chunk| ix::attest(kp.pubkey(), d.domain, d.epoch, chunk),
            );
            for (ix, _) in batches {
                client
                    .send(&[ix], &[])
                    .await
                    .map_err(|e| ScenarioError::cluster("attesting", e))?;
            }
        }
        Ok(())
    }

    /// Lets time pass beyond every domain's open epoch (and its grace window): the
    /// in-process clock is moved, a real cluster's is waited for. Committed batches are
    /// revealed in between: after their epoch's end, before its close.
    async fn pass_time(&mut self) -> Result<(), ScenarioError> {
        let reveals = std::mem::take(&mut self.reveals);
        if !reveals.is_empty() {
            let mut ended = i64::MIN;
            for dom in 0..self.domains.len() {
                let keys = self.domains[dom].keys;
                let epoch: Epoch = self.get(pda::epoch(&keys.domain, keys.epoch)).await?;
                ended = ended.max(epoch.end_ts);
            }
            self.net
                .wait_until(ended)
                .await
                .map_err(|e| ScenarioError::cluster("waiting for the epochs' end", e))?;
            for (validator, batches) in reveals {
                let kp = self.actor(&validator).await?;
                let mut client = self.net.client_for(&kp);
                for r in batches.reveals() {
                    let ix = ix::reveal_attestations(
                        kp.pubkey(),
                        batches.domain,
                        kp.pubkey(),
                        batches.epoch,
                        &r,
                    );
                    client
                        .send(&[ix], &[])
                        .await
                        .map_err(|e| ScenarioError::cluster("revealing attestations", e))?;
                }
            }
        }
        let mut due = i64::MIN;
        for dom in 0..self.domains.len() {
            let keys = self.domains[dom].keys;
            let epoch: Epoch = self.get(pda::epoch(&keys.domain, keys.epoch)).await?;
            due = due.max(close_time(&epoch));
        }
        self.net
            .wait_until(due)
            .await
            .map_err(|e| ScenarioError::cluster("waiting for the epochs' end", e))
    }

    /// The keeper bot (`deepnode-keeper`'s library, as the `keeper` actor paying its own
    /// fees) cranks scenario epoch `k` of every domain: a first pass closes, finalises
    /// and settles it (and sweeps and closes what expired); the report reads the
    /// settlement and the finalised records; a second pass pushes every payout. The
    /// payouts are each balance's credited amounts (the keeper's tip included), after
    /// the second pass minus before the first.
    async fn crank(&mut self, k: u64) -> Result<Vec<EpochReport>, ScenarioError> {
        let keeper = self.actor(KEEPER).await?;
        let mut cluster = self.net.client_for(&keeper);
        // The records of each domain's epoch about to close: (miner, record).
        let mut recorded = Vec::new();
        for dom in 0..self.domains.len() {
            let (domain, index) = (self.domains[dom].keys.domain, self.domains[dom].keys.epoch);
            let mut list = Vec::new();
            for (name, key) in self.domains[dom].miners.clone() {
                let record = pda::work_record(&pda::miner(&domain, &key), index);
                if self.exists(record).await? {
                    list.push((name, record));
                }
            }
            recorded.push(list);
        }
        // Settling credits the keeper's tip: balances are read before the first pass.
        let before = credited(&mut cluster).await?;
        keeper_pass(&mut cluster, false).await?;
        let mut reports = Vec::new();
        for (dom, records) in recorded.iter().enumerate() {
            let domain = self.domains[dom].keys.domain;
            let state: Domain = self.get(domain).await?;
            self.domains[dom].keys.epoch = state.current_epoch;
            let index = state.current_epoch - 1;
            let book: EpochBook = self.get(pda::epoch_book(&domain, index)).await?;
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
                offset: self.domains[dom].offset.then_some(OffsetReport {
                    stock: s.offset_stock,
                    from_reserve: s.from_reserve,
                }),
                withheld: s.withheld,
                dn_pools: s.dn_pools.into(),
                rev_pools: s.rev_pools.into(),
                ..EpochReport::default()
            };
            // A record below quorum was closed by the pass: it verified nothing.
            for (name, key) in records {
                let verified = match read::<WorkRecord>(self.net.client(), key)
                    .await
                    .map_err(|e| ScenarioError::cluster("reading a work record", e))?
                {
                    Some(record) => record.verified_units,
                    None => 0,
                };
                report.verified_work.insert(name.clone(), verified);
            }
            for (name, key) in self.domains[dom].validators.clone() {
                let v: Validator = self.get(pda::validator(&domain, &key)).await?;
                if let Some(score) = book
                    .voters
                    .iter()
                    .find(|s| s.agreeing > 0 && s.validator == v.index)
                {
                    report.agreeing.insert(name, score.agreeing);
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
                .position(|d| d.keys.domain == domain)
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

    /// Everybody claims what is claimable in `dom` (deepnode_sdk::claims, as the CLI's
    /// `claim`): credited balances, unstake tickets (rewards credited once their epochs
    /// are settled, so that the staker claim pays them for the epoch that earned them;
    /// principal once unbonded), staker rewards, model owners' revenue. Token accounts are
    /// opened only for claims that pay into them.
    async fn claims(&mut self, dom: usize, report: &mut EpochReport) -> Result<(), ScenarioError> {
        let symbol = self.domains[dom].symbol.clone();
        let mut models = Vec::new();
        for (_, model) in self.domains[dom].models.clone() {
            models.push((model, self.get::<Model>(model).await?));
        }
        let actors: Vec<String> = self.actors.keys().cloned().collect();
        for name in &actors {
            let kp = self.actor(name).await?;
            let tickets: Vec<u64> = self.domains[dom]
                .tickets
                .iter()
                .filter(|(staker, _)| staker == name)
                .map(|(_, epoch)| *epoch)
                .collect();
            let scope = ClaimScope {
                domain: self.domains[dom].keys,
                shards: self.domains[dom].shards,
                dn: self.dn,
                owner: kp.pubkey(),
                models: &models,
                tickets: &tickets,
            };
            let plan = plan_claims(self.net.client(), &scope)
                .await
                .map_err(|e| ScenarioError::cluster("reading what is claimable", e))?;
            if plan.is_empty() {
                continue;
            }
            let dn = if plan.needs_dn() {
                Some(self.account(name, DN).await?)
            } else {
                None
            };
            let to = ClaimTo {
                dn,
                revenue: self.account(name, &symbol).await?,
                setup: Vec::new(),
            };
            let claimed = claim_planned(self.net.client(), &scope, &plan, &to, &[&kp])
                .await
                .map_err(|e| ScenarioError::cluster("claiming", e))?;
            for c in claimed {
                match c.kind {
                    // Credited balances are reported in the epoch that credited them.
                    ClaimKind::Balance | ClaimKind::ModelRevenue { .. } => {}
                    ClaimKind::Unstake { epoch } => {
                        let position = pda::stake_position(&scope.domain.domain, &kp.pubkey());
                        if !self.exists(pda::unstake_ticket(&position, epoch)).await? {
                            self.domains[dom]
                                .tickets
                                .retain(|x| x != &(name.clone(), epoch));
                        }
                    }
                    ClaimKind::StakerRewards => self.add_payout(report, dom, name, c.dn, c.revenue),
                }
            }
        }
        Ok(())
    }

    async fn final_state(&mut self, s: &Scenario) -> Result<FinalReport, ScenarioError> {
        let mut f = FinalReport {
            dn_supply: self.supply(self.dn.mint).await?,
            dn_burned: self.dn_burned().await?,
            ..FinalReport::default()
        };
        for dom in 0..self.domains.len() {
            let domain = self.domains[dom].keys.domain;
            let name = self.domains[dom].name.clone();
            let (mut fees, mut buyback) = (0u64, 0u64);
            for shard in 0..self.domains[dom].shards {
                let ledger: VaultShard = self.get(pda::vault_shard(&domain, shard)).await?;
                fees += ledger.lifetime_fees;
                buyback += ledger.buyback_owed;
            }
            let vault = pda::buyback_vault(&domain);
            if self.exists(vault).await? {
                buyback += self.balance(vault).await?;
            }
            f.fees.insert(name.clone(), fees);
            f.buyback_vault.insert(name, buyback);
        }
        for m in &s.models {
            let (_, key) = self.models[&m.name];
            let model: Model = self.get(key).await?;
            f.model_revenue
                .insert(m.name.clone(), model.lifetime_owner_share);
        }
        let accounts: Vec<((String, String), Pubkey)> =
            self.accounts.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for ((actor, symbol), account) in accounts {
            let amount = self.balance(account).await?;
            f.balances.entry(actor).or_default().insert(symbol, amount);
        }
        Ok(f)
    }

    /// All DN burned so far: payments in DN, auctions, and the stakers' and sweeps' dust.
    async fn dn_burned(&mut self) -> Result<u64, ScenarioError> {
        let mut burned = 0u64;
        for dom in 0..self.domains.len() {
            let domain = self.domains[dom].keys.domain;
            for shard in 0..self.domains[dom].shards {
                let ledger: VaultShard = self.get(pda::vault_shard(&domain, shard)).await?;
                burned += ledger.dn_burned;
            }
            if let Some(auction) = read::<Auction>(self.net.client(), &pda::auction(&domain))
                .await
                .map_err(|e| ScenarioError::cluster("reading an auction", e))?
            {
                burned += auction.dn_burned;
            }
            let pool: StakePool = self.get(pda::stake_pool(&domain)).await?;
            burned += pool.dn_burned;
        }
        Ok(burned)
    }

    /// The actor's keypair (created and funded with SOL by the payer on first use).
    async fn actor(&mut self, name: &str) -> Result<Keypair, ScenarioError> {
        if let Some(kp) = self.actors.get(name) {
            return Ok(kp.insecure_clone());
        }
        let kp = Keypair::new();
        let payer = self.net.client().payer();
        let lamports = self.net.actor_lamports();
        let fund = anchor_lang::solana_program::system_instruction::transfer(
            &payer,
            &kp.pubkey(),
            lamports,
        );
        self.send(&[fund], &[], &format!("funding actor {name} with SOL"))
            .await?;
        self.names.insert(kp.pubkey(), name.to_string());
        self.actors.insert(name.to_string(), kp.insecure_clone());
        Ok(kp)
    }

    /// The actor's token account for `symbol` (created on first use, rent paid by the
    /// payer).
    async fn account(&mut self, actor: &str, symbol: &str) -> Result<Pubkey, ScenarioError> {
        let key = (actor.to_string(), symbol.to_string());
        if let Some(a) = self.accounts.get(&key) {
            return Ok(*a);
        }
        let owner = self.actor(actor).await?.pubkey();
        let mint = self.mints[symbol].0;
        let (program, data) = tokens::mint_program(self.net.client(), &mint)
            .await
            .map_err(|e| ScenarioError::cluster("reading a mint", e))?;
        let len = tokens::account_len(&program, &mint, &data)
            .map_err(|e| ScenarioError::cluster("a token account", e))?;
        let lamports = self.rent(len).await?;
        let account = Keypair::new();
        let payer = self.net.client().payer();
        let ixs = tokens::create_account(
            &payer,
            &account.pubkey(),
            &mint,
            &owner,
            &program,
            len,
            lamports,
        )
        .map_err(|e| ScenarioError::cluster("a token account", e))?;
        self.send(&ixs, &[&account], "creating a token account")
            .await?;
        self.accounts.insert(key, account.pubkey());
        Ok(account.pubkey())
    }

    /// A recipient of domain `dom` holds DN and the domain's revenue symbol.
    async fn recipient_accounts(&mut self, actor: &str, dom: usize) -> Result<(), ScenarioError> {
        let symbol = self.domains[dom].symbol.clone();
        self.account(actor, DN).await?;
        self.account(actor, &symbol).await?;
        Ok(())
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

/// Lamports as SOL, for messages.
fn sol(lamports: u64) -> String {
    let whole = lamports / 1_000_000_000;
    let frac = lamports % 1_000_000_000;
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:09}").trim_end_matches('0'))
    }
}

/// Every actor a scenario names (each gets a keypair and SOL): owners, miners,
/// validators, wallets, stakers, payers, the keeper and the foundation.
fn actor_names(s: &Scenario) -> BTreeSet<&str> {
    let mut names: BTreeSet<&str> = [KEEPER, FOUNDATION].into();
    names.extend(s.domains.iter().map(|d| d.owner.as_str()));
    names.extend(s.models.iter().map(|m| m.owner.as_str()));
    names.extend(s.miners.iter().map(|m| m.name.as_str()));
    names.extend(s.validators.iter().map(|v| v.name.as_str()));
    names.extend(s.balances.keys().map(String::as_str));
    for e in &s.epochs {
        names.extend(e.stakes.iter().map(|x| x.staker.as_str()));
        names.extend(e.unstakes.iter().map(|x| x.staker.as_str()));
        names.extend(e.payments.iter().map(|x| x.payer.as_str()));
        names.extend(e.attestations.iter().map(|x| x.validator.as_str()));
        names.extend(e.buybacks.iter().map(|x| x.buyer.as_str()));
    }
    names
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
        let split = split_of(d).roles();
        if !deepnode_math::split_is_whole(split) {
            let sum = deepnode_math::roles_bps_sum(split);
            return Err(ScenarioError::Invalid(format!(
                "domain {}: split_bps must sum to 9900 (the foundation's 100 is implicit), not {sum}",
                d.name
            )));
        }
    }
    for (k, e) in s.epochs.iter().enumerate() {
        for b in &e.buybacks {
            let Some(d) = s.domains.iter().find(|d| d.name == b.domain) else {
                return Err(ScenarioError::Unknown {
                    kind: "buyback's domain",
                    name: b.domain.clone(),
                });
            };
            if d.revenue_mint.symbol == DN || d.auction.is_none() {
                return Err(ScenarioError::Invalid(format!(
                    "epoch {k}: a buyback in domain {} needs its auction (an \"auction\" entry; a domain paid in DN has none)",
                    d.name
                )));
            }
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
        split: split_of(d),
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
        close_grace_secs: d.close_grace_secs,
        commit_reveal: d.commit_reveal,
        offset_bps: d.offset_bps,
    }
}

/// Domain `d`'s emission split as the program stores it.
fn split_of(d: &DomainSpec) -> SplitBps {
    let s = d.split_bps;
    SplitBps {
        miners: s.miners,
        stakers: s.stakers,
        validators: s.validators,
        domain_owner: s.domain_owner,
        model_owners: s.model_owners,
    }
}

/// The runner's governance before a scenario widens it: role shares up to 99% (the domain
/// owner's up to 10%), fees up to 30% and model shares up to 60%, epochs of a minute to
/// 30 days, up to 16 validators and shards, auctions of a minute to 7 days, any offset, no
/// value guard required, commit-reveal left to each domain.
fn base_bounds() -> Bounds {
    let up_to = |max| BpsRange { min: 0, max };
    Bounds {
        max_fee_bps: 3_000,
        max_model_share_bps: 6_000,
        miners_bps: up_to(9_900),
        stakers_bps: up_to(9_900),
        validators_bps: up_to(9_900),
        domain_owner_bps: up_to(1_000),
        model_owners_bps: up_to(9_900),
        min_emission_rate_e9: 0,
        max_emission_rate_e9: 100_000_000_000,
        min_floor: 0,
        max_floor: 1_000_000_000_000,
        min_ceiling: 0,
        max_ceiling: 10_000_000_000_000,
        min_epoch_secs: 60,
        max_epoch_secs: 30 * 86_400,
        min_quorum: 1,
        max_quorum: 16,
        max_tolerance_bps: 5_000,
        min_validator_stake: 1,
        max_validators: 16,
        max_staker_yield_bps: 1_000,
        min_claim_window_epochs: 1,
        max_claim_window_epochs: 100,
        max_unbonding_epochs: 100,
        max_shards: 16,
        keeper_tip_max: 1_000,
        global_cap_per_period: 1_000_000_000_000,
        period_secs: 86_400,
        min_auction_secs: 60,
        max_auction_secs: 7 * 86_400,
        min_auction_floor_e9: 1,
        max_emission_value_bps: 0,
        min_close_grace_secs: 0,
        max_close_grace_secs: 86_400,
        require_commit_reveal: false,
        guard_price_epochs: 1,
        max_offset_bps: 10_000,
    }
}

/// Governance bounds: the scenario's cap, period and tip, and ranges wide enough for
/// every domain it lists.
fn bounds_for(s: &Scenario) -> Bounds {
    let mut b = base_bounds();
    b.global_cap_per_period = s.governance.global_cap_per_period;
    b.period_secs = s.governance.period_secs;
    b.keeper_tip_max = s.governance.keeper_tip_max;
    b.guard_price_epochs = s.governance.guard_price_epochs;
    for d in &s.domains {
        b.min_close_grace_secs = b.min_close_grace_secs.min(d.close_grace_secs);
        b.max_close_grace_secs = b.max_close_grace_secs.max(d.close_grace_secs);
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
