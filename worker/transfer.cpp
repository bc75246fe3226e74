#include "worker/transfer.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

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

void append(curl_slist*& list, const char* entry) {
  curl_slist* grown = curl_slist_append(list, entry);
  if (grown == nullptr) throw std::bad_alloc();
  list = grown;
}

}  // namespace

std::optional<std::pair<std::string, int>> Transfer::host_and_port(const char* url) {
  if (url == nullptr) return std::nullopt;
  CURLU* u = curl_url();
  if (u == nullptr) return std::nullopt;
  std::optional<std::pair<std::string, int>> out;
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    out.emplace(AddressGuard::canonical_host(host), std::atoi(port));
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return out;
}

Transfer::Transfer() : easy_(curl_easy_init()) {
  if (easy_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

Transfer::~Transfer() {
  curl_easy_cleanup(easy_);
  curl_slist_free_all(resolve_);
}

void Transfer::configure(const std::string& url, const FetchOptions& options,
                         const Network& network, Purpose purpose, bool host_named_by_user) {
  curl_easy_reset(easy_);
  curl_slist_free_all(resolve_);
  resolve_ = nullptr;
  body_.clear();
  over_cap_ = false;
  max_header_bytes_ = options.max_header_bytes;
  header_bytes_ = 0;
  header_over_cap_ = false;
  final_responses_ = 0;
  guard_ = network.guard != nullptr && network.guard->enabled() ? network.guard : nullptr;
  named_host_.clear();
  if (host_named_by_user) {
    if (auto where = host_and_port(url.c_str())) named_host_ = std::move(where->first);
  }
  refused_.clear();
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
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  // The guard sits where curl opens a socket: it sees each address curl will connect to (every
  // candidate address, every redirect) before a packet leaves, whatever DNS said. The
  // pre-request check repeats it for requests on a reused connection, so the verdict is per
  // request and never depends on what the connection pool holds.
  if (guard_ != nullptr) {
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Transfer::on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &Transfer::on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, this);
  }
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
  if (!network.resolved.empty()) {
    // The user's entries first, so that a redirect to a host they map finds it too.
    for (const curl_slist* entry = network.resolve; entry != nullptr; entry = entry->next) {
      append(resolve_, entry->data);
    }
    append(resolve_, network.resolved.c_str());
    curl_easy_setopt(e, CURLOPT_RESOLVE, resolve_);
  } else if (network.resolve != nullptr) {
    curl_easy_setopt(e, CURLOPT_RESOLVE, network.resolve);
  }
  curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, network.dns_cache_timeout_s);
  if (network.connect_to != nullptr) curl_easy_setopt(e, CURLOPT_CONNECT_TO, network.connect_to);
  configure_tls(url, options);
  if (!options.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, options.proxy.c_str());
  if (!options.no_proxy.empty()) curl_easy_setopt(e, CURLOPT_NOPROXY, options.no_proxy.c_str());
  // A proxy's "200 Connection established" is no response of the site (nor counted as one).
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 60L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 30L);
}

void Transfer::configure_tls(const std::string& url, const FetchOptions& options) {
  CURL* e = easy_;
  // curl_easy_reset brought back the CA file and CA path libcurl was built with. Debian's has a
  // path, and any CA path turns libcurl's CA cache off: each new TLS connection would parse the
  // whole bundle again (22-26 ms of CPU on the loop). Without one, the bundle is parsed once
  // per multi handle (CURLOPT_CA_CACHE_TIMEOUT, default 24 h).
  if (!options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.ca_path.empty()) {
    curl_easy_setopt(e, CURLOPT_CAPATH, options.ca_path.c_str());
    // A hashed directory is read lazily, per issuer: it needs no bundle beside it.
    if (options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, nullptr);
  } else {
    curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);
  }
  if (options.insecure) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  // Only TLS negotiates HTTP/2 here (ALPN; no h2c): a plain-HTTP transfer must not wait to learn
  // that its host's first connection cannot be shared.
  if (url.compare(0, 6, "https:") == 0) {  // the engines pass normalised (lower-case) schemes
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  }
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

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t count,
                                void* userp) noexcept {
  auto* self = static_cast<Transfer*>(userp);
  const std::size_t n = size * count;
  // Each response of a redirect chain (and each 1xx) starts with its status line.
  if (n >= 5 && std::memcmp(data, "HTTP/", 5) == 0) {
    self->header_bytes_ = 0;
    // "HTTP/1.1 302 Found", "HTTP/2 200": the status follows the first space.
    const char* space = static_cast<const char*>(std::memchr(data, ' ', n));
    if (space == nullptr || space + 1 >= data + n || space[1] != '1') ++self->final_responses_;
  }
  self->header_bytes_ += n;
  if (self->header_bytes_ > self->max_header_bytes_) {
    self->header_over_cap_ = true;
    return 0;  // curl aborts with CURLE_WRITE_ERROR
  }
  return n;
}

