#pragma once

#include "azid/result.h"

#include <QString>

namespace azid {

// Non-secret information about a signed-in account, in azure.identity's format, so that a later
// credential (in this or another process, in C++ or Python) can find the account in the cache.
struct AuthenticationRecord
{
    QString authority; // host[:port] of the identity token's issuer, no scheme
    QString clientId;
    QString homeAccountId; // "<uid>.<utid>"
    QString tenantId;
    QString username;

    // Exactly what Python's AuthenticationRecord.serialize() writes (json.dumps, key order, "1.0").
    QString serialize() const;
    static Result<AuthenticationRecord> deserialize(const QString &json);

    friend bool operator==(const AuthenticationRecord &, const AuthenticationRecord &) = default;
};

} // namespace azid
