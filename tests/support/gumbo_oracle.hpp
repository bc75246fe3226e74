#pragma once
/// gumbo (Google's HTML5 parser, libgumbo) as the oracle for HrefScanner: the raw href values
/// of the HTML <a> and <area> elements of the tree gumbo builds. Used by link_extractor_test's
/// differential test and by the link-extraction fuzz target; nothing else links gumbo.

#include <set>
#include <string>
#include <string_view>

namespace crawler::test {

/// The set of href values (first href attribute of each HTML-namespace <a>/<area>, character
/// references decoded) that gumbo finds in `html`, read as UTF-8. gumbo parses with scripting
/// on, so <noscript> content is text to it; callers compare only documents without it.
std::set<std::string> gumbo_hrefs(std::string_view html);

/// True when `html` (UTF-8) may hit a place where gumbo 0.10.1 (Debian's) departs from the HTML
/// standard, so that it is no oracle there:
/// - an end tag whose name gumbo does not know: gumbo identifies elements by tag enum, so every
///   unknown tag is GUMBO_TAG_UNKNOWN and `</e>` closes an open `<t>` (with a <math> above it,
///   what follows leaves foreign content);
/// - in a document with <svg> or <math>, an end tag with anything between its name and '>'
///   (`</svg x>`, `</svg >`, `</svg/>`): inside foreign content gumbo ignores it, where the
///   standard closes the element (a parse error only); the same after a "</>" (`</></svg>`);
/// - a control character other than tab, LF, FF, CR (U+0001-U+001F, U+007F-U+009F) or a
///   noncharacter (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF): gumbo turns them into U+FFFD, as an old
///   draft said; the standard keeps them (a parse error only), and so does myhtml;
/// - U+0000: gumbo drops it from an attribute name (`<a \0href>` has an href to gumbo), where the
///   standard makes it U+FFFD.
/// - a numeric character reference with more digits than any code point (`&#xbbbbbbbb;`): gumbo
///   lets the value overflow (0xBB here) where the standard gives U+FFFD.
/// A textual check: it may also flag text inside comments or attributes, which only skips a
/// document.
bool gumbo_is_unreliable_on(std::string_view html);

}  // namespace crawler::test
