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
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use zeroize::Zeroizing;

/// `pj_ssl_sock_proto` bits that matter here.
pub const PROTO_TLS1_2: u32 = 16;
/// TLS 1.3.
pub const PROTO_TLS1_3: u32 = 32;
/// Every protocol pjsip knows (`PJ_SSL_SOCK_PROTO_ALL`, also `SSL23`).
pub const PROTO_ALL: u32 = 0xFFFF;

/// `pjsip_ssl_method` values.
pub const METHOD_UNSPECIFIED: u32 = 0;
/// Any version (`PJSIP_SSLV23_METHOD`).
pub const METHOD_SSLV23: u32 = 23;
/// TLS 1.2 only.
pub const METHOD_TLSV1_2: u32 = 33;
/// TLS 1.3 only.
pub const METHOD_TLSV1_3: u32 = 34;

/// Where a PEM item comes from: a file, or bytes held in memory.
#[derive(Clone, Debug, Default)]
pub enum Pem {
    /// Not given.
    #[default]
    None,
    /// A PEM file.
    File(String),
    /// PEM bytes.
    Buffer(Vec<u8>),
}

impl Pem {
    fn is_none(&self) -> bool {
        matches!(self, Pem::None)
    }
}

/// The passphrase of an encrypted private key. Wiped when dropped and
/// never printed, since settings are cloned and may be debug-formatted.
#[derive(Clone)]
pub struct Password(Zeroizing<Vec<u8>>);

