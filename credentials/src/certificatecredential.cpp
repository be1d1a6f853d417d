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
    : ConfidentialClientCredential(options, parent)
{
    const auto certificate = loadCertificate(certificatePath, options);
    auto app = std::make_unique<detail::ConfidentialApp>(
        tenantId, clientId, options,
        certificate.ok() ? detail::ConfidentialApp::certificateCredential(certificate.value(), clientId,
                                                                          options.sendCertificateChain)
                         : detail::ClientCredentialFields(),
        this);
    if (!certificate.ok())
        app->setConfigurationError(certificate.error());
    setApp(std::move(app));
}

} // namespace azid
