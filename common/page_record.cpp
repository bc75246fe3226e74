#include "common/page_record.hpp"

namespace crawler {

std::string_view to_string(FetchError e) {
  switch (e) {
    case FetchError::kNone: return "none";
    case FetchError::kBadUrl: return "bad_url";
    case FetchError::kDns: return "dns";
    case FetchError::kConnect: return "connect";
    case FetchError::kTimeout: return "timeout";
    case FetchError::kTls: return "tls";
    case FetchError::kReset: return "reset";
    case FetchError::kProtocol: return "protocol";
    case FetchError::kTooManyRedirects: return "too_many_redirects";
    case FetchError::kBadRedirect: return "bad_redirect";
    case FetchError::kBodyTooLarge: return "body_too_large";
    case FetchError::kHttpStatus: return "http_status";
    case FetchError::kRobots: return "robots";
    case FetchError::kCancelled: return "cancelled";
    case FetchError::kOther: return "other";
    case FetchError::kForbiddenAddress: return "forbidden_address";
    case FetchError::kHeaderTooLarge: return "header_too_large";
  }
  return "other";
}

}  // namespace crawler
