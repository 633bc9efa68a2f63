//! Pulling peers' release feeds over HTTP: one round per peer fetches
//! batches (`GET {peer}/v1/federation/feed`, signed with this instance's
//! key) and hands each to `Vigil::receive_batch` until caught up. `vigil
//! sync` runs one round; `vigil serve` runs rounds every interval. A peer
//! that cannot be reached delays its sync and loses nothing: the
//! checkpoint moves only with an applied batch.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use vigil_core::AgencyCode;
use vigil_federation::request::{
    BATCH_SIGNATURE_HEADER, PEER_HEADER, SIGNATURE_HEADER, TIME_HEADER,
};
use vigil_federation::SealedBatch;
use vigil_service::federation::MAX_BATCH;
use vigil_service::Vigil;

/// The most batches one round pulls from one peer, so that one peer's
/// large backlog does not hold up the others' rounds for ever.
const MAX_BATCHES_PER_ROUND: usize = 10_000;

/// What one round with one peer did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncRound {
    /// Another process was pulling this peer: this round did nothing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub busy: bool,
    pub batches: usize,
    pub upserted: usize,
    pub retracted: usize,
    pub retired: usize,
    pub quarantined: usize,
    pub unchanged: u64,
    pub applied_seq: i64,
    pub head: i64,
    pub caught_up: bool,
}

