#pragma once

#include "azid/keychain/tokencachepersistenceoptions.h"
#include "azid/result.h"

#include <QFuture>
#include <QString>
#include <QStringList>

#include <memory>

namespace azid {

class TokenCache;

// The persistent cache that azure.identity shares with Microsoft developer tools
// (TokenCachePersistenceOptions, default name "msal.cache"), in its own format (see
// MsalExtensionsPersistence), as azid-cli `login --shared-cache` writes it and
// `token --credential shared-token-cache` (SharedTokenCacheCredential) reads it.
//
// Both namings are kept in step, so that every azure.identity version sees the same sign-ins:
// "<name>.nocae" (azure.identity 1.14 and later) and "<name>" (before 1.14; Debian 12 ships 1.13.0b2)
// are loaded into cache() and both written back; "<name>.cae" is caeCache().
//
// Reading allows the plaintext fallback file when no Secret Service is reachable, as
// SharedTokenCacheCredential does in azure.identity; writing allows it only with
// options.allowUnencryptedStorage.
//
// Use it from the main thread. Operations keep what they need alive.
class SharedTokenCache
{
public:
    enum class Access { Read, ReadWrite };

    // `directory`: where the signal and lock files are (identityServiceDirectory() unless a test says
    // otherwise).
    explicit SharedTokenCache(const TokenCachePersistenceOptions &options = {},
                              Access access = Access::ReadWrite, const QString &directory = {});
    ~SharedTokenCache();
    SharedTokenCache(const SharedTokenCache &) = delete;
    SharedTokenCache &operator=(const SharedTokenCache &) = delete;

    std::shared_ptr<TokenCache> cache() const;
    std::shared_ptr<TokenCache> caeCache() const;
    // The libsecret schema names, in the order they are loaded: "<name>.nocae", "<name>", "<name>.cae".
    QStringList cacheNames() const;

    // Brings in what is stored under every name; stops at the first error.
    QFuture<VoidResult> load();
    // Writes what changed since the last load or save, under every name; nothing when nothing changed.
    QFuture<VoidResult> save();

    // Copies one account's entries (its access, refresh and id tokens, its account entry, and the app
    // metadata of the clients involved) from `from` into cache() (or caeCache()), replacing entries
    // with the same keys: how a sign-in made with Azid's own cache reaches the shared one.
    static void copyAccount(const TokenCache &from, TokenCache &to, const QString &homeAccountId);

    // What the user must be told (e.g. that the cache is kept unencrypted); empty otherwise.
    QStringList storageWarnings() const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace azid
