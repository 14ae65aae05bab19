use super::*;

#[test]
fn a_path_names_its_endpoint_and_parameter_or_gets_a_404_or_405() {
    assert_eq!(route("GET", "/delay/300"), Ok((Endpoint::Delay, Some("300"))));
    assert_eq!(route("HEAD", "delay/300"), Ok((Endpoint::Delay, Some("300"))));
    assert_eq!(
        route("GET", "status/%35%30%33"),
        Ok((Endpoint::Status, Some("%35%30%33")))
    );
    assert_eq!(route("GET", "drip"), Ok((Endpoint::Drip, None)));
    assert_eq!(route("POST", "stats/reset"), Ok((Endpoint::Reset, None)));
    for path in [
        "",
        "delay",
        "delay/",
        "delay/1/2",
        "drip/",
        "stats/reset/x",
        "fault/hang",
        "Delay/1",
    ] {
        assert_eq!(route("GET", path).unwrap_err().status, 404, "{path}");
    }
    let refused = route("GET", "stats/reset").unwrap_err();
    assert_eq!(refused.status, 405);
    assert!(refused.text.contains("does not answer GET"), "{}", refused.text);
    assert_eq!(route("DELETE", "delay/1").unwrap_err().status, 405);
    assert_eq!(Endpoint::Reset.name(), "stats");
    assert_eq!(Endpoint::Delay.name(), "delay");
}

#[test]
fn numbers_are_digits_alone_within_their_limit() {
    assert_eq!(delay("007"), Ok(7));
    assert_eq!(delay("%33%30"), Ok(30));
    for bad in [
        "",
        "+5",
        "%2B5",
        "5.0",
        " 5",
        "30001",
        "%ff",
        "99999999999999999999999",
    ] {
        let refused = delay(bad).unwrap_err();
        assert_eq!(refused.status, 400, "{bad}");
        assert!(
            refused
                .text
                .starts_with("The delay must be a whole number of milliseconds from 0 to 30000"),
            "{}",
            refused.text
        );
    }
    // A segment that is not UTF-8 once decoded is quoted as sent.
    assert!(delay("%ff").unwrap_err().text.ends_with("got “%ff”."));
    assert_eq!(status("503"), Sentence::new(503, "HTTP 503 as requested"));
    assert_eq!(status("199").status, 400);
    assert_eq!(status("600").status, 400);
    let long = "9".repeat(100);
    assert!(status(&long).text.contains('…'));
}

#[test]
fn a_query_reads_as_url_search_params_does() {
    let query = Query::parse("bytes=1%30&ms=a+b&ms=2&odd=%zz%41&=x&flag");
    assert_eq!(query.get("bytes"), Some("10"));
    assert_eq!(query.get("ms"), Some("2"), "the last of a repeated name");
    assert_eq!(query.get("odd"), Some("%zzA"), "a lone % is kept");
    assert_eq!(query.get("flag"), Some(""));
    assert_eq!(Query::parse("id=%ff").get("id"), Some("\u{fffd}"));
    assert_eq!(Query::parse("ms=a+b").get("ms"), Some("a b"));
    let refused = drip(&Query::parse("ms=+5")).unwrap_err();
    assert_eq!(refused.text, "Parameter ms must be a whole number of milliseconds from 0 to 30000, in the digits 0–9 alone; got “ 5”.");
}

#[test]
fn a_drip_shares_its_bytes_over_steps_of_50_ms() {
    for (bytes, ms) in [
        (1000, 1000),
        (7, 1000),
        (0, 0),
        (10_000_000, 0),
        (3, 30_000),
        (1001, 333),
    ] {
        let d = drip(&Query::parse(&format!("bytes={bytes}&ms={ms}"))).unwrap();
        assert!(d.steps >= 1 && d.steps <= bytes.max(1), "{d:?}");
        assert_eq!((0..d.steps).map(|s| d.step_bytes(s)).sum::<u64>(), bytes, "{d:?}");
        assert!(d.interval_ms * d.steps <= ms, "{d:?}");
    }
    assert_eq!(
        drip(&Query::default()).unwrap(),
        Drip {
            bytes: 1000,
            steps: 20,
            interval_ms: 50
        }
    );
}

#[test]
fn binary_bytes_repeat_every_32_kib() {
    assert_eq!(binary(&Query::default()), Ok(1024));
    assert_eq!(binary(&Query::parse("bytes=10000001")).unwrap_err().status, 400);
    for i in [0u64, 1, 127, 4096, 32_767, 65_535, 9_999_999] {
        assert_eq!(binary_byte(i), binary_byte(i % 32_768), "{i}");
        // As the worker's JavaScript once wrote it, with numbers of 15 bits.
        assert_eq!(
            u64::from(binary_byte(i)),
            (((i & 0x7fff) * (2_654_435_761 & 0x7fff)) & 0x7fff) >> 7,
            "{i}"
        );
    }
}

#[test]
fn flaky_fails_as_asked_then_succeeds_and_refuses_bad_ids() {
    let mut flaky = Flaky::default();
    let query = Query::parse("id=x&fail=1");
    assert_eq!(
        flaky.answer(&query),
        Sentence::new(503, "attempt 1 of “x” fails on purpose (1 will)")
    );
    assert_eq!(
        flaky.answer(&query),
        Sentence::new(200, "attempt 2 of “x” succeeded")
    );
    assert_eq!(
        flaky.answer(&Query::parse("fail=1")).text,
        "Parameter id must be 1 to 64 characters long; got 0: “”."
    );
    assert_eq!(
        flaky
            .answer(&Query::parse(&format!("id={}", "é".repeat(65))))
            .status,
        400
    );
    assert_eq!(flaky.answer(&Query::parse("id=y&fail=11")).status, 400);
}

#[test]
fn reason_phrases_are_hypers() {
    assert_eq!(reason(200), "OK");
    assert_eq!(reason(418), "I'm a teapot");
    assert_eq!(reason(503), "Service Unavailable");
    assert_eq!(reason(299), "");
    assert_eq!(reason(1000), "");
}
