//! One request of the HTTP publish bridge, from its head to its answer: the method, the content
//! type, the body within its bound, the signature, then a short session of the bridge's own that
//! joins the realm with the bridge's role and publishes once.

use std::sync::Arc;

use crossway_protocol::{Message, errors};
use crossway_routing::auth::{AnonymousAuth, AuthPolicy, RandomFailed};
use crossway_routing::{Authenticator, OutboxLimits, Router, Session, TransportInfo, outbox_with};
use crossway_transport::{BodyError, HttpRequest};
use tracing::{debug, info, warn};

use super::answer::Answer;
use super::body::{self, BadBody};
use super::secret::BridgeSecret;
use crate::config::HttpPublishSpec;
use crate::counters::Counters;
use crate::proxy::Origin;

/// The bridge session's outbox: it subscribes to nothing, so only a shutdown GOODBYE may come.
const OUTBOX: OutboxLimits = OutboxLimits {
    messages: 4,
    bytes: 4096,
};

/// The HTTP publish bridge of one endpoint.
#[derive(Debug)]
pub struct Bridge {
    spec: HttpPublishSpec,
    endpoint: String,
    router: Arc<Router>,
    /// Admits the bridge's sessions anonymously, with the bridge's role.
    auth: Arc<Authenticator>,
}

impl Bridge {
    /// The bridge of endpoint `endpoint`, publishing through `router`.
    pub fn new(
        spec: HttpPublishSpec,
        endpoint: &str,
        router: Arc<Router>,
    ) -> Result<Bridge, RandomFailed> {
        let policy = AuthPolicy {
            anonymous: Some(AnonymousAuth {
                role: spec.role.clone(),
            }),
            ..AuthPolicy::default()
        };
        Ok(Bridge {
            auth: Arc::new(Authenticator::new(policy)?),
            spec,
            endpoint: endpoint.to_owned(),
            router,
        })
    }

    /// The bridge's path.
    pub fn path(&self) -> &str {
        &self.spec.path
    }

    /// Answers `request`, from the client at `origin`, and counts the answer.
    pub async fn serve(&self, mut request: HttpRequest, origin: Origin, counters: &Counters) {
        let answer = match self.answer(&mut request, &origin).await {
            Ok(answer) => answer,
            Err(BodyError::Closed | BodyError::Io(_)) => {
                debug!("HTTP publish: the client left before its body came");
                return;
            }
            Err(e) => body_error(&e),
        };
        counters.bridge_answered(answer.status);
        if answer.status >= 400 {
            debug!(status = answer.status, answer = %answer.body, "HTTP publish refused");
        }
        let body = answer.body.to_string();
        let mut headers = answer.headers.clone();
        headers.push(("Cache-Control", "no-store"));
        if let Err(e) = request
            .respond(answer.status, "application/json", &headers, body.as_bytes())
            .await
        {
            debug!(error = %e, "HTTP publish: cannot send the answer");
        }
    }

    /// What to answer; a body that could not be read is an error.
    async fn answer(
        &self,
        request: &mut HttpRequest,
        origin: &Origin,
    ) -> Result<Answer, BodyError> {
        if request.method() != "POST" {
            return Ok(Answer::error(
                405,
                "method_not_allowed",
                format!("{} publishes with POST", self.spec.path),
            )
            .with_header("Allow", "POST"));
        }
        if !is_json(request.header("content-type")) {
            return Ok(Answer::error(
                415,
                "unsupported_media_type",
                "the body must be JSON: send Content-Type: application/json",
            )
            .with_header("Accept", "application/json"));
        }
        let signature = request.header("x-signature").map(str::to_owned);
        let body = request.read_body(self.spec.max_body).await?;
        if let Some(secret) = &self.spec.secret
            && let Some(refusal) = check_signature(secret, &body, signature.as_deref())
        {
            return Ok(refusal);
        }
        let publication = match body::parse(&body) {
            Ok(p) => p,
            Err(BadBody(why)) => return Ok(Answer::error(400, "bad_request", why)),
        };
        Ok(self.publish(publication, origin))
    }

