#include "simweb/filler_pool.hpp"

#include "simweb/rng.hpp"

namespace simweb {
namespace {

constexpr std::size_t kItems = 512;
constexpr std::uint64_t kPoolSeed = 0x51a7e5;  // the pool is the same for every site

constexpr std::string_view kWords[] = {
    "crawler",   "frontier",   "queue",   "host",     "latency", "socket",   "buffer",  "parser",
    "anchor",    "document",   "request", "response", "header",  "timeout",  "retry",   "backoff",
    "robots",    "politeness", "shard",   "worker",   "event",   "loop",     "thread",  "pool",
    "chess",     "game",       "board",   "move",     "waiting", "thinking", "async",   "await",
    "coroutine", "future",     "promise", "result",   "value",   "error",    "status",  "redirect",
    "the",       "a",          "of",      "and",      "to",      "in",       "is",      "for",
    "with",      "on",         "that",    "by",       "from",    "as",       "at",      "it",
    "river",     "mountain",   "village", "harbour",  "library", "garden",   "window",  "lantern",
    "café",      "naïve",      "Zürich",  "façade",   "über",    "piñata",   "smörgås", "crème",
    "quickly",   "slowly",     "quietly", "always",   "never",   "often",    "rarely",  "soon",
    "blue",      "green",      "amber",   "silver",   "narrow",  "wide",     "early",   "late",
    "builds",    "fetches",    "parses",  "follows",  "writes",  "measures", "waits",   "counts",
};

}  // namespace

std::size_t FillerPool::word_count() { return sizeof(kWords) / sizeof(kWords[0]); }
std::string_view FillerPool::word(std::size_t i) { return kWords[i]; }

const FillerPool& FillerPool::instance() {
  static const FillerPool pool;
  return pool;
}

FillerPool::FillerPool() {
  Rng r(kPoolSeed);
  items_.reserve(kItems);
  for (std::size_t i = 0; i < kItems; ++i) {
    Item item;
    for (int s = r.between(2, 5); s > 0; --s) {
      const auto start = item.text.size();
      append_words(item.text, r, r.between(6, 16));
      auto& first = item.text[start];
      if (first >= 'a' && first <= 'z') first = static_cast<char>(first - 'a' + 'A');
      item.text += r.chance(8) ? "; it costs 5 &lt; 7 &amp; more. " : ". ";
    }
    items_.push_back(std::move(item));
  }
}

}  // namespace simweb
