// Shared set-up for end-to-end tests of the operator commands: a temporary folder holding a
// blueprint, and helpers to run the cairn binary in it.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace cairn::testing {

/// A temporary folder with a blueprint and, when asked, a small plugin in plugins/.
class CliFixture : public ::testing::Test {
 protected:
  void UseQuickstart() {
    WriteFile(dir_.Join("blueprint.yaml"), ReadFile(SourceDir() + "/blueprints/quickstart.yaml"));
  }

  /// Replaces the first `from` in blueprint.yaml with `to`.
  void Edit(const std::string& from, const std::string& to) {
    std::string text = ReadFile(dir_.Join("blueprint.yaml"));
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    WriteFile(dir_.Join("blueprint.yaml"), text);
  }

  /// Writes plugins/memo/provider.lua: type memo.note (attribute text) with no import; its
  /// objects live nowhere, so read returns what the state holds.
  void UseMemoPlugin(const std::string& version) {
    WriteFile(dir_.Join("plugins/memo/provider.lua"),
              "return {\n"
              "  name = \"memo\", version = \"" +
                  version +
                  "\", api = 1,\n"
                  "  description = \"Notes kept only in the state.\",\n"
                  "  resources = {\n"
                  "    note = {\n"
                  "      description = \"A note.\",\n"
                  "      schema = { text = { type = \"string\", required = true,\n"
                  "                          description = \"The text.\" } },\n"
                  "      read = function(ctx, state) return state end,\n"
                  "      create = function(ctx, planned)\n"
                  "        planned.id = planned.text\n"
                  "        return planned\n"
                  "      end,\n"
                  "      update = function(ctx, prior, planned)\n"
                  "        planned.id = prior.id\n"
                  "        return planned\n"
                  "      end,\n"
                  "      delete = function(ctx, prior) end,\n"
                  "    },\n"
                  "  },\n"
                  "}\n");
  }

  CommandResult Cairn(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), CairnBinary());
    env.push_back("NO_COLOR=1");
    return RunCommand(args, dir_.path(), env);
  }
  std::string Out(const std::string& rel) { return dir_.Join("out/quickstart/" + rel); }

  TempDir dir_;
};

}  // namespace cairn::testing
