//! A peer's signed request. The requesting organisation names itself, the
//! time, and signs the method, path with query, time and body with its
//! key; the server checks the signature against the key registered for
//! that organisation and refuses a time outside a short window. Nothing
//! secret is stored on either side: only public keys.

use chrono::{DateTime, Utc};
use vigil_core::AgencyCode;

use crate::error::FederationError;
use crate::keys::{OrgKeys, PeerKey};

/// The header naming the requesting organisation.
pub const PEER_HEADER: &str = "vigil-peer";
/// The header with the request's time, in seconds since 1970 (UTC).
pub const TIME_HEADER: &str = "vigil-time";
/// The header with the request's signature.
pub const SIGNATURE_HEADER: &str = "vigil-signature";
/// The header with a feed batch's signature, in the answer.
pub const BATCH_SIGNATURE_HEADER: &str = "vigil-batch-signature";
/// How far a request's time may be from the server's clock.
pub const WINDOW_SECONDS: i64 = 300;

fn message(peer: &AgencyCode, method: &str, path: &str, time: i64, body: &[u8]) -> Vec<u8> {
    let mut m = format!("vigil-peer-request\n{peer}\n{method}\n{path}\n{time}\n").into_bytes();
    m.extend_from_slice(body);
    m
}

/// The three header values for a request from `me`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub peer: String,
    pub time: String,
    pub signature: String,
}

/// Signs a request to `path` (with its query) from organisation `me`.
pub fn sign(
    keys: &OrgKeys,
    me: &AgencyCode,
    method: &str,
    path: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> SignedRequest {
    let time = now.timestamp();
    SignedRequest {
        peer: me.to_string(),
        time: time.to_string(),
        signature: keys.sign(&message(me, method, path, time, body)),
    }
}

/// Checks a request whose headers are `signed`, against `key`: the public
/// key registered for the organisation the request names.
pub fn verify(
    key: &PeerKey,
    signed: &SignedRequest,
    method: &str,
    path: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), FederationError> {
    let peer = AgencyCode::parse_org(&signed.peer)
        .map_err(|e| FederationError::Request(format!("{PEER_HEADER}: {e}")))?;
    let time: i64 =
        signed.time.trim().parse().map_err(|_| {
            FederationError::Request(format!("{TIME_HEADER} must be whole seconds"))
        })?;
    if (now.timestamp() - time).abs() > WINDOW_SECONDS {
        return Err(FederationError::Request(format!(
            "{TIME_HEADER} is more than {WINDOW_SECONDS} s from this server's clock"
        )));
    }
    key.verify(&message(&peer, method, path, time, body), &signed.signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_verifies_only_as_signed_and_in_time() {
        let keys = OrgKeys::generate();
        let me = AgencyCode::parse("EUROPOL").unwrap();
        let now = Utc::now();
        let path = "/v1/federation/feed?after=0";
        let s = sign(&keys, &me, "GET", path, b"", now);
        let check = |signed: &SignedRequest, path: &str, at: DateTime<Utc>| {
            verify(&keys.public(), signed, "GET", path, b"", at)
        };
        check(&s, path, now).unwrap();
        assert!(check(&s, "/v1/federation/feed?after=9", now).is_err());
        let other_peer = SignedRequest {
            peer: "INTERPOL".into(),
            ..s.clone()
        };
        assert!(check(&other_peer, path, now).is_err());
        assert!(check(
            &s,
            path,
            now + chrono::Duration::seconds(WINDOW_SECONDS + 5)
        )
        .is_err());
    }
}
