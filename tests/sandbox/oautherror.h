#pragma once

#include "httpresponse.h"

#include <QString>

namespace azid::sandbox {

// An Entra-style OAuth error body (entra-protocol.md §2.2): error, "AADSTS<n>: ..." description with
// trace/correlation ids and timestamp, error_codes, optional suberror and claims.
class OAuthError
{
public:
    OAuthError(int httpStatus, QString error, int aadsts, QString text);

    OAuthError &suberror(const QString &suberror);
    OAuthError &claims(const QString &claims);

    HttpResponse toResponse(const QString &correlationId) const;

private:
    int m_status;
    QString m_error;
    int m_aadsts;
    QString m_text;
    QString m_suberror;
    QString m_claims;
};

} // namespace azid::sandbox
