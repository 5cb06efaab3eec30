// The fast block-YAML reader must agree with yaml-cpp on every value, position and key position,
// and must give up (leaving errors to yaml-cpp) on everything outside its subset.
#include "engine/blueprint/block_yaml.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "engine/blueprint/blueprint.h"

namespace cairn::blueprint {
namespace {

std::string Where(const std::string& path, const SourceLoc& loc) {
  return (path.empty() ? "<root>" : path) + " @" + std::to_string(loc.line) + ":" +
         std::to_string(loc.col);
}

// Compares kinds, scalars, positions and key positions, naming the first difference.
void ExpectSame(const Value& fast, const KeyLocations& fast_keys, const Value& full,
                const KeyLocations& full_keys, const std::string& path) {
  ASSERT_EQ(fast.kind(), full.kind()) << Where(path, full.loc);
  ASSERT_EQ(fast.loc, full.loc) << "fast " << Where(path, fast.loc) << " vs yaml-cpp "
                                << Where(path, full.loc);
  if (fast.is_map()) {
    ASSERT_EQ(fast.size(), full.size()) << Where(path, full.loc);
    for (const auto& [key, child] : full.AsMap()) {
      const Value* other = fast.Find(key);
      ASSERT_NE(other, nullptr) << "missing key '" << key << "' in " << Where(path, full.loc);
      ASSERT_EQ(fast_keys.Get(other), full_keys.Get(&child))
          << "key position of " << path << "." << key;
      ExpectSame(*other, fast_keys, child, full_keys, path + "." + key);
    }
  } else if (fast.is_list()) {
    ASSERT_EQ(fast.size(), full.size()) << Where(path, full.loc);
    for (size_t i = 0; i < full.size(); ++i)
      ExpectSame(fast.AsList()[i], fast_keys, full.AsList()[i], full_keys,
                 path + "[" + std::to_string(i) + "]");
  } else if (fast.is_float() && std::isnan(full.AsNumber())) {
    ASSERT_TRUE(std::isnan(fast.AsNumber())) << Where(path, full.loc);
  } else {
    ASSERT_EQ(fast, full) << Where(path, full.loc);
  }
}

// Reads `text` with both readers. Returns whether the fast one accepted it; when it did,
// yaml-cpp must have read it without a problem and to the same tree.
bool CompareReaders(const std::string& text) {
  Blueprint full;
  Diagnostics diags;
  bool full_ok = LoadString("same.yaml", text, &full, &diags, YamlReader::kFull);
  Value root;
  KeyLocations keys;
  uint32_t file = full.root.loc.file;
  if (!ReadBlockYaml(text, file, &root, &keys)) return false;
  EXPECT_TRUE(full_ok) << "the fast reader accepted what yaml-cpp rejects:\n"
                       << text << RenderDiagnostics(diags, false);
  if (!full_ok) return true;
  ExpectSame(root, keys, full.root, full.key_locs, "");
  EXPECT_FALSE(::testing::Test::HasFailure()) << "in:\n" << text;
  return true;
}

TEST(BlockYamlTest, ReadsTheBlockSubsetExactlyAsYamlCpp) {
  const char* accepted[] = {
      "a: 1\nb: two\n",
      "# a comment\n\nresources:\n  null.data.a:\n    input: \"x\"  # why\n\n  null.data.b:\n"
      "    input: 'it''s'\n",
      "list:\n- a\n- b\nnext: 1\n",
      "list:\n  - a\n  -   b\n  - c: 1\n    d: x\n",
      "apps:\n  - name: web\n    ports:\n      - 80\n      - 443\n  - name: db\n    env:\n"
      "      A: \"1\"\n",
      "a:\nb: ~\nc: null\nd:   # nothing\ne: -3\nf: 0x1F\ng: 1.5e3\nh: .inf\ni: true\n",
      "s: \"tab\\there \\\"q\\\" \\\\ \\/\"\nt: ${null.data.x.output}/v\nu: a#b\nv: x, y {z}\n",
      "\"quoted key\": 1\n'single': 2\nkey with spaces: 3\n",
      "seq:\n-\n  - nested\n  - list\n- x\n",
      "  indented: root\n  second: 2\n",
      "- top\n- level: list\n",
  };
  for (const char* text : accepted) EXPECT_TRUE(CompareReaders(text)) << "not accepted:\n" << text;
}

TEST(BlockYamlTest, LeavesEverythingElseToYamlCpp) {
  const char* refused[] = {
      "a: &x 1\nb: *x\n",                  // anchors and aliases
      "a: !!str 1\n",                      // tags
      "a: |\n  text\n",                    // block scalar
      "a: plain\n  continued\n",           // multi-line plain scalar
      "a: \"open\n  quote\"\n",            // multi-line quoted scalar
      "a: 1\na: 2\n",                      // duplicate key
      "base: &b\n  x: 1\nc:\n  <<: *b\n",  // merge key
      "a:\tb\n",                           // tab
      "a: 1\r\n",                          // CRLF
      "a: 1",                              // no final newline
      "---\na: 1\n",                       // document marker
      "a: 1\n---\nb: 2\n",                 // two documents
      "a: b: c\n",                         // a colon inside a plain scalar
      "a: 1\n  b: 2\n",                    // bad indentation
      "- a\n-\n- b\n",                     // empty sequence item
      "~: 1\n",                            // null key
      "a: \"\\u00e9\"\n",                  // unicode escape
      "a: caf\xc3\xa9\n",                  // non-ASCII
      "just a scalar\n",                   // not a collection
      "",                                  // empty
  };
  for (const char* text : refused) {
    Value root;
    KeyLocations keys;
    EXPECT_FALSE(ReadBlockYaml(text, 1, &root, &keys)) << "accepted:\n" << text;
  }
}

TEST(BlockYamlTest, ReadsSingleLineFlowCollectionsExactlyAsYamlCpp) {
  const char* accepted[] = {
      "a: {b: 1, \"c\": [x, y], d: {}, e: []}\n",
      "a: [ 1 ,2 ]\nb: {  }\nc: [ ]\nd: [   x   ]\n",
      "- [a, {b: c}]\n- {}\n- []\n- x\n",
      "a: {\"k\":v, \"j\":\"w\", 'l':1, \"m\":[1], \"n\":{\"o\":-2}}\n",
      "a: {\"k\": v}  # why\nb: [1]   # c\nc: [] #\n",
      "a: [1, -2, 0x1F, 0o17, 1.5, -.5, 2e3, .inf, -.nan, true, False, yes, null, ~, Null]\n",
      "a: [\"null\", '1', \"true\", '', \"\", '~']\n",
      "a: [\"x, y\", \"[z]\", \"{w}\", \"a: b\", 'c # d', \"#\", '}', \"]\"]\n",
      "a: {\"x, y\": 1, \"[z]\": 2, 'a: b': 3, \"{\": 4, \"#\": 5}\n",
      "a: {b: {c: {d: [e, [f, [g, []]], {}]}}}\n",
      "a: [http://h:80/p, nginx:1.27, a#b, x\"y, $a/x, two  words, a-b, -x]\n",
      "a: {url: http://h:80/p, image: nginx:1.27, k:v: w, a b: c d}\n",
      "- name: x\n  ports: [80, 443]\n  env: {A: \"1\"}\n- {name: y}\n",
      "list:\n- [a]\n- {b: c}\nnext: [z]\n",
      "outer:\n  inner: {x: 1, y: 2}\n  seq:\n    - [1]\n    - k: {v: w}\n",
      "a: {\"esc\\\"aped\": \"\\n\\t\\\\\", 'it''s': 'it''s'}\n",
      "a: {1: one, true: yes, 0x1F: hex, -1: minus, ~x: tilde}\n",
      "a: [a, 'b', \"c\", [d], {e: f}]\n",
      "depends_on: [kubernetes.object.bench-cairn]\n",
  };
  for (const char* text : accepted) EXPECT_TRUE(CompareReaders(text)) << "not accepted:\n" << text;
}

TEST(BlockYamlTest, LeavesUnusualFlowCollectionsToYamlCpp) {
  const char* refused[] = {
      "a: [1,\n  2]\n",            // continues on the next line
      "a: [1, 2\n  ]\n",           // closes on the next line
      "a: {b: 1, b: 2}\n",         // duplicate key
      "a: {? b: 1}\n",             // complex key
      "a: [{b: c}: d]\n",          // a mapping as a key
      "a: {[b]: c}\n",             // a sequence as a key
      "a: [&x 1, *x]\n",           // anchor and alias
      "a: [!!str 1]\n",            // tag
      "a: {b: !!int 1}\n",         // tag
      "a: [b: c]\n",               // a single pair in a flow sequence
      "a: [x, \"b\": c]\n",        // a single pair, quoted key
      "a: [b:]\n",                 // a single pair without a value
      "a: [a,,b]\n",               // empty entry
      "a: [,a]\n",                 // empty first entry
      "a: [a,]\n",                 // trailing comma
      "a: {b: 1,}\n",              // trailing comma
      "a: {b}\n",                  // key without a value
      "a: {b: }\n",                // empty value
      "a: {\"b\":}\n",             // empty value
      "a: {b:c}\n",                // one plain scalar "b:c", not a pair
      "a: {b : c}\n",              // space before the colon
      "a: {\"b\" : c}\n",          // space before the colon
      "a: [1] x\n",                // trailing content
      "a: [1]#c\n",                // a comment without a space
      "a: [1]]\n",                 // a stray bracket
      "a: {b: [c]d}\n",            // content after a nested collection
      "a: [a #c]\n",               // a comment inside: continues on the next line
      "a: [a?b]\n",                // '?' inside a plain scalar
      "a: {~: 1}\n",               // null key
      "a: {<<: {b: 1}}\n",         // merge key
      "a: [-]\n",                  // lone dash
      "a: [- x]\n",                // block entry inside a flow sequence
      "a: [b:[c]]\n",              // colon before a bracket
      "[a, b]\n",                  // a flow collection as the document
      "{a: 1}\n",                  // a flow collection as the document
      "a: [1]\n  b: 2\n",          // a deeper line after it
      "a: [\"open\n  close\"]\n",  // multi-line quoted scalar
      "a: [\"\\u00e9\"]\n",        // unicode escape
      "a: {b: 1}: c\n",
      "a: [${a.b.c}]\n",  // '{' inside a plain scalar: an error in flow context            // a
                          // flow mapping followed by a colon
  };
  for (const char* text : refused) {
    Value root;
    KeyLocations keys;
    EXPECT_FALSE(ReadBlockYaml(text, 1, &root, &keys)) << "accepted:\n" << text;
    CompareReaders(text);  // and yaml-cpp reads it as before
  }
}

// One resource as bench/kube/gen.py writes a thousand of them: JSON manifests on one line.
TEST(BlockYamlTest, ReadsGeneratedKubernetesBlueprints) {
  const std::string text =
      "resources:\n"
      "  kubernetes.object.cm-00001:\n"
      "    manifest: {\"apiVersion\": \"v1\", \"data\": {\"index\": \"1\", \"value\": \"v1\"}, "
      "\"kind\": \"ConfigMap\", \"metadata\": {\"labels\": {\"app.kubernetes.io/part-of\": "
      "\"bench\"}, \"name\": \"cm-00001\", \"namespace\": \"bench-cairn\"}}\n"
      "    depends_on: [kubernetes.object.bench-cairn]\n"
      "  kubernetes.object.web-0000:\n"
      "    manifest: {\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": "
      "{\"name\": \"web-0000\", \"namespace\": \"bench-cairn\"}, \"spec\": {\"replicas\": 1, "
      "\"selector\": {\"matchLabels\": {\"app\": \"web-0000\"}}, \"template\": {\"metadata\": "
      "{\"labels\": {\"app\": \"web-0000\"}}, \"spec\": {\"containers\": [{\"image\": "
      "\"nginx:1.27\", \"name\": \"web\", \"ports\": [{\"containerPort\": 80}]}]}}}}\n"
      "    depends_on: [kubernetes.object.bench-cairn]\n";
  ASSERT_TRUE(CompareReaders(text));
  Value root;
  KeyLocations keys;
  ASSERT_TRUE(ReadBlockYaml(text, 1, &root, &keys));
  const Value& web = *root.Find("resources")->Find("kubernetes.object.web-0000");
  const Value* spec = web.Find("manifest")->Find("spec");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(*spec->Find("replicas"), Value(1));
  EXPECT_EQ(spec->loc, (SourceLoc{1, 6, 133}));
  EXPECT_EQ(keys.Get(spec), (SourceLoc{1, 6, 125}));
  const Value& port = spec->Find("template")
                          ->Find("spec")
                          ->Find("containers")
                          ->AsList()[0]
                          .Find("ports")
                          ->AsList()[0];
  EXPECT_EQ(*port.Find("containerPort"), Value(80));
  const Value& deps = *web.Find("depends_on");
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_EQ(deps.AsList()[0], Value("kubernetes.object.bench-cairn"));
  EXPECT_EQ(deps.AsList()[0].loc, (SourceLoc{1, 7, 18}));
}

// Inputs at the edges of the subset: whether or not the fast reader takes them, what it takes
// must read as yaml-cpp reads it (core schema scalars, quoting, comments, odd indentation).
TEST(BlockYamlTest, EdgeCasesReadTheSameEitherWay) {
  const char* texts[] = {
      "a: \"\\ \"\nb: \"x\\/y\"\nc: \"\\e\\a\\b\\v\\f\\0\"\nd: ''\ne: \"\"\n",
      "a: 'x' # c\nb: x # c # d\nc: x  #c\nd: x#\ne: 'x''y'''\nf: \"a#b\"\n",
      "a: -x\nb: --\nc: ---\nd: ...\ne: -\n",
      "a: 0o17\nb: 0o18\nc: 0O17\nd: 0X1F\ne: 1_000\nf: +0x1\ng: 0x\nh: 0o\ni: 0b101\n",
      "a: 1e5\nb: 1.\nc: .5\nd: -.inf\ne: +.inf\nf: -.nan\ng: .NaN\nh: .iNf\ni: 1.e5\n",
      "a: 9223372036854775807\nb: 9223372036854775808\nc: -9223372036854775808\n",
      "a: 00\nb: -0\nc: 0.0\nd: -0.0\ne: 0123\nf: 1:20\ng: 2001-12-14\nh: ~x\n",
      "a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: tRUE\ng: nULL\nh: Null\n",
      "a:   x   \nb: x\n\n\n",
      "a: x\n  # deeper comment\nb: y\n",
      "a:\n  # c\n  b: 1\n",
      "a:\n\n  b: 1\n",
      "? a\n: b\n",
      "a : b\n",
      "'a' : b\n",
      "\"a\":b\n",
      "a: \"b\"c\n",
      "a: b\"c\nd: b'\ne: x%\nf: x!\ng: x:y\nh: x,y\n",
      "a: 'b'c\n",
      "a: @x\n",
      "a: `x\n",
      "a: %x\n",
      "a: !x\n",
      "a: ?x\n",
      "a: :x\n",
      "a: ,x\n",
      "-a: 1\n",
      "a-: 1\nb?: 2\n",
      "a: x]\n",
      "a: x}\n",
      "a: x :\n",
      "a: \"x\\\"\n",
      "key: value\n...\n",
      "\xEF\xBB\xBF"
      "a: 1\n",
      "a: 1\r\nb: 2\r\n",
      "a: 1 \t\n",
      "- a\n  - b\n",
      "-   a: 1\n    b: 2\n",
      "- a: 1\n  b: 2\n- c\n",
      "a:\n- b\n  c\n",
      "a:\n  - b\n - c\n",
      "a:\n    - b\n  c: 1\n",
      "a b: 1\na#b: 2\n'#': 3\n",
      "a #b: 1\n",
      "\"a\\\"b\": 1\n",
      "a: \"b\\\\\"\nc: 'b\\'\n",
      "a: 1\nb:\n  c:\n    d:\n",
      "a:\n  - \n",
      "a: b\n    \n",
      "  \na: 1\n",
      "a: 1 # c\n  # c2\n",
      "a: x\n #c\n b\n",
      "a:\n  b: 1\n c: 2\n",
      "- a:\n  b: 1\n",
      "- a:\n    b: 1\n",
      "- a:\n  - x\n",
      "a: - b\n",
      "a: b: c\n",
      "a: x #\nb: #\n  c: 1\n",
      "a: \"x\"#c\n",
      "'': 1\n",
      "\"\": 1\n",
      "true: 1\n1: 2\nnull.x: 3\n",
      "a: '#'\nb: \"# \"\n",
  };
  for (const char* text : texts) {
    CompareReaders(text);
    if (::testing::Test::HasFailure()) break;
  }
}

// Errors still come from yaml-cpp, with their position, through the normal entry point.
TEST(BlockYamlTest, ErrorsAreReportedAsBefore) {
  Blueprint bp;
  Diagnostics diags;
  EXPECT_FALSE(LoadString("dup.yaml", "a: 1\nb: 2\na: 3\n", &bp, &diags));
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].summary, "duplicate key 'a'");
  EXPECT_EQ(diags.items()[0].loc.line, 3u);
  EXPECT_EQ(diags.items()[0].hint, "'a' is already set on line 1; remove one of them");
}

