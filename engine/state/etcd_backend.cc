#include "engine/state/etcd_backend.h"

#include <algorithm>
#include <chrono>

#include "engine/base/json.h"
#include "engine/state/journal_format.h"
#include "engine/state/lock_info.h"

namespace cairn::state {
namespace {

std::string WithSlash(std::string prefix) {
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  return prefix;
}

int64_t HeaderRevision(const nlohmann::json& answer) {
  auto h = answer.find("header");
  if (h == answer.end()) return 0;
  auto r = h->find("revision");
  if (r == h->end()) return 0;
  if (r->is_string()) return std::stoll(r->get<std::string>());
  return r->is_number_integer() ? r->get<int64_t>() : 0;
}

}  // namespace

EtcdBackend::EtcdBackend(EtcdOptions opts)
    : client_(std::make_shared<EtcdClient>(std::move(opts))),
      keys_{WithSlash(client_->options().prefix)} {}

EtcdBackend::~EtcdBackend() {
  StopKeepAlive();
  if (held_.has_value() && lease_ != 0) (void)client_->LeaseRevoke(lease_);
}

std::string EtcdBackend::Describe() const {
  std::string eps;
  for (const std::string& e : client_->options().endpoints) eps += (eps.empty() ? "" : ",") + e;
  return "etcd state under " + keys_.prefix + " on " + eps;
}

// ---- Lock ----------------------------------------------------------------------------------

Result<LockInfo> EtcdBackend::Lock(const std::string& operation) {
  std::lock_guard<std::mutex> lock(mu_);
  if (held_.has_value()) return LockedStatus(*held_);
  const int ttl = std::max(1, client_->options().lock_ttl_seconds);
  Result<int64_t> lease = client_->LeaseGrant(ttl);
  if (!lease.ok()) return Status(lease.status()).Prepend("cannot lock the state: ");
  LockInfo info = NewLockInfo(operation);
  Value record = LockInfoToValue(info);
  record["lease"] = std::to_string(*lease);
  bool won = false;
  Result<nlohmann::json> r = client_->Txn({EtcdCompareCreateRevision(keys_.lock(), 0)},
                                          {EtcdPut(keys_.lock(), DumpJson(record), *lease)},
                                          {EtcdRangeRequest(keys_.lock())}, &won);
  if (!r.ok()) {
    (void)client_->LeaseRevoke(*lease);
    return Status(r.status()).Prepend("cannot lock the state: ");
  }
  int64_t revision = HeaderRevision(*r);
  if (!won) {
    std::vector<EtcdKv> kvs = EtcdTxnRange(*r, 0);
    Result<Value> v = kvs.empty() ? Result<Value>(Status::Error("gone")) : ParseJson(kvs[0].value);
    Result<LockInfo> holder = v.ok() ? LockInfoFromValue(*v) : Result<LockInfo>(v.status());
    if (holder.ok() && holder->id == info.id) {
      won = true;  // our own write, repeated after its answer was lost
      revision = kvs[0].create_revision;
    } else {
      (void)client_->LeaseRevoke(*lease);
      if (!holder.ok()) {
        return Status::WithCode(Status::Code::kLocked,
                                "the state is locked, but the lock record " + keys_.lock() +
                                    " in etcd cannot be read: " + holder.status().message());
      }
      Status locked = LockedStatus(*holder);
      return Status::WithCode(
          Status::Code::kLocked, locked.message(),
          "wait for that command to finish; the lock of a process that died expires within " +
              std::to_string(ttl) + " s (its etcd lease); if it stays, run 'cairn force-unlock " +
              holder->id + "'");
    }
  }
  held_ = info;
  lease_ = *lease;
  lock_revision_ = revision;
  lock_lost_ = false;
  StartKeepAlive(*lease);
  return info;
}

void EtcdBackend::StartKeepAlive(int64_t lease) {
  StopKeepAlive();
  {
    std::lock_guard<std::mutex> lock(ka_mu_);
    ka_stop_ = false;
  }
  EtcdOptions opts = client_->options();
  const int ttl = std::max(1, opts.lock_ttl_seconds);
  // Its own connection: a long call on the main one must not delay the refresh. Trying for a
  // whole TTL rides out a leader election; after that the lease is gone anyway.
  opts.retry_for = std::chrono::milliseconds(ttl * 1000);
  keepalive_ = std::thread([this, lease, ttl, opts] {
    EtcdClient ka(opts);
    const auto every = std::chrono::milliseconds(std::max(200, ttl * 1000 / 3));
    std::unique_lock<std::mutex> lock(ka_mu_);
    while (!ka_cv_.wait_for(lock, every, [&] { return ka_stop_; })) {
      lock.unlock();
      Result<int64_t> left = ka.LeaseKeepAlive(lease);
      lock.lock();
      if (left.ok() && *left == 0) {
        lock_lost_ = true;
        return;
      }
    }
  });
}

void EtcdBackend::StopKeepAlive() {
  if (!keepalive_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(ka_mu_);
    ka_stop_ = true;
  }
  ka_cv_.notify_all();
  keepalive_.join();
}

Status EtcdBackend::Unlock(const std::string& lock_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!held_.has_value()) {
    return Status::WithCode(Status::Code::kNotFound, "the state is not locked by this process");
  }
  if (held_->id != lock_id) {
    return Status::WithCode(Status::Code::kConflict,
                            "lock id " + lock_id + " does not match the held lock " + held_->id);
  }
  StopKeepAlive();
  bool deleted = false;
  Result<nlohmann::json> r = client_->Txn({EtcdCompareCreateRevision(keys_.lock(), lock_revision_)},
                                          {EtcdDeleteRange(keys_.lock())}, {}, &deleted);
  Status revoked = client_->LeaseRevoke(lease_);
  held_.reset();
  lease_ = 0;
  lock_revision_ = 0;
  if (!r.ok()) return Status(r.status()).Prepend("cannot unlock the state: ");
  if (!revoked.ok()) return revoked.Prepend("cannot revoke the lock's lease: ");
  if (!deleted && lock_lost_) {
    return Status::Error("the state lock had already expired before this command released it",
                         "another command may have changed the state meanwhile; run 'cairn plan'");
  }
  return Status::Ok();
}

