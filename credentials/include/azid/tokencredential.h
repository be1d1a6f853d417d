#pragma once

#include "azid/accesstoken.h"
#include "azid/result.h"

#include <QFuture>

#include <memory>
#include <optional>
#include <utility>

namespace azid {

using TokenResult = Result<AccessTokenInfo>;

// The one interface every credential implements. Results arrive through a QFuture that finishes on the
// thread the credential lives on; continue it with .then(context, ...) to stay on your own thread.
class TokenCredential
{
public:
    virtual ~TokenCredential() = default;

    virtual QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) = 0;

    // get_token(*scopes, claims=, tenant_id=, enable_cae=)
    QFuture<Result<AccessToken>> getToken(const QStringList &scopes, const QString &claims = {},
                                          const QString &tenantId = {}, bool enableCae = false);

    // A short class name for messages and chains, e.g. "InteractiveBrowserCredential".
    virtual QString name() const = 0;

    // azure.identity's ValueError from the constructor: the configuration this credential was made
    // with can never work (AuthError::invalidConfiguration). Every request then fails with it at once,
    // as a ClientAuthentication error that a chain stops on. Empty: none found.
    virtual std::optional<AuthError> configurationError() const { return std::nullopt; }
};

// Makes a credential as azure.identity's constructors do: its configuration error, if it has one,
// instead of the credential, so that it cannot go unnoticed:
//
//   auto made = azid::createCredential<azid::ClientSecretCredential>(tenant, clientId, secret);
//   if (!made) { report(made.error()); return; }  // an empty secret, an http authority, ...
//   std::shared_ptr<azid::ClientSecretCredential> credential = made.value();
template <typename Credential, typename... Args>
Result<std::shared_ptr<Credential>> createCredential(Args &&...args)
{
    auto credential = std::make_shared<Credential>(std::forward<Args>(args)...);
    if (const std::optional<AuthError> error = credential->configurationError())
        return *error;
    return credential;
}

} // namespace azid
