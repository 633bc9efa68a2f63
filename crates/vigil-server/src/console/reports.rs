//! The gap report computed off the request. Comparing two organisations
//! reads every record either holds: seconds on a database of millions, far
//! longer than a page may take. The console starts the comparison in the
//! background, answers at once with a page that refreshes itself until
//! the report is there, and keeps the finished report for the token that
//! asked (the person, not just the agency), so its lists and its CSV open
//! at once. A kept report is shown only while no record has changed since
//! it was computed: a record hidden or retired since must not be listed.
//! The computation's audit entry lists every record counted; every later
//! look is audited by the page that shows it, naming the report and the
//! records it shows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use vigil_service::gaps::GapReport;

use super::page::{call, ConsoleError, ConsoleResult};
use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

/// How long a finished report is kept at most.
const KEPT_FOR: Duration = Duration::from_secs(10 * 60);
/// Most reports kept or under way at once: each is a whole-database scan,
/// and a report on millions of records is large.
const MOST_JOBS: usize = 4;
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
        /// The last record change the report saw.
        changes: i64,
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
    /// `kept`: computed for an earlier request, whose audit entry listed
    /// what it counted; the caller audits this look at it.
    Ready {
        report: Arc<GapReport>,
        at: DateTime<Utc>,
        kept: bool,
    },
    Computing {
        since: DateTime<Utc>,
    },
}

/// Records a job's end even if the computation panics.
struct Finish {
    reports: Arc<Reports>,
    key: Key,
    job: Option<Job>,
}

impl Drop for Finish {
    fn drop(&mut self) {
        let job = self.job.take().unwrap_or_else(|| {
            Job::Failed(ConsoleError(ApiError::Internal(
                "the gap report's computation failed".into(),
            )))
        });
        self.reports.lock().insert(self.key.clone(), job);
    }
}

impl Reports {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes room for one more job: forgets reports past their time, then
    /// the oldest kept ones. None when every place is a job under way.
    fn room(jobs: &mut HashMap<Key, Job>) -> bool {
        jobs.retain(|_, j| !matches!(j, Job::Done { kept, .. } if kept.elapsed() >= KEPT_FOR));
        while jobs.len() >= MOST_JOBS {
            let oldest = jobs
                .iter()
                .filter_map(|(k, j)| match j {
                    Job::Done { kept, .. } => Some((k.clone(), Some(*kept))),
                    Job::Failed(_) => Some((k.clone(), None)),
                    Job::Running { .. } => None,
                })
                .min_by_key(|(_, kept)| *kept)
                .map(|(k, _)| k);
            match oldest {
                Some(k) => jobs.remove(&k),
                None => return false,
            };
        }
        true
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
    let changes = call(state, |v| v.last_record_change()).await?;
    let reports = state.reports.clone();
    {
        let mut jobs = reports.lock();
        let kept = match jobs.get(&key) {
            Some(Job::Running { since }) => return Ok(Gap::Computing { since: *since }),
            Some(Job::Done {
                report,
                at,
                kept,
                changes: seen,
            }) if !again && kept.elapsed() < KEPT_FOR && *seen == changes => {
                Some((report.clone(), *at))
            }
            _ => None,
        };
        if let Some((report, at)) = kept {
            return Ok(Gap::Ready {
                report,
                at,
                kept: true,
            });
        }
        // A comparison that failed is said once; asking again retries.
        if let Some(Job::Failed(e)) = jobs.remove(&key) {
            return Err(e);
        }
    }
    let since = Utc::now();
    {
        let mut jobs = reports.lock();
        if !Reports::room(&mut jobs) {
            return Err(ConsoleError(ApiError::Conflict(
                "other gap reports are being computed; try again in a minute".into(),
            )));
        }
        jobs.insert(key.clone(), Job::Running { since });
    }
    let (vigil, ctx) = (state.vigil.clone(), officer.ctx());
    let (side_a, side_b) = (a.to_string(), b.to_string());
    let finish = Finish {
        reports: reports.clone(),
        key: key.clone(),
        job: None,
    };
    let task = tokio::task::spawn_blocking(move || {
        // The whole guard moves here (not just the field set below), so that
        // it records the end when this closure ends, or unwinds.
        let mut finish = finish;
        let outcome = vigil
            .gap_side(&side_a, "a")
            .and_then(|a| Ok((a, vigil.gap_side(&side_b, "b")?)))
            .and_then(|(a, b)| vigil.gap_report(&ctx, &a, &b));
        finish.job = Some(match outcome {
            Ok(report) => Job::Done {
                report: Arc::new(report),
                at: Utc::now(),
                kept: Instant::now(),
                changes,
            },
            Err(e) => Job::Failed(ConsoleError(ApiError::from(e))),
        });
    });
    if tokio::time::timeout(WAIT, task).await.is_err() {
        return Ok(Gap::Computing { since });
    }
    let mut jobs = reports.lock();
    if let Some(Job::Done { report, at, .. }) = jobs.get(&key) {
        return Ok(Gap::Ready {
            report: report.clone(),
            at: *at,
            kept: false,
        });
    }
    match jobs.remove(&key) {
        Some(Job::Failed(e)) => Err(e),
        _ => Err(ConsoleError(ApiError::Internal(
            "the gap report was lost".into(),
        ))),
    }
}