Status EtcdBackend::ForceUnlock(const std::string& lock_id) {
  bool ours = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ours = held_.has_value() && held_->id == lock_id;
  }
  if (ours) return Unlock(lock_id);
  Result<EtcdRange> r = client_->Range(keys_.lock());
  if (!r.ok()) return Status(r.status()).Prepend("cannot read the state lock: ");
  if (r->kvs.empty()) {
    return Status::WithCode(Status::Code::kNotFound,
                            "the state is not locked (" + keys_.lock() + " does not exist)");
  }
  const EtcdKv& kv = r->kvs[0];
  Result<Value> v = ParseJson(kv.value);
  Result<LockInfo> holder = v.ok() ? LockInfoFromValue(*v) : Result<LockInfo>(v.status());
  if (!holder.ok()) {
    return Status::Error("the lock record " + keys_.lock() + " is unreadable",
                         "make sure no cairn command is running, then delete the key with "
                         "etcdctl del " +
                             keys_.lock());
  }
  if (holder->id != lock_id) {
    return Status::WithCode(Status::Code::kConflict,
                            "lock id " + lock_id + " does not match the current lock: " +
                                LockedStatus(*holder).message(),
                            "copy the id from the 'state is locked' message");
  }
  // Only that very record: a lock taken again meanwhile has another mod revision.
  bool deleted = false;
  Result<nlohmann::json> t = client_->Txn({EtcdCompareModRevision(keys_.lock(), kv.mod_revision)},
                                          {EtcdDeleteRange(keys_.lock())}, {}, &deleted);
  if (!t.ok()) return Status(t.status()).Prepend("cannot remove the state lock: ");
  if (kv.lease != 0) (void)client_->LeaseRevoke(kv.lease);
  return Status::Ok();
}

}  // namespace cairn::state
