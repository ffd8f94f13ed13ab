//! When the next automatic REGISTER goes out, as pjsip computes it.

use super::NOEXP;

/// pjsip's compile-time floor for the refresh delay, in seconds. The
/// configurable delay-before-refresh does not change it.
const MIN_DELAY_SECS: u64 = 5;

/// Refresh delay in milliseconds for a registration granted `expiration`
/// seconds, refreshing `delay_before` seconds early, where `prev_granted` is
/// the interval granted before this response (NOEXP when unknown).
pub fn refresh_delay_ms(expiration: u32, delay_before: u32, prev_granted: u32) -> u64 {
    let mut delay = u64::from(expiration).saturating_sub(u64::from(delay_before));
    if prev_granted != NOEXP && delay > u64::from(prev_granted) {
        delay = u64::from(prev_granted);
    }
    let mut ms = delay * 1000;
    if delay < MIN_DELAY_SECS {
        ms = if expiration <= 1 {
            500
        } else if u64::from(expiration) <= MIN_DELAY_SECS {
            (u64::from(expiration) - 1) * 1000
        } else {
            MIN_DELAY_SECS * 1000
        };
    }
    ms.max(500)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_delay_table() {
        // (expiration, delay_before, prev_granted, expected ms)
        let table: &[(u32, u32, u32, u64)] = &[
            (3600, 5, NOEXP, 3_595_000),
            (300, 5, NOEXP, 295_000),
            (300, 5, 60, 60_000),
            (300, 0, NOEXP, 300_000),
            (8, 5, NOEXP, 5_000),
            (10, 5, NOEXP, 5_000),
            (11, 5, NOEXP, 6_000),
            (5, 5, NOEXP, 4_000),
            (4, 5, NOEXP, 3_000),
            (2, 5, NOEXP, 1_000),
            (1, 5, NOEXP, 500),
            (30, 30, NOEXP, 5_000),
            (30, 100, NOEXP, 5_000),
            (600, 5, 2, 5_000),
            (3, 0, 1, 2_000),
        ];
        for &(exp, before, prev, want) in table {
            assert_eq!(refresh_delay_ms(exp, before, prev), want, "exp={exp} before={before} prev={prev}");
        }
    }
}
