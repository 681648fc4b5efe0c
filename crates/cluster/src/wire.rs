//! What crosses NATS between nodes, and its encoding: publications and call messages in flat
//! binary forms of their own (`publication`, `call`: the hot paths, no value tree), the rest
//! (heartbeats, state, retained events) as one MessagePack array per NATS message, its first
//! element the kind. Payloads travel as the publisher or caller encoded them (the
//! serializer's name and the bytes of `Arguments|list` and `ArgumentsKw|dict`), so that a
//! subscriber or callee with the same serializer gets them byte for byte.
//!
//! Everything read from NATS is checked: a message that does not decode, or has the wrong shape,
//! is an error (counted and logged by the caller), never a panic.

use std::sync::Arc;

use crossway_protocol::{
    Codec, Dict, List, Message, Payload, PublicationId, RawPayload, SessionId, SubscriptionId, Uri,
    Value,
};
use crossway_routing::cluster::{
    CrossPublication, RemoteRegistration, RemoteSession, RemoteSubscription, RetainedEvent,
    StateChange,
};
use crossway_routing::{Identity, MatchPolicy};

const HEARTBEAT: u64 = 2;
const CHANGES: u64 = 3;
const SNAPSHOT: u64 = 4;
const BYE: u64 = 5;
const RETAINED: u64 = 6;

/// A message between nodes, decoded.
#[derive(Debug)]
pub(crate) enum Wire {
    /// A publication for the subscribers of another node.
    Publication {
        /// Its realm.
        realm: Uri,
        /// The publication.
        publication: CrossPublication,
        /// Its place among its node's publications.
        order: Order,
    },
    /// A call's message (INVOCATION, INTERRUPT, RESULT, ERROR).
    Call(CallEnvelope),
    /// A node is alive, and has made `seq` changes since it started.
    Heartbeat(NodeSeq),
    /// A node's changes `first ..`.
    Changes {
        /// Who, and the number of its first change here.
        from: NodeSeq,
        /// The changes, in order.
        changes: Vec<StateChange>,
    },
    /// A node's whole state, as of change `seq`.
    Snapshot {
        /// Who, and the changes it holds.
        from: NodeSeq,
        /// Its sessions, subscriptions and registrations, as changes that make them.
        state: Vec<StateChange>,
    },
    /// A node's retained events, by realm, for a node that starts.
    Retained(Vec<(Uri, RetainedEvent)>),
    /// A node stops.
    Bye {
        /// Its name.
        node: String,
        /// Which run of it.
        incarnation: u64,
    },
}

/// A node, one run of it (a random number drawn at its start), and a change count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeSeq {
    /// The node's name.
    pub(crate) node: String,
    /// Which run of it.
    pub(crate) incarnation: u64,
    /// A change number.
    pub(crate) seq: u64,
}

/// A call's message and where it goes.
#[derive(Debug)]
pub(crate) struct CallEnvelope {
    /// The node it comes from.
    pub(crate) from: Arc<str>,
    /// The realm.
    pub(crate) realm: Uri,
    /// The callee's session id.
    pub(crate) callee: SessionId,
    /// The callee's registration, for the INVOCATION that starts a call.
    pub(crate) registration: Option<(Uri, MatchPolicy)>,
    /// INVOCATION, INTERRUPT, RESULT or ERROR.
    pub(crate) message: Message,
}

/// Why bytes from NATS are not a message between nodes.
#[derive(Debug, thiserror::Error)]
#[error("not a Crossway cluster message: {0}")]
pub(crate) struct WireError(String);

/// Encodes `wire`: a publication in its own flat form (`publication`), the rest as MessagePack.
pub(crate) fn encode(wire: &Wire) -> Result<Vec<u8>, WireError> {
    let list = match wire {
        Wire::Publication {
            realm,
            publication,
            order,
        } => {
            return publication::encode(realm, publication, *order);
        }
        Wire::Call(envelope) => return call::encode(envelope),
        Wire::Heartbeat(at) => vec![u(HEARTBEAT), s(&at.node), u(at.incarnation), u(at.seq)],
        Wire::Changes { from, changes } => vec![
            u(CHANGES),
            s(&from.node),
            u(from.incarnation),
            u(from.seq),
            Value::List(changes.iter().map(change_list).collect()),
        ],
        Wire::Snapshot { from, state } => vec![
            u(SNAPSHOT),
            s(&from.node),
            u(from.incarnation),
            u(from.seq),
            Value::List(state.iter().map(change_list).collect()),
        ],
        Wire::Bye { node, incarnation } => vec![u(BYE), s(node), u(*incarnation)],
        Wire::Retained(events) => vec![
            u(RETAINED),
            Value::List(
                events
                    .iter()
                    .map(|(realm, e)| {
                        let mut l = vec![
                            s(realm.as_str()),
                            u(e.id.0),
                            s(e.topic.as_str()),
                            Value::Map(e.details.clone()),
                            Value::Map(e.options.clone()),
                        ];
                        push_payload(&mut l, &e.payload);
                        Value::List(l)
                    })
                    .collect(),
            ),
        ],
    };
    Codec::MsgPack
        .encode_value(&Value::List(list))
        .map_err(|e| WireError(e.to_string()))
}