pub fn client(timeout: Duration) -> reqwest::Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// One batch from `peer` by the signed request `(url, signed)`, or why
/// there is none.
fn fetch(
    peer: &AgencyCode,
    client: &reqwest::blocking::Client,
    (url, signed): (String, vigil_federation::request::SignedRequest),
) -> Result<SealedBatch, String> {
    let response = client
        .get(&url)
        .header(PEER_HEADER, &signed.peer)
        .header(TIME_HEADER, &signed.time)
        .header(SIGNATURE_HEADER, &signed.signature)
        .send()
        .map_err(|e| format!("cannot reach {peer}: {e}"))?;
    let status = response.status();
    let signature = response
        .headers()
        .get(BATCH_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response
        .bytes()
        .map_err(|e| format!("reading {peer}'s answer: {e}"))?;
    if !status.is_success() {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_default();
        return Err(format!("{peer} answered {status}: {message}"));
    }
    let signature =
        signature.ok_or_else(|| format!("{peer}'s answer has no {BATCH_SIGNATURE_HEADER}"))?;
    Ok(SealedBatch {
        body: body.to_vec(),
        signature,
    })
}

/// Pulls from `peer` until caught up (or the round's limit). Each next
/// batch is fetched while the one before is applied, so that the sender's
/// and the receiver's work overlap. An error is noted in the peer's status
/// and ends the round; what was applied stays.
pub fn sync_peer(
    vigil: &Vigil,
    peer: &AgencyCode,
    client: &reqwest::blocking::Client,
) -> Result<SyncRound, String> {
    let Some(_turn) = vigil.sync_turn(peer).map_err(|e| e.to_string())? else {
        return Ok(SyncRound {
            busy: true,
            ..SyncRound::default()
        });
    };
    pull(vigil, peer, client)
}

/// One round, this process having the peer's turn.
fn pull(
    vigil: &Vigil,
    peer: &AgencyCode,
    client: &reqwest::blocking::Client,
) -> Result<SyncRound, String> {
    let failed = |e: String| {
        if let Err(note) = vigil.note_sync_failure(peer, &e) {
            tracing::error!(error = %note, "noting a sync failure");
        }
        e
    };
    let mut round = SyncRound::default();
    let first = vigil
        .feed_request(peer, MAX_BATCH)
        .map_err(|e| e.to_string())?;
    let mut sealed = fetch(peer, client, first).map_err(failed)?;
    while round.batches < MAX_BATCHES_PER_ROUND {
        // A refused batch is noted (and audited) by the service itself.
        let opened = vigil.open_batch(peer, &sealed).map_err(|e| e.to_string())?;
        let more = !opened.caught_up() && round.batches + 1 < MAX_BATCHES_PER_ROUND;
        let next = more
            .then(|| vigil.next_feed_request(&opened, MAX_BATCH))
            .transpose()
            .map_err(|e| e.to_string())?;
        let (report, fetched) = std::thread::scope(|scope| {
            let fetching = next.map(|request| scope.spawn(move || fetch(peer, client, request)));
            let report = vigil.apply_batch(opened).map_err(|e| e.to_string());
            let fetched =
                fetching.map(|f| f.join().unwrap_or_else(|_| Err("fetch panicked".into())));
            (report, fetched)
        });
        let report = report?;
        round.batches += 1;
        round.upserted += report.upserted;
        round.retracted += report.retracted;
        round.retired += report.retired;
        round.quarantined += report.quarantined;
        round.unchanged += report.unchanged;
        round.applied_seq = report.applied_seq;
        round.head = report.head;
        round.caught_up = report.caught_up;
        match fetched {
            None => break,
            Some(next) => sealed = next.map_err(failed)?,
        }
    }
    Ok(round)
}

/// One round with every registered peer, or only `only`.
pub fn sync_all(
    vigil: &Vigil,
    only: Option<&AgencyCode>,
    client: &reqwest::blocking::Client,
) -> Vec<(AgencyCode, Result<SyncRound, String>)> {
    let peers = match vigil.peers() {
        Ok(p) => p,
        Err(e) => {
            return only
                .map(|p| (p.clone(), Err(e.to_string())))
                .into_iter()
                .collect()
        }
    };
    // Each peer in its own thread: one slow or unreachable peer does not
    // hold up the others' rounds.
    std::thread::scope(|scope| {
        let rounds: Vec<_> = peers
            .into_iter()
            .filter(|p| only.is_none_or(|code| code == &p.code))
            .map(|p| {
                let code = p.code.clone();
                let round = scope.spawn(move || sync_peer(vigil, &p.code, client));
                (code, round)
            })
            .collect();
        rounds
            .into_iter()
            .map(|(code, round)| {
                let outcome = round
                    .join()
                    .unwrap_or_else(|_| Err("the sync round panicked".into()));
                (code, outcome)
            })
            .collect()
    })
}

/// Sends every hit on a received copy that is due home, one signed batch
/// per peer; returns how many hits reached their owners' instances. A
/// peer that does not take its batch is retried with backoff, and the
/// others go on.
pub fn deliver_home(vigil: &Vigil, client: &reqwest::blocking::Client) -> Result<usize, String> {
    let mut delivered = 0;
    loop {
        let batches = vigil.due_home_hits(500).map_err(|e| e.to_string())?;
        if batches.is_empty() {
            return Ok(delivered);
        }
        let mut progress = false;
        for batch in batches {
            let sent = client
                .post(&batch.url)
                .header(PEER_HEADER, &batch.signed.peer)
                .header(TIME_HEADER, &batch.signed.time)
                .header(SIGNATURE_HEADER, &batch.signed.signature)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(batch.body.clone())
                .send();
            let outcome = match sent {
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => Err(format!("{} answered {}", batch.peer, r.status())),
                Err(e) => Err(format!("cannot reach {}: {e}", batch.peer)),
            };
            match outcome {
                Ok(()) => {
                    vigil
                        .home_hits_delivered(&batch)
                        .map_err(|e| e.to_string())?;
                    delivered += batch.ids.len();
                    progress = true;
                }
                Err(e) => {
                    tracing::warn!(peer = %batch.peer, error = %e, "hits could not go home yet");
                    vigil
                        .home_hits_failed(&batch, &e)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        if !progress {
            return Ok(delivered);
        }
    }
}

/// Sends hits home as they are stored (woken by the hit feed, and every
/// second for retries), for `vigil serve`.
pub async fn run_home_delivery(vigil: Arc<Vigil>, timeout: Duration) {
    let mut feed = vigil.hit_feed();
    loop {
        let v = vigil.clone();
        let sent = tokio::task::spawn_blocking(move || {
            let client = client(timeout).map_err(|e| e.to_string())?;
            deliver_home(&v, &client)
        })
        .await;
        match sent {
            Ok(Err(e)) => tracing::error!(error = %e, "sending hits home failed"),
            Err(e) => tracing::error!(error = %e, "home delivery task failed"),
            Ok(Ok(_)) => {}
        }
        tokio::select! {
            _ = feed.changed() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Forwards screenings to peers over HTTP (installed by [`crate::serve`]).
/// The async client runs on the server's runtime, which the screening's
/// blocking thread waits on: a blocking client could not be dropped from
/// the runtime's own threads when the server stops.
pub struct HttpForwarder {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

impl HttpForwarder {
    /// A forwarder whose peers must answer within `timeout`: a screening
    /// waits no longer than that for a peer, and then says it was not asked.
    pub fn new(timeout: Duration, runtime: tokio::runtime::Handle) -> reqwest::Result<Self> {
        Ok(HttpForwarder {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            runtime,
        })
    }
}

impl vigil_service::forwarded::QueryForwarder for HttpForwarder {
    fn post(
        &self,
        url: &str,
        signed: &vigil_federation::request::SignedRequest,
        body: &[u8],
    ) -> Result<Vec<u8>, String> {
        let request = self
            .client
            .post(url)
            .header(PEER_HEADER, &signed.peer)
            .header(TIME_HEADER, &signed.time)
            .header(SIGNATURE_HEADER, &signed.signature)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        let url = url.to_string();
        self.runtime.block_on(async move {
            let response = request
                .send()
                .await
                .map_err(|e| format!("cannot reach {url}: {e}"))?;
            let status = response.status();
            let bytes = response.bytes().await.map_err(|e| e.to_string())?;
            if !status.is_success() {
                return Err(format!("{url} answered {status}"));
            }
            Ok(bytes.to_vec())
        })
    }
}

/// Runs a sync round with every peer every `interval`, for `vigil serve`.
pub async fn run_sync_loop(vigil: Arc<Vigil>, interval: Duration, timeout: Duration) {
    loop {
        let v = vigil.clone();
        let rounds = tokio::task::spawn_blocking(move || {
            let client = client(timeout).map_err(|e| e.to_string())?;
            // No organisation identity yet: nothing to sync.
            if v.org().ok().flatten().is_none() {
                return Ok(Vec::new());
            }
            Ok::<_, String>(sync_all(&v, None, &client))
        })
        .await;
        match rounds {
            Ok(Ok(rounds)) => {
                for (peer, outcome) in rounds {
                    match outcome {
                        Ok(r) if r.batches > 0 && (r.upserted + r.retracted + r.retired) > 0 => {
                            tracing::info!(%peer, upserted = r.upserted, retracted = r.retracted, retired = r.retired, applied = r.applied_seq, "synced");
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(%peer, error = %e, "sync round failed"),
                    }
                }
            }
            Ok(Err(e)) => tracing::error!(error = %e, "sync round could not start"),
            Err(e) => tracing::error!(error = %e, "sync task failed"),
        }
        tokio::time::sleep(interval).await;
    }
}
