//! A joined session's remote procedure calls: REGISTER, UNREGISTER and CALL, checked here (URI,
//! permission, options) and routed by the realm's dealer.

use std::sync::Arc;

use crossway_protocol::message::code;
use crossway_protocol::{Dict, Message, Payload, RegistrationId, RequestId, Uri};

use super::{Joined, Step, not_authorized, violation};
use crate::dealer::{CallOptions, CallOutcome, NewCall, RegisterOptions};
use crate::error::RequestError;
use crate::permissions::{Action, Disclose};

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
            Ok(registration) => {
                let id = registration.id();
                self.registrations.insert(id, Arc::clone(&registration));
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
        self.realm.dealer().unregister(self.member.id(), &held);
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
        let call = NewCall {
            request,
            options,
            procedure,
            disclose,
            payload,
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
}
