// Overloaded{f, g, ...}: one callable made of several, for std::visit. Give one lambda per
// alternative and no generic one, so that a new alternative without a case does not compile.
#pragma once

namespace flagledger {

template <class... Callables>
struct Overloaded : Callables... {
  using Callables::operator()...;
};
template <class... Callables>
Overloaded(Callables...) -> Overloaded<Callables...>;

}  // namespace flagledger
