#include "engine/graph/graph.h"

#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

namespace cairn::graph {
namespace {

TEST(GraphTest, TopologicalOrderPutsDependenciesFirstAndBreaksTiesByAddress) {
  Graph g;
  g.AddNode("z.t.standalone");
  g.AddEdge("a.t.app", "m.t.db");
  g.AddEdge("a.t.app", "b.t.net");
  g.AddEdge("m.t.db", "b.t.net");
  std::vector<std::string> order;
  ASSERT_TRUE(g.TopologicalOrder(&order));
  EXPECT_EQ(order, (std::vector<std::string>{"b.t.net", "m.t.db", "a.t.app", "z.t.standalone"}));
}

TEST(GraphTest, DuplicateEdgesAreIgnored) {
  Graph g;
  g.AddEdge("a", "b");
  g.AddEdge("a", "b");
  EXPECT_EQ(g.Dependencies("a"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(g.Dependents("b"), (std::vector<std::string>{"a"}));
}

TEST(GraphTest, CycleIsReportedWhole) {
  Graph g;
  g.AddEdge("x.t.before", "x.t.a");  // leads into the cycle but is not part of it
  g.AddEdge("x.t.a", "x.t.b");
  g.AddEdge("x.t.b", "x.t.c");
  g.AddEdge("x.t.c", "x.t.a");
  g.AddEdge("x.t.c", "x.t.leaf");
  std::vector<std::string> order, cycle;
  EXPECT_FALSE(g.TopologicalOrder(&order, &cycle));
  EXPECT_EQ(FormatCycle(cycle), "x.t.a -> x.t.b -> x.t.c -> x.t.a");
}

TEST(GraphTest, SelfDependencyIsACycle) {
  Graph g;
  g.AddEdge("a", "a");
  EXPECT_EQ(FormatCycle(g.FindCycle()), "a -> a");
}

TEST(GraphTest, AcyclicGraphHasNoCycle) {
  Graph g;
  g.AddEdge("a", "b");
  g.AddEdge("a", "c");
  g.AddEdge("b", "c");
  EXPECT_TRUE(g.FindCycle().empty());
}

TEST(GraphTest, TenThousandNodesSortQuickly) {
  Graph g;
  const int n = 10000;
  auto name = [](int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "p.t.r%05d", i);
    return std::string(buf);
  };
  for (int i = 0; i < n; ++i)
    for (int k = 1; k <= 3; ++k)
      if (i - k * 7 >= 0)
        g.AddEdge(name(i), name(i - k * 7));
      else
        g.AddNode(name(i));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> order;
  ASSERT_TRUE(g.TopologicalOrder(&order));
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(order.size(), static_cast<size_t>(n));
  EXPECT_EQ(order.front(), name(0));
  std::printf("topological order of %d nodes: %.2f ms\n", n, ms);
  g.AddEdge(name(0), name(9996));  // 9996 reaches 0 through steps of 7
  start = std::chrono::steady_clock::now();
  std::vector<std::string> cycle = g.FindCycle();
  ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_GT(cycle.size(), 2u);
  EXPECT_EQ(cycle.front(), cycle.back());
  std::printf("cycle search over %d nodes: %.2f ms\n", n, ms);
}

}  // namespace
}  // namespace cairn::graph
