// FastHrefScanner against myhtml's full parse (HrefScanner::scan_full), the oracle: wherever the
// tokenizer-only scanner answers, its hrefs (in order) and base must be myhtml's.
#include "common/fast_href_scanner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "simweb/page_renderer.hpp"
#include "simweb/site.hpp"
#include "tests/support/html_corpus.hpp"

namespace crawler {
namespace {

struct Scan {
  bool answered = false;
  std::vector<std::string> hrefs;
  std::optional<std::string> base;
};

Scan fast_scan(const std::string& html) {
  thread_local FastHrefScanner scanner;
  ScannedDocument doc;
  Scan out;
  out.answered = scanner.scan(html, doc);
  out.hrefs.assign(doc.hrefs.begin(), doc.hrefs.end());
  if (doc.base_href) out.base = std::string(*doc.base_href);
  return out;
}

/// The hrefs as the link extractor sees them: tabs and newlines removed (the URL parser drops
/// them; myhtml loses a newline right after a bare '&', where the standard keeps it), without
/// repeats, in order of first appearance (myhtml reports the <a> clones that "reconstruct the
/// active formatting elements" makes).
std::vector<std::string> first_occurrences(const std::vector<std::string>& hrefs) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::string h : hrefs) {
    std::erase_if(h, [](char c) { return c == '\t' || c == '\n' || c == '\r'; });
    if (seen.insert(h).second) out.push_back(h);
  }
  return out;
}

/// Compares on one document; returns false (and reports) on a difference. Documents myhtml
/// cuts short (deeper than HrefScanner::kMaxDepth) are not comparable and count as equal.
/// With a <table>, "foster parenting" moves misplaced links before the table in the tree, so
/// only the set of links is compared there.
bool same_as_myhtml(const std::string& html, int* answered = nullptr) {
  const Scan fast = fast_scan(html);
  if (!fast.answered) return true;
  const ScannedDocument& full = HrefScanner::scan_full(html, "text/html; charset=utf-8");
  if (full.truncated) return true;
  if (answered) ++*answered;
  std::vector<std::string> want = first_occurrences({full.hrefs.begin(), full.hrefs.end()});
  std::vector<std::string> got = first_occurrences(fast.hrefs);
  std::string lower(html);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("<table") != std::string::npos) {
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
  }
  const std::optional<std::string> want_base =
      full.base_href ? std::optional<std::string>(std::string(*full.base_href)) : std::nullopt;
  if (got == want && fast.base == want_base) return true;
  std::string report = "document: " + html + "\n  fast:  ";
  for (const auto& h : fast.hrefs) report += "[" + h + "]";
  report += " base " + fast.base.value_or("-") + "\n  myhtml:";
  for (const auto& h : want) report += "[" + h + "]";
  report += " base " + want_base.value_or("-");
  ADD_FAILURE() << report;
  return false;
}

TEST(FastHrefScanner, FindsHrefsOfATagsAndTheFirstBase) {
  const Scan s = fast_scan(
      "<!DOCTYPE html><base href=/b1><base href=/b2><a href=\"/x\">x</a><AREA HREF='/y'>"
      "<a name=n><a href>");
  ASSERT_TRUE(s.answered);
  EXPECT_EQ(s.hrefs, (std::vector<std::string>{"/x", "/y", ""}));
  EXPECT_EQ(s.base, "/b1");
}

TEST(FastHrefScanner, SkipsCommentsRawTextAndCutTags) {
  const Scan s = fast_scan(
      "<!-- <a href=/c> --><!--><a href=/1><!---><a href=/2><script>'<a href=/s>'</script >"
      "<style><a href=/st></style><title><a href=/ti></title><textarea><a href=/ta></textarea>"
      "<a href=/3><?pi <a href=/pi>>");
  ASSERT_TRUE(s.answered);
  EXPECT_EQ(s.hrefs, (std::vector<std::string>{"/1", "/2", "/3"}));
  EXPECT_FALSE(fast_scan("<a href=/x><a href=\"/cut").answered);  // a cut tag is the tree path's call
}

TEST(FastHrefScanner, DecodesTheReferencesItKnowsAndGivesUpOnOthers) {
  Scan s = fast_scan("<a href=\"?a=1&amp;b=2&page=3&#x2F;&#47;&lt&quot;\r\n\">");
  ASSERT_TRUE(s.answered);
  EXPECT_EQ(s.hrefs, (std::vector<std::string>{"?a=1&b=2&page=3//<\"\n"}));
  EXPECT_FALSE(fast_scan("<a href=\"&copy;\">").answered);  // one of the 2,231 names
  EXPECT_FALSE(fast_scan("<a href=\"\xff\">").answered);    // not UTF-8
}

TEST(FastHrefScanner, LeavesWhatOnlyTheTreeBuilderKnowsToMyhtml) {
  for (const char* html :
       {"<svg><a href=/x></svg>", "<math><a href=/x>", "<template><a href=/x>", "<select><a href=/x>",
        "<frameset><a href=/x>", "<script><!--<script></script><a href=/x></script>"}) {
    EXPECT_FALSE(fast_scan(html).answered) << html;
  }
  EXPECT_FALSE(fast_scan(std::string("<a href=/x>\0", 12)).answered);
  EXPECT_TRUE(fast_scan("<script><!-- x --></script><a href=/y>").answered);
}

TEST(FastHrefScannerDifferential, MatchesMyhtmlOnGeneratedDocuments) {
  std::mt19937 rng(2024);
  int answered = 0, mismatches = 0;
  for (int i = 0; i < 20'000 && mismatches < 5; ++i) {
    mismatches += !same_as_myhtml(test::generated_document(rng, i, /*tree_builder_fragments=*/i % 4 == 0), &answered);
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(answered, 2'000);  // the comparison is not vacuous
}

TEST(FastHrefScannerDifferential, MatchesMyhtmlOnMutatedDocuments) {
  std::mt19937 rng(7);
  int answered = 0, mismatches = 0;
  for (int i = 0; i < 20'000 && mismatches < 5; ++i) {
    const std::string html = test::generated_document(rng, i, /*tree_builder_fragments=*/i % 4 == 0);
    std::string mutated = test::mutated_document(rng, html, 1 + static_cast<int>(rng() % 8));
    if (i % 3 == 0) mutated.resize(rng() % (mutated.size() + 1));  // a body cut anywhere
    mismatches += !same_as_myhtml(mutated, &answered);
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(answered, 2'000);
}

TEST(FastHrefScannerDifferential, MatchesMyhtmlOnEverySimwebPageAndAnswersForAll) {
  simweb::SiteConfig config;
  config.pages = 400;
  config.hosts = 4;
  const simweb::Site site(config);
  const simweb::PageRenderer renderer(site);
  int answered = 0;
  for (int page = 0; page < config.pages; ++page) {
    ASSERT_TRUE(same_as_myhtml(renderer.render_page(page, false), &answered)) << "page " << page;
  }
  EXPECT_EQ(answered, config.pages);  // plain UTF-8 pages never need the tree builder
}

}  // namespace
}  // namespace crawler
