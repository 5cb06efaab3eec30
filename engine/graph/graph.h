// A directed graph of resource addresses: topological order and cycle detection.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace cairn::graph {

/// Addresses linked by "depends on" edges (a -> b: a depends on b), ordered dependencies first.
class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  /// Adds a node if absent; returns its index.
  size_t AddNode(const std::string& address);
  /// Adds "from depends on to", adding both nodes if absent. Duplicate edges are ignored.
  void AddEdge(const std::string& from, const std::string& to);

  bool Has(const std::string& address) const { return index_.count(address) != 0; }
  size_t size() const { return names_.size(); }
  /// What `address` depends on, sorted; empty for an unknown address.
  std::vector<std::string> Dependencies(const std::string& address) const;
  /// What depends on `address`, sorted; empty for an unknown address.
  std::vector<std::string> Dependents(const std::string& address) const;

  /// Every node, dependencies before dependents; ties broken by address so the order is stable.
  /// Returns false when there is a cycle, and then fills `cycle` (if given) as FindCycle does.
  bool TopologicalOrder(std::vector<std::string>* order,
                        std::vector<std::string>* cycle = nullptr) const;

  /// One cycle in order, first node repeated at the end ("a", "b", "a"); empty when acyclic.
  std::vector<std::string> FindCycle() const;

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::vector<size_t>> deps_;        // node -> what it depends on
  std::vector<std::vector<size_t>> dependents_;  // node -> what depends on it
};

/// "a -> b -> c -> a".
std::string FormatCycle(const std::vector<std::string>& cycle);

}  // namespace cairn::graph
