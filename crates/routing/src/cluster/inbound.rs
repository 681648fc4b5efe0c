//! What arrives from the other nodes of a cluster, taken by the router: publications to deliver
//! here, call messages, the registrations of remote callees, and the end of a node.

use std::sync::Arc;

use crossway_protocol::message::code;
use crossway_protocol::{Message, SessionId, Uri};

use super::{ClusterLink, CrossPublication, RemoteRegistration, RemoteTarget, RetainedEvent};
use crate::dealer::{RegisterOptions, Registration, RemoteCaller, RemoteInvocation};
use crate::error::RequestError;
use crate::features::ClientFeatures;
use crate::matcher::MatchPolicy;
use crate::member::Member;
use crate::publication::PublishOptions;
use crate::realm::Realm;
use crate::retention::Retention;
use crate::router::Router;

impl Router {
    /// Joins every realm to the cluster that `link` reaches: from now on publications,
    /// subscriptions, sessions and registrations are told to it. Call it once, before any
    /// session joins.
    pub fn attach_cluster(&self, link: Arc<dyn ClusterLink>) {
        for realm in self.realms() {
            realm.attach_cluster(Arc::clone(&link));
        }
    }

    /// Delivers a publication another node made to the subscribers here.
    pub fn cluster_publication(&self, realm: &Uri, publication: CrossPublication) {
        match self.realm(realm) {
            Some(realm) => realm.deliver_remote(publication),
            None => tracing::debug!(
                %realm,
                "publication from another node for a realm not served here: dropped"
            ),
        }
    }

    /// Every retained event of every realm, for a node that starts.
    pub fn cluster_retained(&self) -> Vec<(Uri, RetainedEvent)> {
        self.realms()
            .flat_map(|realm| {
                realm.retention().all().into_iter().map(|r| {
                    let event = RetainedEvent {
                        id: r.id,
                        topic: r.topic.clone(),
                        details: r.details.clone(),
                        options: r.options.to_dict(),
                        payload: r.payload.clone(),
                    };
                    (realm.name().clone(), event)
                })
            })
            .collect()
    }

    /// Keeps a retained event another node had before this one started, unless its topic has
    /// one already (received live since, so newer).
    pub fn cluster_keep_retained(&self, realm: &Uri, event: RetainedEvent) {
        let Some(realm) = self.realm(realm) else {
            return;
        };
        let Ok(options) = PublishOptions::parse(&event.options) else {
            return;
        };
        let retained = Retention::event(
            event.id,
            &event.topic,
            event.details,
            &options,
            &event.payload,
        );
        realm.retention().keep_if_absent(retained);
    }

    /// A call's message from node `from`: an INVOCATION or INTERRUPT for the local callee
    /// `callee`, or a RESULT or ERROR that the remote callee `callee` gives a caller here.
    /// `registration` comes with the INVOCATION that starts a call.
    pub fn cluster_message(
        &self,
        from: &str,
        realm: &Uri,
        callee: SessionId,
        registration: Option<(Uri, MatchPolicy)>,
        message: Message,
    ) {
        let Some(realm) = self.realm(realm) else {
            tracing::debug!(
                %realm,
                "call message from another node for a realm not served here: dropped"
            );
            return;
        };
        let Some(link) = realm.cluster() else {
            return;
        };
        let dealer = realm.dealer();
        match message {
            Message::Invocation {
                request,
                details,
                payload,
                ..
            } => {
                let (origin, node) = realm.proxies().origin(from);
                let target = RemoteTarget {
                    node,
                    realm: realm.name().clone(),
                    link: Arc::clone(link),
                };
                let Some(member) = realm.member(callee) else {
                    let error = RequestError::Canceled("the callee left".to_owned())
                        .to_error(code::CALL, request);
                    target.send(callee, None, &error);
                    return;
                };
                let caller = RemoteCaller {
                    origin,
                    target,
                    callee,
                };
                let invocation = RemoteInvocation {
                    request,
                    registration,
                    details,
                    payload,
                };
                dealer.remote_invoke(caller, &member, invocation);
            }
            Message::Interrupt { request, options } => {
                let (origin, _) = realm.proxies().origin(from);
                dealer.remote_interrupt(origin, request, &options);
            }
            Message::Result {
                request,
                details,
                payload,
            } => dealer.yield_result(callee, request, &details, payload),
            Message::Error {
                request,
                details,
                error,
                payload,
                ..
            } => dealer.callee_error(callee, request, details, error, payload),
            other => {
                tracing::debug!(
                    message = other.name(),
                    "unexpected call message from another node: dropped"
                );
            }
        }
    }

