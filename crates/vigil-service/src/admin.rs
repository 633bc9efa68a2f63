//! Administration: member agencies and API tokens (the admin role).

use vigil_core::access;
use vigil_core::{Action, Agency, AgencyCode, AgencyKind, Caller, Outcome, Role};
use vigil_store::TokenInfo;

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

impl Vigil {
    fn require_admin(&self, ctx: &Ctx, action: Action) -> Result<()> {
        if access::may_administer(&ctx.caller) {
            Ok(())
        } else {
            self.audit(
                ctx,
                action,
                serde_json::Value::Null,
                vec![],
                Outcome::Denied,
            )?;
            Err(ServiceError::Forbidden("this needs an admin token".into()))
        }
    }

    pub fn create_agency(
        &self,
        ctx: &Ctx,
        code: &AgencyCode,
        name: &str,
        kind: Option<AgencyKind>,
    ) -> Result<Agency> {
        self.require_admin(ctx, Action::AgencyCreate)?;
        if name.trim().is_empty() || name.len() > 200 {
            return Err(ServiceError::field("name", "must be 1-200 characters"));
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
        label: Option<&str>,
    ) -> Result<(TokenInfo, String)> {
        self.require_admin(ctx, Action::TokenCreate)?;
        if self.store.agency(agency)?.is_none() {
            return Err(ServiceError::field(
                "agency",
                format!("agency {agency} does not exist"),
            ));
        }
        let id = vigil_store::new_token_id();
        let event = ctx.event(
            Action::TokenCreate,
            serde_json::json!({"agency": agency, "role": role, "token": id}),
            vec![],
            Outcome::Done,
        );
        Ok(self.store.create_token(&id, agency, role, label, event)?)
    }

    pub fn tokens(&self, ctx: &Ctx, agency: Option<&AgencyCode>) -> Result<Vec<TokenInfo>> {
        self.require_admin(ctx, Action::TokenList)?;
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

    /// The caller behind a token's secret; `None` for an unknown or revoked
    /// token.
    pub fn authenticate(&self, secret: &str) -> Result<Option<Caller>> {
        Ok(self.store.authenticate(secret)?)
    }

    pub fn revoke_token(&self, ctx: &Ctx, id: &str) -> Result<()> {
        self.require_admin(ctx, Action::TokenRevoke)?;
        let active = self
            .store
            .token(id)?
            .is_some_and(|t| t.revoked_at.is_none());
        let event = ctx.event(
            Action::TokenRevoke,
            serde_json::json!({"token": id}),
            vec![],
            Outcome::found(active),
        );
        if self.store.revoke_token(id, event)? {
            self.announce_revocation();
            Ok(())
        } else {
            Err(ServiceError::NotFound("token"))
        }
    }
}
