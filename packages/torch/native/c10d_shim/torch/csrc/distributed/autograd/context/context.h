// Stand-in for a header Debian's libtorch-dev 1.13 does not ship (distributed autograd), which
// c10d/reducer.hpp includes for two names only: the GradCallback type it static_asserts against
// and ContextPtr, a shared_ptr whose pointee reducer.hpp never dereferences. Found only after the
// libtorch include directories, so a libtorch that ships the real header uses it instead.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};
using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
