//! TLS client configuration with rustls (ring provider), built from the
//! settings a `pjsip_tls_setting` carries.
//!
//! pjsip lets the handshake finish whatever the server presents and then,
//! when `verify_server` is set, drops the connection if the certificate did
//! not verify. rustls aborts the handshake instead; the outcome seen by the
//! application is the same (the request fails with
//! `PJSIP_TLS_ECERTVERIF`). With `verify_server` off any certificate is
//! accepted, but handshake signatures are still checked.

use crate::status::{self, Status};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

/// `pj_ssl_sock_proto` bits that matter here.
pub const PROTO_TLS1_2: u32 = 16;
pub const PROTO_TLS1_3: u32 = 32;
/// Every protocol pjsip knows (`PJ_SSL_SOCK_PROTO_ALL`, also `SSL23`).
pub const PROTO_ALL: u32 = 0xFFFF;

/// `pjsip_ssl_method` values.
pub const METHOD_UNSPECIFIED: u32 = 0;
pub const METHOD_SSLV23: u32 = 23;
pub const METHOD_TLSV1_2: u32 = 33;
pub const METHOD_TLSV1_3: u32 = 34;

/// Where a PEM item comes from: a file, or bytes held in memory.
#[derive(Clone, Debug, Default)]
pub enum Pem {
    #[default]
    None,
    File(String),
    Buffer(Vec<u8>),
}

impl Pem {
    fn is_none(&self) -> bool {
        matches!(self, Pem::None)
    }
}

/// The subset of `pjsip_tls_setting` a client uses, as plain Rust data.
#[derive(Clone, Debug, Default)]
pub struct TlsSettings {
    /// Trusted CAs: a PEM file and/or a PEM buffer, plus a directory of
    /// PEM files. None of them: the system bundle, when there is one.
    pub ca: Vec<Pem>,
    pub ca_dir: Option<String>,
    /// Client certificate chain and key, for servers that ask for one.
    pub cert: Pem,
    pub key: Pem,
    /// `pjsip_ssl_method` and `pj_ssl_sock_proto` bits (see [`versions`]).
    pub method: u32,
    pub proto: u32,
    pub verify_server: bool,
    /// Handshake deadline in milliseconds; 0 means none.
    pub timeout_ms: u64,
}

/// A client TLS context shared by every connection of a listener.
pub struct TlsClient {
    pub config: Arc<ClientConfig>,
    pub timeout_ms: u64,
}

/// The TLS versions to offer: `proto` when it is non-zero, otherwise the
/// one `method` names (no method: every version). rustls speaks TLS 1.2
/// and 1.3 only, so a request for older protocols alone fails with
/// `PJSIP_TLS_EINVMETHOD`. pjsip's default (`proto` = TLS 1.0 | 1.1 | 1.2)
/// therefore gives TLS 1.2, as it does with OpenSSL.
pub fn versions(method: u32, proto: u32) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, Status> {
    let proto = if proto != 0 {
        proto
    } else {
        match method {
            METHOD_UNSPECIFIED | METHOD_SSLV23 => PROTO_ALL,
            METHOD_TLSV1_2 => PROTO_TLS1_2,
            METHOD_TLSV1_3 => PROTO_TLS1_3,
            _ => return Err(status::PJSIP_TLS_EINVMETHOD),
        }
    };
    let mut out = Vec::new();
    if proto & PROTO_TLS1_3 != 0 {
        out.push(&rustls::version::TLS13);
    }
    if proto & PROTO_TLS1_2 != 0 {
        out.push(&rustls::version::TLS12);
    }
    if out.is_empty() {
        return Err(status::PJSIP_TLS_EINVMETHOD);
    }
    Ok(out)
}

fn certs_from(pem: &Pem) -> Result<Vec<CertificateDer<'static>>, ()> {
    let items: Vec<_> = match pem {
        Pem::None => return Ok(Vec::new()),
        Pem::File(path) => CertificateDer::pem_file_iter(path).map_err(|_| ())?.collect(),
        Pem::Buffer(b) => CertificateDer::pem_slice_iter(b).collect(),
    };
    let certs: Vec<_> = items.into_iter().collect::<Result<_, _>>().map_err(|_| ())?;
    if certs.is_empty() {
        return Err(());
    }
    Ok(certs)
}

fn key_from(pem: &Pem) -> Result<PrivateKeyDer<'static>, ()> {
    match pem {
        Pem::None => Err(()),
        Pem::File(path) => PrivateKeyDer::from_pem_file(path).map_err(|_| ()),
        Pem::Buffer(b) => PrivateKeyDer::from_pem_slice(b).map_err(|_| ()),
    }
}

/// Where Debian-like systems keep the trusted roots.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

