#include "http/prometheus_text.h"

#include <cstdio>

namespace flagledger {

void AppendNumber(std::string& out, double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.10g", value);
  out += text;
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void Sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  AppendNumber(out, value);
  out += '\n';
}

void AppendHistogram(std::string& out, std::string_view name, const std::string& labels,
                     const Histogram& histogram) {
  std::string prefix = labels.empty() ? "" : labels + ",";
  std::uint64_t cumulative = 0;
  auto bounds = histogram.upper_bounds();
  std::string bucket_name = std::string(name) + "_bucket";
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += histogram.count_in(i);
    std::string le = prefix + "le=\"";
    if (i < bounds.size()) {
      AppendNumber(le, bounds[i]);
    } else {
      le += "+Inf";
    }
    le += '"';
    Sample(out, bucket_name, le, static_cast<double>(cumulative));
  }
  Sample(out, std::string(name) + "_sum", labels, histogram.sum());
  Sample(out, std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

}  // namespace flagledger
