#pragma once
/// robots.txt rules for one host, as RFC 9309 specifies them, plus Crawl-delay.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crawler {

/// Parsed rules of the group that applies to one user agent.
class RobotsRules {
 public:
  /// Parses a robots.txt body for `user_agent` (product token matched case-insensitively; the
  /// most specific group wins, else '*'). Malformed lines are ignored. Bodies over 500 KiB are
  /// cut there (RFC 9309 allows it).
  static RobotsRules parse(std::string_view body, std::string_view user_agent);
  /// Everything allowed (robots.txt missing, 4xx).
  static RobotsRules allow_all();
  /// Everything disallowed (robots.txt answered 5xx or was unreachable: RFC 9309 "complete disallow").
  static RobotsRules disallow_all();

  /// Longest-match Allow/Disallow with '*' and '$'; Allow wins a tie. `path_and_query` starts with '/'.
  bool allowed(std::string_view path_and_query) const;
  /// Crawl-delay in milliseconds if the group set one.
  std::optional<int> crawl_delay_ms() const { return crawl_delay_ms_; }

 private:
  struct Rule {
    std::string pattern;
    bool allow;
  };
  std::vector<Rule> rules_;
  std::optional<int> crawl_delay_ms_;
  bool disallow_all_ = false;
};

}  // namespace crawler
