//! Webhook registration: where an agency wants its hits delivered. The
//! delivery itself (signatures, retries) is the HTTP server's.

use vigil_core::access::may_manage_webhooks;
use vigil_core::{Action, Outcome};
use vigil_store::Webhook;

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// Shortest shared secret accepted for signing deliveries.
const MIN_SECRET_CHARS: usize = 16;
/// Longest webhook URL accepted.
const MAX_URL_BYTES: usize = 2000;

/// Whether a webhook host is inside a private network: loopback, private
/// and shared ranges, link-local (cloud metadata: 169.254.169.254),
/// unspecified, unique-local IPv6, or a `localhost` name. Names are not
/// resolved here: a public name that resolves to a private address is the
/// network's to block.
fn is_private(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        url::Host::Ipv4(ip) => private_v4(ip),
        url::Host::Ipv6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => private_v4(&v4),
            None => {
                let first = ip.segments()[0];
                ip.is_loopback()
                    || ip.is_unspecified()
                    || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                    || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
            }
        },
    }
}

fn private_v4(ip: &std::net::Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || (a == 100 && (64..128).contains(&b)) // shared address space 100.64/10
}

impl Vigil {
    pub fn create_webhook(&self, ctx: &Ctx, url: &str, secret: Option<String>) -> Result<Webhook> {
        if !may_manage_webhooks(&ctx.caller) {
            return Err(ServiceError::Forbidden(
                "webhooks are registered by admins, contributors or analysts".into(),
            ));
        }
        let parsed = url::Url::parse(url).ok().filter(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host().is_some()
                && url.len() <= MAX_URL_BYTES
                && !url.contains(char::is_whitespace)
        });
        let Some(parsed) = parsed else {
            return Err(ServiceError::field(
                "url",
                "must be an http:// or https:// URL",
            ));
        };
        if !self.config.allow_private_webhooks && parsed.host().is_some_and(|h| is_private(&h)) {
            return Err(ServiceError::field(
                "url",
                "points at a loopback, private, link-local or metadata address; the operator must allow private webhooks for that",
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
        if !may_manage_webhooks(&ctx.caller) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_hosts_are_recognised() {
        let private = [
            "http://127.0.0.1:9/x",
            "http://localhost/x",
            "http://api.localhost/x",
            "http://10.1.2.3/",
            "http://172.20.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
        ];
        for u in private {
            let url = url::Url::parse(u).unwrap();
            assert!(is_private(&url.host().unwrap()), "{u}");
        }
        for u in [
            "https://hooks.example.org/vigil",
            "http://93.184.216.34/",
            "http://[2001:db8::1]/",
        ] {
            let url = url::Url::parse(u).unwrap();
            assert!(!is_private(&url.host().unwrap()), "{u}");
        }
    }
}
