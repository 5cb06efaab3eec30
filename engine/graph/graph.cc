#include "engine/graph/graph.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>

namespace cairn::graph {
namespace {

// Position of each node when sorted by address, so that ties break the same way every run.
std::vector<size_t> Ranks(const std::vector<std::string>& names) {
  std::vector<size_t> by_name(names.size());
  for (size_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(),
            [&](size_t a, size_t b) { return names[a] < names[b]; });
  std::vector<size_t> rank(names.size());
  for (size_t r = 0; r < by_name.size(); ++r) rank[by_name[r]] = r;
  return rank;
}

}  // namespace

size_t Graph::AddNode(const std::string& address) {
  auto [it, inserted] = index_.emplace(address, names_.size());
  if (inserted) {
    names_.push_back(address);
    deps_.emplace_back();
    dependents_.emplace_back();
  }
  return it->second;
}

void Graph::AddEdge(const std::string& from, const std::string& to) {
  size_t a = AddNode(from);
  size_t b = AddNode(to);
  std::vector<size_t>& out = deps_[a];
  // Nodes have few dependencies, so a linear scan beats a set here.
  if (std::find(out.begin(), out.end(), b) != out.end()) return;
  out.push_back(b);
  dependents_[b].push_back(a);
}

std::vector<std::string> Graph::Dependencies(const std::string& address) const {
  std::vector<std::string> out;
  auto it = index_.find(address);
  if (it == index_.end()) return out;
  for (size_t d : deps_[it->second]) out.push_back(names_[d]);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Graph::Dependents(const std::string& address) const {
  std::vector<std::string> out;
  auto it = index_.find(address);
  if (it == index_.end()) return out;
  for (size_t d : dependents_[it->second]) out.push_back(names_[d]);
  std::sort(out.begin(), out.end());
  return out;
}

bool Graph::TopologicalOrder(std::vector<std::string>* order,
                             std::vector<std::string>* cycle) const {
  const size_t n = names_.size();
  std::vector<size_t> rank = Ranks(names_);
  std::vector<size_t> pending(n);
  // Min-heap on rank: among the ready nodes, the smallest address goes first.
  std::priority_queue<std::pair<size_t, size_t>, std::vector<std::pair<size_t, size_t>>,
                      std::greater<>>
      ready;
  for (size_t i = 0; i < n; ++i) {
    pending[i] = deps_[i].size();
    if (pending[i] == 0) ready.emplace(rank[i], i);
  }
  order->clear();
  order->reserve(n);
  while (!ready.empty()) {
    size_t node = ready.top().second;
    ready.pop();
    order->push_back(names_[node]);
    for (size_t d : dependents_[node])
      if (--pending[d] == 0) ready.emplace(rank[d], d);
  }
  if (order->size() == n) return true;
  if (cycle != nullptr) *cycle = FindCycle();
  return false;
}

std::vector<std::string> Graph::FindCycle() const {
  const size_t n = names_.size();
  std::vector<size_t> rank = Ranks(names_);
  std::vector<size_t> roots(n);
  for (size_t i = 0; i < n; ++i) roots[rank[i]] = i;
  enum : uint8_t { kWhite, kGrey, kBlack };
  std::vector<uint8_t> colour(n, kWhite);
  // Iterative depth-first search; `stack` holds the current path with the next edge to try.
  std::vector<std::pair<size_t, size_t>> stack;
  std::vector<std::vector<size_t>> sorted_deps(n);
  auto deps_of = [&](size_t v) -> const std::vector<size_t>& {
    std::vector<size_t>& s = sorted_deps[v];
    if (s.size() != deps_[v].size()) {
      s = deps_[v];
      std::sort(s.begin(), s.end(), [&](size_t a, size_t b) { return rank[a] < rank[b]; });
    }
    return s;
  };
  for (size_t root : roots) {
    if (colour[root] != kWhite) continue;
    colour[root] = kGrey;
    stack.emplace_back(root, 0);
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      const std::vector<size_t>& deps = deps_of(v);
      if (next == deps.size()) {
        colour[v] = kBlack;
        stack.pop_back();
        continue;
      }
      size_t w = deps[next++];
      if (colour[w] == kWhite) {
        colour[w] = kGrey;
        stack.emplace_back(w, 0);
      } else if (colour[w] == kGrey) {
        std::vector<std::string> cycle;
        size_t start = 0;
        while (stack[start].first != w) ++start;
        for (size_t i = start; i < stack.size(); ++i) cycle.push_back(names_[stack[i].first]);
        cycle.push_back(names_[w]);
        return cycle;
      }
    }
  }
  return {};
}

std::string FormatCycle(const std::vector<std::string>& cycle) {
  std::string out;
  for (const std::string& a : cycle) {
    if (!out.empty()) out += " -> ";
    out += a;
  }
  return out;
}

}  // namespace cairn::graph
