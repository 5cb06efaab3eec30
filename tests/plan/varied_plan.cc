#include "tests/plan/varied_plan.h"

#include <utility>

namespace cairn::plan {
namespace {

Value Map(std::initializer_list<std::pair<const char*, Value>> items) {
  Value v = Value::EmptyMap();
  for (const auto& [k, item] : items) v[k] = item;
  return v;
}

Value List(std::initializer_list<Value> items) {
  Value v = Value::EmptyList();
  for (const Value& item : items) v.Push(item);
  return v;
}

Value Secret(Value v) {
  v.sensitive = true;
  return v;
}

ResourceChange Change(const char* address, Action action, Value before, Value after) {
  ResourceChange c;
  c.address = address;
  c.type = std::string(address).substr(0, std::string(address).rfind('.'));
  c.provider = "local";
  c.action = action;
  c.before = std::move(before);
  c.after = std::move(after);
  return c;
}

}  // namespace

Plan VariedPlan() {
  Plan p;
  Value created = Map({
      {"name", Value("web")},
      {"count", Value(3)},
      {"ratio", Value(0.25)},
      {"enabled", Value(true)},
      {"gone", Value()},
      {"id", Value::Unknown("local.thing.web.id")},
      {"labels", Map({{"app", Value("web")},
                      {"tier.name", Value("front end")},
                      {"empty", Value::EmptyMap()},
                      {"none", Value()}})},
      {"ports", List({Value(80), Value(443), Value::Unknown()})},
      {"rules", List({Map({{"from", Value(1)}, {"to", List({Value("a"), Value("b")})}}),
                      List({Value("x")}), Value::EmptyList()})},
      {"script", Value("#!/bin/sh\necho \"hi\"\n\n  indented\tTab\n")},
      {"note", Value("no trailing newline\nsecond")},
      {"password", Secret(Value("hunter2"))},
      {"creds", Map({{"user", Value("admin")}, {"token", Value("t0k3n")}})},
      {"keys", List({Value("k1"), Value("k2")})},
      {"nested_secret", Map({{"inner", Secret(Value("s"))}, {"plain", Value("p")}})},
      {"with space", Value("q")},
      {"", Value("empty key")},
      {"quote\"key", Value("escaped \"value\" \\ here")},
  });
  ResourceChange create = Change("local.thing.web", Action::kCreate, Value(), created);
  create.sensitive_paths = {"creds.token", "keys[1]"};
  create.reason = "deleted outside cairn";
  p.changes.push_back(create);

  p.changes.push_back(Change("local.thing.same", Action::kNoOp, Map({{"id", Value("s")}}),
                             Map({{"id", Value("s")}})));

  Value before = Map({
      {"id", Value("u1")},
      {"size", Value(1)},
      {"same", Value("x")},
      {"same2", Value("y")},
      {"meta", Map({{"a", Value(1)}, {"b", Value(2)}, {"c", Value(3)}, {"d", Value(4)}})},
      {"meta1", Map({{"a", Value(1)}, {"b", Value(2)}})},
      {"list", List({Value("a"), Value("b"), Value("c")})},
      {"shrink", List({Value(1), Value(2), Value(3)})},
      {"objs", List({Map({{"n", Value(1)}, {"m", Value("keep")}}), Map({{"n", Value(2)}})})},
      {"text", Value("one\ntwo\nthree\nfour\n")},
      {"to_multi", Value("single")},
      {"from_multi", Value("a\nb\n")},
      {"kind_change", Map({{"k", Value("v")}})},
      {"to_map", Value("flat")},
      {"later", Value("known now")},
      {"later_map", Map({{"x", Value(1)}, {"y", Value(2)}})},
      {"removed", Value("bye")},
      {"removed_map", Map({{"r", Value(1)}, {"l", List({Value(1), Value(2)})}})},
      {"removed_text", Value("l1\nl2\n")},
      {"pw", Value("old-secret")},
      {"flagged", Secret(Value("f1"))},
      {"secret_map", Map({{"s", Secret(Value("inner"))}})},
      {"float", Value(1.5)},
  });
  Value after = Map({
      {"id", Value("u1")},
      {"size", Value(2)},
      {"same", Value("x")},
      {"same2", Value("y")},
      {"meta", Map({{"a", Value(1)}, {"b", Value(20)}, {"c", Value(3)}, {"e", Value(5)}})},
      {"meta1", Map({{"a", Value(1)}, {"b", Value(3)}})},
      {"list", List({Value("a"), Value("B"), Value("c"), Value("d")})},
      {"shrink", List({Value(1)})},
      {"objs", List({Map({{"n", Value(1)}, {"m", Value("keep")}}), Map({{"n", Value(3)}})})},
      {"text", Value("one\n2\nthree\nfour\nfive\n")},
      {"to_multi", Value("now\nmulti\n")},
      {"from_multi", Value("ab")},
      {"kind_change", Value("scalar")},
      {"to_map", Map({{"k", Value("v")}})},
      {"later", Value::Unknown()},
      {"later_map", Map({{"x", Value(1)}, {"y", Value::Unknown()}})},
      {"added", Value("hello")},
      {"added_list", List({Value(true), Value()})},
      {"pw", Value("new-secret")},
      {"flagged", Secret(Value("f2"))},
      {"secret_map", Value("plain")},
      {"float", Value(2.75)},
  });
  ResourceChange update = Change("local.thing.upd", Action::kUpdate, before, after);
  update.sensitive_paths = {"pw"};
  p.changes.push_back(update);

  ResourceChange replace = Change("local.thing.rep", Action::kDeleteThenCreate,
                                  Map({{"id", Value("r1")},
                                       {"path", Value("/a")},
                                       {"spec", Map({{"zone", Value("a")}})},
                                       {"kept", Value(1)}}),
                                  Map({{"id", Value::Unknown()},
                                       {"path", Value("/b")},
                                       {"spec", Map({{"zone", Value("b")}})},
                                       {"kept", Value(1)}}));
  replace.requires_replace = {"path", "spec"};
  p.changes.push_back(replace);

  ResourceChange cbd = Change(
      "local.cert.web", Action::kCreateThenDelete,
      Map({{"id", Value("c1")}, {"domain", Value("a.test")}, {"pem", Value("-----BEGIN\nX\n")}}),
      Map({{"id", Value::Unknown()}, {"domain", Value("b.test")}, {"pem", Value::Unknown()}}));
  cbd.requires_replace = {"domain"};
  p.changes.push_back(cbd);

  ResourceChange del = Change(
      "local.thing.old", Action::kDelete,
      Map({{"id", Value("o1")},
           {"tags", Map({{"a", Value("1")}, {"b", List({Value(1), Map({{"z", Value()}})})}})},
           {"body", Value("x\ny\n")},
           {"secret", Value("zzz")},
           {"empty", Value::EmptyList()}}),
      Value());
  del.sensitive_paths = {"secret"};
  del.reason = "not in the blueprint";
  p.changes.push_back(del);

  ResourceChange odd =
      Change("other.addr", Action::kUpdate, Map({{"id", Value("1")}}), Map({{"id", Value("2")}}));
  odd.type = "local.kind";  // an address that does not start with its type
  p.changes.push_back(odd);

  Drift changed;
  changed.address = "local.thing.upd";
  changed.before = Map({{"id", Value("u1")}, {"size", Value(1)}, {"pw", Value("a")}});
  changed.after = Map({{"id", Value("u1")}, {"size", Value(7)}, {"pw", Value("b")}});
  changed.sensitive_paths = {"pw"};
  p.drift.push_back(changed);
  Drift deleted;
  deleted.address = "local.thing.gone";
  deleted.before = Map({{"id", Value("g1")}, {"list", List({Value("x")})}});
  p.drift.push_back(deleted);
  return p;
}

state::State VariedState() {
  state::State s;
  state::ResourceState a;
  a.type = "local.thing";
  a.attributes = Map({{"id", Value("a1")},
                      {"body", Value("line 1\nline 2\n")},
                      {"secret", Value("pw")},
                      {"meta", Map({{"k", Value("v")}, {"deep", Map({{"token", Value("t")}})}})},
                      {"list", List({Value(1), Map({{"x", Value::EmptyMap()}})})},
                      {"flag", Secret(Value(true))},
                      {"nothing", Value()}});
  a.sensitive_paths = {"secret", "meta.deep.token"};
  s.resources["local.thing.a"] = a;
  state::ResourceState b;
  b.type = "local.other";
  b.attributes = Map({{"id", Value("b1")}, {"a b", Value(2.5)}});
  s.resources["local.other.b"] = b;
  return s;
}

Plan DriftOnlyPlan() {
  Plan p;
  Drift d;
  d.address = "local.thing.x";
  d.before = Map({{"id", Value("x")}, {"v", Value(1)}, {"w", Value(1)}, {"z", Value(1)}});
  d.after = Map({{"id", Value("x")}, {"v", Value(2)}, {"w", Value(1)}, {"z", Value(1)}});
  p.drift.push_back(d);
  return p;
}

std::string Visible(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\x1b')
      out += "\\e";
    else
      out += c;
  }
  return out;
}

}  // namespace cairn::plan
