// azid-cli token: an access token of a signed-in account (through the account model's account
// credential), of azure.identity's shared cache, or of one of its other credentials.
#include "agentclient.h"
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
QString signInAgainHint(const QString &signInMethod, const QString &username)
{
    const QStringList flows{QStringLiteral("browser"), QStringLiteral("device-code"),
                            QStringLiteral("password")};
    return QStringLiteral(" Run: azid-cli login --flow %1 --login-hint %2")
        .arg(flows.contains(signInMethod) ? signInMethod : QStringLiteral("browser"), username);
}

TokenRequestOptions tokenRequest(const Arguments &a)
{
    TokenRequestOptions request;
    request.scopes = a.scopes;
    request.claims = model::claimsFromChallenge(a.claims);
    request.tenantId = a.tenant;
    request.enableCae = a.enableCae;
    return request;
}

// The running agent's answer (azid-cli agent, or the tray app), which stands on the same account model
// and storage: the same token or error as the direct path gives, without opening the keychain here.
// Nothing when no agent answers, and for options that change where things are stored or how an account
// reaches its authority (--memory-only, --ca-bundle, --disable-instance-discovery), which are the
// agent's own settings.
std::optional<TokenResult> agentToken(const Arguments &a)
{
    if (a.memoryOnly || !a.caBundle.isEmpty() || a.disableInstanceDiscovery)
        return std::nullopt;
    model::agent::Request request;
    request.token.account = a.account;
    request.token.options = tokenRequest(a);
    const std::optional<model::agent::Answer> answer = askAgent(a.profile, request);
    if (!answer)
        return std::nullopt;
    if (answer->type == model::agent::Answer::Type::Token && answer->token)
        return TokenResult(*answer->token);
    if (answer->type != model::agent::Answer::Type::Error)
        return std::nullopt;
    AuthError error = answer->error;
    if (error.kind == ErrorKind::AuthenticationRequired && !answer->account.username.isEmpty())
        error.message += signInAgainHint(answer->account.signInMethod, answer->account.username);
    return TokenResult(error);
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
    if (std::optional<TokenResult> answered = agentToken(a))
        return *answered;
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

    const TokenResult result = wait(credential.getTokenInfo(tokenRequest(a)));
    const bool refreshed = profile.hasUnsavedChanges();
    const VoidResult saved = profile.saveCaches();
    if (!result.ok()) {
        AuthError error = result.error();
        if (error.kind == ErrorKind::AuthenticationRequired)
            error.message +=
                signInAgainHint(account.value().metadata.signInMethod, account.value().record.username);
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
