//! TLS-certificate authentication: the verified client certificate of the connection names the
//! session; there is no CHALLENGE.

use super::policy::{AuthMethod, CertField, TlsAuth};
use super::{Failure, HelloAuth, STATIC, Start, admits, identity};
use crate::certificate::ClientCertificate;

/// HELLO asked for `tls` authentication in `realm`, on a connection with `cert`.
pub(crate) fn admit(
    auth: &TlsAuth,
    hello: &HelloAuth,
    realm: &str,
    cert: Option<&ClientCertificate>,
) -> Start {
    let refuse =
        |authid: Option<&str>, why| Start::Refuse(Failure::refused(AuthMethod::Tls, authid, why));
    let Some(cert) = cert else {
        return refuse(
            hello.authid.as_deref(),
            "the connection has no client certificate",
        );
    };
    let Some(authid) = authid_of(cert, auth.authid) else {
        return refuse(
            hello.authid.as_deref(),
            "the client certificate lacks the field that names the authid",
        );
    };
    if hello.authid.as_deref().is_some_and(|asked| asked != authid) {
        return refuse(
            hello.authid.as_deref(),
            "HELLO asked for another authid than the certificate's",
        );
    }
    let admission = match (auth.principals.get(&authid), &auth.role) {
        (Some(admission), _) => admission.clone(),
        (None, Some(role)) => super::Admission {
            role: role.clone(),
            realm: None,
        },
        (None, None) => return refuse(Some(&authid), "the certificate's authid is not listed"),
    };
    if !admits(&admission, realm) {
        return refuse(Some(&authid), "the principal may not join this realm");
    }
    Start::Admit(identity(&authid, &admission, AuthMethod::Tls, STATIC))
}

/// The authid `field` gives for `cert`.
fn authid_of(cert: &ClientCertificate, field: CertField) -> Option<String> {
    match field {
        CertField::CommonName => cert.common_name.clone(),
        CertField::SanDns => cert.san_dns.first().cloned(),
        CertField::SanEmail => cert.san_email.first().cloned(),
        CertField::Fingerprint => {
            (!cert.fingerprint_sha256.is_empty()).then(|| cert.fingerprint_sha256.clone())
        }
    }
}
