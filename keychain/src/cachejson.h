#pragma once

#include "azid/secret.h"

namespace azid::detail {

// Whether the bytes are a JSON object, as every MSAL cache is (an empty object included).
bool isCacheJson(const Secret &data);
// A look at the ends only, for data whose origin is authenticated (decrypted with Azid's key, so
// written by Azid's serialiser): what cannot be a cache is told apart without parsing megabytes
// twice; the parse that follows checks the rest.
bool looksLikeCacheJson(const Secret &data);

// `primary` with the entries only `secondary` has added to its sections (a plain cache of an earlier
// session taken into the encrypted one). Entries both have keep primary's version.
Secret fillMissingEntries(const Secret &primary, const Secret &secondary);

} // namespace azid::detail
