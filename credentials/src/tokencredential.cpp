#include "azid/tokencredential.h"

namespace azid {

QFuture<Result<AccessToken>> TokenCredential::getToken(const QStringList &scopes, const QString &claims,
                                                       const QString &tenantId, bool enableCae)
{
    return getTokenInfo({scopes, claims, tenantId, enableCae}).then([](const TokenResult &result) {
        if (!result.ok())
            return Result<AccessToken>(result.error());
        return Result<AccessToken>(AccessToken{result.value().token, result.value().expiresOn});
    });
}

} // namespace azid
