#pragma once

#include "azid/apptokencredential.h"
#include "azid/confidentialclientoptions.h"
#include "azid/secret.h"

#include <functional>
#include <memory>

namespace azid {

// Returns a client assertion (a JWT the application's identity provider issued); called for every
// new token, never for cached ones. Runs on the credential's thread; an empty result (or an
// exception) fails the request.
using ClientAssertionCallback = std::function<Secret()>;

struct ClientAssertionCredentialOptions : ConfidentialClientOptions
{};

// A service principal that authenticates with an assertion from a callback (federated credentials).
class ClientAssertionCredential final : public ConfidentialClientCredential
{
    Q_OBJECT
public:
    ClientAssertionCredential(const QString &tenantId, const QString &clientId, ClientAssertionCallback func,
                              const ClientAssertionCredentialOptions &options = {},
                              QObject *parent = nullptr);
    QString name() const override { return QStringLiteral("ClientAssertionCredential"); }
};

} // namespace azid
