// Shared by the etcd tests: one single-member etcd for a whole test suite, and a fresh key
// prefix per test so that tests do not see each other's state.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "engine/state/etcd_backend.h"
#include "engine/state/state.h"
#include "tests/etcd/etcd_cluster.h"

namespace cairn::testing {

class EtcdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new EtcdCluster(1);
    start_error_ = new std::string(cluster_->Start());
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete start_error_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_EQ(*start_error_, "");
    prefix_ = "/cairn-test/" + state::NewLineage() + "/";
  }

  state::EtcdOptions Options() const {
    state::EtcdOptions o;
    o.endpoints = cluster_->endpoints();
    o.prefix = prefix_;
    o.lock_ttl_seconds = 5;
    return o;
  }
  std::unique_ptr<state::EtcdBackend> Backend() const {
    return std::make_unique<state::EtcdBackend>(Options());
  }

  static EtcdCluster* cluster_;
  static std::string* start_error_;
  std::string prefix_;
};

}  // namespace cairn::testing
