#include "azid/clientsecretcredential.h"

#include "confidentialapp.h"

namespace azid {

ClientSecretCredential::ClientSecretCredential(const QString &tenantId, const QString &clientId,
                                               const Secret &clientSecret,
                                               const ClientSecretCredentialOptions &options, QObject *parent)
    : ConfidentialClientCredential(options, parent)
{
    auto app = std::make_unique<detail::ConfidentialApp>(
        tenantId, clientId, options, detail::ConfidentialApp::secretCredential(clientSecret), this);
    if (clientSecret.isEmpty())
        app->setConfigurationError(AuthError::unavailable(QStringLiteral("A client secret is required.")));
    setApp(std::move(app));
}

} // namespace azid
