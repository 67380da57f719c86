//! `deepnode simulate CONFIG.json`: the economic simulator (`app/sim`). Runs one market
//! under the fixed 41/41/18 split and under DeepNode's emissions and prints a summary
//! table (with `--json` one document on stdout); `--csv FILE` writes every epoch of both
//! regimes, `--plot DIR` the charts, `--sweep GRID.json` runs a grid of configurations
//! in parallel and prints one line per configuration.
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use clap::Args;
use deepnode_sim::sweep::{sweep, Grid, SweepRow, Tally};
use deepnode_sim::{simulate, SimConfig, SimReport, Summary};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::plot::{self, Panel, Series};
use crate::table::{grouped, table};

/// `simulate` arguments.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Simulator configuration (JSON; every key optional, see docs/economics.md).
    pub config: PathBuf,
    /// Write every epoch of both regimes as CSV to FILE ("-": stdout).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write PNG charts (price, supply, pressure, miners) into DIR.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    /// Run the grid of GRID.json (`{"axes": [{"path": ..., "values": [...]}]}`) over
    /// CONFIG, in parallel, instead of one run.
    #[arg(long, value_name = "GRID")]
    pub sweep: Option<PathBuf>,
    /// Worker threads for --sweep (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override the configuration's epochs.
    #[arg(long)]
    pub epochs: Option<u32>,
    /// Override the configuration's seed.
    #[arg(long)]
    pub seed: Option<u64>,
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Runs `simulate`; `json` prints one JSON document instead of tables.
pub fn exec(args: SimulateArgs, json: bool) -> Result<()> {
    let mut config = SimConfig::from_json(&read(&args.config)?)
        .with_context(|| args.config.display().to_string())?;
    config.epochs = args.epochs.unwrap_or(config.epochs);
    config.seed = args.seed.unwrap_or(config.seed);
    if let Some(grid) = &args.sweep {
        return run_sweep(&config, grid, args.threads, json);
    }
    let report = simulate(&config).with_context(|| args.config.display().to_string())?;
    if let Some(path) = &args.csv {
        if path.as_os_str() == "-" {
            report.write_csv(std::io::stdout().lock())?;
        } else {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            report.write_csv(file)?;
        }
    }
    if let Some(dir) = &args.plot {
        let written = write_plots(dir, &report)?;
        if !json {
            for p in written {
                eprintln!("wrote {}", p.display());
            }
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if args
        .csv
        .as_deref()
        .map(|p| p.as_os_str() != "-")
        .unwrap_or(true)
    {
        print!("{}", summary_table(&report));
    }
    Ok(())
}

/// A ratio for people: "1.23" or "-" (nothing bought).
fn ratio(r: Option<f64>) -> String {
    r.map_or("-".into(), |v| format!("{v:.2}"))
}

/// Revenue-token base units as dollars, grouped.
fn dollars(v: u64) -> String {
    format!("${}", grouped(v / 1_000_000))
}

/// Signed dollars.
fn signed(v: i64) -> String {
    let d = grouped(v.unsigned_abs() / 1_000_000);
    if v < 0 {
        format!("-${d}")
    } else {
        format!("${d}")
    }
}

/// DN base units as whole DN, grouped.
fn dn(v: u64) -> String {
    grouped(v / 1_000_000)
}

/// Rows of the comparison table, in the order [`cells`] gives them.
const SUMMARY_ROWS: [&str; 13] = [
    "price: start → end",
    "lowest price",
    "DN minted",
    "DN burned",
    "supply: start → end",
    "sell pressure (value)",
    "buy pressure (value)",
    "sell / buy",
    "epochs selling > buying",
    "miners: end (lowest)",
    "revenue",
    "miners' profit",
    "honest participants' income",
];

/// One regime's column of the comparison table.
fn cells(s: &Summary) -> [String; 13] {
    [
        format!("{:.4} → {:.4}", s.start_price, s.final_price),
        format!("{:.4}", s.min_price),
        dn(s.minted),
        dn(s.burned),
        format!("{} → {}", dn(s.initial_supply), dn(s.final_supply)),
        dollars(s.sold_value),
        dollars(s.bought_value),
        ratio(s.pressure),
        s.epochs_sell_above_buy.to_string(),
        format!("{} ({})", s.final_miners, s.min_miners),
        dollars(s.revenue),
        signed(s.miners_profit),
        dollars(s.honest_income),
    ]
}

/// The comparison table of one run.
pub fn summary_table(r: &SimReport) -> String {
    let (f, d) = (&r.fixed_split.summary, &r.deepnode.summary);
    let mut t = table(&["over the run", "fixed 41/41/18", "DeepNode"]);
    for (name, (a, b)) in SUMMARY_ROWS.iter().zip(cells(f).into_iter().zip(cells(d))) {
        t.add_row(vec![name.to_string(), a, b]);
    }
    let mut out = format!("{} epochs, seed {}\n{t}\n", r.epochs, r.seed);
    if let Some(w) = &r.wash {
        let mut t = table(&["wash usage (§13)", "value"]);
        t.add_row(vec![
            "paid to itself per epoch".into(),
            dollars(w.revenue_per_epoch),
        ]);
        t.add_row(vec![
            "profit per revenue unit, no guard".into(),
            format!("{:.2}%", w.profit_bps_unguarded as f64 / 100.0),
        ]);
        if let Some(p) = w.profit_bps_configured {
            t.add_row(vec![
                "profit per revenue unit, configured guard".into(),
                format!("{:.2}%", p as f64 / 100.0),
            ]);
        }
        t.add_row(vec![
            "DN minted per revenue unit (no guard)".into(),
            format!("{:.4}", w.emission_per_revenue_e9 as f64 / 1e9),
        ]);
        t.add_row(vec![
            "break-even max_emission_value_bps".into(),
            w.break_even_bps.map_or("-".into(), |b| b.to_string()),
        ]);
        t.add_row(vec![
            "what that guard costs honest participants".into(),
            format!("{:.2}%", w.guard_cost_bps as f64 / 100.0),
        ]);
        t.add_row(vec!["verdict".to_string(), w.verdict.to_string()]);
        out.push_str(&format!("{t}\n"));
    }
    out
}

/// Where the pressure chart clips the sell/buy ratio: the first epochs, when almost
/// nothing has been bought yet, would flatten the rest.
const RATIO_CLIP: f64 = 5.0;

/// price.png, supply.png, pressure.png and miners.png, both regimes on the same axes.
pub fn write_plots(dir: &Path, r: &SimReport) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let line = |label: &str,
                rows: &[deepnode_sim::EpochRow],
                f: &dyn Fn(&deepnode_sim::EpochRow) -> f64| Series {
        label: label.to_string(),
        points: rows.iter().map(|e| (u64::from(e.epoch), f(e))).collect(),
    };
    let (f, d) = (&r.fixed_split.epochs, &r.deepnode.epochs);
    let both =
        |title: &str, unit: &'static str, g: &dyn Fn(&deepnode_sim::EpochRow) -> f64| -> Panel {
            (
                title.to_string(),
                unit,
                vec![line("fixed 41/41/18", f, g), line("DeepNode", d, g)],
            )
        };
    let running = |rows: &[deepnode_sim::EpochRow],
                   f: fn(&deepnode_sim::EpochRow) -> u64|
     -> Vec<(u64, f64)> {
        let mut sum = 0u64;
        rows.iter()
            .map(|e| {
                sum = sum.saturating_add(f(e));
                (u64::from(e.epoch), sum as f64 / 1e6)
            })
            .collect()
    };
    // Sold over bought since the start (absent until something was bought).
    let ratio_line = |label: &str, rows: &[deepnode_sim::EpochRow]| -> Series {
        let (mut sold, mut bought) = (0u64, 0u64);
        let points = rows
            .iter()
            .filter_map(|e| {
                sold = sold.saturating_add(e.sold_value);
                bought = bought.saturating_add(e.bought_value);
                (bought > 0).then(|| {
                    let r = sold as f64 / bought as f64;
                    (u64::from(e.epoch), r.min(RATIO_CLIP))
                })
            })
            .collect();
        Series {
            label: label.to_string(),
            points,
        }
    };
    let sold_bought = |name: &str, rows: &[deepnode_sim::EpochRow]| {
        [
            Series {
                label: format!("{name}: sold"),
                points: running(rows, |e| e.sold_value),
            },
            Series {
                label: format!("{name}: bought"),
                points: running(rows, |e| e.bought_value),
            },
        ]
    };
    // Summed from the start: per-epoch values are dominated by the epochs in which
    // stakers enter or leave.
    let pressure = vec![
        (
            "DN sold vs bought since the start".to_string(),
            "revenue tokens",
            sold_bought("fixed 41/41/18", f)
                .into_iter()
                .chain(sold_bought("DeepNode", d))
                .collect(),
        ),
        (
            format!("sell / buy pressure since the start (clipped at {RATIO_CLIP})"),
            "sold / bought",
            vec![ratio_line("fixed 41/41/18", f), ratio_line("DeepNode", d)],
        ),
    ];
    let charts: Vec<(&str, Vec<Panel>)> = vec![
        (
            "price.png",
            vec![both("DN price", "revenue token per DN", &|e| e.price)],
        ),
        (
            "supply.png",
            vec![
                both("DN supply", "DN", &|e| e.supply as f64 / 1e6),
                both("DN minted per epoch", "DN", &|e| e.minted as f64 / 1e6),
            ],
        ),
        ("pressure.png", pressure),
        (
            "miners.png",
            vec![
                both("miners active", "miners", &|e| f64::from(e.miners_active)),
                both("revenue per epoch", "revenue tokens", &|e| {
                    e.revenue as f64 / 1e6
                }),
            ],
        ),
    ];
    let mut written = Vec::new();
    for (name, panels) in charts {
        let path = dir.join(name);
        plot::draw(&path, &panels)?;
        written.push(path);
    }
    Ok(written)
}

