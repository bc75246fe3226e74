#include "bench/machine.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace crawler::bench {

int cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

std::string load_average() {
  double l1 = 0, l5 = 0, l15 = 0;
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (f == nullptr) return "?";
  const int n = std::fscanf(f, "%lf %lf %lf", &l1, &l5, &l15);
  std::fclose(f);
  if (n != 3) return "?";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %.2f %.2f", l1, l5, l15);
  return buf;
}

}  // namespace crawler::bench
