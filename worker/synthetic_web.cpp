#include "worker/synthetic_web.hpp"

#include <boost/asio/post.hpp>

#include <charconv>
#include <utility>

namespace crawler {
namespace {

/// SplitMix64's finaliser: consecutive inputs give well-spread outputs.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool parse_number(std::string_view s, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

class SyntheticEngine : public TaskSink {
 public:
  SyntheticEngine(boost::asio::io_context& io, SyntheticWeb web) : io_(io), web_(web) {}

  void submit(FetchTask task, Callback done) override {
    waiting_.emplace_back(std::move(task), std::move(done));
    if (waiting_.size() == 1) boost::asio::post(io_, [this] { answer(); });
  }
  std::size_t outstanding() const override { return waiting_.size(); }
  std::size_t in_flight() const override { return waiting_.size(); }
  void cancel_all() override { answer(/*cancelled=*/true); }

 private:
  void answer(bool cancelled = false) {
    auto batch = std::exchange(waiting_, {});
    for (auto& [task, done] : batch) {
      PageRecord r;
      r.task_id = task.id;
      r.url = task.url;
      r.depth = task.depth;
      r.attempts = 1;
      if (cancelled) {
        r.error = FetchError::kCancelled;
      } else if (const auto page = web_.page_of(task.url)) {
        r.final_url = task.url;
        r.status = 200;
        r.content_type = "text/html";
        r.links = web_.links_of(*page);
      } else {
        r.final_url = task.url;
        r.status = 404;
        r.error = FetchError::kHttpStatus;
      }
      done(std::move(r));
    }
  }

  boost::asio::io_context& io_;
  SyntheticWeb web_;
  std::vector<std::pair<FetchTask, Callback>> waiting_;
};

}  // namespace

std::optional<SyntheticWeb> SyntheticWeb::parse(std::string_view spec) {
  SyntheticWeb web;
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view rest = spec.substr(colon + 1);
  const auto second = rest.find(':');
  std::uint64_t links = web.links;
  if (!parse_number(spec.substr(0, colon), web.pages) || !parse_number(rest.substr(0, second), web.hosts)) {
    return std::nullopt;
  }
  if (second != std::string_view::npos && !parse_number(rest.substr(second + 1), links)) return std::nullopt;
  if (web.pages == 0 || web.hosts == 0 || web.hosts > web.pages || links > 10'000) return std::nullopt;
  web.links = static_cast<std::uint32_t>(links);
  return web;
}

std::string SyntheticWeb::url(std::uint64_t page) const {
  return "http://h" + std::to_string(page % hosts) + ".syn/p" + std::to_string(page);
}

std::optional<std::uint64_t> SyntheticWeb::page_of(std::string_view url) const {
  const auto p = url.rfind("/p");
  std::uint64_t page = 0;
  if (p == std::string_view::npos || !parse_number(url.substr(p + 2), page) || page >= pages) return std::nullopt;
  if (url != this->url(page)) return std::nullopt;
  return page;
}

std::vector<std::string> SyntheticWeb::links_of(std::uint64_t page) const {
  std::vector<std::string> out;
  out.reserve(links);
  for (std::uint32_t k = 0; k < links; ++k) out.push_back(url(mix(page * 0x10001 + k) % pages));
  return out;
}

std::unique_ptr<TaskSink> make_synthetic_engine(boost::asio::io_context& io, SyntheticWeb web) {
  return std::make_unique<SyntheticEngine>(io, web);
}

}  // namespace crawler
