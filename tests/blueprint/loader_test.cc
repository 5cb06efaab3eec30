#include <cmath>

#include <gtest/gtest.h>

#include "engine/blueprint/blueprint.h"
#include "tests/blueprint/blueprint_test_util.h"
#include "tests/support/test_support.h"

namespace cairn::blueprint {
namespace {

using testing::AssertLoad;

TEST(LoaderTest, PlainScalarsFollowTheYaml12CoreSchema) {
  Blueprint bp;
  AssertLoad(&bp,
             "a: true\nb: False\nc: 42\nd: -7\ne: 0x1F\nf: 0o17\ng: 1.5\nh: 2e3\n"
             "i: null\nj: ~\nk:\nl: .inf\nm: hello\nn: yes\no: 0755\np: 1.2.3\n");
  const Value& r = bp.root;
  EXPECT_TRUE(r.Find("a")->AsBool());
  EXPECT_FALSE(r.Find("b")->AsBool());
  EXPECT_EQ(r.Find("c")->AsInt(), 42);
  EXPECT_EQ(r.Find("d")->AsInt(), -7);
  EXPECT_EQ(r.Find("e")->AsInt(), 31);
  EXPECT_EQ(r.Find("f")->AsInt(), 15);
  EXPECT_TRUE(r.Find("g")->is_float());
  EXPECT_DOUBLE_EQ(r.Find("g")->AsNumber(), 1.5);
  EXPECT_DOUBLE_EQ(r.Find("h")->AsNumber(), 2000);
  EXPECT_TRUE(r.Find("i")->is_null());
  EXPECT_TRUE(r.Find("j")->is_null());
  EXPECT_TRUE(r.Find("k")->is_null());
  EXPECT_TRUE(std::isinf(r.Find("l")->AsNumber()));
  EXPECT_EQ(r.Find("m")->AsString(), "hello");
  // YAML 1.1 booleans and octals are plain strings / decimals in 1.2.
  EXPECT_EQ(r.Find("n")->AsString(), "yes");
  EXPECT_EQ(r.Find("o")->AsInt(), 755);
  EXPECT_EQ(r.Find("p")->AsString(), "1.2.3");
}

TEST(LoaderTest, QuotedAndBlockScalarsAreAlwaysStrings) {
  Blueprint bp;
  AssertLoad(&bp, "a: \"true\"\nb: '42'\nc: \"\"\nd: !!str 3\ne: |\n  line\n");
  EXPECT_EQ(bp.root.Find("a")->AsString(), "true");
  EXPECT_EQ(bp.root.Find("b")->AsString(), "42");
  EXPECT_EQ(bp.root.Find("c")->AsString(), "");
  EXPECT_EQ(bp.root.Find("d")->AsString(), "3");
  EXPECT_EQ(bp.root.Find("e")->AsString(), "line\n");
}

TEST(LoaderTest, HugeIntegersStayExactAsStrings) {
  Blueprint bp;
  AssertLoad(&bp, "a: 123456789012345678901234567890\n");
  EXPECT_EQ(bp.root.Find("a")->AsString(), "123456789012345678901234567890");
}

TEST(LoaderTest, EveryValueKnowsItsOneBasedPosition) {
  Blueprint bp;
  AssertLoad(&bp, "apps:\n  - name: web\n    ports: [80, 443]\n");
  const Value& apps = *bp.root.Find("apps");
  EXPECT_EQ(apps.loc.line, 2u);
  EXPECT_EQ(apps.loc.col, 3u);
  const Value& app = apps.AsList()[0];
  EXPECT_EQ(app.Find("name")->loc.line, 2u);
  EXPECT_EQ(app.Find("name")->loc.col, 11u);
  const Value& ports = *app.Find("ports");
  EXPECT_EQ(ports.AsList()[1].loc.line, 3u);
  EXPECT_EQ(ports.AsList()[1].loc.col, 17u);
  EXPECT_EQ(SourceFiles::Format(ports.AsList()[1].loc), "blueprint.yaml:3:17");
}

TEST(LoaderTest, KeyPositionsAreKeptBesideValuePositions) {
  Blueprint bp;
  AssertLoad(&bp, "cluster:\n  name:   lab\n");
  const Value& name = *bp.root.Find("cluster")->Find("name");
  EXPECT_EQ(name.loc.col, 11u);
  SourceLoc key = bp.key_locs.Get(&name);
  EXPECT_EQ(key.line, 2u);
  EXPECT_EQ(key.col, 3u);
}

TEST(LoaderTest, EmptyValuePointsAtItsKey) {
  Blueprint bp;
  AssertLoad(&bp, "cluster:\nnodes: []\n");
  const Value& cluster = *bp.root.Find("cluster");
  EXPECT_TRUE(cluster.is_null());
  EXPECT_EQ(cluster.loc.line, 1u);
  EXPECT_EQ(cluster.loc.col, 1u);
}

TEST(LoaderTest, EmptyDocumentIsNullAtLineOne) {
  Blueprint bp;
  AssertLoad(&bp, "");
  EXPECT_TRUE(bp.root.is_null());
  EXPECT_EQ(bp.root.loc.line, 1u);
}

TEST(LoaderTest, SyntaxErrorNamesFileLineAndColumn) {
  Blueprint bp;
  Diagnostics diags;
  EXPECT_FALSE(LoadString("bad.yaml", "cluster: {name: a}\nports: [80, 443\nb: 3\n", &bp, &diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(testing::Summaries(diags),
            "bad.yaml:3:2: error: YAML syntax error: end of sequence flow not found\n");
}

TEST(LoaderTest, BadIndentationIsASyntaxErrorWithPosition) {
  Blueprint bp;
  Diagnostics diags;
  EXPECT_FALSE(LoadString("indent.yaml", "a:\n  - b\n c: 1\n", &bp, &diags));
  EXPECT_EQ(RenderDiagnostics(diags, false),
            "indent.yaml:3:2: error: YAML syntax error: end of map not found\n"
            " 3 |  c: 1\n"
            "   |  ^~\n"
            "  hint: check the indentation and quoting around this line\n\n");
}

TEST(LoaderTest, DuplicateKeyIsAnErrorAtTheSecondKey) {
  Blueprint bp;
  Diagnostics diags;
  EXPECT_FALSE(LoadString("dup.yaml", "cluster:\n  name: a\n  name: b\n", &bp, &diags));
  EXPECT_EQ(RenderDiagnostics(diags, false),
            "dup.yaml:3:3: error: cluster: duplicate key 'name'\n"
            " 3 |   name: b\n"
            "   |   ^~~~~\n"
            "  hint: 'name' is already set on line 2; remove one of them\n\n");
  // The first value wins, so later stages see a consistent tree.
  EXPECT_EQ(bp.root.Find("cluster")->Find("name")->AsString(), "a");
}

TEST(LoaderTest, AnchorsAliasesAndMergeKeysWork) {
  Blueprint bp;
  AssertLoad(&bp,
             "base: &b {cpu: 1, memory: 1Gi}\n"
             "app:\n  <<: *b\n  memory: 2Gi\n"
             "copy: *b\n");
  const Value& app = *bp.root.Find("app");
  EXPECT_EQ(app.Find("cpu")->AsInt(), 1);
  EXPECT_EQ(app.Find("memory")->AsString(), "2Gi");  // explicit keys win
  EXPECT_EQ(bp.root.Find("copy")->Find("memory")->AsString(), "1Gi");
}

TEST(LoaderTest, SeveralDocumentsAreRefused) {
  Blueprint bp;
  Diagnostics diags;
  EXPECT_FALSE(LoadString("multi.yaml", "a: 1\n---\nb: 2\n", &bp, &diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].summary, "a blueprint is a single YAML document");
  EXPECT_EQ(diags.items()[0].loc.line, 3u);
}

TEST(LoaderTest, UnsupportedTagIsReported) {
  Blueprint bp;
  Diagnostics diags;
  EXPECT_FALSE(LoadString("tag.yaml", "a: !vault xyz\n", &bp, &diags));
  EXPECT_EQ(testing::Summaries(diags), "tag.yaml:1:4: error: a: unsupported YAML tag '!vault'\n");
}

TEST(LoaderTest, LoadFileRecordsAbsoluteDirectory) {
  cairn::testing::TempDir dir;
  cairn::testing::WriteFile(dir.Join("lab.yaml"), "cluster: {name: lab}\n");
  Blueprint bp;
  Diagnostics diags;
  ASSERT_TRUE(LoadFile(dir.Join("lab.yaml"), &bp, &diags)) << RenderDiagnostics(diags, false);
  EXPECT_EQ(bp.path, dir.Join("lab.yaml"));
  EXPECT_EQ(bp.dir, dir.path());
  EXPECT_EQ(bp.root.Find("cluster")->Find("name")->AsString(), "lab");
}

TEST(LoaderTest, MissingFileIsAnErrorNamingThePath) {
  Blueprint bp;
  Diagnostics diags;
  EXPECT_FALSE(LoadFile("/nonexistent/dir/blueprint.yaml", &bp, &diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].summary,
            "cannot read blueprint '/nonexistent/dir/blueprint.yaml': No such file or directory");
  EXPECT_FALSE(diags.items()[0].hint.empty());
}

}  // namespace
}  // namespace cairn::blueprint
