#pragma once
/// Generated HTML documents for differential tests of link extraction: link markup with
/// hostile hrefs (character references, whitespace, non-ASCII) mixed with comments, raw-text
/// elements, foreign content, tables, templates and broken tags.

#include <random>
#include <string>

namespace crawler::test {

/// A document of up to 44 random fragments (UTF-8, no NUL). Even `index`es start with a
/// doctype. `tree_builder_fragments` false leaves out the fragments (<svg>, <math>, <template>,
/// <select>, double-escaped scripts) whose links only tree construction can tell.
std::string generated_document(std::mt19937& rng, int index, bool tree_builder_fragments = true);

/// `html` with `count` random characters among those that steer the tokenizer (< > " ' = & / !
/// - ; # CR LF space) inserted at random places.
std::string mutated_document(std::mt19937& rng, std::string html, int count);

}  // namespace crawler::test
