//! Character classes of the SIP grammar, as pjsip's scanner defines them,
//! and the `%XX` escaping helpers used by the parser, printer and comparer.
//!
//! Every class holds ASCII bytes only, so a scan that stops on a class
//! boundary always stops on a UTF-8 character boundary.

use std::borrow::Cow;

/// `b` as text, invalid UTF-8 replaced; borrowed and checked at full speed
/// when it is valid (nearly always: SIP is ASCII in practice).
pub fn lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// As [`lossy`], keeping the buffer when it is valid UTF-8.
pub fn lossy_owned(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A set of bytes, built at compile time.
#[derive(Clone, Copy)]
pub(crate) struct CharSet([bool; 256]);

impl CharSet {
    pub(crate) const fn empty() -> Self {
        CharSet([false; 256])
    }

    pub(crate) const fn with(mut self, extra: &[u8]) -> Self {
        let mut i = 0;
        while i < extra.len() {
            self.0[extra[i] as usize] = true;
            i += 1;
        }
        self
    }

    const fn with_range(mut self, lo: u8, hi: u8) -> Self {
        let mut c = lo;
        while c <= hi {
            self.0[c as usize] = true;
            c += 1;
        }
        self
    }

    const fn alnum() -> Self {
        Self::empty()
            .with_range(b'a', b'z')
            .with_range(b'A', b'Z')
            .with_range(b'0', b'9')
    }

    const fn union(mut self, other: &CharSet) -> Self {
        let mut i = 0;
        while i < 256 {
            if other.0[i] {
                self.0[i] = true;
            }
            i += 1;
        }
        self
    }

    #[inline]
    pub(crate) const fn has(&self, b: u8) -> bool {
        self.0[b as usize]
    }
}

const MARK: &[u8] = b"-_.!~*'()";

pub(crate) const DIGIT: CharSet = CharSet::empty().with_range(b'0', b'9');
pub(crate) const ALPHA: CharSet = CharSet::empty()
    .with_range(b'a', b'z')
    .with_range(b'A', b'Z');
/// `token` (RFC 3261 25.1) as pjsip has it: no `=`.
pub(crate) const TOKEN: CharSet = CharSet::alnum().with(b"-.!%*_`'~+");
/// Via parameters also accept IPv6 references in `received`/`maddr`.
pub(crate) const VIA_PARAM: CharSet = TOKEN.with(b"[:]");
pub(crate) const HOST: CharSet = CharSet::alnum().with(b"_-.");
pub(crate) const PARAM_CHAR: CharSet = CharSet::alnum().with(b"[]/:&+$").with(MARK).with(b"%");
pub(crate) const HDR_CHAR: CharSet = CharSet::alnum().with(b"[]/?:+$").with(MARK).with(b"%");
pub(crate) const USER: CharSet = CharSet::alnum().with(MARK).with(b"%&=+$,;?/");
/// pjsip parses the user part leniently, accepting `#`.
pub(crate) const USER_LENIENT: CharSet = USER.with(b"#");
pub(crate) const PASSWD: CharSet = CharSet::alnum().with(MARK).with(b"%&=+$,");
/// Content of a URI whose scheme pjsip does not know.
pub(crate) const OTHER_URI: CharSet = CharSet::alnum().with(b"#?;:@&=+-_.!~*'()%$,/");

pub(crate) const TEL_VISUAL_SEP: CharSet = CharSet::empty().with(b"-.()");
pub(crate) const TEL_NUMBER: CharSet = DIGIT
    .with_range(b'a', b'f')
    .with_range(b'A', b'F')
    .with(b"*#-.()+");
pub(crate) const TEL_EXT_VALUE: CharSet = DIGIT.with(b"-.()");
pub(crate) const TEL_PHONE_CONTEXT: CharSet = CharSet::alnum().with(b"+-.()");
pub(crate) const TEL_URIC: CharSet = CharSet::alnum().with(b"/:@&$,+").with(MARK).with(b"%[]");
pub(crate) const TEL_PNAME: CharSet = CharSet::alnum().with(b"-");
pub(crate) const TEL_PVALUE: CharSet = CharSet::alnum().with(b"[]/:&+$").with(MARK).with(b"%");
pub(crate) const TEL_PARSING_PVALUE: CharSet = TEL_URIC.union(&TEL_PVALUE).with(b"=");

/// Linear white space inside a header line (folding is undone earlier).
#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes every well-formed `%XX`; a `%` not followed by two hex digits is
/// kept as is, like pjsip's `pj_str_unescape`.
pub(crate) fn unescape(s: &str) -> Cow<'_, [u8]> {
    let b = s.as_bytes();
    if !b.contains(&b'%') {
        return Cow::Borrowed(b);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Cow::Owned(out)
}

/// Appends `bytes`, writing every byte outside `keep` as `%xx` (lower-case
/// hex, as pjsip prints).
pub(crate) fn escape_into(out: &mut String, bytes: &[u8], keep: &CharSet) {
    escape_runs(out, bytes, |b| keep.has(b));
}

/// Appends `bytes`, escaping those `keep` refuses; runs of kept ASCII go
/// in one copy (a value is usually all kept).
fn escape_runs(out: &mut String, bytes: &[u8], keep: impl Fn(u8) -> bool) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let run = rest.iter().position(|&b| !(b.is_ascii() && keep(b))).unwrap_or(rest.len());
        // An ASCII run is UTF-8.
        out.push_str(std::str::from_utf8(&rest[..run]).unwrap_or_default());
        if let Some(&b) = rest.get(run) {
            push_escaped(out, b, keep(b));
            rest = &rest[run + 1..];
        } else {
            rest = &[];
        }
    }
}