/// Decodes a message between nodes.
pub(crate) fn decode(bytes: &[u8]) -> Result<Wire, WireError> {
    if let Some((&publication::MARK, rest)) = bytes.split_first() {
        let (realm, publication, order) = publication::decode(rest)?;
        return Ok(Wire::Publication {
            realm,
            publication,
            order,
        });
    }
    if let Some((&call::MARK, rest)) = bytes.split_first() {
        return call::decode(rest).map(Wire::Call);
    }
    let value = Codec::MsgPack
        .decode_value(bytes)
        .map_err(|e| WireError(e.to_string()))?;
    let Value::List(list) = value else {
        return Err(bad("not an array"));
    };
    let mut r = Reader::new(list);
    let kind = r.u64()?;
    match kind {
        HEARTBEAT => Ok(Wire::Heartbeat(node_seq(&mut r)?)),
        CHANGES | SNAPSHOT => {
            let from = node_seq(&mut r)?;
            let changes = r
                .list()?
                .into_iter()
                .map(|v| match v {
                    Value::List(l) => change(&mut Reader::new(l)),
                    _ => Err(bad("change")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if kind == CHANGES {
                Wire::Changes { from, changes }
            } else {
                Wire::Snapshot {
                    from,
                    state: changes,
                }
            })
        }
        RETAINED => {
            let events = r
                .list()?
                .into_iter()
                .map(|v| {
                    let Value::List(l) = v else {
                        return Err(bad("retained event"));
                    };
                    let mut e = Reader::new(l);
                    let realm = e.uri()?;
                    let event = RetainedEvent {
                        id: PublicationId(e.u64()?),
                        topic: e.uri()?,
                        details: e.map()?,
                        options: e.map()?,
                        payload: e.payload()?,
                    };
                    Ok((realm, event))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Wire::Retained(events))
        }
        BYE => Ok(Wire::Bye {
            node: r.string()?,
            incarnation: r.u64()?,
        }),
        other => Err(WireError(format!("unknown kind {other}"))),
    }
}

fn change_list(c: &StateChange) -> Value {
    let list = match c {
        StateChange::Joined { realm, session } => {
            vec![
                u(0),
                s(realm.as_str()),
                u(session.id.0),
                identity_list(&session.identity),
            ]
        }
        StateChange::Left { realm, session } => vec![u(1), s(realm.as_str()), u(session.0)],
        StateChange::Subscribed {
            realm,
            subscription,
        } => subscription_list(2, realm, subscription),
        StateChange::Unsubscribed {
            realm,
            subscription,
        } => subscription_list(3, realm, subscription),
        StateChange::Registered {
            realm,
            registration: r,
        } => vec![
            u(4),
            s(realm.as_str()),
            u(r.session.0),
            identity_list(&r.identity),
            u(u64::from(r.features)),
            s(r.procedure.as_str()),
            Value::Map(r.options.clone()),
        ],
        StateChange::Unregistered {
            realm,
            session,
            procedure,
            policy,
        } => vec![
            u(5),
            s(realm.as_str()),
            u(session.0),
            s(procedure.as_str()),
            u(policy_code(*policy)),
        ],
    };
    Value::List(list)
}

fn subscription_list(kind: u64, realm: &Uri, sub: &RemoteSubscription) -> List {
    vec![
        u(kind),
        s(realm.as_str()),
        u(sub.session.0),
        s(sub.topic.as_str()),
        u(policy_code(sub.policy)),
        u(sub.id.0),
    ]
}

fn change(r: &mut Reader) -> Result<StateChange, WireError> {
    let kind = r.u64()?;
    let realm = r.uri()?;
    let session = SessionId(r.u64()?);
    Ok(match kind {
        0 => StateChange::Joined {
            realm,
            session: RemoteSession {
                id: session,
                identity: identity(&mut Reader::new(r.list()?))?,
            },
        },
        1 => StateChange::Left { realm, session },
        2 | 3 => {
            let subscription = RemoteSubscription {
                session,
                topic: r.uri()?,
                policy: policy(r.u64()?)?,
                id: SubscriptionId(r.u64()?),
            };
            if kind == 2 {
                StateChange::Subscribed {
                    realm,
                    subscription,
                }
            } else {
                StateChange::Unsubscribed {
                    realm,
                    subscription,
                }
            }
        }
        4 => StateChange::Registered {
            realm,
            registration: RemoteRegistration {
                session,
                identity: identity(&mut Reader::new(r.list()?))?,
                features: u16::try_from(r.u64()?).map_err(|_| bad("features"))?,
                procedure: r.uri()?,
                options: r.map()?,
            },
        },
        5 => StateChange::Unregistered {
            realm,
            session,
            procedure: r.uri()?,
            policy: policy(r.u64()?)?,
        },
        _ => return Err(bad("change kind")),
    })
}

fn identity_list(i: &Identity) -> Value {
    Value::List(vec![
        s(&i.authid),
        s(&i.authrole),
        s(&i.authmethod),
        s(&i.authprovider),
    ])
}

fn identity(r: &mut Reader) -> Result<Identity, WireError> {
    Ok(Identity {
        authid: r.string()?,
        authrole: r.string()?,
        authmethod: r.string()?,
        authprovider: r.string()?,
    })
}

fn node_seq(r: &mut Reader) -> Result<NodeSeq, WireError> {
    Ok(NodeSeq {
        node: r.string()?,
        incarnation: r.u64()?,
        seq: r.u64()?,
    })
}

fn push_payload(list: &mut List, payload: &Payload) {
    match flat::raw(payload).ok().flatten() {
        Some(raw) => {
            list.push(s(raw.codec().name()));
            list.push(
                raw.args_bytes()
                    .map_or(Value::Null, |b| Value::Bytes(b.to_vec())),
            );
            list.push(
                raw.kwargs_bytes()
                    .map_or(Value::Null, |b| Value::Bytes(b.to_vec())),
            );
        }
        None => list.extend([Value::Null, Value::Null, Value::Null]),
    }
}

fn policy_code(policy: MatchPolicy) -> u64 {
    MatchPolicy::ALL
        .iter()
        .position(|p| *p == policy)
        .map_or(0, |i| i as u64)
}

fn policy(code: u64) -> Result<MatchPolicy, WireError> {
    usize::try_from(code)
        .ok()
        .and_then(|i| MatchPolicy::ALL.get(i).copied())
        .ok_or_else(|| bad("match policy"))
}

fn u(n: u64) -> Value {
    Value::from_u64(n)
}

fn s(text: &str) -> Value {
    Value::Str(text.to_owned())
}

fn bad(what: &str) -> WireError {
    WireError(format!("bad or missing {what}"))
}

/// Reads a decoded array element by element.
struct Reader {
    items: std::vec::IntoIter<Value>,
}

impl Reader {
    fn new(list: List) -> Reader {
        Reader {
            items: list.into_iter(),
        }
    }

    fn next(&mut self) -> Result<Value, WireError> {
        self.items.next().ok_or_else(|| bad("element"))
    }

    fn u64(&mut self) -> Result<u64, WireError> {
        self.next()?.as_u64().ok_or_else(|| bad("number"))
    }

    fn string(&mut self) -> Result<String, WireError> {
        match self.next()? {
            Value::Str(s) => Ok(s),
            _ => Err(bad("string")),
        }
    }

    fn uri(&mut self) -> Result<Uri, WireError> {
        self.string().map(Uri::from)
    }

    fn map(&mut self) -> Result<Dict, WireError> {
        match self.next()? {
            Value::Map(m) => Ok(m),
            _ => Err(bad("map")),
        }
    }

    fn list(&mut self) -> Result<List, WireError> {
        match self.next()? {
            Value::List(l) => Ok(l),
            _ => Err(bad("list")),
        }
    }

    fn bytes(&mut self) -> Result<Option<Vec<u8>>, WireError> {
        match self.next()? {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b)),
            _ => Err(bad("bytes")),
        }
    }

    /// A payload as [`push_payload`] wrote it: checked as a decoder checks message elements.
    fn payload(&mut self) -> Result<Payload, WireError> {
        let codec = match self.next()? {
            Value::Null => None,
            Value::Str(name) => Some(Codec::from_name(&name).ok_or_else(|| bad("serializer"))?),
            _ => return Err(bad("serializer")),
        };
        let (args, kwargs) = (self.bytes()?, self.bytes()?);
        match codec {
            None => Ok(Payload::new(None, None)),
            Some(codec) => RawPayload::new(codec, args.as_deref(), kwargs.as_deref())
                .map(Payload::Raw)
                .map_err(|e| WireError(format!("payload: {e}"))),
        }
    }
}

mod call;
mod flat;
mod publication;

pub(crate) use publication::Order;

#[cfg(test)]
mod tests;
