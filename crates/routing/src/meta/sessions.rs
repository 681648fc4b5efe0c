//! The session meta procedures: counting, listing, describing and killing the sessions of the
//! caller's realm.
//!
//! `kill` ends another session with GOODBYE (`wamp.close.killed`, or the `reason` given, and
//! `message` in its details): the GOODBYE is that session's last frame, and its connection closes
//! once it is written, whether or not the client answers. A session may not kill itself this
//! way (`wamp.error.no_such_session`, as the specification says); the `kill_by_*` procedures
//! leave the caller out.

use crossway_protocol::{SessionId, Value};

use super::{
    Answer, MetaCall, details, id_arg, kwarg_str, nothing, one, reason_kwarg, str_arg, strings_arg,
};
use crate::cluster::RemoteSession;
use crate::error::RequestError;
use crate::member::Member;

const PROCEDURES: [&str; 7] = [
    "wamp.session.count",
    "wamp.session.list",
    "wamp.session.get",
    "wamp.session.kill",
    "wamp.session.kill_by_authid",
    "wamp.session.kill_by_authrole",
    "wamp.session.kill_all",
];

/// Whether `procedure` is one of these.
pub(super) fn answers(procedure: &str) -> bool {
    PROCEDURES.contains(&procedure)
}

/// Answers one of these.
pub(super) fn answer(procedure: &str, call: MetaCall<'_>) -> Answer {
    match procedure {
        "wamp.session.count" => {
            let roles = strings_arg(&call, 0, "filter_authroles")?;
            let count =
                filtered(&call, roles.as_deref()).count() + remote(&call, roles.as_deref()).count();
            one(Value::from(count as u64))
        }
        "wamp.session.list" => {
            let roles = strings_arg(&call, 0, "filter_authroles")?;
            let ids = filtered(&call, roles.as_deref())
                .map(|m| Value::from(m.id().0))
                .chain(remote(&call, roles.as_deref()).map(|s| Value::from(s.id.0)))
                .collect();
            one(Value::List(ids))
        }
        "wamp.session.get" => {
            let id = SessionId(id_arg(&call, 0, "session")?);
            if let Some(member) = call.realm.member(id) {
                return one(Value::Map(details::session(&member, call.realm.name())));
            }
            let session = remote(&call, None)
                .find(|s| s.id == id)
                .ok_or(RequestError::NoSuchSession(id))?;
            one(Value::Map(details::remote_session(
                &session,
                call.realm.name(),
            )))
        }
        "wamp.session.kill" => {
            let id = SessionId(id_arg(&call, 0, "session")?);
            let (reason, message) = (reason_kwarg(&call)?, kwarg_str(&call, "message")?);
            let target = call
                .realm
                .member(id)
                .filter(|m| m.id() != call.member.id())
                .ok_or(RequestError::NoSuchSession(id))?;
            kill(&call, &target, reason.as_str(), message);
            nothing()
        }
        "wamp.session.kill_by_authid" => {
            let authid = str_arg(&call, 0, "authid")?.to_owned();
            let killed = kill_where(&call, |m| m.identity().authid == authid)?;
            one(Value::List(
                killed.iter().map(|id| Value::from(id.0)).collect(),
            ))
        }
        "wamp.session.kill_by_authrole" => {
            let authrole = str_arg(&call, 0, "authrole")?.to_owned();
            let killed = kill_where(&call, |m| m.identity().authrole == authrole)?;
            one(Value::from(killed.len() as u64))
        }
        _ => {
            let killed = kill_where(&call, |_| true)?;
            one(Value::from(killed.len() as u64))
        }
    }
}

/// The realm's sessions, with an authrole from `roles` if given.
fn filtered<'a>(
    call: &MetaCall<'_>,
    roles: Option<&'a [String]>,
) -> impl Iterator<Item = std::sync::Arc<Member>> + 'a {
    call.realm.members().into_iter().filter(move |m| {
        roles.is_none_or(|roles| roles.iter().any(|r| *r == m.identity().authrole))
    })
}

/// The sessions of the other nodes of a cluster, with a role among `roles` if given.
fn remote<'a>(
    call: &MetaCall<'_>,
    roles: Option<&'a [String]>,
) -> impl Iterator<Item = RemoteSession> + 'a {
    let sessions = call
        .realm
        .cluster()
        .map(|link| link.remote_sessions(call.realm.name()))
        .unwrap_or_default();
    sessions
        .into_iter()
        .filter(move |s| roles.is_none_or(|roles| roles.contains(&s.identity.authrole)))
}

/// Kills every session but the caller's that `which` picks; returns their ids.
fn kill_where(
    call: &MetaCall<'_>,
    which: impl Fn(&Member) -> bool,
) -> Result<Vec<SessionId>, RequestError> {
    let (reason, message) = (reason_kwarg(call)?, kwarg_str(call, "message")?);
    let mut killed = Vec::new();
    for member in call.realm.members() {
        if member.id() != call.member.id() && which(&member) {
            kill(call, &member, reason.as_str(), message);
            killed.push(member.id());
        }
    }
    Ok(killed)
}

fn kill(call: &MetaCall<'_>, target: &Member, reason: &str, message: Option<&str>) {
    let killed = target.kill(reason, message);
    tracing::info!(session = %target.id(), by = %call.member.id(), %reason, killed,
        "session killed through the meta API");
}
