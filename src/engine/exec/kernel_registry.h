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
};

class KernelRegistry {
 public:
  static KernelRegistry& instance();

  // Aborts on an entry overlapping an existing one for the same op (a programming error).
  void add(KernelDef def);
  // The entry covering `opset`, or null.
  const KernelDef* find(std::string_view domain, std::string_view op_type, int64_t opset) const;
  // Every registered entry, for diagnostics and tests.
  const std::vector<KernelDef>& defs() const { return defs_; }

 private:
  KernelRegistry() = default;
  std::vector<KernelDef> defs_;
};

struct KernelRegistrar {
  explicit KernelRegistrar(KernelDef def) { KernelRegistry::instance().add(std::move(def)); }
};

}  // namespace modelhost::engine::exec

// A kernel of another domain, e.g. the fused ops of ir::kModelhostDomain.
#define MH_REGISTER_CPU_DOMAIN_KERNEL(domain, op, since, until, factory) \
  static const ::modelhost::engine::exec::KernelRegistrar MH_CONCAT(    \
      mh_kernel_registrar_,                                             \
      __LINE__)(::modelhost::engine::exec::KernelDef{(domain), #op, (since), (until), (factory)})

#define MH_REGISTER_CPU_KERNEL(op, since, until, factory)            \
  static const ::modelhost::engine::exec::KernelRegistrar MH_CONCAT( \
      mh_kernel_registrar_,                                          \
      __LINE__)(::modelhost::engine::exec::KernelDef{"", #op, (since), (until), (factory)})
