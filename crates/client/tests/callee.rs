//! The callee's side of the client against a scripted router: REGISTER, INVOCATION and every
//! answer (YIELD, progressive YIELD, ERROR), INTERRUPT, forwarded timeouts, what the client
//! refuses on its own, revocation, and the end of the session.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use crossway_client::{CancelMode, Client, ClientError, INVOCATION_QUEUE, Interrupt};
use crossway_protocol::message::code;
use crossway_protocol::{
    Dict, Message, Payload, RawPayload, RegistrationId, RequestId, SessionId, Value, errors,
};
use crossway_transport::Serializer;
use crossway_transport::rt::block_on;

use common::{Peer, fake_router, within};

fn dict(entries: &[(&str, Value)]) -> Dict {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn invocation(request: u64, registration: u64, details: Dict, args: Vec<Value>) -> Message {
    Message::Invocation {
        request: RequestId(request),
        registration: RegistrationId(registration),
        details,
        payload: Payload::new(Some(args), None),
    }
}

/// Reads REGISTER for `procedure`, answers REGISTERED with `id` followed by `then`; gives the
/// REGISTER options.
async fn registered(p: &mut Peer, procedure: &str, id: u64, then: Vec<Message>) -> Dict {
    let Message::Register {
        request,
        options,
        procedure: uri,
    } = p.recv().await
    else {
        panic!("expected REGISTER")
    };
    assert_eq!(uri.as_str(), procedure);
    let mut msgs = vec![Message::Registered {
        request,
        registration: RegistrationId(id),
    }];
    msgs.extend(then);
    p.send(&msgs).await;
    options
}

/// Reads the callee's ERROR; gives its request id, URI and args.
async fn invocation_error(p: &mut Peer) -> (RequestId, String, Option<Vec<Value>>) {
    let Message::Error {
        request_type,
        request,
        error,
        payload,
        ..
    } = p.recv().await
    else {
        panic!("expected ERROR")
    };
    assert_eq!(request_type, code::INVOCATION);
    (request, error.to_string(), payload.args().unwrap())
}

#[test]
fn hello_announces_the_caller_and_callee_features_implemented() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            let hello = p.welcome().await;
            let roles = hello["roles"].as_map().unwrap();
            let features = |role: &str| {
                let f = roles[role].as_map().unwrap()["features"].as_map().unwrap();
                let mut names: Vec<&str> = f.keys().map(String::as_str).collect();
                names.sort_unstable();
                assert!(f.values().all(|v| *v == Value::Bool(true)));
                names.join(" ")
            };
            assert_eq!(
                features("caller"),
                "call_canceling call_timeout caller_identification progressive_call_results"
            );
            assert_eq!(
                features("callee"),
                "call_canceling call_timeout caller_identification pattern_based_registration \
                 progressive_call_results registration_revocation shared_registration"
            );
            assert!(roles.contains_key("publisher") && roles.contains_key("subscriber"));
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        within(router).await;
        drop(c);
    });
}

