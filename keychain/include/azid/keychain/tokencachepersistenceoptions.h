#pragma once

#include <QString>
#include <QStringList>

namespace azid {

// azure.identity's TokenCachePersistenceOptions(name="msal.cache", allow_unencrypted_storage=False).
//
// `name` isolates caches: the default is the cache Microsoft developer tools and
// SharedTokenCacheCredential share; give your own to keep your data apart. As in azure.identity 1.14
// and later, it is a prefix: tokens requested without CAE live in "<name>.nocae", with CAE in
// "<name>.cae" (cacheName()). Letters, digits, '.', '_' and '-' only.
//
// `allowUnencryptedStorage`: when no keychain is reachable at all (no Secret Service on the bus, as in
// an SSH session or on a headless machine), keep the cache in a plain file of mode 0600 instead of
// failing, and say so (CachePersistence::storageWarning()). It never disables encryption: with a
// keychain the cache is encrypted, and a locked keychain or a refused access is an error, not a
// reason to fall back. Without it, no keychain means a clear EncryptionUnavailable error.
struct TokenCachePersistenceOptions
{
    static constexpr const char *DefaultName = "msal.cache";

    QString name = QString::fromLatin1(DefaultName);
    bool allowUnencryptedStorage = false;

    // "<name>.nocae" or "<name>.cae".
    QString cacheName(bool cae) const;
    // Where azure.identity before 1.14 (Debian 12 ships 1.13.0b2) keeps the same cache: "<name>" itself,
    // for tokens with and without CAE alike.
    QString legacyCacheName() const { return name; }

    friend bool operator==(const TokenCachePersistenceOptions &,
                           const TokenCachePersistenceOptions &) = default;
};

} // namespace azid
