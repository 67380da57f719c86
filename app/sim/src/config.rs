//! The simulator's input: every assumption is a named parameter with a documented
//! default (`docs/economics.md` gives the reasoning behind each default). Amounts are
//! base units with 6 decimals for both DN and the revenue token (1 DN = 1,000,000;
//! $1 = 1,000,000), as on chain. Unknown keys are refused, so a typo is an error rather
//! than a silently ignored assumption.
use serde::{Deserialize, Serialize};

use crate::SimError;

/// One base unit scale: 10^6 (both tokens have 6 decimals).
pub const UNIT: u64 = 1_000_000;

/// A whole simulation: one market, run under both emission regimes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Seed of every random draw (demand noise, miners' costs, stakers' thresholds).
    pub seed: u64,
    /// Epochs to simulate.
    pub epochs: u32,
    /// The DN / revenue-token pool.
    pub market: MarketConfig,
    /// Consumers' demand for usage.
    pub demand: DemandConfig,
    /// Miners.
    pub miners: MinerConfig,
    /// Stakers (validators are configured apart).
    pub stakers: StakerConfig,
    /// Validators.
    pub validators: ValidatorConfig,
    /// What the other recipients sell of their DN.
    pub sellers: SellerConfig,
    /// Buyers of the buyback auction (DeepNode regime, revenue not paid in DN).
    pub buyback: BuybackConfig,
    /// The fixed-split regime.
    pub fixed: FixedConfig,
    /// The DeepNode regime: one domain's settings and governance bounds.
    pub deepnode: DeepNodeConfig,
    /// An optional wash-usage agent (PROTOCOL.md §13), DeepNode regime only.
    pub wash: Option<WashConfig>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            epochs: 365,
            market: MarketConfig::default(),
            demand: DemandConfig::default(),
            miners: MinerConfig::default(),
            stakers: StakerConfig::default(),
            validators: ValidatorConfig::default(),
            sellers: SellerConfig::default(),
            buyback: BuybackConfig::default(),
            fixed: FixedConfig::default(),
            deepnode: DeepNodeConfig::default(),
            wash: None,
        }
    }
}

/// A constant-product pool of DN against the revenue token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarketConfig {
    /// DN in the pool at the start (default 10,000,000 DN).
    pub pool_dn: u64,
    /// Revenue tokens in the pool at the start (default $10,000,000: DN starts at $1).
    pub pool_rev: u64,
    /// Swap fee kept by the pool (bps, default 30 as on most constant-product pools).
    pub swap_fee_bps: u16,
    /// DN held outside the model (treasury, team, long-term holders), counted in the
    /// supply and never traded (default 0).
    pub other_dn: u64,
}

impl Default for MarketConfig {
    fn default() -> Self {
        MarketConfig {
            pool_dn: 10_000_000 * UNIT,
            pool_rev: 10_000_000 * UNIT,
            swap_fee_bps: 30,
            other_dn: 0,
        }
    }
}

/// Shape of demand over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandPath {
    /// Flat at `start_units` for `bootstrap_epochs`, then growth.
    Bootstrap,
    /// Compound growth of `growth_bps_per_epoch` from `start_units` up to `max_units`.
    Growth,
    /// Flat at `start_units`.
    Flat,
    /// Growth, then at `shock_epoch` demand falls by `shock_depth_bps` for
    /// `shock_epochs`, then recovers to the growth path.
    Shock,
}

/// Consumers: work units demanded per epoch and the price they pay per unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandConfig {
    /// Shape (default growth).
    pub path: DemandPath,
    /// Units demanded in epoch 0 (default 200,000).
    pub start_units: u64,
    /// Growth per epoch (bps, default 100: 1% per epoch).
    pub growth_bps_per_epoch: u32,
    /// Demand never grows above this (default 5,000,000 units).
    pub max_units: u64,
    /// Epochs of flat demand before growth (bootstrap path, default 90).
    pub bootstrap_epochs: u32,
    /// First epoch of the shock (shock path, default 180).
    pub shock_epoch: u32,
    /// Depth of the shock (bps of demand lost, default 8,000).
    pub shock_depth_bps: u16,
    /// Length of the shock (epochs, default 60).
    pub shock_epochs: u32,
    /// Uniform noise on each epoch's demand, ± this many bps (default 500).
    pub noise_bps: u16,
    /// Revenue-token base units paid per work unit (default 10,000: $0.01).
    pub unit_price: u64,
    /// Consumers pay in DN, bought from the pool with the revenue token (default false:
    /// they pay the revenue token, a stablecoin).
    pub paid_in_dn: bool,
}

