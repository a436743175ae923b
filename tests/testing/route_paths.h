// Concrete request paths for the route table's templates.
#pragma once

#include <set>
#include <string>

#include "http/router.h"

namespace flagledger {

// The route's template with its parameters filled in ({org} -> org-a, a key -> beta).
inline std::string PathOf(const RouteInfo& route) {
  std::string path(route.path_template);
  for (std::string_view parameter : {"{org}", "{flag_key}", "{key}"}) {
    if (auto at = path.find(parameter); at != std::string::npos) {
      path.replace(at, parameter.size(), parameter == "{org}" ? "org-a" : "beta");
    }
  }
  return path;
}

// The route's methods, e.g. {"GET", "HEAD", "POST"}.
inline std::set<std::string> MethodsOf(const RouteInfo& route) {
  std::set<std::string> methods;
  std::string_view list = route.methods;
  while (!list.empty()) {
    std::string_view method = list.substr(0, list.find(", "));
    methods.emplace(method);
    list.remove_prefix(std::min(list.size(), method.size() + 2));
  }
  return methods;
}

}  // namespace flagledger
