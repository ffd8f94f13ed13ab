//! Virtual-time tests for the client transaction.

use super::*;

const UDP: bool = false;
const TCP: bool = true;

#[derive(Debug, Clone, Copy)]
enum Input {
    Response(u16),
    TransportError(i32),
}

/// Runs a transaction from `start`, jumping straight from one deadline to the
/// next, feeding scripted inputs at their times, and records every event with
/// the virtual time it came out at. Timers due at the same instant as an input
/// are fired first, the way an endpoint loop polls timers before reading
/// sockets.
fn run(
    reliable: bool,
    timers: Timers,
    start: u64,
    inputs: &[(u64, Input)],
    until: u64,
) -> (ClientTsx, Vec<(u64, Event)>) {
    let (mut tsx, first) = ClientTsx::new(reliable, timers, start);
    let mut log: Vec<(u64, Event)> = first.into_iter().map(|e| (start, e)).collect();
    let mut inputs = inputs.iter().peekable();
    // Bound the loop so a spinning state machine fails the test instead of
    // hanging it.
    for _ in 0..100_000 {
        let deadline = tsx.next_deadline();
        let input_at = inputs.peek().map(|(t, _)| *t);
        let take_input = match (deadline, input_at) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(d), Some(t)) => t < d,
        };
        if take_input {
            let Some(&(t, input)) = inputs.next() else {
                break;
            };
            if t > until {
                break;
            }
            let events = match input {
                Input::Response(code) => tsx.on_response(code, t),
                Input::TransportError(status) => tsx.on_transport_error(status, t),
            };
            log.extend(events.into_iter().map(|e| (t, e)));
        } else {
            let Some(d) = deadline else { break };
            if d > until {
                break;
            }
            log.extend(tsx.poll(d).into_iter().map(|e| (d, e)));
        }
    }
    (tsx, log)
}

fn transmit_times(log: &[(u64, Event)]) -> Vec<u64> {
    log.iter()
        .filter(|(_, e)| *e == Event::Transmit)
        .map(|(t, _)| *t)
        .collect()
}

fn non_transmit(log: &[(u64, Event)]) -> Vec<(u64, Event)> {
    log.iter()
        .filter(|(_, e)| *e != Event::Transmit)
        .copied()
        .collect()
}

/// The schedule the rule predicts: first retransmission after T1, then the
/// interval doubles up to T2, until Timer F (TD) ends it.
fn expected_udp_schedule(t: Timers, start: u64) -> Vec<u64> {
    let mut out = vec![start];
    let mut at = start + t.t1;
    let mut interval = t.t1;
    while at < start + t.td {
        out.push(at);
        interval = (interval * 2).min(t.t2);
        at += interval;
    }
    out
}

