#include "worker/transfer.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace crawler {

namespace {

bool is_http_url(std::string_view url) {
  auto starts = [&](std::string_view p) {
    return url.size() >= p.size() &&
           std::equal(p.begin(), p.end(), url.begin(),
                      [](char a, char b) { return a == (b | 0x20) || a == b; });
  };
  return starts("http://") || starts("https://");
}

}  // namespace

Transfer::Transfer() : easy_(curl_easy_init()) {
  if (easy_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

Transfer::~Transfer() { curl_easy_cleanup(easy_); }

void Transfer::configure(const std::string& url, const FetchOptions& options,
                         const curl_slist* resolve, Purpose purpose) {
  curl_easy_reset(easy_);
  body_.clear();
  over_cap_ = false;
  error_[0] = '\0';
  const bool robots = purpose == Purpose::kRobots;
  max_body_ = robots ? kRobotsMaxBytes : options.max_body;
  truncate_ = robots;
  const long timeout_ms =
      robots ? std::min(options.timeout_ms, kRobotsTimeoutMs) : options.timeout_ms;

  CURL* e = easy_;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options.low_speed_limit));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time_s));
  // A Content-Length over the cap fails at once; robots.txt keeps its first bytes instead.
  if (!robots) {
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body));
  }
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
  if (resolve != nullptr) curl_easy_setopt(e, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 60L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 30L);
}

std::size_t Transfer::on_write(char* data, std::size_t size, std::size_t count,
                               void* userp) noexcept {
  auto* self = static_cast<Transfer*>(userp);
  const std::size_t n = size * count;
  try {
    if (self->body_.size() + n > self->max_body_) {
      // Chunked and compressed bodies have no usable length: the cap is enforced here, on the
      // decompressed bytes, so a compression bomb stops at max_body.
      self->over_cap_ = true;
      if (self->truncate_) self->body_.append(data, self->max_body_ - self->body_.size());
      return 0;  // curl aborts with CURLE_WRITE_ERROR
    }
    self->body_.append(data, n);
    return n;
  } catch (...) {  // bad_alloc: fail the transfer, never unwind through curl
    return 0;
  }
}

FetchError Transfer::map_error(CURLcode code, bool redirected, bool over_cap) {
  switch (code) {
    case CURLE_OK:
      return FetchError::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return FetchError::kDns;
    case CURLE_COULDNT_CONNECT:
      return FetchError::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return FetchError::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return FetchError::kTls;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return FetchError::kReset;
    case CURLE_TOO_MANY_REDIRECTS:
      return FetchError::kTooManyRedirects;
    // The start URL is checked before a transfer: a refused scheme or unparsable URL can only
    // come from a Location header.
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return redirected ? FetchError::kBadRedirect : FetchError::kBadUrl;
    case CURLE_FILESIZE_EXCEEDED:
      return FetchError::kBodyTooLarge;
    case CURLE_WRITE_ERROR:
      return over_cap ? FetchError::kBodyTooLarge : FetchError::kOther;
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return FetchError::kProtocol;
    default:
      return FetchError::kOther;
  }
}

void Transfer::finish(CURLcode code, PageRecord& record) const {
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  const char* effective = nullptr;
  curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &effective);
  const char* content_type = nullptr;
  curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &content_type);
  long redirects = 0;
  curl_easy_getinfo(easy_, CURLINFO_REDIRECT_COUNT, &redirects);
  curl_off_t total_us = 0;
  curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total_us);

  record.status = static_cast<int>(status);
  record.content_type = content_type != nullptr ? content_type : "";
  record.bytes = body_.size();
  record.fetch_ms = static_cast<double>(total_us) / 1000.0;
  record.final_url.clear();
  if (status != 0 && effective != nullptr && is_http_url(effective)) record.final_url = effective;
  record.links.clear();

  if (truncate_ && over_cap_ && code == CURLE_WRITE_ERROR) code = CURLE_OK;  // robots: keep head
  record.error = map_error(code, redirects > 0, over_cap_);
  record.error_detail.clear();
  if (record.error != FetchError::kNone) {
    record.error_detail = error_[0] != '\0' ? error_ : curl_easy_strerror(code);
    if (record.error == FetchError::kBadRedirect && effective != nullptr) {
      record.error_detail = "redirect to " + std::string(effective) + ": " + record.error_detail;
    }
    if (record.error == FetchError::kBodyTooLarge) {
      record.error_detail = "body over " + std::to_string(max_body_) + " bytes";
    }
    return;
  }
  if (status < 200 || status > 299) {
    record.error = FetchError::kHttpStatus;
    record.error_detail = "HTTP " + std::to_string(status);
  }
}

std::int64_t Transfer::retry_after_s() const {
  curl_off_t seconds = 0;
  if (curl_easy_getinfo(easy_, CURLINFO_RETRY_AFTER, &seconds) != CURLE_OK) return 0;
  return seconds > 0 ? static_cast<std::int64_t>(seconds) : 0;
}

void Transfer::give_buffer(std::string&& buffer) {
  buffer.clear();
  body_ = std::move(buffer);
}

}  // namespace crawler
