//! Non-INVITE client transaction (RFC 3261 section 17.1.2), sans-IO.
//!
//! The state machine never touches a socket or a clock. The caller feeds it
//! what happened (a response arrived, a send failed, time moved on) together
//! with the current time in milliseconds, and gets back a list of [`Event`]s to
//! act on: send the request again, report the final outcome to the user, drop
//! the transaction. Because time is just a number, tests can run the full
//! 32-second Timer F schedule instantly.
//!
//! The timer behaviour follows pjsip rather than the RFC text where the two
//! differ:
//!
//! * Timer E starts at T1 and doubles after each retransmission, capped at T2.
//! * The first provisional response restarts Timer E at T2 (the RFC would let
//!   the running Timer E expire first); later 1xx responses leave it alone.
//! * Timer F is TD, taken as configured instead of being derived as 64*T1.
//! * A timeout or transport error moves straight to Terminated, skipping
//!   Completed; a final response moves to Completed and Timer K (T4 on
//!   unreliable transports, zero on reliable ones) then terminates.
//! * A timer that fires late reschedules relative to the time it actually
//!   fired, like pjlib's timer heap does.

mod client;

pub use client::{
    ClientTsx, Event, Outcome, State, Timers, TIMEOUT_REASON, TIMEOUT_STATUS_CODE,
    TRANSPORT_ERROR_STATUS_CODE,
};

#[cfg(test)]
mod tests;
