// CPU caching allocator for large tensors. glibc serves blocks over its mmap threshold (32 MiB)
// with a fresh mmap each time, so every large tensor of a training step faults its pages in again
// (half the time of a 3D conv step on [2,16,96,96,96]). Here such blocks go back to a per-size
// pool instead and are reused for the next request of the same rounded size, as PyTorch's CUDA
// caching allocator does on GPUs. Each block is its own mapping: nothing is split, so varying
// sizes cannot fragment anything; the pool is capped and torch.emptyCache() unmaps it all.
#include "common.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace mts {

namespace {

constexpr size_t kMinCached = 32u << 20;  // smaller blocks stay with glibc (its heap reuses them)
constexpr size_t kRound = 2u << 20;
constexpr int kPopulateWrite = 23;  // MADV_POPULATE_WRITE (Linux 5.14), absent from older headers

class CachingCPUAllocator final : public c10::Allocator {
 public:
  CachingCPUAllocator(c10::Allocator* base, size_t cap)
      : base_(base), baseDeleter_(base->raw_deleter() ? base->raw_deleter() : &c10::free_cpu), cap_(cap) {}

  c10::DataPtr allocate(size_t n) const override {
    if (n < kMinCached) return base_->allocate(n);
    size_t size = (n + kRound - 1) / kRound * kRound;
    void* p = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = pool_.find(size);
      if (it != pool_.end()) {
        p = it->second;
        pool_.erase(it);
        cached_ -= size;
      }
    }
    if (!p) {
      p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) {
        // Out of address space or memory: give the pool back and try once more.
        emptyCache();
        p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_.emplace(p, size);
    }
    // Context == data with a plain deleter: oneDNN's scratchpads go through raw_allocate, which
    // requires exactly that.
    return c10::DataPtr(p, p, &release, c10::Device(c10::DeviceType::CPU));
  }

  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  // Unmaps every pooled block; returns the bytes released.
  size_t emptyCache() const {
    std::multimap<size_t, void*> all;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      all.swap(pool_);
      cached_ = 0;
    }
    size_t n = 0;
    for (auto& [size, p] : all) {
      munmap(p, size);
      n += size;
    }
    return n;
  }

  bool populate(void* p) const {
    size_t size;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = live_.find(p);
      if (it == live_.end()) return false;
      size = it->second;
    }
    return madvise(p, size, kPopulateWrite) == 0;  // EINVAL before Linux 5.14: pages fault as usual
  }

  size_t cached() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cached_;
  }

 private:
  // Runs wherever the last reference to a storage goes, on any thread. Small blocks (and raw
  // allocations of them) belong to libtorch's allocator.
  static void release(void* p);

  void giveBack(void* p) const {
    std::vector<std::pair<void*, size_t>> evicted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = live_.find(p);
      if (it == live_.end()) {
        baseDeleter_(p);
        return;
      }
      size_t size = it->second;
      live_.erase(it);
      if (size > cap_) {
        evicted.emplace_back(p, size);
      } else {
        // Make room by dropping the largest pooled blocks first.
        while (cached_ + size > cap_ && !pool_.empty()) {
          auto last = std::prev(pool_.end());
          evicted.emplace_back(last->second, last->first);
          cached_ -= last->first;
          pool_.erase(last);
        }
        pool_.emplace(size, p);
        cached_ += size;
      }
    }
    for (auto& [ptr, n] : evicted) munmap(ptr, n);
  }

  c10::Allocator* base_;
  c10::DeleterFnPtr baseDeleter_;
  size_t cap_;
  mutable std::unordered_map<void*, size_t> live_;  // large blocks handed out, by address
  mutable std::mutex mutex_;
  mutable std::multimap<size_t, void*> pool_;
  mutable size_t cached_ = 0;
};

CachingCPUAllocator* instance = nullptr;

void CachingCPUAllocator::release(void* p) { instance->giveBack(p); }

}  // namespace

// Installs the allocator once per process. MONAI_TS_CPU_CACHE_MB sets the pool's cap (default
// 1024; 0 leaves libtorch's allocator alone).
void installCachingAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = getenv("MONAI_TS_CPU_CACHE_MB");
    long mb = env ? std::strtol(env, nullptr, 10) : 1024;
    if (mb <= 0) return;
    // Never destroyed: storages may be released during process exit.
    instance = new CachingCPUAllocator(c10::GetCPUAllocator(), static_cast<size_t>(mb) << 20);
    c10::SetCPUAllocator(instance, /*priority=*/1);
  });
}

size_t emptyCpuCache() { return instance ? instance->emptyCache() : 0; }
// A block about to be written whole (a tensor filled from a file) is faulted in by one madvise
// instead of a page fault per 4 KiB during the read: 0.25 s less for 2.4 GB here. Not for every
// block: torch.empty must not touch pages. (Huge pages were tried: with THP defrag on madvise
// they stalled for seconds in compaction once the page cache had filled memory.)
bool populatePages(void* p) { return instance && instance->populate(p); }
size_t cachedCpuBytes() { return instance ? instance->cached() : 0; }

}  // namespace mts
