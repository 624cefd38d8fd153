//! Limits against hostile clients: token buckets, per-address failure throttles and the
//! connection caps. Plain data and counters: no tasks, no I/O, time passed in.
//!
//! Nothing here is global per server in the sense of "everyone shares one bucket": a bucket
//! belongs to one connection, one source address or one account, so a class behind one NAT
//! joining correctly never waits for a flooder elsewhere.

use dashmap::DashMap;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server's shared throttles and counters, one of each.
#[derive(Debug)]
pub struct Guards {
    pub joins: FailureThrottle<IpAddr>,
    pub logins: LoginThrottle,
    pub conns: Arc<ConnCounter>,
    /// The few threads that check passwords (each Argon2 run holds 19 MiB); a login that
    /// finds them all busy is refused at once (503 `server_busy`) instead of queueing.
    pub password_checks: crate::checker::PasswordChecker,
}

impl Guards {
    pub fn new(config: &crate::Config) -> Guards {
        Guards {
            joins: FailureThrottle::new(config.join_failures),
            logins: LoginThrottle::default(),
            conns: ConnCounter::new(),
            password_checks: crate::checker::PasswordChecker::new(crate::checker::default_threads()),
        }
    }
}

/// A token bucket: `burst` tokens, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

impl Rate {
    pub const fn new(per_second: f64, burst: f64) -> Rate {
        Rate { per_second, burst }
    }
}

#[derive(Debug, Clone)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn full(rate: Rate, now: Instant) -> Bucket {
        Bucket {
            tokens: rate.burst,
            at: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * rate.per_second).min(rate.burst);
        self.at = now;
    }

    /// Takes one token if there is one.
    pub fn take(&mut self, rate: Rate, now: Instant) -> bool {
        self.refill(rate, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Takes `n` tokens, into debt if need be: a debt is paid back by refilling before the
    /// next [`Bucket::take`] can succeed.
    pub fn charge(&mut self, rate: Rate, n: f64, now: Instant) {
        self.refill(rate, now);
        self.tokens -= n;
    }

    /// Whether a token is there, without taking it.
    pub fn has(&mut self, rate: Rate, now: Instant) -> bool {
        self.refill(rate, now);
        self.tokens >= 1.0
    }

    /// Full again: nothing left to remember.
    fn is_full(&mut self, rate: Rate, now: Instant) -> bool {
        self.refill(rate, now);
        self.tokens >= rate.burst
    }
}

/// Failures per key (a source address, an account name): each failure takes a token; while
/// none is left the key is throttled. Successes are never counted.
#[derive(Debug)]
pub struct FailureThrottle<K: std::hash::Hash + Eq> {
    rate: Rate,
    buckets: DashMap<K, Bucket>,
}

/// Forgotten keys: the map is swept when it grows past this, so a spray of addresses cannot
/// grow it without bound (full buckets carry no information and are dropped).
const SWEEP_AT: usize = 10_000;

impl<K: std::hash::Hash + Eq + Clone> FailureThrottle<K> {
    pub fn new(rate: Rate) -> Self {
        FailureThrottle {
            rate,
            buckets: DashMap::new(),
        }
    }

    /// Whether `key` may try again now.
    pub fn allows(&self, key: &K, now: Instant) -> bool {
        let rate = self.rate;
        self.buckets
            .get_mut(key)
            .is_none_or(|mut b| b.has(rate, now))
    }

    /// Counts one failure for `key`.
    pub fn failed(&self, key: K, now: Instant) {
        let rate = self.rate;
        if self.buckets.len() >= SWEEP_AT {
            self.buckets.retain(|_, b| !b.is_full(rate, now));
        }
        self.buckets
            .entry(key)
            .or_insert_with(|| Bucket::full(rate, now))
            .take(rate, now);
    }

    /// How long until `key` has a token again (zero when it has one).
    pub fn wait(&self, key: &K, now: Instant) -> Duration {
        let rate = self.rate;
        let Some(mut b) = self.buckets.get_mut(key) else {
            return Duration::ZERO;
        };
        if b.has(rate, now) {
            return Duration::ZERO;
        }
        Duration::from_secs_f64((1.0 - b.tokens) / rate.per_second.max(1e-9))
    }
}

/// Login attempts, per (account, address) and per address: the guesser is slowed, not the
/// owner. An attempt is [reserved](LoginThrottle::reserve) before its password is checked and
/// counts as a failure from that moment, so parallel requests can never run more checks than
/// the budget; a success [refunds](LoginThrottle::succeeded) it. After the free attempts each
/// further failure doubles a wait (1 s, 2 s, 4 s … 15 min).
///
/// There is deliberately no per-account key: it would let anyone lock the owner out. A
/// guesser with many addresses is bounded by [`LOGIN_FREE_FAILURES`] per address and account
/// and by the bound on concurrent password checks ([`Guards::password_checks`]).
#[derive(Debug, Default)]
pub struct LoginThrottle {
    state: std::sync::Mutex<Attempts>,
}

#[derive(Debug, Default)]
struct Attempts {
    by_pair: HashMap<(String, IpAddr), Backoff>,
    by_addr: HashMap<IpAddr, Backoff>,
}

#[derive(Debug, Clone, Copy)]
struct Backoff {
    failures: u32,
    last: Instant,
}

/// Password checks one address may make on one account before the backoff starts.
pub const LOGIN_FREE_FAILURES: u32 = 5;
/// Checks one address may make on all accounts together: more, as a classroom of hosts
/// shares one NAT (each teacher typing their own password wrong a few times).
pub const LOGIN_FREE_FAILURES_PER_ADDR: u32 = 20;
const LOGIN_MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// A key quiet this long starts over: a backoff does not renew forever.
const LOGIN_FORGET: Duration = Duration::from_secs(60 * 60);

impl Backoff {
    fn wait(&self, free: u32, now: Instant) -> Duration {
        if self.failures < free || self.forgotten(now) {
            return Duration::ZERO;
        }
        let exp = (self.failures - free).min(20);
        let wait = Duration::from_secs(1u64 << exp).min(LOGIN_MAX_WAIT);
        (self.last + wait).saturating_duration_since(now)
    }

    fn forgotten(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last) >= LOGIN_FORGET
    }

    fn record(&mut self, now: Instant) {
        if self.forgotten(now) {
            self.failures = 0;
        }
        self.failures += 1;
        self.last = now;
    }

    fn refund(&mut self) {
        self.failures = self.failures.saturating_sub(1);
    }
}

