//! The one clock: every "now" in Keyward goes through [`Clock`], so deadlines, grant
//! lifetimes, token expiries and the idle lock can be tested with a [`ManualClock`].

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The time.
pub trait Clock: Send + Sync + 'static {
    /// Now, in unix seconds.
    fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
    /// Now, in unix milliseconds.
    fn now_ms(&self) -> i64;
    /// Now, in unix nanoseconds (timestamps that order events within a second).
    fn now_nanos(&self) -> i128 {
        self.now_ms() as i128 * 1_000_000
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        (self.now_nanos() / 1_000_000) as i64
    }
    fn now_nanos(&self) -> i128 {
        // Before 1970 only on a broken clock: 0, which every deadline treats as long past.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i128)
            .unwrap_or(0)
    }
}

/// Now on the system clock, in unix seconds: for code that has no clock handed in.
pub fn now() -> i64 {
    SystemClock.now()
}

/// A clock that moves only when told: for tests. Clones share one time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock at `secs` (unix seconds).
    pub fn at(secs: i64) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(secs * 1000)))
    }
    /// Sets it to `secs`.
    pub fn set(&self, secs: i64) {
        self.0.store(secs * 1000, Ordering::SeqCst);
    }
    /// Moves it on by `secs`.
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs * 1000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_when_told_and_clones_share_it() {
        let c = ManualClock::at(1_000);
        let d = c.clone();
        c.advance(5);
        assert_eq!(d.now(), 1_005);
        d.set(7);
        assert_eq!(c.now_ms(), 7_000);
    }

    #[test]
    fn the_system_clock_is_after_2020() {
        assert!(SystemClock.now() > 1_577_836_800);
        assert!((now() - SystemClock.now()).abs() <= 1);
    }
}
