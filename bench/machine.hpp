#pragma once
/// What the benchmark says about the machine it ran on.

#include <string>

namespace crawler::bench {

/// Hardware threads (at least 1).
int cores();
/// /proc/loadavg's first three fields, "1.52 1.10 0.98"; "?" when unreadable. A load above
/// the number of cores means other work shared the CPU with the runs.
std::string load_average();

}  // namespace crawler::bench
