//! Identifiers and secrets the store hands out. Every backend makes them the
//! same way, so they live here rather than in one backend; token and webhook
//! ids are public because the caller chooses them before the write, so that
//! the audit event that goes with the write can name what it creates.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh token id (`tok_` and 12 hex digits).
pub fn new_token_id() -> String {
    format!("tok_{}", random_hex(6))
}

/// A fresh webhook id (`whk_` and 12 hex digits).
pub fn new_webhook_id() -> String {
    format!("whk_{}", random_hex(6))
}

/// A fresh hit id: time-ordered, like record ids.
pub(crate) fn new_hit_id() -> String {
    format!("hit_{}", uuid::Uuid::now_v7().simple())
}

/// A fresh token secret (`vgl_` and 48 hex digits). Only its hash is stored.
pub(crate) fn new_token_secret() -> String {
    format!("vgl_{}", random_hex(24))
}

/// What is stored in place of a token secret.
pub(crate) fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_format() {
        let token = new_token_id();
        assert!(token.starts_with("tok_") && token.len() == 16, "{token}");
        let hook = new_webhook_id();
        assert!(hook.starts_with("whk_") && hook.len() == 16, "{hook}");
        let secret = new_token_secret();
        assert!(secret.starts_with("vgl_") && secret.len() == 52, "{secret}");
        assert_ne!(hash_secret(&secret), secret);
    }
}
