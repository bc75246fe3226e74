// Unit tests for common/robots_rules.hpp: RFC 9309, its examples, and Google's documented ones.
#include "common/robots_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace crawler {
namespace {

constexpr std::string_view kAgent = "FooBot/1.2 (+http://crawler.example/bot)";

RobotsRules rules(std::string_view body, std::string_view agent = kAgent) {
  return RobotsRules::parse(body, agent);
}

// --- Groups ------------------------------------------------------------------------------------

TEST(RobotsRules, UsesTheGroupOfOurProductToken) {
  const auto r = rules("User-agent: *\nDisallow: /star\n\nUser-agent: foobot\nDisallow: /foo\n");
  EXPECT_FALSE(r.allowed("/foo"));
  EXPECT_TRUE(r.allowed("/star"));
}

TEST(RobotsRules, MatchesTheProductTokenCaseInsensitively) {
  EXPECT_FALSE(rules("User-agent: FOOBOT\nDisallow: /\n").allowed("/x"));
  EXPECT_FALSE(rules("user-AGENT: fooBot\nDisallow: /\n", "foobot").allowed("/x"));
}

TEST(RobotsRules, OnlyTheProductTokenBeforeTheSlashCounts) {
  EXPECT_FALSE(rules("User-agent: FooBot/9.9 (compatible)\nDisallow: /\n").allowed("/x"));
  EXPECT_TRUE(rules("User-agent: FooBot-News\nDisallow: /\n").allowed("/x"));
  EXPECT_TRUE(rules("User-agent: Foo\nDisallow: /\n").allowed("/x"));
}

TEST(RobotsRules, FallsBackToTheStarGroup) {
  const auto r = rules("User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /private\n");
  EXPECT_TRUE(r.allowed("/public"));
  EXPECT_FALSE(r.allowed("/private/x"));
}

TEST(RobotsRules, NoMatchingGroupAllowsEverything) {
  EXPECT_TRUE(rules("User-agent: otherbot\nDisallow: /\n").allowed("/x"));
}

TEST(RobotsRules, ConsecutiveUserAgentLinesShareAGroup) {
  const auto r = rules("User-agent: a\nUser-agent: foobot\nUser-agent: b\nDisallow: /shared\n");
  EXPECT_FALSE(r.allowed("/shared"));
  EXPECT_FALSE(
      rules("User-agent: foobot\n\nUser-agent: b\nDisallow: /shared\n").allowed("/shared"));
}

TEST(RobotsRules, AUserAgentLineAfterARuleStartsANewGroup) {
  const auto r = rules("User-agent: foobot\nDisallow: /a\nUser-agent: other\nDisallow: /b\n");
  EXPECT_FALSE(r.allowed("/a"));
  EXPECT_TRUE(r.allowed("/b"));
}

TEST(RobotsRules, MergesEveryGroupOfTheSameAgent) {
  const auto r = rules(
      "User-agent: foobot\nDisallow: /fish\n\nUser-agent: *\nDisallow: /carrots\n\n"
      "User-agent: foobot\nDisallow: /shrimp\n");
  EXPECT_FALSE(r.allowed("/fish"));
  EXPECT_FALSE(r.allowed("/shrimp"));
  EXPECT_TRUE(r.allowed("/carrots"));
}

TEST(RobotsRules, MergesEveryStarGroup) {
  const auto r = rules(
      "User-agent: *\nDisallow: /a\n\nUser-agent: x\nDisallow: /b\n\nUser-agent: *\nDisallow: "
      "/c\n");
  EXPECT_FALSE(r.allowed("/a"));
  EXPECT_TRUE(r.allowed("/b"));
  EXPECT_FALSE(r.allowed("/c"));
}

TEST(RobotsRules, IgnoresRulesBeforeAnyUserAgent) {
  EXPECT_TRUE(rules("Disallow: /\nUser-agent: *\nDisallow: /x\n").allowed("/y"));
  EXPECT_TRUE(rules("Disallow: /\n").allowed("/y"));
}

TEST(RobotsRules, SitemapAndUnknownLinesDoNotSplitAGroup) {
  const auto r =
      rules("User-agent: foobot\nSitemap: http://x/s.xml\nFoo: bar\nUser-agent: b\nDisallow: /\n");
  EXPECT_FALSE(r.allowed("/x"));
}

TEST(RobotsRules, EmptyGroupOfOurAgentAllowsEverything) {
  EXPECT_TRUE(rules("User-agent: *\nDisallow: /\n\nUser-agent: foobot\n").allowed("/x"));
}

// --- Allow / Disallow --------------------------------------------------------------------------

TEST(RobotsRules, DisallowIsAPrefixMatch) {
  const auto r = rules("User-agent: *\nDisallow: /fish\n");
  for (const char* p :
       {"/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fish.php?id=1"}) {
    EXPECT_FALSE(r.allowed(p)) << p;
  }
  for (const char* p : {"/Fish.asp", "/catfish", "/?id=fish", "/desert/fish", "/"}) {
    EXPECT_TRUE(r.allowed(p)) << p;
  }
}

TEST(RobotsRules, EmptyDisallowAllowsEverything) {
  EXPECT_TRUE(rules("User-agent: *\nDisallow:\n").allowed("/anything"));
  EXPECT_TRUE(rules("User-agent: *\nDisallow: \nDisallow:   # nothing\n").allowed("/"));
}

TEST(RobotsRules, LongestMatchWins) {
  const auto r = rules("User-agent: *\nAllow: /p\nDisallow: /\n");
  EXPECT_TRUE(r.allowed("/page"));
  EXPECT_FALSE(r.allowed("/other"));
  const auto s = rules("User-agent: *\nAllow: /page\nDisallow: /*.htm\n");
  EXPECT_FALSE(s.allowed("/page.htm"));
}

TEST(RobotsRules, AllowWinsATie) {
  EXPECT_TRUE(rules("User-agent: *\nAllow: /folder\nDisallow: /folder\n").allowed("/folder/page"));
  EXPECT_TRUE(rules("User-agent: *\nDisallow: /folder\nAllow: /folder\n").allowed("/folder/page"));
  EXPECT_TRUE(rules("User-agent: *\nAllow: /page\nDisallow: /*.ph\n").allowed("/page.php5"));
}

TEST(RobotsRules, WildcardMatchesAnySequence) {
  const auto r = rules("User-agent: *\nDisallow: /*.php\n");
  for (const char* p : {"/index.php", "/folder/filename.php", "/folder/filename.php?parameters",
                        "/folder/any.php.file.html", "/filename.php/"}) {
    EXPECT_FALSE(r.allowed(p)) << p;
  }
  for (const char* p : {"/", "/windows.PHP"}) EXPECT_TRUE(r.allowed(p)) << p;
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /fish*.php\n").allowed("/fishheads/catfish.php?x"));
  EXPECT_TRUE(rules("User-agent: *\nDisallow: /fish*.php\n").allowed("/Fish.PHP"));
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /fish*\n").allowed("/fish"));
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /*\n").allowed("/"));
  EXPECT_FALSE(rules("User-agent: *\nDisallow: *.gif$\n").allowed("/a/b.gif"));
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /a**b\n").allowed("/a/x/b"));
}

TEST(RobotsRules, DollarAnchorsTheEnd) {
  const auto r = rules("User-agent: *\nDisallow: /*.php$\n");
  EXPECT_FALSE(r.allowed("/filename.php"));
  EXPECT_FALSE(r.allowed("/folder/filename.php"));
  for (const char* p :
       {"/filename.php?parameters", "/filename.php/", "/filename.php5", "/windows.PHP"}) {
    EXPECT_TRUE(r.allowed(p)) << p;
  }
  const auto root = rules("User-agent: *\nAllow: /$\nDisallow: /\n");
  EXPECT_TRUE(root.allowed("/"));
  EXPECT_FALSE(root.allowed("/page.htm"));
}

TEST(RobotsRules, DollarInsideAPatternIsLiteral) {
  const auto r = rules("User-agent: *\nDisallow: /a$b\n");
  EXPECT_FALSE(r.allowed("/a$b"));
  EXPECT_TRUE(r.allowed("/a"));
}

TEST(RobotsRules, PathsAreCaseSensitive) {
  EXPECT_TRUE(rules("User-agent: *\nDisallow: /Private\n").allowed("/private"));
}

TEST(RobotsRules, MatchesTheQueryToo) {
  const auto r = rules("User-agent: *\nDisallow: /*?sessionid=\n");
  EXPECT_FALSE(r.allowed("/page?sessionid=1"));
  EXPECT_TRUE(r.allowed("/page?id=1"));
}

TEST(RobotsRules, RobotsTxtIsAlwaysAllowed) {
  EXPECT_TRUE(rules("User-agent: *\nDisallow: /\n").allowed("/robots.txt"));
  EXPECT_TRUE(RobotsRules::disallow_all().allowed("/robots.txt"));
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /\n").allowed("/robots.txt.bak"));
}

TEST(RobotsRules, AllowAllAndDisallowAll) {
  EXPECT_TRUE(RobotsRules::allow_all().allowed("/x"));
  EXPECT_FALSE(RobotsRules::disallow_all().allowed("/x"));
  EXPECT_FALSE(RobotsRules::disallow_all().allowed("/"));
  EXPECT_EQ(RobotsRules::allow_all().crawl_delay_ms(), std::nullopt);
}

// --- Percent-encoding --------------------------------------------------------------------------

TEST(RobotsRules, ComparesPercentEncodingNormalised) {
  // RFC 9309 §2.2.2's table.
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /foo/bar?baz=quz\n").allowed("/foo/bar?baz=quz"));
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /foo/bar/ツ\n").allowed("/foo/bar/%E3%83%84"));
  EXPECT_FALSE(
      rules("User-agent: *\nDisallow: /foo/bar/%E3%83%84\n").allowed("/foo/bar/%E3%83%84"));
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /foo/bar/%62%61%7A\n").allowed("/foo/bar/baz"));
  // Hex case does not matter; unreserved escapes in the path are decoded too.
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /%e3%83%84\n").allowed("/%E3%83%84"));
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /baz\n").allowed("/%62az"));
  // A reserved character and its escape stay different.
  EXPECT_TRUE(rules("User-agent: *\nDisallow: /a%2Fb\n").allowed("/a/b"));
}

TEST(RobotsRules, EscapedWildcardsAreLiteral) {
  const auto r = rules(
      "User-Agent: *\nDisallow: /path/file-with-a-%2A.html\nDisallow: /path/foo-%24\n"
      "Allow: /             # comment\n");
  EXPECT_FALSE(r.allowed("/path/file-with-a-*.html"));
  EXPECT_TRUE(r.allowed("/path/file-with-a-x.html"));
  EXPECT_FALSE(r.allowed("/path/foo-$"));
  EXPECT_TRUE(r.allowed("/path/foo-"));
}

// --- Crawl-delay -------------------------------------------------------------------------------

TEST(RobotsRules, ReadsCrawlDelayInSeconds) {
  EXPECT_EQ(rules("User-agent: *\nCrawl-delay: 5\n").crawl_delay_ms(), 5000);
  EXPECT_EQ(rules("User-agent: *\nCrawl-delay: 0.5\n").crawl_delay_ms(), 500);
  EXPECT_EQ(rules("User-agent: *\ncrawl-DELAY: 1.25 # slow\n").crawl_delay_ms(), 1250);
  EXPECT_EQ(rules("User-agent: *\nCrawl-delay: 0\n").crawl_delay_ms(), 0);
}

TEST(RobotsRules, CapsCrawlDelayAtSixtySeconds) {
  EXPECT_EQ(rules("User-agent: *\nCrawl-delay: 3600\n").crawl_delay_ms(), 60000);
  EXPECT_EQ(rules("User-agent: *\nCrawl-delay: 1e300\n").crawl_delay_ms(), 60000);
}

TEST(RobotsRules, IgnoresInvalidCrawlDelay) {
  for (const char* v : {"soon", "-1", "", "nan", "inf"}) {
    EXPECT_EQ(rules(std::string("User-agent: *\nCrawl-delay: ") + v + "\n").crawl_delay_ms(),
              std::nullopt)
        << v;
  }
}

TEST(RobotsRules, CrawlDelayComesFromTheChosenGroup) {
  const auto r =
      rules("User-agent: *\nCrawl-delay: 9\n\nUser-agent: foobot\nCrawl-delay: 2\nDisallow: /x\n");
  EXPECT_EQ(r.crawl_delay_ms(), 2000);
  EXPECT_EQ(rules("User-agent: other\nCrawl-delay: 9\n").crawl_delay_ms(), std::nullopt);
  // Merged groups: the largest delay, to stay polite.
  EXPECT_EQ(rules("User-agent: foobot\nCrawl-delay: 1\n\nUser-agent: foobot\nCrawl-delay: 3\n")
                .crawl_delay_ms(),
            3000);
}

TEST(RobotsRules, CrawlDelayEndsTheUserAgentLines) {
  const auto r = rules("User-agent: foobot\nCrawl-delay: 1\nUser-agent: other\nDisallow: /\n");
  EXPECT_TRUE(r.allowed("/x"));
}

// --- Syntax ------------------------------------------------------------------------------------

TEST(RobotsRules, AcceptsEveryLineEnding) {
  for (const char* eol : {"\n", "\r\n", "\r"}) {
    const std::string body =
        std::string("User-agent: *") + eol + "Disallow: /a" + eol + "Disallow: /b";
    const auto r = rules(body);
    EXPECT_FALSE(r.allowed("/a")) << static_cast<int>(eol[0]);
    EXPECT_FALSE(r.allowed("/b")) << static_cast<int>(eol[0]);
    EXPECT_TRUE(r.allowed("/c"));
  }
}

TEST(RobotsRules, SkipsAByteOrderMark) {
  EXPECT_FALSE(rules("\xEF\xBB\xBFUser-agent: *\nDisallow: /\n").allowed("/x"));
}

TEST(RobotsRules, StripsCommentsAndWhitespace) {
  const auto r = rules("# robots\n  User-agent :  *   # all\n\tDisallow\t:\t/private # no\n\n");
  EXPECT_FALSE(r.allowed("/private"));
  EXPECT_TRUE(r.allowed("/#private"));
}

TEST(RobotsRules, KeysAreCaseInsensitiveAndCommonTyposAccepted) {
  EXPECT_FALSE(rules("USER-AGENT: *\nDISALLOW: /a\n").allowed("/a"));
  EXPECT_FALSE(rules("useragent: *\ndisalow: /a\n").allowed("/a"));
  EXPECT_FALSE(rules("User-agent *\nDisallow /a\n").allowed("/a"));
}

TEST(RobotsRules, IgnoresMalformedLines) {
  const auto r =
      rules("User-agent: *\nthis is not a rule\n:\nDisallow /a /b\nDisallow: /c\n<html>\n");
  EXPECT_TRUE(r.allowed("/a"));
  EXPECT_FALSE(r.allowed("/c"));
}

TEST(RobotsRules, StopsReadingAt500KiB) {
  std::string body = "User-agent: *\nDisallow: /early\n";
  body += std::string(500 * 1024, '#');
  body += "\nDisallow: /late\n";
  const auto r = rules(body);
  EXPECT_FALSE(r.allowed("/early"));
  EXPECT_TRUE(r.allowed("/late"));
}

TEST(RobotsRules, SurvivesHostileInput) {
  std::string body = "User-agent: *\n";
  for (int i = 0; i < 20000; ++i) body += "Disallow: /*a*b*c*d*e*f*g*h$\n";
  const auto r = rules(body);
  EXPECT_TRUE(r.allowed("/" + std::string(2000, 'a')));
  EXPECT_TRUE(rules(std::string(1 << 20, '\0')).allowed("/"));
  EXPECT_TRUE(rules("").allowed("/"));
}

// --- RFC 9309 §5 examples ----------------------------------------------------------------------

constexpr std::string_view kRfcExample =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n"
    "\n"
    "EOF\n";

TEST(RobotsRules, Rfc9309SimpleExample) {
  const auto foobot = rules(kRfcExample, "foobot");
  EXPECT_TRUE(foobot.allowed("/example/page.html"));
  EXPECT_TRUE(foobot.allowed("/example/allowed.gif"));
  EXPECT_FALSE(foobot.allowed("/"));
  EXPECT_FALSE(foobot.allowed("/publications/"));

  for (const char* agent : {"barbot/1.0", "BazBot"}) {
    const auto r = rules(kRfcExample, agent);
    EXPECT_FALSE(r.allowed("/example/page.html")) << agent;
    EXPECT_TRUE(r.allowed("/example/other.html")) << agent;
    EXPECT_TRUE(r.allowed("/image.gif")) << agent;
  }

  const auto quxbot = rules(kRfcExample, "quxbot");
  EXPECT_TRUE(quxbot.allowed("/example/page.html"));
  EXPECT_TRUE(quxbot.allowed("/a.gif"));

  const auto other = rules(kRfcExample, "otherbot");
  EXPECT_FALSE(other.allowed("/image.gif"));
  EXPECT_FALSE(other.allowed("/example/x"));
  EXPECT_TRUE(other.allowed("/publications/x"));
  EXPECT_TRUE(other.allowed("/image.gif?x"));
}

TEST(RobotsRules, Rfc9309LongestMatchExample) {
  const auto r =
      rules("User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n",
            "foobot");
  EXPECT_TRUE(r.allowed("/example/page/"));
  EXPECT_TRUE(r.allowed("/example/page/allowed.gif"));
  EXPECT_FALSE(r.allowed("/example/page/disallowed.gif"));
}

// --- Google's documented examples (developers.google.com, robots.txt specification) ------------

TEST(RobotsRules, GoogleGroupSelectionExample) {
  const std::string body =
      "user-agent: googlebot-news\ndisallow: /news-only\n\n"
      "user-agent: *\ndisallow: /star-only\n\n"
      "user-agent: googlebot\ndisallow: /web-only\n";
  const auto news = rules(body, "Googlebot-News");
  EXPECT_FALSE(news.allowed("/news-only"));
  EXPECT_TRUE(news.allowed("/web-only"));
  const auto web = rules(body, "Googlebot/2.1");
  EXPECT_FALSE(web.allowed("/web-only"));
  EXPECT_TRUE(web.allowed("/star-only"));
  const auto other = rules(body, "Otherbot");
  EXPECT_FALSE(other.allowed("/star-only"));
  EXPECT_TRUE(other.allowed("/web-only"));
}

TEST(RobotsRules, GoogleTrailingSlashExample) {
  const auto r = rules("User-agent: *\nDisallow: /fish/\n");
  for (const char* p : {"/fish/", "/fish/?id=anything", "/fish/salmon.htm"})
    EXPECT_FALSE(r.allowed(p)) << p;
  for (const char* p : {"/fish", "/fish.html", "/animals/fish/", "/Fish/Salmon.asp"})
    EXPECT_TRUE(r.allowed(p)) << p;
}

TEST(RobotsRules, GoogleRootPatterns) {
  EXPECT_FALSE(rules("User-agent: *\nDisallow: /\n").allowed("/any/thing"));
  const auto r = rules("User-agent: *\nDisallow: /$\n");
  EXPECT_FALSE(r.allowed("/"));
  EXPECT_TRUE(r.allowed("/page.htm"));
}

}  // namespace
}  // namespace crawler
