//! One market run epoch by epoch under one emission regime.
//!
//! Each epoch, in order: stake changes reach their boundary; consumers' demand is served
//! by the active miners; payments are routed; the epoch's DN is minted and paid out
//! (fixed split, or PROTOCOL.md §6/§12 through the math crate); the buyback auction
//! sells its revenue tokens; every recipient sells what its rule says; miners and
//! stakers decide whether to stay, leave or join. Every token amount is an integer in
//! base units and every debit is checked, so no balance can go negative, and DN supply
//! is recounted from every holding after each epoch.
use std::collections::VecDeque;

use deepnode_math::{
    acc_fund, acc_increment, accrued, auction_cost, dn_pools, emission_value_cap, epoch_budget,
    payable_roles, payout, restart_price, rev_pools, room, split_payment, staker_cap, BudgetInput,
    DOMAIN_OWNER_ROLE, FOUNDATION_ROLE, MINERS_ROLE, MODEL_OWNERS_ROLE, PRICE_SCALE, ROLES,
    STAKERS_ROLE, VALIDATORS_ROLE,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::config::SimConfig;
use crate::pool::Pool;
use crate::report::EpochRow;
use crate::SimError;

/// The two emission regimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// A fixed DN emission per epoch, 41% / 41% / 18%.
    FixedSplit,
    /// DeepNode: usage-sized, verified-work-only emissions (the math crate).
    #[serde(rename = "deepnode")]
    DeepNode,
}

impl Regime {
    /// Name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Regime::FixedSplit => "fixed_split",
            Regime::DeepNode => "deepnode",
        }
    }
}

/// What the market draws from the seed, shared by both regimes of a run.
#[derive(Debug, Clone)]
pub struct Draws {
    /// Each miner's cost per served unit.
    pub miner_costs: Vec<u64>,
    /// Each staker's required yield per epoch (bps).
    pub staker_yields: Vec<u32>,
    /// Units demanded in each epoch.
    pub demand: Vec<u64>,
}

impl Draws {
    /// Draws everything from `c.seed`, in a fixed order.
    pub fn new(c: &SimConfig) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(c.seed);
        let m = &c.miners;
        let miner_costs = (0..m.max)
            .map(|_| rng.random_range(m.cost_per_unit_min..=m.cost_per_unit_max))
            .collect();
        let s = &c.stakers;
        let staker_yields = (0..s.count)
            .map(|_| rng.random_range(s.min_yield_bps_min..=s.min_yield_bps_max))
            .collect();
        let d = &c.demand;
        let noise = i64::from(d.noise_bps);
        let demand = (0..c.epochs)
            .map(|t| {
                let base = crate::demand::base_units(d, t);
                let n = rng.random_range(-noise..=noise);
                let scaled = i128::from(base) * i128::from(10_000 + n) / 10_000;
                u64::try_from(scaled.max(0)).unwrap_or(u64::MAX)
            })
            .collect();
        Draws {
            miner_costs,
            staker_yields,
            demand,
        }
    }
}

/// A miner.
#[derive(Debug, Clone, Default)]
struct Miner {
    cost_per_unit: u64,
    active: bool,
    /// The wash agent's (zero cost, never leaves, income to the agent).
    wash: bool,
    dn: u64,
    unprofitable: u32,
    /// This epoch's units, DN and revenue received.
    units: u64,
    got_dn: u64,
    got_rev: u64,
}

/// A staker (not a validator).
#[derive(Debug, Clone, Default)]
struct Staker {
    required_bps: u32,
    /// Epochs `[active_from, active_until)` in which its stake is active.
    active_from: u32,
    active_until: u32,
    /// Epoch at whose start its stake is withdrawn (after unbonding).
    withdraw_at: Option<u32>,
    staked: u64,
    dn: u64,
    below: u32,
    got_dn: u64,
    got_rev: u64,
}

impl Staker {
    fn active(&self, t: u32) -> bool {
        self.staked > 0 && self.active_from <= t && t < self.active_until
    }
    fn committed(&self) -> bool {
        self.staked > 0 && self.active_until == u32::MAX
    }
}

/// A validator: bonded stake, attests every miner while active.
#[derive(Debug, Clone, Default)]
struct Validator {
    stake: u64,
    dn: u64,
    wash: bool,
    /// Its stake is active (and it attests) in epochs before this one.
    active_until: u32,
    /// Epoch at whose start its stake is withdrawn (after unbonding).
    withdraw_at: Option<u32>,
    below: u32,
    got_dn: u64,
    got_rev: u64,
}

impl Validator {
    fn active(&self, t: u32) -> bool {
        t < self.active_until
    }
}

/// What one epoch of the DeepNode regime sent to the program, for replay on chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EpochTrace {
    /// The consumers' payment (revenue base units; DN when paid in DN).
    pub payment: u64,
    /// Work units per miner index (miners with work only).
    pub work: Vec<(usize, u64)>,
    /// Stakers (by index) who stake `stake_each` during this epoch.
    pub stakes: Vec<usize>,
    /// Stakers (by index) who request an unstake of their whole stake this epoch.
    pub unstakes: Vec<usize>,
    /// Validators (by index) who request an unstake of their whole stake this epoch
    /// (and stop attesting at the next boundary).
    pub validator_exits: Vec<usize>,
    /// Validators (by index) voting in this epoch: each attests every miner's units.
    pub voters: Vec<usize>,
}

/// DeepNode regime per-epoch detail: the math crate's outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// Budget.
    pub budget: u64,
    /// DN withheld (not minted).
    pub withheld: u64,
    /// Keeper tip.
    pub tip: u64,
    /// DN pools funded per role.
    pub dn_pools: [u64; ROLES],
    /// Revenue pools funded per role.
    pub rev_pools: [u64; ROLES],
    /// §13 cap in force (`None`: no guard).
    pub value_cap: Option<u64>,
}

/// Flows of one epoch.
#[derive(Debug, Clone, Copy, Default)]
struct Flows {
    minted: u64,
    burned: u64,
    dn_sold: u64,
    sold_value: u64,
    bought_value: u64,
}

/// Checked debit.
fn debit(balance: &mut u64, amount: u64, who: &'static str) -> Result<(), SimError> {
    *balance = balance
        .checked_sub(amount)
        .ok_or(SimError::NegativeBalance(who))?;
    Ok(())
}

