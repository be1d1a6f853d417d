#pragma once

#include "azid/keychain/accountstore.h"
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/secretstore.h"
#include "azid/result.h"
#include "azid/tokencache.h"

#include <QString>

#include <memory>

namespace azid::cli {

// Everything a profile stores: the accounts, and the token caches (without and with CAE) encrypted
// in files whose keys are in the keychain.
class Profile
{
public:
    explicit Profile(const QString &name);

    const QString &name() const { return m_name; }
    std::shared_ptr<TokenCache> cache() const { return m_cache; }
    std::shared_ptr<TokenCache> caeCache() const { return m_caeCache; }
    AccountStore &accounts() { return m_accounts; }

    // Both caches; stops at the first error.
    VoidResult loadCaches();
    VoidResult saveCaches();

    QList<StoredAccount> listAccounts(AuthError *error);
    // By user name (case-insensitive) or home account id; empty selector: the default account, or
    // the only one.
    Result<StoredAccount> select(const QString &selector);

private:
    QString m_name;
    std::shared_ptr<SecretStore> m_store;
    std::shared_ptr<TokenCache> m_cache;
    std::shared_ptr<TokenCache> m_caeCache;
    AccountStore m_accounts;
    CachePersistence m_persistence;
    CachePersistence m_caePersistence;
};

} // namespace azid::cli
