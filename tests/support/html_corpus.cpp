#include "tests/support/html_corpus.hpp"

#include <vector>

namespace crawler::test {

std::string generated_document(std::mt19937& rng, int index, bool tree_builder_fragments) {
  const auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const std::vector<std::string> urls = {"/a",
                                         "b.html",
                                         "../c?x=1&amp;y=2",
                                         "http://ex.com/d",
                                         "#frag",
                                         "",
                                         " spaced ",
                                         "/é/日本",
                                         "&#x2F;slash&#47;",
                                         "&lt;&gt;&quot;",
                                         "&copy=1",
                                         "&notit;",
                                         "&not;",
                                         "x&noty",
                                         "javascript:void(0)",
                                         "mailto:a@b",
                                         "//cdn.ex.com/e",
                                         "f\tg\nh",
                                         "?q=%20",
                                         "%zz",
                                         "x&notix",
                                         "&amp",
                                         "&#x41",
                                         "&#65",
                                         "&AMP;",
                                         "&ampx",
                                         "&#x;",
                                         "&#;",
                                         "&#xD800;",
                                         "&#9999999;",
                                         "a\r\nb",
                                         "c\rd",
                                         "?a=1&page=2",
                                         "&nbsp;x&nbsp",
                                         "&apos;&apos",
                                         "&#128;&#x9F;&#0;",
                                         "x&y",
                                         "\xC3\xA9t\xC3\xA9"};
  const std::vector<std::string> fragments = {
      "<a href=\"{U}\">link</a>",
      "<a href='{U}'>",
      "<a href={U}>",
      "<A HREF=\"{U}\">",
      "<area href=\"{U}\">",
      "<a href=\"{U}\" href=\"/dup\">",
      "<a name=anchor>",
      "<a href>",
      "<a title=x href=\"{U}\" class=y>",
      "</a>",
      "<!-- <a href=\"/c1\"> -->",
      "<!-->",
      "<!--->",
      "<!-- x --!>",
      "<!---->",
      "<!-- <!-- nested --> -->",
      "<script>document.write('<a href=\"/s\">')</script>",
      "<script><!--<script></script><a href=\"/s2\"></script>--></script>",
      "<style>a[href='/st']{}</style>",
      "<textarea><a href=\"/ta\"></textarea>",
      "<title><a href=\"/ti\"></title>",
      "<xmp><a href=/x></xmp>",
      "<iframe><a href=/if></iframe>",
      "<noembed><a href=/ne></noembed>",
      "<![CDATA[<a href=\"/cd\">]]>",
      "<svg><a href=\"/svg\"></a></svg>",
      "<math><mi><a href=\"/mi\"></a></mi></math>",
      "<a href=\"{U}\"<a href=\"/broken\">",
      "<a <a href=\"/x2\">",
      "<p><a href=\"{U}\"><p>",
      "<table><a href=\"{U}\"><tr><td><a href=\"/td\"></td></tr></table>",
      "<select><a href=\"/sel\"></select>",
      "<template><a href=\"/tpl\"></template>",
      "<div>",
      "</div>",
      "<p>",
      "<b>",
      "<i>",
      "</b>",
      "<ul><li>",
      "<br/>",
      "<img src=x>",
      "<link href=/l>",
      "<form action=/f>",
      "<base href=/b/>",
      "text & more ",
      "<head>",
      "<body>",
      "<html lang=en>",
      "<h1>",
      "<font>",
      "<nobr>",
      "<button>",
      "<object><a href=\"/obj\"></object>",
      "<marquee>",
      "<image href=x>",
      "<isindex>",
      "<script><!-- <a href=\"/esc\"> --></script>",
      "<script>if (a<b) x = '</scriptx>'</script>",
      "<a href=\"{U}\"/>",
      "<a/href=\"{U}\">",
      "<a href = \"{U}\" >",
      "<a =href=x href=\"{U}\">",
      "<a href=\"{U}\"></a\n>",
      "</a href=\"/endtag\">",
      "<?php <a href=/pi> ?>",
      "</ <a href=/bogus>>",
      "<!doctype html><a href=\"{U}\">",
      "<TEXTAREA><a href=/ta2></TEXTAREA >",
      "<Script>x</SCRIPT><a href=\"{U}\">"};
  std::string html = index % 2 ? "<!DOCTYPE html>" : "";
  for (int i = 0, n = 5 + static_cast<int>(rng() % 40); i < n; ++i) {
    std::string f = pick(fragments);
    if (!tree_builder_fragments) {
      // Fragments whose answer depends on tree construction, not on the tokenizer.
      static const std::vector<std::string> kTreeOnly = {"<svg", "<math", "<template", "<select", "<script><!--<script"};
      bool tree_only = false;
      for (const auto& t : kTreeOnly) tree_only |= f.find(t) != std::string::npos;
      if (tree_only) continue;
    }
    const std::size_t u = f.find("{U}");
    if (u != std::string::npos) f.replace(u, 3, pick(urls));
    html += f;
  }
  return html;
}

std::string mutated_document(std::mt19937& rng, std::string html, int count) {
  static constexpr char kSteering[] = "<>\"'=&/!-;#\r\n x";
  for (int i = 0; i < count; ++i) {
    const std::size_t at = html.empty() ? 0 : rng() % (html.size() + 1);
    html.insert(at, 1, kSteering[rng() % (sizeof(kSteering) - 1)]);
  }
  return html;
}

}  // namespace crawler::test
