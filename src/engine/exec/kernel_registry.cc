#include "engine/exec/kernel_registry.h"

#include <cstdio>
#include <cstdlib>

namespace modelhost::engine::exec {

KernelRegistry& KernelRegistry::instance() {
  static KernelRegistry* registry = new KernelRegistry();  // never destroyed: used at exit
  return *registry;
}

void KernelRegistry::add(KernelDef def) {
  for (const KernelDef& d : defs_) {
    if (d.domain == def.domain && d.op_type == def.op_type && d.since_opset <= def.until_opset &&
        def.since_opset <= d.until_opset) {
      std::fprintf(stderr, "kernel %s registered twice for overlapping opsets\n",
                   def.op_type.c_str());
      std::abort();
    }
  }
  defs_.push_back(std::move(def));
}

const KernelDef* KernelRegistry::find(std::string_view domain, std::string_view op_type,
                                      int64_t opset) const {
  for (const KernelDef& d : defs_) {
    if (d.domain == domain && d.op_type == op_type && d.since_opset <= opset &&
        opset <= d.until_opset) {
      return &d;
    }
  }
  return nullptr;
}

}  // namespace modelhost::engine::exec
