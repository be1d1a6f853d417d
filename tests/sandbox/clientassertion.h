#pragma once

#include "directory.h"
#include "oautherror.h"
#include "requestcontext.h"

#include <QMap>
#include <QString>

#include <map>
#include <optional>

namespace azid::sandbox {

// Verifies a confidential client's JWT assertion (client_assertion_type jwt-bearer) for real: the
// RS256/PS256 signature with a certificate registered for the app (found by x5t or x5t#S256), aud
// = this token endpoint, iss = sub = client id, the time window, and that its jti was never used.
class ClientAssertionVerifier
{
public:
    static inline const QString assertionType =
        QStringLiteral("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    // Allowed clock difference between client and sandbox, as Entra allows.
    static constexpr qint64 clockSkewSecs = 300;

    // nullopt when the assertion authenticates `app`. Records the assertion's JOSE header.
    std::optional<OAuthError> verify(RequestContext &context, const QMap<QString, QString> &form,
                                     const App &app, const Directory &directory);

private:
    bool audienceMatches(const RequestContext &context, const QString &audience,
                         const Directory &directory) const;

    std::map<QString, qint64> m_usedIds; // "client id|jti" -> exp, dropped once expired
};

} // namespace azid::sandbox