fn run_sweep(base: &SimConfig, grid_path: &Path, threads: Option<usize>, json: bool) -> Result<()> {
    let grid: Grid = serde_json::from_str(&read(grid_path)?)
        .with_context(|| format!("{}: not a sweep grid", grid_path.display()))?;
    let configs = grid.axes.iter().map(|a| a.values.len()).product::<usize>();
    let bar = ProgressBar::new(configs as u64).with_style(
        ProgressStyle::with_template("{spinner} config {pos}/{len} {wide_bar} {elapsed}")
            .context("progress bar template")?,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| anyhow!("thread pool: {e}"))?;
    let started = std::time::Instant::now();
    let rows = pool.install(|| sweep(base, &grid, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    if json {
        let doc = json!({
            "axes": grid.axes.iter().map(|a| a.title().to_string()).collect::<Vec<_>>(),
            "epochs": base.epochs,
            "configs": rows.len(),
            "tally": Tally::of(&rows),
            "rows": rows,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{}", sweep_table(&grid, &rows));
        let t = Tally::of(&rows);
        let n = t.configs;
        println!(
            "DeepNode ended at a higher price than the fixed split in {} of {n} configurations, with more miners in {}, paying honest participants more in {}.",
            t.deepnode_price_higher, t.deepnode_more_miners, t.deepnode_more_income
        );
        println!(
            "DN sold ≤ DN bought over the run: fixed split {} of {n}, DeepNode {} of {n}; price held its start: fixed split {}, DeepNode {}.",
            t.fixed_sells_within_buys, t.deepnode_sells_within_buys, t.fixed_price_held, t.deepnode_price_held
        );
        println!(
            "{} configurations × {} epochs × 2 regimes in {secs:.1} s on {} threads",
            rows.len(),
            base.epochs,
            pool.current_num_threads()
        );
    }
    Ok(())
}

/// One line per configuration: its axis values, then each regime's outcome.
pub fn sweep_table(grid: &Grid, rows: &[SweepRow]) -> String {
    let mut header: Vec<String> = grid.axes.iter().map(|a| a.title().to_string()).collect();
    for r in ["fixed", "DeepNode"] {
        header.push(format!("{r}: end price"));
        header.push(format!("{r}: sell/buy"));
        header.push(format!("{r}: miners"));
    }
    let wash = rows.iter().any(|r| r.wash.is_some());
    if wash {
        header.push("wash: profit, no guard".into());
        header.push("wash: break-even bps".into());
        header.push("guard's cost to honest".into());
    }
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = table(&names);
    for row in rows {
        let mut cells: Vec<String> = grid
            .axes
            .iter()
            .zip(&row.at)
            .map(|(a, i)| a.label(*i))
            .collect();
        for s in [&row.fixed_split, &row.deepnode] {
            cells.push(format!("{:.4}", s.final_price));
            cells.push(ratio(s.pressure));
            cells.push(s.final_miners.to_string());
        }
        if let Some(w) = &row.wash {
            cells.push(format!("{:.2}%", w.profit_bps_unguarded as f64 / 100.0));
            cells.push(w.break_even_bps.map_or("-".into(), |b| b.to_string()));
            cells.push(format!("{:.2}%", w.guard_cost_bps as f64 / 100.0));
        }
        t.add_row(cells);
    }
    format!("{t}\n")
}
