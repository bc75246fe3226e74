#include "common/metrics.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace crawler {
namespace {

bool valid_name(const std::string& s, bool colon_ok) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

/// Help text: backslash and newline escaped. Label values: also the double quote.
std::string escape(const std::string& s, bool quote) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

/// `{a="x",b="y"}` with `extra` (e.g. le="0.5") last; "" when there are no labels at all.
std::string label_text(const MetricLabels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return {};
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += k + "=\"" + escape(v, true) + '"';
  }
  if (!extra.empty()) {
    if (out.size() > 1) out += ',';
    out += extra;
  }
  return out + '}';
}

const char* type_name(int type) {
  static const char* const kNames[] = {"counter", "gauge", "histogram"};
  return kNames[type];
}

}  // namespace

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Shortest text that reads back to the same double: 0.1 stays "0.1", 3.0 becomes "3".
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

void Gauge::add(double delta) noexcept { value_.fetch_add(delta, std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      throw std::invalid_argument("histogram bounds must be finite and strictly increasing");
    }
  }
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) noexcept {
  if (std::isnan(v)) return;
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  s.cumulative.resize(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  // The count is the bucket total, so +Inf and _count always agree even under concurrent updates.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

struct MetricsRegistry::Series {
  MetricLabels labels;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
  std::function<double()> read;  ///< set for gauge_fn/counter_fn series
};

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<double> bounds;  ///< histograms only
  std::vector<std::unique_ptr<Series>> series;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Series& MetricsRegistry::series(const std::string& name, const std::string& help,
                                                 Type type, const MetricLabels& labels,
                                                 const std::vector<double>* bounds) {
  if (!valid_name(name, true)) throw std::invalid_argument("bad metric name '" + name + "'");
  for (const auto& [k, v] : labels) {
    if (!valid_name(k, false) || k.rfind("__", 0) == 0 || (type == Type::kHistogram && k == "le")) {
      throw std::invalid_argument("metric " + name + ": bad label name '" + k + "'");
    }
  }
  std::lock_guard lock(mutex_);
  Family* family = nullptr;
  for (auto& f : families_) {
    if (f->name == name) family = f.get();
  }
  if (family == nullptr) {
    families_.push_back(std::make_unique<Family>(
        Family{name, help, type, bounds ? *bounds : std::vector<double>{}, {}}));
    family = families_.back().get();
  } else if (family->type != type || family->help != help ||
             (bounds && *bounds != family->bounds)) {
    throw std::invalid_argument("metric " + name +
                                " registered again with another type, help or buckets");
  }
  for (auto& s : family->series) {
    if (s->labels == labels) return *s;
  }
  family->series.push_back(std::make_unique<Series>());
  Series& s = *family->series.back();
  s.labels = labels;
  return s;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const MetricLabels& labels) {
  Series& s = series(name, help, Type::kCounter, labels, nullptr);
  std::lock_guard lock(mutex_);
  if (s.read) throw std::invalid_argument("metric " + name + " is already a counter_fn");
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const MetricLabels& labels) {
  Series& s = series(name, help, Type::kGauge, labels, nullptr);
  std::lock_guard lock(mutex_);
  if (s.read) throw std::invalid_argument("metric " + name + " is already a gauge_fn");
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const std::vector<double>& upper_bounds,
                                      const MetricLabels& labels) {
  auto h = std::make_unique<Histogram>(upper_bounds);  // validates the bounds before registering
  Series& s = series(name, help, Type::kHistogram, labels, &upper_bounds);
  std::lock_guard lock(mutex_);
  if (!s.histogram) s.histogram = std::move(h);
  return *s.histogram;
}

void MetricsRegistry::gauge_fn(const std::string& name, const std::string& help,
                               std::function<double()> read, const MetricLabels& labels) {
  Series& s = series(name, help, Type::kGauge, labels, nullptr);
  std::lock_guard lock(mutex_);
  if (s.gauge) throw std::invalid_argument("metric " + name + " is already a gauge");
  s.read = std::move(read);
}

void MetricsRegistry::counter_fn(const std::string& name, const std::string& help,
                                 std::function<double()> read, const MetricLabels& labels) {
  Series& s = series(name, help, Type::kCounter, labels, nullptr);
  std::lock_guard lock(mutex_);
  if (s.counter) throw std::invalid_argument("metric " + name + " is already a counter");
  s.read = std::move(read);
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f->name + ' ' + escape(f->help, false) + '\n';
    out += "# TYPE " + f->name + ' ' + type_name(static_cast<int>(f->type)) + '\n';
    for (const auto& s : f->series) {
      if (s->histogram) {
        const auto snap = s->histogram->snapshot();
        for (std::size_t i = 0; i <= snap.bounds.size(); ++i) {
          const std::string le =
              i < snap.bounds.size() ? format_metric_value(snap.bounds[i]) : "+Inf";
          out += f->name + "_bucket" + label_text(s->labels, "le=\"" + le + '"') + ' ' +
                 std::to_string(snap.cumulative[i]) + '\n';
        }
        out +=
            f->name + "_sum" + label_text(s->labels) + ' ' + format_metric_value(snap.sum) + '\n';
        out += f->name + "_count" + label_text(s->labels) + ' ' + std::to_string(snap.count) + '\n';
        continue;
      }
      std::string value;
      if (s->counter) {
        value = std::to_string(s->counter->value());
      } else if (s->gauge) {
        value = format_metric_value(s->gauge->value());
      } else if (s->read) {
        value = format_metric_value(s->read());
      } else {
        continue;  // registration threw half-way: nothing to show
      }
      out += f->name + label_text(s->labels) + ' ' + value + '\n';
    }
  }
  return out;
}

}  // namespace crawler