fn record<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Backoff>, key: K, now: Instant) {
    if map.len() >= SWEEP_AT {
        map.retain(|_, b| !b.forgotten(now) && b.failures > 0);
    }
    map.entry(key)
        .or_insert(Backoff {
            failures: 0,
            last: now,
        })
        .record(now);
}

impl LoginThrottle {
    fn attempts(&self) -> std::sync::MutexGuard<'_, Attempts> {
        // The maps hold only whole entries: a panic elsewhere leaves them usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves one password check of `account` from `addr`, counted as a failure until it
    /// is [refunded](Self::refund) or [succeeds](Self::succeeded). `Err`: the time to wait.
    pub fn reserve(&self, account: &str, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let pair = (account.to_lowercase(), addr);
        let mut s = self.attempts();
        let wait = s
            .by_pair
            .get(&pair)
            .map_or(Duration::ZERO, |b| b.wait(LOGIN_FREE_FAILURES, now))
            .max(s.by_addr.get(&addr).map_or(Duration::ZERO, |b| {
                b.wait(LOGIN_FREE_FAILURES_PER_ADDR, now)
            }));
        if !wait.is_zero() {
            return Err(wait);
        }
        record(&mut s.by_pair, pair, now);
        record(&mut s.by_addr, addr, now);
        Ok(())
    }

    /// Gives back a reservation whose password was never checked (the server was busy).
    pub fn refund(&self, account: &str, addr: IpAddr) {
        let mut s = self.attempts();
        if let Some(b) = s.by_pair.get_mut(&(account.to_lowercase(), addr)) {
            b.refund();
        }
        if let Some(b) = s.by_addr.get_mut(&addr) {
            b.refund();
        }
    }

    /// The password was right: this address's failures on the account are forgotten, and the
    /// reservation is given back to the address.
    pub fn succeeded(&self, account: &str, addr: IpAddr) {
        let mut s = self.attempts();
        s.by_pair.remove(&(account.to_lowercase(), addr));
        if let Some(b) = s.by_addr.get_mut(&addr) {
            b.refund();
        }
    }
}

/// Open connections per source address, and in all. A [`Slot`] is held for as long as the
/// socket is open (the HTTP connection, then the WebSocket it became).
#[derive(Debug)]
pub struct ConnCounter {
    per_addr: DashMap<IpAddr, u32>,
    total: std::sync::atomic::AtomicUsize,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    PerAddress,
    Total,
}

/// One admitted connection; dropping it frees its place.
#[derive(Debug)]
pub struct Slot {
    counter: Arc<ConnCounter>,
    addr: Option<IpAddr>,
}

impl ConnCounter {
    pub fn new() -> Arc<ConnCounter> {
        Arc::new(ConnCounter {
            per_addr: DashMap::new(),
            total: Default::default(),
        })
    }

