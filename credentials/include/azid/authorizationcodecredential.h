#pragma once

#include "azid/confidentialclientoptions.h"
#include "azid/secret.h"
#include "azid/tokencredential.h"

#include <QObject>

#include <memory>

namespace azid {

struct AuthorizationCodeCredentialOptions : ConfidentialClientOptions
{
    Secret clientSecret;                  // web apps and web APIs; empty for public clients
    std::shared_ptr<TokenCache> caeCache; // tokens requested with enable_cae; empty: in memory
};

// Redeems an authorization code the application received at its redirect URI, once, then keeps the
// user's tokens fresh with the refresh token that came with it. The code is sent again only when its
// redemption failed.
class AuthorizationCodeCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    AuthorizationCodeCredential(const QString &tenantId, const QString &clientId,
                                const Secret &authorizationCode, const QString &redirectUri,
                                const AuthorizationCodeCredentialOptions &options = {},
                                QObject *parent = nullptr);
    ~AuthorizationCodeCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    std::optional<AuthError> configurationError() const override;
    QString name() const override { return QStringLiteral("AuthorizationCodeCredential"); }
    TokenCache &tokenCache() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace azid
