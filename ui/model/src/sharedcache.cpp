#include "azid/model/sharedcache.h"

#include "azid/keychain/sharedtokencache.h"
#include "azid/keychain/storagefailure.h"
#include "azid/model/whenready.h"
#include "azid/tokencache.h"

#include <QCoreApplication>
#include <QPromise>

#include <memory>

namespace azid::model {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("azid::model::SharedCache", text);
}

void removeAccountFrom(SharedTokenCache &shared, const AuthenticationRecord &record)
{
    // As ProfileStorage::removeAccount: under the issuer's host[:port] and under the host alone.
    QStringList environments{record.authority};
    const QString host = cacheEnvironment(record.authority);
    if (host.compare(record.authority, Qt::CaseInsensitive) != 0)
        environments << host;
    for (const auto &cache : {shared.cache(), shared.caeCache()}) {
        for (const QString &environment : std::as_const(environments))
            cache->removeAccount(record.homeAccountId, environment, record.clientId);
    }
}

QString nextStepText(const AuthError &error, const QString &retry)
{
    switch (storageFailure(error)) {
    case StorageFailure::KeychainUnavailable:
    case StorageFailure::EncryptionUnavailable:
        return tr("The shared cache lives in the system keychain (Secret Service), and none is "
                  "reachable: start your keyring (e.g. GNOME Keyring or KWallet), then %1.")
            .arg(retry);
    case StorageFailure::KeychainLocked:
        return tr("Unlock the keychain, then %1.").arg(retry);
    case StorageFailure::KeychainAccessDenied:
        return tr("Allow Azid when the keychain asks, then %1.").arg(retry);
    case StorageFailure::KeychainTimeout:
        return tr("The keychain did not answer, perhaps because a prompt is waiting: answer it, then %1.")
            .arg(retry);
    case StorageFailure::CacheLocked:
        return tr("Another program was writing the shared cache: wait a moment, then %1.").arg(retry);
    default:
        return tr("To try again, %1.").arg(retry);
    }
}

} // namespace

QString cacheEnvironment(const QString &authority)
{
    const qsizetype colon = authority.lastIndexOf(QLatin1Char(':'));
    return (colon > 0 && !authority.contains(QLatin1Char(']')) ? authority.left(colon) : authority).toLower();
}

QFuture<SharedCacheUpdate> updateSharedCache(ProfileStorage &profile, const AuthenticationRecord &record,
                                             bool share, QObject *context, const QString &directory)
{
    TokenCachePersistenceOptions options; // "msal.cache": where the Microsoft tools look
    options.allowUnencryptedStorage = profile.options().cache.allowUnencryptedStorage;
    auto shared = std::make_shared<SharedTokenCache>(options, SharedTokenCache::Access::ReadWrite, directory);
    auto promise = std::make_shared<QPromise<SharedCacheUpdate>>();
    promise->start();
    const auto finish = [promise, shared](const VoidResult &result) {
        promise->addResult(SharedCacheUpdate{result, shared->storageWarnings()});
        promise->finish();
    };
    const std::shared_ptr<TokenCache> cache = profile.cache();
    const std::shared_ptr<TokenCache> caeCache = profile.caeCache();
    whenReady(shared->load(), context, [=](const VoidResult &loaded) {
        if (!loaded.ok()) {
            finish(loaded);
            return;
        }
        if (share) {
            SharedTokenCache::copyAccount(*cache, *shared->cache(), record.homeAccountId);
            SharedTokenCache::copyAccount(*caeCache, *shared->caeCache(), record.homeAccountId);
        } else {
            removeAccountFrom(*shared, record);
        }
        whenReady(shared->save(), context, finish);
    });
    return promise->future();
}

QString sharedCacheFailureText(const AuthError &error, bool share, const QString &username)
{
    const QString retry = share ? tr("turn \"Share with Azure tools\" off and on again")
                                : tr("turn \"Share with Azure tools\" on and off again");
    const QString what = share ? tr("%1 could not be shared with the Azure tools (azure.identity's shared "
                                    "token cache): %2")
                               : tr("%1 could not be removed from azure.identity's shared token cache: %2");
    return what.arg(username, error.message) + QLatin1Char(' ') + nextStepText(error, retry);
}

} // namespace azid::model
