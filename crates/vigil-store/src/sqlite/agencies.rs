//! [`AgencyStore`] for SQLite: the `agencies` and `tokens` tables.

use rusqlite::params;
use vigil_core::audit::AuditEvent;
use vigil_core::{Agency, AgencyCode, AgencyKind, Role};

use super::rows::{self, now, ts, AGENCY_COLUMNS, TOKEN_COLUMNS};
use super::{insert_new, SqliteStore};
use crate::agencies::{AgencyStore, TokenHolder, TokenInfo, TokenOptions};
use crate::error::{Result, StoreError};
use crate::ids::{hash_secret, new_token_secret};

impl AgencyStore for SqliteStore {
    fn create_agency(
        &self,
        code: &AgencyCode,
        name: &str,
        kind: AgencyKind,
        audit: AuditEvent,
    ) -> Result<Agency> {
        let agency = Agency {
            code: code.clone(),
            name: name.to_string(),
            kind,
            created_at: now(),
        };
        self.write(audit, |tx| {
            insert_new(
                tx,
                &format!("agency {code}"),
                "INSERT INTO agencies (code, name, kind, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(code) DO NOTHING",
                params![code.as_str(), agency.name, rows::name(kind), ts(&agency.created_at)],
            )
        })?;
        Ok(agency)
    }

    fn agency(&self, code: &AgencyCode) -> Result<Option<Agency>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {AGENCY_COLUMNS} FROM agencies WHERE code = ?1"
            ))?;
            rows::first(&mut stmt, params![code.as_str()], rows::agency)
        })
    }

    fn agencies(&self) -> Result<Vec<Agency>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {AGENCY_COLUMNS} FROM agencies ORDER BY code"
            ))?;
            rows::all(&mut stmt, [], rows::agency)
        })
    }

    fn create_token(
        &self,
        id: &str,
        agency: &AgencyCode,
        role: Role,
        options: &TokenOptions,
        audit: AuditEvent,
    ) -> Result<(TokenInfo, String)> {
        let secret = new_token_secret();
        let info = TokenInfo {
            id: id.to_string(),
            agency: agency.clone(),
            role,
            label: options.label.clone(),
            default_purpose: options.default_purpose.clone(),
            created_at: now(),
            revoked_at: None,
        };
        self.write(audit, |tx| {
            let known = tx
                .prepare_cached("SELECT 1 FROM agencies WHERE code = ?1")?
                .exists(params![agency.as_str()])?;
            if !known {
                return Err(StoreError::NotFound {
                    what: format!("agency {agency}"),
                });
            }
            insert_new(
                tx,
                &format!("token {id}"),
                "INSERT INTO tokens (id, agency, role, label, default_purpose, secret_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO NOTHING",
                params![info.id, agency.as_str(), rows::name(role), info.label, info.default_purpose, hash_secret(&secret), ts(&info.created_at)],
            )
        })?;
        Ok((info, secret))
    }

    fn token(&self, id: &str) -> Result<Option<TokenInfo>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1"))?;
            rows::first(&mut stmt, params![id], rows::token)
        })
    }

    fn tokens(&self, agency: Option<&AgencyCode>) -> Result<Vec<TokenInfo>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens
                 WHERE ?1 IS NULL OR agency = ?1 ORDER BY created_at, id"
            ))?;
            rows::all(&mut stmt, params![agency.map(|a| a.as_str())], rows::token)
        })
    }

    fn revoke_token(&self, id: &str, audit: AuditEvent) -> Result<bool> {
        self.write(audit, |tx| {
            let n = tx.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, ts(&now())],
            )?;
            Ok(n > 0)
        })
    }

    fn authenticate(&self, secret: &str) -> Result<Option<TokenHolder>> {
        let hash = hash_secret(secret);
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, agency, role, default_purpose FROM tokens
                 WHERE secret_hash = ?1 AND revoked_at IS NULL",
            )?;
            rows::first(&mut stmt, params![hash], rows::token_holder)
        })
    }
}

#[cfg(test)]
mod tests {
    use vigil_core::Action;

    use super::super::testing::{add_agency, audit_len, code, event, store};
    use super::*;
    use crate::ids::new_token_id;

    #[test]
    fn tokens_are_stored_hashed_and_can_be_revoked() {
        let (dir, store) = store();
        add_agency(&store, "DEU");
        let (info, secret) = store
            .create_token(
                &new_token_id(),
                &code("DEU"),
                Role::Screener,
                &TokenOptions::labelled("gate 4"),
                event(Action::TokenCreate),
            )
            .unwrap();
        assert_eq!(
            store.authenticate(&secret).unwrap().unwrap().caller.role,
            Role::Screener
        );
        assert!(store.authenticate("vgl_wrong").unwrap().is_none());
        // The secret itself is nowhere on disk.
        for file in ["vigil.db", "vigil.db-wal"] {
            let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
        }
        assert!(store
            .revoke_token(&info.id, event(Action::TokenRevoke))
            .unwrap());
        assert!(!store
            .revoke_token(&info.id, event(Action::TokenRevoke))
            .unwrap());
        assert!(store.authenticate(&secret).unwrap().is_none());
    }

    #[test]
    fn a_token_is_found_by_the_id_its_caller_chose() {
        let (_dir, store) = store();
        add_agency(&store, "DEU");
        let id = new_token_id();
        let (info, _) = store
            .create_token(
                &id,
                &code("DEU"),
                Role::Analyst,
                &TokenOptions::default(),
                event(Action::TokenCreate),
            )
            .unwrap();
        assert_eq!(info.id, id);
        assert_eq!(store.token(&id).unwrap(), Some(info.clone()));
        assert_eq!(store.tokens(Some(&code("DEU"))).unwrap(), [info]);
        assert!(store.token("tok_none").unwrap().is_none());
        store.revoke_token(&id, event(Action::TokenRevoke)).unwrap();
        assert!(store.token(&id).unwrap().unwrap().revoked_at.is_some());

        // The same id twice is a conflict, and leaves no entry.
        let entries = audit_len(&store);
        let again = store.create_token(
            &id,
            &code("DEU"),
            Role::Analyst,
            &TokenOptions::default(),
            event(Action::TokenCreate),
        );
        assert!(matches!(again, Err(StoreError::Conflict(_))));
        assert_eq!(audit_len(&store), entries);
    }

    #[test]
    fn agencies_read_back_as_created() {
        let (_dir, store) = store();
        let fra = add_agency(&store, "FRA");
        assert_eq!(store.agency(&code("FRA")).unwrap(), Some(fra.clone()));
        assert_eq!(store.agencies().unwrap(), [fra]);
        assert!(store.agency(&code("ITA")).unwrap().is_none());
    }
}
