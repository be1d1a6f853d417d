#pragma once

#include "azid/secret.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace azid {

// azure-core's AccessTokenInfo: the token, when it expires and when to refresh it (epoch seconds).
struct AccessTokenInfo
{
    Secret token;
    qint64 expiresOn = 0;
    std::optional<qint64> refreshOn;
    QString tokenType = QStringLiteral("Bearer");
};

// azure-core's AccessToken named tuple.
struct AccessToken
{
    Secret token;
    qint64 expiresOn = 0;
};

// The keyword arguments of get_token / get_token_info.
struct TokenRequestOptions
{
    QStringList scopes;
    QString claims;   // JSON text of a claims challenge, decoded
    QString tenantId; // empty: the credential's tenant
    bool enableCae = false;
};

} // namespace azid