impl Default for DemandConfig {
    fn default() -> Self {
        DemandConfig {
            path: DemandPath::Growth,
            start_units: 200_000,
            growth_bps_per_epoch: 100,
            max_units: 5_000_000,
            bootstrap_epochs: 90,
            shock_epoch: 180,
            shock_depth_bps: 8_000,
            shock_epochs: 60,
            noise_bps: 500,
            unit_price: 10_000,
            paid_in_dn: false,
        }
    }
}

/// Miners: capacity, costs, what they sell, when they leave and join.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinerConfig {
    /// Miners active at epoch 0 (default 16).
    pub initial: u32,
    /// Miners that exist, active or not (default 64).
    pub max: u32,
    /// Work units a miner can serve per epoch (default 100,000).
    pub capacity_units: u64,
    /// Lowest cost per served unit, revenue base units (default 3,000: 30% of the price).
    pub cost_per_unit_min: u64,
    /// Highest cost per served unit (default 8,000); each miner's is drawn uniformly.
    pub cost_per_unit_max: u64,
    /// Cost per epoch of being active, served units or not (default $50).
    pub fixed_cost: u64,
    /// Share of the DN earned in an epoch sold beyond what covers costs (bps, default
    /// 5,000).
    pub sell_rest_bps: u16,
    /// Consecutive unprofitable epochs after which a miner leaves and sells its DN
    /// (default 5).
    pub patience_epochs: u32,
    /// A miner joins when the income it expects covers its expected cost by this margin
    /// (bps, default 1,000).
    pub join_margin_bps: u16,
    /// Most miners joining in one epoch (default 2).
    pub joins_per_epoch: u32,
}

impl Default for MinerConfig {
    fn default() -> Self {
        MinerConfig {
            initial: 16,
            max: 64,
            capacity_units: 100_000,
            cost_per_unit_min: 3_000,
            cost_per_unit_max: 8_000,
            fixed_cost: 50 * UNIT,
            sell_rest_bps: 5_000,
            patience_epochs: 5,
            join_margin_bps: 1_000,
            joins_per_epoch: 2,
        }
    }
}

/// Stakers: each has a yield it requires, stakes a fixed amount bought from the pool
/// when the yield is there and leaves when it is not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StakerConfig {
    /// Potential stakers (default 32).
    pub count: u32,
    /// Stakers staked at epoch 0 (default 16).
    pub initial_staked: u32,
    /// DN each stakes (default 200,000 DN).
    pub stake_each: u64,
    /// Lowest required yield per epoch (bps of the stake's value, default 1: about 3.7%
    /// a year at daily epochs).
    pub min_yield_bps_min: u32,
    /// Highest required yield per epoch (default 5: about 20% a year); each staker's is
    /// drawn uniformly.
    pub min_yield_bps_max: u32,
    /// Share of DN rewards sold each epoch (bps, default 5,000).
    pub sell_bps: u16,
    /// Consecutive epochs below its yield after which a staker unstakes (default 3).
    pub patience_epochs: u32,
    /// Most stakers joining in one epoch (default 2).
    pub joins_per_epoch: u32,
    /// A staker joins only at its required yield plus this margin (bps of it, default
    /// 5,000: at 1.5 times the yield it stays for), so entry and exit do not chase each
    /// other every epoch.
    pub join_margin_bps: u32,
    /// A staker buys its stake only if that costs at most this much above the pool's
    /// price (bps, default 500): nobody stakes through a pool too shallow to buy in.
    pub max_slippage_bps: u32,
    /// Epochs between the unstake request's boundary and the withdrawal (default 1).
    pub unbonding_epochs: u32,
    /// Share of the withdrawn stake sold (bps, default 10,000).
    pub exit_sell_bps: u16,
}

