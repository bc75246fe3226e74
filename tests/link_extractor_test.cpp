// Unit tests for common/link_extractor.hpp (and the encoding detection and href scanning under
// it), plus a differential test against gumbo, Google's HTML5 parser.
#include "common/link_extractor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/charset_detector.hpp"
#include "common/href_scanner.hpp"
#include "tests/support/gumbo_oracle.hpp"
#include "tests/support/html_corpus.hpp"

namespace crawler {
namespace {

using Links = std::vector<std::string>;
using test::gumbo_hrefs;

constexpr std::string_view kPage = "http://example.com/dir/page.html";

Links links_of(std::string_view html, std::string_view content_type = "text/html",
               std::string_view final_url = kPage) {
  return LinkExtractor::extract(html, content_type, final_url).links;
}

std::string encoding_of(std::string_view body, std::string_view content_type = "text/html") {
  return LinkExtractor::extract(body, content_type, kPage).encoding;
}

// --- Which attributes count --------------------------------------------------------------------

TEST(LinkExtractor, FindsHrefOfAnchorsAndAreas) {
  EXPECT_EQ(links_of("<a href=/a>x</a><map><area href=/b></map>"),
            (Links{"http://example.com/a", "http://example.com/b"}));
}

TEST(LinkExtractor, IgnoresOtherElementsAndAttributes) {
  EXPECT_EQ(links_of("<link href=/l><img src=/i><iframe src=/f></iframe><form action=/fa>"
                     "<a src=/s data-href=/d xhref=/x hreff=/y>t</a><div href=/div>"
                     "<abbr href=/abbr><area-x href=/custom></area-x>"),
            Links{});
}

TEST(LinkExtractor, FirstHrefAttributeWins) {
  EXPECT_EQ(links_of("<a href=/first href=/second HREF=/third>"),
            Links{"http://example.com/first"});
}

TEST(LinkExtractor, TagAndAttributeNamesAreCaseInsensitive) {
  EXPECT_EQ(links_of("<A HREF=/a></A><AREA hReF=/b><aReA HrEf=/c>"),
            (Links{"http://example.com/a", "http://example.com/b", "http://example.com/c"}));
}

TEST(LinkExtractor, IgnoresSvgAndMathMlAnchors) {
  EXPECT_EQ(links_of("<svg><a href=/svg><text>x</text></a></svg><math><a href=/m></a></math>"),
            Links{});
}

// --- What is not markup ------------------------------------------------------------------------

TEST(LinkExtractor, IgnoresHrefInsideComments) {
  EXPECT_EQ(links_of("<!-- <a href=/c1> --><!--<a href=/c2>--!><a href=/ok1>"
                     "<!----><a href=/ok2><!-- a -- b <a href=/c3> -->"),
            (Links{"http://example.com/ok1", "http://example.com/ok2"}));
}

TEST(LinkExtractor, AbruptlyClosedCommentsEndEarly) {
  // "<!-->" and "<!--->" are complete (empty) comments in HTML5.
  EXPECT_EQ(links_of("<!--><a href=/a>--><!---><a href=/b>-->"),
            (Links{"http://example.com/a", "http://example.com/b"}));
}

TEST(LinkExtractor, UnterminatedCommentSwallowsTheRest) {
  EXPECT_EQ(links_of("<a href=/before><!-- <a href=/inside>"), Links{"http://example.com/before"});
}

TEST(LinkExtractor, IgnoresHrefInsideRawTextElements) {
  EXPECT_EQ(links_of("<script>document.write('<a href=\"/s1\">');var s='</scr'+'ipt>';</script>"
                     "<style>a[href='/s2']{} <a href=/s3></style>"
                     "<textarea><a href=/t1></textarea>"
                     "<title><a href=/t2></title>"
                     "<xmp><a href=/x></xmp><noembed><a href=/ne></noembed>"
                     "<iframe><a href=/if></iframe><a href=/ok>"),
            Links{"http://example.com/ok"});
}

TEST(LinkExtractor, ScriptEndsOnlyAtItsEndTag) {
  EXPECT_EQ(links_of("<script>if (a < b) { x = '<a href=/s1>' }</script ><a href=/ok>"),
            Links{"http://example.com/ok"});
  // "<!--<script>" inside a script is the double-escaped state: "</script>" does not end it.
  EXPECT_EQ(links_of("<script><!--<script></script><a href=/s2></script>--></script><a href=/ok>"),
            Links{"http://example.com/ok"});
}

TEST(LinkExtractor, UnterminatedScriptSwallowsTheRest) {
  EXPECT_EQ(links_of("<a href=/a><script><a href=/b>"), Links{"http://example.com/a"});
}

TEST(LinkExtractor, CdataInHtmlIsABogusComment) {
  // The bogus comment ends at the first '>', so the rest is text.
  EXPECT_EQ(links_of("<![CDATA[<a href=/cd]]><a href=/ok>"), Links{"http://example.com/ok"});
}

TEST(LinkExtractor, ParsesNoscriptContent) {
  EXPECT_EQ(links_of("<head><noscript><a href=/head-ns></noscript></head>"
                     "<body><noscript><p><a href=/body-ns>x</a></noscript>"),
            (Links{"http://example.com/head-ns", "http://example.com/body-ns"}));
}

TEST(LinkExtractor, SurvivesNestedAndBrokenTags) {
  EXPECT_EQ(links_of("<a href=/1<a href=/2>"), Links{"http://example.com/1%3Ca"});
  // An unterminated quote runs to the end of input, and a tag cut by the end is dropped.
  EXPECT_EQ(links_of("<a href=/ok><a href=\"/q>x</a><a href=/r>"), Links{"http://example.com/ok"});
  EXPECT_EQ(links_of("<a href=/outer><div><a href=/inner></div></a>"),
            (Links{"http://example.com/outer", "http://example.com/inner"}));
  EXPECT_EQ(links_of("<table><a href=/t><tr><td><a href=/td></td></tr></table>"),
            (Links{"http://example.com/t", "http://example.com/td"}));
  // "<a" is an attribute name here.
  EXPECT_EQ(links_of("<a <a href=/x>"), Links{"http://example.com/x"});
}

TEST(LinkExtractor, TagCutOffByTheEndOfInputIsDropped) {
  // HTML5 drops a start tag that the end of input interrupts (myhtml keeps it; HrefScanner drops
  // it). Found by link_gumbo_fuzz on "<a href": an href cut short, as in a body cut at
  // --max-body, is a wrong URL.
  EXPECT_EQ(links_of("<a href"), Links{});
  EXPECT_EQ(links_of("<a href=/eof"), Links{});
  EXPECT_EQ(links_of("<a href=/ok><p><a href='/eof' "), Links{"http://example.com/ok"});
  EXPECT_EQ(links_of("<a href=x><base href=/eof/"), Links{"http://example.com/dir/x"});
  // Only the end of input cuts: a closed tag at the very end counts; in a long document parsed in
  // chunks, the tag cut at the end of the last chunk is dropped (myhtml's positions run across).
  EXPECT_EQ(links_of("<a href=/end>"), Links{"http://example.com/end"});
  const std::string long_page = "<p>" + std::string(HrefScanner::kChunkBytes * 3, 'x');
  EXPECT_EQ(links_of(long_page + "<a href=/last>"), Links{"http://example.com/last"});
  EXPECT_EQ(links_of(long_page + "<a href=/last"), Links{});
}

TEST(LinkExtractor, IncludesTemplateContents) {
  EXPECT_EQ(links_of("<template><a href=/tpl></template>"), Links{"http://example.com/tpl"});
}

// --- Attribute values --------------------------------------------------------------------------

TEST(LinkExtractor, DecodesCharacterReferences) {
  EXPECT_EQ(links_of("<a href='/a?x=1&amp;y=2&#x2F;&#47;&lt;&gt'>"),
            Links{"http://example.com/a?x=1&y=2//%3C%3E"});
  // In attributes, a reference without ';' followed by '=' or an alphanumeric stays as written.
  EXPECT_EQ(links_of("<a href='/b?a=1&copy=2&notit;&not;'>"),
            Links{"http://example.com/b?a=1&copy=2&notit;%C2%AC"});
  EXPECT_EQ(links_of("<a href='/c&#0;&#x110000;&#128;'>"),
            Links{"http://example.com/c%EF%BF%BD%EF%BF%BD%E2%82%AC"});
}

TEST(LinkExtractor, KnownMyhtmlBugAtTheEndOfAnAttributeValue) {
  // HTML5 keeps "&noti" as written ("&not" followed by an alphanumeric); myhtml decodes "&not"
  // and drops the "i" when the value ends in a partial longer name (&notin;). Rare in URLs
  // ("...&notin", "...&timesb", "...&copys" at the very end); accepted, and pinned here.
  EXPECT_EQ(links_of("<a href='/x?a&noti'>"), Links{"http://example.com/x?a%C2%AC"});
  EXPECT_EQ(links_of("<a href='/x?a&notix'>"), Links{"http://example.com/x?a&notix"});
}

TEST(LinkExtractor, SurvivesMyhtmlsOverlappingCopyWhenItMergesText) {
  // Found by link_gumbo_fuzz: myhtml merges the text tokens "\n" x 11 and "r" with memcpy() on
  // overlapping ranges (the tag cut off at the end sends the page to myhtml). Under ASan that
  // is a report, suppressed by name in tests/sanitizers/asan.supp: this test fails without it.
  const std::string html = std::string(11, '\n') + "r<smaa\"a\"aa\"";
  EXPECT_EQ(links_of(html), Links{});
  EXPECT_TRUE(HrefScanner::scan_full(html, "text/html; charset=utf-8").hrefs.empty());
}

TEST(LinkExtractor, StripsWhitespaceAndRemovesTabsAndNewlines) {
  EXPECT_EQ(links_of("<a href=' \n\t/pa\tth/\nx \f'>"), Links{"http://example.com/path/x"});
}

TEST(LinkExtractor, SkipsEmptyAndFragmentOnlyValues) {
  EXPECT_EQ(links_of("<a href=''><a href='  '><a href><a href='#'><a href='#top'><a href=' #x'>"),
            Links{});
}

TEST(LinkExtractor, RemovesFragments) {
  EXPECT_EQ(links_of("<a href='page.html#x'><a href='other.html#y'>"),
            (Links{"http://example.com/dir/page.html", "http://example.com/dir/other.html"}));
}

TEST(LinkExtractor, ResolvesAgainstTheFinalUrl) {
  EXPECT_EQ(links_of("<a href=../up><a href=sib><a href=?q><a href=//cdn.example/x>", "text/html",
                     "https://host.example/a/b/c?old#frag"),
            (Links{"https://host.example/a/up", "https://host.example/a/b/sib",
                   "https://host.example/a/b/c?q", "https://cdn.example/x"}));
}

TEST(LinkExtractor, KeepsOnlyHttpAndHttps) {
  EXPECT_EQ(
      links_of(
          "<a href='javascript:void(0)'><a href='mailto:a@b.c'><a href='ftp://f/'>"
          "<a href='data:text/html,x'><a href='tel:1'><a href='https://s/'><a href='http://h/'>"),
      (Links{"https://s/", "http://h/"}));
}

TEST(LinkExtractor, DropsInvalidUrls) {
  EXPECT_EQ(
      links_of("<a href='http://'><a href='http://a b/'><a href='http://h:99999/'><a href=/ok>"),
      Links{"http://example.com/ok"});
}

TEST(LinkExtractor, LinksAreUniqueInDocumentOrder) {
  EXPECT_EQ(
      links_of("<a href=/b><a href=/a><a href=/b#x><a href='http://EXAMPLE.com:80/a'><a href=/c>"),
      (Links{"http://example.com/b", "http://example.com/a", "http://example.com/c"}));
}

TEST(LinkExtractor, CountsEveryHrefSeen) {
  const auto r = LinkExtractor::extract("<a href=/a><a href=/a><a href=#><a href='mailto:x'><a>",
                                        "text/html", kPage);
  EXPECT_EQ(r.hrefs_seen, 4u);
  EXPECT_EQ(r.links, Links{"http://example.com/a"});
}

TEST(LinkExtractor, WithoutAValidFinalUrlFindsNothing) {
  const auto r = LinkExtractor::extract("<a href='http://x/'>", "text/html", "not a url");
  EXPECT_TRUE(r.links.empty());
  EXPECT_EQ(r.base_url, "");
}

// --- <base href> -------------------------------------------------------------------------------

TEST(LinkExtractor, FirstBaseHrefApplies) {
  const auto r = LinkExtractor::extract(
      "<head><base href='/b1/'><base href='/b2/'></head><a href=x>", "text/html", kPage);
  EXPECT_EQ(r.base_url, "http://example.com/b1/");
  EXPECT_EQ(r.links, Links{"http://example.com/b1/x"});
}

TEST(LinkExtractor, BaseHrefAppliesEvenAfterTheLinks) {
  EXPECT_EQ(links_of("<a href=x></a><p><base href='http://other.example/base/'>"),
            Links{"http://other.example/base/x"});
}

TEST(LinkExtractor, BaseWithoutHrefIsSkipped) {
  EXPECT_EQ(links_of("<base target=_blank><base href=/real/><a href=x>"),
            Links{"http://example.com/real/x"});
}

TEST(LinkExtractor, BaseHrefIsResolvedAgainstTheFinalUrl) {
  EXPECT_EQ(links_of("<base href='../up/'><a href=x>", "text/html", "http://h.example/a/b/c"),
            Links{"http://h.example/a/up/x"});
}

TEST(LinkExtractor, BaseHrefThatDoesNotResolveIsIgnored) {
  EXPECT_EQ(links_of("<base href='http://a b/'><a href=x>"), Links{"http://example.com/dir/x"});
  EXPECT_EQ(links_of("<base href='javascript:0'><a href=x>"), Links{"http://example.com/dir/x"});
}

// --- Encodings ---------------------------------------------------------------------------------

TEST(LinkExtractor, DefaultsToUtf8) {
  const auto r = LinkExtractor::extract("<a href='/é?é'>", "text/html", kPage);
  EXPECT_EQ(r.encoding, "utf-8");
  EXPECT_EQ(r.links, Links{"http://example.com/%C3%A9?%C3%A9"});
}

TEST(LinkExtractor, Windows1252PageEncodesQueryInWindows1252) {
  const std::string page = "<meta charset=windows-1252><a href='/caf\xE9?q=caf\xE9&e=\x80'>";
  const auto r = LinkExtractor::extract(page, "text/html", kPage);
  EXPECT_EQ(r.encoding, "windows-1252");
  // The path is always UTF-8; the query is in the document's encoding.
  EXPECT_EQ(r.links, Links{"http://example.com/caf%C3%A9?q=caf%E9&e=%80"});
}

TEST(LinkExtractor, Latin1LabelMeansWindows1252) {
  EXPECT_EQ(encoding_of("<a href=x>", "text/html; charset=ISO-8859-1"), "windows-1252");
}

TEST(LinkExtractor, ShiftJisMetaHttpEquivPage) {
  // 日本 in Shift_JIS is 93 FA 96 7B; its second '{' byte stays literal in a query.
  const std::string page =
      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">"
      "<a href='/\x93\xFA\x96\x7B?q=\x93\xFA\x96\x7B'>";
  const auto r = LinkExtractor::extract(page, "text/html", kPage);
  EXPECT_EQ(r.encoding, "shift_jis");
  EXPECT_EQ(r.links, Links{"http://example.com/%E6%97%A5%E6%9C%AC?q=%93%FA%96{"});
}

TEST(LinkExtractor, Koi8rMetaPage) {
  // привет in KOI8-R.
  const std::string page =
      "<meta charset='koi8-r'><a href='/\xD0\xD2\xC9\xD7\xC5\xD4?\xD0\xD2\xC9\xD7\xC5\xD4'>";
  const auto r = LinkExtractor::extract(page, "text/html", kPage);
  EXPECT_EQ(r.encoding, "koi8-r");
  EXPECT_EQ(r.links,
            Links{"http://example.com/%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82?%D0%D2%C9%D7%C5%D4"});
}

TEST(LinkExtractor, Utf8BomWinsOverAConflictingMeta) {
  const std::string page = "\xEF\xBB\xBF<meta charset=windows-1252><a href='/é?é'>";
  const auto r = LinkExtractor::extract(page, "text/html", kPage);
  EXPECT_EQ(r.encoding, "utf-8");
  EXPECT_EQ(r.links, Links{"http://example.com/%C3%A9?%C3%A9"});
}

TEST(LinkExtractor, BomWinsOverContentType) {
  const std::string page = "\xEF\xBB\xBF<a href='/é'>";
  EXPECT_EQ(encoding_of(page, "text/html; charset=koi8-r"), "utf-8");
  EXPECT_EQ(links_of(page, "text/html; charset=koi8-r"), Links{"http://example.com/%C3%A9"});
}

std::string utf16(std::u16string_view text, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char16_t c : text) {
    const char lo = static_cast<char>(c & 0xff);
    const char hi = static_cast<char>(c >> 8);
    out += little_endian ? lo : hi;
    out += little_endian ? hi : lo;
  }
  return out;
}

TEST(LinkExtractor, Utf16BomPages) {
  for (bool le : {true, false}) {
    const std::string page = utf16(u"<meta charset=koi8-r><a href='/é?q=é'>", le);
    const auto r = LinkExtractor::extract(page, "text/html", kPage);
    EXPECT_EQ(r.encoding, le ? "utf-16le" : "utf-16be");
    // Queries of UTF-16 documents are encoded as UTF-8.
    EXPECT_EQ(r.links, Links{"http://example.com/%C3%A9?q=%C3%A9"});
  }
}

TEST(LinkExtractor, DecodesMultiByteEncodingsAndRecyclesTheParser) {
  // Each page is parsed several times, alternating encodings on one thread's recycled tree
  // (myhtml's UTF-16 path crashed on a recycled tree; its Shift_JIS decoder lost characters).
  struct Case {
    std::string label;
    std::string text;   // the same two characters, in that encoding
    std::string path;   // their UTF-8 escapes
    std::string query;  // their escapes in that encoding
  };
  const std::vector<Case> cases = {
      {"euc-jp", "\xC6\xFC\xCB\xDC", "%E6%97%A5%E6%9C%AC", "%C6%FC%CB%DC"},
      {"shift_jis", "\x93\xFA\x96\x7B", "%E6%97%A5%E6%9C%AC", "%93%FA%96{"},
      {"iso-2022-jp", "\x1B$B\x46\x7C\x4B\x5C\x1B(B", "%E6%97%A5%E6%9C%AC", "%1B$BF|K\\%1B(B"},
      {"gbk", "\xD6\xD0\xB9\xFA", "%E4%B8%AD%E5%9B%BD", "%D6%D0%B9%FA"},
      {"gb18030", "\xD6\xD0\xB9\xFA", "%E4%B8%AD%E5%9B%BD", "%D6%D0%B9%FA"},
      {"big5", "\xA4\xA4\xA4\xE5", "%E4%B8%AD%E6%96%87", "%A4%A4%A4%E5"},
      {"euc-kr", "\xC7\xD1\xB1\xB9", "%ED%95%9C%EA%B5%AD", "%C7%D1%B1%B9"},
      {"koi8-r", "\xD0\xD2", "%D0%BF%D1%80", "%D0%D2"},
      {"windows-1251", "\xEF\xF0", "%D0%BF%D1%80", "%EF%F0"},
      {"utf-8", "\xD0\xBF\xD1\x80", "%D0%BF%D1%80", "%D0%BF%D1%80"},
  };
  for (int round = 0; round < 3; ++round) {
    for (const Case& c : cases) {
      const std::string page = "<p>" + c.text + "<a href='/" + c.text + "?q=" + c.text + "'>" +
                               c.text + "</a><a href='/2'>";
      const auto r = LinkExtractor::extract(page, "text/html; charset=" + c.label, kPage);
      EXPECT_EQ(r.encoding, c.label);
      EXPECT_EQ(r.links,
                (Links{"http://example.com/" + c.path + "?q=" + c.query, "http://example.com/2"}))
          << c.label;
      for (bool le : {true, false}) {
        EXPECT_EQ(links_of(utf16(u"<a href='/é'>", le)), Links{"http://example.com/%C3%A9"});
      }
    }
  }
}

TEST(LinkExtractor, ContentTypeCharsetWinsOverMeta) {
  const std::string page = "<meta charset=windows-1252><a href='/?\xD0'>";
  const auto r = LinkExtractor::extract(page, "text/html; charset=\"KOI8-R\"", kPage);
  EXPECT_EQ(r.encoding, "koi8-r");
  EXPECT_EQ(r.links, Links{"http://example.com/?%D0"});
}

TEST(LinkExtractor, UnknownContentTypeCharsetFallsBackToMeta) {
  EXPECT_EQ(encoding_of("<meta charset=koi8-r>", "text/html; charset=bogus"), "koi8-r");
}

TEST(LinkExtractor, ReplacementEncodingYieldsNothing) {
  const auto r = LinkExtractor::extract("<a href=/x>", "text/html; charset=iso-2022-kr", kPage);
  EXPECT_EQ(r.encoding, "replacement");
  EXPECT_TRUE(r.links.empty());
}

// --- CharsetDetector: the <meta> prescan and Content-Type --------------------------------------

std::string prescanned(std::string_view head) {
  auto c = CharsetDetector::prescan(head);
  return c ? std::string(c->name) : "<none>";
}

TEST(CharsetDetector, PrescanReadsMetaCharsetAndHttpEquiv) {
  EXPECT_EQ(prescanned("<meta charset=koi8-r>"), "koi8-r");
  EXPECT_EQ(prescanned("<META CHARSET=\"Shift_JIS\">"), "shift_jis");
  EXPECT_EQ(prescanned("<meta/charset='big5'/>"), "big5");
  EXPECT_EQ(prescanned("<meta http-equiv=Content-Type content='text/html;charset=euc-jp'>"),
            "euc-jp");
  EXPECT_EQ(prescanned("<meta content=\"text/html; charset = 'gbk'\" http-equiv=\"content-type\">"),
            "gbk");
}

TEST(CharsetDetector, PrescanSkipsComments) {
  EXPECT_EQ(prescanned("<!-- <meta charset=big5> --><meta charset=koi8-r>"), "koi8-r");
  EXPECT_EQ(prescanned("<!--><meta charset=koi8-r>"), "koi8-r");
  EXPECT_EQ(prescanned("<!-- <meta charset=big5>"), "<none>");
}

TEST(CharsetDetector, PrescanSkipsOtherTagsAndTheirAttributes) {
  EXPECT_EQ(prescanned("<p title='<meta charset=big5>'><meta charset=koi8-r>"), "koi8-r");
  EXPECT_EQ(prescanned("<?xml version='1.0' encoding='big5'?><!DOCTYPE html><meta charset=koi8-r>"),
            "koi8-r");
  EXPECT_EQ(prescanned("</p class='<meta charset=big5>'><meta charset=koi8-r>"), "koi8-r");
}

TEST(CharsetDetector, PrescanDoesNotKnowAboutScript) {
  // The standard's prescan is byte-level: a <meta> inside a script still counts.
  EXPECT_EQ(prescanned("<script>'<meta charset=big5>'</script>"), "big5");
}

TEST(CharsetDetector, PrescanAppliesThePragmaRules) {
  EXPECT_EQ(prescanned("<meta content='text/html; charset=big5'>"), "<none>");
  EXPECT_EQ(prescanned("<meta http-equiv=content-type>"), "<none>");
  EXPECT_EQ(prescanned("<meta charset=bogus><meta charset=koi8-r>"), "koi8-r");
  EXPECT_EQ(prescanned("<meta charset='  koi8-r '>"), "koi8-r");
  EXPECT_EQ(prescanned("<meta charset=koi8-r charset=big5>"), "koi8-r");
}

TEST(CharsetDetector, PrescanTurnsUtf16IntoUtf8AndXUserDefinedIntoWindows1252) {
  EXPECT_EQ(prescanned("<meta charset=utf-16le>"), "utf-8");
  EXPECT_EQ(prescanned("<meta charset=x-user-defined>"), "windows-1252");
}

TEST(CharsetDetector, PrescanLooksOnlyAtTheFirst1024Bytes) {
  const std::string late = std::string(1100, ' ') + "<meta charset=koi8-r>";
  EXPECT_EQ(CharsetDetector::detect(late, "text/html").charset.name, "utf-8");
  const std::string early = std::string(900, ' ') + "<meta charset=koi8-r>";
  EXPECT_EQ(CharsetDetector::detect(early, "text/html").charset.name, "koi8-r");
}

TEST(CharsetDetector, ContentTypeCharsetParameter) {
  const auto name = [](std::string_view ct) {
    auto c = CharsetDetector::from_content_type(ct);
    return c ? std::string(c->name) : "<none>";
  };
  EXPECT_EQ(name("text/html; charset=UTF-8"), "utf-8");
  EXPECT_EQ(name("text/html;charset=\"koi8-r\""), "koi8-r");
  EXPECT_EQ(name("text/html; foo=\"a;b\"; charset=shift_jis; x=y"), "shift_jis");
  EXPECT_EQ(name("text/html; charset=latin1; charset=koi8-r"), "windows-1252");
  EXPECT_EQ(name("text/html"), "<none>");
  EXPECT_EQ(name("text/html; charset="), "<none>");
  EXPECT_EQ(name("text/html; charset=nonsense"), "<none>");
  EXPECT_EQ(name("text/html; charset = koi8-r"), "<none>");  // no spaces around '=' in MIME
}

TEST(LinkExtractor, IsHtml) {
  EXPECT_TRUE(LinkExtractor::is_html("text/html"));
  EXPECT_TRUE(LinkExtractor::is_html("Text/HTML; charset=utf-8"));
  EXPECT_TRUE(LinkExtractor::is_html("  text/html ;x=y"));
  EXPECT_TRUE(LinkExtractor::is_html("application/xhtml+xml"));
  EXPECT_FALSE(LinkExtractor::is_html("text/plain"));
  EXPECT_FALSE(LinkExtractor::is_html("text/htmlx"));
  EXPECT_FALSE(LinkExtractor::is_html("application/json"));
  EXPECT_FALSE(LinkExtractor::is_html(""));
}

// --- Hostile input -----------------------------------------------------------------------------

TEST(LinkExtractor, EmptyBodyYieldsNothing) {
  const auto r = LinkExtractor::extract("", "text/html", kPage);
  EXPECT_TRUE(r.links.empty());
  EXPECT_EQ(r.encoding, "utf-8");
  EXPECT_EQ(r.base_url, "http://example.com/dir/page.html");
}

TEST(LinkExtractor, SurvivesNulBytes) {
  const std::string page("<a hr\0ef=/x><a href='/a\0b'>\0<a\0 href=/c>", 37);
  EXPECT_EQ(links_of(page), Links{"http://example.com/a%EF%BF%BDb"});
}

TEST(LinkExtractor, SurvivesInvalidUtf8) {
  EXPECT_EQ(links_of("<a href='/\xFF\xC3(\xE2\x82'>\xF0\x80<a href=/ok>"),
            (Links{"http://example.com/%EF%BF%BD%EF%BF%BD(%EF%BF%BD", "http://example.com/ok"}));
}

TEST(LinkExtractor, SurvivesTenMegabytesOfNestedAnchors) {
  std::string page;
  for (int i = 0; i < 1000000; ++i) page += "<a href=x>";
  ASSERT_GE(page.size(), 10'000'000u);
  const auto r = LinkExtractor::extract(page, "text/html", kPage);
  EXPECT_EQ(r.links, Links{"http://example.com/dir/x"});
  EXPECT_GE(r.hrefs_seen, 1000000u);
}

TEST(LinkExtractor, ParsesRealisticNestingCompletely) {
  std::string page;
  for (int i = 0; i < 400; ++i) page += "<div>";
  page += "<a href=/deep>";
  const auto r = LinkExtractor::extract(page, "text/html", kPage);
  EXPECT_EQ(r.links, Links{"http://example.com/deep"});
  EXPECT_FALSE(r.truncated);
}

TEST(LinkExtractor, CutsHostileNestingAtTheMaximumDepthWhenTheTreeIsBuilt) {
  // Tree construction is O(depth) per tag: 200,000 nested <div>s would take minutes. The <svg>
  // makes this document one that needs the tree builder (see FastHrefScanner).
  std::string page = "<a href=/before><svg></svg>";
  for (int i = 0; i < 200000; ++i) page += "<div>";
  page += "<a href=/deep>";
  const auto r = LinkExtractor::extract(page, "text/html", kPage);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.links, Links{"http://example.com/before"});
}

