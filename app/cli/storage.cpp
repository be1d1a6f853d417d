#include "storage.h"

#include "output.h"
#include "profile.h"
#include "wait.h"

#include "azid/keychain/keychainavailability.h"
#include "azid/keychain/sharedtokencache.h"
#include "azid/model/sharedcache.h"
#include "azid/model/signin.h"
#include "azid/sharedtokencachecredential.h"
#include "azid/tokencache.h"

#include <QEventLoop>
#include <QTimer>

namespace azid::cli {

ProfileStorage::Options storageOptions(const Arguments &a)
{
    ProfileStorage::Options options;
    options.memoryOnly = a.memoryOnly;
    options.cache.allowUnencryptedStorage = a.allowUnencryptedStorage;
    return options;
}

std::optional<AuthError> waitForKeychain(const Arguments &a)
{
    KeychainAvailability watcher(
        KeychainAvailability::defaultProbe(a.profile == QStringLiteral("default") ? QString() : a.profile));
    watcher.setBackoff({std::chrono::milliseconds(250), std::chrono::milliseconds(5000), 2.0});
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    bool told = false;
    QObject::connect(&watcher, &KeychainAvailability::available, &loop, &QEventLoop::quit);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(
        &watcher, &KeychainAvailability::unavailable, &loop, [&told, &a](const AuthError &error) {
            if (told)
                return;
            told = true;
            printNote(
                QStringLiteral("azid-cli: the keychain cannot be used yet (%1); waiting up to %2 s for it.")
                    .arg(storageFailureName(storageFailure(error)))
                    .arg(a.waitForKeychainSeconds));
        });
    deadline.start(std::chrono::seconds(a.waitForKeychainSeconds));
    watcher.start();
    if (!watcher.isAvailable())
        loop.exec();
    watcher.stop();
    if (watcher.isAvailable()) {
        if (told)
            printNote(QStringLiteral("azid-cli: the keychain is available now."));
        return std::nullopt;
    }
    AuthError error = watcher.lastError();
    if (error.message.isEmpty())
        error = storageError(StorageFailure::KeychainTimeout, QStringLiteral("The keychain did not answer."));
    error.message +=
        QStringLiteral(" (waited %1 s for the keychain: --wait-for-keychain)").arg(a.waitForKeychainSeconds);
    return error;
}

namespace {

void printWarnings(const QStringList &warnings)
{
    for (const QString &warning : warnings)
        printNote(QStringLiteral("azid-cli: warning: ") + warning);
}

} // namespace

VoidResult shareWithAzureTools(Profile &profile, const AuthenticationRecord &record, bool share)
{
    QObject context;
    const model::SharedCacheUpdate update =
        wait(model::updateSharedCache(profile.storage(), record, share, &context));
    printWarnings(update.warnings);
    return update.result;
}

int sharedTokenCacheToken(const Arguments &a)
{
    // As azure.identity's SharedTokenCacheCredential: the shared cache is taken as it is, also the
    // plaintext file another tool kept when it was allowed to (the user opted in there).
    TokenCachePersistenceOptions options; // "msal.cache": the cache Microsoft developer tools share
    options.allowUnencryptedStorage = a.allowUnencryptedStorage;
    SharedTokenCache shared(options, SharedTokenCache::Access::Read);
    SharedTokenCacheCredentialOptions o;
    o.authority = a.authority;
    o.tenantId = a.tenant;
    o.disableInstanceDiscovery = a.disableInstanceDiscovery;
    o.http.caBundleFile = a.caBundle;
    o.cache = shared.cache();
    o.caeCache = shared.caeCache();
    o.reloadCache = [&shared] { return shared.load(); };
    SharedTokenCacheCredential credential(a.account, o);

    TokenRequestOptions request;
    request.scopes = a.scopes;
    request.claims = model::claimsFromChallenge(a.claims);
    request.enableCae = a.enableCae;
    const TokenResult result = wait(credential.getTokenInfo(request));
    if (!result.ok()) {
        printError(result.error(), a.errorFormat);
        return exitCodeFor(result.error());
    }
    // A refreshed token goes back to the shared cache for everyone (nothing is written otherwise).
    if (const VoidResult saved = wait(shared.save()); !saved)
        printNote(QStringLiteral(
                      "azid-cli: warning: the refreshed token could not be saved to the shared cache: ") +
                  saved.error().message);
    printWarnings(shared.storageWarnings());
    printResult(formatToken(result.value(), a.output));
    return ExitSuccess;
}

} // namespace azid::cli