#[test]
fn invocations_are_served_and_answered_in_every_way() {
    block_on(async {
        for ser in Serializer::ALL {
            let (url, router) = fake_router(|mut p| async move {
                p.welcome().await;
                // REGISTERED and the first INVOCATION in one write: it must not be lost.
                let details = dict(&[
                    ("receive_progress", Value::Bool(true)),
                    ("caller", Value::from(7u64)),
                    ("procedure", "com.example.add.two".into()),
                ]);
                let first = invocation(1, 5, details, vec![2i64.into(), 3i64.into()]);
                let options = registered(&mut p, "com.example.add.", 5, vec![first]).await;
                assert_eq!(options["match"], Value::from("prefix"));

                let Message::Yield {
                    request,
                    options,
                    payload,
                } = p.recv().await
                else {
                    panic!("expected a progressive YIELD")
                };
                assert_eq!(request, RequestId(1));
                assert_eq!(options["progress"], Value::Bool(true));
                assert_eq!(payload.args().unwrap(), Some(vec![Value::Int(1)]));
                let Message::Yield {
                    request,
                    options,
                    payload,
                } = p.recv().await
                else {
                    panic!("expected YIELD")
                };
                assert_eq!(request, RequestId(1));
                assert!(options.is_empty());
                assert_eq!(payload.args().unwrap(), Some(vec![Value::Int(5)]));

                // An application error, with its payload.
                p.send(&[invocation(2, 5, Dict::new(), vec![])]).await;
                let (request, error, args) = invocation_error(&mut p).await;
                assert_eq!(request, RequestId(2));
                assert_eq!(error, "com.example.oops");
                assert_eq!(args, Some(vec![Value::from("no")]));

                // Progress the caller did not ask for is refused; dropping answers canceled.
                p.send(&[invocation(3, 5, Dict::new(), vec![])]).await;
                let (request, error, _) = invocation_error(&mut p).await;
                assert_eq!((request, error.as_str()), (RequestId(3), errors::CANCELED));

                // INTERRUPT with kill (it may come before the application takes the
                // invocation): the application answers.
                let interrupt = Message::Interrupt {
                    request: RequestId(4),
                    options: dict(&[("mode", "kill".into())]),
                };
                p.send(&[invocation(4, 5, Dict::new(), vec![]), interrupt])
                    .await;
                let (request, error, _) = invocation_error(&mut p).await;
                assert_eq!((request, error.as_str()), (RequestId(4), errors::CANCELED));

                // An invocation of no registration of this client is refused.
                p.send(&[invocation(5, 999, Dict::new(), vec![])]).await;
                let (request, error, _) = invocation_error(&mut p).await;
                assert_eq!((request, error.as_str()), (RequestId(5), errors::CANCELED));

                // A raw result goes out as it is.
                p.send(&[invocation(6, 5, Dict::new(), vec![])]).await;
                let Message::Yield { payload, .. } = p.recv().await else {
                    panic!("expected YIELD")
                };
                assert_eq!(
                    payload.kwargs().unwrap(),
                    Some(dict(&[("raw", true.into())]))
                );

                let Message::Unregister {
                    request,
                    registration,
                } = p.recv().await
                else {
                    panic!("expected UNREGISTER")
                };
                assert_eq!(registration, RegistrationId(5));
                p.send(&[Message::Unregistered {
                    request,
                    details: None,
                }])
                .await;
            })
            .await;

            let c = within(Client::connect(&url, "realm1", ser)).await.unwrap();
            let prefix = dict(&[("match", "prefix".into())]);
            let mut reg = within(c.register_with("com.example.add.", prefix))
                .await
                .unwrap();
            assert_eq!(reg.id, RegistrationId(5));

            let inv = within(reg.next()).await.unwrap();
            assert_eq!(inv.request(), RequestId(1));
            assert_eq!(inv.registration(), RegistrationId(5));
            assert_eq!(inv.args(), Some(&vec![Value::Int(2), Value::Int(3)]));
            assert_eq!(inv.kwargs(), None);
            assert_eq!(inv.procedure(), Some("com.example.add.two"));
            assert_eq!(inv.caller(), Some(SessionId(7)));
            assert!(inv.receive_progress());
            assert_eq!(inv.timeout(), None);
            assert_eq!(inv.raw().unwrap().codec().name(), ser.name());
            assert_eq!(inv.interrupt(), None);
            within(inv.progress(Some(vec![1i64.into()]), None))
                .await
                .unwrap();
            within(inv.result(Some(vec![5i64.into()]), None))
                .await
                .unwrap();

            let inv = within(reg.next()).await.unwrap();
            within(inv.error("com.example.oops", Some(vec!["no".into()]), None))
                .await
                .unwrap();

            let inv = within(reg.next()).await.unwrap();
            assert!(matches!(
                within(inv.progress(None, None)).await,
                Err(ClientError::CannotAnswer(_))
            ));
            drop(inv);

            let inv = within(reg.next()).await.unwrap();
            assert_eq!(
                within(inv.interrupted()).await,
                Interrupt::Router(CancelMode::Kill)
            );
            assert_eq!(inv.interrupt(), Some(Interrupt::Router(CancelMode::Kill)));
            within(inv.error(errors::CANCELED, None, None))
                .await
                .unwrap();

            let inv = within(reg.next()).await.unwrap();
            let codec = inv.raw().map(RawPayload::codec).unwrap();
            let mut kwargs = Dict::new();
            kwargs.insert("raw".into(), true.into());
            let raw = RawPayload::encode(codec, None, Some(&kwargs)).unwrap();
            within(inv.result_payload(raw.into())).await.unwrap();

            within(c.unregister(reg)).await.unwrap();
            within(router).await;
        }
    });
}

#[test]
fn a_full_queue_refuses_further_invocations_at_once() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            let n = INVOCATION_QUEUE as u64 + 1;
            let burst = (1..=n)
                .map(|i| invocation(i, 5, Dict::new(), vec![]))
                .collect();
            registered(&mut p, "com.example.busy", 5, burst).await;
            let (request, error, args) = invocation_error(&mut p).await;
            assert_eq!(request, RequestId(n));
            assert_eq!(error, errors::TOO_MANY_CALLS);
            assert_eq!(
                args,
                Some(vec!["the callee's queue of invocations is full".into()])
            );
            // The client still reads: the next invocation is refused the same way.
            p.send(&[invocation(n + 1, 5, Dict::new(), vec![])]).await;
            let (request, error, _) = invocation_error(&mut p).await;
            assert_eq!(
                (request, error.as_str()),
                (RequestId(n + 1), errors::TOO_MANY_CALLS)
            );
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::MsgPack))
            .await
            .unwrap();
        let reg = within(c.register("com.example.busy")).await.unwrap();
        within(router).await;
        assert_eq!(reg.queued(), INVOCATION_QUEUE);
    });
}