    pub fn total(&self) -> usize {
        self.total.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Admits one connection from `addr` unless a cap is reached. `per_addr: None` exempts it.
    pub fn admit(
        self: &Arc<Self>,
        addr: IpAddr,
        per_addr: Option<u32>,
        total: usize,
    ) -> Result<Slot, Refused> {
        use std::sync::atomic::Ordering;
        if self.total.fetch_add(1, Ordering::Relaxed) >= total {
            self.total.fetch_sub(1, Ordering::Relaxed);
            return Err(Refused::Total);
        }
        let Some(cap) = per_addr else {
            return Ok(Slot {
                counter: Arc::clone(self),
                addr: None,
            });
        };
        let mut n = self.per_addr.entry(addr).or_insert(0);
        if *n >= cap {
            drop(n);
            self.total.fetch_sub(1, Ordering::Relaxed);
            return Err(Refused::PerAddress);
        }
        *n += 1;
        Ok(Slot {
            counter: Arc::clone(self),
            addr: Some(addr),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.counter
            .total
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(addr) = self.addr {
            self.counter.per_addr.remove_if_mut(&addr, |_, n| {
                *n = n.saturating_sub(1);
                *n == 0
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let rate = Rate::new(10.0, 20.0);
        let t0 = Instant::now();
        let mut b = Bucket::full(rate, t0);
        assert_eq!((0..25).filter(|_| b.take(rate, t0)).count(), 20);
        let t1 = t0 + Duration::from_millis(500);
        assert_eq!((0..25).filter(|_| b.take(rate, t1)).count(), 5);
    }

    #[test]
    fn failures_throttle_one_key_and_no_other() {
        let t = FailureThrottle::new(Rate::new(1.0, 3.0));
        let now = Instant::now();
        let (a, b): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        for _ in 0..3 {
            assert!(t.allows(&a, now));
            t.failed(a, now);
        }
        assert!(!t.allows(&a, now));
        assert!(t.wait(&a, now) > Duration::ZERO);
        assert!(t.allows(&b, now), "another address is not affected");
        assert!(t.allows(&a, now + Duration::from_millis(1100)), "refilled");
    }

    #[test]
    fn login_backoff_starts_after_the_free_failures_and_doubles() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let addr: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..LOGIN_FREE_FAILURES {
            assert_eq!(t.reserve("Admin", addr, now), Ok(()));
        }
        assert_eq!(t.reserve("ADMIN", addr, now), Err(Duration::from_secs(1)));
        let later = now + Duration::from_secs(1);
        assert_eq!(t.reserve("admin", addr, later), Ok(()));
        assert_eq!(t.reserve("admin", addr, later), Err(Duration::from_secs(2)));
        t.succeeded("admin", addr);
        assert_eq!(t.reserve("admin", addr, later), Ok(()));
    }

    #[test]
    fn reservations_at_one_instant_grant_exactly_the_budget() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let addr: IpAddr = [10, 0, 0, 1].into();
        let granted = (0..60)
            .filter(|_| t.reserve("carol", addr, now).is_ok())
            .count();
        assert_eq!(granted, LOGIN_FREE_FAILURES as usize);
        let names = (0..200)
            .filter(|i| {
                t.reserve(&format!("ghost{i}"), [10, 0, 0, 2].into(), now)
                    .is_ok()
            })
            .count();
        assert_eq!(names, LOGIN_FREE_FAILURES_PER_ADDR as usize, "per address");
    }

    #[test]
    fn a_guesser_never_holds_back_the_owner_at_another_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let guesser: IpAddr = [203, 0, 113, 7].into();
        for _ in 0..100 {
            let _ = t.reserve("carol", guesser, now);
        }
        assert!(t.reserve("carol", guesser, now).is_err());
        assert_eq!(t.reserve("carol", [198, 51, 100, 2].into(), now), Ok(()));
    }

    #[test]
    fn a_refund_gives_the_attempt_back_and_a_quiet_hour_forgets() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let addr: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..100 {
            if t.reserve("carol", addr, now).is_ok() {
                t.refund("carol", addr);
            }
        }
        assert_eq!(
            t.reserve("carol", addr, now),
            Ok(()),
            "unchecked attempts are free"
        );
        while t.reserve("carol", addr, now).is_ok() {}
        let much_later = now + LOGIN_FORGET;
        assert_eq!(t.reserve("carol", addr, much_later), Ok(()));
        assert_eq!(
            (1..LOGIN_FREE_FAILURES)
                .filter(|_| t.reserve("carol", addr, much_later).is_ok())
                .count(),
            LOGIN_FREE_FAILURES as usize - 1,
            "starts over with the whole budget"
        );
    }

    #[test]
    fn connection_caps_count_per_address_and_free_on_drop() {
        let c = ConnCounter::new();
        let a: IpAddr = [10, 0, 0, 1].into();
        let s1 = c.admit(a, Some(2), 10).expect("first");
        let _s2 = c.admit(a, Some(2), 10).expect("second");
        assert_eq!(c.admit(a, Some(2), 10).err(), Some(Refused::PerAddress));
        let _other = c
            .admit([10, 0, 0, 2].into(), Some(2), 10)
            .expect("other address");
        drop(s1);
        let _s3 = c.admit(a, Some(2), 10).expect("freed");
        assert_eq!(c.admit(a, None, 3).err(), Some(Refused::Total));
        assert_eq!(c.total(), 3);
    }
}