TEST(LinkExtractor, HostileNestingCostsTheTokenizerNothing) {
  // Without tree construction there is no depth to pay for: every link is found.
  std::string page = "<a href=/before>";
  for (int i = 0; i < 200000; ++i) page += "<div>";
  page += "<a href=/deep>";
  const auto r = LinkExtractor::extract(page, "text/html", kPage);
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.links, (Links{"http://example.com/before", "http://example.com/deep"}));
}

TEST(LinkExtractor, SurvivesAnExtremelyLongAttribute) {
  const std::string value(8u << 20, 'a');
  const auto links = links_of("<a href='/" + value + "'><a href=/next>");
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].size(), std::string("http://example.com/").size() + value.size());
  EXPECT_EQ(links[1], "http://example.com/next");
}

TEST(LinkExtractor, SurvivesRandomBytes) {
  std::mt19937 rng(7);
  const std::string alphabet = "<>/=\"' a!-href&#;x\n\0\xff\xc3\xa9[]CDATA?";
  for (int i = 0; i < 5000; ++i) {
    std::string page;
    for (int j = 0, n = static_cast<int>(rng() % 300); j < n; ++j) {
      page += rng() % 4 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    }
    const auto r = LinkExtractor::extract(page, "text/html", kPage);
    for (const auto& link : r.links) EXPECT_EQ(link.rfind("http", 0), 0u) << link;
  }
}

