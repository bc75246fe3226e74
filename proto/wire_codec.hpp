#pragma once
/// The wire format of the coordinator/worker protocol: frames to and from wire::Envelope, and
/// conversions between the crawl's own types (common/) and the generated messages. Pure
/// functions, thread-safe. common/ never sees protobuf; this library is the one bridge.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/fetch_options.hpp"
#include "common/page_record.hpp"
#include "common/task_sink.hpp"
#include "proto/crawler.pb.h"

namespace crawler {

/// The protocol version this build speaks; frames carrying any other version are refused.
inline constexpr std::uint32_t kProtocolVersion = 1;
/// Default cap on one received frame. Above it a frame is refused (and counted), unparsed.
inline constexpr std::size_t kDefaultMaxFrameBytes = std::size_t{16} << 20;

/// Why a received frame was refused. The connection and the crawl go on either way.
enum class FrameError : std::uint8_t {
  kNone = 0,
  kTooLarge,    ///< larger than the receiver's cap
  kUnparsable,  ///< not a protobuf Envelope
  kBadVersion,  ///< an Envelope with a version other than kProtocolVersion
  kNoBody,      ///< an Envelope with no message in it (or one this build does not know)
  kBadFraming,  ///< wrong number of ZeroMQ frames in the message
  kUnexpected,  ///< a valid message that makes no sense here (wrong direction, unknown sender)
  kCount_,
};

/// Stable short name: "too_large", "unparsable", "bad_version", ...
std::string_view to_string(FrameError e);

/// Counts of refused frames by reason. Single-threaded.
class RefusedFrames {
 public:
  void count(FrameError e) {
    if (e != FrameError::kNone) ++counts_[static_cast<std::size_t>(e)];
  }
  std::uint64_t of(FrameError e) const { return counts_[static_cast<std::size_t>(e)]; }
  std::uint64_t total() const;
  /// "3 (1 unparsable, 1 too_large, 1 bad_version)", or "0".
  std::string summary() const;

 private:
  std::array<std::uint64_t, static_cast<std::size_t>(FrameError::kCount_)> counts_{};
};

/// Serialises `envelope` after setting its version to kProtocolVersion.
std::string encode_frame(wire::Envelope& envelope);

/// Parses one frame into `out`. Refuses, without parsing, a frame over `max_bytes`; refuses
/// bytes that are not an Envelope, a version other than kProtocolVersion, and an Envelope
/// without a body. `out` is unspecified unless kNone is returned.
FrameError decode_frame(std::string_view frame, std::size_t max_bytes, wire::Envelope& out);

/// FetchTask <-> wire::Task, field for field.
void to_wire(const FetchTask& task, wire::Task& out);
FetchTask from_wire(const wire::Task& task);

/// PageRecord <-> wire::PageResult, field for field; an error value this build does not know
/// reads as FetchError::kOther.
void to_wire(const PageRecord& record, wire::PageResult& out);
PageRecord from_wire(const wire::PageResult& result);

/// Drops links from the end of `result` until an Envelope holding it encodes to at most
/// `max_bytes` (so the coordinator will not refuse it); returns how many were dropped, and adds
/// them to its links_over_cap, so the crawl's summary counts them with the per-page cap's.
std::size_t fit_links(wire::PageResult& result, std::size_t max_bytes);

/// Writes the crawl-wide settings of `options` (everything but concurrency, per_host,
/// parse_threads, mode and the SSRF guard's allow_hosts and allow_private) into `out`.
void to_wire(const FetchOptions& options, wire::Welcome& out);

/// Replaces the crawl-wide settings in `options` with the Welcome's; the worker-local ones stay
/// (among them the SSRF guard's allow_hosts and allow_private, which a Welcome never carries).
/// Returns an error message, leaving `options` unchanged, when a value is out of the range the
/// command line accepts (e.g. timeout_ms 0).
std::optional<std::string> apply_welcome(const wire::Welcome& welcome, FetchOptions& options);

}  // namespace crawler
