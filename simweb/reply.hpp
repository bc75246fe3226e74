#pragma once
/// What a route answers: a whole message, a header followed by a paced body, or a reset.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace simweb {

/// A response body produced piece by piece and paced by the session (slow, stalled, huge and
/// compressed-bomb bodies). Not thread-safe; owned by one session.
class BodySource {
 public:
  /// What to do next.
  struct Piece {
    enum class Then {
      kMore,   ///< send `data`, then ask again
      kEnd,    ///< send `data`; the body is complete
      kClose,  ///< send `data`, then drop the connection (body left incomplete)
    };
    std::string data;
    std::chrono::milliseconds wait{0};  ///< wait this long before sending `data`
    Then then = Then::kMore;
  };

  virtual ~BodySource() = default;
  /// The next piece. Called again only after the previous one was sent.
  virtual Piece next() = 0;
};

/// One response, as a route decided it.
struct Reply {
  enum class Kind {
    kMessage,  ///< send `message` as it is (Content-Length is set from its body)
    kStream,   ///< send `message`'s header (its body is ignored), then the pieces of `body`
    kReset,    ///< send nothing; close the socket with an RST (SO_LINGER 0)
  };
  Kind kind = Kind::kMessage;
  boost::beast::http::response<boost::beast::http::string_body> message;
  std::unique_ptr<BodySource> body;  ///< kStream only
  /// kStream: the header already says how the body ends (Content-Length or chunked). When it
  /// says neither, the body ends when the connection closes.

  /// A kMessage with `status`, Content-Type and body. Version and keep-alive are the session's.
  static Reply make(boost::beast::http::status status, std::string_view content_type,
                    std::string body) {
    Reply r;
    r.message.result(status);
    r.message.set(boost::beast::http::field::content_type,
                  boost::beast::string_view(content_type.data(), content_type.size()));
    r.message.body() = std::move(body);
    return r;
  }
};

}  // namespace simweb
