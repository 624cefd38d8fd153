//! The threads that check passwords: a few, always the same ones, never more at once.
//!
//! Each Argon2 run allocates 19 MiB. On tokio's blocking pool the runs land on whichever of
//! its up to 512 threads is free, and the allocator keeps a heap of that size for each
//! thread it served (one login after another grew the server by 19 MiB each). Here at most
//! `n` checks run, on `n` threads of their own that each reuse one working area (see
//! `store::accounts::verify_password`), so the memory they hold is about `n` times 19 MiB however many
//! logins arrive. Nothing waits in line: a check that finds every
//! thread busy is refused at once by [`PasswordChecker::try_start`].

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug)]
pub struct PasswordChecker {
    jobs: SyncSender<Job>,
    free: Arc<Semaphore>,
}

/// A reserved thread; the check given to [`PasswordChecker::run`] keeps it until it is done,
/// even if the request that asked goes away.
#[derive(Debug)]
pub struct Started(#[allow(dead_code)] OwnedSemaphorePermit);

/// Threads for password checks: twice the cores (the checks are CPU-bound; more would only
/// share the cores), at least 2 and at most 8, so their memory stays under 160 MiB.
pub fn default_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (2 * cores).clamp(2, 8)
}

impl PasswordChecker {
    /// Starts `n` threads; they end when the checker is dropped.
    pub fn new(n: usize) -> PasswordChecker {
        // Never more than `n` jobs exist at once (each holds a permit), so the queue never
        // fills.
        let (jobs, queue) = sync_channel::<Job>(n);
        let queue = Arc::new(Mutex::new(queue));
        let mut started = 0;
        for i in 0..n {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{i}"))
                .spawn(move || work(&queue));
            match spawned {
                Ok(_) => started += 1,
                Err(e) => tracing::error!(error = %e, "cannot start a password-check thread"),
            }
        }
        PasswordChecker {
            jobs,
            free: Arc::new(Semaphore::new(started)),
        }
    }

    /// A free thread, or `None` when every one is checking.
    pub fn try_start(&self) -> Option<Started> {
        Arc::clone(&self.free).try_acquire_owned().ok().map(Started)
    }

    /// Runs `check` on the thread `started` reserved; `None` if it could not run.
    pub async fn run<T: Send + 'static>(
        &self,
        started: Started,
        check: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _held = started;
            let _ = done.send(check());
        });
        self.jobs.try_send(job).ok()?;
        answer.await.ok()
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job, never while checking.
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match job {
            Ok(job) => job(),
            Err(_) => return, // the checker is gone
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_most_n_checks_run_and_a_finished_one_frees_its_thread() {
        let checker = PasswordChecker::new(2);
        let a = checker.try_start().expect("first");
        let b = checker.try_start().expect("second");
        assert!(checker.try_start().is_none(), "both threads are taken");
        drop(b);
        let name = checker
            .run(a, || std::thread::current().name().map(str::to_owned))
            .await
            .flatten();
        assert!(name.is_some_and(|n| n.starts_with("password-check-")));
        assert!(
            checker.try_start().is_some(),
            "the check gave its thread back"
        );
    }
}
