//! Console sessions: an API token exchanged, at sign-in, for a random
//! session id in an HttpOnly, SameSite=Strict cookie. The browser never
//! holds the token; the server keeps it beside the session and checks it on
//! every request, so a revoked token ends its sessions at once. Every form
//! carries the session's CSRF token, checked on every POST.
//!
//! Sessions live in this process's memory: a restart signs everyone out
//! (nothing an officer entered is lost: every write was stored when it was
//! acknowledged).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::async_trait;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};
use vigil_core::{Caller, Role};
use vigil_service::context::is_stated_purpose;
use vigil_service::{Ctx, Vigil};

use crate::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "vigil_session";
/// A session unused this long ends.
const IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in, used or not.
const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// Most sessions one process keeps; beyond, sign-in is refused until some end.
const MAX_SESSIONS: usize = 50_000;

struct Session {
    secret: String,
    purpose: String,
    csrf: String,
    started: Instant,
    last_seen: Instant,
    /// What the next page shows once (a secret just made), so that the
    /// answer to a form is a redirect and reloading repeats nothing.
    shown_once: Option<String>,
}

/// Every open console session of this process, by the SHA-256 of its id
/// (the id itself is only in the browser's cookie).
#[derive(Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, Session>>,
}

/// Why a sign-in was refused.
pub enum SignInRefused {
    Token,
    Purpose,
    Full,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn key_of(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks `secret` and opens a session for it: the new session id, or
    /// why not. `purpose` empty: the token's default purpose.
    pub fn sign_in(
        &self,
        vigil: &Vigil,
        secret: &str,
        purpose: &str,
    ) -> Result<String, SignInRefused> {
        let holder = vigil
            .authenticate(secret.trim())
            .ok()
            .flatten()
            .ok_or(SignInRefused::Token)?;
        let purpose = match purpose.trim() {
            "" => holder.default_purpose.unwrap_or_default(),
            stated => stated.to_string(),
        };
        if !is_stated_purpose(&purpose) {
            return Err(SignInRefused::Purpose);
        }
        let now = Instant::now();
        let mut open = self.lock();
        open.retain(|_, s| alive(s, now));
        if open.len() >= MAX_SESSIONS {
            return Err(SignInRefused::Full);
        }
        let id = random_hex();
        open.insert(
            key_of(&id),
            Session {
                secret: secret.trim().to_string(),
                purpose,
                csrf: random_hex(),
                started: now,
                last_seen: now,
                shown_once: None,
            },
        );
        Ok(id)
    }

    pub fn sign_out(&self, id: &str) {
        self.lock().remove(&key_of(id));
    }

    /// Changes the purpose every later action of the session is audited with.
    pub fn set_purpose(&self, id: &str, purpose: &str) -> bool {
        if !is_stated_purpose(purpose.trim()) {
            return false;
        }
        match self.lock().get_mut(&key_of(id)) {
            Some(s) => {
                s.purpose = purpose.trim().to_string();
                true
            }
            None => false,
        }
    }

    /// Keeps `text` for the session's next [`Sessions::take_shown_once`].
    pub fn show_once(&self, id: &str, text: String) {
        if let Some(s) = self.lock().get_mut(&key_of(id)) {
            s.shown_once = Some(text);
        }
    }

    /// What was kept to be shown once, and forgets it.
    pub fn take_shown_once(&self, id: &str) -> Option<String> {
        self.lock()
            .get_mut(&key_of(id))
            .and_then(|s| s.shown_once.take())
    }

    /// Whether a session is still open (signed in, not idle or past its
    /// lifetime), without counting the question as use: an open live
    /// queue does not keep a session alive.
    pub fn is_open(&self, id: &str) -> bool {
        self.lock()
            .get(&key_of(id))
            .is_some_and(|s| alive(s, Instant::now()))
    }

    /// The token and purpose of a live session, touching it.
    fn find(&self, id: &str) -> Option<(String, String, String)> {
        let now = Instant::now();
        let mut open = self.lock();
        let key = key_of(id);
        let session = open.get_mut(&key)?;
        if !alive(session, now) {
            open.remove(&key);
            return None;
        }
        session.last_seen = now;
        Some((
            session.secret.clone(),
            session.purpose.clone(),
            session.csrf.clone(),
        ))
    }
}

fn alive(s: &Session, now: Instant) -> bool {
    now.duration_since(s.last_seen) < IDLE && now.duration_since(s.started) < LIFETIME
}

/// The session id the request's cookie carries.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether the request came over TLS (directly or through a proxy that
/// terminated it): then the cookie is `Secure`.
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that opens (`Some(id)`) or ends (`None`) a
/// session; `Secure` when the request came over TLS or `always_secure`.
pub fn cookie(headers: &HeaderMap, id: Option<&str>, always_secure: bool) -> HeaderValue {
    let secure = if always_secure || over_tls(headers) {
        "; Secure"
    } else {
        ""
    };
    let value = match id {
        Some(id) => format!(
            "{COOKIE}={id}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            LIFETIME.as_secs()
        ),
        None => format!("{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A signed-in person: the caller their token stands for, the purpose
/// their actions are audited with, and the session's CSRF token.
#[derive(Clone)]
pub struct Officer {
    pub caller: Caller,
    pub purpose: String,
    pub csrf: String,
    pub session: String,
}

impl Officer {
    /// The service context of an action taken in the console.
    pub fn ctx(&self) -> Ctx {
        Ctx::new(self.caller.clone(), self.purpose.clone())
    }

    pub fn role(&self) -> Role {
        self.caller.role
    }

    /// The refusal of a form whose CSRF token is not this session's.
    pub fn csrf_refusal(&self, sent: &str) -> Option<Response> {
        if same_secret(sent, &self.csrf) {
            None
        } else {
            Some((
                StatusCode::FORBIDDEN,
                "this form is not from your session (CSRF check failed): reload the page and try again",
            )
                .into_response())
        }
    }
}

/// Not signed in: pages go to the sign-in form, the live stream gets 401.
/// When the token could not be checked (the database busy or down) the
/// session is kept and the answer is 503: a passing fault signs no one out.
pub struct SignInFirst {
    stream: bool,
    unavailable: bool,
}

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        if self.unavailable {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Vigil cannot check your session just now; try again in a moment",
            )
                .into_response()
        } else if self.stream {
            StatusCode::UNAUTHORIZED.into_response()
        } else {
            Redirect::to("/console/sign-in").into_response()
        }
    }
}

#[async_trait]
impl FromRequestParts<AppState> for Officer {
    type Rejection = SignInFirst;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, SignInFirst> {
        let stream = parts.uri.path().ends_with("/stream");
        let rejection = SignInFirst {
            stream,
            unavailable: false,
        };
        let id = session_id(&parts.headers).ok_or(SignInFirst {
            stream,
            unavailable: false,
        })?;
        let (secret, purpose, csrf) = state.sessions.find(&id).ok_or(SignInFirst {
            stream,
            unavailable: false,
        })?;
        // The token is checked again on every request: revoking it ends
        // every session opened with it.
        let holder = match state.vigil.authenticated_recently(&secret) {
            Some(holder) => Some(holder),
            None => {
                let vigil = state.vigil.clone();
                match tokio::task::spawn_blocking(move || vigil.authenticate(&secret)).await {
                    Ok(Ok(holder)) => holder,
                    _ => {
                        return Err(SignInFirst {
                            unavailable: true,
                            ..rejection
                        })
                    }
                }
            }
        };
        let Some(holder) = holder else {
            state.sessions.sign_out(&id);
            return Err(rejection);
        };
        Ok(Officer {
            caller: holder.caller,
            purpose,
            csrf,
            session: id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_behind_tls() {
        let mut headers = HeaderMap::new();
        let plain = cookie(&headers, Some("ab"), false);
        let plain = plain.to_str().unwrap();
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(cookie(&HeaderMap::new(), Some("ab"), true)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(cookie(&headers, Some("ab"), false)
            .to_str()
            .unwrap()
            .ends_with("; Secure"));
        assert!(cookie(&headers, None, false)
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }

    #[test]
    fn only_a_well_formed_session_id_is_read_from_the_cookies() {
        let id = "a".repeat(64);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {COOKIE}={id}")).unwrap(),
        );
        assert_eq!(session_id(&headers), Some(id));
        for bad in ["short", &"z".repeat(64), &"a".repeat(65)] {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::COOKIE,
                HeaderValue::from_str(&format!("{COOKIE}={bad}")).unwrap(),
            );
            assert_eq!(session_id(&headers), None, "{bad}");
        }
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }
}
