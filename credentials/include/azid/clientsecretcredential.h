#pragma once

#include "azid/apptokencredential.h"
#include "azid/confidentialclientoptions.h"
#include "azid/secret.h"

#include <memory>

namespace azid {

namespace detail {
class ConfidentialApp;
}

struct ClientSecretCredentialOptions : ConfidentialClientOptions
{};

// A service principal that authenticates with one of its client secrets (client credentials grant).
class ClientSecretCredential final : public AppTokenCredential
{
    Q_OBJECT
public:
    ClientSecretCredential(const QString &tenantId, const QString &clientId, const Secret &clientSecret,
                           const ClientSecretCredentialOptions &options = {}, QObject *parent = nullptr);
    ~ClientSecretCredential() override;
    QString name() const override { return QStringLiteral("ClientSecretCredential"); }

protected:
    QFuture<TokenResult> requestToken(const detail::AppTokenRequest &request) override;
    AppTokenCacheKey cacheKey(const QString &tenant) const override;
    std::optional<AuthError> validate(const TokenRequestOptions &options, QString *tenant) const override;

private:
    std::unique_ptr<detail::ConfidentialApp> d;
};

} // namespace azid
