#include "profile.h"

#include "wait.h"

#include "azid/keychain/storagefailure.h"
#include "azid/model/accountselection.h"

namespace azid::cli {

Profile::Profile(const QString &name, const ProfileStorage::Options &options)
    : m_name(name), m_storage(name, options)
{}

VoidResult Profile::loadCaches(ProfileStorage::Caches which)
{
    return wait(m_storage.loadCaches(which));
}

VoidResult Profile::saveCaches()
{
    return wait(m_storage.saveCaches());
}

Result<QStringList> Profile::restorableCaches()
{
    return wait(m_storage.restorableCaches());
}

VoidResult Profile::restoreCache(const QString &path)
{
    return wait(m_storage.restoreCache(path));
}

VoidResult Profile::removeAccount(const AuthenticationRecord &record)
{
    return wait(m_storage.removeAccount(record));
}

Result<QList<StoredAccount>> Profile::listAccounts()
{
    return wait(m_storage.accounts().list());
}

Result<StoredAccount> Profile::select(const QString &selector)
{
    // A few keychain reads whatever the number of accounts; the whole list only when they do not decide.
    if (!m_storage.options().memoryOnly) {
        const auto found = wait(m_storage.accounts().find(selector));
        if (!found.ok())
            return found.error();
        if (found.value())
            return *found.value();
    }
    const Result<QList<StoredAccount>> listed = listAccounts();
    if (!listed.ok())
        return listed.error();
    const QList<StoredAccount> &all = listed.value();
    if (all.isEmpty() && m_storage.options().memoryOnly) {
        return storageError(
            StorageFailure::NotPersisted,
            QStringLiteral("No account is signed in: in memory-only mode nothing is stored, so no "
                           "earlier sign-in is known. Use --credential, or leave out "
                           "--memory-only (AZID_MEMORY_ONLY)."));
    }
    return model::selectAccount(all, selector, m_name);
}

} // namespace azid::cli
