#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace azid::sandbox {

// What the sandbox remembers about one authority request. Never holds secrets: no bodies,
// passwords, codes or tokens; refresh tokens appear only as their numeric ids.
struct RequestRecord
{
    QString method;
    QString path;
    QString endpoint;
    QString grantType;
    QString clientId;
    QString tenant;
    int status = 0;
    QString error;
    bool hasClaims = false;
    QString claims;
    QString clientRequestId;
    QString username;
    QString scope;
    int refreshTokenId = 0;       // the refresh token presented, if any
    int issuedRefreshTokenId = 0; // the refresh token handed out, if any
    QString clientAuth;           // client_secret, client_assertion, federated_assertion or empty
    QJsonObject assertionHeader;  // the client assertion's JOSE header (alg, x5t, x5c count), not secret
    qint64 timeMs = 0;
};

class RequestLog
{
public:
    // Keeps memory bounded for long-running sessions; tests clear the log between cases anyway.
    static constexpr qsizetype maxEntries = 10'000;

    void append(const RequestRecord &record);
    void clear();
    QJsonArray toJson() const;

private:
    QList<RequestRecord> m_records;
};

} // namespace azid::sandbox
