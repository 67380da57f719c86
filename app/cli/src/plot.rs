//! `--plot DIR`: PNG charts of a scenario run, drawn by `plotters` with an embedded font.
//! - `budget.png`: per domain, revenue, budget and minted per epoch;
//! - `payouts.png`: per domain, the DN pools funded per role per epoch;
//! - `supply.png`: DN supply and all DN burned after each epoch.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, Context, Result};
use deepnode_scenario::{EpochDone, Report, Scenario};
use plotters::prelude::*;
use plotters::style::FontStyle;

/// Chart size in pixels (width, height per panel).
const PANEL: (u32, u32) = (960, 360);

/// The font every chart uses, registered once under the name "sans-serif".
fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(anyhow!("the embedded DejaVu Sans font cannot be read"))
    }
}

/// One line of a chart.
pub struct Series {
    /// Legend.
    pub label: String,
    /// (epoch, value) points.
    pub points: Vec<(u64, f64)>,
}

/// A chart: title, y-axis label, lines.
pub type Panel = (String, &'static str, Vec<Series>);

/// Draws `series` into `area` under `title`, x = scenario epoch.
fn panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    title: &str,
    y_label: &str,
    series: &[Series],
) -> Result<()> {
    let x_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .max()
        .unwrap_or(0)
        .max(1);
    let y_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0f64, f64::max);
    // Values below 10 (prices) keep decimals; larger ones are grouped integers.
    let small = y_max < 10.0;
    let y_max = if small {
        y_max.max(1e-6)
    } else {
        y_max.max(1.0)
    } * 1.08;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(90)
        .build_cartesian_2d(0u64..x_max, 0f64..y_max)
        .map_err(|e| anyhow!("chart {title}: {e}"))?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(y_label)
        .y_label_formatter(&|v| {
            if small {
                format!("{v:.3}")
            } else {
                crate::table::grouped(v.round() as u64)
            }
        })
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(|e| anyhow!("chart {title}: {e}"))?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                s.points.iter().map(|&(x, y)| (x, y)),
                color.stroke_width(2),
            ))
            .map_err(|e| anyhow!("chart {title}: {e}"))?
            .label(s.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| anyhow!("chart {title}: {e}"))?;
    Ok(())
}

/// Draws one PNG of `panels` stacked vertically.
pub fn draw(path: &Path, panels: &[Panel]) -> Result<()> {
    register_font()?;
    let rows = panels.len().max(1);
    let height = PANEL.1 * u32::try_from(rows).context("too many panels")?;
    let root = BitMapBackend::new(path, (PANEL.0, height)).into_drawing_area();
    root.fill(&WHITE)
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    for (area, (title, y_label, series)) in root.split_evenly((rows, 1)).iter().zip(panels) {
        panel(area, title, y_label, series)?;
    }
    root.present()
        .map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Writes the three charts of a run into `dir` (created if missing) and returns their
/// paths.
pub fn write(
    dir: &Path,
    scenario: &Scenario,
    report: &Report,
    done: &[EpochDone],
) -> Result<Vec<PathBuf>> {
    register_font()?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut budget = Vec::new();
    let mut payouts = Vec::new();
    for d in &scenario.domains {
        let epochs: Vec<_> = report
            .epochs
            .iter()
            .filter(|e| e.domain == d.name)
            .collect();
        let line = |label: &str, f: &dyn Fn(&deepnode_scenario::EpochReport) -> u64| Series {
            label: label.to_string(),
            points: epochs.iter().map(|e| (e.index, f(e) as f64)).collect(),
        };
        budget.push((
            format!("{}: budget and minted vs revenue", d.name),
            "base units",
            vec![
                line(&format!("revenue ({})", d.revenue_mint.symbol), &|e| {
                    e.revenue
                }),
                line("budget (DN)", &|e| e.budget),
                line("minted (DN)", &|e| e.minted),
            ],
        ));
        payouts.push((
            format!("{}: DN pools per role", d.name),
            "DN base units",
            vec![
                line("miners", &|e| e.dn_pools.miners),
                line("stakers", &|e| e.dn_pools.stakers),
                line("validators", &|e| e.dn_pools.validators),
                line("domain owner", &|e| e.dn_pools.domain_owner),
                line("model owners", &|e| e.dn_pools.model_owners),
                line("foundation", &|e| e.dn_pools.foundation),
            ],
        ));
    }
    let at = |f: &dyn Fn(&EpochDone) -> u64| -> Vec<(u64, f64)> {
        done.iter().map(|d| (d.index as u64, f(d) as f64)).collect()
    };
    let supply = vec![
        (
            "DN supply after each epoch".to_string(),
            "DN base units",
            vec![Series {
                label: "supply".into(),
                points: at(&|d| d.dn_supply),
            }],
        ),
        (
            "DN burned (payments, auctions, dust), cumulative".to_string(),
            "DN base units",
            vec![Series {
                label: "burned".into(),
                points: at(&|d| d.dn_burned),
            }],
        ),
    ];
    let mut written = Vec::new();
    for (name, panels) in [
        ("budget.png", budget),
        ("payouts.png", payouts),
        ("supply.png", supply),
    ] {
        let path = dir.join(name);
        draw(&path, &panels)?;
        written.push(path);
    }
    Ok(written)
}
