#include "common/robots_rules.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

namespace crawler {
namespace {

constexpr std::size_t kMaxBodyBytes = 500 * 1024;  // RFC 9309 §2.5: parse at least 500 KiB
constexpr double kMaxCrawlDelaySeconds = 60;

bool is_ws(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) { return c <= '9' ? c - '0' : lower(c) - 'a' + 10; }

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void append_escaped(std::string& out, unsigned char c) {
  constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

// One form for patterns and paths so that they compare byte for byte (RFC 9309 §2.2.2): escapes
// of unreserved characters decoded, other escapes upper-cased, non-ASCII, controls and spaces
// escaped. In a pattern '*' and a final '$' stay wildcards; everywhere else (and in paths) a
// literal '*' or '$' becomes %2A / %24, which is how a pattern writes a literal one.
std::string normalise(std::string_view s, bool pattern) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      const auto decoded =
          static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(decoded)) {
        out += static_cast<char>(decoded);
      } else {
        append_escaped(out, decoded);
      }
      i += 2;
    } else if (c >= 0x80 || c <= 0x20 || c == 0x7f) {
      append_escaped(out, c);
    } else if (c == '*' && !pattern) {
      out += "%2A";
    } else if (c == '$' && !(pattern && i + 1 == s.size())) {
      out += "%24";
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// True when `pattern` ('*' any run, final '$' end of path) matches a prefix of `path`: the
// position-set algorithm of Google's reference robots.txt matcher, O(|path| * |pattern|).
bool matches(std::string_view path, std::string_view pattern, std::vector<std::size_t>& pos) {
  pos.assign(path.size() + 1, 0);
  std::size_t count = 1;
  for (std::size_t j = 0; j < pattern.size(); ++j) {
    const char c = pattern[j];
    if (c == '$' && j + 1 == pattern.size()) return pos[count - 1] == path.size();
    if (c == '*') {
      count = path.size() - pos[0] + 1;
      for (std::size_t i = 1; i < count; ++i) pos[i] = pos[i - 1] + 1;
      continue;
    }
    std::size_t next = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (pos[i] < path.size() && path[pos[i]] == c) pos[next++] = pos[i] + 1;
    }
    count = next;
    if (count == 0) return false;
  }
  return true;
}

// The product token a User-agent line names: its leading run of letters, '-' and '_'
// ("Googlebot/2.1 (+http://...)" names "Googlebot"), or "*".
std::string_view agent_name(std::string_view value) {
  if (!value.empty() && value.front() == '*') return "*";
  std::size_t n = 0;
  while (n < value.size() &&
         ((value[n] >= 'a' && value[n] <= 'z') || (value[n] >= 'A' && value[n] <= 'Z') ||
          value[n] == '-' || value[n] == '_')) {
    ++n;
  }
  return value.substr(0, n);
}

enum class Key { kUserAgent, kAllow, kDisallow, kCrawlDelay, kOther };

Key key_of(std::string_view key) {
  // The common misspellings Google's parser accepts are accepted too.
  for (std::string_view k : {"user-agent", "useragent", "user agent"}) {
    if (iequals(key, k)) return Key::kUserAgent;
  }
  if (iequals(key, "allow")) return Key::kAllow;
  for (std::string_view k :
       {"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"}) {
    if (iequals(key, k)) return Key::kDisallow;
  }
  for (std::string_view k : {"crawl-delay", "crawldelay", "crawl delay"}) {
    if (iequals(key, k)) return Key::kCrawlDelay;
  }
  return Key::kOther;
}

// Splits "key: value" (or "key value" when the colon is missing, as Google also accepts).
bool split_line(std::string_view line, std::string_view& key, std::string_view& value) {
  const std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    key = trim(line.substr(0, colon));
    value = trim(line.substr(colon + 1));
    return !key.empty();
  }
  const std::size_t space = line.find_first_of(" \t");
  if (space == std::string_view::npos) return false;
  key = trim(line.substr(0, space));
  value = trim(line.substr(space));
  return !key.empty() && value.find_first_of(" \t") == std::string_view::npos;
}

