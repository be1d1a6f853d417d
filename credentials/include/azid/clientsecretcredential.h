#pragma once

#include "azid/apptokencredential.h"
#include "azid/confidentialclientoptions.h"
#include "azid/secret.h"

#include <memory>

namespace azid {

struct ClientSecretCredentialOptions : ConfidentialClientOptions
{};

// A service principal that authenticates with one of its client secrets (client credentials grant).
class ClientSecretCredential final : public ConfidentialClientCredential
{
    Q_OBJECT
public:
    ClientSecretCredential(const QString &tenantId, const QString &clientId, const Secret &clientSecret,
                           const ClientSecretCredentialOptions &options = {}, QObject *parent = nullptr);
    QString name() const override { return QStringLiteral("ClientSecretCredential"); }
};

} // namespace azid
