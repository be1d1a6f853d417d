#include "azid/model/signin.h"

#include "azid/authorityhosts.h"
#include "azid/devicecodecredential.h"
#include "azid/interactivebrowsercredential.h"
#include "azid/model/cloud.h"
#include "azid/usernamepasswordcredential.h"

namespace azid::model {

namespace {

template <typename Options> Options optionsFor(const SignInRequest &request, const SignInContext &context)
{
    Options o;
    o.authority = request.authority;
    o.tenantId = request.tenant;
    o.clientId = request.clientId;
    o.disableInstanceDiscovery = request.disableInstanceDiscovery;
    o.http = context.http;
    o.cache = context.cache;
    o.caeCache = context.caeCache;
    o.clock = context.clock;
    return o;
}

} // namespace

std::unique_ptr<InteractiveCredential> createSignInCredential(const SignInRequest &request,
                                                              const SignInContext &context,
                                                              const SignInPrompts &prompts, QObject *parent)
{
    switch (request.method) {
    case SignInMethod::SystemBrowser:
    case SignInMethod::EmbeddedBrowser: {
        auto o = optionsFor<InteractiveBrowserCredentialOptions>(request, context);
        o.loginHint = request.loginHint;
        o.redirectUri = request.redirectUri;
        if (request.timeout)
            o.timeout = *request.timeout;
        o.openBrowser = prompts.openBrowser;
        return std::make_unique<InteractiveBrowserCredential>(o, parent);
    }
    case SignInMethod::DeviceCode: {
        auto o = optionsFor<DeviceCodeCredentialOptions>(request, context);
        if (request.timeout)
            o.timeout = *request.timeout;
        o.promptCallback = [show = prompts.showDeviceCode](const QString &uri, const QString &code,
                                                           const QDateTime &expiresOn) {
            if (show)
                show(DeviceCodeInfo{uri, code, expiresOn});
        };
        return std::make_unique<DeviceCodeCredential>(o, parent);
    }
    case SignInMethod::UsernamePassword: {
        auto o = optionsFor<UsernamePasswordCredentialOptions>(request, context);
        o.username = request.username;
        o.password = request.password;
        return std::make_unique<UsernamePasswordCredential>(o, parent);
    }
    }
    return nullptr;
}

QFuture<Result<AuthenticationRecord>> authenticateSignIn(InteractiveCredential &credential,
                                                         const SignInRequest &request)
{
    if (!request.scopes.isEmpty())
        return credential.authenticate(request.scopes, request.claims);
    if (request.signInOnly)
        return credential.authenticateIdentity(request.claims);
    return credential.authenticate({resourceManagerScope(cloudOfAuthority(request.authority))},
                                   request.claims);
}

AccountMetadata metadataAfterSignIn(const SignInRequest &request, const QString &homeAccountId,
                                    const QList<StoredAccount> &existing, qint64 now, const QString &caBundle)
{
    AccountMetadata metadata;
    metadata.signInMethod = signInMethodKey(request.method);
    metadata.authorityUrl =
        request.authority.isEmpty() ? AzureAuthorityHosts::AzurePublicCloud : request.authority;
    metadata.lastSignIn = now;
    metadata.caBundle = caBundle;
    metadata.disableInstanceDiscovery = request.disableInstanceDiscovery;
    metadata.shareWithAzureTools = request.shareWithAzureTools;
    bool otherDefault = false;
    bool wasDefault = false;
    for (const StoredAccount &stored : existing) {
        if (stored.record.homeAccountId == homeAccountId)
            wasDefault = stored.metadata.isDefault;
        else if (stored.metadata.isDefault)
            otherDefault = true;
    }
    metadata.isDefault = request.makeDefault || wasDefault || !otherDefault;
    return metadata;
}

InteractiveBrowserCredentialOptions accountCredentialOptions(const StoredAccount &account,
                                                             const SignInContext &context)
{
    InteractiveBrowserCredentialOptions options;
    options.authenticationRecord = account.record;
    options.disableAutomaticAuthentication = true;
    options.additionallyAllowedTenants = {QStringLiteral("*")};
    options.disableInstanceDiscovery = account.metadata.disableInstanceDiscovery;
    options.http = context.http;
    if (options.http.caBundleFile.isEmpty())
        options.http.caBundleFile = account.metadata.caBundle;
    options.cache = context.cache;
    options.caeCache = context.caeCache;
    options.clock = context.clock;
    return options;
}

QString claimsFromChallenge(const QString &challenge)
{
    if (challenge.isEmpty() || challenge.trimmed().startsWith(QLatin1Char('{')))
        return challenge;
    return QString::fromUtf8(QByteArray::fromBase64(challenge.toLatin1()));
}

} // namespace azid::model
