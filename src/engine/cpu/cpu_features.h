// Run-time CPU checks for the kernels with hand-vectorized paths (cpu/sgemm_packed.cc,
// cpu/vec_math.cc). Their AVX2 code is compiled for that target by function attribute
// (MH_TARGET_AVX2_FMA), so the rest of the engine stays built for baseline x86-64 and the AVX2
// code runs only where cpu_has_avx2_fma() says the CPU has it.
#pragma once

#if defined(__x86_64__)
#define MH_X86_64 1
#define MH_TARGET_AVX2_FMA __attribute__((target("avx2,fma")))
#endif

namespace modelhost::engine::cpu {

inline bool cpu_has_avx2_fma() {
#if MH_X86_64
  static const bool supported = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return supported;
#else
  return false;
#endif
}

}  // namespace modelhost::engine::cpu