TEST(BlockYamlTest, TheRepositoryBlueprintsReadTheSameEitherWay) {
  namespace fs = std::filesystem;
  const char* source_dir = std::getenv("CAIRN_SOURCE_DIR");
  ASSERT_NE(source_dir, nullptr);
  int files = 0;
  for (const char* dir : {"blueprints", "tests/testdata"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(source_dir) / dir)) {
      if (entry.path().extension() != ".yaml") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      CompareReaders(text.str());
      ++files;
    }
  }
  EXPECT_GE(files, 3);
}

// Random documents in and around the subset: whatever the fast reader accepts, yaml-cpp must
// read to the same tree.
class RandomYaml {
 public:
  explicit RandomYaml(uint32_t seed) : rng_(seed) {}

  std::string Document() {
    out_.clear();
    Map(0, 0, false);
    return out_;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::string Scalar() {
    static const char* kScalars[] = {
        "plain",
        "two words",
        "42",
        "-7",
        "0x1F",
        "1.5",
        "2e3",
        "true",
        "False",
        "null",
        "~",
        "\"quoted\"",
        "'single'",
        "\"esc\\\"aped\\n\"",
        "'it''s'",
        "${a.b.c}/x",
        "a#b",
        "x, y",
        "\"\"",
        "yes",
        "0755",
        "1.2.3",
        ".inf",
        "-.5",
        "+3",
        "\"a: b\"",
        "0o17",
        "-.nan",
        ".NaN",
        "1_000",
        "9223372036854775808",
        "-0",
        "1.",
        "No",
        "x]",
        "'a' # c",
        "\"\\ \\/\\e\"",
        "-x",
        "http://h:80/p",
        "&anchor v",
        "*alias",
        "[1, 2]",
        "{a: 1}",
        "!!str 5",
        "|",
        "a: b",
        "\"open",
        "x\t",
    };
    return kScalars[Pick(Pick(4) == 0 ? 48 : 40)];
  }

  std::string Key() {
    static const char* kKeys[] = {"name", "null.data.r1", "input", "\"quoted\"",
                                  "'sq'", "with space",   "k1",    "k2",
                                  "k3",   "<<",           "~",     "a:b"};
    return kKeys[Pick(Pick(6) == 0 ? 12 : 9)];
  }

  // Spaces that flow collections allow around their brackets and commas.
  std::string Gap() { return std::string(Pick(3) == 0 ? Pick(3) : 0, ' '); }

  std::string FlowScalar() {
    static const char* kFlowScalars[] = {
        "plain",      "two words", "42",          "-7",       "0x1F",        "1.5",
        "true",       "null",      "~",           "\"\"",     "''",          "\"x, y\"",
        "'[z]'",      "\"{w}\"",   "\"a: b\"",    "'c # d'",  "\"esc\\\"\"", "'it''s'",
        "nginx:1.27", "a#b",       "http://h:80", "${a.b.c}", "-x",          ".inf",
        "x\"y",       "a-b",       "No",          "-.5",      "a?b",         "-",
        "&a x",       "!!str 5",   "a :b",        "#c",       "x:",          "",
    };
    return kFlowScalars[Pick(Pick(5) == 0 ? 36 : 29)];
  }

  // A flow collection on one line: mostly valid, sometimes with what the fast reader refuses
  // (duplicate or empty keys, pairs in sequences, trailing commas, JSON-style keys).
  std::string Flow(int depth) {
    std::string out;
    int n = Pick(4);
    bool map = Pick(2) == 0;
    out += map ? "{" : "[";
    static const char* kFlowKeys[] = {"name", "\"kind\"", "'sq'", "a b", "k:v",     "\"x,y\"", "1",
                                      "true", "data",     "<<",   "~",   "\"dup\"", "k\"q"};
    for (int i = 0; i < n; ++i) {
      if (i > 0) out += Gap() + ",";
      out += Gap();
      if (map) {
        std::string key = kFlowKeys[Pick(Pick(6) == 0 ? 13 : 9)];
        out += key + (key[0] == '"' && Pick(2) == 0 ? ":" : ": ") + Gap();
      } else if (Pick(12) == 0) {
        out += "p: ";  // a single pair
      }
      out += depth < 3 && Pick(4) == 0 ? Flow(depth + 1) : FlowScalar();
    }
    if (n > 0 && Pick(20) == 0) out += ",";
    out += Gap() + (map ? "}" : "]");
    return out;
  }

  void Comment() {
    int r = Pick(8);
    if (r == 0) out_ += "\n";
    if (r == 1) out_ += std::string(Pick(6), ' ') + "# note\n";
  }

  void MapValue(int depth, int indent) {
    int r = depth > 3 ? 0 : Pick(4);
    if (r <= 1) {
      std::string value = Pick(3) == 0 ? Flow(0) : Scalar();
      out_ += " " + value + (Pick(5) == 0 ? "  # c" : "") + "\n";
    } else if (r == 2) {
      out_ += Pick(4) == 0 ? "   # c\n" : "\n";
      Comment();
      Map(depth + 1, indent + 1 + Pick(3), false);
    } else {
      out_ += "\n";
      Seq(depth + 1, indent + Pick(3) * 2);
    }
  }

  void Map(int depth, int indent, bool compact) {
    int n = 1 + Pick(4);
    for (int i = 0; i < n; ++i) {
      if (!(compact && i == 0)) out_ += std::string(indent, ' ');
      out_ += Key() + ":";
      if (Pick(10) == 0) {
        out_ += "\n";  // null value
      } else {
        MapValue(depth, indent);
      }
      Comment();
    }
  }

  void Seq(int depth, int indent) {
    int n = 1 + Pick(4);
    for (int i = 0; i < n; ++i) {
      out_ += std::string(indent, ' ') + "-";
      int r = depth > 3 ? 0 : Pick(4);
      if (r <= 1) {
        out_ += " " + (Pick(3) == 0 ? Flow(0) : Scalar()) + "\n";
      } else if (r == 2) {
        std::string gap(1 + Pick(2), ' ');
        out_ += gap;
        Map(depth + 1, indent + 1 + static_cast<int>(gap.size()), true);
      } else {
        out_ += "\n";
        if (Pick(2)) {
          Map(depth + 1, indent + 2, false);
        } else {
          Seq(depth + 1, indent + 2);
        }
      }
      Comment();
    }
  }

  std::mt19937 rng_;
  std::string out_;
};

TEST(BlockYamlTest, RandomDocumentsReadTheSameEitherWay) {
  RandomYaml gen(20261130);
  int accepted = 0, accepted_flow = 0;
  for (int i = 0; i < 6000 && !::testing::Test::HasFailure(); ++i) {
    std::string text = gen.Document();
    if (!CompareReaders(text)) continue;
    ++accepted;
    if (text.find_first_of("[{") != std::string::npos) ++accepted_flow;
  }
  // Many documents stay inside the subset, flow collections included, so the comparison
  // covers it well.
  EXPECT_GT(accepted, 1500);
  EXPECT_GT(accepted_flow, 500);
}

// Flow collections made of random pieces, most of them broken: whatever the fast reader
// accepts, yaml-cpp must read alike.
TEST(BlockYamlTest, RandomFlowPiecesReadTheSameEitherWay) {
  static const char* kPieces[] = {
      "[", "]",  "{", "}",  ", ", ",",     ": ",  ":",      " ",    "a",    "b",  "1",
      "-", "\"", "'", "#",  " #", "x y",   "~",   "\"k\":", ".",    "?",    "!",  "&",
      "*", "\\", "$", "[]", "{}", "\"q\"", "'s'", "0x1",    "true", "null", ".5", "\"a,b\"",
  };
  std::mt19937 rng(20261130);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  int accepted = 0;
  for (int i = 0; i < 20000 && !::testing::Test::HasFailure(); ++i) {
    std::string text = pick(2) ? "a: " : "- ";
    text += pick(2) ? "{" : "[";
    for (size_t n = 1 + pick(10); n > 0; --n) text += kPieces[pick(std::size(kPieces))];
    if (pick(2)) text += pick(2) ? "}" : "]";
    accepted += CompareReaders(text + "\n") ? 1 : 0;
  }
  EXPECT_GT(accepted, 200);
}

}  // namespace
}  // namespace cairn::blueprint
