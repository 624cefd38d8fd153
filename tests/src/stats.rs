//! Percentiles and one-line summaries for the measuring tools (`loadtest`, `floor`).

use std::time::Duration;

/// The `p` quantile (0.0..=1.0) of sorted samples, nearest rank.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// p50, p99 and max of some samples.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub n: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Spread {
    pub fn of(mut v: Vec<Duration>) -> Option<Spread> {
        v.sort();
        Some(Spread {
            n: v.len(),
            p50: pct(&v, 0.5),
            p99: pct(&v, 0.99),
            max: *v.last()?,
        })
    }
}

/// Prints `name n=… p50 … p99 … max …` and returns the figures.
pub fn summary(name: &str, v: Vec<Duration>) -> Option<Spread> {
    let Some(s) = Spread::of(v) else {
        println!("{name:<34} (no samples)");
        return None;
    };
    println!(
        "{name:<34} n={:<6} p50 {:>10}  p99 {:>10}  max {:>10}",
        s.n,
        ms(s.p50),
        ms(s.p99),
        ms(s.max)
    );
    Some(s)
}

/// (RSS in KiB, CPU seconds) of a process, from /proc.
pub fn proc_stats(pid: Option<u32>) -> Option<(u64, f64)> {
    let pid = pid?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit(')').next()?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat; after the ')' they are at 11 and 12.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some((rss, ticks / 100.0))
}
