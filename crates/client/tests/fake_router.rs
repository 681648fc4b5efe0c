//! The client against a scripted fake router over real sockets on 127.0.0.1: no routing, just
//! the messages a router would send.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crossway_client::{Client, ClientError};
use crossway_protocol::{
    Dict, Message, Payload, PublicationId, RequestId, SessionId, SubscriptionId, Uri, Value, errors,
};
use crossway_transport::rt::{self, block_on};
use crossway_transport::{ListenAddr, Listener, Serializer, WsServerConfig, accept_websocket};

mod common;

use common::{fake_router, within};

#[test]
fn a_whole_session_against_a_scripted_router() {
    block_on(async {
        for ser in Serializer::ALL {
            let (url, router) = fake_router(|mut p| async move {
                let hello = p.welcome().await;
                let roles = hello["roles"].as_map().unwrap();
                assert!(roles.contains_key("publisher") && roles.contains_key("subscriber"));

                // SUBSCRIBED and the first EVENT in one write: the event must not be lost.
                let Message::Subscribe { request, topic, .. } = p.recv().await else {
                    panic!("expected SUBSCRIBE")
                };
                assert_eq!(topic.as_str(), "com.topic");
                p.send(&[
                    Message::Subscribed {
                        request,
                        subscription: SubscriptionId(5),
                    },
                    Message::Event {
                        subscription: SubscriptionId(5),
                        publication: PublicationId(77),
                        details: Dict::new(),
                        payload: Payload::new(Some(vec![Value::Bytes(vec![0, 255])]), None),
                    },
                ])
                .await;

                let Message::Publish {
                    request, options, ..
                } = p.recv().await
                else {
                    panic!("expected PUBLISH")
                };
                assert_eq!(options["acknowledge"], Value::Bool(true));
                p.send(&[Message::Published {
                    request,
                    publication: PublicationId(99),
                }])
                .await;

                let Message::Publish { request, .. } = p.recv().await else {
                    panic!("expected PUBLISH")
                };
                p.send(&[Message::Error {
                    request_type: 16,
                    request,
                    details: Dict::new(),
                    error: Uri::new(errors::INVALID_URI),
                    payload: Payload::EMPTY,
                }])
                .await;

                let Message::Publish {
                    options, payload, ..
                } = p.recv().await
                else {
                    panic!("expected PUBLISH")
                };
                assert!(options.is_empty());
                assert_eq!(payload.args().unwrap(), Some(vec![Value::Int(1)]));

                let Message::Unsubscribe {
                    request,
                    subscription,
                } = p.recv().await
                else {
                    panic!("expected UNSUBSCRIBE")
                };
                assert_eq!(subscription, SubscriptionId(5));
                p.send(&[Message::Unsubscribed {
                    request,
                    details: None,
                }])
                .await;

                let Message::Goodbye { reason, .. } = p.recv().await else {
                    panic!("expected GOODBYE")
                };
                assert_eq!(reason.as_str(), errors::CLOSE_NORMAL);
                p.send(&[Message::goodbye(errors::GOODBYE_AND_OUT)]).await;
                assert_eq!(within(p.conn.reader.recv()).await.unwrap(), None);
            })
            .await;

            let c = within(Client::connect(&url, "realm1", ser)).await.unwrap();
            assert_eq!(c.session_id(), SessionId(42));
            assert_eq!(c.welcome_details()["authrole"], Value::from("anonymous"));
            assert_eq!(c.serializer(), ser);

            let mut sub = within(c.subscribe("com.topic")).await.unwrap();
            assert_eq!(sub.id, SubscriptionId(5));
            let ev = within(sub.next()).await.unwrap();
            assert_eq!(ev.publication, PublicationId(77));
            assert_eq!(ev.args, Some(vec![Value::Bytes(vec![0, 255])]));

            let id = within(c.publish_acknowledged("com.topic", None, None))
                .await
                .unwrap();
            assert_eq!(id, PublicationId(99));
            match within(c.publish_acknowledged("com..bad", None, None)).await {
                Err(ClientError::Wamp { error, .. }) => assert_eq!(error, errors::INVALID_URI),
                other => panic!("{other:?}"),
            }
            within(c.publish("com.topic", Some(vec![Value::Int(1)]), None))
                .await
                .unwrap();
            within(c.unsubscribe(sub)).await.unwrap();
            within(c.leave()).await.unwrap();
            within(router).await;
        }
    });
}

