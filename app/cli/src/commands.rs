//! Every command that talks to a cluster: governance and domain administration, models,
//! payments, staking, registration, attestation, claims, the buyback, and read-only views.
//! Generic over [`Cluster`], so the binary runs them over JSON-RPC and the tests on the
//! in-process runtime. Each returns an [`Output`]: a JSON document for `--json` and the
//! same facts as a table for people.
use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;
use deepnode::state::{
    Auction, Bounds, Config, Domain, DomainSettings, Epoch, EpochBook, EpochStatus, Model,
    RewardBalance, StakePosition, UnstakeTicket,
};
use deepnode_sdk::claims::{claim_planned, plan_claims, ClaimKind, ClaimScope, ClaimTo};
use deepnode_sdk::cluster::{all, read, Cluster};
use deepnode_sdk::ix::{self, Attestation, DnKeys, DomainKeys, StakerKeys, TicketKeys};
use deepnode_sdk::pda;
use serde_json::{json, Value};
use solana_sdk::instruction::Instruction;

use crate::table::grouped;
use deepnode_sdk::commit::{reveal_due, Batches, RevealOutcome};

/// The registered validator of `domain` with the least stake in the next epoch, which
/// `me` (registering) may displace only with strictly more (§7); an error naming the
/// least stake when `me` has no more.
async fn weakest_validator(c: &mut impl Cluster, domain: &Pubkey, me: &Pubkey) -> Result<Pubkey> {
    let mut weakest: Option<(u64, Pubkey)> = None;
    for (_, v) in all::<deepnode::state::Validator>(c).await? {
        if v.domain != *domain || !v.active {
            continue;
        }
        let p: Option<deepnode::state::StakePosition> =
            read(c, &pda::stake_position(domain, &v.authority)).await?;
        let stake = p.map(|p| p.weight + p.pending).unwrap_or(0);
        if weakest.is_none_or(|(least, _)| stake < least) {
            weakest = Some((stake, v.authority));
        }
    }
    let mine: Option<deepnode::state::StakePosition> =
        read(c, &pda::stake_position(domain, me)).await?;
    let mine = mine.map(|p| p.weight + p.pending).unwrap_or(0);
    match weakest {
        Some((least, v)) if mine > least => Ok(v),
        Some((least, _)) => bail!(
            "the validator set is full and every validator holds at least {least} DN of stake \
             in the next epoch; displacing one needs strictly more (you have {mine})"
        ),
        None => bail!("the validator set is full but no registered validator was found"),
    }
}

/// What a command printed: one JSON document, and the human form.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The `--json` document.
    pub json: Value,
    /// Tables and lines for people.
    pub human: String,
}

/// Commands that read or write a cluster.
#[derive(Debug, Subcommand)]
pub enum ClusterCmd {
    /// Protocol configuration and governance.
    #[command(subcommand)]
    Protocol(ProtocolCmd),
    /// Initialise the protocol and create the domains a config file lists (idempotent:
    /// only what is missing; see migrations/config.example.json).
    Deploy {
        /// The deployment's config file.
        #[arg(long)]
        config: PathBuf,
    },
    /// Domains.
    #[command(subcommand)]
    Domain(DomainCmd),
    /// Epochs.
    #[command(subcommand)]
    Epoch(EpochCmd),
    /// Models.
    #[command(subcommand)]
    Model(ModelCmd),
    /// Pay for a model's usage from your revenue-token account.
    Pay(PayArgs),
    /// Stake DN in a domain (active from the next epoch).
    Stake {
        /// Domain id.
        domain: u64,
        /// DN base units.
        amount: u64,
    },
    /// Ask to unstake DN (withdrawable after the unbonding epochs).
    Unstake {
        /// Domain id.
        domain: u64,
        /// DN base units.
        amount: u64,
    },
    /// Withdraw an unstake ticket that has unbonded.
    Withdraw {
        /// Domain id.
        domain: u64,
        /// The epoch the unstake was requested in.
        #[arg(long)]
        epoch: u64,
    },
    /// Register as a miner or a validator.
    #[command(subcommand)]
    Register(RegisterCmd),
    /// Attest miners' work units in the open epoch (as a registered validator). On a
    /// commit-reveal domain this commits to them and saves the batches in --reveals, to
    /// reveal after the epoch's end (`reveal`, or a keeper run with --reveals).
    Attest {
        /// Domain id.
        domain: u64,
        /// MINER=UNITS, one per miner.
        #[arg(required = true, value_parser = parse_line)]
        lines: Vec<(Pubkey, u64)>,
        /// Revise earlier attestations instead of adding new ones.
        #[arg(long)]
        revise: bool,
        /// Folder of the batches committed and not yet revealed.
        #[arg(long, default_value_os_t = default_reveals())]
        reveals: PathBuf,
    },
    /// Reveal every committed batch in --reveals whose epoch has ended (before it
    /// closes); batches of epochs not ended yet wait, those of closed epochs are dropped.
    Reveal {
        /// Folder of the batches committed and not yet revealed.
        #[arg(long, default_value_os_t = default_reveals())]
        reveals: PathBuf,
    },
    /// Claim everything claimable in a domain: your credited balance, staker rewards and
    /// your models' revenue, into your associated token accounts.
    Claim {
        /// Domain id.
        domain: u64,
    },
    /// Buy revenue tokens from a domain's buyback auction, paying DN (which is burned).
    Buyback {
        /// Domain id.
        domain: u64,
        /// Revenue-token base units to buy.
        quantity: u64,
        /// Highest price accepted (DN units per revenue unit, × 10⁹).
        #[arg(long)]
        max_price_e9: u64,
    },
    /// What you (or OWNER) can claim in a domain.
    Claimable {
        /// Domain id.
        domain: u64,
        /// Whose (default: the keypair's).
        #[arg(long)]
        owner: Option<Pubkey>,
    },
}

