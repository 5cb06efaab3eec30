// Shared set-up for planner and renderer tests: a registry with one fake provider "local".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/plan/planner.h"
#include "tests/support/fake_provider.h"

namespace cairn::plan {

/// Holds a registry with the fake "local" provider and helpers to declare desired and prior state.
class PlanFixture {
 public:
  PlanFixture() {
    auto p = std::make_unique<testing::FakeProvider>("local");
    fake_ = p.get();
    using testing::FakeAttr;
    fake_->AddType("file", {FakeAttr("path", false, /*force_new=*/true), FakeAttr("content"),
                            FakeAttr("mode"), FakeAttr("sha", /*computed=*/true),
                            FakeAttr("secret", false, false, /*sensitive=*/true)});
    fake_->AddType("dir", {FakeAttr("path", false, true), FakeAttr("owner")}).has_read_all = true;
    fake_->AddType("cert", {FakeAttr("domain", false, true), FakeAttr("pem", true)})
        .create_before_destroy = true;
    fake_->AddType("custom", {FakeAttr("size")}).has_plan = true;
    registry_.Add(std::move(p));
    prior_.lineage = "test";
  }

  static Value Map(std::initializer_list<std::pair<const char*, Value>> items) {
    Value v = Value::EmptyMap();
    for (const auto& [k, item] : items) v[k] = item;
    return v;
  }

  /// Adds a desired resource; `address` is "local.<type>.<name>".
  provider::DesiredResource& Want(const std::string& address, Value attrs,
                                  std::vector<std::string> deps = {}) {
    provider::DesiredResource d;
    d.address = address;
    provider::SplitAddress(address, &d.provider, &d.type, &d.name);
    d.attributes = std::move(attrs);
    d.depends_on = std::move(deps);
    d.loc = SourceLoc{1, static_cast<uint32_t>(desired_.size() + 1), 3};
    d.origin = "resources";
    desired_.push_back(std::move(d));
    return desired_.back();
  }

  /// Records `address` in the prior state with `attrs` (which must hold "id"), and makes the live
  /// object exist with the same attributes.
  void Have(const std::string& address, Value attrs, std::vector<std::string> deps = {}) {
    state::ResourceState r;
    r.address = address;
    std::string name;
    provider::SplitAddress(address, &r.provider, &r.type, &name);
    r.id = attrs.Find("id")->AsString();
    r.attributes = attrs;
    r.dependencies = std::move(deps);
    prior_.resources[address] = r;
    fake_->PutObject(r.type, std::move(attrs));
  }

  Plan MakeOk(const PlanOptions& opts = {}) {
    Result<Plan> p = MakePlan(desired_, prior_, registry_, opts, &diags_);
    EXPECT_TRUE(p.ok());
    EXPECT_FALSE(diags_.has_errors()) << (diags_.empty() ? "" : diags_.items()[0].summary);
    return p.ok() ? std::move(*p) : Plan();
  }

  testing::FakeProvider* fake() { return fake_; }
  provider::Registry& registry() { return registry_; }

  static const ResourceChange* Find(const Plan& p, const std::string& address) {
    for (const ResourceChange& c : p.changes)
      if (c.address == address) return &c;
    return nullptr;
  }

  static std::vector<std::string> Order(const Plan& p) {
    std::vector<std::string> out;
    for (const ResourceChange& c : p.changes) out.push_back(c.address);
    return out;
  }

 protected:
  testing::FakeProvider* fake_ = nullptr;
  provider::Registry registry_;
  std::vector<provider::DesiredResource> desired_;
  state::State prior_;
  Diagnostics diags_;
};

}  // namespace cairn::plan
