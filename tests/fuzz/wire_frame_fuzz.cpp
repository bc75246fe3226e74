// Frame handling (proto/wire_codec.hpp) on arbitrary bytes, as the coordinator and the worker
// receive them. Properties: nothing crashes; an accepted frame carries the protocol version and
// a body; its conversions to the crawl's own types do not crash; re-encoding it gives a frame
// that decodes again to the same message; a cap below the size refuses it unparsed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/fetch_options.hpp"
#include "proto/wire_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using crawler::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  crawler::wire::Envelope envelope;
  const crawler::FrameError e = crawler::decode_frame(frame, crawler::kDefaultMaxFrameBytes, envelope);
  if (size > 0) {
    crawler::wire::Envelope capped;
    check(crawler::decode_frame(frame, size - 1, capped) == crawler::FrameError::kTooLarge,
          "a frame over the cap was not refused");
  }
  (void)crawler::to_string(e);
  if (e != crawler::FrameError::kNone) return 0;
  check(envelope.version() == crawler::kProtocolVersion, "accepted a wrong version");
  check(envelope.body_case() != crawler::wire::Envelope::BODY_NOT_SET, "accepted no body");

  if (envelope.has_tasks()) {
    for (const auto& t : envelope.tasks().tasks()) (void)crawler::from_wire(t);
  }
  if (envelope.has_result()) {
    crawler::wire::PageResult result = envelope.result();
    const crawler::PageRecord record = crawler::from_wire(result);
    crawler::wire::PageResult back;
    crawler::to_wire(record, back);
    (void)crawler::fit_links(result, 1024);
    check(result.ByteSizeLong() <= 1024 - 32 || result.links_size() == 0, "fit_links did not fit");
  }
  if (envelope.has_welcome()) {
    crawler::FetchOptions options;
    const crawler::FetchOptions before = options;
    if (crawler::apply_welcome(envelope.welcome(), options)) {
      check(options.user_agent == before.user_agent && options.resolve == before.resolve,
            "a refused Welcome changed the options");
    }
  }

  std::string again = crawler::encode_frame(envelope);
  crawler::wire::Envelope reparsed;
  check(crawler::decode_frame(again, crawler::kDefaultMaxFrameBytes, reparsed) ==
            crawler::FrameError::kNone,
        "a re-encoded frame is refused");
  check(reparsed.SerializeAsString() == again, "re-encoding is not stable");
  return 0;
}
