// Identifiers: random hex ids for requests and objects.
#pragma once

#include <string>
#include <string_view>

namespace modelhost {

// A random 64-bit id as 16 lowercase hex characters, with an optional prefix ("req-...").
// Thread-safe and cheap (a thread-local generator seeded from the OS).
std::string new_id(std::string_view prefix = {});

// `bits` random bits (a multiple of 8) from the OS's CSPRNG, hex encoded. For secrets (tokens).
std::string random_hex(int bits);

}  // namespace modelhost
