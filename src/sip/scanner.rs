//! A small cursor over a `&str`, the building block of every parser here.
//!
//! It never panics: slicing goes through `str::get`, and all scans stop on
//! ASCII bytes (see `chars`), hence on character boundaries.

use super::chars::{is_ws, CharSet};
use crate::status::Status;

pub(crate) type PResult<T> = Result<T, Status>;

pub(crate) struct Scanner<'a> {
    src: &'a str,
    pos: usize,
    /// Status returned by the helpers on a syntax error.
    err: Status,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(src: &'a str, err: Status) -> Self {
        Scanner { src, pos: 0, err }
    }

    #[inline]
    pub(crate) fn err(&self) -> Status {
        self.err
    }

    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    #[inline]
    pub(crate) fn is_eof(&self) -> bool {
        self.pos >= self.src.len()
    }

    #[inline]
    pub(crate) fn at(&self, c: u8) -> bool {
        self.peek() == Some(c)
    }

    #[inline]
    pub(crate) fn bump(&mut self) {
        if self.pos < self.src.len() {
            self.pos += 1;
        }
    }

    pub(crate) fn eat(&mut self, c: u8) -> bool {
        if self.at(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, c: u8) -> PResult<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err)
        }
    }

    pub(crate) fn slice(&self, from: usize, to: usize) -> &'a str {
        self.src.get(from..to).unwrap_or("")
    }

    pub(crate) fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    /// Position of the first byte at or after the cursor that `stop`
    /// matches, without moving; `stop` must only match ASCII bytes.
    pub(crate) fn find_from(&self, stop: impl Fn(u8) -> bool) -> usize {
        let b = self.bytes();
        let mut i = self.pos;
        while i < b.len() && !stop(b[i]) {
            i += 1;
        }
        i
    }

    pub(crate) fn take_while(&mut self, set: &CharSet) -> &'a str {
        let start = self.pos;
        let b = self.bytes();
        while self.pos < b.len() && set.has(b[self.pos]) {
            self.pos += 1;
        }
        self.slice(start, self.pos)
    }

    /// Like `take_while` but at least one byte is required.
    pub(crate) fn take_while1(&mut self, set: &CharSet) -> PResult<&'a str> {
        let s = self.take_while(set);
        if s.is_empty() {
            Err(self.err)
        } else {
            Ok(s)
        }
    }

    /// Takes bytes up to (not including) the first one `stop` matches;
    /// `stop` must only match ASCII bytes.
    pub(crate) fn take_until(&mut self, stop: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        self.pos = self.find_from(stop);
        self.slice(start, self.pos)
    }

    pub(crate) fn skip_ws(&mut self) {
        let b = self.bytes();
        while self.pos < b.len() && is_ws(b[self.pos]) {
            self.pos += 1;
        }
    }

    /// A string delimited by `open` and `close` where a backslash escapes
    /// the next byte; returned with its delimiters. A line break inside is
    /// an error, as in pjsip.
    pub(crate) fn quoted(&mut self, open: u8, close: u8) -> PResult<&'a str> {
        let start = self.pos;
        if !self.eat(open) {
            return Err(self.err);
        }
        let b = self.bytes();
        let mut i = self.pos;
        loop {
            match b.get(i) {
                None | Some(b'\r') | Some(b'\n') => return Err(self.err),
                Some(b'\\') => {
                    if i + 1 >= b.len() {
                        return Err(self.err);
                    }
                    i += 2;
                }
                Some(&c) if c == close => {
                    i += 1;
                    break;
                }
                Some(_) => i += 1,
            }
        }
        // `i` follows an ASCII delimiter, so it is a character boundary.
        self.pos = i;
        Ok(self.slice(start, i))
    }

    /// Case-insensitive literal.
    pub(crate) fn eat_ci(&mut self, lit: &str) -> bool {
        let n = lit.len();
        match self.bytes().get(self.pos..self.pos + n) {
            Some(s) if s.eq_ignore_ascii_case(lit.as_bytes()) => {
                self.pos += n;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::chars::TOKEN;

    #[test]
    fn basics() {
        let mut sc = Scanner::new("abc def", 1);
        assert_eq!(sc.take_while(&TOKEN), "abc");
        assert!(sc.take_while1(&TOKEN).is_err());
        sc.skip_ws();
        assert_eq!(sc.rest(), "def");
        assert!(sc.eat_ci("DE"));
        assert!(!sc.eat_ci("FG"));
    }

    #[test]
    fn quoted_strings() {
        let mut sc = Scanner::new(r#""a\"b\\" x"#, 1);
        assert_eq!(sc.quoted(b'"', b'"').unwrap(), r#""a\"b\\""#);
        assert_eq!(sc.rest(), " x");
        assert!(Scanner::new("\"abc", 1).quoted(b'"', b'"').is_err());
        assert!(Scanner::new("\"ab\\", 1).quoted(b'"', b'"').is_err());
        assert!(Scanner::new("\"a\nb\"", 1).quoted(b'"', b'"').is_err());
        let mut sc = Scanner::new("\"é\\\u{e9}\"", 1);
        assert!(sc.quoted(b'"', b'"').is_ok());
        assert!(sc.is_eof());
    }
}
