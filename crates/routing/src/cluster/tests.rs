//! Two routers joined through the seam by an in-process bridge that hands each one's
//! publications, call messages and registrations straight to the other's `cluster_*` methods:
//! what crosses and what the other router makes of it, without NATS (the cluster crate's tests
//! and the interop suite run it over a real nats-server).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::{Arc, Mutex, Weak};

use crossway_protocol::message::code;
use crossway_protocol::{Dict, Message, Payload, RequestId, Uri, Value, errors};

use super::*;
use crate::router::Router;
use crate::testing::{Client, dict, router};

/// One router's link to the other.
#[derive(Debug)]
struct Bridge {
    me: &'static str,
    other: Mutex<Weak<Router>>,
}

impl Bridge {
    fn other(&self) -> Arc<Router> {
        self.other
            .lock()
            .unwrap()
            .upgrade()
            .expect("the other router")
    }
}

impl ClusterLink for Bridge {
    fn interest(&self, _: &Uri, _: &Uri, _: MatchPolicy, _: bool) {}

    fn publish(&self, realm: &Uri, publication: CrossPublication) {
        self.other().cluster_publication(realm, publication);
    }

    fn send(&self, route: Route, message: Message) -> bool {
        let other = self.other();
        other.cluster_message(
            self.me,
            &route.realm,
            route.callee,
            route.registration,
            message,
        );
        true
    }

    fn announce(&self, change: StateChange) {
        let other = self.other();
        match change {
            StateChange::Registered {
                realm,
                registration,
            } => other.cluster_registered(self.me, &realm, registration),
            StateChange::Unregistered {
                realm,
                session,
                procedure,
                policy,
            } => other.cluster_unregistered(&realm, session, &procedure, policy),
            StateChange::Left { realm, session } => {
                other.cluster_session_left(&realm, session);
            }
            _ => {}
        }
    }

    fn remote_sessions(&self, _: &Uri) -> Vec<RemoteSession> {
        Vec::new()
    }

    fn remote_subscriptions(&self, _: &Uri) -> Vec<RemoteSubscription> {
        Vec::new()
    }
}

/// Routers `a` and `b`, joined.
fn pair() -> (Arc<Router>, Arc<Router>) {
    let (a, b) = (router(), router());
    for (from, me, to) in [(&a, "a", &b), (&b, "b", &a)] {
        from.attach_cluster(Arc::new(Bridge {
            me,
            other: Mutex::new(Arc::downgrade(to)),
        }));
    }
    (a, b)
}