impl Password {
    /// Keeps a copy of `bytes`.
    pub fn new(bytes: &[u8]) -> Password {
        Password(Zeroizing::new(bytes.to_vec()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A connection whose handshake just succeeded, as the application's
/// verification hook sees it.
pub struct VerifyInfo {
    /// Our end.
    pub local: SocketAddr,
    /// The server.
    pub remote: SocketAddr,
}

/// The application's last word on a new connection (pjsip's
/// `on_verify_cb`): false drops it with `PJSIP_TLS_ECERTVERIF`.
#[derive(Clone)]
pub struct VerifyHook(pub Arc<dyn Fn(&VerifyInfo) -> bool + Send + Sync>);

impl fmt::Debug for VerifyHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyHook")
    }
}

/// The subset of `pjsip_tls_setting` a client uses, as plain Rust data.
#[derive(Clone, Debug, Default)]
pub struct TlsSettings {
    /// Trusted CAs: a PEM file and/or a PEM buffer, plus a directory of
    /// PEM files. None of them: the system bundle, when there is one.
    pub ca: Vec<Pem>,
    /// A directory of PEM CA files.
    pub ca_dir: Option<String>,
    /// Client certificate chain and key, for servers that ask for one.
    pub cert: Pem,
    /// Client private key.
    pub key: Pem,
    /// Decrypts `key` when it is an encrypted PKCS#8 PEM; unused otherwise.
    pub password: Option<Password>,
    /// `pjsip_ssl_method` and `pj_ssl_sock_proto` bits (see [`versions`]).
    pub method: u32,
    /// `pj_ssl_sock_proto` bits.
    pub proto: u32,
    /// Check the server's certificate and name; fail the handshake otherwise.
    pub verify_server: bool,
    /// Handshake deadline in milliseconds; 0 means none.
    pub timeout_ms: u64,
    /// Cipher suites and key-exchange groups to offer, by IANA number;
    /// empty: the library's defaults.
    pub ciphers: Vec<u16>,
    /// (Groups, see `ciphers`.)
    pub curves: Vec<u16>,
    /// The application's `on_verify_cb`.
    pub on_verify: Option<VerifyHook>,
}

/// A client TLS context shared by every connection of a listener.
pub struct TlsClient {
    /// rustls' client configuration.
    pub config: Arc<ClientConfig>,
    /// Handshake deadline, 0 for none.
    pub timeout_ms: u64,
    /// The application's `on_verify_cb`.
    pub on_verify: Option<VerifyHook>,
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

/// PEM label of a PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958), what
/// `openssl pkcs8 -topk8 -v2 ...` and OpenSSL 3's `-passout` write.
const ENCRYPTED_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// Most memory an scrypt-protected key may ask for (the ceiling OpenSSL
/// applies too), so that a crafted key file cannot exhaust memory.
const SCRYPT_MAX_MEM: u128 = 32 << 20;

/// Reads the first private key in `pem`. A PKCS#8 encrypted key (PBES2:
/// PBKDF2 with HMAC-SHA1 or SHA-2, or scrypt; AES-CBC) is decrypted with
/// `password`; DES-based and PBES1 schemes are refused. OpenSSL's older
/// per-format encryption (a `Proc-Type: 4,ENCRYPTED` header inside
/// `RSA/EC PRIVATE KEY`) is not understood and fails like any unreadable
/// key.
fn key_from(pem: &Pem, password: Option<&Password>) -> Result<PrivateKeyDer<'static>, ()> {
    // The file may hold a plaintext key: wipe the copy once parsed.
    let file;
    let data: &[u8] = match pem {
        Pem::None => return Err(()),
        Pem::File(path) => {
            file = Zeroizing::new(std::fs::read(path).map_err(|_| ())?);
            &file
        }
        Pem::Buffer(b) => b,
    };
    match encrypted_section(data) {
        Some(section) => decrypt_key(section, &password.ok_or(())?.0),
        None => PrivateKeyDer::from_pem_slice(data).map_err(|_| ()),
    }
}

/// The first `ENCRYPTED PRIVATE KEY` PEM section, BEGIN to END line
/// inclusive; rustls-pki-types skips this label, so it is found here.
fn encrypted_section(data: &[u8]) -> Option<&[u8]> {
    let begin = format!("-----BEGIN {ENCRYPTED_LABEL}-----");
    let end = format!("-----END {ENCRYPTED_LABEL}-----");
    let start = find(data, begin.as_bytes())?;
    let len = find(&data[start..], end.as_bytes())? + end.len();
    Some(&data[start..start + len])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn decrypt_key(section: &[u8], password: &[u8]) -> Result<PrivateKeyDer<'static>, ()> {
    let (_, der) = pkcs8::der::pem::decode_vec(section).map_err(|_| ())?;
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).map_err(|_| ())?;
    if let Some(sp) = info.encryption_algorithm.pbes2().and_then(|p| p.kdf.scrypt()) {
        let r = u128::from(sp.block_size);
        let mem = 128 * r * (u128::from(sp.cost_parameter) + 2) + 128 * r * u128::from(sp.parallelization);
        if mem > SCRYPT_MAX_MEM {
            return Err(());
        }
    }
    // A wrong password almost always shows as bad padding; the rare one
    // that does not yields garbage that rustls refuses to load as a key.
    let plain = info.decrypt(password).map_err(|_| ())?;
    Ok(PrivateKeyDer::Pkcs8(plain.as_bytes().to_vec().into()))
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
    let provider = Arc::new(provider(settings)?);
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
        // Suites left, but none for the versions asked for.
        .map_err(|_| if settings.ciphers.is_empty() { status::PJSIP_TLS_EINVMETHOD } else { status::PJSIP_TLS_ECIPHER })?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = if settings.cert.is_none() {
        builder.with_no_client_auth()
    } else {
        let chain = certs_from(&settings.cert).map_err(|_| status::PJSIP_TLS_ECERTFILE)?;
        let pem = if settings.key.is_none() { &settings.cert } else { &settings.key };
        let key = key_from(pem, settings.password.as_ref()).map_err(|_| status::PJSIP_TLS_EKEYFILE)?;
        builder.with_client_auth_cert(chain, key).map_err(|_| status::PJSIP_TLS_EKEYFILE)?
    };
    Ok(TlsClient { config: Arc::new(config), timeout_ms: settings.timeout_ms, on_verify: settings.on_verify.clone() })
}

/// The ring provider narrowed to the listed cipher suites and groups.
/// Numbers it does not know are skipped (pjproject skips what its TLS
/// library lacks); a list with nothing usable is `PJSIP_TLS_ECIPHER`.
fn provider(settings: &TlsSettings) -> Result<rustls::crypto::CryptoProvider, Status> {
    let mut p = rustls::crypto::ring::default_provider();
    if !settings.ciphers.is_empty() {
        p.cipher_suites.retain(|s| settings.ciphers.contains(&u16::from(s.suite())));
        if p.cipher_suites.is_empty() {
            return Err(status::PJSIP_TLS_ECIPHER);
        }
    }
    if !settings.curves.is_empty() {
        p.kx_groups.retain(|g| settings.curves.contains(&u16::from(g.name())));
        if p.kx_groups.is_empty() {
            return Err(status::PJSIP_TLS_ECIPHER);
        }
    }
    Ok(p)
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
    fn cipher_and_curve_lists_narrow_the_offer() {
        let mut s = TlsSettings { proto: PROTO_TLS1_2 | PROTO_TLS1_3, ..Default::default() };
        s.ciphers = vec![0x1302, 0xC02B, 0x0004];
        s.curves = vec![24];
        let p = provider(&s).expect("provider");
        let suites: Vec<u16> = p.cipher_suites.iter().map(|c| u16::from(c.suite())).collect();
        assert_eq!(suites, vec![0x1302, 0xC02B]);
        let groups: Vec<u16> = p.kx_groups.iter().map(|g| u16::from(g.name())).collect();
        assert_eq!(groups, vec![24]);
        assert!(client_config(&s).is_ok());
        // Only suites nobody supports, or groups.
        s.ciphers = vec![0x0004, 0x000A];
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_ECIPHER));
        s.ciphers = vec![0x1301];
        s.curves = vec![1];
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_ECIPHER));
        // TLS 1.3 suites only, but TLS 1.2 only.
        s.curves.clear();
        s.proto = PROTO_TLS1_2;
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_ECIPHER));
    }

    // One P-256 key, written by `openssl genpkey` and `openssl pkcs8 -topk8`
    // (OpenSSL 3.0) with the password "secret".
    const PLAIN_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgxO2OAycqZtaRsJnt
