//! A joined session's remote procedure calls: REGISTER, UNREGISTER and CALL, checked here (URI,
//! permission, options) and routed by the realm's dealer; a CALL of a meta procedure is
//! answered by the router (`crate::meta`) before any registration is looked up.

use std::sync::Arc;

use crossway_protocol::message::code;
use crossway_protocol::{Dict, Message, Payload, RegistrationId, RequestId, Uri, is_passthru};

use super::{Joined, Step, not_authorized, violation};
use crate::dealer::{CallOptions, CallOutcome, NewCall, RegisterOptions};
use crate::error::RequestError;
use crate::meta::{self, MetaCall, events};
use crate::permissions::{Action, Disclose};
use crate::publication::passthru_options;

impl Joined {
    /// REGISTER: a new registration, or a place among the callees of a shared one.
    pub(super) fn register(&mut self, request: RequestId, options: &Dict, procedure: &Uri) -> Step {
        let refuse = |error: RequestError| Step::Reply(error.to_error(code::REGISTER, request));
        let options = match RegisterOptions::parse(options) {
            Ok(options) => options,
            Err(error) => return refuse(error),
        };
        if !options.policy.accepts(procedure, self.realm.rules()) {
            return refuse(RequestError::InvalidUri(procedure.clone()));
        }
        if !self
            .member
            .authorization()
            .allows(Action::Register, procedure.as_str())
        {
            return refuse(not_authorized(Action::Register, procedure));
        }
        match self
            .realm
            .dealer()
            .register(&self.member, procedure, options)
        {
            Ok((registration, created)) => {
                let id = registration.id();
                self.registrations.insert(id, Arc::clone(&registration));
                events::registered(&self.realm, self.member.id(), &registration, created);
                tracing::debug!(session = %self.member.id(), registration = %id, %procedure,
                    policy = options.policy.name(), invoke = options.invoke.name(), "registered");
                Step::Reply(Message::Registered {
                    request,
                    registration: id,
                })
            }
            Err(error) => refuse(error),
        }
    }

    /// UNREGISTER of one of the session's registrations.
    pub(super) fn unregister(&mut self, request: RequestId, registration: RegistrationId) -> Step {
        let Some(held) = self.registrations.remove(&registration) else {
            return Step::Reply(
                RequestError::NoSuchRegistration(registration).to_error(code::UNREGISTER, request),
            );
        };
        if let Some(deleted) = self.realm.dealer().unregister(self.member.id(), &held) {
            events::unregistered(&self.realm, self.member.id(), &held, deleted);
        }
        Step::Reply(Message::Unregistered {
            request,
            details: None,
        })
    }

    /// CALL: routed to a callee, or refused with ERROR.
    pub(super) fn call(
        &mut self,
        request: RequestId,
        options: &Dict,
        procedure: &Uri,
        payload: Payload,
    ) -> Step {
        let refuse = |error: RequestError| Step::Reply(error.to_error(code::CALL, request));
        let passthru = is_passthru(options).then(|| passthru_options(options));
        let options = match CallOptions::parse(options) {
            Ok(options) => options,
            Err(error) => return refuse(error),
        };
        if !procedure.is_valid(self.realm.rules()) {
            return refuse(RequestError::InvalidUri(procedure.clone()));
        }
        let sends = self.member.authorization().sends(
            Action::Call,
            procedure.as_str(),
            options.disclose_me,
        );
        let Some(Disclose(disclose)) = sends else {
            return refuse(not_authorized(Action::Call, procedure));
        };
        if meta::is_meta(procedure.as_str()) {
            return self.meta_call(request, procedure, payload);
        }
        let call = NewCall {
            request,
            options,
            procedure,
            disclose,
            payload,
            passthru,
        };
        match self
            .realm
            .dealer()
            .call(&self.member, &mut self.caller, call)
        {
            CallOutcome::Routed => {
                self.realm.stats().call_routed();
                Step::Nothing
            }
            CallOutcome::Dropped => Step::Nothing,
            CallOutcome::Refused(error) => refuse(error),
            CallOutcome::Violation(why) => Step::Abort(violation(&why)),
        }
    }

    /// A CALL of a meta procedure: answered with RESULT or ERROR by the router.
    fn meta_call(&mut self, request: RequestId, procedure: &Uri, payload: Payload) -> Step {
        let (args, kwargs) = match payload.into_values() {
            Ok(values) => values,
            Err(error) => {
                let error = RequestError::InvalidArgument(format!(
                    "the arguments of {procedure} must be a list and a dict: {error}"
                ));
                return Step::Reply(error.to_error(code::CALL, request));
            }
        };
        let call = MetaCall {
            realm: &self.realm,
            member: &self.member,
            testaments: &mut self.testaments,
            args: args.unwrap_or_default(),
            kwargs: kwargs.unwrap_or_default(),
        };
        match meta::answer(procedure.as_str(), call) {
            Ok(payload) => Step::Reply(Message::Result {
                request,
                details: Dict::new(),
                payload,
            }),
            Err(error) => Step::Reply(error.to_error(code::CALL, request)),
        }
    }
}
