//! Why a TLS handshake failed, in a few words an alert can be written against: the `reason`
//! label of `crossway_tls_handshake_failures_total`.
//!
//! The transport reports rustls's own reason as text ("peer sent no certificates", "invalid
//! peer certificate: UnknownIssuer", "received fatal alert: ..."); this reads it. A reason not
//! recognised here is `other`, never an error.

use crossway_transport::HandshakeError;

/// The reason a TLS handshake failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFailure {
    /// Client authentication is required and the client sent no certificate.
    NoClientCertificate,
    /// The client's certificate is not signed by a CA the endpoint trusts.
    ClientCertificateUnknownIssuer,
    /// The client's certificate has expired or is not valid yet.
    ClientCertificateExpired,
    /// The client's certificate was refused for another reason (its purpose, its signature,
    /// revoked, malformed).
    ClientCertificateInvalid,
    /// The client ended the handshake with an alert (it refused the server's certificate, or
    /// found nothing in common).
    AlertReceived,
    /// No protocol version or cipher suite in common.
    Incompatible,
    /// What came was not TLS (plain HTTP or RawSocket on a TLS port, garbage).
    NotTls,
    /// The peer closed the connection during the handshake.
    Closed,
    /// The socket failed.
    Io,
    /// Anything else.
    Other,
}

impl TlsFailure {
    /// How many reasons there are (the slots of the counters).
    pub const COUNT: usize = 10;

    /// Every reason, in slot order.
    pub const ALL: [TlsFailure; TlsFailure::COUNT] = [
        TlsFailure::NoClientCertificate,
        TlsFailure::ClientCertificateUnknownIssuer,
        TlsFailure::ClientCertificateExpired,
        TlsFailure::ClientCertificateInvalid,
        TlsFailure::AlertReceived,
        TlsFailure::Incompatible,
        TlsFailure::NotTls,
        TlsFailure::Closed,
        TlsFailure::Io,
        TlsFailure::Other,
    ];

    /// The reason of a failed server-side handshake.
    pub fn of(e: &HandshakeError) -> TlsFailure {
        match e {
            HandshakeError::Tls(reason) => Self::from_reason(reason),
            HandshakeError::Closed => TlsFailure::Closed,
            HandshakeError::Io(_) => TlsFailure::Io,
            _ => TlsFailure::Other,
        }
    }

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            TlsFailure::NoClientCertificate => "no_client_certificate",
            TlsFailure::ClientCertificateUnknownIssuer => "client_certificate_unknown_issuer",
            TlsFailure::ClientCertificateExpired => "client_certificate_expired",
            TlsFailure::ClientCertificateInvalid => "client_certificate_invalid",
            TlsFailure::AlertReceived => "alert_received",
            TlsFailure::Incompatible => "incompatible",
            TlsFailure::NotTls => "not_tls",
            TlsFailure::Closed => "closed",
            TlsFailure::Io => "io",
            TlsFailure::Other => "other",
        }
    }

    /// Whether the client's certificate was refused (or missing where one is required).
    pub fn refuses_client_certificate(self) -> bool {
        matches!(
            self,
            TlsFailure::NoClientCertificate
                | TlsFailure::ClientCertificateUnknownIssuer
                | TlsFailure::ClientCertificateExpired
                | TlsFailure::ClientCertificateInvalid
        )
    }

    /// Reads rustls's reason.
    fn from_reason(reason: &str) -> TlsFailure {
        if reason.contains("peer sent no certificates") {
            return TlsFailure::NoClientCertificate;
        }
        if let Some(why) = reason.strip_prefix("invalid peer certificate: ") {
            return if why.starts_with("UnknownIssuer") {
                TlsFailure::ClientCertificateUnknownIssuer
            } else if why.starts_with("Expired") || why.starts_with("NotValidYet") {
                TlsFailure::ClientCertificateExpired
            } else {
                TlsFailure::ClientCertificateInvalid
            };
        }
        if reason.starts_with("received fatal alert") {
            TlsFailure::AlertReceived
        } else if reason.starts_with("peer is incompatible") {
            TlsFailure::Incompatible
        } else if reason.starts_with("received corrupt message")
            || reason.starts_with("received unexpected message")
        {
            TlsFailure::NotTls
        } else {
            TlsFailure::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_from_rustls_texts() {
        let tls = |s: &str| TlsFailure::of(&HandshakeError::Tls(s.to_owned()));
        assert_eq!(
            tls("peer sent no certificates"),
            TlsFailure::NoClientCertificate
        );
        assert_eq!(
            tls("invalid peer certificate: UnknownIssuer"),
            TlsFailure::ClientCertificateUnknownIssuer
        );
        assert_eq!(
            tls("invalid peer certificate: ExpiredContext { time: .. }"),
            TlsFailure::ClientCertificateExpired
        );
        assert_eq!(
            tls("invalid peer certificate: BadSignature"),
            TlsFailure::ClientCertificateInvalid
        );
        assert_eq!(
            tls("received fatal alert: BadCertificate"),
            TlsFailure::AlertReceived
        );
        assert_eq!(
            tls("received corrupt message of type InvalidContentType"),
            TlsFailure::NotTls
        );
        assert_eq!(tls("something new"), TlsFailure::Other);
        assert_eq!(TlsFailure::of(&HandshakeError::Closed), TlsFailure::Closed);
        for (i, r) in TlsFailure::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i, "{r:?} is in its slot");
        }
    }
}
