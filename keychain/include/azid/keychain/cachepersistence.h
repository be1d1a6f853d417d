#pragma once

#include "azid/keychain/secretstore.h"

#include <QFuture>
#include <QString>

#include <chrono>
#include <memory>

namespace azid {

class TokenCache;

// Keeps a TokenCache in an EncryptedCacheFile whose key is the SecretStore item "cache-key:<name>"
// (created on the first save), and in step with other processes using the same file.
//
// Both operations merge: entries this process changed since the last sync keep this process's
// version, every other entry takes the file's, so tokens that another process saved meanwhile are
// not lost and removals on either side stick. A change covers only the entries this process knew
// of, so load() before changing the cache (e.g. before removing an account) to include what others
// added meanwhile. Operations run one after another in call order.
//
// Threading: call it from the thread that owns the SecretStore (the main thread for the keychain).
// The file work and the lock run synchronously on that thread: local and short, except that a save
// waits (blocking, at most lockTimeout) while another process holds the lock.
//
// Damage: a file that cannot be decrypted, or whose key is missing from the keychain, is renamed to
// "<file>.corrupt-<time>" (never overwritten or deleted) and the operation fails with a message
// saying so; the next save then writes a fresh file from the in-memory cache.
class CachePersistence
{
public:
    static constexpr std::chrono::milliseconds DefaultLockTimeout{5000};

    // `name` as in TokenCachePersistenceOptions (e.g. "msal.cache.nocae"); `filePath` usually
    // defaultCacheFilePath(profile, name).
    CachePersistence(std::shared_ptr<SecretStore> store, std::shared_ptr<TokenCache> cache, QString name,
                     QString filePath);
    // Pending operations still complete: they keep what they need alive.
    ~CachePersistence();
    CachePersistence(const CachePersistence &) = delete;
    CachePersistence &operator=(const CachePersistence &) = delete;

    QString name() const;
    QString filePath() const;
    // The SecretStore item holding the file's key.
    QString keyName() const;

    // Brings in what the file holds if it changed since the last sync (everything, the first time). No
    // lock: the file is only ever replaced whole. A missing file changes nothing (as in msal-extensions).
    QFuture<VoidResult> load();
    // Writes the cache if it changed since the last sync, under the lock, after merging in what other
    // processes saved meanwhile. The cache then holds the merged result too.
    QFuture<VoidResult> save();

    // The cache changed since the last load or save.
    bool hasUnsavedChanges() const;
    void setLockTimeout(std::chrono::milliseconds timeout);

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace azid
