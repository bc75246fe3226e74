#include "coordinator/queue_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/child_process.hpp"

namespace crawler {
namespace {

std::string packed(const std::vector<std::string>& urls) {
  UrlQueue q;
  for (const auto& u : urls) q.push(u, 3, true);
  return q.keep_first(0);
}

std::vector<std::string> drain(UrlQueue& q) {
  std::vector<std::string> out;
  while (!q.empty()) out.push_back(q.pop().url);
  return out;
}

TEST(QueueStore, TakesAHostsChunksInSequenceOrderAndDeletesThem) {
  test::TempDir tmp;
  QueueStore store({tmp.file("store"), 0});
  // Put out of order and for two hosts: keys sort them.
  store.put(7, 2, packed({"c", "d"}));
  store.put(7, 0, packed({"a", "b"}));
  store.put(8, 0, packed({"other"}));
  store.put(7, 4, packed({"e"}));
  UrlQueue q;
  // Whole chunks until at least `want`: 3 wanted, 4 moved.
  EXPECT_EQ(store.take(7, 0, 3, q), 4u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(store.take(7, 4, 100, q), 1u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"e"}));
  // Taken chunks are gone; the other host's are not.
  EXPECT_EQ(store.take(7, 0, 100, q), 0u);
  EXPECT_EQ(store.take(7, 5, 100, q), 0u);
  EXPECT_EQ(store.take(8, 0, 100, q), 1u);
  EXPECT_EQ(q.pop().depth, 3u);
}

TEST(QueueStore, StopsAtAGapInTheSequence) {
  test::TempDir tmp;
  QueueStore store({tmp.file("store"), 0});
  store.put(1, 0, packed({"a"}));
  store.put(1, 5, packed({"z"}));
  UrlQueue q;
  EXPECT_EQ(store.take(1, 0, 10, q), 1u);
}

TEST(QueueStore, OpensOnFirstPutEmptiesItsDirAndRemovesItAtTheEnd) {
  test::TempDir tmp;
  const std::string dir = tmp.file("store");
  std::filesystem::create_directories(dir + "/left-over");
  {
    QueueStore store({dir, 0});
    UrlQueue q;
    EXPECT_EQ(store.take(1, 0, 1, q), 0u);  // nothing stored: no disk touched
    EXPECT_TRUE(store.dir().empty());
    EXPECT_TRUE(std::filesystem::exists(dir + "/left-over"));
    store.put(1, 0, packed({"a"}));
    store.flush();
    EXPECT_EQ(store.dir(), dir);
    EXPECT_FALSE(std::filesystem::exists(dir + "/left-over"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(QueueStore, WithoutADirUsesAPrivateOneUnderTmpdir) {
  test::TempDir tmp;
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  std::string dir;
  {
    QueueStore store({});
    store.put(1, 0, packed({"a"}));
    store.flush();
    dir = store.dir();
    EXPECT_EQ(dir.rfind(tmp.path() + "/crawl-frontier-", 0), 0u) << dir;
    EXPECT_TRUE(std::filesystem::is_directory(dir));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  if (old) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
}

TEST(QueueStore, IsFullAtDiskMaxAndNotBeforeAndAgainAfterTaking) {
  test::TempDir tmp;
  const std::string a = packed({std::string(100, 'a')});
  QueueStore store({tmp.file("store"), 2 * a.size()});
  EXPECT_FALSE(store.full());
  store.put(1, 0, a);
  EXPECT_FALSE(store.full());
  store.put(1, 1, a);
  EXPECT_TRUE(store.full());
  UrlQueue q;
  store.take(1, 0, 1, q);
  EXPECT_FALSE(store.full());
}

TEST(QueueStore, AnUnusableDirIsAnErrorNamingIt) {
  test::TempDir tmp;
  const std::string file = tmp.file("not-a-dir");
  std::fclose(std::fopen(file.c_str(), "w"));
  QueueStore store({file + "/store", 0});
  try {
    store.put(1, 0, packed({"a"}));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file + "/store: frontier store"), std::string::npos) << e.what();
  }
  // And again on every later call.
  EXPECT_THROW(store.flush(), std::runtime_error);
}

}  // namespace
}  // namespace crawler
