#include "confidentialapp.h"

#include "futures.h"
#include "interactiverequest.h"

#include <exception>

namespace azid::detail {

namespace {
const QString AssertionType = QStringLiteral("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
}

ConfidentialApp::ConfidentialApp(const QString &tenantId, const QString &clientId,
                                 const ConfidentialClientOptions &options, ClientCredentialFields credential,
                                 QObject *owner, std::shared_ptr<TokenCache> caeCache)
    : m_tenantId(tenantId), m_clientId(clientId),
      m_additionallyAllowedTenants(options.additionallyAllowedTenants)
{
    if (tenantId.isEmpty())
        setConfigurationError(AuthError::unavailable(QStringLiteral("A tenant id is required.")));
    if (clientId.isEmpty())
        setConfigurationError(AuthError::unavailable(QStringLiteral("A client id is required.")));
    ClientConfiguration config;
    config.authority = options.authority;
    config.tenantId = tenantId;
    config.clientId = clientId;
    config.disableInstanceDiscovery = options.disableInstanceDiscovery;
    config.instanceDiscoveryEndpoint = options.instanceDiscoveryEndpoint;
    config.http = options.http;
    config.cache = options.cache;
    config.caeCache = std::move(caeCache);
    config.clock = options.clock;
    config.clientCredential = std::move(credential);
    const Result<QString> region = resolveRegion(options.regionalAuthority.isEmpty()
                                                     ? qEnvironmentVariable("AZURE_REGIONAL_AUTHORITY_NAME")
                                                     : options.regionalAuthority,
                                                 qEnvironmentVariable("REGION_NAME"));
    if (region)
        config.region = region.value();
    else
        setConfigurationError(region.error());
    m_client = new PublicClient(std::move(config), owner);
    if (m_client->configurationError())
        setConfigurationError(*m_client->configurationError());
}

void ConfidentialApp::setConfigurationError(const AuthError &error)
{
    if (!m_configurationError)
        m_configurationError = error.asConfigurationError();
}

Result<QString> ConfidentialApp::validate(const TokenRequestOptions &options) const
{
    if (options.scopes.isEmpty())
        return AuthError::authentication(QStringLiteral(
            "At least one scope is required, for example https://management.azure.com/.default."));
    const TenantChoice choice = resolveTenant(m_tenantId, options.tenantId, m_additionallyAllowedTenants);
    if (!choice.error.isEmpty())
        return AuthError::authentication(choice.error);
    return choice.tenant;
}

AppTokenCacheKey ConfidentialApp::cacheKey(const QString &tenant) const
{
    return {m_client->environment(), m_clientId, tenant, {}};
}

QFuture<TokenResult> ConfidentialApp::requestToken(const AppTokenRequest &request, FormFields grantFields)
{
    TokenGrant grant;
    grant.tenant = request.tenant;
    grant.scopes = request.scopes;
    grant.claims = request.claims;
    grant.cae = request.cae;
    grant.form = std::move(grantFields);
    grant.userToken = false;
    grant.cacheResult = false;
    // Only the client credentials grant has a regional service (MSAL's acquire_token_for_client).
    for (const auto &[name, value] : grant.form) {
        if (name == QStringLiteral("grant_type") && value == QStringLiteral("client_credentials"))
            grant.regional = true;
    }
    return m_client->requestToken(std::move(grant))
        .then(QtFuture::Launch::Sync, [](const Result<TokenOutcome> &outcome) {
            return outcome.ok() ? TokenResult(outcome.value().token) : TokenResult(outcome.error());
        });
}

ClientCredentialFields ConfidentialApp::secretCredential(const Secret &secret)
{
    return [secret](const QUrl &) -> Result<FormFields> {
        return FormFields{{QStringLiteral("client_secret"), secret.revealString()}};
    };
}

ClientCredentialFields
ConfidentialApp::certificateCredential(std::shared_ptr<const ClientCertificate> certificate,
                                       const QString &clientId, bool sendCertificateChain)
{
    return [certificate, clientId, sendCertificateChain](const QUrl &tokenEndpoint) -> Result<FormFields> {
        // The authority checks the assertion's time window with its own clock, so it is signed with
        // the wall clock even when the credential's cache runs on another one.
        const Result<Secret> assertion =
            certificate->createAssertion(clientId, tokenEndpoint.toString(QUrl::FullyEncoded),
                                         Clock::system().now(), sendCertificateChain);
        if (!assertion.ok())
            return assertion.error();
        return FormFields{{QStringLiteral("client_assertion"), assertion.value().revealString()},
                          {QStringLiteral("client_assertion_type"), AssertionType}};
    };
}

ClientCredentialFields ConfidentialApp::assertionCredential(ClientAssertionCallback callback)
{
    return [callback](const QUrl &) -> Result<FormFields> {
        Secret assertion;
        try {
            assertion = callback();
        } catch (const std::exception &error) {
            return AuthError::authentication(QStringLiteral("The client assertion callback failed: %1")
                                                 .arg(QString::fromLocal8Bit(error.what())));
        } catch (...) {
            return AuthError::authentication(QStringLiteral("The client assertion callback failed."));
        }
        if (assertion.isEmpty())
            return AuthError::authentication(
                QStringLiteral("The client assertion callback returned no assertion."));
        return FormFields{{QStringLiteral("client_assertion"), assertion.revealString()},
                          {QStringLiteral("client_assertion_type"), AssertionType}};
    };
}

} // namespace azid::detail