#[test]
fn udp_default_schedule_is_pjsip_exact() {
    let (tsx, log) = run(UDP, Timers::default(), 0, &[], 1_000_000);
    assert_eq!(
        transmit_times(&log),
        vec![0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
    );
    assert_eq!(
        non_transmit(&log),
        vec![
            (32000, Event::Final(Outcome::Timeout)),
            (32000, Event::Terminated)
        ]
    );
    assert_eq!(log.last(), Some(&(32000, Event::Terminated)));
    assert_eq!(tsx.state(), State::Terminated);
    assert_eq!(tsx.outcome().map(|o| o.code()), Some(408));
    assert_eq!(tsx.retransmit_count(), 10);
    assert_eq!(tsx.next_deadline(), None);
}

#[test]
fn schedule_is_relative_to_start_time() {
    let start = 7_000_123;
    let (_, log) = run(UDP, Timers::default(), start, &[], u64::MAX);
    let rel: Vec<u64> = transmit_times(&log).iter().map(|t| t - start).collect();
    assert_eq!(
        rel,
        vec![0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
    );
    assert_eq!(
        non_transmit(&log),
        vec![
            (start + 32000, Event::Final(Outcome::Timeout)),
            (start + 32000, Event::Terminated)
        ]
    );
}

#[test]
fn lowered_timers_follow_the_same_rule() {
    let t = Timers {
        t1: 100,
        t2: 400,
        t4: 500,
        td: 2000,
    };
    let (_, log) = run(UDP, t, 0, &[], u64::MAX);
    assert_eq!(
        transmit_times(&log),
        vec![0, 100, 300, 700, 1100, 1500, 1900]
    );
    assert_eq!(
        non_transmit(&log),
        vec![
            (2000, Event::Final(Outcome::Timeout)),
            (2000, Event::Terminated)
        ]
    );
}

#[test]
fn various_timer_configs_match_rule() {
    let configs = [
        (200, 1000, 10_000),
        (250, 250, 4000),
        (50, 6400, 20_000),
        (1, 1, 30),
        (300, 4000, 64 * 300),
    ];
    for (t1, t2, td) in configs {
        let t = Timers { t1, t2, t4: 1, td };
        let (_, log) = run(UDP, t, 42, &[], u64::MAX);
        assert_eq!(
            transmit_times(&log),
            expected_udp_schedule(t, 42),
            "config {t:?}"
        );
        assert_eq!(
            non_transmit(&log),
            vec![
                (42 + td, Event::Final(Outcome::Timeout)),
                (42 + td, Event::Terminated)
            ],
            "config {t:?}"
        );
    }
}

#[test]
fn timer_f_is_td_not_64_t1() {
    // 64*T1 would be 6400 ms; TD says 9000.
    let t = Timers {
        t1: 100,
        t2: 4000,
        t4: 5000,
        td: 9000,
    };
    let (_, log) = run(TCP, t, 0, &[], u64::MAX);
    assert_eq!(
        non_transmit(&log),
        vec![
            (9000, Event::Final(Outcome::Timeout)),
            (9000, Event::Terminated)
        ]
    );
}

#[test]
fn t2_below_t1_caps_after_first_interval() {
    // pjsip arms the first retransmission at T1 unconditionally and only caps
    // the doubled intervals.
    let t = Timers {
        t1: 1000,
        t2: 300,
        t4: 0,
        td: 3000,
    };
    let (_, log) = run(UDP, t, 0, &[], u64::MAX);
    assert_eq!(
        transmit_times(&log),
        vec![0, 1000, 1300, 1600, 1900, 2200, 2500, 2800]
    );
}

#[test]
fn provisional_switches_to_t2_and_final_completes() {
    let inputs = [
        (2000, Input::Response(100)),
        (7000, Input::Response(180)), // later 1xx must not move Timer E
        (15000, Input::Response(200)),
    ];
    let (tsx, log) = run(UDP, Timers::default(), 0, &inputs, u64::MAX);
    // 0, 500, 1500 before the 1xx; then every T2 from the 1xx.
    assert_eq!(transmit_times(&log), vec![0, 500, 1500, 6000, 10000, 14000]);
    assert_eq!(
        non_transmit(&log),
        vec![
            (15000, Event::Final(Outcome::Response { code: 200 })),
            (20000, Event::Terminated)
        ]
    );
    assert_eq!(tsx.state(), State::Terminated);
}

#[test]
fn states_along_the_way() {
    let (mut tsx, _) = ClientTsx::new(UDP, Timers::default(), 0);
    assert_eq!(tsx.state(), State::Trying);
    assert!(tsx.on_response(183, 10).is_empty());
    assert_eq!(tsx.state(), State::Proceeding);
    assert_eq!(tsx.next_deadline(), Some(4010));
    assert_eq!(
        tsx.on_response(200, 20),
        vec![Event::Final(Outcome::Response { code: 200 })]
    );
    assert_eq!(tsx.state(), State::Completed);
    // Only Timer K is left.
    assert_eq!(tsx.next_deadline(), Some(5020));
    assert!(tsx.poll(5019).is_empty());
    assert_eq!(tsx.poll(5020), vec![Event::Terminated]);
    assert_eq!(tsx.state(), State::Terminated);
    assert!(tsx.poll(100_000).is_empty());
}

#[test]
fn provisional_keeps_timer_f_running() {
    let inputs = [(2000, Input::Response(100))];
    let (_, log) = run(UDP, Timers::default(), 0, &inputs, u64::MAX);
    let mut want = vec![0, 500, 1500];
    want.extend((6000..=30000).step_by(4000));
    assert_eq!(transmit_times(&log), want);
    assert_eq!(
        non_transmit(&log),
        vec![
            (32000, Event::Final(Outcome::Timeout)),
            (32000, Event::Terminated)
        ]
    );
}

#[test]
fn reliable_sends_once_and_times_out_at_td() {
    let (tsx, log) = run(TCP, Timers::default(), 0, &[], u64::MAX);
    assert_eq!(
        log,
        vec![
            (0, Event::Transmit),
            (32000, Event::Final(Outcome::Timeout)),
            (32000, Event::Terminated)
        ]
    );
    assert_eq!(tsx.retransmit_count(), 0);
}

#[test]
fn reliable_provisional_does_not_start_retransmits() {
    let inputs = [(100, Input::Response(100))];
    let (_, log) = run(TCP, Timers::default(), 0, &inputs, u64::MAX);
    assert_eq!(transmit_times(&log), vec![0]);
    assert_eq!(
        non_transmit(&log),
        vec![
            (32000, Event::Final(Outcome::Timeout)),
            (32000, Event::Terminated)
        ]
    );
}

#[test]
fn reliable_final_terminates_immediately() {
    let (mut tsx, _) = ClientTsx::new(TCP, Timers::default(), 0);
    assert!(tsx.on_response(100, 50).is_empty());
    assert_eq!(
        tsx.on_response(200, 60),
        vec![
            Event::Final(Outcome::Response { code: 200 }),
            Event::Terminated
        ]
    );
    assert_eq!(tsx.state(), State::Terminated);
    assert_eq!(tsx.next_deadline(), None);
    assert!(tsx.on_response(200, 70).is_empty());
}

#[test]
fn udp_with_zero_t4_terminates_immediately() {
    let t = Timers {
        t4: 0,
        ..Timers::default()
    };
    let (mut tsx, _) = ClientTsx::new(UDP, t, 0);
    assert_eq!(
        tsx.on_response(404, 10),
        vec![
            Event::Final(Outcome::Response { code: 404 }),
            Event::Terminated
        ]
    );
}

#[test]
fn completed_absorbs_retransmitted_finals_and_late_provisionals() {
    let (mut tsx, _) = ClientTsx::new(UDP, Timers::default(), 0);
    assert_eq!(
        tsx.on_response(401, 800),
        vec![Event::Final(Outcome::Response { code: 401 })]
    );
    assert!(tsx.on_response(401, 900).is_empty());
    assert!(tsx.on_response(200, 950).is_empty());
    assert!(tsx.on_response(180, 1000).is_empty());
    assert!(tsx.on_transport_error(120_111, 1000).is_empty());
    // No retransmission in Completed, only Timer K.
    assert_eq!(tsx.next_deadline(), Some(5800));
    assert_eq!(tsx.outcome(), Some(Outcome::Response { code: 401 }));
    assert_eq!(tsx.poll(5800), vec![Event::Terminated]);
    assert!(tsx.on_response(401, 6000).is_empty());
}

#[test]
fn no_transmit_after_final() {
    let inputs = [(600, Input::Response(200))];
    let (_, log) = run(UDP, Timers::default(), 0, &inputs, u64::MAX);
    assert_eq!(
        log,
        vec![
            (0, Event::Transmit),
            (500, Event::Transmit),
            (600, Event::Final(Outcome::Response { code: 200 })),
            (5600, Event::Terminated)
        ]
    );
}

#[test]
fn transport_error_in_trying() {
    let (mut tsx, _) = ClientTsx::new(UDP, Timers::default(), 0);
    let ev = tsx.on_transport_error(120_111, 0);
    assert_eq!(
        ev,
        vec![
            Event::Final(Outcome::TransportError { status: 120_111 }),
            Event::Terminated
        ]
    );
    assert_eq!(tsx.outcome().map(|o| o.code()), Some(503));
    assert_eq!(tsx.state(), State::Terminated);
    assert_eq!(tsx.next_deadline(), None);
    assert!(tsx.poll(u64::MAX).is_empty());
    assert!(tsx.on_transport_error(1, 5).is_empty());
    assert!(tsx.on_response(200, 5).is_empty());
}

#[test]
fn transport_error_on_retransmission_in_proceeding() {
    let inputs = [
        (100, Input::Response(100)),
        (4100, Input::TransportError(171_060)),
    ];
    let (_, log) = run(UDP, Timers::default(), 0, &inputs, u64::MAX);
    assert_eq!(
        log,
        vec![
            (0, Event::Transmit),
            (4100, Event::Transmit),
            (
                4100,
                Event::Final(Outcome::TransportError { status: 171_060 })
            ),
            (4100, Event::Terminated)
        ]
    );
}

#[test]
fn late_poll_times_out_once_without_transmit() {
    let (mut tsx, _) = ClientTsx::new(UDP, Timers::default(), 0);
    assert_eq!(
        tsx.poll(40000),
        vec![Event::Final(Outcome::Timeout), Event::Terminated]
    );
    assert!(tsx.poll(40000).is_empty());
    assert!(tsx.poll(80000).is_empty());
    assert_eq!(tsx.retransmit_count(), 0);
}

#[test]
fn late_poll_before_timeout_sends_one_retransmission() {
    let (mut tsx, _) = ClientTsx::new(UDP, Timers::default(), 0);
    // Timer E was due at 500 and 1500 (and 3500); we only get to run at 5000.
    assert_eq!(tsx.poll(5000), vec![Event::Transmit]);
    assert!(tsx.poll(5000).is_empty());
    // The second interval (2*T1) counts from when we actually fired.
    assert_eq!(tsx.next_deadline(), Some(6000));
    assert_eq!(tsx.poll(6000), vec![Event::Transmit]);
    assert_eq!(tsx.next_deadline(), Some(8000));
}

#[test]
fn e_and_f_due_together_means_timeout_only() {
    let t = Timers {
        td: 31500,
        ..Timers::default()
    };
    let (tsx, log) = run(UDP, t, 0, &[], u64::MAX);
    assert_eq!(
        transmit_times(&log),
        vec![0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500]
    );
    assert_eq!(
        non_transmit(&log),
        vec![
            (31500, Event::Final(Outcome::Timeout)),
            (31500, Event::Terminated)
        ]
    );
    assert_eq!(tsx.retransmit_count(), 9);
}

#[test]
fn out_of_range_codes_are_ignored() {
    let (mut tsx, _) = ClientTsx::new(UDP, Timers::default(), 0);
    for code in [0, 99, 700, 999, u16::MAX] {
        assert!(tsx.on_response(code, 1).is_empty());
        assert_eq!(tsx.state(), State::Trying);
    }
}

#[test]
fn zero_timers_do_not_spin() {
    let t = Timers {
        t1: 0,
        t2: 0,
        t4: 0,
        td: 10,
    };
    let (_, log) = run(UDP, t, 0, &[], u64::MAX);
    // Clamped to 1 ms: 0..=9, timeout at 10.
    assert_eq!(transmit_times(&log), (0..10).collect::<Vec<_>>());
    assert_eq!(
        non_transmit(&log),
        vec![
            (10, Event::Final(Outcome::Timeout)),
            (10, Event::Terminated)
        ]
    );
}

#[test]
fn huge_times_saturate_instead_of_overflowing() {
    let t = Timers {
        t1: u64::MAX / 2,
        t2: u64::MAX,
        t4: u64::MAX,
        td: u64::MAX,
    };
    let (mut tsx, _) = ClientTsx::new(UDP, t, u64::MAX - 10);
    assert_eq!(tsx.next_deadline(), Some(u64::MAX));
    assert_eq!(
        tsx.poll(u64::MAX),
        vec![Event::Final(Outcome::Timeout), Event::Terminated]
    );
    let (mut tsx, _) = ClientTsx::new(UDP, t, 0);
    assert_eq!(tsx.poll(u64::MAX / 2), vec![Event::Transmit]);
    assert_eq!(tsx.on_response(200, u64::MAX - 1).len(), 1);
    assert_eq!(tsx.next_deadline(), Some(u64::MAX));
}

/// Random inputs at random times must always respect the event contract:
/// at most one Final, Terminated exactly once and only after Final, nothing
/// after Terminated, no Transmit after Final, and Transmit only over UDP after
/// the first.
#[test]
fn event_contract_holds_under_random_driving() {
    let mut seed: u64 = 0xDEAD_BEEF_CAFE_F00D;
    let mut rnd = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for round in 0..2000 {
        let reliable = rnd(2) == 0;
        let t = Timers {
            t1: 1 + rnd(600),
            t2: 1 + rnd(5000),
            t4: rnd(6000),
            td: rnd(40000),
        };
        let mut now = rnd(1000);
        let (mut tsx, first) = ClientTsx::new(reliable, t, now);
        let mut log = first;
        for _ in 0..60 {
            now += rnd(3000);
            let ev = match rnd(6) {
                0 => tsx.on_response(100 + rnd(100) as u16, now),
                1 => tsx.on_response(200 + rnd(500) as u16, now),
                2 => tsx.on_transport_error(-(rnd(1000) as i32), now),
                _ => tsx.poll(now),
            };
            log.extend(ev);
        }
        // Let it run to completion.
        while let Some(d) = tsx.next_deadline() {
            log.extend(tsx.poll(d.max(now)));
        }

        let ctx = format!("round {round} reliable={reliable} {t:?}: {log:?}");
        assert_eq!(log.first(), Some(&Event::Transmit), "{ctx}");
        let finals: Vec<usize> = (0..log.len())
            .filter(|&i| matches!(log[i], Event::Final(_)))
            .collect();
        assert_eq!(finals.len(), 1, "{ctx}");
        let terms: Vec<usize> = (0..log.len())
            .filter(|&i| log[i] == Event::Terminated)
            .collect();
        assert_eq!(terms, vec![log.len() - 1], "{ctx}");
        assert!(finals[0] < terms[0], "{ctx}");
        assert!(
            log[finals[0]..].iter().all(|e| *e != Event::Transmit),
            "{ctx}"
        );
        if reliable {
            assert_eq!(
                log.iter().filter(|e| **e == Event::Transmit).count(),
                1,
                "{ctx}"
            );
        }
        assert_eq!(tsx.state(), State::Terminated, "{ctx}");
        assert_eq!(
            Some(Event::Final(tsx.outcome().unwrap_or(Outcome::Timeout))),
            log.get(finals[0]).copied(),
            "{ctx}"
        );
    }
}

#[test]
fn first_interval_from_cached_t1_then_live_doubling() {
    // pjsip: first retransmission after the cached T1 (500), then 2*T1, 4*T1
    // of the T1 in force (100), capped at T2 (400).
    let t = Timers { t1: 100, t2: 400, t4: 5000, td: 32000 };
    let (mut tsx, ev) = ClientTsx::with_first_interval(false, t, 500, 0);
    assert_eq!(ev, vec![Event::Transmit]);
    let mut sent = vec![0u64];
    for now in 1..=2000u64 {
        if tsx.poll(now).contains(&Event::Transmit) {
            sent.push(now);
        }
    }
    assert_eq!(sent, vec![0, 500, 700, 1100, 1500, 1900]);
}
