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
    // Seconds, each clamped to [0, limits::MaxTokenLifetime]; 0: the server did not say.
    qint64 expiresIn = 0;
    qint64 extExpiresIn = 0;
    std::optional<qint64> refreshIn;
    // Absolute, when the server sent one instead of expires_in; within [0, limits::MaxEpochSeconds].
    std::optional<qint64> expiresOn;
    Secret refreshToken;
    Secret idToken;
    QJsonObject idTokenClaims;
    std::optional<ClientInfo> clientInfo;
    QStringList scopes; // empty: the server did not say
    QString foci;
};
Result<TokenResponse> parseTokenResponse(const HttpResponse &response, const QString &context);

// Parsed success body of a device authorization endpoint (RFC 8628 section 3.2).
struct DeviceCodeResponse
{
    QString userCode;
    QString deviceCode;
    QString verificationUri; // verification_uri, or Entra v1's verification_url
    qint64 expiresIn = 1800; // seconds, within [0, limits::MaxDeviceCodeLifetime]
    qint64 interval = 5;     // seconds, within [limits::MinPollInterval, limits::MaxPollInterval]
};
Result<DeviceCodeResponse> parseDeviceCodeResponse(const HttpResponse &response, const QString &context);

// Numbers from outside (servers, files, the developer tools' output, pasted tokens) are clamped
// where they are parsed to what they can sensibly mean, so that nothing downstream converts an
// out-of-range double to an integer or overflows when it adds one to the current time.
namespace limits {
// Any integer read from JSON: 2^53, the largest a JSON (IEEE double) number holds exactly.
inline constexpr qint64 MaxJsonInteger = qint64(1) << 53;
// A point in time: 9999-12-31T23:59:59Z, the end of Python's datetime (MSAL reads Azid's caches).
inline constexpr qint64 MaxEpochSeconds = 253402300799;
// A token's expires_in, ext_expires_in and refresh_in: a year. Entra's tokens live hours; a longer
// promise only makes Azid ask again sooner than told, which is harmless.
inline constexpr qint64 MaxTokenLifetime = 366 * 86400;
// A device code's expires_in (Entra: 15 minutes) and its polling interval (RFC 8628: 5 s by
// default). An interval is at least 1 s and at most a minute, so a hostile answer can neither make
// Azid hammer the server nor stop polling for good.
inline constexpr qint64 MaxDeviceCodeLifetime = 86400;
inline constexpr qint64 MinPollInterval = 1;
inline constexpr qint64 MaxPollInterval = 60;
} // namespace limits

// A JSON number or a numeric string (servers send both) as an integer, saturated to
// ±limits::MaxJsonInteger; fractions are cut off. Nothing for other values, NaN or garbage.
std::optional<qint64> jsonInteger(const QJsonValue &value);
// The same, for a count of seconds clamped to [0, max].
std::optional<qint64> jsonSeconds(const QJsonValue &value, qint64 max);
// A double from outside as an integer within [low, high]; NaN gives `low`.
qint64 clampedInteger(double value, qint64 low, qint64 high);
// An absolute time in epoch seconds clamped to [0, limits::MaxEpochSeconds].
qint64 clampEpoch(qint64 seconds);

} // namespace azid::detail
