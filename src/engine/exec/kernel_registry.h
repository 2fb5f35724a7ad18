// KernelRegistry: which kernel implements (domain, op_type) at a given opset.
//
// There is no central list: each op file registers itself next to its code with
//
//   MH_REGISTER_CPU_KERNEL(Relu, /*since=*/6, /*until=*/exec::kMaxOpset, make_relu);
//
// Registration happens during static initialization (single-threaded); afterwards the registry
// is read-only and safe to query from any thread. An op whose behaviour changes across opsets
// registers one entry per range (Softmax: 1..12 and 13..).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/exec/kernel.h"

namespace modelhost::engine::exec {

struct KernelDef {
  std::string domain;  // "" for the default ONNX domain
  std::string op_type;
  int64_t since_opset = 1;
  int64_t until_opset = kMaxOpset;  // inclusive
  KernelFactory factory;
  // Placement (exec/device.h). Bit i set: the kernel reads only the dtype and shape of input i,
  // never its data, so the input may stay on a device (Shape, Reshape's data, Squeeze, ...).
  uint64_t metadata_inputs = 0;
  // Output 0 is a view of input 0 (Reshape, Flatten, Squeeze, Unsqueeze, Identity): it lives
  // where input 0 lives.
  bool output_views_input0 = false;
  // For a device's kernels: bit i set, input i is read on the host (a shape, an axis list).
  uint64_t host_inputs = 0;
};

class KernelRegistry {
 public:
  // The CPU kernels (filled by the registrations below during static initialization).
  static KernelRegistry& instance();
  // A device's own table (exec/device.h), filled by its provider with add().
  KernelRegistry() = default;

  // Aborts on an entry overlapping an existing one for the same op (a programming error).
  void add(KernelDef def);
  // The entry covering `opset`, or null.
  const KernelDef* find(std::string_view domain, std::string_view op_type, int64_t opset) const;
  // Every registered entry, for diagnostics and tests.
  const std::vector<KernelDef>& defs() const { return defs_; }

 private:
  std::vector<KernelDef> defs_;
};

struct KernelRegistrar {
  explicit KernelRegistrar(KernelDef def) { KernelRegistry::instance().add(std::move(def)); }
};

}  // namespace modelhost::engine::exec

// A kernel of another domain, e.g. the fused ops of ir::kModelhostDomain.
#define MH_REGISTER_CPU_DOMAIN_KERNEL(domain, op, since, until, factory) \
  static const ::modelhost::engine::exec::KernelRegistrar MH_CONCAT(     \
      mh_kernel_registrar_,                                              \
      __LINE__)(::modelhost::engine::exec::KernelDef{(domain), #op, (since), (until), (factory)})

// A CPU kernel that reads only the shape of the inputs in `metadata_mask` (bit i: input i) and,
// with `views_input0`, whose output 0 is a view of input 0: see KernelDef.
#define MH_REGISTER_CPU_SHAPE_KERNEL(op, since, until, factory, metadata_mask, views_input0) \
  static const ::modelhost::engine::exec::KernelRegistrar MH_CONCAT(                         \
      mh_kernel_registrar_, __LINE__)(::modelhost::engine::exec::KernelDef{                  \
      "", #op, (since), (until), (factory), (metadata_mask), (views_input0)})

#define MH_REGISTER_CPU_KERNEL(op, since, until, factory)            \
  static const ::modelhost::engine::exec::KernelRegistrar MH_CONCAT( \
      mh_kernel_registrar_,                                          \
      __LINE__)(::modelhost::engine::exec::KernelDef{"", #op, (since), (until), (factory)})