/// Checked credit.
fn credit(balance: &mut u64, amount: u64) -> Result<(), SimError> {
    *balance = balance
        .checked_add(amount)
        .ok_or(SimError::Overflow("balance"))?;
    Ok(())
}

/// Books `got` as DN or revenue received (`rev`), and into the DN wallet `dn` when it
/// is DN (`holds_dn`: DN pools, and revenue pools of a DN-paid domain).
fn receive(
    got: u64,
    (rev, holds_dn): (bool, bool),
    got_dn: &mut u64,
    got_rev: &mut u64,
    dn: &mut u64,
) -> Result<(), SimError> {
    if rev {
        *got_rev += got;
    } else {
        *got_dn += got;
    }
    if holds_dn {
        credit(dn, got)?;
    }
    Ok(())
}

/// `floor(x * bps / 10000)`.
fn bps_of(x: u64, bps: u16) -> u64 {
    (u128::from(x) * u128::from(bps) / 10_000) as u64
}

/// The whole market under one regime.
pub struct Market<'a> {
    c: &'a SimConfig,
    draws: &'a Draws,
    regime: Regime,
    /// The §13 guard in force (the DeepNode regime's setting, or an override).
    guard: Option<u16>,
    pool: Pool,
    miners: Vec<Miner>,
    stakers: Vec<Staker>,
    validators: Vec<Validator>,
    /// Wallets of the other recipients (DN).
    owners_dn: u64,
    fees_dn: u64,
    keeper_dn: u64,
    foundation_dn: u64,
    wash_dn: u64,
    other_dn: u64,
    /// The auction buyers' DN (what they bought beyond what they burned).
    arb_dn: u64,
    /// DN-paid domain: revenue (DN) rolled into the next epoch's pool, held by the
    /// program. (Paid in another token it is not DN and not counted here.)
    rolled_in: u64,
    /// What the stakers' accumulators funded but no staker has been paid yet (DN; the
    /// program's stake vault keeps it).
    staker_vault: u64,
    /// The accumulators' carried fractions (DN, revenue), as the program keeps them.
    dn_carry: u64,
    rev_carry: u64,
    /// Revenue swept from settled epochs, rolled into the pool of the epoch it is due in
    /// (`(epoch, amount)`): the program sweeps an epoch's uncredited revenue into the
    /// open epoch once the claim window has passed.
    sweeps: VecDeque<(u32, u64)>,
    /// Buyback vault (revenue tokens) and auction state.
    vault: u64,
    auction_start_e9: u64,
    last_clearing_e9: Option<u64>,
    reference_e9: u64,
    period: u32,
    period_minted: u64,
    initial_supply: u64,
    minted: u64,
    burned: u64,
    /// Replay trace (DeepNode regime, when asked).
    trace: Option<Vec<EpochTrace>>,
    pending: EpochTrace,
    decided: EpochTrace,
    /// The epoch being run.
    now: u32,
    /// Rows and settlements produced so far.
    rows: Vec<EpochRow>,
    settlements: Vec<Settlement>,
}