impl Default for StakerConfig {
    fn default() -> Self {
        StakerConfig {
            count: 32,
            initial_staked: 16,
            stake_each: 200_000 * UNIT,
            min_yield_bps_min: 1,
            min_yield_bps_max: 5,
            sell_bps: 5_000,
            patience_epochs: 3,
            joins_per_epoch: 2,
            join_margin_bps: 5_000,
            max_slippage_bps: 500,
            unbonding_epochs: 1,
            exit_sell_bps: 10_000,
        }
    }
}

/// Validators: a fixed set, bonded, attesting every miner's work honestly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidatorConfig {
    /// Validators (default 4).
    pub count: u16,
    /// DN each has staked (default 100,000 DN).
    pub stake_each: u64,
    /// Share of DN rewards sold each epoch (bps, default 5,000).
    pub sell_bps: u16,
    /// Attestations a miner's work needs to count (default 2; every voting validator
    /// attests every miner).
    pub quorum: u16,
    /// Yield per epoch a validator requires (bps of its stake's value, default 1).
    pub min_yield_bps: u32,
    /// Consecutive epochs below it after which a validator unstakes and leaves for good
    /// (default 10).
    pub patience_epochs: u32,
    /// Share of its withdrawn stake a leaving validator sells (bps, default 10,000).
    pub exit_sell_bps: u16,
}

impl Default for ValidatorConfig {
    fn default() -> Self {
        ValidatorConfig {
            count: 4,
            stake_each: 100_000 * UNIT,
            sell_bps: 5_000,
            quorum: 2,
            min_yield_bps: 1,
            patience_epochs: 10,
            exit_sell_bps: 10_000,
        }
    }
}

/// What the remaining recipients sell of the DN they receive each epoch (bps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SellerConfig {
    /// Model owners and the domain owner (default 10,000: they run businesses).
    pub owners_bps: u16,
    /// Fee recipients (payment processors), when fees are paid in DN (default 10,000).
    pub fees_bps: u16,
    /// The keeper, of its tips (default 10,000).
    pub keeper_bps: u16,
    /// The foundation (default 0: it holds).
    pub foundation_bps: u16,
}

impl Default for SellerConfig {
    fn default() -> Self {
        SellerConfig {
            owners_bps: 10_000,
            fees_bps: 10_000,
            keeper_bps: 10_000,
            foundation_bps: 0,
        }
    }
}

/// The buyback auction's buyers and parameters (PROTOCOL.md §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BuybackConfig {
    /// Buyers take the auction once its price is this far below the pool's (bps of the
    /// pool's DN-per-revenue price, default 200).
    pub margin_bps: u16,
    /// The auction's floor (DN per revenue unit × 1e9, default 1: effectively none).
    pub floor_price_e9: u64,
    /// Start price before the first sale (× 1e9; default: the pool's initial price).
    pub reference_price_e9: Option<u64>,
}

impl Default for BuybackConfig {
    fn default() -> Self {
        BuybackConfig {
            margin_bps: 200,
            floor_price_e9: 1,
            reference_price_e9: None,
        }
    }
}

/// A fixed DN emission per epoch split 41% miners, 41% stakers and validators, 18%
/// owners (the shape Bittensor uses); payments go to the model owner in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixedConfig {
    /// DN minted per epoch while any miner is active (default 10,000 DN).
    pub emission_per_epoch: u64,
    /// Miners' share, paid equally to active miners (bps, default 4,100).
    pub miners_bps: u16,
    /// Stakers' and validators' share, by stake (bps, default 4,100).
    pub stakers_bps: u16,
    /// Owners' share, to the model owner (bps, default 1,800).
    pub owners_bps: u16,
    /// Share of each payment the model owner passes to the miners that served it, by
    /// units (bps, default 0: miners live on emissions, as in the shape this models).
    pub miners_revenue_bps: u16,
}

impl Default for FixedConfig {
    fn default() -> Self {
        FixedConfig {
            emission_per_epoch: 10_000 * UNIT,
            miners_bps: 4_100,
            stakers_bps: 4_100,
            owners_bps: 1_800,
            miners_revenue_bps: 0,
        }
    }
}