/// `protocol` commands.
#[derive(Debug, Subcommand)]
pub enum ProtocolCmd {
    /// The protocol's configuration.
    Show,
    /// Pause payments, new domains and models, purchases, staking, registrations and
    /// attestations (governance).
    Pause,
    /// Lift a pause (governance).
    Unpause,
    /// Replace the bounds every domain parameter must respect (governance; JSON file).
    Bounds {
        /// Bounds as JSON (the fields of `Bounds` in the IDL).
        #[arg(long)]
        file: PathBuf,
    },
}

/// `domain` commands.
#[derive(Debug, Subcommand)]
pub enum DomainCmd {
    /// A domain's state and settings.
    Show {
        /// Domain id.
        domain: u64,
    },
    /// Queue new settings for the domain's next epoch (domain owner; JSON file).
    Settings {
        /// Domain id.
        domain: u64,
        /// Settings as JSON (the fields of `DomainSettings` in the IDL).
        #[arg(long)]
        file: PathBuf,
    },
}

/// `epoch` commands.
#[derive(Debug, Subcommand)]
pub enum EpochCmd {
    /// An epoch with its settlement: revenue, budget, minted, withheld, pools.
    Show {
        /// Domain id.
        domain: u64,
        /// Epoch index (default: the open one).
        index: Option<u64>,
    },
    /// Close the domain's open epoch once it is due (anyone; keepers do it).
    Close {
        /// Domain id.
        domain: u64,
    },
}

/// `model` commands.
#[derive(Debug, Subcommand)]
pub enum ModelCmd {
    /// Mint a model you own in a domain.
    Mint {
        /// Domain id.
        domain: u64,
        /// Your share of each payment, in bps.
        #[arg(long)]
        owner_share_bps: u16,
    },
    /// A model's state.
    Show {
        /// Domain id.
        domain: u64,
        /// Model id.
        model: u64,
    },
}

/// The default folder of committed batches: `~/.config/deepnode/reveals`.
pub fn default_reveals() -> PathBuf {
    let home = std::env::var_os("HOME").unwrap_or_default();
    PathBuf::from(home).join(".config/deepnode/reveals")
}

/// `register` commands.
#[derive(Debug, Subcommand)]
pub enum RegisterCmd {
    /// Register the keypair as a miner.
    Miner {
        /// Domain id.
        domain: u64,
    },
    /// Register the keypair as a validator (needs the domain's minimum active stake).
    /// When the set is full, it takes the place of the registered validator with the
    /// least stake in the next epoch, if it has strictly more (§7).
    Validator {
        /// Domain id.
        domain: u64,
    },
}

/// `pay` arguments.
#[derive(Debug, Args)]
pub struct PayArgs {
    /// Domain id.
    pub domain: u64,
    /// Model id.
    pub model: u64,
    /// Revenue-token base units.
    pub amount: u64,
    /// Vault shard to pay through.
    #[arg(long, default_value_t = 0)]
    pub shard: u8,
    /// Usage units the payment covers.
    #[arg(long, default_value_t = 1)]
    pub units: u64,
}

fn parse_line(s: &str) -> Result<(Pubkey, u64), String> {
    let (miner, units) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write MINER=UNITS"))?;
    let miner = miner
        .parse()
        .map_err(|_| format!("`{miner}` is not a public key"))?;
    let units = units
        .parse()
        .map_err(|_| format!("`{units}` is not a number of units"))?;
    Ok((miner, units))
}

fn kv(rows: &[(&str, String)]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    for (k, v) in rows {
        t.add_row(vec![k.to_string(), v.clone()]);
    }
    format!("{t}\n")
}

fn sent(what: String, signature: &solana_sdk::signature::Signature, extra: Value) -> Output {
    let mut json = json!({ "done": what, "signature": signature.to_string() });
    if let (Value::Object(m), Value::Object(e)) = (&mut json, extra) {
        m.extend(e);
    }
    Output {
        human: format!("{what}\nsignature {signature}\n"),
        json,
    }
}

/// The protocol's configuration, or what to do when there is none.
async fn config(c: &mut impl Cluster) -> Result<Config> {
    read::<Config>(c, &pda::config()).await?.ok_or_else(|| {
        anyhow!(
            "no DeepNode protocol on this cluster: is the program deployed and initialised \
             there? (check --url; `deepnode deploy --config FILE` initialises it)"
        )
    })
}

/// Domain `id`, or what to do when it does not exist.
async fn domain(c: &mut impl Cluster, id: u64) -> Result<(Pubkey, Domain)> {
    let count = config(c).await?.domain_count;
    let key = pda::domain(id);
    match read::<Domain>(c, &key).await? {
        Some(d) => Ok((key, d)),
        None => bail!(
            "domain {id} not found: this protocol has {count} domain(s), ids 0..{count} \
             (see `deepnode protocol show`)"
        ),
    }
}

