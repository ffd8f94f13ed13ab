//! RFC 4475 torture messages (the parsing ones) and robustness tests.
//!
//! Outcomes follow pjsip where pjsip is more tolerant than the RFC asks:
//! lwsstart (several SP in the request line), trws (SP at the end of the
//! request line), badaspec (blanks inside `<>` in a header) and baddn
//! (unquoted display name with a comma) are accepted, as pjsip's scanner
//! accepts them. Messages that are syntactically fine but semantically bad
//! (escruri, baddate, mismatch01/02, badbranch, insuf, unkscm, novelsc,
//! bext01, bcast, zeromf, multi01) parse; insuf then fails
//! `check_required_headers`.

use super::*;
use crate::status::*;

/// The RFC writes messages with CRLF line ends.
fn crlf(s: &str) -> Vec<u8> {
    s.replace('\n', "\r\n").into_bytes()
}

/// The RFC's usual SDP body for `ip` (150 octets for a one-digit last byte).
fn sdp(ip: &str) -> String {
    format!(
        "v=0\r\no=mhandley 29739 7272939 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
m=audio 49217 RTP/AVP 0 12\r\nm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n"
    )
}

/// Headers written with LF (turned into CRLF), then the body as is.
fn msg(headers: &str, body: &str) -> Vec<u8> {
    let mut v = crlf(headers);
    v.extend_from_slice(body.as_bytes());
    v
}

fn ok(b: &[u8]) -> Message {
    match parse_message(b) {
        Ok(m) => m,
        Err(e) => panic!("{e}: {}", String::from_utf8_lossy(b)),
    }
}

