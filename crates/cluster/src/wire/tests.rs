use super::*;
use crossway_protocol::RequestId;
use crossway_protocol::message::code;

fn identity() -> Identity {
    Identity {
        authid: "alice".into(),
        authrole: "user".into(),
        authmethod: "ticket".into(),
        authprovider: "static".into(),
    }
}

fn round_trip(wire: &Wire) -> Wire {
    decode(&encode(wire).unwrap()).unwrap()
}

#[test]
fn a_publication_crosses_with_its_payload_bytes_unchanged() {
    let json = br#"[1, 2.50, "x"]"#;
    let raw = RawPayload::new(Codec::Json, Some(json), Some(br#"{"k": true}"#)).unwrap();
    let order = Order {
        origin: 77,
        sequence: 5,
    };
    let wire = Wire::Publication {
        order,
        realm: Uri::new("realm1"),
        publication: CrossPublication {
            id: PublicationId(42),
            topic: Uri::new("com.t"),
            publisher: SessionId(7),
            identity: Some(identity()),
            options: Dict::from([("exclude_me".to_owned(), Value::Bool(false))]),
            payload: Payload::Raw(raw.clone()),
            broadcast: true,
        },
    };
    let Wire::Publication {
        realm,
        publication,
        order: back_order,
    } = round_trip(&wire)
    else {
        panic!("not a publication");
    };
    assert_eq!(back_order, order);
    assert_eq!(realm, Uri::new("realm1"));
    assert_eq!(publication.id, PublicationId(42));
    assert_eq!(publication.publisher, SessionId(7));
    assert_eq!(publication.identity, Some(identity()));
    assert!(publication.broadcast);
    let Payload::Raw(back) = publication.payload else {
        panic!("payload not raw");
    };
    assert_eq!(back, raw);
    assert_eq!(back.args_bytes(), Some(&json[..]));
}

#[test]
fn call_messages_cross_with_their_kind_and_fields() {
    let payload = Payload::new(Some(vec![Value::from(1u64)]), None);
    let messages = [
        Message::Invocation {
            request: RequestId(5),
            registration: crossway_protocol::RegistrationId(0),
            details: Dict::from([("receive_progress".to_owned(), Value::Bool(true))]),
            payload: payload.clone(),
        },
        Message::Interrupt {
            request: RequestId(5),
            options: Dict::from([("mode".to_owned(), Value::from("kill"))]),
        },
        Message::Result {
            request: RequestId(5),
            details: Dict::new(),
            payload: payload.clone(),
        },
        Message::Error {
            request_type: code::CALL,
            request: RequestId(5),
            details: Dict::new(),
            error: Uri::new("com.err"),
            payload,
        },
    ];
    for message in messages {
        let envelope = CallEnvelope {
            from: Arc::from("a"),
            realm: Uri::new("realm1"),
            callee: SessionId(9),
            registration: Some((Uri::new("com.p"), MatchPolicy::Prefix)),
            message: message.clone(),
        };
        let bytes = encode(&Wire::Call(envelope)).unwrap();
        for cut in 1..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let Wire::Call(back) = decode(&bytes).unwrap() else {
            panic!("not a call");
        };
        assert_eq!(&*back.from, "a");
        assert_eq!(back.callee, SessionId(9));
        assert_eq!(
            back.registration,
            Some((Uri::new("com.p"), MatchPolicy::Prefix))
        );
        assert_eq!(back.message, message);
    }
}

#[test]
fn state_changes_cross_unchanged() {
    let realm = Uri::new("realm1");
    let changes = vec![
        StateChange::Joined {
            realm: realm.clone(),
            session: RemoteSession {
                id: SessionId(1),
                identity: identity(),
            },
        },
        StateChange::Subscribed {
            realm: realm.clone(),
            subscription: RemoteSubscription {
                id: SubscriptionId(3),
                session: SessionId(1),
                topic: Uri::new("com..x"),
                policy: MatchPolicy::Wildcard,
            },
        },
        StateChange::Registered {
            realm: realm.clone(),
            registration: RemoteRegistration {
                session: SessionId(1),
                identity: identity(),
                features: 0b1011,
                procedure: Uri::new("com.p"),
                options: Dict::from([("invoke".to_owned(), Value::from("roundrobin"))]),
            },
        },
        StateChange::Unregistered {
            realm: realm.clone(),
            session: SessionId(1),
            procedure: Uri::new("com.p"),
            policy: MatchPolicy::Exact,
        },
        StateChange::Left {
            realm,
            session: SessionId(1),
        },
    ];
    let from = NodeSeq {
        node: "b".into(),
        incarnation: 3,
        seq: 10,
    };
    let wire = Wire::Changes {
        from: from.clone(),
        changes: changes.clone(),
    };
    let Wire::Changes {
        from: f,
        changes: c,
    } = round_trip(&wire)
    else {
        panic!("not changes");
    };
    assert_eq!((f, c), (from, changes));
}

#[test]
fn what_is_not_a_cluster_message_is_an_error() {
    for bytes in [
        &b""[..],
        b"\x93\x01\x02",
        b"\xc1",
        b"\x91\x09",
        b"\x92\x02\x01",
    ] {
        assert!(decode(bytes).is_err(), "{bytes:?}");
    }
    // A payload that does not check as its serializer's is refused too, and so is a
    // publication cut short anywhere.
    let raw = RawPayload::new(Codec::Json, Some(b"[1]"), None).unwrap();
    let p = CrossPublication {
        id: PublicationId(1),
        topic: Uri::new("t"),
        publisher: SessionId(0),
        identity: Some(identity()),
        options: Dict::from([("exclude_me".to_owned(), Value::Bool(false))]),
        payload: Payload::Raw(raw),
        broadcast: false,
    };
    let good = encode(&Wire::Publication {
        order: Order {
            origin: 1,
            sequence: 1,
        },
        realm: Uri::new("r"),
        publication: p,
    })
    .unwrap();
    assert!(decode(&good).is_ok());
    for cut in 1..good.len() {
        assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
    }
    let mut bad_payload = good.clone();
    let at = bad_payload.len() - 5;
    bad_payload[at] = b'{';
    assert!(decode(&bad_payload).is_err());
}