    /// Joins the realm as a session of the bridge's own, publishes, leaves.
    fn publish(&self, publication: body::Publication, origin: &Origin) -> Answer {
        let hello = match body::hello(&publication.realm) {
            Ok(hello) => hello,
            Err(BadBody(why)) => return Answer::error(400, "bad_request", why),
        };
        let (tx, _rx) = outbox_with(crossway_protocol::Codec::Json, OUTBOX);
        let mut session = Session::new(
            self.router.clone(),
            tx,
            TransportInfo {
                peer: origin.peer,
                proxy: origin.proxy,
                tls: origin.tls,
                endpoint: self.endpoint.clone(),
                transport: "http".to_owned(),
                client_certificate: None,
                peer_limit: None,
            },
            self.auth.clone(),
        );
        match session.handle(hello).reply {
            Some(Message::Welcome { .. }) => {}
            Some(Message::Abort { reason, .. }) => {
                return refused_session(reason.as_str(), &publication.realm, &self.spec.role);
            }
            other => {
                warn!(reply = ?other.as_ref().map(Message::name), "HTTP publish: unexpected answer to HELLO");
                return Answer::error(500, "internal", "the router did not admit the bridge");
            }
        }
        let answer = match session.handle(publication.publish).reply {
            Some(Message::Published {
                publication: id, ..
            }) => {
                info!(realm = %publication.realm, publication = id.0, "published over HTTP");
                if publication.acknowledge {
                    Answer::published(id.0)
                } else {
                    Answer::accepted()
                }
            }
            Some(Message::Error { error, details, .. }) => {
                let message = details
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or(error.as_str())
                    .to_owned();
                let status = match error.as_str() {
                    errors::NOT_AUTHORIZED => 403,
                    _ => 400,
                };
                Answer::error(status, error.as_str(), message)
            }
            Some(Message::Abort { reason, .. }) => {
                Answer::error(400, reason.as_str(), "the router refused the publication")
            }
            other => {
                warn!(reply = ?other.as_ref().map(Message::name), "HTTP publish: unexpected answer to PUBLISH");
                Answer::error(500, "internal", "the router did not answer the publication")
            }
        };
        drop(session);
        answer
    }
}

/// The refusal for a missing, malformed or wrong signature; `None` when it is right.
fn check_signature(secret: &BridgeSecret, body: &[u8], signature: Option<&str>) -> Option<Answer> {
    let Some(signature) = signature else {
        return Some(Answer::error(
            401,
            "signature_required",
            "this bridge needs X-Signature: the hex HMAC-SHA256 of the body",
        ));
    };
    match secret.verify(body, signature) {
        Ok(()) => None,
        Err(e) => Some(Answer::error(403, "bad_signature", e.to_string())),
    }
}

/// The answer for a HELLO the router refused.
fn refused_session(reason: &str, realm: &str, role: &str) -> Answer {
    match reason {
        errors::NO_SUCH_REALM => Answer::error(404, reason, format!("no realm \"{realm}\"")),
        errors::SYSTEM_SHUTDOWN => Answer::error(503, reason, "the router is shutting down")
            .with_header("Retry-After", "1"),
        errors::NOT_AUTHORIZED | errors::NO_SUCH_ROLE | errors::AUTHENTICATION_FAILED => {
            Answer::error(
                403,
                errors::NOT_AUTHORIZED,
                format!("the bridge's role \"{role}\" may not join realm \"{realm}\""),
            )
        }
        _ => Answer::error(
            400,
            reason,
            format!("the router refused to join \"{realm}\""),
        ),
    }
}

/// The answer for a body that could not be taken.
fn body_error(e: &BodyError) -> Answer {
    match e {
        BodyError::TooLarge { .. } => Answer::error(413, "too_large", e.to_string()),
        BodyError::LengthRequired => Answer::error(411, "length_required", e.to_string()),
        _ => Answer::error(400, "bad_request", e.to_string()),
    }
}

/// Whether a `Content-Type` names JSON (`application/json`, parameters allowed).
fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(None));
    }

    #[test]
    fn refused_sessions_map_to_statuses() {
        assert_eq!(refused_session(errors::NO_SUCH_REALM, "r", "x").status, 404);
        assert_eq!(refused_session(errors::NO_SUCH_ROLE, "r", "x").status, 403);
        assert_eq!(
            refused_session(errors::NOT_AUTHORIZED, "r", "x").status,
            403
        );
        assert_eq!(
            refused_session(errors::SYSTEM_SHUTDOWN, "r", "x").status,
            503
        );
    }
}
