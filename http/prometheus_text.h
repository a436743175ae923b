// Writing the Prometheus text exposition format (0.0.4): metric headers, samples, histograms.
#pragma once

#include <string>
#include <string_view>

#include "core/histogram.h"

namespace flagledger {

// "# HELP name help" and "# TYPE name type" lines.
void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help);
// "name{labels} value"; `labels` is already escaped (a="b",c="d") or empty.
void Sample(std::string& out, std::string_view name, std::string_view labels, double value);
// The _bucket, _sum and _count samples of `histogram`.
void AppendHistogram(std::string& out, std::string_view name, const std::string& labels,
                     const Histogram& histogram);
void AppendNumber(std::string& out, double value);

}  // namespace flagledger
