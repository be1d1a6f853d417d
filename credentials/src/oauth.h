#pragma once

#include "azid/errors.h"
#include "azid/result.h"
#include "azid/secret.h"
#include "httpclient.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace azid::detail {

QByteArray base64UrlEncode(const QByteArray &data);
std::optional<QByteArray> base64UrlDecode(const QByteArray &text);
// The payload of a JWT, decoded without checking the signature (as MSAL does for id tokens).
std::optional<QJsonObject> decodeJwtPayload(const QByteArray &jwt);
std::optional<QJsonObject> decodeJwtHeader(const QByteArray &jwt);

struct Pkce
{
    Secret verifier;   // 43 characters of the unreserved set, from a CSPRNG
    QString challenge; // base64url(SHA-256(verifier)) without padding
};
Pkce generatePkce();
QString pkceChallenge(const QByteArray &verifier);
// `length` characters from [A-Za-z], from a CSPRNG.
QString randomLetters(int length);
QString sha256Hex(const QString &text);

struct ClientInfo
{
    QString uid;
    QString utid;
};
std::optional<ClientInfo> decodeClientInfo(const QByteArray &clientInfo);

// The OIDC scopes MSAL adds to every user-flow request.
inline const QStringList ReservedScopes{QStringLiteral("openid"), QStringLiteral("profile"),
                                        QStringLiteral("offline_access")};
QString decorateScopes(const QStringList &scopes);
// Empty when the scopes are usable, else why not.
QString validateScopes(const QStringList &scopes);

// Merges client capabilities (CP1) into a claims request, as MSAL's
// _merge_claims_challenge_and_capabilities does; Python's json.dumps formatting is not needed by
// the server, compact JSON is sent.
QString mergeClaimsWithCapabilities(const QString &claims, const QStringList &capabilities);

// An OAuth error answer (or a failed transport) as an AuthError with Entra's codes and ids.
// `context` starts the message, e.g. "Authentication failed".
AuthError errorFromResponse(const HttpResponse &response, const QString &context);

// Parsed success body of a token endpoint.
struct TokenResponse
{
    Secret accessToken;
    QString tokenType = QStringLiteral("Bearer");
    qint64 expiresIn = 0;
    qint64 extExpiresIn = 0;
    std::optional<qint64> refreshIn;
    std::optional<qint64> expiresOn; // absolute, when the server sent one instead of expires_in
    Secret refreshToken;
    Secret idToken;
    QJsonObject idTokenClaims;
    std::optional<ClientInfo> clientInfo;
    QStringList scopes; // empty: the server did not say
    QString foci;
};
Result<TokenResponse> parseTokenResponse(const HttpResponse &response, const QString &context);

// Numbers that servers send as JSON numbers or as strings.
std::optional<qint64> jsonInteger(const QJsonValue &value);

} // namespace azid::detail
