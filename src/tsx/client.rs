//! The client transaction state machine itself. See the parent module for the
//! overall behaviour.

/// SIP status code reported when Timer F expires.
pub const TIMEOUT_STATUS_CODE: u16 = 408;
/// Reason phrase pjsip uses for a transaction timeout.
pub const TIMEOUT_REASON: &str = "Request Timeout";
/// SIP status code reported when the transport fails to send the request.
pub const TRANSPORT_ERROR_STATUS_CODE: u16 = 503;

/// Timer base values in milliseconds, supplied per transaction so that each
/// one can follow the configuration in force when it was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timers {
    /// Round-trip estimate; first retransmission interval.
    pub t1: u64,
    /// Cap on the retransmission interval, and the interval once a
    /// provisional response has been seen.
    pub t2: u64,
    /// How long the network may still deliver copies of a response; the
    /// Timer K duration on unreliable transports.
    pub t4: u64,
    /// Transaction timeout, used as Timer F.
    pub td: u64,
}

impl Timers {
    /// pjsip's defaults: T1 500 ms, T2 4 s, T4 5 s, TD 32 s.
    pub const DEFAULT: Timers = Timers {
        t1: 500,
        t2: 4000,
        t4: 5000,
        td: 32000,
    };
}

impl Default for Timers {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Client transaction state. pjsip calls the first state "Calling"; RFC 3261
/// calls it "Trying" for non-INVITE transactions, which is the name used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Request sent, nothing heard back yet.
    Trying,
    /// At least one provisional (1xx) response received.
    Proceeding,
    /// Final response received; waiting out Timer K to absorb retransmitted
    /// copies of it.
    Completed,
    /// Done. No further events will be produced.
    Terminated,
}

/// How the transaction ended, as seen by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A final (200-699) response arrived.
    Response {
        /// Its status code.
        code: u16,
    },
    /// Timer F expired without a final response (reported as 408).
    Timeout,
    /// Sending failed (reported as 503). `status` is the caller's error
    /// status (a `pj_status_t`), passed through unchanged.
    TransportError {
        /// Error status describing the failure.
        status: i32,
    },
}

impl Outcome {
    /// The SIP status code pjsip would put in `tsx->status_code` for this
    /// outcome.
    pub fn code(&self) -> u16 {
        match *self {
            Outcome::Response { code } => code,
            Outcome::Timeout => TIMEOUT_STATUS_CODE,
            Outcome::TransportError { .. } => TRANSPORT_ERROR_STATUS_CODE,
        }
    }
}

/// Something the caller has to act on, in the order returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// Hand the request to the transport (first send or a retransmission).
    Transmit,
    /// The transaction reached its final result; deliver it to the user.
    /// Emitted exactly once per transaction.
    Final(Outcome),
    /// The transaction is over and can be dropped. Emitted exactly once,
    /// always after `Final`.
    Terminated,
}

/// A non-INVITE client transaction.
///
/// Drive it with [`on_response`](Self::on_response),
/// [`on_transport_error`](Self::on_transport_error) and
/// [`poll`](Self::poll); ask [`next_deadline`](Self::next_deadline) when to
/// poll next. Inputs never fire timers implicitly: if both a response and an
/// expired timer are pending, the caller decides which to feed first.
#[derive(Debug, Clone)]
pub struct ClientTsx {
    reliable: bool,
    timers: Timers,
    state: State,
    /// Retransmissions sent so far (not counting the first transmission).
    /// Drives the doubling of the Timer E interval.
    retransmits: u32,
    timer_e: Option<u64>,
    timer_f: Option<u64>,
    timer_k: Option<u64>,
    outcome: Option<Outcome>,
}

impl ClientTsx {
    /// Starts a transaction at time `now`. The returned events begin with the
    /// initial [`Event::Transmit`].
    ///
    /// `reliable` is true for stream transports (TCP, TLS), which do their own
    /// retransmission, so Timer E is never armed and Timer K is zero.
    pub fn new(reliable: bool, timers: Timers, now: u64) -> (Self, Vec<Event>) {
        Self::with_first_interval(reliable, timers, timers.t1, now)
    }

