//! The WAMP URIs for errors and close reasons, in one place.

/// `wamp.error.invalid_uri`: a URI that breaks the realm's URI rules.
pub const INVALID_URI: &str = "wamp.error.invalid_uri";
/// `wamp.error.no_such_realm`: HELLO named a realm the router does not serve.
pub const NO_SUCH_REALM: &str = "wamp.error.no_such_realm";
/// `wamp.error.no_such_subscription`: UNSUBSCRIBE of a subscription the session does not hold.
pub const NO_SUCH_SUBSCRIPTION: &str = "wamp.error.no_such_subscription";
/// `wamp.error.no_such_procedure`: CALL of a procedure nobody registered.
pub const NO_SUCH_PROCEDURE: &str = "wamp.error.no_such_procedure";
/// `wamp.error.no_such_registration`: UNREGISTER of a registration the session does not hold.
pub const NO_SUCH_REGISTRATION: &str = "wamp.error.no_such_registration";
/// `wamp.error.protocol_violation`: a message that breaks the protocol.
pub const PROTOCOL_VIOLATION: &str = "wamp.error.protocol_violation";
/// `wamp.error.not_authorized`: the session's role may not do this.
pub const NOT_AUTHORIZED: &str = "wamp.error.not_authorized";
/// `wamp.error.authentication_failed`: the credentials were wrong.
pub const AUTHENTICATION_FAILED: &str = "wamp.error.authentication_failed";
/// `wamp.error.no_such_role`: the session's role does not exist in the realm.
pub const NO_SUCH_ROLE: &str = "wamp.error.no_such_role";
/// `wamp.error.no_auth_method`: no offered authentication method is enabled.
pub const NO_AUTH_METHOD: &str = "wamp.error.no_auth_method";
/// `wamp.error.invalid_argument`: an option or argument has the wrong type or value.
pub const INVALID_ARGUMENT: &str = "wamp.error.invalid_argument";
/// `wamp.error.option_not_allowed`: an option the router does not allow.
pub const OPTION_NOT_ALLOWED: &str = "wamp.error.option_not_allowed";

/// `wamp.error.procedure_already_exists`: REGISTER of a procedure registered already (and not
/// shared).
pub const PROCEDURE_ALREADY_EXISTS: &str = "wamp.error.procedure_already_exists";
/// `wamp.error.procedure_exists_with_different_invocation_policy`: a shared REGISTER whose
/// `invoke` differs from the existing registration's.
pub const PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY: &str =
    "wamp.error.procedure_exists_with_different_invocation_policy";
/// `wamp.error.canceled`: a call canceled (by its caller, a timeout, or a callee that left).
pub const CANCELED: &str = "wamp.error.canceled";
/// `wamp.error.timeout`: a call that ran out of time (given as the `reason` detail of the
/// `wamp.error.canceled` the router answers, as Crossbar.io answers).
pub const TIMEOUT: &str = "wamp.error.timeout";
/// `wamp.error.feature_not_supported`: a feature the peer involved does not support.
pub const FEATURE_NOT_SUPPORTED: &str = "wamp.error.feature_not_supported";
/// `wamp.error.cannot_authenticate`: a client's ABORT when it cannot answer a CHALLENGE.
pub const CANNOT_AUTHENTICATE: &str = "wamp.error.cannot_authenticate";
/// `crossway.error.too_many_calls`: a CALL over the bound of calls in flight per caller or per
/// callee (the specification names no URI for this).
pub const TOO_MANY_CALLS: &str = "crossway.error.too_many_calls";

/// `wamp.close.normal`: the usual reason for a client's GOODBYE.
pub const CLOSE_NORMAL: &str = "wamp.close.normal";
/// `wamp.close.goodbye_and_out`: the reply to a GOODBYE.
pub const GOODBYE_AND_OUT: &str = "wamp.close.goodbye_and_out";
/// `wamp.close.system_shutdown`: the router is shutting down.
pub const SYSTEM_SHUTDOWN: &str = "wamp.close.system_shutdown";
/// `wamp.close.close_realm`: the realm is going away.
pub const CLOSE_REALM: &str = "wamp.close.close_realm";
/// `wamp.close.killed`: the session was closed by the router (slow consumer, administrator).
pub const KILLED: &str = "wamp.close.killed";
