//! A node started from a configuration with an `auth` block and realm roles: the endpoint
//! authenticates with the configured principals, and the realm allows what the role's rules say.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::loads;
use crossway_client::{Client, ClientError, ConnectOptions};
use crossway_node::Node;
use crossway_transport::Serializer;

const CONFIG: &str = "\
limits: { auth_delay: 0 }
realms:
  - name: realm1
    roles:
      - name: user
        permissions:
          - { uri: com.example., match: prefix, allow: [publish, subscribe] }
endpoints:
  - name: app
    transport: websocket
    listen: 127.0.0.1:0
    auth:
      anonymous: { role: guest }
      ticket:
        principals:
          alice: { ticket: \"${ALICE_TICKET}\", role: user }
";

async fn connect(url: &str, opts: ConnectOptions) -> Result<Client, ClientError> {
    async_std::future::timeout(
        Duration::from_secs(10),
        Client::connect_with(url, "realm1", Serializer::Json, opts),
    )
    .await
    .expect("the router answers HELLO")
}

fn aborted(result: Result<Client, ClientError>) -> String {
    match result {
        Err(ClientError::Aborted { reason, .. }) => reason,
        Err(other) => panic!("expected ABORT, got {other:?}"),
        Ok(_) => panic!("expected ABORT, got a session"),
    }
}

#[test]
fn the_configured_principals_and_roles_take_effect() {
    async_std::task::block_on(async {
        let cfg = loads(CONFIG, &[("ALICE_TICKET", "open sesame")]);
        let node = Node::bind(&cfg).await.unwrap();
        let (_, addr) = node.local_addrs()[0].clone();
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let task = async_std::task::spawn(node.run(async move {
            let _ = stopped.recv().await;
        }));
        let url = format!("ws://{addr}/ws");

        let alice = connect(
            &url,
            ConnectOptions::default().with_ticket("alice", "open sesame"),
        )
        .await
        .unwrap();
        assert_eq!(alice.authid(), Some("alice"));
        assert_eq!(alice.authrole(), Some("user"));
        alice
            .publish_acknowledged("com.example.news", None, None)
            .await
            .unwrap();
        match alice
            .publish_acknowledged("org.other.news", None, None)
            .await
        {
            Err(ClientError::Wamp { error, .. }) => assert_eq!(error, "wamp.error.not_authorized"),
            other => panic!("expected not_authorized, got {other:?}"),
        }

        let wrong = connect(
            &url,
            ConnectOptions::default().with_ticket("alice", "guess"),
        )
        .await;
        assert_eq!(aborted(wrong), "wamp.error.authentication_failed");
        let guest = connect(&url, ConnectOptions::default()).await;
        assert_eq!(
            aborted(guest),
            "wamp.error.no_such_role",
            "realm1 has no role guest"
        );

        alice.leave().await.unwrap();
        stop.send(()).await.unwrap();
        task.await;
    });
}
