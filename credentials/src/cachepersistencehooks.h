#pragma once

// How credentials use a TokenCachePersistence (cache_persistence_options).

#include "azid/tokencache.h"
#include "azid/tokencachepersistence.h"
#include "azid/tokencredential.h"

#include <QFuture>

#include <functional>
#include <memory>
#include <optional>

namespace azid::detail {

// The caches of `options` and what keeps them (all empty without options).
struct PersistentCaches
{
    std::shared_ptr<TokenCachePersistence> persistence;
    std::shared_ptr<TokenCache> cache;
    std::shared_ptr<TokenCache> caeCache;
    std::optional<AuthError> error; // no factory installed, or the factory's error: a configuration error
};

PersistentCaches persistentCaches(const std::optional<TokenCachePersistenceOptions> &options);

// What a failed load or save of a persistent cache leaves: a warning in the log.
void warnPersistenceFailed(const char *what, const AuthError &error);

// `request` between a load and a save of `persistence` (none: `request` alone). The result's future
// finishes once the save has, so a process may exit as soon as it has it; a failed load or save is
// logged and the request's result returned (as msal-extensions: a cache that cannot be read leaves
// the request to the memory cache and the network).
template <typename T>
QFuture<T> withPersistence(const std::shared_ptr<TokenCachePersistence> &persistence,
                           std::function<QFuture<T>()> request)
{
    if (!persistence)
        return request();
    return persistence->load()
        .then(QtFuture::Launch::Sync,
              [request = std::move(request)](const VoidResult &loaded) {
                  if (!loaded)
                      warnPersistenceFailed("loaded", loaded.error());
                  return request();
              })
        .unwrap()
        .then(QtFuture::Launch::Sync,
              [persistence](const T &result) {
                  return persistence->save().then(QtFuture::Launch::Sync, [result](const VoidResult &saved) {
                      if (!saved)
                          warnPersistenceFailed("saved", saved.error());
                      return result;
                  });
              })
        .unwrap();
}

} // namespace azid::detail
