#pragma once

#include "httpresponse.h"

#include <QString>

namespace azid::sandbox {

// An Entra-style OAuth error body (RFC 6749 §5.2 with Entra's additions): error, "AADSTS<n>: ..."
// description with trace/correlation ids and timestamp, error_codes, optional suberror and claims.
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
