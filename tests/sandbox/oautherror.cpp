#include "oautherror.h"

#include "encoding.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

OAuthError::OAuthError(int httpStatus, QString error, int aadsts, QString text)
    : m_status(httpStatus), m_error(std::move(error)), m_aadsts(aadsts), m_text(std::move(text))
{}

OAuthError &OAuthError::suberror(const QString &suberror)
{
    m_suberror = suberror;
    return *this;
}

OAuthError &OAuthError::claims(const QString &claims)
{
    m_claims = claims;
    return *this;
}

HttpResponse OAuthError::toResponse(const QString &correlationId) const
{
    const QString traceId = encoding::newGuid();
    const QString timestamp = encoding::entraTimestamp();
    const QString description = u"AADSTS%1: %2\r\nTrace ID: %3\r\nCorrelation ID: %4\r\nTimestamp: %5"_s.arg(
        QString::number(m_aadsts), m_text, traceId, correlationId, timestamp);
    QJsonObject body{{u"error"_s, m_error},
                     {u"error_description"_s, description},
                     {u"error_codes"_s, QJsonArray{m_aadsts}},
                     {u"timestamp"_s, timestamp},
                     {u"trace_id"_s, traceId},
                     {u"correlation_id"_s, correlationId},
                     {u"error_uri"_s, u"https://login.microsoftonline.com/error?code=%1"_s.arg(m_aadsts)}};
    if (!m_suberror.isEmpty())
        body.insert(u"suberror"_s, m_suberror);
    if (!m_claims.isEmpty())
        body.insert(u"claims"_s, m_claims);
    HttpResponse response = HttpResponse::json(m_status, body);
    response.setHeader("Pragma", "no-cache");
    response.setHeader("x-ms-request-id", traceId.toLatin1());
    return response;
}

} // namespace azid::sandbox
