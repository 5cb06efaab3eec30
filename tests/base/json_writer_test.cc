// DumpJson writes what nlohmann's dump() of ToJson() writes, byte for byte: state files,
// journals and saved plans must not change with the writer that produced them.
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/base/json.h"

namespace cairn {
namespace {

std::string ByNlohmann(const Value& v, int indent, const JsonOptions& opts) {
  return ToJson(v, opts).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

void ExpectSameEverywhere(const Value& v) {
  for (int indent : {-1, 0, 2, 4}) {
    for (bool keep : {false, true}) {
      for (bool redact : {false, true}) {
        JsonOptions opts;
        opts.keep_unknown = keep;
        opts.redact_sensitive = redact;
        ASSERT_EQ(DumpJson(v, indent, opts), ByNlohmann(v, indent, opts))
            << "indent " << indent << " keep_unknown " << keep << " redact " << redact;
      }
    }
  }
}

TEST(JsonWriterTest, ScalarsAndEscapes) {
  for (const std::string& s :
       {std::string(""), std::string("plain"), std::string("quote \" backslash \\ slash /"),
        std::string("\b\f\n\r\t"), std::string("\x01\x1f\x7f", 3), std::string("nul\0in", 6),
        std::string("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")})
    ExpectSameEverywhere(Value(s));
  ExpectSameEverywhere(Value());
  ExpectSameEverywhere(Value(true));
  ExpectSameEverywhere(Value(false));
  for (int64_t i : {int64_t{0}, int64_t{-1}, int64_t{42}, std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min()})
    ExpectSameEverywhere(Value(i));
  for (double d : {0.0, -0.0, 0.1, 3.0, 1e100, 1e-5, 1.5e-7, 123456789012345678.0, std::nan(""),
                   std::numeric_limits<double>::infinity()})
    ExpectSameEverywhere(Value(d));
  ExpectSameEverywhere(Value::Unknown("aws.instance.web.id"));
  Value secret("hunter2");
  secret.sensitive = true;
  ExpectSameEverywhere(secret);
}

TEST(JsonWriterTest, InvalidUtf8IsReplacedAsNlohmannDoes) {
  for (const std::string& s : {std::string("\xff"), std::string("a\xc3"), std::string("\xc0\xaf"),
                               std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
                               std::string("\xe0\x80\x80 ok \xc3\xa9")}) {
    Value v = Value::EmptyMap();
    v["k"] = Value(s);
    v["list"] = Value(Value::List{Value(s), Value(1)});
    ExpectSameEverywhere(v);
  }
}

TEST(JsonWriterTest, EmptyAndNestedContainers) {
  Value v = Value::EmptyMap();
  v["empty_map"] = Value::EmptyMap();
  v["empty_list"] = Value::EmptyList();
  v["list"] = Value(Value::List{Value::EmptyMap(), Value::EmptyList(), Value(Value::List{})});
  v["unknown"] = Value::Unknown("x.y.z");
  v["a key with \"quotes\""] = Value("v");
  ExpectSameEverywhere(v);
}

// Random documents of every kind, many of them deep.
Value RandomValue(std::mt19937& rng, int depth) {
  static const std::string alphabet[] = {
      "a",    "Z",    "0",       " ",    "\"",       "\\",           "/",
      "\n",   "\t",   "\x01",    "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
      "\xff", "\xc3", "$unknown"};
  auto random_string = [&] {
    std::string s;
    for (size_t n = rng() % 8; n > 0; --n) s += alphabet[rng() % std::size(alphabet)];
    return s;
  };
  Value v;
  switch (depth > 4 ? rng() % 6 : rng() % 8) {
    case 0: v = Value(); break;
    case 1: v = Value(rng() % 2 == 0); break;
    case 2: v = Value(static_cast<int64_t>(rng()) - (int64_t{1} << 31)); break;
    case 3: v = Value(static_cast<double>(rng()) / 977.0 - 1000.0); break;
    case 4: v = Value(random_string()); break;
    case 5: v = Value::Unknown(random_string()); break;
    case 6: {
      v = Value::EmptyList();
      for (size_t n = rng() % 5; n > 0; --n) v.Push(RandomValue(rng, depth + 1));
      break;
    }
    default: {
      v = Value::EmptyMap();
      for (size_t n = rng() % 5; n > 0; --n) v[random_string()] = RandomValue(rng, depth + 1);
    }
  }
  v.sensitive = rng() % 7 == 0;
  return v;
}

TEST(JsonWriterTest, RandomDocumentsMatchNlohmann) {
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) {
    Value v = RandomValue(rng, 0);
    ExpectSameEverywhere(v);
    if (HasFailure()) {
      ADD_FAILURE() << "document " << i << ": " << ByNlohmann(v, -1, JsonOptions());
      return;
    }
  }
}

}  // namespace
}  // namespace cairn