impl<'a> Market<'a> {
    /// The market at epoch 0: the pool, the validators' and initial stakers' stakes,
    /// the initial miners.
    pub fn new(
        c: &'a SimConfig,
        draws: &'a Draws,
        regime: Regime,
        guard: Option<u16>,
        record: bool,
    ) -> Market<'a> {
        let wash = match regime {
            Regime::DeepNode => c.wash.clone(),
            Regime::FixedSplit => None,
        };
        let mut miners: Vec<Miner> = draws
            .miner_costs
            .iter()
            .enumerate()
            .map(|(i, cost)| Miner {
                cost_per_unit: *cost,
                active: (i as u64) < u64::from(c.miners.initial),
                ..Miner::default()
            })
            .collect();
        if let Some(w) = &wash {
            miners.extend((0..w.miners).map(|_| Miner {
                active: true,
                wash: true,
                ..Miner::default()
            }));
        }
        let wash_validators = wash.as_ref().map_or(0, |w| w.validators);
        let validators = (0..c.validators.count)
            .map(|i| Validator {
                stake: c.validators.stake_each,
                wash: i < wash_validators,
                active_until: u32::MAX,
                ..Validator::default()
            })
            .collect::<Vec<_>>();
        let stakers = draws
            .staker_yields
            .iter()
            .enumerate()
            .map(|(i, y)| {
                let staked = (i as u64) < u64::from(c.stakers.initial_staked);
                Staker {
                    required_bps: *y,
                    active_from: 0,
                    active_until: if staked { u32::MAX } else { 0 },
                    staked: if staked { c.stakers.stake_each } else { 0 },
                    ..Staker::default()
                }
            })
            .collect::<Vec<_>>();
        let pool = Pool {
            dn: c.market.pool_dn,
            rev: c.market.pool_rev,
            fee_bps: c.market.swap_fee_bps,
        };
        let reference = c
            .buyback
            .reference_price_e9
            .unwrap_or_else(|| pool.dn_per_rev_e9());
        let mut m = Market {
            c,
            draws,
            regime,
            guard,
            pool,
            miners,
            stakers,
            validators,
            owners_dn: 0,
            fees_dn: 0,
            keeper_dn: 0,
            foundation_dn: 0,
            wash_dn: 0,
            other_dn: c.market.other_dn,
            arb_dn: 0,
            rolled_in: 0,
            staker_vault: 0,
            dn_carry: 0,
            rev_carry: 0,
            sweeps: VecDeque::new(),
            vault: 0,
            auction_start_e9: reference.max(c.buyback.floor_price_e9),
            last_clearing_e9: None,
            reference_e9: reference,
            period: 0,
            period_minted: 0,
            initial_supply: 0,
            minted: 0,
            burned: 0,
            trace: record.then(Vec::new),
            pending: EpochTrace::default(),
            decided: EpochTrace::default(),
            now: 0,
            rows: Vec::with_capacity(c.epochs as usize),
            settlements: Vec::new(),
        };
        m.initial_supply = m.holdings();
        m
    }

    /// DN held anywhere, counted holding by holding.
    pub fn holdings(&self) -> u64 {
        let mut sum = u128::from(self.pool.dn)
            + u128::from(self.owners_dn)
            + u128::from(self.fees_dn)
            + u128::from(self.keeper_dn)
            + u128::from(self.foundation_dn)
            + u128::from(self.wash_dn)
            + u128::from(self.other_dn)
            + u128::from(self.arb_dn);
        sum += u128::from(self.staker_vault);
        if self.c.demand.paid_in_dn {
            sum += u128::from(self.rolled_in);
            sum += self.sweeps.iter().map(|s| u128::from(s.1)).sum::<u128>();
        }
        sum += self.miners.iter().map(|m| u128::from(m.dn)).sum::<u128>();
        sum += self
            .stakers
            .iter()
            .map(|s| u128::from(s.dn) + u128::from(s.staked))
            .sum::<u128>();
        sum += self
            .validators
            .iter()
            .map(|v| u128::from(v.dn) + u128::from(v.stake))
            .sum::<u128>();
        u64::try_from(sum).unwrap_or(u64::MAX)
    }

    /// Supply at the start.
    pub fn initial_supply(&self) -> u64 {
        self.initial_supply
    }

    /// Runs every epoch.
    pub fn run(mut self) -> Result<RegimeRun, SimError> {
        for t in 0..self.c.epochs {
            self.epoch(t)?;
        }
        Ok(RegimeRun {
            regime: self.regime,
            initial_supply: self.initial_supply,
            rows: self.rows,
            settlements: self.settlements,
            trace: self.trace,
        })
    }

    /// Validators voting in epoch `t`.
    fn voters(&self, t: u32) -> u16 {
        self.validators.iter().filter(|v| v.active(t)).count() as u16
    }

    /// Stake that is active in epoch `t` (validators and stakers).
    fn active_stake(&self, t: u32) -> u64 {
        let v: u64 = self
            .validators
            .iter()
            .filter(|v| v.active(t))
            .map(|v| v.stake)
            .sum();
        let s: u64 = self
            .stakers
            .iter()
            .filter(|s| s.active(t))
            .map(|s| s.staked)
            .sum();
        v + s
    }

    /// Sells `amount` (at most the balance) of `balance` into the pool.
    fn sell(
        pool: &mut Pool,
        flows: &mut Flows,
        balance: &mut u64,
        amount: u64,
        who: &'static str,
    ) -> Result<(), SimError> {
        let amount = amount.min(*balance);
        if amount == 0 {
            return Ok(());
        }
        debit(balance, amount, who)?;
        let got = pool.sell_dn(amount)?;
        flows.dn_sold += amount;
        flows.sold_value += got;
        Ok(())
    }

    /// Buys at least `dn` DN from the pool with outside revenue tokens into `balance`.
    fn buy(pool: &mut Pool, flows: &mut Flows, balance: &mut u64, dn: u64) -> Result<(), SimError> {
        if dn == 0 {
            return Ok(());
        }
        let cost = pool.rev_for_dn(dn)?;
        let got = pool.buy_dn(cost)?;
        flows.bought_value += cost;
        credit(balance, got)
    }

    /// Mints `amount` into the epoch's flows and totals.
    fn mint(&mut self, flows: &mut Flows, amount: u64) -> Result<(), SimError> {
        flows.minted += amount;
        self.minted = self
            .minted
            .checked_add(amount)
            .ok_or(SimError::Overflow("minted"))?;
        Ok(())
    }

    /// Burns `amount` (already taken out of its holder).
    fn burn(&mut self, flows: &mut Flows, amount: u64) {
        flows.burned += amount;
        self.burned += amount;
    }

    /// One epoch: withdrawals due, demand served and paid, the regime's emissions, every
    /// recipient's sales, the miners' and stakers' decisions, then the epoch's row
    /// (conservation checked).
    fn epoch(&mut self, t: u32) -> Result<(), SimError> {
        let c = self.c;
        self.now = t;
        let mut flows = Flows::default();
        self.withdraw_due(t, &mut flows)?;
        let active_stake = self.active_stake(t);
        let served = self.serve(t, &mut flows)?;
        let price_mark = self.pool;
        let mut wash = served.wash;
        let (settlement, stakers_value, owners_income) =
            self.route(t, active_stake, &served, price_mark, &mut flows, &mut wash)?;
        let (miners_profit, honest_income) =
            self.sell_receipts(price_mark, owners_income, &mut flows, &mut wash)?;
        let rev_is_dn = c.demand.paid_in_dn;
        let (served, revenue, payment) = (served.units, served.revenue, served.payment);
        let wash_profit = (self.regime == Regime::DeepNode && c.wash.is_some()).then(|| {
            let back = value_of(price_mark, rev_is_dn, wash.dn_back, wash.rev_back);
            i128::from(back) - i128::from(wash.cost)
        });

        // The stakers' realised yield this epoch (bps of the stake's value).
        let stake_value = price_mark.value(active_stake);
        let yield_bps = if stake_value == 0 {
            0
        } else {
            u32::try_from(u128::from(stakers_value) * 10_000 / u128::from(stake_value))
                .unwrap_or(u32::MAX)
        };
        // Miners that worked this epoch, before any leaves or joins at its end.
        let active = self.miners.iter().filter(|m| m.active && !m.wash).count() as u32;
        self.decide(t, yield_bps, &mut flows)?;

        let supply = self.holdings();
        let expected = self
            .initial_supply
            .checked_add(self.minted)
            .and_then(|s| s.checked_sub(self.burned))
            .ok_or(SimError::Overflow("supply"))?;
        if supply != expected {
            return Err(SimError::Conservation {
                epoch: t,
                counted: supply,
                expected,
            });
        }
        self.rows.push(EpochRow {
            regime: self.regime,
            epoch: t,
            price: self.pool.price(),
            supply,
            minted: flows.minted,
            burned: flows.burned,
            budget: settlement.map_or(flows.minted, |s| s.budget),
            withheld: settlement.map_or(0, |s| s.withheld),
            dn_sold: flows.dn_sold,
            sold_value: flows.sold_value,
            bought_value: flows.bought_value,
            pressure: (flows.bought_value > 0)
                .then(|| flows.sold_value as f64 / flows.bought_value as f64),
            miners_active: active,
            demand_units: self.draws.demand[t as usize],
            served_units: served,
            revenue,
            miners_profit: i64::try_from(miners_profit).unwrap_or(i64::MIN),
            honest_income,
            active_stake,
            pool_dn: self.pool.dn,
            pool_rev: self.pool.rev,
            wash_profit: wash_profit.map(|p| i64::try_from(p).unwrap_or(i64::MIN)),
        });
        if let Some(s) = settlement {
            self.settlements.push(s);
        }
        if let Some(trace) = self.trace.as_mut() {
            let mut e = std::mem::take(&mut self.pending);
            e.payment = payment;
            e.voters = (0..self.validators.len())
                .filter(|&i| self.validators[i].active(t))
                .collect();
            e.work = self
                .miners
                .iter()
                .enumerate()
                .filter(|(_, m)| m.units > 0)
                .map(|(i, m)| (i, m.units))
                .collect();
            trace.push(e);
        }
        // Stake operations decided at this epoch's end are sent during the next one.
        self.pending = std::mem::take(&mut self.decided);
        Ok(())
    }

    /// Withdrawals due at this epoch's boundary: the stake is sold as its holder leaves.
    fn withdraw_due(&mut self, t: u32, flows: &mut Flows) -> Result<(), SimError> {
        let c = self.c;
        for s in self.stakers.iter_mut() {
            if s.withdraw_at == Some(t) {
                let stake = s.staked;
                s.staked = 0;
                s.withdraw_at = None;
                credit(&mut s.dn, stake)?;
                let sell = bps_of(stake, c.stakers.exit_sell_bps);
                Self::sell(&mut self.pool, flows, &mut s.dn, sell, "staker")?;
            }
        }
        for v in self.validators.iter_mut() {
            if v.withdraw_at == Some(t) {
                let stake = v.stake;
                v.stake = 0;
                v.withdraw_at = None;
                credit(&mut v.dn, stake)?;
                let sell = bps_of(stake, c.validators.exit_sell_bps);
                Self::sell(&mut self.pool, flows, &mut v.dn, sell, "validator")?;
            }
        }
        Ok(())
    }

    /// Demand served by the honest active miners in equal parts, paid (in DN bought
    /// first when the domain is paid in DN), and the wash agent's usage.
    fn serve(&mut self, t: u32, flows: &mut Flows) -> Result<Served, SimError> {
        let c = self.c;
        for m in self.miners.iter_mut() {
            m.units = 0;
            m.got_dn = 0;
            m.got_rev = 0;
        }
        for v in self.validators.iter_mut() {
            v.got_dn = 0;
            v.got_rev = 0;
        }
        for s in self.stakers.iter_mut() {
            s.got_dn = 0;
            s.got_rev = 0;
        }
        let honest: Vec<usize> = (0..self.miners.len())
            .filter(|&i| self.miners[i].active && !self.miners[i].wash)
            .collect();
        let capacity = c.miners.capacity_units.saturating_mul(honest.len() as u64);
        let served = self.draws.demand[t as usize].min(capacity);
        share_units(&mut self.miners, &honest, served);
        let revenue = served
            .checked_mul(c.demand.unit_price)
            .ok_or(SimError::Overflow("revenue"))?;
        // Consumers paying in DN buy it first.
        let payment = if c.demand.paid_in_dn && revenue > 0 {
            flows.bought_value += revenue;
            self.pool.buy_dn(revenue)?
        } else {
            revenue
        };
        let mut wash = WashFlows::default();
        let wash_payment = match (&c.wash, self.regime) {
            (Some(w), Regime::DeepNode) => {
                wash.cost = w.revenue_per_epoch;
                let own: Vec<usize> = (0..self.miners.len())
                    .filter(|&i| self.miners[i].wash)
                    .collect();
                share_units(
                    &mut self.miners,
                    &own,
                    w.revenue_per_epoch / c.demand.unit_price,
                );
                if c.demand.paid_in_dn && w.revenue_per_epoch > 0 {
                    flows.bought_value += w.revenue_per_epoch;
                    self.pool.buy_dn(w.revenue_per_epoch)?
                } else {
                    w.revenue_per_epoch
                }
            }
            _ => 0,
        };
        Ok(Served {
            units: served,
            revenue,
            payment,
            wash_payment,
            wash,
        })
    }

    /// The regime's payouts of the epoch: the fixed split's, or DeepNode's settlement
    /// (then its buyback). Returns the settlement, the stakers' pools' value and the
    /// model owners' income.
    fn route(
        &mut self,
        t: u32,
        active_stake: u64,
        served: &Served,
        price_mark: Pool,
        flows: &mut Flows,
        wash: &mut WashFlows,
    ) -> Result<(Option<Settlement>, u64, u64), SimError> {
        let c = self.c;
        let (payment, wash_payment) = (served.payment, served.wash_payment);
        let mut owners_income = 0u64;
        let (settlement, stakers_value) = match self.regime {
            Regime::FixedSplit => {
                // The model owner keeps the payments, less what it passes on to the
                // miners that served them (`fixed.miners_revenue_bps`, by units).
                let to_miners = bps_of(payment, c.fixed.miners_revenue_bps);
                let total_units: u64 = self.miners.iter().map(|m| m.units).sum();
                let mut passed = 0u64;
                for m in self.miners.iter_mut().filter(|m| m.units > 0) {
                    let got = payout(to_miners, m.units, u128::from(total_units))?;
                    m.got_rev += got;
                    if c.demand.paid_in_dn {
                        credit(&mut m.dn, got)?;
                    }
                    passed += got;
                }
                if c.demand.paid_in_dn {
                    credit(&mut self.owners_dn, payment - passed)?;
                    owners_income += payment - passed;
                }
                let stakers_pool = self.fixed_emission(active_stake, flows, &mut owners_income)?;
                (None, price_mark.value(stakers_pool))
            }
            Regime::DeepNode => {
                let s = self.deepnode_epoch(
                    t,
                    active_stake,
                    (payment, wash_payment),
                    flows,
                    &mut owners_income,
                    wash,
                )?;
                let rev = s.rev_pools[STAKERS_ROLE];
                let rev_value = if c.demand.paid_in_dn {
                    price_mark.value(rev)
                } else {
                    rev
                };
                (
                    Some(s),
                    price_mark
                        .value(s.dn_pools[STAKERS_ROLE])
                        .saturating_add(rev_value),
                )
            }
        };
        if self.regime == Regime::DeepNode && !c.demand.paid_in_dn {
            self.buyback(flows)?;
        }

        Ok((settlement, stakers_value, owners_income))
    }

    /// Every recipient sells by its rule at the prices it meets; the wash agent realises
    /// everything it got back. Returns the honest miners' summed profit and the honest
    /// participants' income.
    fn sell_receipts(
        &mut self,
        price_mark: Pool,
        owners_income: u64,
        flows: &mut Flows,
        wash: &mut WashFlows,
    ) -> Result<(i128, u64), SimError> {
        let c = self.c;
        // Sales, each recipient by its rule, at the prices they meet.
        let rev_is_dn = c.demand.paid_in_dn;
        let income = |dn: u64, rev: u64| value_of(price_mark, rev_is_dn, dn, rev);
        let mut miners_profit = 0i128;
        let mut honest_income = 0u64;
        for m in self.miners.iter_mut() {
            if m.wash {
                wash.rev_back += m.got_rev;
                wash.dn_back += m.got_dn;
                let all = m.dn;
                debit(&mut m.dn, all, "wash miner")?;
                credit(&mut self.wash_dn, all)?;
                continue;
            }
            if !m.active {
                continue;
            }
            let cost = c
                .miners
                .fixed_cost
                .saturating_add(m.cost_per_unit.saturating_mul(m.units));
            let earned = income(m.got_dn, m.got_rev);
            honest_income = honest_income.saturating_add(earned);
            let profit = i128::from(earned) - i128::from(cost);
            miners_profit += profit;
            // Revenue tokens received pay costs first; DN is sold for the rest.
            let cash = if rev_is_dn { 0 } else { m.got_rev };
            let mut sold_for_cost = 0;
            if cost > cash {
                let short = cost - cash;
                let need = if short < self.pool.rev {
                    self.pool.dn_for_rev(short)?
                } else {
                    u64::MAX
                };
                sold_for_cost = need.min(m.dn);
                Self::sell(&mut self.pool, flows, &mut m.dn, sold_for_cost, "miner")?;
            }
            let earned_dn = if rev_is_dn {
                m.got_dn + m.got_rev
            } else {
                m.got_dn
            };
            let rest = bps_of(
                earned_dn.saturating_sub(sold_for_cost),
                c.miners.sell_rest_bps,
            );
            Self::sell(&mut self.pool, flows, &mut m.dn, rest, "miner")?;
            if profit < 0 {
                m.unprofitable += 1;
            } else {
                m.unprofitable = 0;
            }
        }
        for v in self.validators.iter_mut() {
            if v.wash {
                wash.rev_back += v.got_rev;
                wash.dn_back += v.got_dn;
                let all = v.dn;
                debit(&mut v.dn, all, "wash validator")?;
                credit(&mut self.wash_dn, all)?;
                continue;
            }
            honest_income = honest_income.saturating_add(income(v.got_dn, v.got_rev));
            let earned = if rev_is_dn {
                v.got_dn + v.got_rev
            } else {
                v.got_dn
            };
            let sell = bps_of(earned, c.validators.sell_bps);
            Self::sell(&mut self.pool, flows, &mut v.dn, sell, "validator")?;
        }
        for s in self.stakers.iter_mut() {
            honest_income = honest_income.saturating_add(income(s.got_dn, s.got_rev));
            let earned = if rev_is_dn {
                s.got_dn + s.got_rev
            } else {
                s.got_dn
            };
            let sell = bps_of(earned, c.stakers.sell_bps);
            Self::sell(&mut self.pool, flows, &mut s.dn, sell, "staker")?;
        }
        let sell = bps_of(owners_income, c.sellers.owners_bps);
        Self::sell(&mut self.pool, flows, &mut self.owners_dn, sell, "owner")?;
        let sell = bps_of(self.fees_dn, c.sellers.fees_bps);
        Self::sell(&mut self.pool, flows, &mut self.fees_dn, sell, "fees")?;
        let sell = bps_of(self.keeper_dn, c.sellers.keeper_bps);
        Self::sell(&mut self.pool, flows, &mut self.keeper_dn, sell, "keeper")?;
        let sell = bps_of(self.foundation_dn, c.sellers.foundation_bps);
        Self::sell(
            &mut self.pool,
            flows,
            &mut self.foundation_dn,
            sell,
            "foundation",
        )?;
        // The wash agent realises everything it got back.
        let all = self.wash_dn;
        Self::sell(&mut self.pool, flows, &mut self.wash_dn, all, "wash")?;
        Ok((miners_profit, honest_income))
    }

    /// The fixed split: `emission_per_epoch` while any miner is active; miners equally,
    /// stakers and validators by stake, the rest to the model owner. Returns the
    /// stakers' and validators' pool.
    fn fixed_emission(
        &mut self,
        active_stake: u64,
        flows: &mut Flows,
        owners_income: &mut u64,
    ) -> Result<u64, SimError> {
        let f = &self.c.fixed;
        let active: Vec<usize> = (0..self.miners.len())
            .filter(|&i| self.miners[i].active)
            .collect();
        if active.is_empty() {
            return Ok(0);
        }
        let e = f.emission_per_epoch;
        let miners_pool = bps_of(e, f.miners_bps);
        let stakers_pool = if active_stake > 0 {
            bps_of(e, f.stakers_bps)
        } else {
            0
        };
        let owners_pool = e - bps_of(e, f.miners_bps) - bps_of(e, f.stakers_bps);
        self.mint(flows, miners_pool + stakers_pool + owners_pool)?;
        let n = active.len() as u128;
        let mut paid = 0u64;
        for &i in &active {
            let got = payout(miners_pool, 1, n)?;
            credit(&mut self.miners[i].dn, got)?;
            self.miners[i].got_dn += got;
            paid += got;
        }
        paid += self.pay_stakers(stakers_pool, active_stake, false)?;
        credit(&mut self.owners_dn, owners_pool)?;
        *owners_income += owners_pool;
        paid += owners_pool;
        let dust = miners_pool + stakers_pool + owners_pool - paid;
        self.burn(flows, dust);
        Ok(stakers_pool)
    }

    /// Pays `pool` to validators and active stakers by stake (DN, or revenue when
    /// `rev`); returns what was paid.
    fn pay_stakers(&mut self, pool: u64, active_stake: u64, rev: bool) -> Result<u64, SimError> {
        let total = u128::from(active_stake);
        // DeepNode pays stakers through the program's accumulator (each position gets
        // floor(weight * inc / 2^64) for the epoch); the fixed split by the share rule.
        let inc = match self.regime {
            Regime::DeepNode if active_stake > 0 => Some(acc_increment(pool, active_stake)?),
            _ => None,
        };
        let share = |w: u64| -> Result<u64, SimError> {
            Ok(match inc {
                Some(inc) => accrued(w, 0, inc)?,
                None => payout(pool, w, total)?,
            })
        };
        let mut paid = 0u64;
        let dn_paid = self.c.demand.paid_in_dn;
        let t = self.now;
        let weights = self
            .validators
            .iter_mut()
            .filter(|v| v.active(t))
            .map(|v| (v.stake, &mut v.got_dn, &mut v.got_rev, &mut v.dn))
            .chain(
                self.stakers
                    .iter_mut()
                    .filter(|s| s.active(t))
                    .map(|s| (s.staked, &mut s.got_dn, &mut s.got_rev, &mut s.dn)),
            );
        for (w, got_dn, got_rev, dn) in weights {
            let got = share(w)?;
            receive(got, (rev, !rev || dn_paid), got_dn, got_rev, dn)?;
            paid += got;
        }
        Ok(paid)
    }

    /// The DeepNode regime's epoch: §4 routing, §6/§12 settlement (§13 when guarded),
    /// all through the math crate, and the payouts.
    fn deepnode_epoch(
        &mut self,
        t: u32,
        active_stake: u64,
        (payment, wash_payment): (u64, u64),
        flows: &mut Flows,
        owners_income: &mut u64,
        wash: &mut WashFlows,
    ) -> Result<Settlement, SimError> {
        let c = self.c;
        let d = &c.deepnode;
        let dn_paid = c.demand.paid_in_dn;
        let honest = split_payment(payment, d.owner_share_bps, d.fee_bps)?;
        let wash_x = c
            .wash
            .as_ref()
            .and_then(|w| w.owner_share_bps)
            .unwrap_or(d.owner_share_bps);
        let own = split_payment(wash_payment, wash_x, d.fee_bps)?;
        if dn_paid {
            credit(&mut self.owners_dn, honest.owner)?;
            *owners_income += honest.owner;
            credit(&mut self.wash_dn, own.owner)?;
            wash.dn_back += own.owner;
            credit(&mut self.fees_dn, honest.fee + own.fee)?;
            self.burn(flows, honest.buyback + own.buyback);
        } else {
            wash.rev_back += own.owner;
            self.vault += honest.buyback + own.buyback;
        }
        let revenue = payment
            .checked_add(wash_payment)
            .ok_or(SimError::Overflow("revenue"))?;
        let mut swept_in = 0u64;
        while self.sweeps.front().is_some_and(|s| s.0 <= t) {
            swept_in += self.sweeps.pop_front().map_or(0, |s| s.1);
        }
        let rev_pool = honest.pool + own.pool + self.rolled_in + swept_in;
        self.rolled_in = 0;

        let total_units: u64 = self.miners.iter().map(|m| m.units).sum();
        let with_work = self.miners.iter().filter(|m| m.units > 0).count() as u64;
        // Work is verified when enough validators vote (every one of them attests).
        let verified = if self.voters(t) >= c.validators.quorum.max(1) {
            total_units
        } else {
            0
        };
        let with_work = if verified > 0 { with_work } else { 0 };
        let period = t / d.period_epochs;
        if period != self.period {
            self.period = period;
            self.period_minted = 0;
        }
        let supply = self.initial_supply + self.minted - self.burned;
        let price_e9 = if dn_paid {
            PRICE_SCALE
        } else {
            self.last_clearing_e9.unwrap_or(self.reference_e9)
        };
        let value_cap = match self.guard {
            Some(g) => Some(emission_value_cap(revenue, price_e9, g)?),
            None => None,
        };
        let budget = epoch_budget(&BudgetInput {
            revenue,
            emission_rate_e9: d.emission_rate_e9,
            floor: d.floor,
            ceiling: d.ceiling,
            has_work: verified > 0,
            cap_room: room(d.global_cap_per_period, self.period_minted),
            supply_room: d.max_supply.map(|m| room(m, supply)),
            value_cap,
        })?;
        // Every voter attests every miner with work, and agrees with the verified units.
        let agreeing = u64::from(self.voters(t)).saturating_mul(with_work);
        let payable = payable_roles(u128::from(verified), active_stake, agreeing, revenue);
        let bps = d.split.roles();
        let cap = staker_cap(active_stake, d.max_staker_yield_bps)?;
        let dn = dn_pools(budget, d.keeper_tip_max, bps, payable, cap)?;
        let (rev, rolled) = rev_pools(rev_pool, bps, payable)?;
        self.rolled_in = rolled;
        self.mint(flows, dn.minted)?;
        self.period_minted += dn.minted;
        credit(&mut self.keeper_dn, dn.tip)?;

        let dn_paid_out = self.pay_roles(
            &dn.pools,
            false,
            (total_units, with_work),
            (payment, wash_payment),
            active_stake,
            owners_income,
            wash,
        )?;
        let dust = dn.minted - dn.tip - dn_paid_out;
        self.burn(flows, dust);
        let rev_paid_out = self.pay_roles(
            &rev,
            true,
            (total_units, with_work),
            (payment, wash_payment),
            active_stake,
            owners_income,
            wash,
        )?;
        // What no recipient was credited is swept into the pool of the first epoch open
        // after the claim window.
        let dust = rev.iter().sum::<u64>() - rev_paid_out;
        if dust > 0 {
            self.sweeps
                .push_back((t + u32::from(d.claim_window_epochs) + 1, dust));
        }
        Ok(Settlement {
            budget,
            withheld: dn.withheld,
            tip: dn.tip,
            dn_pools: dn.pools,
            rev_pools: rev,
            value_cap,
        })
    }

    /// Pays one set of role pools (DN, or revenue when `rev`) to every recipient by the
    /// §12 per-recipient rule; returns what was paid (the rest is dust).
    #[allow(clippy::too_many_arguments)]
    fn pay_roles(
        &mut self,
        pools: &[u64; ROLES],
        rev: bool,
        (total_units, with_work): (u64, u64),
        (payment, wash_payment): (u64, u64),
        active_stake: u64,
        owners_income: &mut u64,
        wash: &mut WashFlows,
    ) -> Result<u64, SimError> {
        // Revenue pools of a DN-paid domain are DN; of another domain, outside tokens.
        let holds_dn = !rev || self.c.demand.paid_in_dn;
        let mut paid = 0u64;
        for m in self.miners.iter_mut().filter(|m| m.units > 0) {
            let got = payout(pools[MINERS_ROLE], m.units, u128::from(total_units))?;
            receive(
                got,
                (rev, holds_dn),
                &mut m.got_dn,
                &mut m.got_rev,
                &mut m.dn,
            )?;
            paid += got;
        }
        // Stakers are paid by accumulator: the program funds the whole units it can pay
        // (carrying the fraction) and sweeps the rest; what is funded but not yet paid
        // out to a position stays in the stake vault.
        let stakers = pools[STAKERS_ROLE];
        let paid_stakers = self.pay_stakers(stakers, active_stake, rev)?;
        let carry = if rev { self.rev_carry } else { self.dn_carry };
        let (funded, carry) = if active_stake > 0 {
            acc_fund(stakers, active_stake, carry)?
        } else {
            (0, carry)
        };
        if rev {
            self.rev_carry = carry;
        } else {
            self.dn_carry = carry;
        }
        let unpaid = funded
            .checked_sub(paid_stakers)
            .ok_or(SimError::Overflow("stakers paid above what was funded"))?;
        if holds_dn {
            credit(&mut self.staker_vault, unpaid)?;
        }
        paid += funded;
        // Every validator attests every miner with work and agrees.
        let t = self.now;
        let attestations = u128::from(with_work) * u128::from(self.voters(t));
        for v in self.validators.iter_mut().filter(|v| v.active(t)) {
            let got = payout(pools[VALIDATORS_ROLE], with_work, attestations)?;
            receive(
                got,
                (rev, holds_dn),
                &mut v.got_dn,
                &mut v.got_rev,
                &mut v.dn,
            )?;
            paid += got;
        }
        let owner = pools[DOMAIN_OWNER_ROLE];
        let revenue = u128::from(payment) + u128::from(wash_payment);
        let honest_model = payout(pools[MODEL_OWNERS_ROLE], payment, revenue)?;
        let wash_model = payout(pools[MODEL_OWNERS_ROLE], wash_payment, revenue)?;
        if holds_dn {
            credit(&mut self.owners_dn, owner + honest_model)?;
            *owners_income += owner + honest_model;
            credit(&mut self.wash_dn, wash_model)?;
            credit(&mut self.foundation_dn, pools[FOUNDATION_ROLE])?;
        }
        if rev {
            wash.rev_back += wash_model;
        } else {
            wash.dn_back += wash_model;
        }
        paid += owner + honest_model + wash_model + pools[FOUNDATION_ROLE];
        Ok(paid)
    }

    /// The buyback auction (§8): buyers take the vault once the auction's price is
    /// `margin_bps` below the pool's, buying the DN they pay (burned) from the pool.
    fn buyback(&mut self, flows: &mut Flows) -> Result<(), SimError> {
        let b = &self.c.buyback;
        if self.vault == 0 {
            return Ok(());
        }
        let target = bps_of(self.pool.dn_per_rev_e9(), 10_000 - b.margin_bps);
        if target < b.floor_price_e9 {
            return Ok(());
        }
        let clearing = self.auction_start_e9.min(target).max(b.floor_price_e9);
        let cost = auction_cost(self.vault, clearing)?;
        if cost == 0 || cost >= self.pool.dn {
            return Ok(());
        }
        Self::buy(&mut self.pool, flows, &mut self.arb_dn, cost)?;
        debit(&mut self.arb_dn, cost, "auction buyer")?;
        self.burn(flows, cost);
        self.vault = 0;
        self.last_clearing_e9 = Some(clearing);
        self.auction_start_e9 = restart_price(clearing).max(b.floor_price_e9);
        Ok(())
    }

    /// What one of `k` active miners expects to earn this epoch (revenue-token value),
    /// from this epoch's demand and price, by the regime's own rules.
    fn expected_income(&self, t: u32, k: u64) -> Result<u64, SimError> {
        let c = self.c;
        let served = self.draws.demand[t as usize].min(c.miners.capacity_units.saturating_mul(k));
        let revenue = served.saturating_mul(c.demand.unit_price);
        let total = match self.regime {
            Regime::FixedSplit => self
                .pool
                .value(bps_of(c.fixed.emission_per_epoch, c.fixed.miners_bps)),
            Regime::DeepNode => {
                let d = &c.deepnode;
                // Paid in DN, revenue is counted in DN at the pool's price.
                let r = if c.demand.paid_in_dn {
                    (u128::from(revenue) * u128::from(self.pool.dn) / u128::from(self.pool.rev))
                        as u64
                } else {
                    revenue
                };
                let price_e9 = if c.demand.paid_in_dn {
                    PRICE_SCALE
                } else {
                    self.last_clearing_e9.unwrap_or(self.reference_e9)
                };
                let value_cap = match self.guard {
                    Some(g) => Some(emission_value_cap(r, price_e9, g)?),
                    None => None,
                };
                let budget = epoch_budget(&BudgetInput {
                    revenue: r,
                    emission_rate_e9: d.emission_rate_e9,
                    floor: d.floor,
                    ceiling: d.ceiling,
                    has_work: served > 0 && self.voters(t) >= c.validators.quorum.max(1),
                    cap_room: u64::MAX,
                    supply_room: None,
                    value_cap,
                })?;
                let rest = budget.saturating_sub(d.keeper_tip_max.min(budget));
                let dn = bps_of(rest, d.split.miners);
                let pool_share = 10_000 - d.owner_share_bps - d.fee_bps - 100;
                let rev = bps_of(bps_of(r, pool_share), d.split.miners);
                let rev_value = if c.demand.paid_in_dn {
                    self.pool.value(rev)
                } else {
                    rev
                };
                self.pool.value(dn).saturating_add(rev_value)
            }
        };
        Ok(total / k.max(1))
    }

    /// End of epoch `t`: miners leave or join, stakers leave or join.
    fn decide(&mut self, t: u32, yield_bps: u32, flows: &mut Flows) -> Result<(), SimError> {
        let c = self.c;
        for m in self.miners.iter_mut().filter(|m| m.active && !m.wash) {
            if m.unprofitable >= c.miners.patience_epochs {
                m.active = false;
                m.unprofitable = 0;
                let all = m.dn;
                Self::sell(&mut self.pool, flows, &mut m.dn, all, "miner")?;
            }
        }
        let mut n = self.miners.iter().filter(|m| m.active && !m.wash).count() as u64;
        let demand = self.draws.demand[t as usize];
        for _ in 0..c.miners.joins_per_epoch {
            let Some(j) = (0..self.miners.len())
                .filter(|&i| !self.miners[i].active && !self.miners[i].wash)
                .min_by_key(|&i| (self.miners[i].cost_per_unit, i))
            else {
                break;
            };
            let k = n + 1;
            let units = demand.min(c.miners.capacity_units.saturating_mul(k)) / k;
            let cost = c
                .miners
                .fixed_cost
                .saturating_add(self.miners[j].cost_per_unit.saturating_mul(units));
            let income = self.expected_income(t, k)?;
            let needed =
                u128::from(cost) * u128::from(10_000 + u32::from(c.miners.join_margin_bps));
            if u128::from(income) * 10_000 < needed {
                break;
            }
            self.miners[j].active = true;
            self.miners[j].unprofitable = 0;
            n = k;
        }
        // Validators paid less than they require for long enough unbond and leave (for
        // good); their attestations stop at the boundary after the request.
        let v = &c.validators;
        let price = self.pool;
        for (i, val) in self.validators.iter_mut().enumerate() {
            if val.wash || val.active_until != u32::MAX {
                continue;
            }
            let rev = if c.demand.paid_in_dn {
                price.value(val.got_rev)
            } else {
                val.got_rev
            };
            let earned = u128::from(price.value(val.got_dn)) + u128::from(rev);
            let worth = u128::from(price.value(val.stake));
            if worth > 0 && earned * 10_000 < worth * u128::from(v.min_yield_bps) {
                val.below += 1;
                if val.below >= v.patience_epochs {
                    val.active_until = t + 2;
                    val.withdraw_at = Some(t + 2 + c.stakers.unbonding_epochs);
                    self.decided.validator_exits.push(i);
                }
            } else {
                val.below = 0;
            }
        }
        let s = &c.stakers;
        for (i, st) in self.stakers.iter_mut().enumerate() {
            if !st.committed() {
                continue;
            }
            if yield_bps < st.required_bps {
                st.below += 1;
                if st.below >= s.patience_epochs {
                    // Requested during the next epoch: active through it, then unbonding.
                    st.active_until = t + 2;
                    st.withdraw_at = Some(t + 2 + s.unbonding_epochs);
                    st.below = 0;
                    self.decided.unstakes.push(i);
                }
            } else {
                st.below = 0;
            }
        }
        let mut joined = 0;
        for i in 0..self.stakers.len() {
            if joined >= s.joins_per_epoch {
                break;
            }
            let st = &self.stakers[i];
            let wants = st.staked == 0
                && st.withdraw_at.is_none()
                && yield_bps > 0
                && u64::from(yield_bps) * 10_000
                    >= u64::from(st.required_bps) * u64::from(10_000 + s.join_margin_bps);
            // A staker does not buy into a pool too shallow for its stake: it would pay
            // more than `max_slippage_bps` above the pool's price.
            if !wants || s.stake_each >= self.pool.dn {
                continue;
            }
            let cost = self.pool.rev_for_dn(s.stake_each)?;
            let at_price = u128::from(self.pool.value(s.stake_each));
            if u128::from(cost) * 10_000 > at_price * u128::from(10_000 + s.max_slippage_bps) {
                continue;
            }
            let st = &mut self.stakers[i];
            Self::buy(&mut self.pool, flows, &mut st.dn, s.stake_each)?;
            debit(&mut st.dn, s.stake_each, "staker")?;
            st.staked = s.stake_each;
            st.active_from = t + 2;
            st.active_until = u32::MAX;
            st.below = 0;
            self.decided.stakes.push(i);
            joined += 1;
        }
        Ok(())
    }
}