std::optional<int> parse_crawl_delay(std::string_view value) {
  double seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end == value.data() || !std::isfinite(seconds) || seconds < 0) {
    return std::nullopt;
  }
  return static_cast<int>(std::lround(std::min(seconds, kMaxCrawlDelaySeconds) * 1000));
}

// Rules and Crawl-delay gathered from the groups of one kind (ours, or '*').
struct Collected {
  bool matched = false;
  std::vector<std::pair<std::string, bool>> rules;
  std::optional<int> crawl_delay_ms;
};

}  // namespace

RobotsRules RobotsRules::allow_all() { return RobotsRules(); }

RobotsRules RobotsRules::disallow_all() {
  RobotsRules rules;
  rules.disallow_all_ = true;
  return rules;
}

RobotsRules RobotsRules::parse(std::string_view body, std::string_view user_agent) {
  body = body.substr(0, kMaxBodyBytes);
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  std::string_view product = trim(user_agent.substr(0, user_agent.find('/')));
  product = product.substr(0, product.find_first_of(" \t"));

  Collected ours;
  Collected global;
  // The current group: its user-agent lines, and whether a rule has ended that list.
  bool group_is_ours = false;
  bool group_is_global = false;
  bool in_agent_lines = false;
  bool any_agent = false;

  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    if (end < body.size() && body[end] == '\r' && pos < body.size() && body[pos] == '\n') ++pos;

    line = trim(line.substr(0, line.find('#')));
    std::string_view key_text;
    std::string_view value;
    if (line.empty() || !split_line(line, key_text, value)) continue;
    const Key key = key_of(key_text);
    if (key == Key::kOther) continue;  // Sitemap and unknown records belong to no group

    if (key == Key::kUserAgent) {
      if (!in_agent_lines) {
        group_is_ours = group_is_global = false;
        in_agent_lines = true;
      }
      any_agent = true;
      const std::string_view name = agent_name(value);
      if (name == "*") {
        group_is_global = true;
        global.matched = true;
      } else if (!product.empty() && iequals(name, product)) {
        group_is_ours = true;
        ours.matched = true;
      }
      continue;
    }
    in_agent_lines = false;
    if (!any_agent) continue;  // records before the first User-agent line belong to no group
    for (Collected* c : {group_is_ours ? &ours : nullptr, group_is_global ? &global : nullptr}) {
      if (c == nullptr) continue;
      if (key == Key::kCrawlDelay) {
        if (auto ms = parse_crawl_delay(value)) {
          c->crawl_delay_ms = std::max(c->crawl_delay_ms.value_or(0), *ms);
        }
      } else if (!value.empty()) {  // an empty Disallow (or Allow) allows everything
        c->rules.emplace_back(normalise(value, true), key == Key::kAllow);
      }
    }
  }

  const Collected& chosen = ours.matched ? ours : global;
  RobotsRules result;
  result.crawl_delay_ms_ = chosen.crawl_delay_ms;
  result.rules_.reserve(chosen.rules.size());
  for (const auto& [pattern, allow] : chosen.rules) result.rules_.push_back(Rule{pattern, allow});
  return result;
}

bool RobotsRules::allowed(std::string_view path_and_query) const {
  if (path_and_query.substr(0, path_and_query.find('?')) == "/robots.txt") return true;
  if (disallow_all_) return false;
  if (rules_.empty()) return true;
  const std::string path = normalise(path_and_query, false);
  thread_local std::vector<std::size_t> positions;
  std::size_t best_allow = 0;
  std::size_t best_disallow = 0;
  bool any_allow = false;
  bool any_disallow = false;
  for (const Rule& rule : rules_) {
    std::size_t& best = rule.allow ? best_allow : best_disallow;
    bool& any = rule.allow ? any_allow : any_disallow;
    if (any && rule.pattern.size() <= best) continue;
    if (!matches(path, rule.pattern, positions)) continue;
    best = rule.pattern.size();
    any = true;
  }
  // The longest match wins; Allow wins a tie (RFC 9309 §2.2.2).
  if (!any_disallow) return true;
  return any_allow && best_allow >= best_disallow;
}

}  // namespace crawler
