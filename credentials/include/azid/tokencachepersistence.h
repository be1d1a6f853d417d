#pragma once

#include "azid/result.h"

#include <QFuture>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace azid {

class TokenCache;

// azure.identity's TokenCachePersistenceOptions(name="msal.cache", allow_unencrypted_storage=False).
//
// `name` isolates caches: the default is the cache Microsoft developer tools and
// SharedTokenCacheCredential share; give your own to keep your data apart. As in azure.identity 1.14
// and later, it is a prefix: tokens requested without CAE live in "<name>.nocae", with CAE in
// "<name>.cae" (cacheName()). Letters, digits, '.', '_' and '-' only.
//
// `allowUnencryptedStorage`: when no keychain is reachable at all (no Secret Service on the bus, as in
// an SSH session or on a headless machine), keep the cache in a plain file of mode 0600 instead of
// failing, and say so. It never disables encryption: with a keychain the cache is encrypted, and a
// locked keychain or a refused access is an error, not a reason to fall back. Without it, no keychain
// means a clear EncryptionUnavailable error.
struct TokenCachePersistenceOptions
{
    static constexpr const char *DefaultName = "msal.cache";

    QString name = QString::fromLatin1(DefaultName);
    bool allowUnencryptedStorage = false;

    // "<name>.nocae" or "<name>.cae".
    QString cacheName(bool cae) const
    {
        return name + (cae ? QStringLiteral(".cae") : QStringLiteral(".nocae"));
    }
    // Where azure.identity before 1.14 (Debian 12 ships 1.13.0b2) keeps the same cache: "<name>" itself,
    // for tokens with and without CAE alike.
    QString legacyCacheName() const { return name; }

    friend bool operator==(const TokenCachePersistenceOptions &,
                           const TokenCachePersistenceOptions &) = default;
};

// What makes a credential's token cache persistent (cache_persistence_options): the caches its tokens
// go to, and their load and save. A credential given TokenCachePersistenceOptions loads before each
// request and saves after it. The library defines the interface; the keychain module implements it
// (azid/keychain/keychainpersistence.h: one call, enableKeychainTokenCachePersistence(), installs it
// for the whole process). Used from the thread that runs the credentials (the main thread).
class TokenCachePersistence
{
public:
    virtual ~TokenCachePersistence() = default;

    // Tokens requested without CAE (false) and with it (true).
    virtual std::shared_ptr<TokenCache> cache(bool cae) const = 0;
    // Brings in what other processes stored since the last load or save.
    virtual QFuture<VoidResult> load() = 0;
    // Writes what changed since the last load or save; nothing when nothing did.
    virtual QFuture<VoidResult> save() = 0;
};

using TokenCachePersistenceFactory =
    std::function<Result<std::shared_ptr<TokenCachePersistence>>(const TokenCachePersistenceOptions &)>;

// Installs the factory credentials use for TokenCachePersistenceOptions (an empty one uninstalls it).
// Any thread; credentials made afterwards use it.
void setTokenCachePersistenceFactory(TokenCachePersistenceFactory factory);
// The persistence of `options` from the installed factory. Error: none is installed (a
// configuration error that says to call enableKeychainTokenCachePersistence()), or the factory's own.
Result<std::shared_ptr<TokenCachePersistence>>
makeTokenCachePersistence(const TokenCachePersistenceOptions &options);
// Whether a factory is installed.
bool hasTokenCachePersistenceFactory();

} // namespace azid
