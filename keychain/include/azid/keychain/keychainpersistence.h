#pragma once

#include "azid/tokencachepersistence.h"

#include <memory>

namespace azid {

// The keychain module's TokenCachePersistence: the cache `options` names, kept as azure.identity keeps
// it (SharedTokenCache: on Linux the Secret Service items of msal-extensions, every naming of the cache
// in step), so that azure.identity, the Azure CLI and Azid's credentials share it. Use it from the
// main thread.
Result<std::shared_ptr<TokenCachePersistence>>
makeKeychainTokenCachePersistence(const TokenCachePersistenceOptions &options);

// One call at start-up: credentials given TokenCachePersistenceOptions (cache_persistence_options)
// persist their caches through the keychain, and SharedTokenCacheCredential (alone or in
// DefaultAzureCredential) reads the shared cache without a cache of its own.
void enableKeychainTokenCachePersistence();

} // namespace azid
