//! What a run reports: one row per epoch and regime, a summary per regime, the wash
//! agent's break-even guard, and the CSV form of the rows.
use serde::Serialize;

use crate::engine::{Regime, RegimeRun, Settlement};
use crate::SimError;

/// One epoch of one regime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpochRow {
    /// Regime.
    pub regime: Regime,
    /// Epoch index.
    pub epoch: u32,
    /// DN price after the epoch's trades (revenue tokens per DN).
    pub price: f64,
    /// DN supply after the epoch, counted holding by holding.
    pub supply: u64,
    /// DN minted in the epoch.
    pub minted: u64,
    /// DN burned in the epoch (payments in DN, the auction, dust).
    pub burned: u64,
    /// DeepNode: the §12 budget; fixed split: what was minted.
    pub budget: u64,
    /// DeepNode: DN withheld (not minted).
    pub withheld: u64,
    /// DN sold into the pool.
    pub dn_sold: u64,
    /// Revenue tokens the sellers received (sell pressure, in value).
    pub sold_value: u64,
    /// Revenue tokens spent buying DN (buy pressure, in value).
    pub bought_value: u64,
    /// `sold_value / bought_value` (absent when nothing was bought).
    pub pressure: Option<f64>,
    /// Honest miners active.
    pub miners_active: u32,
    /// Units demanded.
    pub demand_units: u64,
    /// Units served (at most the active miners' capacity).
    pub served_units: u64,
    /// Consumers' revenue (revenue-token base units).
    pub revenue: u64,
    /// Honest miners' profit: income at the epoch's price less costs.
    pub miners_profit: i64,
    /// Income of honest miners, validators and stakers (revenue-token value).
    pub honest_income: u64,
    /// Stake active in the epoch (validators and stakers).
    pub active_stake: u64,
    /// Pool's DN reserve after the epoch.
    pub pool_dn: u64,
    /// Pool's revenue reserve after the epoch.
    pub pool_rev: u64,
    /// The wash agent's profit (DeepNode regime with a wash agent).
    pub wash_profit: Option<i64>,
}

/// A regime's run in a few numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Regime.
    pub regime: Regime,
    /// Price at the end.
    pub final_price: f64,
    /// Lowest price after any epoch.
    pub min_price: f64,
    /// Price at the start.
    pub start_price: f64,
    /// Supply at the start and at the end.
    pub initial_supply: u64,
    /// Supply at the end.
    pub final_supply: u64,
    /// DN minted in all.
    pub minted: u64,
    /// DN burned in all.
    pub burned: u64,
    /// Sell pressure in all (value).
    pub sold_value: u64,
    /// Buy pressure in all (value).
    pub bought_value: u64,
    /// `sold_value / bought_value` over the run.
    pub pressure: Option<f64>,
    /// Epochs whose sell pressure exceeded their buy pressure.
    pub epochs_sell_above_buy: u32,
    /// Honest miners active at the end.
    pub final_miners: u32,
    /// Fewest honest miners active after epoch 0.
    pub min_miners: u32,
    /// Revenue in all.
    pub revenue: u64,
    /// Honest miners' profit in all.
    pub miners_profit: i64,
    /// Honest participants' income in all (value).
    pub honest_income: u64,
    /// The wash agent's profit in all.
    pub wash_profit: Option<i64>,
}

impl Summary {
    /// Summarises `run`, which started at `start_price`.
    pub fn of(run: &RegimeRun, start_price: f64) -> Summary {
        let rows = &run.rows;
        let sum = |f: fn(&EpochRow) -> u64| rows.iter().map(f).fold(0u64, u64::saturating_add);
        let sold_value = sum(|r| r.sold_value);
        let bought_value = sum(|r| r.bought_value);
        let wash = rows
            .iter()
            .filter_map(|r| r.wash_profit)
            .collect::<Vec<_>>();
        Summary {
            regime: run.regime,
            final_price: rows.last().map_or(start_price, |r| r.price),
            min_price: rows.iter().map(|r| r.price).fold(start_price, f64::min),
            start_price,
            initial_supply: run.initial_supply,
            final_supply: rows.last().map_or(run.initial_supply, |r| r.supply),
            minted: sum(|r| r.minted),
            burned: sum(|r| r.burned),
            sold_value,
            bought_value,
            pressure: (bought_value > 0).then(|| sold_value as f64 / bought_value as f64),
            epochs_sell_above_buy: rows
                .iter()
                .filter(|r| r.sold_value > r.bought_value)
                .count() as u32,
            final_miners: rows.last().map_or(0, |r| r.miners_active),
            min_miners: rows.iter().map(|r| r.miners_active).min().unwrap_or(0),
            revenue: sum(|r| r.revenue),
            miners_profit: rows
                .iter()
                .map(|r| r.miners_profit)
                .fold(0i64, i64::saturating_add),
            honest_income: sum(|r| r.honest_income),
            wash_profit: (!wash.is_empty())
                .then(|| wash.iter().fold(0i64, |a, b| a.saturating_add(*b))),
        }
    }
}

/// One regime's full report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegimeReport {
    /// The summary.
    pub summary: Summary,
    /// One row per epoch.
    pub epochs: Vec<EpochRow>,
    /// DeepNode regime: the math crate's settlement per epoch.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settlements: Vec<Settlement>,
}

/// §13 for a configuration with a wash agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WashReport {
    /// What the analysis found, in words.
    pub verdict: &'static str,
    /// Revenue the agent pays itself per epoch.
    pub revenue_per_epoch: u64,
    /// Its profit per revenue unit paid, without a guard (bps; negative: a loss).
    pub profit_bps_unguarded: i64,
    /// Its profit per revenue unit under the domain's configured guard, if any.
    pub profit_bps_configured: Option<i64>,
    /// DeepNode regime's price and minted per revenue unit without a guard.
    pub final_price_unguarded: f64,
    /// DN minted per revenue base unit over the run without a guard (×1e9).
    pub emission_per_revenue_e9: u64,
    /// The largest `max_emission_value_bps` at which paying oneself does not pay
    /// (`None`: no guard is needed, or none suffices; `verdict` says which).
    pub break_even_bps: Option<u16>,
    /// Honest participants' income without the wash agent, unguarded (value).
    pub honest_income_unguarded: u64,
    /// The same under the break-even guard.
    pub honest_income_guarded: u64,
    /// What the guard costs honest participants (bps of their unguarded income).
    pub guard_cost_bps: i64,
}

/// A whole run: both regimes of one configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    /// The seed.
    pub seed: u64,
    /// Epochs run.
    pub epochs: u32,
    /// Fixed 41/41/18 split.
    pub fixed_split: RegimeReport,
    /// DeepNode.
    pub deepnode: RegimeReport,
    /// §13, when the configuration has a wash agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wash: Option<WashReport>,
}

impl SimReport {
    /// Writes every epoch row of both regimes as CSV (one header line).
    pub fn write_csv<W: std::io::Write>(&self, out: W) -> Result<(), SimError> {
        let mut w = csv::Writer::from_writer(out);
        for r in [&self.fixed_split, &self.deepnode] {
            for row in &r.epochs {
                w.serialize(row)
                    .map_err(|e| SimError::Output(e.to_string()))?;
            }
        }
        w.flush().map_err(|e| SimError::Output(e.to_string()))
    }
}
