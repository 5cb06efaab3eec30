// Apply's resilience: retryable failures are retried with backoff (never sooner than the
// service's Retry-After), permanent ones are not, and a step that runs past its timeout fails
// with a clear message and skips its dependents.
#include "engine/apply/retry.h"

#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "engine/apply/applier.h"
#include "tests/plan/plan_fixture.h"

namespace cairn::apply {
namespace {

using plan::Action;

// Delegates to a FakeProvider, but the first `failures` creates of each address fail with a
// scripted status, and a "slow" address waits (like a well-behaved provider) until the call's
// deadline or cancellation.
class FlakyProvider : public provider::Provider {
 public:
  FlakyProvider(testing::FakeProvider* inner, int failures, Status status)
      : inner_(inner), failures_(failures), status_(std::move(status)) {}

  void set_slow(const std::string& address) { slow_ = address; }
  int create_attempts(const std::string& address) {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_[address];
  }

  const provider::ProviderSchema& Schema() const override { return inner_->Schema(); }
  Status Configure(const Value& config) override { return Status::Ok(); }
  Result<std::vector<provider::DesiredResource>> Expand(const Value& blueprint) override {
    return std::vector<provider::DesiredResource>{};
  }
  Result<std::optional<Value>> Read(const provider::CallContext& ctx, const std::string& type,
                                    const Value& prior) override {
    return inner_->Read(ctx, type, prior);
  }
  Result<std::map<std::string, Value>> ReadAll(const provider::CallContext& ctx,
                                               const std::string& type,
                                               std::vector<Value> priors) override {
    return inner_->ReadAll(ctx, type, std::move(priors));
  }
  Result<provider::PlannedChange> Plan(const provider::CallContext& ctx, const std::string& type,
                                       const Value& prior, const Value& proposed) override {
    return inner_->Plan(ctx, type, prior, proposed);
  }
  Result<Value> Create(const provider::CallContext& ctx, const std::string& type,
                       const Value& planned) override {
    int attempt;
    {
      std::lock_guard<std::mutex> lock(mu_);
      attempt = ++attempts_[ctx.address];
    }
    if (ctx.address == slow_) {
      while (std::chrono::steady_clock::now() < ctx.deadline &&
             !(ctx.cancelled != nullptr && ctx.cancelled->load()))
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return Status::WithCode(Status::Code::kTimeout, "deadline exceeded");
    }
    if (attempt <= failures_) return status_;
    return inner_->Create(ctx, type, planned);
  }
  Result<Value> Update(const provider::CallContext& ctx, const std::string& type,
                       const Value& prior, const Value& planned) override {
    return inner_->Update(ctx, type, prior, planned);
  }
  Status Delete(const provider::CallContext& ctx, const std::string& type,
                const Value& prior) override {
    return inner_->Delete(ctx, type, prior);
  }
  Result<Value> Import(const provider::CallContext& ctx, const std::string& type,
                       const std::string& id) override {
    return inner_->Import(ctx, type, id);
  }

 private:
  testing::FakeProvider* inner_;
  int failures_;
  Status status_;
  std::string slow_;
  std::mutex mu_;
  std::map<std::string, int> attempts_;
};

class RetryTest : public plan::PlanFixture, public ::testing::Test {
 protected:
  // Plans with the plain fake, then applies through a FlakyProvider wrapped around it.
  ApplyResult PlanAndApply(int failures, Status status, ApplyOptions opts,
                           const std::string& slow = "") {
    plan_ = MakeOk();
    auto flaky = std::make_unique<FlakyProvider>(fake_, failures, std::move(status));
    flaky_ = flaky.get();
    flaky_->set_slow(slow);
    flaky_registry_.Add(std::move(flaky));
    opts.sleep = [this](double s) {
      waits_.push_back(s);
      return true;
    };
    opts.on_retry = [this](const RetryEvent& e) { retries_.push_back(e); };
    return Apply(plan_, flaky_registry_, nullptr, plan_.refreshed, opts);
  }

  static Status Busy(double retry_after = 0) {
    Status s = Status::WithCode(Status::Code::kRetryable, "the service is busy");
    s.set_retry_after(retry_after);
    return s;
  }

  plan::Plan plan_;
  provider::Registry flaky_registry_;
  FlakyProvider* flaky_ = nullptr;
  std::vector<double> waits_;
  std::vector<RetryEvent> retries_;
};

TEST_F(RetryTest, RetryableFailureIsRetriedUntilItSucceeds) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  ApplyOptions opts;
  opts.random = [] { return 0.5; };
  ApplyResult r = PlanAndApply(2, Busy(), opts);
  ASSERT_FALSE(r.diags.has_errors()) << r.diags.items()[0].summary;
  EXPECT_EQ(r.done, 1u);
  EXPECT_EQ(r.retries, 2u);
  EXPECT_EQ(flaky_->create_attempts("local.file.a"), 3);
  EXPECT_EQ(fake_->ObjectCount("local.file"), 1u);  // applied once
  // Full jitter over a doubling window: half of 1s, then half of 2s.
  EXPECT_EQ(waits_, (std::vector<double>{0.5, 1.0}));
  ASSERT_EQ(retries_.size(), 2u);
  EXPECT_EQ(retries_[0].attempt, 2);
  EXPECT_EQ(retries_[0].max_attempts, 6);
  EXPECT_EQ(retries_[0].message, "create: the service is busy");
  EXPECT_EQ(retries_[1].attempt, 3);
}

TEST_F(RetryTest, PermanentFailureIsNotRetried) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  ApplyResult r = PlanAndApply(1, Status::Error("quota exceeded", "ask for more quota"), {});
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.retries, 0u);
  EXPECT_EQ(flaky_->create_attempts("local.file.a"), 1);
  EXPECT_TRUE(waits_.empty());
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].address, "local.file.a");
  EXPECT_EQ(r.failures[0].action, Action::kCreate);
  EXPECT_EQ(r.failures[0].message, "create: quota exceeded");
  EXPECT_EQ(r.failures[0].hint, "ask for more quota");
}

