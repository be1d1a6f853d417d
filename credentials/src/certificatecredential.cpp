#include "azid/certificatecredential.h"

#include "clientcertificate.h"
#include "confidentialapp.h"

namespace azid {

namespace {
// Exactly one source, loaded; a load failure or a missing source becomes the configuration error.
Result<std::shared_ptr<const detail::ClientCertificate>>
loadCertificate(const QString &path, const CertificateCredentialOptions &options)
{
    if (path.isEmpty() == options.certificateData.isEmpty()) {
        return AuthError::unavailable(
            QStringLiteral(
                "CertificateCredential needs either a certificate path or certificate data, not %1.")
                .arg(path.isEmpty() ? QStringLiteral("neither") : QStringLiteral("both")));
    }
    return path.isEmpty() ? detail::ClientCertificate::load(options.certificateData, options.password)
                          : detail::ClientCertificate::loadFile(path, options.password);
}
} // namespace

CertificateCredential::CertificateCredential(const QString &tenantId, const QString &clientId,
                                             const QString &certificatePath,
                                             const CertificateCredentialOptions &options, QObject *parent)
    : AppTokenCredential(options.cache, options.clock, parent)
{
    const auto certificate = loadCertificate(certificatePath, options);
    d = std::make_unique<detail::ConfidentialApp>(
        tenantId, clientId, options,
        certificate.ok() ? detail::ConfidentialApp::certificateCredential(certificate.value(), clientId,
                                                                          options.sendCertificateChain)
                         : detail::ClientCredentialFields(),
        this);
    if (!certificate.ok())
        d->setConfigurationError(certificate.error());
    if (d->configurationError())
        setConfigurationError(*d->configurationError());
}

CertificateCredential::~CertificateCredential() = default;

std::optional<AuthError> CertificateCredential::validate(const TokenRequestOptions &options,
                                                         QString *tenant) const
{
    return d->validate(options, tenant);
}

AppTokenCacheKey CertificateCredential::cacheKey(const QString &tenant) const
{
    return d->cacheKey(tenant);
}

QFuture<TokenResult> CertificateCredential::requestToken(const detail::AppTokenRequest &request)
{
    return d->requestToken(request, {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}});
}

} // namespace azid
