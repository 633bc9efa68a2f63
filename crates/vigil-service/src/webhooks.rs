//! Webhook registration: where an agency wants its hits delivered. The
//! delivery itself (signatures, retries) is the HTTP server's.

use vigil_core::{Action, Outcome, Role};
use vigil_store::Webhook;

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// Shortest shared secret accepted for signing deliveries.
const MIN_SECRET_CHARS: usize = 16;
/// Longest webhook URL accepted.
const MAX_URL_BYTES: usize = 2000;

fn may_manage_webhooks(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Contributor | Role::Analyst)
}

impl Vigil {
    pub fn create_webhook(&self, ctx: &Ctx, url: &str, secret: Option<String>) -> Result<Webhook> {
        if !may_manage_webhooks(ctx.caller.role) {
            return Err(ServiceError::Forbidden(
                "webhooks are registered by admins, contributors or analysts".into(),
            ));
        }
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() > MAX_URL_BYTES
            || url.contains(char::is_whitespace)
        {
            return Err(ServiceError::field(
                "url",
                "must be an http:// or https:// URL",
            ));
        }
        let secret = match secret {
            Some(s) if s.len() < MIN_SECRET_CHARS => {
                return Err(ServiceError::field(
                    "secret",
                    format!("must be at least {MIN_SECRET_CHARS} characters"),
                ))
            }
            Some(s) => s,
            None => {
                use rand::RngCore;
                let mut b = [0u8; 24];
                rand::thread_rng().fill_bytes(&mut b);
                hex::encode(b)
            }
        };
        let id = vigil_store::new_webhook_id();
        let event = ctx.event(
            Action::WebhookCreate,
            serde_json::json!({"id": id, "url": url}),
            vec![],
            Outcome::Done,
        );
        Ok(self
            .store
            .create_webhook(&id, &ctx.caller.agency, url, &secret, event)?)
    }

    pub fn webhooks(&self, ctx: &Ctx) -> Result<Vec<Webhook>> {
        let list = self.store.webhooks(&ctx.caller.agency)?;
        self.audit(
            ctx,
            Action::WebhookList,
            serde_json::Value::Null,
            vec![],
            Outcome::Done,
        )?;
        Ok(list)
    }

    pub fn delete_webhook(&self, ctx: &Ctx, id: &str) -> Result<()> {
        if !may_manage_webhooks(ctx.caller.role) {
            return Err(ServiceError::Forbidden(
                "webhooks are managed by admins, contributors or analysts".into(),
            ));
        }
        let exists = self
            .store
            .webhooks(&ctx.caller.agency)?
            .iter()
            .any(|h| h.id == id);
        let event = ctx.event(
            Action::WebhookDelete,
            serde_json::json!({"id": id}),
            vec![],
            Outcome::found(exists),
        );
        if self.store.delete_webhook(&ctx.caller.agency, id, event)? {
            Ok(())
        } else {
            Err(ServiceError::NotFound("webhook"))
        }
    }
}