#[test]
fn abort_is_an_error_with_reason_and_message() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            let Message::Hello { .. } = p.recv().await else {
                panic!("expected HELLO")
            };
            p.send(&[Message::abort(errors::NO_SUCH_REALM, "no realm here")])
                .await;
        })
        .await;
        match within(Client::connect(&url, "realm1", Serializer::Cbor)).await {
            Err(ClientError::Aborted { reason, message }) => {
                assert_eq!(reason, errors::NO_SUCH_REALM);
                assert_eq!(message.as_deref(), Some("no realm here"));
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
        within(router).await;
    });
}

#[test]
fn the_routers_goodbye_is_answered_and_observable() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            let Message::Subscribe { request, .. } = p.recv().await else {
                panic!("expected SUBSCRIBE")
            };
            p.send(&[Message::Subscribed {
                request,
                subscription: SubscriptionId(1),
            }])
            .await;
            p.send(&[Message::goodbye(errors::SYSTEM_SHUTDOWN)]).await;
            let Message::Goodbye { reason, .. } = p.recv().await else {
                panic!("expected GOODBYE")
            };
            assert_eq!(reason.as_str(), errors::GOODBYE_AND_OUT);
            assert_eq!(within(p.conn.reader.recv()).await.unwrap(), None);
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::MsgPack))
            .await
            .unwrap();
        let mut sub = within(c.subscribe("com.topic")).await.unwrap();
        let info = within(c.closed()).await.expect("a GOODBYE");
        assert_eq!(info.reason, errors::SYSTEM_SHUTDOWN);
        assert!(!info.aborted);
        assert!(c.is_closed());
        assert_eq!(within(sub.next()).await, None);
        assert!(matches!(
            within(c.publish_acknowledged("com.topic", None, None)).await,
            Err(ClientError::Closed)
        ));
        within(router).await;
    });
}

#[test]
fn a_lost_connection_fails_waiting_requests() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            let Message::Publish { .. } = p.recv().await else {
                panic!("expected PUBLISH")
            };
            // Drop the connection without answering.
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        let r = within(c.publish_acknowledged("com.topic", None, None)).await;
        assert!(matches!(r, Err(ClientError::Closed)), "{r:?}");
        assert_eq!(within(c.closed()).await, None);
        within(router).await;
    });
}

#[test]
fn request_ids_are_sequential() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            for expected in 1..=3u64 {
                let Message::Publish { request, .. } = p.recv().await else {
                    panic!("expected PUBLISH")
                };
                assert_eq!(request, RequestId(expected));
            }
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        for _ in 0..3 {
            within(c.publish("com.topic", None, None)).await.unwrap();
        }
        within(router).await;
    });
}

#[test]
fn unusable_urls_and_refused_upgrades() {
    block_on(async {
        let r = Client::connect("http://127.0.0.1:1/ws", "realm1", Serializer::Json).await;
        assert!(matches!(r, Err(ClientError::InvalidUrl { .. })));
        // wss:// needs TLS settings (tests/wss.rs).
        let r = Client::connect("wss://127.0.0.1:1/ws", "realm1", Serializer::Json).await;
        assert!(matches!(r, Err(ClientError::TlsSettings(_))));

        let listener = Listener::bind(&"127.0.0.1:0".parse::<ListenAddr>().unwrap())
            .await
            .unwrap();
        let url = format!("ws://{}/nope", listener.local_addr().unwrap());
        let server = rt::spawn(async move {
            let (io, _) = listener.accept().await;
            let cfg = WsServerConfig {
                path: "/ws".into(),
                serializers: Serializer::ALL.to_vec(),
                max_message_size: 1 << 20,
            };
            accept_websocket(io, &cfg).await.is_err()
        });
        match within(Client::connect(&url, "realm1", Serializer::Json)).await {
            Err(ClientError::Handshake(crossway_transport::HandshakeError::Http {
                status,
                ..
            })) => assert_eq!(status, 404),
            other => panic!("{:?}", other.map(|_| ())),
        }
        assert!(within(server).await);
    });
}
