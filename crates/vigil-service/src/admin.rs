//! Administration: member agencies (the operator's) and API tokens (the
//! operator's for every agency, an admin's for its own; see
//! `vigil_core::access`). The last admin of an agency cannot be revoked: an
//! agency must never be left unable to manage itself by accident.

use vigil_core::access;
use vigil_core::{Action, Agency, AgencyCode, AgencyKind, Outcome, Role};
use vigil_store::{TokenHolder, TokenInfo, TokenOptions};

use crate::context::{is_stated_purpose, Ctx};
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// A peer organisation's agency (`FRA@INTERPOL`) is made by federation,
/// when its organisation's records arrive, and never owns a record written
/// here.
fn refuse_peer_agency(field: &str, code: &AgencyCode) -> Result<()> {
    match code.organisation() {
        Some(org) => Err(ServiceError::field(
            field,
            format!("{code} is an agency of the peer organisation {org}: its records come only from {org}'s release feed"),
        )),
        None => Ok(()),
    }
}

impl Vigil {
    /// Refuses, audited, when `allowed` is false.
    pub(crate) fn require(
        &self,
        ctx: &Ctx,
        action: Action,
        allowed: bool,
        why: &str,
    ) -> Result<()> {
        if allowed {
            return Ok(());
        }
        self.audit(
            ctx,
            action,
            serde_json::Value::Null,
            vec![],
            Outcome::Denied,
        )?;
        Err(ServiceError::Forbidden(why.into()))
    }

    pub fn create_agency(
        &self,
        ctx: &Ctx,
        code: &AgencyCode,
        name: &str,
        kind: Option<AgencyKind>,
    ) -> Result<Agency> {
        self.require(
            ctx,
            Action::AgencyCreate,
            access::may_create_agencies(&ctx.caller),
            "agencies are created by the instance's operator",
        )?;
        if name.trim().is_empty() || name.len() > 200 {
            return Err(ServiceError::field("name", "must be 1-200 characters"));
        }
        refuse_peer_agency("code", code)?;
        if kind == Some(AgencyKind::PeerAgency) {
            return Err(ServiceError::field(
                "kind",
                "peer agencies are made by federation, when their organisation's records arrive",
            ));
        }
        let kind = kind.unwrap_or_else(|| AgencyKind::guess(code));
        let event = ctx.event(
            Action::AgencyCreate,
            serde_json::json!({"code": code}),
            vec![],
            Outcome::Done,
        );
        Ok(self.store.create_agency(code, name.trim(), kind, event)?)
    }

    /// Makes sure an agency exists: importing for a new owner creates it,
    /// audited as created by whoever imports.
    pub fn ensure_agency(&self, ctx: &Ctx, code: &AgencyCode) -> Result<()> {
        refuse_peer_agency("owner", code)?;
        if self.store.agency(code)?.is_none() {
            let event = ctx.event(
                Action::AgencyCreate,
                serde_json::json!({"code": code, "for": "import"}),
                vec![],
                Outcome::Done,
            );
            self.store
                .create_agency(code, code.as_str(), AgencyKind::guess(code), event)?;
        }
        Ok(())
    }

    pub fn agencies(&self, ctx: &Ctx) -> Result<Vec<Agency>> {
        let list = self.store.agencies()?;
        self.audit(
            ctx,
            Action::AgencyList,
            serde_json::Value::Null,
            vec![],
            Outcome::Done,
        )?;
        Ok(list)
    }