fn dn_keys(cfg: &Config) -> DnKeys {
    DnKeys {
        mint: cfg.dn_mint,
        token_program: cfg.dn_token_program,
    }
}

/// The payer's associated account for `mint`, created first if missing (idempotent).
fn ata(payer: &Pubkey, mint: &Pubkey, program: &Pubkey) -> (Pubkey, Instruction) {
    (
        ix::associated_token_address(payer, mint, program),
        create_associated_token_account_idempotent(payer, payer, mint, program),
    )
}

async fn staker_keys(c: &mut impl Cluster, cfg: &Config, domain: &Pubkey) -> Result<StakerKeys> {
    let owner = c.payer();
    let position: Option<StakePosition> = read(c, &pda::stake_position(domain, &owner)).await?;
    Ok(StakerKeys {
        owner,
        owner_dn: ix::associated_token_address(&owner, &cfg.dn_mint, &cfg.dn_token_program),
        change_epoch: position.map_or(0, |p| p.change_epoch),
    })
}

/// Runs one cluster command.
pub async fn exec(cmd: ClusterCmd, c: &mut impl Cluster) -> Result<Output> {
    // One state machine for every command is large (tens of kilobytes in debug builds):
    // kept on the heap so that callers on small stacks (tokio workers, test threads) can
    // run it.
    Box::pin(exec_command(cmd, c)).await
}

/// The body of [`exec`].
async fn exec_command(cmd: ClusterCmd, c: &mut impl Cluster) -> Result<Output> {
    match cmd {
        ClusterCmd::Protocol(ProtocolCmd::Show) => protocol_show(c).await,
        ClusterCmd::Protocol(ProtocolCmd::Pause) => set_paused(c, true).await,
        ClusterCmd::Protocol(ProtocolCmd::Unpause) => set_paused(c, false).await,
        ClusterCmd::Protocol(ProtocolCmd::Bounds { file }) => protocol_bounds(c, file).await,
        ClusterCmd::Deploy { config: path } => deploy(c, path).await,
        ClusterCmd::Domain(DomainCmd::Show { domain: id }) => domain_show(c, id).await,
        ClusterCmd::Domain(DomainCmd::Settings { domain: id, file }) => {
            domain_settings(c, id, file).await
        }
        ClusterCmd::Epoch(EpochCmd::Show { domain: id, index }) => epoch_show(c, id, index).await,
        ClusterCmd::Epoch(EpochCmd::Close { domain: id }) => epoch_close(c, id).await,
        ClusterCmd::Model(ModelCmd::Mint {
            domain: id,
            owner_share_bps,
        }) => model_mint(c, id, owner_share_bps).await,
        ClusterCmd::Model(ModelCmd::Show { domain: id, model }) => model_show(c, id, model).await,
        ClusterCmd::Pay(a) => pay_command(c, a).await,
        ClusterCmd::Stake { domain: id, amount } => stake(c, id, amount).await,
        ClusterCmd::Unstake { domain: id, amount } => unstake(c, id, amount).await,
        ClusterCmd::Withdraw { domain: id, epoch } => withdraw(c, id, epoch).await,
        ClusterCmd::Register(r) => register(c, r).await,
        ClusterCmd::Attest {
            domain: id,
            lines,
            revise,
            reveals,
        } => attest(c, id, lines, revise, reveals).await,
        ClusterCmd::Reveal { reveals } => reveal(c, reveals).await,
        ClusterCmd::Claim { domain: id } => claim(c, id).await,
        ClusterCmd::Buyback {
            domain: id,
            quantity,
            max_price_e9,
        } => buyback(c, id, quantity, max_price_e9).await,
        ClusterCmd::Claimable { domain: id, owner } => claimable(c, id, owner).await,
    }
}

/// `protocol show`: the config, its bounds and the supply.
async fn protocol_show(c: &mut impl Cluster) -> Result<Output> {
    let cfg = config(c).await?;
    let json = json!({
        "authority": cfg.authority.to_string(),
        "paused": cfg.paused,
        "dn_mint": cfg.dn_mint.to_string(),
        "dn_token_program": cfg.dn_token_program.to_string(),
        "foundation": cfg.foundation.to_string(),
        "initial_supply": cfg.initial_supply,
        "dn_minted": cfg.dn_minted,
        "max_supply": cfg.max_supply,
        "domain_count": cfg.domain_count,
        "bounds": serde_json::to_value(cfg.bounds)?,
    });
    let human = kv(&[
        ("authority", cfg.authority.to_string()),
        ("paused", cfg.paused.to_string()),
        ("DN mint", cfg.dn_mint.to_string()),
        ("foundation", cfg.foundation.to_string()),
        ("initial supply", grouped(cfg.initial_supply)),
        ("DN minted", grouped(cfg.dn_minted)),
        ("max supply", cfg.max_supply.map_or("none".into(), grouped)),
        ("domains", cfg.domain_count.to_string()),
        (
            "global cap per period",
            grouped(cfg.bounds.global_cap_per_period),
        ),
        ("period (s)", cfg.bounds.period_secs.to_string()),
        ("keeper tip max", grouped(cfg.bounds.keeper_tip_max)),
    ]);
    Ok(Output { json, human })
}

