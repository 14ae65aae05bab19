//! The dev server over real sockets: endpoints, refusals, counters.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use xtask::server::{Server, StatsSnapshot};

/// Starts a server on a free port in a background runtime; returns its address.
fn start() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(async {
            let www: PathBuf = xtask::root().join("www");
            let server = Server::bind(SocketAddr::from(([127, 0, 0, 1], 0)), www)
                .await
                .expect("bind");
            tx.send(server.addr().expect("addr")).expect("send");
            server.run().await.expect("serve");
        });
    });
    rx.recv().expect("the server's address")
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// One raw HTTP/1.1 request; the connection closes after the reply.
fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(stream, "{method} {target} HTTP/1.1\r\nHost: test\r\nOrigin: http://elsewhere.test\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target)
}

fn stats(addr: SocketAddr) -> StatsSnapshot {
    serde_json::from_slice(&get(addr, "/api/stats").body).expect("stats JSON")
}

#[test]
fn delay_waits_as_long_as_asked() {
    let addr = start();
    let start = Instant::now();
    let reply = get(addr, "/api/delay/300");
    let took = start.elapsed();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "waited 300 ms");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(reply.header("access-control-allow-origin").as_deref(), Some("*"));
}

#[test]
fn drip_streams_exactly_the_bytes_over_the_time() {
    let addr = start();
    let start = Instant::now();
    let reply = get(addr, "/api/drip?bytes=1001&ms=400");
    let took = start.elapsed();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), 1001);
    assert_eq!(reply.header("content-length").as_deref(), Some("1001"));
    assert!(took >= Duration::from_millis(350), "{took:?}");
}

#[test]
fn status_answers_with_the_code_asked_for() {
    let addr = start();
    for code in [200u16, 404, 418, 500, 503] {
        let reply = get(addr, &format!("/api/status/{code}"));
        assert_eq!(reply.status, code);
        assert_eq!(reply.text(), format!("HTTP {code} as requested"));
    }
}

#[test]
fn flaky_fails_the_first_n_requests_of_an_id_then_succeeds() {
    let addr = start();
    let codes: Vec<u16> = (0..4)
        .map(|_| get(addr, "/api/flaky?id=a&fail=2").status)
        .collect();
    assert_eq!(codes, [503, 503, 200, 200]);
    assert_eq!(
        get(addr, "/api/flaky?id=b&fail=0").status,
        200,
        "ids are counted apart"
    );
    assert_eq!(get(addr, "/api/flaky?fail=1").status, 400);
    assert_eq!(get(addr, "/api/flaky?id=c&fail=11").status, 400);
}

#[test]
fn binary_is_octet_stream_of_the_size_asked_for() {
    let addr = start();
    let reply = get(addr, "/api/binary?bytes=300");
    assert_eq!(reply.body.len(), 300);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/octet-stream")
    );
}

#[test]
fn malformed_or_out_of_range_parameters_get_400_with_a_sentence() {
    let addr = start();
    for target in [
        "/api/delay/abc",
        "/api/delay/-5",
        "/api/delay/30001",
        "/api/drip?bytes=10000001",
        "/api/drip?bytes=10&ms=lots",
        "/api/drip?ms=30001",
        "/api/binary?bytes=1e9",
        "/api/status/99",
        "/api/status/600",
        "/api/status/teapot",
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 400, "{target}");
        let text = reply.text();
        assert!(
            text.ends_with('.') && text.contains("must be a whole number"),
            "{target}: {text}"
        );
    }
}

#[test]
fn static_files_have_the_right_types_and_paths_cannot_leave_www() {
    let addr = start();
    let index = get(addr, "/");
    assert_eq!(index.status, 200);
    assert!(index.header("content-type").unwrap().starts_with("text/html"));
    let js = get(addr, "/async-demo.js");
    assert!(js.header("content-type").unwrap().contains("javascript"));
    let css = get(addr, "/async-demo.css");
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    for escape in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/pkg/../../Cargo.toml",
    ] {
        let reply = get(addr, escape);
        assert!(reply.status >= 400, "{escape} answered {}", reply.status);
        assert!(
            !reply.text().contains("[workspace]"),
            "{escape} leaked Cargo.toml"
        );
    }
}

#[test]
fn stats_count_finished_and_aborted_requests() {
    let addr = start();
    get(addr, "/api/delay/1");
    get(addr, "/api/status/500");
    let after_two = stats(addr);
    assert_eq!(
        (after_two.started, after_two.finished, after_two.aborted),
        (2, 2, 0)
    );

    // A client that gives up half-way through a delay.
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET /api/delay/5000 HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(stats(addr).in_flight, 1);
    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut now = stats(addr);
    while now.aborted == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        now = stats(addr);
    }
    assert_eq!(
        (now.started, now.finished, now.aborted, now.in_flight),
        (3, 2, 1, 0)
    );

    // Three at once: the peak sees them together.
    let threads: Vec<_> = (0..3)
        .map(|_| std::thread::spawn(move || get(addr, "/api/delay/300")))
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().status, 200);
    }
    assert!(stats(addr).peak_in_flight >= 3);
    let reset: StatsSnapshot =
        serde_json::from_slice(&request(addr, "POST", "/api/stats/reset").body).unwrap();
    assert_eq!(
        (reset.started, reset.finished, reset.aborted, reset.peak_in_flight),
        (0, 0, 0, 0)
    );
}
