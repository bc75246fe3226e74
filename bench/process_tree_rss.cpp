#include "bench/process_tree_rss.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace crawler::bench {
namespace {

struct ProcEntry {
  pid_t ppid = 0;
  std::uint64_t rss_pages = 0;
};

/// Parent pid (field 4) and rss in pages (field 24) of /proc/PID/stat; false if it is gone.
bool read_stat(const char* pid, ProcEntry& entry) {
  char path[288];  // d_name is at most 255 bytes
  std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  // The command name (field 2) may hold spaces and ')': fields resume after the last ')'.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return false;
  ++p;
  // Fields from 3 on: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss
  int field = 2;
  char* end = nullptr;
  while (*p != '\0') {
    while (*p == ' ') ++p;
    ++field;
    if (field == 4) entry.ppid = static_cast<pid_t>(std::strtol(p, &end, 10));
    if (field == 24) {
      entry.rss_pages = std::strtoull(p, &end, 10);
      return true;
    }
    while (*p != '\0' && *p != ' ') ++p;
  }
  return false;
}

/// VmHWM of /proc/PID/status in KiB; 0 if it is gone or has none (kernel threads).
std::uint64_t read_hwm_kb(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* at = std::strstr(buf, "VmHWM:");
  return at != nullptr ? std::strtoull(at + 6, nullptr, 10) : 0;
}

}  // namespace

std::uint64_t ProcessTreeRss::peak_kb() const {
  std::uint64_t total = 0;
  for (const auto& [pid, kb] : peak_by_pid_) total += kb;
  return total;
}

std::uint64_t ProcessTreeRss::sample() {
  std::unordered_map<pid_t, ProcEntry> all;
  if (DIR* dir = ::opendir("/proc")) {
    while (const dirent* e = ::readdir(dir)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      ProcEntry entry;
      if (read_stat(e->d_name, entry)) all[static_cast<pid_t>(std::atoi(e->d_name))] = entry;
    }
    ::closedir(dir);
  }
  if (all.find(root_) == all.end()) {
    processes_ = 0;
    return 0;
  }
  std::unordered_map<pid_t, std::vector<pid_t>> children;
  for (const auto& [pid, entry] : all) children[entry.ppid].push_back(pid);
  static const long page_kb = ::sysconf(_SC_PAGESIZE) / 1024;
  std::uint64_t total_pages = 0;
  int count = 0;
  std::vector<pid_t> stack{root_};
  while (!stack.empty()) {
    const pid_t pid = stack.back();
    stack.pop_back();
    total_pages += all[pid].rss_pages;
    ++count;
    const std::uint64_t rss_kb = all[pid].rss_pages * static_cast<std::uint64_t>(page_kb);
    auto& peak = peak_by_pid_[pid];
    peak = std::max({peak, rss_kb, read_hwm_kb(pid)});
    if (auto it = children.find(pid); it != children.end()) {
      stack.insert(stack.end(), it->second.begin(), it->second.end());
    }
  }
  processes_ = count;
  return total_pages * static_cast<std::uint64_t>(page_kb);
}

}  // namespace crawler::bench
