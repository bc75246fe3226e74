#pragma once
/// The one way a fuzz target reports a broken property: print what and abort, so libFuzzer
/// saves the input as a crash.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace crawler::fuzz {

/// Aborts with `what` (and `detail`, when given) unless `ok`.
inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (ok) return;
  std::fprintf(stderr, "fuzz property broken: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace crawler::fuzz