fn roots(settings: &TlsSettings) -> Result<RootCertStore, Status> {
    let mut store = RootCertStore::empty();
    let mut explicit = false;
    for pem in &settings.ca {
        if pem.is_none() {
            continue;
        }
        explicit = true;
        let certs = certs_from(pem).map_err(|_| status::PJSIP_TLS_ECACERT)?;
        for c in certs {
            store.add(c).map_err(|_| status::PJSIP_TLS_ECACERT)?;
        }
    }
    if let Some(dir) = &settings.ca_dir {
        explicit = true;
        let entries = std::fs::read_dir(dir).map_err(|_| status::PJSIP_TLS_ECACERT)?;
        for e in entries.flatten() {
            if let Ok(certs) = certs_from(&Pem::File(e.path().to_string_lossy().into_owned())) {
                for c in certs {
                    let _ = store.add(c);
                }
            }
        }
    }
    if !explicit && std::path::Path::new(SYSTEM_BUNDLE).exists() {
        if let Ok(certs) = certs_from(&Pem::File(SYSTEM_BUNDLE.to_string())) {
            let _ = store.add_parsable_certificates(certs);
        }
    }
    Ok(store)
}

/// Builds the client context. Errors are pjsip's: `PJSIP_TLS_ECACERT`,
/// `PJSIP_TLS_ECERTFILE`, `PJSIP_TLS_EKEYFILE`, `PJSIP_TLS_EINVMETHOD`,
/// `PJSIP_TLS_ECTX`.
pub fn client_config(settings: &TlsSettings) -> Result<TlsClient, Status> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions = versions(settings.method, settings.proto)?;
    let roots = roots(settings)?;
    let webpki = if roots.is_empty() {
        None
    } else {
        Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|_| status::PJSIP_TLS_ECACERT)?,
        )
    };
    let verifier = Arc::new(Verifier {
        webpki,
        verify: settings.verify_server,
        algorithms: provider.signature_verification_algorithms,
    });
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|_| status::PJSIP_TLS_EINVMETHOD)?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = if settings.cert.is_none() {
        builder.with_no_client_auth()
    } else {
        let chain = certs_from(&settings.cert).map_err(|_| status::PJSIP_TLS_ECERTFILE)?;
        let key = key_from(if settings.key.is_none() { &settings.cert } else { &settings.key })
            .map_err(|_| status::PJSIP_TLS_EKEYFILE)?;
        builder.with_client_auth_cert(chain, key).map_err(|_| status::PJSIP_TLS_EKEYFILE)?
    };
    Ok(TlsClient { config: Arc::new(config), timeout_ms: settings.timeout_ms })
}

/// The name a server certificate is checked against (and sent as SNI when
/// it is a DNS name): the destination host as written in the URI.
pub fn server_name(host: &str) -> Option<ServerName<'static>> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(h.to_string()).ok()
}

/// Maps a rustls failure to the status pjsip reports for it.
pub fn error_status(e: &rustls::Error) -> Status {
    match e {
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => status::PJSIP_TLS_ECERTVERIF,
        _ => status::PJSIP_TLS_ECONNECT,
    }
}

#[derive(Debug)]
struct Verifier {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    verify: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if !self.verify {
            return Ok(ServerCertVerified::assertion());
        }
        match &self.webpki {
            Some(v) => v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now),
            None => Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_choice_follows_pjsip() {
        // pjsip's default proto (TLS 1.0 | 1.1 | 1.2): TLS 1.2 only here.
        assert_eq!(versions(0, 4 | 8 | 16).expect("ok").len(), 1);
        assert_eq!(versions(0, 0).expect("ok").len(), 2);
        assert_eq!(versions(METHOD_TLSV1_3, 0).expect("ok"), vec![&rustls::version::TLS13]);
        // proto wins over method.
        assert_eq!(versions(METHOD_TLSV1_3, PROTO_TLS1_2).expect("ok"), vec![&rustls::version::TLS12]);
        assert_eq!(versions(0, 4 | 8), Err(status::PJSIP_TLS_EINVMETHOD));
        assert_eq!(versions(31, 0), Err(status::PJSIP_TLS_EINVMETHOD));
    }

    #[test]
    fn bad_pem_gives_pjsip_codes() {
        let mut s = TlsSettings { ca: vec![Pem::Buffer(b"not pem".to_vec())], ..Default::default() };
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_ECACERT));
        s.ca = vec![Pem::File("/nonexistent/ca.pem".into())];
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_ECACERT));
        s.ca.clear();
        s.cert = Pem::Buffer(b"junk".to_vec());
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_ECERTFILE));
    }

    #[test]
    fn server_names() {
        assert!(matches!(server_name("127.0.0.1"), Some(ServerName::IpAddress(_))));
        assert!(matches!(server_name("[::1]"), Some(ServerName::IpAddress(_))));
        assert!(matches!(server_name("sip.example.com"), Some(ServerName::DnsName(_))));
    }
}