    /// As `new`, with the first retransmission `first_interval` after the
    /// send: pjsip arms it from the T1 it cached when the transaction layer
    /// started, while later intervals follow the T1/T2 in force.
    pub fn with_first_interval(reliable: bool, timers: Timers, first_interval: u64, now: u64) -> (Self, Vec<Event>) {
        let tsx = ClientTsx {
            reliable,
            timers,
            state: State::Trying,
            retransmits: 0,
            // pjsip arms the first retransmission at T1 without applying the
            // T2 cap; the cap only affects the doubled intervals.
            timer_e: (!reliable).then(|| now.saturating_add(at_least_1ms(first_interval))),
            timer_f: Some(now.saturating_add(timers.td)),
            timer_k: None,
            outcome: None,
        };
        (tsx, vec![Event::Transmit])
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The final outcome, once there is one.
    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    /// Whether the transaction runs over a reliable transport.
    pub fn is_reliable(&self) -> bool {
        self.reliable
    }

    /// The timer values this transaction was created with.
    pub fn timers(&self) -> Timers {
        self.timers
    }

    /// Retransmissions performed so far (the first send is not counted).
    pub fn retransmit_count(&self) -> u32 {
        self.retransmits
    }

    /// Earliest time at which [`poll`](Self::poll) has something to do, or
    /// `None` when no timer is armed (i.e. after termination).
    pub fn next_deadline(&self) -> Option<u64> {
        [self.timer_e, self.timer_f, self.timer_k]
            .into_iter()
            .flatten()
            .min()
    }

    /// Feeds a response received for this transaction.
    ///
    /// 1xx moves Trying to Proceeding; 200-699 completes the transaction and
    /// yields [`Event::Final`]. Anything after the final response (retransmitted
    /// finals, late 1xx) is absorbed silently, as are codes outside 100-699,
    /// which no valid response carries.
    pub fn on_response(&mut self, code: u16, now: u64) -> Vec<Event> {
        if !(100..=699).contains(&code) {
            return Vec::new();
        }
        match self.state {
            State::Trying | State::Proceeding if code < 200 => {
                if self.state == State::Trying {
                    self.state = State::Proceeding;
                    // Only the first provisional response restarts Timer E,
                    // now at the fixed T2 interval (pjsip's behaviour); Timer F
                    // keeps running so a server stuck on 1xx still times out.
                    if !self.reliable {
                        self.timer_e = Some(now.saturating_add(at_least_1ms(self.timers.t2)));
                    }
                }
                Vec::new()
            }
            State::Trying | State::Proceeding => self.complete(code, now),
            State::Completed | State::Terminated => Vec::new(),
        }
    }

    /// Reports that handing the request to the transport failed with
    /// `status`. Before a final response this ends the transaction with
    /// [`Outcome::TransportError`]; afterwards nothing is being sent, so it is
    /// ignored.
    pub fn on_transport_error(&mut self, status: i32, _now: u64) -> Vec<Event> {
        match self.state {
            State::Trying | State::Proceeding => {
                self.terminate_with(Outcome::TransportError { status })
            }
            State::Completed | State::Terminated => Vec::new(),
        }
    }

    /// Fires every timer due at `now`.
    ///
    /// If the caller polls late and several timers are due, the terminal one
    /// wins: once Timer F has expired the transaction times out without a
    /// last, pointless retransmission. Missed Timer E expiries collapse into a
    /// single retransmission, since a burst of identical datagrams sent at the
    /// same instant adds nothing.
    pub fn poll(&mut self, now: u64) -> Vec<Event> {
        match self.state {
            State::Trying | State::Proceeding => {
                if is_due(self.timer_f, now) {
                    return self.terminate_with(Outcome::Timeout);
                }
                if is_due(self.timer_e, now) {
                    self.retransmits = self.retransmits.saturating_add(1);
                    // Relative to `now`, not to the missed deadline, like a
                    // pjlib timer callback rescheduling itself.
                    self.timer_e = Some(now.saturating_add(self.retransmit_interval()));
                    return vec![Event::Transmit];
                }
                Vec::new()
            }
            State::Completed => {
                if is_due(self.timer_k, now) {
                    self.timer_k = None;
                    self.state = State::Terminated;
                    return vec![Event::Terminated];
                }
                Vec::new()
            }
            State::Terminated => Vec::new(),
        }
    }

    // ---- internals -------------------------------------------------------

    /// Interval until the retransmission after the one just sent.
    fn retransmit_interval(&self) -> u64 {
        let t2 = at_least_1ms(self.timers.t2);
        if self.state == State::Proceeding {
            return t2;
        }
        // T1 * 2^retransmits, saturating instead of overflowing, then capped.
        let factor = 1u64.checked_shl(self.retransmits).unwrap_or(u64::MAX);
        let doubled = at_least_1ms(self.timers.t1).saturating_mul(factor);
        doubled.min(t2)
    }

    /// Final response received: report it, then wait for Timer K.
    fn complete(&mut self, code: u16, now: u64) -> Vec<Event> {
        let outcome = Outcome::Response { code };
        self.outcome = Some(outcome);
        self.timer_e = None;
        self.timer_f = None;
        self.state = State::Completed;
        let mut events = vec![Event::Final(outcome)];
        let linger = if self.reliable { 0 } else { self.timers.t4 };
        if linger == 0 {
            // A zero Timer K would only make the caller poll once more for
            // nothing; end right away, after the user has seen the result.
            self.state = State::Terminated;
            events.push(Event::Terminated);
        } else {
            self.timer_k = Some(now.saturating_add(linger));
        }
        events
    }

    /// Ends the transaction without passing through Completed (timeout or
    /// transport failure), as pjsip does.
    fn terminate_with(&mut self, outcome: Outcome) -> Vec<Event> {
        self.outcome = Some(outcome);
        self.timer_e = None;
        self.timer_f = None;
        self.timer_k = None;
        self.state = State::Terminated;
        vec![Event::Final(outcome), Event::Terminated]
    }
}

fn is_due(deadline: Option<u64>, now: u64) -> bool {
    deadline.is_some_and(|d| d <= now)
}

/// Retransmission intervals of zero would make `next_deadline` equal to the
/// time just polled and spin the caller, so they are clamped to 1 ms.
fn at_least_1ms(ms: u64) -> u64 {
    ms.max(1)
}