/// `protocol pause` / `unpause`: governance sets the pause flag.
async fn set_paused(c: &mut impl Cluster, pause: bool) -> Result<Output> {
    let me = c.payer();
    let cfg = config(c).await?;
    if cfg.authority != me {
        bail!(
            "only governance ({}) can pause or unpause; you are {me}",
            cfg.authority
        );
    }
    let sig = c.send(&[ix::set_paused(me, pause)], &[]).await?;
    let what = if pause {
        "protocol paused"
    } else {
        "protocol unpaused"
    };
    Ok(sent(what.into(), &sig, json!({ "paused": pause })))
}

/// `protocol bounds`: governance replaces the bounds with those of a JSON file.
async fn protocol_bounds(c: &mut impl Cluster, file: PathBuf) -> Result<Output> {
    let me = c.payer();
    let bounds: Bounds = read_json(&file)?;
    config(c).await?;
    let sig = c.send(&[ix::update_bounds(me, bounds)], &[]).await?;
    Ok(sent("bounds updated".into(), &sig, json!({})))
}

/// `deploy`: brings a cluster to a deployment file's state (deepnode-migrate).
async fn deploy(c: &mut impl Cluster, path: PathBuf) -> Result<Output> {
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let cfg = deepnode_migrate::parse_config(&text).map_err(|e| anyhow!("{e}"))?;
    let mut steps = Vec::new();
    let mut record = |label: &str, sig: &solana_sdk::signature::Signature| {
        steps.push(json!({ "step": label, "signature": sig.to_string() }));
    };
    deepnode_migrate::run(c, &cfg, &mut record)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let human = if steps.is_empty() {
        format!(
            "deployment already matches {}: nothing to do\n",
            path.display()
        )
    } else {
        steps
            .iter()
            .map(|s| {
                format!(
                    "{}: {}\n",
                    s["step"].as_str().unwrap_or(""),
                    s["signature"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    Ok(Output {
        json: json!({ "steps": steps }),
        human,
    })
}

/// `domain show`: a domain's settings, counters and pending settings.
async fn domain_show(c: &mut impl Cluster, id: u64) -> Result<Output> {
    let (key, d) = domain(c, id).await?;
    let o = deepnode_sdk::offset::offset_view(c, &key).await?;
    let json = json!({
        "id": d.id,
        "address": key.to_string(),
        "owner": d.owner.to_string(),
        "fee_authority": d.fee_authority.to_string(),
        "revenue_mint": d.revenue_mint.to_string(),
        "revenue_is_dn": d.revenue_is_dn,
        "shards": d.shard_count,
        "current_epoch": d.current_epoch,
        "models": d.model_count,
        "validators_active": d.validators_active,
        "miners_active": d.miners_active,
        "settings": serde_json::to_value(d.settings)?,
        "pending_settings": serde_json::to_value(d.pending_settings)?,
        "offset": {
            "offset_bps": d.settings.offset_bps,
            "stock_for_sale": o.stock_for_sale,
            "for_sale": o.for_sale,
            "reserve": o.reserve,
            "reserve_paid_in": o.reserve_in,
            "reserve_paid_out": o.reserve_out,
        },
    });
    let s = &d.settings;
    let human = kv(&[
        ("domain", format!("{} ({key})", d.id)),
        ("owner", d.owner.to_string()),
        (
            "revenue mint",
            format!(
                "{}{}",
                d.revenue_mint,
                if d.revenue_is_dn { " (DN)" } else { "" }
            ),
        ),
        ("open epoch", d.current_epoch.to_string()),
        ("shards", d.shard_count.to_string()),
        ("models", d.model_count.to_string()),
        (
            "active validators / miners",
            format!("{} / {}", d.validators_active, d.miners_active),
        ),
        ("fee", format!("{} bps", s.fee_bps)),
        ("emission rate (×10⁹)", grouped(s.emission_rate_e9)),
        (
            "floor / ceiling",
            format!("{} / {}", grouped(s.floor), grouped(s.ceiling)),
        ),
        ("epoch length (s)", s.epoch_secs.to_string()),
        (
            "quorum / tolerance",
            format!("{} / {} bps", s.quorum, s.tolerance_bps),
        ),
        ("claim window (epochs)", s.claim_window_epochs.to_string()),
        (
            "offset (§14)",
            format!(
                "{} bps · {} of {} for sale is offset stock · reserve {} DN",
                s.offset_bps,
                grouped(o.stock_for_sale),
                grouped(o.for_sale),
                grouped(o.reserve)
            ),
        ),
    ]);
    Ok(Output { json, human })
}

/// `domain settings`: the owner queues new settings from a JSON file.
async fn domain_settings(c: &mut impl Cluster, id: u64, file: PathBuf) -> Result<Output> {
    let me = c.payer();
    let settings: DomainSettings = read_json(&file)?;
    let (key, d) = domain(c, id).await?;
    if d.owner != me {
        bail!(
            "only the domain's owner ({}) can change its settings; you are {me}",
            d.owner
        );
    }
    let sig = c
        .send(&[ix::update_domain_settings(me, key, settings)], &[])
        .await?;
    Ok(sent(
        format!("settings queued for domain {id} (they apply from its next epoch)"),
        &sig,
        json!({ "domain": id }),
    ))
}

/// `epoch show`: an epoch (the open one by default) and its book.
async fn epoch_show(c: &mut impl Cluster, id: u64, index: Option<u64>) -> Result<Output> {
    let (key, d) = domain(c, id).await?;
    let index = index.unwrap_or(d.current_epoch);
    let e: Epoch = read(c, &pda::epoch(&key, index)).await?.ok_or_else(|| {
        anyhow!(
            "epoch {index} of domain {id} does not exist (open epoch: {})",
            d.current_epoch
        )
    })?;
    let book: Option<EpochBook> = read(c, &pda::epoch_book(&key, index)).await?;
    epoch_view(id, &e, book.as_ref(), c.now().await?)
}

/// `epoch close`: closes the open epoch once it is due.
async fn epoch_close(c: &mut impl Cluster, id: u64) -> Result<Output> {
    let me = c.payer();
    let (key, d) = domain(c, id).await?;
    let e: Epoch = read(c, &pda::epoch(&key, d.current_epoch))
        .await?
        .ok_or_else(|| anyhow!("the open epoch of domain {id} is missing"))?;
    let now = c.now().await?;
    let due = deepnode_math::close_time(e.end_ts, e.settings.close_grace_secs).unwrap_or(i64::MAX);
    if now < due {
        bail!(
            "epoch {} of domain {id} is not yet due: it can be closed at {due} \
             (in {} s; its end plus the {} s grace window)",
            d.current_epoch,
            due - now,
            e.settings.close_grace_secs
        );
    }
    let keys = DomainKeys::new(key, &d);
    let sig = c
        .send(&[ix::close_epoch(me, &keys, d.shards_ready)], &[])
        .await?;
    Ok(sent(
        format!("epoch {} of domain {id} closed", d.current_epoch),
        &sig,
        json!({ "domain": id, "epoch": d.current_epoch }),
    ))
}

/// `model mint`: mints the domain's next model to the payer.
async fn model_mint(c: &mut impl Cluster, id: u64, owner_share_bps: u16) -> Result<Output> {
    let me = c.payer();
    let (key, d) = domain(c, id).await?;
    let model = pda::model(&key, d.model_count);
    let sig = c
        .send(
            &[ix::mint_model(me, key, d.model_count, owner_share_bps)],
            &[],
        )
        .await?;
    Ok(sent(
        format!("model {} minted in domain {id}: {model}", d.model_count),
        &sig,
        json!({ "domain": id, "model": d.model_count, "address": model.to_string() }),
    ))
}

/// `model show`: one model's owner, share and revenue.
async fn model_show(c: &mut impl Cluster, id: u64, model: u64) -> Result<Output> {
    let (key, _) = domain(c, id).await?;
    let address = pda::model(&key, model);
    let m: Model = read(c, &address)
        .await?
        .ok_or_else(|| anyhow!("model {model} of domain {id} not found (see `deepnode domain show {id}` for its model count)"))?;
    let json = json!({
        "domain": id, "model": m.id, "address": address.to_string(),
        "owner": m.owner.to_string(), "owner_share_bps": m.owner_share_bps,
        "active": m.active, "claimable": m.claimable,
        "lifetime_revenue": m.lifetime_revenue, "lifetime_owner_share": m.lifetime_owner_share,
    });
    let human = kv(&[
        ("model", format!("{} ({address})", m.id)),
        ("owner", m.owner.to_string()),
        ("owner share", format!("{} bps", m.owner_share_bps)),
        ("active", m.active.to_string()),
        ("claimable", grouped(m.claimable)),
        ("lifetime revenue", grouped(m.lifetime_revenue)),
    ]);
    Ok(Output { json, human })
}

/// `pay`: one payment for a model's usage.
async fn pay_command(c: &mut impl Cluster, a: PayArgs) -> Result<Output> {
    let me = c.payer();
    let (key, d) = domain(c, a.domain).await?;
    let model = pda::model(&key, a.model);
    if read::<Model>(c, &model).await?.is_none() {
        bail!(
            "model {} of domain {} not found: the domain has {} model(s), ids 0..{}",
            a.model,
            a.domain,
            d.model_count,
            d.model_count
        );
    }
    let keys = DomainKeys::new(key, &d);
    let from = ix::associated_token_address(&me, &d.revenue_mint, &d.revenue_token_program);
    let sig = c
        .send(
            &[ix::pay(&keys, me, from, model, a.shard, a.amount, a.units)],
            &[],
        )
        .await?;
    Ok(sent(
        format!(
            "paid {} for model {} of domain {}",
            grouped(a.amount),
            a.model,
            a.domain
        ),
        &sig,
        json!({ "domain": a.domain, "model": a.model, "amount": a.amount }),
    ))
}

/// `stake`: stakes DN in a domain (opening the position first when needed).
async fn stake(c: &mut impl Cluster, id: u64, amount: u64) -> Result<Output> {
    let me = c.payer();
    let cfg = config(c).await?;
    let (key, _) = domain(c, id).await?;
    let mut ixs = Vec::new();
    if read::<StakePosition>(c, &pda::stake_position(&key, &me))
        .await?
        .is_none()
    {
        ixs.push(ix::open_stake_position(me, key));
    }
    let keys = staker_keys(c, &cfg, &key).await?;
    ixs.push(ix::stake(key, &dn_keys(&cfg), &keys, amount));
    let sig = c.send(&ixs, &[]).await?;
    Ok(sent(
        format!(
            "staked {} DN in domain {id} (active from the next epoch)",
            grouped(amount)
        ),
        &sig,
        json!({ "domain": id, "amount": amount }),
    ))
}

/// `unstake`: requests stake out; it unbonds before it can be withdrawn.
async fn unstake(c: &mut impl Cluster, id: u64, amount: u64) -> Result<Output> {
    let cfg = config(c).await?;
    let (key, d) = domain(c, id).await?;
    let keys = staker_keys(c, &cfg, &key).await?;
    let sig = c
        .send(
            &[ix::request_unstake(key, &keys, d.current_epoch, amount)],
            &[],
        )
        .await?;
    Ok(sent(
        format!(
            "unstake of {} DN requested in epoch {} of domain {id} (withdraw with --epoch {})",
            grouped(amount),
            d.current_epoch,
            d.current_epoch
        ),
        &sig,
        json!({ "domain": id, "amount": amount, "epoch": d.current_epoch }),
    ))
}

/// `withdraw`: withdraws an unstake ticket once unbonded.
async fn withdraw(c: &mut impl Cluster, id: u64, epoch: u64) -> Result<Output> {
    let me = c.payer();
    let cfg = config(c).await?;
    let (key, d) = domain(c, id).await?;
    let position = pda::stake_position(&key, &me);
    let ticket: UnstakeTicket = read(c, &pda::unstake_ticket(&position, epoch))
        .await?
        .ok_or_else(|| {
            anyhow!(
                "no unstake ticket of epoch {epoch} in domain {id}: pass the epoch \
                 `deepnode unstake` printed (see `deepnode claimable {id}`)"
            )
        })?;
    if d.current_epoch < ticket.withdrawable_epoch {
        bail!(
            "the ticket unbonds in epoch {} (open epoch: {})",
            ticket.withdrawable_epoch,
            d.current_epoch
        );
    }
    let keys = staker_keys(c, &cfg, &key).await?;
    let t = TicketKeys {
        epoch,
        pending_epoch: ticket.pending_epoch,
    };
    let sig = c
        .send(&[ix::withdraw_stake(key, &dn_keys(&cfg), &keys, t)], &[])
        .await?;
    Ok(sent(
        format!("withdrew {} DN from domain {id}", grouped(ticket.principal)),
        &sig,
        json!({ "domain": id, "amount": ticket.principal }),
    ))
}

/// `register miner` / `register validator`.
async fn register(c: &mut impl Cluster, r: RegisterCmd) -> Result<Output> {
    let me = c.payer();
    let (id, role) = match r {
        RegisterCmd::Miner { domain } => (domain, "miner"),
        RegisterCmd::Validator { domain } => (domain, "validator"),
    };
    let (key, d) = domain(c, id).await?;
    let mut displaced = None;
    let i = if role == "miner" {
        ix::register_miner(me, key)
    } else {
        if d.validators_active >= d.settings.max_validators {
            displaced = Some(weakest_validator(c, &key, &me).await?);
        }
        ix::register_validator_displacing(me, key, displaced)
    };
    let sig = c.send(&[i], &[]).await?;
    let what = match displaced {
        Some(v) => format!("registered as a {role} in domain {id}, in place of {v}"),
        None => format!("registered as a {role} in domain {id}"),
    };
    Ok(sent(
        what,
        &sig,
        json!({ "domain": id, "role": role, "displaced": displaced.map(|v| v.to_string()) }),
    ))
}

/// `attest`: attests miners' work in the open epoch (committed when the domain uses
/// commit-reveal, the batches kept in `reveals`).
async fn attest(
    c: &mut impl Cluster,
    id: u64,
    lines: Vec<(Pubkey, u64)>,
    revise: bool,
    reveals: PathBuf,
) -> Result<Output> {
    let me = c.payer();
    let (key, d) = domain(c, id).await?;
    let lines: Vec<Attestation> = lines
        .iter()
        .map(|(miner, units)| Attestation {
            miner: *miner,
            units: *units,
            revise,
        })
        .collect();
    let e: Epoch = read(c, &pda::epoch(&key, d.current_epoch))
        .await?
        .ok_or_else(|| anyhow!("the open epoch of domain {id} is missing"))?;
    if e.settings.commit_reveal {
        if revise {
            bail!("domain {id} attests by commit and reveal: nothing revealed can be revised");
        }
        let prefix = c.prefix();
        let batches =
            Batches::fitting(key, me, d.current_epoch, &lines, &me, &prefix, rand::random);
        let (root, count) = batches.commitment();
        let sig = c
            .send(
                &[ix::commit_attestations(
                    me,
                    key,
                    d.current_epoch,
                    root,
                    count,
                )],
                &[],
            )
            .await?;
        let file = batches
            .to_file()
            .save(&reveals)
            .with_context(|| format!("saving the batches in {}", reveals.display()))?;
        return Ok(sent(
            format!(
                "committed {} miner(s) in {count} batch(es) for epoch {} of domain {id}; \
                 reveal them after the epoch ends at {} and before it closes \
                 (`deepnode reveal`, or a keeper run with --reveals): {}",
                lines.len(),
                d.current_epoch,
                e.end_ts,
                file.display()
            ),
            &sig,
            json!({
                "domain": id, "epoch": d.current_epoch, "lines": lines.len(),
                "batches": count, "reveals": file.display().to_string(),
            }),
        ));
    }
    let sig = c
        .send(&[ix::attest(me, key, d.current_epoch, &lines)], &[])
        .await?;
    Ok(sent(
        format!(
            "attested {} miner(s) in epoch {} of domain {id}",
            lines.len(),
            d.current_epoch
        ),
        &sig,
        json!({ "domain": id, "epoch": d.current_epoch, "lines": lines.len() }),
    ))
}

/// `reveal`: reveals the committed batches whose epoch ended.
async fn reveal(c: &mut impl Cluster, reveals: PathBuf) -> Result<Output> {
    let done = reveal_due(c, &reveals).await?;
    let mut human = String::new();
    let mut rows = Vec::new();
    for (path, outcome) in &done {
        let (what, batches) = match outcome {
            RevealOutcome::Revealed(n) => ("revealed", *n),
            RevealOutcome::NotYet => ("waiting for the epoch's end", 0),
            RevealOutcome::TooLate => ("dropped: the epoch has closed", 0),
        };
        human.push_str(&format!("{}: {what}\n", path.display()));
        rows.push(
            json!({ "file": path.display().to_string(), "outcome": what, "batches": batches }),
        );
    }
    if done.is_empty() {
        human.push_str(&format!("nothing to reveal in {}\n", reveals.display()));
    }
    Ok(Output {
        json: json!({ "reveals": rows }),
        human,
    })
}

/// `buyback`: buys revenue tokens from the auction with DN, under a price bound.
async fn buyback(
    c: &mut impl Cluster,
    id: u64,
    quantity: u64,
    max_price_e9: u64,
) -> Result<Output> {
    let me = c.payer();
    let cfg = config(c).await?;
    let (key, d) = domain(c, id).await?;
    let auction: Auction = read(c, &pda::auction(&key)).await?.ok_or_else(|| {
        anyhow!(
            "domain {id} has no buyback auction yet: governance sets one with \
                 set_auction_params"
        )
    })?;
    let keys = DomainKeys::new(key, &d);
    let dn_account = ix::associated_token_address(&me, &cfg.dn_mint, &cfg.dn_token_program);
    let (rev, create_rev) = ata(&me, &d.revenue_mint, &d.revenue_token_program);
    let buy = ix::buy_back(
        &keys,
        &dn_keys(&cfg),
        me,
        dn_account,
        rev,
        quantity,
        max_price_e9,
    );
    let sig = c.send(&[create_rev, buy], &[]).await?;
    Ok(sent(
        format!(
            "bought {} revenue units from the buyback of domain {id} ({} were available)",
            grouped(quantity),
            grouped(auction.available)
        ),
        &sig,
        json!({ "domain": id, "quantity": quantity }),
    ))
}

/// `claimable`: what a wallet can claim in a domain.
async fn claimable(c: &mut impl Cluster, id: u64, owner: Option<Pubkey>) -> Result<Output> {
    let me = c.payer();
    let who = owner.unwrap_or(me);
    let (key, _) = domain(c, id).await?;
    let balance: Option<RewardBalance> = read(c, &pda::reward(&key, &who)).await?;
    let position: Option<StakePosition> = read(c, &pda::stake_position(&key, &who)).await?;
    let models: Vec<(Pubkey, Model)> = all::<Model>(c)
        .await?
        .into_iter()
        .filter(|(_, m)| m.domain == key && m.owner == who)
        .collect();
    let (dn, rev) = balance.as_ref().map_or((0, 0), |b| (b.dn_owed, b.rev_owed));
    let (staked, stake_dn, stake_rev) = position
        .as_ref()
        .map_or((0, 0, 0), |p| (p.weight, p.dn_owed, p.rev_owed));
    let model_rev: u64 = models.iter().map(|(_, m)| m.claimable).sum();
    let json = json!({
        "domain": id, "owner": who.to_string(),
        "balance": { "dn": dn, "revenue": rev },
        "stake": { "active": staked, "dn_owed": stake_dn, "revenue_owed": stake_rev },
        "models": { "count": models.len(), "claimable": model_rev },
    });
    let human = kv(&[
        ("owner", who.to_string()),
        ("credited DN", grouped(dn)),
        ("credited revenue", grouped(rev)),
        ("active stake", grouped(staked)),
        (
            "staker rewards recorded (DN / revenue)",
            format!("{} / {}", grouped(stake_dn), grouped(stake_rev)),
        ),
        (
            "models' revenue",
            format!("{} over {} model(s)", grouped(model_rev), models.len()),
        ),
    ]);
    Ok(Output { json, human })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &PathBuf) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

fn epoch_view(id: u64, e: &Epoch, book: Option<&EpochBook>, now: i64) -> Result<Output> {
    let status = match e.status {
        EpochStatus::Open => "open",
        EpochStatus::Closed => "closed",
        EpochStatus::Finalised => "finalised",
        EpochStatus::Settled => "settled",
    };
    let mut rows = vec![
        ("epoch", format!("{} of domain {id}", e.index)),
        ("status", status.to_string()),
        ("start / end", format!("{} / {}", e.start_ts, e.end_ts)),
        ("active stake", grouped(e.active_stake)),
        ("validator stake", grouped(e.validator_stake)),
        ("work records", grouped(e.work_records)),
    ];
    if e.status == EpochStatus::Open {
        let due =
            deepnode_math::close_time(e.end_ts, e.settings.close_grace_secs).unwrap_or(i64::MAX);
        rows.push((
            "closable",
            if now >= due {
                "now".into()
            } else {
                format!("in {} s", due - now)
            },
        ));
    }
    let mut json = json!({
        "domain": id, "index": e.index, "status": status, "start_ts": e.start_ts,
        "end_ts": e.end_ts, "active_stake": e.active_stake, "validator_stake": e.validator_stake,
        "work_records": e.work_records,
    });
    let mut human = kv(&rows);
    if let (Some(b), EpochStatus::Settled) = (book, e.status) {
        let s = &b.settlement;
        json["settlement"] = json!({
            "revenue": s.revenue, "budget": s.budget, "tip": s.tip, "minted": s.minted,
            "withheld": s.withheld, "rolled_out": s.rolled_out, "swept": s.swept,
            "dn_pools": pools_json(&s.dn_pools), "rev_pools": pools_json(&s.rev_pools),
            "offset": { "stock": s.offset_stock, "from_reserve": s.from_reserve },
        });
        human.push_str(&kv(&[
            ("revenue", grouped(s.revenue)),
            ("budget", grouped(s.budget)),
            ("minted (tip included)", grouped(s.minted)),
            ("paid from the offset reserve", grouped(s.from_reserve)),
            ("offset stock to the auction", grouped(s.offset_stock)),
            ("keeper tip", grouped(s.tip)),
            ("withheld", grouped(s.withheld)),
            ("swept", s.swept.to_string()),
        ]));
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_header(vec!["pool", "DN", "revenue"]);
        for (i, name) in deepnode_math::ROLE_NAMES.iter().enumerate() {
            t.add_row(vec![
                name.to_string(),
                grouped(s.dn_pools[i]),
                grouped(s.rev_pools[i]),
            ]);
        }
        human.push_str(&format!("{t}\n"));
    }
    Ok(Output { json, human })
}

fn pools_json(p: &[u64; deepnode_math::ROLES]) -> Value {
    let mut m = serde_json::Map::new();
    for (i, name) in deepnode_math::ROLE_NAMES.iter().enumerate() {
        m.insert(name.to_string(), json!(p[i]));
    }
    Value::Object(m)
}

/// Claims everything the payer can claim in domain `id` (deepnode_sdk::claims): the
/// credited balance, matured unstake tickets, staker rewards and every owned model's
/// revenue, into the payer's associated accounts (created if missing).
async fn claim(c: &mut impl Cluster, id: u64) -> Result<Output> {
    let me = c.payer();
    let cfg = config(c).await?;
    let (key, d) = domain(c, id).await?;
    let models = all::<Model>(c).await?;
    let position = pda::stake_position(&key, &me);
    let tickets: Vec<u64> = all::<UnstakeTicket>(c)
        .await?
        .into_iter()
        .filter(|(k, t)| {
            t.domain == key && t.owner == me && *k == pda::unstake_ticket(&position, t.epoch)
        })
        .map(|(_, t)| t.epoch)
        .collect();
    let scope = ClaimScope {
        domain: DomainKeys::new(key, &d),
        shards: d.shard_count,
        dn: dn_keys(&cfg),
        owner: me,
        models: &models,
        tickets: &tickets,
    };
    let plan = plan_claims(c, &scope).await?;
    let (dn_account, create_dn) = ata(&me, &cfg.dn_mint, &cfg.dn_token_program);
    let (rev_account, create_rev) = ata(&me, &d.revenue_mint, &d.revenue_token_program);
    let mut setup = vec![create_rev];
    if plan.needs_dn() {
        setup.insert(0, create_dn);
    }
    let to = ClaimTo {
        dn: Some(dn_account),
        revenue: rev_account,
        setup,
    };
    let claimed = claim_planned(c, &scope, &plan, &to, &[]).await?;
    let mut done = Vec::new();
    let mut sigs = Vec::new();
    for cl in &claimed {
        let what = match &cl.kind {
            ClaimKind::Balance => json!({ "what": "balance" }),
            ClaimKind::Unstake { epoch } => json!({ "what": "unstake", "epoch": epoch }),
            ClaimKind::StakerRewards => json!({ "what": "staker rewards" }),
            ClaimKind::ModelRevenue { id, .. } => json!({ "what": "model revenue", "model": id }),
        };
        let mut entry = what;
        entry["dn"] = json!(cl.dn);
        entry["revenue"] = json!(cl.revenue);
        done.push(entry);
        sigs.extend(cl.signatures.iter().map(|s| s.to_string()));
    }
    let human = if done.is_empty() {
        format!("nothing to claim in domain {id}\n")
    } else {
        done.iter()
            .map(|d| format!("claimed {}\n", d))
            .collect::<String>()
    };
    Ok(Output {
        json: json!({ "domain": id, "claimed": done, "signatures": sigs }),
        human,
    })
}
