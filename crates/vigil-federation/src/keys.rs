//! Organisation keys. Each instance holds one Ed25519 key pair; its public
//! key, written as 64 hex digits, is what a peer registers and trusts.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;

use crate::error::FederationError;

/// This instance's signing key.
pub struct OrgKeys {
    signing: SigningKey,
}

impl OrgKeys {
    /// A new key pair from the operating system's random source.
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        OrgKeys {
            signing: SigningKey::from_bytes(&secret),
        }
    }

    /// The key as stored: the 32-byte secret in hex.
    pub fn from_secret_hex(text: &str) -> Result<Self, FederationError> {
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| FederationError::Key("a secret key is 64 hex digits".into()))?;
        Ok(OrgKeys {
            signing: SigningKey::from_bytes(&bytes),
        })
    }

    pub fn secret_hex(&self) -> String {
        hex::encode(self.signing.to_bytes())
    }

    pub fn public(&self) -> PeerKey {
        PeerKey(self.signing.verifying_key())
    }

    /// The signature of `message`, in hex.
    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.signing.sign(message).to_bytes())
    }
}

impl std::fmt::Debug for OrgKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        write!(f, "OrgKeys(public {})", self.public())
    }
}

/// A peer's public key.
#[derive(Clone, PartialEq, Eq)]
pub struct PeerKey(VerifyingKey);

impl PeerKey {
    pub fn parse(text: &str) -> Result<Self, FederationError> {
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| FederationError::Key("a public key is 64 hex digits".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PeerKey)
            .map_err(|_| FederationError::Key("not an Ed25519 public key".into()))
    }

    /// Whether `signature` (hex) is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &str) -> Result<(), FederationError> {
        let bytes: [u8; 64] = hex::decode(signature.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| FederationError::Signature("a signature is 128 hex digits".into()))?;
        self.0
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .map_err(|_| {
                FederationError::Signature("does not verify with the peer's registered key".into())
            })
    }
}

impl std::fmt::Display for PeerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0.to_bytes()))
    }
}

impl std::fmt::Debug for PeerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PeerKey({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_signers_key_and_message() {
        let keys = OrgKeys::generate();
        let again = OrgKeys::from_secret_hex(&keys.secret_hex()).unwrap();
        assert_eq!(again.public(), keys.public());
        let public = PeerKey::parse(&keys.public().to_string()).unwrap();
        let sig = keys.sign(b"batch");
        public.verify(b"batch", &sig).unwrap();
        assert!(public.verify(b"batcH", &sig).is_err());
        let other = OrgKeys::generate();
        assert!(other.public().verify(b"batch", &sig).is_err());
        assert!(public.verify(b"batch", "zz").is_err());
        assert!(PeerKey::parse("abc").is_err());
        assert!(!format!("{keys:?}").contains(&keys.secret_hex()));
    }
}