Ccy/vCvo9xh7TLG2Ii5+iG8zLNmhRANCAARKB0SAfiv2Cy/XD1Oqa5gYKFVGd3Sj
c7kZo17+4/k9o2nDigKvPZPTJ9X8dKI4Vi/ePESlHb/oGq3xDy/t09Wd
-----END PRIVATE KEY-----
";
    // -v2 aes256 -v2prf hmacWithSHA256
    const ENC_KEY: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhZIsUi2ftIJwICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEECSSMCnlkz45+hcKwhYD3fAEgZDI
QHo+c8hqrNTke/WRf8dgm89RIDG2xWpEMm5rGkxXfCczC8qgJMhA9/D1pJub8xcn
Q8Xg48EBXrRcksR7JXzmwA69ZOd/J/Y/NPB+Cv8d7WVDCAy1g+POq1LHMyJbJxqN
EdwgduWboFaN14qJ2c/Y9uiINa2Kwx6KbPnM43uW3sMTR1c/mDJQRuN9kfZITZA=
-----END ENCRYPTED PRIVATE KEY-----
";
    // -v2 aes128 -v2prf hmacWithSHA1
    const ENC_KEY_SHA1: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHeMEkGCSqGSIb3DQEFDTA8MBsGCSqGSIb3DQEFDDAOBAgY4VKd8mjjDwICCAAw
HQYJYIZIAWUDBAECBBApoNysZup6ewWqmmpakx60BIGQM+poJjUiVoADZtStAvTS
FTwz68tUGC0HFbpGZEo+QRKMgdd4StYFZTGJIwq5jSAduT+vF0JxJPYy6emhN7US
OdVEV1203uLRJOGRhgVQOJ6TXbfNEp7/LGyNf9NFNA8TxtLwVleu0Hc+tOhwpTOr
ab6yVwI3CHcwInXSI6GqLlmfV2Qz1m+PxrNv374b+Sf/
-----END ENCRYPTED PRIVATE KEY-----
";
    // -scrypt -scrypt_N 1024 -scrypt_r 8 -scrypt_p 1
    const ENC_KEY_SCRYPT: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHkME8GCSqGSIb3DQEFDTBCMCEGCSsGAQQB2kcECzAUBAgk8PMUCgnJzQICBAAC
AQgCAQEwHQYJYIZIAWUDBAEqBBBDpMYGwnG95Hsla0Qj0HzZBIGQu9C2kEiYsoHB
aqEN6+UjLNC5vckY8yxwOCcdzt0F5u0qPE2Y2Rb5hf18QpTmZPY2sHwMjWnEU02B
IhhD8RNIq7IdTDd/9z4AjOsPjO1/y0Ov8WFFHbz8xNMpWFWS0C/Y2YHkb713NejI
ZZeQ1JCob+wh9YtW/fHLPLCODpjJPTb9N4W7QkE/YIaJebJXAEOR
-----END ENCRYPTED PRIVATE KEY-----
";
    // `openssl ec -aes128`: the traditional format with a Proc-Type header.
    const LEGACY_KEY: &str = "-----BEGIN EC PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-128-CBC,866A36BBCDA73453C7109088E624945B

+36fVinCZYIA1db6clWQaPb5+8wR42zT9GuyXHRVdJ3X2pWAzE6Ij8fv87820sXZ
+nVzROSV2a6R8A80m4/tggPhbJrFsm7G2/e37LxRCz30u+F5+mZbu9+8ptn2DS6y
+H5Ul49HHGx5uCDXuj4cCYHQ0kp5dRQjjTStPZIVsKA=
-----END EC PRIVATE KEY-----
";
    // Self-signed certificate for that key (`openssl req -x509`).
    const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBdDCCARugAwIBAgIUYDqrWbv+dhp2Hew6B40t0DYU/5kwCgYIKoZIzj0EAwIw
