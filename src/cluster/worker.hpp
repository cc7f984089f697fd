// One thread for the blocking libnats calls (JetStream KV: claim, release, lookup,
// list), so none runs on the Asio pool (docs/architecture.md, Threads). Jobs run one at a
// time in submission order; each posts its result back to the router's strand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace chat::cluster {

class blocking_worker {
 public:
  blocking_worker();
  // Finishes the running job, drops the queued ones and joins.
  ~blocking_worker();
  blocking_worker(const blocking_worker&) = delete;
  blocking_worker& operator=(const blocking_worker&) = delete;

  // Thread-safe. Queues `job`; it runs on the worker thread.
  void submit(std::function<void()> job);
  // Waits until every job queued so far has run, or `limit` has passed (graceful
  // shutdown: the names' releases go out before the node exits).
  void finish(std::chrono::milliseconds limit);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::condition_variable idle_;  // the queue ran empty (finish waits for it)
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  bool busy_ = false;  // a job runs now
  std::thread thread_;
};

}  // namespace chat::cluster