fn push_escaped(out: &mut String, b: u8, keep: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    if keep {
        out.push(b as char);
    } else {
        out.push('%');
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
}

/// What pjsip prints for a value it unescaped when parsing: decode, then
/// re-escape the bytes outside `keep`. Unlike pjsip, a decoded `%` is
/// always escaped: printed bare it would be decoded a second time when the
/// output is parsed (`%2541` would come back as `A`).
pub(crate) fn reescape_into(out: &mut String, s: &str, keep: &CharSet) {
    escape_runs(out, &unescape(s), |b| b != b'%' && keep.has(b));
}

/// ASCII case-insensitive equality of two values after unescaping.
pub(crate) fn eq_unescaped_ci(a: &str, b: &str) -> bool {
    unescape(a).eq_ignore_ascii_case(&unescape(b))
}

/// Case-sensitive equality of two values after unescaping.
pub(crate) fn eq_unescaped(a: &str, b: &str) -> bool {
    unescape(a) == unescape(b)
}

/// Whether a parameter name, once unescaped, is `known` (ASCII case-insensitive).
pub(crate) fn name_is(name: &str, known: &str) -> bool {
    unescape(name).eq_ignore_ascii_case(known.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(TOKEN.has(b'%') && TOKEN.has(b'`') && !TOKEN.has(b'='));
        assert!(VIA_PARAM.has(b':') && !TOKEN.has(b':'));
        assert!(USER_LENIENT.has(b'#') && !USER.has(b'#'));
        assert!(!PARAM_CHAR.has(b';') && PARAM_CHAR.has(b'['));
        assert!(TEL_PARSING_PVALUE.has(b'=') && TEL_PARSING_PVALUE.has(b'@'));
        assert!(!TEL_PARSING_PVALUE.has(b';'));
        for b in 128..=255u8 {
            assert!(!TOKEN.has(b) && !OTHER_URI.has(b) && !USER_LENIENT.has(b));
        }
    }

    #[test]
    fn unescape_rules() {
        assert_eq!(&*unescape("%61lice"), b"alice");
        assert_eq!(&*unescape("a%4"), b"a%4");
        assert_eq!(&*unescape("a%zz%41"), b"a%zzA");
        assert_eq!(&*unescape("%00"), b"\0");
        assert!(matches!(unescape("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_is_lower_hex() {
        let mut s = String::new();
        escape_into(&mut s, b"a:b@c\xff", &USER);
        assert_eq!(s, "a%3ab%40c%ff");
        let mut s = String::new();
        reescape_into(&mut s, "v%61lue%25%34%31", &PARAM_CHAR);
        // pjsip prints the decoded '%' bare (a PARAM_CHAR), which the next
        // parse decodes again; it stays escaped.
        assert_eq!(s, "value%2541");
    }
}