/// Emission split of the DeepNode domain (bps; with the foundation's 100 they make
/// 10,000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitConfig {
    /// Miners, by verified units.
    pub miners: u16,
    /// Stakers (validators included), by active stake.
    pub stakers: u16,
    /// Validators, by agreeing attestations.
    pub validators: u16,
    /// The domain owner.
    pub domain_owner: u16,
    /// Model owners, by revenue.
    pub model_owners: u16,
}

impl SplitConfig {
    /// The five shares in role order (`deepnode_math::MINERS_ROLE` ... `MODEL_OWNERS_ROLE`),
    /// as the math crate's pools take them.
    pub fn roles(&self) -> [u16; deepnode_math::ROLES - 1] {
        [
            self.miners,
            self.stakers,
            self.validators,
            self.domain_owner,
            self.model_owners,
        ]
    }
}

/// The DeepNode domain (PROTOCOL.md §4, §6, §12, §13).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeepNodeConfig {
    /// Fee share y (bps, default 1,000).
    pub fee_bps: u16,
    /// The model's owner share x (bps, default 2,000).
    pub owner_share_bps: u16,
    /// Emission split (default 5,000 / 2,000 / 1,500 / 500 / 900).
    pub split: SplitConfig,
    /// DN base units per revenue base unit × 1e9 (default 1e9: 1 DN per $1 of revenue).
    pub emission_rate_e9: u64,
    /// Per-epoch floor with verified work (default 1,000 DN).
    pub floor: u64,
    /// Per-epoch ceiling (default 100,000 DN).
    pub ceiling: u64,
    /// Stakers' pool cap per epoch (bps of active stake, default 50).
    pub max_staker_yield_bps: u16,
    /// Keeper tip ceiling (default 1,000 base units).
    pub keeper_tip_max: u64,
    /// Global emission cap per period (default: no practical cap).
    pub global_cap_per_period: u64,
    /// Epochs per cap period (default 1).
    pub period_epochs: u32,
    /// Max DN supply (default none).
    pub max_supply: Option<u64>,
    /// Epochs a settled epoch stays claimable before its uncredited revenue is swept into
    /// the open epoch's pool (default 2).
    pub claim_window_epochs: u16,
    /// §13 guard (bps of the revenue's DN value; default none).
    pub max_emission_value_bps: Option<u16>,
}

impl Default for DeepNodeConfig {
    fn default() -> Self {
        DeepNodeConfig {
            fee_bps: 1_000,
            owner_share_bps: 2_000,
            split: SplitConfig {
                miners: 5_000,
                stakers: 2_000,
                validators: 1_500,
                domain_owner: 500,
                model_owners: 900,
            },
            emission_rate_e9: 1_000_000_000,
            floor: 1_000 * UNIT,
            ceiling: 100_000 * UNIT,
            max_staker_yield_bps: 50,
            keeper_tip_max: 1_000,
            global_cap_per_period: u64::MAX / 2,
            period_epochs: 1,
            max_supply: None,
            claim_window_epochs: 2,
            max_emission_value_bps: None,
        }
    }
}

/// A party paying its own model (PROTOCOL.md §13): its own zero-cost miners serve the
/// calls and the first `validators` of the validator set are its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WashConfig {
    /// Revenue paid to its own model per epoch (revenue base units, default $10,000).
    pub revenue_per_epoch: u64,
    /// Its model's owner share (bps, default: the domain's `owner_share_bps`).
    pub owner_share_bps: Option<u16>,
    /// Its miners (default 2).
    pub miners: u32,
    /// How many of the validators are its own (default 1).
    pub validators: u16,
}

impl Default for WashConfig {
    fn default() -> Self {
        WashConfig {
            revenue_per_epoch: 10_000 * UNIT,
            owner_share_bps: None,
            miners: 2,
            validators: 1,
        }
    }
}