/// Splits `units` among `miners[who]` in equal parts, the remainder to the first.
fn share_units(miners: &mut [Miner], who: &[usize], units: u64) {
    if who.is_empty() {
        return;
    }
    let n = who.len() as u64;
    let (each, extra) = (units / n, units % n);
    for (k, &i) in who.iter().enumerate() {
        miners[i].units = each + u64::from((k as u64) < extra);
    }
}

/// What the wash agent paid and got back in an epoch.
/// What one epoch's demand came to: units served, their revenue, what the consumers and
/// the wash agent paid into the domain, and the wash agent's flows so far.
#[derive(Debug, Clone, Copy, Default)]
struct Served {
    units: u64,
    revenue: u64,
    payment: u64,
    wash_payment: u64,
    wash: WashFlows,
}

/// The value of `dn` DN and `rev` revenue tokens at `price` (revenue tokens are DN when
/// the domain is paid in DN).
fn value_of(price: Pool, rev_is_dn: bool, dn: u64, rev: u64) -> u64 {
    let rev_value = if rev_is_dn { price.value(rev) } else { rev };
    price.value(dn).saturating_add(rev_value)
}

#[derive(Debug, Clone, Copy, Default)]
struct WashFlows {
    cost: u64,
    rev_back: u64,
    dn_back: u64,
}

/// A finished run of one regime.
#[derive(Debug, Clone)]
pub struct RegimeRun {
    /// Which regime.
    pub regime: Regime,
    /// DN supply at the start.
    pub initial_supply: u64,
    /// One row per epoch.
    pub rows: Vec<EpochRow>,
    /// DeepNode regime: the math crate's settlement per epoch.
    pub settlements: Vec<Settlement>,
    /// DeepNode regime, when recorded: what was sent each epoch.
    pub trace: Option<Vec<EpochTrace>>,
}