    /// Creates a token; returns it and its secret, shown this once.
    pub fn create_token(
        &self,
        ctx: &Ctx,
        agency: &AgencyCode,
        role: Role,
        options: &TokenOptions,
    ) -> Result<(TokenInfo, String)> {
        self.require(
            ctx,
            Action::TokenCreate,
            access::may_manage_token(&ctx.caller, agency, role),
            "an admin makes its own agency's tokens (not auditors'); the operator makes any",
        )?;
        if self.store.agency(agency)?.is_none() {
            return Err(ServiceError::field(
                "agency",
                format!("agency {agency} does not exist"),
            ));
        }
        if let Some(purpose) = &options.default_purpose {
            if !is_stated_purpose(purpose) {
                return Err(ServiceError::field(
                    "default_purpose",
                    "must be 1-200 characters, not only spaces, e.g. 'sanctions screening'",
                ));
            }
        }
        let id = vigil_store::new_token_id();
        let event = ctx.event(
            Action::TokenCreate,
            serde_json::json!({"agency": agency, "role": role, "token": id}),
            vec![],
            Outcome::Done,
        );
        Ok(self.store.create_token(&id, agency, role, options, event)?)
    }

    pub fn tokens(&self, ctx: &Ctx, agency: Option<&AgencyCode>) -> Result<Vec<TokenInfo>> {
        let scope = access::token_scope(&ctx.caller);
        let allowed = match (scope, agency) {
            (Some(None), _) | (Some(Some(_)), None) => true,
            (Some(Some(own)), Some(asked)) => own == asked,
            (None, _) => false,
        };
        self.require(
            ctx,
            Action::TokenList,
            allowed,
            "an admin lists its own agency's tokens; the operator any agency's",
        )?;
        let agency = agency.or(scope.flatten());
        let list = self.store.tokens(agency)?;
        self.audit(
            ctx,
            Action::TokenList,
            serde_json::json!({"agency": agency}),
            vec![],
            Outcome::Done,
        )?;
        Ok(list)
    }

    /// Whether `code` names an agency. Agencies are no secret among members
    /// (the directory lists them); yente's clients name them as datasets.
    pub fn agency_exists(&self, code: &AgencyCode) -> Result<bool> {
        Ok(self.store.agency(code)?.is_some())
    }

    /// The holder of a token's secret; `None` for an unknown or revoked
    /// token.
    ///
    /// A token authenticated in the last second is not looked up again
    /// (see [`crate::token_cache`]).
    pub fn authenticate(&self, secret: &str) -> Result<Option<TokenHolder>> {
        if let Some(holder) = self.tokens.get(secret) {
            return Ok(Some(holder));
        }
        let holder = self.store.authenticate(secret)?;
        if let Some(holder) = &holder {
            self.tokens.put(secret, holder);
        }
        Ok(holder)
    }

    /// [`Vigil::authenticate`] without the store: the holder if the token
    /// was authenticated in the last second, else `None` (ask
    /// `authenticate`). It never blocks, so an async caller need not hand
    /// it to a blocking thread.
    pub fn authenticated_recently(&self, secret: &str) -> Option<TokenHolder> {
        self.tokens.get(secret)
    }

    pub fn revoke_token(&self, ctx: &Ctx, id: &str) -> Result<()> {
        self.require(
            ctx,
            Action::TokenRevoke,
            access::token_scope(&ctx.caller).is_some(),
            "tokens are revoked by their agency's admin or the operator",
        )?;
        // Another agency's token is answered as absent.
        let token = self
            .store
            .token(id)?
            .filter(|t| access::may_manage_token(&ctx.caller, &t.agency, t.role));
        let active = token.as_ref().is_some_and(|t| t.revoked_at.is_none());
        if let Some(t) = token.as_ref().filter(|t| active && t.role == Role::Admin) {
            let admins = self
                .store
                .tokens(Some(&t.agency))?
                .iter()
                .filter(|o| o.role == Role::Admin && o.revoked_at.is_none())
                .count();
            if admins <= 1 {
                return Err(ServiceError::Conflict(format!(
                    "{id} is the last admin token of {}: create another admin token first",
                    t.agency
                )));
            }
        }
        let event = ctx.event(
            Action::TokenRevoke,
            serde_json::json!({"token": id}),
            vec![],
            Outcome::found(active),
        );
        if !active {
            self.append(event)?;
            return Err(ServiceError::NotFound("token"));
        }
        if self.store.revoke_token(id, event)? {
            self.announce_revocation();
            Ok(())
        } else {
            Err(ServiceError::NotFound("token"))
        }
    }
}