    /// A callee of node `node` registered: it joins the registration here as it joined it
    /// there. A `single` registration that this node has for another callee already is a
    /// conflict (two nodes took it at the same moment): logged, and each node keeps its own.
    pub fn cluster_registered(&self, node: &str, realm: &Uri, registration: RemoteRegistration) {
        let Some(realm) = self.realm(realm) else {
            return;
        };
        let Some(link) = realm.cluster() else {
            return;
        };
        let options = match RegisterOptions::parse(&registration.options) {
            Ok(options) => options,
            Err(error) => {
                tracing::warn!(node, procedure = %registration.procedure, %error,
                    "registration from another node with unreadable options: ignored");
                return;
            }
        };
        let session = registration.session;
        let proxy = realm.proxies().callee(node, session, || {
            let target = RemoteTarget {
                node: Arc::from(node),
                realm: realm.name().clone(),
                link: Arc::clone(link),
            };
            let features = ClientFeatures::from_bits(registration.features);
            Arc::new(Member::proxy(
                session,
                registration.identity.clone(),
                features,
                target,
            ))
        });
        match realm
            .dealer()
            .register(&proxy, &registration.procedure, options)
        {
            Ok((held, _)) => realm.proxies().hold(session, held),
            Err(error) => {
                tracing::warn!(node, %session, procedure = %registration.procedure, %error,
                    "registration from another node conflicts with one here (both nodes took it at once): calls made here go to this node's callee");
            }
        }
    }

    /// A callee of another node gave a registration up.
    pub fn cluster_unregistered(
        &self,
        realm: &Uri,
        session: SessionId,
        procedure: &Uri,
        policy: MatchPolicy,
    ) {
        let Some(realm) = self.realm(realm) else {
            return;
        };
        if let Some(held) = realm.proxies().release(session, procedure, policy) {
            realm.dealer().unregister(session, &held);
        }
    }

    /// A session of another node left: its proxy goes, and any call still routed to it ends
    /// with `wamp.error.canceled`.
    pub fn cluster_session_left(&self, realm: &Uri, session: SessionId) {
        if let Some(realm) = self.realm(realm)
            && let Some(proxy) = realm.proxies().remove(session)
        {
            drop_proxy(realm, proxy);
        }
    }

    /// Node `node` is gone (it stopped, or has been silent too long): its callees leave every
    /// registration here and their calls end with `wamp.error.canceled`; the calls its callers
    /// made here end and their callees get an INTERRUPT.
    pub fn cluster_node_gone(&self, node: &str) {
        for realm in self.realms() {
            for proxy in realm.proxies().remove_node(node) {
                drop_proxy(realm, proxy);
            }
            let ended = realm.dealer().remote_node_gone(node);
            if ended > 0 {
                tracing::info!(node, realm = %realm.name(), calls = ended,
                    "calls made from a node that is gone were ended");
            }
            realm.proxies().forget_origin(node);
        }
    }
}

/// Removes a remote callee from the registrations it held, and ends its calls.
fn drop_proxy(realm: &Realm, (member, registrations): (Arc<Member>, Vec<Arc<Registration>>)) {
    let dealer = realm.dealer();
    for registration in &registrations {
        dealer.unregister(member.id(), registration);
    }
    dealer.leave(&member);
}
