#include "simweb/href_writer.hpp"

#include <vector>

namespace simweb {
namespace {

std::vector<std::string_view> split_dirs(std::string_view path) {
  // "/a1/b2/page-5.html" -> {"a1", "b2"}; the part after the last '/' is not a directory.
  std::vector<std::string_view> dirs;
  std::size_t start = 1;
  for (std::size_t slash = path.find('/', start); slash != std::string_view::npos;
       slash = path.find('/', start)) {
    dirs.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return dirs;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace

HrefWriter::HrefWriter(const Site& site, int source_host, std::string base_dir)
    : site_(site), source_host_(source_host), base_dir_(std::move(base_dir)) {}

std::string HrefWriter::escape(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  for (std::size_t at = 0;;) {
    const auto amp = value.find('&', at);
    out.append(value.substr(at, amp - at));
    if (amp == std::string_view::npos) return out;
    out += "&amp;";
    at = amp + 1;
  }
}

std::string HrefWriter::relative(std::string_view base_dir, std::string_view target) {
  const auto query_at = target.find('?');
  const std::string_view path = target.substr(0, query_at);
  const std::string_view query = query_at == std::string_view::npos ? "" : target.substr(query_at);
  const auto base = split_dirs(base_dir);
  const auto dirs = split_dirs(path);
  std::size_t common = 0;
  while (common < base.size() && common < dirs.size() && base[common] == dirs[common]) ++common;
  std::string rel;
  for (std::size_t i = common; i < base.size(); ++i) rel += "../";
  for (std::size_t i = common; i < dirs.size(); ++i) rel.append(dirs[i]).append("/");
  rel += path.substr(path.rfind('/') + 1);
  if (rel.empty()) rel = "./";  // the base directory itself
  return rel.append(query);
}

std::string HrefWriter::absolute(int host, std::string_view target, bool odd_case) const {
  std::string origin = site_.origin(host);
  if (odd_case) {
    // "HTTP://H3.SIM:PORT" or "http://H3.SIM:PORT": scheme and host are case-insensitive.
    const auto host_at = origin.find("//") + 2;
    origin = (target.size() % 2 ? upper(origin.substr(0, host_at)) : origin.substr(0, host_at)) +
             upper(origin.substr(host_at));
  }
  return origin.append(target);
}

std::string HrefWriter::with_dot_segments(std::string_view target, Rng& rng) {
  // Inserts "./" or "zz/../" after one '/' of the path; both vanish on normalisation.
  const auto path_end = target.find('?');
  std::vector<std::size_t> slashes;
  for (std::size_t i = 0; i < target.size() && i < path_end; ++i)
    if (target[i] == '/') slashes.push_back(i);
  const auto at = slashes[rng.below(slashes.size())] + 1;
  std::string out(target.substr(0, at));
  out += rng.chance(50) ? "./" : "zz/../";
  return out.append(target.substr(at));
}

std::string HrefWriter::write(int target_host, std::string_view target, Rng& rng) const {
  const bool same_host = target_host == source_host_;
  const auto form = rng.below(100);
  std::string href;
  if (!same_host) {
    if (form < 60)
      href = absolute(target_host, target, false);
    else if (form < 70)
      href = absolute(target_host, target, true);
    else
      href = absolute(target_host, target, false).substr(5);  // "//h3.sim:PORT/..."
  } else if (form < 20) {
    href = absolute(target_host, target, false);
  } else if (form < 25) {
    href = absolute(target_host, target, true);
  } else if (form < 35) {
    href = absolute(target_host, target, false).substr(5);
  } else if (form < 60) {
    href = target;
  } else if (form < 66) {
    href = with_dot_segments(target, rng);
  } else {
    href = relative(base_dir_, target);
    if (!href.starts_with("../") && !href.starts_with("./") && rng.chance(40)) href = "./" + href;
  }
  if (rng.chance(15)) href += "#s" + std::to_string(rng.below(20));
  if (rng.chance(6)) {
    static constexpr std::string_view kPads[] = {" ", "\n  ", "\t", "  \n\t"};
    href = std::string(kPads[rng.below(4)]) + href + std::string(kPads[rng.below(4)]);
  }
  return escape(href);
}

}  // namespace simweb
