//! The gap report computed off the request. Comparing two organisations
//! reads every record either holds: seconds on a database of millions, far
//! longer than a page may take. The console starts the comparison in the
//! background, answers at once with a page that refreshes itself until
//! the report is there, and keeps the finished report a while for the
//! token that asked (the person, not just the agency), so its lists and its
//! CSV open at once. The computation's audit entry lists every record
//! counted; every later look is audited too, naming the report seen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use vigil_service::gaps::GapReport;

use super::page::{ConsoleError, ConsoleResult};
use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

/// How long a finished report is shown before it is computed again.
const KEPT_FOR: Duration = Duration::from_secs(10 * 60);
/// Most reports kept at once: a report on millions of records is large.
const MOST_KEPT: usize = 4;
/// How long a request waits for a comparison before it answers "computing":
/// a small database's report comes back in the same answer.
const WAIT: Duration = Duration::from_millis(50);

/// Whose report, of what: one caller's (its token's), whose disclosures
/// the computation audited.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    token: String,
    a: String,
    b: String,
}

enum Job {
    Running {
        since: DateTime<Utc>,
    },
    Done {
        report: Arc<GapReport>,
        at: DateTime<Utc>,
        kept: Instant,
    },
    Failed(ConsoleError),
}

/// The gap reports being computed or kept, for every session.
#[derive(Default)]
pub struct Reports {
    jobs: Mutex<HashMap<Key, Job>>,
}

/// Where a comparison stands.
pub enum Gap {
    Ready {
        report: Arc<GapReport>,
        at: DateTime<Utc>,
    },
    Computing {
        since: DateTime<Utc>,
    },
}

impl Reports {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn finish(&self, key: Key, job: Job) {
        let mut jobs = self.lock();
        jobs.insert(key, job);
        while jobs.len() > MOST_KEPT {
            let oldest = jobs
                .iter()
                .filter_map(|(k, j)| match j {
                    Job::Done { kept, .. } => Some((k.clone(), *kept)),
                    Job::Failed(_) => Some((k.clone(), Instant::now() - KEPT_FOR)),
                    Job::Running { .. } => None,
                })
                .min_by_key(|(_, kept)| *kept)
                .map(|(k, _)| k);
            match oldest {
                Some(k) => jobs.remove(&k),
                None => break,
            };
        }
    }
}

/// The comparison of `a` and `b` for `officer`: kept, under way, or started
/// now. `again` computes it anew even when one is kept.
pub async fn gap(
    state: &AppState,
    officer: &Officer,
    a: &str,
    b: &str,
    again: bool,
) -> ConsoleResult<Gap> {
    let key = Key {
        token: officer.caller.token_id.clone(),
        a: a.trim().to_uppercase(),
        b: b.trim().to_uppercase(),
    };
    let reports = state.reports.clone();
    let kept = {
        let mut jobs = reports.lock();
        match jobs.get(&key) {
            Some(Job::Running { since }) => return Ok(Gap::Computing { since: *since }),
            Some(Job::Done { report, at, kept }) if !again && kept.elapsed() < KEPT_FOR => {
                Some((report.clone(), *at))
            }
            _ => {
                jobs.insert(key.clone(), Job::Running { since: Utc::now() });
                None
            }
        }
    };
    if let Some((report, at)) = kept {
        let ctx = officer.ctx();
        let seen = report.clone();
        super::page::call(state, move |v| v.gap_report_viewed(&ctx, &seen, &at)).await?;
        return Ok(Gap::Ready { report, at });
    }
    let (vigil, ctx) = (state.vigil.clone(), officer.ctx());
    let (side_a, side_b) = (a.to_string(), b.to_string());
    let job_key = key.clone();
    let task = tokio::task::spawn_blocking(move || {
        let outcome = vigil
            .gap_side(&side_a, "a")
            .and_then(|a| Ok((a, vigil.gap_side(&side_b, "b")?)))
            .and_then(|(a, b)| vigil.gap_report(&ctx, &a, &b));
        let job = match outcome {
            Ok(report) => Job::Done {
                report: Arc::new(report),
                at: Utc::now(),
                kept: Instant::now(),
            },
            Err(e) => Job::Failed(ConsoleError(ApiError::from(e))),
        };
        reports.finish(job_key, job);
    });
    let since = Utc::now();
    if tokio::time::timeout(WAIT, task).await.is_err() {
        return Ok(Gap::Computing { since });
    }
    let mut jobs = state.reports.lock();
    if let Some(Job::Done { report, at, .. }) = jobs.get(&key) {
        return Ok(Gap::Ready {
            report: report.clone(),
            at: *at,
        });
    }
    match jobs.remove(&key) {
        // A refused comparison (a side unknown, both the same) is said once.
        Some(Job::Failed(e)) => Err(e),
        _ => Err(ConsoleError(ApiError::Internal(
            "the gap report was lost".into(),
        ))),
    }
}
