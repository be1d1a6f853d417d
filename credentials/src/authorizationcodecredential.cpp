#include "azid/authorizationcodecredential.h"

#include "confidentialapp.h"
#include "futures.h"
#include "interactiverequest.h"
#include "oauth.h"

namespace azid {

using Outcome = Result<detail::TokenOutcome>;

struct AuthorizationCodeCredential::Private
{
    std::unique_ptr<detail::ConfidentialApp> app;
    Secret code;
    QString redirectUri;
    bool redeemed = false;
    QString homeAccountId;
    // The redemption in flight: callers that arrive meanwhile wait for it instead of sending the code again.
    std::shared_ptr<detail::Broadcast<Outcome>> redemption;
};

namespace {
TokenResult toTokenResult(const Outcome &outcome)
{
    return outcome.ok() ? TokenResult(outcome.value().token) : TokenResult(outcome.error());
}
} // namespace

AuthorizationCodeCredential::AuthorizationCodeCredential(const QString &tenantId, const QString &clientId,
                                                         const Secret &authorizationCode,
                                                         const QString &redirectUri,
                                                         const AuthorizationCodeCredentialOptions &options,
                                                         QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->code = authorizationCode;
    d->redirectUri = redirectUri;
    d->app = std::make_unique<detail::ConfidentialApp>(
        tenantId, clientId, options,
        options.clientSecret.isEmpty() ? detail::ClientCredentialFields()
                                       : detail::ConfidentialApp::secretCredential(options.clientSecret),
        this, options.caeCache);
    if (authorizationCode.isEmpty())
        d->app->setConfigurationError(
            AuthError::unavailable(QStringLiteral("An authorization code is required.")));
    if (redirectUri.isEmpty())
        d->app->setConfigurationError(AuthError::unavailable(
            QStringLiteral("The redirect URI the authorization code was requested with is required.")));
}

AuthorizationCodeCredential::~AuthorizationCodeCredential() = default;

TokenCache &AuthorizationCodeCredential::tokenCache() const
{
    return d->app->client().cache(false);
}

std::optional<AuthError> AuthorizationCodeCredential::configurationError() const
{
    return d->app->configurationError();
}

QFuture<TokenResult> AuthorizationCodeCredential::getTokenInfo(const TokenRequestOptions &options)
{
    if (d->app->configurationError())
        return detail::ready(TokenResult(*d->app->configurationError()));
    const QString scopeProblem = detail::validateScopes(options.scopes);
    if (!scopeProblem.isEmpty())
        return detail::ready(TokenResult(AuthError::authentication(scopeProblem)));
    const Result<QString> tenant = d->app->validate(options);
    if (!tenant)
        return detail::ready(TokenResult(tenant.error()));
    detail::InteractiveRequest request;
    request.tenant = tenant.value();
    request.scopes = options.scopes;
    request.cae = options.enableCae;
    request.claims = options.enableCae
                         ? detail::mergeClaimsWithCapabilities(options.claims, {QStringLiteral("CP1")})
                         : options.claims;

    auto silent = [this](const detail::InteractiveRequest &req) {
        return d->app->client()
            .acquireSilent(req.tenant, d->homeAccountId, d->app->client().environment(), req.scopes,
                           req.claims, req.cae)
            .then(QtFuture::Launch::Sync, [](const Outcome &outcome) {
                if (outcome.ok() || outcome.error().kind != ErrorKind::AuthenticationRequired)
                    return toTokenResult(outcome);
                // azure.identity: the code is spent and no token or refresh token can stand in for it.
                AuthError error = outcome.error();
                error.kind = ErrorKind::ClientAuthentication;
                error.message =
                    QStringLiteral(
                        "No authorization code, cached access token, or refresh token available (%1). "
                        "Get a new authorization code.")
                        .arg(error.message);
                return TokenResult(error);
            });
    };

    if (d->redeemed)
        return silent(request);
    if (d->redemption) {
        return d->redemption->subscribe()
            .then(QtFuture::Launch::Sync,
                  detail::guarded(this,
                                  [request, silent](const Outcome &redeemed) {
                                      if (!redeemed.ok())
                                          return detail::ready(TokenResult(redeemed.error()));
                                      return silent(request);
                                  }))
            .unwrap();
    }

    detail::TokenGrant grant = detail::userGrant(request, QStringLiteral("authorization_code"));
    grant.form = {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                  {QStringLiteral("code"), d->code.revealString()},
                  {QStringLiteral("redirect_uri"), d->redirectUri}};
    auto redemption = std::make_shared<detail::Broadcast<Outcome>>();
    d->redemption = redemption;
    d->app->client().requestToken(grant).then(
        QtFuture::Launch::Sync, detail::guarded(this, [this, redemption](const Outcome &outcome) {
            d->redemption.reset();
            if (outcome.ok()) {
                // Codes are single use: once redeemed it is never sent again. A failed redemption may be
                // retried.
                d->redeemed = true;
                d->code.clear();
                d->homeAccountId = outcome.value().homeAccountId;
            }
            redemption->publish(outcome);
        }));
    return redemption->subscribe().then(QtFuture::Launch::Sync, toTokenResult);
}

} // namespace azid
