#include "engine/plan/render.h"

#include <cstdio>

#include <gtest/gtest.h>

#include "tests/plan/plan_fixture.h"

namespace cairn::plan {
namespace {

class RenderTest : public PlanFixture, public ::testing::Test {};

TEST_F(RenderTest, CreateShowsEveryAttributeAndUnknowns) {
  Value tags = Value::EmptyMap();
  tags["app"] = Value("web");
  tags["tier"] = Value("front");
  Want("local.file.motd",
       Map({{"path", Value("/etc/motd")}, {"content", Value("hello")}, {"mode", tags}}));
  EXPECT_EQ(RenderPlan(MakeOk(), false),
            "cairn will perform the following actions:\n"
            "\n"
            "  # local.file.motd will be created\n"
            "  + resource \"local.file\" \"motd\" {\n"
            "      + content = \"hello\"\n"
            "      + id      = (known after apply)\n"
            "      + mode    = {\n"
            "          + app  = \"web\"\n"
            "          + tier = \"front\"\n"
            "        }\n"
            "      + path    = \"/etc/motd\"\n"
            "      + sha     = (known after apply)\n"
            "    }\n"
            "\n"
            "Plan: 1 to add, 0 to change, 0 to destroy.\n");
}

// A first apply of hundreds of objects renders them on several threads; the text must be what
// one change after another gives, in the plan's order.
TEST_F(RenderTest, HundredsOfChangesRenderInPlanOrderOnceEach) {
  for (int i = 0; i < 300; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "local.file.f%03d", i);
    Want(name, Map({{"path", Value("/f/" + std::to_string(i))}, {"content", Value("c")}}));
  }
  Plan p = MakeOk();
  std::string text = RenderPlan(p, false);
  size_t at = text.find("cairn will perform the following actions:\n\n");
  ASSERT_EQ(at, 0u);
  for (int i = 0; i < 300; ++i) {
    char block[160];
    std::snprintf(block, sizeof block,
                  "  # local.file.f%03d will be created\n"
                  "  + resource \"local.file\" \"f%03d\" {\n"
                  "      + content = \"c\"\n",
                  i, i);
    size_t next = text.find(block, at);
    ASSERT_NE(next, std::string::npos) << "missing or out of order: f" << i;
    EXPECT_EQ(text.find(block, next + 1), std::string::npos) << "twice: f" << i;
    at = next;
  }
  EXPECT_NE(text.find("    }\n\nPlan: 300 to add, 0 to change, 0 to destroy.", at),
            std::string::npos);
}

TEST_F(RenderTest, UpdateShowsOnlyChangesWithMultilineLineDiff) {
  Have("local.file.upd", Map({{"id", Value("1")},
                              {"path", Value("/u")},
                              {"mode", Value("0644")},
                              {"sha", Value("s1")},
                              {"content", Value("one\ntwo\nthree\n")}}));
  Want(
      "local.file.upd",
      Map({{"path", Value("/u")}, {"mode", Value("0600")}, {"content", Value("one\n2\nthree\n")}}));
  EXPECT_EQ(RenderPlan(MakeOk(), false),
            "cairn will perform the following actions:\n"
            "\n"
            "  # local.file.upd will be updated in-place\n"
            "  ~ resource \"local.file\" \"upd\" {\n"
            "      ~ content = <<-EOT\n"
            "          one\n"
            "        - two\n"
            "        + 2\n"
            "          three\n"
            "        EOT\n"
            "        id      = \"1\"\n"
            "      ~ mode    = \"0644\" -> \"0600\"\n"
            "        # (2 unchanged attributes hidden)\n"
            "    }\n"
            "\n"
            "Plan: 0 to add, 1 to change, 0 to destroy.\n");
}

TEST_F(RenderTest, NestedMapChangesAreDiffedRecursively) {
  Value before = Value::EmptyMap();
  before["app"] = Value("web");
  before["tier"] = Value("front");
  Value after = before;
  after["tier"] = Value("back");
  after["zone"] = Value("b");
  Have("local.dir.d", Map({{"id", Value("d1")}, {"path", Value("/d")}, {"owner", before}}));
  Want("local.dir.d", Map({{"path", Value("/d")}, {"owner", after}}));
  EXPECT_EQ(RenderPlan(MakeOk(), false),
            "cairn will perform the following actions:\n"
            "\n"
            "  # local.dir.d will be updated in-place\n"
            "  ~ resource \"local.dir\" \"d\" {\n"
            "        id    = \"d1\"\n"
            "      ~ owner = {\n"
            "          ~ tier = \"front\" -> \"back\"\n"
            "          + zone = \"b\"\n"
            "            # (1 unchanged element hidden)\n"
            "        }\n"
            "        # (1 unchanged attribute hidden)\n"
            "    }\n"
            "\n"
            "Plan: 0 to add, 1 to change, 0 to destroy.\n");
}

TEST_F(RenderTest, DeleteThenCreateMarksTheForcingAttribute) {
  Have("local.file.rep", Map({{"id", Value("2")}, {"path", Value("/r")}}));
  Want("local.file.rep", Map({{"path", Value("/r2")}}));
  EXPECT_EQ(RenderPlan(MakeOk(), false),
            "cairn will perform the following actions:\n"
            "\n"
            "  # local.file.rep must be replaced\n"
            "-/+ resource \"local.file\" \"rep\" {\n"
            "      ~ id   = \"2\" -> (known after apply)\n"
            "      ~ path = \"/r\" -> \"/r2\" # forces replacement\n"
            "      + sha  = (known after apply)\n"
            "    }\n"
            "\n"
            "Plan: 1 to add, 0 to change, 1 to destroy.\n");
}

TEST_F(RenderTest, CreateBeforeDestroyReplacement) {
  Have("local.cert.web",
       Map({{"id", Value("c1")}, {"domain", Value("a.test")}, {"pem", Value("PEM")}}));
  Want("local.cert.web", Map({{"domain", Value("b.test")}}));
  EXPECT_EQ(RenderPlan(MakeOk(), false),
            "cairn will perform the following actions:\n"
            "\n"
            "  # local.cert.web must be replaced (create before destroy)\n"
            "+/- resource \"local.cert\" \"web\" {\n"
            "      ~ domain = \"a.test\" -> \"b.test\" # forces replacement\n"
            "      ~ id     = \"c1\" -> (known after apply)\n"
            "      ~ pem    = \"PEM\" -> (known after apply)\n"
            "    }\n"
            "\n"
            "Plan: 1 to add, 0 to change, 1 to destroy.\n");
}

TEST_F(RenderTest, DeleteGivesTheReason) {
  Have("local.file.gone", Map({{"id", Value("3")}, {"path", Value("/g")}}));
  EXPECT_EQ(RenderPlan(MakeOk(), false),
            "cairn will perform the following actions:\n"
            "\n"
            "  # local.file.gone will be destroyed\n"
            "  # (because not in the blueprint)\n"
            "  - resource \"local.file\" \"gone\" {\n"
            "      - id   = \"3\" -> null\n"
            "      - path = \"/g\" -> null\n"
            "    }\n"
            "\n"
            "Plan: 0 to add, 0 to change, 1 to destroy.\n");
}

TEST_F(RenderTest, DriftComesFirst) {
  Have("local.dir.d", Map({{"id", Value("d1")}, {"path", Value("/d")}, {"owner", Value("root")}}));
  fake_->PutObject("local.dir",
                   Map({{"id", Value("d1")}, {"path", Value("/d")}, {"owner", Value("bob")}}));
  Have("local.file.f", Map({{"id", Value("f1")}, {"path", Value("/f")}}));
  fake_->RemoveObject("local.file", "f1");
  Want("local.dir.d", Map({{"path", Value("/d")}, {"owner", Value("root")}}));
  Want("local.file.f", Map({{"path", Value("/f")}}));
  EXPECT_EQ(RenderPlan(MakeOk(), false),
            "Objects have changed outside of cairn:\n"
            "\n"
            "  # local.dir.d has changed\n"
            "  ~ resource \"local.dir\" \"d\" {\n"
            "        id    = \"d1\"\n"
            "      ~ owner = \"root\" -> \"bob\"\n"
            "        # (1 unchanged attribute hidden)\n"
            "    }\n"
            "\n"
            "  # local.file.f has been deleted\n"
            "  - resource \"local.file\" \"f\" {\n"
            "      - id   = \"f1\" -> null\n"
            "      - path = \"/f\" -> null\n"
            "    }\n"
            "\n"
            "cairn will perform the following actions:\n"
            "\n"
            "  # local.dir.d will be updated in-place\n"
            "  ~ resource \"local.dir\" \"d\" {\n"
            "        id    = \"d1\"\n"
            "      ~ owner = \"bob\" -> \"root\"\n"
            "        # (1 unchanged attribute hidden)\n"
            "    }\n"
            "\n"
            "  # local.file.f will be created\n"
            "  # (because deleted outside cairn)\n"
            "  + resource \"local.file\" \"f\" {\n"
            "      + id   = (known after apply)\n"
            "      + path = \"/f\"\n"
            "      + sha  = (known after apply)\n"
            "    }\n"
            "\n"
            "Plan: 1 to add, 1 to change, 0 to destroy.\n");
}

TEST_F(RenderTest, NoChangesSaysSo) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}}));
  Want("local.file.a", Map({{"path", Value("/a")}}));
  EXPECT_EQ(RenderPlan(MakeOk(), false),
            "No changes. Your infrastructure matches the blueprint.\n");
}

