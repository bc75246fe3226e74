#include "common/seed_reader.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <sstream>

namespace crawler {
namespace {

SeedList read(const std::string& text, bool skip_bad = false) {
  std::istringstream in(text);
  return read_seeds(in, "seeds.txt", skip_bad);
}

TEST(SeedReader, SkipsBlankAndCommentLines) {
  const auto list = read("# a comment\n\n   \nhttp://a.test/\n  # indented comment\nhttps://b.test/x\n");
  ASSERT_EQ(list.seeds.size(), 2u);
  EXPECT_EQ(list.seeds[0].url, "http://a.test/");
  EXPECT_EQ(list.seeds[0].line, 4u);
  EXPECT_EQ(list.seeds[1].url, "https://b.test/x");
  EXPECT_EQ(list.seeds[1].line, 6u);
  EXPECT_EQ(list.lines, 6u);
}

TEST(SeedReader, KeepsTheUrlAsWrittenButDedupsByNormalisedForm) {
  const auto list = read("  HTTP://A.test:80/p#frag  \nhttp://a.test/p\nhttp://a.test/q\r\n");
  ASSERT_EQ(list.seeds.size(), 2u);
  EXPECT_EQ(list.seeds[0].url, "HTTP://A.test:80/p#frag");
  EXPECT_EQ(list.seeds[0].normalized, "http://a.test/p");
  EXPECT_EQ(list.seeds[1].url, "http://a.test/q");
  EXPECT_EQ(list.duplicates, 1u);
}

// The stream gives seeds one at a time, as read: duplicates too (the frontier drops those), and
// a bad line only when it is reached, after the seeds before it.
TEST(SeedStream, GivesSeedsAsReadAndABadLineWhenReached) {
  std::istringstream in("http://a.test/\n# c\nhttp://a.test/\nnope\nhttp://b.test/\n");
  SeedStream stream(in, "seeds.txt", false);
  auto s = stream.next();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->line, 1u);
  s = stream.next();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->line, 3u);
  EXPECT_EQ(s->normalized, "http://a.test/");
  try {
    stream.next();
    FAIL() << "expected SeedError";
  } catch (const SeedError& e) {
    EXPECT_STREQ(e.what(), "seeds.txt:4: not an absolute URL (no scheme): 'nope'");
  }
  std::istringstream again("http://a.test/\nnope\nhttp://b.test/\n");
  SeedStream lenient(again, "seeds.txt", true);
  EXPECT_EQ(lenient.next()->line, 1u);
  EXPECT_EQ(lenient.next()->line, 3u);
  EXPECT_FALSE(lenient.next());
  EXPECT_EQ(lenient.bad(), 1u);
  EXPECT_EQ(lenient.lines(), 3u);
  ASSERT_EQ(lenient.bad_messages().size(), 1u);
}

TEST(SeedReader, BadLineStopsWithFileAndLine) {
  try {
    read("http://a.test/\nnot a url\n");
    FAIL() << "expected SeedError";
  } catch (const SeedError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("seeds.txt:2: ", 0), 0u) << e.what();
  }
}

TEST(SeedReader, RejectsOtherSchemesAndControlCharacters) {
  EXPECT_THROW(read("ftp://a.test/x\n"), SeedError);
  EXPECT_THROW(read("mailto:someone@a.test\n"), SeedError);
  EXPECT_THROW(read(std::string("http://a.test/\x01x\n")), SeedError);
  EXPECT_THROW(read("http://a.test/" + std::string(9000, 'x') + "\n"), SeedError);
}

TEST(SeedReader, SkipBadCountsAndGoesOn) {
  const auto list = read("http://a.test/\nnope\nftp://x.test/\nhttp://b.test/\n", /*skip_bad=*/true);
  EXPECT_EQ(list.seeds.size(), 2u);
  EXPECT_EQ(list.bad, 2u);
  ASSERT_EQ(list.bad_messages.size(), 2u);
  EXPECT_EQ(list.bad_messages[0].rfind("seeds.txt:2: ", 0), 0u);
  EXPECT_EQ(list.bad_messages[1].rfind("seeds.txt:3: ", 0), 0u);
}

TEST(SeedReader, MissingFileIsAnError) {
  EXPECT_THROW(read_seed_file("/nonexistent/seeds.txt", false), SeedError);
}

TEST(SeedReader, AnUnreadableFileIsAnErrorNotAnEmptyList) {
  try {
    read_seed_file("/", false);
    FAIL() << "a directory read as an empty seed list";
  } catch (const SeedError& e) {
    EXPECT_NE(std::string(e.what()).find("/: cannot read seed file: Is a directory"), std::string::npos) << e.what();
  }
}

volatile sig_atomic_t g_alarm = 0;

// Seeds from a pipe whose writer is silent: a signal (here SIGALRM, installed as asio installs
// SIGINT: no SA_RESTART) interrupts the read, and keep_going decides to stop.
TEST(SeedReader, ASignalStopsAReadThatWaitsForMoreSeeds) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "http://a.test/\n", 15), 15);
  struct sigaction sa {};
  sa.sa_handler = [](int) { g_alarm = 1; };
  struct sigaction old {};
  ASSERT_EQ(::sigaction(SIGALRM, &sa, &old), 0);
  itimerval timer{};
  timer.it_value.tv_usec = 100 * 1000;
  ASSERT_EQ(::setitimer(ITIMER_REAL, &timer, nullptr), 0);
  int asked = 0;
  const auto list = read_seed_file("/proc/self/fd/" + std::to_string(fds[0]), false, [&] {
    ++asked;
    return g_alarm == 0;
  });
  ::sigaction(SIGALRM, &old, nullptr);
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_TRUE(list.interrupted);
  EXPECT_GE(asked, 1);
  ASSERT_EQ(list.seeds.size(), 1u);
  EXPECT_EQ(list.seeds[0].url, "http://a.test/");
}

}  // namespace
}  // namespace crawler
