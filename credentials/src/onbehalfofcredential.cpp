#include "azid/onbehalfofcredential.h"

#include "clientcertificate.h"
#include "confidentialapp.h"

#include <QCryptographicHash>

namespace azid {

namespace {
// The one way the middle-tier app authenticates, or why there is none.
Result<detail::ClientCredentialFields> clientCredential(const QString &clientId,
                                                        const OnBehalfOfCredentialOptions &options)
{
    const int given = int(!options.clientSecret.isEmpty()) + int(!options.clientCertificate.isEmpty()) +
                      int(static_cast<bool>(options.clientAssertionFunc));
    if (given == 0) {
        return AuthError::unavailable(QStringLiteral("OnBehalfOfCredential needs a client secret, a client "
                                                     "certificate or a client assertion callback."));
    }
    if (given > 1) {
        return AuthError::unavailable(
            QStringLiteral("OnBehalfOfCredential takes only one of a client secret, a "
                           "client certificate and a client assertion callback."));
    }
    if (!options.clientSecret.isEmpty())
        return detail::ConfidentialApp::secretCredential(options.clientSecret);
    if (options.clientAssertionFunc)
        return detail::ConfidentialApp::assertionCredential(options.clientAssertionFunc);
    const auto certificate = detail::ClientCertificate::load(options.clientCertificate, options.password);
    if (!certificate.ok()) {
        AuthError error = certificate.error();
        error.message =
            QStringLiteral("\"client_certificate\" is not a valid certificate in PEM or PKCS12 format: ") +
            error.message;
        return error;
    }
    return detail::ConfidentialApp::certificateCredential(certificate.value(), clientId,
                                                          options.sendCertificateChain);
}
} // namespace

OnBehalfOfCredential::OnBehalfOfCredential(const QString &tenantId, const QString &clientId,
                                           const Secret &userAssertion,
                                           const OnBehalfOfCredentialOptions &options, QObject *parent)
    : ConfidentialClientCredential(options, parent), m_userAssertion(userAssertion),
      m_assertionKey(
          QStringLiteral("obo.") +
          QString::fromLatin1(
              QCryptographicHash::hash(userAssertion.reveal(), QCryptographicHash::Sha256).toHex()))
{
    const auto credential = clientCredential(clientId, options);
    auto app = std::make_unique<detail::ConfidentialApp>(
        tenantId, clientId, options, credential.ok() ? credential.value() : detail::ClientCredentialFields(),
        this);
    if (!credential.ok())
        app->setConfigurationError(credential.error());
    if (userAssertion.isEmpty())
        app->setConfigurationError(AuthError::unavailable(QStringLiteral(
            "OnBehalfOfCredential needs the user assertion: the access token the user sent.")));
    setApp(std::move(app));
}

AppTokenCacheKey OnBehalfOfCredential::cacheKey(const QString &tenant) const
{
    AppTokenCacheKey key = app().cacheKey(tenant);
    key.homeAccountId = m_assertionKey;
    return key;
}

QFuture<TokenResult> OnBehalfOfCredential::requestToken(const detail::AppTokenRequest &request)
{
    return app().requestToken(
        request,
        {{QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:jwt-bearer")},
         {QStringLiteral("assertion"), m_userAssertion.revealString()},
         {QStringLiteral("requested_token_use"), QStringLiteral("on_behalf_of")}});
}

} // namespace azid