fn sip_of(u: &Uri) -> &SipUri {
    match u {
        Uri::Sip(s) => s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn wsinv() {
    let body = sdp("192.0.2.3");
    assert_eq!(body.len(), 150);
    let raw = msg(
        r#"INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0
TO :
 sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
from   : "J Rosenberg \\\""       <sip:jdrosen@example.com>
  ;
  tag = 98asjd8
MaX-fOrWaRdS: 0068
Call-ID: wsinv.ndaksdj@192.0.2.1
Content-Length   : 150
cseq: 0009
  INVITE
Via  : SIP  /   2.0
 /UDP
    192.0.2.2;branch=390skdjuw
s :
NewFangledHeader:   newfangled value
 continued newfangled value
UnknownHeaderWithUnusualValue: ;;,,;;,;
Content-Type: application/sdp
Route:
 <sip:services.example.com;lr;unknownwith=value;unknown-no-value>
v:  SIP  / 2.0  / TCP     spindle.example.com   ;
  branch  =   z9hG4bK9ikj8  ,
 SIP  /    2.0   / UDP  192.168.255.111   ; branch=
 z9hG4bK30239
m:"Quoted string \"\"" <sip:jdrosen@example.com> ; newparam =
      newvalue ;
  secondparam ; q = 0.33

"#,
        &body,
    );
    let m = ok(&raw);
    assert_eq!(m.method(), Some("INVITE"));
    let ruri = sip_of(m.request_uri().unwrap());
    assert_eq!(ruri.other_params[0].name, "unknownparam");
    let to = m.to().unwrap();
    assert_eq!(to.tag.as_deref(), Some("1918181833n"));
    assert_eq!(sip_of(&to.uri.uri).user.as_deref(), Some("vivekg"));
    let from = m.from().unwrap();
    assert_eq!(from.uri.display, r#"J Rosenberg \\\""#);
    assert_eq!(from.tag.as_deref(), Some("98asjd8"));
    assert_eq!(
        m.header(HdrKind::MaxForwards).map(|h| parse_uint(&h.value)),
        Some(Ok(68))
    );
    assert_eq!(
        *m.cseq().unwrap(),
        CSeq {
            seq: 9,
            method: "INVITE".into()
        }
    );
    let vias = m.vias().unwrap();
    assert_eq!(vias.len(), 3);
    assert_eq!(m.headers_of(HdrKind::Via).count(), 3);
    assert_eq!(
        (vias[0].host.as_str(), vias[0].branch.as_deref()),
        ("192.0.2.2", Some("390skdjuw"))
    );
    assert_eq!(
        (vias[1].transport.as_str(), vias[1].host.as_str()),
        ("TCP", "spindle.example.com")
    );
    assert_eq!(vias[2].branch.as_deref(), Some("z9hG4bK30239"));
    assert_eq!(m.headers_by_name("Subject").next().unwrap().value, "");
    assert_eq!(
        m.headers_by_name("newfangledheader").next().unwrap().value,
        "newfangled value continued newfangled value"
    );
    assert_eq!(
        m.headers_by_name("UnknownHeaderWithUnusualValue")
            .next()
            .unwrap()
            .value,
        ";;,,;;,;"
    );
    let route = parse_route_list(&m.header(HdrKind::Route).unwrap().value).unwrap();
    let ru = sip_of(&route[0].uri.uri);
    assert!(ru.lr_param);
    assert_eq!(ru.other_params.len(), 2);
    let c = m.contacts().unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].uri.as_ref().unwrap().display, r#"Quoted string \"\""#);
    assert_eq!(c[0].q1000, 330);
    assert_eq!(c[0].other_params.len(), 2);
    assert_eq!(m.body.len(), 150);
}

#[test]
fn intmeth() {
    let raw = msg(
        "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0
Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~
To: \"BEL:\\\u{7} NUL:\\\0 DEL:\\\u{7f}\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>
From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\u{440}\u{430}\u{431}\u{43e}\u{442}\u{430}\u{44e}\u{449}\u{438}\u{439}\";tag=_token~1'+`*%!-.
Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{
CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~
Max-Forwards: 255
extensionHeader-!.%*+_`'~:\u{feff}\u{5927}\u{505c}\u{96fb}
Content-Length: 0

",
        "",
    );
    let m = ok(&raw);
    assert_eq!(
        m.method(),
        Some("!interesting-Method0123456789_*+`.%indeed'~")
    );
    let u = sip_of(m.request_uri().unwrap());
    assert_eq!(
        u.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        u.password.as_deref(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    assert_eq!(u.host, "example.com");
    assert_eq!(
        m.top_via().unwrap().branch.as_deref(),
        Some("z9hG4bK-.!%66*_+`'~")
    );
    assert!(m.to().unwrap().uri.display.contains('\0'));
    let from = m.from().unwrap();
    assert_eq!(from.uri.display, "token1~` token2'+_ token3*%!.-");
    assert_eq!(from.tag.as_deref(), Some("_token~1'+`*%!-."));
    assert_eq!(from.other_params[0].name, "fromParam''~+*_!.-%");
    assert_eq!(
        m.call_id(),
        Some("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    );
    assert_eq!(
        m.cseq().unwrap().method,
        "!interesting-Method0123456789_*+`.%indeed'~"
    );
    let ext = m
        .headers_by_name("extensionHeader-!.%*+_`'~")
        .next()
        .unwrap();
    assert_eq!(ext.value, "\u{feff}\u{5927}\u{505c}\u{96fb}");
}

#[test]
fn esc01() {
    let raw = msg(
        "INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0
To: sip:%75se%72@example.com
From: <sip:I%20have%20spaces@example.net>;tag=938
Max-Forwards: 87
i: esc01.239409asdfakjkn23onasd0-3234
CSeq: 234234 INVITE
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw
C: application/sdp
Contact:
  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>
Content-Length: 150

",
        &sdp("192.0.2.1"),
    );
    let m = ok(&raw);
    let ruri = m.request_uri().unwrap();
    assert_eq!(
        sip_of(ruri).user.as_deref(),
        Some("sips%3Auser%40example.com")
    );
    assert_eq!(sip_of(ruri).host, "example.net");
    let plain = parse_uri("sip:sips%3auser%40example.com@example.net").unwrap();
    assert_eq!(uri_cmp(UriContext::ReqUri, ruri, &plain), Ok(()));
    let to = m.to().unwrap();
    assert_eq!(
        uri_cmp(
            UriContext::FromTo,
            &to.uri.uri,
            &parse_uri("sip:user@example.com").unwrap()
        ),
        Ok(())
    );
    let c = m.contacts().unwrap();
    let cu = sip_of(&c[0].uri.as_ref().unwrap().uri);
    assert!(cu.lr_param);
    assert_eq!(
        uri_cmp(
            UriContext::Contact,
            &c[0].uri.as_ref().unwrap().uri,
            &parse_uri("sip:caller@host5.example.net;lr;name=value%2541").unwrap()
        ),
        Ok(())
    );
    assert_eq!(
        m.header(HdrKind::ContentType).unwrap().value,
        "application/sdp"
    );
    assert_eq!(m.body.len(), 150);
}

#[test]
fn escnull() {
    let raw = msg(
        "REGISTER sip:example.com SIP/2.0
To: sip:null-%00-null@example.com
From: sip:null-%00-null@example.com;tag=839923423
Max-Forwards: 70
Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd
CSeq: 14398234 REGISTER
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw
Contact: <sip:%00@host5.example.com>
Contact: <sip:%00%00@host5.example.com>
L:0

",
        "",
    );
    let m = ok(&raw);
    let c = m.contacts().unwrap();
    assert_eq!(c.len(), 2);
    let (a, b) = (
        &c[0].uri.as_ref().unwrap().uri,
        &c[1].uri.as_ref().unwrap().uri,
    );
    assert_eq!(sip_of(a).user.as_deref(), Some("%00"));
    assert_eq!(uri_cmp(UriContext::Contact, a, b), Err(PJSIP_ECMPUSER));
    assert_eq!(m.content_length(), Some(0));
    let mut s = String::new();
    print_uri(a, UriContext::Contact, &mut s);
    assert_eq!(s, "sip:%00@host5.example.com");
}

#[test]
fn esc02() {
    let raw = msg(
        "RE%47IST%45R sip:registrar.example.com SIP/2.0
To: \"%Z%45\" <sip:resource@example.com>
From: \"%Z%45\" <sip:resource@example.com>;tag=f232jadfj23
Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf
Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234
CSeq: 29344 RE%47IST%45R
Max-Forwards: 70
Contact: <sip:alias1@host1.example.com>
C%6Fntact: <sip:alias2@host2.example.com>
Contact: <sip:alias3@host3.example.com>
l: 0

",
        "",
    );
    let m = ok(&raw);
    assert_eq!(m.method(), Some("RE%47IST%45R"));
    assert_eq!(m.cseq().unwrap().method, "RE%47IST%45R");
    assert_eq!(m.to().unwrap().uri.display, "%Z%45");
    assert_eq!(m.contacts().unwrap().len(), 2);
    assert_eq!(
        m.headers_by_name("C%6Fntact").next().unwrap().kind,
        HdrKind::Other
    );
    assert_eq!(
        m.top_via().unwrap().branch.as_deref(),
        Some("z9hG4bK209%fzsnel234")
    );
}

#[test]
fn lwsdisp() {
    let m = ok(&crlf(
        "OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: caller<sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID: lwsdisp.1234abcd@funky.example.com
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw
l: 0

",
    ));
    assert_eq!(m.from().unwrap().uri.display, "caller");
    assert_eq!(m.from().unwrap().tag.as_deref(), Some("323"));
}

#[test]
fn longreq() {
    let mut h = String::from("INVITE sip:user@example.com SIP/2.0\n");
    h += &format!(
        "To: \"I have a user name of {} proportion\" <sip:user@example.com:6000;unknownparam1=very{}value;longparam{}=shortvalue;very{}ParameterNameWithNoValue>\n",
        "extreme".repeat(10),
        "long".repeat(20),
        "name".repeat(25),
        "long".repeat(25)
    );
    h += &format!(
        "F: sip:{}@example.net;tag=12{}424;unknownheaderparam{}=unknowheaderparam{};unknownValueless{}\n",
        "amazinglylongcallername".repeat(5),
        "982".repeat(50),
        "name".repeat(20),
        "value".repeat(15),
        "paramname".repeat(10)
    );
    h += &format!("Call-ID: longreq.one{}longcallid\n", "really".repeat(20));
    h += "CSeq: 3882340 INVITE\n";
    h += &format!(
        "Unknown-{}-Name: unknown-{}-value;unknown-{}-parameter-name=unknown-{}-parameter-value\n",
        "Long".repeat(20),
        "long".repeat(20),
        "long".repeat(20),
        "long".repeat(20)
    );
    let names = [
        "Via", "v", "V", "Via", "ViA", "VIa", "VIA", "via", "viA", "vIa", "vIA", "V ", "v ", "V  ",
        "v  ", "Via ", "Via  ",
    ];
    for (i, n) in (17..=33).rev().zip(names.iter().rev()) {
        h += &format!("{n}: SIP/2.0/TCP sip{i}.example.com\n");
    }
    for i in (1..=16).rev() {
        h += &format!("Via: SIP/2.0/TCP sip{i}.example.com\n");
    }
    h += &format!(
        "Via: SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=very{}branchvalue\n",
        "long".repeat(50)
    );
    h += "Max-Forwards: 70\n";
    h += &format!(
        "Contact: <sip:{}@host5.example.net>\n",
        "amazinglylongcallername".repeat(5)
    );
    h += "Content-Type: application/sdp\nl: 150\n\n";
    let m = ok(&msg(&h, &sdp("192.0.2.1")));
    assert_eq!(m.vias().unwrap().len(), 34);
    let to = m.to().unwrap();
    assert_eq!(sip_of(&to.uri.uri).port, 6000);
    assert_eq!(sip_of(&to.uri.uri).other_params.len(), 3);
    let from = m.from().unwrap();
    assert_eq!(from.tag.as_ref().unwrap().len(), 155);
    assert_eq!(from.other_params.len(), 2);
    assert_eq!(m.body.len(), 150);
}

#[test]
fn dblreq() {
    let first = "REGISTER sip:example.com SIP/2.0
To: sip:j.user@example.com
From: sip:j.user@example.com;tag=43251j3j324
Max-Forwards: 8
I: dblreq.0ha0isndaksdj99sdfafnl3lk233412
Contact: sip:j.user@host.example.com
CSeq: 8 REGISTER
Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492
Content-Length: 0

";
    let second = "INVITE sip:joe@example.com SIP/2.0
t: sip:joe@example.com
From: sip:caller@example.net;tag=141334
Max-Forwards: 8
Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234
Content-Type: application/sdp
Content-Length: 150

";
    let mut raw = crlf(first);
    raw.extend(msg(second, &sdp("192.0.2.15")));
    let m = ok(&raw);
    assert_eq!(m.method(), Some("REGISTER"));
    assert_eq!(m.call_id(), Some("dblreq.0ha0isndaksdj99sdfafnl3lk233412"));
    assert!(m.body.is_empty());
    assert_eq!(message_len(&raw), Some(Ok(crlf(first).len())));
}

#[test]
fn semiuri() {
    let m = ok(&crlf(
        "OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0
To: sip:j_user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Call-ID: semiuri.0ha0isndaksdj
CSeq: 8 OPTIONS
Accept: application/sdp, application/pkcs7-mime,
        multipart/mixed, multipart/signed,
        message/sip, message/sipfrag
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw
l: 0

",
    ));
    let u = sip_of(m.request_uri().unwrap());
    assert_eq!(u.user.as_deref(), Some("user;par=u%40example.net"));
    assert!(u.other_params.is_empty());
    let accept = parse_generic_array(&m.header(HdrKind::Accept).unwrap().value).unwrap();
    assert_eq!(accept.len(), 6);
    assert_eq!(accept[5], "message/sipfrag");
}

#[test]
fn transports() {
    let m = ok(&crlf(
        "OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: <sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID:  transports.kijh4akdnaqjkwendsasfdj
Accept: application/sdp
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw
Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf
Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj
Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en
Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee
l: 0

",
    ));
    let t: Vec<_> = m.vias().unwrap().into_iter().map(|v| v.transport).collect();
    assert_eq!(t, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
    assert_eq!(m.call_id(), Some("transports.kijh4akdnaqjkwendsasfdj"));
}

#[test]
fn mpart01() {
    let body = "--7a9cbec02ceef655\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\nHello\r\n--7a9cbec02ceef655\r\nContent-Type: application/octet-stream\r\n\r\n\u{1}\u{2}\u{3}\r\n--7a9cbec02ceef655--\r\n";
    let raw = msg(
        &format!(
            "MESSAGE sip:kumiko@example.org SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport
Max-Forwards: 70
Route: <sip:127.0.0.1:5080>
Identity: r5mwreLuyDRYBi/0TiPwEsY3rEVsk/G2WxhgTV1PF7hHuL
Identity-Info: <https://fluffy.sipit.net/fluffy.cer>;alg=rsa-sha1
Contact: <sip:fluffy@127.0.0.1:5070>
To: <sip:kumiko@example.org>
From: <sip:fluffy@example.com>;tag=2fb0dcc9
Call-ID: 3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..
CSeq: 1 MESSAGE
Content-Transfer-Encoding: binary
Content-Type: multipart/mixed;boundary=7a9cbec02ceef655
Date: Sat, 15 Oct 2005 04:44:56 GMT
User-Agent: SIPimp.org/0.2.5 (curses)
Content-Length: {}

",
            body.len()
        ),
        body,
    );
    let m = ok(&raw);
    assert_eq!(m.body, body.as_bytes());
    assert_eq!(m.top_via().unwrap().rport, 0);
}

#[test]
fn unreason_and_noreason() {
    let m = ok(&msg(
        "SIP/2.0 200 = 2**3 * 5**2 \u{43d}\u{43e} \u{441}\u{442}\u{43e} \u{434}\u{435}\u{432}\u{44f}\u{43d}\u{43e}\u{441}\u{442}\u{43e} \u{434}\u{435}\u{432}\u{44f}\u{442}\u{44c} - \u{43f}\u{440}\u{43e}\u{441}\u{442}\u{43e}\u{435}
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Call-ID: unreason.1234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Length: 154
Content-Type: application/sdp
Contact: <sip:user@host198.example.com>

",
        &sdp("192.0.2.198"),
    ));
    assert_eq!(m.status_code(), Some(200));
    assert!(m
        .reason()
        .unwrap()
        .starts_with("= 2**3 * 5**2 \u{43d}\u{43e}"));
    assert_eq!(m.body.len(), 154);
    let m = ok(&crlf(
        "SIP/2.0 100 
Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: noreason.asndj203insdf99223ndf
CSeq: 35 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Content-Length: 0
Contact: <sip:user@host105.example.com>

",
    ));
    assert_eq!((m.status_code(), m.reason()), (Some(100), Some("")));
}

// ---------------------------------------------------------------------
// 3.1.2: syntactically invalid messages

fn rejected(b: &[u8]) -> Status {
    match parse_message(b) {
        Ok(m) => panic!("accepted: {m:?}"),
        Err(e) => e,
    }
}

#[test]
fn badinv01() {
    let e = rejected(&msg(
        "INVITE sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=134161461246
Max-Forwards: 7
Call-ID: badinv01.0ha0isndaksdjasdf3234nas
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;;,;,,
Contact: \"Joe\" <sip:joe@example.org>;;;;
Content-Length: 152
Content-Type: application/sdp

",
        &sdp("192.0.2.15"),
    ));
    assert_eq!(e, PJSIP_EINVALIDHDR);
}

#[test]
fn clerr_and_ncl() {
    let head = "INVITE sip:user@example.com SIP/2.0
Max-Forwards: 80
To: sip:j.user@example.com
From: sip:caller@example.net;tag=93942939o2
Contact: <sip:caller@hungry.example.net>
Call-ID: clerr.0ha0isndaksdjweiafasdk3
CSeq: 8 INVITE
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523
Content-Type: application/sdp
";
    let body = sdp("192.0.2.155");
    assert_eq!(
        rejected(&msg(&format!("{head}Content-Length: 9999\n\n"), &body)),
        PJSIP_EPARTIALMSG
    );
    assert_eq!(
        rejected(&msg(&format!("{head}Content-Length: -999\n\n"), &body)),
        PJSIP_EINVALIDHDR
    );
}

#[test]
fn scalar02_and_scalarlg() {
    let e = rejected(&crlf(
        "REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3
To: <sip:user@example.com>
From: <sip:user@example.com>;tag=239232jh3
CSeq: 36893488147419103232 REGISTER
Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32
Max-Forwards: 300
Expires: 1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
Contact: <sip:user@host129.example.com>
  ;expires=280297596632815
Content-Length: 0

",
    ));
    assert_eq!(e, PJSIP_EINVALIDHDR);
    let e = rejected(&crlf(
        "SIP/2.0 503 Service Unavailable
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129
To: <sip:user@example.com>
From: <sip:other@example.net>;tag=2easdjfejw
CSeq: 9292394834772304023312 OPTIONS
Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r
Retry-After: 949302838503028349304023988
Warning: 1812 overture \"In Progress\"
Content-Length: 0

",
    ));
    assert_eq!(e, PJSIP_EINVALIDHDR);
}

#[test]
fn quotbal_ltgtruri_lwsruri_badvers_bigcode() {
    let body = sdp("192.0.2.15");
    let e = rejected(&msg(
        "INVITE sip:user@example.com SIP/2.0
To: \"Mr. J. User <sip:j.user@example.com>
From: sip:caller@example.net;tag=93334
Max-Forwards: 10
Call-ID: quotbal.aksdj
Contact: <sip:caller@host59.example.net>
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234
Content-Type: application/sdp
Content-Length: 150

",
        &body,
    ));
    assert_eq!(e, PJSIP_EINVALIDHDR);
    let tail = "To: sip:user@example.com
From: sip:caller@example.net;tag=39291
Max-Forwards: 23
Call-ID: x.1@192.0.2.5
CSeq: 1 INVITE
Via: SIP/2.0/UDP 192.0.2.5
Content-Length: 0

";
    for start in [
        "INVITE <sip:user@example.com> SIP/2.0\n",
        "INVITE sip:user@example.com; lr SIP/2.0\n",
        "OPTIONS sip:t.watson@example.org SIP/7.0\n",
    ] {
        assert_eq!(
            rejected(&crlf(&format!("{start}{tail}"))),
            PJSIP_EINVALIDMSG,
            "{start}"
        );
    }
    let e = rejected(&crlf(
        "SIP/2.0 4294967301 better not break the receiver
Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i
CSeq: 353494 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Content-Length: 0
Contact: <sip:user@host105.example.com>

",
    ));
    assert_eq!(e, PJSIP_EINVALIDMSG);
    // badvers also has a bad Via version.
    assert!(parse_via_list("SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw").is_err());
}

#[test]
fn regbadct() {
    let e = rejected(&crlf(
        "REGISTER sip:example.com SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=998332
Max-Forwards: 70
Call-ID: regbadct.k345asrl3fdbv@10.0.0.1
CSeq: 1 REGISTER
Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw
Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E
l: 0

",
    ));
    assert_eq!(e, PJSIP_EINVALIDHDR);
}

#[test]
fn mcl01() {
    let e = rejected(&crlf(
        "OPTIONS sip:user@example.com SIP/2.0
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423
To: sip:user@example.com
From: sip:other@example.net;tag=3923942
Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf
CSeq: 15932 OPTIONS
Content-Length: 13
Max-Forwards: 60
Content-Length: 5
Content-Type: text/plain

There's no way to know how many octets are supposed to be here.
",
    ));
    assert_eq!(e, PJSIP_EINVALIDMSG);
}

/// Invalid per the RFC, accepted by pjsip's tolerant scanner (and so here).
#[test]
fn tolerated_like_pjsip() {
    let body = sdp("192.0.2.1");
    let m = ok(&msg(
        "INVITE  sip:user@example.com  SIP/2.0
Max-Forwards: 8
To: sip:user@example.com
From: sip:caller@example.net;tag=8814
Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com
CSeq: 1893884 INVITE
Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923
Contact: <sip:caller@host1.example.net>
Content-Type: application/sdp
Content-Length: 150

",
        &body,
    ));
    assert_eq!(sip_of(m.request_uri().unwrap()).host, "example.com");
    let m = ok(&crlf(
        "OPTIONS sip:remote-target@example.com SIP/2.0  
Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK299342093
To: <sip:remote-target@example.com>
From: <sip:local-resource@example.com>;tag=329429089
Call-ID: trws.oicu34958239neffasdhr2345r
Accept: application/sdp
CSeq: 238923 OPTIONS
Max-Forwards: 70
Content-Length: 0

",
    ));
    assert_eq!(m.method(), Some("OPTIONS"));
    let m = ok(&crlf(
        "OPTIONS sip:user@example.org SIP/2.0
Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234
Max-Forwards: 70
From: \"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=433423
To: \"Watson, Thomas\" < sip:t.watson@example.org >
Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3
Accept: application/sdp
CSeq: 3923239 OPTIONS
l: 0

",
    ));
    assert_eq!(m.to().unwrap().uri.display, "Watson, Thomas");
    let m = ok(&crlf(
        "OPTIONS sip:t.watson@example.org SIP/2.0
Via:     SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw
Max-Forwards:      70
From:    Bell, Alexander <sip:a.g.bell@example.com>;tag=43
To:      Watson, Thomas <sip:t.watson@example.org>
Call-ID: baddn.31415@c.example.com
Accept: application/sdp
CSeq:    3923239 OPTIONS
l: 0

",
    ));
    assert_eq!(m.from().unwrap().uri.display, "Bell, Alexander");
}

/// Valid syntax, bad semantics: parsing succeeds; what to do is left to
/// the transaction and user-agent layers.
#[test]
fn semantic_errors_parse() {
    let body = sdp("192.0.2.1");
    let m = ok(&msg(
        "INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=341518
Max-Forwards: 7
Contact: <sip:caller@host39923.example.net>
Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5
CSeq: 149209342 INVITE
Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw
Content-Type: application/sdp
Content-Length: 150

",
        &body,
    ));
    assert_eq!(sip_of(m.request_uri().unwrap()).headers[0].name, "Route");
    let m = ok(&msg(
        "INVITE sip:user@example.com SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=2234923
Max-Forwards: 70
Call-ID: baddate.239423mnsadf3j23lj42--sedfnm234
CSeq: 1392934 INVITE
Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw
Date: Fri, 01 Jan 2010 16:00:00 EST
Contact: <sip:caller@host5.example.net>
Content-Type: application/sdp
Content-Length: 150

",
        &sdp("192.0.2.5"),
    ));
    assert_eq!(m.headers_by_name("date").count(), 1);
    let m = ok(&crlf(
        "NEWMETHOD sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=34525
Max-Forwards: 6
Call-ID: mismatch02.dj0234sxdfl3
CSeq: 8 INVITE
Contact: <sip:caller@host.example.net>
Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw
l: 0

",
    ));
    assert_ne!(m.method(), Some(m.cseq().unwrap().method.as_str()));
    let m = ok(&crlf(
        "OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK
Accept: application/sdp
Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n
CSeq: 8 OPTIONS
l: 0

",
    ));
    assert_eq!(m.top_via().unwrap().branch.as_deref(), Some("z9hG4bK"));
    let m = ok(&crlf(
        "OPTIONS sip:user@example.com SIP/2.0
CSeq: 193942 OPTIONS
Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf
Content-Length: 0

",
    ));
    assert_eq!(m.check_required_headers(), Err(PJSIP_EMISSINGHDR));
    let m = ok(&crlf(
        "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=384
Max-Forwards: 3
Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34
CSeq: 3923423 OPTIONS
Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234
Content-Length: 0

",
    ));
    assert_eq!(
        m.request_uri(),
        Some(&Uri::Other {
            scheme: "nobodyKnowsThisScheme".into(),
            content: "totallyopaquecontent".into()
        })
    );
    let m = ok(&crlf(
        "OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=384
Max-Forwards: 3
Call-ID: novelsc.asdfasser0q239nwsdfasdkl34
CSeq: 3923423 OPTIONS
Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234
Content-Length: 0

",
    ));
    assert!(matches!(m.request_uri(), Some(Uri::Other { scheme, .. }) if scheme == "soap.beep"));
    let m = ok(&crlf(
        "REGISTER sip:example.com SIP/2.0
To: isbn:2983792873
From: <http://www.example.com>;tag=3234233
Call-ID: unksm2.daksdj@hyphenated-host.example.com
CSeq: 234902 REGISTER
Max-Forwards: 70
Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw
Contact: <name:John_Smith>
l: 0

",
    ));
    assert!(matches!(m.to().unwrap().uri.uri, Uri::Other { .. }));
    assert!(matches!(
        m.contacts().unwrap()[0].uri.as_ref().unwrap().uri,
        Uri::Other { .. }
    ));
    let m = ok(&crlf(
        "OPTIONS sip:user@example.com SIP/2.0
To: sip:j_user@example.com
From: sip:caller@example.net;tag=242etr
Max-Forwards: 6
Call-ID: bext01.0ha0isndaksdj
Require: nothingSupportsThis, nothingSupportsThisEither
Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis
CSeq: 8 OPTIONS
Via: SIP/2.0/TLS fold-and-staple.example.com;branch=z9hG4bKkdjuw
Content-Length: 0

",
    ));
    assert_eq!(
        parse_generic_array(&m.header(HdrKind::Require).unwrap().value)
            .unwrap()
            .len(),
        2
    );
    let m = ok(&msg(
        "SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23
Call-ID: bcast.0384840201234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Length: 154
Content-Type: application/sdp
Contact: <sip:user@host28.example.com>

",
        &sdp("192.0.2.198"),
    ));
    assert_eq!(m.vias().unwrap().len(), 2);
    let m = ok(&crlf(
        "INVITE sip:user@company.com SIP/2.0
Contact: <sip:caller@host25.example.net>
Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw
Max-Forwards: 70
CSeq: 5 INVITE
Call-ID: multi01.98asdh@192.0.2.1
CSeq: 59 INVITE
Call-ID: multi01.98asdh@192.0.2.2
From: sip:caller@example.com;tag=3413415
To: sip:user@example.com
To: sip:other@example.net
From: sip:caller@example.net;tag=2923420123
Content-Length: 0
Contact: <sip:caller@host36.example.net>
Max-Forwards: 5

",
    ));
    assert_eq!(m.headers_of(HdrKind::CSeq).count(), 2);
    assert_eq!(m.cseq().unwrap().seq, 5);
    let m = ok(&crlf(
        "REGISTER sip:example.com SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=8
Max-Forwards: 70
Call-ID: regescrt.k345asrl3fdbv@192.0.2.1
CSeq: 14398234 REGISTER
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw
M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>
L:0

",
    ));
    let c = m.contacts().unwrap();
    let u = sip_of(&c[0].uri.as_ref().unwrap().uri);
    assert_eq!(
        u.headers[0].value.as_deref(),
        Some("%3Csip:sip.example.com%3E")
    );
    let mut s = String::new();
    print_contact(&c[0], &mut s);
    assert_eq!(s, "<sip:user@example.com?Route=%3csip:sip.example.com%3e>");
}

// ---------------------------------------------------------------------
// Robustness: no input may panic.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn exercise(buf: &[u8]) {
    let _ = message_len(buf);
    if let Ok(m) = parse_message(buf) {
        let _ = m.contacts();
        let _ = m.vias();
        let _ = m.record_routes();
        let _ = (
            m.cseq(),
            m.from(),
            m.to(),
            m.top_via(),
            m.expires(),
            m.check_required_headers(),
        );
        let mut out = Vec::new();
        print_message(&m, &mut out);
        for c in m.contacts().unwrap_or_default() {
            let mut s = String::new();
            print_contact(&c, &mut s);
            if let Some(na) = &c.uri {
                let _ = name_addr_cmp(UriContext::Contact, na, na);
            }
        }
    }
    let s = String::from_utf8_lossy(buf);
    for f in [
        |s: &str| drop(parse_contact_list(s)),
        |s: &str| drop(parse_via_list(s)),
        |s: &str| drop(parse_route_list(s)),
        |s: &str| drop(parse_fromto(s)),
        |s: &str| drop(parse_cseq(s)),
        |s: &str| {
            let _ = parse_retry_after(s);
        },
        |s: &str| {
            let _ = parse_content_type(s);
        },
    ] {
        f(&s);
    }
    if let Ok(u) = parse_uri(&s) {
        for ctx in [
            UriContext::ReqUri,
            UriContext::FromTo,
            UriContext::Contact,
            UriContext::Routing,
            UriContext::Other,
        ] {
            let printed = uri_to_string(&u, ctx);
            let _ = uri_cmp(ctx, &u, &u);
            let _ = parse_uri(&printed);
        }
    }
}

#[test]
fn random_and_truncated_input_never_panics() {
    let seeds: Vec<Vec<u8>> = vec![
        crlf("REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP 1.2.3.4:5060;rport;branch=z9hG4bK1\nFrom: \"A\" <sip:a@example.com>;tag=1\nTo: <sip:a@example.com>\nCall-ID: x\nCSeq: 1 REGISTER\nContact: <sip:a@[::1]:5060;transport=tcp>;q=0.5;expires=60, *\nRoute: <sip:p;lr>\nExpires: 60\nContent-Length: 3\n\nabc"),
        crlf("SIP/2.0 401 Unauthorized\nWWW-Authenticate: Digest realm=\"x\", nonce=\"y\"\nRetry-After: 5 (x);a=b\nContent-Type: text/plain;charset=utf-8\nAllow: A, B\nv: SIP/2.0/TCP h (c), SIP/2.0/UDP [::2]:1;received=::3\n\n"),
        b"sip:u:p@h:1;user=phone;method=X;ttl=2;maddr=[::1];lr;a=\"q\"?h=v&k".to_vec(),
        b"tel:+1-(2)3;ext=4;isub=5;phone-context=+6;x=%41".to_vec(),
        b"\"d\\\"q\" <sips:%41@h>;tag=t;x".to_vec(),
    ];
    let alphabet = b"\"<>:;,=?&@[]()%\\ \t\r\n/sipSIP2.0tel:*0123456789abcXYZ\x00\xff\xc3\xa9";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for seed in &seeds {
        for cut in 0..=seed.len() {
            exercise(&seed[..cut]);
        }
    }
    for _ in 0..6000 {
        let mut buf = seeds[rng.below(seeds.len())].clone();
        for _ in 0..=rng.below(6) {
            let pos = rng.below(buf.len() + 1);
            match rng.below(3) {
                0 if pos < buf.len() => buf[pos] = alphabet[rng.below(alphabet.len())],
                1 => buf.insert(pos, alphabet[rng.below(alphabet.len())]),
                _ if pos < buf.len() => {
                    buf.remove(pos);
                }
                _ => {}
            }
        }
        exercise(&buf);
    }
    for _ in 0..3000 {
        let len = rng.below(80);
        let buf: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        exercise(&buf);
        let raw: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        exercise(&raw);
    }
}
