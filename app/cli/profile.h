#pragma once

#include "azid/keychain/accountstore.h"
#include "azid/keychain/profilestorage.h"
#include "azid/result.h"
#include "azid/tokencache.h"

#include <QString>

#include <memory>

namespace azid::cli {

// Everything a profile stores (ProfileStorage, shared with the tray app), waited for at the top as a
// command line may.
class Profile
{
public:
    explicit Profile(const QString &name, const ProfileStorage::Options &options = {});

    const QString &name() const { return m_name; }
    std::shared_ptr<TokenCache> cache() const { return m_storage.cache(); }
    std::shared_ptr<TokenCache> caeCache() const { return m_storage.caeCache(); }
    AccountStore &accounts() { return m_storage.accounts(); }
    ProfileStorage &storage() { return m_storage; }

    // Stops at the first error.
    VoidResult loadCaches(ProfileStorage::Caches which = ProfileStorage::Caches::Both);
    VoidResult saveCaches();
    bool hasUnsavedChanges() const { return m_storage.hasUnsavedChanges(); }
    // The account's cache entries, then its record.
    VoidResult removeAccount(const AuthenticationRecord &record);

    Result<QList<StoredAccount>> listAccounts();
    // See ProfileStorage::restorableCaches() and restoreCache().
    Result<QStringList> restorableCaches();
    VoidResult restoreCache(const QString &path);
    // What the user must be told about where things were kept (e.g. unencrypted).
    QStringList storageWarnings() const { return m_storage.storageWarnings(); }
    // By user name (case-insensitive) or home account id; empty selector: the default account, or
    // the only one.
    Result<StoredAccount> select(const QString &selector);

private:
    QString m_name;
    ProfileStorage m_storage;
};

} // namespace azid::cli
