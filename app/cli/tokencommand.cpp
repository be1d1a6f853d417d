// azid-cli token: an access token of a signed-in account (through the account model's account
// credential), of azure.identity's shared cache, or of one of its other credentials.
#include "commands.h"
#include "output.h"
#include "profile.h"
#include "servicecredential.h"
#include "storage.h"
#include "wait.h"

#include "azid/model/signin.h"

#include <QProcessEnvironment>

namespace azid::cli {
namespace {

// A token from one of azure.identity's other credentials: nothing of the profile is involved.
int serviceToken(const Arguments &a)
{
    if (!serviceCredentialKinds().contains(a.credential)) {
        printUsageError(
            QStringLiteral("Unknown credential kind \"%1\"; the kinds are: account, shared-token-cache, %2.")
                .arg(a.credential, serviceCredentialKinds().join(QStringLiteral(", "))),
            a.errorFormat);
        return ExitUsage;
    }
    const auto credential = makeServiceCredential(a, QProcessEnvironment::systemEnvironment());
    if (!credential.ok())
        return fail(credential.error(), a);
    TokenRequestOptions request;
    request.scopes = a.scopes;
    request.claims = a.claims;
    request.tenantId = a.tenant;
    request.enableCae = a.enableCae;
    const TokenResult result = wait(credential.value()->getTokenInfo(request));
    if (!result.ok())
        return fail(result.error(), a);
    printResult(formatToken(result.value(), a.output));
    return ExitSuccess;
}

// What to run when the account needs the person again.
QString signInAgainHint(const StoredAccount &account)
{
    const QString method = account.metadata.signInMethod;
    const QStringList flows{QStringLiteral("browser"), QStringLiteral("device-code"),
                            QStringLiteral("password")};
    return QStringLiteral(" Run: azid-cli login --flow %1 --login-hint %2")
        .arg(flows.contains(method) ? method : QStringLiteral("browser"), account.record.username);
}

// After the request: what a refresh brought is saved, and reaches azure.identity's shared cache too
// when the account is shared (as the tray app does).
void keepRefreshed(Profile &profile, const StoredAccount &account, bool refreshed, const VoidResult &saved)
{
    if (!saved.ok())
        printNote(QStringLiteral("azid-cli: warning: the refreshed token could not be saved: ") +
                  saved.error().message);
    if (!refreshed || !account.metadata.shareWithAzureTools)
        return;
    if (const VoidResult shared = shareWithAzureTools(profile, account.record, true); !shared.ok())
        printNote(QStringLiteral("azid-cli: warning: the shared token cache could not be updated: ") +
                  shared.error().message);
}

} // namespace

TokenResult accountToken(const Arguments &a, Profile &profile)
{
    const auto account = profile.select(a.account);
    if (!account.ok())
        return account.error();
    // A request reads and writes only the cache of its kind (with or without CAE).
    const auto caches = a.enableCae ? ProfileStorage::Caches::WithCae : ProfileStorage::Caches::WithoutCae;
    if (const VoidResult loaded = profile.loadCaches(caches); !loaded.ok())
        return loaded.error();

    model::SignInContext context{HttpOptions{}, profile.cache(), profile.caeCache(), nullptr};
    context.http.caBundleFile = a.caBundle;
    InteractiveBrowserCredentialOptions options = model::accountCredentialOptions(account.value(), context);
    options.disableInstanceDiscovery = options.disableInstanceDiscovery || a.disableInstanceDiscovery;
    InteractiveBrowserCredential credential(options);

    TokenRequestOptions request;
    request.scopes = a.scopes;
    request.claims = model::claimsFromChallenge(a.claims);
    request.tenantId = a.tenant;
    request.enableCae = a.enableCae;
    const TokenResult result = wait(credential.getTokenInfo(request));
    const bool refreshed = profile.hasUnsavedChanges();
    const VoidResult saved = profile.saveCaches();
    if (!result.ok()) {
        AuthError error = result.error();
        if (error.kind == ErrorKind::AuthenticationRequired)
            error.message += signInAgainHint(account.value());
        return error;
    }
    keepRefreshed(profile, account.value(), refreshed, saved);
    return result.value();
}

int token(const Arguments &a, Profile &profile)
{
    if (a.credential == QStringLiteral("shared-token-cache"))
        return sharedTokenCacheToken(a);
    if (!a.credential.isEmpty() && a.credential != QStringLiteral("account"))
        return serviceToken(a);
    const TokenResult result = accountToken(a, profile);
    if (!result.ok())
        return fail(result.error(), a);
    printResult(formatToken(result.value(), a.output));
    return ExitSuccess;
}

} // namespace azid::cli
