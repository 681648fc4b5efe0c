use super::*;
use crossway_protocol::Dict;
use crossway_routing::Identity;

fn at(node: &str, incarnation: u64, seq: u64) -> NodeSeq {
    NodeSeq {
        node: node.into(),
        incarnation,
        seq,
    }
}

fn registered(session: u64) -> StateChange {
    StateChange::Registered {
        realm: Uri::new("r"),
        registration: RemoteRegistration {
            session: SessionId(session),
            identity: Identity::anonymous(),
            features: 0,
            procedure: Uri::new("com.p"),
            options: Dict::new(),
        },
    }
}

fn joined(session: u64) -> StateChange {
    StateChange::Joined {
        realm: Uri::new("r"),
        session: RemoteSession {
            id: SessionId(session),
            identity: Identity::anonymous(),
        },
    }
}

#[test]
fn a_new_node_is_asked_for_its_state_and_changes_wait_for_it() {
    let mut peers = Peers::default();
    let now = Instant::now();
    let out = peers.heartbeat(&at("b", 1, 2), now);
    assert_eq!(out.sync.as_deref(), Some("b"));
    // Change 3 comes before the state (as of change 2): it waits, then applies.
    let out = peers.changes(&at("b", 1, 3), vec![registered(7)], now);
    assert!(out.effects.is_empty() && out.sync.is_none());
    let out = peers.snapshot(&at("b", 1, 2), &[joined(7)], now);
    assert!(
        matches!(&out.effects[..], [Effect::Registered(n, _, r)] if n == "b" && r.session == SessionId(7))
    );
    assert_eq!(peers.sessions(&Uri::new("r")).len(), 1);
}

#[test]
fn a_gap_in_the_numbers_asks_for_the_state_again() {
    let mut peers = Peers::default();
    let now = Instant::now();
    peers.heartbeat(&at("b", 1, 0), now);
    peers.snapshot(&at("b", 1, 0), &[], now);
    let out = peers.changes(&at("b", 1, 1), vec![joined(1)], now);
    assert!(out.sync.is_none());
    let out = peers.changes(&at("b", 1, 5), vec![joined(2)], now);
    assert_eq!(out.sync.as_deref(), Some("b"));
    // The state replaces what was known: session 1 is gone, 3 is there, and 2 (change 5,
    // which the state as of change 5 holds) is not applied twice.
    let out = peers.snapshot(&at("b", 1, 5), &[joined(2), joined(3)], now);
    assert_eq!(
        out.effects,
        vec![Effect::SessionLeft(Uri::new("r"), SessionId(1))]
    );
    assert_eq!(peers.sessions(&Uri::new("r")).len(), 2);
}

#[test]
fn a_silent_node_expires_and_a_restarted_one_starts_over() {
    let mut peers = Peers::default();
    let start = Instant::now();
    peers.heartbeat(&at("b", 1, 0), start);
    peers.snapshot(&at("b", 1, 0), &[joined(1)], start);
    let out = peers.heartbeat(&at("b", 2, 0), start);
    assert_eq!(out.effects, vec![Effect::NodeGone("b".into())]);
    assert!(peers.sessions(&Uri::new("r")).is_empty());
    assert!(
        peers
            .expire(start + Duration::from_secs(1), Duration::from_secs(2))
            .is_empty()
    );
    assert_eq!(
        peers.expire(start + Duration::from_secs(3), Duration::from_secs(2)),
        vec!["b".to_owned()]
    );
    assert_eq!(peers.len(), 0);
}

#[test]
fn goodbye_drops_the_node_of_that_run_only() {
    let mut peers = Peers::default();
    let now = Instant::now();
    peers.heartbeat(&at("b", 1, 0), now);
    assert!(peers.bye("b", 2).effects.is_empty());
    assert_eq!(
        peers.bye("b", 1).effects,
        vec![Effect::NodeGone("b".into())]
    );
}
