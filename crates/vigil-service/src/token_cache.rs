//! Recently authenticated tokens, so that a request does not read the store
//! to learn who sent it: at a few thousand screenings a second, that read
//! was a tenth of a request's cost outside the engine.
//!
//! An entry is trusted for [`FRESH_FOR`]. A token revoked through this
//! process is forgotten at once; one revoked by another process on the
//! same database (`vigil token revoke` beside a running server) stops
//! working within that second.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use vigil_store::TokenHolder;

/// How long an authentication is trusted without asking the store again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// Entries kept at most; beyond it, stale ones are dropped (all of them if
/// none is stale), so that a flood of distinct tokens cannot grow it.
const MAX_ENTRIES: usize = 4_096;

#[derive(Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<String, (TokenHolder, Instant)>>,
}

impl TokenCache {
    /// The holder of `secret` if it was authenticated less than
    /// [`FRESH_FOR`] ago.
    pub(crate) fn get(&self, secret: &str) -> Option<TokenHolder> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (holder, at) = entries.get(secret)?;
        (at.elapsed() < FRESH_FOR).then(|| holder.clone())
    }

    pub(crate) fn put(&self, secret: &str, holder: &TokenHolder) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, at)| at.elapsed() < FRESH_FOR);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(secret.to_string(), (holder.clone(), Instant::now()));
    }

    /// Forgets every token: one was revoked.
    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use vigil_core::{AgencyCode, Caller, Role};

    use super::*;

    fn holder() -> TokenHolder {
        TokenHolder {
            caller: Caller {
                agency: AgencyCode::parse("FRA").unwrap(),
                role: Role::Screener,
                token_id: "tok_1".into(),
            },
            default_purpose: None,
        }
    }

    #[test]
    fn entries_are_trusted_for_a_second_and_cleared_on_revocation() {
        let cache = TokenCache::default();
        assert_eq!(cache.get("vgl_a"), None);
        cache.put("vgl_a", &holder());
        assert_eq!(cache.get("vgl_a"), Some(holder()));
        assert_eq!(cache.get("vgl_b"), None);
        cache.clear();
        assert_eq!(cache.get("vgl_a"), None);
        cache.put("vgl_a", &holder());
        cache.entries.lock().unwrap().get_mut("vgl_a").unwrap().1 -= FRESH_FOR;
        assert_eq!(cache.get("vgl_a"), None, "a stale entry is asked again");
    }

    #[test]
    fn a_flood_of_tokens_does_not_grow_it() {
        let cache = TokenCache::default();
        for i in 0..MAX_ENTRIES * 3 {
            cache.put(&format!("vgl_{i}"), &holder());
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