fn events(client: &Client) -> Vec<(u64, Dict)> {
    client
        .received()
        .into_iter()
        .filter_map(|m| match m {
            Message::Event {
                publication,
                details,
                ..
            } => Some((publication.0, details)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_publication_reaches_each_node_once_with_the_same_id_and_options() {
    let (a, b) = pair();
    let (mut publisher, mut here, mut there, mut excluded) = (
        Client::join(&a),
        Client::join(&a),
        Client::join(&b),
        Client::join(&b),
    );
    for c in [&mut publisher, &mut here, &mut there, &mut excluded] {
        c.subscribe("com.t");
    }
    let options = dict(&[
        ("exclude_me", Value::Bool(false)),
        ("disclose_me", Value::Bool(true)),
        ("exclude", Value::List(vec![Value::from(excluded.id().0)])),
        ("acknowledge", Value::Bool(true)),
    ]);
    let published = publisher.publish("com.t", options, vec![Value::from(1u64)]);
    let Some(Message::Published { publication, .. }) = published.reply else {
        panic!("{published:?}");
    };
    for c in [&publisher, &here, &there] {
        let got = events(c);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, publication.0);
        assert_eq!(
            got[0].1.get("publisher"),
            Some(&Value::from(publisher.id().0))
        );
    }
    assert!(events(&excluded).is_empty());
}

#[test]
fn a_call_reaches_a_callee_of_the_other_node_and_its_answer_comes_back() {
    let (a, b) = pair();
    let (mut caller, mut callee) = (Client::join(&a), Client::join(&b));
    let reply = callee.request(Message::Register {
        request: RequestId(1),
        options: Dict::new(),
        procedure: Uri::new("com.add"),
    });
    assert!(matches!(reply, Message::Registered { .. }), "{reply:?}");
    // Node a's dealer knows the callee: a second `single` registration there is refused.
    let mut rival = Client::join(&a);
    let refused = rival.request(Message::Register {
        request: RequestId(1),
        options: Dict::new(),
        procedure: Uri::new("com.add"),
    });
    assert_eq!(Client::error(&refused), errors::PROCEDURE_ALREADY_EXISTS);
    let outcome = caller.send_encoded(Message::Call {
        request: RequestId(9),
        options: Dict::new(),
        procedure: Uri::new("com.add"),
        payload: Payload::new(Some(vec![Value::from(2u64), Value::from(3u64)]), None),
    });
    assert!(outcome.reply.is_none(), "{outcome:?}");
    let invocations = callee.received();
    let [Message::Invocation { request, .. }] = &invocations[..] else {
        panic!("{invocations:?}");
    };
    callee.send_encoded(Message::Yield {
        request: *request,
        options: Dict::new(),
        payload: Payload::new(Some(vec![Value::from(5u64)]), None),
    });
    let answers = caller.received();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(matches!(&answers[0], Message::Result { request, .. } if *request == RequestId(9)));
    assert_eq!(Client::result(&answers[0]), Value::from(5u64));
}

#[test]
fn a_call_to_a_callee_whose_node_is_gone_ends_canceled() {
    let (a, b) = pair();
    let (mut caller, mut callee) = (Client::join(&a), Client::join(&b));
    callee.request(Message::Register {
        request: RequestId(1),
        options: Dict::new(),
        procedure: Uri::new("com.slow"),
    });
    caller.send_encoded(Message::Call {
        request: RequestId(4),
        options: Dict::new(),
        procedure: Uri::new("com.slow"),
        payload: Payload::new(None, None),
    });
    assert_eq!(callee.received().len(), 1);
    a.cluster_node_gone("b");
    let answers = caller.received();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(
        matches!(&answers[0], Message::Error { request_type: code::CALL, request, error, .. }
            if *request == RequestId(4) && error.as_str() == errors::CANCELED),
        "{answers:?}"
    );
    // The procedure went with the node.
    let reply = caller.call("com.slow", vec![], Dict::new());
    assert_eq!(Client::error(&reply), errors::NO_SUCH_PROCEDURE);
}

#[test]
fn roundrobin_takes_turns_among_the_callees_of_both_nodes() {
    let (a, b) = pair();
    let shared = dict(&[("invoke", Value::from("roundrobin"))]);
    let (mut here, mut there) = (Client::join(&a), Client::join(&b));
    for c in [&mut here, &mut there] {
        let r = c.request(Message::Register {
            request: RequestId(1),
            options: shared.clone(),
            procedure: Uri::new("com.rr"),
        });
        assert!(matches!(r, Message::Registered { .. }), "{r:?}");
    }
    let mut caller = Client::join(&a);
    for i in 0..4 {
        caller.send_encoded(Message::Call {
            request: RequestId(100 + i),
            options: Dict::new(),
            procedure: Uri::new("com.rr"),
            payload: Payload::new(None, None),
        });
    }
    assert_eq!((here.received().len(), there.received().len()), (2, 2));
}

/// Features of a callee that understands INTERRUPT.
const CANCELING: &[&str] = &["call_canceling"];

#[test]
fn every_cancel_mode_crosses_to_the_callee_s_node() {
    let (a, b) = pair();
    let mut caller = Client::join_announcing(&a, CANCELING);
    let mut callee = Client::join_announcing(&b, CANCELING);
    callee.request(Message::Register {
        request: RequestId(1),
        options: Dict::new(),
        procedure: Uri::new("com.long"),
    });
    let start = |caller: &mut Client, request: u64| {
        let outcome = caller.send_encoded(Message::Call {
            request: RequestId(request),
            options: Dict::new(),
            procedure: Uri::new("com.long"),
            payload: Payload::new(None, None),
        });
        assert!(outcome.reply.is_none(), "{outcome:?}");
    };
    let invocation = |callee: &Client| match &callee.received()[..] {
        [Message::Invocation { request, .. }] => *request,
        other => panic!("{other:?}"),
    };
    let interrupt = |callee: &Client| match &callee.received()[..] {
        [Message::Interrupt { request, options }] => (*request, options.clone()),
        other => panic!("{other:?}"),
    };
    for (request, mode) in [(1, "skip"), (2, "killnowait"), (3, "kill")] {
        start(&mut caller, request);
        let inv = invocation(&callee);
        let reply = caller.send(Message::Cancel {
            request: RequestId(request),
            options: dict(&[("mode", Value::from(mode))]),
        });
        match mode {
            "skip" => {
                assert!(
                    matches!(reply.reply, Some(Message::Error { .. })),
                    "{reply:?}"
                );
                assert!(
                    callee.received().is_empty(),
                    "skip tells the callee nothing"
                );
            }
            "killnowait" => {
                assert!(
                    matches!(reply.reply, Some(Message::Error { .. })),
                    "{reply:?}"
                );
                let (at, options) = interrupt(&callee);
                assert_eq!((at, options.get("mode")), (inv, Some(&Value::from(mode))));
            }
            _ => {
                // kill: the caller waits for the callee's answer, which crosses back.
                assert!(reply.reply.is_none(), "{reply:?}");
                let (at, options) = interrupt(&callee);
                assert_eq!((at, options.get("mode")), (inv, Some(&Value::from(mode))));
                callee.send_encoded(Message::Error {
                    request_type: code::INVOCATION,
                    request: inv,
                    details: Dict::new(),
                    error: Uri::new(errors::CANCELED),
                    payload: Payload::new(None, None),
                });
                let answers = caller.received();
                assert!(
                    matches!(&answers[..], [Message::Error { request, error, .. }]
                        if *request == RequestId(3) && error.as_str() == errors::CANCELED),
                    "{answers:?}"
                );
            }
        }
    }
}
