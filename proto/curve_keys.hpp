#pragma once
/// ZeroMQ CURVE keys as the crawler keeps them: Z85 text (40 characters for 32 bytes), one key
/// per file, as `zmq_curve_keypair` writes them. Shared by the coordinator and the worker.

#include <set>
#include <string>

namespace crawler {

/// A CURVE key pair, both halves as 40-character Z85 text.
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

/// What the coordinator needs to require CURVE: its own secret key and the public keys of the
/// workers it accepts (all Z85).
struct CurveServerKeys {
  std::string secret_key;
  std::set<std::string> authorized;
  std::string authorized_path;  ///< where `authorized` was read (re-read for new keys); or empty
};

/// What a worker needs: the coordinator's public key and its own key pair (all Z85).
struct CurveClientKeys {
  std::string server_key;
  CurveKeyPair own;
};

/// True when this libzmq was built with CURVE (libsodium).
bool curve_available();

/// A fresh key pair. Throws std::runtime_error when libzmq has no CURVE.
CurveKeyPair make_curve_key_pair();

/// The public half of a Z85 secret key. Throws std::invalid_argument on a malformed key.
std::string curve_public_key(const std::string& secret_key);

/// Z85 text of 32 binary key bytes (e.g. the client key in a ZAP request).
std::string z85_key(const void* bytes32);

/// Why `text` is not a Z85 CURVE key ("expected 40 characters ..."), or empty when it is one.
std::string curve_key_problem(const std::string& text);

/// Reads a key file: the one line that is neither blank nor a '#' comment holds the key, as its
/// first word (a name may follow it). Throws std::runtime_error that starts with the file's
/// name (and line) on an unreadable file, no key, a malformed key or two keys.
std::string read_curve_key_file(const std::string& path);

/// The authorized public keys: `path` is a file (one key per line, as in a key file: a name
/// may follow each, blank lines and '#' comments are skipped) or a directory whose non-hidden
/// `*.pub` entries (symlinks followed, as in a mounted Kubernetes Secret) are such files. Throws
/// std::runtime_error naming the file and line of a malformed key, or the path when it is
/// unreadable or holds no key at all.
std::set<std::string> read_authorized_keys(const std::string& path);

/// Writes `key` and a newline to a new file at `path`: mode 0600 when `secret`, else 0644.
/// Refuses to overwrite. Throws std::runtime_error naming the file.
void write_curve_key_file(const std::string& path, const std::string& key, bool secret);

/// Writes `PREFIX.key` (the secret key, mode 0600) and `PREFIX.pub` (the public key, 0644),
/// each one line. Refuses to overwrite either file. Throws std::runtime_error naming the file.
void write_curve_key_pair(const std::string& prefix, const CurveKeyPair& keys);

/// Loads the coordinator's keys: its secret key file and the authorized keys (file or
/// directory). Throws std::runtime_error naming the file at fault.
CurveServerKeys load_curve_server_keys(const std::string& secret_key_file,
                                       const std::string& authorized_keys);

/// Loads a worker's keys: the coordinator's public key file and its own secret key file (its
/// public key is derived). Throws std::runtime_error naming the file at fault.
CurveClientKeys load_curve_client_keys(const std::string& server_key_file,
                                       const std::string& secret_key_file);

}  // namespace crawler
