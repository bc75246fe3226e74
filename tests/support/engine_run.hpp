#pragma once
/// Runs a fetch engine over a few tasks on a fresh io_context, for tests of what it reports.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/fetch_options.hpp"
#include "common/page_record.hpp"
#include "common/task_sink.hpp"

namespace crawler::test {

/// Creates CrawlEngine(options), submits `tasks`, runs until each was reported once (a test
/// failure when `deadline` passes first, or when a task is reported twice). Records by task id.
std::map<std::uint64_t, PageRecord> run_engine(const FetchOptions& options, const std::vector<FetchTask>& tasks,
                                               std::chrono::milliseconds deadline = std::chrono::seconds(20));

/// A task: `id`, `url`, and the flags a frontier would set.
FetchTask make_task(std::uint64_t id, std::string url, bool host_named_by_user = false, bool check_robots = false);

/// Names the instances of a test suite parameterised by engine mode: "Async", "Sync".
std::string mode_name(const ::testing::TestParamInfo<FetchOptions::Mode>& info);

/// Both engines, for INSTANTIATE_TEST_SUITE_P(BothModes, Suite, kBothModes, mode_name).
inline const auto kBothModes =
    ::testing::Values(FetchOptions::Mode::kAsync, FetchOptions::Mode::kSync);

}  // namespace crawler::test
