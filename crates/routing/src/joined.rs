//! A joined session: what it asks of the broker, and the messages it may no longer send.

mod rpc;

use std::collections::HashMap;
use std::sync::Arc;

use crossway_protocol::errors;
use crossway_protocol::ids::random_id;
use crossway_protocol::message::{code, code_name};
use crossway_protocol::{
    Dict, Message, Payload, PublicationId, RegistrationId, RequestId, SubscriptionId, Uri,
};

use crate::broker::Publication;
use crate::dealer::{CallerState, Registration};
use crate::error::{AbortReason, RequestError};
use crate::matcher::MatchPolicy;
use crate::member::Member;
use crate::permissions::{Action, Disclose};
use crate::publication::{PublishOptions, wants_acknowledge};
use crate::realm::Realm;
use crate::router::Router;
use crate::subscription::Subscription;

/// A joined session's state.
#[derive(Debug)]
pub(crate) struct Joined {
    realm: Arc<Realm>,
    member: Arc<Member>,
    subscriptions: HashMap<SubscriptionId, Arc<Subscription>>,
    registrations: HashMap<RegistrationId, Arc<Registration>>,
    caller: CallerState,
}

/// What a joined session does about one message.
pub(crate) enum Step {
    /// Nothing to send; the session goes on.
    Nothing,
    /// Send the reply; the session goes on.
    Reply(Message),
    /// Leave the realm and close, sending the reply if any.
    Close(Option<Message>),
    /// Leave the realm and close, answering ABORT.
    Abort(AbortReason),
}

impl Joined {
    /// A session that just joined `realm` as `member`, with no subscription.
    pub(crate) fn new(realm: Arc<Realm>, member: Arc<Member>) -> Joined {
        Joined {
            realm,
            member,
            subscriptions: HashMap::new(),
            registrations: HashMap::new(),
            caller: CallerState::default(),
        }
    }

    /// The session as the rest of the router sees it.
    pub(crate) fn member(&self) -> &Member {
        &self.member
    }

    /// Handles one message of the joined session.
    pub(crate) fn handle(&mut self, msg: Message) -> Step {
        if self.member.is_closing()
            && !matches!(msg, Message::Goodbye { .. } | Message::Abort { .. })
        {
            // The router sent GOODBYE: until the client's GOODBYE, other messages are ignored.
            tracing::debug!(message = msg.name(), "ignored while closing");
            return Step::Nothing;
        }
        match msg {
            Message::Hello { .. } => Step::Abort(violation(
                "Received HELLO message after session was established.",
            )),
            Message::Authenticate { .. } => Step::Abort(violation(
                "Received AUTHENTICATE message after session was established.",
            )),
            Message::Welcome { .. }
            | Message::Challenge { .. }
            | Message::Published { .. }
            | Message::Subscribed { .. }
            | Message::Unsubscribed { .. }
            | Message::Event { .. }
            | Message::Result { .. }
            | Message::Registered { .. }
            | Message::Unregistered { .. }
            | Message::Invocation { .. }
            | Message::Interrupt { .. } => Step::Abort(violation(&format!(
                "Received {} message, which only a router sends.",
                msg.name()
            ))),
            Message::Abort { reason, .. } => {
                tracing::debug!(session = %self.member.id(), %reason, "client aborted");
                Step::Close(None)
            }
            Message::Goodbye { reason, .. } => self.goodbye(&reason),
            Message::Error {
                request_type,
                request,
                details,
                error,
                payload,
            } if request_type == code::INVOCATION => {
                self.realm.dealer().callee_error(
                    self.member.id(),
                    request,
                    details,
                    error,
                    payload,
                );
                Step::Nothing
            }
            Message::Error { request_type, .. } => Step::Abort(violation(&format!(
                "Received ERROR for a {} request: a client may only fail an INVOCATION.",
                code_name(request_type)
            ))),
            Message::Subscribe {
                request,
                options,
                topic,
            } => self.subscribe(request, &options, &topic),
            Message::Unsubscribe {
                request,
                subscription,
            } => self.unsubscribe(request, subscription),
            Message::Publish {
                request,
                options,
                topic,
                payload,
            } => self.publish(request, &options, &topic, payload),
            Message::Call {
                request,
                options,
                procedure,
                payload,
            } => self.call(request, &options, &procedure, payload),
            Message::Register {
                request,
                options,
                procedure,
            } => self.register(request, &options, &procedure),
            Message::Unregister {
                request,
                registration,
            } => self.unregister(request, registration),
            Message::Yield {
                request,
                options,
                payload,
            } => {
                self.realm
                    .dealer()
                    .yield_result(self.member.id(), request, &options, payload);
                Step::Nothing
            }
            Message::Cancel { request, options } => {
                match self
                    .realm
                    .dealer()
                    .cancel(self.member.id(), request, &options)
                {
                    Some(reply) => Step::Reply(reply),
                    None => Step::Nothing,
                }
            }
            Message::EventReceived { .. } => {
                tracing::debug!(
                    message = msg.name(),
                    "ignored: not supported by this router"
                );
                Step::Nothing
            }
        }
    }

