#include "requestlog.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

void RequestLog::append(const RequestRecord &record)
{
    if (m_records.size() >= maxEntries)
        m_records.removeFirst();
    m_records.append(record);
}

void RequestLog::clear()
{
    m_records.clear();
}

QJsonArray RequestLog::toJson() const
{
    QJsonArray array;
    for (const RequestRecord &record : m_records) {
        QJsonObject object{{u"method"_s, record.method},
                           {u"path"_s, record.path},
                           {u"endpoint"_s, record.endpoint},
                           {u"grant_type"_s, record.grantType},
                           {u"client_id"_s, record.clientId},
                           {u"tenant"_s, record.tenant},
                           {u"status"_s, record.status},
                           {u"error"_s, record.error},
                           {u"has_claims"_s, record.hasClaims},
                           {u"claims"_s, record.claims},
                           {u"client_request_id"_s, record.clientRequestId},
                           {u"username"_s, record.username},
                           {u"scope"_s, record.scope},
                           {u"time_ms"_s, record.timeMs}};
        if (record.refreshTokenId > 0)
            object.insert(u"refresh_token_id"_s, record.refreshTokenId);
        if (record.issuedRefreshTokenId > 0)
            object.insert(u"issued_refresh_token_id"_s, record.issuedRefreshTokenId);
        if (!record.clientAuth.isEmpty())
            object.insert(u"client_auth"_s, record.clientAuth);
        if (!record.assertionHeader.isEmpty())
            object.insert(u"assertion_header"_s, record.assertionHeader);
        array.append(object);
    }
    return array;
}

} // namespace azid::sandbox