TEST_F(RenderTest, SensitiveValuesNeverAppear) {
  // Secrets in a create, an update, a replace, a delete, drift and the state view.
  Have("local.file.upd",
       Map({{"id", Value("1")}, {"path", Value("/u")}, {"secret", Value("s-1")}}));
  Have("local.file.rep",
       Map({{"id", Value("2")}, {"path", Value("/r")}, {"secret", Value("s-2")}}));
  Have("local.file.del",
       Map({{"id", Value("3")}, {"path", Value("/d")}, {"secret", Value("s-3")}}));
  Have("local.file.dri",
       Map({{"id", Value("4")}, {"path", Value("/x")}, {"secret", Value("s-4")}}));
  fake_->PutObject("local.file",
                   Map({{"id", Value("4")}, {"path", Value("/x")}, {"secret", Value("s-5")}}));
  Value nested = Value::EmptyList();
  nested.Push(Value("s-6"));
  Want("local.file.new", Map({{"path", Value("/n")}, {"secret", nested}}));
  Want("local.file.upd", Map({{"path", Value("/u")}, {"secret", Value("s-7")}}));
  Want("local.file.rep", Map({{"path", Value("/r2")}, {"secret", Value("s-8")}}));
  Want("local.file.dri", Map({{"path", Value("/x")}, {"secret", Value("s-4")}}));
  Want("local.file.ref",
       Map({{"path", Value("/f")}, {"content", Value("${local.file.upd.secret}")}}));
  Plan p = MakeOk();
  std::string out = RenderPlan(p, false) + RenderPlan(p, true) + RenderState(p.refreshed, false);
  for (int i = 1; i <= 8; ++i)
    EXPECT_EQ(out.find("s-" + std::to_string(i)), std::string::npos) << i;
  EXPECT_NE(out.find("~ secret = (sensitive)"), std::string::npos);
  EXPECT_NE(out.find("+ content = (sensitive)"), std::string::npos);
  EXPECT_NE(out.find("- secret = (sensitive) -> null"), std::string::npos);
}

TEST_F(RenderTest, ColourOnlyWhenAsked) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Plan p = MakeOk();
  EXPECT_EQ(RenderPlan(p, false).find('\x1b'), std::string::npos);
  EXPECT_NE(RenderPlan(p, true).find("\x1b[32m+\x1b[0m"), std::string::npos);
}

TEST_F(RenderTest, StateViewListsResourcesWithHeredocs) {
  Have("local.file.a",
       Map({{"id", Value("1")}, {"content", Value("x\ny\n")}, {"secret", Value("pw")}}));
  prior_.resources["local.file.a"].sensitive_paths = {"secret"};
  EXPECT_EQ(RenderState(prior_, false),
            "# local.file.a:\n"
            "resource \"local.file\" \"a\" {\n"
            "    content = <<-EOT\n"
            "      x\n"
            "      y\n"
            "    EOT\n"
            "    id      = \"1\"\n"
            "    secret  = (sensitive)\n"
            "}\n");
  EXPECT_EQ(RenderState(state::State(), false), "The state has no resources.\n");
}

}  // namespace
}  // namespace cairn::plan