DzENMAsGA1UEAwwEdGVzdDAgFw0yNjExMjMyMjUzMThaGA8yMTI2MTAzMDIyNTMx
OFowDzENMAsGA1UEAwwEdGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEoH
RIB+K/YLL9cPU6prmBgoVUZ3dKNzuRmjXv7j+T2jacOKAq89k9Mn1fx0ojhWL948
RKUdv+garfEPL+3T1Z2jUzBRMB0GA1UdDgQWBBRMmdWG0YA7jyOrIwpVxdarow4P
CjAfBgNVHSMEGDAWgBRMmdWG0YA7jyOrIwpVxdarow4PCjAPBgNVHRMBAf8EBTAD
AQH/MAoGCCqGSM49BAMCA0cAMEQCIGuOzMV/oDuf4N3PggUaAyNLmfhEWIRjtaJa
KE07f1ObAiAecjkhUlviqLAYErn+hI0dpCIqq9agvv3s1kRHB8yrTQ==
-----END CERTIFICATE-----
";

    fn pw(p: &str) -> Option<Password> {
        Some(Password::new(p.as_bytes()))
    }

    fn buf(pem: &str) -> Pem {
        Pem::Buffer(pem.as_bytes().to_vec())
    }

    #[test]
    fn encrypted_keys_decrypt_to_the_plain_key() {
        let plain = key_from(&buf(PLAIN_KEY), None).expect("plain key");
        for enc in [ENC_KEY, ENC_KEY_SHA1, ENC_KEY_SCRYPT] {
            let key = key_from(&buf(enc), pw("secret").as_ref()).expect("decrypts");
            assert!(matches!(key, PrivateKeyDer::Pkcs8(_)));
            assert_eq!(key.secret_der(), plain.secret_der());
            assert!(key_from(&buf(enc), pw("Secret").as_ref()).is_err());
            assert!(key_from(&buf(enc), None).is_err());
        }
        // A password given for a plain key is not needed and not in the way.
        assert_eq!(key_from(&buf(PLAIN_KEY), pw("secret").as_ref()).expect("plain").secret_der(), plain.secret_der());
        assert!(key_from(&buf(LEGACY_KEY), pw("secret").as_ref()).is_err());
    }

    #[test]
    fn encrypted_key_after_the_certificate_and_from_a_file() {
        let both = format!("{CERT}{ENC_KEY}");
        let plain = key_from(&buf(PLAIN_KEY), None).expect("plain key");
        let key = key_from(&buf(&both), pw("secret").as_ref()).expect("decrypts");
        assert_eq!(key.secret_der(), plain.secret_der());
        let path = std::env::temp_dir().join(format!("regc-enc-key-{}.pem", std::process::id()));
        std::fs::write(&path, ENC_KEY).expect("write");
        let file = Pem::File(path.to_string_lossy().into_owned());
        let key = key_from(&file, pw("secret").as_ref());
        let _ = std::fs::remove_file(&path);
        assert_eq!(key.expect("decrypts").secret_der(), plain.secret_der());
    }

    #[test]
    fn client_config_with_encrypted_key() {
        let mut s = TlsSettings { cert: buf(CERT), key: buf(ENC_KEY), password: pw("secret"), ..Default::default() };
        assert!(client_config(&s).is_ok());
        s.password = pw("wrong");
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_EKEYFILE));
        s.password = None;
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_EKEYFILE));
        s.key = buf(LEGACY_KEY);
        s.password = pw("secret");
        assert_eq!(client_config(&s).err(), Some(status::PJSIP_TLS_EKEYFILE));
        assert_eq!(format!("{:?}", s.password), "Some(Password(..))");
    }

    #[test]
    fn costly_scrypt_parameters_are_refused() {
        use pkcs8::der::Encode;
        use pkcs8::pkcs5::pbes2;
        // N = 2^20, r = 8: a gigabyte of memory, refused before any work.
        let kdf = pbes2::Kdf::Scrypt(pbes2::ScryptParams {
            salt: &[1; 8],
            cost_parameter: 1 << 20,
            block_size: 8,
            parallelization: 1,
            key_length: None,
        });
        let params = pbes2::Parameters { kdf, encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: &[2; 16] } };
        let info = pkcs8::EncryptedPrivateKeyInfo { encryption_algorithm: params.into(), encrypted_data: &[3; 144] };
        let der = info.to_der().expect("encodes");
        let pem = pkcs8::der::pem::encode_string(ENCRYPTED_LABEL, pkcs8::LineEnding::LF, &der).expect("pem");
        let start = std::time::Instant::now();
        assert!(key_from(&buf(&pem), pw("secret").as_ref()).is_err());
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn server_names() {
        assert!(matches!(server_name("127.0.0.1"), Some(ServerName::IpAddress(_))));
        assert!(matches!(server_name("[::1]"), Some(ServerName::IpAddress(_))));
        assert!(matches!(server_name("sip.example.com"), Some(ServerName::DnsName(_))));
    }
}
