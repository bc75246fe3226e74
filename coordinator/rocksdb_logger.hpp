#pragma once
/// RocksDB's own log, sent to ours.

#include <memory>

namespace rocksdb {
class Logger;
}  // namespace rocksdb

namespace crawler {

/// A RocksDB logger writing to spdlog at debug level (warnings and worse only), instead of a LOG
/// file beside the database: on a full disk that file fails first, and Debian's RocksDB (built
/// with assertions on) aborts on the next line written to it. What matters reaches the user as
/// the failed operation's own error.
std::shared_ptr<rocksdb::Logger> make_rocksdb_logger();

}  // namespace crawler
