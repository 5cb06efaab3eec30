#include "tests/etcd/etcd_fixture.h"

namespace cairn::testing {

EtcdCluster* EtcdTest::cluster_ = nullptr;
std::string* EtcdTest::start_error_ = nullptr;

}  // namespace cairn::testing
