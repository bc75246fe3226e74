// CURVE key files: reading, validating, writing (proto/curve_keys.hpp).
#include "proto/curve_keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/support/child_process.hpp"

namespace crawler {
namespace {

using test::TempDir;

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

/// The message of the std::runtime_error `f` throws ("" when it throws none).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(CurveKeys, AGeneratedPairIsValidAndItsPublicHalfDerivesFromTheSecret) {
  ASSERT_TRUE(curve_available());
  const CurveKeyPair keys = make_curve_key_pair();
  EXPECT_EQ(curve_key_problem(keys.public_key), "");
  EXPECT_EQ(curve_key_problem(keys.secret_key), "");
  EXPECT_EQ(curve_public_key(keys.secret_key), keys.public_key);
  EXPECT_NE(make_curve_key_pair().secret_key, keys.secret_key);
}

TEST(CurveKeys, WritesASecretFileOnlyItsOwnerCanReadAndNeverOverwrites) {
  TempDir dir;
  const CurveKeyPair keys = make_curve_key_pair();
  write_curve_key_pair(dir.file("w"), keys);
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("w.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(read_curve_key_file(dir.file("w.key")), keys.secret_key);
  EXPECT_EQ(read_curve_key_file(dir.file("w.pub")), keys.public_key);
  const std::string error =
      error_of([&] { write_curve_key_pair(dir.file("w"), make_curve_key_pair()); });
  EXPECT_NE(error.find("w.key: it exists (not overwritten)"), std::string::npos) << error;
  EXPECT_EQ(read_curve_key_file(dir.file("w.key")), keys.secret_key);
}

TEST(CurveKeys, ABadKeyFileIsRefusedWithItsNameAndLine) {
  TempDir dir;
  write(dir.file("short.key"), "# made by hand\nabc\n");
  write(dir.file("empty.key"), "\n# nothing here\n");
  write(dir.file("two.key"),
        make_curve_key_pair().secret_key + "\n" + make_curve_key_pair().secret_key + "\n");
  write(dir.file("bad-char.key"), std::string(39, 'a') + "~\n");
  EXPECT_EQ(
      error_of([&] { read_curve_key_file(dir.file("short.key")); }),
      dir.file("short.key") + ":2: not a CURVE key: expected 40 characters of Z85 text, found 3");
  EXPECT_EQ(error_of([&] { read_curve_key_file(dir.file("empty.key")); }),
            dir.file("empty.key") + ": no CURVE key in the file");
  EXPECT_EQ(error_of([&] { read_curve_key_file(dir.file("two.key")); }),
            dir.file("two.key") + ": more than one key in the file");
  EXPECT_EQ(error_of([&] { read_curve_key_file(dir.file("bad-char.key")); }),
            dir.file("bad-char.key") + ":1: not a CURVE key: character 40 is not Z85 text");
  const std::string missing = error_of([&] { read_curve_key_file(dir.file("missing.key")); });
  EXPECT_EQ(missing.rfind(dir.file("missing.key") + ": cannot read", 0), 0u) << missing;
}

TEST(CurveKeys, CommentsAndANameAfterTheKeyAreAllowed) {
  TempDir dir;
  const std::string key = make_curve_key_pair().public_key;
  write(dir.file("k.pub"), "# worker a\n  " + key + "  worker-a\n");
  EXPECT_EQ(read_curve_key_file(dir.file("k.pub")), key);
  // '#' is a Z85 digit, yet no key can start with it (its first group would pass 2^32).
  EXPECT_NE(curve_key_problem("#" + key.substr(1)), "");
}

TEST(CurveKeys, AuthorizedKeysComeFromAFileOrTheVisiblePubFilesOfADirectory) {
  TempDir dir;
  const CurveKeyPair a = make_curve_key_pair();
  const CurveKeyPair b = make_curve_key_pair();
  const CurveKeyPair c = make_curve_key_pair();
  write(dir.file("list"), a.public_key + " a\n\n" + b.public_key + " b\n");
  EXPECT_EQ(read_authorized_keys(dir.file("list")),
            (std::set<std::string>{a.public_key, b.public_key}));

  // As Kubernetes mounts a Secret: files in a hidden ..data directory, symlinks to them.
  std::filesystem::create_directories(dir.file("keys/..data"));
  write(dir.file("keys/..data/a.pub"), a.public_key + "\n");
  std::filesystem::create_symlink("..data/a.pub", dir.file("keys/a.pub"));
  write(dir.file("keys/c.pub"), c.public_key + "\n");
  write(dir.file("keys/.hidden.pub"), b.public_key + "\n");
  write(dir.file("keys/notes.txt"), "not a key\n");
  EXPECT_EQ(read_authorized_keys(dir.file("keys")),
            (std::set<std::string>{a.public_key, c.public_key}));

  write(dir.file("keys/z.pub"), "garbage\n");
  EXPECT_EQ(
      error_of([&] { read_authorized_keys(dir.file("keys")); }),
      dir.file("keys/z.pub") + ":1: not a CURVE key: expected 40 characters of Z85 text, found 7");
  std::filesystem::create_directories(dir.file("none"));
  EXPECT_EQ(error_of([&] { read_authorized_keys(dir.file("none")); }),
            dir.file("none") + ": no authorized key (no *.pub file holds one)");
}

TEST(CurveKeys, ClientKeysDeriveTheWorkersPublicKey) {
  TempDir dir;
  const CurveKeyPair server = make_curve_key_pair();
  const CurveKeyPair worker = make_curve_key_pair();
  write_curve_key_pair(dir.file("server"), server);
  write_curve_key_pair(dir.file("worker"), worker);
  const CurveClientKeys keys =
      load_curve_client_keys(dir.file("server.pub"), dir.file("worker.key"));
  EXPECT_EQ(keys.server_key, server.public_key);
  EXPECT_EQ(keys.own.public_key, worker.public_key);
  EXPECT_EQ(keys.own.secret_key, worker.secret_key);
}

}  // namespace
}  // namespace crawler
