#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <map>
#include <optional>

namespace azid::sandbox {

// The parameters of one /authorize request, kept while the user walks through the pages.
struct AuthorizeRequest
{
    QString tenantSegment;
    QString clientId;
    QString redirectUri;
    QString responseMode; // query, fragment or form_post
    QString state;
    QString nonce;
    QString codeChallenge;
    QStringList scopes;
    QString claims;
    QString loginHint;
    bool clientInfo = false;
};

struct AuthorizationCode
{
    AuthorizeRequest request;
    QString username;
    QString tenantId; // tid the tokens will carry
    qint64 expiresAtMs = 0;
    bool redeemed = false;
};

struct DeviceAuthorization
{
    enum class State { Pending, Approved, Declined };
    QString deviceCode;
    QString userCode;
    QString clientId;
    QString tenantSegment;
    QStringList scopes;
    QString claims;
    qint64 expiresAtMs = 0;
    qint64 lastPollMs = 0;
    int intervalSecs = 5;
    bool slowedDown = false; // a slow_down answer was given for this code
    State state = State::Pending;
    QString username; // set on approval
};

struct RefreshTokenGrant
{
    int id = 0; // non-secret handle tests use to tell refresh tokens apart
    QString username;
    QString clientId;
    QString familyId; // FOCI family; any app of the same family may redeem the token
    QStringList scopes;
    qint64 issuedAtMs = 0;
    bool revoked = false;
    bool superseded = false; // a newer token was issued when this one was redeemed
    int redemptions = 0;
};

// A browser walking the sign-in and consent pages, for /authorize or /devicelogin.
struct InteractionSession
{
    QString id;
    AuthorizeRequest request; // authorize flow
    QString userCode;         // device flow; empty for authorize
    QString username;         // set once the password was accepted
    qint64 expiresAtMs = 0;
};

// Everything the sandbox hands out and must remember: codes, device codes, refresh tokens,
// sign-in sessions, and scripted claims requirements.
class GrantStore
{
public:
    QString addCode(AuthorizationCode code);
    AuthorizationCode *code(const QString &code);

    DeviceAuthorization &addDevice(DeviceAuthorization device);
    DeviceAuthorization *deviceByDeviceCode(const QString &deviceCode);
    DeviceAuthorization *deviceByUserCode(const QString &userCode);
    void removeDevice(const QString &deviceCode);

    // Returns the opaque refresh token; grant.id is assigned here.
    QString addRefreshToken(RefreshTokenGrant grant, int *id);
    RefreshTokenGrant *refreshToken(const QString &token);
    int revokeRefreshTokens(const QString &username);
    QList<RefreshTokenGrant> refreshTokenGrants() const;

    InteractionSession &addSession(InteractionSession session);
    InteractionSession *session(const QString &id);
    void removeSession(const QString &id);

    void requireClaims(const QString &username, const QString &claims);
    std::optional<QString> requiredClaims(const QString &username) const;
    void clearRequiredClaims(const QString &username);

    static QString normalizeUserCode(const QString &userCode);

private:
    void purgeExpired();

    // std::map keeps element addresses stable, so handlers may hold a pointer while adding entries.
    std::map<QString, AuthorizationCode> m_codes;
    std::map<QString, DeviceAuthorization> m_devices; // by device code
    std::map<QString, RefreshTokenGrant> m_refreshTokens;
    std::map<QString, InteractionSession> m_sessions;
    std::map<QString, QString> m_requiredClaims; // lower-cased username -> claims JSON text
    int m_nextRefreshTokenId = 1;
};

} // namespace azid::sandbox
