#include "serving/dynamic_batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <future>
#include <mutex>
#include <thread>

namespace modelhost::serving {
namespace {

using engine::Tensor;

// A real backend computing y = 2x over float32 [-1, W]; it refuses any batch containing a NaN so
// tests can check that one bad request does not fail its batch neighbours.
class DoublingBackend : public Backend {
 public:
  explicit DoublingBackend(int64_t width) {
    sig_.inputs.push_back({"x", engine::DataType::kFloat32, {-1, width}});
    sig_.outputs.push_back({"y", engine::DataType::kFloat32, {-1, width}});
    sig_.batchable = true;
  }
  Result<std::vector<Tensor>> execute(std::span<const Tensor> inputs) override {
    {
      std::lock_guard lock(mu_);
      batch_rows_.push_back(inputs[0].shape()[0]);
      last_thread_ = std::this_thread::get_id();
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    const float* x = inputs[0].data<float>();
    Tensor y = Tensor::allocate(engine::DataType::kFloat32, inputs[0].shape());
    float* out = y.mutable_data<float>();
    for (int64_t i = 0; i < inputs[0].num_elements(); ++i) {
      if (std::isnan(x[i])) return invalid_argument("NaN in input x");
      out[i] = 2 * x[i];
    }
    return std::vector<Tensor>{y};
  }
  const engine::ModelSignature& signature() const override { return sig_; }
  std::thread::id last_thread() {
    std::lock_guard lock(mu_);
    return last_thread_;
  }
  std::chrono::microseconds delay{0};
  std::vector<int64_t> batch_rows() {
    std::lock_guard lock(mu_);
    return batch_rows_;
  }

 private:
  engine::ModelSignature sig_;
  std::mutex mu_;
  std::vector<int64_t> batch_rows_;
  std::thread::id last_thread_;
};

struct Submitted {
  std::future<InferResponse> future;
};

Submitted submit(DynamicBatcher& b, std::vector<float> values, int64_t width,
                 Clock::time_point deadline = Clock::time_point::max()) {
  auto promise = std::make_shared<std::promise<InferResponse>>();
  Submitted s{promise->get_future()};
  InferRequest r;
  const int64_t rows = static_cast<int64_t>(values.size()) / width;
  r.inputs.push_back(Tensor::from_vector<float>({rows, width}, values));
  r.batch_rows = rows;
  r.deadline = deadline;
  r.on_complete = [promise](InferResponse&& resp) { promise->set_value(std::move(resp)); };
  b.submit(std::move(r));
  return s;
}

ModelConfig config(int max_batch, int64_t delay_us, int queue = 64) {
  ModelConfig c;
  c.name = "double";
  c.max_batch_size = max_batch;
  c.batch_delay_us = delay_us;
  c.max_queue_size = queue;
  return c;
}

TEST(DynamicBatcherTest, BatchesConcurrentRequestsAndSplitsResults) {
  auto backend = std::make_shared<DoublingBackend>(2);
  auto b = DynamicBatcher::create(config(8, 200'000), backend, {});
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  std::vector<Submitted> subs;
  for (int i = 0; i < 8; ++i) {
    subs.push_back(submit(**b, {float(i), float(10 * i)}, 2));
  }
  for (int i = 0; i < 8; ++i) {
    InferResponse r = subs[i].future.get();
    ASSERT_TRUE(r.status.ok()) << r.status.to_string();
    ASSERT_EQ(r.outputs.size(), 1u);
    EXPECT_EQ(r.outputs[0].shape(), (engine::Shape{1, 2}));
    EXPECT_EQ(r.outputs[0].to_vector<float>(), (std::vector<float>{2.f * i, 20.f * i}));
    EXPECT_EQ(r.batch_size, 8);
  }
  EXPECT_EQ(backend->batch_rows(), (std::vector<int64_t>{8}));
  auto stats = (*b)->statistics();
  EXPECT_EQ(stats.execution_count, 1u);
  EXPECT_EQ(stats.inference_count, 8u);
  EXPECT_EQ(stats.success.count, 8u);
  EXPECT_EQ(stats.batch_stats.at(8).compute_infer.count, 1u);
}

TEST(DynamicBatcherTest, MultiRowRequestsRespectMaxBatchSize) {
  auto backend = std::make_shared<DoublingBackend>(1);
  auto b = DynamicBatcher::create(config(4, 100'000), backend, {});
  ASSERT_TRUE(b.ok());
  auto a = submit(**b, {1, 2, 3}, 1);  // 3 rows
  auto c = submit(**b, {4, 5}, 1);     // 2 rows: does not fit with the first
  EXPECT_EQ(a.future.get().outputs[0].to_vector<float>(), (std::vector<float>{2, 4, 6}));
  EXPECT_EQ(c.future.get().outputs[0].to_vector<float>(), (std::vector<float>{8, 10}));
  for (int64_t rows : backend->batch_rows()) EXPECT_LE(rows, 4);
}

TEST(DynamicBatcherTest, OneBadRequestDoesNotFailItsBatch) {
  auto backend = std::make_shared<DoublingBackend>(1);
  auto b = DynamicBatcher::create(config(4, 200'000), backend, {});
  ASSERT_TRUE(b.ok());
  auto good1 = submit(**b, {1}, 1);
  auto bad = submit(**b, {std::nanf("")}, 1);
  auto good2 = submit(**b, {3}, 1);
  auto r1 = good1.future.get();
  auto rb = bad.future.get();
  auto r2 = good2.future.get();
  EXPECT_TRUE(r1.status.ok());
  EXPECT_EQ(r1.outputs[0].to_vector<float>(), std::vector<float>{2});
  EXPECT_EQ(rb.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rb.status.message(), "NaN in input x");
  EXPECT_TRUE(r2.status.ok());
  EXPECT_EQ(r2.outputs[0].to_vector<float>(), std::vector<float>{6});
  EXPECT_EQ((*b)->statistics().fail.count, 1u);
}

TEST(DynamicBatcherTest, DifferentShapesAreNotBatchedTogether) {
  auto backend = std::make_shared<DoublingBackend>(-1);  // width free
  auto b = DynamicBatcher::create(config(8, 100'000), backend, {});
  ASSERT_TRUE(b.ok());
  auto a = submit(**b, {1, 2}, 2);
  auto c = submit(**b, {1, 2, 3}, 3);
  EXPECT_EQ(a.future.get().outputs[0].shape(), (engine::Shape{1, 2}));
  EXPECT_EQ(c.future.get().outputs[0].shape(), (engine::Shape{1, 3}));
  EXPECT_EQ(backend->batch_rows().size(), 2u);
}

TEST(DynamicBatcherTest, ExpiredRequestsAreAnsweredAndNeverRun) {
  auto backend = std::make_shared<DoublingBackend>(1);
  auto b = DynamicBatcher::create(config(4, 100'000), backend, {});
  ASSERT_TRUE(b.ok());
  auto expired = submit(**b, {1}, 1, Clock::now() + std::chrono::milliseconds(5));
  auto r = expired.future.get();
  EXPECT_EQ(r.status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(r.status.message().find("deadline"), std::string::npos);
  EXPECT_TRUE(backend->batch_rows().empty());
}

TEST(DynamicBatcherTest, FullQueueRefusesAtOnce) {
  auto backend = std::make_shared<DoublingBackend>(1);
  // A long delay keeps the first requests queued.
  auto b = DynamicBatcher::create(config(8, 2'000'000, 2), backend, {});
  ASSERT_TRUE(b.ok());
  auto a = submit(**b, {1}, 1);
  auto c = submit(**b, {2}, 1);
  auto refused = submit(**b, {3}, 1);
  ASSERT_EQ(refused.future.wait_for(std::chrono::milliseconds(500)), std::future_status::ready);
  auto r = refused.future.get();
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status.message().find("overloaded"), std::string::npos);
  (*b)->shutdown();  // drains the two queued ones
  EXPECT_TRUE(a.future.get().status.ok());
  EXPECT_TRUE(c.future.get().status.ok());
}

TEST(DynamicBatcherTest, NoBatchingRunsEachRequestAlone) {
  auto backend = std::make_shared<DoublingBackend>(1);
  auto b = DynamicBatcher::create(config(0, 0), backend, {});
  ASSERT_TRUE(b.ok());
  std::vector<Submitted> subs;
  for (int i = 0; i < 5; ++i) subs.push_back(submit(**b, {float(i)}, 1));
  for (auto& s : subs) EXPECT_TRUE(s.future.get().status.ok());
  EXPECT_EQ(backend->batch_rows(), (std::vector<int64_t>{1, 1, 1, 1, 1}));
}

TEST(DynamicBatcherTest, ShutdownRefusesNewRequests) {
  auto backend = std::make_shared<DoublingBackend>(1);
  auto b = DynamicBatcher::create(config(4, 0), backend, {});
  ASSERT_TRUE(b.ok());
  (*b)->shutdown();
  auto r = submit(**b, {1}, 1).future.get();
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status.message().find("shutting down"), std::string::npos);
}

TEST(DynamicBatcherTest, RejectsBatchingAnUnbatchableModel) {
  auto backend = std::make_shared<DoublingBackend>(1);
  const_cast<engine::ModelSignature&>(backend->signature()).batchable = false;
  auto b = DynamicBatcher::create(config(4, 0), backend, {});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("--max-batch-size 0"), std::string::npos);
}

TEST(DynamicBatcherTest, ManyThreadsGetTheirOwnResults) {
  auto backend = std::make_shared<DoublingBackend>(3);
  prometheus::Registry registry;
  auto b = DynamicBatcher::create(config(8, 1000), backend,
                                  BatcherMetrics::create(registry, config(8, 1000)), 2);
  ASSERT_TRUE(b.ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        float v = float(t * 1000 + i);
        auto r = submit(**b, {v, v + 1, v + 2}, 3).future.get();
        if (!r.status.ok() || r.outputs[0].to_vector<float>() !=
                                  std::vector<float>{2 * v, 2 * v + 2, 2 * v + 4})
          wrong++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ((*b)->statistics().inference_count, 800u);
  std::string text = registry.render();
  EXPECT_NE(text.find("modelhost_batch_size_count{model=\"double\",version=\"1\"} "),
            std::string::npos);
}

TEST(DynamicBatcherTest, CheapModelRunsInlineOnTheSubmittingThread) {
  auto backend = std::make_shared<DoublingBackend>(1);
  auto b = DynamicBatcher::create(config(8, 0), backend, {});
  ASSERT_TRUE(b.ok());
  // The first executions go through the instance thread and measure the model.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(submit(**b, {float(i)}, 1).future.get().status.ok());
  // The instance thread releases its slot just after answering; give it a moment.
  bool ran_inline = false;
  for (int attempt = 0; attempt < 100 && !ran_inline; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto s = submit(**b, {21}, 1);
    // Inline execution completes before submit() returns.
    ran_inline = s.future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    EXPECT_EQ(s.future.get().outputs[0].to_vector<float>(), std::vector<float>{42});
  }
  EXPECT_TRUE(ran_inline);
  EXPECT_EQ(backend->last_thread(), std::this_thread::get_id());
}

TEST(DynamicBatcherTest, SlowModelNeverRunsInline) {
  auto backend = std::make_shared<DoublingBackend>(1);
  backend->delay = std::chrono::microseconds(2 * DynamicBatcher::kInlineComputeLimitNs / 1000);
  auto b = DynamicBatcher::create(config(8, 0), backend, {});
  ASSERT_TRUE(b.ok());
  for (int i = 0; i < 12; ++i) {
    EXPECT_TRUE(submit(**b, {float(i)}, 1).future.get().status.ok());
    EXPECT_NE(backend->last_thread(), std::this_thread::get_id());
  }
}

TEST(DynamicBatcherTest, BatchDelayDisablesInlineExecution) {
  auto backend = std::make_shared<DoublingBackend>(1);
  auto b = DynamicBatcher::create(config(8, 100), backend, {});
  ASSERT_TRUE(b.ok());
  for (int i = 0; i < 12; ++i) {
    EXPECT_TRUE(submit(**b, {float(i)}, 1).future.get().status.ok());
    EXPECT_NE(backend->last_thread(), std::this_thread::get_id());
  }
}

}  // namespace
}  // namespace modelhost::serving
