//! An epoch's times and windows (PROTOCOL.md §5), in one place for the program, the
//! keeper, the scenario runner and the simulator: when it may close, which cap period it
//! belongs to, and how long its payouts stay claimable.

use crate::MathError;

/// When an epoch that ends at `end_ts` may be closed: after its end plus the domain's
/// grace window for late attestations and reveals.
pub fn close_time(end_ts: i64, grace_secs: u32) -> Result<i64, MathError> {
    end_ts
        .checked_add(i64::from(grace_secs))
        .ok_or(MathError::Overflow)
}

/// The global cap's period containing an epoch's end: `end_ts / period_secs`. A time
/// before 1970 has no period (an error, as a period of 0 seconds is).
pub fn cap_period(end_ts: i64, period_secs: u32) -> Result<u64, MathError> {
    let end = u64::try_from(end_ts).map_err(|_| MathError::Overflow)?;
    end.checked_div(u64::from(period_secs))
        .ok_or(MathError::DivisionByZero)
}

/// Whether an epoch's payouts can still be credited while the domain's open epoch is
/// `open_epoch`: its window counts `window_epochs` epochs from `window_from`, the
/// domain's last closed epoch when it was settled (so a late settlement never shortens
/// it). It closes once `open_epoch > window_from + window_epochs`, and then the epoch may
/// be swept.
pub fn claim_window_open(
    open_epoch: u64,
    window_from: u64,
    window_epochs: u16,
) -> Result<bool, MathError> {
    let last = window_from
        .checked_add(u64::from(window_epochs))
        .ok_or(MathError::Overflow)?;
    Ok(open_epoch <= last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_time_adds_the_grace() {
        assert_eq!(close_time(1_000, 300), Ok(1_300));
        assert_eq!(close_time(1_000, 0), Ok(1_000));
        assert_eq!(close_time(i64::MAX, 1), Err(MathError::Overflow));
        assert_eq!(close_time(-10, 5), Ok(-5));
    }

    #[test]
    fn cap_periods_count_from_1970() {
        assert_eq!(cap_period(86_399, 86_400), Ok(0));
        assert_eq!(cap_period(86_400, 86_400), Ok(1));
        assert_eq!(cap_period(1, 0), Err(MathError::DivisionByZero));
        assert_eq!(cap_period(-1, 86_400), Err(MathError::Overflow));
        assert_eq!(cap_period(i64::MAX, 1), Ok(i64::MAX as u64));
    }

    #[test]
    fn the_window_counts_from_the_last_closed_epoch_at_settlement() {
        // Settled before the next close: the window counts from the epoch itself.
        assert_eq!(claim_window_open(6, 5, 1), Ok(true));
        assert_eq!(claim_window_open(7, 5, 1), Ok(false));
        // Settled three epochs late (the domain had closed epoch 8): from 8.
        assert_eq!(claim_window_open(9, 8, 1), Ok(true));
        assert_eq!(claim_window_open(10, 8, 1), Ok(false));
        assert_eq!(
            claim_window_open(u64::MAX, u64::MAX, 1),
            Err(MathError::Overflow)
        );
    }
}
