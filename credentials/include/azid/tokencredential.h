#pragma once

#include "azid/accesstoken.h"
#include "azid/result.h"

#include <QFuture>

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
};

} // namespace azid
