// StateToJson must write exactly the text DumpJson(StateToValue(s)) writes: state files written
// before and after it stay byte for byte the same, whatever the size of the state (large states
// are written in parts side by side).
#include <string>

#include <gtest/gtest.h>

#include "engine/base/json.h"
#include "engine/state/state.h"

namespace cairn::state {
namespace {

// A resource whose attributes vary with `i`: nested maps and lists, empty ones, numbers, flags,
// text that needs escaping, sensitive values, dependencies and private data on some.
ResourceState VariedResource(int i) {
  ResourceState r;
  std::string name = "cm-" + std::to_string(100000 + i);
  r.address = "kubernetes.object." + name;
  r.type = "kubernetes.object";
  r.provider = "kubernetes";
  r.id = "v1/ConfigMap/bench/" + name;
  r.attributes = Value::EmptyMap();
  r.attributes["id"] = r.id;
  Value& m = r.attributes["manifest"];
  m["apiVersion"] = "v1";
  m["kind"] = "ConfigMap";
  m["metadata"]["name"] = name;
  m["data"]["index"] = std::to_string(i);
  m["data"]["quote \"and\" tab\t"] = "line\nbreak \\ \xc3\xa9 \xe2\x82\xac";
  if (i % 3 == 0) m["data"]["empty"] = Value::EmptyMap();
  if (i % 4 == 0) m["list"] = Value::List{Value(i), Value(1.5 * i), Value(true), Value()};
  if (i % 5 == 0) m["list_empty"] = Value::EmptyList();
  r.attributes["wait"] = i % 2 == 0;
  if (i % 7 == 0) {
    r.attributes["secret_data"]["password"] = "pw-" + std::to_string(i);
    r.attributes["secret_data"].sensitive = true;
    r.sensitive_paths = {"secret_data"};
  }
  if (i % 2 == 1) r.dependencies = {"kubernetes.object.bench"};
  if (i % 11 == 0) r.private_data["etag"] = "e" + std::to_string(i);
  r.schema_version = 1 + i % 2;
  return r;
}

State VariedState(int n) {
  State s;
  s.lineage = NewLineage();
  s.serial = 7 + static_cast<uint64_t>(n);
  for (int i = 0; i < n; ++i) {
    ResourceState r = VariedResource(i);
    s.resources[r.address] = r;
  }
  for (int i = 0; i < 3; ++i) {
    Value record = Value::EmptyMap();
    record["serial"] = i;
    record["outcome"] = "success";
    AppendHistory(&s, record);
  }
  return s;
}

void ExpectSameAsDumpJson(const State& s) {
  for (int indent : {2, -1, 0, 4}) {
    Value::List written;
    std::string text = StateToJson(s, indent, &written);
    Value whole = StateToValue(s);
    EXPECT_EQ(text, DumpJson(whole, indent))
        << "indent " << indent << ", " << s.resources.size() << " resources";
    EXPECT_EQ(Value(written), *whole.Find("resources")) << "indent " << indent;
  }
}

TEST(StateJsonTest, AnEmptyStateIsWrittenAsDumpJsonWritesIt) {
  State s;
  s.lineage = NewLineage();
  ExpectSameAsDumpJson(s);
}

TEST(StateJsonTest, ASmallStateIsWrittenAsDumpJsonWritesIt) {
  for (int n : {1, 2, 17}) ExpectSameAsDumpJson(VariedState(n));
}

TEST(StateJsonTest, ALargeStateWrittenInPartsIsTheSameText) {
  // Sizes around the part boundaries: parts are cut every 256 resources, at most one per core.
  for (int n : {255, 256, 511, 512, 513, 2000}) ExpectSameAsDumpJson(VariedState(n));
}

TEST(StateJsonTest, AStringThatIsNotUtf8IsReplacedAsDumpJsonReplacesIt) {
  State s = VariedState(1200);
  // In the last part, so that the earlier parts are written before the bad string is met.
  ResourceState& last = s.resources.rbegin()->second;
  last.attributes["manifest"]["data"]["bad"] = std::string("a\xff\xfe z");
  Value::List written;
  std::string text = StateToJson(s, 2, &written);
  EXPECT_EQ(text, DumpJson(StateToValue(s), 2));
  EXPECT_NE(text.find("\xef\xbf\xbd"), std::string::npos) << "U+FFFD replaces the bad bytes";
  EXPECT_EQ(written.size(), s.resources.size());
}

TEST(StateJsonTest, TheWrittenTextReadsBackAsTheSameState) {
  State s = VariedState(600);
  Result<Value> parsed = ParseJson(StateToJson(s, 2));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  Result<State> back = StateFromValue(*parsed);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->lineage, s.lineage);
  EXPECT_EQ(back->serial, s.serial);
  ASSERT_EQ(back->resources.size(), s.resources.size());
  for (const auto& [address, r] : s.resources) {
    const ResourceState* b = back->Find(address);
    ASSERT_NE(b, nullptr) << address;
    EXPECT_EQ(b->attributes, r.attributes) << address;
    EXPECT_EQ(b->dependencies, r.dependencies) << address;
    EXPECT_EQ(b->schema_version, r.schema_version) << address;
  }
}

}  // namespace
}  // namespace cairn::state