TEST(LinkExtractor, IsThreadSafe) {
  std::string page;
  for (int i = 0; i < 300; ++i) page += "<p><a href='/p" + std::to_string(i) + "?q=é'>x</a>";
  const Links expected = links_of(page);
  ASSERT_EQ(expected.size(), 300u);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) failures[t] += links_of(page) != expected;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// --- Differential test: gumbo is the oracle ----------------------------------------------------
//
// gumbo (Google's HTML5 parser, libgumbo) implements the same tokenizer and tree builder. On
// generated documents (UTF-8 only, no <noscript>: gumbo parses it with scripting on), the set of
// raw href values of HTML <a>/<area> elements that gumbo builds must equal what HrefScanner finds.

std::set<std::string> our_hrefs(const std::string& html) {
  const ScannedDocument& doc = HrefScanner::scan(html, "text/html; charset=utf-8");
  return std::set<std::string>(doc.hrefs.begin(), doc.hrefs.end());
}

TEST(LinkExtractorDifferential, MatchesGumboOnGeneratedDocuments) {
  std::mt19937 rng(12345);
  int mismatches = 0;
  std::size_t total = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string html = test::generated_document(rng, i);
    const auto want = gumbo_hrefs(html);
    const auto got = our_hrefs(html);
    total += want.size();
    if (got != want && ++mismatches <= 5) {
      std::string diff;
      for (const auto& h : want)
        if (!got.count(h)) diff += " missing[" + h + "]";
      for (const auto& h : got)
        if (!want.count(h)) diff += " extra[" + h + "]";
      ADD_FAILURE() << "document: " << html << "\n" << diff;
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(total, 25000u);
}

// Found by link_gumbo_fuzz in CI: an end tag with an attribute closes the <svg> it names, so the
// <a> after it is an HTML link (the standard, and myhtml). gumbo 0.10.1 leaves the svg open and
// reports no link, so the oracle must say it is unreliable there.
TEST(LinkExtractorDifferential, AnEndTagWithAttributesLeavesForeignContent) {
  for (const std::string html : {R"(<svg><a href="/svg"></<oa></svg <math><mi><a href="/mi"></a>)",
                                 "<svg><a></svg x><a href=/mi>", "<svg><g></g ><a href=/g></svg>",
                                 "<math></math/><a href=/mi>"}) {
    SCOPED_TRACE(html);
    EXPECT_TRUE(test::gumbo_is_unreliable_on(html));
  }
  EXPECT_EQ(our_hrefs(R"(<svg><a href="/svg"></<oa></svg <math><mi><a href="/mi"></a>)"),
            std::set<std::string>{"/mi"});
  EXPECT_EQ(our_hrefs("<svg><a></svg x><a href=/mi>"), std::set<std::string>{"/mi"});
  EXPECT_EQ(our_hrefs("<svg><g></g ><a href=/g></svg>"), std::set<std::string>{});
  // Outside foreign content gumbo handles it, and stays the oracle.
  EXPECT_FALSE(test::gumbo_is_unreliable_on("<b></b x><a href=/b>"));
  EXPECT_EQ(gumbo_hrefs("<b></b x><a href=/b>"), std::set<std::string>{"/b"});
}

TEST(LinkExtractorDifferential, KnownMyhtmlBugWithASolidusAfterAnAttribute) {
  // The standard leaves "self-closing start tag" state again when '/' is not followed by '>'
  // (`<mi x/y>` has attributes x and y and is not self-closing). myhtml makes the element
  // self-closing when such a '/' comes after an attribute or whitespace. That matters only in
  // foreign content: a self-closed <mi> or <foreignObject> puts the <a> after it in the MathML
  // or SVG namespace, so the link is lost. Rare on real pages; accepted, and pinned here.
  const char* const kClosedByMistake[] = {
      "<math><mi x/y><a href=/mi></a></mi></math>", "<math><mi /x><a href=/mi></a></mi></math>",
      "<svg><foreignObject x/y><a href=/fo></a></foreignObject></svg>"};
  for (const std::string html : kClosedByMistake) {
    SCOPED_TRACE(html);
    EXPECT_EQ(gumbo_hrefs(html).size(), 1u);  // the standard, which gumbo follows here
    EXPECT_EQ(our_hrefs(html), std::set<std::string>{});
  }
  // Right after the tag name, and outside foreign content, myhtml is right.
  EXPECT_EQ(our_hrefs("<math><mi/x><a href=/mi></a></mi></math>"), std::set<std::string>{"/mi"});
  EXPECT_EQ(our_hrefs("<p x/y><a href=/p></a>"), std::set<std::string>{"/p"});
}

}  // namespace
}  // namespace crawler
