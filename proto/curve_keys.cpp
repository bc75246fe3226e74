#include "proto/curve_keys.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

// cppzmq wraps sockets, not these key utilities: zmq_curve_keypair, zmq_curve_public and the
// Z85 codec are called directly.

namespace crawler {
namespace {

constexpr std::size_t kZ85KeyLength = 40;
constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

/// The keys in a file, one a line; errors are "PATH:LINE: ...".
std::vector<std::string> keys_in_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  std::vector<std::string> keys;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string text = trim(line);
    // '#' is a Z85 digit, but no Z85 group (so no key) can start with it: a comment.
    if (text.empty() || text.front() == '#') continue;
    const std::string key = text.substr(0, text.find_first_of(" \t"));  // a name may follow
    if (const std::string problem = curve_key_problem(key); !problem.empty()) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": " + problem);
    }
    keys.push_back(key);
  }
  if (in.bad()) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  return keys;
}

void write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    throw std::runtime_error(path + ": cannot create" +
                             (errno == EEXIST ? std::string(": it exists (not overwritten)")
                                              : ": " + std::string(std::strerror(errno))));
  }
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int write_errno = errno;
  if (::close(fd) != 0 || n != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error(path + ": cannot write: " + std::strerror(write_errno));
  }
}

}  // namespace

bool curve_available() { return zmq_has("curve") != 0; }

CurveKeyPair make_curve_key_pair() {
  std::array<char, kZ85KeyLength + 1> pub{};
  std::array<char, kZ85KeyLength + 1> sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0) {
    throw std::runtime_error(
        "cannot make a CURVE key pair: " + std::string(zmq_strerror(zmq_errno())) +
        " (libzmq built without libsodium?)");
  }
  return {pub.data(), sec.data()};
}

std::string curve_public_key(const std::string& secret_key) {
  if (const std::string problem = curve_key_problem(secret_key); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  std::array<char, kZ85KeyLength + 1> pub{};
  if (zmq_curve_public(pub.data(), secret_key.c_str()) != 0) {
    throw std::invalid_argument("cannot derive the public key: " +
                                std::string(zmq_strerror(zmq_errno())));
  }
  return pub.data();
}

std::string z85_key(const void* bytes32) {
  std::array<char, kZ85KeyLength + 1> text{};
  zmq_z85_encode(text.data(), static_cast<const std::uint8_t*>(bytes32), 32);
  return text.data();
}

std::string curve_key_problem(const std::string& text) {
  if (text.size() != kZ85KeyLength) {
    return "not a CURVE key: expected " + std::to_string(kZ85KeyLength) +
           " characters of Z85 text, found " + std::to_string(text.size());
  }
  const auto bad = std::find_if(text.begin(), text.end(), [](char c) {
    return kZ85Alphabet.find(c) == std::string_view::npos;
  });
  if (bad != text.end()) {
    return "not a CURVE key: character " + std::to_string(bad - text.begin() + 1) +
           " is not Z85 text";
  }
  // Each group of 5 digits encodes 4 bytes: a larger value is no Z85 (whatever libzmq checks).
  for (std::size_t group = 0; group < kZ85KeyLength; group += 5) {
    std::uint64_t value = 0;
    for (std::size_t i = group; i < group + 5; ++i) value = value * 85 + kZ85Alphabet.find(text[i]);
    if (value > 0xffffffffULL) {
      return "not a CURVE key: characters " + std::to_string(group + 1) + "-" +
             std::to_string(group + 5) + " are no Z85 group";
    }
  }
  std::array<std::uint8_t, 32> bytes{};
  if (zmq_z85_decode(bytes.data(), text.c_str()) == nullptr) {
    return "not a CURVE key: its Z85 text does not decode";
  }
  return {};
}

std::string read_curve_key_file(const std::string& path) {
  const std::vector<std::string> keys = keys_in_file(path);
  if (keys.empty()) throw std::runtime_error(path + ": no CURVE key in the file");
  if (keys.size() > 1) throw std::runtime_error(path + ": more than one key in the file");
  return keys.front();
}

std::set<std::string> read_authorized_keys(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec) throw std::runtime_error(path + ": cannot read: " + ec.message());
  std::vector<std::string> files;
  if (fs::is_directory(status)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      const std::string name = entry.path().filename().string();
      // Kubernetes mounts a Secret as symlinks next to hidden ..data directories.
      if (name.empty() || name.front() == '.' || entry.path().extension() != ".pub") continue;
      if (fs::is_regular_file(entry.path())) files.push_back(entry.path().string());
    }
    if (ec) throw std::runtime_error(path + ": cannot list: " + ec.message());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  std::set<std::string> keys;
  for (const auto& file : files) {
    for (auto& key : keys_in_file(file)) keys.insert(std::move(key));
  }
  if (keys.empty()) {
    throw std::runtime_error(path + (fs::is_directory(status)
                                         ? ": no authorized key (no *.pub file holds one)"
                                         : ": no authorized key in the file"));
  }
  return keys;
}

void write_curve_key_file(const std::string& path, const std::string& key, bool secret) {
  write_new_file(path, key + "\n", secret ? 0600 : 0644);
}

void write_curve_key_pair(const std::string& prefix, const CurveKeyPair& keys) {
  const std::string secret_path = prefix + ".key";
  const std::string public_path = prefix + ".pub";
  // Check both first: never leave a new secret key without its public half.
  for (const auto& path : {secret_path, public_path}) {
    if (::access(path.c_str(), F_OK) == 0) {
      throw std::runtime_error(path + ": it exists (not overwritten)");
    }
  }
  write_curve_key_file(secret_path, keys.secret_key, true);
  write_curve_key_file(public_path, keys.public_key, false);
}

CurveServerKeys load_curve_server_keys(const std::string& secret_key_file,
                                       const std::string& authorized_keys) {
  CurveServerKeys keys;
  keys.secret_key = read_curve_key_file(secret_key_file);
  keys.authorized = read_authorized_keys(authorized_keys);
  keys.authorized_path = authorized_keys;
  return keys;
}

CurveClientKeys load_curve_client_keys(const std::string& server_key_file,
                                       const std::string& secret_key_file) {
  CurveClientKeys keys;
  keys.server_key = read_curve_key_file(server_key_file);
  keys.own.secret_key = read_curve_key_file(secret_key_file);
  try {
    keys.own.public_key = curve_public_key(keys.own.secret_key);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(secret_key_file + ": " + e.what());
  }
  return keys;
}

}  // namespace crawler
