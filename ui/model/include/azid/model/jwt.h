#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace azid::model {

// A JSON Web Token taken apart offline. Nothing is verified (the signature needs the issuer's keys,
// which would mean asking the network) and nothing is sent anywhere.
struct DecodedToken
{
    bool isJwt = false;
    QString error; // why it could not be decoded, for a person
    QJsonObject header;
    QJsonObject claims;
    qsizetype signatureBytes = 0;

    std::optional<qint64> timeClaim(const QString &name) const; // iat, nbf, exp, auth_time
};

// The latest time a claim can name: 9999-12-31T23:59:59Z. A pasted token is outside data: its
// times are clamped to [0, MaxClaimTime] before anything converts or subtracts them.
inline constexpr qint64 MaxClaimTime = 253402300799;
// A time claim's value in epoch seconds, clamped to [0, MaxClaimTime]; nothing when it is not a number.
std::optional<qint64> timeClaimSeconds(const QJsonValue &value);

// Accepts the bare token, "Bearer <token>" or "Authorization: Bearer <token>", with any whitespace.
DecodedToken decodeJwt(const QString &token);

// What a claim means, for the inspector, translated ("" for claims it does not know).
QString claimExplanation(const QString &name);
// A claim as a person reads it: strings as they are, arrays joined, times as local date and time.
QString claimValueText(const QString &name, const QJsonValue &value);
bool isTimeClaim(const QString &name);
// "in 59 min 12 s", "3 min 5 s ago", "now" (translated); any qint64, even the smallest.
QString relativeTime(qint64 seconds);

// A claims challenge from a resource (CAE, conditional access): the "claims" parameter of a
// WWW-Authenticate header, base64-encoded JSON.
struct ClaimsChallenge
{
    QString claims;  // the decoded JSON, ready for get_token(claims=...)
    QString error;   // the challenge's error parameter, e.g. insufficient_claims
    QString problem; // why nothing could be read, for a person; empty on success
};
// Accepts a whole header ("WWW-Authenticate: Bearer realm=\"\", error=\"insufficient_claims\",
// claims=\"eyJ...\""), its value, the base64 claims alone or the JSON itself.
ClaimsChallenge parseClaimsChallenge(const QString &text);

} // namespace azid::model
