// Shared by the normalizations over trailing dims (LayerNormalization, RMSNormalization): where a
// parameter (Scale, B) broadcast over the normalized dims is read for each normalized position.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

// Offsets into a parameter of shape `ps` broadcast over `inner_shape` (right-aligned), one per
// inner position; an error naming `what` when it does not broadcast.
inline Result<std::vector<int64_t>> param_offsets(const Shape& ps, const Shape& inner_shape,
                                                  const char* what) {
  auto fail = [&] {
    return invalid_argument(std::string(what) + " " + shape_to_string(ps) +
                            " does not broadcast over the normalized dims " +
                            shape_to_string(inner_shape));
  };
  Shape p = ps;
  while (p.size() > inner_shape.size() && p.front() == 1) p.erase(p.begin());
  if (p.size() > inner_shape.size()) return fail();
  const size_t lead = inner_shape.size() - p.size();
  std::vector<int64_t> pstride(inner_shape.size(), 0);
  int64_t st = 1;
  for (size_t d = inner_shape.size(); d-- > lead;) {
    const int64_t pd = p[d - lead];
    if (pd != 1 && pd != inner_shape[d]) return fail();
    pstride[d] = pd == 1 ? 0 : st;
    st *= pd;
  }
  int64_t inner = 1;
  for (int64_t d : inner_shape) inner *= d;
  std::vector<int64_t> offs(static_cast<size_t>(inner));
  for (int64_t i = 0; i < inner; ++i) {
    int64_t rem = i, off = 0;
    for (size_t d = inner_shape.size(); d-- > 0;) {
      off += (rem % inner_shape[d]) * pstride[d];
      rem /= inner_shape[d];
    }
    offs[static_cast<size_t>(i)] = off;
  }
  return offs;
}

}  // namespace modelhost::engine::cpu