    /// The client's GOODBYE: answered, unless it answers the router's own GOODBYE.
    fn goodbye(&self, reason: &Uri) -> Step {
        tracing::debug!(session = %self.member.id(), %reason, "GOODBYE");
        if self.member.mark_goodbye() {
            Step::Close(None)
        } else {
            Step::Close(Some(Message::goodbye(errors::GOODBYE_AND_OUT)))
        }
    }

    fn subscribe(&mut self, request: RequestId, options: &Dict, topic: &Uri) -> Step {
        let policy = match MatchPolicy::from_options(options) {
            Ok(policy) => policy,
            Err(error) => return Step::Reply(error.to_error(code::SUBSCRIBE, request)),
        };
        if !policy.accepts(topic, self.realm.rules()) {
            return Step::Reply(
                RequestError::InvalidUri(topic.clone()).to_error(code::SUBSCRIBE, request),
            );
        }
        if !self
            .member
            .authorization()
            .allows(Action::Subscribe, topic.as_str())
        {
            return Step::Reply(
                not_authorized(Action::Subscribe, topic).to_error(code::SUBSCRIBE, request),
            );
        }
        let sub = self.realm.broker().subscribe(&self.member, topic, policy);
        let subscription = sub.id();
        self.subscriptions.insert(subscription, sub);
        Step::Reply(Message::Subscribed {
            request,
            subscription,
        })
    }

    fn unsubscribe(&mut self, request: RequestId, subscription: SubscriptionId) -> Step {
        let Some(sub) = self.subscriptions.remove(&subscription) else {
            return Step::Reply(
                RequestError::NoSuchSubscription(subscription).to_error(code::UNSUBSCRIBE, request),
            );
        };
        self.realm.broker().unsubscribe(self.member.id(), &sub);
        Step::Reply(Message::Unsubscribed {
            request,
            details: None,
        })
    }

    fn publish(
        &mut self,
        request: RequestId,
        options: &Dict,
        topic: &Uri,
        payload: Payload,
    ) -> Step {
        let acknowledge = wants_acknowledge(options);
        let authorization = self.member.authorization();
        let parsed = if !topic.is_valid(self.realm.rules()) {
            Err(RequestError::InvalidUri(topic.clone()))
        } else {
            PublishOptions::parse(options).and_then(|mut options| {
                match authorization.sends(Action::Publish, topic.as_str(), options.disclose_me) {
                    Some(Disclose(disclose)) => {
                        options.disclose_me = disclose;
                        Ok(options)
                    }
                    None => Err(not_authorized(Action::Publish, topic)),
                }
            })
        };
        let options = match parsed {
            Ok(options) => options,
            Err(error) if acknowledge => {
                return Step::Reply(error.to_error(code::PUBLISH, request));
            }
            Err(error) => {
                if matches!(error, RequestError::NotAuthorized { .. }) {
                    self.realm.count_refused_publication();
                }
                tracing::debug!(session = %self.member.id(), %error, "publication dropped");
                return Step::Nothing;
            }
        };
        let id = PublicationId(random_id());
        let publication = Publication {
            id,
            topic,
            options: &options,
            payload,
        };
        let dispatch = self.realm.broker().publish(&self.member, publication);
        self.realm.stats().published(dispatch.delivery.receivers);
        tracing::trace!(publication = %id, %topic, ?dispatch, "published");
        if acknowledge {
            Step::Reply(Message::Published {
                request,
                publication: id,
            })
        } else {
            Step::Nothing
        }
    }

    /// Gives up every registration (then ends the calls in flight it was part of), every
    /// subscription, then the realm's session table entry and the session id.
    pub(crate) fn leave(self, router: &Router) {
        let id = self.member.id();
        let dealer = self.realm.dealer();
        for registration in self.registrations.values() {
            dealer.unregister(id, registration);
        }
        dealer.leave(&self.member);
        for sub in self.subscriptions.values() {
            self.realm.broker().unsubscribe(id, sub);
        }
        router.leave(&self.realm, id);
        tracing::info!(session = %id, realm = %self.realm.name(), "session left");
    }
}

pub(super) fn not_authorized(action: Action, uri: &Uri) -> RequestError {
    RequestError::NotAuthorized {
        action,
        uri: uri.clone(),
    }
}

pub(super) fn violation(message: &str) -> AbortReason {
    AbortReason::ProtocolViolation(message.to_owned())
}
