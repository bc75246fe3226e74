#include "proto/wire_codec.hpp"

#include <limits>

namespace crawler {
namespace {

static_assert(static_cast<int>(FetchError::kOther) == wire::FETCH_ERROR_OTHER,
              "wire::FetchError must mirror crawler::FetchError value for value");
static_assert(static_cast<int>(FetchError::kCancelled) == wire::FETCH_ERROR_CANCELLED);
static_assert(static_cast<int>(FetchError::kHttpStatus) == wire::FETCH_ERROR_HTTP_STATUS);
static_assert(static_cast<int>(FetchError::kForbiddenAddress) == wire::FETCH_ERROR_FORBIDDEN_ADDRESS);
static_assert(static_cast<int>(FetchError::kHeaderTooLarge) == wire::FETCH_ERROR_HEADER_TOO_LARGE);
static_assert(kFetchErrorCount == static_cast<std::size_t>(wire::FetchError_ARRAYSIZE));

std::uint32_t to_u32(int v) { return v < 0 ? 0 : static_cast<std::uint32_t>(v); }

/// A wire value as an int within [lo, hi], or nullopt.
std::optional<int> in_range(std::uint64_t v, int lo, int hi) {
  if (v < static_cast<std::uint64_t>(lo) || v > static_cast<std::uint64_t>(hi)) return std::nullopt;
  return static_cast<int>(v);
}

}  // namespace

std::string_view to_string(FrameError e) {
  switch (e) {
    case FrameError::kNone:
      return "none";
    case FrameError::kTooLarge:
      return "too_large";
    case FrameError::kUnparsable:
      return "unparsable";
    case FrameError::kBadVersion:
      return "bad_version";
    case FrameError::kNoBody:
      return "no_body";
    case FrameError::kBadFraming:
      return "bad_framing";
    case FrameError::kUnexpected:
      return "unexpected";
    case FrameError::kCount_:
      break;
  }
  return "unknown";
}

std::uint64_t RefusedFrames::total() const {
  std::uint64_t n = 0;
  for (auto c : counts_) n += c;
  return n;
}

std::string RefusedFrames::summary() const {
  std::string out = std::to_string(total());
  std::string parts;
  for (std::size_t i = 1; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    if (!parts.empty()) parts += ", ";
    parts += std::to_string(counts_[i]) + " " + std::string(to_string(static_cast<FrameError>(i)));
  }
  if (!parts.empty()) out += " (" + parts + ")";
  return out;
}

std::string encode_frame(wire::Envelope& envelope) {
  envelope.set_version(kProtocolVersion);
  return envelope.SerializeAsString();
}

FrameError decode_frame(std::string_view frame, std::size_t max_bytes, wire::Envelope& out) {
  if (frame.size() > max_bytes) return FrameError::kTooLarge;
  if (frame.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return FrameError::kTooLarge;
  out.Clear();
  if (!out.ParseFromArray(frame.data(), static_cast<int>(frame.size())))
    return FrameError::kUnparsable;
  if (out.version() != kProtocolVersion) return FrameError::kBadVersion;
  if (out.body_case() == wire::Envelope::BODY_NOT_SET) return FrameError::kNoBody;
  return FrameError::kNone;
}

void to_wire(const FetchTask& task, wire::Task& out) {
  out.set_id(task.id);
  out.set_url(task.url);
  out.set_depth(task.depth);
  out.set_check_robots(task.check_robots);
  out.set_host_named_by_user(task.host_named_by_user);
}

FetchTask from_wire(const wire::Task& task) {
  FetchTask out;
  out.id = task.id();
  out.url = task.url();
  out.depth = task.depth();
  out.check_robots = task.check_robots();
  out.host_named_by_user = task.host_named_by_user();
  return out;
}

void to_wire(const PageRecord& record, wire::PageResult& out) {
  out.set_task_id(record.task_id);
  out.set_url(record.url);
  out.set_final_url(record.final_url);
  out.set_status(record.status);
  out.set_content_type(record.content_type);
  out.set_bytes(record.bytes);
  out.set_fetch_ms(record.fetch_ms);
  out.set_depth(record.depth);
  out.set_attempts(record.attempts);
  out.set_error(static_cast<wire::FetchError>(record.error));
  out.set_error_detail(record.error_detail);
  out.set_links_too_long(record.links_too_long);
  out.set_links_over_cap(record.links_over_cap);
  out.mutable_links()->Reserve(static_cast<int>(record.links.size()));
  for (const auto& link : record.links) out.add_links(link);
}

PageRecord from_wire(const wire::PageResult& result) {
  PageRecord out;
  out.task_id = result.task_id();
  out.url = result.url();
  out.final_url = result.final_url();
  out.status = result.status();
  out.content_type = result.content_type();
  out.bytes = result.bytes();
  out.fetch_ms = result.fetch_ms();
  out.depth = result.depth();
  out.attempts = result.attempts();
  const int e = result.error();
  out.error = e >= 0 && static_cast<std::size_t>(e) < kFetchErrorCount ? static_cast<FetchError>(e)
                                                                       : FetchError::kOther;
  out.error_detail = result.error_detail();
  out.links.assign(result.links().begin(), result.links().end());
  out.links_too_long = result.links_too_long();
  out.links_over_cap = result.links_over_cap();
  return out;
}

std::size_t fit_links(wire::PageResult& result, std::size_t max_bytes) {
  // An Envelope adds a few bytes of tags and lengths around the PageResult.
  // And links_over_cap may grow by the count of the dropped links: a tag and a varint, 6 bytes.
  constexpr std::size_t kEnvelopeOverhead = 32 + 6;
  const std::size_t limit = max_bytes > kEnvelopeOverhead ? max_bytes - kEnvelopeOverhead : 0;
  std::size_t size = result.ByteSizeLong();
  std::size_t dropped = 0;
  while (size > limit && result.links_size() > 0) {
    // Each repeated string costs its bytes plus a tag and a length varint (at most 1 + 5).
    const std::size_t cost = result.links(result.links_size() - 1).size() + 6;
    result.mutable_links()->RemoveLast();
    ++dropped;
    size = size > cost ? size - cost : 0;
    if (size <= limit) size = result.ByteSizeLong();  // exact check before stopping
  }
  result.set_links_over_cap(result.links_over_cap() + static_cast<std::uint32_t>(dropped));
  return dropped;
}

void to_wire(const FetchOptions& o, wire::Welcome& out) {
  out.set_user_agent(o.user_agent);
  out.set_obey_robots(o.obey_robots);
  out.set_connect_timeout_ms(to_u32(o.connect_timeout_ms));
  out.set_timeout_ms(to_u32(o.timeout_ms));
  out.set_low_speed_limit(to_u32(o.low_speed_limit));
  out.set_low_speed_time_s(to_u32(o.low_speed_time_s));
  out.set_max_body(o.max_body);
  out.set_max_redirects(to_u32(o.max_redirects));
  out.set_retries(to_u32(o.retries));
  out.set_retry_base_ms(to_u32(o.retry_base_ms));
  out.set_retry_after_max_ms(to_u32(o.retry_after_max_ms));
  out.set_delay_ms(to_u32(o.delay_ms));
  out.clear_resolve();
  for (const auto& r : o.resolve) out.add_resolve(r);
  out.clear_connect_to();
  for (const auto& c : o.connect_to) out.add_connect_to(c);
  out.set_max_header_bytes(o.max_header_bytes);
  out.set_max_links_per_page(o.max_links_per_page);
  out.set_max_url_length(o.max_url_length);
}

std::optional<std::string> apply_welcome(const wire::Welcome& w, FetchOptions& options) {
  // The same ranges as the command line (common/fetch_cli.cpp).
  const auto connect_timeout = in_range(w.connect_timeout_ms(), 1, 3'600'000);
  const auto timeout = in_range(w.timeout_ms(), 1, 86'400'000);
  const auto low_speed_limit = in_range(w.low_speed_limit(), 0, 1 << 30);
  const auto low_speed_time = in_range(w.low_speed_time_s(), 0, 3600);
  const auto max_redirects = in_range(w.max_redirects(), 0, 100);
  const auto retries = in_range(w.retries(), 0, 20);
  const auto retry_base = in_range(w.retry_base_ms(), 1, 3'600'000);
  const auto retry_after_max = in_range(w.retry_after_max_ms(), 0, 86'400'000);
  const auto delay = in_range(w.delay_ms(), 0, 3'600'000);
  if (!connect_timeout) return "connect_timeout_ms out of range";
  if (!timeout) return "timeout_ms out of range";
  if (!low_speed_limit) return "low_speed_limit out of range";
  if (!low_speed_time) return "low_speed_time_s out of range";
  if (!max_redirects) return "max_redirects out of range";
  if (!retries) return "retries out of range";
  if (!retry_base) return "retry_base_ms out of range";
  if (!retry_after_max) return "retry_after_max_ms out of range";
  if (!delay) return "delay_ms out of range";
  if (w.max_body() < 1 || w.max_body() > (std::uint64_t{1} << 34)) return "max_body out of range";
  // 0: a coordinator that predates the field; the worker keeps its default.
  const auto limit = [](std::uint32_t v, std::uint32_t lo, std::uint32_t hi, std::uint32_t fallback) {
    return v == 0 ? std::optional<std::uint32_t>(fallback)
                  : v >= lo && v <= hi ? std::optional<std::uint32_t>(v) : std::nullopt;
  };
  const auto max_header = limit(w.max_header_bytes(), 1024, 64u << 20, options.max_header_bytes);
  const auto max_links = limit(w.max_links_per_page(), 1, 10'000'000, options.max_links_per_page);
  const auto max_url = limit(w.max_url_length(), 64, 1u << 20, options.max_url_length);
  if (!max_header) return "max_header_bytes out of range";
  if (!max_links) return "max_links_per_page out of range";
  if (!max_url) return "max_url_length out of range";

  options.user_agent = w.user_agent();
  options.obey_robots = w.obey_robots();
  options.connect_timeout_ms = *connect_timeout;
  options.timeout_ms = *timeout;
  options.low_speed_limit = *low_speed_limit;
  options.low_speed_time_s = *low_speed_time;
  options.max_body = w.max_body();
  options.max_redirects = *max_redirects;
  options.retries = *retries;
  options.retry_base_ms = *retry_base;
  options.retry_after_max_ms = *retry_after_max;
  options.delay_ms = *delay;
  options.resolve.assign(w.resolve().begin(), w.resolve().end());
  options.connect_to.assign(w.connect_to().begin(), w.connect_to().end());
  options.max_header_bytes = *max_header;
  options.max_links_per_page = *max_links;
  options.max_url_length = *max_url;
  return std::nullopt;
}

}  // namespace crawler