#[test]
fn the_client_keeps_a_forwarded_timeout_and_answers_it() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            let details = dict(&[
                ("timeout", Value::from(150u64)),
                ("receive_progress", true.into()),
            ]);
            let first = invocation(1, 5, details, vec![]);
            let options = registered(&mut p, "com.example.slow", 5, vec![first]).await;
            assert_eq!(options["forward_timeout"], Value::Bool(true));
            let Message::Yield { options, .. } = p.recv().await else {
                panic!("expected a progressive YIELD")
            };
            assert_eq!(options["progress"], Value::Bool(true));
            let (request, error, _) = invocation_error(&mut p).await;
            assert_eq!((request, error.as_str()), (RequestId(1), errors::TIMEOUT));
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Cbor))
            .await
            .unwrap();
        let options = dict(&[("forward_timeout", true.into())]);
        let mut reg = within(c.register_with("com.example.slow", options))
            .await
            .unwrap();
        let inv = within(reg.next()).await.unwrap();
        assert_eq!(inv.timeout(), Some(std::time::Duration::from_millis(150)));
        let started = std::time::Instant::now();
        within(inv.progress(None, None)).await.unwrap();
        assert_eq!(within(inv.interrupted()).await, Interrupt::Timeout);
        assert!(started.elapsed() >= std::time::Duration::from_millis(140));
        assert!(matches!(
            within(inv.result(None, None)).await,
            Err(ClientError::CannotAnswer(_))
        ));
        within(router).await;
    });
}

#[test]
fn revoked_and_dropped_registrations_end() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            let revoke = Message::Unregistered {
                request: RequestId(0),
                details: Some(dict(&[
                    ("registration", Value::from(5u64)),
                    ("reason", "moving".into()),
                ])),
            };
            registered(&mut p, "com.example.a", 5, vec![revoke]).await;
            p.send(&[invocation(1, 5, Dict::new(), vec![])]).await;
            // The ERROR and the next REGISTER race (the application registers as soon as it sees
            // the revocation): take them in either order.
            let mut canceled = None;
            let mut register = None;
            for _ in 0..2 {
                match p.recv().await {
                    Message::Error {
                        request_type,
                        request,
                        error,
                        ..
                    } => {
                        assert_eq!(request_type, code::INVOCATION);
                        canceled = Some((request, error.to_string()));
                    }
                    Message::Register {
                        request, procedure, ..
                    } => register = Some((request, procedure)),
                    other => panic!("expected ERROR or REGISTER, got {other:?}"),
                }
            }
            let (request, error) = canceled.expect("ERROR for the revoked registration");
            assert_eq!((request, error.as_str()), (RequestId(1), errors::CANCELED));
            let (request, procedure) = register.expect("REGISTER com.example.b");
            assert_eq!(procedure.as_str(), "com.example.b");
            p.send(&[Message::Registered {
                request,
                registration: RegistrationId(6),
            }])
            .await;
            // Dropping the registration unregisters, without waiting for the answer.
            let Message::Unregister { registration, .. } = p.recv().await else {
                panic!("expected UNREGISTER")
            };
            assert_eq!(registration, RegistrationId(6));
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        let mut a = within(c.register("com.example.a")).await.unwrap();
        assert!(within(a.next()).await.is_none(), "revoked");
        let b = within(c.register("com.example.b")).await.unwrap();
        drop(b);
        within(router).await;
    });
}

#[test]
fn the_end_of_the_session_ends_registrations_and_interrupts_invocations() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            let first = invocation(1, 5, Dict::new(), vec![]);
            registered(&mut p, "com.example.a", 5, vec![first]).await;
            // Wait for the client to say it has the invocation, then drop the connection.
            let Message::Publish { .. } = p.recv().await else {
                panic!("expected PUBLISH")
            };
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        let mut reg = within(c.register("com.example.a")).await.unwrap();
        let inv = within(reg.next()).await.unwrap();
        within(c.publish("com.example.ready", None, None))
            .await
            .unwrap();
        assert_eq!(within(inv.interrupted()).await, Interrupt::SessionEnded);
        assert!(within(reg.next()).await.is_none());
        assert!(matches!(
            within(inv.result(None, None)).await,
            Err(ClientError::Closed)
        ));
        within(router).await;
    });
}
