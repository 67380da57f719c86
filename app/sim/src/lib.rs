//! The DeepNode economic simulator (PROTOCOL.md §1, §6, §12, §13).
//!
//! One market (a DN / revenue-token constant-product pool, consumers whose demand
//! follows a path, miners with costs, stakers and validators with yield requirements,
//! buyback buyers) runs epoch by epoch under two emission regimes, from the same seed:
//! a fixed 41% / 41% / 18% split, and DeepNode, whose every budget, pool and payout is
//! computed by the math crate the program itself uses. [`simulate`] runs both;
//! [`sweep`] runs a grid of configurations in parallel; [`replay`] turns the DeepNode
//! regime's inputs into a scenario file for the real program.
#![deny(missing_docs)]

pub mod config;
pub mod demand;
pub mod engine;
pub mod pool;
pub mod replay;
pub mod report;
pub mod sweep;

pub use config::SimConfig;
pub use engine::{Draws, EpochTrace, Market, Regime, RegimeRun, Settlement};
pub use report::{EpochRow, RegimeReport, SimReport, Summary, WashReport};

use deepnode_math::MathError;

/// Why a simulation could not run or finish.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// The configuration is not one the model can run.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The math crate refused a computation.
    #[error("protocol arithmetic: {0}")]
    Math(MathError),
    /// An amount left its type.
    #[error("amount out of range: {0}")]
    Overflow(&'static str),
    /// A debit larger than the balance (a bug in the model: never expected).
    #[error("{0} would go below zero")]
    NegativeBalance(&'static str),
    /// DN counted in every holding differs from initial + minted - burned.
    #[error("epoch {epoch}: {counted} DN held, {expected} expected (initial + minted - burned)")]
    Conservation {
        /// Epoch.
        epoch: u32,
        /// DN counted.
        counted: u64,
        /// DN expected.
        expected: u64,
    },
    /// Output could not be written.
    #[error("output: {0}")]
    Output(String),
}

impl From<MathError> for SimError {
    fn from(e: MathError) -> Self {
        SimError::Math(e)
    }
}

/// Runs one regime of `c` (the DeepNode regime under `guard`), recording what it sends
/// to the program when `record`.
pub fn run_regime(
    c: &SimConfig,
    draws: &Draws,
    regime: Regime,
    guard: Option<u16>,
    record: bool,
) -> Result<RegimeRun, SimError> {
    Market::new(c, draws, regime, guard, record).run()
}

/// The start price of `c`'s pool (revenue tokens per DN).
fn start_price(c: &SimConfig) -> f64 {
    c.market.pool_rev as f64 / c.market.pool_dn as f64
}

/// Both regimes of `c` over `draws`: the fixed split, then DeepNode under the domain's
/// configured guard.
fn both(c: &SimConfig, draws: &Draws) -> Result<(RegimeRun, RegimeRun), SimError> {
    let guard = c.deepnode.max_emission_value_bps;
    Ok((
        run_regime(c, draws, Regime::FixedSplit, None, false)?,
        run_regime(c, draws, Regime::DeepNode, guard, false)?,
    ))
}

/// Both regimes of `c`, summarised, without the wash analysis (what a sweep needs).
pub fn compare(c: &SimConfig) -> Result<(Summary, Summary), SimError> {
    c.validate()?;
    let (fixed, deepnode) = both(c, &Draws::new(c))?;
    let p = start_price(c);
    Ok((Summary::of(&fixed, p), Summary::of(&deepnode, p)))
}

/// Runs `c` under both regimes; with a wash agent, also the §13 analysis.
pub fn simulate(c: &SimConfig) -> Result<SimReport, SimError> {
    c.validate()?;
    let draws = Draws::new(c);
    let p = start_price(c);
    let (fixed, deepnode) = both(c, &draws)?;
    let wash = match &c.wash {
        Some(_) => Some(wash_analysis(c, &draws)?),
        None => None,
    };
    let report = |run: RegimeRun| RegimeReport {
        summary: Summary::of(&run, p),
        epochs: run.rows,
        settlements: run.settlements,
    };
    Ok(SimReport {
        seed: c.seed,
        epochs: c.epochs,
        fixed_split: report(fixed),
        deepnode: report(deepnode),
        wash,
    })
}

/// The wash agent's total profit in the DeepNode regime under `guard`.
fn wash_profit(
    c: &SimConfig,
    draws: &Draws,
    guard: Option<u16>,
) -> Result<(i64, RegimeRun), SimError> {
    let run = run_regime(c, draws, Regime::DeepNode, guard, false)?;
    let profit = run
        .rows
        .iter()
        .filter_map(|r| r.wash_profit)
        .fold(0i64, i64::saturating_add);
    Ok((profit, run))
}

/// §13: the agent's profit per revenue unit with and without a guard, the largest guard
/// at which paying oneself does not pay (binary search over the bps, the profit rising
/// with the guard), and what that guard costs honest participants in a run without the
/// agent.
pub fn wash_analysis(c: &SimConfig, draws: &Draws) -> Result<WashReport, SimError> {
    let w = c
        .wash
        .as_ref()
        .ok_or(SimError::Config("no wash agent configured".into()))?;
    let paid = i128::from(w.revenue_per_epoch) * i128::from(c.epochs);
    let per_unit = |profit: i64| -> i64 {
        if paid == 0 {
            0
        } else {
            (i128::from(profit) * 10_000 / paid) as i64
        }
    };
    let (unguarded, run) = wash_profit(c, draws, None)?;
    let configured = match c.deepnode.max_emission_value_bps {
        Some(g) => Some(per_unit(wash_profit(c, draws, Some(g))?.0)),
        None => None,
    };
    let minted: u128 = run.rows.iter().map(|r| u128::from(r.minted)).sum();
    let revenue: u128 = run.rows.iter().map(|r| u128::from(r.revenue)).sum::<u128>() + paid as u128;
    // The search needs a loss at a guard of 0 (no emissions at all).
    let break_even = if unguarded > 0 && wash_profit(c, draws, Some(0))?.0 <= 0 {
        let (mut lo, mut hi) = (0u16, u16::MAX);
        if wash_profit(c, draws, Some(hi))?.0 <= 0 {
            lo = hi;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if wash_profit(c, draws, Some(mid))?.0 <= 0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(lo)
    } else {
        None
    };
    // The guard's cost to honest participants, measured without the agent.
    let honest = SimConfig {
        wash: None,
        ..c.clone()
    };
    let income = |guard| -> Result<u64, SimError> {
        let run = run_regime(&honest, draws, Regime::DeepNode, guard, false)?;
        Ok(Summary::of(&run, start_price(c)).honest_income)
    };
    let honest_unguarded = income(None)?;
    let honest_guarded = match break_even {
        Some(g) => income(Some(g))?,
        None => honest_unguarded,
    };
    let cost = if honest_unguarded == 0 {
        0
    } else {
        ((i128::from(honest_unguarded) - i128::from(honest_guarded)) * 10_000
            / i128::from(honest_unguarded)) as i64
    };
    let verdict = match break_even {
        Some(_) => "pays without a guard; the break-even guard stops it",
        None if unguarded <= 0 => "does not pay even without a guard",
        None => {
            "pays even with no emissions at all (it takes honest revenue shares): no guard stops it"
        }
    };
    Ok(WashReport {
        verdict,
        revenue_per_epoch: w.revenue_per_epoch,
        profit_bps_unguarded: per_unit(unguarded),
        profit_bps_configured: configured,
        final_price_unguarded: run.rows.last().map_or(start_price(c), |r| r.price),
        emission_per_revenue_e9: (minted * 1_000_000_000).checked_div(revenue).unwrap_or(0) as u64,
        break_even_bps: break_even,
        honest_income_unguarded: honest_unguarded,
        honest_income_guarded: honest_guarded,
        guard_cost_bps: cost,
    })
}