curl_socket_t Transfer::on_open_socket(void* clientp, curlsocktype purpose,
                                       curl_sockaddr* address) noexcept {
  auto* self = static_cast<Transfer*>(clientp);
  try {
    if (purpose == CURLSOCKTYPE_IPCXN && self->guard_ != nullptr) {
      std::string why = self->refusal(&address->addr);
      if (!why.empty()) {
        self->refused_ = std::move(why);
        return CURL_SOCKET_BAD;  // curl tries the host's next address, or fails to connect
      }
    }
  } catch (...) {  // fail closed, never unwind through curl
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

int Transfer::on_prereq(void* clientp, char* primary_ip, char* /*local_ip*/, int primary_port,
                        int /*local_port*/) noexcept {
  auto* self = static_cast<Transfer*>(clientp);
  try {
    std::string why =
        self->refusal(std::string_view(primary_ip != nullptr ? primary_ip : ""), primary_port);
    if (why.empty()) return CURL_PREREQFUNC_OK;
    self->refused_ = std::move(why);
  } catch (...) {  // fail closed
  }
  return CURL_PREREQFUNC_ABORT;  // curl fails the transfer with CURLE_ABORTED_BY_CALLBACK
}

template <typename... Address>
std::string Transfer::refusal(const Address&... address) const {
  // The URL being connected for: after a redirect, curl has already made it the effective URL.
  const char* effective = nullptr;
  curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &effective);
  const auto where = host_and_port(effective);
  if (!where) return "cannot tell which host a connection is for";
  if (!named_host_.empty() && where->first == named_host_) return {};
  return guard_->refusal(where->first, where->second, address...);
}

FetchError Transfer::map_error(CURLcode code, bool redirected, bool over_cap,
                               bool header_over_cap, bool refused) {
  // Only failures to connect (or to send) are the guard's: a refused candidate address followed
  // by a good one and then, say, a timeout is a timeout.
  if (refused && (code == CURLE_COULDNT_CONNECT || code == CURLE_ABORTED_BY_CALLBACK)) {
    return FetchError::kForbiddenAddress;
  }
  if (code == CURLE_WRITE_ERROR && header_over_cap) return FetchError::kHeaderTooLarge;
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

  // The last status curl saw belongs to a redirect when the redirect's target never answered.
  const bool failed_after_redirect =
      code != CURLE_OK && redirects > 0 && final_responses_ <= redirects;
  if (failed_after_redirect) status = 0;
  record.status = static_cast<int>(status);
  record.content_type = content_type != nullptr ? content_type : "";
  record.bytes = body_.size();
  record.fetch_ms = static_cast<double>(total_us) / 1000.0;
  record.final_url.clear();
  if (status != 0 && effective != nullptr && is_http_url(effective)) record.final_url = effective;
  record.links.clear();

  if (truncate_ && over_cap_ && code == CURLE_WRITE_ERROR) code = CURLE_OK;  // robots: keep head
  record.error = map_error(code, redirects > 0, over_cap_, header_over_cap_, !refused_.empty());
  record.error_detail.clear();
  if (record.error != FetchError::kNone) {
    record.error_detail = error_[0] != '\0' ? error_ : curl_easy_strerror(code);
    if (failed_after_redirect && effective != nullptr && record.error != FetchError::kBadRedirect &&
        record.error != FetchError::kForbiddenAddress) {
      record.error_detail = "redirect to " + std::string(effective) + ": " + record.error_detail;
    }
    if (record.error == FetchError::kBadRedirect && effective != nullptr) {
      record.error_detail = "redirect to " + std::string(effective) + ": " + record.error_detail;
    }
    if (record.error == FetchError::kBodyTooLarge) {
      record.error_detail = "body over " + std::to_string(max_body_) + " bytes";
    }
    if (record.error == FetchError::kHeaderTooLarge) {
      record.error_detail = "response headers over " + std::to_string(max_header_bytes_) + " bytes";
    }
    if (record.error == FetchError::kForbiddenAddress) {
      record.error_detail = (redirects > 0 && effective != nullptr ? "redirect to " + std::string(effective) + ": " : "") +
                            "refused " + refused_;
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
