//! TLS certificate checks stay on: an HTTPS server on 127.0.0.1 with a self-signed
//! certificate is refused with a clear message and never sent a request, and no newsroom
//! setting, command-line flag or line of source can turn the check off.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use casewire::fetch::FetchError;
use casewire::fetch::client::{ClientConfig, HttpError};
use casewire::fetch::progress::Silent;
use casewire::fetch::run::{FetchOptions, Source, fetch};
use casewire::publish::Newsroom;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::support::{Casewire, arg, fixture, root};

/// An HTTPS server with the self-signed certificate in `tests/fixtures/tls`. Counts requests
/// that got past the handshake (there should be none).
struct TlsServer {
    base: String,
    requests: Arc<AtomicUsize>,
}

fn tls_server() -> TlsServer {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(fixture("tls/self-signed.crt"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
    let key = PrivateKeyDer::from_pem_file(fixture("tls/self-signed.key")).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let config = config.clone();
            let counted = counted.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut buf = [0u8; 4096];
                // A read only succeeds once the handshake is done and a request arrives.
                if let Ok(n) = tls.read(&mut buf)
                    && n > 0
                {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let body = r#"{"count":0,"next":null,"results":[]}"#;
                    let _ = write!(
                        tls,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                }
            });
        }
    });
    TlsServer { base, requests }
}

#[tokio::test]
async fn tls_a_self_signed_certificate_is_refused_at_once() {
    let server = tls_server();
    let mut opts = FetchOptions::new(Source::Ukhsa, "ltla");
    opts.base_url = Some(server.base.clone());
    opts.areas = vec!["Hartlepool".into()];
    opts.client = ClientConfig {
        contact: "tests@example.com".into(),
        timeout: Duration::from_secs(5),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(20),
        max_attempts: 3,
        ..ClientConfig::default()
    };
    let err = fetch(&opts, Arc::new(Silent)).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, FetchError::Http(HttpError::Tls { .. })),
        "{text}"
    );
    assert!(
        text.contains(&server.base) && text.contains("certificate") && text.contains("always on"),
        "{text}"
    );
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        0,
        "a request reached an untrusted server"
    );
}

#[test]
fn tls_no_newsroom_setting_turns_certificate_checks_off() {
    let base = std::fs::read_to_string(root().join("examples/newsroom.toml")).unwrap();
    Newsroom::parse(Path::new("/newsroom/n.toml"), &base).unwrap();
    for setting in [
        "danger_accept_invalid_certs = true",
        "accept_invalid_certs = true",
        "insecure = true",
        "verify_tls = false",
        "tls_verify = false",
        "verify = false",
    ] {
        let text = if base.contains("\n[fetch]\n") {
            base.replace("\n[fetch]\n", &format!("\n[fetch]\n{setting}\n"))
        } else {
            format!("{base}\n[fetch]\n{setting}\n")
        };
        let err = Newsroom::parse(Path::new("/newsroom/n.toml"), &text).unwrap_err();
        assert!(
            err.to_string().contains("unknown field"),
            "{setting}: {err}"
        );
    }
}

#[test]
fn tls_no_command_line_flag_turns_certificate_checks_off() {
    for flag in [
        "--insecure",
        "--danger-accept-invalid-certs",
        "--no-verify",
        "-k",
    ] {
        let run = Casewire::new()
            .args([
                "fetch",
                "--source",
                "ukhsa",
                "--area-type",
                "ltla",
                "--base-url",
                "https://127.0.0.1:9",
                flag,
            ])
            .run();
        assert_eq!(run.status, 2, "{flag}: {}", run.stderr);
    }
    let help = Casewire::new().args(["fetch", "--help"]).run();
    for word in ["insecure", "invalid-cert", "no-verify", "tls"] {
        assert!(!help.stdout.to_lowercase().contains(word), "{word}");
    }
}

/// Source-level assurance: nothing in `src/` calls reqwest's or rustls's switches that
/// weaken certificate checks.
#[test]
fn tls_the_source_never_weakens_certificate_checks() {
    let mut files = vec![];
    let mut dirs = vec![root().join("src")];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in [
            "danger_accept_invalid_certs",
            "danger_accept_invalid_hostnames",
            "tls_built_in_root_certs(false",
            "dangerous()",
            "ServerCertVerifier",
            "tls_danger",
        ] {
            assert!(!text.contains(needle), "{} contains {needle}", arg(&file));
        }
    }
}

/// Plain HTTP would turn TLS off by configuration: allowed only to this machine.
#[tokio::test]
async fn tls_plain_http_to_another_machine_is_refused() {
    for base in [
        "http://api.ukhsa-dashboard.data.gov.uk",
        "http://10.0.0.1:8080",
        "http://[2001:db8::1]/",
    ] {
        let mut opts = FetchOptions::new(Source::Ukhsa, "ltla");
        opts.base_url = Some(base.into());
        opts.areas = vec!["Hartlepool".into()];
        let err = fetch(&opts, Arc::new(Silent))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("plain HTTP to another machine") && err.contains("use https"),
            "{base}: {err}"
        );
    }
    let err = casewire::fetch::run::download_population(
        &ClientConfig::default(),
        "http://example.org/population.csv",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("plain HTTP to another machine"), "{err}");
}

/// A redirect to plain HTTP on another machine is not followed (and so not sent in clear).
#[tokio::test]
async fn tls_a_redirect_to_plain_http_elsewhere_is_refused() {
    use crate::fetch::server::{Request, Response, TestServer};
    let server = TestServer::start(Duration::ZERO, |_: &Request| {
        Response::status(302).header("Location", "http://10.255.255.1/data.json")
    })
    .await;
    let mut opts = FetchOptions::new(Source::Ukhsa, "ltla");
    opts.base_url = Some(server.base.clone());
    opts.areas = vec!["Hartlepool".into()];
    opts.client.max_attempts = 1;
    opts.client.timeout = Duration::from_secs(5);
    let err = fetch(&opts, Arc::new(Silent))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("refusing a redirect") && err.contains("10.255.255.1"),
        "{err}"
    );
    assert_eq!(server.requests(), 1);
}
