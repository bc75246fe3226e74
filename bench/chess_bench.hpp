#pragma once
/// `crawl-bench chess`: the seed's chess exhibition, scaled down 1000x, on the real crawler.

#include <filesystem>

namespace crawler::bench {

/// The seed: a master plays 24 opponents, 30 moves each; she thinks 5 s per move, each
/// opponent 55 s. One game at a time: 24 x 30 x (5 + 55) s = 12 h. All games at once, the
/// master moving from board to board: only her thinking is serial, 24 x 30 x 5 s = 1 h. Here:
/// 24 hosts (opponents) x 30 pages (moves), 55 ms server latency (the opponent's move), 5 ms
/// of busy CPU per page in the parse pool (the master's thinking, --think-ms).
struct ChessOptions {
  std::filesystem::path bin_dir;
  std::filesystem::path results_dir;
  std::filesystem::path work_dir;
  int hosts = 24;
  int pages_per_host = 30;
  int latency_ms = 55;
  int think_ms = 5;
  int workers = 0;  ///< the parallel-thinking row: N worker processes (0: the number of cores)
  int repeat = 1;
};

/// Runs sync (crawl --workers 0 --mode sync), async (--workers 0, one connection per host:
/// 24 boards) and processes-async (--workers N: N masters), `repeat` times each, prints the
/// times, the predictions, the ratio sync/async of the medians, writes chess.csv, and ends
/// with the line `chess_ratio=<x>`. Returns 0, or 1 when a crawl failed or wrote other lines
/// than simweb's manifest. Throws std::runtime_error (exit 2) when simweb cannot start.
class ChessBench {
 public:
  explicit ChessBench(ChessOptions options);
  int run();

 private:
  ChessOptions options_;
};

}  // namespace crawler::bench
