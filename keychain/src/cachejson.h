#pragma once

#include "azid/secret.h"

namespace azid::detail {

// A look at the ends only, for data whose origin is authenticated (decrypted with Azid's key, so
// written by Azid's serialiser): what cannot be a cache (a JSON object) is told apart without parsing
// megabytes twice; the token cache's parse that follows checks the rest.
bool looksLikeCacheJson(const Secret &data);

} // namespace azid::detail
