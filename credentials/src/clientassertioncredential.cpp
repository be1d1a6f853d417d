#include "azid/clientassertioncredential.h"

#include "confidentialapp.h"

namespace azid {

ClientAssertionCredential::ClientAssertionCredential(const QString &tenantId, const QString &clientId,
                                                     ClientAssertionCallback func,
                                                     const ClientAssertionCredentialOptions &options,
                                                     QObject *parent)
    : ConfidentialClientCredential(options, parent)
{
    const bool hasCallback = static_cast<bool>(func);
    auto app = std::make_unique<detail::ConfidentialApp>(
        tenantId, clientId, options, detail::ConfidentialApp::assertionCredential(std::move(func)), this);
    if (!hasCallback)
        app->setConfigurationError(
            AuthError::unavailable(QStringLiteral("A callback that returns client assertions is required.")));
    setApp(std::move(app));
}

} // namespace azid