impl SimConfig {
    /// Reads a config from JSON text.
    pub fn from_json(text: &str) -> Result<SimConfig, SimError> {
        let c: SimConfig =
            serde_json::from_str(text).map_err(|e| SimError::Config(e.to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// Refuses configurations the model cannot run, each with a readable reason.
    pub fn validate(&self) -> Result<(), SimError> {
        let bad = |m: String| Err(SimError::Config(m));
        let bps = |name: &str, v: u16| -> Result<(), SimError> {
            if v > 10_000 {
                return Err(SimError::Config(format!("{name} = {v}: at most 10000 bps")));
            }
            Ok(())
        };
        if self.market.pool_dn == 0 || self.market.pool_rev == 0 {
            return bad("market.pool_dn and market.pool_rev must be above 0".into());
        }
        if self.market.swap_fee_bps >= 10_000 {
            return bad("market.swap_fee_bps must be below 10000".into());
        }
        bps("demand.shock_depth_bps", self.demand.shock_depth_bps)?;
        bps("demand.noise_bps", self.demand.noise_bps)?;
        if self.demand.unit_price == 0 {
            return bad("demand.unit_price must be above 0".into());
        }
        let m = &self.miners;
        if m.initial > m.max {
            return bad(format!(
                "miners.initial ({}) is above miners.max ({})",
                m.initial, m.max
            ));
        }
        if m.cost_per_unit_min > m.cost_per_unit_max {
            return bad("miners.cost_per_unit_min is above cost_per_unit_max".into());
        }
        if m.capacity_units == 0 {
            return bad("miners.capacity_units must be above 0".into());
        }
        bps("miners.sell_rest_bps", m.sell_rest_bps)?;
        let s = &self.stakers;
        if s.initial_staked > s.count {
            return bad("stakers.initial_staked is above stakers.count".into());
        }
        if s.min_yield_bps_min > s.min_yield_bps_max {
            return bad("stakers.min_yield_bps_min is above min_yield_bps_max".into());
        }
        bps("stakers.sell_bps", s.sell_bps)?;
        bps("stakers.exit_sell_bps", s.exit_sell_bps)?;
        bps("validators.sell_bps", self.validators.sell_bps)?;
        bps("validators.exit_sell_bps", self.validators.exit_sell_bps)?;
        if self.validators.quorum > self.validators.count {
            return bad(format!(
                "validators.quorum ({}) is above validators.count ({})",
                self.validators.quorum, self.validators.count
            ));
        }
        bps("sellers.owners_bps", self.sellers.owners_bps)?;
        bps("sellers.fees_bps", self.sellers.fees_bps)?;
        bps("sellers.keeper_bps", self.sellers.keeper_bps)?;
        bps("sellers.foundation_bps", self.sellers.foundation_bps)?;
        bps("buyback.margin_bps", self.buyback.margin_bps)?;
        bps("fixed.miners_revenue_bps", self.fixed.miners_revenue_bps)?;
        let f = &self.fixed;
        let fixed_sum =
            u32::from(f.miners_bps) + u32::from(f.stakers_bps) + u32::from(f.owners_bps);
        if fixed_sum != 10_000 {
            return bad(format!(
                "fixed: the three shares sum to {fixed_sum}, not 10000"
            ));
        }
        let d = &self.deepnode;
        let split = d.split.roles();
        if !deepnode_math::split_is_whole(split) {
            let sum = deepnode_math::roles_bps_sum(split);
            return bad(format!(
                "deepnode.split sums to {sum}: the five roles must make 9900 (the foundation has 100)"
            ));
        }
        let wash_share = self
            .wash
            .as_ref()
            .and_then(|w| w.owner_share_bps)
            .unwrap_or(d.owner_share_bps);
        for x in [d.owner_share_bps, wash_share] {
            if !deepnode_math::shares_fit(x, d.fee_bps) {
                return bad(format!(
                    "owner share {x} + fee {} + the 1% buyback exceed 10000 bps",
                    d.fee_bps
                ));
            }
        }
        if d.floor > d.ceiling {
            return bad("deepnode.floor is above deepnode.ceiling".into());
        }
        if d.period_epochs == 0 {
            return bad("deepnode.period_epochs must be at least 1".into());
        }
        if let Some(w) = &self.wash {
            if w.validators > self.validators.count {
                return bad("wash.validators is above validators.count".into());
            }
        }
        Ok(())
    }
}
