//! What the meta API tells about a session, a subscription and a registration.

use crossway_protocol::{Dict, Uri, Value};

use crate::cluster::RemoteSession;
use crate::dealer::Registration;
use crate::identity::Identity;
use crate::member::Member;
use crate::subscription::Subscription;
use crate::timestamp::utc_timestamp;

/// The details of a session of another node of the cluster, as `wamp.session.get` gives them:
/// those of [`session`] but `transport`, which that node alone knows.
pub(crate) fn remote_session(session: &RemoteSession, realm: &Uri) -> Dict {
    who(session.id.0, &session.identity, realm)
}

/// A session's details, as `wamp.session.get` and `wamp.session.on_join` give them: `session`,
/// `realm`, `authid`, `authrole`, `authmethod`, `authprovider` and `transport` (`type`,
/// `serializer`, `peer` as `tcp4:203.0.113.7:51234`, `proxy` when a trusted proxy named the
/// client, `is_secure`, `endpoint`).
pub(crate) fn session(member: &Member, realm: &Uri) -> Dict {
    let info = member.transport();
    let mut transport = Dict::from([
        ("type".to_owned(), Value::from(info.transport.as_str())),
        ("serializer".to_owned(), Value::from(member.codec().name())),
        ("peer".to_owned(), Value::from(info.peer.wamp_peer())),
        ("is_secure".to_owned(), Value::Bool(info.tls)),
        ("endpoint".to_owned(), Value::from(info.endpoint.as_str())),
    ]);
    if let Some(proxy) = &info.proxy {
        transport.insert("proxy".to_owned(), Value::from(proxy.wamp_peer()));
    }
    let mut details = who(member.id().0, member.identity(), realm);
    details.insert("transport".to_owned(), Value::Map(transport));
    details
}

/// `session`, `realm` and the identity's four keys.
fn who(id: u64, identity: &Identity, realm: &Uri) -> Dict {
    Dict::from([
        ("session".to_owned(), Value::from(id)),
        ("realm".to_owned(), Value::from(realm.as_str())),
        ("authid".to_owned(), Value::from(identity.authid.as_str())),
        (
            "authrole".to_owned(),
            Value::from(identity.authrole.as_str()),
        ),
        (
            "authmethod".to_owned(),
            Value::from(identity.authmethod.as_str()),
        ),
        (
            "authprovider".to_owned(),
            Value::from(identity.authprovider.as_str()),
        ),
    ])
}

/// A subscription's details: `id`, `created`, `uri`, `match`.
pub(crate) fn subscription(sub: &Subscription) -> Dict {
    Dict::from([
        ("id".to_owned(), Value::from(sub.id().0)),
        (
            "created".to_owned(),
            Value::from(utc_timestamp(sub.created())),
        ),
        ("uri".to_owned(), Value::from(sub.topic().as_str())),
        ("match".to_owned(), Value::from(sub.policy().name())),
    ])
}

/// A registration's details: `id`, `created`, `uri`, `match`, `invoke`.
pub(crate) fn registration(reg: &Registration) -> Dict {
    Dict::from([
        ("id".to_owned(), Value::from(reg.id().0)),
        (
            "created".to_owned(),
            Value::from(utc_timestamp(reg.created())),
        ),
        ("uri".to_owned(), Value::from(reg.procedure().as_str())),
        ("match".to_owned(), Value::from(reg.policy().name())),
        ("invoke".to_owned(), Value::from(reg.invoke().name())),
    ])
}
