//! Agencies and their API tokens: what a backend stores about who may call.

use chrono::{DateTime, Utc};
use serde::Serialize;
use vigil_core::audit::AuditEvent;
use vigil_core::{Agency, AgencyCode, AgencyKind, Caller, Role};

use crate::error::Result;

/// A token as listed: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub agency: AgencyCode,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_purpose: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a token is made with besides its agency and role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenOptions {
    pub label: Option<String>,
    /// The purpose audited for a request made with the token that states
    /// none: for clients, such as yente's, that cannot send
    /// `X-Vigil-Purpose`.
    pub default_purpose: Option<String>,
}

impl TokenOptions {
    pub fn labelled(label: &str) -> Self {
        TokenOptions {
            label: Some(label.to_string()),
            default_purpose: None,
        }
    }
}

/// The holder of a valid token: who calls, and the purpose the token
/// states for requests that give none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    pub caller: Caller,
    pub default_purpose: Option<String>,
}

/// Agencies and tokens. Each write appends its audit event in the same
/// transaction: both are stored, or neither is.
pub trait AgencyStore {
    /// Creates an agency; a conflict when the code is taken.
    fn create_agency(
        &self,
        code: &AgencyCode,
        name: &str,
        kind: AgencyKind,
        audit: AuditEvent,
    ) -> Result<Agency>;
    fn agency(&self, code: &AgencyCode) -> Result<Option<Agency>>;
    fn agencies(&self) -> Result<Vec<Agency>>;
    /// Creates token `id` (from [`crate::ids::new_token_id`]); returns its
    /// description and the secret, which is never stored and cannot be shown
    /// again.
    fn create_token(
        &self,
        id: &str,
        agency: &AgencyCode,
        role: Role,
        options: &TokenOptions,
        audit: AuditEvent,
    ) -> Result<(TokenInfo, String)>;
    /// A token, revoked or not.
    fn token(&self, id: &str) -> Result<Option<TokenInfo>>;
    fn tokens(&self, agency: Option<&AgencyCode>) -> Result<Vec<TokenInfo>>;
    /// Revokes a token; false when there is no such active token. The audit
    /// event is appended either way: the attempt is what it records.
    fn revoke_token(&self, id: &str, audit: AuditEvent) -> Result<bool>;
    /// The holder of a secret, if the token exists and is not revoked.
    fn authenticate(&self, secret: &str) -> Result<Option<TokenHolder>>;
}