TEST_F(RetryTest, RetryAfterIsAMinimumDelay) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  ApplyOptions opts;
  opts.random = [] { return 0.0; };  // jitter alone would retry at once
  ApplyResult r = PlanAndApply(1, Busy(7), opts);
  EXPECT_EQ(r.done, 1u);
  EXPECT_EQ(waits_, (std::vector<double>{7.0}));
  ASSERT_EQ(retries_.size(), 1u);
  EXPECT_EQ(retries_[0].delay_seconds, 7.0);
}

TEST_F(RetryTest, GivesUpAfterMaxRetries) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}}), {"local.file.a"});
  ApplyOptions opts;
  opts.max_retries = 2;
  ApplyResult r = PlanAndApply(100, Busy(), opts);
  EXPECT_EQ(flaky_->create_attempts("local.file.a"), 3);
  EXPECT_EQ(r.retries, 2u);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].message, "create: the service is busy");
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].address, "local.file.b");
  EXPECT_EQ(r.skips[0].cause, "local.file.a");
}

TEST_F(RetryTest, NoRetryWouldStartPastTheTimeout) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  ApplyOptions opts;
  opts.default_timeout_seconds = 30;
  ApplyResult r = PlanAndApply(1, Busy(120), opts);
  EXPECT_EQ(flaky_->create_attempts("local.file.a"), 1);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].message.find("the next attempt would start after the 30s timeout"),
            std::string::npos)
      << r.failures[0].message;
}

TEST_F(RetryTest, SlowStepTimesOutAndSkipsItsDependents) {
  Want("local.file.slow", Map({{"path", Value("/slow")}}));
  Want("local.file.after", Map({{"path", Value("/after")}}), {"local.file.slow"});
  Want("local.file.other", Map({{"path", Value("/other")}}));
  ApplyOptions opts;
  opts.default_timeout_seconds = 0.05;
  ApplyResult r = PlanAndApply(0, Status(), opts, "local.file.slow");
  EXPECT_EQ(r.done, 1u);  // "other" is independent
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].address, "local.file.slow");
  EXPECT_EQ(r.failures[0].message, "create: timed out after 0.05s");
  EXPECT_NE(r.failures[0].hint.find("--timeout"), std::string::npos) << r.failures[0].hint;
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].address, "local.file.after");
  EXPECT_EQ(r.skips[0].cause, "local.file.slow");
}

TEST_F(RetryTest, TypeTimeoutWinsOverTheDefault) {
  fake_->schema().resources.at("local.file").timeout_seconds = 0.05;
  Want("local.file.slow", Map({{"path", Value("/slow")}}));
  ApplyOptions opts;
  opts.default_timeout_seconds = 3600;
  ApplyResult r = PlanAndApply(0, Status(), opts, "local.file.slow");
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].message, "create: timed out after 0.05s");
  EXPECT_NE(r.failures[0].hint.find("the type's timeout in its schema"), std::string::npos)
      << r.failures[0].hint;
}

TEST_F(RetryTest, ReportListsWhatWasDoneByAction) {
  Have("local.file.old", Map({{"id", Value("old")}, {"path", Value("/old")}}));
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}}));
  ApplyResult r = PlanAndApply(0, Status(), {});
  EXPECT_EQ(r.done_by_action,
            (std::vector<std::pair<Action, size_t>>{{Action::kCreate, 2}, {Action::kDelete, 1}}));
}

TEST(BackoffTest, FullJitterWindowDoublesUpToTheCap) {
  EXPECT_EQ(BackoffDelay(1, 1, 60, 0, 1.0), 1.0);
  EXPECT_EQ(BackoffDelay(2, 1, 60, 0, 1.0), 2.0);
  EXPECT_EQ(BackoffDelay(4, 1, 60, 0, 1.0), 8.0);
  EXPECT_EQ(BackoffDelay(10, 1, 60, 0, 1.0), 60.0);
  EXPECT_EQ(BackoffDelay(1000, 1, 60, 0, 0.5), 30.0);
  EXPECT_EQ(BackoffDelay(3, 1, 60, 0, 0.0), 0.0);
  EXPECT_EQ(BackoffDelay(3, 1, 60, 10, 0.25), 10.0);  // Retry-After wins when longer
}

TEST(DurationTest, ParsesWhatUsersWrite) {
  double s = 0;
  ASSERT_TRUE(ParseDuration("10m", &s));
  EXPECT_EQ(s, 600);
  ASSERT_TRUE(ParseDuration("1h30m", &s));
  EXPECT_EQ(s, 5400);
  ASSERT_TRUE(ParseDuration("45", &s));
  EXPECT_EQ(s, 45);
  ASSERT_TRUE(ParseDuration("250ms", &s));
  EXPECT_EQ(s, 0.25);
  EXPECT_FALSE(ParseDuration("", &s));
  EXPECT_FALSE(ParseDuration("0s", &s));
  EXPECT_FALSE(ParseDuration("10 minutes", &s));
  EXPECT_FALSE(ParseDuration("5d", &s));
  EXPECT_EQ(FormatDuration(30), "30s");
  EXPECT_EQ(FormatDuration(600), "10m");
  EXPECT_EQ(FormatDuration(5400), "1h30m");
  EXPECT_EQ(FormatDuration(2.3), "2.3s");
}

}  // namespace
}  // namespace cairn::apply
